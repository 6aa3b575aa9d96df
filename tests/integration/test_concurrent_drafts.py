"""Several writers drafting one case's letter at the same instant, on a real PostgreSQL server, end with one letter.

Who drafts a letter: the member's own page (a POST), the beat sweep's drafting tasks, and the bulk jobs of every
organisation the member mandated (their planning calls the due-letter drafters tracking registers). Each writer
runs in its own thread, on its own database connection, released together by a barrier:

* a follow-up (a request sent 40 days ago, never answered) and a complaint (a refusal): ``follow_up_draft`` and
  ``complaint_draft`` lock the case row and look for the existing draft under the lock;
* the request letter: ``letter_store_draft`` locks the case row before it looks for the one draft (or the final
  letter), and a partial unique constraint allows one request draft per case.

SQLite serialises writers by itself (IMMEDIATE transactions), so this is tested where it matters: PostgreSQL.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.stack import CASE_FIELDS, OWNER, make_portal

pytestmark = [pytest.mark.postgres]

#: The case, and two organisations the owner mandated, each with an organisation-wide bulk job not yet planned
#: (two jobs of different scopes that cover the same case). ``sent``: the request was sent outside the portal
#: 40 days ago (else the request letter is still to be written); ``refused``: and the employer refused it.
SETUP = OWNER + """
import json
from datetime import timedelta
from django.utils import timezone
from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.advocacy.bulk_models import BulkJob
from deletion_portal.advocacy.models import CaseShare, Organisation, OrganisationMembership, OrganisationRole
from deletion_portal.cases.services import case_create, case_record_event
state = %(state)r
case = case_create(owner=owner, employer=employer, sent_outside_portal=state != "draft", **%(fields)s)
if state != "draft":
    case_record_event(case=case, kind="sent", details={"channel": "email"}, on=timezone.localdate() - timedelta(days=40))
if state == "refused":
    case_record_event(case=case, kind="refused", details={"grounds": "We keep everything."},
                      on=timezone.localdate() - timedelta(days=1))
jobs = []
for name in ("Worker Data Collective", "Union of Analysts"):
    organiser = account_create(email=f"organiser{len(jobs)}@union.example", password="correct horse battery staple 42",
                               role=Role.ADVOCATE, display_name="Ada Organiser", confirmed=True)
    union = Organisation.objects.create(name=name, country="DE")
    OrganisationMembership.objects.create(organisation=union, user=organiser, role=OrganisationRole.ORGANISER)
    CaseShare.objects.create(case=case, organisation=union, see_case=True, act_for=True)
    jobs.append(BulkJob.objects.create(organisation=union, created_by=organiser).pk)
print(json.dumps({"case": case.pk, "jobs": jobs}))
"""

#: Every writer in its own thread (its own connection), released at once; prints the case's letters.
RACE = """
import json, threading
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from deletion_portal.accounts.models import User
from deletion_portal.advocacy.bulk import bulk_job_plan, bulk_job_step
from deletion_portal.advocacy.bulk_models import BulkJob, BulkJobItem
from deletion_portal.cases.models import Case, EventKind, Letter
from deletion_portal.cases.services import letter_draft, letter_finalize
from deletion_portal.tracking.tasks import draft_complaints, draft_follow_ups

case_id, jobs, writers = %(case)d, %(jobs)r, %(writers)r


def page(name):
    client = Client()
    client.force_login(User.objects.get(email="olive@mail.example"), backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse(name, args=[case_id]))
    assert response.status_code == 302, (response.status_code, response.content[-2000:])


WRITERS = {
    "follow-up page": lambda: page("tracking:follow-up"),
    "complaint page": lambda: page("tracking:complaint"),
    "finalise button": lambda: page("cases:finalize"),
    "sweep follow-up": lambda: draft_follow_ups([case_id]),
    "sweep complaint": lambda: draft_complaints([case_id]),
    "bulk plan 1": lambda: bulk_job_plan(job=BulkJob.objects.get(pk=jobs[0]), today=timezone.localdate()),
    "bulk plan 2": lambda: bulk_job_plan(job=BulkJob.objects.get(pk=jobs[1]), today=timezone.localdate()),
    "bulk step 1": lambda: bulk_job_step(job_id=jobs[0]),
    "wizard draft": lambda: letter_draft(case=Case.objects.get(pk=case_id)),
    "finalise": lambda: letter_finalize(case=Case.objects.get(pk=case_id)),
}
barrier = threading.Barrier(len(writers))
errors = []


def run(name):
    try:
        barrier.wait(timeout=60)
        WRITERS[name]()
    except Exception as error:
        errors.append(f"{name}: {error!r}")
    finally:
        connection.close()


threads = [threading.Thread(target=run, args=(name,)) for name in writers]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
letters = list(Letter.objects.filter(case_id=case_id).order_by("id").values_list("kind", "is_final", "short_id"))
drafted = [e.details for e in Case.objects.get(pk=case_id).events.filter(kind=EventKind.DRAFTED) if e.details.get("letter")]
items = list(BulkJobItem.objects.filter(case_id=case_id).order_by("id").values_list("kind", "draft__short_id", "state"))
planned = BulkJob.objects.filter(pk__in=jobs, planned_at__isnull=False).count()
print(json.dumps({"letters": letters, "drafted": drafted, "items": items, "planned": planned, "errors": errors}))
"""


@pytest.fixture
def portal(tmp_path, pg_database, smtp, services):
    return make_portal(services, tmp_path, pg_database, redis=None, smtp=smtp)


def race(portal, state: str, writers: list[str], *, plan_first: bool = False) -> dict:
    made = portal.shell(SETUP % {"state": state, "fields": json.dumps(CASE_FIELDS)})
    if plan_first:  # the first job lists the request letter, so its next step produces it
        portal.shell("import json\nfrom deletion_portal.advocacy.bulk import bulk_job_step\n"
                     f"print(json.dumps(bulk_job_step(job_id={made['jobs'][0]})))")
    return portal.shell(RACE % {"case": made["case"], "jobs": made["jobs"], "writers": writers}, timeout=240)


def test_it_drafts_one_follow_up_when_the_page_the_sweep_and_two_bulk_jobs_draft_at_once(portal):
    out = race(portal, "sent", ["follow-up page", "sweep follow-up", "bulk plan 1", "bulk plan 2"])
    assert out["errors"] == []
    [(kind, final, short_id)] = out["letters"]
    assert (kind, final) == ("follow_up", False)
    assert [d["letter"] for d in out["drafted"]] == [short_id]  # one drafted event, for that letter
    assert out["planned"] == 2 and out["items"] == [["follow_up", short_id, "pending"]]  # listed by one job only


def test_it_drafts_one_complaint_when_the_page_and_the_sweep_draft_at_once(portal):
    out = race(portal, "refused", ["complaint page", "complaint page", "sweep complaint", "sweep complaint"])
    assert out["errors"] == []
    [(kind, final, short_id)] = out["letters"]
    assert (kind, final) == ("complaint", False)
    assert [d["letter"] for d in out["drafted"]] == [short_id]


def test_it_keeps_one_request_letter_when_the_member_and_a_bulk_job_finalise_while_the_wizard_drafts(portal):
    out = race(portal, "draft", ["finalise button", "bulk step 1", "wizard draft", "wizard draft", "finalise"],
               plan_first=True)
    assert out["errors"] == []
    assert [(kind, final) for kind, final, _ in out["letters"]] == [("request", True)]  # no draft left beside it
    assert out["items"] == [["request", None, "done"]]  # the bulk job produced it, or found it final


def test_it_stores_one_request_draft_when_the_wizard_drafts_twice_at_once(portal):
    out = race(portal, "draft", ["wizard draft"] * 4)
    assert out["errors"] == []
    assert [(kind, final) for kind, final, _ in out["letters"]] == [("request", False)]
