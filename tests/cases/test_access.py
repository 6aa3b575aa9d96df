"""Every case URL of a case being drafted or tracked is the owner's alone: another employee of the same
employer (colleague) and an unrelated one (outsider) get a 404 that does not reveal the case exists (every
role, the DPOs and advocates included, is probed on every URL in tests/security/test_access_audit.py);
an anonymous visitor is sent to log in; a POST by anyone else changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deletion_portal.cases.models import Case, EventKind
from deletion_portal.cases.services import case_record_event
from deletion_portal.cases.uploads import check_upload
from deletion_portal.core.models import OutboxMessage
from tests.support.data import PDF_BYTES
from tests.support.world import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence_case(final_case):
    """A final case with a letter and an attachment, so every URL has something behind it."""
    upload = check_upload(SimpleUploadedFile("answer.pdf", PDF_BYTES))
    case_record_event(case=final_case, kind=EventKind.RESPONSE_RECEIVED, on=date(2025, 6, 1), actor=final_case.owner,
                      upload=upload, upload_name="answer.pdf")
    return final_case


def case_urls(case) -> dict[str, tuple[str, str, dict]]:
    """name → (method, url, data) for every URL that belongs to a case."""
    letter = case.letters.get(is_final=True)
    attachment = case.attachments.get()
    urls = {
        "detail": ("get", reverse("cases:detail", args=[case.pk]), {}),
        "preview-pdf": ("get", reverse("cases:preview-pdf", args=[case.pk]), {}),
        "letter-pdf": ("get", reverse("cases:letter-pdf", args=[case.pk, letter.pk]), {}),
        "attachment": ("get", reverse("cases:attachment", args=[case.pk, attachment.pk]), {}),
        "finalize": ("post", reverse("cases:finalize", args=[case.pk]), {}),
        "send-email": ("post", reverse("cases:send-email", args=[case.pk]), {}),
        "record-post": ("post", reverse("cases:record-post", args=[case.pk]), {"post-posted_on": "2025-06-02"}),
        "record-web-form": ("post", reverse("cases:record-web-form", args=[case.pk]), {"web-used_on": "2025-06-02"}),
        "record-event": ("post", reverse("cases:record-event", args=[case.pk]),
                         {"event-kind": "closed", "event-on": "2025-06-02", "event-outcome": "fulfilled"}),
    }
    step_data = {1: {"employer": case.employer_id}, 2: {"work_place": "FR", "law_key": "eu-gdpr"},
                 3: {"bundle": "find_out"}, 4: {"categories": ["keystrokes"]},
                 5: {"requester_name": "Mallory", "requester_address": "x", "requester_email": "m@evil.example"},
                 6: {"language": "fr"}, 7: {}}
    for n in range(1, 8):
        urls[f"step-{n}"] = ("get", reverse("cases:step", args=[case.pk, n]), {})
        urls[f"step-{n}-post"] = ("post", reverse("cases:step", args=[case.pk, n]), step_data[n])
    return urls


URL_NAMES = ["detail", "preview-pdf", "letter-pdf", "attachment", "finalize", "send-email", "record-post",
             "record-web-form", "record-event"] + [f"step-{n}" for n in range(1, 8)] + [f"step-{n}-post" for n in range(1, 8)]


def snapshot(case) -> dict:
    case = Case.objects.get(pk=case.pk)
    return {
        "case": {f.name: getattr(case, f.name) for f in Case._meta.concrete_fields},
        "events": list(case.events.values_list("pk", "kind", "on")),
        "letters": list(case.letters.values_list("pk", "is_final", "sha256", "html")),
        "attachments": list(case.attachments.values_list("pk", "sha256")),
        "outbox": OutboxMessage.objects.count(),
    }


@pytest.mark.parametrize("who", ["colleague", "outsider"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_it_answers_404_to_anyone_but_the_owner(client, request, evidence_case, who, name):
    login(client, request.getfixturevalue(who))
    before = snapshot(evidence_case)
    method, url, data = case_urls(evidence_case)[name]
    response = getattr(client, method)(url, data)
    assert response.status_code == 404
    assert evidence_case.reference not in response.content.decode()
    assert snapshot(evidence_case) == before


@pytest.mark.parametrize("name", URL_NAMES)
def test_it_sends_anonymous_visitors_to_log_in(client, evidence_case, name):
    before = snapshot(evidence_case)
    method, url, data = case_urls(evidence_case)[name]
    response = getattr(client, method)(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert snapshot(evidence_case) == before


@pytest.mark.parametrize("name", ["detail", "letter-pdf", "attachment", "step-1"])
def test_it_lets_the_owner_in(owner_client, evidence_case, name):
    method, url, data = case_urls(evidence_case)[name]
    assert getattr(owner_client, method)(url, data).status_code in (200, 302)


@pytest.mark.parametrize("url_name", ["cases:list", "cases:new", "cases:track"])
def test_it_requires_a_login_for_the_case_pages(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_it_shows_nobody_elses_cases_on_my_cases(client, colleague, draft_case):
    login(client, colleague)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    assert draft_case.reference not in response.content.decode()


def test_it_answers_404_for_a_letter_or_attachment_of_another_case(owner_client, owner, evidence_case, colleague,
                                                                    employer):
    from deletion_portal.cases.services import case_create

    mine = case_create(owner=owner, employer=employer)
    letter = evidence_case.letters.get(is_final=True)
    attachment = evidence_case.attachments.get()
    # The owner's other case with this case's letter / attachment ids: not found, not served.
    assert owner_client.get(reverse("cases:letter-pdf", args=[mine.pk, letter.pk])).status_code == 404
    assert owner_client.get(reverse("cases:attachment", args=[mine.pk, attachment.pk])).status_code == 404
    # A draft letter is not evidence: it is not served either.
    draft = mine.letters.create(kind="request", language="en", template_version="t", html="<p>x</p>")
    assert owner_client.get(reverse("cases:letter-pdf", args=[mine.pk, draft.pk])).status_code == 404
