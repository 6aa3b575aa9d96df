"""Writes for accounts: creating accounts, sign-up, email confirmation."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from deletion_portal.accounts.hooks import deletion_steps
from deletion_portal.accounts.models import ApiToken, Role, User
from deletion_portal.accounts.tokens import (
    EMAIL_CONFIRMATION_MAX_AGE,
    ConfirmationLinkError,
    email_confirmation_token_make,
    email_confirmation_token_read,
)
from deletion_portal.core import ratelimit
from deletion_portal.core.outbox import outbox_discard, outbox_enqueue

log = logging.getLogger(__name__)


class AccountExists(ValidationError):
    """An account with this email address already exists."""


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def site_url(path: str = "") -> str:
    """An absolute URL on the configured SITE_URL (never on the request's Host header)."""
    return settings.SITE_URL.rstrip("/") + path


#: How many account emails (sign-up, confirmation, reset) one address gets per hour (ACCOUNT_MAILS_PER_HOUR).
def account_mails_per_hour() -> int:
    return int(getattr(settings, "ACCOUNT_MAILS_PER_HOUR", 3))


def account_mail_topic(user_id: int) -> str:
    """The outbox topic of an account's own emails (discarded with the account)."""
    return f"account:{user_id}"


def account_mail_allowed(*, kind: str, email: str) -> bool:
    """Count one account email of ``kind`` to ``email``; False once the hourly limit per address is used up
    (the same answer is shown either way, so nobody learns whether the address has an account)."""
    key = ratelimit.hashed_key("account-mail", kind, normalize_email(email))
    return ratelimit.allow(key, limit=account_mails_per_hour(), window=3600)


def render_templated_email(*, template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of ``templates/emails/<template>_{subject,body}``."""
    context = {"site_url": site_url(), **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context, using="text").split())
    text = render_to_string(f"emails/{template}_body.txt", context, using="text")
    html = render_to_string(f"emails/{template}_body.html", context)
    return subject, text, html


def account_mail_enqueue(*, kind: str, user_id: int, to: str, subject: str, text: str, html: str = "") -> None:
    """An account email as an outbox row (sent by a worker after the commit; an SMTP outage delays it,
    never fails the request). Rate limited per address: over the limit nothing is queued."""
    if not account_mail_allowed(kind=kind, email=to):
        log.info("Account mail %s to account %s skipped: hourly limit per address reached", kind, user_id)
        return
    outbox_enqueue(key=f"account:{user_id}:{kind}:{uuid.uuid4().hex}", topic=account_mail_topic(user_id),
                   to=[to], subject=subject, body=text, html_body=html)


def _send_templated_email(*, template: str, to: str, context: dict, user_id: int, kind: str) -> None:
    subject, text, html = render_templated_email(template=template, context=context)
    account_mail_enqueue(kind=kind, user_id=user_id, to=to, subject=subject, text=text, html=html)


def account_create(
    *,
    email: str,
    password: str,
    role: str,
    display_name: str = "",
    confirmed: bool = False,
    superuser: bool = False,
) -> User:
    """Create an account after validating email, role and password.

    Raises ``ValidationError`` (``AccountExists`` for a taken address). A staff-role account gets
    ``is_staff``; only ``superuser=True`` makes a superuser (who also gets ``is_staff``).
    """
    email = normalize_email(email)
    validate_email(email)
    if role not in Role.values:
        raise ValidationError(
            "Unknown role %(role)s; valid roles: %(valid)s.",
            code="invalid_role",
            params={"role": role, "valid": ", ".join(Role.values)},
        )
    if User.objects.filter(email__iexact=email).exists():
        raise AccountExists("An account with this email address already exists.", code="exists")
    password_validation.validate_password(password, user=User(email=email, display_name=display_name))

    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email,
                password=password,
                role=role,
                display_name=display_name.strip(),
                is_staff=role == Role.STAFF or superuser,
                is_superuser=superuser,
                email_confirmed_at=timezone.now() if confirmed else None,
            )
    except IntegrityError as exc:  # a concurrent sign-up won the race for the address
        raise AccountExists("An account with this email address already exists.", code="exists") from exc


def account_sign_up(*, email: str, password: str, display_name: str = "") -> User | None:
    """Public sign-up: always an employee, never confirmed yet.

    Never reveals whether the address is taken: a new address gets a confirmation link, a taken
    one gets a note to its owner, and the caller shows the same page either way. Returns the new
    user, or None when the address was taken.
    """
    email = normalize_email(email)
    # One transaction: the account and its confirmation email (an outbox row) exist together or not at all.
    # Both branches hash a password, render one email and write one row, so they take the same time; the
    # email itself is sent by a worker, so a slow or failing mail server changes neither answer nor timing.
    with transaction.atomic():
        try:
            user = account_create(email=email, password=password, role=Role.EMPLOYEE, display_name=display_name)
        except AccountExists:
            make_password(password)  # spend the same hashing time as a real sign-up
            owner = User.objects.filter(email__iexact=email).first()
            if owner is not None:
                _send_templated_email(
                    template="accounts/sign_up_attempt",
                    to=owner.email,
                    context={
                        "user": owner,
                        "login_url": site_url(reverse("accounts:login")),
                        "password_reset_url": site_url(reverse("accounts:password-reset")),
                    },
                    user_id=owner.pk,
                    kind="sign-up-attempt",
                )
            return None
        email_confirmation_send(user=user)
    return user


def email_confirmation_send(*, user: User) -> bool:
    """Email a fresh confirmation link; False (and nothing sent) if already confirmed."""
    if user.email_confirmed_at is not None:
        return False
    token = email_confirmation_token_make(user_id=user.pk, email=user.email)
    _send_templated_email(
        template="accounts/confirm_email",
        to=user.email,
        context={
            "user": user,
            "confirm_url": site_url(reverse("accounts:confirm-email", kwargs={"token": token})),
            "valid_days": EMAIL_CONFIRMATION_MAX_AGE.days,
        },
        user_id=user.pk,
        kind="confirm",
    )
    return True


def email_confirm(*, token: str) -> User:
    """Mark the address in a confirmation link as confirmed (idempotent).

    Raises ``ConfirmationLinkError`` for a forged, tampered, expired or outdated link; nothing
    changes then.
    """
    claim = email_confirmation_token_read(token)
    user = User.objects.filter(pk=claim.user_id, is_active=True).first()
    if user is None or not claim.matches(user.email):
        raise ConfirmationLinkError("invalid")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
        log.info("Email confirmed for account %s", user.pk)
    return user


class WrongPassword(ValidationError):
    """The password given to confirm an account deletion is not the account's password."""


def account_delete(*, user: User, password: str, request=None) -> int:
    """Delete ``user`` and everything the portal holds about them; returns how many cases went.

    The password is checked again first (through ``authenticate`` when ``request`` is given, so
    django-axes counts failures as for the login page); a wrong one raises ``WrongPassword`` and
    nothing is deleted. Then, in one transaction: the user's cases with their events, letters,
    attachments, deadlines, reminders and checklists (CASCADE); every outbox row of those cases
    (unsent ones are thereby cancelled: a worker finds no row to claim); API tokens; calendar feeds;
    the sign-in records (django-axes) under the user's address; the user. Employers the user added to
    the directory stay, with ``added_by`` emptied (SET_NULL). The stored files (letter PDFs,
    attachments) are removed from storage once the transaction has committed. An ``AuditLine``
    records the deletion without any personal data.

    What the apps above accounts hold is deleted by the steps they registered (``accounts.hooks``):
    the cases through ``cases.services.cases_delete``, the feeds and the audit line by tracking.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth import authenticate

    if request is not None:
        checked = authenticate(request=request, username=user.email, password=password or "")
        ok = checked is not None and checked.pk == user.pk
    else:
        ok = bool(password) and user.check_password(password)
    if not ok:
        raise WrongPassword("That is not your password. Nothing was deleted.", code="wrong_password")

    email = user.email
    summary: dict = {}
    with transaction.atomic():
        for step in deletion_steps():  # cases (with their files), tracking's feeds and audit line, …
            step(user=user, summary=summary)
        ApiToken.objects.filter(user=user).delete()
        outbox_discard(topics=[account_mail_topic(user.pk)])  # unsent account emails go with the account
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=email).delete()
        user_id = user.pk
        user.delete()
    count = summary.get("cases", 0)
    log.info("Account %s deleted with %d case(s)", user_id, count)
    return count
