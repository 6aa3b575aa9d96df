"""The campaigns API: another organisation's campaign, a case without consent, a withdrawn consent → 404 / absent."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy import campaigns as svc
from deletion_portal.advocacy.consents import consent_set
from deletion_portal.advocacy.models import ConsentKind, Organisation, OrganisationMembership, OrganisationRole
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(advocate):
    return login(APIClient(), advocate)


def test_it_creates_lists_patches_and_opens_a_campaign(api, organisation, employer):
    created = api.post(f"/api/v1/organisations/{organisation.pk}/campaigns",
                       {"title": "Keystrokes", "employers": [employer.pk], "law_keys": ["eu-gdpr"],
                        "bundle": "find_out", "locked": ["law_key"]}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "draft" and body["employers"] == [employer.pk] and body["url"] == "/c/keystrokes"
    assert [c["id"] for c in api.get(f"/api/v1/organisations/{organisation.pk}/campaigns").json()] == [body["id"]]
    patched = api.patch(f"/api/v1/campaigns/{body['id']}", {"state": "open", "description": "Join us"}, format="json")
    assert patched.status_code == 200 and patched.json()["state"] == "open"
    refused = api.patch(f"/api/v1/campaigns/{body['id']}", {"law_keys": ["uk-gdpr"]}, format="json")
    assert refused.status_code == 400 and "law_keys" in refused.json()


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": ""}, "title"),
    ({"title": "T", "law_keys": ["nope"]}, "law_keys"),
    ({"title": "T", "employers": [999999]}, "employers"),
    ({"title": "T", "locked": ["owner"]}, "locked"),
    ({"title": "T", "categories": ["dreams"]}, "categories"),
])
def test_bad_input_is_a_400_naming_the_field(api, organisation, payload, field):
    response = api.post(f"/api/v1/organisations/{organisation.pk}/campaigns", payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_another_organisations_campaign_is_a_404(api, employer):
    rival = Organisation.objects.create(name="Rival", country="DE")
    boss = make_account("boss@rival.example", Role.ADVOCATE)
    OrganisationMembership.objects.create(organisation=rival, user=boss, role=OrganisationRole.ADMIN)
    campaign = svc.campaign_create(organisation=rival, actor=boss, title="Theirs")
    assert api.get(f"/api/v1/organisations/{rival.pk}/campaigns").status_code == 404
    assert api.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
    assert api.patch(f"/api/v1/campaigns/{campaign.pk}", {"title": "Mine"}, format="json").status_code == 404
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/members").status_code == 404


def test_members_are_only_those_who_consent_and_leave_at_once_on_withdrawal(api, organisation, advocate, employer):
    campaign = svc.campaign_open(campaign=svc.campaign_create(
        organisation=organisation, actor=advocate, title="T", employers=[employer], law_keys=["eu-gdpr"]), actor=advocate)
    sharing = svc.campaign_join(campaign=campaign, user=make_account("s@mail.example", Role.EMPLOYEE),
                                consents={ConsentKind.SEE_CASE: True})
    svc.campaign_join(campaign=campaign, user=make_account("n@mail.example", Role.EMPLOYEE),
                      consents={ConsentKind.STATISTICS: True})
    members = api.get(f"/api/v1/campaigns/{campaign.pk}/members").json()
    assert [m["reference"] for m in members] == [sharing.case.reference]
    assert api.get(f"/api/v1/cases/{sharing.case.pk}").status_code == 404  # the owner's API, not the group's
    consent_set(member=sharing, kind=ConsentKind.SEE_CASE, given=False, actor=sharing.case.owner)
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/members").json() == []


def test_a_viewer_reads_but_cannot_write(organisation, employer, advocate):
    viewer = make_account("v@wdc.example", Role.ADVOCATE)
    OrganisationMembership.objects.create(organisation=organisation, user=viewer, role=OrganisationRole.VIEWER)
    campaign = svc.campaign_create(organisation=organisation, actor=advocate, title="T")
    client = login(APIClient(), viewer)
    assert client.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 200
    assert client.patch(f"/api/v1/campaigns/{campaign.pk}", {"title": "X"}, format="json").status_code == 404
    assert client.post(f"/api/v1/organisations/{organisation.pk}/campaigns", {"title": "X"},
                       format="json").status_code == 404
