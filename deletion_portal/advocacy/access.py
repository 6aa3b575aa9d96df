"""The organisations' rule of the case access policy (registered by ``AdvocacyConfig.ready``).

A member of an organisation sees a case only while its owner shares it with the organisation
(``CaseShare`` not revoked, with ``see_case``); acting for the owner (``Need.ACT_FOR``) needs the
mandate (``act_for``) and an admin or organiser role. A revoked share grants nothing, and only advocate
accounts (which must use a second factor) are let in.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy.models import CaseShare, OrganisationMembership, OrganisationRole
from deletion_portal.cases.access import CaseAccess, Need, Party
from deletion_portal.cases.models import Case

ACTING_ROLES = (OrganisationRole.ADMIN, OrganisationRole.ORGANISER)


def _share_filter(need: Need) -> dict | None:
    if need == Need.VIEW:
        return {"see_case": True}
    if need == Need.ACT_FOR:
        return {"act_for": True}
    return None


class OrganisationAccess:
    party = Party.ORGANISATION

    def access(self, user, case: Case) -> CaseAccess | None:
        if getattr(user, "role", None) != Role.ADVOCATE:  # only advocate accounts (they need the second factor)
            return None
        role = OrganisationMembership.objects.filter(organisation=OuterRef("organisation_id"), user=user).values("role")
        shares = list(
            CaseShare.objects.filter(case=case, revoked_at__isnull=True)
            .annotate(role=Subquery(role[:1]))
            .filter(role__isnull=False)
            .values_list("organisation_id", "see_case", "act_for", "role")
        )
        if not shares:
            return None
        needs: set[Need] = set()
        best = None
        for organisation_id, see_case, act_for, role in shares:
            granted = set()
            if see_case:
                granted.add(Need.VIEW)
            if act_for and role in ACTING_ROLES:
                granted.add(Need.ACT_FOR)
            if granted and (best is None or len(granted) > len(needs)):
                best, needs = (organisation_id, role), granted
        if best is None:
            return None
        return CaseAccess(case=case, user=user, party=Party.ORGANISATION, needs=frozenset(needs), role=best[1],
                          via=best[0])

    def visible(self, user, need: Need) -> Q | None:
        share = _share_filter(need)
        if share is None or getattr(user, "role", None) != Role.ADVOCATE:
            return None
        memberships = OrganisationMembership.objects.filter(user=user)
        if need == Need.ACT_FOR:
            memberships = memberships.filter(role__in=ACTING_ROLES)
        shares = CaseShare.objects.filter(revoked_at__isnull=True, organisation__in=memberships.values("organisation_id"),
                                          **share)
        return Q(pk__in=shares.values("case_id"))


organisation_access_provider = OrganisationAccess()
