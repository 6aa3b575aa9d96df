"""Writes for tracking: a case's deadlines as rows, and the reminders the beat sweep claims.

``deadlines_sync`` runs on every ``cases.signals.case_changed`` (``tracking/receivers.py``), which
``cases.services.case_recompute`` sends inside the event's transaction. It
compares the dates the case should have now with its active rows; when they differ, the old rows are
superseded (``active=False``, their pending reminders cancelled) and a new version is written. The
reminders are then reconciled with what the case needs today, so an event that changes no date (a
response received, a receipt confirmed on the assumed day) still cancels what no longer applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max
from django.utils import timezone

from deletion_portal.cases.models import Case, CaseEvent, CaseStatus, EventKind
from deletion_portal.laws.types import DeadlineResult
from deletion_portal.tracking.models import Deadline, DeadlineKind, Reminder, ReminderKind, ReminderState

#: Calendar days the employer gets to answer a follow-up letter (a portal convention, not a legal
#: period: 14 calendar days, deliberately not rolled to a working day).
FOLLOW_UP_ANSWER_DAYS = 14

#: The deadlines whose passing means "the employer did not answer the request".
ANSWER_KINDS = (DeadlineKind.RESPOND_BY, DeadlineKind.EXTENDED_RESPOND_BY, DeadlineKind.SUGGESTED_FOLLOW_UP)

#: The reminder kinds this module owns (others, e.g. the retention warning, belong elsewhere).
TRACKED_REMINDER_KINDS = (
    ReminderKind.CONFIRM_DELIVERY,
    ReminderKind.DUE_IN_7,
    ReminderKind.DUE_TOMORROW,
    ReminderKind.PASSED,
)

STOP_EVENT_KINDS = (EventKind.RESPONSE_RECEIVED, EventKind.REFUSED, EventKind.CLOSED)


@dataclass(frozen=True)
class WantedDeadline:
    kind: str
    due_on: date
    trail: tuple[str, ...]
    citations: tuple[str, ...]

    def signature(self) -> tuple:
        return (self.kind, self.due_on, self.trail, self.citations)


def reminder_key(case_id: int, kind: str, deadline_kind: str, version: int) -> str:
    return f"{case_id}:{kind}:{deadline_kind}:v{version}"


def _is_ack_step(step) -> bool:
    return step.kind == "acknowledgement" or str(step.text).startswith("Acknowledg")


def _is_extension_step(step) -> bool:
    return step.kind == "extension" or str(step.text).startswith("Extension")


def _follow_up_sent(events: list[CaseEvent]) -> CaseEvent | None:
    sent = [
        e for e in events
        if e.kind == EventKind.SENT and isinstance(e.details, dict) and e.details.get("letter_kind") == "follow_up"
    ]
    return sent[-1] if sent else None


def deadlines_wanted(*, result: DeadlineResult | None, events: list[CaseEvent]) -> list[WantedDeadline]:
    """The deadline rows the case should have, each with its part of the deadline module's trail."""
    wanted: list[WantedDeadline] = []
    if result is not None:
        steps = list(result.steps)
        ack = [s for s in steps if _is_ack_step(s)]
        main = [s for s in steps if not _is_ack_step(s)]
        first_period = [s for s in main if not _is_extension_step(s)]

        def trail(part) -> tuple[str, ...]:
            return tuple(str(s) for s in part)

        def cites(part) -> tuple[str, ...]:
            seen: list[str] = []
            for s in part:
                if s.citation and s.citation not in seen:
                    seen.append(s.citation)
            return tuple(seen)

        start = [s for s in steps if s.kind == "start"]
        if result.acknowledge_by:
            part = start + ack
            wanted.append(WantedDeadline(DeadlineKind.ACKNOWLEDGE_BY, result.acknowledge_by, trail(part), cites(part)))
        if result.respond_by:
            wanted.append(WantedDeadline(DeadlineKind.RESPOND_BY, result.respond_by, trail(first_period), cites(first_period)))
        if result.extended_respond_by and result.extension.state == "valid":
            wanted.append(WantedDeadline(DeadlineKind.EXTENDED_RESPOND_BY, result.extended_respond_by, trail(main), cites(main)))
        if result.suggested_follow_up:
            wanted.append(WantedDeadline(DeadlineKind.SUGGESTED_FOLLOW_UP, result.suggested_follow_up, trail(main), cites(main)))
    follow_up = _follow_up_sent(events)
    if follow_up is not None:
        due = follow_up.on + timedelta(days=FOLLOW_UP_ANSWER_DAYS)
        text = (
            f"Follow-up sent on {follow_up.on.isoformat()}: the employer is asked to answer within "
            f"{FOLLOW_UP_ANSWER_DAYS} calendar days, by {due.isoformat()} (a portal convention, not a legal period)."
        )
        wanted.append(WantedDeadline(DeadlineKind.FOLLOW_UP_ANSWER_BY, due, (text,), ()))
        opens = due + timedelta(days=1)
        complaint = (
            f"No answer to the follow-up by {due.isoformat()}: from {opens.isoformat()} a complaint to the "
            "supervisory authority is drafted for you to review."
        )
        wanted.append(WantedDeadline(DeadlineKind.COMPLAINT_WINDOW, opens, (text, complaint), ()))
    return wanted


def _answer_deadline(rows: list[Deadline]) -> Deadline | None:
    by_kind = {row.kind: row for row in rows}
    for kind in (DeadlineKind.EXTENDED_RESPOND_BY, DeadlineKind.RESPOND_BY, DeadlineKind.SUGGESTED_FOLLOW_UP):
        if kind in by_kind:
            return by_kind[kind]
    return None


def _receipt_assumed_by_post(events: list[CaseEvent]) -> bool:
    """A posted request whose delivery nobody has confirmed (the date is the assumed one)."""
    request_sent = [e for e in events if e.kind == EventKind.SENT and (e.details or {}).get("letter_kind", "request") == "request"]
    if not request_sent or request_sent[0].details.get("channel") != "post" or request_sent[0].details.get("delivered_on"):
        return False
    return not any(e.kind == EventKind.RECEIVED for e in events)


def reminders_wanted(*, case: Case, rows: list[Deadline], events: list[CaseEvent]) -> list[tuple[str, Deadline, date]]:
    """(kind, deadline, notify_on) for every reminder the case needs, before the past-date rule."""
    kinds = {e.kind for e in events}
    if kinds & set(STOP_EVENT_KINDS) or case.status == CaseStatus.CLOSED:
        return []
    wanted: list[tuple[str, Deadline, date]] = []
    follow_up = next((r for r in rows if r.kind == DeadlineKind.FOLLOW_UP_ANSWER_BY), None)
    answer = _answer_deadline(rows)
    if follow_up is not None:
        # The follow-up is the next step now: the request's own reminders are moot.
        wanted.append((ReminderKind.DUE_TOMORROW, follow_up, follow_up.due_on - timedelta(days=1)))
        wanted.append((ReminderKind.PASSED, follow_up, follow_up.due_on + timedelta(days=1)))
    elif answer is not None:
        wanted.append((ReminderKind.DUE_IN_7, answer, answer.due_on - timedelta(days=7)))
        wanted.append((ReminderKind.DUE_TOMORROW, answer, answer.due_on - timedelta(days=1)))
        wanted.append((ReminderKind.PASSED, answer, answer.due_on + timedelta(days=1)))
    anchor = answer or (rows[0] if rows else None)
    if anchor is not None and case.received_on and _receipt_assumed_by_post(events):
        wanted.append((ReminderKind.CONFIRM_DELIVERY, anchor, case.received_on + timedelta(days=1)))
    return wanted


def deadlines_sync(*, case: Case, result: DeadlineResult | None, events: list[CaseEvent], today: date | None = None) -> int:
    """Make the case's active deadline rows and pending reminders match ``result`` and ``events``.

    Returns the version now in force (a new one when the dates changed, else the unchanged one; 0
    when the case never had a deadline). Call inside the transaction that recorded the event.
    """
    today = today or timezone.localdate()
    wanted = deadlines_wanted(result=result, events=events)
    active = list(Deadline.objects.filter(case=case, active=True))
    current = sorted(
        (row.kind, row.due_on, tuple(row.trail or ()), tuple(row.citations or ())) for row in active
    )
    version = max((row.version for row in active), default=0)
    if current != sorted(w.signature() for w in wanted):
        old_ids = [row.pk for row in active]
        if old_ids:
            Deadline.objects.filter(pk__in=old_ids).update(active=False)
            Reminder.objects.filter(deadline_id__in=old_ids, state=ReminderState.PENDING).update(state=ReminderState.CANCELLED)
        version = (Deadline.objects.filter(case=case).aggregate(v=Max("version"))["v"] or 0) + 1
        if wanted:
            active = Deadline.objects.bulk_create(
                [
                    Deadline(case=case, kind=w.kind, due_on=w.due_on, version=version, trail=list(w.trail),
                             citations=list(w.citations), active=True)
                    for w in wanted
                ]
            )
        else:
            active = []
    _reminders_sync(case=case, rows=active, events=events, today=today)
    if case.status == CaseStatus.CLOSED:
        from deletion_portal.tracking.retention import retention_plan

        retention_plan(case=case, today=today)  # the warning 14 days before a closed case is deleted
    return version


def _reminders_sync(*, case: Case, rows: list[Deadline], events: list[CaseEvent], today: date) -> None:
    wanted = {}
    for kind, deadline, notify_on in reminders_wanted(case=case, rows=rows, events=events):
        key = reminder_key(case.pk, kind, deadline.kind, deadline.version)
        wanted[key] = (kind, deadline, notify_on)
    existing = list(
        Reminder.objects.filter(case=case, kind__in=TRACKED_REMINDER_KINDS)
        .select_related("deadline")
        .only("id", "key", "kind", "state", "notify_on", "deadline__kind")
    )
    stale = [r.pk for r in existing if r.state == ReminderState.PENDING and r.key not in wanted]
    if stale:
        Reminder.objects.filter(pk__in=stale, state=ReminderState.PENDING).update(state=ReminderState.CANCELLED)
    known = {r.key for r in existing}
    # What an earlier version already delivered is not delivered again when only another date moved.
    delivered = {
        (r.kind, r.deadline.kind if r.deadline else "", r.notify_on)
        for r in existing
        if r.state in (ReminderState.DONE, ReminderState.CLAIMED)
    }
    new = []
    for key, (kind, deadline, notify_on) in wanted.items():
        if key in known or (kind, deadline.kind, notify_on) in delivered:
            continue
        if notify_on < today and kind != ReminderKind.PASSED:
            continue  # too late to be useful; a deadline that has passed is still reported once
        new.append(Reminder(case=case, deadline=deadline, kind=kind, notify_on=notify_on, key=key))
    if new:
        Reminder.objects.bulk_create(new, ignore_conflicts=True)
