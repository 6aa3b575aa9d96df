"""Team admins invite members by email (7 days, revocable, a hashed token), remove members and change roles;
every change is an audit row, and a removed member or a dead invitation grants nothing, at once."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from deletion_portal.accounts.models import Role
from deletion_portal.cases.access import Need, case_get_for
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers import teams
from deletion_portal.employers.models import (
    TeamAuditAction,
    TeamAuditEntry,
    TeamInvitation,
    TeamMembership,
    TeamRole,
    VerifiedHow,
)
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(isolated_media):
    pass


@pytest.fixture
def admin(team, team_member):
    user = make_account("boss@acme.example", Role.DPO, "Bea Boss")
    team_member(user, team, role=TeamRole.ADMIN)
    return user


def token_of(invitation) -> str:
    body = OutboxMessage.objects.get(key=f"team-invitation:{invitation.pk}").body
    return re.search(r"/employer/invitation/([^/\s]+)/", body).group(1)


def audit_actions(team) -> list[str]:
    return list(TeamAuditEntry.objects.filter(team=team).order_by("at", "id").values_list("action", flat=True))


def test_an_admin_invites_and_the_invitee_joins_verified_by_invitation(client, admin, team):
    login(client, admin)
    response = client.post(reverse("dpo:team-invite", args=[team.pk]), {"email": "Ivy@Acme.example", "role": "viewer"})
    assert response.status_code == 302
    invitation = TeamInvitation.objects.get(team=team)
    token = token_of(invitation)
    assert invitation.email == "ivy@acme.example" and invitation.token_hash != token and token not in invitation.token_hash
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert OutboxMessage.objects.get(key=f"team-invitation:{invitation.pk}").to == ["ivy@acme.example"]

    ivy = make_account("ivy@acme.example", Role.EMPLOYEE, "Ivy")
    login(client, ivy)
    assert client.get(reverse("dpo:invitation-accept", args=[token])).status_code == 200
    joined = client.post(reverse("dpo:invitation-accept", args=[token]))

    membership = TeamMembership.objects.get(user=ivy, team=team)
    assert joined.status_code == 302
    assert membership.role == TeamRole.VIEWER and membership.verified_how == VerifiedHow.INVITATION
    ivy.refresh_from_db()
    assert ivy.role == Role.DPO  # a team account: it now needs its second factor
    assert audit_actions(team)[-2:] == [TeamAuditAction.INVITED, TeamAuditAction.JOINED]


def test_only_the_invited_address_may_accept(client, admin, team, outsider):
    invitation, token = teams.team_invitation_create(team=team, actor=admin, email="ivy@acme.example", role="responder")
    login(client, outsider)

    response = client.post(reverse("dpo:invitation-accept", args=[token]))

    assert response.status_code == 400
    assert not TeamMembership.objects.filter(user=outsider).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_anonymous_visitor_is_sent_to_log_in(client, admin, team):
    _, token = teams.team_invitation_create(team=team, actor=admin, email="ivy@acme.example", role="responder")

    response = client.get(reverse("dpo:invitation-accept", args=[token]))

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("how", ["expired", "revoked", "accepted", "unknown"])
def test_a_dead_invitation_grants_nothing(client, admin, team, how):
    invitation, token = teams.team_invitation_create(team=team, actor=admin, email="ivy@acme.example", role="admin")
    ivy = make_account("ivy@acme.example", Role.DPO)
    if how == "revoked":
        teams.team_invitation_revoke(invitation=invitation, actor=admin)
    elif how == "accepted":
        teams.team_invitation_accept(token=token, user=ivy)
        TeamMembership.objects.filter(user=ivy).delete()
    elif how == "unknown":
        token = "not-a-token"
    login(client, ivy)

    with time_machine.travel(timezone.now() + (timedelta(days=7, seconds=1) if how == "expired" else timedelta(0))):
        page = client.get(reverse("dpo:invitation-accept", args=[token]))
        accept = client.post(reverse("dpo:invitation-accept", args=[token]))

    assert page.status_code == 404 and accept.status_code == 404
    assert not TeamMembership.objects.filter(user=ivy).exists()


def test_a_new_invitation_replaces_the_pending_one(admin, team):
    first, first_token = teams.team_invitation_create(team=team, actor=admin, email="ivy@acme.example", role="viewer")
    teams.team_invitation_create(team=team, actor=admin, email="ivy@acme.example", role="responder")

    first.refresh_from_db()
    assert first.revoked_at is not None and teams.invitation_get_live(token=first_token) is None


def test_non_admins_cannot_invite_remove_or_change_roles(client, dpo, team, admin):
    login(client, dpo)  # a verified responder of the team
    target = TeamMembership.objects.get(user=admin)

    assert client.post(reverse("dpo:team-invite", args=[team.pk]), {"email": "x@acme.example", "role": "admin"}).status_code == 404
    assert client.post(reverse("dpo:team-member-remove", args=[team.pk, target.pk])).status_code == 404
    assert client.post(reverse("dpo:team-member-role", args=[team.pk, target.pk]), {"role": "viewer"}).status_code == 404
    assert not TeamInvitation.objects.exists()
    assert TeamMembership.objects.get(pk=target.pk).role == TeamRole.ADMIN
    with pytest.raises(PermissionDenied):
        teams.team_invitation_create(team=team, actor=dpo, email="x@acme.example", role="admin")


def test_another_teams_dpo_gets_404_on_every_team_page(client, other_dpo, team, admin):
    login(client, other_dpo)
    member = TeamMembership.objects.get(user=admin)
    invitation, _ = teams.team_invitation_create(team=team, actor=admin, email="ivy@acme.example", role="viewer")

    assert client.get(reverse("dpo:team", args=[team.pk])).status_code == 404
    assert client.post(reverse("dpo:team-member-remove", args=[team.pk, member.pk])).status_code == 404
    assert client.post(reverse("dpo:team-invitation-revoke", args=[team.pk, invitation.pk])).status_code == 404
    assert TeamMembership.objects.filter(pk=member.pk).exists()


def test_the_team_page_lists_members_invitations_and_the_audit(client, admin, dpo, team):
    teams.team_invitation_create(team=team, actor=admin, email="ivy@acme.example", role="viewer")
    login(client, admin)

    page = client.get(reverse("dpo:team", args=[team.pk])).content.decode()

    assert dpo.email in page and admin.email in page and "ivy@acme.example" in page and "Member invited" in page


def test_removing_a_member_ends_their_access_to_a_sent_case_at_once(client, admin, dpo, team, sent_case):
    assert case_get_for(dpo, sent_case.pk, need=Need.VIEW) == sent_case
    login(client, admin)

    client.post(reverse("dpo:team-member-remove", args=[team.pk, TeamMembership.objects.get(user=dpo).pk]))

    with pytest.raises(Http404):
        case_get_for(dpo, sent_case.pk, need=Need.VIEW)
    row = TeamAuditEntry.objects.get(team=team, action=TeamAuditAction.REMOVED)
    assert row.subject_email == dpo.email and row.actor == admin
    login(client, dpo)
    assert client.get(reverse("dpo:team", args=[team.pk])).status_code == 404


def test_role_changes_are_audited_and_the_last_admin_stays(admin, dpo, team):
    member = TeamMembership.objects.get(user=dpo)
    teams.team_member_role_change(membership=member, actor=admin, role=TeamRole.VIEWER)
    row = TeamAuditEntry.objects.get(team=team, action=TeamAuditAction.ROLE_CHANGED)
    assert row.details == {"old": "responder", "new": "viewer"}

    with pytest.raises(teams.TeamError):
        teams.team_member_role_change(membership=TeamMembership.objects.get(user=admin), actor=admin, role="viewer")
    with pytest.raises(teams.TeamError):
        teams.team_member_remove(membership=TeamMembership.objects.get(user=admin), actor=admin)
