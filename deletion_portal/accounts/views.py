from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from deletion_portal.accounts import services
from deletion_portal.accounts.api_tokens import (
    api_token_revoke,
    api_tokens_of,
    api_tokens_revoke_all,
    sessions_end_everywhere,
)
from deletion_portal.accounts.export import account_export, account_export_filename
from deletion_portal.accounts.forms import (
    EmailAuthenticationForm,
    PlainHelpPasswordChangeForm,
    PlainHelpSetPasswordForm,
    SignUpForm,
)
from deletion_portal.accounts.hooks import account_summary
from deletion_portal.accounts.tokens import EMAIL_CONFIRMATION_MAX_AGE, ConfirmationLinkError


def confirm_notice():
    """The notice after logging in unconfirmed; "My account" is a link to the page it names."""
    return format_html('Please confirm your email address: follow the link we emailed you. You can ask for a new link on '
                       '<a href="{}">My account</a>.', reverse("accounts:account"))


class LoginView(auth_views.LoginView):
    """Django's LoginView (it passes ``request`` to ``authenticate``, which django-axes needs)."""

    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.get_user().email_confirmed_at is None:
            messages.warning(self.request, confirm_notice())
        return response


class TextEmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the plain-text parts rendered by the non-escaping "text" engine and the
    email written to the outbox (a worker sends it: a mail server outage never fails the request).

    A known and an unknown address get the same answer in the same time: for an unknown one the same
    email is rendered (for nobody) and the same per-address counter is used; only the outbox row is missing.
    """

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"]
        if not any(True for _ in self.get_users(email)):
            # The same work as for a known address (render, count), with nothing queued.
            context = {"email": email, "domain": "", "site_name": "", "uid": "x", "user": None, "token": "x",
                       "protocol": "https", **(kwargs.get("extra_email_context") or {})}
            self._render(kwargs.get("subject_template_name") or "registration/password_reset_subject.txt",
                         kwargs.get("email_template_name") or "registration/password_reset_email.html",
                         kwargs.get("html_email_template_name"), context)
            services.account_mail_allowed(kind="reset", email=email)
            return
        with transaction.atomic():
            super().save(*args, **kwargs)

    @staticmethod
    def _render(subject_template_name, email_template_name, html_email_template_name, context):
        subject = "".join(render_to_string(subject_template_name, context, using="text").splitlines())
        body = render_to_string(email_template_name, context, using="text")
        html = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        return subject, body, html

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject, body, html = self._render(subject_template_name, email_template_name, html_email_template_name, context)
        services.account_mail_enqueue(kind="reset", user_id=context["user"].pk, to=to_email, subject=subject,
                                      text=body, html=html)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = TextEmailPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "emails/accounts/password_reset_subject.txt"
    email_template_name = "emails/accounts/password_reset_body.txt"
    html_email_template_name = "emails/accounts/password_reset_body.html"
    success_url = reverse_lazy("accounts:password-reset-done")

    @property
    def extra_email_context(self):
        # Links are built on SITE_URL, never on the request's Host header.
        return {"site_url": services.site_url()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PlainHelpSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)  # the new password; every session signed with the old one ends
        api_tokens_revoke_all(user=form.user, reason="password reset")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PlainHelpPasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def form_valid(self, form):
        response = super().form_valid(form)  # other sessions end (the password's hash changed); this one stays
        if api_tokens_revoke_all(user=form.user, reason="password changed"):
            messages.info(self.request, "Your API tokens were revoked with the old password: make new ones if you need them.")
        return response


@login_required
@require_POST
def tokens_revoke(request):
    """Revoke one of the signed-in user's API tokens (``token`` in the body), or all of them."""
    token_id = request.POST.get("token", "")
    if token_id:
        if not token_id.isdigit() or not api_token_revoke(user=request.user, token_id=int(token_id)):
            raise Http404
        messages.success(request, "The API token was revoked.")
    else:
        count = api_tokens_revoke_all(user=request.user, reason="revoked by the owner")
        messages.success(request, f"{count} API token(s) revoked." if count else "You had no API tokens.")
    return redirect("accounts:account")


@login_required
@require_POST
def logout_everywhere(request):
    """End every session of this account (on every device, this one too) and revoke every API token."""
    sessions_end_everywhere(user=request.user)
    logout(request)
    messages.success(request, "You were logged out everywhere, and your API tokens were revoked.")
    return redirect("accounts:login")


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
        )
        # The same page whether or not the address was already registered.
        return redirect("accounts:sign-up-done")
    return render(request, "accounts/sign_up.html", {"form": form})


def sign_up_done(request):
    return render(request, "accounts/sign_up_done.html", {"valid_days": EMAIL_CONFIRMATION_MAX_AGE.days})


def confirm_email(request, token: str):
    try:
        user = services.email_confirm(token=token)
    except ConfirmationLinkError as exc:
        return render(
            request,
            "accounts/confirm_email_failed.html",
            {"reason": exc.reason, "valid_days": EMAIL_CONFIRMATION_MAX_AGE.days},
            status=400,
        )
    return render(request, "accounts/confirm_email_done.html", {"confirmed_user": user})


@login_required
@require_POST
def resend_confirmation(request):
    if services.email_confirmation_send(user=request.user):
        messages.success(request, "We sent a new confirmation link to your email address.")
    else:
        messages.info(request, "Your email address is already confirmed.")
    return redirect("accounts:account")


@login_required
def account(request):
    # Only ever the signed-in user's own account: there is no id in the URL.
    return render(request, "accounts/account.html",
                  {"account": request.user, "api_tokens": api_tokens_of(user=request.user)})


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout response (AXES_LOCKOUT_CALLABLE): HTTP 429 saying when to try again."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    context = {
        "cooloff_minutes": minutes,
        "retry_at": timezone.now() + cool_off if cool_off else None,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


# --- Own data: export and deletion ---------------------------------------------------------------
# Both act on the signed-in user only: there is no id in their URLs, so nobody can ask for another
# user's data.


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def export(request):
    """GET: what the export contains, and a button. POST: the ZIP as a download."""
    if request.method == "POST":
        response = HttpResponse(account_export(user=request.user), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{account_export_filename(user=request.user)}"'
        return response
    return render(request, "accounts/export.html", {"account": request.user})


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password", strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.CharField(label='Type DELETE to confirm', max_length=20,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value != "DELETE":
            raise forms.ValidationError('Type DELETE (in capital letters) to confirm.')
        return value


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def delete(request):
    """Explain what goes, ask for the password and "DELETE"; on success sign out and say goodbye."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.account_delete(user=request.user, password=form.cleaned_data["password"], request=request)
        except services.WrongPassword as exc:
            form.add_error("password", exc.messages[0])
        else:
            logout(request)
            request.session["account_deleted_cases"] = count
            return redirect("accounts:deleted")
    context = {"form": form, "account": request.user, "case_count": account_summary(user=request.user).get("case_count", 0)}
    return render(request, "accounts/delete.html", context, status=400 if form.errors else 200)


def deleted(request):
    """The goodbye page (public: the account no longer exists)."""
    count = request.session.pop("account_deleted_cases", None)
    return render(request, "accounts/deleted.html", {"case_count": count})
