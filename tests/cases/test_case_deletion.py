"""One way to delete cases (``cases_delete``), used by account deletion and the retention purge: the rows,
their outbox messages and every stored file go — final and draft letters' PDFs, attachments — and nothing
of another case; a deletion that rolls back leaves every file in place."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from deletion_portal.cases.models import Attachment, Case, Letter, LetterKind
from deletion_portal.cases.services import case_create, cases_delete
from deletion_portal.core.models import OutboxMessage
from tests.support.data import DRAFT_FIELDS, PDF_BYTES

pytestmark = pytest.mark.django_db


def with_files(case: Case) -> list[str]:
    """A final letter, a draft with a stored PDF, an attachment and an outbox message; the stored names."""
    for kind, final in ((LetterKind.REQUEST, True), (LetterKind.FOLLOW_UP, False)):
        letter = Letter(case=case, kind=kind, language="en", template_version="test", html="<p>x</p>", is_final=final)
        letter.pdf.save(f"{case.reference}-{letter.short_id}.pdf", ContentFile(PDF_BYTES), save=False)
        letter.save()
    attachment = Attachment(case=case, original_name="answer.pdf", content_type="application/pdf",
                            size=len(PDF_BYTES), sha256="0" * 64)
    attachment.file.save(f"{case.reference}-answer.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    OutboxMessage.objects.create(key=f"test:{case.pk}", topic=f"case:{case.pk}", to=["dpo@acme.example"],
                                 subject="Request", body="Body")
    names = [letter.pdf.name for letter in case.letters.all()] + [attachment.file.name]
    assert len(names) >= 3 and all(default_storage.exists(name) for name in names)
    return names


def test_it_deletes_the_cases_their_outbox_and_every_stored_file_and_nothing_else(
        final_case, owner, employer, django_capture_on_commit_callbacks):
    other = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
    mine, theirs = with_files(final_case), with_files(other)

    with django_capture_on_commit_callbacks(execute=True):
        assert cases_delete(case_ids=[final_case.pk]) == 1

    assert not Case.objects.filter(pk=final_case.pk).exists()
    assert not Letter.objects.filter(case_id=final_case.pk).exists()
    assert not OutboxMessage.objects.filter(topic=f"case:{final_case.pk}").exists()
    assert not any(default_storage.exists(name) for name in mine)
    assert all(default_storage.exists(name) for name in theirs)
    assert OutboxMessage.objects.filter(topic=f"case:{other.pk}").exists()


def test_a_deletion_that_rolls_back_keeps_every_file(final_case, django_capture_on_commit_callbacks):
    names = with_files(final_case)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            cases_delete(case_ids=[final_case.pk])
            raise RuntimeError("something after the deletion failed")
    assert Case.objects.filter(pk=final_case.pk).exists()
    assert all(default_storage.exists(name) for name in names)


def test_nothing_to_delete_is_zero():
    assert cases_delete(case_ids=[]) == 0
