"""Who speaks for an employer: employer teams, how their members are verified, invitations and the audit.

A member is verified one of three ways (``VerifiedHow``):

* **mailbox** — :func:`mailbox_proof_start` sends an 8-digit code to the privacy address the directory lists
  for the employer (never to the user's own address); :func:`mailbox_proof_confirm` checks it (hashed, 30
  minutes, 5 attempts, compared in constant time). The first verified member of an employer becomes the
  **admin** of a new team. If the employer already has a team, the proof makes the user a verified member:
  an admin when the team has no verified admin left, otherwise a *responder* (the team's admins decide on
  promotions; the audit row records the proof, so they see who came in through the mailbox).
* **staff** — :func:`team_member_verify_by_staff` (the admin action, a required note of the evidence) and
  :func:`team_join_by_staff` (``manage.py create_account … --employer``).
* **invitation** — a verified admin invites by email (:func:`team_invitation_create`, a token in the link,
  only its hash stored, 7 days, revocable); :func:`team_invitation_accept` by the account with that address.

Every membership change writes a :class:`TeamAuditEntry` in the same transaction. Access to cases follows
the verified membership rows (``cases/access.py``), so a removed member or a revoked invitation grants
nothing from the next request on.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from deletion_portal.accounts.models import Role
from deletion_portal.core import invitations
from deletion_portal.core.invitations import secret_hash
from deletion_portal.core.outbox import outbox_enqueue
from deletion_portal.employers.models import (
    Employer,
    EmployerTeam,
    MailboxProof,
    TeamAuditAction,
    TeamAuditEntry,
    TeamInvitation,
    TeamMembership,
    TeamRole,
    VerifiedHow,
)

PROOF_DIGITS = 8
PROOF_TTL = timedelta(minutes=30)
PROOF_MAX_ATTEMPTS = 5
#: At most this many codes per user per hour (each one is an email to someone else's mailbox).
PROOF_MAX_PER_HOUR = 5


class TeamError(ValidationError):
    """A team operation the rules refuse (its message says why)."""


def audit(*, team: EmployerTeam, action: str, actor=None, subject_email: str = "", **details) -> TeamAuditEntry:
    return TeamAuditEntry.objects.create(team=team, action=action, actor=actor, subject_email=subject_email,
                                         details=details)


# --- Reads -----------------------------------------------------------------------------------------------


def memberships_of(*, user, verified: bool = True):
    qs = TeamMembership.objects.filter(user=user).select_related("team")
    return qs.exclude(verified_at=None) if verified else qs


def team_membership_get(*, user, team_id) -> TeamMembership | None:
    """The user's verified membership of team ``team_id``, or None (the caller answers 404)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return TeamMembership.objects.select_related("team").filter(user=user, team_id=team_id).exclude(
        verified_at=None).first()


def team_admin_check(*, team: EmployerTeam, actor) -> TeamMembership:
    membership = team_membership_get(user=actor, team_id=team.pk)
    if membership is None or membership.role != TeamRole.ADMIN:
        raise PermissionDenied("Only a verified admin of the team may do this.")
    return membership


def invitation_get_live(*, token: str) -> TeamInvitation | None:
    """The invitation whose link carries ``token``, if it is neither expired, revoked nor accepted."""
    return invitations.invitation_live(TeamInvitation.objects.select_related("team"), token=token)


def invitations_pending(*, team: EmployerTeam):
    return invitations.invitations_pending(team.invitations.all())


def employers_verifiable():
    """Employers of the directory a mailbox proof can go to (they list a privacy address)."""
    return Employer.objects.exclude(privacy_email="")


# --- Mailbox proof --------------------------------------------------------------------------------------


def _membership_verify(*, team, user, role, how, actor, **details) -> TeamMembership:
    membership, created = TeamMembership.objects.get_or_create(team=team, user=user, defaults={"role": role})
    was_verified = membership.verified_at is not None
    membership.verified_at = timezone.now()
    membership.verified_how = how
    if created or not was_verified:
        membership.role = role
    membership.save()
    audit(team=team, action=TeamAuditAction.VERIFIED, actor=actor, subject_email=user.email, how=how,
          role=membership.role, **details)
    return membership


def _team_for(*, employer: Employer, actor) -> tuple[EmployerTeam, bool]:
    team = employer.teams.order_by("pk").first()
    if team is not None:
        return team, False
    team = EmployerTeam.objects.create(name=f"{employer.legal_name} privacy team")
    team.employers.add(employer)
    audit(team=team, action=TeamAuditAction.CREATED, actor=actor, employer=employer.pk, employer_name=employer.legal_name)
    return team, True


def mailbox_proof_start(*, user, employer: Employer) -> MailboxProof:
    """Send a fresh code to the employer's listed privacy address (through the outbox)."""
    if user.role != Role.DPO:
        raise PermissionDenied("Only a DPO account can verify for an employer.")
    if not employer.privacy_email:
        raise TeamError("The directory lists no privacy email address for this employer, so no code can be sent. "
                        "Ask portal staff to verify you instead.")
    recent = MailboxProof.objects.filter(user=user, created_at__gte=timezone.now() - timedelta(hours=1)).count()
    if recent >= PROOF_MAX_PER_HOUR:
        raise TeamError("Too many codes were sent in the last hour. Please wait before asking for another.")
    code = f"{secrets.randbelow(10**PROOF_DIGITS):0{PROOF_DIGITS}d}"
    with transaction.atomic():
        # A new code replaces the user's earlier unused ones for this employer.
        MailboxProof.objects.filter(user=user, employer=employer, used_at=None).update(expires_at=timezone.now())
        proof = MailboxProof.objects.create(employer=employer, user=user, sent_to=employer.privacy_email,
                                            code_hash=secret_hash(code), expires_at=timezone.now() + PROOF_TTL)
        url = settings.SITE_URL.rstrip("/") + reverse("dpo:verify-code", args=[proof.pk])
        outbox_enqueue(
            key=f"team-mailbox-proof:{proof.pk}",
            topic=f"employer:{employer.pk}",
            to=[employer.privacy_email],
            subject=f"Verification code for the deletion portal: {code}",
            body=(
                f"Someone with the account {user.email} asked to answer data protection requests for "
                f"{employer.legal_name} on the deletion portal, as its DPO team.\n\n"
                f"This message went to {employer.privacy_email}, the privacy address the portal's employer "
                f"directory lists for {employer.legal_name}. If that person works in your privacy office, give "
                f"them this code (valid for 30 minutes):\n\n    {code}\n\nIt is entered at {url}\n\n"
                "If you do not know this person, ignore this message: without the code nothing happens.\n"
            ),
        )
    return proof


def mailbox_proof_get(*, user, pk) -> MailboxProof | None:
    return MailboxProof.objects.select_related("employer").filter(user=user, pk=pk).first()


def mailbox_proof_confirm(*, user, proof: MailboxProof, code: str) -> TeamMembership:
    """Check ``code``; when right, verify ``user`` for the proof's employer (see the module docstring)."""
    code = "".join(str(code or "").split())
    with transaction.atomic():
        proof = MailboxProof.objects.select_for_update().select_related("employer").get(pk=proof.pk, user=user)
        if proof.used_at is not None:
            raise TeamError("This code was used already.")
        if proof.expires_at <= timezone.now():
            raise TeamError("This code has expired. Ask for a new one.")
        if proof.attempts >= PROOF_MAX_ATTEMPTS:
            raise TeamError("Too many wrong codes. Ask for a new one.")
        proof.attempts += 1
        right = hmac.compare_digest(proof.code_hash, secret_hash(code))
        if right:
            proof.used_at = timezone.now()
        proof.save(update_fields=["attempts", "used_at"])
        if right:
            team, new = _team_for(employer=proof.employer, actor=user)
            has_admin = team.memberships.filter(role=TeamRole.ADMIN).exclude(verified_at=None).exclude(user=user).exists()
            role = TeamRole.RESPONDER if has_admin else TeamRole.ADMIN
            return _membership_verify(team=team, user=user, role=role, how=VerifiedHow.MAILBOX, actor=user,
                                      sent_to=proof.sent_to, proof=proof.pk, employer=proof.employer.pk,
                                      existing_team=not new)
    left = PROOF_MAX_ATTEMPTS - proof.attempts
    raise TeamError(f"That code is not right. {left} attempt(s) left." if left else "Too many wrong codes. Ask for a new one.")


# --- Staff ---------------------------------------------------------------------------------------------


def team_member_verify_by_staff(*, membership: TeamMembership, actor, note: str) -> TeamMembership:
    note = " ".join((note or "").split())
    if not note:
        raise TeamError("A note of the evidence is required to verify a member.")
    with transaction.atomic():
        return _membership_verify(team=membership.team, user=membership.user, role=membership.role,
                                  how=VerifiedHow.STAFF, actor=actor, note=note)


def team_join_by_staff(*, user, employer: Employer, role: str = TeamRole.ADMIN, actor=None, note: str) -> TeamMembership:
    """Make ``user`` a staff-verified member of the employer's team (created when it has none)."""
    if role not in TeamRole.values:
        raise TeamError(f"Unknown team role {role}; one of: {', '.join(TeamRole.values)}.")
    with transaction.atomic():
        team, _ = _team_for(employer=employer, actor=actor)
        membership, created = TeamMembership.objects.get_or_create(team=team, user=user, defaults={"role": role})
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        return team_member_verify_by_staff(membership=membership, actor=actor, note=note)


# --- Invitations ---------------------------------------------------------------------------------------


def team_invitation_create(*, team: EmployerTeam, actor, email: str, role: str) -> tuple[TeamInvitation, str]:
    """Invite ``email`` with ``role``; returns the invitation and the token (only in the emailed link)."""
    team_admin_check(team=team, actor=actor)
    email = (email or "").strip().lower()
    if role not in TeamRole.values:
        raise TeamError("Choose a role.")
    if team.memberships.filter(user__email__iexact=email).exclude(verified_at=None).exists():
        raise TeamError(f"{email} is a member of the team already.")
    token, token_hash = invitations.new_token()
    with transaction.atomic():
        for old in invitations_pending(team=team).filter(email__iexact=email):
            old.revoked_at = timezone.now()
            old.save(update_fields=["revoked_at"])
            audit(team=team, action=TeamAuditAction.INVITATION_REVOKED, actor=actor, subject_email=email,
                  invitation=old.pk, reason="replaced by a new invitation")
        invitation = TeamInvitation.objects.create(team=team, email=email, role=role, token_hash=token_hash,
                                                   invited_by=actor, expires_at=invitations.expires_at())
        audit(team=team, action=TeamAuditAction.INVITED, actor=actor, subject_email=email, role=role,
              invitation=invitation.pk)
        link = settings.SITE_URL.rstrip("/") + reverse("dpo:invitation-accept", args=[token])
        outbox_enqueue(
            key=f"team-invitation:{invitation.pk}",
            topic=f"team:{team.pk}",
            to=[email],
            subject=f"You are invited to {team.name} on the deletion portal",
            body=(
                f"{actor.email} invites you to join {team.name} as {invitation.get_role_display()} on the "
                f"deletion portal, to answer data protection requests.\n\nAccept within 7 days (sign in or sign "
                f"up with this address, {email}):\n\n{link}\n\nIf you did not expect this, ignore it.\n"
            ),
        )
    return invitation, token


def team_invitation_revoke(*, invitation: TeamInvitation, actor) -> TeamInvitation:
    team_admin_check(team=invitation.team, actor=actor)
    with transaction.atomic():
        if invitation.revoked_at is None and invitation.accepted_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            audit(team=invitation.team, action=TeamAuditAction.INVITATION_REVOKED, actor=actor,
                  subject_email=invitation.email, invitation=invitation.pk)
    return invitation


def team_invitation_accept(*, token: str, user) -> TeamMembership:
    """Join the team through a live invitation to the user's own address. An employee account becomes a DPO
    account (the team's pages need it, and with it the second factor)."""
    with transaction.atomic():
        invitation = invitations.invitation_claim(TeamInvitation.objects.select_related("team"), token=token,
                                                  user=user, error=TeamError)
        if user.role == Role.EMPLOYEE:
            user.role = Role.DPO
            user.save(update_fields=["role"])
        membership, _ = TeamMembership.objects.get_or_create(team=invitation.team, user=user,
                                                             defaults={"role": invitation.role})
        membership.role = invitation.role
        membership.verified_at = timezone.now()
        membership.verified_how = VerifiedHow.INVITATION
        membership.save()
        audit(team=invitation.team, action=TeamAuditAction.JOINED, actor=user, subject_email=user.email,
              role=invitation.role, invitation=invitation.pk,
              invited_by=invitation.invited_by.email if invitation.invited_by else "")
    return membership


# --- Members -------------------------------------------------------------------------------------------


def _other_admins(membership: TeamMembership) -> bool:
    return (membership.team.memberships.filter(role=TeamRole.ADMIN).exclude(verified_at=None)
            .exclude(pk=membership.pk).exists())


def team_member_remove(*, membership: TeamMembership, actor) -> None:
    team_admin_check(team=membership.team, actor=actor)
    if membership.role == TeamRole.ADMIN and not _other_admins(membership):
        raise TeamError("The team's last admin cannot be removed. Make another member admin first.")
    with transaction.atomic():
        audit(team=membership.team, action=TeamAuditAction.REMOVED, actor=actor, subject_email=membership.user.email,
              role=membership.role)
        membership.delete()


def team_member_role_change(*, membership: TeamMembership, actor, role: str) -> TeamMembership:
    team_admin_check(team=membership.team, actor=actor)
    if role not in TeamRole.values:
        raise TeamError("Choose a role.")
    if membership.role == role:
        return membership
    if membership.role == TeamRole.ADMIN and not _other_admins(membership):
        raise TeamError("The team's last admin cannot change role. Make another member admin first.")
    with transaction.atomic():
        audit(team=membership.team, action=TeamAuditAction.ROLE_CHANGED, actor=actor,
              subject_email=membership.user.email, old=membership.role, new=role)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership
