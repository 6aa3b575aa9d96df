"""Removing stored files.

``FileField`` files are not removed when their row is deleted (CASCADE deletes rows, never files), so
whatever deletes rows with files (``cases.services.cases_delete``) lists them first and removes them with
:func:`delete_stored_files` once the rows are gone (``transaction.on_commit``).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


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
