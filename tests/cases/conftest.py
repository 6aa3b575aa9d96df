"""Shared fixtures for the case views: three users (owner, colleague, outsider), an employer, a complete
draft case, a case whose letter is final, and helpers for uploads and eager Celery."""

from __future__ import annotations

import hashlib
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.cases.models import Case, CaseEvent, CaseStatus, EventKind, Letter, LetterKind
from deletion_portal.cases.services import case_create
from deletion_portal.employers.models import Employer, Quality

PASSWORD = "correct horse battery staple 42"

# Small real files, as a browser would upload them.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
EML_BYTES = (
    b"From: DPO <privacy@acme.example>\r\nTo: olive@mail.example\r\nDate: Tue, 3 Jun 2025 10:00:00 +0200\r\n"
    b"Subject: Your request DP-TEST\r\n\r\nWe have received your request.\r\n"
)
HTML_BYTES = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Accounts are fixtures here, not the subject: a fast hasher keeps the access matrix quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _account(email, role, name):
    return account_create(email=email, password=PASSWORD, role=role, display_name=name, confirmed=True)


@pytest.fixture
def owner(db):
    return _account("olive@mail.example", Role.EMPLOYEE, "Olive Owner")


@pytest.fixture
def colleague(db):
    return _account("colin@mail.example", Role.EMPLOYEE, "Colin Colleague")


@pytest.fixture
def outsider(db):
    return _account("dpo@acme.example", Role.DPO, "Dora DPO")


@pytest.fixture
def employer(db):
    return Employer.objects.create(
        legal_name="Acme Analytics GmbH", country="DE", privacy_email="privacy@acme.example",
        postal_address="Hauptstraße 1\n80331 München", quality=Quality.VERIFIED,
    )


@pytest.fixture
def employer_without_email(db):
    return Employer.objects.create(legal_name="Quiet Works AG", country="DE", postal_address="Weg 2\n80331 München")


DRAFT_FIELDS = {
    "work_country": "DE", "work_region": "DE-BY", "residence_country": "DE", "residence_region": "DE-BY",
    "law_key": "eu-gdpr", "region": "DE-BY", "language": "en", "bundle": "erase_training",
    "rights": ["access", "objection", "restriction", "erasure"], "categories": ["keystrokes", "mouse_movements"],
    "requester_name": "Olive Owner", "requester_address": "Gartenweg 5\n80333 München",
    "requester_email": "olive@mail.example", "employee_id": "E-1042", "job_title": "Data annotator",
    "wizard_step": 7,
}


@pytest.fixture
def draft_case(owner, employer) -> Case:
    """A complete draft: every field the letter needs, resumed at the preview."""
    return case_create(owner=owner, employer=employer, **DRAFT_FIELDS)


FINALISED_AT = datetime(2025, 5, 2, 9, 0, tzinfo=dt_timezone.utc)


@pytest.fixture
def final_case(draft_case) -> Case:
    """The draft with a final request letter made on 2025-05-02 (stored directly: no PDF rendering)."""
    pdf = PDF_BYTES
    letter = Letter(case=draft_case, kind=LetterKind.REQUEST, language="en", template_version="test",
                    html="<p>Request</p>", sha256=hashlib.sha256(pdf).hexdigest(), is_final=True,
                    finalised_at=FINALISED_AT)
    letter.pdf.save(f"{draft_case.reference}-{letter.short_id}.pdf", ContentFile(pdf), save=False)
    letter.save()
    draft_case.status = CaseStatus.FINALISED
    draft_case.wizard_step = 8
    draft_case.save()
    CaseEvent.objects.create(case=draft_case, kind=EventKind.FINALISED, on=FINALISED_AT.date(), actor=draft_case.owner,
                             details={"letter": letter.short_id, "sha256": letter.sha256})
    return draft_case


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def upload():
    def make(content: bytes, name: str, content_type: str = "application/octet-stream"):
        return SimpleUploadedFile(name, content, content_type=content_type)

    return make


@pytest.fixture
def eager_celery():
    """Run Celery tasks in-process (the app is configured already, so change it on the app)."""
    from deletion_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture
def pdf_rendering():
    """Skip (with the reason) when the PDF renderer is not importable in this checkout."""
    try:
        from deletion_portal.core.pdf import render_pdf  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only while core/pdf.py is being written
        pytest.skip(f"core/pdf.py is not available yet: {exc}")
