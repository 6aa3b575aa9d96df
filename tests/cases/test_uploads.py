"""Uploaded evidence: the type is decided by the content, the size by a setting; a refused file stores
nothing; an accepted one is served back as a download with its sniffed type."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from deletion_portal.cases.models import Attachment, Case, EventKind
from tests.support.data import EML_BYTES, HTML_BYTES, PDF_BYTES, PNG_BYTES

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT / "attachments"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def respond(client, case, upload, kind="response_received", on="2025-06-20"):
    return client.post(reverse("cases:record-event", args=[case.pk]),
                       {"event-kind": kind, "event-on": on, "event-upload": upload})


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PDF_BYTES, "answer.pdf", "application/pdf"),
        (PNG_BYTES, "screenshot.png", "image/png"),
        (EML_BYTES, "their reply.eml", "message/rfc822"),
    ],
)
def test_it_accepts_a_real_file_and_serves_it_back_as_an_attachment(owner_client, final_case, upload, settings,
                                                                    content, name, content_type):
    response = respond(owner_client, final_case, upload(content, name, "application/octet-stream"))
    assert response.status_code == 302
    attachment = Attachment.objects.get(case=final_case)
    assert attachment.content_type == content_type
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    event = final_case.events.get(kind=EventKind.RESPONSE_RECEIVED)
    assert event.attachment == attachment
    final_case.refresh_from_db()
    assert final_case.status == "answered"

    url = reverse("cases:attachment", args=[final_case.pk, attachment.pk])
    assert url in text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    download = owner_client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == content


def test_it_refuses_an_html_file_named_pdf_and_stores_nothing(owner_client, final_case, upload, settings):
    response = respond(owner_client, final_case, upload(HTML_BYTES, "answer.pdf", "application/pdf"))
    assert response.status_code == 400
    assert "This file type is not accepted" in text(response)
    assert not Attachment.objects.exists() and stored_files(settings) == []
    assert not final_case.events.filter(kind=EventKind.RESPONSE_RECEIVED).exists()


def test_it_refuses_an_oversize_file_and_stores_nothing(owner_client, final_case, upload, settings):
    settings.UPLOAD_MAX_BYTES = 64
    response = respond(owner_client, final_case, upload(PDF_BYTES, "answer.pdf"))
    assert response.status_code == 400
    assert "The file is too large" in text(response)
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_it_stores_nothing_when_the_event_itself_is_refused(owner_client, final_case, upload, settings):
    response = respond(owner_client, final_case, upload(PDF_BYTES, "answer.pdf"), on="2025-04-01")
    assert response.status_code == 400
    assert "The letter was finalised on 2025-05-02" in text(response)
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_it_keeps_the_original_of_a_request_sent_elsewhere(owner_client, employer, upload):
    response = owner_client.post(reverse("cases:track"), {
        "employer-employer": employer.pk, "work_place": "DE-BY", "law_key": "eu-gdpr", "sent_on": "2023-10-02",
        "channel": "email", "rights": ["access"], "upload": upload(EML_BYTES, "my request.eml"),
    })
    assert response.status_code == 302
    case = Case.objects.get()
    sent = case.events.get(kind=EventKind.SENT)
    assert sent.attachment.content_type == "message/rfc822"
    assert sent.attachment.original_name == "my request.eml"


def test_it_refuses_a_bad_original_and_creates_no_case(owner_client, employer, upload, settings):
    response = owner_client.post(reverse("cases:track"), {
        "employer-employer": employer.pk, "work_place": "DE-BY", "law_key": "eu-gdpr", "sent_on": "2023-10-02",
        "channel": "email", "rights": ["access"], "upload": upload(HTML_BYTES, "request.pdf"),
    })
    assert response.status_code == 400
    assert "not accepted" in text(response)
    assert not Case.objects.exists() and stored_files(settings) == []
