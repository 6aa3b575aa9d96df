"""Reads for tracking: what the case page shows of the deadline rows, reminders, follow-up and
complaint letters, and retention. The case must come from ``cases.access.case_get_for`` (access checked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from deletion_portal.cases.models import Case, CaseStatus, EventKind, Letter, LetterKind
from deletion_portal.tracking.models import Deadline, Reminder, ReminderKind, ReminderState

#: What the case page says a pending reminder will be about.
REMINDER_WORDS = {
    ReminderKind.CONFIRM_DELIVERY: "to confirm that the employer received your letter",
    ReminderKind.DUE_IN_7: "7 days before the deadline",
    ReminderKind.DUE_TOMORROW: "the day before the deadline",
    ReminderKind.PASSED: "if the deadline has passed without an answer",
    ReminderKind.RETENTION_WARNING: "14 days before this closed case is deleted",
}


@dataclass(frozen=True)
class UnsentLetter:
    letter: Letter
    can_email: bool  # a follow-up goes to the employer's privacy address; a complaint goes to the authority


def case_sent_letter_ids(case: Case) -> set[str]:
    """Short ids of the letters a ``sent`` event names (an event without one is the request's)."""
    ids = set()
    for details in case.events.filter(kind=EventKind.SENT).values_list("details", flat=True):
        if isinstance(details, dict) and details.get("letter"):
            ids.add(details["letter"])
    return ids


def case_page_tracking(*, case: Case, today: date) -> dict:
    """Context for the case page's tracking parts (a handful of queries, independent of history size)."""
    from deletion_portal.tracking.retention import retention_deletes_on

    rows = list(Deadline.objects.filter(case=case, active=True).order_by("due_on", "kind"))
    reminders = [
        {"reminder": r, "words": REMINDER_WORDS.get(r.kind, r.get_kind_display())}
        for r in Reminder.objects.filter(case=case, state=ReminderState.PENDING, notify_on__gte=today)
        .select_related("deadline").order_by("notify_on", "pk")
    ]
    letters = list(case.letters.filter(kind__in=[LetterKind.FOLLOW_UP, LetterKind.COMPLAINT]).order_by("created_at", "pk"))
    sent = case_sent_letter_ids(case) if any(letter.is_final for letter in letters) else set()
    emailable = case.employer_id is not None and bool(case.employer and case.employer.privacy_email)
    unsent = [
        UnsentLetter(letter, can_email=emailable and letter.kind == LetterKind.FOLLOW_UP)
        for letter in letters
        if letter.is_final and letter.short_id not in sent
    ]
    follow_up = next((letter for letter in reversed(letters) if letter.kind == LetterKind.FOLLOW_UP), None)
    complaint = next((letter for letter in reversed(letters) if letter.kind == LetterKind.COMPLAINT), None)
    closed = case.status == CaseStatus.CLOSED and case.closed_at is not None
    return {
        "deadline_rows": rows,
        "upcoming_reminders": reminders,
        "unsent_letters": unsent,
        "follow_up_letter": follow_up,
        "complaint_letter": complaint,
        "retention": {
            "closed": closed,
            "closed_at": case.closed_at if closed else None,
            "keep": case.keep,
            "deletes_on": retention_deletes_on(case, today=today) if closed else None,
        },
    }


def case_export_tracking(*, cases: list[Case]) -> dict[int, dict]:
    """What tracking adds to each case in its owner's data export: deadline rows, reminders, checklist
    (three queries however many cases)."""
    from deletion_portal.accounts.hooks import export_fields
    from deletion_portal.tracking.models import ChecklistItem

    ids = [case.pk for case in cases]
    found: dict[int, dict] = {pk: {"deadlines": [], "reminders": [], "checklist": []} for pk in ids}
    for row in Deadline.objects.filter(case_id__in=ids).order_by("due_on", "kind", "version", "id"):
        found[row.case_id]["deadlines"].append(export_fields(row))
    for row in Reminder.objects.filter(case_id__in=ids).order_by("notify_on", "id"):
        found[row.case_id]["reminders"].append(export_fields(row, exclude=("claim",)))
    for row in ChecklistItem.objects.filter(case_id__in=ids).order_by("id"):
        found[row.case_id]["checklist"].append(export_fields(row))
    return found
