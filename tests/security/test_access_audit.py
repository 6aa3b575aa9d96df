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
* ``Team(...)``: an employer team's page (a team, a member, an invitation, a mailbox proof in the URL): probed
  for every role plus the team's admin; the roles it allows answer, everyone else gets a 404 (or, for an
  invitation link, a 400 for the wrong account) and nothing changes.
* ``TEAM_CLAIM``: the claim with a case access code (no object id; for verified responders/admins of an
  employer team only): anonymous is sent to log in (HTML) or gets
  401/403 (API); every other role (employees, advocates) gets a 404 and changes nothing; a team member's
  GET (pages) answers without writing, and an empty POST is refused without writing.
* ``TEAM``: an employer team's own page (no object id: the inbox, its CSV, recording a request that
  arrived elsewhere, the team API list): a verified member of an employer team is let in (GET answers
  200 and writes nothing); everybody else signed in (employees, advocates, an unverified member) gets a
  404 and changes nothing; anonymous is sent to log in (HTML) or gets 401/403 (API).
* ``Obj(..., parties=EMPLOYER_SIDE)``: object-scoped, but only for the listed parties of the policy
  (``cases.access.Party``): the employer side's case pages answer a 404 to the case's OWNER too, who has
  their own pages. Without ``parties`` every party the policy allows is let in.
* The ONE write a GET may make: a team member's GET of a case page of the employer side writes a row of
  the case's access log (``dpo_caseaccesslog``: who, when, what; the employee sees it). The no-write check
  allows exactly that INSERT, for team members, and nothing else.
* Employer-side patterns (``dpo:``, ``api-v1:employer-``) ask for ``RESPOND`` (or ``VIEW``): the policy gives it
  to the verified responder of the case employer's team (``dpo``) on a sent case only, so the owner, like every
  other role, gets the 404 there. A text URL argument that is not a key of the world (an action's name) is
  written ``Word("acknowledge")``.
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
from deletion_portal.cases.access import Need, Party
from deletion_portal.cases.models import Attachment, Case, CaseEvent, EventKind, Letter, LetterKind
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.cases.uploads import check_upload
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers.models import Employer
from tests.support.data import DRAFT_FIELDS, PDF_BYTES
from tests.support.urls import Pattern, all_patterns
from tests.support.world import finalise_directly, login, make_account

pytestmark = pytest.mark.django_db

PUBLIC = "public"
LOGIN = "login"
TEAM = "team"
TEAM_CLAIM = "team-claim"
ADMIN = "admin"
MANAGE, VIEW, RESPOND = Need.MANAGE, Need.VIEW, Need.RESPOND
EMPLOYER_SIDE = frozenset({Party.EMPLOYER})


class Word(str):
    """A literal text URL argument in ``At.kwargs`` (a plain string there names a key of the ``world``)."""
ORG = "organisation"  # an organisation's pages and campaigns (see the section at the end)
ORG_BULK = "org_bulk"  # an organisation's bulk letters: its members see, its admins/organisers act (section at the end)
TEAM_ADMIN = "team_admin"  # an employer team's settings pages: its verified admins only (see the section below)


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
    parties: frozenset[Party] | None = None  # None: every party the policy allows; else only these


ALL_SIGNED_IN = frozenset({"owner", "colleague", "outsider", "dpo", "other_dpo", "advocate", "shared_advocate",
                           "team_admin"})


@dataclass(frozen=True)
class Team:
    """A team-scoped pattern: its URL kwargs (keys of the ``team_world`` fixture), the roles allowed per
    method, the POST data, and what a refused signed-in role gets (404, or 400 for an invitation link)."""

    kwargs: dict
    allowed: dict
    data: dict = field(default_factory=dict)
    refused: int = 404


class ReusableFile:
    """A CSV upload the test client can send again and again (one object in the table serves every probe)."""

    name = "export.csv"
    content_type = "text/csv"

    def read(self) -> bytes:
        return b"when,keys\n2025-01-02,42\n"


SENT_AND_UNSENT = (At({"pk": "case", "letter_pk": "letter"}), At({"pk": "final_case", "letter_pk": "final_letter"}))

# fmt: off
ACCESS = {
    # --- core, laws: public ------------------------------------------------------------------------
    "core:healthz": PUBLIC,
    "set_language": PUBLIC,                         # POST: the interface language in a cookie; nobody's data
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
    "accounts:logout-everywhere": LOGIN,          # POST only; the signed-in user's sessions and tokens
    "accounts:tokens-revoke": LOGIN,              # POST only; a token id of another account is a 404
    # --- employers: the directory is public, adding needs a login ----------------------------------
    "employers:directory": PUBLIC,
    "employers:search": PUBLIC,
    "employers:search-json": PUBLIC,
    "employers:detail": PUBLIC,
    "employers:add": LOGIN,
    # --- outcome statistics (advocacy): public, built only from counted cases, small cells suppressed --------
    "stats:ranking": PUBLIC,
    "stats:method": PUBLIC,
    "stats:employer-outcomes": PUBLIC,
    "stats:employer-outcomes-csv": PUBLIC,
    "stats:employer-outcomes-json": PUBLIC,
    "stats:employer-outcomes-pdf": PUBLIC,
    "api-v1:employer-outcomes": PUBLIC,
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
    # The owner shares an upload with the employer's team or stops (the world's upload is shared: "no" changes it).
    "cases:attachment-share": Obj(("POST",), at=(At({"pk": "case", "att_pk": "attachment"}),), data={"share": "no"}),
    "cases:send-email": Obj(("POST",)),
    "cases:delete": Obj(("POST",), at=(At({"pk": "draft_case"}),)),  # the owner deletes a draft (MANAGE)
    "cases:employer-access": Obj(("POST",), data={"allow": "no"}),  # the owner withdraws the employer's access
    "cases:record-post": Obj(("POST",), data={"post-posted_on": "2025-06-02"}),
    "cases:record-web-form": Obj(("POST",), data={"web-used_on": "2025-06-02"}),
    "cases:record-event": Obj(("POST",), data={"event-kind": "closed", "event-on": "2025-06-20",
                                               "event-outcome": "fulfilled"}),
    # --- the employer side (dpo) ---------------------------------------------------------------------------
    "dpo:claim": TEAM_CLAIM,                        # the case access code in the POST body, never in the URL
    "api-v1:employer-claims": TEAM_CLAIM,
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
    # --- two-factor authentication: the signed-in account's own devices -------------------------------
    "accounts:2fa-setup": LOGIN,
    "accounts:2fa-verify": LOGIN,
    "accounts:2fa-backup-codes": LOGIN,
    # --- employer teams (dpo) ---------------------------------------------------------------------------
    "dpo:verify": LOGIN,                            # DPO accounts only (others 404); sends a code for request.user
    "dpo:team-list": LOGIN,                         # the signed-in account's own teams
    "dpo:verify-code": Team({"pk": "proof"}, {"GET": {"dpo"}, "POST": {"dpo"}}, data={"code": "not-it"}),
    "dpo:team": Team({"team_id": "team"}, {"GET": {"dpo", "team_admin"}}),
    "dpo:team-invite": Team({"team_id": "team"}, {"POST": {"team_admin"}},
                            data={"email": "new@acme.example", "role": "admin"}),
    "dpo:team-invitation-revoke": Team({"team_id": "team", "invitation_id": "invitation"}, {"POST": {"team_admin"}}),
    "dpo:team-member-remove": Team({"team_id": "team", "member_id": "dpo_membership"}, {"POST": {"team_admin"}}),
    "dpo:team-member-role": Team({"team_id": "team", "member_id": "dpo_membership"}, {"POST": {"team_admin"}},
                                 data={"role": "admin"}),
    # The link's token is the credential: any signed-in account sees the team's name and the invited address;
    # only the invited address may accept (a 400 for anyone else).
    "dpo:invitation-accept": Team({"token": "invitation_token"}, {"GET": ALL_SIGNED_IN, "POST": set()}, refused=400),
    # --- The employer side (dpo): team pages, and case pages for the employer's team only ---------------------
    "dpo:inbox": TEAM,
    "dpo:inbox-csv": TEAM,
    "dpo:case-new": TEAM,
    "dpo:case": Obj(("GET",), need=VIEW, parties=EMPLOYER_SIDE),
    # A file the requester shared with the team (the world's upload is shared); each download is an access-log row.
    "dpo:case-attachment": Obj(("GET",), need=VIEW, parties=EMPLOYER_SIDE, at=(At({"pk": "case", "att_pk": "attachment"}),)),
    "dpo:case-note": Obj(("POST",), need=VIEW, parties=EMPLOYER_SIDE, data={"text": "A note for the team"}),
    "dpo:case-assign": Obj(("POST",), need=RESPOND, parties=EMPLOYER_SIDE, data={"assignee": ""}),
    "api-v1:employer-case-list": TEAM,              # GET: the team's cases; POST: record a request received elsewhere
    "api-v1:employer-case-detail": Obj(("GET",), need=VIEW, api=True, parties=EMPLOYER_SIDE),
    # --- the employer side: the actions (dpo.actions); RESPOND, the owner gets 404 ------------------------------
    "dpo:case-action": Obj(("GET", "POST"), need=RESPOND, parties=EMPLOYER_SIDE, at=(At({"pk": "case", "action": Word("acknowledge")}),),
                           data={"date": "2025-06-20"}),
    "dpo:bulk-acknowledge": LOGIN,                  # POST case ids: each checked with the policy (RESPOND)
    # --- the employer side: the structured answer (dpo.answers); RESPOND, the owner gets 404 ------------------
    "dpo:case-answer": Obj(("POST",), need=RESPOND, parties=EMPLOYER_SIDE, data={"send": "1"}),
    "dpo:case-answer-file": Obj(("POST",), need=RESPOND, parties=EMPLOYER_SIDE, data={"file": ReusableFile()}),
    "api-v1:employer-case-responses": Obj(("POST",), need=RESPOND, api=True, parties=EMPLOYER_SIDE, data={"send": True}),
    "api-v1:employer-case-files": Obj(("POST",), need=RESPOND, api=True, multipart=True, parties=EMPLOYER_SIDE,
                                      data={"file": ReusableFile()}),
    "api-v1:employer-case-actions": Obj(("POST",), need=RESPOND, api=True, parties=EMPLOYER_SIDE,
                                        data={"action": "acknowledge", "date": "2025-06-20"}),
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
    # --- advocacy: organisations and campaigns (ORG: probed per role in ORG_PROBES below) -------------------
    "advocacy:organisation-list": LOGIN,            # the signed-in account's own organisations
    "advocacy:organisation": ORG,
    "advocacy:invite": ORG,
    "advocacy:contact": ORG,
    "advocacy:invitation-revoke": ORG,
    "advocacy:member-role": ORG,
    "advocacy:member-remove": ORG,
    "advocacy:invitation-accept": ORG,
    "advocacy:campaign-new": ORG,
    "advocacy:campaign": ORG,
    "advocacy:campaign-edit": ORG,
    "advocacy:campaign-csv": ORG,
    "advocacy:campaign-state": ORG,
    "advocacy:landing": PUBLIC,                     # an open or closed campaign's public page (tested in tests/advocacy)
    "advocacy:join": ORG,                           # any signed-in account may join an open campaign
    "api-v1:organisation-campaigns": ORG,
    "api-v1:campaign-detail": ORG,
    "api-v1:campaign-members": ORG,
    "advocacy:campaign-stats": ORG,
    "advocacy:campaign-stats-csv": ORG,
    "advocacy:campaign-stats-json": ORG,
    "advocacy:campaign-stats-pdf": ORG,
    "api-v1:campaign-stats": ORG,
    # The member's campaign choices on their own case (the owner only: MANAGE).
    "advocacy:consent": Obj(("POST",), at=(At({"pk": "case", "member_id": "campaign_member"}),),
                            data={"kind": "statistics", "given": "yes"}),
    "advocacy:mention": Obj(("POST",), at=(At({"pk": "case", "member_id": "campaign_member"}),), data={"mention": "yes"}),
    "advocacy:leave": Obj(("POST",), at=(At({"pk": "case", "member_id": "campaign_member"}),)),
    "advocacy:authorisation": Obj(("GET",), at=(At({"pk": "case", "mandate_id": "mandate"}),)),
    # A shared case as the group sees it: the organisation's rule only (the owner has their own page).
    "advocacy:shared-case": Obj(("GET",), need=VIEW, parties=frozenset({Party.ORGANISATION}),
                                at=(At({"pk": "case"}), At({"pk": "draft_case"}))),
    # --- advocacy: bulk letters (an organisation's members see, its admins and organisers act) -------------
    "bulk:jobs": ORG_BULK,
    "bulk:job": ORG_BULK,
    "bulk:cancel": ORG_BULK,
    "bulk:resume": ORG_BULK,
    "bulk:zip": ORG_BULK,
    "bulk:print": ORG_BULK,
    "api-v1:organisation-bulk-letters": ORG_BULK,
    "advocacy:campaign-bulk": ORG_BULK,             # a campaign's job: its organisation's admins and organisers
    "api-v1:campaign-bulk-letters": ORG_BULK,
    "api-v1:job-detail": ORG_BULK,
    "api-v1:job-zip": ORG_BULK,
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
    if kind in (Obj, Team):
        return [name for name, access in ACCESS.items() if isinstance(access, kind) and name in present]
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
    "dpo": {(VIEW, "sent"), (RESPOND, "sent")},  # verified responder of the case employer's team: sent cases only
    "shared_advocate": {(VIEW, state) for state in STATE.values()},  # a live share with see_case
}


# Which party of the policy each role is for the owner's cases (the others are no party at all).
ROLE_PARTY = {"owner": Party.OWNER, "dpo": Party.EMPLOYER, "shared_advocate": Party.ORGANISATION}
# Verified members of an employer team: TEAM pages let them in; their GET of a case may log the access.
TEAM_MEMBERS = {"dpo", "other_dpo"}


def allowed(who: str, need: Need, case_key: str, parties: frozenset[Party] | None = None) -> bool:
    if parties is not None and ROLE_PARTY.get(who) not in parties:
        return False
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
    # The employer then refused: a complaint may be drafted at once (silence waits for the sent follow-up).
    case_record_event(case=case, kind=EventKind.REFUSED, on=date(2025, 6, 2), actor=owner, details={"grounds": "No."})
    follow_up_letter = Letter.objects.create(case=case, kind=LetterKind.FOLLOW_UP, language="en",
                                             template_version="test", html="<p>Follow-up</p>")
    final_case = finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS))
    draft_case = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
    # The owner shared the response's file with the employer's team (dpo:case-attachment serves shared files only).
    Attachment.objects.filter(case=case).update(shared_with_employer=True)
    for shared in (case, final_case, draft_case):
        CaseShare.objects.create(case=shared, organisation=users["union"], see_case=True, act_for=True)
    # The sent case joined a campaign of the union, with a signed mandate (advocacy's member pages).
    from django.core.files.base import ContentFile

    from deletion_portal.advocacy.models import Campaign, CampaignMember, Mandate

    campaign = Campaign.objects.create(organisation=users["union"], title="Audit campaign", slug="audit-campaign")
    campaign_member = CampaignMember.objects.create(campaign=campaign, case=case)
    mandate = Mandate.objects.create(member=campaign_member, organisation=users["union"], signer_name="Olive Owner",
                                     signature="Olive Owner", wording_version="t", text="t", text_sha256="0" * 64)
    mandate.pdf.save("authorisation.pdf", ContentFile(PDF_BYTES))
    return {
        "case": case, "letter": case.letters.get(kind=LetterKind.REQUEST), "attachment": Attachment.objects.get(case=case),
        "response": response, "follow_up_letter": follow_up_letter, "final_case": final_case,
        "final_letter": final_case.letters.get(), "draft_case": draft_case,
        "campaign_member": campaign_member, "mandate": mandate,
    }


def build(target: At, world) -> tuple[str, Case, str]:
    """The URL of a target for the owner's objects, the case it belongs to and its key in the world."""
    values = {key: (world[value].pk if isinstance(value, str) and not isinstance(value, Word) else value)
              for key, value in target.kwargs.items()}
    return values, world[target.kwargs["pk"]], target.kwargs["pk"]


def snapshot(world) -> dict:
    """Everything a refused request must leave as it was."""
    from deletion_portal.dpo.models import CaseAccessLog, CaseAssignment, TeamNote
    from deletion_portal.tracking.models import ChecklistItem, Deadline, Reminder

    state = {}
    for key in ("case", "final_case", "draft_case"):
        case = Case.objects.filter(pk=world[key].pk).first()
        if case is None:  # the owner deleted the draft (cases:delete)
            state[key] = None
            continue
        state[key] = {
            "row": {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields},
            "events": list(case.events.order_by("pk").values_list("pk", "kind", "on", "details")),
            "letters": list(case.letters.order_by("pk").values_list("pk", "kind", "is_final", "sha256", "html", "pdf")),
            "attachments": list(case.attachments.order_by("pk").values_list("pk", "sha256", "shared_with_employer")),
        }
    state["counts"] = {
        model.__name__: model.objects.count()
        for model in (Case, CaseEvent, Letter, Attachment, OutboxMessage, ChecklistItem, Deadline, Reminder, Employer,
                      CaseShare, TeamNote, CaseAssignment, CaseAccessLog)
    }
    state["checklist"] = list(ChecklistItem.objects.order_by("pk").values_list("pk", "answered"))
    from deletion_portal.advocacy.models import CampaignMember, Consent

    state["campaign_members"] = list(CampaignMember.objects.order_by("pk").values_list("pk", "left_at", "mention_in_letter"))
    state["consents"] = Consent.objects.count()
    return state


def request(client, method: str, url: str, access: Obj):
    if method == "GET":
        return client.get(url)
    if access.api and not access.multipart:
        return client.post(url, data=json.dumps(access.data), content_type="application/json")
    return client.post(url, access.data)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


ACCESS_LOG_INSERT = 'INSERT INTO "dpo_caseaccesslog"'


def writes(queries, *, access_log: bool = False) -> list[str]:
    """The writes of a request; with ``access_log`` (a team member's GET) an INSERT into the access log is
    not counted: the one deliberate write on a GET."""
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().split(" ", 1)[0].upper()
            in ("INSERT", "UPDATE", "DELETE", "REPLACE")
            and not (access_log and q["sql"].lstrip().startswith(ACCESS_LOG_INSERT))]


def without_access_log(state: dict) -> dict:
    return {**state, "counts": {k: v for k, v in state["counts"].items() if k != "CaseAccessLog"}}


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
        login(client, users[who])
    before = snapshot(world)
    with CaptureQueriesContext(connection) as queries:
        response = request(client, method, url, access)
    if who == "anonymous":
        if access.api:
            assert response.status_code in (401, 403), f"anonymous {method} {url} → {response.status_code}"
        else:
            assert login_redirect(response), f"anonymous {method} {url} → {response.status_code}, not a login redirect"
        assert snapshot(world) == before
    elif not allowed(who, access.need, case_key, access.parties):
        assert response.status_code == 404, f"{who} {method} {url} → {response.status_code}, not 404"
        assert case.reference.encode() not in body(response)  # a 404 that does not reveal the case
        assert snapshot(world) == before, f"{who} {method} {url} changed something"
    elif method == "GET":
        # Let in (so the 404s above come from the policy, not a bad URL), and a GET is safe: no CSRF
        # token guards it, prefetchers and link previews send it; whatever changes state is a POST.
        assert response.status_code in (200, 302), f"{who} {method} {url} → {response.status_code}"
        team_member = who in TEAM_MEMBERS
        assert not writes(queries, access_log=team_member), f"{who} GET {url} wrote:\n" + "\n".join(writes(queries))
        if team_member:
            assert without_access_log(snapshot(world)) == without_access_log(before)
        else:
            assert snapshot(world) == before
    else:
        assert response.status_code not in (404, 405), f"{who} {method} {url} → {response.status_code}"
        assert response.status_code < 500
        # The same request changes something when allowed: so "nothing changed" above means something.
        assert snapshot(world) != before, f"{who} {method} {url} → {response.status_code} changed nothing"


def test_the_dpo_downloads_the_sent_request_letter_and_nothing_else(client, users, world):
    """The policy's real use today: the verified DPO of the employer reads the letter it was sent."""
    login(client, users["dpo"])
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


TEAM_ROLES = {"dpo", "other_dpo"}  # verified responders of a team (any team may claim with a code)


@pytest.mark.parametrize("name", patterns_of(TEAM_CLAIM))
@pytest.mark.parametrize("who", ROLES)
def test_the_claim_is_for_verified_team_members_only(client, users, world, name, who):
    url = _no_args_url(name)
    assert url, f"{name} is TEAM but has URL arguments: should it be Obj(...)?"
    api = name.startswith("api-v1:")
    if who != "anonymous":
        login(client, users[who])
    before = snapshot(world)
    with CaptureQueriesContext(connection) as queries:
        posted = client.post(url, data="{}", content_type="application/json") if api else client.post(url, {})
        got = None if api else client.get(url)
    if who == "anonymous":
        assert (posted.status_code in (401, 403)) if api else login_redirect(posted), f"anonymous POST {url}"
        assert got is None or login_redirect(got)
    elif who not in TEAM_ROLES:
        assert posted.status_code == 404, f"{who} POST {url} → {posted.status_code}, not 404"
        assert got is None or got.status_code == 404, f"{who} GET {url} → {got.status_code}, not 404"
    else:
        assert posted.status_code == 400, f"{who} empty POST {url} → {posted.status_code}"
        assert got is None or got.status_code == 200, f"{who} GET {url} → {got.status_code}"
    assert not writes(queries), f"{who} {url} wrote:\n" + "\n".join(writes(queries))
    assert snapshot(world) == before
@pytest.mark.parametrize("name", patterns_of(TEAM))
@pytest.mark.parametrize("who", [*ROLES, "unverified_member"])
def test_team_pages_let_in_verified_team_members_only(client, users, world, team, team_member, name, who):
    url = _no_args_url(name)
    assert url, f"{name} is TEAM but has URL arguments: should it be Obj(...)?"
    api = name.startswith("api-v1:")
    if who == "unverified_member":
        user = make_account("new.member@acme.example", Role.DPO, "Nia New")
        team_member(user, team, verified=False)
        login(client, user)
    elif who != "anonymous":
        login(client, users[who])
    before = snapshot(world)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if who == "anonymous":
        assert response.status_code in (401, 403) if api else login_redirect(response), f"anonymous GET {url}"
    elif who in TEAM_MEMBERS:
        assert response.status_code == 200, f"{who} GET {url} → {response.status_code}"
        assert not writes(queries), f"{who} GET {url} wrote:\n" + "\n".join(writes(queries))
    else:
        assert response.status_code == 404, f"{who} GET {url} → {response.status_code}, not 404"
    assert snapshot(world) == before
    if who not in TEAM_MEMBERS:  # and a POST (whatever the page does with one) is refused the same way
        response = client.post(url, data=json.dumps({}), content_type="application/json") if api else client.post(url, {})
        if who == "anonymous":
            assert response.status_code in (401, 403) if api else login_redirect(response), f"anonymous POST {url}"
        else:
            assert response.status_code == 404, f"{who} POST {url} → {response.status_code}, not 404"
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
    login(client, users[who])
    urls = [reverse("admin:index")]
    if _has_admin("admin:cases_case_change"):
        urls.append(reverse("admin:cases_case_change", args=[world["case"].pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, f"{who} GET {url} → {response.status_code}"
        assert response["Location"].startswith(reverse("admin:login"))


def _has_admin(name: str) -> bool:
    return any(p.name == name for p in all_patterns())


# --- Employer team pages ------------------------------------------------------------------------------------


@pytest.fixture
def team_world(users, world, team, employer):
    """The team of ``employer`` with an admin, ``dpo`` as a verified responder, a pending invitation and a
    mailbox proof of ``dpo``'s."""
    from django.utils import timezone

    from deletion_portal.employers import teams
    from deletion_portal.employers.models import TeamMembership, TeamRole, VerifiedHow

    admin = make_account("boss@acme.example", Role.DPO, "Bea Boss")
    TeamMembership.objects.create(team=team, user=admin, role=TeamRole.ADMIN, verified_at=timezone.now(),
                                  verified_how=VerifiedHow.STAFF)
    users["team_admin"] = admin
    invitation, token = teams.team_invitation_create(team=team, actor=admin, email="ivy@acme.example", role="viewer")
    proof = teams.mailbox_proof_start(user=users["dpo"], employer=employer)
    return {"team": team, "invitation": invitation, "invitation_token": token, "proof": proof,
            "dpo_membership": TeamMembership.objects.get(team=team, user=users["dpo"])}


def team_snapshot() -> dict:
    from deletion_portal.accounts.models import User
    from deletion_portal.employers.models import EmployerTeam, MailboxProof, TeamAuditEntry, TeamInvitation, TeamMembership

    return {
        "memberships": list(TeamMembership.objects.order_by("pk").values_list("pk", "team", "user", "role", "verified_at")),
        "invitations": list(TeamInvitation.objects.order_by("pk").values_list("pk", "revoked_at", "accepted_at")),
        "proofs": list(MailboxProof.objects.order_by("pk").values_list("pk", "attempts", "used_at")),
        "audit": TeamAuditEntry.objects.count(), "teams": EmployerTeam.objects.count(),
        "roles": list(User.objects.order_by("pk").values_list("pk", "role")),
        "outbox": OutboxMessage.objects.count(),
    }


TEAM_PROBES = [
    pytest.param(_name, _method, _who, id=f"{_name}-{_method}-{_who}")
    for _name in patterns_of(Team)
    for _method in ACCESS[_name].allowed
    for _who in [*ROLES, "team_admin"]
]


@pytest.mark.parametrize(("name", "method", "who"), TEAM_PROBES)
def test_every_role_gets_the_teams_answer(client, users, team_world, name, method, who):
    access = ACCESS[name]
    url = reverse(name, kwargs={key: (team_world[value] if isinstance(team_world[value], str) else team_world[value].pk)
                                for key, value in access.kwargs.items()})
    if who != "anonymous":
        login(client, users[who])
    before = team_snapshot()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url) if method == "GET" else client.post(url, access.data)
    if who == "anonymous":
        assert login_redirect(response), f"anonymous {method} {url} → {response.status_code}"
        assert team_snapshot() == before
    elif who not in access.allowed[method]:
        assert response.status_code == access.refused, f"{who} {method} {url} → {response.status_code}"
        assert team_world["team"].name.encode() not in body(response) or access.refused != 404
        assert team_snapshot() == before, f"{who} {method} {url} changed something"
    elif method == "GET":
        assert response.status_code in (200, 302), f"{who} {method} {url} → {response.status_code}"
        assert not writes(queries), f"{who} GET {url} wrote:\n" + "\n".join(writes(queries))
    else:
        assert response.status_code not in (404, 405) and response.status_code < 500, f"{who} {method} {url}"
        assert team_snapshot() != before, f"{who} {method} {url} → {response.status_code} changed nothing"


# --- A DPO without a second factor sees nothing but the set-up page ------------------------------------------

OPEN_WITHOUT_2FA = {"accounts:2fa-setup", "accounts:2fa-verify", "accounts:logout"}


def _any_url(pattern: Pattern) -> str:
    from django.urls import NoReverseMatch

    for value in (1, "x1"):
        try:
            return reverse(pattern.name, kwargs={key: value for key in pattern.kwargs})
        except NoReverseMatch:
            continue
    return reverse(pattern.name, kwargs={key: (1 if key.endswith(("pk", "_id", "n")) else "x1") for key in pattern.kwargs})


NO_2FA_PROBES = [pytest.param(p.name, method, id=f"{p.name}-{method}") for p in project_patterns()
                 if p.name not in OPEN_WITHOUT_2FA for method in ("GET", "POST")]


@pytest.mark.parametrize(("name", "method"), [*NO_2FA_PROBES, pytest.param("admin:index", "GET", id="admin:index-GET")])
def test_a_dpo_without_a_second_factor_gets_only_the_set_up_page(client, users, world, name, method):
    """A verified DPO that signed in with its password but has no authenticator yet: every URL of the project
    sends it to the set-up page (the API answers 403), and nothing changes."""
    client.force_login(users["dpo"])  # password only: no device, no verified session
    pattern = next(p for p in all_patterns() if p.name == name)
    url = _any_url(pattern)
    before = snapshot(world)

    response = client.get(url) if method == "GET" else client.post(url, {})

    if name.startswith("api-v1:"):
        assert response.status_code == 403, f"{method} {url} → {response.status_code}"
        assert "two-factor" in response.json()["detail"].lower()
    else:
        assert response.status_code == 302, f"{method} {url} → {response.status_code}"
        assert response["Location"].startswith(reverse("accounts:2fa-setup")), f"{method} {url} → {response['Location']}"
    assert snapshot(world) == before


def test_the_set_up_page_is_open_to_a_dpo_without_a_second_factor(client, users):
    client.force_login(users["dpo"])
    assert client.get(reverse("accounts:2fa-setup")).status_code == 200
    assert client.get(reverse("accounts:2fa-verify"))["Location"] == reverse("accounts:2fa-setup")


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
ADMIN_ROLES = [*ROLES, "team_admin", "unverified_admin", "viewer", "other_admin"]


def test_every_team_admin_pattern_is_probed():
    assert set(patterns_of(TEAM_ADMIN)) == set(TEAM_ADMIN_PROBES)


@pytest.fixture
def admin_world(users, team, other_team, team_member, world):
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


def admin_snapshot() -> dict:
    from deletion_portal.dpo.models import Webhook, WebhookDelivery
    from deletion_portal.employers.models import TeamAuditEntry

    return {
        "webhooks": list(Webhook.objects.order_by("pk").values_list("pk", "team", "url", "secret", "active")),
        "deliveries": list(WebhookDelivery.objects.order_by("pk").values_list("pk", "state", "attempts")),
        "audit": TeamAuditEntry.objects.count(),
    }


ADMIN_PROBES = [
    pytest.param(name, method, who, id=f"{name}-{method}-{who}")
    for name, (methods, _, _) in TEAM_ADMIN_PROBES.items() for method in methods for who in ADMIN_ROLES
]


@pytest.mark.parametrize(("name", "method", "who"), ADMIN_PROBES)
def test_team_admin_pages_let_in_the_teams_verified_admins_only(client, admin_world, name, method, who):
    from tests.support.world import login

    methods, target, data = TEAM_ADMIN_PROBES[name]
    url = reverse(name, args=[admin_world[target].pk]) if target else reverse(name)
    if who != "anonymous":
        login(client, admin_world["people"][who])
    before = admin_snapshot()
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
        assert admin_snapshot() == before
    elif who not in ("team_admin", "other_admin") or (who == "other_admin" and not own_page):
        assert response.status_code == 404, f"{who} {method} {url} → {response.status_code}, not 404"
        assert b"dsar.acme.example" not in body(response) and b"evt_1" not in body(response)
        assert admin_snapshot() == before, f"{who} {method} {url} changed something"
    elif method == "GET":
        assert response.status_code == 200, f"{who} GET {url} → {response.status_code}"
        assert not writes(queries), f"{who} GET {url} wrote:\n" + "\n".join(writes(queries))
        marker = b"evt_1" if name.endswith("deliveries") else b"dsar.acme.example"  # the team's delivery / webhook
        assert (marker in body(response)) == (who == "team_admin")
    else:
        assert response.status_code in (200, 201, 202, 204, 302), f"{who} {method} {url} → {response.status_code}"
        assert admin_snapshot() != before, f"{who} {method} {url} changed nothing"


# --- Organisations and campaigns (ORG) ----------------------------------------------------------------------
# Each pattern: the methods probed, the URL kwargs (keys of ``org_world``), the roles allowed per method, the
# POST data (valid for an allowed role, so that "nothing changed" for the others means something) and what a
# refused signed-in role gets. Roles: the organisation's admin, its organiser (``advocate``), its viewer,
# another organisation's organiser, and the employee / outsider / DPO of the shared base.
ORG_ROLES = ["anonymous", "owner", "outsider", "dpo", "org_admin", "advocate", "org_viewer", "other_organiser"]
ORG_MEMBERS = {"org_admin", "advocate", "org_viewer"}
ORGANISERS = {"org_admin", "advocate"}
SIGNED_IN = set(ORG_ROLES) - {"anonymous"}
ORG_PROBES = {
    "advocacy:organisation": ({"org_id": "organisation"}, {"GET": ORG_MEMBERS}, {}, 404),
    "advocacy:invite": ({"org_id": "organisation"}, {"POST": {"org_admin"}}, {"email": "new@union.example",
                                                                              "role": "viewer"}, 404),
    "advocacy:contact": ({"org_id": "organisation"}, {"POST": {"org_admin"}}, {"contact_email": "new@wdc.example"},
                         404),
    "advocacy:invitation-revoke": ({"org_id": "organisation", "invitation_id": "invitation"}, {"POST": {"org_admin"}},
                                   {}, 404),
    "advocacy:member-role": ({"org_id": "organisation", "member_id": "viewer_membership"}, {"POST": {"org_admin"}},
                             {"role": "organiser"}, 404),
    "advocacy:member-remove": ({"org_id": "organisation", "member_id": "viewer_membership"}, {"POST": {"org_admin"}},
                               {}, 404),
    "advocacy:invitation-accept": ({"token": "invitation_token"}, {"GET": SIGNED_IN, "POST": set()}, {}, 400),
    "advocacy:campaign-new": ({"org_id": "organisation"}, {"GET": ORGANISERS, "POST": ORGANISERS},
                              {"title": "Another campaign"}, 404),
    "advocacy:campaign": ({"campaign_id": "campaign"}, {"GET": ORG_MEMBERS}, {}, 404),
    "advocacy:campaign-csv": ({"campaign_id": "campaign"}, {"GET": ORG_MEMBERS}, {}, 404),
    "advocacy:campaign-edit": ({"campaign_id": "campaign"}, {"GET": ORGANISERS, "POST": ORGANISERS},
                               {"title": "A better title"}, 404),
    "advocacy:campaign-state": ({"campaign_id": "campaign", "action": Word("open")}, {"POST": ORGANISERS}, {}, 404),
    "advocacy:join": ({"slug": Word("union-campaign-open")}, {"GET": SIGNED_IN, "POST": SIGNED_IN}, {}, 404),
    "api-v1:organisation-campaigns": ({"org_id": "organisation"}, {"GET": ORG_MEMBERS, "POST": ORGANISERS},
                                      {"title": "By API"}, 404),
    "api-v1:campaign-detail": ({"campaign_id": "campaign"}, {"GET": ORG_MEMBERS, "PATCH": ORGANISERS},
                               {"title": "Patched"}, 404),
    "api-v1:campaign-members": ({"campaign_id": "campaign"}, {"GET": ORG_MEMBERS}, {}, 404),
    "advocacy:campaign-stats": ({"campaign_id": "campaign"}, {"GET": ORG_MEMBERS}, {}, 404),
    "advocacy:campaign-stats-csv": ({"campaign_id": "campaign"}, {"GET": ORG_MEMBERS}, {}, 404),
    "advocacy:campaign-stats-json": ({"campaign_id": "campaign"}, {"GET": ORG_MEMBERS}, {}, 404),
    "advocacy:campaign-stats-pdf": ({"campaign_id": "campaign"}, {"GET": ORG_MEMBERS}, {}, 404),
    "api-v1:campaign-stats": ({"campaign_id": "campaign"}, {"GET": ORG_MEMBERS}, {}, 404),
}


def test_every_org_pattern_is_probed():
    assert set(patterns_of(ORG)) == set(ORG_PROBES)


@pytest.fixture
def org_world(users, world, organisation, employer):
    from deletion_portal.advocacy import organisations as org_services
    from deletion_portal.advocacy.models import Campaign, CampaignState

    people = dict(users)
    for key, email, role, org in (
        ("org_admin", "root@wdc.example", OrganisationRole.ADMIN, organisation),
        ("org_viewer", "vera@wdc.example", OrganisationRole.VIEWER, organisation),
        ("other_organiser", "olga@rival-union.example", OrganisationRole.ORGANISER,
         Organisation.objects.create(name="Rival Union", country="DE")),
    ):
        people[key] = make_account(email, Role.ADVOCATE)
        OrganisationMembership.objects.create(organisation=org, user=people[key], role=role)
    invitation, token = org_services.organisation_invitation_create(organisation=organisation, actor=people["org_admin"],
                                                                    email="ivy@wdc.example", role="viewer")
    campaign = Campaign.objects.create(organisation=organisation, title="Union campaign", slug="union-campaign",
                                       law_keys=["eu-gdpr"])
    campaign.employers.add(employer)
    open_campaign = Campaign.objects.create(organisation=organisation, title="Open campaign", slug="union-campaign-open",
                                            law_keys=["eu-gdpr"], state=CampaignState.OPEN)
    open_campaign.employers.add(employer)
    return {"people": people, "organisation": organisation, "invitation": invitation, "invitation_token": token,
            "campaign": campaign, "viewer_membership": OrganisationMembership.objects.get(user=people["org_viewer"])}


def org_snapshot() -> dict:
    from deletion_portal.advocacy.models import Campaign, CampaignMember, OrganisationInvitation

    return {
        "organisations": list(Organisation.objects.order_by("pk").values_list("pk", "website", "contact_email",
                                                                               "contact_address")),
        "memberships": list(OrganisationMembership.objects.order_by("pk").values_list("pk", "role")),
        "invitations": list(OrganisationInvitation.objects.order_by("pk").values_list("pk", "revoked_at", "accepted_at")),
        "campaigns": list(Campaign.objects.order_by("pk").values_list("pk", "title", "state")),
        "members": CampaignMember.objects.count(), "cases": Case.objects.count(), "outbox": OutboxMessage.objects.count(),
    }


ORG_PARAMS = [
    pytest.param(name, method, who, id=f"{name}-{method}-{who}")
    for name, (_, allowed_by_method, _, _) in ORG_PROBES.items() for method in allowed_by_method for who in ORG_ROLES
]


@pytest.mark.parametrize(("name", "method", "who"), ORG_PARAMS)
def test_organisation_pages_let_in_the_roles_they_allow_only(client, org_world, name, method, who):
    kwargs_of, allowed_by_method, data, refused = ORG_PROBES[name]
    values = {key: (value if isinstance(value, Word) else (org_world[value] if isinstance(org_world[value], str)
                                                            else org_world[value].pk))
              for key, value in kwargs_of.items()}
    url = reverse(name, kwargs=values)
    api = name.startswith("api-v1:")
    if who != "anonymous":
        login(client, org_world["people"][who])
    before = org_snapshot()
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(url)
        elif api:
            response = getattr(client, method.lower())(url, data=json.dumps(data), content_type="application/json")
        else:
            response = client.post(url, data)
    if who == "anonymous":
        assert (response.status_code in (401, 403)) if api else login_redirect(response), f"anonymous {method} {url}"
        assert org_snapshot() == before
    elif who not in allowed_by_method[method]:
        assert response.status_code == refused, f"{who} {method} {url} → {response.status_code}, not {refused}"
        if refused == 404:
            assert b"Union campaign" not in body(response) and b"ivy@wdc.example" not in body(response)
        assert org_snapshot() == before, f"{who} {method} {url} changed something"
    elif method == "GET":
        assert response.status_code == 200, f"{who} GET {url} → {response.status_code}"
        assert not writes(queries), f"{who} GET {url} wrote:\n" + "\n".join(writes(queries))
    else:
        assert response.status_code in (200, 201, 302), f"{who} {method} {url} → {response.status_code}"
        assert org_snapshot() != before, f"{who} {method} {url} changed nothing"


# --- Organisation bulk letters (ORG_BULK) ---------------------------------------------------------------------
# Each pattern: the method probed, the object its pk names (the organisation, one of its campaigns, or a job in a
# given state), the POST data, and who may: MEMBERS (admin, organiser, viewer of the organisation) or ACTORS (admin, organiser).
# Everybody else — the members' own accounts, other users, a DPO, another organisation's admin — gets a 404 and
# changes nothing; anonymous is sent to log in (API: 401/403).
BULK_MEMBERS = frozenset({"org_admin", "organiser", "viewer"})
BULK_ACTORS = frozenset({"org_admin", "organiser"})
ORG_BULK_PROBES = {
    "bulk:jobs": [("GET", "organisation", BULK_MEMBERS), ("POST", "organisation", BULK_ACTORS)],
    "bulk:job": [("GET", "running", BULK_MEMBERS)],
    "bulk:cancel": [("POST", "running", BULK_ACTORS)],
    "bulk:resume": [("POST", "cancelled", BULK_ACTORS)],
    "bulk:zip": [("GET", "finished", BULK_ACTORS)],
    "bulk:print": [("GET", "finished", BULK_ACTORS)],
    "api-v1:organisation-bulk-letters": [("POST", "organisation", BULK_ACTORS)],
    "advocacy:campaign-bulk": [("POST", "campaign", BULK_ACTORS)],
    "api-v1:campaign-bulk-letters": [("POST", "campaign", BULK_ACTORS)],
    "api-v1:job-detail": [("GET", "finished", BULK_MEMBERS)],
    "api-v1:job-zip": [("GET", "finished", BULK_ACTORS)],
}
BULK_ROLES = ["anonymous", "owner", "outsider", "dpo", "viewer", "organiser", "org_admin", "other_admin"]


def test_every_org_bulk_pattern_is_probed():
    assert set(patterns_of(ORG_BULK)) == set(ORG_BULK_PROBES)


def bulk_snapshot() -> dict:
    from deletion_portal.advocacy.bulk_models import BulkJob, BulkJobItem

    return {"jobs": list(BulkJob.objects.order_by("pk").values_list("pk", "state")),
            "items": BulkJobItem.objects.count(), "final": Letter.objects.filter(is_final=True).count()}


BULK_PROBE_PARAMS = [
    pytest.param(name, index, who, id=f"{name}-{method}-{who}")
    for name, probes in ORG_BULK_PROBES.items() for index, (method, _, _) in enumerate(probes) for who in BULK_ROLES
]


@pytest.mark.parametrize(("name", "index", "who"), BULK_PROBE_PARAMS)
def test_org_bulk_pages_let_in_the_organisations_members_and_actors_only(
        client, name, index, who, organisation, org_people, mandated_cases, owner, outsider, dpo, isolated_media):
    from django.core.files.base import ContentFile

    from deletion_portal.advocacy.bulk_models import BulkJob, BulkJobState
    from deletion_portal.advocacy.models import CaseShare

    method, target, allowed = ORG_BULK_PROBES[name][index]
    cases = mandated_cases(2)
    CaseShare.objects.create(case=cases[0], organisation=org_people["other_organisation"], act_for=True)
    people = {**org_people, "owner": cases[0].owner, "outsider": outsider, "dpo": dpo}
    if target == "organisation":
        pk = organisation.pk
    elif target == "campaign":
        from deletion_portal.advocacy.models import Campaign

        pk = Campaign.objects.create(organisation=organisation, title="Bulk campaign", slug="bulk-campaign",
                                     state="open").pk
    else:
        job = BulkJob.objects.create(organisation=organisation, created_by=org_people["org_admin"], state=target, total=2)
        if target == BulkJobState.FINISHED:
            job.zip_file.save("bulk-test.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
            job.merged_pdf.save("bulk-test.pdf", ContentFile(PDF_BYTES), save=False)
            job.save()
        pk = job.pk
    url = reverse(name, args=[pk])
    if who != "anonymous":
        login(client, people[who])
    api = name.startswith("api-v1:")
    before = bulk_snapshot()
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(url)
        elif api:
            response = client.post(url, data=json.dumps({}), content_type="application/json")
        else:
            response = client.post(url, {})
    if who == "anonymous":
        if api:
            assert response.status_code in (401, 403), f"anonymous {method} {url} → {response.status_code}"
        else:
            assert login_redirect(response), f"anonymous {method} {url} → {response.status_code}"
        assert bulk_snapshot() == before
    elif who not in allowed:
        assert response.status_code == 404, f"{who} {method} {url} → {response.status_code}, not 404"
        assert organisation.name.encode() not in body(response)
        assert bulk_snapshot() == before, f"{who} {method} {url} changed something"
    elif method == "GET":
        assert response.status_code == 200, f"{who} GET {url} → {response.status_code}"
        assert not writes(queries), f"{who} GET {url} wrote:\n" + "\n".join(writes(queries))
    else:
        assert response.status_code in (200, 202, 302), f"{who} {method} {url} → {response.status_code}"
        assert bulk_snapshot() != before, f"{who} {method} {url} changed nothing"
