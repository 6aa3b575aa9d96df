"""Stored files of a case: listing them and removing them from storage.

``FileField`` files are not removed when their row is deleted (CASCADE deletes rows, never files), so
whatever deletes cases (account deletion, the retention purge) removes the files explicitly with
:func:`delete_case_files`, after the rows are gone or in the same breath.
"""

from __future__ import annotations

import logging

from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)


def case_file_fields(case) -> list[FieldFile]:
    """Every stored file of ``case``: the letters' PDFs (drafts too) and the attachments."""
    files: list[FieldFile] = []
    for letter in case.letters.order_by("created_at", "id"):
        if letter.pdf:
            files.append(letter.pdf)
    for attachment in case.attachments.order_by("uploaded_at", "id"):
        if attachment.file:
            files.append(attachment.file)
    return files


def case_file_names(case) -> list[tuple[object, str]]:
    """``(storage, name)`` of every stored file of ``case``; read these before deleting the rows."""
    return [(field.storage, field.name) for field in case_file_fields(case)]


def delete_stored_files(files: list[tuple[object, str]]) -> int:
    """Delete ``(storage, name)`` pairs from storage; returns how many were there. Never raises for a
    file that is already gone; a storage error is logged (by type, without the name) and skipped."""
    deleted = 0
    for storage, name in files:
        if not name:
            continue
        try:
            if storage.exists(name):
                storage.delete(name)
                deleted += 1
        except OSError as exc:
            logger.warning("Could not delete a stored case file: %s", type(exc).__name__)
    return deleted


def delete_case_files(case) -> int:
    """Delete every stored file of ``case`` (letters' PDFs, attachments); the rows stay.

    Call it in ``transaction.on_commit`` (or after the rows are deleted) so a rolled-back deletion
    never leaves rows pointing at missing files.
    """
    return delete_stored_files(case_file_names(case))
