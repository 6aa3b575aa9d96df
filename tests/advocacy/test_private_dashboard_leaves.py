"""A NON-publishing campaign's dashboard from precomputed leaves (``stats_store.PrivateOutcomeLeaf``): the same
figures as counting its cases live, a withdrawal gone at once (in its transaction, stored releases never hiding
it), counted live before the first refresh and after its organisation's publishing changed, and a constant
number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deletion_portal.advocacy import stats_store, stats_views
from deletion_portal.advocacy.stats_models import PrivateOutcomeLeaf
from deletion_portal.cases.models import Case
from tests.support.stats import outcome_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stats_today")]

TODAY = date(2026, 6, 1)


def private_campaign(organisation, employer, outcomes, *, slug="private", month=2):
    from deletion_portal.advocacy.models import Campaign, CampaignMember, Consent, ConsentKind

    campaign = Campaign.objects.create(organisation=organisation, title=slug, slug=slug, law_keys=["eu-gdpr"],
                                       state="open", publish_statistics=False)
    for outcome in outcomes:
        member = CampaignMember.objects.create(campaign=campaign, case=outcome_case(employer, outcome, received=date(2026, month, 2)))
        Consent.objects.create(member=member, kind=ConsentKind.STATISTICS, given=True)
    return campaign


def live(campaign):
    """What the dashboard counted before the leaves: straight from the cases."""
    stats_store.private_leaves_drop(organisation_id=campaign.organisation_id)
    return stats_views.campaign_release(campaign, today=TODAY)


def refresh(capture, *, full=True):
    with capture(execute=True):
        stats_store.statistics_refresh(today=TODAY, full=full)


def test_the_leaves_give_the_figures_counting_live_gives(organisation, employer, django_capture_on_commit_callbacks):
    campaign = private_campaign(organisation, employer, ["on_time"] * 6 + ["late"] * 5 + ["none"] * 7)
    expected = live(campaign).published()
    refresh(django_capture_on_commit_callbacks)
    assert PrivateOutcomeLeaf.objects.filter(campaign=campaign, month__isnull=False).exists()
    stored = stats_store.private_campaign_release(campaign.pk)
    assert stored is not None
    assert stats_views.campaign_release(campaign, today=TODAY).published() == expected
    assert stats_views.campaign_release(campaign, today=TODAY).row("status").count("late") == 5


def test_a_withdrawal_leaves_the_dashboard_at_once(organisation, employer, django_capture_on_commit_callbacks):
    from deletion_portal.advocacy.consents import consent_set
    from deletion_portal.advocacy.models import CampaignMember, ConsentKind

    campaign = private_campaign(organisation, employer, ["on_time"] * 6 + ["late"] * 6 + ["none"] * 6)
    refresh(django_capture_on_commit_callbacks)  # stores the built release too
    assert stats_views.campaign_release(campaign, today=TODAY).row("status").count("late") == 6
    late = CampaignMember.objects.get(campaign=campaign, case__on_time=False, case__in=Case.objects.filter(
        on_time=False)[:1])
    with django_capture_on_commit_callbacks(execute=False):  # nothing stored after it: the rows must tell
        consent_set(member=late, kind=ConsentKind.STATISTICS, given=False, actor=None)
    release = stats_views.campaign_release(campaign, today=TODAY)
    assert release.population()[0] == 17
    assert release.row("status").count("late") == 5
    assert release.published() == live(campaign).published()


def test_a_deleted_case_leaves_the_dashboard_at_once(organisation, employer, django_capture_on_commit_callbacks):
    campaign = private_campaign(organisation, employer, ["on_time"] * 6 + ["late"] * 6)
    refresh(django_capture_on_commit_callbacks)
    Case.objects.filter(on_time=True).first().delete()
    release = stats_views.campaign_release(campaign, today=TODAY)
    assert release.population()[0] == 11


def test_counted_live_until_the_first_refresh_and_after_publishing_changes(
        organisation, employer, advocate, django_capture_on_commit_callbacks):
    from deletion_portal.advocacy.campaigns import campaign_update

    campaign = private_campaign(organisation, employer, ["on_time"] * 6 + ["late"] * 6)
    assert stats_store.private_campaign_release(campaign.pk) is None  # never counted: the page counts live
    assert stats_views.campaign_release(campaign, today=TODAY).population()[0] == 12
    refresh(django_capture_on_commit_callbacks)
    assert stats_store.private_campaign_release(campaign.pk) is not None
    campaign_update(campaign=campaign, actor=advocate, publish_statistics=True)
    assert not PrivateOutcomeLeaf.objects.filter(campaign__organisation=organisation).exists()
    campaign_update(campaign=campaign, actor=advocate, publish_statistics=False)
    assert stats_store.private_campaign_release(campaign.pk) is None
    refresh(django_capture_on_commit_callbacks, full=False)  # an incremental refresh counts it again
    assert stats_store.private_campaign_release(campaign.pk) is not None


def test_an_event_shows_after_the_incremental_refresh(organisation, employer, django_capture_on_commit_callbacks):
    from deletion_portal.cases.models import CaseEvent

    campaign = private_campaign(organisation, employer, ["on_time"] * 6 + ["late"] * 6 + ["none"] * 6)
    refresh(django_capture_on_commit_callbacks)
    assert stats_views.campaign_release(campaign, today=TODAY).row("status").count("none") == 6
    answered = Case.objects.filter(answered_on__isnull=True).first()
    Case.objects.filter(pk=answered.pk).update(answered_on=date(2026, 3, 20), on_time=False, status="answered")
    before = stats_views.campaign_release(campaign, today=TODAY).row("status")
    assert (before.count("late"), before.count("none")) == (6, 6)  # no event yet: the leaves stand
    CaseEvent.objects.create(case=answered, kind="answered", on=date(2026, 3, 20))
    refresh(django_capture_on_commit_callbacks, full=False)
    row = stats_views.campaign_release(campaign, today=TODAY).row("status")
    assert (row.count("on_time"), row.count("late"), row.count("none")) == (6, 7, 5)


def queries_of_the_dashboard(campaign) -> int:
    with CaptureQueriesContext(connection) as captured:
        stats_views.campaign_release(campaign, today=TODAY).published()
    return len(captured)


@pytest.mark.parametrize("stored", [True, False])
def test_the_dashboard_reads_a_fixed_number_of_queries(organisation, employer, other_employer,
                                                       django_capture_on_commit_callbacks, stored):
    small = private_campaign(organisation, employer, ["on_time"] * 6, slug="small")
    large = private_campaign(organisation, other_employer, ["on_time"] * 30 + ["late"] * 30, slug="large", month=3)
    for month in (4, 5):
        private_campaign(organisation, other_employer, [], slug=f"empty-{month}", month=month)
    refresh(django_capture_on_commit_callbacks if stored else (lambda execute: django_capture_on_commit_callbacks(
        execute=False)))
    assert queries_of_the_dashboard(small) == queries_of_the_dashboard(large) <= 3


def test_a_withdrawn_member_without_an_employer_leaves_the_dashboard_at_once(organisation, employer,
                                                                           django_capture_on_commit_callbacks):
    """A member whose case names no employer from the directory is counted under "(none)"; the recount works by
    employer, so withdrawing drops the campaign's leaves (counted live, without them, until the next refresh)."""
    from deletion_portal.advocacy.consents import consent_set
    from deletion_portal.advocacy.models import CampaignMember, ConsentKind

    campaign = private_campaign(organisation, employer, ["on_time"] * 6 + ["late"] * 6)
    Case.objects.filter(pk__in=CampaignMember.objects.filter(campaign=campaign).values("case_id")).update(employer=None)
    refresh(django_capture_on_commit_callbacks)
    assert PrivateOutcomeLeaf.objects.filter(campaign=campaign, employer__isnull=True, month__isnull=False).exists()
    assert stats_views.campaign_release(campaign, today=TODAY).population()[0] == 12
    member = CampaignMember.objects.filter(campaign=campaign).first()
    with django_capture_on_commit_callbacks(execute=False):
        consent_set(member=member, kind=ConsentKind.STATISTICS, given=False, actor=None)
    assert stats_views.campaign_release(campaign, today=TODAY).population()[0] == 11
    Case.objects.filter(pk=CampaignMember.objects.filter(campaign=campaign).last().case_id).delete()
    assert stats_views.campaign_release(campaign, today=TODAY).population()[0] == 10
