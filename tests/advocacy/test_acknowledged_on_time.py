"""Acknowledged on time: the acknowledge-by date as a Case column, and the statistics row
"acknowledged on time / late / not acknowledged" for laws with an acknowledgement period.

Law: the CCPA regulations oblige a business to confirm receipt of a request to delete within 10 business
days (11 CCR §7021(a); LEGAL.md). The GDPR has no acknowledgement duty (Art. 12 GDPR; LEGAL.md), so a GDPR
case is "not applicable" in that row: no cell.
"""

from __future__ import annotations

import csv
import importlib
import io
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.apps import apps as global_apps
from django.urls import reverse

from deletion_portal.advocacy import figures, stats_store
from deletion_portal.advocacy.consents import consent_set
from deletion_portal.advocacy.models import Campaign, CampaignMember, ConsentKind
from deletion_portal.advocacy.reports import Filters
from deletion_portal.advocacy.stats_views import campaign_report
from deletion_portal.cases.models import Case, EventKind
from deletion_portal.cases.services import case_create, case_record_event
from tests.support.data import DRAFT_FIELDS
from tests.support.world import finalise_directly, login

pytestmark = pytest.mark.django_db

CCPA, GDPR = "us-ca-ccpa", "eu-gdpr"
TODAY = date(2026, 6, 1)


# --- The column: case_recompute keeps it, the data migration fills it --------------------------------------

ACKNOWLEDGE_BY = [
    # (law, region, received, acknowledge-by, citation)
    (CCPA, "US-CA", date(2026, 2, 6), date(2026, 2, 23), "11 CCR §7021(a): 10 business days; 16 Feb 2026 Presidents' Day"),
    (CCPA, "US-CA", date(2025, 11, 21), date(2025, 12, 9), "11 CCR §7021(a): 10 business days; 27-28 Nov 2025 holidays"),
    (GDPR, "DE-BY", date(2026, 2, 6), None, "Art. 12 GDPR: no acknowledgement duty"),
]


@pytest.mark.parametrize(("law", "region", "received", "expected", "citation"), ACKNOWLEDGE_BY)
def test_it_keeps_the_acknowledge_by_date_when_deadlines_are_recomputed(owner, employer, law, region, received,
                                                                         expected, citation):
    case = case_create(owner=owner, employer=employer, **(DRAFT_FIELDS | {"law_key": law, "region": region}))
    finalise_directly(case)
    assert Case.objects.get(pk=case.pk).acknowledge_by is None  # not received yet: no date
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=dt_timezone.utc), tick=False):
        case_record_event(case=case, kind=EventKind.SENT, on=received, actor=owner, details={"channel": "email"},
                          today=received)
    assert Case.objects.get(pk=case.pk).acknowledge_by == expected, citation


def test_the_data_migration_fills_the_date_of_existing_cases(employer):
    migration = importlib.import_module("deletion_portal.cases.migrations.0008_statsfeat_case_acknowledge_by")
    fields = {"employer": employer, "status": "sent"}
    ccpa = Case.objects.create(law_key=CCPA, region="US-CA", received_on=date(2026, 2, 6), **fields)
    gdpr = Case.objects.create(law_key=GDPR, region="DE-BY", received_on=date(2026, 2, 6), **fields)
    unsent = Case.objects.create(law_key=CCPA, region="US-CA", **fields)
    no_region = Case.objects.create(law_key=CCPA, region="", received_on=date(2026, 2, 6), **fields)
    migration.fill_acknowledge_by(global_apps, None)
    got = dict(Case.objects.filter(pk__in=[ccpa.pk, gdpr.pk, unsent.pk, no_region.pk])
               .values_list("pk", "acknowledge_by"))
    assert got == {ccpa.pk: date(2026, 2, 23), gdpr.pk: None, unsent.pk: None, no_region.pk: None}


# --- The statistics row ----------------------------------------------------------------------------------

RECEIVED = date(2026, 2, 6)
ACK_BY = date(2026, 2, 23)  # 11 CCR §7021(a) for RECEIVED in California

CATEGORIES = [
    # (acknowledged on, answered on, category or None for "not applicable", why)
    (ACK_BY, None, "on_time", "acknowledged on the last day: on time (11 CCR §7021(a))"),
    (RECEIVED + timedelta(days=2), ACK_BY + timedelta(days=20), "on_time", "acknowledged early, answered later"),
    (None, ACK_BY - timedelta(days=1), "on_time", "no acknowledgement, but answered in the period: receipt confirmed"),
    (ACK_BY + timedelta(days=1), None, "late", "acknowledged the day after"),
    (None, ACK_BY + timedelta(days=5), "late", "first confirmation is a late answer"),
    (ACK_BY + timedelta(days=3), ACK_BY + timedelta(days=1), "late", "answer before a late acknowledgement: still late"),
    (None, None, "none", "nothing although the date passed"),
]


def _case(employer, *, law=CCPA, acknowledged_on=None, answered_on=None, received=RECEIVED, ack_by=ACK_BY):
    return Case.objects.create(employer=employer, status="sent", law_key=law,
                               region="US-CA" if law == CCPA else "DE-BY", received_on=received,
                               respond_by=received + timedelta(days=45), acknowledge_by=ack_by if law == CCPA else None,
                               acknowledged_on=acknowledged_on, answered_on=answered_on,
                               on_time=None if answered_on is None else True)


@pytest.mark.parametrize(("acknowledged_on", "answered_on", "category", "why"), CATEGORIES)
def test_each_case_falls_in_one_category(employer, acknowledged_on, answered_on, category, why):
    _case(employer, acknowledged_on=acknowledged_on, answered_on=answered_on)
    counts = figures.outcome_counts(Case.objects.all(), today=TODAY)
    (leaf,) = counts.leaves.values()
    assert leaf.counts["ack_status"] == {category: 1}, why


def test_not_yet_due_and_laws_without_a_period_are_not_a_cell(employer):
    _case(employer, received=date(2026, 5, 28), ack_by=date(2026, 6, 11))  # not yet due, nothing yet
    _case(employer, law=GDPR, acknowledged_on=RECEIVED)  # Art. 12 GDPR: no acknowledgement period
    _case(employer, law=GDPR)
    counts = figures.outcome_counts(Case.objects.all(), today=TODAY)
    assert all(not leaf.counts.get("ack_status") for leaf in counts.leaves.values())
    assert figures.ACK_STATUS in counts.variables


def _campaign_with(organisation, employer, cases):
    campaign = Campaign.objects.create(organisation=organisation, title="Receipts", slug="receipts",
                                       law_keys=[CCPA], state="open", publish_statistics=True)
    campaign.employers.add(employer)
    for case in cases:
        member = CampaignMember.objects.create(campaign=campaign, case=case)
        consent_set(member=member, kind=ConsentKind.STATISTICS, given=True, actor=None)
    return campaign


def test_it_is_shown_on_every_page_and_download_under_the_same_rules(client, advocate, organisation, employer,
                                                                      stats_today):
    cases = ([_case(employer, acknowledged_on=RECEIVED + timedelta(days=1)) for _ in range(6)]
             + [_case(employer, acknowledged_on=ACK_BY + timedelta(days=2)) for _ in range(5)]
             + [_case(employer) for _ in range(5)]
             + [_case(employer, law=GDPR, acknowledged_on=RECEIVED) for _ in range(7)])
    campaign = _campaign_with(organisation, employer, cases)
    stats_store.statistics_refresh(today=TODAY)

    report = campaign_report(campaign, Filters(), today=TODAY)
    row = next(t for t in report["tables"] if t["variable"] == "ack_status")
    assert [c["count"] for c in row["cells"]] == [6, 5, 5] and row["total"] == 16  # the GDPR cases: not applicable
    login(client, advocate)
    page = client.get(reverse("advocacy:campaign-stats", args=[campaign.pk])).content.decode()
    assert "Receipt acknowledged by the legal date" in page and "11 CCR §7021(a)" in page
    public = client.get(reverse("stats:employer-outcomes", args=[employer.pk])).content.decode()
    assert "Acknowledged on time" in public and "6 (37.5%)" in public
    rows = list(csv.reader(io.StringIO(client.get(reverse("stats:employer-outcomes-csv", args=[employer.pk]))
                                       .content.decode())))
    assert ["ack_status", "all", "all", "all", "late", "5", "31.2", "16", "false"] in rows
    api = client.get(f"/api/v1/employers/{employer.pk}/outcomes").json()
    assert [c["count"] for c in next(t for t in api["tables"] if t["variable"] == "ack_status")["cells"]] == [6, 5, 5]
    method = client.get(reverse("stats:method")).content.decode()
    assert "ack_status" in method and "11 CCR §7021(a)" in method

    # One fewer late: the late cell counts 4 (< k), so the whole row is suppressed, everywhere.
    Case.objects.filter(pk=cases[6].pk).delete()
    stats_store.statistics_refresh(today=TODAY)
    for got in (campaign_report(campaign, Filters(), today=TODAY),
                client.get(f"/api/v1/employers/{employer.pk}/outcomes").json()):
        row = next(t for t in got["tables"] if t["variable"] == "ack_status")
        assert row["suppressed"] and [c["count"] for c in row["cells"]] == [None, None, None]
