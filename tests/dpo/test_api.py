"""The employer read API: GET /api/v1/employer/cases (the inbox's filters, paged) and
GET /api/v1/employer/cases/<id> (what the DPO may see, as on the page); 400 naming a bad filter; 404 for
anyone but the team; in the OpenAPI schema."""

from __future__ import annotations

from datetime import date, datetime
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from deletion_portal.dpo.models import CaseAccessLog, CaseAssignment
from tests.support.world import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(isolated_media):
    with time_machine.travel(datetime(2025, 5, 28, 12, tzinfo=dt_timezone.utc), tick=False):
        yield


def api(user):
    return login(APIClient(), user)


def test_the_list_has_the_teams_cases_with_days_left(dpo, sent_case):
    response = api(dpo).get(reverse("api-v1:employer-case-list"))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and data["results"][0]["reference"] == sent_case.reference
    row = data["results"][0]
    assert row["respond_by"] == "2025-06-02" and row["days_left"] == 5 and row["assignee"] is None


@pytest.mark.parametrize(("params", "expected"), [
    ({"overdue": "true"}, 0),
    ({"due_within": "5"}, 1),
    ({"due_within": "4"}, 0),
    ({"law": "eu-gdpr"}, 1),
    ({"law": "uk-gdpr"}, 0),
    ({"status": "closed"}, 0),
    ({"assigned": "unassigned"}, 1),
    ({"assigned": "me"}, 0),
])
def test_the_list_filters(dpo, sent_case, params, expected):
    assert api(dpo).get(reverse("api-v1:employer-case-list"), params).json()["count"] == expected


def test_assigned_to_me(dpo, team, sent_case):
    CaseAssignment.objects.create(case=sent_case, team=team, assignee=dpo)
    data = api(dpo).get(reverse("api-v1:employer-case-list"), {"assigned": "me"}).json()
    assert data["count"] == 1 and data["results"][0]["assignee"] == "Dora DPO"


@pytest.mark.parametrize(("param", "value"), [
    ("status", "lost"), ("due_within", "soon"), ("due_within", "-1"), ("overdue", "maybe"), ("assigned", "bob"),
    ("right", "flying"), ("sort", "random"),
])
def test_a_bad_filter_is_a_400_naming_it(dpo, sent_case, param, value):
    response = api(dpo).get(reverse("api-v1:employer-case-list"), {param: value})
    assert response.status_code == 400 and param in response.json()


def test_the_detail_is_what_the_page_shows_and_logs_the_access(dpo, owner, team, sent_case):
    owner.email = "olive.account@private.example"
    owner.save(update_fields=["email"])
    response = api(dpo).get(reverse("api-v1:employer-case-detail", args=[sent_case.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["requester"]["name"] == "Olive Owner" and data["requester"]["email"] == "olive@mail.example"
    assert data["deadlines"]["respond_by"] == "2025-06-02"
    assert [letter["kind"] for letter in data["letters"]] == ["request"]
    assert {e["kind"] for e in data["events"]} >= {"sent", "finalised"}
    assert "olive.account@private.example" not in response.content.decode()
    assert CaseAccessLog.objects.filter(case=sent_case, team=team, user=dpo, what="api").count() == 1


@pytest.mark.parametrize("who", ["owner", "other_dpo", "outsider", "advocate"])
def test_everyone_else_gets_404s(request, who, sent_case):
    client = api(request.getfixturevalue(who))
    assert client.get(reverse("api-v1:employer-case-detail", args=[sent_case.pk])).status_code == 404
    listing = client.get(reverse("api-v1:employer-case-list"))
    if who == "other_dpo":  # a team member: their own (empty) list
        assert listing.status_code == 200 and listing.json()["count"] == 0
    else:
        assert listing.status_code == 404


def test_anonymous_is_refused():
    assert APIClient().get(reverse("api-v1:employer-case-list")).status_code in (401, 403)


def test_the_list_is_paged(dpo, owner, employer):
    from deletion_portal.cases.models import EventKind
    from deletion_portal.cases.services import case_create, case_record_event
    from tests.support.data import DRAFT_FIELDS
    from tests.support.world import finalise_directly

    for _ in range(3):
        case = finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS))
        case_record_event(case=case, kind=EventKind.SENT, on=date(2025, 5, 20), actor=owner,
                          details={"channel": "email"})
    data = api(dpo).get(reverse("api-v1:employer-case-list"), {"page_size": 2}).json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]


def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = client.get(reverse("api-v1:schema"), HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/employer/cases" in schema and "/api/v1/employer/cases/{id}" in schema
    assert "due_within" in schema
