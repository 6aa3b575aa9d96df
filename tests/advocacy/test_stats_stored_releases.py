"""The releases the refresh stores (``stats_store.store_releases``): a page reads the stored release while its
employer's leaves are unchanged, never one of older leaves, and a GET never stores one."""

from __future__ import annotations

from datetime import date

import pytest

from deletion_portal.advocacy import stats_store
from deletion_portal.cases.models import Case
from tests.support.stats import outcome_case as make_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stats_today")]

TODAY = date(2026, 6, 1)


@pytest.fixture
def campaign(organisation, employer):
    """18 counted cases of ``employer`` (6 on time, 6 late, 6 not answered) in one publishing campaign."""
    from deletion_portal.advocacy.models import Campaign, CampaignMember, Consent, ConsentKind

    campaign = Campaign.objects.create(organisation=organisation, title="Counted", slug="counted-cases",
                                       law_keys=["eu-gdpr"], state="open", publish_statistics=True)
    for outcome in ["on_time"] * 6 + ["late"] * 6 + ["none"] * 6:
        member = CampaignMember.objects.create(campaign=campaign, case=make_case(employer, outcome))
        Consent.objects.create(member=member, kind=ConsentKind.STATISTICS, given=True)
    return campaign


def test_the_refresh_stores_the_release_a_page_then_reads(employer, campaign, django_capture_on_commit_callbacks,
                                                          monkeypatch):
    from django.core.cache import caches

    stats_store.statistics_refresh(today=TODAY, full=True)  # its on-commit store does not run here
    expected = stats_store.employer_release(employer.pk)[0].published()  # built from the leaves
    expected_dashboard = stats_store.campaign_release(campaign.pk)[0].published()
    with django_capture_on_commit_callbacks(execute=True):
        stats_store.statistics_refresh(today=TODAY, full=True)
    stamp = stats_store.leaf_stamps([employer.pk])[employer.pk]
    assert caches[stats_store.RELEASE_CACHE].get(stats_store.employer_release_key(employer.pk, stamp, 5)) is not None
    monkeypatch.setattr(stats_store, "build_release", lambda *a, **kw: pytest.fail("rebuilt instead of read"))
    assert stats_store.employer_release(employer.pk)[0].published() == expected
    assert stats_store.campaign_release(campaign.pk)[0].published() == expected_dashboard
    assert stats_store.employer_release(employer.pk)[0].row("status").count("late") == 6


def test_a_withdrawal_is_never_hidden_by_a_stored_release(employer, campaign, django_capture_on_commit_callbacks):
    from deletion_portal.advocacy.models import CampaignMember, Consent, ConsentKind

    with django_capture_on_commit_callbacks(execute=True):
        stats_store.statistics_refresh(today=TODAY, full=True)
    late = Case.objects.filter(employer=employer, on_time=False).first()
    Consent.objects.create(member=CampaignMember.objects.get(case=late), kind=ConsentKind.STATISTICS, given=False)
    # Its store-after-commit is NOT run: the stored release of the older leaves must not be served.
    with django_capture_on_commit_callbacks(execute=False):
        stats_store.statistics_uncount(case_ids=[late.pk], today=TODAY)
    release = stats_store.employer_release(employer.pk)[0]
    assert release.row("status").count("late") == 5 and release.population()[0] == 17
    assert stats_store.campaign_release(campaign.pk)[0].row("status").count("late") == 5


def test_a_page_with_nothing_stored_builds_the_release_and_stores_nothing(employer, campaign):
    from django.core.cache import caches

    stats_store.statistics_refresh(today=TODAY, full=True)  # its on-commit store never runs in this test
    stamp = stats_store.leaf_stamps([employer.pk])[employer.pk]
    key = stats_store.employer_release_key(employer.pk, stamp, 5)
    assert stats_store.employer_release(employer.pk)[0].row("status").count("late") == 6
    stats_store.campaign_release(campaign.pk)
    assert caches[stats_store.RELEASE_CACHE].get(key) is None


def test_a_forget_keeps_each_total_the_sum_of_the_employers_leaves(employer, campaign):
    from deletion_portal.advocacy.models import CampaignMember, Consent, ConsentKind
    from deletion_portal.advocacy.stats_models import OutcomeLeaf

    stats_store.statistics_refresh(today=TODAY, full=True)
    for case in Case.objects.filter(employer=employer, on_time=False)[:2]:
        Consent.objects.create(member=CampaignMember.objects.get(case=case), kind=ConsentKind.STATISTICS, given=False)
        stats_store.statistics_uncount(case_ids=[case.pk], today=TODAY)
    leaves = OutcomeLeaf.objects.filter(employer=employer, month__isnull=False)
    total = OutcomeLeaf.objects.get(employer=employer, month__isnull=True).data
    assert total["cases"] == sum(leaf.data["cases"] for leaf in leaves) == 16
    assert total["counts"]["status"] == {"on_time": 6, "late": 4, "none": 6}
    assert stats_store.ranking() == []  # 4 late: fewer than k, so the employer is not ranked


def test_the_release_bench_publishes_exactly_what_it_published_before_the_speed_work(monkeypatch):
    """``bench stats --release-only``'s synthetic big employer and dashboard: the hash of everything they publish,
    taken before ``disclosure.Release`` was made faster (a change of any decision changes it) — over the variables
    of that time; with the variables added later ("extension valid", what follow-ups and complaints led to: they
    change the synthetic leaves) the hash of today."""
    import io

    from deletion_portal.advocacy import figures
    from deletion_portal.advocacy.stats_bench import release_bench

    out = release_bench(io.StringIO(), {"repeat": 1})
    assert out["leaves"] == 720
    assert out["published_sha256"] == "22609ba34fe2d56376b58e0799bcf9a6270c051469da03d5798e5f2b3ccbab26"
    monkeypatch.setattr(figures, "BASE_VARIABLES",
                        tuple(v for v in figures.BASE_VARIABLES if v not in (
                            figures.EXTENSION_VALID, figures.FOLLOW_UP_OUTCOME, figures.COMPLAINT_OUTCOME)))
    out = release_bench(io.StringIO(), {"repeat": 1})
    assert out["published_sha256"] == "197639bd0818fb0dc85c4ef09882249970b5f92c634c64dbbcc6fdde2ba9e402"
