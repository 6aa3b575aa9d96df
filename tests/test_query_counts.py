"""Every list the portal shows costs the same number of queries for 2 rows as for 12.

Each test builds the list with a SMALL number of rows, counts the queries of one request, grows the same
list to a LARGE number and counts again: the counts must be EQUAL (an N+1 adds a query per row). The
pages: My cases, the case page (events, letters, attachments, outbox), the cases API list and detail
(every letter), the follow-up and complaint pages, the checklist, the evidence bundle, a case's .ics and
the private calendar feed, the employer directory (page and JSON) and the wizard's employer search, the account export, and the
employer side: the team's inbox, its CSV export and API list, the DPO's case page and API detail,
and the team admin's webhook page with its deliveries.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from itertools import count

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.cases.models import Case, EventKind, Letter, LetterKind
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.cases.uploads import check_upload
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers.models import Employer, Quality
from tests.support.world import login

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 12
TODAY = date(2026, 3, 2)
SENT_ON = date(2026, 2, 2)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
CASE_FIELDS = {
    "work_country": "DE", "work_region": "DE-BY", "law_key": "eu-gdpr", "region": "DE-BY", "language": "en",
    "rights": ["access", "erasure"], "categories": ["keystrokes", "mouse_movements"],
    "requester_name": "Olive Owner", "requester_address": "Gartenweg 5\n80333 München",
    "requester_email": "olive@mail.example",
}
_numbers = count(1)


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=dt_timezone.utc), tick=False):
        yield


@pytest.fixture
def owner():
    return account_create(email="olive@mail.example", password="correct horse battery staple 42",
                          role=Role.EMPLOYEE, display_name="Olive", confirmed=True)


@pytest.fixture
def web(client, owner):
    login(client, owner)
    return client


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.fixture
def pdf_stub(monkeypatch):
    """Bundles render a timeline PDF; rendering is core's subject, not this one's."""
    import deletion_portal.core.pdf as pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda *args, **kwargs: PDF_BYTES)


def new_employer(name: str = "") -> Employer:
    n = next(_numbers)
    return Employer.objects.create(legal_name=name or f"Employer {n} GmbH", country="DE", quality=Quality.VERIFIED,
                                   privacy_email=f"privacy{n}@employer.example", postal_address="Hauptstraße 1")


def new_case(owner, *, sent: bool) -> Case:
    """A case with its own employer: a draft, or a request sent elsewhere with its deadlines."""
    case = case_create(owner=owner, employer=new_employer(), sent_outside_portal=sent, **CASE_FIELDS)
    if sent:
        case_record_event(case=case, kind=EventKind.SENT, on=SENT_ON, actor=owner, details={"channel": "email"})
    return case


def grow_cases(owner, n: int) -> None:
    for i in range(n):
        new_case(owner, sent=bool(i % 2))


def grow_history(case: Case, n: int) -> None:
    """``n`` more of everything the case page lists: events with attachments, final and draft letters
    (follow-ups and complaints), outbox messages."""
    for _ in range(n):
        i = next(_numbers)
        upload = check_upload(SimpleUploadedFile(f"answer{i}.pdf", PDF_BYTES))
        case_record_event(case=case, kind=EventKind.ACKNOWLEDGED, on=SENT_ON + timedelta(days=1), actor=case.owner,
                          details={"note": f"note {i}"}, upload=upload, upload_name=f"answer{i}.pdf")
        kind = LetterKind.FOLLOW_UP if i % 2 else LetterKind.COMPLAINT
        final = Letter(case=case, kind=kind, language="en", template_version="t", html=f"<p>{i}</p>",
                       is_final=True, sha256="0" * 64, finalised_at=datetime(2026, 3, 1, 9, tzinfo=dt_timezone.utc))
        final.pdf.save(f"letter{i}.pdf", ContentFile(PDF_BYTES), save=False)
        final.save()
        Letter.objects.create(case=case, kind=kind, language="en", template_version="t", html=f"<p>draft {i}</p>")
        OutboxMessage.objects.create(key=f"test:{i}", topic=f"case:{case.pk}", to=["privacy@employer.example"],
                                     subject=f"Letter {i}", body="…")


def queries(fetch) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = fetch()
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (response.status_code, getattr(response, "content", b"")[:500])
    return [q["sql"] for q in context.captured_queries]


def assert_constant(grow, fetch) -> None:
    """The same number of queries with SMALL and with LARGE rows (``grow(n)`` adds n rows)."""
    grow(SMALL)
    small = queries(fetch)
    grow(LARGE - SMALL)
    large = queries(fetch)
    assert len(small) == len(large), (
        f"{len(small)} queries for {SMALL} rows but {len(large)} for {LARGE}: an N+1. The large run:\n  "
        + "\n  ".join(large)
    )


# --- Cases ---------------------------------------------------------------------------------------------


def test_my_cases(web, owner):
    assert_constant(lambda n: grow_cases(owner, n), lambda: web.get(reverse("cases:list")))


def test_the_api_case_list(api, owner):
    def fetch():
        response = api.get("/api/v1/cases")
        assert len(response.json()) == Case.objects.filter(owner=owner).count()
        return response

    assert_constant(lambda n: grow_cases(owner, n), fetch)


@pytest.fixture
def busy_case(owner):
    return new_case(owner, sent=True)


def test_the_case_page(web, busy_case):
    assert_constant(lambda n: grow_history(busy_case, n), lambda: web.get(reverse("cases:detail", args=[busy_case.pk])))


def test_the_api_case_detail_with_every_letter(api, busy_case):
    def fetch():
        response = api.get(f"/api/v1/cases/{busy_case.pk}")
        assert len(response.json()["letters"]) == busy_case.letters.count()
        return response

    assert_constant(lambda n: grow_history(busy_case, n), fetch)


def test_the_case_calendar(web, busy_case):
    def grow(n):  # more cases with deadlines: only this case's rows are in its calendar
        grow_cases(busy_case.owner, 2 * n)
        grow_history(busy_case, n)

    assert_constant(grow, lambda: web.get(reverse("tracking:case-calendar", args=[busy_case.pk])))


def test_the_evidence_bundle(web, busy_case, pdf_stub):
    assert_constant(lambda n: grow_history(busy_case, n), lambda: web.get(reverse("tracking:evidence", args=[busy_case.pk])))


@pytest.mark.parametrize("name", ["tracking:follow-up", "tracking:complaint"])
def test_the_follow_up_and_complaint_pages(web, busy_case, name):
    """Both list the case's letters and the complaint its enclosures (every final letter and attachment)."""
    assert_constant(lambda n: grow_history(busy_case, n), lambda: web.get(reverse(name, args=[busy_case.pk])))


def test_the_checklist(web, busy_case):
    response_event = case_record_event(case=busy_case, kind=EventKind.RESPONSE_RECEIVED, on=TODAY, actor=busy_case.owner)
    url = reverse("tracking:checklist", args=[busy_case.pk, response_event.pk])
    assert_constant(lambda n: grow_history(busy_case, n), lambda: web.get(url))


# --- Tracking: the private calendar feed ----------------------------------------------------------------


def test_the_calendar_feed(client, owner):
    from deletion_portal.tracking.calendar import calendar_feed_create

    feed = calendar_feed_create(user=owner)

    def fetch():
        response = client.get(reverse("calendar:feed", args=[feed.token]))
        assert response.content.count(b"BEGIN:VEVENT") >= 1
        return response

    assert_constant(lambda n: grow_cases(owner, 2 * n), fetch)


# --- Employers: the directory ------------------------------------------------------------------------------


def grow_employers(n: int) -> None:
    for _ in range(n):
        new_employer(f"Acme Subsidiary {next(_numbers)} GmbH")


@pytest.mark.parametrize("name", ["employers:directory", "employers:search", "employers:search-json"])
def test_the_employer_directory(client, name):
    def fetch():
        response = client.get(reverse(name), {"q": "acme"})
        assert b"Acme Subsidiary" in response.content
        return response

    assert_constant(grow_employers, fetch)


def test_the_wizards_employer_search(web):
    assert_constant(grow_employers, lambda: web.get(reverse("cases:new"), {"q": "acme"}))


# --- Accounts: the export of everything -----------------------------------------------------------------------


def test_the_account_export(web, owner):
    def grow(n):
        for _ in range(n):
            grow_history(new_case(owner, sent=True), 1)

    assert_constant(grow, lambda: web.post(reverse("accounts:export")))


# --- The employer side: the team's inbox, its CSV and API, the DPO's case page ------------------------------


@pytest.fixture
def team_world(owner):
    """A verified responder of a team covering one employer; a second member to assign cases to."""
    from deletion_portal.employers.models import EmployerTeam, TeamMembership, TeamRole

    employer = new_employer("Acme Analytics GmbH")
    team = EmployerTeam.objects.create(name="Acme privacy office")
    team.employers.add(employer)
    members = []
    for email in ("dpo@acme.example", "rita@acme.example"):
        user = account_create(email=email, password="correct horse battery staple 42", role=Role.DPO,
                              display_name=email.split("@")[0], confirmed=True)
        TeamMembership.objects.create(team=team, user=user, role=TeamRole.RESPONDER, verified_at=datetime(2026, 1, 1, tzinfo=dt_timezone.utc))
        members.append(user)
    return {"employer": employer, "team": team, "dpo": members[0], "rita": members[1]}


def grow_team_cases(owner, world, n: int) -> None:
    """``n`` more sent cases to the team's employer, every other one assigned."""
    from deletion_portal.dpo.models import CaseAssignment

    for i in range(n):
        case = case_create(owner=owner, employer=world["employer"], sent_outside_portal=True, **CASE_FIELDS)
        case_record_event(case=case, kind=EventKind.SENT, on=SENT_ON, actor=owner, details={"channel": "email"})
        if i % 2:
            CaseAssignment.objects.create(case=case, team=world["team"], assignee=world["rita"])


@pytest.mark.parametrize("name", ["dpo:inbox", "dpo:inbox-csv"])
def test_the_team_inbox_and_its_csv(client, owner, team_world, name):
    login(client, team_world["dpo"])
    assert_constant(lambda n: grow_team_cases(owner, team_world, n), lambda: client.get(reverse(name)))


def test_the_team_api_list(owner, team_world):
    client = login(APIClient(), team_world["dpo"])
    assert_constant(lambda n: grow_team_cases(owner, team_world, n),
                    lambda: client.get(reverse("api-v1:employer-case-list")))


def grow_team_history(case: Case, world, n: int) -> None:
    """``n`` more employer events (with the acting team), team notes and access-log rows."""
    from deletion_portal.cases.models import CaseEvent, EventSource
    from deletion_portal.dpo.models import CaseAccessLog, TeamNote

    for i in range(n):
        who = world["dpo"] if i % 2 else world["rita"]
        CaseEvent.objects.create(case=case, kind=EventKind.ACKNOWLEDGED, on=SENT_ON, actor=who,
                                 source=EventSource.EMPLOYER, team=world["team"], details={"note": f"n{i}"})
        TeamNote.objects.create(case=case, team=world["team"], author=who, text=f"note {i}")
        CaseAccessLog.objects.create(case=case, team=world["team"], user=who, what="case page")


@pytest.mark.parametrize("name", ["dpo:case", "api-v1:employer-case-detail"])
def test_the_dpo_case_page_and_api_detail(client, owner, team_world, name):
    grow_team_cases(owner, team_world, 1)
    case = Case.objects.get()
    if name.startswith("api-v1:"):
        client = login(APIClient(), team_world["dpo"])
    else:
        login(client, team_world["dpo"])
    assert_constant(lambda n: grow_team_history(case, team_world, n), lambda: client.get(reverse(name, args=[case.pk])))


def test_the_team_admins_webhook_deliveries(client, owner):
    """The webhook page lists the team's webhooks and its latest deliveries (each with its case and webhook)."""
    from deletion_portal.dpo.models import WebhookDelivery
    from deletion_portal.dpo.webhooks import webhook_create
    from deletion_portal.employers.models import EmployerTeam, TeamMembership, TeamRole
    from tests.support.world import login

    admin = account_create(email="ada.admin@acme.example", password="correct horse battery staple 42",
                           role=Role.DPO, display_name="Ada", confirmed=True)
    team = EmployerTeam.objects.create(name="Group privacy office")
    TeamMembership.objects.create(team=team, user=admin, role=TeamRole.ADMIN, verified_at=datetime(2026, 3, 1, tzinfo=dt_timezone.utc))
    for host in ("a", "b"):
        webhook_create(team=team, url=f"https://{host}.dsar.example/hook", actor=admin)
    login(client, admin)

    def grow(n):
        for _ in range(n):
            employer = new_employer()
            team.employers.add(employer)
            case_create(owner=owner, employer=employer, sent_outside_portal=True, **CASE_FIELDS)
            case = Case.objects.filter(employer=employer).get()
            case_record_event(case=case, kind=EventKind.SENT, on=SENT_ON, actor=owner, details={"channel": "email"})

    def fetch():
        response = client.get(reverse("dpo:webhooks"))
        assert response.content.count(b'id="delivery-') == WebhookDelivery.objects.count()
        return response

    assert_constant(grow, fetch)


# --- The structured answer (dpo.answers): sent answers with files, on both sides ---------------------------


def grow_answers(case: Case, world, n: int) -> None:
    """``n`` more sent answers of the team, each with two uploaded files and three artefact rows."""
    from deletion_portal.dpo.answer_files import answer_file_check
    from deletion_portal.dpo.answers import response_file_add, response_save

    for i in range(n):
        ids = []
        for j in range(2):
            checked = answer_file_check(SimpleUploadedFile(f"export{i}-{j}.csv", f"a,b\n{i},{j}\n".encode()))
            ids.append(response_file_add(case=case, user=world["dpo"], checked=checked, name=f"export{i}-{j}.csv").pk)
        response_save(case=case, user=world["dpo"], send=True, data={
            "files": ids, "access": {"art15_1_a": {"status": "answered", "text": f"purposes {i}"}},
            "artefacts": [{"kind": "model", "name": f"m{i}-{k}", "outcome": "not_held"} for k in range(3)]})


@pytest.mark.parametrize("side", ["employee-page", "employee-api", "dpo-page", "dpo-draft-files"])
def test_the_answers_on_both_sides(client, owner, team_world, pdf_stub, side):
    from deletion_portal.dpo.answer_files import answer_file_check
    from deletion_portal.dpo.answers import response_file_add

    grow_team_cases(owner, team_world, 1)
    case = Case.objects.get()
    if side == "dpo-draft-files":  # the DPO page lists the files uploaded for the next answer
        def grow(n):
            for i in range(n):
                checked = answer_file_check(SimpleUploadedFile(f"draft{i}.json", b'{"k": 1}'))
                response_file_add(case=case, user=team_world["dpo"], checked=checked, name=f"draft{i}.json")
    else:
        def grow(n):
            grow_answers(case, team_world, n)
    if side == "employee-api":
        api_client = APIClient()
        api_client.force_authenticate(owner)
        fetch = lambda: api_client.get(reverse("api-v1:case-detail", args=[case.pk]))  # noqa: E731
    elif side == "employee-page":
        login(client, owner)
        fetch = lambda: client.get(reverse("cases:detail", args=[case.pk]))  # noqa: E731
    else:
        login(client, team_world["dpo"])
        fetch = lambda: client.get(reverse("dpo:case", args=[case.pk]))  # noqa: E731
    assert_constant(grow, fetch)
