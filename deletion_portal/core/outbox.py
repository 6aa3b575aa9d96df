"""The outbox: every message the portal sends is a row first, then a task delivers it once.

``outbox_enqueue`` writes the row (idempotent on ``key``) and asks a worker to deliver it after the
transaction commits; ``outbox_enqueue_bulk`` writes many at once (the sweep's reminders; raw SQL on
PostgreSQL, owned here). ``outbox_deliver`` claims the row with a compare-and-swap update (queued/retrying →
sending), so two workers, or a retried task, never send the same message twice.

The row, not the task, is the source of truth: publishing the task is best effort (``publish_on_commit``
never raises), and the sweep's ``outbox_requeue_stale`` hands every row that waits too long — queued
and never claimed, retrying and due, or abandoned in ``sending`` by a dead worker — to a worker again.
So a broker that is down when the user acts, or that loses its queue, delays a message but loses none.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from deletion_portal.core.models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_RETRY_DELAY = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2 × base, 4 × base … (base OUTBOX_RETRY_BASE_SECONDS, 60 s by
    default: 1, 2, 4 … minutes), capped at 6 hours."""
    base = max(1, int(getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 60)))
    exponent = min(max(attempts - 1, 0), 30)
    return min(timedelta(seconds=base * 2**exponent), MAX_RETRY_DELAY)


def publish_on_commit(task, *args) -> None:
    """``task.delay(*args)`` once the current transaction commits (at once outside one); never raises.

    The row was committed first, so a broker that is down (or slow, or refusing) must not turn the
    user's action into an error page after the fact: the failure is logged — its type only, as broker
    errors name hosts — and the row waits for the sweep's stale requeue. Arguments are ids only.
    """

    def publish() -> None:
        try:
            task.delay(*args)
        except Exception as error:  # noqa: BLE001 - any broker failure: the sweep re-enqueues the row
            logger.warning("could not hand %s to the broker (%s); the sweep will re-enqueue it",
                           getattr(task, "name", task), type(error).__name__)

    transaction.on_commit(publish)


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

        publish_on_commit(deliver_outbox_message, message.pk)
    return message


def _binary_cursor():
    """A Django cursor over a server-side-binding psycopg cursor, so ``%b`` parameters travel in
    binary: five text arrays of 5,000 elements take ~40 ms instead of ~300 ms in the client-side
    text quoting Django uses by default. Still a Django cursor: queries are logged and counted."""
    import psycopg

    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def outbox_enqueue_bulk(rows: list[tuple[str, str, str, str, str]], *, now) -> list[int]:
    """Queue many plain-text messages at once (the deadline sweep's reminders): insert (key, topic,
    recipient, subject, body) rows unless their key exists, inside the caller's transaction, and return
    the new ids. Nothing is published: the caller hands the ids to ``core.deliver_outbox_batch`` after
    its commit (and the sweep's ``outbox_requeue_stale`` catches any it could not).

    PostgreSQL: one ``INSERT … SELECT FROM unnest(arrays) ON CONFLICT (key) DO NOTHING RETURNING id``
    (every other column gets its model default, so a field added later still works). Elsewhere:
    ``bulk_create(ignore_conflicts=True)`` and the new queued rows read back by key.
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        columns, values, params = [], [], []
        given = {
            "key": "x.k", "topic": "x.t", "to": "jsonb_build_array(x.r)", "subject": "x.s", "body": "x.b",
        }
        for f in OutboxMessage._meta.concrete_fields:
            if f.primary_key:
                continue
            columns.append(connection.ops.quote_name(f.column))
            if f.name in given:
                values.append(given[f.name])
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                values.append("%s")
                params.append(f.get_db_prep_save(now, connection))
            else:
                values.append("%s")
                params.append(f.get_db_prep_save(f.get_default(), connection))
        keys, topics, recipients, subjects, bodies = (list(column) for column in zip(*rows, strict=True))
        sql = (
            f"INSERT INTO {connection.ops.quote_name(OutboxMessage._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} "
            "FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[]) AS x(k, t, r, s, b) "
            "ON CONFLICT (key) DO NOTHING RETURNING id"
        )
        with _binary_cursor() as cursor:
            cursor.execute(sql, [*params, keys, topics, recipients, subjects, bodies])
            return [row[0] for row in cursor.fetchall()]
    # SQLite: writers are serialised (IMMEDIATE transactions), so "which keys exist" cannot change
    # between this read and the insert; ``ignore_conflicts`` stays as the last guard.
    keys = [row[0] for row in rows]
    existing: set[str] = set()
    for start in range(0, len(keys), 900):
        existing.update(OutboxMessage.objects.filter(key__in=keys[start:start + 900]).values_list("key", flat=True))
    fresh = [row for row in rows if row[0] not in existing]
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(key=k, topic=t, to=[r], subject=s, body=b) for k, t, r, s, b in fresh],
        ignore_conflicts=True, batch_size=500,
    )
    fresh_keys = [row[0] for row in fresh]
    ids: list[int] = []
    for start in range(0, len(fresh_keys), 900):
        ids += OutboxMessage.objects.filter(key__in=fresh_keys[start:start + 900]).values_list("pk", flat=True)
    return ids


def outbox_discard(*, topics: list[str]) -> int:
    """Delete every message of these topics (an unsent one is thereby cancelled: no worker finds a row to
    claim); for deleting what they were about. Returns how many rows went."""
    deleted, _ = OutboxMessage.objects.filter(topic__in=list(topics)).delete()
    return deleted


def stale_sending_before(now):
    """A row claimed (``sending``) before this moment was left by a dead worker (OUTBOX_STALE_SECONDS)."""
    return now - timedelta(seconds=getattr(settings, "OUTBOX_STALE_SECONDS", 600))


def _claim(message_id: int) -> bool:
    """Compare-and-swap: queued, due retrying, or ``sending`` abandoned by a dead worker → sending.

    A stale ``sending`` row is at-least-once: a worker that died after the mail server accepted the
    message but before it recorded ``sent`` leaves a row that is sent again once it is stale.
    """
    now = timezone.now()
    return bool(
        OutboxMessage.objects.filter(pk=message_id)
        .filter(
            Q(state=OutboxState.QUEUED)
            | Q(state=OutboxState.RETRYING, next_attempt_at__lte=now)
            | Q(state=OutboxState.SENDING, claimed_at__lt=stale_sending_before(now))
        )
        .update(state=OutboxState.SENDING, claimed_at=now)
    )


def message_id_for(key: str) -> str:
    """The same Message-ID for every attempt at one outbox row (RFC 5322 §3.6.4).

    Delivery is at-least-once in one narrow window: a worker that dies after the mail server accepted
    the message but before ``sent`` was committed leaves a stale row that is sent again. The stable
    Message-ID lets mail servers and clients recognise such a copy as the same message.
    """
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "deletion-portal.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=message.to,
        cc=message.cc,
        reply_to=message.reply_to,
        headers={"Message-ID": message_id_for(message.key)},
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


def queued_grace() -> timedelta:
    """A queued row whose delivery task has not claimed it after this long was lost (the broker was
    down when it was published, or lost its queue): OUTBOX_QUEUED_GRACE_SECONDS, 2 minutes by default."""
    return timedelta(seconds=getattr(settings, "OUTBOX_QUEUED_GRACE_SECONDS", 120))


def outbox_stale_ids(*, now=None, limit: int = 2000) -> list[int]:
    """Rows a worker should (re)try now: queued but never claimed, retrying and due, sending but abandoned."""
    now = now or timezone.now()
    due = (
        Q(state=OutboxState.QUEUED, created_at__lt=now - queued_grace(), claimed_at__isnull=True)
        | Q(state=OutboxState.RETRYING, next_attempt_at__lte=now)
        | Q(state=OutboxState.SENDING, claimed_at__lt=stale_sending_before(now))
    )
    return list(OutboxMessage.objects.filter(due).order_by("pk").values_list("pk", flat=True)[:limit])


def outbox_requeue_stale(*, now=None, limit: int = 2000, chunk: int = 200) -> int:
    """Hand every stale row back to a worker (one task per ``chunk`` ids); returns how many.

    Sending is a compare-and-swap claim, so a row handed out twice is still sent once: this is what
    makes a crashed worker or a broker that lost its queue lose nothing.
    """
    from deletion_portal.core.tasks import deliver_outbox_batch

    ids = outbox_stale_ids(now=now, limit=limit)
    for start in range(0, len(ids), chunk):
        publish_on_commit(deliver_outbox_batch, ids[start:start + chunk])
    return len(ids)
