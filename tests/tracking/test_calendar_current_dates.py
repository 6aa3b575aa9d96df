"""The calendar feed drops superseded dates and carries follow-up dates (issue 12)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from deletion_portal.cases.models import EventKind
from deletion_portal.tracking.calendar import case_calendar, feed_calendar
from deletion_portal.tracking.models import Deadline, DeadlineKind

pytestmark = pytest.mark.django_db


def events(data: bytes) -> dict[str, object]:
    return {str(e["SUMMARY"]).split(":")[0]: e for e in Calendar.from_ical(data).walk("VEVENT")}


@pytest.fixture
def sent_case(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="post")
    record(case, EventKind.RECEIVED, date(2025, 6, 5), confirmed=True)
    return case


def test_an_extension_replaces_the_first_answer_date_in_the_feed(sent_case, record, owner):
    # Art. 12(3) GDPR: a valid extension (notified within the first month, with reasons) — the first date is
    # replaced; both rows stay active on the case page (struck through), the calendar shows only the new one.
    record(sent_case, EventKind.EXTENSION_NOTIFIED, date(2025, 6, 10), reasons="Many requests at once")
    kinds = set(Deadline.objects.filter(case=sent_case, active=True).values_list("kind", flat=True))
    assert {DeadlineKind.RESPOND_BY, DeadlineKind.EXTENDED_RESPOND_BY} <= kinds
    for data in (case_calendar(case=sent_case), feed_calendar(user=owner)):
        found = events(data)
        assert "Employer must answer (extended)" in found
        assert "Employer must answer" not in found  # the replaced first date is gone
        extended = Deadline.objects.get(case=sent_case, active=True, kind=DeadlineKind.EXTENDED_RESPOND_BY)
        follow_up = found["No answer? Send a follow-up"]
        assert follow_up.decoded("DTSTART") == extended.due_on + timedelta(days=1)


def test_the_feed_carries_the_day_to_send_a_follow_up(sent_case, owner):
    respond_by = Deadline.objects.get(case=sent_case, active=True, kind=DeadlineKind.RESPOND_BY)
    found = events(feed_calendar(user=owner))
    follow_up = found["No answer? Send a follow-up"]
    assert follow_up.decoded("DTSTART") == respond_by.due_on + timedelta(days=1)
    assert sent_case.reference in str(follow_up["SUMMARY"])
    assert "follow-up" in str(follow_up["DESCRIPTION"])


def test_once_the_follow_up_is_sent_the_feed_carries_its_answer_date_and_the_complaint_day(sent_case, follow_up_sent,
                                                                                           owner):
    follow_up_sent(sent_case, date(2025, 7, 10))
    found = events(feed_calendar(user=owner))
    assert found["Employer must answer the follow-up"].decoded("DTSTART") == date(2025, 7, 24)
    assert "Complain to the supervisory authority" in found
    assert "No answer? Send a follow-up" not in found  # it was sent


def test_an_answered_case_has_no_follow_up_day(sent_case, record, owner):
    record(sent_case, EventKind.RESPONSE_RECEIVED, date(2025, 6, 12))
    assert "No answer? Send a follow-up" not in events(feed_calendar(user=owner))
