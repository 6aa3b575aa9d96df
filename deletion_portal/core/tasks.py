from celery import shared_task

from deletion_portal.core.services import heartbeat_record


@shared_task(name="core.heartbeat", time_limit=30, soft_time_limit=20)
def heartbeat() -> None:
    """Scheduled by beat, run by a worker: proves both are alive (see /healthz)."""
    heartbeat_record(name="worker")


@shared_task(name="core.deliver_outbox_message", acks_late=True, time_limit=120, soft_time_limit=100)
def deliver_outbox_message(message_id: int) -> None:
    """Idempotent: the outbox row is claimed with compare-and-swap before anything is sent."""
    from deletion_portal.core.outbox import outbox_deliver

    outbox_deliver(message_id=message_id)


@shared_task(name="core.deliver_outbox_batch", acks_late=True, time_limit=300, soft_time_limit=280)
def deliver_outbox_batch(message_ids: list[int]) -> None:
    """Deliver a batch of outbox rows (ids only); each row is claimed with compare-and-swap."""
    from deletion_portal.core.outbox import outbox_deliver

    for message_id in message_ids:
        outbox_deliver(message_id=int(message_id))
