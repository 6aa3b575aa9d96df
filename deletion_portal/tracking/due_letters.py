"""The follow-ups and complaints that are due for a case, for ``cases.hooks.due_letter_drafters`` (registered in
``TrackingConfig.ready``; advocacy's bulk letters call them for the cases whose owners mandated a group).

Each drafter returns the current draft (or final letter) when one is due today, drafting it if needed through
the same services as the case page (idempotent: an existing draft is returned), and None when nothing is due.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from deletion_portal.cases.models import Case, CaseStatus, Letter, LetterKind
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


@transaction.atomic
def due_complaint(*, case: Case, today: date) -> Letter | None:
    """A complaint is due when one is drafted already (the sweep drafts it when the follow-up goes unanswered,
    or the member did), or when the follow-up's answer-by date has passed: the sweep's rule, so a bulk job
    never escalates earlier than the portal would.

    One complaint per case: the member may have chosen another authority than the suggested one (Art. 77), so a
    complaint to any authority counts — a final one first (nothing more is due), else the suggested authority's
    draft, else the member's latest draft. Looked for under the case's lock, which the member's page takes to draft
    one too (``complaint_draft``)."""
    if case.status in (CaseStatus.DRAFT, CaseStatus.CLOSED):
        return None
    case = Case.objects.select_for_update().get(pk=case.pk)
    complaints = case.letters.filter(kind=LetterKind.COMPLAINT).order_by("-created_at", "-id")
    existing = (complaints.filter(is_final=True).first() or current_complaint(case) or complaints.first())
    if existing is not None:
        return existing
    if not Deadline.objects.filter(case=case, active=True, kind=DeadlineKind.FOLLOW_UP_ANSWER_BY, due_on__lt=today).exists():
        return None
    try:
        complaint_check(case, today=today)
        return complaint_draft(case=case, today=today)
    except ValidationError:
        return None
