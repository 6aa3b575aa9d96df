"""The files of an employer's answer: type decided by content, ZIP archives checked without extracting.

``cases.uploads`` decides PDF, PNG, JPEG and ``.eml`` by their content (and enforces the size cap); an
answer may also carry the copy as CSV, JSON or a ZIP archive. A ZIP is read only from its central
directory in memory (nothing is written to disk or decompressed): the entry count, the total uncompressed
size and the compression ratio (per entry and overall) are capped, encrypted entries refused, and entry
names sanitised for the manifest (no path traversal, no control characters).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from deletion_portal.cases.uploads import CheckedUpload, sniff

ALLOWED = "PDF, CSV, JSON, PNG, JPEG, an email file (.eml) or a ZIP archive of them"
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024  # uncompressed
ZIP_MAX_RATIO = 100  # uncompressed / compressed, per entry and overall (a zip bomb has ratios of 1000+)
ZIP_NAME_LIMIT = 200


@dataclass(frozen=True)
class CheckedAnswerFile:
    upload: CheckedUpload
    kind: str  # the extension: pdf, png, jpg, eml, csv, json, zip
    zip_entries: tuple[dict, ...] = ()


def sanitise_entry_name(name: str) -> str:
    """A ZIP entry's name safe to show and list: forward slashes, no drive, no leading slash, no ``..`` or
    ``.`` parts, no control characters, at most 200 characters."""
    name = (name or "").replace("\\", "/")
    if len(name) > 1 and name[1] == ":":
        name = name[2:]
    parts = [p for p in name.split("/") if p not in ("", ".", "..")]
    clean = "/".join("".join(ch for ch in part if ch.isprintable()) for part in parts).strip()
    return clean[:ZIP_NAME_LIMIT] or "unnamed"


def zip_check(content: bytes) -> tuple[dict, ...]:
    """The sanitised listing of a ZIP archive, or ValidationError when it breaks a cap. Never extracts."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ValidationError({"file": "The ZIP archive is damaged or not a ZIP archive."}) from None
    if len(infos) > ZIP_MAX_ENTRIES:
        raise ValidationError({"file": f"The ZIP archive has {len(infos)} entries; the limit is {ZIP_MAX_ENTRIES}."})
    total = sum(info.file_size for info in infos)
    if total > ZIP_MAX_TOTAL_BYTES:
        raise ValidationError({"file": f"The ZIP archive would unpack to {total // (1024 * 1024)} MB; the limit is "
                                       f"{ZIP_MAX_TOTAL_BYTES // (1024 * 1024)} MB."})
    compressed = sum(info.compress_size for info in infos)
    if total > ZIP_MAX_RATIO * max(compressed, 1) or any(
            info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1024 * 1024 for info in infos):
        raise ValidationError({"file": f"The ZIP archive compresses more than {ZIP_MAX_RATIO}:1: refused as a possible "
                                       "zip bomb. Send the files uncompressed or in several archives."})
    if any(info.flag_bits & 0x1 for info in infos):
        raise ValidationError({"file": "The ZIP archive holds encrypted entries: send the files unencrypted "
                                       "(or give the password by another channel)."})
    return tuple({"name": sanitise_entry_name(info.filename), "size": info.file_size}
                 for info in infos if not info.is_dir())


def _text(content: bytes) -> str | None:
    if b"\x00" in content[:8192]:
        return None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _is_json(text: str) -> bool:
    if text.lstrip()[:1] not in ("{", "["):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _is_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines or lines[0].lstrip().startswith("<"):
        return False  # markup is not a table
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect)}
    return len(widths) == 1 and widths.pop() >= 2


_KNOWN_EXTENSIONS = {"pdf": "pdf", "png": "png", "jpg": "jpg", "jpeg": "jpg", "eml": "eml", "csv": "csv",
                     "json": "json", "zip": "zip"}


def _declared_extension(name: str) -> str:
    """The type a file's name claims (one of the accepted ones), else ""."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _KNOWN_EXTENSIONS.get(extension, "")


def answer_file_check(upload) -> CheckedAnswerFile:
    """Validate an uploaded file of an answer (size cap first, then the content decides the type)."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": f"The file is too large; the limit is {limit // (1024 * 1024)} MB."})
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise ValidationError({"file": f"The file is too large; the limit is {limit // (1024 * 1024)} MB."})
        chunks.append(chunk)
    content = b"".join(chunks)
    if not content:
        raise ValidationError({"file": "The file is empty."})
    entries: tuple[dict, ...] = ()
    kind = sniff(content)
    if kind is None and content.startswith(b"PK\x03\x04"):
        entries = zip_check(content)
        kind = ("application/zip", "zip")
    if kind is None:
        text = _text(content)
        if text is not None and _is_json(text):
            kind = ("application/json", "json")
        elif text is not None and _is_csv(text):
            kind = ("text/csv", "csv")
    if kind is None:
        raise ValidationError({"file": f"This file's content is not an accepted type: upload a {ALLOWED}."})
    content_type, extension = kind
    said = _declared_extension(getattr(upload, "name", "") or "")
    if said and said != extension:
        raise ValidationError({"file": f"The file's name says .{said} but its content is {extension.upper()}: "
                                       "upload the file under its real type."})
    checked = CheckedUpload(content, content_type, extension, hashlib.sha256(content).hexdigest(), len(content))
    return CheckedAnswerFile(upload=checked, kind=extension, zip_entries=entries)
