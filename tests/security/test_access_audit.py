"""The access audit: every URL pattern of the project is classified in ONE table, and each class is tested.

* ``PUBLIC``: anyone may use it (and it shows nobody's private data).
* ``LOGIN``: needs a signed-in user, acts only on ``request.user`` (no object id in the URL):
  an anonymous visitor is sent to log in (HTML) or refused with 401/403 (API), and creates nothing.
* ``Obj(...)``: object-scoped (a case pk, and a letter / attachment / event pk of that case). Built
  with objects owned by user A and requested as another employee, a DPO and an advocate: all get a
  404 and nothing changes; an anonymous visitor is sent to log in (HTML) or gets 401/403 (API) and
  nothing changes; the owner is let in (so the 404s prove the access check, not a broken URL), the
  owner's GET changes nothing either (state changes are POSTs) and the owner's POST changes something.
* ``ADMIN``: the Django admin (its own views are Django's, tested there); an employee or a DPO who
  opens the admin index is sent to the admin's login.

A URL pattern missing from the table fails ``test_every_url_pattern_is_classified``: a new view must be
classified (and so tested) before it can be merged.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import timezone as dt_timezone

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.cases.models import Attachment, Case, CaseEvent, EventKind, Letter, LetterKind
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.cases.uploads import check_upload
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers.models import Employer

pytestmark = pytest.mark.django_db

PUBLIC = "public"
LOGIN = "login"
ADMIN = "admin"


@dataclass(frozen=True)
class Obj:
    """An object-scoped pattern: the methods the view accepts (each one is probed), whether it is the
    API (401/403 for anonymous instead of a login redirect), where its URL kwargs come from (a key of
    the ``world`` fixture, or a literal) and the data a POST sends (valid for the owner, so that a
    missing access check would change something)."""

    methods: tuple[str, ...]
    api: bool = False
    kwargs: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    multipart: bool = False


# fmt: off
ACCESS = {
    # --- core, laws: public ------------------------------------------------------------------------
    "core:healthz": PUBLIC,
    "laws:calculator": PUBLIC,
    "laws:calculator-ics": PUBLIC,
    "laws:law-list": PUBLIC,
    "laws:law-detail": PUBLIC,
    # --- accounts --------------------------------------------------------------------------------------
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,                      # POST only; signs out whoever is signed in
    "accounts:sign-up": PUBLIC,
    "accounts:sign-up-done": PUBLIC,
    "accounts:confirm-email": PUBLIC,               # a signed token, no personal data in it
    "accounts:password-reset": PUBLIC,
    "accounts:password-reset-done": PUBLIC,
    "accounts:password-reset-confirm": PUBLIC,      # Django's uidb64 + token
    "accounts:password-reset-complete": PUBLIC,
    "accounts:deleted": PUBLIC,                     # the goodbye page after an account deletion
    "accounts:account": LOGIN,
    "accounts:resend-confirmation": LOGIN,
    "accounts:password-change": LOGIN,
    "accounts:password-change-done": LOGIN,
    "accounts:export": LOGIN,
    "accounts:delete": LOGIN,
    # --- employers: the directory is public, adding needs a login ----------------------------------
    "employers:directory": PUBLIC,
    "employers:search": PUBLIC,
    "employers:search-json": PUBLIC,
    "employers:detail": PUBLIC,
    "employers:add": LOGIN,
    # --- cases -----------------------------------------------------------------------------------------
    "cases:list": LOGIN,
    "cases:new": LOGIN,
    "cases:track": LOGIN,
    "cases:detail": Obj(("GET",)),
    "cases:step": Obj(("GET", "POST"), kwargs={"pk": "draft_case", "n": 5},
                      data={"requester_name": "Mallory", "requester_address": "x", "requester_email": "m@evil.example"}),
    "cases:preview-pdf": Obj(("GET",)),
    "cases:finalize": Obj(("POST",), kwargs={"pk": "draft_case"}),
    "cases:letter-pdf": Obj(("GET",), kwargs={"letter_pk": "letter"}),
    "cases:attachment": Obj(("GET",), kwargs={"att_pk": "attachment"}),
    "cases:send-email": Obj(("POST",)),
    "cases:record-post": Obj(("POST",), data={"post-posted_on": "2025-06-02"}),
    "cases:record-web-form": Obj(("POST",), data={"web-used_on": "2025-06-02"}),
    "cases:record-event": Obj(("POST",), data={"event-kind": "closed", "event-on": "2025-06-20",
                                               "event-outcome": "fulfilled"}),
    # --- tracking ----------------------------------------------------------------------------------------
    "tracking:follow-up": Obj(("GET", "POST")),     # GET reads; POST drafts the follow-up: never for others
    "tracking:complaint": Obj(("GET", "POST"), data={"authority": "DE-BY"}),  # likewise, to the chosen authority
    "tracking:checklist": Obj(("GET", "POST"), kwargs={"event_pk": "response"}, data={"dispute": "1"}),
    "tracking:evidence": Obj(("GET",)),
    "tracking:finalize": Obj(("POST",), kwargs={"letter_pk": "follow_up_letter"}),
    "tracking:case-calendar": Obj(("GET",)),
    "tracking:keep": Obj(("POST",), data={"keep": "1"}),
    # --- the private calendar feed -------------------------------------------------------------------------
    "calendar:page": LOGIN,
    "calendar:create": LOGIN,
    "calendar:revoke": LOGIN,
    "calendar:feed": PUBLIC,                        # no login: the secret token is the credential
    # --- API v1 --------------------------------------------------------------------------------------------
    "api-v1:law-list": PUBLIC,
    "api-v1:law-applicable": PUBLIC,
    "api-v1:law-detail": PUBLIC,
    "api-v1:deadlines": PUBLIC,
    "api-v1:auth-token": PUBLIC,                    # POST credentials → the caller's own token
    "api-v1:schema": PUBLIC,
    "api-v1:docs": PUBLIC,
    "api-v1:case-list": LOGIN,                      # GET: the caller's own cases; POST: a new case
    "api-v1:case-detail": Obj(("GET",), api=True),
    "api-v1:case-finalize": Obj(("POST",), api=True, kwargs={"pk": "draft_case"}),
    "api-v1:case-send": Obj(("POST",), api=True, data={"channel": "email"}),
    "api-v1:case-events": Obj(("POST",), api=True, data={"kind": "closed", "date": "2025-06-20", "outcome": "fulfilled"}),
    "api-v1:case-letter-pdf": Obj(("GET",), api=True, kwargs={"letter_pk": "letter"}),
    "api-v1:case-letter-finalize": Obj(("POST",), api=True, kwargs={"letter_pk": "follow_up_letter"}),
    "api-v1:case-letter-send": Obj(("POST",), api=True, kwargs={"letter_pk": "letter"}, data={"channel": "email"}),
}
# The admin's patterns are generated per registered model; the whole namespace is the admin's.
ADMIN_NAMESPACES = {"admin"}
# fmt: on


# --- The URL patterns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or "<unnamed> route" for a pattern without a name
    route: str
    kwargs: tuple[str, ...]


def walk(patterns, prefix: str = "", namespaces: tuple[str, ...] = ()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = ":".join(namespaces + (entry.name or f"<unnamed {route}>",))
            kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)) or tuple(entry.pattern.regex.groupindex)
            yield Pattern(name=name, route=route, kwargs=kwargs)


def all_patterns() -> list[Pattern]:
    return list(walk(get_resolver().url_patterns))


def is_admin(pattern: Pattern) -> bool:
    return pattern.name.split(":", 1)[0] in ADMIN_NAMESPACES


def project_patterns() -> list[Pattern]:
    return [p for p in all_patterns() if not is_admin(p)]


def patterns_of(kind) -> list[str]:
    present = {p.name for p in project_patterns()}
    if kind is Obj:
        return [name for name, access in ACCESS.items() if isinstance(access, Obj) and name in present]
    return [name for name, access in ACCESS.items() if access == kind and name in present]


def test_every_url_pattern_is_classified():
    missing = [f"{p.name}  ({p.route})" for p in project_patterns() if p.name not in ACCESS]
    assert not missing, (
        "URL patterns that are not in ACCESS (tests/security/test_access_audit.py): classify each as PUBLIC, "
        "LOGIN or Obj(...) so its access is tested:\n  " + "\n  ".join(missing)
    )


def test_the_table_has_no_entries_for_patterns_that_are_gone():
    present = {p.name for p in all_patterns()}
    stale = sorted(set(ACCESS) - present)
    assert not stale, f"ACCESS lists patterns that no longer exist: {stale}"


def test_every_pattern_with_an_object_id_is_object_scoped():
    """A case, letter, attachment or event id in a URL means the table must say Obj, never PUBLIC or LOGIN."""
    object_kwargs = {"pk", "letter_pk", "att_pk", "event_pk", "attachment_pk", "case_pk"}
    wrong = []
    for p in project_patterns():
        scoped = bool(object_kwargs & set(p.kwargs)) and (p.route.startswith("cases/") or "/cases/" in p.route)
        if scoped and not isinstance(ACCESS.get(p.name), Obj):
            wrong.append(p.name)
        if set(p.kwargs) - {"pk", "n"} & object_kwargs and not isinstance(ACCESS.get(p.name), Obj):
            wrong.append(p.name)
    assert not wrong, f"these patterns carry an object id but are not object-scoped in ACCESS: {sorted(set(wrong))}"


def test_every_object_scoped_pattern_gets_all_its_kwargs_from_the_table():
    by_name = {p.name: p for p in project_patterns()}
    for name in patterns_of(Obj):
        needed = set(by_name[name].kwargs) - {"pk"}
        assert needed <= set(ACCESS[name].kwargs), f"{name}: say where {sorted(needed)} come from"


def test_the_admin_namespace_holds_only_admin_urls():
    for p in all_patterns():
        if is_admin(p):
            assert p.route.startswith("admin/"), p


# --- The world: user A's objects, and the others ---------------------------------------------------------

FINALISED_AT = datetime(2025, 5, 2, 9, 0, tzinfo=dt_timezone.utc)
PASSWORD = "correct horse battery staple 42"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
CASE_FIELDS = {
    "work_country": "DE", "work_region": "DE-BY", "residence_country": "DE", "residence_region": "DE-BY",
    "law_key": "eu-gdpr", "region": "DE-BY", "language": "en", "bundle": "erase_training",
    "rights": ["access", "objection", "restriction", "erasure"], "categories": ["keystrokes", "mouse_movements"],
    "requester_name": "Olive Owner", "requester_address": "Gartenweg 5\n80333 München",
    "requester_email": "olive@mail.example", "employee_id": "E-1042", "job_title": "Data annotator",
    "wizard_step": 7,
}


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _account(email, role):
    return account_create(email=email, password=PASSWORD, role=role, display_name=email.split("@")[0], confirmed=True)


@pytest.fixture
def users(db):
    return {
        "owner": _account("olive@mail.example", Role.EMPLOYEE),
        "colleague": _account("colin@mail.example", Role.EMPLOYEE),
        "dpo": _account("dpo@acme.example", Role.DPO),  # at the case's employer's own domain
        "advocate": _account("ada@advocates.example", Role.ADVOCATE),
    }


@pytest.fixture
def world(users):
    """User A's objects: a case with a final letter, a response with an attachment and a draft follow-up,
    and a complete draft case (for the finalise actions)."""
    owner = users["owner"]
    employer = Employer.objects.create(legal_name="Acme Analytics GmbH", country="DE",
                                       privacy_email="privacy@acme.example", postal_address="Hauptstraße 1\n80331 München")
    case = case_create(owner=owner, employer=employer, **CASE_FIELDS)
    letter = Letter(case=case, kind=LetterKind.REQUEST, language="en", template_version="test", html="<p>Request</p>",
                    sha256=hashlib.sha256(PDF_BYTES).hexdigest(), is_final=True, finalised_at=FINALISED_AT)
    letter.pdf.save(f"{case.reference}-{letter.short_id}.pdf", ContentFile(PDF_BYTES), save=False)
    letter.save()
    case.status, case.wizard_step = "finalised", 8
    case.save()
    CaseEvent.objects.create(case=case, kind=EventKind.FINALISED, on=date(2025, 5, 2), actor=owner,
                             details={"letter": letter.short_id, "sha256": letter.sha256})
    case_record_event(case=case, kind=EventKind.SENT, on=date(2025, 5, 2), actor=owner, details={"channel": "post"})
    upload = check_upload(SimpleUploadedFile("answer.pdf", PDF_BYTES))
    response = case_record_event(case=case, kind=EventKind.RESPONSE_RECEIVED, on=date(2025, 6, 1), actor=owner,
                                 upload=upload, upload_name="answer.pdf")
    response.checklist.filter(pk=response.checklist.order_by("pk").first().pk).update(answered=True)
    follow_up_letter = Letter.objects.create(case=case, kind=LetterKind.FOLLOW_UP, language="en",
                                             template_version="test", html="<p>Follow-up</p>")
    draft_case = case_create(owner=owner, employer=employer, **CASE_FIELDS)
    return {
        "case": case, "letter": letter, "attachment": Attachment.objects.get(case=case), "response": response,
        "follow_up_letter": follow_up_letter, "draft_case": draft_case,
    }


def build(name: str, world) -> tuple[str, Case]:
    """The URL of ``name`` for user A's objects, and the case it belongs to."""
    access = ACCESS[name]
    kwargs = {"pk": "case", **access.kwargs}
    values = {key: (world[value].pk if isinstance(value, str) else value) for key, value in kwargs.items()}
    case = world[kwargs["pk"]]
    return reverse(name, kwargs=values), case


def snapshot(world) -> dict:
    """Everything a request by someone else must leave as it was."""
    from deletion_portal.tracking.models import ChecklistItem, Deadline, Reminder

    state = {}
    for key in ("case", "draft_case"):
        case = Case.objects.get(pk=world[key].pk)
        state[key] = {
            "row": {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields},
            "events": list(case.events.order_by("pk").values_list("pk", "kind", "on", "details")),
            "letters": list(case.letters.order_by("pk").values_list("pk", "kind", "is_final", "sha256", "html", "pdf")),
            "attachments": list(case.attachments.order_by("pk").values_list("pk", "sha256")),
        }
    state["counts"] = {
        model.__name__: model.objects.count()
        for model in (Case, CaseEvent, Letter, Attachment, OutboxMessage, ChecklistItem, Deadline, Reminder, Employer)
    }
    state["checklist"] = list(ChecklistItem.objects.order_by("pk").values_list("pk", "answered"))
    return state


def request(client, method: str, url: str, access: Obj):
    if method == "GET":
        return client.get(url)
    if access.api:
        return client.post(url, data=json.dumps(access.data), content_type="application/json")
    return client.post(url, access.data)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


PROBES = [(name, method) for name in patterns_of(Obj) for method in ACCESS[name].methods]


@pytest.mark.parametrize("who", ["colleague", "dpo", "advocate"])
@pytest.mark.parametrize(("name", "method"), PROBES, ids=[f"{n}-{m}" for n, m in PROBES])
def test_only_the_owner_reaches_an_object(client, users, world, who, name, method):
    url, case = build(name, world)
    before = snapshot(world)
    client.force_login(users[who])
    response = request(client, method, url, ACCESS[name])
    assert response.status_code == 404, f"{who} {method} {url} → {response.status_code}, not 404"
    assert case.reference.encode() not in body(response)  # a 404 that does not reveal the case
    assert snapshot(world) == before, f"{who} {method} {url} changed something"


@pytest.mark.parametrize(("name", "method"), PROBES, ids=[f"{n}-{m}" for n, m in PROBES])
def test_anonymous_visitors_are_sent_to_log_in(client, world, name, method):
    url, _ = build(name, world)
    before = snapshot(world)
    response = request(client, method, url, ACCESS[name])
    if ACCESS[name].api:
        assert response.status_code in (401, 403), f"anonymous {method} {url} → {response.status_code}"
    else:
        assert login_redirect(response), f"anonymous {method} {url} → {response.status_code}, not a login redirect"
    assert snapshot(world) == before


GET_PROBES = [(name, method) for name, method in PROBES if method == "GET"]


@pytest.mark.parametrize(("name", "method"), GET_PROBES, ids=[f"{n}-{m}" for n, m in GET_PROBES])
def test_the_owner_is_let_in(client, users, world, name, method):
    """The same URLs work for the owner: the 404s above come from the access check, not a bad URL."""
    url, _ = build(name, world)
    client.force_login(users["owner"])
    response = request(client, method, url, ACCESS[name])
    assert response.status_code in (200, 302), f"owner {method} {url} → {response.status_code}"


@pytest.mark.parametrize(("name", "method"), GET_PROBES, ids=[f"{n}-{m}" for n, m in GET_PROBES])
def test_the_owners_get_changes_nothing(client, users, world, name, method):
    """A GET is safe even for the owner (no CSRF token guards it; prefetchers and link previews send it):
    whatever changes state is a POST, probed below."""
    url, _ = build(name, world)
    client.force_login(users["owner"])
    before = snapshot(world)
    response = request(client, method, url, ACCESS[name])
    assert response.status_code < 500
    assert snapshot(world) == before, f"owner GET {url} changed something"


POST_PROBES = [(name, method) for name, method in PROBES if method == "POST"]


@pytest.mark.parametrize(("name", "method"), POST_PROBES, ids=[f"{n}-{m}" for n, m in POST_PROBES])
def test_the_owners_post_reaches_the_view(client, users, world, name, method, pdf_renderer_stub):
    """The owner's POST is handled (not a 404 / 405), so the others' 404 is the access check's."""
    url, _ = build(name, world)
    before = snapshot(world)
    client.force_login(users["owner"])
    response = request(client, method, url, ACCESS[name])
    assert response.status_code not in (404, 405), f"owner {method} {url} → {response.status_code}"
    assert response.status_code < 500
    # The same request changes something for the owner: so "nothing changed" above means something.
    assert snapshot(world) != before, f"owner {method} {url} → {response.status_code} changed nothing"


@pytest.fixture
def pdf_renderer_stub(monkeypatch):
    """The owner's finalise actions need a PDF; a stub keeps the audit fast (rendering is tested in core)."""
    import deletion_portal.core.pdf as pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda *args, **kwargs: PDF_BYTES)


# --- Login-only and public patterns -----------------------------------------------------------------------


def _no_args_url(name: str) -> str | None:
    pattern = next(p for p in project_patterns() if p.name == name)
    return reverse(name) if not pattern.kwargs else None


@pytest.mark.parametrize("name", patterns_of(LOGIN))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_login_only_pages_send_anonymous_visitors_to_log_in(client, users, world, name, method):
    url = _no_args_url(name)
    assert url, f"{name} is LOGIN but has URL arguments: should it be Obj(...)?"
    before = snapshot(world)
    response = client.get(url) if method == "GET" else client.post(url, {})
    if name.startswith("api-v1:"):
        assert response.status_code in (401, 403), f"anonymous {method} {url} → {response.status_code}"
    else:
        assert login_redirect(response), f"anonymous {method} {url} → {response.status_code}"
    assert snapshot(world) == before


# Public patterns with URL arguments (a law key, a token, an employer id) are covered by their apps' tests.
PUBLIC_NO_ARGS = [n for n in patterns_of(PUBLIC) if _no_args_url(n) and n != "core:healthz"]


@pytest.mark.parametrize("name", PUBLIC_NO_ARGS)
def test_public_pages_do_not_ask_for_a_login(client, name):
    url = _no_args_url(name)
    response = client.get(url)
    assert not login_redirect(response) and response.status_code not in (401, 403), f"{url} → {response.status_code}"


# --- The admin ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "dpo", "advocate"])
def test_the_admin_sends_non_staff_users_to_its_login(client, users, world, who):
    client.force_login(users[who])
    urls = [reverse("admin:index")]
    if _has_admin("admin:cases_case_change"):
        urls.append(reverse("admin:cases_case_change", args=[world["case"].pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, f"{who} GET {url} → {response.status_code}"
        assert response["Location"].startswith(reverse("admin:login"))


def _has_admin(name: str) -> bool:
    return any(p.name == name for p in all_patterns())
