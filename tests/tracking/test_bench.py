"""``manage.py bench sweep`` on a real PostgreSQL server (started by the test): the figures are printed,
and the number of queries of one sweep does not grow with the number of cases. Also: two sweeps
running at once on PostgreSQL share the due reminders without a duplicate or a loss."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.processes import manage, portal_env

pytestmark = [pytest.mark.postgres]

FIGURES = ("cases", "due", "claimed", "messages", "time (s)", "queries", "rows claimed per second", "peak memory (MB)")


@pytest.fixture(scope="module")
def pg_env(postgres_server):
    url = postgres_server.create_database("portal_bench_sweep")
    env = portal_env(DATABASE_URL=url)
    manage("migrate", "--noinput", env=env, timeout=240)
    return env


def figures(output: str) -> dict[str, float]:
    found = {}
    for name in FIGURES:
        match = re.search(rf"^{re.escape(name)}: ([0-9.]+)", output, re.MULTILINE)
        assert match, f"{name!r} missing from the bench output:\n{output}"
        found[name] = float(match.group(1))
    return found


def test_the_sweep_bench_prints_its_figures_and_its_queries_do_not_grow_with_n(pg_env):
    small = manage("bench", "sweep", "--cases", "2000", env=pg_env, timeout=240).stdout
    large = manage("bench", "sweep", "--cases", "4000", env=pg_env, timeout=240).stdout

    a, b = figures(small), figures(large)
    assert "database: postgresql" in small
    assert "Celery publishing disabled" in small
    assert (a["cases"], a["due"], a["claimed"], a["messages"]) == (2000, 20, 20, 20)
    assert (b["cases"], b["due"], b["claimed"], b["messages"]) == (4000, 40, 40, 40)
    assert a["queries"] == b["queries"], (small, large)
    assert a["time (s)"] > 0 and a["rows claimed per second"] > 0 and a["peak memory (MB)"] > 0
    assert "Cleaned up" in large


CONCURRENT = r"""
import json, threading
from unittest import mock
from django.db import connection, transaction
from django.utils import timezone
from deletion_portal.core.models import OutboxMessage
from deletion_portal.core.tasks import deliver_outbox_batch
from deletion_portal.tracking import bench
from deletion_portal.tracking.models import Reminder
from deletion_portal.tracking.sweep import sweep
from deletion_portal.tracking.tasks import draft_follow_ups

bench.bench_cleanup()
owner, employer = bench._owner_and_employer()
today = timezone.localdate()
with transaction.atomic():
    cases, due = bench._populate_postgresql(3000, 10.0, today, owner, employer)
barrier = threading.Barrier(2)
claimed = []

def run():
    barrier.wait()
    try:
        claimed.append(sweep(today=today, batch=25, requeue=False).claimed)
    finally:
        connection.close()

with mock.patch.object(deliver_outbox_batch, "apply_async"), mock.patch.object(draft_follow_ups, "apply_async"):
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads: t.start()
    for t in threads: t.join()
keys = list(OutboxMessage.objects.filter(key__startswith="reminder:").values_list("key", flat=True))
print(json.dumps({"due": due, "claimed": claimed, "messages": len(keys), "distinct": len(set(keys)),
                  "left": Reminder.objects.filter(state="pending", notify_on__lte=today).count()}))
bench.bench_cleanup()
"""


def test_two_sweeps_at_once_on_postgresql_share_the_work_without_duplicates(pg_env):
    out = manage("shell", "-c", CONCURRENT, env=pg_env, timeout=240).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["due"] == 300
    assert len(result["claimed"]) == 2 and sum(result["claimed"]) == 300
    assert result["messages"] == result["distinct"] == 300
    assert result["left"] == 0
