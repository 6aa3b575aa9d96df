"""Reads for tracking: what the case page shows of the deadline rows, reminders, follow-up and
complaint letters, and retention. The case must come from ``cases.access.case_get_for`` (access checked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from deletion_portal.cases.hooks import NextAction
from deletion_portal.cases.models import Case, CaseStatus, EventKind, Letter, LetterKind
from deletion_portal.tracking.models import Deadline, DeadlineKind, Reminder, ReminderKind, ReminderState

#: A date that another one replaces while both rows are active: the first answer date once a valid extension
#: is recorded. The case page strikes it through; the calendar feed leaves it out.
SUPERSEDED_BY = {DeadlineKind.RESPOND_BY: DeadlineKind.EXTENDED_RESPOND_BY}
#: Which row is the employer's answer date, in order of precedence.
ANSWER_KINDS = (DeadlineKind.EXTENDED_RESPOND_BY, DeadlineKind.RESPOND_BY, DeadlineKind.SUGGESTED_FOLLOW_UP)


def superseded_kinds(kinds) -> set[str]:
    """The kinds among ``kinds`` that another kind present replaces."""
    kinds = set(kinds)
    return {old for old, new in SUPERSEDED_BY.items() if old in kinds and new in kinds}


def deadline_rows_current(rows) -> list:
    """The rows without those another active row of the same case replaces."""
    by_case: dict[int, set[str]] = {}
    for row in rows:
        by_case.setdefault(row.case_id, set()).add(row.kind)
    return [row for row in rows if row.kind not in superseded_kinds(by_case[row.case_id])]


def case_next_action_tracking(*, case: Case, rows: list[Deadline], follow_up: Letter | None, today: date,
                              response_event_id: int | None) -> NextAction | None:
    """What to do once the request was sent: check an answer; after a missed deadline, send a follow-up;
    after an unanswered follow-up, complain. None when the case page's own action fits (waiting)."""
    if case.status == CaseStatus.ANSWERED and response_event_id is not None:
        return NextAction(
            title=_("Check what the answer covered"),
            why=_("The employer answered. Tick what it covers: anything missing can be asked for again in a "
                  "follow-up, or taken to the supervisory authority."),
            url=reverse("tracking:checklist", args=[case.pk, response_event_id]), button=_("Check the answer"))
    if case.status != CaseStatus.SENT:
        return None
    by_kind = {row.kind: row for row in rows}
    follow_up_due = by_kind.get(DeadlineKind.FOLLOW_UP_ANSWER_BY)
    if follow_up_due is not None:
        if today > follow_up_due.due_on:
            return NextAction(
                title=_("Complain to the supervisory authority"),
                why=_("The employer did not answer your follow-up by %(day)s. The authority can order them to "
                      "answer; the portal drafts the complaint for you to review.") % {"day": _day(follow_up_due.due_on)},
                url=reverse("tracking:complaint", args=[case.pk]), button=_("Prepare the complaint"))
        return NextAction(
            title=_("Wait for the answer to your follow-up"),
            why=_("Your follow-up gave the employer until this date. Record their answer when it comes."),
            url="#record-what-happened", button=_("Record what happened"), on=follow_up_due.due_on)
    answer = next((by_kind[kind] for kind in ANSWER_KINDS if kind in by_kind), None)
    if answer is None or today <= answer.due_on:
        return None
    if follow_up is not None and not follow_up.is_final:
        return NextAction(title=_("Finish your follow-up letter"),
                          why=_("The deadline passed on %(day)s without an answer. Your follow-up is drafted: check "
                                "it, make it final and send it.") % {"day": _day(answer.due_on)},
                          url=reverse("tracking:follow-up", args=[case.pk]), button=_("Open the follow-up"))
    return NextAction(
        title=_("Send a follow-up"),
        why=_("The employer had to answer by %(day)s and did not. A follow-up letter gives them 14 more days; "
              "if they still do not answer, you can complain to the supervisory authority.") % {"day": _day(answer.due_on)},
        url=reverse("tracking:follow-up", args=[case.pk]), button=_("Prepare the follow-up"))


def _day(day: date) -> str:
    from django.utils.formats import date_format

    return date_format(day)

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
    response_id = (case.events.filter(kind=EventKind.RESPONSE_RECEIVED).order_by("-on", "-pk")
                   .values_list("pk", flat=True).first()) if case.status == CaseStatus.ANSWERED else None
    return {
        "deadline_rows": rows,
        "superseded_kinds": superseded_kinds(row.kind for row in rows),
        "next_action": case_next_action_tracking(case=case, rows=rows, follow_up=follow_up, today=today,
                                                 response_event_id=response_id),
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
