"""The deadline sweep: the database is the schedule.

Every SWEEP_INTERVAL_SECONDS the beat runs ``tracking.sweep`` (or cron runs ``manage.py
sweep_deadlines``). One sweep, per batch and in one transaction:

1. claims up to ``batch`` pending reminders that have come due with ONE compare-and-swap UPDATE
   (``state = pending`` → ``done``, with a random claim token and the time, ``RETURNING id``; on
   PostgreSQL the ids come from a ``FOR UPDATE SKIP LOCKED`` subquery on the (state, notify_on)
   index, so concurrent sweeps take disjoint rows; SQLite serialises writers). The claim goes
   straight to ``done``: the transaction makes it visible only together with step 3, so an
   intermediate ``claimed`` state would never be seen by anyone and would cost a second write of
   every row and its six index entries;
2. reads the claimed rows back with their case, owner and employer (one query);
3. writes one outbox row per reminder (``core.outbox.outbox_enqueue_bulk``), keyed ``reminder:<case>:<kind>:<deadline kind>:v<version>``
   (``ignore_conflicts``: a key that exists is never written twice) and reads their ids back.

After the commit it hands the new outbox ids to ``core.deliver_outbox_batch`` (≤ 200 per task) and
the cases whose answer deadline (or follow-up deadline) passed to ``tracking.draft_follow_ups`` /
``tracking.draft_complaints``. Every sweep also re-enqueues outbox rows that a lost task or a dead
worker left behind. Nothing uses a countdown or an eta.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from deletion_portal.cases.hooks import reminder_team_recipients
from deletion_portal.core.outbox import outbox_enqueue_bulk
from deletion_portal.laws.registry import UnknownRegime, get_regime
from deletion_portal.tracking.models import DeadlineKind, Reminder, ReminderKind, ReminderState
from deletion_portal.tracking.services import ANSWER_KINDS

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 5000
SWEEP_CAP = 50_000  # reminders per sweep; the next sweep continues
TASK_CHUNK = 200  # ids per Celery task

DEADLINE_WORDS = {
    DeadlineKind.ACKNOWLEDGE_BY: "confirm receipt of your request",
    DeadlineKind.RESPOND_BY: "answer your request",
    DeadlineKind.EXTENDED_RESPOND_BY: "answer your request (extended deadline)",
    DeadlineKind.SUGGESTED_FOLLOW_UP: "answer your request (suggested date; the law sets no fixed deadline)",
    DeadlineKind.FOLLOW_UP_ANSWER_BY: "answer your follow-up letter",
    DeadlineKind.COMPLAINT_WINDOW: "answer before a complaint",
}


# The employer side's reminders (to the assignee, or the team): 7 days and 1 day before each legal
# respond-by date, and when it passes (cases/hooks.py: the employer side says who gets them).
TEAM_REMINDER_KINDS = (ReminderKind.DUE_IN_7, ReminderKind.DUE_TOMORROW, ReminderKind.PASSED)
TEAM_DEADLINE_KINDS = (DeadlineKind.RESPOND_BY, DeadlineKind.EXTENDED_RESPOND_BY)


@dataclass
class SweepReport:
    claimed: int = 0
    messages: int = 0
    follow_ups: int = 0
    complaints: int = 0
    requeued: int = 0
    batches: int = 0
    outbox_ids: list[int] = field(default_factory=list, repr=False)

    def summary(self) -> str:
        return (
            f"claimed {self.claimed} reminder(s), queued {self.messages} email(s), "
            f"{self.follow_ups} follow-up draft(s) and {self.complaints} complaint draft(s) requested, "
            f"re-queued {self.requeued} stale outbox message(s)"
        )


def _chunks(items: list, size: int = TASK_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class _Row:
    """What one email needs, read in the batch's one SELECT (plain values, no model instances)."""

    id: int
    kind: str
    key: str
    notify_on: date
    case_id: int
    deadline_kind: str | None
    due_on: date | None
    reference: str
    law_key: str
    received_on: date | None
    requester_email: str
    owner_email: str
    employer_name: str | None
    owner_id: int | None


_ROW_FIELDS = (
    "id", "kind", "key", "notify_on", "case_id", "deadline__kind", "deadline__due_on", "case__reference",
    "case__law_key", "case__received_on", "case__requester_email", "case__owner__email", "case__employer__legal_name",
    "case__owner_id",
)

# Stand-ins for the values that differ on every email of a group (see _Texts.render).
_REF, _URL = "\u27e6reference\u27e7", "\u27e6case-url\u27e7"


class _Texts:
    """Compiled templates, law names and formatted dates, looked up once per process.

    Rendering: the emails of one sweep fall into few groups (same kind, deadline, law, employer and
    dates); only the reference and the case link differ inside a group. Each group is rendered once
    with stand-ins for those two, checked against a real rendering of its first email, and the other
    emails are that text with the stand-ins replaced. A template that transforms the reference or the
    link (a filter) fails the check and its group is rendered email by email, so the output is always
    exactly what the template gives.
    """

    def __init__(self):
        self._templates: dict[str, object] = {}
        self._laws: dict[str, tuple[str, str]] = {}
        self._days: dict[date, str] = {}
        self._groups: dict[tuple, tuple[str, str] | None] = {}
        self.site = settings.SITE_URL.rstrip("/")
        self.case_path = reverse("cases:detail", args=[987654321]).replace("987654321", "{}")

    def new_sweep(self) -> None:
        self._groups.clear()
        if len(self._days) > 10_000:
            self._days.clear()

    def template(self, name: str):
        if name not in self._templates:
            self._templates[name] = get_template(name, using="text")
        return self._templates[name]

    def law(self, key: str) -> tuple[str, str]:
        if key not in self._laws:
            try:
                regime = get_regime(key)
                self._laws[key] = (regime.short_name, regime.name)
            except UnknownRegime:
                self._laws[key] = (key or "the law", key or "the law")
        return self._laws[key]

    def day(self, value: date | None) -> str:
        """"Monday 9 June 2025 (2025-06-09)": formatted once per distinct date, not once per email."""
        if value is None:
            return ""
        if value not in self._days:
            self._days[value] = f"{date_format(value, 'l j F Y')} ({value.isoformat()})"
        return self._days[value]

    def case_url(self, case_id: int) -> str:
        return self.site + self.case_path.format(case_id)

    def _context(self, row: _Row, reference: str, case_url: str) -> dict:
        short, name = self.law(row.law_key)
        kind = row.deadline_kind or ""
        return {
            "kind": row.kind,
            "reference": reference,
            "employer": row.employer_name or "the employer",
            "law": short,
            "law_name": name,
            "deadline_kind": kind,
            "deadline_words": DEADLINE_WORDS.get(kind, "answer"),
            "due_on": self.day(row.due_on),
            "received_on": self.day(row.received_on),
            "notify_on": self.day(row.notify_on),
            "deletes_on": self.day(row.notify_on + timedelta(days=14)),
            "is_suggestion": kind == DeadlineKind.SUGGESTED_FOLLOW_UP,
            "is_follow_up": kind == DeadlineKind.FOLLOW_UP_ANSWER_BY,
            "case_url": case_url,
        }

    def _render(self, row: _Row, context: dict) -> tuple[str, str]:
        try:
            subject = self.template(f"emails/tracking/{row.kind}_subject.txt").render(context)
            body = self.template(f"emails/tracking/{row.kind}_body.txt").render(context)
        except Exception:  # noqa: BLE001 - one broken template must not block every other reminder
            logger.exception("reminder %s: template failed; sending the plain fallback", row.id)
            label = dict(ReminderKind.choices).get(row.kind, row.kind)
            subject = f"Your case {context['reference']}: {label}"
            body = f"Hello,\n\nThere is news about your case {context['reference']}. See the case page:\n\n{context['case_url']}\n"
        return " ".join(subject.split())[:300], body

    def render_team(self, row: _Row, recipient) -> tuple[str, str]:
        """A team member's reminder (one per member; few per sweep, rendered one by one)."""
        context = self._context(row, row.reference, recipient.case_url)
        context["team"] = recipient.team_name
        context["assigned"] = recipient.assigned
        try:
            subject = self.template(f"emails/tracking/team_{row.kind}_subject.txt").render(context)
            body = self.template(f"emails/tracking/team_{row.kind}_body.txt").render(context)
        except Exception:  # noqa: BLE001 - one broken template must not block every other reminder
            logger.exception("reminder %s: team template failed; sending the plain fallback", row.id)
            subject = f"Case {row.reference}: respond by {context['due_on']}"
            body = f"Hello,\n\nCase {row.reference} must be answered by {context['due_on']}.\n\n{recipient.case_url}\n"
        return " ".join(subject.split())[:300], body

    def render(self, row: _Row) -> tuple[str, str]:
        reference, url = row.reference, self.case_url(row.case_id)
        group = (row.kind, row.deadline_kind, row.due_on, row.law_key, row.employer_name, row.received_on, row.notify_on)
        if group in self._groups:
            shape = self._groups[group]
            if shape is not None:
                return (shape[0].replace(_REF, reference).replace(_URL, url)[:300],
                        shape[1].replace(_REF, reference).replace(_URL, url))
            return self._render(row, self._context(row, reference, url))
        real = self._render(row, self._context(row, reference, url))
        subject, body = self._render(row, self._context(row, _REF, _URL))
        shape = (subject, body)
        if (subject.replace(_REF, reference).replace(_URL, url)[:300], body.replace(_REF, reference).replace(_URL, url)) != real:
            shape = None
        self._groups[group] = shape
        return real


_TEXTS: _Texts | None = None


def _texts() -> _Texts:
    """One per process: templates compiled and law names looked up once (settings do not change)."""
    global _TEXTS
    if _TEXTS is None or _TEXTS.site != settings.SITE_URL.rstrip("/"):
        _TEXTS = _Texts()
    return _TEXTS


def _claim_batch(token: str, today: date, batch: int, now) -> list[int]:
    """ONE compare-and-swap UPDATE: up to ``batch`` due pending reminders → done (inside the
    caller's transaction, so "done" only becomes visible together with the outbox rows), returning
    their ids. The rows are chosen by the (state, notify_on) index; on PostgreSQL ``FOR UPDATE SKIP
    LOCKED`` lets two sweeps run at once on disjoint rows, and ``AND state = 'pending'`` is the
    compare: a row another sweep committed first is not taken again."""
    due = Reminder.objects.filter(state=ReminderState.PENDING, notify_on__lte=today)
    if connection.vendor == "postgresql":
        due = due.select_for_update(skip_locked=True)
    sub_sql, sub_params = due.values("id")[:batch].query.sql_with_params()
    table = connection.ops.quote_name(Reminder._meta.db_table)
    stamp = Reminder._meta.get_field("claimed_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, claim = %s, claimed_at = %s, done_at = %s "
            f"WHERE id IN ({sub_sql}) AND state = %s RETURNING id",
            [ReminderState.DONE.value, token, stamp, stamp, *sub_params, ReminderState.PENDING.value],
        )
        return [row[0] for row in cursor.fetchall()]


def _sweep_batch(*, today: date, batch: int, texts: _Texts, report: SweepReport,
                 follow_ups: list[int], complaints: list[int]) -> int:
    token = secrets.token_hex(16)
    now = timezone.now()
    with transaction.atomic():
        ids = _claim_batch(token, today, batch, now)
        claimed = len(ids)
        if not claimed:
            return 0
        rows = [_Row(*values) for values in Reminder.objects.filter(id__in=ids).values_list(*_ROW_FIELDS)]
        outgoing = []
        team_rows = [row for row in rows if row.kind in TEAM_REMINDER_KINDS and row.deadline_kind in TEAM_DEADLINE_KINDS]
        team_recipients = reminder_team_recipients(case_ids=sorted({row.case_id for row in team_rows})) if team_rows else {}
        for row in team_rows:
            for recipient in team_recipients.get(row.case_id, ()):
                subject, body = texts.render_team(row, recipient)
                outgoing.append((f"reminder:{row.key}:team:{recipient.key}", f"case:{row.case_id}", recipient.email,
                                 subject, body))
        for row in rows:
            if row.owner_id is None:
                # A request a team recorded (no employee account): no email to the requester, no
                # follow-up or complaint drafts; the team's reminders above are the ones that count.
                continue
            if row.kind == ReminderKind.PASSED:
                if row.deadline_kind in ANSWER_KINDS:
                    follow_ups.append(row.case_id)
                elif row.deadline_kind == DeadlineKind.FOLLOW_UP_ANSWER_BY:
                    complaints.append(row.case_id)
            recipient = row.requester_email or row.owner_email
            if not recipient:
                continue
            subject, body = texts.render(row)
            outgoing.append((f"reminder:{row.key}", f"case:{row.case_id}", recipient, subject, body))
        new_ids = outbox_enqueue_bulk(outgoing, now=now)
        report.outbox_ids.extend(new_ids)
        report.messages += len(new_ids)
    report.claimed += claimed
    report.batches += 1
    return claimed


def sweep(*, today: date | None = None, batch: int = DEFAULT_BATCH, cap: int = SWEEP_CAP, requeue: bool = True) -> SweepReport:
    """Claim every due reminder (up to ``cap``), queue its email, request the drafts it triggers."""
    from deletion_portal.core.outbox import outbox_requeue_stale, publish_on_commit
    from deletion_portal.core.tasks import deliver_outbox_batch
    from deletion_portal.tracking.tasks import draft_complaints, draft_follow_ups

    today = today or timezone.localdate()
    batch = max(1, int(batch))
    report = SweepReport()
    texts = _texts()
    texts.new_sweep()
    follow_ups: list[int] = []
    complaints: list[int] = []
    while report.claimed < cap:
        claimed = _sweep_batch(today=today, batch=min(batch, cap - report.claimed), texts=texts, report=report,
                               follow_ups=follow_ups, complaints=complaints)
        if claimed < batch:
            break
    # After the commit: the rows exist before any task runs. Publishing never raises (a down broker
    # must not undo a sweep that already committed): outbox rows it could not hand over are re-enqueued
    # by the next sweep; a lost drafting request leaves the case page's "Draft a follow-up" link, which
    # drafts on demand (idempotent).
    for ids in _chunks(report.outbox_ids):
        publish_on_commit(deliver_outbox_batch, ids)
    follow_ups = sorted(set(follow_ups))
    complaints = sorted(set(complaints))
    for ids in _chunks(follow_ups):
        publish_on_commit(draft_follow_ups, ids)
    for ids in _chunks(complaints):
        publish_on_commit(draft_complaints, ids)
    report.follow_ups, report.complaints = len(follow_ups), len(complaints)
    if requeue:
        report.requeued = outbox_requeue_stale()
    if report.claimed:
        logger.info("deadline sweep: %s", report.summary())
    return report
