"""The follow-ups and complaints that are due for a case, for ``cases.hooks.due_letter_drafters`` (registered in
``TrackingConfig.ready``; advocacy's bulk letters call them for the cases whose owners mandated a group).

Each drafter returns the current draft (or final letter) when one is due today, drafting it if needed through
the same services as the case page (idempotent: an existing draft is returned), and None when nothing is due.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from deletion_portal.cases.models import Case, CaseStatus, Letter
from deletion_portal.tracking.letters import (
    complaint_check,
    complaint_draft,
    current_complaint,
    follow_up_check,
    follow_up_draft,
)
from deletion_portal.tracking.models import Deadline, DeadlineKind


def due_follow_up(*, case: Case, today: date) -> Letter | None:
    if case.status in (CaseStatus.DRAFT, CaseStatus.CLOSED):
        return None
    try:
        follow_up_check(case, today=today)
        return follow_up_draft(case=case, today=today)
    except ValidationError:
        return None


def due_complaint(*, case: Case, today: date) -> Letter | None:
    """A complaint is due when one is drafted already (the sweep drafts it when the follow-up goes unanswered,
    or the member did), or when the follow-up's answer-by date has passed: the sweep's rule, so a bulk job
    never escalates earlier than the portal would."""
    if case.status in (CaseStatus.DRAFT, CaseStatus.CLOSED):
        return None
    existing = current_complaint(case)
    if existing is not None:
        return existing
    if not Deadline.objects.filter(case=case, active=True, kind=DeadlineKind.FOLLOW_UP_ANSWER_BY, due_on__lt=today).exists():
        return None
    try:
        complaint_check(case, today=today)
        return complaint_draft(case=case, today=today)
    except ValidationError:
        return None
