"""Helpers for the tracking tests: send a case's request, record the employer's response, read a page's
or a PDF's text; the days the follow-up and complaint tests are built on."""

from __future__ import annotations

import io
import re
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import case_record_event
from deletion_portal.cases.uploads import check_upload
from tests.support.data import PDF_BYTES, SENT_ON

DUE = date(2025, 6, 2)
AFTER = date(2025, 6, 10)
HOSTILE = '<script>alert("x")</script><img src="http://evil.example/x.png">'


def send(case, on=SENT_ON):
    case_record_event(case=case, kind=EventKind.SENT, on=on, actor=case.owner, details={"channel": "email"}, today=on)
    case.refresh_from_db()
    return case


def respond(case, on=date(2025, 5, 20), *, with_file=True):
    upload = check_upload(SimpleUploadedFile("answer.pdf", PDF_BYTES)) if with_file else None
    event = case_record_event(case=case, kind=EventKind.RESPONSE_RECEIVED, on=on, actor=case.owner,
                              upload=upload, upload_name="answer.pdf", today=on)
    case.refresh_from_db()
    return event


def text_of(markup: str) -> str:
    body = re.sub(r"<title>.*?</title>", " ", markup, flags=re.S)
    body = re.sub(r"</?strong>", "", body)
    return re.sub(r"\s+", " ", __import__("html").unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def pdf_text(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def follow_up_sent(case, on=AFTER):
    """Draft, finalise and send (by email, recorded) the follow-up on ``on``: a complaint for silence or an
    incomplete answer may be drafted once the 14 days it gives have run (from ``on`` + 15 days)."""
    from datetime import datetime, time
    from datetime import timezone as dt_timezone

    import time_machine

    from deletion_portal.cases.services import letter_finalize
    from deletion_portal.tracking.letters import follow_up_draft

    with time_machine.travel(datetime.combine(on, time(12), dt_timezone.utc), tick=False):
        letter = letter_finalize(case=case, letter=follow_up_draft(case=case, today=on), today=on)
        case_record_event(case=case, kind=EventKind.SENT, on=on, actor=case.owner,
                          details={"channel": "email", "letter": letter.short_id}, today=on)
    case.refresh_from_db()
    return letter
