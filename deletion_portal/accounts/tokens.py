"""Signed, expiring email-confirmation links.

A token is ``<user id>.<email digest>`` signed with a timestamp (django.core.signing). The digest is
an HMAC of the address, so the link carries no personal data and stops working if the address
changes; the signature stops it from being forged, and ``max_age`` makes it expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "deletion_portal.accounts.email-confirmation"
EMAIL_CONFIRMATION_MAX_AGE = timedelta(days=3)


class ConfirmationLinkError(Exception):
    """The link is not one we issued (``reason="invalid"``) or is too old (``reason="expired"``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ConfirmationClaim:
    user_id: int
    email_digest: str

    def matches(self, email: str) -> bool:
        return constant_time_compare(self.email_digest, email_digest(email))


def email_digest(email: str) -> str:
    return salted_hmac(SALT, email.strip().lower()).hexdigest()[:24]


def email_confirmation_token_make(*, user_id: int, email: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{user_id}.{email_digest(email)}")


def email_confirmation_token_read(token: str) -> ConfirmationClaim:
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=EMAIL_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ConfirmationLinkError("expired") from exc
    except signing.BadSignature as exc:
        raise ConfirmationLinkError("invalid") from exc
    user_id, _, digest = value.partition(".")
    if not user_id.isdigit() or not digest:
        raise ConfirmationLinkError("invalid")
    return ConfirmationClaim(user_id=int(user_id), email_digest=digest)
