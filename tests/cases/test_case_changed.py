"""cases announces every change (``cases.signals.case_changed``) so the apps above it act without cases
importing them: a receiver gets the case, the event just recorded, the whole timeline and the deadline
result inside the event's transaction, and a receiver that fails rolls the event back."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from deletion_portal.cases.models import CaseEvent, EventKind
from deletion_portal.cases.services import case_recompute, case_record_event
from deletion_portal.cases.signals import case_changed

pytestmark = pytest.mark.django_db
SENT_ON = date(2025, 5, 5)


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    case_changed.connect(receiver, dispatch_uid="test-heard")
    yield calls
    case_changed.disconnect(dispatch_uid="test-heard")


def test_it_announces_a_recorded_event_with_the_timeline_and_the_deadlines(final_case, heard):
    event = case_record_event(case=final_case, kind=EventKind.SENT, on=SENT_ON, details={"channel": "email"},
                              today=SENT_ON)
    [call] = heard
    assert call["case"].pk == final_case.pk and call["event"] == event
    assert {e.kind for e in call["events"]} == {EventKind.DRAFTED, EventKind.FINALISED, EventKind.SENT}
    assert event in call["events"]
    assert call["result"] is not None and call["result"].respond_by == call["case"].respond_by


def test_a_plain_recompute_announces_no_event(final_case, heard):
    case_recompute(case=final_case)
    [call] = heard
    assert call["event"] is None and call["result"] is None  # nothing sent yet: no deadline


def test_a_failing_receiver_rolls_the_event_back(final_case):
    def refuse(sender, **kwargs):
        raise ValidationError("a subscriber refused")

    case_changed.connect(refuse, dispatch_uid="test-refuse")
    try:
        with pytest.raises(ValidationError):
            case_record_event(case=final_case, kind=EventKind.SENT, on=SENT_ON, details={"channel": "email"},
                              today=SENT_ON)
    finally:
        case_changed.disconnect(dispatch_uid="test-refuse")
    assert not CaseEvent.objects.filter(case=final_case, kind=EventKind.SENT).exists()
    final_case.refresh_from_db()
    assert final_case.status == "finalised"


def test_tracking_is_subscribed_through_its_app_config():
    assert case_changed.has_listeners()
    assert any(entry[0][0] == "tracking.on_case_changed" for entry in case_changed.receivers)
