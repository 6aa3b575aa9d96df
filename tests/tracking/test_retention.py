"""Retention: a closed case is warned 14 days before and deleted with its files CASE_RETENTION_DAYS after
it closed, unless its owner keeps it; the daily purge leaves one audit line without personal data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from deletion_portal.cases.models import Attachment, Case, EventKind, Letter, LetterKind
from deletion_portal.core.models import OutboxMessage
from deletion_portal.tracking.models import AuditLine, Reminder, ReminderKind, ReminderState
from deletion_portal.tracking.retention import retention_plan, retention_purge, retention_set_keep
from deletion_portal.tracking.sweep import sweep
from tests.support.data import TODAY
from tests.support.world import login

pytestmark = pytest.mark.django_db

CLOSED_AT = datetime(2025, 6, 16, 10, 0, tzinfo=dt_timezone.utc)  # the frozen "now" of the fixtures
WARN_ON = TODAY + timedelta(days=365 - 14)  # 2026-06-02
DELETE_ON = TODAY + timedelta(days=365)  # 2026-06-16


def warnings(case):
    return list(Reminder.objects.filter(case=case, kind=ReminderKind.RETENTION_WARNING).order_by("pk"))


@pytest.fixture
def close(record):
    def do(case, on=TODAY):
        record(case, EventKind.CLOSED, on, outcome="fulfilled")
        case.refresh_from_db()
        return case

    return do


@pytest.fixture
def closed_case(frozen, make_case, record, close):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
    return close(case)


def with_files(case):
    letter = Letter(case=case, kind=LetterKind.REQUEST, language="en", template_version="t", html="<p>x</p>",
                    is_final=True)
    letter.pdf.save(f"{case.reference}-{letter.short_id}.pdf", ContentFile(b"%PDF-1.4 letter"), save=False)
    letter.save()
    attachment = Attachment(case=case, original_name="answer.pdf", content_type="application/pdf", size=10, sha256="0" * 64)
    attachment.file.save("answer.pdf", ContentFile(b"%PDF-1.4 answer"), save=False)
    attachment.save()
    return [letter.pdf.name, attachment.file.name]


def warn_and_purge(tasks, *, purge_on=DELETE_ON):
    """The sweep on the warning day, then the purge on ``purge_on`` (just after the closing's time)."""
    sweep(today=WARN_ON)
    return retention_purge(now=datetime.combine(purge_on, CLOSED_AT.time(), dt_timezone.utc) + timedelta(hours=1))


# --- The warning ---------------------------------------------------------------------------------------


def test_closing_a_case_plans_the_warning_14_days_before_the_deletion(closed_case):
    assert closed_case.closed_at == CLOSED_AT
    [warning] = warnings(closed_case)
    assert warning.notify_on == WARN_ON == DELETE_ON - timedelta(days=14)
    assert warning.state == ReminderState.PENDING and warning.deadline is None
    assert warning.key == f"{closed_case.pk}:retention_warning:2025-06-16"


def test_an_open_case_has_no_warning(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
    assert warnings(case) == []


def test_a_kept_case_is_not_warned(frozen, make_case, record, close):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
    retention_set_keep(case=case, keep=True)
    close(case)
    assert warnings(case) == []


def test_keeping_cancels_the_warning_and_unkeeping_plans_it_again(closed_case):
    retention_set_keep(case=closed_case, keep=True)
    assert [w.state for w in warnings(closed_case)] == [ReminderState.CANCELLED]
    retention_set_keep(case=closed_case, keep=False)
    [warning] = warnings(closed_case)
    assert warning.state == ReminderState.PENDING and warning.notify_on == WARN_ON


def test_planning_is_idempotent(closed_case):
    retention_plan(case=closed_case)
    retention_plan(case=closed_case)
    assert len(warnings(closed_case)) == 1


def test_the_warning_email_names_the_date_and_how_to_keep_the_case(closed_case, tasks):
    sweep(today=WARN_ON)
    message = OutboxMessage.objects.get(key=f"reminder:{closed_case.pk}:retention_warning:2025-06-16")
    assert message.to == ["olive.private@mail.example"]
    assert "14 days" in message.subject
    assert "16 June 2026" in message.body and "2026-06-16" in message.body
    assert "keep" in message.body.lower()
    assert f"https://portal.example/cases/{closed_case.pk}/" in message.body


def test_unkeeping_after_the_warning_went_out_and_the_date_passed_warns_again(closed_case, tasks):
    sweep(today=WARN_ON)
    retention_set_keep(case=closed_case, keep=True)
    late = DELETE_ON + timedelta(days=30)
    with time_machine.travel(datetime.combine(late, CLOSED_AT.time(), dt_timezone.utc), tick=False):
        retention_set_keep(case=closed_case, keep=False)
        pending = [w for w in warnings(closed_case) if w.state == ReminderState.PENDING]
        assert [w.notify_on for w in pending] == [late]
        # The fresh warning promises 14 days: the purge keeps the case until then.
        assert retention_purge() == 0
    assert Case.objects.filter(pk=closed_case.pk).exists()


# --- The purge -----------------------------------------------------------------------------------------


def test_the_purge_deletes_the_case_with_its_files_and_leaves_an_anonymous_audit_line(
        closed_case, tasks, django_capture_on_commit_callbacks, caplog):
    names = with_files(closed_case)
    assert all(default_storage.exists(name) for name in names)
    reference, pk = closed_case.reference, closed_case.pk

    with django_capture_on_commit_callbacks(execute=True):
        assert warn_and_purge(tasks) == 1

    assert not Case.objects.filter(pk=pk).exists()
    assert not Reminder.objects.filter(case_id=pk).exists()
    assert not OutboxMessage.objects.filter(topic=f"case:{pk}").exists()
    assert not any(default_storage.exists(name) for name in names)
    [line] = AuditLine.objects.filter(action="retention_purge")
    assert line.count == 1 and line.detail == "closed cases older than 365 days"
    personal = [reference, "olive", "Olive Owner", "olive.private@mail.example", "olive@mail.example", "Acme", "München"]
    for value in (line.action, str(line.count), line.detail):
        assert not any(p.lower() in value.lower() for p in personal)
    purge_logs = " ".join(r.getMessage() for r in caplog.records if r.name.endswith("retention"))
    assert "deleted 1 closed case" in purge_logs and reference not in purge_logs


def test_a_kept_case_survives_the_purge(closed_case, tasks, django_capture_on_commit_callbacks):
    names = with_files(closed_case)
    retention_set_keep(case=closed_case, keep=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert warn_and_purge(tasks, purge_on=DELETE_ON + timedelta(days=400)) == 0
    assert Case.objects.filter(pk=closed_case.pk).exists()
    assert all(default_storage.exists(name) for name in names)
    assert AuditLine.objects.get(action="retention_purge").count == 0


def test_a_case_is_not_deleted_before_the_retention_period_ends(closed_case, tasks):
    assert warn_and_purge(tasks, purge_on=DELETE_ON - timedelta(days=1)) == 0
    assert Case.objects.filter(pk=closed_case.pk).exists()


def test_an_open_case_is_never_purged(frozen, make_case, record, tasks):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
    assert retention_purge(now=CLOSED_AT + timedelta(days=2000)) == 0
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_case_that_was_never_warned_is_warned_first_and_deleted_14_days_later(frozen, make_case, tasks):
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=CLOSED_AT - timedelta(days=1000))
    now = CLOSED_AT
    assert retention_purge(now=now) == 0
    [warning] = warnings(case)
    assert warning.state == ReminderState.PENDING and warning.notify_on == TODAY
    sweep(today=TODAY)
    assert retention_purge(now=now + timedelta(days=13)) == 0
    assert retention_purge(now=now + timedelta(days=14)) == 1
    assert not Case.objects.filter(pk=case.pk).exists()


def test_the_purge_works_in_batches(frozen, make_case, record, close, tasks):
    cases = []
    for _ in range(3):
        case = make_case()
        record(case, EventKind.SENT, date(2025, 6, 2), channel="email")
        cases.append(close(case))
    sweep(today=WARN_ON)
    now = datetime.combine(DELETE_ON, CLOSED_AT.time(), dt_timezone.utc) + timedelta(hours=1)
    assert retention_purge(now=now, batch=2) == 3
    assert not Case.objects.filter(pk__in=[c.pk for c in cases]).exists()
    assert AuditLine.objects.get(action="retention_purge").count == 3


def test_the_purge_is_a_daily_beat_task():
    from deletion_portal.tracking.tasks import purge_closed_cases

    entry = django_settings.CELERY_BEAT_SCHEDULE["purge-closed-cases"]
    assert entry["task"] == purge_closed_cases.name == "tracking.purge_closed_cases"
    assert entry["schedule"] == timedelta(days=1)


def test_the_task_runs_the_purge(closed_case, tasks):
    from deletion_portal.tracking.tasks import purge_closed_cases

    sweep(today=WARN_ON)
    with time_machine.travel(datetime.combine(DELETE_ON, CLOSED_AT.time(), dt_timezone.utc) + timedelta(hours=1), tick=False):
        assert purge_closed_cases() == 1


# --- The keep toggle ------------------------------------------------------------------------------------


def test_the_owner_keeps_and_unkeeps_a_case(client, owner, closed_case):
    login(client, owner)
    url = reverse("tracking:keep", args=[closed_case.pk])
    assert client.post(url, {"keep": "1"}).status_code == 302
    closed_case.refresh_from_db()
    assert closed_case.keep and [w.state for w in warnings(closed_case)] == [ReminderState.CANCELLED]
    page = client.get(reverse("cases:detail", args=[closed_case.pk])).content.decode()
    assert "You chose to keep it" in page

    client.post(url, {"keep": "0"})
    closed_case.refresh_from_db()
    assert not closed_case.keep and [w.state for w in warnings(closed_case)] == [ReminderState.PENDING]
    page = client.get(reverse("cases:detail", args=[closed_case.pk])).content.decode()
    assert "Closed on Monday 16 June 2025" in page and "deleted with its letters and files on Tuesday 16 June 2026" in page


def test_keep_is_a_404_for_another_user(client, closed_case):
    from deletion_portal.accounts.models import Role
    from deletion_portal.accounts.services import account_create

    other = account_create(email="colin@mail.example", password="correct horse battery staple 42",
                           role=Role.EMPLOYEE, display_name="Colin", confirmed=True)
    login(client, other)
    assert client.post(reverse("tracking:keep", args=[closed_case.pk]), {"keep": "1"}).status_code == 404
    closed_case.refresh_from_db()
    assert not closed_case.keep


def test_keep_sends_the_anonymous_to_login(client, closed_case):
    response = client.post(reverse("tracking:keep", args=[closed_case.pk]), {"keep": "1"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    closed_case.refresh_from_db()
    assert not closed_case.keep


def test_keep_refuses_get(client, owner, closed_case):
    login(client, owner)
    assert client.get(reverse("tracking:keep", args=[closed_case.pk])).status_code == 405
