"""Writes of the employer side: the access log (the one write a GET makes, on purpose), team notes,
assignment, a request the team recorded that reached it elsewhere, the weekly digest, and the notice to the
teams when the employee withdraws the employer's online access."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import get_template
from django.urls import reverse

from deletion_portal.cases.access import EMPLOYEE_CASE_SHARED, SENT_STATUSES
from deletion_portal.cases.hooks import ReminderRecipient
from deletion_portal.cases.models import Case, EventKind, EventSource
from deletion_portal.cases.services import case_create, case_record_event, validate_case_fields
from deletion_portal.core.outbox import outbox_enqueue
from deletion_portal.dpo.models import CaseAccessLog, CaseAssignment, CaseClaim, TeamNote
from deletion_portal.employers.models import Employer, EmployerTeam, TeamMembership, TeamRole

RECORD_CHANNELS = {"email": "email", "post": "post", "web_form": "web_form", "hr_portal": "web_form", "other": "email"}
NOTE_LIMIT = 5000


def case_access_record(*, case: Case, user, team: EmployerTeam, what: str) -> CaseAccessLog:
    """A team member opened ``case`` (``what``: "case page", "letter", "api", …): one audit row."""
    return CaseAccessLog.objects.create(case=case, team=team, user=user, what=what[:40])


@transaction.atomic
def team_note_add(*, case: Case, team: EmployerTeam, author, text: str) -> TeamNote:
    """A note visible to ``team`` only."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the note."})
    if len(text) > NOTE_LIMIT:
        raise ValidationError({"text": f"The note is too long ({len(text)} characters); the limit is {NOTE_LIMIT}."})
    return TeamNote.objects.create(case=case, team=team, author=author, text=text)


@transaction.atomic
def case_assign(*, case: Case, team: EmployerTeam, assignee) -> CaseAssignment:
    """Assign ``case`` to a verified member of ``team`` (``assignee`` None: unassign). Team-internal."""
    if assignee is not None and not TeamMembership.objects.filter(team=team, user=assignee,
                                                                  verified_at__isnull=False).exists():
        raise ValidationError({"assignee": "Choose a verified member of the team."})
    assignment, _ = CaseAssignment.objects.update_or_create(case=case, team=team, defaults={"assignee": assignee})
    return assignment


@transaction.atomic
def case_record_received_elsewhere(
    *,
    team: EmployerTeam,
    actor,
    employer: Employer,
    requester_name: str,
    requester_address: str = "",
    requester_email: str = "",
    rights: list[str],
    law_key: str,
    region: str,
    received_on: date,
    channel: str,
    categories: list[str] | None = None,
    today: date | None = None,
) -> Case:
    """A request that reached the team outside the portal (email, post, HR portal): a case without an
    employee account, visible to ``team`` only, on the same clock (a confirmed ``received`` event on
    ``received_on``), reminders included."""
    if not team.employers.filter(pk=employer.pk).exists():
        raise ValidationError({"employer": "Choose one of your team's employers."})
    if channel not in RECORD_CHANNELS:
        raise ValidationError({"channel": f"Choose how it arrived: {', '.join(RECORD_CHANNELS)}."})
    requester_name = (requester_name or "").strip()
    if not requester_name:
        raise ValidationError({"requester_name": "Enter the requester's name."})
    if not rights:
        raise ValidationError({"rights": "Choose at least one right."})
    if not law_key:
        raise ValidationError({"law": "Choose the law the request is made under."})
    if not region:
        raise ValidationError({"region": "Choose the region whose public holidays count."})
    errors = validate_case_fields(law_key=law_key, region=region, rights=rights, categories=categories or [])
    if errors:
        raise ValidationError(errors)
    case = case_create(
        owner=None, employer=employer, sent_outside_portal=True, recorded_by_team=team,
        law_key=law_key, region=region, rights=list(rights), categories=list(categories or []),
        requester_name=requester_name[:200], requester_address=(requester_address or "").strip()[:500],
        requester_email=(requester_email or "").strip(), employer_country=employer.country,
        source=EventSource.EMPLOYER,
    )
    case.events.update(team=team)
    sent = case_record_event(case=case, kind=EventKind.SENT, on=received_on, actor=actor, source=EventSource.EMPLOYER,
                             details={"channel": RECORD_CHANNELS[channel], "note": f"Recorded by {team.name} (arrived by {channel.replace('_', ' ')})"},
                             today=today)
    received = case_record_event(case=case, kind=EventKind.RECEIVED, on=received_on, actor=actor,
                                 source=EventSource.EMPLOYER, details={"confirmed": True}, today=today)
    type(sent).objects.filter(pk__in=[sent.pk, received.pk]).update(team=team)
    case.refresh_from_db()
    return case


# --- Reminders and the weekly digest ---------------------------------------------------------------------


def _case_url(case_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("dpo:case", args=[case_id])


def reminder_recipients_for_cases(*, case_ids: list[int]) -> dict:
    """Who on the employer side is reminded of each case's respond-by date: its assignee, or when it has
    none, every verified responder and admin of the teams that see it (recorded cases: their team only)."""
    cases = list(Case.objects.filter(pk__in=case_ids, employer__isnull=False, employer_may_answer=True)
                 .values_list("pk", "employer_id", "recorded_by_team_id"))
    if not cases:
        return {}
    links = EmployerTeam.employers.through.objects.filter(employer_id__in={c[1] for c in cases})
    teams_of_employer: dict[int, set[int]] = {}
    for employer_id, team_id in links.values_list("employer_id", "employerteam_id"):
        teams_of_employer.setdefault(employer_id, set()).add(team_id)
    claimed: dict[int, set[int]] = {}  # teams that claimed a case with its case access code
    for case_id, team_id in CaseClaim.objects.filter(case_id__in=[c[0] for c in cases]).values_list("case_id", "team_id"):
        claimed.setdefault(case_id, set()).add(team_id)
    members: dict[int, list] = {}
    names: dict[int, str] = {}
    all_teams = {t for ts in (*teams_of_employer.values(), *claimed.values()) for t in ts} | {c[2] for c in cases if c[2]}
    for membership in (TeamMembership.objects.filter(team_id__in=all_teams,
                                                     verified_at__isnull=False).select_related("user", "team")):
        members.setdefault(membership.team_id, []).append(membership)
        names[membership.team_id] = membership.team.name
    assigned = {(a.case_id, a.team_id): a.assignee_id for a in
                CaseAssignment.objects.filter(case_id__in=[c[0] for c in cases], assignee__isnull=False)}
    found: dict[int, list] = {}
    for case_id, employer_id, recorded_by in cases:
        teams = {recorded_by} if recorded_by else teams_of_employer.get(employer_id, set()) | claimed.get(case_id, set())
        for team_id in sorted(teams):
            team_members = [m for m in members.get(team_id, []) if m.user.is_active]
            assignee = assigned.get((case_id, team_id))
            chosen = [m for m in team_members if m.user_id == assignee] if assignee else []
            if not chosen:
                chosen = [m for m in team_members if m.role in (TeamRole.ADMIN, TeamRole.RESPONDER)]
            for m in chosen:
                found.setdefault(case_id, []).append(ReminderRecipient(
                    key=f"u{m.user_id}", email=m.user.email, case_url=_case_url(case_id), team_name=names[team_id],
                    assigned=bool(assignee and m.user_id == assignee)))
    return found


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def team_digest_send(*, team: EmployerTeam, today: date) -> int:
    """Queue this ISO week's digest for each verified responder/admin of ``team`` (idempotent: keyed per
    team, week and member). Returns the number of members it was queued for."""
    cases = _team_open_cases(team)
    pending = [c for c in cases if c.respond_by and c.answered_on is None]
    overdue = [c for c in pending if c.respond_by < today]
    due_week = [c for c in pending if today <= c.respond_by <= today + timedelta(days=7)]
    context = {"team": team, "week": iso_week(today), "open": len(cases), "overdue": overdue, "due_week": due_week,
               "inbox_url": settings.SITE_URL.rstrip("/") + reverse("dpo:inbox")}
    subject = f"{team.name}: {len(cases)} open request(s), {len(overdue)} overdue — week {context['week']}"
    body = get_template("emails/dpo/digest_body.txt", using="text").render({**context, "overdue_rows": [(c, _case_url(c.pk)) for c in overdue],
                                                            "due_rows": [(c, _case_url(c.pk)) for c in due_week]})
    sent = 0
    for membership in TeamMembership.objects.filter(team=team, verified_at__isnull=False,
                                                    role__in=(TeamRole.ADMIN, TeamRole.RESPONDER)).select_related("user"):
        if not membership.user.is_active:
            continue
        outbox_enqueue(key=f"digest:{team.pk}:{context['week']}:{membership.user_id}", topic=f"team:{team.pk}",
                       to=[membership.user.email], subject=subject, body=body)
        sent += 1
    return sent


def _team_open_cases(team: EmployerTeam) -> list[Case]:
    from django.db.models import Q

    from deletion_portal.dpo.selectors import OPEN_STATUSES

    # The access policy's employer-side rules, for one team: an employee's shared case of an employer the team
    # covers or a case it claimed; a request the team recorded itself.
    reaches = (EMPLOYEE_CASE_SHARED & (Q(employer__teams=team) | Q(pk__in=CaseClaim.objects.filter(team=team).values("case_id")))
               | Q(owner__isnull=True, recorded_by_team=team))
    return list(Case.objects.filter(reaches, status__in=OPEN_STATUSES)
                .select_related("employer").distinct().order_by("respond_by", "reference"))


def team_digests_send(*, today: date) -> int:
    """The weekly digest for every team with a verified member (the beat's weekly task)."""
    total = 0
    for team in EmployerTeam.objects.filter(memberships__verified_at__isnull=False).distinct():
        total += team_digest_send(team=team, today=today)
    return total


# --- The employee withdrew the employer's online access ----------------------------------------------------


def case_withdrawal_recipients(*, case: Case) -> dict[EmployerTeam, list[str]]:
    """Per team that could see ``case`` as the employer's side (a team covering its employer, or one that
    claimed it with the case access code; an employee's case that was sent), the addresses of its verified,
    active responders and admins. Reads no consent flag: called when the consent was just withdrawn."""
    if case.owner_id is None or case.status not in SENT_STATUSES:
        return {}
    teams = EmployerTeam.objects.filter(pk__in=CaseClaim.objects.filter(case=case).values("team_id"))
    if case.employer_id:
        teams = teams | EmployerTeam.objects.filter(employers=case.employer_id)
    found: dict[EmployerTeam, list[str]] = {}
    memberships = (TeamMembership.objects.filter(team__in=teams.values("pk"), verified_at__isnull=False,
                                                 role__in=(TeamRole.ADMIN, TeamRole.RESPONDER), user__is_active=True)
                   .select_related("team", "user").order_by("team_id", "user__email"))
    for membership in memberships:
        if membership.user.email:
            found.setdefault(membership.team, []).append(membership.user.email)
    return found


def employer_access_withdrawn_notify(*, case: Case, event) -> int:
    """Queue one email per team that could see ``case`` (its responders and admins): the employee withdrew
    the online access; the legal deadline still runs, so answer by email or post to the requester's address
    in the letter. Idempotent per case, team and event (the outbox key). Returns how many teams."""
    recipients = case_withdrawal_recipients(case=case)
    template = get_template("emails/dpo/access_withdrawn_body.txt", using="text")
    for team, emails in recipients.items():
        outbox_enqueue(
            key=f"employer-access-withdrawn:{case.pk}:{team.pk}:{event.pk}", topic=f"team:{team.pk}", to=emails,
            subject=f"{case.reference}: the requester withdrew online access — the legal deadline still runs",
            body=template.render({"case": case, "team": team, "event": event}),
        )
    return len(recipients)
