"""The access audit: every URL pattern of the project is classified in ONE table, and each class is tested.

* ``PUBLIC``: anyone may use it (and it shows nobody's private data).
* ``LOGIN``: needs a signed-in user, acts only on ``request.user`` (no object id in the URL):
  an anonymous visitor is sent to log in (HTML) or refused with 401/403 (API), and creates nothing.
* ``Obj(...)``: object-scoped (a case pk, and a letter / attachment / event pk of that case), with the
  ``Need`` the view asks the case access policy for (``cases/access.py``). Each one is probed at each of
  its targets (a sent case, a finalised unsent case, a draft at the preview …) for EVERY role: anonymous,
  the owner, a colleague, an outsider, the DPO of the case's employer, the DPO of another employer, an
  advocate without a share and one whose organisation the owner shares the cases with. The expected
  answer comes from the policy table below (``ALLOWED``): a refused role gets a 404 that does not reveal
  the case and changes nothing; anonymous is sent to log in (HTML) or gets 401/403 (API); an allowed GET
  answers and writes nothing (no INSERT/UPDATE/DELETE at all, checked on the SQL); the owner's POST
  changes something (so "nothing changed" for the others means something).
* ``TEAM_ADMIN``: an employer team's settings pages and endpoints (webhooks): a verified admin of the team gets in;
  the team's responders and viewers, an unverified admin, employees, advocates and another team's admin
  (for the team's objects) get a 404 and change nothing; anonymous is sent to log in (API: 401/403).
* ``ADMIN``: the Django admin (its own views are Django's, tested there); an employee or a DPO who
  opens the admin index is sent to the admin's login.

A URL pattern missing from the table fails ``test_every_url_pattern_is_classified``: a new view must be
classified (and so tested) before it can be merged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy.models import CaseShare, Organisation, OrganisationMembership, OrganisationRole
from deletion_portal.cases.access import Need
from deletion_portal.cases.models import Attachment, Case, CaseEvent, EventKind, Letter, LetterKind
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.cases.uploads import check_upload
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers.models import Employer
from tests.support.data import DRAFT_FIELDS, PDF_BYTES
from tests.support.urls import Pattern, all_patterns
from tests.support.world import finalise_directly, make_account

pytestmark = pytest.mark.django_db

PUBLIC = "public"
LOGIN = "login"
ADMIN = "admin"
TEAM_ADMIN = "team_admin"  # an employer team's settings pages: its verified admins only (see the section below)
MANAGE, VIEW = Need.MANAGE, Need.VIEW


@dataclass(frozen=True)
class At:
    """One target of an object-scoped pattern: its URL kwargs (a key of the ``world`` fixture, or a
    literal) and, when not all of them, the methods probed there."""

    kwargs: dict
    methods: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Obj:
    """An object-scoped pattern: the methods the view accepts, the policy ``need`` it asks for, whether
    it is the API (401/403 for anonymous instead of a login redirect), where it is probed (``at``: the
    sent ``case`` by default) and the data a POST sends (valid for the owner, so that a missing access
    check would change something)."""

    methods: tuple[str, ...]
    need: Need = MANAGE
    api: bool = False
    at: tuple[At, ...] = (At({"pk": "case"}),)
    data: dict = field(default_factory=dict)
    multipart: bool = False


SENT_AND_UNSENT = (At({"pk": "case", "letter_pk": "letter"}), At({"pk": "final_case", "letter_pk": "final_letter"}))

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
    "cases:step": Obj(("GET", "POST"), at=(At({"pk": "draft_case", "n": 5}), At({"pk": "draft_case", "n": 7}, ("GET",))),
                      data={"requester_name": "Mallory", "requester_address": "x", "requester_email": "m@evil.example"}),
    "cases:preview-pdf": Obj(("GET",), at=(At({"pk": "case"}), At({"pk": "draft_case"}))),
    "cases:finalize": Obj(("POST",), at=(At({"pk": "draft_case"}),)),
    # A FINAL letter's PDF is readable by whoever may VIEW the case (the DPO once it was sent).
    "cases:letter-pdf": Obj(("GET",), need=VIEW, at=SENT_AND_UNSENT),
    "cases:attachment": Obj(("GET",), at=(At({"pk": "case", "att_pk": "attachment"}),)),
    "cases:send-email": Obj(("POST",)),
    "cases:record-post": Obj(("POST",), data={"post-posted_on": "2025-06-02"}),
    "cases:record-web-form": Obj(("POST",), data={"web-used_on": "2025-06-02"}),
    "cases:record-event": Obj(("POST",), data={"event-kind": "closed", "event-on": "2025-06-20",
                                               "event-outcome": "fulfilled"}),
    # --- tracking ----------------------------------------------------------------------------------------
    "tracking:follow-up": Obj(("GET", "POST")),     # GET reads; POST drafts the follow-up: never for others
    "tracking:complaint": Obj(("GET", "POST"), data={"authority": "DE-BY"}),  # likewise, to the chosen authority
    "tracking:checklist": Obj(("GET", "POST"), at=(At({"pk": "case", "event_pk": "response"}),), data={"dispute": "1"}),
    "tracking:evidence": Obj(("GET",)),
    "tracking:finalize": Obj(("POST",), at=(At({"pk": "case", "letter_pk": "follow_up_letter"}),)),
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
    "api-v1:case-finalize": Obj(("POST",), api=True, at=(At({"pk": "draft_case"}),)),
    "api-v1:case-send": Obj(("POST",), api=True, data={"channel": "email"}),
    "api-v1:case-events": Obj(("POST",), api=True, data={"kind": "closed", "date": "2025-06-20", "outcome": "fulfilled"}),
    "api-v1:case-letter-pdf": Obj(("GET",), need=VIEW, api=True, at=SENT_AND_UNSENT),
    "api-v1:case-letter-finalize": Obj(("POST",), api=True, at=(At({"pk": "case", "letter_pk": "follow_up_letter"}),)),
    "api-v1:case-letter-send": Obj(("POST",), api=True, at=(At({"pk": "case", "letter_pk": "letter"}),),
                                   data={"channel": "email"}),
    # --- dpo: the team admin's webhook pages --------------------------------------------------------------
    "dpo:webhooks": TEAM_ADMIN,
    "dpo:webhook-roll": TEAM_ADMIN,
    "dpo:webhook-remove": TEAM_ADMIN,
    "dpo:webhook-resend": TEAM_ADMIN,
    "api-v1:employer-webhooks": TEAM_ADMIN,
    "api-v1:employer-webhook-detail": TEAM_ADMIN,
    "api-v1:employer-webhook-roll": TEAM_ADMIN,
    "api-v1:employer-webhook-deliveries": TEAM_ADMIN,
    "api-v1:employer-webhook-resend": TEAM_ADMIN,
}
# The admin's patterns are generated per registered model; the whole namespace is the admin's.
ADMIN_NAMESPACES = {"admin"}
# fmt: on


# --- The URL patterns ---------------------------------------------------------------------------------


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
        for target in ACCESS[name].at:
            needed = set(by_name[name].kwargs)
            assert needed <= set(target.kwargs), f"{name}: say where {sorted(needed)} come from"


def test_the_admin_namespace_holds_only_admin_urls():
    for p in all_patterns():
        if is_admin(p):
            assert p.route.startswith("admin/"), p


# --- The policy table ------------------------------------------------------------------------------------

ROLES = ["anonymous", "owner", "colleague", "outsider", "dpo", "other_dpo", "advocate", "shared_advocate"]
# The state of each case of the world, as the policy sees it.
STATE = {"case": "sent", "final_case": "finalised", "draft_case": "draft"}
# Who may do what, by the policy (cases/access.py): (need, state of the case) pairs; everything else is a 404.
ALLOWED = {
    "owner": {(need, state) for need in (VIEW, MANAGE) for state in STATE.values()},
    "dpo": {(VIEW, "sent")},  # verified responder of the case employer's team: sent cases only, reading
    "shared_advocate": {(VIEW, state) for state in STATE.values()},  # a live share with see_case
}


def allowed(who: str, need: Need, case_key: str) -> bool:
    return (need, STATE[case_key]) in ALLOWED.get(who, set())


# --- The world: the owner's objects, and everyone else ------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast(isolated_media):
    pass


@pytest.fixture
def users(owner, colleague, outsider, dpo, other_dpo, advocate):
    shared_advocate = make_account("sam@union.example", Role.ADVOCATE, "Sam Shared")
    union = Organisation.objects.create(name="Annotators' Union", country="DE")
    OrganisationMembership.objects.create(organisation=union, user=shared_advocate, role=OrganisationRole.ORGANISER)
    return {"owner": owner, "colleague": colleague, "outsider": outsider, "dpo": dpo, "other_dpo": other_dpo,
            "advocate": advocate, "shared_advocate": shared_advocate, "union": union}


@pytest.fixture
def world(users, employer):
    """The owner's objects: a sent case with a final letter, a response with an attachment and a draft
    follow-up; a case whose letter is final but not sent; a complete draft at the preview (step 7).
    The owner shares all three with the union (see_case and a mandate); not with ``advocate``'s group."""
    owner = users["owner"]
    case = finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS))
    case_record_event(case=case, kind=EventKind.SENT, on=date(2025, 5, 2), actor=owner, details={"channel": "post"})
    upload = check_upload(SimpleUploadedFile("answer.pdf", PDF_BYTES))
    response = case_record_event(case=case, kind=EventKind.RESPONSE_RECEIVED, on=date(2025, 6, 1), actor=owner,
                                 upload=upload, upload_name="answer.pdf")
    response.checklist.filter(pk=response.checklist.order_by("pk").first().pk).update(answered=True)
    follow_up_letter = Letter.objects.create(case=case, kind=LetterKind.FOLLOW_UP, language="en",
                                             template_version="test", html="<p>Follow-up</p>")
    final_case = finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS))
    draft_case = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
    for shared in (case, final_case, draft_case):
        CaseShare.objects.create(case=shared, organisation=users["union"], see_case=True, act_for=True)
    return {
        "case": case, "letter": case.letters.get(kind=LetterKind.REQUEST), "attachment": Attachment.objects.get(case=case),
        "response": response, "follow_up_letter": follow_up_letter, "final_case": final_case,
        "final_letter": final_case.letters.get(), "draft_case": draft_case,
    }


def build(target: At, world) -> tuple[str, Case, str]:
    """The URL of a target for the owner's objects, the case it belongs to and its key in the world."""
    values = {key: (world[value].pk if isinstance(value, str) else value) for key, value in target.kwargs.items()}
    return values, world[target.kwargs["pk"]], target.kwargs["pk"]


def snapshot(world) -> dict:
    """Everything a refused request must leave as it was."""
    from deletion_portal.tracking.models import ChecklistItem, Deadline, Reminder

    state = {}
    for key in ("case", "final_case", "draft_case"):
        case = Case.objects.get(pk=world[key].pk)
        state[key] = {
            "row": {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields},
            "events": list(case.events.order_by("pk").values_list("pk", "kind", "on", "details")),
            "letters": list(case.letters.order_by("pk").values_list("pk", "kind", "is_final", "sha256", "html", "pdf")),
            "attachments": list(case.attachments.order_by("pk").values_list("pk", "sha256")),
        }
    state["counts"] = {
        model.__name__: model.objects.count()
        for model in (Case, CaseEvent, Letter, Attachment, OutboxMessage, ChecklistItem, Deadline, Reminder, Employer,
                      CaseShare)
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


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().split(" ", 1)[0].upper()
            in ("INSERT", "UPDATE", "DELETE", "REPLACE")]


PROBES = []
for _name in patterns_of(Obj):
    for _index, _target in enumerate(ACCESS[_name].at):
        for _method in _target.methods or ACCESS[_name].methods:
            for _who in ROLES:
                key = _target.kwargs["pk"]
                PROBES.append(pytest.param(_name, _method, _index, _who, id=f"{_name}-{_method}-{key}{_index or ''}-{_who}"))


@pytest.mark.parametrize(("name", "method", "index", "who"), PROBES)
def test_every_role_gets_the_policys_answer(client, users, world, pdf_renderer_stub, name, method, index, who):
    access = ACCESS[name]
    values, case, case_key = build(access.at[index], world)
    url = reverse(name, kwargs=values)
    if who != "anonymous":
        client.force_login(users[who])
    before = snapshot(world)
    with CaptureQueriesContext(connection) as queries:
        response = request(client, method, url, access)
    if who == "anonymous":
        if access.api:
            assert response.status_code in (401, 403), f"anonymous {method} {url} → {response.status_code}"
        else:
            assert login_redirect(response), f"anonymous {method} {url} → {response.status_code}, not a login redirect"
        assert snapshot(world) == before
    elif not allowed(who, access.need, case_key):
        assert response.status_code == 404, f"{who} {method} {url} → {response.status_code}, not 404"
        assert case.reference.encode() not in body(response)  # a 404 that does not reveal the case
        assert snapshot(world) == before, f"{who} {method} {url} changed something"
    elif method == "GET":
        # Let in (so the 404s above come from the policy, not a bad URL), and a GET is safe: no CSRF
        # token guards it, prefetchers and link previews send it; whatever changes state is a POST.
        assert response.status_code in (200, 302), f"{who} {method} {url} → {response.status_code}"
        assert not writes(queries), f"{who} GET {url} wrote:\n" + "\n".join(writes(queries))
        assert snapshot(world) == before
    else:
        assert response.status_code not in (404, 405), f"{who} {method} {url} → {response.status_code}"
        assert response.status_code < 500
        # The same request changes something when allowed: so "nothing changed" above means something.
        assert snapshot(world) != before, f"{who} {method} {url} → {response.status_code} changed nothing"


def test_the_dpo_downloads_the_sent_request_letter_and_nothing_else(client, users, world):
    """The policy's real use today: the verified DPO of the employer reads the letter it was sent."""
    client.force_login(users["dpo"])
    response = client.get(reverse("cases:letter-pdf", args=[world["case"].pk, world["letter"].pk]))
    assert response.status_code == 200 and body(response) == PDF_BYTES
    unsent = client.get(reverse("cases:letter-pdf", args=[world["final_case"].pk, world["final_letter"].pk]))
    assert unsent.status_code == 404


def test_the_table_probes_a_draft_at_the_preview_and_the_letter_previews():
    targets = {(name, tuple(sorted(t.kwargs.items()))) for name in patterns_of(Obj) for t in ACCESS[name].at}
    assert ("cases:step", (("n", 7), ("pk", "draft_case"))) in targets
    assert ("cases:preview-pdf", (("pk", "draft_case"),)) in targets


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


@pytest.mark.parametrize("who", ["owner", "dpo", "advocate", "shared_advocate"])
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


# --- Team admin pages (TEAM_ADMIN) -------------------------------------------------------------------------
# Each pattern: the methods probed, the team object its pk names ("webhook", "delivery" or None), and the
# POST data (valid for the team's admin, so "nothing changed" for the others means something).
TEAM_ADMIN_PROBES = {
    "dpo:webhooks": (("GET", "POST"), None, {"url": "https://dsar.evil.example/hook"}),
    "dpo:webhook-roll": (("POST",), "webhook", {}),
    "dpo:webhook-remove": (("POST",), "webhook", {}),
    "dpo:webhook-resend": (("POST",), "delivery", {}),
    "api-v1:employer-webhooks": (("GET", "POST"), None, {"url": "https://dsar.evil.example/hook"}),
    "api-v1:employer-webhook-detail": (("DELETE",), "webhook", {}),
    "api-v1:employer-webhook-roll": (("POST",), "webhook", {}),
    "api-v1:employer-webhook-deliveries": (("GET",), None, {}),
    "api-v1:employer-webhook-resend": (("POST",), "delivery", {}),
}
TEAM_ROLES = [*ROLES, "team_admin", "unverified_admin", "viewer", "other_admin"]


def test_every_team_admin_pattern_is_probed():
    assert set(patterns_of(TEAM_ADMIN)) == set(TEAM_ADMIN_PROBES)


@pytest.fixture
def team_world(users, team, other_team, team_member, world):
    from deletion_portal.dpo.models import WebhookDelivery
    from deletion_portal.dpo.webhooks import webhook_create
    from deletion_portal.employers.models import TeamRole

    people = dict(users)
    for key, email, in_team, role, verified in (
        ("team_admin", "ada.admin@acme.example", team, TeamRole.ADMIN, True),
        ("unverified_admin", "una@acme.example", team, TeamRole.ADMIN, False),
        ("viewer", "vic@acme.example", team, TeamRole.VIEWER, True),
        ("other_admin", "root@rival.example", other_team, TeamRole.ADMIN, True),
    ):
        people[key] = make_account(email, Role.DPO)
        team_member(people[key], in_team, role=role, verified=verified)
    webhook = webhook_create(team=team, url="https://dsar.acme.example/hook", actor=people["team_admin"])
    delivery = WebhookDelivery.objects.create(webhook=webhook, case=world["case"], event_id="evt_1",
                                              payload={"id": "evt_1"}, state="failed", attempts=8)
    return {"people": people, "webhook": webhook, "delivery": delivery}


def team_snapshot() -> dict:
    from deletion_portal.dpo.models import Webhook, WebhookDelivery
    from deletion_portal.employers.models import TeamAuditEntry

    return {
        "webhooks": list(Webhook.objects.order_by("pk").values_list("pk", "team", "url", "secret", "active")),
        "deliveries": list(WebhookDelivery.objects.order_by("pk").values_list("pk", "state", "attempts")),
        "audit": TeamAuditEntry.objects.count(),
    }


TEAM_PROBES = [
    pytest.param(name, method, who, id=f"{name}-{method}-{who}")
    for name, (methods, _, _) in TEAM_ADMIN_PROBES.items() for method in methods for who in TEAM_ROLES
]


@pytest.mark.parametrize(("name", "method", "who"), TEAM_PROBES)
def test_team_admin_pages_let_in_the_teams_verified_admins_only(client, team_world, name, method, who):
    from tests.support.world import login

    methods, target, data = TEAM_ADMIN_PROBES[name]
    url = reverse(name, args=[team_world[target].pk]) if target else reverse(name)
    if who != "anonymous":
        login(client, team_world["people"][who])
    before = team_snapshot()
    api = name.startswith("api-v1:")
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(url)
        elif method == "DELETE":
            response = client.delete(url)
        elif api:
            response = client.post(url, data=json.dumps(data), content_type="application/json")
        else:
            response = client.post(url, data)
    # Another team's admin has a webhook page of their own (showing nothing of this team), but none of this
    # team's webhooks or deliveries.
    own_page = who == "other_admin" and target is None
    if who == "anonymous":
        if api:
            assert response.status_code in (401, 403), f"anonymous {method} {url} → {response.status_code}"
        else:
            assert login_redirect(response), f"anonymous {method} {url} → {response.status_code}"
        assert team_snapshot() == before
    elif who not in ("team_admin", "other_admin") or (who == "other_admin" and not own_page):
        assert response.status_code == 404, f"{who} {method} {url} → {response.status_code}, not 404"
        assert b"dsar.acme.example" not in body(response) and b"evt_1" not in body(response)
        assert team_snapshot() == before, f"{who} {method} {url} changed something"
    elif method == "GET":
        assert response.status_code == 200, f"{who} GET {url} → {response.status_code}"
        assert not writes(queries), f"{who} GET {url} wrote:\n" + "\n".join(writes(queries))
        marker = b"evt_1" if name.endswith("deliveries") else b"dsar.acme.example"  # the team's delivery / webhook
        assert (marker in body(response)) == (who == "team_admin")
    else:
        assert response.status_code in (200, 201, 202, 204, 302), f"{who} {method} {url} → {response.status_code}"
        assert team_snapshot() != before, f"{who} {method} {url} changed nothing"
