"""A case's outcome as queryable columns (outcome, answered_on, on_time, acknowledged_on, extended,
refused), set in one place (``case_recompute``) from the timeline, whatever records the event; and the
data migration that fills them for cases recorded before the columns existed.

The case is a GDPR request emailed on 2025-05-02: received that day, due 2025-06-02 (Art. 12(3): one
month), extendable by two further months when the employer says so, with reasons, within the first.
"""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from deletion_portal.cases.models import Case, EventKind, EventSource, Outcome
from deletion_portal.cases.services import case_record_event

pytestmark = pytest.mark.django_db

DUE = date(2025, 6, 2)


def record(case, kind, on, source=EventSource.PORTAL, **details):
    case_record_event(case=case, kind=kind, on=on, actor=case.owner, details=details or None, source=source, today=on)
    case.refresh_from_db()
    return case


def columns(case) -> dict:
    case.refresh_from_db()
    return {name: getattr(case, name) for name in ("outcome", "answered_on", "on_time", "acknowledged_on", "extended", "refused")}


def test_a_sent_case_has_no_outcome_yet(sent_case):
    assert sent_case.respond_by == DUE
    assert columns(sent_case) == {"outcome": "", "answered_on": None, "on_time": None, "acknowledged_on": None,
                                  "extended": False, "refused": False}


def test_an_answer_by_the_deadline_is_on_time(sent_case):
    record(sent_case, EventKind.ACKNOWLEDGED, date(2025, 5, 5))
    record(sent_case, EventKind.RESPONSE_RECEIVED, DUE)  # on the last day: still on time (Art. 12(3))
    assert columns(sent_case) == {"outcome": Outcome.ANSWERED, "answered_on": DUE, "on_time": True,
                                  "acknowledged_on": date(2025, 5, 5), "extended": False, "refused": False}


def test_an_answer_after_the_deadline_is_late(sent_case):
    record(sent_case, EventKind.RESPONSE_RECEIVED, date(2025, 6, 3))
    assert (sent_case.answered_on, sent_case.on_time) == (date(2025, 6, 3), False)


def test_a_valid_extension_moves_what_on_time_means(sent_case):
    record(sent_case, EventKind.EXTENSION_NOTIFIED, date(2025, 5, 20), reasons="Complex: many systems to search.")
    assert sent_case.extended is True and sent_case.respond_by > DUE  # Art. 12(3): two further months
    record(sent_case, EventKind.RESPONSE_RECEIVED, date(2025, 7, 1))
    assert (sent_case.outcome, sent_case.on_time) == (Outcome.ANSWERED, True)


def test_a_refusal_is_an_answer_with_its_marker(sent_case):
    record(sent_case, EventKind.REFUSED, date(2025, 5, 30), grounds="Manifestly excessive (Art. 12(5)).")
    assert columns(sent_case) == {"outcome": Outcome.REFUSED, "answered_on": date(2025, 5, 30), "on_time": True,
                                  "acknowledged_on": None, "extended": False, "refused": True}


def test_the_first_answer_counts_and_closing_sets_the_final_outcome(sent_case):
    record(sent_case, EventKind.RESPONSE_RECEIVED, date(2025, 5, 20))
    record(sent_case, EventKind.RESPONSE_RECEIVED, date(2025, 6, 10))
    record(sent_case, EventKind.CLOSED, date(2025, 6, 11), outcome="partly_fulfilled")
    assert (sent_case.outcome, sent_case.answered_on, sent_case.on_time) == (Outcome.PARTLY_FULFILLED, date(2025, 5, 20), True)


def test_closing_without_an_answer_keeps_on_time_unknown(sent_case):
    record(sent_case, EventKind.CLOSED, date(2025, 6, 20), outcome="no_response")
    assert (sent_case.outcome, sent_case.answered_on, sent_case.on_time) == (Outcome.NO_RESPONSE, None, None)


def test_the_employer_side_keeps_the_columns_right_too(sent_case):
    record(sent_case, EventKind.ACKNOWLEDGED, date(2025, 5, 6), source=EventSource.EMPLOYER)
    record(sent_case, EventKind.RESPONSE_RECEIVED, date(2025, 5, 28), source=EventSource.EMPLOYER)
    assert (sent_case.acknowledged_on, sent_case.answered_on, sent_case.on_time) == (date(2025, 5, 6), date(2025, 5, 28), True)
    assert set(sent_case.events.values_list("source", flat=True)) >= {EventSource.EMPLOYER}


def test_statistics_can_filter_and_count_in_sql(sent_case, employer, django_assert_num_queries):
    record(sent_case, EventKind.RESPONSE_RECEIVED, date(2025, 5, 20))
    with django_assert_num_queries(1):
        assert Case.objects.filter(employer=employer, outcome=Outcome.ANSWERED, on_time=True).count() == 1


def test_the_data_migration_fills_the_columns_from_the_events(sent_case):
    record(sent_case, EventKind.ACKNOWLEDGED, date(2025, 5, 5))
    record(sent_case, EventKind.EXTENSION_NOTIFIED, date(2025, 5, 20), reasons="Complex.")
    record(sent_case, EventKind.REFUSED, date(2025, 6, 20), grounds="Excessive.")
    record(sent_case, EventKind.CLOSED, date(2025, 6, 21), outcome="refused")
    expected = columns(sent_case)
    Case.objects.filter(pk=sent_case.pk).update(outcome="", answered_on=None, on_time=None, acknowledged_on=None,
                                                extended=False, refused=False)
    migration = importlib.import_module("deletion_portal.cases.migrations.0003_outcome_columns_and_event_sources")
    migration.backfill_outcomes(apps, None)
    assert columns(sent_case) == expected
    assert expected["outcome"] == Outcome.REFUSED and expected["on_time"] is True and expected["extended"] is True


# --- Whether an extension is valid (the deadline module's verdict, kept as a column for the statistics) ---------


@pytest.mark.parametrize(("notice_on", "valid", "why"), [
    (None, None, "no extension notified: nothing to judge"),
    (date(2025, 5, 20), True, "GDPR Art. 12(3): notified within the first month, with reasons"),
    (date(2025, 6, 2), True, "GDPR Art. 12(3): notified on the first period's last day is still within it"),
    (date(2025, 6, 3), False, "GDPR Art. 12(3): notified after the first month ended: the answer stays due 2025-06-02"),
])
def test_extension_valid_follows_the_deadline_module(sent_case, notice_on, valid, why):
    if notice_on is not None:
        record(sent_case, EventKind.EXTENSION_NOTIFIED, notice_on, reasons="Complex: many systems to search.")
    assert sent_case.extension_valid is valid, why
    assert sent_case.extended is (notice_on is not None)
    if valid is False:
        assert sent_case.respond_by == DUE  # the invalid extension moved nothing


@pytest.mark.parametrize(("state", "extended", "valid"), [
    ("valid", True, True),
    ("invalid", True, False),  # notified too late
    ("none", True, False),  # the case's law provides no extension (its JSON: "extension": null)
    ("available", False, None),  # possible, never notified
    (None, True, False),  # no legal date to extend at all
])
def test_case_outcome_fields_turns_the_verdict_into_the_column(state, extended, valid):
    from deletion_portal.cases.outcomes import case_outcome_fields

    class Event:
        def __init__(self, kind, on):
            self.kind, self.on, self.details = kind, on, {}

    events = [Event(EventKind.SENT, date(2025, 5, 2))]
    if extended:
        events.append(Event(EventKind.EXTENSION_NOTIFIED, date(2025, 5, 20)))
    fields = case_outcome_fields(events=events, respond_by=DUE, extension_state=state)
    assert (fields["extended"], fields["extension_valid"]) == (extended, valid)
