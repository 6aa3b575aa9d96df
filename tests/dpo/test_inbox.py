"""The team's inbox at /employer/: every open case the team may see, nearest legal date first, with
filters, search, paging, a CSV export that a spreadsheet cannot turn into a formula, and the dashboard."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.urls import reverse

from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.dpo.models import CaseAssignment
from deletion_portal.employers.models import TeamRole
from tests.support.data import DRAFT_FIELDS
from tests.support.world import finalise_directly, login

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 10)


@pytest.fixture(autouse=True)
def _frozen(isolated_media):
    with time_machine.travel(datetime(2025, 6, 10, 12, tzinfo=dt_timezone.utc), tick=False):
        yield


def sent(owner, employer, on: date, **fields):
    case = finalise_directly(case_create(owner=owner, employer=employer, **{**DRAFT_FIELDS, **fields}))
    case_record_event(case=case, kind=EventKind.SENT, on=on, actor=owner, details={"channel": "email"}, today=on)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(owner, colleague, employer, other_employer):
    return {
        # GDPR one month (Art. 12(3)): received 2 May → due 2 June: overdue on 10 June
        "overdue": sent(owner, employer, date(2025, 5, 2)),
        # received 14 May → due 16 June (14 June is a Saturday): due within 7 days
        "soon": sent(colleague, employer, date(2025, 5, 14), requester_name="Colin Colleague", rights=["erasure"]),
        # received 2 June → due 2 July
        "later": sent(owner, employer, date(2025, 6, 2)),
        "other_employer": sent(owner, other_employer, date(2025, 5, 20), law_key="uk-gdpr", region="GB-ENG"),
        "draft": case_create(owner=owner, employer=employer, **DRAFT_FIELDS),
    }


def test_it_lists_the_teams_open_cases_nearest_legal_date_first(client, dpo, cases):
    response = login(client, dpo).get(reverse("dpo:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    refs = [cases[k].reference for k in ("overdue", "soon", "later")]
    assert all(ref in html for ref in refs)
    assert html.index(refs[0]) < html.index(refs[1]) < html.index(refs[2])
    assert cases["other_employer"].reference not in html and cases["draft"].reference not in html


def test_it_marks_overdue_and_due_soon_in_words_not_only_colour(client, dpo, cases):
    html = login(client, dpo).get(reverse("dpo:inbox")).content.decode()
    row = html[html.index(f'id="case-{cases["overdue"].pk}"'):]
    assert 'class="overdue"' in row[:60] and "Overdue" in row[:2000] and "8 days late" in row[:2000]
    row = html[html.index(f'id="case-{cases["soon"].pk}"'):]
    assert "Due soon" in row[:2000] and "6 days left" in row[:2000]


def test_it_filters_by_overdue_due_within_right_and_search(client, dpo, cases):
    login(client, dpo)

    def refs(**params):
        html = client.get(reverse("dpo:inbox"), params).content.decode()
        return {k for k, c in cases.items() if c.reference in html}

    assert refs(overdue="1") == {"overdue"}
    assert refs(due_within="7") == {"soon"}
    assert refs(right="erasure") == {"overdue", "soon", "later"}
    assert refs(right="portability") == set()
    assert refs(q="colin") == {"soon"}
    assert refs(q=cases["later"].reference.lower()) == {"later"}


def test_it_filters_by_assignment(client, dpo, cases):
    CaseAssignment.objects.create(case=cases["soon"], team=dpo.team_memberships.get().team, assignee=dpo)
    login(client, dpo)
    mine = client.get(reverse("dpo:inbox"), {"assigned": "me"}).content.decode()
    unassigned = client.get(reverse("dpo:inbox"), {"assigned": "unassigned"}).content.decode()
    assert cases["soon"].reference in mine and cases["overdue"].reference not in mine
    assert cases["soon"].reference not in unassigned and cases["overdue"].reference in unassigned


def test_a_bad_filter_is_named_and_the_page_still_answers(client, dpo, cases):
    response = login(client, dpo).get(reverse("dpo:inbox"), {"due_within": "soon"})
    assert response.status_code == 200 and "due_within" in response.content.decode()


def test_it_pages_fifty_at_a_time(client, dpo, owner, employer):
    for _ in range(51):
        sent(owner, employer, date(2025, 6, 2))
    login(client, dpo)
    first = client.get(reverse("dpo:inbox")).content.decode()
    second = client.get(reverse("dpo:inbox"), {"page": 2}).content.decode()
    assert first.count('name="case"') == 50 and second.count('name="case"') == 1
    assert "page 1 of 2" in first


def test_the_checkboxes_are_for_responders_only(client, team, team_member, cases):
    from deletion_portal.accounts.models import Role
    from tests.support.world import make_account

    viewer = make_account("viewer@acme.example", Role.DPO, "Vic Viewer")
    team_member(viewer, team, role=TeamRole.VIEWER)
    html = login(client, viewer).get(reverse("dpo:inbox")).content.decode()
    assert cases["overdue"].reference in html and 'form="bulk-acknowledge"' not in html


def test_the_csv_export_has_the_filtered_list_and_neutralises_formulas(client, dpo, owner, employer, cases):
    evil = sent(owner, employer, date(2025, 6, 3), requester_name="=HYPERLINK(\"http://evil.example\")")
    response = login(client, dpo).get(reverse("dpo:inbox-csv"), {"q": "hyperlink"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "reference" and len(rows) == 2
    assert rows[1][0] == evil.reference
    assert rows[1][-1].startswith("'=HYPERLINK")


def test_the_csv_export_refuses_a_bad_filter_naming_it(client, dpo, cases):
    response = login(client, dpo).get(reverse("dpo:inbox-csv"), {"status": "lost"})
    assert response.status_code == 400 and b"status" in response.content


def test_the_dashboard_counts_open_due_this_week_overdue_and_on_time(client, dpo, owner, employer, cases):
    # answered on 28 May, received 2 May: on time (due 2 June), 26 days
    answered = sent(owner, employer, date(2025, 5, 2))
    case_record_event(case=answered, kind=EventKind.RESPONSE_RECEIVED, on=date(2025, 5, 28), actor=owner)
    html = login(client, dpo).get(reverse("dpo:inbox")).content.decode()
    dash = html[html.index('id="dashboard"'):html.index("</section>", html.index('id="dashboard"'))]
    assert "<strong>4</strong> open" in dash  # overdue, soon, later, answered (not yet closed)
    assert "<strong>1</strong> due within 7 days" in dash
    assert "<strong>1</strong> overdue" in dash
    assert "<strong>100%</strong> answered on time" in dash
    assert "<strong>26</strong> median days" in dash


@pytest.mark.parametrize("who", ["owner", "outsider", "advocate"])
def test_it_is_a_404_for_anyone_outside_a_team(client, request, who, cases):
    user = request.getfixturevalue(who)
    assert login(client, user).get(reverse("dpo:inbox")).status_code == 404
    assert client.get(reverse("dpo:inbox-csv")).status_code == 404


def test_an_unverified_member_sees_no_inbox(client, team, team_member, cases):
    from deletion_portal.accounts.models import Role
    from tests.support.world import make_account

    pending = make_account("new@acme.example", Role.DPO)
    team_member(pending, team, verified=False)
    assert login(client, pending).get(reverse("dpo:inbox")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("dpo:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_case_the_team_claimed_for_another_employer_is_in_its_inbox(client, other_dpo, cases):
    """A claim through the case access code reaches the case although the team covers another employer."""
    from deletion_portal.dpo.models import CaseClaim

    CaseClaim.objects.create(case=cases["later"], team=other_dpo.team_memberships.get().team, claimed_by=other_dpo)
    html = login(client, other_dpo).get(reverse("dpo:inbox")).content.decode()
    assert cases["later"].reference in html and cases["overdue"].reference not in html


def test_the_members_own_requests_as_an_employee_are_not_in_the_team_inbox(client, dpo, employer, cases):
    """A DPO who is also an employee of the employer: their own draft and sent requests are theirs on My
    cases, never rows of the employer's inbox (the inbox lists the employer side's rules only)."""
    from deletion_portal.dpo.selectors import team_cases

    own_draft = case_create(owner=dpo, employer=employer, **DRAFT_FIELDS)
    assert own_draft not in team_cases(dpo)
    assert set(team_cases(dpo)) == {cases["overdue"], cases["soon"], cases["later"]}
    html = login(client, dpo).get(reverse("dpo:inbox") + "?status=all").content.decode()
    assert own_draft.reference not in html
