"""Email invitations with a secret link: what an employer team's and an organisation's invitations share.

Both invitation models have ``email``, ``token_hash``, ``expires_at``, ``accepted_at`` and ``revoked_at``.
The token is only in the emailed link; the row keeps its keyed hash (:func:`secret_hash`). What joining
means (a team membership and an audit line, an organisation membership) stays with each caller; the
rules of the link itself — live, single use, for its own address only — are here, once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

#: How long an invitation link works.
INVITATION_TTL = timedelta(days=7)

NOT_VALID = "This invitation is not valid: it has expired, was revoked or was used already."


def secret_hash(value: str) -> str:
    """A keyed SHA-256 of a code or token (only this is stored)."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh link token and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, secret_hash(token)


def expires_at():
    return timezone.now() + INVITATION_TTL


def invitations_pending(queryset):
    """Of ``queryset``, the invitations that are neither accepted, revoked nor expired."""
    return queryset.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()).order_by("created_at")


def invitation_live(queryset, *, token: str):
    """The invitation of ``queryset`` whose link carries ``token``, if it is neither expired, revoked nor accepted."""
    if not token:
        return None
    invitation = queryset.filter(token_hash=secret_hash(token)).first()
    if invitation is None or invitation.revoked_at or invitation.accepted_at or invitation.expires_at <= timezone.now():
        return None
    return invitation


def invitation_claim(queryset, *, token: str, user, error: type[ValidationError] = ValidationError):
    """Mark the live invitation of ``token`` accepted by ``user`` (who must own its address); raises ``error``.

    Must run inside the caller's transaction, which then adds the membership: the row is locked, so two
    tabs accepting at once give one membership and one "not valid"."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invitation_claim must run inside a transaction")
    invitation = invitation_live(queryset, token=token)
    if invitation is None:
        raise error(NOT_VALID)
    invitation = queryset.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise error(NOT_VALID)
    if user.email.lower() != invitation.email.lower():
        raise error(f"This invitation is for {invitation.email}. Sign in with that address to accept it.")
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return invitation
