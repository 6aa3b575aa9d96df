"""Uploaded evidence (an employer's response, the original of a request sent elsewhere).

The type is decided by the file's content, never by its name or the browser's word; the size cap is
enforced here, before anything is stored, not by a web-server memory setting.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from django.conf import settings
from django.core.exceptions import ValidationError

from deletion_portal.core.text import strip_bidi

ALLOWED = "PDF, PNG, JPEG or an email file (.eml)"


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    extension: str
    sha256: str
    size: int


def _looks_like_email(head: bytes) -> bool:
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(head, headersonly=True)
    except Exception:  # noqa: BLE001 - not parseable means not an email
        return False
    return bool(message.get("From")) and bool(message.get("Date") or message.get("Subject"))


def sniff(content: bytes) -> tuple[str, str] | None:
    if content.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if b"\x00" not in content[:8192] and _looks_like_email(content[:65536]):
        return "message/rfc822", "eml"
    return None


def check_upload(upload) -> CheckedUpload:
    """Validate an UploadedFile (or any object with ``size`` and ``chunks()``); raise ValidationError."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload is None:
        raise ValidationError("Choose a file to upload.", code="required")
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"The file is too large ({upload.size // 1024} KB); the limit is {limit // (1024 * 1024)} MB.", code="too_large"
        )
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise ValidationError(f"The file is too large; the limit is {limit // (1024 * 1024)} MB.", code="too_large")
        chunks.append(chunk)
    content = b"".join(chunks)
    if not content:
        raise ValidationError("The file is empty.", code="empty")
    kind = sniff(content)
    if kind is None:
        raise ValidationError(f"This file type is not accepted: upload a {ALLOWED}.", code="type")
    content_type, extension = kind
    return CheckedUpload(content, content_type, extension, hashlib.sha256(content).hexdigest(), len(content))


def download_name(*, original_name: str, stored_name: str, prefix: str = "") -> str:
    """A safe ``Content-Disposition`` filename for a stored upload: the uploader's name without any path,
    control or quoting characters, cut to 100 characters, with the extension of the STORED file (decided by
    the content at upload, never the name's word), and ``prefix`` (e.g. the case reference) in front."""
    extension = stored_name.rsplit(".", 1)[-1].lower() if "." in stored_name else ""
    base = strip_bidi(original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch if ch.isalnum() or ch in " -_." else "_" for ch in base).strip(" ._")
    if extension and base.lower().endswith("." + extension):
        base = base[: -len(extension) - 1].rstrip(" ._")
    base = base.replace(".", "_")  # one extension only: the stored one ("reply.html" → "reply_html.eml")
    base = base[:100] or "attachment"
    name = f"{prefix}-{base}" if prefix else base
    return f"{name}.{extension}" if extension else name


def archive_name(*, original_name: str, stored_name: str) -> str:
    """A file's name inside a ZIP (the evidence bundle, the account export): ASCII letters, digits, ``-`` and
    ``_`` from the uploader's name (no path, no bidi controls, no inner dots, so no ``.html`` can survive),
    then the extension of the STORED file, which the content decided at upload (pdf, png, jpg or eml)."""
    extension = stored_name.rsplit(".", 1)[-1].lower() if "." in stored_name else ""
    base = strip_bidi(original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    if extension and base.lower().endswith("." + extension):
        base = base[: -len(extension) - 1]
    base = re.sub(r"[^A-Za-z0-9_-]+", "_", base).strip("_")[:80] or "file"
    return f"{base}.{extension}" if extension else base


def attachment_quota_check(*, case, size: int) -> None:
    """Refuse an upload that would take ``case`` past ``UPLOAD_CASE_QUOTA_MB`` in total or past
    ``UPLOAD_CASE_MAX_FILES`` files (a ValidationError naming the limit; nothing is stored)."""
    quota = settings.UPLOAD_CASE_QUOTA_BYTES
    max_files = settings.UPLOAD_CASE_MAX_FILES
    from django.db.models import Count, Sum

    used = case.attachments.aggregate(total=Sum("size"), files=Count("id"))
    if (used["files"] or 0) >= max_files:
        raise ValidationError(f"This case has {max_files} files already, the most one case may hold.", code="quota_files")
    if (used["total"] or 0) + size > quota:
        left = max(quota - (used["total"] or 0), 0)
        raise ValidationError(
            f"This file would take the case past its {quota // (1024 * 1024)} MB of uploads "
            f"({left // 1024} KB left).", code="quota")
