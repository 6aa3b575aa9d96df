"""The outbox: every message the portal sends is a row first, then a task delivers it once.

``outbox_enqueue`` writes the row (idempotent on ``key``) and asks a worker to deliver it after the
transaction commits. ``outbox_deliver`` claims the row with a compare-and-swap update
(queued/retrying → sending), so two workers, or a retried task, never send the same message twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.utils import timezone

from deletion_portal.core.models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 … minutes, capped at 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def outbox_enqueue(
    *,
    key: str,
    topic: str,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    cc: list[str] | None = None,
    reply_to: list[str] | None = None,
    attachments: list[dict] | None = None,
) -> OutboxMessage:
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={
            "topic": topic,
            "to": list(to),
            "cc": list(cc or []),
            "reply_to": list(reply_to or []),
            "subject": subject[:300],
            "body": body,
            "html_body": html_body,
            "attachments": list(attachments or []),
        },
    )
    if created:
        from deletion_portal.core.tasks import deliver_outbox_message

        deliver_outbox_message.delay_on_commit(message.pk)
    return message


def _claim(message_id: int) -> bool:
    now = timezone.now()
    return bool(
        OutboxMessage.objects.filter(pk=message_id)
        .filter(Q(state=OutboxState.QUEUED) | Q(state=OutboxState.RETRYING, next_attempt_at__lte=now))
        .update(state=OutboxState.SENDING, claimed_at=now)
    )


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=message.to,
        cc=message.cc,
        reply_to=message.reply_to,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for item in message.attachments:
        with default_storage.open(item["storage_name"], "rb") as handle:
            email.attach(item["filename"], handle.read(), item.get("content_type", "application/octet-stream"))
    return email


def outbox_deliver(*, message_id: int) -> str:
    """Send one message if it is ours to send; returns the state it ends in."""
    if not _claim(message_id):
        return OutboxMessage.objects.filter(pk=message_id).values_list("state", flat=True).first() or "missing"
    message = OutboxMessage.objects.get(pk=message_id)
    attempts = message.attempts + 1
    try:
        _email(message).send(fail_silently=False)
    except Exception as error:  # noqa: BLE001 - any delivery error is recorded and retried
        state = OutboxState.FAILED if attempts >= MAX_ATTEMPTS else OutboxState.RETRYING
        OutboxMessage.objects.filter(pk=message_id, state=OutboxState.SENDING).update(
            state=state,
            attempts=attempts,
            last_error=f"{type(error).__name__}: {error}"[:1000],
            next_attempt_at=timezone.now() + retry_delay(attempts),
        )
        logger.warning("outbox message %s attempt %s failed: %s", message_id, attempts, type(error).__name__)
        return state
    OutboxMessage.objects.filter(pk=message_id, state=OutboxState.SENDING).update(
        state=OutboxState.SENT, attempts=attempts, sent_at=timezone.now(), last_error=""
    )
    return OutboxState.SENT


def outbox_due_for_retry(*, now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        OutboxMessage.objects.filter(state=OutboxState.RETRYING, next_attempt_at__lte=now).values_list("pk", flat=True)[:500]
    )
