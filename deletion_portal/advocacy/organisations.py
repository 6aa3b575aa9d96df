"""Organisations: verification by staff, members (admin / organiser / viewer) and email invitations.

Invitations follow the employer teams' pattern (``employers/teams.py``): a token in the emailed link, only
its keyed hash stored, 7 days, revocable, accepted only by the account with the invited address. Accepting
makes an employee account an advocate account, and with it the second factor (``accounts/twofactor.py``:
advocates must use an authenticator app before they see anything).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy.models import (
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationRole,
)
from deletion_portal.core import invitations
from deletion_portal.core.outbox import outbox_enqueue

#: Roles that may run campaigns (create, edit, open, close; see shared cases' members).
ORGANISING_ROLES = (OrganisationRole.ADMIN, OrganisationRole.ORGANISER)


class OrganisationError(ValidationError):
    """An organisation operation the rules refuse (its message says why)."""


# --- Reads -----------------------------------------------------------------------------------------------


def organisation_membership_get(*, user, organisation_id) -> OrganisationMembership | None:
    """The user's membership of organisation ``organisation_id``, or None (the caller answers 404)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.ADVOCATE:
        return None
    return (OrganisationMembership.objects.select_related("organisation")
            .filter(user=user, organisation_id=organisation_id).first())


def organisation_memberships_of(*, user):
    if not getattr(user, "is_authenticated", False) or user.role != Role.ADVOCATE:
        return OrganisationMembership.objects.none()
    return OrganisationMembership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def invitation_get_live(*, token: str) -> OrganisationInvitation | None:
    return invitations.invitation_live(OrganisationInvitation.objects.select_related("organisation"), token=token)


def invitations_pending(*, organisation: Organisation):
    return invitations.invitations_pending(organisation.invitations.all())


def _admin_check(*, organisation: Organisation, actor) -> OrganisationMembership:
    membership = organisation_membership_get(user=actor, organisation_id=organisation.pk)
    if membership is None or membership.role != OrganisationRole.ADMIN:
        raise PermissionDenied("Only an admin of the organisation may do this.")
    return membership


# --- Writes ------------------------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(*, name: str, country: str = "", website: str = "", contact_email: str = "",
                        not_for_profit: bool = False) -> Organisation:
    name = (name or "").strip()
    if not name:
        raise OrganisationError({"name": "Give the organisation's name."})
    organisation = Organisation(name=name[:200], country=(country or "").upper()[:2], website=website,
                                contact_email=contact_email, not_for_profit=not_for_profit)
    organisation.full_clean(exclude=["country"] if not country else None)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_verify(*, organisation: Organisation, actor, note: str) -> Organisation:
    """Staff verified the organisation (the admin action; ``note``: the evidence). Only a verified
    organisation can open a campaign."""
    if not (note or "").strip():
        raise OrganisationError({"note": "Say what evidence you checked."})
    organisation.verified_at = timezone.now()
    organisation.verified_by = actor
    organisation.verification_note = note.strip()
    organisation.save(update_fields=["verified_at", "verified_by", "verification_note"])
    return organisation


@transaction.atomic
def organisation_contact_update(*, organisation: Organisation, actor, website: str = "", contact_email: str = "",
                                contact_address: str = "") -> Organisation:
    """The organisation's admins keep its public details current: the website and the contact employers reply
    to under a mandate. (Its name, country and not-for-profit status are staff's, checked at verification.)"""
    _admin_check(organisation=organisation, actor=actor)
    organisation.website = (website or "").strip()
    organisation.contact_email = (contact_email or "").strip().lower()
    organisation.contact_address = (contact_address or "").replace("\x00", "").strip()[:1000]
    try:
        organisation.full_clean(exclude=["name", "country"])
    except ValidationError as exc:
        raise OrganisationError(exc.message_dict) from None
    organisation.save(update_fields=["website", "contact_email", "contact_address"])
    return organisation


@transaction.atomic
def organisation_member_add(*, organisation: Organisation, user, role: str) -> OrganisationMembership:
    """Add ``user`` (staff or an operator vouching); an employee account becomes an advocate account."""
    if role not in OrganisationRole.values:
        raise OrganisationError({"role": "Choose admin, organiser or viewer."})
    if user.role == Role.EMPLOYEE:
        user.role = Role.ADVOCATE
        user.save(update_fields=["role"])
    elif user.role != Role.ADVOCATE:
        raise OrganisationError(f"{user.email} is a {user.get_role_display()} account, not an advocate's.")
    membership, _ = OrganisationMembership.objects.update_or_create(organisation=organisation, user=user,
                                                                    defaults={"role": role})
    return membership


def organisation_invitation_create(*, organisation: Organisation, actor, email: str,
                                   role: str) -> tuple[OrganisationInvitation, str]:
    """Invite ``email`` with ``role``; returns the invitation and the token (only in the emailed link)."""
    _admin_check(organisation=organisation, actor=actor)
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise OrganisationError({"email": "Give an email address."})
    if role not in OrganisationRole.values:
        raise OrganisationError({"role": "Choose admin, organiser or viewer."})
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise OrganisationError({"email": f"{email} is a member already."})
    token, token_hash = invitations.new_token()
    with transaction.atomic():
        invitations_pending(organisation=organisation).filter(email__iexact=email).update(revoked_at=timezone.now())
        invitation = OrganisationInvitation.objects.create(
            organisation=organisation, email=email, role=role, token_hash=token_hash, invited_by=actor,
            expires_at=invitations.expires_at())
        link = settings.SITE_URL.rstrip("/") + reverse("advocacy:invitation-accept", args=[token])
        outbox_enqueue(
            key=f"organisation-invitation:{invitation.pk}",
            topic=f"organisation:{organisation.pk}",
            to=[email],
            subject=f"You are invited to {organisation.name} on the deletion portal",
            body=(
                f"{actor.email} invites you to join {organisation.name} as {invitation.get_role_display()} on the "
                f"deletion portal, to run campaigns.\n\nAccept within 7 days (sign in or sign up with this "
                f"address, {email}):\n\n{link}\n\nYour account will need an authenticator app (two-factor "
                f"authentication).\n\nIf you did not expect this, ignore it.\n"
            ),
        )
    return invitation, token


@transaction.atomic
def organisation_invitation_revoke(*, invitation: OrganisationInvitation, actor) -> OrganisationInvitation:
    _admin_check(organisation=invitation.organisation, actor=actor)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def organisation_invitation_accept(*, token: str, user) -> OrganisationMembership:
    with transaction.atomic():
        invitation = invitations.invitation_claim(OrganisationInvitation.objects.select_related("organisation"),
                                                  token=token, user=user, error=OrganisationError)
        if user.role not in (Role.EMPLOYEE, Role.ADVOCATE):  # raising rolls the claim back
            raise OrganisationError("An employer's DPO or staff account cannot join an organisation; use another address.")
        return organisation_member_add(organisation=invitation.organisation, user=user, role=invitation.role)


@transaction.atomic
def organisation_member_remove(*, membership: OrganisationMembership, actor) -> None:
    _admin_check(organisation=membership.organisation, actor=actor)
    others = membership.organisation.memberships.filter(role=OrganisationRole.ADMIN).exclude(pk=membership.pk)
    if membership.role == OrganisationRole.ADMIN and not others.exists():
        raise OrganisationError("The last admin cannot be removed. Make another member admin first.")
    membership.delete()


@transaction.atomic
def organisation_member_role_change(*, membership: OrganisationMembership, actor, role: str) -> OrganisationMembership:
    _admin_check(organisation=membership.organisation, actor=actor)
    if role not in OrganisationRole.values:
        raise OrganisationError({"role": "Choose admin, organiser or viewer."})
    others = membership.organisation.memberships.filter(role=OrganisationRole.ADMIN).exclude(pk=membership.pk)
    if membership.role == OrganisationRole.ADMIN and role != OrganisationRole.ADMIN and not others.exists():
        raise OrganisationError("The last admin cannot change role. Make another member admin first.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership
