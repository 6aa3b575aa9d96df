"""How tracking follows the cases it tracks: connected in ``TrackingConfig.ready``.

cases announces every change (``cases.signals.case_changed``, inside the change's transaction); tracking
opens the checklist of a recorded response and brings the deadline rows and reminders up to date. Through
the ``cases/hooks.py`` registries it gives the case page its sections (``templates/tracking/case_*.html``
and their context), each exported case its deadline rows, reminders and checklist, and the follow-up and
complaint their re-rendering on finalising; through ``accounts/hooks.py`` it takes part in a user's
export (calendar feeds) and account deletion (feeds, the audit line).
"""

from __future__ import annotations

from django.urls import reverse

from deletion_portal.accounts.hooks import register_deletion, register_export
from deletion_portal.cases.hooks import (
    register_case_export,
    register_case_page_context,
    register_letter_renderer,
    register_statistics_labeller,
    register_statistics_source,
)
from deletion_portal.cases.models import EventKind, LetterKind
from deletion_portal.cases.signals import case_changed
from deletion_portal.core.links import register_link
from deletion_portal.tracking.account_hooks import calendar_feeds_export, tracking_delete_for_user
from deletion_portal.tracking.checklist import checklist_open, checklist_statistics, checklist_statistics_label
from deletion_portal.tracking.letters import complaint_rendering, follow_up_rendering
from deletion_portal.tracking.selectors import case_export_tracking, case_page_tracking
from deletion_portal.tracking.services import deadlines_sync


def on_case_changed(sender, *, case, event, events, result, **kwargs) -> None:
    if event is not None and event.kind == EventKind.RESPONSE_RECEIVED:
        checklist_open(case=case, response_event=event)
    deadlines_sync(case=case, result=result, events=events)


def connect() -> None:
    case_changed.connect(on_case_changed, sender=None, dispatch_uid="tracking.on_case_changed")
    register_case_page_context(case_page_tracking, panels={
        "after_dates": ["tracking/case_dates.html", "tracking/case_next_steps.html"],
        "before_timeline": ["tracking/case_retention.html"],
        "event": ["tracking/case_event.html"],
    })
    register_case_export(case_export_tracking)
    register_link("calendar", lambda: reverse("calendar:page"))  # My account links the calendar page (core/links.py)
    register_statistics_source(checklist_statistics)
    register_statistics_labeller(checklist_statistics_label)
    register_letter_renderer(LetterKind.FOLLOW_UP, follow_up_rendering)
    register_letter_renderer(LetterKind.COMPLAINT, complaint_rendering)
    register_export(calendar_feeds_export)
    register_deletion(tracking_delete_for_user)
