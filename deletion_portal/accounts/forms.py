from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    PasswordChangeForm,
    SetPasswordForm,
    UserChangeForm,
)
from django.core.exceptions import ValidationError

from deletion_portal.accounts.models import User
from deletion_portal.accounts.services import normalize_email


def plain_password_help() -> str:
    """The password validators' rules as one plain sentence list (help texts are shown escaped)."""
    return " ".join(password_validation.password_validators_help_texts())


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, keyed by email. The field keeps the name ``username`` (USERNAME_FIELD
    is ``email``; django-axes reads ``username``) but is labelled and validated as an email."""

    username = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        # Accounts are stored lower-case; lower-casing here also keeps the axes lockout key stable.
        return normalize_email(self.cleaned_data["username"])


class SignUpForm(forms.Form):
    """Email, optional display name, password twice. No role: sign-up always makes employees.

    Deliberately no "already registered" check: the sign-up service handles taken addresses
    without telling the visitor."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    display_name = forms.CharField(
        label="Display name",
        max_length=150,
        required=False,
        help_text="Optional. How the portal addresses you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=plain_password_help(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match.")
        elif password1:
            candidate = User(email=cleaned.get("email", ""), display_name=cleaned.get("display_name", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class AccountCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "role")

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class AccountChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class PlainHelpSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = plain_password_help()


class PlainHelpPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = plain_password_help()
