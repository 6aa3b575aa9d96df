"""Reads for cases: a case's letters, timeline and deadlines. Access is checked by ``cases.access``."""

from __future__ import annotations

from datetime import date

from deletion_portal.cases.models import Case, CaseEvent, EventKind, Letter, LetterKind
from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.registry import UnknownRegime, get_regime
from deletion_portal.laws.types import CaseEvent as DeadlineEvent
from deletion_portal.laws.types import DeadlineResult

# Timeline events that feed the deadline module, by the module's own names.
DEADLINE_EVENT_KINDS = {
    EventKind.EXTENSION_NOTIFIED: "extension_notified",
    EventKind.CLARIFICATION_REQUESTED: "clarification_requested",
    EventKind.CLARIFICATION_GIVEN: "clarification_received",
    EventKind.IDENTITY_GIVEN: "identity_received",
}


def case_final_request_letter(case: Case) -> Letter | None:
    return case.letters.filter(kind=LetterKind.REQUEST, is_final=True).order_by("created_at").first()


def case_events(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("attachment", "actor", "team").order_by("on", "recorded_at", "id"))


def case_deadlines(case: Case, events: list[CaseEvent] | None = None) -> DeadlineResult | None:
    """The deadline module's answer for the case as it stands, or None before the request arrived."""
    if not (case.law_key and case.region and case.received_on):
        return None
    try:
        regime = get_regime(case.law_key)
    except UnknownRegime:
        return None
    events = case_events(case) if events is None else events
    deadline_events = [
        DeadlineEvent(kind=DEADLINE_EVENT_KINDS[event.kind], on=event.on, reasons=event.details.get("reasons", ""))
        for event in events
        if event.kind in DEADLINE_EVENT_KINDS and event.on >= case.received_on
    ]
    right = None if (not case.rights or "access" in case.rights) else case.rights[0]
    return compute_deadlines(regime, received=case.received_on, region=case.region, events=deadline_events, right=right)


def days_left(day: date | None, today: date) -> int | None:
    return None if day is None else (day - today).days
