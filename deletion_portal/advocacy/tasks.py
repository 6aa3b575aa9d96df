"""Advocacy tasks: thin interfaces that take ids, re-read the rows and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="advocacy.bulk_run", acks_late=True, time_limit=600, soft_time_limit=570)
def bulk_run(job_id: int) -> str:
    """Process one chunk of a bulk letters job, then hand the rest to the next task (short tasks: a crash loses
    at most one chunk's claims, which become claimable again after ``BULK_STALE_SECONDS``). Idempotent: every
    letter is an item claimed by compare-and-swap and finalised at most once."""
    from deletion_portal.advocacy.bulk import bulk_job_fail, bulk_job_step
    from deletion_portal.core.outbox import publish_on_commit

    try:
        outcome = bulk_job_step(job_id=int(job_id))
    except Exception:
        logger.exception("bulk job %s: a step failed", job_id)
        bulk_job_fail(job_id=int(job_id), reason="The job stopped on an unexpected error; resume it to try again.")
        raise
    if outcome == "more":
        publish_on_commit(bulk_run, int(job_id))
    return outcome


@shared_task(name="advocacy.bulk_requeue_stale", time_limit=60, soft_time_limit=50)
def bulk_requeue_stale() -> int:
    """Beat: jobs whose worker died (no progress for BULK_STALE_SECONDS) are handed to a worker again, and the
    ZIPs and merged PDFs of jobs finished more than BULK_FILES_DAYS ago are deleted."""
    from deletion_portal.advocacy.bulk import bulk_files_purge
    from deletion_portal.advocacy.bulk import bulk_requeue_stale as requeue

    bulk_files_purge()
    return requeue()
