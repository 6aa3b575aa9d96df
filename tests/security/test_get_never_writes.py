"""A GET never writes (docs/DESIGN: "A GET never writes"): prefetchers, link previews and a reload send
GETs without a CSRF token, so the owner's GET of every page of a case — each wizard step with a complete
draft at step 7 (with and without a stored draft letter), the preview PDF, the case page, the follow-up,
complaint, checklist, evidence and calendar pages — runs no INSERT, UPDATE or DELETE. The SQL is captured,
so a write to any table (a ``Letter`` row, ``case.language``, a session) fails the test.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.cases.models import EventKind, Letter, LetterKind
from deletion_portal.cases.services import case_create, case_record_event, letter_draft, letter_finalize
from deletion_portal.employers.models import Employer
from deletion_portal.tracking.letters import complaint_draft, follow_up_draft
from tests.support.world import login

PDF = b"%PDF-1.4\n%%EOF\n"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)

SENT_ON = date(2025, 5, 2)
LATE = "2025-07-15 10:00:00Z"  # the one-month GDPR deadline (Art. 12(3)) has passed without an answer

FIELDS = {
    "work_country": "DE", "work_region": "DE-BY", "residence_country": "DE", "residence_region": "DE-BY",
    "law_key": "eu-gdpr", "region": "DE-BY", "language": "en", "bundle": "erase_training",
    "rights": ["access", "objection", "restriction", "erasure"], "categories": ["keystrokes", "mouse_movements"],
    "requester_name": "Olive Owner", "requester_address": "Gartenweg 5\n80333 München",
    "requester_email": "olive.private@mail.example",
}


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    import deletion_portal.core.pdf as pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda *args, **kwargs: PDF)  # rendering is tested in core


@pytest.fixture
def owner(db):
    return account_create(email="olive@mail.example", password="correct horse battery staple 42",
                          role=Role.EMPLOYEE, display_name="Olive Owner", confirmed=True)


@pytest.fixture
def employer(db):
    return Employer.objects.create(legal_name="Acme Analytics GmbH", country="DE", privacy_email="privacy@acme.example",
                                   postal_address="Hauptstraße 1\n80331 München")


@pytest.fixture
def owner_client(client, owner):
    login(client, owner)
    return client


def writes_of(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [q["sql"][:160] for q in queries.captured_queries if WRITE.match(q["sql"])]


def test_the_write_detector_sees_writes(owner_client, owner):
    with CaptureQueriesContext(connection) as queries:
        owner.save(update_fields=["display_name"])
    assert any(WRITE.match(q["sql"]) for q in queries.captured_queries)


@pytest.mark.parametrize("stored_draft", [False, True], ids=["no-stored-draft", "stale-stored-draft"])
@pytest.mark.parametrize("page", ["step-1", "step-2", "step-3", "step-4", "step-5", "step-6", "step-7",
                                  "preview-pdf", "detail", "list", "new", "track"])
def test_the_owners_get_of_a_draft_writes_nothing(owner_client, owner, employer, page, stored_draft):
    case = case_create(owner=owner, employer=employer, wizard_step=7, **FIELDS)
    if stored_draft:
        letter = letter_draft(case=case)
        Letter.objects.filter(pk=letter.pk).update(html="<p>an older rendering</p>")
    url = {
        "preview-pdf": lambda: reverse("cases:preview-pdf", args=[case.pk]),
        "detail": lambda: reverse("cases:detail", args=[case.pk]),
        "list": lambda: reverse("cases:list"),
        "new": lambda: reverse("cases:new"),
        "track": lambda: reverse("cases:track"),
    }.get(page, lambda: reverse("cases:step", args=[case.pk, int(page.rsplit("-", 1)[1])]))()
    status, writes = writes_of(owner_client, url)
    assert status == 200, f"GET {url} → {status}"
    assert writes == [], f"GET {url} wrote"
    if not stored_draft:
        assert not Letter.objects.filter(case=case).exists()


@pytest.fixture
def late_case(owner, employer):
    """A request sent on 2 May 2025 and unanswered after its deadline, with an answer to check."""
    case = case_create(owner=owner, employer=employer, sent_outside_portal=True, **FIELDS)
    case_record_event(case=case, kind=EventKind.SENT, on=SENT_ON, details={"channel": "email"}, today=SENT_ON)
    return case


@pytest.mark.parametrize("drafted", [False, True], ids=["nothing-drafted", "drafts-stored"])
@pytest.mark.parametrize("page", ["detail", "follow-up", "complaint", "evidence", "case-calendar"])
def test_the_owners_get_of_a_tracked_case_writes_nothing(owner_client, late_case, page, drafted):
    with time_machine.travel(LATE, tick=False):
        if drafted:
            follow_up_draft(case=late_case)
            # A refusal may go to the authority at once (silence waits for the sent follow-up's 14 days).
            case_record_event(case=late_case, kind=EventKind.REFUSED, on=date(2025, 7, 15), details={"grounds": "No."},
                              today=date(2025, 7, 15))
            complaint_draft(case=late_case)
            Letter.objects.filter(case=late_case).update(html="<p>an older rendering</p>")
        url = {
            "detail": reverse("cases:detail", args=[late_case.pk]),
            "follow-up": reverse("tracking:follow-up", args=[late_case.pk]),
            "complaint": reverse("tracking:complaint", args=[late_case.pk]),
            "evidence": reverse("tracking:evidence", args=[late_case.pk]),
            "case-calendar": reverse("tracking:case-calendar", args=[late_case.pk]),
        }[page]
        status, writes = writes_of(owner_client, url)
    assert status == 200, f"GET {url} → {status}"
    assert writes == [], f"GET {url} wrote"


def test_the_owners_get_of_a_final_letter_writes_nothing(owner_client, late_case):
    with time_machine.travel(LATE, tick=False):
        letter = letter_finalize(case=late_case, letter=follow_up_draft(case=late_case))
        status, writes = writes_of(owner_client, reverse("cases:letter-pdf", args=[late_case.pk, letter.pk]))
    assert status == 200 and letter.kind == LetterKind.FOLLOW_UP
    assert writes == []


def test_the_owners_get_of_a_response_checklist_writes_nothing(owner_client, late_case):
    with time_machine.travel(LATE, tick=False):
        event = case_record_event(case=late_case, kind=EventKind.RESPONSE_RECEIVED, on=date(2025, 7, 14))
        status, writes = writes_of(owner_client, reverse("tracking:checklist", args=[late_case.pk, event.pk]))
    assert status == 200
    assert writes == []


def test_the_checklist_get_writes_nothing_even_when_its_rows_are_missing(owner_client, late_case):
    """A response whose checklist rows were never stored (recorded before checklists existed, or a row
    deleted): the GET shows every item, unticked, and stores nothing; the first POST stores them."""
    with time_machine.travel(LATE, tick=False):
        event = case_record_event(case=late_case, kind=EventKind.RESPONSE_RECEIVED, on=date(2025, 7, 14))
        count = event.checklist.count()
        event.checklist.all().delete()
        url = reverse("tracking:checklist", args=[late_case.pk, event.pk])
        status, writes = writes_of(owner_client, url)
        assert status == 200 and writes == []
        assert event.checklist.count() == 0
        page = owner_client.get(url).content.decode()
        assert page.count('name="answered"') == count > 0
        owner_client.post(url, {"answered": []})
    assert event.checklist.count() == count


# --- The employer side: the ONE deliberate write on a GET ---------------------------------------------------
ACCESS_LOG_INSERT = re.compile(r'^\s*INSERT INTO "dpo_caseaccesslog"', re.IGNORECASE)


@pytest.fixture
def team_client(client, employer, late_case):
    """A verified responder of the employer's team, signed in."""
    from django.utils import timezone

    from deletion_portal.employers.models import EmployerTeam, TeamMembership, TeamRole
    from tests.support.world import login

    team = EmployerTeam.objects.create(name="Acme privacy office")
    team.employers.add(employer)
    dpo = account_create(email="dpo@acme.example", password="correct horse battery staple 42", role=Role.DPO,
                         display_name="Dora DPO", confirmed=True)
    TeamMembership.objects.create(team=team, user=dpo, role=TeamRole.RESPONDER, verified_at=timezone.now())
    return login(client, dpo)


@pytest.mark.parametrize("page", ["inbox", "inbox-csv", "case-new", "case", "api-list", "api-detail", "letter-pdf"])
def test_a_team_members_get_writes_nothing_but_the_access_log(team_client, late_case, page):
    """The employer's team opening a case writes exactly one access-log row (the employee sees "viewed by
    the employer's DPO team"); every other GET of the employer side writes nothing at all."""
    from deletion_portal.dpo.models import CaseAccessLog

    with time_machine.travel(LATE, tick=False):
        letter = letter_finalize(case=late_case, letter=follow_up_draft(case=late_case))
        url = {
            "inbox": reverse("dpo:inbox"), "inbox-csv": reverse("dpo:inbox-csv"), "case-new": reverse("dpo:case-new"),
            "case": reverse("dpo:case", args=[late_case.pk]),
            "api-list": reverse("api-v1:employer-case-list"),
            "api-detail": reverse("api-v1:employer-case-detail", args=[late_case.pk]),
            "letter-pdf": reverse("cases:letter-pdf", args=[late_case.pk, letter.pk]),
        }[page]
        status, writes = writes_of(team_client, url)
    assert status == 200, f"GET {url} → {status}"
    logged = page in ("case", "api-detail")
    assert [w for w in writes if not ACCESS_LOG_INSERT.match(w)] == [], f"GET {url} wrote"
    assert len(writes) == (1 if logged else 0)
    assert CaseAccessLog.objects.filter(case=late_case).count() == (1 if logged else 0)


def test_the_owners_get_never_writes_the_access_log(owner_client, late_case):
    from deletion_portal.dpo.models import CaseAccessLog

    status, writes = writes_of(owner_client, reverse("cases:detail", args=[late_case.pk]))
    assert status == 200 and writes == [] and not CaseAccessLog.objects.exists()
