"""Reads of the employer side: a member's teams, the inbox (filters, sorting, the dashboard), the DPO's view
of one case, and what the employee sees of the access log. Every case list starts from the access policy
(``cases.access.cases_visible_to``), narrowed to the cases the user reaches as a member of an employer team.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from deletion_portal.cases.access import Need, Party, case_get_for, cases_visible_to
from deletion_portal.cases.models import Case, CaseEvent, CaseStatus, EventKind
from deletion_portal.cases.selectors import case_deadlines
from deletion_portal.dpo.models import CaseAccessLog, CaseAssignment, TeamNote
from deletion_portal.employers.models import Employer, EmployerTeam, TeamMembership, TeamRole
from deletion_portal.laws.types import RIGHT_CODES

OPEN_STATUSES = (CaseStatus.SENT, CaseStatus.ANSWERED)
STATUS_FILTERS = ("open", "sent", "answered", "closed", "all")
ASSIGNED_FILTERS = ("me", "unassigned")
SORTS = {"due": "next legal date", "received": "received on (newest first)", "reference": "reference"}
DUE_SOON_DAYS = 7
MAX_DUE_WITHIN = 3650
RESPOND_ROLES = (TeamRole.ADMIN, TeamRole.RESPONDER)


def member_teams(user) -> QuerySet[EmployerTeam]:
    """The teams ``user`` is a verified member of."""
    if not getattr(user, "is_authenticated", False):
        return EmployerTeam.objects.none()
    return EmployerTeam.objects.filter(memberships__user=user, memberships__verified_at__isnull=False).distinct()


def recording_teams(user) -> list[EmployerTeam]:
    """The teams in which ``user`` may record a request that arrived elsewhere (verified responder or admin),
    by name, their employers prefetched."""
    roles = (TeamRole.ADMIN, TeamRole.RESPONDER)
    return list(member_teams(user).filter(memberships__user=user, memberships__role__in=roles)
                .prefetch_related("employers").order_by("name"))


def recording_team_for(teams: list[EmployerTeam], employer_id) -> tuple[EmployerTeam, Employer] | tuple[None, None]:
    """The first of ``teams`` (from :func:`recording_teams`) that covers employer ``employer_id``, and that
    employer; (None, None) when none does. No query: the employers are prefetched."""
    for team in teams:
        for employer in team.employers.all():
            if employer.pk == employer_id:
                return team, employer
    return None, None


def is_team_member(user) -> bool:
    return member_teams(user).exists()


def team_cases(user, *, need: Need = Need.VIEW) -> QuerySet[Case]:
    """The cases ``user`` reaches with ``need`` as a verified member of an employer team (never their own
    cases as an employee): the policy's list for the employer side's rules (covering teams, claims, cases
    the team recorded)."""
    return cases_visible_to(user, need=need, parties=frozenset({Party.EMPLOYER}))


@dataclass(frozen=True)
class InboxFilters:
    status: str = "open"
    law: str = ""
    right: str = ""
    due_within: int | None = None
    overdue: bool = False
    assigned: str = ""
    q: str = ""
    sort: str = "due"

    def as_query(self) -> dict:
        """The non-default values, for links (paging, CSV export) that keep the filters."""
        values = {"status": self.status if self.status != "open" else "", "law": self.law, "right": self.right,
                  "due_within": "" if self.due_within is None else str(self.due_within),
                  "overdue": "1" if self.overdue else "", "assigned": self.assigned, "q": self.q,
                  "sort": self.sort if self.sort != "due" else ""}
        return {key: value for key, value in values.items() if value}


def inbox_filters_parse(params) -> InboxFilters:
    """The inbox's filters from query parameters; a ValidationError naming each bad parameter."""
    errors: dict[str, str] = {}
    status = (params.get("status") or "open").strip()
    if status not in STATUS_FILTERS:
        errors["status"] = f"Unknown status '{status[:40]}'. Valid: {', '.join(STATUS_FILTERS)}."
    law = (params.get("law") or "").strip()[:40]
    right = (params.get("right") or "").strip()
    if right and right not in RIGHT_CODES:
        errors["right"] = f"Unknown right '{right[:40]}'. Valid: {', '.join(sorted(RIGHT_CODES))}."
    due_within = None
    raw_due = (params.get("due_within") or "").strip()
    if raw_due:
        try:
            due_within = int(raw_due)
            if not 0 <= due_within <= MAX_DUE_WITHIN:
                raise ValueError
        except ValueError:
            errors["due_within"] = f"due_within must be a whole number of days from 0 to {MAX_DUE_WITHIN}."
    raw_overdue = (params.get("overdue") or "").strip().lower()
    if raw_overdue not in ("", "0", "1", "true", "false", "yes", "no", "on"):
        errors["overdue"] = "overdue must be true or false."
    overdue = raw_overdue in ("1", "true", "yes", "on")
    assigned = (params.get("assigned") or "").strip()
    if assigned and assigned not in ASSIGNED_FILTERS:
        errors["assigned"] = f"assigned must be one of: {', '.join(ASSIGNED_FILTERS)}."
    sort = (params.get("sort") or "due").strip()
    if sort not in SORTS:
        errors["sort"] = f"Unknown sort '{sort[:40]}'. Valid: {', '.join(SORTS)}."
    if errors:
        raise ValidationError(errors)
    return InboxFilters(status=status, law=law, right=right, due_within=due_within, overdue=overdue,
                        assigned=assigned, q=(params.get("q") or "").strip()[:100], sort=sort)


def inbox_cases(*, user, filters: InboxFilters, today: date) -> QuerySet[Case]:
    """The team's cases matching ``filters``, with each case's assignment in the user's teams prefetched
    (a fixed number of queries for any number of rows)."""
    cases = team_cases(user, need=Need.VIEW)
    if filters.status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif filters.status != "all":
        cases = cases.filter(status=filters.status)
    if filters.law:
        cases = cases.filter(law_key=filters.law)
    if filters.right:
        cases = cases.filter(rights__icontains=f'"{filters.right}"')
    unanswered = Q(answered_on__isnull=True) & ~Q(status=CaseStatus.CLOSED)
    if filters.due_within is not None:
        cases = cases.filter(unanswered, respond_by__gte=today, respond_by__lte=today + timedelta(days=filters.due_within))
    if filters.overdue:
        cases = cases.filter(unanswered, respond_by__lt=today)
    teams = member_teams(user).values("pk")
    if filters.assigned == "me":
        cases = cases.filter(Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), team__in=teams, assignee=user)))
    elif filters.assigned == "unassigned":
        cases = cases.exclude(Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), team__in=teams,
                                                                   assignee__isnull=False)))
    if filters.q:
        cases = cases.filter(Q(reference__icontains=filters.q) | Q(requester_name__icontains=filters.q))
    order = {
        "due": (F("next_date").asc(nulls_last=True), F("respond_by").asc(nulls_last=True), "reference"),
        "received": (F("received_on").desc(nulls_last=True), "reference"),
        "reference": ("reference",),
    }[filters.sort]
    assignments = CaseAssignment.objects.filter(team__in=teams).select_related("assignee")
    return cases.order_by(*order).prefetch_related(Prefetch("assignments", queryset=assignments, to_attr="team_assignments"))


def respond_employer_ids(user) -> set[int]:
    """The employers on whose cases ``user`` may RESPOND (a responder or admin of a team covering them)."""
    through = EmployerTeam.employers.through.objects.filter(
        employerteam__memberships__user=user, employerteam__memberships__verified_at__isnull=False,
        employerteam__memberships__role__in=RESPOND_ROLES)
    return set(through.values_list("employer_id", flat=True))


@dataclass
class InboxRow:
    case: Case
    days_left: int | None
    overdue: bool
    due_soon: bool
    assignee: object | None
    can_respond: bool

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def inbox_rows(cases, *, today: date, respond_employers: set[int]) -> list[InboxRow]:
    rows = []
    for case in cases:
        pending = case.respond_by is not None and case.answered_on is None and case.status != CaseStatus.CLOSED
        days = (case.respond_by - today).days if pending else None
        assignment = next((a for a in getattr(case, "team_assignments", []) if a.assignee_id), None)
        rows.append(InboxRow(case=case, days_left=days, overdue=days is not None and days < 0,
                             due_soon=days is not None and 0 <= days <= DUE_SOON_DAYS,
                             assignee=assignment.assignee if assignment else None,
                             can_respond=case.employer_id in respond_employers))
    return rows


@dataclass(frozen=True)
class Dashboard:
    open: int
    due_this_week: int
    overdue: int
    answered_90: int
    on_time_90: int
    on_time_percent: int | None
    median_days_to_answer: float | None


def team_dashboard(*, user, today: date) -> Dashboard:
    """The team's figures: open cases, due within 7 days, overdue, answered on time in the last 90 days (%)
    and the median days from receipt to answer (from the outcome columns)."""
    cases = team_cases(user, need=Need.VIEW)
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    pending = open_cases.filter(answered_on__isnull=True, respond_by__isnull=False)
    answered = list(cases.filter(answered_on__gte=today - timedelta(days=90), answered_on__lte=today)
                    .values_list("received_on", "answered_on", "on_time"))
    known = [row for row in answered if row[2] is not None]
    on_time = sum(1 for row in known if row[2])
    spans = [(answered_on - received).days for received, answered_on, _ in answered if received]
    return Dashboard(
        open=open_cases.count(),
        due_this_week=pending.filter(respond_by__gte=today, respond_by__lte=today + timedelta(days=DUE_SOON_DAYS)).count(),
        overdue=pending.filter(respond_by__lt=today).count(),
        answered_90=len(answered),
        on_time_90=on_time,
        on_time_percent=round(100 * on_time / len(known)) if known else None,
        median_days_to_answer=statistics.median(spans) if spans else None,
    )


# --- One case ------------------------------------------------------------------------------------------


def team_case_get(user, pk, *, need: Need = Need.VIEW) -> Case:
    """The case ``pk`` if ``user`` reaches it as an employer team member with ``need``; a 404 otherwise
    (the case's owner too: the employee has their own page)."""
    case = case_get_for(user, pk, need=need)
    if case.access.party != Party.EMPLOYER:
        raise Http404("No such case.")
    return case


@dataclass
class TimelineEntry:
    event: CaseEvent
    side: str  # "employer" or "requester"
    team_name: str = ""
    role: str = ""
    details: dict = field(default_factory=dict)


# What of an event's details the employer side sees: never the employee's notes.
EMPLOYER_VISIBLE_DETAILS = ("channel", "confirmed", "reasons", "grounds", "outcome", "delivered_on")


def case_timeline_for_team(case: Case) -> list[TimelineEntry]:
    """The shared timeline: events from both sides; employer events with the team's name and the member's
    role; the employee's own notes are left out."""
    # The employee's drafting is theirs: the timeline starts with the final letter.
    events = list(case.events.exclude(kind=EventKind.DRAFTED).select_related("team").order_by("on", "recorded_at", "id"))
    pairs = {(e.team_id, e.actor_id) for e in events if e.team_id and e.actor_id}
    roles = {}
    if pairs:
        members = TeamMembership.objects.filter(team_id__in={t for t, _ in pairs}, user_id__in={u for _, u in pairs})
        roles = {(m.team_id, m.user_id): m.role for m in members}
    entries = []
    for event in events:
        employer_side = bool(event.team_id)
        details = {k: ("yes" if v else "no") if isinstance(v, bool) else v
                   for k, v in (event.details or {}).items() if k in EMPLOYER_VISIBLE_DETAILS}
        if employer_side and event.details.get("note"):
            details["note"] = event.details["note"]
        entries.append(TimelineEntry(event=event, side="employer" if employer_side else "requester",
                                     team_name=event.team.name if event.team_id else "",
                                     role=roles.get((event.team_id, event.actor_id), ""), details=details))
    return entries


def case_page_for_team(*, case: Case, user) -> dict:
    """Everything the DPO's case page shows (``case`` from :func:`team_case_get`)."""
    team = case.access.via
    teams = member_teams(user)
    assignment = CaseAssignment.objects.filter(case=case, team=team).select_related("assignee").first()
    members = list(TeamMembership.objects.filter(team=team, verified_at__isnull=False).select_related("user")
                   .order_by("user__display_name", "user__email"))
    return {
        "team": team,
        "letters": list(case.letters.filter(is_final=True).order_by("created_at")),
        "deadlines": case_deadlines(case),
        "timeline": case_timeline_for_team(case),
        # The requester's shared files (the team's own answer files are listed with its answers).
        "attachments": list(case.attachments.filter(shared_with_employer=True, response_file__isnull=True)
                            .order_by("uploaded_at")),
        "notes": list(TeamNote.objects.filter(case=case, team__in=teams).select_related("author", "team")),
        "assignment": assignment,
        "members": members,
        "access_log": list(CaseAccessLog.objects.filter(case=case, team=team).select_related("user")
                           .order_by("-at", "-id")[:20]),
    }


def case_views_for_owner(*, case: Case) -> list[dict]:
    """What the employee sees of the access log: per team, the latest time its members opened the case."""
    rows = (CaseAccessLog.objects.filter(case=case).values("team_id", "team__name").annotate(last=Max("at"))
            .order_by("-last"))
    return [{"team": row["team__name"], "at": row["last"]} for row in rows]


def case_views_for_export(*, cases) -> dict[int, dict]:
    """The employee's export: per case, each time the employer's team viewed it (team name, day, what);
    never the member's identity (that is the team's own audit). One query for all the cases."""
    views: dict[int, list] = {case.pk: [] for case in cases}
    rows = (CaseAccessLog.objects.filter(case_id__in=list(views)).order_by("case_id", "at", "id")
            .values_list("case_id", "team__name", "at", "what"))
    for case_id, team_name, at, what in rows:
        views[case_id].append({"team": team_name, "at": at.isoformat(), "what": what})
    return {pk: {"viewed_by_employer": entries} for pk, entries in views.items()}
