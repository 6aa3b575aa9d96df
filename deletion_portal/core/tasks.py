from celery import shared_task

from deletion_portal.core.services import heartbeat_record


@shared_task(name="core.heartbeat", time_limit=30, soft_time_limit=20)
def heartbeat() -> None:
    """Scheduled by beat, run by a worker: proves both are alive (see /healthz)."""
    heartbeat_record(name="worker")
