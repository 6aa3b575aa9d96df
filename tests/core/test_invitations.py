"""The shared rules of an invitation link (core.invitations): live, single use, own address, in a transaction."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from deletion_portal.core import invitations
from deletion_portal.employers.models import TeamInvitation
from deletion_portal.employers.teams import team_invitation_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team_admin(team, team_member):
    from deletion_portal.accounts.models import Role
    from deletion_portal.employers.models import TeamRole
    from tests.support.world import make_account

    user = make_account("admin@acme.example", Role.DPO, "Ada Admin")
    team_member(user, team, role=TeamRole.ADMIN)
    return user


def test_a_claim_outside_a_transaction_is_a_programming_error(team_admin, team):
    _invitation, token = team_invitation_create(team=team, actor=team_admin, email="new@acme.example", role="responder")
    with pytest.raises(RuntimeError):
        invitations.invitation_claim(TeamInvitation.objects.all(), token=token, user=team_admin)


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_an_unknown_or_empty_token_is_not_valid(token, team_admin):
    with transaction.atomic(), pytest.raises(ValidationError) as info:
        invitations.invitation_claim(TeamInvitation.objects.all(), token=token, user=team_admin)
    assert invitations.NOT_VALID in str(info.value)


def test_only_the_hash_is_stored_and_it_is_keyed(team_admin, team):
    invitation, token = team_invitation_create(team=team, actor=team_admin, email="new@acme.example", role="responder")
    assert invitation.token_hash == invitations.secret_hash(token) and token not in invitation.token_hash
    import hashlib
    assert invitation.token_hash != hashlib.sha256(token.encode()).hexdigest()
