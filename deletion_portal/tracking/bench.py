"""``python manage.py bench sweep``: one deadline sweep over N open cases, measured.

On PostgreSQL the cases, their active ``respond_by`` deadline and three reminders each are written
with set-based SQL (``INSERT … SELECT generate_series``): ``due-percent`` of the cases have a
"deadline passed" reminder due today, the others have all their reminders in the future (and the
due cases' earlier reminders are already done, as they would be in real life). Then ANALYZE and ONE
timed ``sweep()`` with every query counted (CaptureQueriesContext). tracemalloc slows Python down
several times, so the peak memory comes from a second sweep over the same due rows (put back to
pending, their emails deleted) with tracing on. Celery publishing is replaced by a counter so the
figures are the sweep's own cost. Everything the bench wrote is deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import time
import tracemalloc
from contextlib import ExitStack
from datetime import date, timedelta
from unittest import mock

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

BENCH_EMAIL = "bench-sweep@bench.invalid"
BENCH_EMPLOYER = "Bench Sweep Employer (benchmark data)"
SQLITE_DEFAULT_CASES = 20_000
PG_DEFAULT_CASES = 1_000_000
# Case number g is due when g * p / 10000 crosses an integer: exactly round-down(N * p / 10000) due
# cases, spread evenly (p = the due percentage in hundredths of a percent).
DUE_SQL = "(g::bigint * %(due)s) / 10000 > ((g - 1)::bigint * %(due)s) / 10000"


def _is_due(g: int, due_per_10000: int) -> bool:
    return (g * due_per_10000) // 10000 > ((g - 1) * due_per_10000) // 10000


def _owner_and_employer():
    from django.contrib.auth import get_user_model

    from deletion_portal.employers.models import Employer

    User = get_user_model()
    owner = User.objects.filter(email=BENCH_EMAIL).first() or User.objects.create_user(email=BENCH_EMAIL, password=None)
    employer = Employer.objects.filter(legal_name=BENCH_EMPLOYER).first() or Employer.objects.create(
        legal_name=BENCH_EMPLOYER, country="DE"
    )
    return owner, employer


def bench_cleanup() -> int:
    """Delete everything a bench run wrote (found through the bench owner); returns the cases deleted."""
    from django.contrib.auth import get_user_model

    from deletion_portal.cases.models import Case
    from deletion_portal.core.models import OutboxMessage
    from deletion_portal.employers.models import Employer
    from deletion_portal.tracking.models import Deadline, Reminder

    owner = get_user_model().objects.filter(email=BENCH_EMAIL).first()
    deleted = 0
    if owner is not None:
        cases = Case.objects.filter(owner=owner)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "DELETE FROM core_outboxmessage o USING cases_case c "
                        "WHERE c.owner_id = %s AND o.topic = 'case:' || c.id AND o.key LIKE 'reminder:%%'",
                        [owner.pk],
                    )
                    cursor.execute("DELETE FROM tracking_reminder r USING cases_case c WHERE r.case_id = c.id AND c.owner_id = %s", [owner.pk])
                    cursor.execute("DELETE FROM tracking_deadline d USING cases_case c WHERE d.case_id = c.id AND c.owner_id = %s", [owner.pk])
                    cursor.execute("DELETE FROM cases_caseevent e USING cases_case c WHERE e.case_id = c.id AND c.owner_id = %s", [owner.pk])
                    cursor.execute("DELETE FROM cases_case WHERE owner_id = %s", [owner.pk])
                    deleted = cursor.rowcount
            else:
                ids = list(cases.values_list("pk", flat=True))
                for start in range(0, len(ids), 500):
                    part = ids[start:start + 500]
                    OutboxMessage.objects.filter(topic__in=[f"case:{pk}" for pk in part], key__startswith="reminder:").delete()
                Reminder.objects.filter(case__owner=owner)._raw_delete(connection.alias)
                Deadline.objects.filter(case__owner=owner)._raw_delete(connection.alias)
                deleted = cases.count()
                cases._raw_delete(connection.alias)
            owner.delete()
    Employer.objects.filter(legal_name=BENCH_EMPLOYER).delete()
    return deleted


def _insert_select_sql(model, overrides: dict[str, str]) -> tuple[str, str, list]:
    """(column list, select list, params) covering every concrete column of ``model``: ``overrides``
    are SQL expressions; other columns get their Django default, so fields added later still work."""
    columns, values, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.name in overrides or f.attname in overrides:
            values.append(overrides.get(f.name, overrides.get(f.attname)))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            values.append("now()")
        else:
            default = f.get_default()
            if default is None and not f.null:
                raise CommandError(f"bench: {model.__name__}.{f.name} has no default; add it to the bench overrides.")
            values.append("%s")
            params.append(f.get_db_prep_save(default, connection))
    return ", ".join(columns), ", ".join(values), params


def _populate_postgresql(n: int, due_percent: float, today: date, owner, employer) -> tuple[int, int]:
    from deletion_portal.cases.models import Case
    from deletion_portal.tracking.models import Deadline, Reminder

    due_per_10000 = round(due_percent * 100)
    cols, vals, params = _insert_select_sql(
        Case,
        {
            "owner": "%(owner)s", "employer": "%(employer)s",
            "reference": "'BN' || lpad(g::text, 10, '0')",
            "status": "'sent'", "law_key": "'eu-gdpr'", "region": "'DE-BY'", "language": "'en'",
            "work_country": "'DE'", "employer_country": "'DE'", "sent_outside_portal": "true",
            "received_on": "%(today)s::date - 40",
            "respond_by": f"CASE WHEN {DUE_SQL} THEN %(today)s::date - 1 ELSE %(today)s::date + 10 + g %% 30 END",
            "next_date": f"CASE WHEN {DUE_SQL} THEN %(today)s::date - 1 ELSE %(today)s::date + 10 + g %% 30 END",
            "next_date_label": "'Employer must answer'",
        },
    )
    # Positional defaults become named parameters so one dict serves the whole statement.
    named = {"owner": owner.pk, "employer": employer.pk, "today": today, "due": due_per_10000, "n": n}
    for i, value in enumerate(params):
        vals = vals.replace("%s", f"%(d{i})s", 1)
        named[f"d{i}"] = value
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO cases_case ({cols}) SELECT {vals} FROM generate_series(1, %(n)s) AS g", named)
        cursor.execute("SELECT min(id), max(id) FROM cases_case WHERE owner_id = %s", [owner.pk])
        lo, hi = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {Deadline._meta.db_table} (case_id, kind, due_on, version, trail, citations, active, created_at) "
            "SELECT id, 'respond_by', respond_by, 1, '[]'::jsonb, '[]'::jsonb, true, now() "
            "FROM cases_case WHERE owner_id = %s AND id BETWEEN %s AND %s",
            [owner.pk, lo, hi],
        )
        cursor.execute(
            f"INSERT INTO {Reminder._meta.db_table} (case_id, deadline_id, kind, notify_on, state, key, claim, claimed_at, done_at) "
            "SELECT d.case_id, d.id, k.kind, k.notify_on, "
            "       CASE WHEN k.notify_on <= %(today)s AND k.kind <> 'passed' THEN 'done' ELSE 'pending' END, "
            "       d.case_id || ':' || k.kind || ':respond_by:v1', '', NULL, "
            "       CASE WHEN k.notify_on <= %(today)s AND k.kind <> 'passed' THEN now() END "
            f"FROM {Deadline._meta.db_table} d "
            "CROSS JOIN LATERAL (VALUES ('due_in_7', d.due_on - 7), ('due_tomorrow', d.due_on - 1), ('passed', d.due_on + 1)) "
            "     AS k(kind, notify_on) "
            "WHERE d.case_id BETWEEN %(lo)s AND %(hi)s AND d.active",
            {"today": today, "lo": lo, "hi": hi},
        )
        cursor.execute(
            f"SELECT count(*) FROM {Reminder._meta.db_table} WHERE state = 'pending' AND notify_on <= %s", [today]
        )
        due = cursor.fetchone()[0]
    return n, due


def _populate_orm(n: int, due_percent: float, today: date, owner, employer) -> tuple[int, int]:
    from deletion_portal.cases.models import Case
    from deletion_portal.tracking.models import Deadline, Reminder

    due_per_10000 = round(due_percent * 100)
    chunk = 2000
    for start in range(1, n + 1, chunk):
        numbers = range(start, min(n, start + chunk - 1) + 1)
        with transaction.atomic():
            cases = Case.objects.bulk_create([
                Case(owner=owner, employer=employer, reference=f"BN{g:010d}", status="sent", law_key="eu-gdpr",
                     region="DE-BY", language="en", sent_outside_portal=True, received_on=today - timedelta(days=40),
                     respond_by=(today - timedelta(days=1)) if _is_due(g, due_per_10000) else today + timedelta(days=10 + g % 30))
                for g in numbers
            ])
            deadlines = Deadline.objects.bulk_create([
                Deadline(case=c, kind="respond_by", due_on=c.respond_by, version=1, active=True) for c in cases
            ])
            reminders = []
            for d in deadlines:
                for kind, notify_on in (("due_in_7", d.due_on - timedelta(days=7)), ("due_tomorrow", d.due_on - timedelta(days=1)),
                                        ("passed", d.due_on + timedelta(days=1))):
                    done = notify_on <= today and kind != "passed"
                    reminders.append(Reminder(case_id=d.case_id, deadline=d, kind=kind, notify_on=notify_on,
                                              state="done" if done else "pending", key=f"{d.case_id}:{kind}:respond_by:v1"))
            Reminder.objects.bulk_create(reminders)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return n, Reminder.objects.filter(state="pending", notify_on__lte=today, case__owner=owner).count()


def _reset_due(owner, today: date) -> None:
    """Put the reminders the sweep just handled back to pending and drop its emails."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DELETE FROM core_outboxmessage o USING cases_case c "
                "WHERE c.owner_id = %s AND o.topic = 'case:' || c.id AND o.key LIKE 'reminder:%%'",
                [owner.pk],
            )
        else:
            cursor.execute("DELETE FROM core_outboxmessage WHERE key LIKE 'reminder:%%' AND topic IN "
                           "(SELECT 'case:' || id FROM cases_case WHERE owner_id = %s)", [owner.pk])
        cursor.execute(
            "UPDATE tracking_reminder SET state = 'pending', claim = '', claimed_at = NULL, done_at = NULL "
            "WHERE state = 'done' AND kind = 'passed' AND notify_on <= %s "
            "AND case_id IN (SELECT id FROM cases_case WHERE owner_id = %s)",
            [today, owner.pk],
        )


def bench_sweep(stdout, options) -> dict:
    """Populate, sweep once, print the figures, clean up. Returns the figures (for tests)."""
    from deletion_portal.core.tasks import deliver_outbox_batch
    from deletion_portal.tracking.sweep import sweep
    from deletion_portal.tracking.tasks import draft_complaints, draft_follow_ups

    vendor = connection.vendor
    if vendor != "postgresql":
        stdout.write(
            f"WARNING: the database is {vendor}, not PostgreSQL: the figures do not mean much. "
            "Set DATABASE_URL=postgresql://… to measure the production setup."
        )
    n = options.get("cases") or (PG_DEFAULT_CASES if vendor == "postgresql" else SQLITE_DEFAULT_CASES)
    due_percent = float(options.get("due_percent", 1.0))
    batch = int(options.get("batch") or 5000)
    if n < 1 or not 0 <= due_percent <= 100 or batch < 1:
        raise CommandError("--cases and --batch must be positive and --due-percent between 0 and 100.")
    today = timezone.localdate()

    removed = bench_cleanup()
    if removed:
        stdout.write(f"Removed {removed} case(s) left by an earlier --keep run.")
    owner, employer = _owner_and_employer()
    started = time.perf_counter()
    with transaction.atomic():
        populate = _populate_postgresql if vendor == "postgresql" else _populate_orm
        cases, due = populate(n, due_percent, today, owner, employer)
    if vendor == "postgresql":
        with connection.cursor() as cursor:  # ANALYZE after the commit, so the planner sees the rows
            for table in ("cases_case", "tracking_deadline", "tracking_reminder", "core_outboxmessage"):
                cursor.execute(f"ANALYZE {table}")
    stdout.write(f"Populated {cases} open case(s), {due} reminder(s) due, in {time.perf_counter() - started:.1f} s.")

    published = {"deliver_outbox_batch": 0, "draft_follow_ups": 0, "draft_complaints": 0}

    def counter(name):
        def apply_async(*args, **kwargs):
            published[name] += 1

        return apply_async

    try:
        with ExitStack() as stack:
            for name, task in (("deliver_outbox_batch", deliver_outbox_batch), ("draft_follow_ups", draft_follow_ups),
                               ("draft_complaints", draft_complaints)):
                stack.enter_context(mock.patch.object(task, "apply_async", counter(name)))
            connection.ensure_connection()
            # 1. The measured sweep: wall time and every query (the stale-outbox requeue included).
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                report = sweep(today=today, batch=batch)
                elapsed = time.perf_counter() - t0
            counted = dict(published)
            # 2. The same sweep again over the same due rows, under tracemalloc, for the peak memory
            #    (tracemalloc slows Python down, so it does not share a run with the timing).
            _reset_due(owner, today)
            tracemalloc.start()
            t1 = time.perf_counter()
            again = sweep(today=today, batch=batch)
            traced_elapsed = time.perf_counter() - t1
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        figures = {
            "database": vendor,
            "cases": cases,
            "due": due,
            "claimed": report.claimed,
            "messages": report.messages,
            "follow_ups": report.follow_ups,
            "batches": report.batches,
            "time_s": elapsed,
            "queries": len(queries.captured_queries),
            "rows_per_s": report.claimed / elapsed if elapsed else 0.0,
            "peak_mb": peak / 1024 / 1024,
            "traced_time_s": traced_elapsed,
            "traced_claimed": again.claimed,
            "tasks": sum(counted.values()),
        }
        stdout.write(f"database: {vendor}")
        stdout.write(f"cases: {cases}")
        stdout.write(f"due: {due}")
        stdout.write(f"claimed: {report.claimed}")
        stdout.write(f"messages: {report.messages}")
        stdout.write(f"follow-up drafts requested: {report.follow_ups}")
        stdout.write(f"batches: {report.batches} (batch size {batch})")
        stdout.write(f"time (s): {elapsed:.3f}")
        stdout.write(f"queries: {figures['queries']}")
        stdout.write(f"rows claimed per second: {figures['rows_per_s']:.0f}")
        stdout.write(f"peak memory (MB): {figures['peak_mb']:.1f}")
        stdout.write(
            f"(peak memory from a second sweep over the same {again.claimed} due rows under tracemalloc, "
            f"which took {traced_elapsed:.3f} s with tracing on)"
        )
        stdout.write(
            "Celery publishing disabled: "
            + ", ".join(f"{name} × {count}" for name, count in counted.items())
            + " would have been enqueued (counted, not sent). Templates and law records were loaded before"
            " timing, as a long-lived worker has them."
        )
    finally:
        if options.get("keep"):
            stdout.write("--keep: the benchmark data stays (the next run removes it).")
        else:
            t2 = time.perf_counter()
            bench_cleanup()
            stdout.write(f"Cleaned up in {time.perf_counter() - t2:.1f} s.")
    return figures
