"""The beat sweep: what has come due is claimed once, emailed once through the outbox, and a passed
deadline asks for a follow-up draft once — however often the sweep runs."""

from __future__ import annotations

import sys
import types
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from deletion_portal.cases.models import EventKind
from deletion_portal.core.models import OutboxMessage, OutboxState
from deletion_portal.core.outbox import outbox_deliver
from deletion_portal.tracking.models import Reminder, ReminderKind, ReminderState
from deletion_portal.tracking.sweep import sweep
from tests.support.data import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_sweep(django_capture_on_commit_callbacks, tasks):
    """A sweep whose after-commit enqueues run (the test's own transaction never commits)."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(**kwargs)

    return run


@pytest.fixture
def late_case(frozen, make_case, record):
    """The issue's case: a GDPR request sent outside the portal, by email, received 40 days ago."""
    case = make_case()
    record(case, EventKind.SENT, TODAY - timedelta(days=40), channel="email")
    return case


def test_it_sends_exactly_one_passed_email_and_asks_for_one_follow_up(late_case, run_sweep, tasks):
    report = run_sweep()

    messages = list(OutboxMessage.objects.all())
    assert len(messages) == 1
    message = messages[0]
    reminder = Reminder.objects.get(case=late_case)
    assert reminder.kind == ReminderKind.PASSED and reminder.state == ReminderState.DONE
    assert message.key == f"reminder:{late_case.pk}:passed:respond_by:v1" == f"reminder:{reminder.key}"
    assert message.topic == f"case:{late_case.pk}"
    assert message.to == ["olive.private@mail.example"]
    assert message.subject.startswith("Deadline passed")
    assert "Acme Analytics GmbH" in message.body and late_case.reference in message.body
    # 7 May + one month = Saturday 7 June, rolled past Whit Monday (a DE-BY holiday) to Tuesday 10 June.
    assert "GDPR" in message.body and "Tuesday 10 June 2025 (2025-06-10)" in message.body
    assert f"https://portal.example/cases/{late_case.pk}/" in message.body
    assert "follow-up letter" in message.body
    assert tasks.ids("draft_follow_ups") == [late_case.pk]
    assert tasks.ids("deliver_outbox_batch") == [message.pk]
    assert (report.claimed, report.messages, report.follow_ups) == (1, 1, 1)


def test_sweeping_again_or_twice_changes_nothing(late_case, run_sweep, tasks):
    run_sweep()
    second = run_sweep()
    third = run_sweep(today=TODAY + timedelta(days=3))
    assert OutboxMessage.objects.count() == 1
    assert (second.claimed, second.messages, third.claimed) == (0, 0, 0)
    assert tasks.ids("draft_follow_ups") == [late_case.pk]  # asked once
    assert len(tasks.ids("deliver_outbox_batch")) == 1


def test_a_message_key_that_exists_is_not_written_again(late_case, run_sweep, tasks):
    """Belt and braces: even a reminder put back to pending cannot produce a second email."""
    run_sweep()
    Reminder.objects.filter(case=late_case).update(state=ReminderState.PENDING)
    report = run_sweep()
    assert report.claimed == 1 and report.messages == 0
    assert OutboxMessage.objects.count() == 1


def test_each_due_reminder_gets_one_message_with_its_unique_key(frozen, make_case, record, run_sweep, tasks):
    cases = [make_case() for _ in range(3)]
    for case in cases:
        record(case, EventKind.SENT, TODAY - timedelta(days=40), channel="email")
    not_yet = make_case()
    record(not_yet, EventKind.SENT, TODAY - timedelta(days=3), channel="email")

    report = run_sweep(batch=2)  # two batches: 2 + 1

    keys = sorted(OutboxMessage.objects.values_list("key", flat=True))
    assert keys == sorted(f"reminder:{case.pk}:passed:respond_by:v1" for case in cases)
    assert report.claimed == 3 and report.batches == 2
    assert sorted(tasks.ids("draft_follow_ups")) == sorted(c.pk for c in cases)
    assert not Reminder.objects.filter(case=not_yet).exclude(state=ReminderState.PENDING).exists()


def test_due_in_7_and_due_tomorrow_name_the_date(frozen, make_case, record, run_sweep):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")  # respond by Wednesday 2 July

    with time_machine.travel("2025-06-25 08:00:00Z", tick=False):
        run_sweep()
    with time_machine.travel("2025-07-01 08:00:00Z", tick=False):
        run_sweep()

    in_7 = OutboxMessage.objects.get(key__contains=":due_in_7:")
    tomorrow = OutboxMessage.objects.get(key__contains=":due_tomorrow:")
    assert "in 7 days" in in_7.subject and "Wednesday 2 July 2025 (2025-07-02)" in in_7.body
    assert "by tomorrow" in tomorrow.subject and "Wednesday 2 July 2025 (2025-07-02)" in tomorrow.body
    for message in (in_7, tomorrow):
        assert "Acme Analytics GmbH" in message.subject and case.reference in message.subject
        assert "General Data Protection Regulation" in message.body


def test_the_texts_are_plain_text_not_html_escaped(frozen, employer, make_case, record, run_sweep):
    employer.legal_name = "Smith & Jones <Data> Ltd"
    employer.save()
    case = make_case()
    record(case, EventKind.SENT, TODAY - timedelta(days=40), channel="email")
    run_sweep()
    message = OutboxMessage.objects.get()
    assert "Smith & Jones <Data> Ltd" in message.subject and "Smith & Jones <Data> Ltd" in message.body
    assert "&amp;" not in message.body


def test_the_owner_account_gets_it_when_the_case_has_no_requester_email(frozen, make_case, record, run_sweep):
    case = make_case(requester_email="")
    record(case, EventKind.SENT, TODAY - timedelta(days=40), channel="email")
    run_sweep()
    assert OutboxMessage.objects.get().to == ["olive@mail.example"]


def test_a_cancelled_reminder_is_never_swept(late_case, record, run_sweep, tasks):
    record(late_case, EventKind.RESPONSE_RECEIVED, TODAY)
    report = run_sweep()
    assert report.claimed == 0 and not OutboxMessage.objects.exists()
    assert tasks.ids("draft_follow_ups") == []


def test_an_unanswered_follow_up_asks_for_a_complaint(late_case, run_sweep, tasks, follow_up_sent):
    run_sweep()
    follow_up_sent(late_case, TODAY)
    answer_by = TODAY + timedelta(days=14)
    with time_machine.travel(f"{(answer_by + timedelta(days=1)).isoformat()} 08:00:00Z", tick=False):
        report = run_sweep()
    assert report.complaints == 1 and tasks.ids("draft_complaints") == [late_case.pk]
    kinds = sorted(OutboxMessage.objects.values_list("key", flat=True))
    assert kinds == sorted([
        f"reminder:{late_case.pk}:passed:respond_by:v1",
        f"reminder:{late_case.pk}:due_tomorrow:follow_up_answer_by:v2",
        f"reminder:{late_case.pk}:passed:follow_up_answer_by:v2",
    ])
    complaint_mail = OutboxMessage.objects.get(key__endswith="passed:follow_up_answer_by:v2")
    assert "complaint" in complaint_mail.subject.lower()
    assert tasks.ids("draft_follow_ups") == [late_case.pk]  # still only the first one


def test_a_stale_sending_message_is_claimed_again_and_requeued(db, settings, run_sweep, tasks):
    settings.OUTBOX_STALE_SECONDS = 600
    now = timezone.now()
    stale = OutboxMessage.objects.create(key="t:stale", topic="case:1", to=["a@example.org"], subject="S", body="B",
                                         state=OutboxState.SENDING, claimed_at=now - timedelta(seconds=700))
    busy = OutboxMessage.objects.create(key="t:busy", topic="case:1", to=["a@example.org"], subject="S", body="B",
                                        state=OutboxState.SENDING, claimed_at=now - timedelta(seconds=30))
    lost = OutboxMessage.objects.create(key="t:lost", topic="case:1", to=["a@example.org"], subject="S", body="B")
    OutboxMessage.objects.filter(pk=lost.pk).update(created_at=now - timedelta(minutes=5))
    fresh = OutboxMessage.objects.create(key="t:fresh", topic="case:1", to=["a@example.org"], subject="S", body="B")

    report = run_sweep()

    assert report.requeued == 2
    assert sorted(tasks.ids("deliver_outbox_batch")) == sorted([stale.pk, lost.pk])  # not the busy or fresh one
    assert outbox_deliver(message_id=busy.pk) == OutboxState.SENDING  # a live claim is not taken over
    assert outbox_deliver(message_id=stale.pk) == OutboxState.SENT
    assert outbox_deliver(message_id=stale.pk) == OutboxState.SENT  # and only once
    assert len(mail.outbox) == 1
    assert fresh.pk not in tasks.ids("deliver_outbox_batch")


def test_the_deliver_batch_task_sends_each_message_once(db):
    from deletion_portal.core.tasks import deliver_outbox_batch

    ids = [OutboxMessage.objects.create(key=f"t:{i}", topic="case:1", to=["a@example.org"], subject="S", body="B").pk
           for i in range(3)]
    deliver_outbox_batch(ids)
    deliver_outbox_batch(ids)
    assert len(mail.outbox) == 3
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.SENT}


def test_the_command_runs_one_sweep_and_says_what_it_did(late_case, django_capture_on_commit_callbacks, tasks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_deadlines", stdout=out)
    text = out.getvalue()
    assert "claimed 1 reminder(s)" in text and "queued 1 email(s)" in text and "1 follow-up draft(s)" in text
    out = StringIO()
    call_command("sweep_deadlines", stdout=out)
    assert "claimed 0 reminder(s)" in out.getvalue()


def test_the_beat_task_runs_the_sweep(late_case, django_capture_on_commit_callbacks, tasks):
    from deletion_portal.tracking.tasks import sweep_deadlines

    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_deadlines()
    assert result["claimed"] == 1 and result["follow_ups"] == 1
    assert sweep_deadlines.name == "tracking.sweep"
    assert sweep_deadlines.time_limit and sweep_deadlines.soft_time_limit
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["sweep-deadlines"]["task"] == "tracking.sweep"
    assert "retry-outbox" not in settings.CELERY_BEAT_SCHEDULE  # the sweep re-queues the outbox itself


@pytest.fixture
def letters_module(monkeypatch):
    """tracking.letters (another module) replaced by recorders of what the tasks ask of it."""
    calls = {"follow_up_draft": [], "complaint_draft": []}
    fake = types.ModuleType("deletion_portal.tracking.letters")
    fake.follow_up_draft = lambda *, case: calls["follow_up_draft"].append(case.pk)
    fake.complaint_draft = lambda *, case: calls["complaint_draft"].append(case.pk)
    import deletion_portal.tracking as package

    monkeypatch.setitem(sys.modules, "deletion_portal.tracking.letters", fake)
    monkeypatch.setattr(package, "letters", fake, raising=False)
    return calls


def test_the_draft_tasks_call_the_letter_services_per_case(late_case, letters_module):
    from deletion_portal.tracking.tasks import draft_complaints, draft_follow_ups

    assert draft_follow_ups([late_case.pk]) == 1
    assert draft_complaints([late_case.pk]) == 1
    assert letters_module == {"follow_up_draft": [late_case.pk], "complaint_draft": [late_case.pk]}
    assert draft_follow_ups.name == "tracking.draft_follow_ups" and draft_complaints.name == "tracking.draft_complaints"


def test_a_draft_task_tries_every_case_and_then_fails_for_a_retry(late_case, make_case, letters_module, monkeypatch):
    import deletion_portal.tracking as package
    from deletion_portal.tracking.tasks import draft_follow_ups

    other = make_case()

    def flaky(*, case):
        if case.pk == late_case.pk:
            raise RuntimeError("renderer down")
        letters_module["follow_up_draft"].append(case.pk)

    monkeypatch.setattr(package.letters, "follow_up_draft", flaky)
    with pytest.raises(RuntimeError, match="1 of 2"):
        draft_follow_ups.run([late_case.pk, other.pk])
    assert letters_module["follow_up_draft"] == [other.pk]
