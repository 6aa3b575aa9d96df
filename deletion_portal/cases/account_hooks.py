"""cases' part of a user's own-data export and account deletion (registered in ``CasesConfig.ready``
with ``accounts.hooks``): ``cases.json`` with every case the user owns, its letters' PDFs and its
attachments; deleting the cases through :func:`cases.services.cases_delete`."""

from __future__ import annotations

from django.db.models import Prefetch

from deletion_portal.accounts.hooks import AccountExport, export_fields, export_name, export_read
from deletion_portal.cases.hooks import case_export_sections
from deletion_portal.cases.models import Attachment, Case, CaseEvent, Letter
from deletion_portal.cases.services import cases_delete
from deletion_portal.cases.uploads import archive_name


def cases_export(*, user, export: AccountExport) -> None:
    """``cases.json``: every case the user owns, oldest first, with its fields, timeline, letters and
    attachments (each with the path of its file in the ZIP) and what the apps above add per case."""
    cases_data = []
    cases = list(
        Case.objects.filter(owner=user).select_related("employer").order_by("created_at", "id").prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.order_by("on", "recorded_at", "id")),
            Prefetch("letters", queryset=Letter.objects.order_by("created_at", "id")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "id")),
        )
    )
    sections = case_export_sections(cases=cases)  # what the apps above add, a fixed number of queries
    for case in cases:
        folder = f"cases/{export_name(case.reference)}"
        item = export_fields(case, exclude=("access_secret",))  # the case access code lives on the letter only
        item["employer"] = (
            {"id": case.employer.pk, "legal_name": case.employer.legal_name, "country": case.employer.country}
            if case.employer is not None else None
        )
        item["events"] = [export_fields(e) for e in case.events.all()]

        letters = []
        final_index = 0
        for letter in case.letters.all():
            entry = export_fields(letter)
            entry["file_in_export"] = ""
            if letter.is_final and letter.pdf:
                final_index += 1
                path = f"{folder}/letters/{final_index:02d}-{letter.kind}-{export_name(letter.short_id)}.pdf"
                entry["file_in_export"] = export.add_file(path, export_read(letter.pdf))
            letters.append(entry)
        item["letters"] = letters

        attachments = []
        for index, attachment in enumerate(case.attachments.all(), start=1):
            entry = export_fields(attachment)
            name = archive_name(original_name=attachment.original_name, stored_name=attachment.file.name or "")
            path = f"{folder}/attachments/{index:02d}-{name}"  # the extension of the detected type, never .html
            entry["file_in_export"] = export.add_file(path, export_read(attachment.file) if attachment.file else None)
            attachments.append(entry)
        item["attachments"] = attachments
        item.update(sections[case.pk])
        cases_data.append(item)
    export.documents.append(("cases.json", cases_data))


def cases_delete_for_user(*, user, summary: dict) -> None:
    """Every case the user owns, with its files and outbox messages."""
    ids = list(Case.objects.filter(owner=user).order_by("pk").values_list("pk", flat=True))
    summary["cases"] = cases_delete(case_ids=ids)


def cases_summary(*, user) -> dict:
    return {"case_count": Case.objects.filter(owner=user).count()}
