"""Issue 10's "Done means": a worker killed (SIGKILL) in the middle of a 50-letter bulk job, a new worker and
beat started, and the resumed job ends with exactly 50 letters — real PostgreSQL, Redis, Celery worker and beat,
real PDF rendering.

What makes it hold: each letter is an item claimed by compare-and-swap and finalised in the same transaction
that marks it done (advocacy/bulk.py); the killed worker's claims become claimable again after
``BULK_STALE_SECONDS`` (3 s here), and beat's ``advocacy.bulk_requeue_stale`` hands the stalled job to the new
worker (Redis would restore the killed task's message only after its visibility timeout of an hour).
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from tests.integration.stack import OWNER, RedisProcess, make_portal
from tests.support.processes import wait_for

LETTERS = 50

START_JOB = OWNER + """
import json
from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.advocacy.bulk import bulk_job_start
from deletion_portal.advocacy.models import CaseShare, Organisation, OrganisationMembership, OrganisationRole
from deletion_portal.cases.services import case_create
organiser = account_create(email="ada@union.example", password="correct horse battery staple 42",
                           role=Role.ADVOCATE, display_name="Ada Organiser", confirmed=True)
union = Organisation.objects.create(name="Worker Data Collective", country="DE")
OrganisationMembership.objects.create(organisation=union, user=organiser, role=OrganisationRole.ORGANISER)
fields = %s
for i in range(%d):
    case = case_create(owner=owner, employer=employer, **{**fields, "requester_name": f"Member {i}"})
    CaseShare.objects.create(case=case, organisation=union, see_case=True, act_for=True)
job = bulk_job_start(organisation=union, user=organiser)
print(json.dumps({"job": job.pk}))
"""

CASE_FIELDS = {
    "work_country": "DE", "work_region": "DE-BY", "residence_country": "DE", "law_key": "eu-gdpr", "region": "DE-BY",
    "language": "en", "rights": ["access", "erasure"], "categories": ["keystrokes"],
    "requester_address": "Gartenweg 5\n80333 München", "requester_email": "member@mail.example",
}


def job_row(database) -> dict:
    [row] = database.rows("SELECT id, state, total, done, errors, skipped, zip_file FROM advocacy_bulkjob")
    return row


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery
def test_a_worker_killed_mid_job_resumes_and_the_job_ends_with_exactly_50_letters(tmp_path, pg_database, smtp,
                                                                                    services):
    redis = RedisProcess(services, tmp_path / "redis").start()
    portal = make_portal(services, tmp_path, pg_database, redis=redis, smtp=smtp,
                         BULK_CHUNK="5", BULK_STALE_SECONDS="3")
    portal.shell(START_JOB % (json.dumps(CASE_FIELDS), LETTERS), timeout=120)

    worker = portal.worker("worker-1")
    wait_for(lambda: worker.ensure_alive() or job_row(pg_database)["done"] >= 8, timeout=120,
             what=f"the first letters\n{portal.logs()}")
    worker._signal_group(signal.SIGKILL)  # the worker and its pool child, mid-chunk, no goodbye
    worker.process.wait(timeout=10)
    at_kill = job_row(pg_database)
    assert at_kill["state"] == "running" and 8 <= at_kill["done"] < LETTERS, at_kill

    portal.worker("worker-2")
    portal.beat()
    wait_for(lambda: job_row(pg_database)["state"] == "finished", timeout=240,
             what=f"the resumed job to finish\n{portal.logs()}")
    time.sleep(1)

    row = job_row(pg_database)
    assert (row["total"], row["done"], row["errors"], row["skipped"]) == (LETTERS, LETTERS, 0, 0)
    assert row["zip_file"]
    letters = pg_database.rows("SELECT case_id, kind, is_final, sha256 FROM cases_letter ORDER BY case_id")
    assert len(letters) == LETTERS, "a letter was produced twice (or a stray draft was left)"
    assert all(letter["is_final"] and letter["kind"] == "request" and len(letter["sha256"]) == 64 for letter in letters)
    assert len({letter["case_id"] for letter in letters}) == LETTERS
    items = pg_database.rows("SELECT state, count(*) AS n FROM advocacy_bulkjobitem GROUP BY state")
    assert items == [{"state": "done", "n": LETTERS}]
    finalised = pg_database.rows("SELECT count(*) AS n FROM cases_caseevent WHERE kind = 'finalised'")
    assert finalised == [{"n": LETTERS}], "one 'finalised' event per letter, none twice"
