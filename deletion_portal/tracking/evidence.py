"""The evidence bundle for a complaint: one ZIP with every final letter, every attachment (responses,
proof of sending, the original of a request sent outside the portal), the timeline as a PDF and a
manifest with each file's SHA-256 and size.

The order of the files is fixed (letters by creation, attachments by upload, then ``timeline.pdf``,
then ``manifest.txt``) and every ZIP entry carries the same timestamp, so the same case gives the same
bytes. The complaint letter lists the letters and attachments with the same hashes
(:func:`evidence_documents`); the timeline is regenerated with each bundle, so it is listed without a
hash in the letter and with its hash in the manifest.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.template.loader import render_to_string

from deletion_portal.cases.models import Case, Letter, LetterKind
from deletion_portal.cases.selectors import case_events
from deletion_portal.cases.uploads import archive_name

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
_KIND_SLUG = {LetterKind.REQUEST: "request", LetterKind.FOLLOW_UP: "follow-up", LetterKind.COMPLAINT: "complaint"}


@dataclass(frozen=True)
class EvidenceDocument:
    """One file of the bundle (a final letter or an attachment), with its stored SHA-256."""

    name: str  # the path inside the ZIP
    description: str
    sha256: str
    size: int | None
    letter_id: int | None = None
    attachment_id: int | None = None
    letter_kind: str = ""


def _event_label(event) -> str:
    return f"{event.get_kind_display()} on {event.on.isoformat()}"


def evidence_documents(case: Case, *, exclude_kinds: tuple[str, ...] = ()) -> list[EvidenceDocument]:
    """Every final letter and every attachment of ``case``, in bundle order, with stored hashes."""
    documents: list[EvidenceDocument] = []
    letters = case.letters.filter(is_final=True).exclude(kind__in=exclude_kinds).order_by("created_at", "id")
    for index, letter in enumerate(letters, start=1):
        slug = _KIND_SLUG.get(letter.kind, letter.kind)
        finalised = letter.finalised_at.date().isoformat() if letter.finalised_at else ""
        documents.append(EvidenceDocument(
            name=f"letters/{index:02d}-{slug}-{letter.short_id}.pdf",
            description=f"{letter.get_kind_display()} letter {letter.short_id}, finalised {finalised}".strip(),
            sha256=letter.sha256, size=letter.pdf.size if letter.pdf else None, letter_id=letter.pk,
            letter_kind=letter.kind,
        ))
    attachments = case.attachments.order_by("uploaded_at", "id").prefetch_related("events")
    for index, attachment in enumerate(attachments, start=1):
        events = sorted(attachment.events.all(), key=lambda e: (e.on, e.recorded_at, e.id))
        about = "; ".join(_event_label(e) for e in events) or "uploaded"
        documents.append(EvidenceDocument(
            # The extension of the type detected at upload (pdf, png, jpg, eml), never the uploader's ".html".
            name=f"attachments/{index:02d}-{archive_name(original_name=attachment.original_name, stored_name=attachment.file.name or '')}",
            description=f"Attachment: {about}", sha256=attachment.sha256, size=attachment.size,
            attachment_id=attachment.pk,
        ))
    return documents


def _files(case: Case, documents: list[EvidenceDocument]) -> list:
    """Each document's stored file, in the documents' order (two queries however many there are)."""
    letters = Letter.objects.filter(case=case).in_bulk([d.letter_id for d in documents if d.letter_id is not None])
    attachments = case.attachments.in_bulk([d.attachment_id for d in documents if d.letter_id is None])
    return [letters[d.letter_id].pdf if d.letter_id is not None else attachments[d.attachment_id].file
            for d in documents]


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def actor_role(event, case: Case) -> str:
    """Who did it, by role, never by email: the requester, the employer's DPO, staff, or the system."""
    if event.actor_id is None:
        return "system"
    if event.actor_id == case.owner_id:
        return "the requester (case owner)"
    actor = event.actor
    display = getattr(actor, "get_role_display", None)
    return display() if display else "another user"


def _detail_pairs(details: dict) -> list[tuple[str, str]]:
    pairs = []
    for key in sorted(details or {}):
        value = details[key]
        if value in ("", None):
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        pairs.append((key.replace("_", " "), str(value)))
    return pairs


def timeline_html(case: Case) -> str:
    rows = [
        {"on": e.on.isoformat(), "kind": e.get_kind_display(), "actor": actor_role(e, case),
         "source": e.get_source_display(), "details": _detail_pairs(e.details),
         "attachment": (e.attachment.original_name, e.attachment.sha256) if e.attachment_id else None}
        for e in case_events(case)
    ]
    employer = case.employer.legal_name if case.employer_id else ""
    return render_to_string("tracking/timeline_pdf.html", {
        "reference": case.reference, "employer_name": employer, "requester_name": case.requester_name,
        "law_key": case.law_key, "rows": rows,
    })


def timeline_pdf(case: Case) -> bytes:
    from deletion_portal.core.pdf import PdfMetadata, paper_for_country, render_pdf

    metadata = PdfMetadata(title=f"Timeline {case.reference}", author=case.requester_name,
                           subject="Evidence bundle: the case's timeline", language="en")
    return render_pdf(timeline_html(case), metadata=metadata,
                      paper=paper_for_country(case.employer_country or case.work_country),
                      footer=f"{case.reference} · timeline", max_pages=50)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def evidence_bundle(*, case: Case) -> bytes:
    """The ZIP: letters, attachments, ``timeline.pdf`` and ``manifest.txt`` (SHA-256 and size of each)."""
    files: list[tuple[str, str, bytes, str]] = []  # name, description, content, stored hash
    documents = evidence_documents(case)
    for document, field in zip(documents, _files(case, documents), strict=True):
        files.append((document.name, document.description, _read(field), document.sha256))
    files.append(("timeline.pdf", "The case's timeline: every recorded event", timeline_pdf(case), ""))

    lines = [
        f"Evidence bundle for case {case.reference}",
        "Each line: SHA-256, size in bytes, file, what it is.",
        "Check a file with: sha256sum <file>",
        "",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, description, content, stored in files:
            digest = hashlib.sha256(content).hexdigest()
            if stored and stored != digest:
                description += f" [WARNING: the stored SHA-256 was {stored}]"
            lines.append(f"{digest}  {len(content):>9}  {name}  {description}")
            archive.writestr(_entry(name), content)
        archive.writestr(_entry("manifest.txt"), ("\n".join(lines) + "\n").encode("utf-8"))
    return buffer.getvalue()
