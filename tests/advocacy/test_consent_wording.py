"""The statistics consent names k (``STATS_MIN_CELL``), as a new wording version; rows keep the version they were
given under, and the text of every recorded version can still be shown (LEGAL.md §5: consent is to a specific,
informed wording; GDPR Art. 7(1): the controller must be able to show what was consented to)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deletion_portal.advocacy.consents import consent_set, consent_wording, consent_wording_of
from deletion_portal.advocacy.models import Campaign, CampaignMember, Consent, ConsentKind
from deletion_portal.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(organisation, employer):
    campaign = Campaign.objects.create(organisation=organisation, title="Keystrokes", slug="keystrokes",
                                       law_keys=["eu-gdpr"], state="open")
    campaign.employers.add(employer)
    return campaign


@pytest.fixture
def member(campaign, employer):
    case = Case.objects.create(employer=employer, status="sent", law_key="eu-gdpr", region="DE-BY")
    return CampaignMember.objects.create(campaign=campaign, case=case)


@pytest.mark.parametrize("k", [3, 5, 7, 12])
def test_the_statistics_wording_names_k_and_its_version_says_which(settings, k):
    settings.STATS_MIN_CELL = k
    version, text = consent_wording(ConsentKind.STATISTICS)
    assert version == f"2026-12-2/k{k}"
    assert f"Groups of fewer than {k} people are never shown." in text
    assert "fewer than 5" not in text or k == 5


def test_a_consent_given_now_records_the_new_version(settings, member):
    settings.STATS_MIN_CELL = 7
    row = consent_set(member=member, kind=ConsentKind.STATISTICS, given=True, actor=None)
    assert row.wording_version == "2026-12-2/k7"
    assert "fewer than 7 people" in consent_wording_of(ConsentKind.STATISTICS, row.wording_version)


def test_old_rows_keep_their_version_and_its_text(settings, member):
    old = Consent.objects.create(member=member, kind=ConsentKind.STATISTICS, given=True, wording_version="2026-12-1")
    settings.STATS_MIN_CELL = 8
    consent_set(member=member, kind=ConsentKind.STATISTICS, given=False, actor=None)
    old.refresh_from_db()
    assert old.wording_version == "2026-12-1"
    assert "Groups of fewer than 5 are never shown." in consent_wording_of(ConsentKind.STATISTICS, "2026-12-1")
    versions = list(member.consents.order_by("at", "id").values_list("wording_version", flat=True))
    assert versions == ["2026-12-1", "2026-12-2/k8"]


@pytest.mark.parametrize(("kind", "version"), [
    (ConsentKind.STATISTICS, "2026-12-2"),        # the k-naming wording needs its k
    (ConsentKind.STATISTICS, "2026-12-1/k5"),     # the old wording never named k
    (ConsentKind.STATISTICS, "2026-12-2/kfive"),
    (ConsentKind.SEE_CASE, "1999-01-1"),
    ("nonsense", "2026-12-1"),
])
def test_a_version_never_shown_has_no_text(kind, version):
    assert consent_wording_of(kind, version) is None


def test_the_other_kinds_keep_their_wording(member):
    assert consent_wording(ConsentKind.SEE_CASE)[0] == "2026-12-1"
    row = consent_set(member=member, kind=ConsentKind.SEE_CASE, given=True, actor=None)
    assert row.wording_version == "2026-12-1"


def test_the_join_page_shows_k(owner_client, settings, campaign):
    settings.STATS_MIN_CELL = 6
    page = owner_client.get(reverse("advocacy:join", args=[campaign.slug])).content.decode()
    assert "Groups of fewer than 6 people are never shown." in page and "fewer than 5" not in page
