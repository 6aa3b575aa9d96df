"""POST /api/v1/employer/cases/<id>/actions: the event and the recomputed deadlines (201), or a 400 naming the
rule that forbids the action and its citation; 404 for whoever may not RESPOND to the case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from deletion_portal.cases.models import Case, CaseEvent, EventKind
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers.models import TeamRole
from tests.support.data import DRAFT_FIELDS
from tests.support.world import finalise_directly, login, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(isolated_media):
    pass


def sent_under(owner, employer, *, law_key: str, region: str, rights: list[str], sent_on: date) -> Case:
    case = finalise_directly(case_create(owner=owner, employer=employer,
                                         **{**DRAFT_FIELDS, "law_key": law_key, "region": region, "rights": rights}))
    case_record_event(case=case, kind=EventKind.SENT, on=sent_on, actor=owner, details={"channel": "email"}, today=sent_on)
    return Case.objects.get(pk=case.pk)


def url(case) -> str:
    return reverse("api-v1:employer-case-actions", args=[case.pk])


def api(user) -> APIClient:
    return login(APIClient(), user)


def test_a_late_gdpr_extension_is_a_400_citing_art_12_3(owner, employer, dpo):
    """Art. 12(3) GDPR: an EU request received 2026-11-30 must be extended within the first month (by
    2026-12-30); an extension notified on 2027-01-04 is refused, and nothing is recorded."""
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"], sent_on=date(2026, 11, 30))
    with time_machine.travel(date(2027, 1, 5), tick=False):
        response = api(dpo).post(url(case), {"action": "extend", "date": "2027-01-04",
                                             "reasons": "Keystroke logs sit in three systems."}, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["citation"] == "Art. 12(3) GDPR" and "Art. 12(3)" in " ".join(body["detail"])
    assert "2026-12-30" in body["rule"]
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.EXTENSION_NOTIFIED).exists()
    assert not OutboxMessage.objects.filter(topic=f"case:{case.pk}").exists()


def test_a_ccpa_extension_runs_to_day_90(owner, employer, dpo):
    """Cal. Civ. Code §1798.130(a)(2): 45 days, extendable once to 90 in all with notice within the first 45.
    Received Wednesday 2026-11-04: day 90 counting the day of receipt as day one (11 CCR §7021(b)) is Monday
    2027-02-01; the Civ. Code §10 reading (first day excluded) gives Tuesday 2027-02-02, and the later of the
    two readings is the date used."""
    received = date(2026, 11, 4)
    case = sent_under(owner, employer, law_key="us-ca-ccpa", region="US-CA", rights=["access", "erasure"], sent_on=received)
    with time_machine.travel(date(2026, 12, 1), tick=False):
        response = api(dpo).post(url(case), {"action": "extend", "date": "2026-12-01",
                                             "reasons": "Biometric keystroke data needs a manual review."}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert received + timedelta(days=89) == date(2027, 2, 1)  # day 90, receipt = day 1
    assert body["deadlines"]["extended_respond_by"] == "2027-02-02" == body["respond_by"]
    assert body["deadlines"]["extension_status"] == "valid"
    assert body["event"]["kind"] == "extension_notified" and body["event"]["source"] == "employer"
    assert body["team"] == "Acme privacy office" and body["event"]["details"]["member_role"] == "Responder"


def test_a_ccpa_extension_after_day_45_is_refused(owner, employer, dpo):
    case = sent_under(owner, employer, law_key="us-ca-ccpa", region="US-CA", rights=["access"], sent_on=date(2026, 11, 4))
    with time_machine.travel(date(2027, 1, 5), tick=False):
        response = api(dpo).post(url(case), {"action": "extend", "date": "2027-01-04", "reasons": "Late."}, format="json")
    assert response.status_code == 400 and response.json()["citation"] == "Cal. Civ. Code §1798.130(a)(2)"


@pytest.mark.parametrize(("payload", "citation"), [
    pytest.param({"action": "extend", "date": "2026-12-01"}, "Art. 12(3) GDPR", id="extension without reasons-Art. 12(3)"),
    pytest.param({"action": "request_identity", "date": "2026-12-01", "questions": ["employee_number"], "id_copy": True},
                 "Art. 12(6) GDPR; EDPB Guidelines 01/2022", id="ID copy without a reason-Art. 12(6)"),
])
def test_it_refuses_what_the_law_forbids_with_the_rule(owner, employer, dpo, payload, citation):
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"], sent_on=date(2026, 11, 30))
    with time_machine.travel(date(2026, 12, 2), tick=False):
        response = api(dpo).post(url(case), payload, format="json")
    assert response.status_code == 400 and response.json()["citation"] == citation
    assert set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == {"drafted", "finalised", "sent"}


def test_an_action_the_law_does_not_know_is_a_400(owner, employer, dpo):
    """CQLR c P-39.1 s.32: Quebec allows no extension."""
    case = sent_under(owner, employer, law_key="ca-qc-law25", region="CA-QC", rights=["access"], sent_on=date(2026, 11, 4))
    with time_machine.travel(date(2026, 11, 10), tick=False):
        response = api(dpo).post(url(case), {"action": "extend", "date": "2026-11-09", "reasons": "Complex."}, format="json")
        unknown = api(dpo).post(url(case), {"action": "dance", "date": "2026-11-09"}, format="json")
        extra = api(dpo).post(url(case), {"action": "acknowledge", "date": "2026-11-09", "outcome": "fulfilled"}, format="json")
    assert response.status_code == 400 and "does not know the action 'extend'" in response.json()["rule"]
    assert unknown.status_code == 400 and "action" in unknown.json()
    assert extra.status_code == 400 and "outcome" in extra.json()


def test_acknowledge_returns_the_event_and_the_recomputed_deadlines(owner, employer, dpo):
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"], sent_on=date(2026, 11, 4))
    with time_machine.travel(date(2026, 11, 10), tick=False):
        response = api(dpo).post(url(case), {"action": "acknowledge", "date": "2026-11-09", "received_on": "2026-11-04"},
                                 format="json")
        again = api(dpo).post(url(case), {"action": "acknowledge", "date": "2026-11-09"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["received_on"] == "2026-11-04" and body["deadlines"]["respond_by"] == "2026-12-04"
    assert again.status_code == 400 and "already acknowledged" in again.json()["rule"]
    assert OutboxMessage.objects.filter(topic=f"case:{case.pk}", to=["olive@mail.example"]).count() == 1


def test_refuse_and_close_through_the_api(owner, employer, dpo):
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access", "erasure"], sent_on=date(2026, 11, 4))
    with time_machine.travel(date(2026, 11, 20), tick=False):
        refused = api(dpo).post(url(case), {"action": "refuse", "date": "2026-11-19", "grounds": ["legal_claims"],
                                            "reasons": "Pending litigation.", "scope": "part"}, format="json")
        closed = api(dpo).post(url(case), {"action": "close", "date": "2026-11-19", "outcome": "partly_fulfilled"},
                               format="json")
    assert refused.status_code == 201 and refused.json()["event"]["details"]["remedies_citation"] == "Art. 12(4) GDPR"
    assert closed.status_code == 201 and closed.json()["status"] == "closed"
    assert Case.objects.get(pk=case.pk).outcome == "partly_fulfilled"


def test_whoever_may_not_respond_gets_404(owner, employer, dpo, other_dpo, team, team_member):
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"], sent_on=date(2026, 11, 4))
    viewer = make_account("vera@acme.example", "dpo", "Vera Viewer")
    team_member(viewer, team, role=TeamRole.VIEWER)
    payload = {"action": "acknowledge", "date": "2026-11-09"}
    with time_machine.travel(date(2026, 11, 10), tick=False):
        for user in (other_dpo, viewer, owner):
            response = api(user).post(url(case), payload, format="json")
            assert response.status_code == 404, user
            assert case.reference not in response.content.decode()
        assert APIClient().post(url(case), payload, format="json").status_code in (401, 403)
        assert api(dpo).post(reverse("api-v1:employer-case-actions", args=[999999]), payload, format="json").status_code == 404
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.ACKNOWLEDGED).exists()


def test_the_schema_documents_the_actions_endpoint(client):
    text = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/employer/cases/{id}/actions" in text
    assert "request_identity" in text and "id_copy_reason" in text
