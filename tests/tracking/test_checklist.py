"""Response completeness: recording a response opens a checklist of what the request asked."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import case_record_event
from deletion_portal.tracking.checklist import (
    checklist_codes,
    checklist_label,
    checklist_missing_codes,
    checklist_open,
    checklist_update,
)
from deletion_portal.tracking.models import ChecklistItem
from tests.support.tracking import follow_up_sent, respond, send
from tests.support.world import login


@pytest.fixture
def answered(final_case):
    case = send(final_case)
    return case, respond(case, with_file=False)


def test_recording_a_response_opens_the_checklist(answered):
    case, event = answered
    codes = [item.code for item in event.checklist.all()]
    assert codes[:8] == [f"art15_1_{x}" for x in "abcdefgh"]
    assert "copy" in codes
    assert {"category:keystrokes", "category:mouse_movements"} <= set(codes)
    assert {"training:used", "training:models", "training:recipients", "training:legal_basis"} <= set(codes)
    assert {"erasure:raw", "erasure:datasets", "erasure:models", "erasure:recipients"} <= set(codes)
    assert {"objection:stopped", "restriction:applied"} <= set(codes)
    labels = {item.code: item.label for item in event.checklist.all()}
    assert labels["art15_1_a"] == "the purposes of the processing (Art. 15(1)(a))"
    assert labels["copy"] == "a copy of the data (Art. 15(3))"
    assert labels["erasure:recipients"] == "erasure confirmed at vendors and other recipients (Art. 19)"
    assert labels["category:keystrokes"] == "the data: Keystrokes"
    assert all(not item.answered for item in event.checklist.all())


def test_opening_is_idempotent(answered):
    case, event = answered
    before = ChecklistItem.objects.filter(response=event).count()
    again = checklist_open(case=case, response_event=event)
    assert len(again) == before == ChecklistItem.objects.filter(response=event).count()


def test_other_events_open_no_checklist(final_case):
    case = send(final_case)
    assert not ChecklistItem.objects.filter(case=case).exists()
    case_record_event(case=case, kind=EventKind.REFUSED, on=date(2025, 5, 5), details={"grounds": "No."}, today=date(2025, 5, 5))
    assert not ChecklistItem.objects.filter(case=case).exists()


def test_update_ticks_exactly_what_was_answered(answered):
    case, event = answered
    checklist_update(case=case, response_event=event, answered_codes={"art15_1_a", "copy"})
    ticked = set(event.checklist.filter(answered=True).values_list("code", flat=True))
    assert ticked == {"art15_1_a", "copy"}
    checklist_update(case=case, response_event=event, answered_codes={"copy"})
    assert set(event.checklist.filter(answered=True).values_list("code", flat=True)) == {"copy"}
    missing = checklist_missing_codes(case)
    assert "art15_1_a" in missing
    assert "copy" not in missing


def test_missing_reads_the_latest_response(answered):
    case, first = answered
    second = respond(case, on=date(2025, 5, 28), with_file=False)
    checklist_update(case=case, response_event=first, answered_codes=set())
    checklist_update(case=case, response_event=second, answered_codes={i.code for i in second.checklist.all()} - {"copy"})
    assert checklist_missing_codes(case) == ["copy"]


def test_a_checklist_belongs_to_its_case(answered, owner, employer):
    from deletion_portal.cases.services import case_create
    from tests.support.data import DRAFT_FIELDS

    case, event = answered
    other = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
    with pytest.raises(ValidationError):
        checklist_update(case=other, response_event=event, answered_codes=set())


def test_generic_wording_outside_the_gdpr(draft_case):
    draft_case.law_key = "ch-fadp"
    draft_case.rights = ["access", "erasure"]
    codes = checklist_codes(draft_case)
    assert "art15_1_a" not in codes and "data:held" in codes
    assert checklist_label("erasure:recipients", family="generic") == "deletion confirmed at vendors and other recipients"
    assert "Art." not in checklist_label("copy", family="generic")


def test_labels_exist_in_the_letter_languages():
    for lang in ("de", "fr", "es", "it", "nl", "pt"):
        assert checklist_label("copy", lang) != checklist_label("copy", "en")
    assert checklist_label("copy", "de") == "eine Kopie der Daten (Art. 15 Abs. 3 DSGVO)"
    assert checklist_label("category:keystrokes", "de") == "die Daten: Tastatureingaben"


# --- The view -------------------------------------------------------------------------------------------


def test_the_form_shows_and_saves(answered, owner_client):
    case, event = answered
    url = f"/cases/{case.pk}/checklist/{event.pk}/"
    page = owner_client.get(url)
    assert page.status_code == 200
    assert "the purposes of the processing" in page.content.decode()
    assert "Dispute: draft a complaint" in page.content.decode()
    response = owner_client.post(url, {"answered": ["copy", "art15_1_b", "not-a-code"], "save": "1"})
    assert response.status_code == 302
    assert set(event.checklist.filter(answered=True).values_list("code", flat=True)) == {"copy", "art15_1_b"}


def test_dispute_drafts_the_complaint_once_the_follow_up_has_run_and_shows_it(answered, owner_client, pdf_rendering):
    import time_machine

    case, event = answered
    url = f"/cases/{case.pk}/checklist/{event.pk}/"
    with time_machine.travel(date(2025, 6, 10), tick=False):
        response = owner_client.post(url, {"answered": ["copy"], "dispute": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/complaint/"
    assert "Send the follow-up first" in response.content.decode()  # an incomplete answer gets the follow-up first
    assert case.letters.filter(kind="complaint").count() == 0
    follow_up_sent(case)  # 10 June 2025: answer by 24 June
    with time_machine.travel(date(2025, 6, 26), tick=False):
        response = owner_client.post(url, {"answered": ["copy"], "dispute": "1"})
        assert response.status_code == 302
        assert response["Location"] == f"/cases/{case.pk}/complaint/"
        assert case.letters.filter(kind="complaint").count() == 1
        owner_client.post(url, {"answered": ["copy"], "dispute": "1"})
    assert case.letters.filter(kind="complaint").count() == 1  # drafting is idempotent


def test_save_and_follow_up_drafts_the_follow_up(answered, owner_client):
    case, event = answered
    response = owner_client.post(f"/cases/{case.pk}/checklist/{event.pk}/", {"answered": ["copy"], "follow_up": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/follow-up/"
    assert case.letters.filter(kind="follow_up").count() == 1


def test_an_event_that_is_not_a_response_is_404(answered, owner_client):
    case, _ = answered
    sent = case.events.get(kind=EventKind.SENT)
    assert owner_client.get(f"/cases/{case.pk}/checklist/{sent.pk}/").status_code == 404


def test_other_users_get_404(answered, client, colleague, outsider):
    case, event = answered
    for user in (colleague, outsider):
        login(client, user)
        assert client.get(f"/cases/{case.pk}/checklist/{event.pk}/").status_code == 404
        assert client.post(f"/cases/{case.pk}/checklist/{event.pk}/", {"answered": ["copy"]}).status_code == 404
    assert not event.checklist.filter(answered=True).exists()


def test_anonymous_is_sent_to_login(answered, client):
    case, event = answered
    response = client.get(f"/cases/{case.pk}/checklist/{event.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]
