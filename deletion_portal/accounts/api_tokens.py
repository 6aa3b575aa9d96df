"""Named, expiring, revocable API tokens, stored hashed (``ApiToken``).

A key is ``dp_`` + 40 random URL-safe characters (≈ 240 bits); only its SHA-256 is stored (a key this long
needs no slow hash) with its first characters to recognise it. Services (keyword-only):

* :func:`api_token_create` — a new token for ``user`` named ``name``; returns ``(row, key)``, the key once.
  A token with the same name is replaced; beyond ``API_TOKENS_PER_USER`` the oldest go.
* :func:`api_token_revoke` — one of the user's tokens; :func:`api_tokens_revoke_all` — all of them
  (the "Revoke all tokens" button, a password change or reset, "Log out everywhere", account deletion).
* :func:`sessions_end_everywhere` — "Log out everywhere": every session and every token stops working.

:class:`ApiTokenAuthentication` is DRF's authentication for ``Authorization: Token <key>``: an unknown,
expired or revoked key, or an inactive account, is a 401.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from deletion_portal.accounts.models import ApiToken, User

log = logging.getLogger(__name__)

KEY_PREFIX = "dp_"
DEFAULT_NAME = "API token"
INVALID = "Invalid token (unknown, expired or revoked): get a new one from POST /api/v1/auth/token."


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", errors="surrogateescape")).hexdigest()


def token_lifetime() -> timedelta | None:
    days = int(getattr(settings, "API_TOKEN_DAYS", 90) or 0)
    return timedelta(days=days) if days > 0 else None


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    name = " ".join((name or "").split())[:100] or DEFAULT_NAME
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    now = timezone.now()
    lifetime = token_lifetime()
    ApiToken.objects.filter(user=user, name=name).delete()
    token = ApiToken.objects.create(user=user, name=name, key_hash=key_hash(key), prefix=key[:8], created_at=now,
                                    expires_at=now + lifetime if lifetime else None)
    keep = max(1, int(getattr(settings, "API_TOKENS_PER_USER", 10)))
    surplus = list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)[keep:])
    if surplus:
        ApiToken.objects.filter(pk__in=surplus).delete()
    log.info("API token %s made for account %s", token.pk, user.pk)
    return token, key


def api_tokens_of(*, user: User):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_revoke(*, user: User, token_id: int) -> bool:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def api_tokens_revoke_all(*, user: User, reason: str = "") -> int:
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    if deleted:
        log.info("%d API token(s) of account %s revoked (%s)", deleted, user.pk, reason or "revoked")
    return deleted


@transaction.atomic
def sessions_end_everywhere(*, user: User) -> None:
    """Every session of ``user`` (this one too) and every API token stop working."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    api_tokens_revoke_all(user=user, reason="logged out everywhere")


def api_token_user(key: str) -> tuple[User, ApiToken] | None:
    """The active account and token for ``key``, or None (unknown, expired, revoked, inactive)."""
    if not key or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token.user, token


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        if len(auth) != 2:
            raise AuthenticationFailed("Invalid token header: send 'Authorization: Token <token>'.")
        try:
            key = auth[1].decode("ascii")
        except UnicodeError:
            raise AuthenticationFailed(INVALID) from None
        found = api_token_user(key)
        if found is None:
            raise AuthenticationFailed(INVALID)
        return found

    def authenticate_header(self, request):
        return self.keyword
