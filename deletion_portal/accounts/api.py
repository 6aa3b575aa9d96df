"""POST /api/v1/auth/token: exchange an email address and password for a new, named API token
(``accounts.api_tokens``: it expires after API_TOKEN_DAYS; a token with the same name is replaced).

The password goes through ``authenticate(request=…)`` so django-axes counts failures exactly as for
the login page (same lock key: the lower-cased email under the ``username`` credential, plus the IP).
A locked-out account gets a JSON 429 here instead of the login page's HTML one.
"""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from deletion_portal.accounts import twofactor
from deletion_portal.accounts.api_tokens import api_token_create
from deletion_portal.core.api import JSONParser
from deletion_portal.core.ratelimit import AnonThrottle

BAD_CREDENTIALS = "Unable to sign in with that email address and password."
OTP_MISSING = "This account uses two-factor authentication: send the current code from your authenticator app as otp."
OTP_WRONG = "That otp code is not valid (or too many wrong codes: wait a few seconds and try again)."
OTP_NOT_SET_UP = (
    "This account must set up two-factor authentication on the web first (/accounts/two-factor/setup/); "
    "then send its code as otp."
)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.CharField(required=False, max_length=254, help_text="Your account's email address")
    username = serializers.CharField(required=False, max_length=254, help_text="Same as email (either key works)")
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False, max_length=32,
        help_text="For accounts with two-factor authentication (DPO and advocate accounts): the current code "
        "from the authenticator app, or a backup code",
    )

    name = serializers.CharField(
        required=False, max_length=100, allow_blank=True,
        help_text="A name for this token (e.g. the script that uses it). A token with the same name is replaced.",
    )

    def validate(self, attrs):
        if not attrs.get("email") and not attrs.get("username"):
            raise ValidationError({"email": ["This field is required (or give it as username)."]})
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: only its hash is stored")
    name = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True, help_text="null: never (API_TOKEN_DAYS=0)")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _locked_out(django_request) -> Response:
    cool_off = get_cool_off(django_request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    wait = f" Try again in {minutes} minutes." if minutes else ""
    response = Response(
        {"detail": f"Too many failed sign-in attempts ({settings.AXES_FAILURE_LIMIT}) for this account.{wait}"},
        status=429,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    # AxesMiddleware would replace this JSON with the login page's HTML lockout; the lockout itself
    # is already recorded, so the next attempt is refused just the same.
    django_request.axes_locked_out = False
    return response


@extend_schema(
    request=TokenRequestSerializer,
    responses={
        200: TokenSerializer,
        400: OpenApiResponse(ErrorSerializer, description="Wrong credentials, or a field missing (otp too, for 2FA accounts)"),
        401: OpenApiResponse(description="A wrong otp code: {\"otp\": [...]}"),
        403: OpenApiResponse(ErrorSerializer, description="The account must set up two-factor authentication first"),
        429: OpenApiResponse(ErrorSerializer, description="Locked out after too many failures"),
    },
    auth=[],
    summary="Get your API token (send it as 'Authorization: Token <token>')",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([AnonThrottle])
@parser_classes([JSONParser, FormParser, MultiPartParser])
def auth_token(request):
    serializer = TokenRequestSerializer(data=request.data)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    data = serializer.validated_data
    email = (data.get("email") or data.get("username")).strip().lower()
    django_request = request._request
    user = authenticate(request=django_request, username=email, password=data["password"])
    if getattr(django_request, "axes_locked_out", False):
        return _locked_out(django_request)
    if user is None:
        return Response({"detail": BAD_CREDENTIALS}, status=400)
    if twofactor.otp_required_for(user):
        if not twofactor.otp_has_device(user=user):
            return Response({"detail": OTP_NOT_SET_UP}, status=403)
        if not data.get("otp"):
            return Response({"otp": [OTP_MISSING]}, status=400)
        if twofactor.otp_verify(user=user, code=data["otp"]) is None:
            return Response({"otp": [OTP_WRONG]}, status=401)
    token, key = api_token_create(user=user, name=data.get("name", ""))
    return Response({"token": key, "name": token.name,
                     "expires_at": token.expires_at.isoformat() if token.expires_at else None})
