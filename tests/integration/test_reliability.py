"""Nothing lost, nothing sent twice — proved with real parts.

Every test starts its own Redis (AOF on) on a free port, its own SMTP server (tests/integration/smtp.py)
and real ``celery worker`` / ``celery beat`` processes, on a PostgreSQL database copied from a migrated
template (several processes write at once; SQLite's locking is the wrong thing to test here). The
subprocess environment makes the clocks short: a sweep every 5 s, a ``sending`` row stale after a
few seconds, retries after 1 s, 2 s, 4 s …

* a worker SIGKILLed while the mail server has the message but has not answered → after a restart the
  message arrives exactly once (acks_late + reject_on_worker_lost + prefetch 1, a compare-and-swap
  claim, and the sweep's stale requeue, since Redis only restores an unacked message after its
  visibility timeout of an hour);
* Redis restarted with messages waiting in it → all delivered, once;
* Redis down when the user sends a letter → the page answers at once, the row waits ``queued``, and
  the sweep hands it to a worker once Redis is back;
* two beat processes at once → one message per reminder;
* a mail server answering 451 → ``retrying`` with a growing backoff, the error on the case page, then
  one delivery.

Plus what the messages on the broker carry (ids only, JSON) and that results are never stored.
"""

from __future__ import annotations

import base64
import json
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.stack import (
    CASE_PAGE,
    ENQUEUE,
    FINAL_LETTER_CASE,
    LATE_CASES,
    PRESS_SEND,
    WAIT,
    RedisProcess,
    assert_no_results_stored,
    body_of,
    make_portal,
    sqlite_database,
    stamp,
)
from tests.support.processes import wait_for

# --- 1. A worker killed in the middle of sending -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery
def test_a_worker_killed_mid_send_delivers_the_message_exactly_once_after_restart(tmp_path, pg_database, smtp, services):
    redis = RedisProcess(services, tmp_path / "redis").start()
    portal = make_portal(services, tmp_path, pg_database, redis=redis, smtp=smtp)
    smtp.hold()
    worker = portal.worker("worker-1")

    [message_id] = portal.shell(ENQUEUE.format(count=1))

    # The worker claimed the row and is inside DATA, waiting for the server's answer.
    wait_for(lambda: worker.ensure_alive() or smtp.held == 1, timeout=WAIT,
             what=f"the worker to reach DATA at the SMTP server\n{portal.logs()}")
    [row] = pg_database.outbox()
    assert row["state"] == "sending" and row["attempts"] == 0

    worker._signal_group(signal.SIGKILL)  # the worker and its pool child, no goodbye
    worker.process.wait(timeout=10)
    wait_for(lambda: smtp.dropped, timeout=10, what="the SMTP server to see the client's connection die")
    smtp.release()
    assert smtp.messages == [], "a message whose sender died before the server's 250 was not handed over"
    assert [row["state"] for row in pg_database.outbox()] == ["sending"]  # abandoned, nobody owns it

    # Restart: a new worker, and beat's sweep, which finds the abandoned row once it is stale.
    portal.worker("worker-2")
    portal.beat()
    [delivered] = smtp.wait_for(1, timeout=WAIT)
    wait_for(lambda: pg_database.outbox()[0]["state"] == "sent", timeout=10, what="the row to be recorded sent")
    time.sleep(2)  # the row is sent, so no sweep can hand it out again; nothing else is in flight

    assert len(smtp.messages) == 1
    assert smtp.message_id_counts()[delivered.message_id] == 1
    assert Counter(body_of(m) for m in smtp.messages) == Counter({"Body of message 0": 1})
    assert delivered.subject == "Message 0" and delivered.rcpt_tos == ("dpo@employer.example",)
    [row] = pg_database.outbox()
    assert row["id"] == message_id
    # One attempt counted: the killed one never finished, so it recorded nothing.
    assert row["state"] == "sent" and row["attempts"] == 1 and row["sent_at"] is not None and row["last_error"] == ""
    # The killed attempt's message is still in Redis, unacked: a later redelivery finds the row sent.
    assert_no_results_stored(redis)


# --- 2. Redis restarted while messages wait in it ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery
def test_a_redis_restart_loses_none_of_the_waiting_messages(tmp_path, pg_database, smtp, services):
    redis = RedisProcess(services, tmp_path / "redis").start()
    # No beat, and a grace far longer than the test: only the broker can deliver these.
    portal = make_portal(services, tmp_path, pg_database, redis=redis, smtp=smtp, OUTBOX_QUEUED_GRACE_SECONDS="3600")

    ids = portal.shell(ENQUEUE.format(count=5))
    assert len(ids) == 5
    assert redis.queue_length() == 5

    redis.stop()
    redis.start()
    assert redis.queue_length() == 5, "the AOF must bring the waiting tasks back"

    portal.worker()
    smtp.wait_for(5, timeout=WAIT)
    time.sleep(2)

    assert sorted(body_of(m) for m in smtp.messages) == [f"Body of message {i}" for i in range(5)]
    assert all(count == 1 for count in smtp.message_id_counts().values()) and len(smtp.message_id_counts()) == 5
    assert {row["state"] for row in pg_database.outbox()} == {"sent"}
    assert redis.queue_length() == 0
    assert_no_results_stored(redis)


# --- 3. Redis down when the user acts ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery
def test_a_user_can_send_a_letter_while_redis_is_down_and_it_is_delivered_once_redis_is_back(
    tmp_path, pg_database, smtp, services
):
    redis = RedisProcess(services, tmp_path / "redis").start()
    portal = make_portal(services, tmp_path, pg_database, redis=redis, smtp=smtp)
    case = portal.shell(FINAL_LETTER_CASE)
    redis.stop()

    started = time.monotonic()
    pressed = portal.shell(PRESS_SEND.format(case=case["case"]))
    elapsed = time.monotonic() - started

    assert pressed["status"] == 302 and pressed["location"] == f"/cases/{case['case']}/"
    assert pressed["seconds"] < 3, f"a down broker cost the request {pressed['seconds']:.1f}s"
    assert elapsed < 10
    [row] = pg_database.outbox()
    assert (row["state"], row["attempts"], row["claimed_at"]) == ("queued", 0, None)
    assert row["key"] == f"letter:{case['letter']}:email"

    redis.start()
    portal.worker()
    portal.beat()
    [delivered] = smtp.wait_for(1, timeout=WAIT)
    wait_for(lambda: pg_database.outbox()[0]["state"] == "sent", timeout=10, what="the row to be recorded sent")
    time.sleep(2)

    assert len(smtp.messages) == 1
    assert delivered.rcpt_tos == ("privacy@acme.example", "olive.private@mail.example")
    assert case["reference"] in delivered.subject or case["reference"] in body_of(delivered)
    assert b"application/pdf" in delivered.raw
    [row] = pg_database.outbox()
    assert (row["state"], row["attempts"]) == ("sent", 1)
    assert_no_results_stored(redis)


# --- 4. Two beat processes at once ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery
def test_two_beats_at_once_send_one_message_per_reminder(tmp_path, pg_database, smtp, services):
    redis = RedisProcess(services, tmp_path / "redis").start()
    portal = make_portal(services, tmp_path, pg_database, redis=redis, smtp=smtp)
    cases = portal.shell(LATE_CASES.format(count=3))

    portal.worker(concurrency=2)  # two sweeps can run side by side
    beats = [portal.beat("beat-a"), portal.beat("beat-b")]
    smtp.wait_for(3, timeout=WAIT)

    def both_beats_swept_twice():
        return all(beat.log(100_000).count("Scheduler: Sending due task sweep-deadlines") >= 2 for beat in beats)

    wait_for(both_beats_swept_twice, timeout=WAIT, what=f"both beats to send the sweep twice\n{portal.logs()}")
    time.sleep(2)

    counts = smtp.message_id_counts()
    assert len(counts) == 3 and set(counts.values()) == {1}, counts
    subjects = sorted(m.subject for m in smtp.messages)
    assert subjects == sorted(f"Deadline passed — Acme Analytics GmbH ({c['reference']})" for c in cases)
    rows = pg_database.outbox()
    assert sorted(row["key"] for row in rows) == sorted(f"reminder:{c['case']}:passed:respond_by:v1" for c in cases)
    assert {(row["state"], row["attempts"]) for row in rows} == {("sent", 1)}
    for c in cases:  # and one follow-up draft per case, however many sweeps asked
        assert [(letter["kind"], letter["is_final"]) for letter in pg_database.letters(c["case"])] == [("follow_up", False)]
    assert_no_results_stored(redis)


# --- 5. A failing mail server --------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery
def test_a_failing_mail_server_is_retried_with_backoff_shown_on_the_case_page_then_delivered_once(
    tmp_path, pg_database, smtp, services
):
    redis = RedisProcess(services, tmp_path / "redis").start()
    portal = make_portal(services, tmp_path, pg_database, redis=redis, smtp=smtp)
    smtp.reject_first(2)
    worker = portal.worker()
    portal.beat()
    case = portal.shell(FINAL_LETTER_CASE)

    assert portal.shell(PRESS_SEND.format(case=case["case"]))["status"] == 302

    # The case page while the row waits (in another process, while this one watches the row go
    # through both failures: attempts, claimed_at, next_attempt_at, last_error).
    with ThreadPoolExecutor(1) as pool:
        page_future = pool.submit(portal.shell, CASE_PAGE.format(case=case["case"], wait_state="retrying"))
        seen: dict[int, dict] = {}

        def watch():
            worker.ensure_alive()
            [row] = pg_database.outbox()
            if row["state"] == "retrying":
                seen.setdefault(row["attempts"], row)
            return row["state"] == "sent"

        wait_for(watch, timeout=WAIT, interval=0.05, what=f"the message to be delivered after two 451s\n{portal.logs()}")
        page = page_future.result(timeout=WAIT)

    # The failure was visible on the case page while the row waited.
    assert page["status"] == 200
    assert "Retrying" in page["outbox"] and "451" in page["outbox"] and "privacy@acme.example" in page["outbox"]
    assert "Temporary failure" in page["outbox"]

    assert sorted(seen) == [1, 2], seen
    first, second = seen[1], seen[2]
    assert first["last_error"].startswith("SMTPDataError") and "451" in first["last_error"]
    # Backoff: the second wait is longer than the first (1 s, then 2 s with OUTBOX_RETRY_BASE_SECONDS=1).
    wait_1 = (stamp(first["next_attempt_at"]) - stamp(first["claimed_at"])).total_seconds()
    wait_2 = (stamp(second["next_attempt_at"]) - stamp(second["claimed_at"])).total_seconds()
    assert 0.9 <= wait_1 < wait_2 and 1.9 <= wait_2 < 4, (wait_1, wait_2)
    assert stamp(second["next_attempt_at"]) > stamp(first["next_attempt_at"])

    after = portal.shell(CASE_PAGE.format(case=case["case"], wait_state=""))  # (and a moment for strays)
    assert len(smtp.rejected) == 2 and len(smtp.messages) == 1
    assert len({m.message_id for m in smtp.attempts}) == 1  # every attempt was the same message
    [row] = pg_database.outbox()
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 3, "")
    assert "Sent" in after["outbox"] and "451" not in after["outbox"]
    assert_no_results_stored(redis)


# --- What travels through the broker ---------------------------------------------------------------------------


def _decoded(message: dict) -> tuple[str, list, dict]:
    assert message["content-type"] == "application/json" and message["content-encoding"] == "utf-8"
    body = json.loads(base64.b64decode(message["body"]) if message["properties"].get("body_encoding") == "base64"
                      else message["body"])
    args, kwargs, _embed = body
    return message["headers"]["task"], args, kwargs


def _ids_only(value) -> bool:
    if isinstance(value, list):
        return all(_ids_only(item) for item in value)
    return isinstance(value, int) and not isinstance(value, bool)


@pytest.mark.redis
def test_tasks_on_the_broker_carry_ids_only_in_json(tmp_path, portal_var_dir, smtp, services):
    """The messages a sweep and a send publish, read raw from Redis: JSON, ids only, no personal data."""
    redis = RedisProcess(services, tmp_path / "redis").start()
    portal = make_portal(services, tmp_path, sqlite_database(portal_var_dir / "portal.sqlite3"), redis=redis, smtp=smtp,
                         var_dir=portal_var_dir, OUTBOX_QUEUED_GRACE_SECONDS="3600")
    cases = portal.shell(LATE_CASES.format(count=2))
    portal.shell("from django.core.management import call_command\ncall_command('sweep_deadlines')\n"
                 + ENQUEUE.format(count=1))

    messages = redis.queued_messages()
    tasks = Counter()
    for message in messages:
        name, args, kwargs = _decoded(message)
        tasks[name] += 1
        assert kwargs == {} and _ids_only(args), (name, args, kwargs)
        raw = json.dumps(message)
        for personal in ("olive", "Olive", "mail.example", "acme", "Acme", "Gartenweg", *(c["reference"] for c in cases)):
            assert personal not in raw, (personal, name)
        assert message["headers"]["ignore_result"] is True
    assert tasks == Counter({"core.deliver_outbox_batch": 1, "tracking.draft_follow_ups": 1,
                             "core.deliver_outbox_message": 1}), tasks


def test_every_task_has_time_limits_json_and_ignores_results(settings):
    from deletion_portal.celery import app

    app.loader.import_default_modules()
    conf = app.conf
    assert (conf.task_serializer, conf.result_serializer, list(conf.accept_content)) == ("json", "json", ["json"])
    assert conf.task_ignore_result is True and not conf.result_backend
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_publish_retry_policy["max_retries"] <= 2 and conf.broker_connection_timeout <= 4
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"core.deliver_outbox_message", "core.deliver_outbox_batch", "tracking.sweep"} <= set(ours)
    for name, task in ours.items():
        assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit, name


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_refuses_does_not_fail_the_action_and_the_row_waits(monkeypatch, caplog):
    """In-process: publishing fails after the commit → no exception, the row stays queued, the log
    names the error type only, and the sweep's stale requeue picks the row up later."""
    from django.db import transaction
    from kombu.exceptions import OperationalError

    from deletion_portal.core import outbox
    from deletion_portal.core.models import OutboxMessage
    from deletion_portal.core.tasks import deliver_outbox_message

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis.internal:6379. Connection refused.")

    monkeypatch.setattr(deliver_outbox_message, "delay", refuse)
    with caplog.at_level("WARNING", logger="deletion_portal.core.outbox"):
        with transaction.atomic():
            message = outbox.outbox_enqueue(key="t:down", topic="case:1", to=["olive@mail.example"],
                                            subject="S", body="B")
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.state, row.claimed_at) == ("queued", None)
    assert "OperationalError" in caplog.text and "redis.internal" not in caplog.text and "olive" not in caplog.text

    OutboxMessage.objects.filter(pk=row.pk).update(created_at=row.created_at.replace(year=row.created_at.year - 1))
    assert outbox.outbox_stale_ids() == [row.pk]
