"""A team's claim of a case as a rule of the case access policy (registered from ``DpoConfig.ready``).

A verified member of a team that claimed a case with its case access code (``CaseClaim``) reaches the case
like a member of a team that covers the case's employer: only an employee's case that was sent, only while
the employee lets the employer answer online, viewer → VIEW, responder/admin → VIEW + RESPOND. The policy
itself lives in ``cases/access.py``; cases does not import dpo, so the rule plugs in here.
"""

from __future__ import annotations

from django.db.models import Q

from deletion_portal.cases.access import (
    EMPLOYEE_CASE_SHARED,
    CaseAccess,
    Need,
    Party,
    employee_case_shared,
    team_access,
    team_teams_for,
    verified_memberships,
)
from deletion_portal.cases.models import Case
from deletion_portal.dpo.models import CaseClaim


class ClaimedCaseAccess:
    party = Party.EMPLOYER

    def access(self, user, case: Case) -> CaseAccess | None:
        if not employee_case_shared(case):
            return None
        claimed = CaseClaim.objects.filter(case=case).values("team_id")
        return team_access(user, case, verified_memberships(user).filter(team__in=claimed).select_related("team"))

    def visible(self, user, need: Need) -> Q | None:
        teams = team_teams_for(user, need)
        if teams is None:
            return None
        return EMPLOYEE_CASE_SHARED & Q(pk__in=CaseClaim.objects.filter(team__in=teams).values("case_id"))


claimed_case_access_provider = ClaimedCaseAccess()
