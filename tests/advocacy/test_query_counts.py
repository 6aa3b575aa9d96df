"""The organiser's lists cost the same number of queries for 2 rows as for 12 (tests/test_query_counts.py's rule):
the organisation page, the campaign overview and its CSV, the campaigns API list and members, and the member's
campaign panel on the case page."""

from __future__ import annotations

from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy import campaigns as svc
from deletion_portal.advocacy.consents import consent_set
from deletion_portal.advocacy.models import ConsentKind
from deletion_portal.cases.services import case_update
from tests.support.data import DRAFT_FIELDS
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 12
_numbers = count(1)


def queries(fetch) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def assert_constant(grow, fetch) -> None:
    grow(SMALL)
    small = queries(fetch)
    grow(LARGE - SMALL)
    assert queries(fetch) == small, "an N+1: more queries for more rows"


@pytest.fixture
def campaign(organisation, advocate, employer):
    return svc.campaign_open(campaign=svc.campaign_create(
        organisation=organisation, actor=advocate, title="Keystrokes", employers=[employer], law_keys=["eu-gdpr"],
        bundle="erase_training"), actor=advocate)


def grow_members(campaign, n: int) -> None:
    for _ in range(n):
        i = next(_numbers)
        member = svc.campaign_join(campaign=campaign, user=make_account(f"m{i}@mail.example", Role.EMPLOYEE),
                                   consents={ConsentKind.SEE_CASE: True, ConsentKind.STATISTICS: True})
        case_update(case=member.case, requester_name=f"Member {i}")
        # and one who is only counted
        svc.campaign_join(campaign=campaign, user=make_account(f"c{i}@mail.example", Role.EMPLOYEE),
                          consents={ConsentKind.STATISTICS: True})


@pytest.mark.parametrize("name", ["advocacy:campaign", "advocacy:campaign-csv"])
def test_the_campaign_overview_and_its_csv(client, advocate, campaign, name):
    login(client, advocate)
    assert_constant(lambda n: grow_members(campaign, n), lambda: client.get(reverse(name, args=[campaign.pk])))


def test_the_api_members(advocate, campaign):
    api = login(APIClient(), advocate)
    assert_constant(lambda n: grow_members(campaign, n), lambda: api.get(f"/api/v1/campaigns/{campaign.pk}/members"))


def test_the_organisation_page_and_the_api_campaign_list(client, advocate, organisation, employer):
    from deletion_portal.advocacy.models import OrganisationMembership

    def grow(n):
        for _ in range(n):
            i = next(_numbers)
            svc.campaign_create(organisation=organisation, actor=advocate, title=f"Campaign {i}", employers=[employer])
            OrganisationMembership.objects.create(organisation=organisation,
                                                  user=make_account(f"o{i}@wdc.example", Role.ADVOCATE))

    login(client, advocate)
    api = login(APIClient(), advocate)
    assert_constant(grow, lambda: client.get(reverse("advocacy:organisation", args=[organisation.pk])))
    assert_constant(grow, lambda: api.get(f"/api/v1/organisations/{organisation.pk}/campaigns"))


def test_the_case_pages_campaign_panel(client, campaign, owner, organisation, advocate, employer):
    member = svc.campaign_join(campaign=campaign, user=owner)
    case_update(case=member.case, **{k: DRAFT_FIELDS[k] for k in ("requester_name", "requester_address",
                                                                  "requester_email", "work_country")})

    def grow(n):
        for _ in range(n):
            i = next(_numbers)
            other = svc.campaign_open(campaign=svc.campaign_create(
                organisation=organisation, actor=advocate, title=f"Other {i}", employers=[employer],
                law_keys=["eu-gdpr"]), actor=advocate)
            from deletion_portal.advocacy.models import CampaignMember

            joined = CampaignMember.objects.create(campaign=other, case=member.case)
            consent_set(member=joined, kind=ConsentKind.STATISTICS, given=True, actor=owner)
            consent_set(member=joined, kind=ConsentKind.STATISTICS, given=False, actor=owner)

    login(client, owner)
    assert_constant(grow, lambda: client.get(reverse("cases:detail", args=[member.case.pk])))


def test_the_campaign_pages_bulk_job_list(client, advocate, campaign):
    """The campaign overview's bulk jobs (an organiser's view): the same queries for 2 jobs as for 12."""
    from deletion_portal.advocacy.bulk_models import BulkJob, BulkJobState

    login(client, advocate)

    def grow(n: int) -> None:
        BulkJob.objects.bulk_create([BulkJob(organisation=campaign.organisation, campaign=campaign, created_by=advocate,
                                             state=BulkJobState.FINISHED, total=3, done=3) for _ in range(n)])

    url = reverse("advocacy:campaign", args=[campaign.pk])
    assert_constant(grow, lambda: client.get(url))
    assert client.get(url).content.count(b'<tr id="job-') == LARGE
