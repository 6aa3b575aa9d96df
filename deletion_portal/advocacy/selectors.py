"""Reads for the organisation's pages and API: campaigns, and what a campaign's members let the group see.

The group sees a member's case only through the case access policy (``cases_visible_to(user, need=VIEW,
parties={ORGANISATION})``, i.e. a live ``CaseShare`` with ``see_case``), and counts only of the members the
campaign's dashboard counts (consented to statistics; ``figures.dashboard_cases``) who do not share their case, released by the disclosure module's rule
(``advocacy.disclosure.single_row``, k = ``STATS_MIN_CELL``): a total under k reads "fewer than k", and the
by-status row is shown only when every cell (0 included) counts at least k. Nobody's refusal is ever listed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery

from deletion_portal.advocacy.disclosure import Variable, single_row
from deletion_portal.advocacy.figures import dashboard_cases, min_cell
from deletion_portal.advocacy.models import Campaign, CampaignMember, Consent, ConsentKind, OrganisationMembership
from deletion_portal.advocacy.organisations import organisation_membership_get
from deletion_portal.cases.access import Need, Party, cases_visible_to
from deletion_portal.cases.models import Case, CaseStatus
from deletion_portal.cases.selectors import days_left

ORGANISATION_SIDE = frozenset({Party.ORGANISATION})
OVERVIEW_STATUS = Variable("status", "Status", tuple(CaseStatus.choices))


def small_count(n: int | None, *, k: int | None = None) -> str:
    """A count as the organiser sees it: the number, or "fewer than k" (0 included: a 0 is a cell too)."""
    k = min_cell() if k is None else k
    return f"fewer than {k}" if n is None or n < k else str(n)


def campaign_get_for(*, user, campaign_id) -> tuple[Campaign, OrganisationMembership] | None:
    """The campaign and the user's membership of its organisation, or None (the caller answers 404)."""
    campaign = Campaign.objects.select_related("organisation").filter(pk=campaign_id).first()
    if campaign is None:
        return None
    membership = organisation_membership_get(user=user, organisation_id=campaign.organisation_id)
    if membership is None:
        return None
    return campaign, membership


def organisation_campaigns(*, organisation_id):
    return (Campaign.objects.filter(organisation_id=organisation_id).select_related("organisation")
            .prefetch_related("employers").order_by("-created_at", "-id"))


def _latest(kind: str):
    return Subquery(Consent.objects.filter(member=OuterRef("pk"), kind=kind).order_by("-at", "-id").values("given")[:1])


def live_members(*, campaign: Campaign):
    """The campaign's live memberships, each annotated with its current choice of every kind."""
    return (CampaignMember.objects.filter(campaign=campaign, left_at=None)
            .annotate(statistics=_latest(ConsentKind.STATISTICS), see_case=_latest(ConsentKind.SEE_CASE),
                      mandate=_latest(ConsentKind.MANDATE)))


def statistics_case_ids(*, campaign: Campaign) -> list[int]:
    """The cases counted in the campaign's statistics now (live membership, live statistics consent)."""
    return list(live_members(campaign=campaign).filter(statistics=True).values_list("case_id", flat=True))


@dataclass(frozen=True)
class SharedRow:
    case: Case
    days_left: int | None
    mandate: bool

    @property
    def overdue_by(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def shared_rows(*, user, campaign: Campaign, today: date) -> list[SharedRow]:
    """The members who let the group see their case (through the access policy), nearest date first."""
    visible = cases_visible_to(user, need=Need.VIEW, parties=ORGANISATION_SIDE)
    members = live_members(campaign=campaign).filter(see_case=True, case__in=visible)
    mandated = set(members.filter(mandate=True).values_list("case_id", flat=True))
    cases = (Case.objects.filter(pk__in=members.values("case_id")).select_related("employer")
             .order_by("next_date", "reference"))
    return [SharedRow(case=c, days_left=days_left(c.next_date, today), mandate=c.pk in mandated) for c in cases]


def campaign_counts(*, campaign: Campaign, shared_case_ids: set[int]) -> dict:
    """Counts of the members the campaign's dashboard counts (``figures.dashboard_cases``: consenting, each case
    in ONE of the organisation's dashboards) who do not share their case, by status. The same people as the
    dashboard, so two campaigns' overviews never differ by one member either."""
    statuses = list(dashboard_cases(campaign=campaign).exclude(pk__in=shared_case_ids)
                    .values_list("status", flat=True))
    k = min_cell()
    row = single_row(OVERVIEW_STATUS, cases=len(statuses), counts=Counter(statuses), k=k)
    return {
        "total": small_count(len(statuses), k=k),
        "by_status_suppressed": not row.published,
        "by_status": [{"status": cell.label, "count": "suppressed" if cell.count is None else str(cell.count)}
                      for cell in row.cells],
    }


def campaign_overview(*, user, campaign: Campaign, today: date) -> dict:
    rows = shared_rows(user=user, campaign=campaign, today=today)
    return {"rows": rows, "counts": campaign_counts(campaign=campaign, shared_case_ids={r.case.pk for r in rows})}
