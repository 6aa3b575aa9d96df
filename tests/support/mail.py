"""Mail in tests: what a worker would do with the outbox, done in the test's own process."""

from __future__ import annotations


def deliver_queued_outbox() -> int:
    """Deliver every queued outbox row through the real ``outbox_deliver`` and the configured email backend
    (account emails and letters are outbox rows, sent by a worker after the commit). Returns how many."""
    from deletion_portal.core.models import OutboxMessage
    from deletion_portal.core.outbox import outbox_deliver

    ids = list(OutboxMessage.objects.filter(state="queued").values_list("pk", flat=True))
    for message_id in ids:
        outbox_deliver(message_id=message_id)
    return len(ids)
