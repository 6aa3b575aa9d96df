"""The two-factor pages: set up an authenticator (confirmed with a code), verify a code at sign-in, and new
backup codes. A GET writes nothing: the secret being set up travels signed in the form, not in the database."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from deletion_portal.accounts import twofactor

SETUP_SALT = "accounts.2fa-setup"
SETUP_MAX_AGE = 60 * 30


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes.",
    )


class SetupForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(
        label="Code from the app", max_length=12, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _setup_context(request, key: str, form) -> dict:
    return {
        "form": form, "signed_key": signing.dumps(key, salt=SETUP_SALT), "secret": twofactor.totp_key_base32(key),
        "uri": twofactor.totp_uri(user=request.user, key=key), "next": _next(request, ""),
        "replacing": twofactor.otp_has_device(user=request.user),
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Add an authenticator: scan or type the secret, then enter a code to confirm. A verified session may
    replace its device; an unverified one with a device must verify first (no silent takeover)."""
    user = request.user
    if twofactor.otp_has_device(user=user) and not user.is_verified():
        return redirect("accounts:2fa-verify")
    if request.method == "POST":
        form = SetupForm(request.POST)
        key = None
        if form.is_valid():
            try:
                key = signing.loads(form.cleaned_data["key"], salt=SETUP_SALT, max_age=SETUP_MAX_AGE)
            except signing.BadSignature:
                form.add_error(None, "This set-up page is too old. Scan the new secret below and try again.")
            else:
                if twofactor.totp_code_matches(key=key, code=form.cleaned_data["code"]):
                    device = twofactor.totp_device_create(user=user, key=key)
                    codes = twofactor.backup_codes_create(user=user)
                    twofactor.otp_login(request, device)
                    return render(request, "accounts/2fa_backup_codes.html", {"codes": codes, "next": _next(request)})
                form.add_error("code", "That code does not match. Check the time on your phone and try the current code.")
        key = key or twofactor.totp_key_new()
        return render(request, "accounts/2fa_setup.html", _setup_context(request, key, form), status=400)
    return render(request, "accounts/2fa_setup.html", _setup_context(request, twofactor.totp_key_new(), SetupForm()))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    user = request.user
    if not twofactor.otp_has_device(user=user):
        return redirect("accounts:2fa-setup")
    if user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.otp_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            twofactor.otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", "That code is not valid (or too many wrong codes: wait a few seconds and try again).")
    return render(request, "accounts/2fa_verify.html", {"form": form, "next": _next(request, "")},
                  status=400 if request.method == "POST" else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """New backup codes (the old ones stop working), shown once. Only in a verified session."""
    if not twofactor.otp_has_device(user=request.user):
        return redirect("accounts:2fa-setup")
    if request.method == "POST":
        codes = twofactor.backup_codes_create(user=request.user)
        messages.success(request, "New backup codes made; the old ones no longer work.")
        return render(request, "accounts/2fa_backup_codes.html", {"codes": codes, "next": "/accounts/"})
    return render(request, "accounts/2fa_backup_codes_new.html")
