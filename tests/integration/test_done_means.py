"""The issue's "done means", end to end with real processes.

A person tracks a GDPR request they sent by email outside the portal; the employer received it 40
days ago and never answered. With a worker and beat running (a sweep every 5 s) and a real SMTP
server, the next sweep produces exactly one "deadline passed" email, and the case gets a follow-up
letter draft that the person finds from the case page.

Twice: the scale path (PostgreSQL + Redis) and the ``make run`` default (SQLite + the embedded
filesystem broker, worker and beat as deploy/Procfile.dev starts them).
"""

from __future__ import annotations

import re
import time

import pytest

from tests.conftest import wait_for
from tests.integration.test_reliability import (  # noqa: F401 - fixtures used by name
    LATE_CASES,
    SWEEP_SECONDS,
    WAIT,
    RedisProcess,
    assert_no_results_stored,
    body_of,
    make_portal,
    pg_database,
    pg_template,
    smtp,
    sqlite_database,
)

#: What the person sees: the case page, then the follow-up page it leads to.
PAGES = """
import json
from django.test import Client
from deletion_portal.accounts.models import User
client = Client()
client.force_login(User.objects.get(email="olive@mail.example"), backend="django.contrib.auth.backends.ModelBackend")
case_page = client.get("/cases/{case}/")
follow_up = client.get("/cases/{case}/follow-up/")
print(json.dumps({{"case": [case_page.status_code, case_page.content.decode()],
                   "follow_up": [follow_up.status_code, follow_up.content.decode()]}}))
"""


@pytest.fixture(params=[pytest.param("postgresql-redis", marks=pytest.mark.postgres), "sqlite-embedded-broker"])
def stack(request, services, tmp_path, smtp):
    if request.param == "postgresql-redis":
        database = request.getfixturevalue("pg_database")
        redis = RedisProcess(services, tmp_path / "redis").start()
        portal = make_portal(services, tmp_path, database, redis=redis, smtp=smtp)
    else:
        var_dir = request.getfixturevalue("portal_var_dir")
        redis = None
        portal = make_portal(services, tmp_path, sqlite_database(var_dir / "portal.sqlite3"), redis=None, smtp=smtp,
                             var_dir=var_dir)
    yield portal, redis
    for service in reversed(services.started):  # workers and beat before their database and mail server
        service.stop()


@pytest.mark.redis
@pytest.mark.celery
def test_a_late_outside_portal_gdpr_case_gets_one_deadline_passed_email_and_a_follow_up_draft(stack, smtp):
    portal, redis = stack
    # As deploy/Procfile.dev runs them: one worker, one beat.
    worker = portal.worker()
    beat = portal.beat()

    [case] = portal.shell(LATE_CASES.format(count=1))
    created = time.monotonic()

    [email] = smtp.wait_for(1, timeout=WAIT)
    took = time.monotonic() - created
    # The next sweep (at most one interval away) queues it; delivery follows at once.
    assert took <= 2 * SWEEP_SECONDS + 2, f"the email took {took:.1f}s\n{portal.logs()}"
    print(f"the deadline-passed email arrived {took:.1f}s after the case was recorded")

    reference, case_id = case["reference"], case["case"]
    assert email.rcpt_tos == ("olive.private@mail.example",)
    assert email.subject == f"Deadline passed — Acme Analytics GmbH ({reference})"
    body = body_of(email)
    assert reference in body and f"https://portal.example/cases/{case_id}/" in body and "follow-up letter" in body

    def follow_up_drafted():
        worker.ensure_alive()
        beat.ensure_alive()
        return portal.database.letters(case_id)

    [letter] = wait_for(follow_up_drafted, timeout=WAIT, what=f"the follow-up draft\n{portal.logs()}")
    assert (letter["kind"], letter["is_final"]) == ("follow_up", False)

    # Another sweep comes and goes: still one email, one outbox row, one draft.
    sweeps = beat.log(100_000).count("Sending due task sweep-deadlines")
    wait_for(lambda: beat.log(100_000).count("Sending due task sweep-deadlines") > sweeps, timeout=WAIT,
             what="one more sweep")
    time.sleep(2)
    assert len(smtp.messages) == 1 and len(smtp.attempts) == 1
    [row] = portal.database.outbox()
    assert (row["key"], row["state"], row["attempts"]) == (f"reminder:{case_id}:passed:respond_by:v1", "sent", 1)

    pages = portal.shell(PAGES.format(case=case_id))
    status, html = pages["case"]
    assert status == 200 and reference in html
    assert re.search(r"\d+ days? ago — the date has passed", html), "the case page says the date has passed"
    assert f'href="/cases/{case_id}/follow-up/"' in html and "follow-up draft" in html.lower()
    status, html = pages["follow_up"]
    assert status == 200 and letter["short_id"] in html and "Finalise the letter" in html
    assert portal.database.letters(case_id) == [letter], "the page showed the sweep's draft, it did not make one"

    if redis is not None:
        assert_no_results_stored(redis)
    else:  # the make-run default: the messages went through the embedded broker's folders
        assert (portal.var_dir / "celery" / "queue").is_dir()
