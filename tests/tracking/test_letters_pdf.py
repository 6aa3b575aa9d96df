"""Every letter's PDF is tagged (a structure tree for screen readers), and a follow-up PDF holds what the
employer needs to match it to the request: the sender's name and address, the original letter's date and
subject, the employer's own reference, a line to sign on (issue 12, "Done means")."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from datetime import timezone as dt_timezone

import pypdf
import pytest
import time_machine

from deletion_portal.cases.models import EventKind, LetterKind
from deletion_portal.cases.services import case_record_event, letter_finalize
from deletion_portal.tracking.letters import complaint_draft, follow_up_draft
from tests.support.tracking import AFTER, follow_up_sent, pdf_text, send

pytestmark = pytest.mark.usefixtures("pdf_rendering")

LATER = date(2025, 7, 1)


@pytest.fixture
def sent_case(final_case):
    return send(final_case)


def on_day(day: date):
    return time_machine.travel(datetime.combine(day, time(12), dt_timezone.utc), tick=False)


def test_the_follow_up_pdf_holds_the_sender_and_the_original_letter(sent_case):
    # The employer acknowledged the request with its own reference.
    case_record_event(case=sent_case, kind=EventKind.ACKNOWLEDGED, on=date(2025, 5, 6), actor=sent_case.owner,
                      details={"their_reference": "HR-2025/0815"}, today=date(2025, 5, 6))
    sent_case.letters.filter(kind=LetterKind.REQUEST).update(
        html='<p class="subject">Data protection request under the GDPR: access and erasure</p>')
    with on_day(AFTER):
        letter = letter_finalize(case=sent_case, letter=follow_up_draft(case=sent_case, today=AFTER), today=AFTER)
    text = pdf_text(letter.pdf.read())
    assert "Olive Owner" in text and "Gartenweg 5" in text and "80333 München" in text  # sender block
    assert "dated 2 May 2025" in text  # the original letter's date
    assert "Subject: Data protection request under the GDPR: access and erasure" in text
    assert "Your reference: HR-2025/0815" in text
    assert "assumed" not in text and "not confirmed" not in text
    assert 'class="signature-line"' in letter.html  # a line to sign on, above the name


def test_the_employers_reference_is_refused_when_too_long(sent_case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="their_reference"):
        case_record_event(case=sent_case, kind=EventKind.ACKNOWLEDGED, on=date(2025, 5, 6), actor=sent_case.owner,
                          details={"their_reference": "x" * 101}, today=date(2025, 5, 6))


def test_every_letter_is_a_tagged_pdf(sent_case, owner, employer):
    from deletion_portal.cases.services import case_create, letter_draft, letter_pdf_bytes
    from tests.support.data import DRAFT_FIELDS

    follow_up = follow_up_sent(sent_case)
    with on_day(LATER):
        complaint = letter_finalize(case=sent_case, letter=complaint_draft(case=sent_case, today=LATER), today=LATER)
    draft = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
    request = letter_pdf_bytes(case=draft, letter=letter_draft(case=draft, today=LATER))
    for pdf in (request, follow_up.pdf.read(), complaint.pdf.read()):
        root = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
        assert "/StructTreeRoot" in root
        assert bool(root["/MarkInfo"]["/Marked"])


def test_the_follow_up_page_offers_sending_it_like_the_request(sent_case, owner_client):
    with on_day(AFTER):
        letter = letter_finalize(case=sent_case, letter=follow_up_draft(case=sent_case, today=AFTER), today=AFTER)
        body = owner_client.get(f"/cases/{sent_case.pk}/follow-up/").content.decode()
        assert 'id="send-this-letter"' in body
        assert f'<input type="hidden" name="letter" value="{letter.short_id}">' in body  # email, to the employer
        assert "Send it by email to privacy@acme.example" in body
        assert "I posted it" in body and "I used their web form" in body
        response = owner_client.post(f"/cases/{sent_case.pk}/record/web-form/",
                                     {"web-used_on": AFTER.isoformat(), "web-letter": letter.short_id})
        assert response.status_code == 302
        body = owner_client.get(f"/cases/{sent_case.pk}/follow-up/").content.decode()
    event = sent_case.events.get(kind=EventKind.SENT, details__letter=letter.short_id)
    assert event.details["letter_kind"] == "follow_up" and event.details["channel"] == "web_form"
    assert 'id="letter-sent"' in body and 'id="send-this-letter"' not in body
