"""The DPO's structured answer (dpo.answers): validated against the law's data (LEGAL.md §4), checked for
completeness against what the request asked, sent as a response letter (PDF, SHA-256) that is recorded on the
employee's side, fills the checklist and feeds the follow-up."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from deletion_portal.cases.models import CaseStatus, EventKind, EventSource, LetterKind
from deletion_portal.core.models import OutboxMessage
from deletion_portal.dpo.answers import answer_clean, answer_gaps, response_save
from deletion_portal.dpo.models import EmployerResponse, ResponseStatus
from deletion_portal.tracking.models import ChecklistItem

pytestmark = pytest.mark.django_db

TODAY = date(2025, 5, 20)


@pytest.fixture
def case(sent_case, dpo):
    return sent_case


def full_answer(**overrides) -> dict:
    """Every item the sent case asked (GDPR: access, objection, restriction, erasure; keystrokes, mouse)."""
    answer = {
        "on": "2025-05-19",
        "access": {code: {"status": "answered", "text": f"Answer {code}"} for code in
                   ("art15_1_a", "art15_1_b", "art15_1_c", "art15_1_d", "art15_1_e", "art15_1_f", "art15_1_g",
                    "art15_1_h", "art15_2", "copy")},
        "questions": {"training:legal_basis": {"status": "answered", "text": "Art. 6(1)(f) GDPR; balancing test attached."},
                      "restriction:applied": {"status": "answered", "text": "Restricted from 5 May 2025."}},
        "training": [{"category": "keystrokes", "held": True, "from": "2023-01-01", "to": "2025-01-31",
                      "system": "Telemetry lake", "used_for_training": True},
                     {"category": "mouse_movements", "held": False}],
        "artefacts": [
            {"kind": "dataset", "name": "raw-keystroke-logs", "recipients": "none", "outcome": "deleted", "outcome_date": "2025-05-10"},
            {"kind": "model", "name": "support-agent-v3", "recipients": "none", "outcome": "retrained_without",
             "trained_on": "2024-06-01", "outcome_date": "2025-05-12"},
            {"kind": "evaluation_set", "name": "eval-2024", "recipients": "none", "outcome": "retained", "ground": "legal_claims"},
        ],
        "erasure": {"categories": [{"category": "keystrokes", "outcome": "erased", "on": "2025-05-10"},
                                   {"category": "mouse_movements", "outcome": "not_held"}],
                    "backups": "Overwritten within 30 days.", "vendor_copies": "None.",
                    "notification": {"status": "done", "recipients": "Vendor AI Ltd"}},
        "objection": {"outcome": "upheld", "from": "2025-05-05"},
    }
    answer.update(overrides)
    return answer


# --- Validation: each outcome's required field (LEGAL.md §4; EDPB Opinion 28/2024; GDPR 17(3)) --------------


@pytest.mark.parametrize("row, field", [
    ({"kind": "model", "name": "m", "outcome": "retained"}, "artefacts[0].ground"),  # GDPR Art. 17(3): a ground
    ({"kind": "model", "name": "m", "outcome": "retained", "ground": "because"}, "artefacts[0].ground"),
    ({"kind": "model", "name": "m", "outcome": "anonymous"}, "artefacts[0].assessment"),  # EDPB Opinion 28/2024
    ({"kind": "model", "name": "m", "outcome": "unlearning_applied", "method": "SISA"}, "artefacts[0].verification"),
    ({"kind": "model", "name": "m", "outcome": "deleted"}, "artefacts[0].outcome_date"),
    ({"kind": "model", "name": "m", "outcome": "retrained_without", "outcome_date": "2025-06-01"}, "artefacts[0].outcome_date"),
    ({"kind": "model", "name": "m", "outcome": "shredded"}, "artefacts[0].outcome"),
    ({"kind": "rocket", "name": "m", "outcome": "not_held"}, "artefacts[0].kind"),
    ({"kind": "model", "outcome": "not_held"}, "artefacts[0].name"),
    ({"kind": "model", "name": "m", "outcome": "not_held", "trained_on": "2031-01-01"}, "artefacts[0].trained_on"),
    ({"kind": "model", "name": "m", "outcome": "not_held", "colour": "red"}, "artefacts[0].colour"),
])
def test_it_refuses_an_artefact_row_without_what_its_outcome_needs(case, dpo, row, field):
    with time_machine.travel(TODAY, tick=False), pytest.raises(ValidationError) as error:
        answer_clean(case=case, data={"artefacts": [row]}, team=dpo.team_memberships.get().team, today=TODAY)
    assert field in error.value.message_dict


@pytest.mark.parametrize("outcome, extra", [
    ("deleted", {"outcome_date": "2025-05-01"}),
    ("excluded_from_training", {"outcome_date": "2025-05-01"}),
    ("retrained_without", {"outcome_date": "2025-05-01"}),
    ("unlearning_applied", {"method": "SISA", "verification": "membership inference test"}),
    ("anonymous", {"assessment": "Extraction and query attacks: insignificant (EDPB Opinion 28/2024)"}),
    ("retained", {"ground": "archiving_research"}),  # GDPR Art. 17(3)(d)
    ("not_held", {}),
])
def test_it_accepts_each_outcome_with_its_required_fields(case, dpo, outcome, extra):
    clean = answer_clean(case=case, data={"artefacts": [{"kind": "model", "name": "m", "outcome": outcome, **extra}]},
                         team=dpo.team_memberships.get().team, today=TODAY)
    assert clean["artefacts"][0]["outcome"] == outcome


@pytest.mark.parametrize("data, field", [
    ({"access": {"art15_1_c": {"status": "withheld"}}}, "access.art15_1_c.ground"),  # Art. 15(4): on a ground
    ({"access": {"art15_1_c": {"status": "answered"}}}, "access.art15_1_c.text"),
    ({"access": {"art15_1_c": {"status": "not_applicable"}}}, "access.art15_1_c.text"),
    ({"access": {"art99": {"status": "answered", "text": "x"}}}, "access.art99"),
    ({"objection": {"outcome": "rejected"}}, "objection.grounds"),  # Art. 21(1): compelling grounds stated
    ({"objection": {"outcome": "upheld"}}, "objection.from"),
    ({"erasure": {"notification": {"status": "impossible"}}}, "erasure.notification.reason"),  # Art. 19
    ({"erasure": {"categories": [{"category": "keystrokes", "outcome": "retained"}]}}, "erasure.categories[0].ground"),
    ({"refusal": {"scope": "part", "grounds": ["whim"], "reasons": "x"}}, "refusal.grounds[0]"),
    ({"on": "2025-06-01"}, "on"),
    ({"files": [999]}, "files[0]"),
    ({"training": [{"category": "keystrokes", "from": "2025-01-02", "to": "2025-01-01"}]}, "training[0].to"),
])
def test_it_names_the_bad_field(case, dpo, data, field):
    with pytest.raises(ValidationError) as error:
        answer_clean(case=case, data=data, team=dpo.team_memberships.get().team, today=TODAY)
    assert field in error.value.message_dict


def test_retention_grounds_come_from_the_law_record(case, dpo):
    """A CCPA exception is no ground under the GDPR (no law key in code: the record's list decides)."""
    with pytest.raises(ValidationError):
        answer_clean(case=case, data={"artefacts": [{"kind": "model", "name": "m", "outcome": "retained", "ground": "d7"}]},
                     team=dpo.team_memberships.get().team, today=TODAY)


# --- Completeness ---------------------------------------------------------------------------------------------


def test_a_full_answer_has_no_gaps(case, dpo):
    clean = answer_clean(case=case, data=full_answer(), team=dpo.team_memberships.get().team, today=TODAY)
    assert answer_gaps(case=case, answer=clean) == []


def test_an_unanswered_item_is_a_gap_with_its_label(case, dpo):
    answer = full_answer()
    del answer["access"]["art15_1_c"]
    answer["erasure"]["notification"] = {}
    clean = answer_clean(case=case, data=answer, team=dpo.team_memberships.get().team, today=TODAY)
    gaps = answer_gaps(case=case, answer=clean)
    assert [g["code"] for g in gaps] == ["art15_1_c", "erasure:recipients"]
    assert "recipients" in gaps[0]["label"] and "Art. 15(1)(c)" in gaps[0]["label"]


def test_an_empty_answer_lists_everything_asked(case, dpo):
    clean = answer_clean(case=case, data={}, team=dpo.team_memberships.get().team, today=TODAY)
    codes = [g["code"] for g in answer_gaps(case=case, answer=clean)]
    assert codes[:3] == ["art15_1_a", "art15_1_b", "art15_1_c"]
    assert {"category:keystrokes", "category:mouse_movements", "objection:stopped", "restriction:applied",
            "erasure:raw", "erasure:models"} <= set(codes)


# --- Sending ---------------------------------------------------------------------------------------------------


def _send(case, dpo, answer):
    with time_machine.travel(TODAY, tick=False):
        return response_save(case=case, user=dpo, data=answer, send=True, today=TODAY)


def test_sending_with_a_gap_issues_the_letter_records_the_event_and_fills_the_checklist(case, dpo, pdf_rendering):
    answer = full_answer()
    del answer["access"]["art15_1_c"]
    result = _send(case, dpo, answer)
    case.refresh_from_db()
    letter = result.letter
    assert letter.kind == LetterKind.RESPONSE and letter.is_final and len(letter.sha256) == 64
    assert case.status == CaseStatus.ANSWERED and case.answered_on == date(2025, 5, 19) and case.on_time is True
    event = case.events.get(kind=EventKind.RESPONSE_RECEIVED)
    assert event.source == EventSource.EMPLOYER and event.team.name == "Acme privacy office"
    assert event.details["letter"] == letter.short_id and event.details["sha256"] == letter.sha256
    assert event.details["missing"] == ["art15_1_c"]
    response = EmployerResponse.objects.get()
    assert response.status == ResponseStatus.SENT and response.letter == letter and response.event == event
    items = {i.code: i for i in ChecklistItem.objects.filter(response=event)}
    assert items["art15_1_c"].answered is False and items["art15_1_a"].answered is True
    assert items["erasure:models"].answered is True and items["art15_1_a"].set_by == "answer"
    mail = OutboxMessage.objects.get(key=f"employer-response:{response.pk}")
    assert case.owner.email in mail.to and "recipients" in mail.body


def test_the_pdf_holds_each_artefact_outcome_and_ground(case, dpo, pdf_rendering):
    pypdf = pytest.importorskip("pypdf")
    result = _send(case, dpo, full_answer())
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(result.letter.pdf.read())).pages)
    text = " ".join(text.split())
    for expected in ("raw-keystroke-logs", "deleted", "support-agent-v3", "retrained_without", "eval-2024",
                     "retained", "Art. 17(3)(e) GDPR", "Art. 12(4) GDPR", case.reference):
        assert expected in text, expected


def test_a_further_answer_completes_the_earlier_one(case, dpo):
    answer = full_answer()
    del answer["access"]["art15_1_c"]
    first = _send(case, dpo, answer)
    assert [gap["code"] for gap in first.missing] == ["art15_1_c"]
    second = _send(case, dpo, {"access": {"art15_1_c": {"status": "answered", "text": "Vendor AI Ltd, Dublin"}}})
    assert second.missing == []  # everything else was answered in the first letter
    event = case.events.filter(kind=EventKind.RESPONSE_RECEIVED).order_by("-id").first()
    assert ChecklistItem.objects.get(response=event, code="art15_1_c").answered is True


def test_a_second_partial_answer_is_its_own_letter(case, dpo, pdf_rendering):
    first = _send(case, dpo, {"access": {"art15_1_a": {"status": "answered", "text": "Analytics"}}})
    second = _send(case, dpo, full_answer())
    assert first.letter.pk != second.letter.pk
    assert case.letters.filter(kind=LetterKind.RESPONSE, is_final=True).count() == 2
    assert case.events.filter(kind=EventKind.RESPONSE_RECEIVED).count() == 2


def test_another_team_and_the_owner_cannot_answer(case, other_dpo, owner):
    from django.core.exceptions import PermissionDenied

    for user in (other_dpo, owner):
        with pytest.raises(PermissionDenied):
            response_save(case=case, user=user, data={}, send=False, today=TODAY)


def test_a_draft_is_saved_once_per_team_and_sends_nothing(case, dpo):
    response_save(case=case, user=dpo, data={}, send=False, today=TODAY)
    response_save(case=case, user=dpo, data=full_answer(), send=False, today=TODAY)
    assert EmployerResponse.objects.count() == 1 and EmployerResponse.objects.get().missing == []
    assert not case.events.filter(kind=EventKind.RESPONSE_RECEIVED).exists()


def test_a_request_recorded_by_the_team_is_answered_without_an_email_and_the_team_downloads_it(
        client, dpo, team, employer, pdf_rendering):
    from django.urls import reverse

    from deletion_portal.dpo.services import case_record_received_elsewhere
    from tests.support.world import login

    case = case_record_received_elsewhere(
        team=team, actor=dpo, employer=employer, requester_name="Paula Post", requester_address="Postweg 1",
        rights=["erasure"], law_key="eu-gdpr", region="DE-BY", received_on=date(2025, 5, 5), channel="post",
        categories=["keystrokes"], today=date(2025, 5, 5))
    result = _send(case, dpo, {"erasure": {"categories": [{"category": "keystrokes", "outcome": "erased", "on": "2025-05-10"}]}})
    assert not OutboxMessage.objects.filter(key__startswith="employer-response:").exists()
    login(client, dpo)
    page = client.get(reverse("dpo:case", args=[case.pk])).content.decode()
    assert result.letter.sha256 in page and "send them to the requester yourselves" in page
    assert client.get(reverse("cases:letter-pdf", args=[case.pk, result.letter.pk])).status_code == 200


# --- Other regimes: the record's lists, never a law key in code -------------------------------------------------


def case_under(owner, employer, *, law_key: str, region: str, country: str):
    from deletion_portal.cases.services import case_create, case_record_event
    from tests.support.data import DRAFT_FIELDS
    from tests.support.world import finalise_directly

    fields = {**DRAFT_FIELDS, "law_key": law_key, "region": region, "work_country": country, "work_region": region,
              "residence_country": country, "residence_region": region, "rights": ["access", "erasure"]}
    case = finalise_directly(case_create(owner=owner, employer=employer, **fields))
    case_record_event(case=case, kind=EventKind.SENT, on=date(2025, 5, 2), actor=owner, details={"channel": "email"},
                      today=date(2025, 5, 2))
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("law_key, region, country, ground, accepted", [
    ("us-ca-ccpa", "US-CA", "US", "d7", True),            # Cal. Civ. Code §1798.105(d)(7): internal uses
    ("us-ca-ccpa", "US-CA", "US", "legal_claims", False),  # a GDPR 17(3)(e) ground is not a CCPA exception
    ("eu-gdpr", "DE-BY", "DE", "legal_claims", True),      # GDPR Art. 17(3)(e)
    ("ca-pipeda", "CA-ON", "CA", "formal_dispute", True),  # no answer rules in the record: its refusal grounds
])
def test_retention_grounds_per_regime(owner, employer, team, dpo, law_key, region, country, ground, accepted):
    case = case_under(owner, employer, law_key=law_key, region=region, country=country)
    data = {"artefacts": [{"kind": "model", "name": "m", "outcome": "retained", "ground": ground}]}
    if accepted:
        assert answer_clean(case=case, data=data, team=team, today=TODAY)["artefacts"][0]["ground"] == ground
    else:
        with pytest.raises(ValidationError) as error:
            answer_clean(case=case, data=data, team=team, today=TODAY)
        assert "artefacts[0].ground" in error.value.message_dict


@pytest.mark.parametrize("law_key, region, country, first_items", [
    ("us-ca-ccpa", "US-CA", "US", ["data:held", "sources", "purposes", "recipients"]),  # Civ. Code §1798.110
    ("ca-pipeda", "CA-ON", "CA", ["data:held", "purposes", "recipients", "retention"]),  # generic items
])
def test_the_access_items_come_from_the_record(owner, employer, team, dpo, law_key, region, country, first_items):
    case = case_under(owner, employer, law_key=law_key, region=region, country=country)
    gaps = answer_gaps(case=case, answer=answer_clean(case=case, data={}, team=team, today=TODAY))
    assert [gap["code"] for gap in gaps][:4] == first_items


def test_a_refusal_in_the_answer_is_recorded_as_a_refusal_with_the_remedies(case, dpo, pdf_rendering):
    """GDPR Art. 12(4): reasons and remedies; Art. 12(5): the ground. The outcome columns count it."""
    answer = full_answer(refusal={"scope": "part", "grounds": ["manifestly_excessive"], "reasons": "Third request this month."})
    result = _send(case, dpo, answer)
    case.refresh_from_db()
    refused = case.events.get(kind=EventKind.REFUSED)
    assert refused.details["scope"] == "in part" and refused.details["remedies_citation"] == "Art. 12(4) GDPR"
    assert refused.details["letter"] == result.letter.short_id and refused.team is not None
    assert case.refused is True and case.outcome == "refused"
    assert "Art. 12(4) GDPR" in result.letter.html and "Third request this month." in result.letter.html
