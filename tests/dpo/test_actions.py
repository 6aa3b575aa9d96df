"""The employer's actions (dpo.services, section Actions): each one checked against the case's law, recorded
as a timeline event with the team, the deadlines recomputed, the employee told (outbox). Web forms, the action
list fragment and bulk acknowledge. The API is in test_actions_api.py."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deletion_portal.cases.access import Need, case_get_for
from deletion_portal.cases.models import Case, CaseEvent, CaseStatus, EventKind, EventSource
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.core.models import OutboxMessage
from deletion_portal.dpo.actions import (
    ActionRefused,
    case_acknowledge,
    case_act,
    case_extend,
    case_offered_actions,
    case_refuse,
    case_request_clarification,
    case_request_identity,
)
from deletion_portal.employers.models import TeamRole
from deletion_portal.laws.registry import get_regime
from tests.support.data import DRAFT_FIELDS
from tests.support.world import finalise_directly, login, make_account

pytestmark = pytest.mark.django_db

SENT = date(2026, 11, 2)  # emailed: received the same day
TODAY = date(2026, 11, 10)
ACTED = date(2026, 11, 9)


def sent_under(owner, employer, *, law_key: str, region: str, rights: list[str], sent_on: date = SENT,
               channel: str = "email") -> Case:
    fields = {**DRAFT_FIELDS, "law_key": law_key, "region": region, "rights": rights}
    case = finalise_directly(case_create(owner=owner, employer=employer, **fields))
    case_record_event(case=case, kind=EventKind.SENT, on=sent_on, actor=owner, details={"channel": channel}, today=sent_on)
    case.refresh_from_db()
    return case


def as_dpo(dpo, case) -> Case:
    return case_get_for(dpo, case.pk, need=Need.RESPOND)


@pytest.fixture(autouse=True)
def _media(isolated_media):
    pass


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


# law key, holiday region, rights, the citation each table row is about
LAWS = {
    "eu-gdpr": ("DE-BY", ["access", "erasure"]),
    "uk-gdpr": ("GB-ENG", ["access"]),
    "us-ca-ccpa": ("US-CA", ["access", "erasure"]),
    "ca-pipeda": ("CA-ON", ["access"]),
}


def valid_fields(action: str, law_key: str) -> dict:
    regime = get_regime(law_key)
    return {
        "acknowledge": {"received_on": SENT},
        "request_identity": {"questions": ["employee_number", "manager"]},
        "request_clarification": {"question": "Which of the monitoring tools do you mean?"},
        "extend": {"reasons": "Keystroke data sits in three systems; the export takes weeks."},
        "refuse": {"grounds": [regime.employer_actions.refusal_grounds[0].code], "reasons": "See the attached note.",
                   "scope": "part"},
        "close": {"outcome": "fulfilled"},
    }[action]


def citation_of(action: str, law_key: str) -> str:
    regime = get_regime(law_key)
    acts = regime.employer_actions
    return {
        "acknowledge": regime.start_rule.citation,
        "request_identity": acts.identity.citation,
        "request_clarification": acts.clarification.citation,
        "extend": regime.extension.citation,
        "refuse": acts.remedies.citation,
        "close": regime.start_rule.citation,
    }[action]


TABLE = [
    pytest.param(law_key, action, id=f"{law_key}-{action}-{citation_of(action, law_key)}")
    for law_key in LAWS
    for action in ("acknowledge", "request_identity", "request_clarification", "extend", "refuse", "close")
]


@pytest.mark.parametrize(("law_key", "action"), TABLE)
def test_it_records_each_action_the_law_knows_with_the_team_and_tells_the_employee(frozen, owner, employer, dpo, team,
                                                                                     law_key, action):
    region, rights = LAWS[law_key]
    case = as_dpo(dpo, sent_under(owner, employer, law_key=law_key, region=region, rights=rights))
    assert action in case_offered_actions(case=case)

    event = case_act(case=case, user=dpo, action=action, on=ACTED, **valid_fields(action, law_key))

    event.refresh_from_db()
    assert event.source == EventSource.EMPLOYER and event.actor == dpo and event.team == team
    assert event.details["team"] == "Acme privacy office" and event.details["member_role"] == "Responder"
    mail = OutboxMessage.objects.get(key=f"employer-action:{event.pk}")
    assert mail.to == ["olive@mail.example"] and mail.topic == f"case:{case.pk}"
    assert "Acme privacy office" in mail.body and '"Responder"' in mail.body
    assert action not in ("acknowledge", "extend", "refuse") or action not in case_offered_actions(case=Case.objects.get(pk=case.pk))


@pytest.mark.parametrize("law_key", list(LAWS))
def test_it_extends_to_the_date_the_deadline_module_gives(frozen, owner, employer, dpo, law_key):
    region, rights = LAWS[law_key]
    case = as_dpo(dpo, sent_under(owner, employer, law_key=law_key, region=region, rights=rights))
    expected = case.respond_by  # before: the first period's end
    event = case_extend(case=case, user=dpo, on=ACTED, reasons="Complex: three systems.")
    case.refresh_from_db()
    assert event.details["original_respond_by"] == expected.isoformat()
    assert case.respond_by == date.fromisoformat(event.details["new_respond_by"]) > expected
    assert case.extended is True and case.next_date_label == "Employer must answer (extended)"


def test_it_refuses_a_late_gdpr_extension_with_art_12_3_and_records_nothing(owner, employer, dpo):
    """Art. 12(3) GDPR: received 2026-11-30, first month ends 2026-12-30; notice on 2027-01-04 is too late."""
    case = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"], sent_on=date(2026, 11, 30)))
    before = (CaseEvent.objects.count(), OutboxMessage.objects.count())
    with time_machine.travel(date(2027, 1, 5), tick=False), pytest.raises(ActionRefused) as refused:
        case_extend(case=case, user=dpo, on=date(2027, 1, 4), reasons="Complex.")
    assert refused.value.citation == "Art. 12(3) GDPR"
    assert "2026-12-30" in refused.value.rule
    assert (CaseEvent.objects.count(), OutboxMessage.objects.count()) == before
    assert Case.objects.get(pk=case.pk).respond_by == date(2026, 12, 30)


def test_it_refuses_an_extension_without_reasons_art_12_3(frozen, owner, employer, dpo):
    case = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"]))
    with pytest.raises(ActionRefused) as refused:
        case_extend(case=case, user=dpo, on=ACTED, reasons="  ")
    assert refused.value.citation == "Art. 12(3) GDPR" and refused.value.field == "reasons"
    assert not case.events.filter(kind=EventKind.EXTENSION_NOTIFIED).exists()


def test_it_refuses_a_second_extension(frozen, owner, employer, dpo):
    case = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"]))
    case_extend(case=case, user=dpo, on=ACTED, reasons="Complex.")
    with pytest.raises(ActionRefused):
        case_extend(case=case, user=dpo, on=ACTED, reasons="Again.")


def test_it_refuses_an_action_the_law_does_not_know_quebec_s32_no_extension(frozen, owner, employer, dpo):
    """CQLR c P-39.1 s.32: 30 days, no extension: 'extend' is neither offered nor accepted."""
    case = as_dpo(dpo, sent_under(owner, employer, law_key="ca-qc-law25", region="CA-QC", rights=["access"]))
    assert "extend" not in case_offered_actions(case=case)
    assert "acknowledge" in case_offered_actions(case=case)
    with pytest.raises(ActionRefused, match="does not know the action 'extend'"):
        case_act(case=case, user=dpo, action="extend", on=ACTED, reasons="Complex.")
    assert not case.events.filter(kind=EventKind.EXTENSION_NOTIFIED).exists()


def test_it_refuses_an_id_copy_without_a_written_reason_gdpr_12_6(frozen, owner, employer, dpo):
    case = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"]))
    with pytest.raises(ActionRefused) as refused:
        case_request_identity(case=case, user=dpo, on=ACTED, questions=["employee_number"], id_copy=True)
    assert "Art. 12(6) GDPR" in refused.value.citation and refused.value.field == "id_copy_reason"
    assert not case.events.filter(kind=EventKind.IDENTITY_REQUESTED).exists()
    event = case_request_identity(case=case, user=dpo, on=ACTED, questions=["employee_number"], id_copy=True,
                                  id_copy_reason="Two former employees share the name and the number.")
    assert event.details["id_copy"] is True and event.details["questions"] == ["Your employee or staff number"]
    assert event.details["citation"].startswith("Art. 12(6) GDPR")


def test_it_refuses_unknown_identity_questions(frozen, owner, employer, dpo):
    case = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"]))
    with pytest.raises(ValidationError):
        case_request_identity(case=case, user=dpo, on=ACTED, questions=["passport_number"])


@pytest.mark.parametrize(("law_key", "moves"), [
    pytest.param("uk-gdpr", True, id="uk-gdpr-Art. 12A UK GDPR: the relevant time moves"),
    pytest.param("us-ca-ccpa", False, id="us-ca-ccpa-11 CCR 7021(b): the clock keeps running"),
    pytest.param("eu-gdpr", False, id="eu-gdpr-Art. 12(3): runs from receipt"),
])
def test_the_identity_clock_follows_the_law(owner, employer, dpo, law_key, moves):
    region, rights = LAWS[law_key]
    case = as_dpo(dpo, sent_under(owner, employer, law_key=law_key, region=region, rights=rights))
    with time_machine.travel(date(2026, 11, 20), tick=False):
        first = case.respond_by
        event = case_request_identity(case=case, user=dpo, on=date(2026, 11, 3), questions=["last_working_day"])
        assert event.details["clock"] == get_regime(law_key).employer_actions.identity.clock_effect
        case_record_event(case=case, kind=EventKind.IDENTITY_GIVEN, on=date(2026, 11, 16), actor=owner)
    after = Case.objects.get(pk=case.pk).respond_by
    assert (after > first) is moves


@pytest.mark.parametrize(("law_key", "pauses"), [
    pytest.param("uk-gdpr", True, id="uk-gdpr-clarification pause for access requests"),
    pytest.param("eu-gdpr", False, id="eu-gdpr-Art. 12(3): keeps running"),
    pytest.param("us-ca-ccpa", False, id="us-ca-ccpa-11 CCR 7021(b): keeps running"),
])
def test_clarification_pauses_only_where_the_law_says(frozen, owner, employer, dpo, law_key, pauses):
    region, rights = LAWS[law_key]
    case = as_dpo(dpo, sent_under(owner, employer, law_key=law_key, region=region, rights=rights))
    event = case_request_clarification(case=case, user=dpo, on=date(2026, 11, 3), question="Which tools?")
    assert ("paused" in event.details["clock"]) is pauses
    assert ("keeps running" in event.details["clock"]) is not pauses


def test_a_refusal_carries_the_grounds_the_burden_warning_and_the_remedies_art_12_4(frozen, owner, employer, dpo):
    case = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"]))
    event = case_refuse(case=case, user=dpo, on=ACTED, grounds=["manifestly_excessive"], reasons="Fifth identical request.",
                        scope="whole")
    assert "Art. 12(5) GDPR" in event.details["grounds"] and event.details["scope"] == "in whole"
    assert "burden" in event.details["warnings"][0]
    assert event.details["remedies_citation"] == "Art. 12(4) GDPR" and "supervisory authority" in event.details["remedies"]
    mail = OutboxMessage.objects.get(key=f"employer-action:{event.pk}")
    assert "Art. 12(4) GDPR" in mail.body
    case.refresh_from_db()
    assert case.refused and case.status == CaseStatus.ANSWERED
    with pytest.raises(ActionRefused):
        case_refuse(case=case, user=dpo, on=ACTED, grounds=["not_a_ground"], reasons="x")


def test_an_earlier_received_date_wins_and_both_are_shown(frozen, owner, employer, dpo, client):
    """Posted 2026-11-02: the employee's record assumes delivery two working days later (2026-11-04); the
    employer says 2026-11-03: the deadlines run from the earlier date."""
    case = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"], channel="post"))
    assert case.received_on == date(2026, 11, 4)
    event = case_acknowledge(case=case, user=dpo, on=ACTED, received_on=date(2026, 11, 3))
    case.refresh_from_db()
    assert case.received_on == date(2026, 11, 3) and case.respond_by == date(2026, 12, 3)
    assert event.details["employee_received_on"] == "2026-11-04" and "earlier date, 2026-11-03" in event.details["deadline_note"]
    page = login(client, owner).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "2026-11-04" in page and "2026-11-03" in page


def test_a_later_received_date_does_not_move_the_deadlines(frozen, owner, employer, dpo):
    case = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"]))
    event = case_acknowledge(case=case, user=dpo, on=ACTED, received_on=date(2026, 11, 6))
    case.refresh_from_db()
    assert case.received_on == SENT and event.details["employee_received_on"] == SENT.isoformat()
    with pytest.raises(ActionRefused, match="already acknowledged"):
        case_acknowledge(case=case, user=dpo, on=ACTED)


def test_the_employee_sees_the_event_with_the_team_and_role_on_their_case_page(frozen, owner, employer, dpo, client):
    case = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"]))
    case_extend(case=case, user=dpo, on=ACTED, reasons="Three systems hold keystroke data.")
    page = login(client, owner).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Extension notified" in page and "Acme privacy office" in page and "Responder" in page
    assert "Three systems hold keystroke data." in page
    assert "Acme privacy office (Responder)" in page and "dpo@acme.example" not in page  # the team, not the person
    assert OutboxMessage.objects.filter(topic=f"case:{case.pk}", to=["olive@mail.example"]).count() == 1


def test_a_viewer_and_another_team_may_not_act(frozen, owner, employer, dpo, other_dpo, team, team_member):
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"])
    viewer = make_account("vera@acme.example", "dpo", "Vera Viewer")
    team_member(viewer, team, role=TeamRole.VIEWER)
    for user in (viewer, other_dpo, owner):
        case.access = None
        with pytest.raises(Exception) as denied:
            case_acknowledge(case=case, user=user, on=ACTED)
        assert denied.type.__name__ == "PermissionDenied"
    assert not case.events.filter(kind=EventKind.ACKNOWLEDGED).exists()


# --- Web ------------------------------------------------------------------------------------------------


def test_the_action_page_shows_the_rule_and_a_get_writes_nothing(frozen, owner, employer, dpo, client):
    from django.db import connection

    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"])
    login(client, dpo)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dpo:case-action", args=[case.pk, "request_identity"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Art. 12(6) GDPR" in page and "id-copy-warning" in page and "Your last working day" in page
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_web_form_performs_the_action_and_redirects(frozen, owner, employer, dpo, client):
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"])
    login(client, dpo)
    response = client.post(reverse("dpo:case-action", args=[case.pk, "extend"]),
                           {"date": ACTED.isoformat(), "reasons": "Three systems."})
    assert response.status_code == 302
    assert case.events.filter(kind=EventKind.EXTENSION_NOTIFIED, team__name="Acme privacy office").exists()


def test_the_web_form_shows_a_refused_extension_with_its_citation(owner, employer, dpo, client):
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"], sent_on=date(2026, 11, 30))
    with time_machine.travel(date(2027, 1, 5), tick=False):
        login(client, dpo)
        response = client.post(reverse("dpo:case-action", args=[case.pk, "extend"]),
                               {"date": "2027-01-04", "reasons": "Complex."})
    assert response.status_code == 400 and "Art. 12(3) GDPR" in response.content.decode()
    assert not case.events.filter(kind=EventKind.EXTENSION_NOTIFIED).exists()


def test_an_action_the_law_does_not_know_has_no_page(frozen, owner, employer, dpo, client):
    case = sent_under(owner, employer, law_key="ca-qc-law25", region="CA-QC", rights=["access"])
    login(client, dpo)
    assert client.get(reverse("dpo:case-action", args=[case.pk, "extend"])).status_code == 404
    assert client.get(reverse("dpo:case-action", args=[case.pk, "dance"])).status_code == 404


def test_the_owner_and_other_teams_get_404_on_the_action_pages(frozen, owner, employer, dpo, other_dpo, client):
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"])
    for user in (owner, other_dpo):
        login(client, user)
        url = reverse("dpo:case-action", args=[case.pk, "acknowledge"])
        assert client.get(url).status_code == 404
        assert client.post(url, {"date": ACTED.isoformat()}).status_code == 404
    assert not case.events.filter(kind=EventKind.ACKNOWLEDGED).exists()


def test_the_action_list_fragment_offers_what_the_law_knows(frozen, owner, employer, dpo, team, team_member):
    gdpr = as_dpo(dpo, sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"]))
    quebec = as_dpo(dpo, sent_under(owner, employer, law_key="ca-qc-law25", region="CA-QC", rights=["access"]))
    html = render_to_string("dpo/case_actions.html", {"case": gdpr})
    assert reverse("dpo:case-action", args=[gdpr.pk, "extend"]) in html
    html = render_to_string("dpo/case_actions.html", {"case": quebec})
    assert 'data-action="extend"' not in html and 'data-action="acknowledge"' in html
    viewer = make_account("vera@acme.example", "dpo", "Vera Viewer")
    team_member(viewer, team, role=TeamRole.VIEWER)
    read_only = case_get_for(viewer, gdpr.pk, need=Need.VIEW)
    assert "data-action" not in render_to_string("dpo/case_actions.html", {"case": read_only})


def test_bulk_acknowledge_acknowledges_each_case_once(frozen, owner, employer, other_employer, dpo, client):
    first = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"])
    second = sent_under(owner, employer, law_key="us-ca-ccpa", region="US-CA", rights=["access"])
    elsewhere = sent_under(owner, other_employer, law_key="eu-gdpr", region="DE-BY", rights=["access"])
    login(client, dpo)
    url = reverse("dpo:bulk-acknowledge")
    data = {"case": [first.pk, second.pk, elsewhere.pk], "date": ACTED.isoformat(), "next": "/employer/"}
    response = client.post(url, data, follow=False)
    assert response.status_code == 302
    assert CaseEvent.objects.filter(kind=EventKind.ACKNOWLEDGED).count() == 2
    assert not elsewhere.events.filter(kind=EventKind.ACKNOWLEDGED).exists()
    client.post(url, data)
    assert CaseEvent.objects.filter(kind=EventKind.ACKNOWLEDGED).count() == 2
    texts = [str(m) for m in response.wsgi_request._messages]
    assert texts and texts[0].startswith("2 acknowledged") and "1 not found" in texts[0] and elsewhere.reference not in texts[0]


def test_bulk_acknowledge_is_404_for_someone_without_a_team(owner, client):
    login(client, owner)
    assert client.post(reverse("dpo:bulk-acknowledge"), {"case": [1], "date": "2026-11-09"}).status_code == 404


def test_the_bulk_form_fragment_posts_to_bulk_acknowledge(rf, dpo):
    request = rf.get("/employer/")
    request.user = dpo
    html = render_to_string("dpo/inbox_bulk.html", {}, request=request)
    assert 'id="bulk-acknowledge"' in html and reverse("dpo:bulk-acknowledge") in html and "csrfmiddlewaretoken" in html


def test_a_case_recorded_by_the_team_has_no_one_to_email(frozen, employer, dpo, team):
    """A request that reached the employer elsewhere (no employee account): the action is recorded, no email."""
    fields = {**DRAFT_FIELDS, "rights": ["access"], "sent_outside_portal": True, "recorded_by_team": team}
    case = case_create(owner=None, employer=employer, **fields)
    case_record_event(case=case, kind=EventKind.SENT, on=SENT, details={"channel": "email"})
    event = case_acknowledge(case=as_dpo(dpo, case), user=dpo, on=ACTED)
    assert event.team == team and event.details["received_on"] == SENT.isoformat()
    assert not OutboxMessage.objects.filter(topic=f"case:{case.pk}").exists()


@pytest.mark.parametrize(("action", "shown"), [
    pytest.param("acknowledge", "earlier", id="acknowledge-the earlier date rule"),
    pytest.param("request_clarification", "Art. 12(3) GDPR", id="clarification-Art. 12(3): the clock keeps running"),
    pytest.param("extend", "Art. 12(3) GDPR", id="extend-Art. 12(3)"),
    pytest.param("refuse", "Art. 12(4) GDPR", id="refuse-Art. 12(4) remedies"),
    pytest.param("close", "Outcome", id="close"),
])
def test_every_action_page_renders_with_the_law(frozen, owner, employer, dpo, client, action, shown):
    case = sent_under(owner, employer, law_key="eu-gdpr", region="DE-BY", rights=["access"])
    response = login(client, dpo).get(reverse("dpo:case-action", args=[case.pk, action]))
    assert response.status_code == 200 and shown in response.content.decode()
