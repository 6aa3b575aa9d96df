"""dpo tasks: thin interfaces that call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dpo.weekly_digest", acks_late=True, time_limit=600, soft_time_limit=580)
def weekly_digest() -> int:
    """Beat (weekly): queue each team's digest of its open cases. Idempotent per team and ISO week (the
    outbox key), so a re-run or a second beat in the same week sends nothing twice."""
    from django.utils import timezone

    from deletion_portal.dpo.services import team_digests_send

    return team_digests_send(today=timezone.localdate())
