"""The employer side's tasks: thin interfaces that take ids, re-read the rows and call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dpo.weekly_digest", acks_late=True, time_limit=600, soft_time_limit=580)
def weekly_digest() -> int:
    """Beat (weekly): queue each team's digest of its open cases. Idempotent per team and ISO week (the
    outbox key), so a re-run or a second beat in the same week sends nothing twice."""
    from django.utils import timezone

    from deletion_portal.dpo.services import team_digests_send

    return team_digests_send(today=timezone.localdate())


@shared_task(name="dpo.deliver_webhook", acks_late=True, time_limit=60, soft_time_limit=50)
def deliver_webhook(delivery_id: int) -> str:
    """Idempotent: the delivery row is claimed with compare-and-swap before anything is sent."""
    from deletion_portal.dpo.webhooks import webhook_deliver

    return webhook_deliver(delivery_id=int(delivery_id))


@shared_task(name="dpo.deliver_webhook_batch", acks_late=True, time_limit=600, soft_time_limit=580)
def deliver_webhook_batch(delivery_ids: list[int]) -> None:
    """Deliver a batch of due deliveries (ids only); each row is claimed with compare-and-swap."""
    from deletion_portal.dpo.webhooks import webhook_deliver

    for delivery_id in delivery_ids:
        webhook_deliver(delivery_id=int(delivery_id))


@shared_task(name="dpo.requeue_webhooks", time_limit=60, soft_time_limit=50)
def requeue_webhooks() -> int:
    """Beat (every WEBHOOK_SWEEP_INTERVAL_SECONDS): hand due retries and lost deliveries to a worker."""
    from deletion_portal.dpo.webhooks import webhooks_requeue_due

    return webhooks_requeue_due()
