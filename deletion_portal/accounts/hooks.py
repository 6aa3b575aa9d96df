"""Where the apps above accounts take part in a user's own-data export and account deletion.

accounts sits at the bottom (docs/DESIGN: apps depend one way), so it cannot know cases, tracking or
the apps still to come. It keeps three registries instead; each app registers in its
``AppConfig.ready`` (in ``INSTALLED_APPS`` order, which is the order the steps run in):

* :func:`register_export` — ``step(*, user, export: AccountExport)`` adds keys to ``account.json``,
  whole JSON documents (``cases.json``) and files to the user's ZIP (``accounts/export.py``).
* :func:`register_deletion` — ``step(*, user, summary: dict)`` deletes what the app holds about the user,
  inside the deletion's transaction and before the user row goes; it may note counts in ``summary``
  (``summary["cases"]``: how many cases went) for the steps after it and for the caller.
* :func:`register_summary` — ``provider(*, user) -> dict`` for the page that explains what a deletion
  removes (``case_count``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

_exports: list[Callable[..., None]] = []
_deletions: list[Callable[..., None]] = []
_summaries: list[Callable[..., dict]] = []


@dataclass
class AccountExport:
    """The export being built: ``account.json``'s keys, further JSON documents and the files, in ZIP order."""

    account: dict = field(default_factory=dict)
    documents: list[tuple[str, object]] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def add_file(self, path: str, content: bytes | None) -> str:
        """Add a stored file's bytes under ``path`` (listed as missing when storage has lost it); the
        path in the ZIP, or "" when missing."""
        if content is None:
            self.missing.append(path)
            return ""
        self.files.append((path, content))
        return path


def _register(registry: list, step: Callable) -> None:
    if step not in registry:
        registry.append(step)


def register_export(step: Callable[..., None]) -> None:
    _register(_exports, step)


def register_deletion(step: Callable[..., None]) -> None:
    _register(_deletions, step)


def register_summary(provider: Callable[..., dict]) -> None:
    _register(_summaries, provider)


def export_steps() -> list[Callable[..., None]]:
    return list(_exports)


def deletion_steps() -> list[Callable[..., None]]:
    return list(_deletions)


def account_summary(*, user) -> dict:
    summary: dict = {}
    for provider in _summaries:
        summary.update(provider(user=user))
    return summary


# --- Helpers for the export steps ----------------------------------------------------------------------


def export_name(name: str) -> str:
    """A file or folder name safe inside the ZIP (no path separators, no personal punctuation)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "file").strip("._") or "file"
    return cleaned[:80]


def export_fields(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> dict:
    """Every concrete field of ``obj`` (foreign keys as ``<name>_id``, files as their stored name)."""
    data = {}
    for model_field in obj._meta.concrete_fields:
        if model_field.name in exclude:
            continue
        value = getattr(obj, model_field.attname)
        if isinstance(model_field, models.FileField):
            value = value.name if value else ""
        data[model_field.attname] = value
    return data


def export_read(file_field) -> bytes | None:
    """A stored file's bytes, or None when the row is there and the file is not (removed by hand)."""
    try:
        with file_field.storage.open(file_field.name, "rb") as handle:
            return handle.read()
    except OSError:
        return None
