"""Mailbox proof: a code sent to the privacy address the directory lists for the employer verifies a DPO
account as the first admin of the employer's team (issue 8, "Who speaks for an employer" 1.)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from deletion_portal.accounts.models import Role
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers import teams
from deletion_portal.employers.models import (
    EmployerTeam,
    MailboxProof,
    TeamAuditAction,
    TeamAuditEntry,
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
def newcomer(db):
    return make_account("nina@acme.example", Role.DPO, "Nina Newcomer")


def code_of(proof) -> str:
    message = OutboxMessage.objects.get(key=f"team-mailbox-proof:{proof.pk}")
    return re.search(r"\b(\d{8})\b", message.body).group(1)


def test_it_verifies_the_first_admin_of_a_new_team_through_the_web(client, newcomer, employer):
    login(client, newcomer)
    found = client.get(reverse("dpo:verify"), {"q": "acme"})
    assert employer.privacy_email in found.content.decode()

    sent = client.post(reverse("dpo:verify"), {"employer": employer.pk})
    proof = MailboxProof.objects.get(user=newcomer)
    assert sent.status_code == 302 and sent["Location"] == reverse("dpo:verify-code", args=[proof.pk])

    done = client.post(reverse("dpo:verify-code", args=[proof.pk]), {"code": code_of(proof)})

    membership = TeamMembership.objects.get(user=newcomer)
    assert done.status_code == 302 and done["Location"] == reverse("dpo:team", args=[membership.team_id])
    assert membership.role == TeamRole.ADMIN and membership.verified_how == VerifiedHow.MAILBOX
    assert membership.verified_at is not None
    assert list(membership.team.employers.all()) == [employer]
    actions = list(TeamAuditEntry.objects.filter(team=membership.team).values_list("action", flat=True))
    assert actions == [TeamAuditAction.CREATED, TeamAuditAction.VERIFIED]
    assert client.get(reverse("dpo:team", args=[membership.team_id])).status_code == 200


def test_the_code_goes_only_to_the_directory_address_never_the_users_own(newcomer, employer):
    proof = teams.mailbox_proof_start(user=newcomer, employer=employer)

    message = OutboxMessage.objects.get(key=f"team-mailbox-proof:{proof.pk}")
    assert message.to == [employer.privacy_email] and message.cc == []
    assert proof.sent_to == employer.privacy_email
    assert all(newcomer.email not in m.to + m.cc for m in OutboxMessage.objects.all())
    assert code_of(proof) not in proof.code_hash  # only a hash is stored


def test_an_employer_without_a_privacy_address_cannot_be_verified_by_mailbox(newcomer, employer_without_email):
    with pytest.raises(teams.TeamError):
        teams.mailbox_proof_start(user=newcomer, employer=employer_without_email)
    assert not MailboxProof.objects.exists()


def test_only_dpo_accounts_verify(client, owner, employer):
    login(client, owner)
    assert client.get(reverse("dpo:verify")).status_code == 404
    assert client.post(reverse("dpo:verify"), {"employer": employer.pk}).status_code == 404
    assert not MailboxProof.objects.exists()


def test_a_wrong_code_counts_an_attempt_and_verifies_nothing(newcomer, employer):
    proof = teams.mailbox_proof_start(user=newcomer, employer=employer)
    wrong = "00000000" if code_of(proof) != "00000000" else "11111111"

    with pytest.raises(teams.TeamError, match="not right"):
        teams.mailbox_proof_confirm(user=newcomer, proof=proof, code=wrong)

    proof.refresh_from_db()
    assert proof.attempts == 1 and proof.used_at is None
    assert not TeamMembership.objects.exists() and not EmployerTeam.objects.exists()


def test_five_wrong_codes_exhaust_the_proof_even_for_the_right_code(newcomer, employer):
    proof = teams.mailbox_proof_start(user=newcomer, employer=employer)
    right = code_of(proof)
    wrong = "00000000" if right != "00000000" else "11111111"
    for _ in range(teams.PROOF_MAX_ATTEMPTS):
        with pytest.raises(teams.TeamError):
            teams.mailbox_proof_confirm(user=newcomer, proof=proof, code=wrong)

    with pytest.raises(teams.TeamError, match="Too many"):
        teams.mailbox_proof_confirm(user=newcomer, proof=proof, code=right)
    assert not TeamMembership.objects.exists()


def test_an_expired_code_verifies_nothing(newcomer, employer):
    proof = teams.mailbox_proof_start(user=newcomer, employer=employer)

    with time_machine.travel(timezone.now() + timedelta(minutes=31)), pytest.raises(teams.TeamError, match="expired"):
        teams.mailbox_proof_confirm(user=newcomer, proof=proof, code=code_of(proof))
    assert not TeamMembership.objects.exists()


def test_a_code_works_once_and_a_new_code_voids_the_old(newcomer, employer):
    first = teams.mailbox_proof_start(user=newcomer, employer=employer)
    second = teams.mailbox_proof_start(user=newcomer, employer=employer)

    with pytest.raises(teams.TeamError, match="expired"):
        teams.mailbox_proof_confirm(user=newcomer, proof=first, code=code_of(first))
    teams.mailbox_proof_confirm(user=newcomer, proof=second, code=code_of(second))
    with pytest.raises(teams.TeamError, match="used"):
        teams.mailbox_proof_confirm(user=newcomer, proof=second, code=code_of(second))


def test_codes_per_hour_are_limited(newcomer, employer):
    for _ in range(teams.PROOF_MAX_PER_HOUR):
        teams.mailbox_proof_start(user=newcomer, employer=employer)
    with pytest.raises(teams.TeamError, match="Too many"):
        teams.mailbox_proof_start(user=newcomer, employer=employer)


def test_another_users_proof_is_a_404(client, newcomer, other_dpo, employer):
    proof = teams.mailbox_proof_start(user=newcomer, employer=employer)
    login(client, other_dpo)

    response = client.post(reverse("dpo:verify-code", args=[proof.pk]), {"code": code_of(proof)})

    assert response.status_code == 404
    assert not TeamMembership.objects.filter(user=other_dpo, team__employers=employer).exists()


def test_a_proof_for_an_employer_with_a_team_joins_it_as_responder_when_it_has_an_admin(newcomer, employer, team,
                                                                                       team_member):
    """Decision: the team's existing admins decide promotions; the audit row records the mailbox proof."""
    admin = make_account("boss@acme.example", Role.DPO)
    team_member(admin, team, role=TeamRole.ADMIN)
    proof = teams.mailbox_proof_start(user=newcomer, employer=employer)

    membership = teams.mailbox_proof_confirm(user=newcomer, proof=proof, code=code_of(proof))

    assert membership.team == team and membership.role == TeamRole.RESPONDER
    row = TeamAuditEntry.objects.get(team=team, action=TeamAuditAction.VERIFIED, subject_email=newcomer.email)
    assert row.details["how"] == "mailbox" and row.details["existing_team"] is True
    assert row.details["sent_to"] == employer.privacy_email


def test_a_proof_for_a_team_without_an_admin_makes_an_admin(newcomer, employer, team):
    proof = teams.mailbox_proof_start(user=newcomer, employer=employer)

    membership = teams.mailbox_proof_confirm(user=newcomer, proof=proof, code=code_of(proof))

    assert membership.team == team and membership.role == TeamRole.ADMIN
