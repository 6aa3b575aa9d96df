"""Two-factor authentication (django-otp), mandatory for the accounts that see other people's cases.

DPO and advocate accounts need a confirmed TOTP device (an authenticator app) and, in each session, a code
from it (or one of their ten single-use backup codes). Until then :class:`SecondFactorMiddleware` lets them see
nothing but the set-up / verify pages and log out; the API answers 403 with a clear message. The API token
endpoint asks such accounts for ``otp`` (``accounts/api.py``).

Services (keyword-only):

* :func:`otp_required_for` — does this account need a second factor?
* :func:`totp_key_new` / :func:`totp_uri` — a fresh secret (hex, as django-otp stores it) and its otpauth:// URI.
* :func:`totp_device_create` — a confirmed TOTP device from a secret (after a code proved the app has it).
* :func:`backup_codes_create` — ten new single-use codes (replacing the old ones), returned once.
* :func:`otp_verify` — the device that accepts a code (TOTP first, then backup codes), throttled by django-otp.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from binascii import hexlify, unhexlify
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode as django_urlencode
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import AuthenticationFailed

from deletion_portal.accounts.api_tokens import ApiTokenAuthentication
from deletion_portal.accounts.models import Role

#: Roles whose accounts must use a second factor.
OTP_ROLES = frozenset({Role.DPO, Role.ADVOCATE})
BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
#: URL names a signed-in account without its second factor may still use.
OPEN_WITHOUT_SECOND_FACTOR = frozenset({"accounts:2fa-setup", "accounts:2fa-verify", "accounts:logout"})
SETUP_FIRST = (
    "Two-factor authentication is required for this account: set it up on the web "
    "(/accounts/two-factor/setup/) and verify a code in this session before using anything else."
)


def otp_required_for(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", "") in OTP_ROLES)


def otp_has_device(*, user) -> bool:
    return user_has_device(user, confirmed=True)


def totp_key_new() -> str:
    """A new 160-bit secret, hex-encoded (django-otp's storage format)."""
    return hexlify(secrets.token_bytes(20)).decode()


def totp_key_base32(key: str) -> str:
    return b32encode(unhexlify(key)).decode()


def totp_uri(*, user, key: str) -> str:
    issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
    label = quote(f"{issuer}:{user.email}")
    params = urlencode({"secret": totp_key_base32(key), "algorithm": "SHA1", "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


def totp_code_matches(*, key: str, code: str) -> bool:
    """Does ``code`` match the secret now (one step of tolerance)? For confirming a device being set up."""
    code = "".join(str(code).split())
    if not code.isdigit():
        return False
    return TOTP(unhexlify(key)).verify(int(code), tolerance=1)


@transaction.atomic
def totp_device_create(*, user, key: str, name: str = TOTP_DEVICE_NAME) -> TOTPDevice:
    """A confirmed TOTP device with ``key`` (hex), replacing any earlier one of the user."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=name, key=key, confirmed=True)


@transaction.atomic
def backup_codes_create(*, user) -> list[str]:
    """Ten new single-use backup codes (the old ones stop working). Shown once: only django-otp's rows keep them."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def otp_verify(*, user, code: str):
    """The confirmed device of ``user`` that accepts ``code`` (authenticator first, then a backup code), or None.
    Each device throttles failures itself (a growing wait after each wrong code)."""
    code = "".join(str(code or "").split())
    if not code:
        return None
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
                if device.verify_token(code):
                    return device
    return None


def otp_login(request, device) -> None:
    """Mark this session verified with ``device`` (django-otp's own session key)."""
    from django_otp import login as django_otp_login

    django_otp_login(request, device)


# --- The gate ---------------------------------------------------------------------------------------


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: a DPO or advocate account that has no confirmed device, or has not
    given a code in this session, sees nothing but the set-up / verify pages and logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if otp_required_for(user) and not user.is_verified() and not self._open(request):
            if _is_api(request):
                return JsonResponse({"detail": SETUP_FIRST}, status=403)
            target = "accounts:2fa-verify" if otp_has_device(user=user) else "accounts:2fa-setup"
            url = reverse(target)
            if request.method == "GET":
                url += "?" + django_urlencode({"next": request.get_full_path()})
            return redirect(url)
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        static = getattr(settings, "STATIC_URL", None)
        if static and request.path_info.startswith(static if static.startswith("/") else "/" + static):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in OPEN_WITHOUT_SECOND_FACTOR



class SecondFactorTokenAuthentication(ApiTokenAuthentication):
    """The portal's token authentication (``accounts.api_tokens``: named, expiring, hashed), refusing the
    token of a DPO or advocate account that has no confirmed device (a token made before two-factor
    authentication became mandatory). New tokens of such accounts are only issued against an ``otp`` code
    (``accounts/api.py``)."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and otp_required_for(found[0]) and not otp_has_device(user=found[0]):
            raise AuthenticationFailed(SETUP_FIRST)
        return found


class SecondFactorTokenScheme(OpenApiAuthenticationExtension):
    """How the schema documents the token: ``Authorization: Token <key>``."""

    target_class = SecondFactorTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`: a key from POST /api/v1/auth/token"}
