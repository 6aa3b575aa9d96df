"""Retention: a closed case is deleted with its files ``CASE_RETENTION_DAYS`` after it closed, unless
its owner chose to keep it.

* :func:`retention_plan` — called by ``deadlines_sync`` (so on every event of the case, in its
  transaction, including ``closed``) and by the keep toggle: a closed, not-kept case gets ONE pending
  ``retention_warning`` reminder on ``closed + CASE_RETENTION_DAYS - 14`` (key
  ``<case>:retention_warning:<closed date>``); the beat sweep sends it like every reminder
  (``emails/tracking/retention_warning_*.txt``: the deletion date = the reminder's date + 14 days, and
  how to keep the case). A kept (or re-opened) case has its pending warning cancelled.
* :func:`retention_set_keep` — the owner's choice on the case page. Keeping cancels the pending
  warning; un-keeping plans it again. There is no timeline event kind for it (``EventKind`` is the
  request's history with the employer, not the portal's housekeeping): the choice is the ``Case.keep``
  flag, shown on the case page.
* :func:`retention_purge` — the daily beat task ``tracking.purge_closed_cases``: deletes closed,
  not-kept cases older than the retention period in batches, with their letters' PDFs and attachments
  (removed from storage after each batch commits; ``FileField`` files are never deleted by CASCADE)
  and their outbox rows, and writes one ``AuditLine`` with only a count.

The promise the warning makes is kept: a case whose warning is still pending, or whose warning named
a deletion date that has not come yet, is not purged (a sweep that fell behind, or an owner who
un-kept a case late, gets the full 14 days). A case un-kept after its deletion date, whose warning had
already gone out before they kept it, gets a fresh warning and 14 more days. A case that was never
warned (closed before this module existed, or changed outside the services) is warned by the purge
itself and deleted 14 days later: nothing is deleted without the email.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from deletion_portal.cases.models import Case, CaseStatus
from deletion_portal.cases.services import cases_delete
from deletion_portal.tracking.models import AuditLine, Reminder, ReminderKind, ReminderState

logger = logging.getLogger(__name__)

#: Days between the warning email and the deletion (the email's subject says so).
WARNING_DAYS = 14
PURGE_BATCH = 200


def retention_days() -> int:
    return int(settings.CASE_RETENTION_DAYS)


def retention_key(case: Case, closed_on: date) -> str:
    return f"{case.pk}:retention_warning:{closed_on.isoformat()}"


def retention_deletes_on(case: Case, *, today: date | None = None) -> date | None:
    """The day a closed, not-kept case is deleted (on or after: the purge runs daily), else None."""
    if case.status != CaseStatus.CLOSED or case.closed_at is None or case.keep:
        return None
    day = timezone.localdate(case.closed_at) + timedelta(days=retention_days())
    promised = (
        Reminder.objects.filter(case=case, kind=ReminderKind.RETENTION_WARNING)
        .exclude(state=ReminderState.CANCELLED).order_by("-notify_on").values_list("notify_on", flat=True).first()
    )
    if promised is not None:
        day = max(day, promised + timedelta(days=WARNING_DAYS))
    return day


def _cancel_pending(case: Case) -> int:
    return Reminder.objects.filter(
        case=case, kind=ReminderKind.RETENTION_WARNING, state=ReminderState.PENDING
    ).update(state=ReminderState.CANCELLED)


def retention_plan(*, case: Case, today: date | None = None, again: bool = False) -> Reminder | None:
    """Make the case's retention warning match its state (idempotent); the pending warning or None.

    ``again`` (the owner un-kept the case): a warning already sent before the case was kept is not
    enough when its deletion date is less than 14 days away; a new one is planned.
    """
    today = today or timezone.localdate()
    if case.status != CaseStatus.CLOSED or case.closed_at is None or case.keep:
        _cancel_pending(case)
        return None
    closed_on = timezone.localdate(case.closed_at)
    notify_on = closed_on + timedelta(days=retention_days() - WARNING_DAYS)
    key = retention_key(case, closed_on)
    warnings = list(Reminder.objects.filter(case=case, kind=ReminderKind.RETENTION_WARNING).order_by("pk"))
    by_key = {r.key: r for r in warnings}
    # Pending warnings of an earlier closing (the case was re-opened and closed again) are moot.
    stale = [r.pk for r in warnings if r.state == ReminderState.PENDING and not r.key.startswith(key)]
    if stale:
        Reminder.objects.filter(pk__in=stale, state=ReminderState.PENDING).update(state=ReminderState.CANCELLED)
    pending = [r for r in warnings if r.state == ReminderState.PENDING and r.key.startswith(key)]
    if pending:
        return pending[-1]
    sent = [r for r in warnings if r.state in (ReminderState.DONE, ReminderState.CLAIMED) and r.key.startswith(key)]
    existing = by_key.get(key)
    if sent:
        promised = max(r.notify_on for r in sent) + timedelta(days=WARNING_DAYS)
        if not again or promised >= today + timedelta(days=WARNING_DAYS):
            return None  # the owner has been told the date, and it is still at least 14 days away
        key, existing = f"{key}:again:{today.isoformat()}", by_key.get(f"{key}:again:{today.isoformat()}")
    # Too late for the full notice (a short retention period, a case un-kept late): warn now, and the
    # purge waits 14 days from the warning.
    notify_on = max(notify_on, today)
    if existing is not None:
        if existing.state != ReminderState.CANCELLED:
            return None
        Reminder.objects.filter(pk=existing.pk, state=ReminderState.CANCELLED).update(
            state=ReminderState.PENDING, notify_on=notify_on, claim="", claimed_at=None, done_at=None
        )
        existing.refresh_from_db()
        return existing
    reminder = Reminder(case=case, kind=ReminderKind.RETENTION_WARNING, notify_on=notify_on, key=key)
    Reminder.objects.bulk_create([reminder], ignore_conflicts=True)
    return Reminder.objects.filter(key=key).first()


@transaction.atomic
def retention_set_keep(*, case: Case, keep: bool, today: date | None = None) -> Case:
    """The owner keeps the case (no deletion, no warning) or lets it be deleted after the period."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.keep != keep:
        case.keep = keep
        case.save(update_fields=["keep", "updated_at"])
    retention_plan(case=case, today=today, again=not keep)
    return case


# --- The purge -------------------------------------------------------------------------------------------


def _protected_case_ids(today: date):
    """Cases whose warning is still to be sent, or whose warning named a date still to come."""
    return Reminder.objects.filter(kind=ReminderKind.RETENTION_WARNING).filter(
        Q(state=ReminderState.PENDING) | (~Q(state=ReminderState.CANCELLED) & Q(notify_on__gt=today - timedelta(days=WARNING_DAYS)))
    ).values("case_id")


def purgeable_cases(*, now: datetime | None = None):
    """Closed, not-kept cases that closed more than CASE_RETENTION_DAYS ago (and were warned)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    return (
        Case.objects.filter(status=CaseStatus.CLOSED, keep=False, closed_at__isnull=False, closed_at__lt=cutoff)
        .exclude(pk__in=_protected_case_ids(timezone.localdate(now)))
    )


def retention_warn_unwarned(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Plan the warning of every closed, not-kept case that is due within 14 days and was never warned
    (closed before retention existed, or its event bypassed ``deadlines_sync``). Returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = now - timedelta(days=max(retention_days() - WARNING_DAYS, 0))
    warned = Reminder.objects.filter(kind=ReminderKind.RETENTION_WARNING).exclude(state=ReminderState.CANCELLED)
    unwarned = (
        Case.objects.filter(status=CaseStatus.CLOSED, keep=False, closed_at__isnull=False, closed_at__lt=soon)
        .exclude(pk__in=warned.values("case_id")).order_by("pk")
    )
    planned, last = 0, 0
    while True:
        cases = list(unwarned.filter(pk__gt=last)[:batch])
        if not cases:
            return planned
        for case in cases:
            with transaction.atomic():
                if retention_plan(case=case, today=today) is not None:
                    planned += 1
        last = cases[-1].pk


def retention_purge(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete what :func:`purgeable_cases` finds, ``batch`` cases per transaction, with their files
    and outbox rows; one ``AuditLine`` (a count, no personal data). Returns how many cases went.

    A case that was never warned is not deleted: it gets its warning now and goes 14 days later."""
    now = now or timezone.now()
    batch = max(1, int(batch))
    retention_warn_unwarned(now=now, batch=batch)
    total = 0
    while True:
        with transaction.atomic():
            # Chosen inside the transaction (and locked on PostgreSQL): an owner who pressed "keep" a
            # moment ago wins.
            ids = list(
                purgeable_cases(now=now).filter(
                    pk__in=list(purgeable_cases(now=now).order_by("pk").values_list("pk", flat=True)[:batch])
                ).select_for_update().values_list("pk", flat=True)
            )
            if not ids:
                break
            deleted = cases_delete(case_ids=ids)  # the rows, their outbox messages, then their files
        total += deleted
        if deleted < batch:
            break
    days = retention_days()
    AuditLine.objects.create(action="retention_purge", count=total, detail=f"closed cases older than {days} days")
    if total:
        logger.info("retention purge: deleted %d closed case(s) older than %d days", total, days)
    return total
