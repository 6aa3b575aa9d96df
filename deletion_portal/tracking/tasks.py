"""Tracking tasks: thin interfaces that take ids, re-read the rows and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="tracking.sweep", time_limit=240, soft_time_limit=220)
def sweep_deadlines() -> dict:
    """Beat (every SWEEP_INTERVAL_SECONDS): claim what has come due, queue its emails and drafts."""
    from deletion_portal.tracking.sweep import sweep

    report = sweep()
    return {"claimed": report.claimed, "messages": report.messages, "follow_ups": report.follow_ups,
            "complaints": report.complaints, "requeued": report.requeued}


def _draft_each(case_ids: list[int], draft_name: str) -> int:
    """Call ``tracking.letters.<draft_name>(case=...)`` per case (idempotent: it returns an existing
    draft). Every case is tried; if any failed, the task raises afterwards and is retried whole."""
    from deletion_portal.cases.models import Case, CaseStatus
    from deletion_portal.tracking import letters

    draft = getattr(letters, draft_name)
    failed = 0
    cases = Case.objects.filter(pk__in=[int(pk) for pk in case_ids]).exclude(status=CaseStatus.CLOSED)
    for case in cases:
        try:
            draft(case=case)
        except Exception:  # noqa: BLE001 - one bad case must not stop the others; retried below
            failed += 1
            logger.exception("%s failed for case %s", draft_name, case.pk)
    if failed:
        raise RuntimeError(f"{draft_name}: {failed} of {len(case_ids)} case(s) failed")
    return len(case_ids)


@shared_task(name="tracking.draft_follow_ups", acks_late=True, time_limit=300, soft_time_limit=280,
             autoretry_for=(Exception,), retry_backoff=60, retry_backoff_max=600, max_retries=5)
def draft_follow_ups(case_ids: list[int]) -> int:
    """A deadline passed without an answer: draft the follow-up letter for each case."""
    return _draft_each(case_ids, "follow_up_draft")


@shared_task(name="tracking.draft_complaints", acks_late=True, time_limit=300, soft_time_limit=280,
             autoretry_for=(Exception,), retry_backoff=60, retry_backoff_max=600, max_retries=5)
def draft_complaints(case_ids: list[int]) -> int:
    """The follow-up went unanswered: draft the complaint to the supervisory authority for each case."""
    return _draft_each(case_ids, "complaint_draft")


@shared_task(name="tracking.purge_closed_cases", acks_late=True, time_limit=1800, soft_time_limit=1750)
def purge_closed_cases() -> int:
    """Beat (daily): delete closed, not-kept cases older than CASE_RETENTION_DAYS with their files.
    Idempotent (a second run finds nothing left to delete); logs and returns only a count."""
    from deletion_portal.tracking.retention import retention_purge

    return retention_purge()
