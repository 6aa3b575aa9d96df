"""Which cases count in the statistics (LEGAL.md §5), how a withdrawal reaches the precomputed figures, the
campaign dashboard, its downloads and API, and the ML artefacts' outcomes from the DPO's answers.

THE rule (``figures.cases_counted_in_statistics``): a live member of a campaign whose organisation publishes
(``Campaign.publish_statistics``) with a live statistics consent. A campaign's own dashboard counts its live
members with a live statistics consent, published or not — each in ONE of its organisation's dashboards.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_delete
from deletion_portal.advocacy import campaigns as svc
from deletion_portal.advocacy import figures, stats_store
from deletion_portal.advocacy.consents import consent_set
from deletion_portal.advocacy.models import Campaign, CampaignMember, ConsentKind, OutcomeLeaf
from deletion_portal.cases.models import Case
from deletion_portal.dpo.models import EmployerResponse, ResponseStatus
from tests.support.data import PASSWORD
from tests.support.stats import outcome_case as make_case
from tests.support.world import login, make_account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stats_today")]

TODAY = date(2026, 6, 1)
GDPR, CCPA = "eu-gdpr", "us-ca-ccpa"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_numbers = count(1)


def join(campaign, case, *, statistics=True, actor=None):
    member = CampaignMember.objects.create(campaign=campaign, case=case)
    if statistics:
        consent_set(member=member, kind=ConsentKind.STATISTICS, given=True, actor=actor)
    return member


@pytest.fixture
def campaign(organisation, employer):
    campaign = Campaign.objects.create(organisation=organisation, title="Keystrokes", slug="keystrokes",
                                       law_keys=[GDPR], state="open", publish_statistics=True)
    campaign.employers.add(employer)
    return campaign


def members(campaign, employer, n, **kwargs):
    return [join(campaign, make_case(employer, **kwargs)) for _ in range(n)]


def leaf_cases(employer) -> int:
    total = OutcomeLeaf.objects.filter(employer=employer, month__isnull=True).first()
    return total.data["cases"] if total else 0


# --- THE rule --------------------------------------------------------------------------------------------


def test_only_consenting_live_members_of_publishing_campaigns_count_once(organisation, employer, campaign):
    counted = join(campaign, make_case(employer)).case
    unconsented = join(campaign, make_case(employer), statistics=False).case
    quiet = Campaign.objects.create(organisation=organisation, title="Quiet", slug="quiet")
    unpublished = join(quiet, make_case(employer)).case
    left = join(campaign, make_case(employer))
    svc.campaign_leave(member=left, actor=None)
    twice = join(campaign, make_case(employer)).case
    other = Campaign.objects.create(organisation=organisation, title="Other", slug="other", publish_statistics=True)
    join(other, twice)

    found = list(figures.cases_counted_in_statistics())
    assert sorted(c.pk for c in found) == sorted([counted.pk, twice.pk])  # a case in two campaigns counts once
    assert unconsented.pk not in [c.pk for c in found] and unpublished.pk not in [c.pk for c in found]
    # The campaign's own dashboard counts its consenting members whether or not it publishes.
    assert list(figures.campaign_cases_counted(campaign_id=quiet.pk)) == [unpublished]


def test_organisers_publish_through_the_form_and_the_api(client, organisation, advocate, employer):
    created = svc.campaign_create(organisation=organisation, actor=advocate, title="Pub", employers=[employer])
    assert created.publish_statistics is False  # default: not published
    api = login(APIClient(), advocate)
    response = api.patch(f"/api/v1/campaigns/{created.pk}", {"publish_statistics": True}, format="json")
    assert response.status_code == 200 and response.json()["publish_statistics"] is True
    login(client, advocate)
    client.post(reverse("advocacy:campaign-edit", args=[created.pk]), {"title": "Pub", "publish_statistics": ""})
    created.refresh_from_db()
    assert created.title == "Pub" and created.publish_statistics is False


# --- Every way out of the statistics reaches the precomputed leaves at once (no refresh) ------------------


def _withdraw(member, campaign, employer):
    consent_set(member=member, kind=ConsentKind.STATISTICS, given=False, actor=None)


def _leave(member, campaign, employer):
    svc.campaign_leave(member=member, actor=None)


def _delete_case(member, campaign, employer):
    Case.objects.get(pk=member.case_id).delete()


def _delete_account(member, campaign, employer):
    account_delete(user=member.case.owner, password=PASSWORD)


@pytest.mark.parametrize("way_out", [_withdraw, _leave, _delete_case, _delete_account],
                         ids=["withdrawal", "leaving", "case-deletion", "account-deletion"])
def test_a_case_that_stops_counting_leaves_the_precomputed_figures_at_once(employer, campaign, way_out):
    owner = make_account("leaver@mail.example", Role.EMPLOYEE)
    group = members(campaign, employer, 6)
    leaver = join(campaign, make_case(employer, owner=owner))
    stats_store.statistics_refresh(today=TODAY, full=True)
    assert leaf_cases(employer) == 7 == len(group) + 1
    way_out(leaver, campaign, employer)
    assert leaf_cases(employer) == 6
    leaf = OutcomeLeaf.objects.get(employer=employer, law_key=GDPR, month=date(2026, 2, 1))
    assert leaf.data["cases"] == 6


def test_unpublishing_takes_every_member_out_of_the_public_figures_at_once(employer, campaign, advocate):
    members(campaign, employer, 6)
    stats_store.statistics_refresh(today=TODAY, full=True)
    assert leaf_cases(employer) == 6
    svc.campaign_update(campaign=campaign, actor=advocate, publish_statistics=False)
    assert leaf_cases(employer) == 0
    assert not OutcomeLeaf.objects.filter(employer=employer).exists()


def test_a_withdrawal_in_one_campaign_keeps_a_case_counted_through_another(organisation, employer, campaign):
    members(campaign, employer, 5)
    other = Campaign.objects.create(organisation=organisation, title="Other", slug="other", publish_statistics=True)
    case = make_case(employer)
    here, there = join(campaign, case), join(other, case)
    stats_store.statistics_refresh(today=TODAY, full=True)
    assert leaf_cases(employer) == 6
    consent_set(member=here, kind=ConsentKind.STATISTICS, given=False, actor=None)
    assert leaf_cases(employer) == 6
    consent_set(member=there, kind=ConsentKind.STATISTICS, given=False, actor=None)
    assert leaf_cases(employer) == 5


# --- The campaign dashboard, its downloads and API ------------------------------------------------------------


def test_the_dashboard_shows_headline_charts_tables_and_is_linked(client, advocate, employer, campaign):
    for outcome in ["on_time"] * 6 + ["late"] * 5 + ["none"] * 5:
        join(campaign, make_case(employer, outcome=outcome))
    for outcome in ["on_time"] * 6 + ["late"] * 5 + ["none"] * 5:
        join(campaign, make_case(employer, outcome=outcome, received=date(2026, 3, 3)))
    Campaign.objects.filter(pk=campaign.pk).update(publish_statistics=False)  # the dashboard does not need it
    login(client, advocate)
    assert reverse("advocacy:campaign-stats", args=[campaign.pk]) in client.get(
        reverse("advocacy:campaign", args=[campaign.pk])).content.decode()
    page = client.get(reverse("advocacy:campaign-stats", args=[campaign.pk])).content.decode()
    assert '<strong class="headline-cases">32</strong>' in page
    assert 'id="answers-over-time-title"' in page and 'id="answers-over-time-desc"' in page  # with its text alternative
    assert "By employer" in page and employer.legal_name in page
    report = login(APIClient(), advocate).get(f"/api/v1/campaigns/{campaign.pk}/stats").json()
    status = next(t for t in report["tables"] if t["variable"] == "status")
    assert report["cases"] == 32 and [c["count"] for c in status["cells"]] == [12, 10, 10]
    assert report["by_employer"][0]["employer"] == employer.pk and report["by_employer"][0]["total"] == 32
    downloaded = client.get(reverse("advocacy:campaign-stats-json", args=[campaign.pk])).json()
    assert downloaded == report
    rows = list(csv.reader(io.StringIO(client.get(reverse("advocacy:campaign-stats-csv", args=[campaign.pk]))
                                       .content.decode())))
    assert ["status_by_employer", str(employer.pk), "all", "all", "on_time", "12", "37.5", "32", "false"] in rows


def test_a_bad_filter_is_a_400_naming_the_field(client, advocate, campaign):
    login(client, advocate)
    page = client.get(reverse("advocacy:campaign-stats", args=[campaign.pk]), {"period": "June"})
    assert page.status_code == 400 and "period" in page.content.decode()
    api = login(APIClient(), advocate).get(f"/api/v1/campaigns/{campaign.pk}/stats", {"law": "nope"})
    assert api.status_code == 400 and "law" in api.json()


def test_another_organisations_member_gets_a_404(employer, campaign):
    from deletion_portal.advocacy.models import Organisation, OrganisationMembership

    rival = make_account("rival@union.example", Role.ADVOCATE)
    OrganisationMembership.objects.create(organisation=Organisation.objects.create(name="Rival", country="DE"),
                                          user=rival, role="organiser")
    assert login(APIClient(), rival).get(f"/api/v1/campaigns/{campaign.pk}/stats").status_code == 404


# --- The ML artefacts' outcomes from the DPO's answers (dpo's statistics source) ------------------------------


def test_artefact_outcomes_are_counted_from_sent_answers_under_the_same_suppression(team, employer, campaign):
    cases = [m.case for m in members(campaign, employer, 12)]
    for i, case in enumerate(cases):
        outcomes = ["deleted"] if i < 6 else ["retrained_without", "not_held"]
        EmployerResponse.objects.create(case=case, team=team, status=ResponseStatus.SENT, answer={
            "artefacts": [{"kind": "model", "name": f"m{j}", "outcome": o} for j, o in enumerate(outcomes)]})
    EmployerResponse.objects.create(case=cases[0], team=team, status=ResponseStatus.DRAFT,
                                    answer={"artefacts": [{"kind": "model", "name": "x", "outcome": "anonymous"}]})
    from deletion_portal.advocacy.reports import Filters
    from deletion_portal.advocacy.stats_views import campaign_report

    stats_store.statistics_refresh(today=TODAY, full=True)  # a publishing campaign's dashboard reads the public leaves
    report = campaign_report(campaign, Filters(), today=TODAY)
    tables = {t["variable"]: t for t in report["tables"]}
    assert [c["count"] for c in tables["artefact:deleted"]["cells"]] == [6, 6]
    assert [c["count"] for c in tables["artefact:retrained_without"]["cells"]] == [6, 6]
    assert tables["artefact:retrained_without"]["label"] == "ML artefacts: Retrained without the data"
    # Under k: the draft's "anonymous" is not counted, and a row with a cell under 5 (0 here) is suppressed.
    assert tables["artefact:anonymous"]["suppressed"] and tables["artefact:anonymous"]["cells"][0]["count"] is None
    stats_store.statistics_refresh(today=TODAY, full=True)
    release, _ = stats_store.employer_release(employer.pk)
    assert release.row("artefact:deleted").count("yes") == 6


# --- Done means: one employee alone in a region cannot be found out, anywhere ----------------------------------

FILTERS = [{}, {"law": GDPR}, {"law": CCPA}, {"period": "2026"}, {"period": "2026-02"}, {"period": "2026-01"},
           {"period": "2026-03"}, {"law": CCPA, "period": "2026-02"}, {"law": GDPR, "period": "2026-02"}]


def everything_shown(client, api, campaign, employer) -> str:
    """Every page, filter and download the public and the organisation's members can get."""
    out = [client.get(reverse("stats:ranking")).content.decode()]
    for params in FILTERS:
        for url in (reverse("stats:employer-outcomes", args=[employer.pk]),
                    reverse("stats:employer-outcomes-csv", args=[employer.pk]),
                    reverse("stats:employer-outcomes-json", args=[employer.pk]),
                    reverse("advocacy:campaign-stats", args=[campaign.pk]),
                    reverse("advocacy:campaign-stats-csv", args=[campaign.pk]),
                    reverse("advocacy:campaign-stats-json", args=[campaign.pk])):
            response = client.get(url, params)
            assert response.status_code == 200, (url, params)
            out.append(response.content.decode())
        for url in (f"/api/v1/employers/{employer.pk}/outcomes", f"/api/v1/campaigns/{campaign.pk}/stats"):
            response = api.get(url, params)
            assert response.status_code == 200, (url, params)
            out.append(json.dumps(response.json(), sort_keys=True))
    for params in FILTERS[:3]:  # the printable reports (byte for byte: the PDFs are deterministic); slow, so fewer
        for url in (reverse("stats:employer-outcomes-pdf", args=[employer.pk]),
                    reverse("advocacy:campaign-stats-pdf", args=[campaign.pk])):
            response = client.get(url, params)
            assert response.status_code == 200, (url, params)
            out.append(response.content.hex())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", "\n".join(out))


def test_one_employee_alone_in_a_region_cannot_be_found_out_and_withdrawal_is_immediate(client, advocate, employer,
                                                                                        campaign):
    """30 consenting members; 29 in Bavaria under the GDPR, ONE in California under the CCPA. Everything shown
    (public scoreboard, ranking, campaign dashboard, downloads, both APIs, every filter) is the same whether
    that employee was answered late or on time (one GDPR case of the same month swapped the other way)."""
    gdpr = []
    for month, outcomes in ((1, ["on_time"] * 4 + ["late"] * 3 + ["none"] * 3),
                            (2, ["on_time"] * 4 + ["late"] * 2 + ["none"] * 3),
                            (3, ["on_time"] * 3 + ["late"] * 4 + ["none"] * 3)):
        gdpr += [join(campaign, make_case(employer, received=date(2026, month, 5), outcome=o)).case for o in outcomes]
    lone_member = join(campaign, make_case(employer, law=CCPA, region="US-CA", received=date(2026, 2, 9),
                                           outcome="late"))
    lone = lone_member.case
    assert figures.cases_counted_in_statistics().count() == 30
    stats_store.statistics_refresh(today=TODAY, full=True)
    login(client, advocate)
    api = login(APIClient(), advocate)
    shown = everything_shown(client, api, campaign, employer)
    assert "US-CA" not in shown

    swapped = False
    for other in sorted((c for c in gdpr if c.on_time), key=lambda c: c.received_on != lone.received_on):
        Case.objects.filter(pk=lone.pk).update(answered_on=lone.received_on + timedelta(days=10), on_time=True)
        Case.objects.filter(pk=other.pk).update(answered_on=other.received_on + timedelta(days=40), on_time=False)
        stats_store.statistics_refresh(today=TODAY, full=True)
        if everything_shown(client, api, campaign, employer) == shown:
            swapped = True
            break
        Case.objects.filter(pk=lone.pk).update(answered_on=lone.answered_on, on_time=lone.on_time)
        Case.objects.filter(pk=other.pk).update(answered_on=other.answered_on, on_time=other.on_time)
    assert swapped, "some figure shown tells whether the Californian employee was answered on time"

    # The lone employee withdraws: the next load of every page counts 29, without waiting for a refresh.
    consent_set(member=lone_member, kind=ConsentKind.STATISTICS, given=False, actor=None)
    assert api.get(f"/api/v1/employers/{employer.pk}/outcomes").json()["cases"] == 29
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/stats").json()["cases"] == 29


# --- Query counts (2 vs 12) and GETs that never write -------------------------------------------------------

DASHBOARD_URLS = ("advocacy:campaign-stats", "advocacy:campaign-stats-csv", "advocacy:campaign-stats-json",
                  "advocacy:campaign-stats-pdf", "api-v1:campaign-stats")


@pytest.mark.parametrize("name", DASHBOARD_URLS)
def test_the_dashboard_costs_the_same_queries_for_2_and_12_rows(client, advocate, employer, campaign, name):
    from deletion_portal.employers.models import Employer

    login(client, advocate)

    def queries(n):
        for i in range(n):
            other = Employer.objects.create(legal_name=f"Employer {next(_numbers)}", country="DE")
            campaign.employers.add(other)
            for outcome in ["on_time"] * 5 + ["late"] * 5 + ["none"] * 5:
                join(campaign, make_case(other, outcome=outcome, received=date(2026, 1 + i % 5, 4),
                                         law=(GDPR, CCPA)[i % 2]))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name, args=[campaign.pk])).status_code == 200
        return len(captured.captured_queries)

    assert queries(2) == queries(10)  # 2 employers, then 12


@pytest.mark.parametrize("name", DASHBOARD_URLS)
def test_a_dashboard_get_never_writes(client, advocate, employer, campaign, name):
    members(campaign, employer, 15)
    login(client, advocate)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name, args=[campaign.pk])).status_code == 200
    assert not [q["sql"] for q in captured.captured_queries if WRITE.match(q["sql"])]


# --- One organisation's dashboard against the public pages (disclosure rule 7) ----------------------------


def test_nothing_one_organisation_sees_reveals_another_campaign_s_members(client, advocate, organisation, employer,
                                                                         campaign):
    """Campaign A (30 consenting members, organisation X, whose member is logged in) and campaign B (2 members,
    organisation Y) at the same employer, both publishing. Everything X's member can get — A's dashboard, its
    downloads and API, the public page, downloads and API for every filter, the ranking — is byte for byte the
    same whether B's two members were answered on time or late (with two of A's members of the same month
    answered the other way, so the employer's totals stay the same): the public total minus A's part would
    otherwise give B's outcomes."""
    from deletion_portal.advocacy.models import Organisation

    a_cases = []
    for month, outcomes in ((1, ["on_time"] * 4 + ["late"] * 3 + ["none"] * 3),
                            (2, ["on_time"] * 4 + ["late"] * 3 + ["none"] * 3),
                            (3, ["on_time"] * 3 + ["late"] * 4 + ["none"] * 3)):
        a_cases += [join(campaign, make_case(employer, received=date(2026, month, 5), outcome=o)).case for o in outcomes]
    rival = Organisation.objects.create(name="Other Union", country="DE")
    b = Campaign.objects.create(organisation=rival, title="Mouse data", slug="mouse-data", law_keys=[GDPR],
                                state="open", publish_statistics=True)
    b.employers.add(employer)
    b_cases = [join(b, make_case(employer, received=date(2026, 2, 9), outcome="on_time")).case for _ in range(2)]
    stats_store.statistics_refresh(today=TODAY, full=True)
    login(client, advocate)
    api = login(APIClient(), advocate)
    shown = everything_shown(client, api, campaign, employer)
    public = api.get(f"/api/v1/employers/{employer.pk}/outcomes").json()
    assert public["cases"] == 32 and not next(t for t in public["tables"] if t["variable"] == "status")["suppressed"]
    dashboard = api.get(f"/api/v1/campaigns/{campaign.pk}/stats").json()
    assert next(t for t in dashboard["tables"] if t["variable"] == "status")["suppressed"]
    assert all(row["suppressed"] for row in dashboard["by_employer"])

    # B's two members answered late instead; two of A's February members on time instead of late.
    swap = [c for c in a_cases if c.received_on.month == 2 and c.on_time is False][:2]
    for case in b_cases:
        Case.objects.filter(pk=case.pk).update(answered_on=case.received_on + timedelta(days=40), on_time=False)
    for case in swap:
        Case.objects.filter(pk=case.pk).update(answered_on=case.received_on + timedelta(days=10), on_time=True)
    stats_store.statistics_refresh(today=TODAY, full=True)
    assert everything_shown(client, api, campaign, employer) == shown


def test_a_case_in_two_publishing_campaigns_is_attributed_to_the_earlier_membership(organisation, employer, campaign):
    from deletion_portal.advocacy.models import StatisticsAttribution

    case = make_case(employer)
    first = join(campaign, case)
    later = Campaign.objects.create(organisation=organisation, title="Later", slug="later", publish_statistics=True)
    join(later, case)
    stats_store.statistics_refresh(today=TODAY, full=True)
    assert StatisticsAttribution.objects.get(case=case).campaign_id == campaign.pk
    assert set(OutcomeLeaf.objects.filter(month__isnull=False).values_list("campaign_id", flat=True)) == {campaign.pk}
    # Withdrawn in the first: at once attributed to the other (no longer shown in the first campaign's part).
    consent_set(member=first, kind=ConsentKind.STATISTICS, given=False, actor=None)
    assert StatisticsAttribution.objects.get(case=case).campaign_id == later.pk
    assert set(OutcomeLeaf.objects.filter(month__isnull=False).values_list("campaign_id", flat=True)) == {later.pk}


def test_a_non_publishing_campaign_counts_only_members_in_no_public_figure(organisation, employer, campaign):
    """Its dashboard and the public pages count disjoint people: a member counted publicly through a
    publishing campaign is left out of the non-publishing one's dashboard."""
    quiet = Campaign.objects.create(organisation=organisation, title="Quiet", slug="quiet")
    shared = make_case(employer)
    join(campaign, shared)
    join(quiet, shared)
    alone = join(quiet, make_case(employer)).case
    stats_store.statistics_refresh(today=TODAY, full=True)
    assert list(figures.private_campaign_cases(campaign_id=quiet.pk)) == [alone]
    public = set(figures.cases_counted_in_statistics().values_list("pk", flat=True))
    assert public == {shared.pk} and not public & {c.pk for c in figures.private_campaign_cases(campaign_id=quiet.pk)}


def test_two_non_publishing_campaigns_of_one_organisation_count_disjoint_members(organisation, employer, advocate):
    """A and B of one organisation, neither publishing: 15 members joined A and then B, one joined only A (late),
    5 joined B and then A. Counting every consenting member in both dashboards, A (10 on time, 6 late, 5 not
    answered) minus B (10 / 5 / 5) would be A's lone member: late. Each member counts in the campaign joined
    first: A the 16 who joined it first, B its 5 — B's dashboard shows none of A's members who joined A first."""
    from deletion_portal.advocacy.selectors import campaign_counts

    a = Campaign.objects.create(organisation=organisation, title="A", slug="a")
    b = Campaign.objects.create(organisation=organisation, title="B", slug="b")
    a.employers.add(employer)
    b.employers.add(employer)
    first = datetime(2026, 3, 1, tzinfo=dt_timezone.utc)

    def member(campaign, case, at):
        m = join(campaign, case)
        CampaignMember.objects.filter(pk=m.pk).update(joined_at=at)

    a_first = [make_case(employer, outcome=o) for o in ("on_time", "late", "none") for _ in range(5)]
    b_first = [make_case(employer) for _ in range(5)]
    lone = make_case(employer, outcome="late")
    for case in a_first:
        member(a, case, first)
        member(b, case, first + timedelta(days=1))
    member(a, lone, first)
    for case in b_first:
        member(b, case, first)
        member(a, case, first + timedelta(days=1))
    stats_store.statistics_refresh(today=TODAY, full=True)

    in_a = set(figures.private_campaign_cases(campaign_id=a.pk).values_list("pk", flat=True))
    in_b = set(figures.private_campaign_cases(campaign_id=b.pk).values_list("pk", flat=True))
    assert in_a == {c.pk for c in [*a_first, lone]} and in_b == {c.pk for c in b_first}

    def status(campaign):
        report = json.loads(login(APIClient(), advocate).get(f"/api/v1/campaigns/{campaign.pk}/stats").content)
        return report["cases"], next(t for t in report["tables"] if t["variable"] == "status")

    cases_a, status_a = status(a)
    cases_b, status_b = status(b)
    assert cases_a == 16 and [c["count"] for c in status_a["cells"]] == [5, 6, 5]
    # B: its own 5 only (all on time: a row with 0 cells is suppressed) — nothing to subtract from A's figures.
    assert cases_b == 5 and status_b["suppressed"]
    # The organiser's overview counts the same people.
    assert campaign_counts(campaign=a, shared_case_ids=set())["total"] == "16"
    assert campaign_counts(campaign=b, shared_case_ids=set())["total"] == "5"
    # The dashboard states the price.
    page = login(Client(), advocate).get(reverse("advocacy:campaign-stats", args=[b.pk])).content.decode()
    assert "counts only in the one they joined first" in page


def test_the_organiser_overview_counts_the_people_of_the_dashboard(organisation, employer, campaign):
    """A publishing campaign's overview: its attributed consenting members (a withdrawal at once, also of a case
    not yet received); a non-publishing campaign of the organisation does not count them again."""
    from deletion_portal.advocacy.selectors import campaign_counts

    quiet = Campaign.objects.create(organisation=organisation, title="Quiet", slug="quiet")
    for case in [make_case(employer) for _ in range(5)]:
        join(campaign, case)
        join(quiet, case)
    drafts = [join(campaign, Case.objects.create(employer=employer, status="draft", law_key=GDPR)) for _ in range(5)]
    stats_store.statistics_refresh(today=TODAY, full=True)
    assert campaign_counts(campaign=campaign, shared_case_ids=set())["total"] == "10"
    assert campaign_counts(campaign=quiet, shared_case_ids=set())["total"] == "fewer than 5"  # 0: all counted publicly
    consent_set(member=drafts[0], kind=ConsentKind.STATISTICS, given=False, actor=None)
    assert campaign_counts(campaign=campaign, shared_case_ids=set())["total"] == "9"

# --- The incremental refresh ---------------------------------------------------------------------------------


def test_an_event_shows_at_the_next_incremental_refresh_which_recounts_only_its_employer(employer, other_employer,
                                                                                        campaign):
    from deletion_portal.cases.models import CaseEvent, EventKind

    campaign.employers.add(other_employer)
    pending = [join(campaign, make_case(employer, outcome="none")).case for _ in range(6)]
    for _ in range(6):
        join(campaign, make_case(employer, outcome="on_time"))
        join(campaign, make_case(other_employer, outcome="on_time"))
    stats_store.statistics_refresh(today=TODAY, full=True)
    untouched = OutcomeLeaf.objects.filter(employer=other_employer).values_list("pk", flat=True)
    before = set(untouched)
    def late():
        return OutcomeLeaf.objects.get(employer=employer, month__isnull=True).data["counts"]["status"].get("late", 0)

    assert late() == 0
    # Five answers arrive late: the columns and a timeline event, in one transaction each (what case_recompute does).
    for case in pending[:5]:
        Case.objects.filter(pk=case.pk).update(answered_on=TODAY, on_time=False, outcome="answered")
        CaseEvent.objects.create(case=case, kind=EventKind.RESPONSE_RECEIVED, on=TODAY)
    stats_store.statistics_refresh(today=TODAY)  # incremental: the day's full refresh has run
    assert late() == 5 and stats_store.employer_release(employer.pk)[0].population()[0] == 12
    assert set(untouched) == before  # the other employer's leaves were not rewritten


def test_a_date_passing_shows_at_the_day_s_full_refresh_and_publishing_marks_the_employers(organisation, employer,
                                                                                          advocate):
    quiet = Campaign.objects.create(organisation=organisation, title="Soon public", slug="soon-public", state="open")
    for _ in range(6):
        join(quiet, make_case(employer, outcome="on_time"))
    stats_store.statistics_refresh(today=TODAY, full=True)
    assert leaf_cases(employer) == 0
    svc.campaign_update(campaign=quiet, actor=advocate, publish_statistics=True)  # marks its members' employers
    stats_store.statistics_refresh(today=TODAY)
    assert leaf_cases(employer) == 6
    # The next day the first refresh is a full one (a date may have passed without any event).
    from deletion_portal.advocacy.models import StatisticsState

    stats_store.statistics_refresh(today=TODAY + timedelta(days=1))
    assert StatisticsState.objects.get().full_on == TODAY + timedelta(days=1)
