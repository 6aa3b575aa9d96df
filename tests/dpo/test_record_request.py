"""Recording a request that reached the employer elsewhere (email, post, HR portal): a case without an
employee account, visible to the recording team only, on the same legal clock; the sweep reminds the team
(never the requester, who has no account), and no follow-up is drafted for nobody."""

from __future__ import annotations

from datetime import date, datetime
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from deletion_portal.accounts.models import Role
from deletion_portal.cases.models import Case, CaseStatus, EventKind, EventSource
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers.models import EmployerTeam, TeamRole
from deletion_portal.tracking.sweep import sweep
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db

FORM = {
    "requester_name": "Erin Elsewhere", "requester_address": "Weg 1\n80331 München",
    "requester_email": "erin@home.example", "rights": ["erasure", "access"], "law_key": "eu-gdpr",
    "region": "DE-BY", "received_on": "2025-05-02", "channel": "hr_portal",
}


@pytest.fixture(autouse=True)
def _frozen(isolated_media):
    with time_machine.travel(datetime(2025, 5, 5, 12, tzinfo=dt_timezone.utc), tick=False):
        yield


@pytest.fixture
def recorded(client, dpo, employer):
    response = login(client, dpo).post(reverse("dpo:case-new"), {**FORM, "employer": employer.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return Case.objects.get(requester_name="Erin Elsewhere")


def test_it_records_the_case_on_the_legal_clock(recorded, team, dpo):
    assert recorded.owner is None and recorded.recorded_by_team == team
    assert recorded.sent_outside_portal and recorded.status == CaseStatus.SENT
    assert recorded.received_on == date(2025, 5, 2) and recorded.received_confirmed
    assert recorded.respond_by == date(2025, 6, 2)  # GDPR Art. 12(3): one month from receipt
    received = recorded.events.get(kind=EventKind.RECEIVED)
    assert received.details["confirmed"] and received.team == team and received.actor == dpo
    assert received.source == EventSource.EMPLOYER


def test_the_recording_team_sees_it_in_its_inbox(client, dpo, recorded):
    html = login(client, dpo).get(reverse("dpo:inbox")).content.decode()
    assert recorded.reference in html and "recorded by your team" in html
    assert login(client, dpo).get(reverse("dpo:case", args=[recorded.pk])).status_code == 200


def test_another_team_covering_the_same_employer_does_not_see_it(client, employer, team_member, recorded):
    group = EmployerTeam.objects.create(name="Group privacy office")
    group.employers.add(employer)
    group_dpo = make_account("group@acme.example", Role.DPO)
    team_member(group_dpo, group)
    assert login(client, group_dpo).get(reverse("dpo:case", args=[recorded.pk])).status_code == 404
    assert recorded.reference not in client.get(reverse("dpo:inbox")).content.decode()


def test_a_wrong_region_is_refused_naming_it(client, dpo, employer):
    response = login(client, dpo).post(reverse("dpo:case-new"), {**FORM, "employer": employer.pk, "region": "US-CA"})
    assert response.status_code == 400 and not Case.objects.exists()
    assert "region" in response.context["form"].errors


def test_a_future_received_date_is_refused_on_its_field(client, dpo, employer):
    response = login(client, dpo).post(reverse("dpo:case-new"), {**FORM, "employer": employer.pk,
                                                                  "received_on": "2025-05-09"})
    assert response.status_code == 400 and not Case.objects.exists()
    assert "received_on" in response.context["form"].errors
    api = login(APIClient(), dpo)
    body = {"requester": {"name": "Erin"}, "employer_id": employer.pk, "rights": ["erasure"], "law": "eu-gdpr",
            "region": "DE-BY", "received_on": "2025-05-09", "channel": "post"}
    bad = api.post(reverse("api-v1:employer-case-list"), body, format="json")
    assert bad.status_code == 400 and "received_on" in bad.json() and not Case.objects.exists()


def test_another_teams_employer_cannot_be_chosen(client, dpo, other_employer):
    response = login(client, dpo).post(reverse("dpo:case-new"), {**FORM, "employer": other_employer.pk})
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_viewer_may_not_record(client, team, team_member):
    viewer = make_account("viewer@acme.example", Role.DPO)
    team_member(viewer, team, role=TeamRole.VIEWER)
    assert login(client, viewer).get(reverse("dpo:case-new")).status_code == 404


def test_the_api_records_it_too(dpo, employer):
    api = login(APIClient(), dpo)
    body = {"requester": {"name": "Erin Elsewhere", "email": "erin@home.example"}, "employer_id": employer.pk,
            "rights": ["erasure"], "law": "eu-gdpr", "region": "DE-BY", "received_on": "2025-05-02", "channel": "email"}
    response = api.post(reverse("api-v1:employer-case-list"), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["respond_by"] == "2025-06-02" and data["recorded_by_team"] is True
    assert data["requester"]["name"] == "Erin Elsewhere"
    bad = api.post(reverse("api-v1:employer-case-list"), {**body, "law": "moon-law"}, format="json")
    assert bad.status_code == 400 and "law" in bad.json()


def test_the_sweep_reminds_the_team_never_the_requester(recorded, dpo, team, team_member):
    viewer = make_account("viewer@acme.example", Role.DPO)
    team_member(viewer, team, role=TeamRole.VIEWER)
    for day in (date(2025, 5, 26), date(2025, 6, 1), date(2025, 6, 3)):  # 7 days, 1 day before; passed
        with time_machine.travel(datetime.combine(day, datetime.min.time(), tzinfo=dt_timezone.utc), tick=False):
            sweep(today=day)
    messages = list(OutboxMessage.objects.order_by("pk"))
    assert [m.to for m in messages] == [[dpo.email]] * 3  # responders and admins, not viewers
    assert not any("erin@home.example" in m.to for m in messages)
    assert recorded.reference in messages[0].subject and "7 days" in messages[0].subject
    assert "OVERDUE" in messages[2].subject
    assert reverse("dpo:case", args=[recorded.pk]) in messages[0].body
    assert not recorded.letters.exists()  # no follow-up drafted for an owner-less case
