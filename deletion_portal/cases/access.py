"""The case access policy: who a user is for a case, and what they may do with it. ONE place.

Every case view, API endpoint, PDF, file and calendar goes through :func:`case_get_for` (one case) or
:func:`cases_visible_to` (lists). Anything the user may not do is a 404 (``Http404``) that never
reveals whether the case exists: a bad pk, someone else's case and a need the user lacks look alike.

Parties and what they may do (``Need``):

===================================  =========================================================
party                                needs
===================================  =========================================================
owner (the employee)                 VIEW, MANAGE
employer team member, verified,      VIEW (role viewer); VIEW, RESPOND (roles responder, admin)
team covers the case's employer      — only for cases that were SENT (sent, answered, closed):
or claimed the case (dpo provider),    never drafts, never a finalised letter not yet sent; and only
case sent, employee consents           while ``employer_may_answer`` (withdrawn → nothing, at once)
verified member of the team that     VIEW / VIEW, RESPOND as above, at every status; no other team
recorded the case (no owner)           (whatever employers it covers) sees such a case
organisation member, live share      VIEW when the share has ``see_case``; ACT_FOR when it has
(not revoked)                          ``act_for`` (the mandate) and the member is admin/organiser
anybody else (staff included)        nothing
===================================  =========================================================

* ``VIEW``: read the case and its FINAL letters.
* ``MANAGE``: the owner's actions: the case page, editing, finalising, sending, recording events,
  drafts, previews, uploads, evidence, calendar, retention.
* ``RESPOND``: the employer side acting on the case (acknowledge, extend, answer …).
* ``ACT_FOR``: an organisation acting under a live mandate.

:func:`case_get_for` returns the :class:`~deletion_portal.cases.models.Case` itself, with the answer
attached as ``case.access`` (a :class:`CaseAccess`): views keep working with a case, and a service
that records an event on the user's behalf takes ``source=case.access.event_source``.

Layering: cases sits below advocacy, so organisation access is a *provider* that the advocacy app
registers from its ``AppConfig.ready`` (:func:`register_case_access_provider`), and so is a team's claim
of a case through the case access code (the dpo app's provider, ``dpo/access.py``). The employer-team
rules that need nothing above cases (covering the employer; a case the team recorded) live here because
employers sits below cases.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import F, Q, QuerySet
from django.http import Http404

from deletion_portal.cases.models import Case, CaseStatus, EventSource, Letter
from deletion_portal.employers.models import TeamMembership, TeamRole


class Need(enum.Enum):
    VIEW = "view"
    MANAGE = "manage"
    RESPOND = "respond"
    ACT_FOR = "act_for"


class Party(enum.Enum):
    OWNER = "owner"
    EMPLOYER = "employer"
    ORGANISATION = "organisation"


# Which side an event recorded by this party comes from (``CaseEvent.source``); the owner's events
# keep the channel's source (portal or API), chosen by the view.
PARTY_SOURCE = {Party.EMPLOYER: EventSource.EMPLOYER, Party.ORGANISATION: EventSource.ORGANISATION}

# A case the employer side may see: the request reached it (not a draft, not a finalised letter unsent).
SENT_STATUSES = (CaseStatus.SENT, CaseStatus.ANSWERED, CaseStatus.CLOSED)
TEAM_NEEDS = {
    TeamRole.ADMIN: frozenset({Need.VIEW, Need.RESPOND}),
    TeamRole.RESPONDER: frozenset({Need.VIEW, Need.RESPOND}),
    TeamRole.VIEWER: frozenset({Need.VIEW}),
}
OWNER_NEEDS = frozenset({Need.VIEW, Need.MANAGE})


@dataclass(frozen=True)
class CaseAccess:
    """Who ``user`` is for ``case`` and what they may do. ``via`` is the team or organisation."""

    case: Case
    user: object
    party: Party
    needs: frozenset[Need]
    role: str = ""
    via: object | None = field(default=None, compare=False)

    def allows(self, need: Need) -> bool:
        return need in self.needs

    def event_source(self, default: str = EventSource.PORTAL) -> str:
        """The ``CaseEvent.source`` for an event this party records (``default`` for the owner)."""
        return PARTY_SOURCE.get(self.party, default)


class CaseAccessProvider(Protocol):
    """A rule that grants access to cases to users other than the owner (a registered plug-in)."""

    party: Party  # whom the rule lets in

    def access(self, user, case: Case) -> CaseAccess | None:
        """What ``user`` may do with ``case`` under this rule, or None."""

    def visible(self, user, need: Need) -> Q | None:
        """A filter on Case for the cases ``user`` has ``need`` on under this rule, or None for none."""


_PROVIDERS: list[CaseAccessProvider] = []


def register_case_access_provider(provider: CaseAccessProvider) -> None:
    """Add a rule (idempotent: registering the same provider twice keeps one)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def case_access_providers() -> list[CaseAccessProvider]:
    return [EMPLOYER_TEAMS, *_PROVIDERS]


# --- The employer's team -----------------------------------------------------------------------------


def team_access(user, case: Case, memberships) -> CaseAccess | None:
    """The widest access that any of ``memberships`` (the user's verified memberships of teams that reach
    ``case`` under some rule) gives: viewer → VIEW, responder/admin → VIEW + RESPOND. Shared with the
    providers that add other ways a team reaches a case (a claim through the case access code)."""
    memberships = list(memberships)
    if not memberships:
        return None
    best = max(memberships, key=lambda m: len(TEAM_NEEDS.get(m.role, ())))
    return CaseAccess(case=case, user=user, party=Party.EMPLOYER, needs=TEAM_NEEDS.get(best.role, frozenset()),
                      role=best.role, via=best.team)


def verified_memberships(user):
    """The user's verified team memberships (an unverified member reaches no case)."""
    return TeamMembership.objects.filter(user=user, verified_at__isnull=False)


def team_teams_for(user, need: Need):
    """A sub-select of the ids of the teams in which ``user`` is a verified member with a role that grants
    ``need``, or None when no role grants it."""
    roles = [role for role, needs in TEAM_NEEDS.items() if need in needs]
    if not roles:
        return None
    return verified_memberships(user).filter(role__in=roles).values("team_id")


def employee_case_shared(case: Case) -> bool:
    """An employee's case the employer side may reach (through any team rule): the request was sent and
    the employee lets the employer answer online (``employer_may_answer``; withdrawing ends access at once)."""
    return case.owner_id is not None and case.employer_may_answer and case.status in SENT_STATUSES


# The Case filter matching :func:`employee_case_shared`.
EMPLOYEE_CASE_SHARED = Q(owner__isnull=False, employer_may_answer=True, status__in=SENT_STATUSES)


class EmployerTeamAccess:
    """Two rules of the employer side that need nothing above cases:

    * an employee's case that was sent, while the employee lets the employer answer online, for a
      verified member of a team that covers the case's employer;
    * a request a team recorded itself (no owner, ``recorded_by_team``), at every status, for that team
      only (no other team, whatever employers it covers).

    A team that claimed a case through its case access code reaches it through the dpo app's provider.
    """

    party = Party.EMPLOYER

    def access(self, user, case: Case) -> CaseAccess | None:
        if case.owner_id is None:
            if case.recorded_by_team_id is None:
                return None
            return team_access(user, case, verified_memberships(user).filter(team=case.recorded_by_team_id)
                               .select_related("team"))
        if case.employer_id is None or not employee_case_shared(case):
            return None
        return team_access(user, case, verified_memberships(user).filter(team__employers=case.employer_id)
                           .select_related("team"))

    def visible(self, user, need: Need) -> Q | None:
        teams = team_teams_for(user, need)
        if teams is None:
            return None
        return (EMPLOYEE_CASE_SHARED & Q(employer__teams__in=teams)) | Q(owner__isnull=True, recorded_by_team__in=teams)


EMPLOYER_TEAMS = EmployerTeamAccess()


# --- The policy ------------------------------------------------------------------------------------------


def case_access_for(user, case: Case, *, need: Need) -> CaseAccess | None:
    """Who ``user`` is for ``case`` with ``need`` granted, or None. The owner first, then each rule."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if case.owner_id == user.pk and need in OWNER_NEEDS:
        return CaseAccess(case=case, user=user, party=Party.OWNER, needs=OWNER_NEEDS, role="owner")
    for provider in case_access_providers():
        access = provider.access(user, case)
        if access is not None and access.allows(need):
            return access
    return None


def case_get_for(user, pk, *, need: Need) -> Case:
    """The case ``pk`` with ``case.access`` set, if ``user`` has ``need`` on it; else a 404 (always the
    same 404, whether the case does not exist, is someone else's, or the need is not granted)."""
    try:
        case = Case.objects.select_related("employer").get(pk=int(pk))
    except (Case.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such case.") from None
    access = case_access_for(user, case, need=need)
    if access is None:
        raise Http404("No such case.")
    case.access = access
    return case


def letter_get_for(user, case_pk, letter_pk, *, need: Need = Need.VIEW) -> Letter:
    """A letter of a case the user has ``need`` on: drafts only for whoever may MANAGE the case (the
    owner), final letters for anyone with ``need``."""
    case = case_get_for(user, case_pk, need=need)
    letters = case.letters.all() if case.access.allows(Need.MANAGE) else case.letters.filter(is_final=True)
    try:
        letter = letters.get(pk=int(letter_pk))
    except (Letter.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such letter.") from None
    letter.case = case  # keep case.access
    return letter


def cases_visible_to(user, *, need: Need, parties: frozenset[Party] | None = None) -> QuerySet[Case]:
    """The cases ``user`` has ``need`` on, the nearest date first, undated ones last. ``parties`` narrows the
    list to the rules of those parties (the employer side's inbox: ``{Party.EMPLOYER}``, never the user's own
    cases as an employee); None means every rule."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    owner = need in OWNER_NEEDS and (parties is None or Party.OWNER in parties)
    condition = Q(owner=user) if owner else Q(pk__in=[])
    for provider in case_access_providers():
        if parties is not None and getattr(provider, "party", None) not in parties:
            continue
        extra = provider.visible(user, need)
        if extra is not None:  # a sub-select: a rule's joins never duplicate rows
            condition |= Q(pk__in=Case.objects.filter(extra).values("pk"))
    return (
        Case.objects.filter(condition)
        .select_related("employer")
        .order_by(F("next_date").asc(nulls_last=True), "-created_at")
    )
