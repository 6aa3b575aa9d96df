"""The outcome statistics end to end: figures from cases (advocacy/figures.py), the public employer
scoreboard, the ranking, the CSV/JSON downloads and the API (advocacy/stats_views.py, stats_api.py).

Cases are written with their outcome columns directly (what ``case_recompute`` keeps on ``Case``): the
figures read those columns, and the tests of the columns themselves are in tests/cases. The tests that need
counted cases replace THE selector (``figures.cases_counted_in_statistics``) with "these cases"; the selector
itself (consent, publishing campaigns) is tested in test_campaign_statistics.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deletion_portal.advocacy import charts, figures, stats_store
from deletion_portal.cases.models import Case, CaseEvent, EventKind, Letter, LetterKind
from deletion_portal.employers.models import Employer
from deletion_portal.tracking.models import ChecklistItem
from tests.support.stats import outcome_case as make_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stats_today")]

TODAY = date(2026, 6, 1)
GDPR, CCPA = "eu-gdpr", "us-ca-ccpa"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def refresh():
    stats_store.statistics_refresh(today=TODAY, full=True)


@pytest.fixture
def counted(organisation):
    """Count exactly these cases: each joins one publishing campaign with a statistics consent; then refresh the
    precomputed counts. Returns the campaign."""
    from deletion_portal.advocacy.models import Campaign, CampaignMember, Consent, ConsentKind

    campaign = Campaign.objects.create(organisation=organisation, title="Counted", slug="counted-cases",
                                       law_keys=[GDPR, CCPA], state="open", publish_statistics=True)

    def use(queryset):
        for case in queryset:
            member, created = CampaignMember.objects.get_or_create(campaign=campaign, case=case)
            if created:
                Consent.objects.create(member=member, kind=ConsentKind.STATISTICS, given=True)
        refresh()
        return campaign
    return use


def withdraw(case) -> None:
    """The owner withdraws the statistics consent (the row only: what the test then calls is the point)."""
    from deletion_portal.advocacy.models import CampaignMember, Consent, ConsentKind

    for member in CampaignMember.objects.filter(case=case):
        Consent.objects.create(member=member, kind=ConsentKind.STATISTICS, given=False)


def public_release(cases, campaign, *, k):
    """The public release computed straight from ``cases`` (all attributed to ``campaign``)."""
    from deletion_portal.advocacy.disclosure import build_release

    counts = figures.outcome_counts(cases, today=TODAY)
    return build_release(leaves={(str(campaign.pk), *key): leaf for key, leaf in counts.leaves.items()},
                         levels=figures.PUBLIC_LEVELS, variables=counts.variables, k=k, answer_variable="status")


# --- The figures ---------------------------------------------------------------------------------------


def test_the_figures_count_the_outcome_columns_events_letters_and_checklists(employer):
    cases = [make_case(employer, outcome="on_time", days=d) for d in (5, 10, 15, 20, 25, 28)]
    cases += [make_case(employer, outcome="late") for _ in range(5)]
    cases += [make_case(employer, outcome="none") for _ in range(5)]
    for case in cases[:5]:
        CaseEvent.objects.create(case=case, kind=EventKind.IDENTITY_REQUESTED, on=date(2026, 2, 5),
                                 details={"id_copy": case in cases[:2]})
    for case in cases[11:16]:
        Letter.objects.create(case=case, kind=LetterKind.FOLLOW_UP, language="en", template_version="1", html="x",
                              is_final=True)
    for case in cases[:11]:
        response = CaseEvent.objects.create(case=case, kind=EventKind.RESPONSE_RECEIVED, on=case.answered_on)
        ChecklistItem.objects.create(case=case, response=response, code="art15_1_c", label="recipients",
                                     answered=case in cases[:6])
    release = figures.outcomes_release(Case.objects.filter(employer=employer), today=TODAY, k=5)
    status = release.row("status")
    assert (status.count("on_time"), status.count("late"), status.count("none")) == (6, 5, 5)
    assert release.population() == (16, "")
    # nearest rank over 5, 10, 15, 20, 25, 28 and 40 × 5 (11 values): the 6th and the 10th
    assert (release.quantile(0.5).value, release.quantile(0.9).value) == (28, 40)
    assert release.row("identity").count("yes") == 5 and release.row("identity").count("no") == 11
    assert release.row("follow_up").count("yes") == 5
    assert not release.row("id_copy").published  # 2 of 5 asked for an ID copy: a small cell
    item = release.row("item:art15_1_c")
    assert (item.count("yes"), item.count("no")) == (6, 5)
    assert "recipients" in item.label.lower()


def test_the_queries_do_not_grow_with_the_cases(employer):
    def queries(n):
        for _ in range(n):
            make_case(employer, outcome="late")
        with CaptureQueriesContext(connection) as captured:
            figures.outcomes_release(Case.objects.filter(employer=employer), today=TODAY, k=5)
        return len(captured.captured_queries)

    assert queries(2) == queries(12)


def test_no_case_counts_without_a_statistics_consent_in_a_publishing_campaign(client, employer):
    """THE selector counts nobody who did not consent (tests/advocacy/test_campaign_statistics.py: who does)."""
    for _ in range(12):
        make_case(employer)
    assert not figures.cases_counted_in_statistics().exists()
    page = client.get(reverse("stats:employer-outcomes", args=[employer.pk]))
    assert page.status_code == 200 and "too few cases to show" in page.content.decode()


# --- The pages, downloads and API ------------------------------------------------------------------------


def test_the_scoreboard_shows_figures_the_rule_the_cases_behind_and_the_date_range(client, employer, counted):
    for month in (1, 2, 3):
        for outcome in ["on_time"] * 6 + ["late"] * 5 + ["none"] * 5:
            make_case(employer, received=date(2026, month, 3), outcome=outcome)
    counted(Case.objects.all())
    body = client.get(reverse("stats:employer-outcomes", args=[employer.pk])).content.decode()
    assert "<strong>48</strong> counted cases" in body and "received 2026-01 to 2026-03" in body
    assert "No figure counts fewer than 5 people" in body
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in body and "<desc id=\"answers-over-time-desc\">" in body
    assert "2026-02: 6 on time, 5 late, 5 not answered" in body  # the chart's text alternative
    assert reverse("stats:method") in body
    api = client.get(reverse("api-v1:employer-outcomes", args=[employer.pk])).json()
    assert api["cases"] == 48 and api["series"]["level"] == "month"
    status = next(t for t in api["tables"] if t["variable"] == "status")
    assert [c["count"] for c in status["cells"]] == [18, 15, 15]
    suppressed = next(t for t in api["tables"] if t["variable"] == "id_copy")
    assert suppressed["suppressed"] and all(c["count"] is None and c["suppressed"] for c in suppressed["cells"])
    rows = list(csv.reader(io.StringIO(client.get(reverse("stats:employer-outcomes-csv", args=[employer.pk])).content.decode())))
    assert rows[0] == list(figures_csv_columns())
    assert ["status", "all", "all", "all", "on_time", "18", "37.5", "48", "false"] in rows
    assert any(r[0] == "id_copy" and r[5] == "" and r[8] == "true" for r in rows)
    download = client.get(reverse("stats:employer-outcomes-json", args=[employer.pk]))
    assert json.loads(download.content)["dictionary"]["status"].startswith("Of the cases with a legal answer date")
    ranking = client.get(reverse("stats:ranking")).content.decode()
    assert "Acme Analytics GmbH" in ranking and "37.5%" in ranking


def figures_csv_columns():
    from deletion_portal.advocacy.reports import CSV_COLUMNS

    return CSV_COLUMNS


@pytest.mark.parametrize(("params", "field"), [
    ({"law": "no-such-law"}, "law"), ({"period": "2026-13"}, "period"), ({"period": "last week"}, "period"),
    ({"right": "erasure"}, "right"),
])
def test_a_bad_filter_is_a_400_naming_the_field(client, employer, params, field):
    api = client.get(reverse("api-v1:employer-outcomes", args=[employer.pk]), params)
    assert api.status_code == 400 and field in api.json()
    page = client.get(reverse("stats:employer-outcomes", args=[employer.pk]), params)
    assert page.status_code == 400 and f"<strong>{field}</strong>" in page.content.decode()
    assert client.get(reverse("stats:employer-outcomes-csv", args=[employer.pk]), params).status_code == 400


def test_an_unknown_employer_is_a_404(client):
    assert client.get(reverse("stats:employer-outcomes", args=[999999])).status_code == 404
    assert client.get(reverse("api-v1:employer-outcomes", args=[999999])).status_code == 404


def test_employer_names_are_escaped(client, counted):
    employer = Employer.objects.create(legal_name="<script>alert(1)</script> & Co", country="DE")
    for outcome in ["on_time"] * 6 + ["late"] * 5 + ["none"] * 5:
        make_case(employer, outcome=outcome)
    counted(Case.objects.all())
    for name in ("stats:employer-outcomes", "stats:ranking"):
        body = client.get(reverse(name, args=[employer.pk] if "employer" in name else [])).content.decode()
        assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in body


def test_charts_escape_labels_and_carry_a_title_and_a_description():
    svg = charts.horizontal_bars(title="Items <b>", description="One \"bar\" <script>", chart_id="c",
                                 bars=[("<img src=x onerror=alert(1)>", 50.0)])
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert '<title id="c-title">Items &lt;b&gt;</title>' in svg and '<desc id="c-desc">' in svg
    bars = charts.stacked_bars(title="T", description="D", chart_id="s", categories=["<m>"],
                               series=[charts.Series("on <time>", (3,))])
    assert "&lt;m&gt;" in bars and "on &lt;time&gt;" in bars and "<m>" not in bars


# --- The region case: one employee alone in a region ------------------------------------------------------

FILTERS = [{}, {"law": GDPR}, {"law": CCPA}, {"period": "2026"}, {"period": "2026-01"}, {"period": "2026-02"},
           {"period": "2026-03"}, {"law": GDPR, "period": "2026-02"}, {"law": CCPA, "period": "2026-02"},
           {"law": CCPA, "period": "2026"}, {"law": GDPR, "period": "2026"}]


def everything_published(client, employer) -> str:
    """Every page, filter and download an observer can get for the employer, and the ranking."""
    out = [client.get(reverse("stats:ranking")).content.decode()]
    for params in FILTERS:
        for name in ("stats:employer-outcomes", "stats:employer-outcomes-csv", "stats:employer-outcomes-json",
                     "api-v1:employer-outcomes"):
            response = client.get(reverse(name, args=[employer.pk]), params)
            assert response.status_code == 200, (name, params)
            out.append(response.content.decode())
    return "\n".join(out)


def test_one_employee_alone_in_a_region_cannot_be_found_out(client, employer, counted):
    """30 consenting cases; 29 in Bavaria under the GDPR and ONE in California under the CCPA (the only one
    in that region and under that law). Whatever the page, filter or download, everything published is
    byte for byte the same whether that employee was answered late or on time (with one GDPR case of the
    same month having the other outcome): their outcome cannot be derived from what is shown."""
    gdpr = []
    for month, outcomes in ((1, ["on_time"] * 4 + ["late"] * 3 + ["none"] * 3),
                            (2, ["on_time"] * 4 + ["late"] * 2 + ["none"] * 3),
                            (3, ["on_time"] * 3 + ["late"] * 4 + ["none"] * 3)):
        gdpr += [make_case(employer, received=date(2026, month, 5), outcome=o) for o in outcomes]
    lone = make_case(employer, law=CCPA, region="US-CA", received=date(2026, 2, 9), outcome="late")
    assert Case.objects.count() == 30
    counted(Case.objects.all())
    published = everything_published(client, employer)
    assert "US-CA" not in published

    # The naive attack: "all" minus "GDPR" = the Californian. "All" is shown, so "GDPR" must not be.
    api = client.get(reverse("api-v1:employer-outcomes", args=[employer.pk])).json()
    assert api["cases"] == 30 and not next(t for t in api["tables"] if t["variable"] == "status")["suppressed"]
    gdpr_only = client.get(reverse("api-v1:employer-outcomes", args=[employer.pk]), {"law": GDPR}).json()
    assert next(t for t in gdpr_only["tables"] if t["variable"] == "status")["suppressed"]
    assert all(row["suppressed"] for row in api["by_law"])

    # The same publication with the lone employee answered on time instead.
    swapped = False
    for other in sorted((c for c in gdpr if c.on_time), key=lambda c: c.received_on != lone.received_on):
        Case.objects.filter(pk=lone.pk).update(answered_on=lone.received_on + timedelta(days=10), on_time=True)
        Case.objects.filter(pk=other.pk).update(answered_on=other.received_on + timedelta(days=40), on_time=False)
        refresh()
        if everything_published(client, employer) == published:
            swapped = True
            break
        Case.objects.filter(pk=lone.pk).update(answered_on=lone.answered_on, on_time=lone.on_time)
        Case.objects.filter(pk=other.pk).update(answered_on=other.answered_on, on_time=other.on_time)
    assert swapped, "some published figure tells whether the Californian employee was answered on time"


# --- Every page costs the same queries for 2 or 12 employers' cases, and no GET writes --------------------

URLS = ("stats:employer-outcomes", "stats:employer-outcomes-csv", "stats:employer-outcomes-json",
        "stats:employer-outcomes-pdf", "api-v1:employer-outcomes", "stats:ranking", "stats:method")


def _url(name, employer):
    return reverse(name, args=[employer.pk]) if "employer-" in name else reverse(name)


@pytest.mark.parametrize("name", URLS)
def test_each_page_costs_the_same_queries_for_2_and_12_rows(client, employer, counted, name):
    counted(Case.objects.all())

    def queries(n):
        for i in range(n):
            other = Employer.objects.create(legal_name=f"Employer {n}-{i}", country="DE")
            for outcome in ["on_time"] * 5 + ["late"] * 5 + ["none"] * 5:
                make_case(other, outcome=outcome)
                make_case(employer, outcome=outcome, received=date(2026, 1 + i % 5, 4), law=(GDPR, CCPA)[i % 2])
        refresh()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(name, employer)).status_code == 200
        return len(captured.captured_queries)

    assert queries(2) == queries(12)


@pytest.mark.parametrize("name", URLS)
def test_a_get_never_writes(client, employer, counted, name):
    for outcome in ["on_time"] * 5 + ["late"] * 5 + ["none"] * 5:
        make_case(employer, outcome=outcome)
    counted(Case.objects.all())
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_url(name, employer)).status_code == 200
    assert not [q["sql"] for q in captured.captured_queries if WRITE.match(q["sql"])]


def test_stats_min_cell_below_three_is_refused(settings):
    from deletion_portal.advocacy.checks import stats_min_cell_check

    settings.STATS_MIN_CELL = 2
    errors = stats_min_cell_check()
    assert [e.id for e in errors] == ["advocacy.E001"] and "STATS_MIN_CELL=2" in errors[0].msg
    with pytest.raises(SystemCheckError, match="advocacy.E001"):
        call_command("check")
    settings.STATS_MIN_CELL = 3
    assert stats_min_cell_check() == []


def test_the_environment_refuses_stats_min_cell_below_three(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from deletion_portal.env import env_int

    monkeypatch.setenv("STATS_MIN_CELL", "2")
    with pytest.raises(ImproperlyConfigured, match="STATS_MIN_CELL=2 is too small"):
        env_int("STATS_MIN_CELL", 5, minimum=3)
    settings_text = (figures.__file__.rsplit("/advocacy/", 1)[0] + "/settings.py")
    assert 'STATS_MIN_CELL = env_int("STATS_MIN_CELL", 5, minimum=3)' in open(settings_text).read()


# --- The precomputed counts ---------------------------------------------------------------------------------


def test_the_precomputed_leaves_give_the_release_the_cases_give(employer, other_employer, counted):
    for i, outcome in enumerate(["on_time"] * 9 + ["late"] * 7 + ["none"] * 6 + ["pending"] * 2):
        case = make_case(employer if i % 3 else other_employer, outcome=outcome, law=(GDPR, CCPA)[i % 4 == 0],
                         received=date(2026, 1 + i % 4, 1 + i), extended=i % 2 == 0)
        if i % 5 == 0:
            CaseEvent.objects.create(case=case, kind=EventKind.IDENTITY_REQUESTED, on=case.received_on,
                                     details={"id_copy": i % 10 == 0})
    campaign = counted(Case.objects.all())
    for who in (employer, other_employer):
        direct = public_release(Case.objects.filter(employer=who), campaign, k=3)
        stored, _ = stats_store.employer_release(who.pk, k=3)
        assert stored.published() == direct.published()
        assert direct.population()[0] is not None


def test_forgetting_a_case_takes_it_out_of_the_figures_at_once(client, employer, counted, monkeypatch):
    cases = [make_case(employer, outcome=o) for o in ["on_time"] * 6 + ["late"] * 6 + ["none"] * 6]
    counted(Case.objects.all())
    assert stats_store.employer_release(employer.pk)[0].row("status").count("late") == 6
    # The owner withdraws consent: the selector no longer counts the case, and the withdrawal forgets it.
    withdraw(cases[6])
    stats_store.statistics_forget(case_ids=[cases[6].pk], today=TODAY)
    release = stats_store.employer_release(employer.pk)[0]
    assert release.row("status").count("late") == 5 and release.population()[0] == 17
    assert stats_store.ranking()[0].late == 5


def test_a_case_withdrawn_while_the_refresh_counts_does_not_come_back(employer, counted, monkeypatch):
    cases = [make_case(employer, outcome=o) for o in ["on_time"] * 6 + ["late"] * 6 + ["none"] * 6]
    counted(Case.objects.all())
    real = figures.outcome_counts
    calls = []

    def counting_then_withdrawal(*args, **kwargs):
        result = real(*args, **kwargs)
        if not calls:  # the withdrawal commits after the refresh counted, before it writes
            withdraw(cases[0])
        calls.append(1)
        return result

    monkeypatch.setattr(figures, "outcome_counts", counting_then_withdrawal)
    stats_store.statistics_refresh(today=TODAY, full=True)
    assert len(calls) == 2  # the employer whose counted cases changed was counted again
    assert stats_store.employer_release(employer.pk)[0].row("status").count("on_time") == 5


def test_extensions_are_counted_with_whether_they_were_valid(employer):
    """Issue 11: "extended (and whether validly, per the deadline module)": of the extended cases, those the
    deadline module found valid (``Case.extension_valid``, e.g. GDPR Art. 12(3): notified within the first month)
    against those it did not; cases without an extension are not in that row."""
    for valid in [True] * 6 + [False] * 5:
        make_case(employer, outcome="on_time", extended=True, extension_valid=valid)
    for _ in range(7):
        make_case(employer, outcome="late")
    release = figures.outcomes_release(Case.objects.filter(employer=employer), today=TODAY, k=5)
    assert (release.row("extended").count("yes"), release.row("extended").count("no")) == (11, 7)
    row = release.row("extension_valid")
    assert (row.count("yes"), row.count("no"), row.total) == (6, 5, 11)
    Case.objects.filter(employer=employer, extension_valid=False).first().delete()  # 4 not valid: a small cell
    assert not figures.outcomes_release(Case.objects.filter(employer=employer), today=TODAY, k=5).row(
        "extension_valid").published


def test_follow_ups_and_complaints_are_counted_with_what_they_led_to(employer):
    """Issue 11: "follow-ups and complaints sent, and their outcomes": of the cases with a final follow-up (or
    complaint), those the employer answered on or after the day that letter was made final, against those still
    not answered."""
    from django.utils import timezone as tz

    def letter(case, kind, on):
        return Letter.objects.create(case=case, kind=kind, language="en", template_version="1", html="x", is_final=True,
                                     finalised_at=tz.make_aware(datetime(on.year, on.month, on.day, 9)))

    answered_after = [make_case(employer, outcome="late") for _ in range(5)]  # answered 40 days after receipt
    for case in answered_after:
        letter(case, LetterKind.FOLLOW_UP, case.answered_on - timedelta(days=5))
    never = [make_case(employer, outcome="none") for _ in range(6)]
    for case in never:
        letter(case, LetterKind.FOLLOW_UP, case.respond_by + timedelta(days=3))
        letter(case, LetterKind.COMPLAINT, case.respond_by + timedelta(days=40))
    release = figures.outcomes_release(Case.objects.filter(employer=employer), today=TODAY, k=5)
    follow_up = release.row("follow_up_outcome")
    assert (follow_up.count("yes"), follow_up.count("no"), follow_up.total) == (5, 6, 11)
    complaint = release.row("complaint_outcome")
    assert not complaint.published and complaint.total is None  # 0 answered after the complaint: a small cell
    assert release.row("complaint").count("yes") == 6
