"""Deadlines as rows: every event that changes an input recomputes them in the same transaction and
supersedes the old rows with a new version; reminders follow the rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction

from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import case_recompute
from deletion_portal.tracking.models import Deadline, DeadlineKind, Reminder, ReminderKind, ReminderState
from deletion_portal.tracking.services import FOLLOW_UP_ANSWER_DAYS, deadlines_sync
from tests.support.data import TODAY

pytestmark = pytest.mark.django_db


def active(case):
    return {d.kind: d for d in Deadline.objects.filter(case=case, active=True)}


def pending(case):
    # Deadline reminders only; a closed case also gets a retention warning, which belongs to no deadline.
    reminders = Reminder.objects.filter(case=case, state=ReminderState.PENDING, deadline__isnull=False)
    return {(r.kind, r.deadline.kind): r for r in reminders}


def test_it_creates_active_rows_with_the_trail_when_receipt_is_confirmed(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="post")
    record(case, EventKind.RECEIVED, date(2025, 6, 5), confirmed=True)

    rows = active(case)
    assert set(rows) == {DeadlineKind.RESPOND_BY}  # GDPR: no acknowledgement; extension only "available"
    respond = rows[DeadlineKind.RESPOND_BY]
    case.refresh_from_db()
    assert respond.due_on == case.respond_by == date(2025, 7, 7)  # 5 July is a Saturday: rolled to Monday
    assert respond.trail and any("Respond by" in step for step in respond.trail)
    assert respond.citations and all(isinstance(c, str) for c in respond.citations)
    assert len({d.version for d in Deadline.objects.filter(case=case, active=True)}) == 1

    reminders = pending(case)
    assert {kind for kind, _ in reminders} == {ReminderKind.DUE_IN_7, ReminderKind.DUE_TOMORROW, ReminderKind.PASSED}
    assert reminders[(ReminderKind.DUE_IN_7, "respond_by")].notify_on == date(2025, 6, 30)
    assert reminders[(ReminderKind.DUE_TOMORROW, "respond_by")].notify_on == date(2025, 7, 6)
    passed = reminders[(ReminderKind.PASSED, "respond_by")]
    assert passed.notify_on == date(2025, 7, 8)
    assert passed.key == f"{case.pk}:passed:respond_by:v{respond.version}"


def test_it_asks_to_confirm_delivery_of_a_posted_letter_until_receipt_is_recorded(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, TODAY - timedelta(days=3), channel="post")  # Friday 13 June
    case.refresh_from_db()
    assert case.received_on == date(2025, 6, 17)  # two working days later: the assumed delivery
    confirm = pending(case)[(ReminderKind.CONFIRM_DELIVERY, "respond_by")]
    assert confirm.notify_on == date(2025, 6, 18)

    # Confirmed for the assumed day itself: no date moves, but the question is answered.
    version = active(case)[DeadlineKind.RESPOND_BY].version
    record(case, EventKind.RECEIVED, TODAY, confirmed=True)
    confirm.refresh_from_db()
    assert confirm.state == ReminderState.CANCELLED
    assert (ReminderKind.CONFIRM_DELIVERY, "respond_by") not in pending(case)
    assert active(case)[DeadlineKind.RESPOND_BY].version > version  # receipt moved to 16 June: new dates


def test_a_valid_extension_supersedes_the_rows_with_a_new_version(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
    before = active(case)
    old_reminders = list(Reminder.objects.filter(case=case, state=ReminderState.PENDING))
    assert old_reminders
    assert DeadlineKind.EXTENDED_RESPOND_BY not in before  # "available" is not a deadline

    record(case, EventKind.EXTENSION_NOTIFIED, date(2025, 6, 10), reasons="Many requests at once.")

    after = active(case)
    version = before[DeadlineKind.RESPOND_BY].version + 1
    assert {d.version for d in after.values()} == {version}
    assert set(after) == {DeadlineKind.RESPOND_BY, DeadlineKind.EXTENDED_RESPOND_BY}
    assert after[DeadlineKind.EXTENDED_RESPOND_BY].due_on > after[DeadlineKind.RESPOND_BY].due_on
    assert not Deadline.objects.filter(pk__in=[d.pk for d in before.values()], active=True).exists()
    for reminder in old_reminders:
        reminder.refresh_from_db()
        assert reminder.state == ReminderState.CANCELLED
    # The reminders now follow the extended date, with keys of the new version.
    now_pending = pending(case)
    assert {deadline for _, deadline in now_pending} == {DeadlineKind.EXTENDED_RESPOND_BY}
    assert all(r.key.endswith(f":v{version}") for r in now_pending.values())
    case.refresh_from_db()
    assert case.respond_by == after[DeadlineKind.EXTENDED_RESPOND_BY].due_on


def test_recomputing_with_no_change_creates_nothing(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
    deadlines, reminders = Deadline.objects.count(), Reminder.objects.count()
    version = active(case)[DeadlineKind.RESPOND_BY].version

    with transaction.atomic():
        case_recompute(case=case)
        case_recompute(case=case)
    record(case, EventKind.ACKNOWLEDGED, date(2025, 6, 3))  # an event that changes no date

    assert (Deadline.objects.count(), Reminder.objects.count()) == (deadlines, reminders)
    assert active(case)[DeadlineKind.RESPOND_BY].version == version


def test_a_response_cancels_the_pending_reminders(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
    assert pending(case)
    record(case, EventKind.RESPONSE_RECEIVED, TODAY)
    assert not pending(case)
    assert Reminder.objects.filter(case=case, state=ReminderState.CANCELLED).count() == 3
    assert active(case)  # the dates stay on the case as its record


def test_a_case_entered_late_still_gets_its_passed_reminder_once(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, TODAY - timedelta(days=40), channel="email")
    reminders = list(Reminder.objects.filter(case=case))
    assert [(r.kind, r.state) for r in reminders] == [(ReminderKind.PASSED, ReminderState.PENDING)]
    assert reminders[0].notify_on <= TODAY  # due now: "due in 7 days" and "tomorrow" are long gone


def test_a_sent_follow_up_adds_its_answer_date_and_the_complaint_window(frozen, make_case, record, follow_up_sent):
    from deletion_portal.tracking.sweep import sweep

    case = make_case()
    record(case, EventKind.SENT, TODAY - timedelta(days=40), channel="email")
    sweep(today=TODAY, requeue=False)  # the "passed" reminder is done
    follow_up_sent(case, TODAY)

    rows = active(case)
    assert rows[DeadlineKind.FOLLOW_UP_ANSWER_BY].due_on == TODAY + timedelta(days=FOLLOW_UP_ANSWER_DAYS)  # calendar days
    assert rows[DeadlineKind.COMPLAINT_WINDOW].due_on == TODAY + timedelta(days=FOLLOW_UP_ANSWER_DAYS + 1)
    assert rows[DeadlineKind.FOLLOW_UP_ANSWER_BY].trail
    now_pending = pending(case)
    assert set(now_pending) == {(ReminderKind.DUE_TOMORROW, "follow_up_answer_by"), (ReminderKind.PASSED, "follow_up_answer_by")}
    # The request's own "passed" was delivered under the old version and is not created again.
    assert Reminder.objects.filter(case=case, kind=ReminderKind.PASSED, deadline__kind="respond_by").count() == 1


def test_a_closed_case_has_no_reminders(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
    record(case, EventKind.CLOSED, TODAY, outcome="withdrawn")
    assert not pending(case)


def test_deadlines_sync_returns_the_version_in_force(frozen, make_case, record):
    case = make_case()
    assert deadlines_sync(case=case, result=None, events=[]) == 0
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
    version = active(case)[DeadlineKind.RESPOND_BY].version
    from deletion_portal.cases.selectors import case_deadlines, case_events

    events = case_events(case)
    case.refresh_from_db()
    assert deadlines_sync(case=case, result=case_deadlines(case, events), events=events) == version
