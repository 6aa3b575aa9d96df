"""A user's own data as one ZIP: ``account_export(user=...)``.

Contents, always in this order:

``account.json``
    email, display name, role, dates; the employers the user added to the directory; how many
    calendar feeds exist (never their secret tokens, never the API token or the password hash).
``cases.json``
    every case the user owns, oldest first: all of its fields, its timeline events (with details),
    its letters and attachments (with the path of each file inside the ZIP), its deadline rows,
    reminders and checklist items when the tracking app has them.
``cases/<reference>/letters/NN-<kind>-<short id>.pdf``
    every final letter's PDF, exactly the stored bytes.
``cases/<reference>/attachments/NN-<name>``
    every uploaded attachment, exactly the stored bytes.
``manifest.txt``
    the SHA-256 and size of every file above.

Every ZIP entry carries the same timestamp and the order is fixed, so the same data gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from deletion_portal.cases.models import Attachment, Case, CaseEvent, Letter

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
EXPORT_FORMAT = 1


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "file").strip("._") or "file"
    return cleaned[:80]


def _fields(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> dict:
    """Every concrete field of ``obj`` (foreign keys as ``<name>_id``, files as their stored name)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        data[field.attname] = value
    return data


def _tracking_models():
    """Deadline, Reminder, ChecklistItem, CalendarFeed when the tracking app is there (else Nones)."""
    try:
        from deletion_portal.tracking import models as tracking
    except ImportError:  # pragma: no cover - the tracking app is optional for this module
        return None, None, None, None
    return (getattr(tracking, "Deadline", None), getattr(tracking, "Reminder", None),
            getattr(tracking, "ChecklistItem", None), getattr(tracking, "CalendarFeed", None))


def _read(field) -> bytes | None:
    try:
        with field.storage.open(field.name, "rb") as handle:
            return handle.read()
    except OSError:  # the row is there, the file is not (e.g. removed by hand)
        return None


def _account_data(user) -> dict:
    from deletion_portal.employers.models import Employer

    *_, CalendarFeed = _tracking_models()
    feeds = []
    if CalendarFeed is not None:
        feeds = [
            {"created_at": feed.created_at, "revoked_at": feed.revoked_at}
            for feed in CalendarFeed.objects.filter(user=user).order_by("created_at", "id")
        ]
    employers = [
        {"id": e.pk, "legal_name": e.legal_name, "country": e.country}
        for e in Employer.objects.filter(added_by=user).order_by("id")
    ]
    return {
        "export_format": EXPORT_FORMAT,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_confirmed_at": user.email_confirmed_at,
        "is_active": user.is_active,
        "employers_added": employers,
        "calendar_feeds": feeds,
    }


def account_export(*, user) -> bytes:
    """The ZIP of everything the portal holds about ``user`` (see the module docstring)."""
    Deadline, Reminder, ChecklistItem, _ = _tracking_models()
    files: list[tuple[str, bytes]] = []  # (path in the ZIP, content), in ZIP order
    missing: list[str] = []
    cases_data = []

    # One query per kind of row, however many cases there are (not one per case).
    prefetches = [
        models.Prefetch("events", queryset=CaseEvent.objects.order_by("on", "recorded_at", "id")),
        models.Prefetch("letters", queryset=Letter.objects.order_by("created_at", "id")),
        models.Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "id")),
    ]
    if Deadline is not None:
        prefetches.append(models.Prefetch("deadlines", queryset=Deadline.objects.order_by("due_on", "kind", "version", "id")))
    if Reminder is not None:
        prefetches.append(models.Prefetch("reminders", queryset=Reminder.objects.order_by("notify_on", "id")))
    if ChecklistItem is not None:
        prefetches.append(models.Prefetch("checklist", queryset=ChecklistItem.objects.order_by("id")))
    cases = (Case.objects.filter(owner=user).select_related("employer").prefetch_related(*prefetches)
             .order_by("created_at", "id"))
    for case in cases:
        folder = f"cases/{_safe_name(case.reference)}"
        item = _fields(case)
        item["employer"] = (
            {"id": case.employer.pk, "legal_name": case.employer.legal_name, "country": case.employer.country}
            if case.employer is not None else None
        )
        item["events"] = [_fields(e) for e in case.events.all()]

        letters = []
        final_index = 0
        for letter in case.letters.all():
            entry = _fields(letter)
            entry["file_in_export"] = ""
            if letter.is_final and letter.pdf:
                content = _read(letter.pdf)
                final_index += 1
                path = f"{folder}/letters/{final_index:02d}-{letter.kind}-{_safe_name(letter.short_id)}.pdf"
                if content is None:
                    missing.append(path)
                else:
                    files.append((path, content))
                    entry["file_in_export"] = path
            letters.append(entry)
        item["letters"] = letters

        attachments = []
        for index, attachment in enumerate(case.attachments.all(), start=1):
            entry = _fields(attachment)
            entry["file_in_export"] = ""
            path = f"{folder}/attachments/{index:02d}-{_safe_name(attachment.original_name)}"
            content = _read(attachment.file) if attachment.file else None
            if content is None:
                missing.append(path)
            else:
                files.append((path, content))
                entry["file_in_export"] = path
            attachments.append(entry)
        item["attachments"] = attachments

        if Deadline is not None:
            item["deadlines"] = [_fields(d) for d in case.deadlines.all()]
        if Reminder is not None:
            item["reminders"] = [_fields(r, exclude=("claim",)) for r in case.reminders.all()]
        if ChecklistItem is not None:
            item["checklist"] = [_fields(c) for c in case.checklist.all()]
        cases_data.append(item)

    def as_json(data) -> bytes:
        return (json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()

    entries = [("account.json", as_json(_account_data(user))), ("cases.json", as_json(cases_data)), *files]
    manifest = ["# SHA-256  size  file", *(
        f"{hashlib.sha256(content).hexdigest()}  {len(content)}  {path}" for path, content in entries
    )]
    manifest += [f"# missing from storage: {path}" for path in missing]
    entries.append(("manifest.txt", ("\n".join(manifest) + "\n").encode()))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in entries:
            info = zipfile.ZipInfo(path, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def account_export_filename(*, user) -> str:
    """A download name without personal data (no email address in it)."""
    return "deletion-portal-my-data.zip"
