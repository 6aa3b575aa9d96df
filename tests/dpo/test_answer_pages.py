"""The answer in the browser without JavaScript: the DPO's form on the case page (save and check, send, form
errors naming the field, values kept), and the employee's side (item by item, gaps highlighted, artefacts in
plain language, accept and dispute in one click each, the checklist filled and the override recorded)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from deletion_portal.cases.models import CaseStatus, EventKind, LetterKind
from deletion_portal.dpo.models import EmployerResponse, ResponseStatus
from deletion_portal.tracking.models import ChecklistItem
from tests.support.world import login

pytestmark = pytest.mark.django_db

TODAY = date(2025, 5, 20)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    import deletion_portal.core.pdf as pdf
    from tests.support.data import PDF_BYTES

    monkeypatch.setattr(pdf, "render_pdf", lambda *args, **kwargs: PDF_BYTES)
    with time_machine.travel(TODAY, tick=False):
        yield


FORM = {
    "on": "2025-05-19", "access-art15_1_a-status": "answered", "access-art15_1_a-text": "Support analytics",
    "training-count": "2", "training-0-category": "keystrokes", "training-0-held": "yes",
    "training-0-used_for_training": "yes", "training-1-category": "mouse_movements", "training-1-held": "no",
    "artefact-count": "2",
    "art-0-kind": "model", "art-0-name": "support-agent-v3", "art-0-outcome": "retrained_without",
    "art-0-outcome_date": "2025-05-12", "art-0-recipients": "none",
    "art-1-kind": "evaluation_set", "art-1-name": "eval-2024", "art-1-outcome": "retained", "art-1-ground": "legal_claims",
    "art-1-recipients": "none",
    "erasure-count": "1", "erasure-0-category": "keystrokes", "erasure-0-outcome": "erased", "erasure-0-on": "2025-05-10",
    "objection-outcome": "upheld", "objection-from": "2025-05-05",
}


def test_the_dpo_page_offers_the_form_with_the_laws_items(client, dpo, sent_case):
    login(client, dpo)
    page = client.get(reverse("dpo:case", args=[sent_case.pk])).content.decode()
    assert 'id="answer-form"' in page and "Art. 15(1)(c) GDPR" in page
    assert "Art. 17(3)(e) GDPR" in page  # the law's retention grounds
    assert 'name="art-0-outcome"' in page and "retrained_without" in page


def test_saving_shows_the_gaps_and_sending_records_the_answer(client, dpo, sent_case):
    login(client, dpo)
    saved = client.post(reverse("dpo:case-answer", args=[sent_case.pk]), {**FORM, "save": "1"})
    assert saved.status_code == 302
    page = client.get(reverse("dpo:case", args=[sent_case.pk])).content.decode()
    assert 'id="answer-gaps"' in page and "The recipients, by name" in page
    assert 'value="support-agent-v3"' in page  # the draft is shown again
    draft = EmployerResponse.objects.get()
    assert draft.status == ResponseStatus.DRAFT and not sent_case.letters.filter(kind=LetterKind.RESPONSE).exists()

    sent = client.post(reverse("dpo:case-answer", args=[sent_case.pk]), {**FORM, "send": "1"})
    assert sent.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.SENT and draft.letter.kind == LetterKind.RESPONSE
    assert {gap["code"] for gap in draft.missing} >= {"art15_1_c", "erasure:recipients"}


def test_a_bad_row_is_a_form_error_naming_the_field_and_nothing_is_lost(client, dpo, sent_case):
    login(client, dpo)
    response = client.post(reverse("dpo:case-answer", args=[sent_case.pk]), {**FORM, "art-1-ground": "", "send": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "artefacts[1].ground" in page and "ground from the law" in page
    assert 'value="support-agent-v3"' in page and "Support analytics" in page
    assert not EmployerResponse.objects.exists() and not sent_case.events.filter(kind=EventKind.RESPONSE_RECEIVED).exists()


def test_a_file_upload_of_the_wrong_type_is_a_form_error(client, dpo, sent_case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, dpo)
    response = client.post(reverse("dpo:case-answer-file", args=[sent_case.pk]),
                           {"file": SimpleUploadedFile("copy.pdf", b"a,b\n1,2\n")})
    assert response.status_code == 400 and "file:" in response.content.decode()


@pytest.fixture
def answered(client, dpo, sent_case):
    login(client, dpo)
    assert client.post(reverse("dpo:case-answer", args=[sent_case.pk]), {**FORM, "send": "1"}).status_code == 302
    client.logout()
    return sent_case


def test_the_employee_sees_the_answer_item_by_item_with_the_gaps(client, owner, answered):
    login(client, owner)
    page = client.get(reverse("cases:detail", args=[answered.pk])).content.decode()
    assert "The employer&#x27;s answer of 19 May 2025" in page or "The employer's answer of 19 May 2025" in page
    assert 'class="missing" data-code="art15_1_c"' in page
    assert "Model support-agent-v3: retrained without your data on 12 May 2025" in page
    assert "Evaluation set eval-2024: kept, on the ground: The establishment, exercise or defence of legal claims (Art. 17(3)(e) GDPR)" in page
    assert 'id="accept-answer"' in page and 'id="dispute-answer"' in page
    assert "Held: yes; used for training: yes" in page  # the training row for keystrokes, in words
    assert "Upheld: processing for training stopped on 5 May 2025" in page
    timeline = page.split('id="timeline"')[1]  # the event in words: the letter, its hash, what is not answered
    assert "Not answered" in timeline and "The recipients, by name" in timeline
    assert "art15_1_a" not in timeline and "file_ids" not in timeline.lower()


@pytest.mark.parametrize("language, phrases", [
    ("de", ["Die Antwort des Arbeitgebers vom 19. Mai 2025",
            "Modell support-agent-v3: am 12. Mai 2025 ohne Ihre Daten neu trainiert",
            # GDPR Art. 17(3)(e) in the German text, cited as the German letters cite it.
            "Evaluierungsdatensatz eval-2024: aufbewahrt, mit dem Grund: Geltendmachung, Ausübung oder Verteidigung "
            "von Rechtsansprüchen (Art. 17 Abs. 3 lit. e DSGVO)",
            "Die Verarbeitungszwecke (Art. 15 Abs. 1 lit. a DSGVO)", "Vorhanden: ja; zum Training verwendet: ja",
            "Die Empfänger, namentlich", "Stattgegeben: Verarbeitung zum Training am 5. Mai 2025 eingestellt",
            "Was mit den Datensätzen und Modellen geschah", "Antwort annehmen und den Fall schließen"]),
    ("fr", ["La réponse de l’employeur du 19 mai 2025",
            "Modèle support-agent-v3: réentraîné sans vos données le 12 mai 2025",
            # GDPR Art. 17(3)(e) in the French text.
            "La constatation, l&#x27;exercice ou la défense de droits en justice (article 17, paragraphe 3, point e), du RGPD)",
            "Les finalités du traitement (article 15, paragraphe 1, point a), du RGPD)",
            "Accepter la réponse et clore le dossier"]),
])
def test_the_employee_sees_the_answer_in_the_interface_language(client, owner, answered, language, phrases):
    login(client, owner)
    client.cookies["django_language"] = language
    page = client.get(reverse("cases:detail", args=[answered.pk])).content.decode()
    answer = page.split('class="card employer-answer"')[1].split("</section>")[0]
    for phrase in phrases:
        assert phrase in answer, phrase
    for english in ("retrained without your data", "kept, on the ground", "The purposes of the processing",
                    "Held: yes", "What happened to the datasets", "Art. 17(3)(e) GDPR"):
        assert english not in answer, english


def test_the_checklist_is_filled_from_the_answer_and_an_override_is_recorded(client, owner, answered):
    event = answered.events.get(kind=EventKind.RESPONSE_RECEIVED)
    items = {i.code: i for i in ChecklistItem.objects.filter(response=event)}
    assert items["art15_1_a"].answered and not items["art15_1_c"].answered and items["art15_1_a"].set_by == "answer"
    login(client, owner)
    ticked = [code for code, item in items.items() if item.answered and code != "art15_1_a"]
    client.post(reverse("tracking:checklist", args=[answered.pk, event.pk]), {"answered": ticked, "save": "1"})
    overridden = ChecklistItem.objects.get(response=event, code="art15_1_a")
    assert not overridden.answered and overridden.set_by == "employee" and overridden.overridden_at is not None
    untouched = ChecklistItem.objects.get(response=event, code="art15_1_b")
    assert untouched.set_by == "answer" and untouched.overridden_at is None
    page = client.get(reverse("tracking:checklist", args=[answered.pk, event.pk])).content.decode()
    assert "changed by you on 20 May 2025" in page and "(as the employer's answer says)" in page


def test_accepting_closes_the_case_as_fulfilled_in_one_click(client, owner, answered):
    login(client, owner)
    page = client.get(reverse("cases:detail", args=[answered.pk])).content.decode()
    assert 'name="event-outcome" value="fulfilled"' in page
    response = client.post(reverse("cases:record-event", args=[answered.pk]), {
        "event-kind": "closed", "event-on": "2025-05-20", "event-outcome": "fulfilled", "event-note": "Accepted"})
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.status == CaseStatus.CLOSED and answered.outcome == "fulfilled"


def test_disputing_drafts_a_follow_up_naming_the_missing_items_and_citing_the_letter(client, owner, answered):
    event = answered.events.get(kind=EventKind.RESPONSE_RECEIVED)
    ticked = list(ChecklistItem.objects.filter(response=event, answered=True).values_list("code", flat=True))
    login(client, owner)
    response = client.post(reverse("tracking:checklist", args=[answered.pk, event.pk]), {"answered": ticked, "follow_up": "1"})
    assert response.status_code == 302
    follow_up = answered.letters.get(kind=LetterKind.FOLLOW_UP)
    assert "the recipients, by name (Art. 15(1)(c)" in follow_up.html
    assert event.details["sha256"] in follow_up.html and event.details["letter"] in follow_up.html
    assert set(ChecklistItem.objects.filter(response=event, answered=True).values_list("code", flat=True)) == set(ticked)


def test_the_owners_export_carries_the_answers(owner, answered):
    from deletion_portal.cases.hooks import case_export_sections

    sections = case_export_sections(cases=[answered])[answered.pk]
    [answer] = sections["employer_answers"]
    assert answer["letter"]["kind"] == "response" and answer["artefacts"][0]["name"] == "support-agent-v3"
