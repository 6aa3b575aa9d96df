"""What keeps "Send by email" from being a mail cannon (issue 13, item 7).

The portal sends a letter from its own server to the address the employer's directory entry gives; anyone
can add an employer. So, before a *new* letter email is queued (pressing the button again for the same
letter queues nothing and is never refused):

* the sender's own email address must be confirmed (an account made with somebody else's address cannot send);
* each account sends at most ``MAIL_SENDS_PER_ACCOUNT_PER_DAY`` letter emails in 24 hours, and each recipient
  address receives at most ``MAIL_SENDS_PER_RECIPIENT_PER_DAY`` from all accounts together;
* an address that staff have not verified in the directory (``Employer.quality`` other than verified) is
  sent to — the portal does not hold it for review — but *says so clearly*: the case page and the answer to
  the sender name it as unverified, and the email itself opens with a notice to its recipient that the
  portal has not verified that this address belongs to the employer named in the letter. Staff verify
  addresses in the admin ("mark as verified").

The counts are the outbox rows of letter emails (``letter:<id>:email``); letters people sent themselves and
recorded do not count. Nothing new is stored.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import CharField, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from deletion_portal.cases.models import Case, Letter
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers.models import Quality

UNCONFIRMED = ("Confirm your email address before the portal sends email for you: follow the link we emailed you "
               "(your account page can send a new one). You can also download the PDF and send it yourself.")


def recipient_verified(case: Case) -> bool:
    return case.employer is not None and case.employer.quality == Quality.VERIFIED


def _portal_emails_since(since, letters):
    """How many letter emails the portal queued since ``since`` for ``letters`` (a Letter queryset): the
    outbox rows keyed ``letter:<id>:email`` (letters the person sent themselves are not counted)."""
    keys = letters.annotate(outbox_key=Concat(Value("letter:"), Cast("pk", CharField()), Value(":email"))).values("outbox_key")
    return OutboxMessage.objects.filter(key__in=Subquery(keys), created_at__gte=since).count()


def letter_email_allowed(*, case: Case, actor) -> None:
    """Raise ``ValidationError`` (naming the reason) when a new letter email may not be queued now."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        if actor.email_confirmed_at is None:
            raise ValidationError(UNCONFIRMED, code="email_unconfirmed")
    since = timezone.now() - timedelta(days=1)
    per_account = int(getattr(settings, "MAIL_SENDS_PER_ACCOUNT_PER_DAY", 10))
    if actor is not None and _portal_emails_since(since, Letter.objects.filter(case__owner=actor)) >= per_account:
        raise ValidationError(
            f"You have sent {per_account} letters by email in the last 24 hours, the most the portal sends for one "
            "account in a day. Try again tomorrow, or download the PDF and send it yourself.", code="account_limit")
    recipient = (case.employer.privacy_email if case.employer else "") or ""
    per_recipient = int(getattr(settings, "MAIL_SENDS_PER_RECIPIENT_PER_DAY", 20))
    if recipient and _portal_emails_since(
            since, Letter.objects.filter(case__employer__privacy_email__iexact=recipient)) >= per_recipient:
        raise ValidationError(
            f"{recipient} has received {per_recipient} letters through the portal in the last 24 hours, the most it "
            "sends to one address in a day. Try again tomorrow, or download the PDF and send it yourself.",
            code="recipient_limit")
