"""The preview PDF, finalising, the case page (status, next date, trail, letters, timeline), sending
by email through the outbox, and "My cases"."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deletion_portal.cases.models import Case, EventKind, Letter
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.core.models import OutboxMessage
from deletion_portal.core.outbox import message_id_for

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Preview and finalising ---------------------------------------------------------------------------


def test_it_serves_the_preview_as_an_inline_pdf(owner_client, draft_case, pdf_rendering):
    response = owner_client.get(reverse("cases:preview-pdf", args=[draft_case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    assert not draft_case.letters.filter(is_final=True).exists()


def test_it_sends_an_incomplete_draft_back_to_the_wizard_instead_of_a_preview(owner_client, draft_case):
    draft_case.requester_address = ""
    draft_case.save()
    response = owner_client.get(reverse("cases:preview-pdf", args=[draft_case.pk]), follow=True)
    assert response.redirect_chain[0][0] == reverse("cases:step", args=[draft_case.pk, 7])
    assert "Enter your postal address." in text(response)


def test_it_finalises_and_shows_the_sha256_of_the_downloaded_pdf(owner_client, draft_case, pdf_rendering):
    response = owner_client.post(reverse("cases:finalize", args=[draft_case.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[draft_case.pk])
    letter = Letter.objects.get(case=draft_case, is_final=True)

    download = owner_client.get(reverse("cases:letter-pdf", args=[draft_case.pk, letter.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    pdf = body(download)
    assert pdf.startswith(b"%PDF")

    page = text(owner_client.get(reverse("cases:detail", args=[draft_case.pk])))
    assert hashlib.sha256(pdf).hexdigest() in page
    assert letter.short_id in page and "Letter ready to send" in page


def test_it_finalises_only_once(owner_client, draft_case, pdf_rendering):
    owner_client.post(reverse("cases:finalize", args=[draft_case.pk]))
    again = owner_client.post(reverse("cases:finalize", args=[draft_case.pk]))
    assert again.status_code == 302
    assert draft_case.letters.filter(is_final=True).count() == 1
    assert draft_case.events.filter(kind=EventKind.FINALISED).count() == 1
    # The wizard is closed once the letter is final.
    step = owner_client.get(reverse("cases:step", args=[draft_case.pk, 3]))
    assert step.status_code == 302 and step["Location"] == reverse("cases:detail", args=[draft_case.pk])


def test_it_shows_a_refused_finalisation_on_the_preview(owner_client, draft_case):
    draft_case.language = "pt"  # not a language the GDPR letter exists in
    draft_case.save()
    response = owner_client.post(reverse("cases:finalize", args=[draft_case.pk]))
    assert response.status_code == 400
    assert "Letters under GDPR are available in" in text(response)
    assert not draft_case.letters.filter(is_final=True).exists()


# --- The case page ---------------------------------------------------------------------------------------


def test_it_shows_a_draft_with_a_link_back_to_the_wizard(owner_client, draft_case):
    page = text(owner_client.get(reverse("cases:detail", args=[draft_case.pk])))
    assert "still a draft" in page
    assert reverse("cases:step", args=[draft_case.pk, 7]) in page
    assert "No final letter yet." in page
    assert 'id="record-event"' not in page  # nothing to record before the letter is final


def test_it_lists_only_final_letters_as_evidence(owner_client, final_case):
    Letter.objects.create(case=final_case, kind="follow_up", language="en", template_version="t", html="<p>x</p>")
    page = text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    final = final_case.letters.get(is_final=True)
    assert page.count('class="card letter"') == 1
    assert final.sha256 in page


def test_it_shows_the_next_date_days_left_and_the_trail(owner_client, final_case):
    today = timezone.localdate()
    case_record_event(case=final_case, kind=EventKind.RECEIVED, on=today, actor=final_case.owner,
                      details={"confirmed": True})
    final_case.refresh_from_db()
    page = text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    left = (final_case.next_date - today).days
    assert final_case.next_date_label in page
    assert f"{left} days left" in page
    assert 'id="trail"' in page and "Art. 12(3) GDPR" in page


def test_it_shows_the_timeline_with_actor_source_and_details(owner_client, final_case, dpo):
    case_record_event(case=final_case, kind=EventKind.SENT, on=date(2025, 5, 5), actor=final_case.owner,
                      details={"channel": "post", "tracking_number": "RR123456789DE"})
    case_record_event(case=final_case, kind=EventKind.ACKNOWLEDGED, on=date(2025, 5, 9), actor=dpo,
                      details={"note": "Thank you, we are on it."}, source="employer")
    case_record_event(case=final_case, kind=EventKind.CLARIFICATION_REQUESTED, on=date(2025, 5, 10), actor=None)
    page = text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    timeline = page.split('id="timeline"')[1]
    for label in ("Drafted", "Letter finalised", "Sent", "Receipt acknowledged", "Clarification asked for"):
        assert label in timeline
    assert "by you · Portal" in timeline
    assert "by dpo@acme.example · The employer&#x27;s team" in timeline  # which side acted
    assert "by system" in timeline
    assert "RR123456789DE" in timeline and "By post" in timeline
    assert "Thank you, we are on it." in timeline


def test_it_hides_the_email_action_when_the_employer_has_no_privacy_address(owner_client, owner, employer_without_email):
    from tests.support.data import DRAFT_FIELDS

    case = case_create(owner=owner, employer=employer_without_email, **DRAFT_FIELDS)
    case.status = "finalised"
    case.save()
    Letter.objects.create(case=case, kind="request", language="en", template_version="t", html="<p>x</p>",
                          is_final=True, finalised_at=timezone.now(), sha256="0" * 64)
    page = text(owner_client.get(reverse("cases:detail", args=[case.pk])))
    assert 'id="send-email"' not in page
    assert "We have no privacy email address for this employer" in page
    response = owner_client.post(reverse("cases:send-email", args=[case.pk]), follow=True)
    assert "We have no privacy email address" in text(response)
    assert not OutboxMessage.objects.exists()


# --- Sending by email --------------------------------------------------------------------------------------


def test_it_sends_the_letter_once_to_the_privacy_address(owner_client, final_case, eager_celery,
                                                         django_capture_on_commit_callbacks):
    url = reverse("cases:send-email", args=[final_case.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url)
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["privacy@acme.example"]
    assert message.cc == ["olive@mail.example"] and message.reply_to == ["olive@mail.example"]
    name, content, content_type = message.attachments[0]
    assert content_type == "application/pdf" and content.startswith(b"%PDF")
    letter = final_case.letters.get(is_final=True)
    assert name == f"{final_case.reference}-{letter.short_id}.pdf"
    # One Message-ID per outbox row: a resend after a crash is recognisable as the same message.
    assert message.extra_headers["Message-ID"] == message_id_for(OutboxMessage.objects.get().key)
    assert OutboxMessage.objects.filter(topic=f"case:{final_case.pk}").count() == 1
    assert final_case.events.filter(kind=EventKind.SENT).count() == 1

    page = text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    outbox = page.split('class="outbox"')[1]
    assert "Sent" in outbox and "privacy@acme.example" in outbox
    final_case.refresh_from_db()
    assert final_case.status == "sent"


def test_it_shows_a_failed_delivery_with_its_error(owner_client, final_case, settings):
    OutboxMessage.objects.create(key="x", topic=f"case:{final_case.pk}", to=["privacy@acme.example"], subject="s",
                                 body="b", state="retrying", attempts=2, last_error="SMTPServerDisconnected: gone")
    page = text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    assert "Retrying" in page and "SMTPServerDisconnected: gone" in page


# --- My cases ------------------------------------------------------------------------------------------------


def test_it_lists_my_cases_next_date_first_with_days_left(owner_client, owner, colleague, employer, final_case):
    today = timezone.localdate()
    soon = case_create(owner=owner, employer=employer, law_key="eu-gdpr", region="DE-BY", sent_outside_portal=True)
    case_record_event(case=soon, kind=EventKind.SENT, on=today - timedelta(days=20), details={"channel": "email"})
    soon.refresh_from_db()
    case_create(owner=colleague, employer=employer)  # someone else's
    response = owner_client.get(reverse("cases:list"))
    page = text(response)
    assert page.index(soon.reference) < page.index(final_case.reference)
    left = (soon.next_date - today).days
    assert f"{left} days left" in page
    assert reverse("cases:detail", args=[soon.pk]) in page
    assert reverse("cases:step", args=[final_case.pk, 7]) not in page  # finalised: not a wizard link
    assert Case.objects.count() == 3 and page.count('class="card case-row"') == 2


def test_it_lists_my_cases_in_a_fixed_number_of_queries(owner_client, owner, employer):
    """As many queries for 12 cases as for 2 (tests/test_query_counts.py covers every other list)."""
    counts = []
    for total in (2, 12):
        while Case.objects.filter(owner=owner).count() < total:
            case_create(owner=owner, employer=employer)
        with CaptureQueriesContext(connection) as context:
            response = owner_client.get(reverse("cases:list"))
        assert response.status_code == 200 and response.content.decode().count('class="card case-row"') == total
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1], counts
