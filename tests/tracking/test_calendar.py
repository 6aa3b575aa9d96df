"""Calendar: a per-case .ics and a private, revocable per-user feed with every active date, an alarm
the day before, stable UIDs and SEQUENCE = the row's version; superseded rows leave the calendar."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import case_create
from deletion_portal.tracking.calendar import calendar_feed_create, case_calendar, feed_calendar
from deletion_portal.tracking.models import CalendarFeed, Deadline
from tests.support.data import CASE_FIELDS
from tests.support.world import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    return account_create(email="colin@mail.example", password="correct horse battery staple 42",
                          role=Role.EMPLOYEE, display_name="Colin Colleague", confirmed=True)


@pytest.fixture
def sent_case(frozen, make_case, record):
    case = make_case()
    record(case, EventKind.SENT, date(2025, 6, 2), channel="post")
    record(case, EventKind.RECEIVED, date(2025, 6, 5), confirmed=True)
    return case


@pytest.fixture
def others_case(frozen, other, employer, record):
    case = case_create(owner=other, employer=employer, sent_outside_portal=True,
                       **{**CASE_FIELDS, "requester_name": "Colin Colleague", "requester_email": "colin@mail.example"})
    record(case, EventKind.SENT, date(2025, 6, 3), channel="email")
    return case


def events_of(data: bytes) -> list:
    calendar = Calendar.from_ical(data)
    return [c for c in calendar.walk("VEVENT")]


def test_a_case_calendar_has_every_active_date_as_an_all_day_event_with_an_alarm(sent_case):
    rows = list(Deadline.objects.filter(case=sent_case, active=True))
    assert rows
    events = [e for e in events_of(case_calendar(case=sent_case)) if str(e["UID"]).startswith("deadline-")]
    assert len(events) == len(rows)
    by_uid = {str(e["UID"]): e for e in events}
    for row in rows:
        event = by_uid[f"deadline-{row.pk}@deletion-portal"]
        start = event.decoded("DTSTART")
        assert start == row.due_on and not hasattr(start, "hour")  # all-day
        assert event.decoded("DTEND") == row.due_on + timedelta(days=1)
        assert int(event["SEQUENCE"]) == row.version
        assert row.get_kind_display() in str(event["SUMMARY"])
        assert "Acme Analytics GmbH" in str(event["SUMMARY"]) and sent_case.reference in str(event["SUMMARY"])
        description = str(event["DESCRIPTION"])
        assert "Information, not legal advice." in description
        assert all(step in description for step in row.trail)
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == timedelta(days=-1)


def test_superseded_rows_leave_the_calendar_and_new_ones_carry_the_new_version(sent_case, record):
    before = {str(e["UID"]): int(e["SEQUENCE"]) for e in events_of(case_calendar(case=sent_case))}
    record(sent_case, EventKind.EXTENSION_NOTIFIED, date(2025, 6, 10), reasons="Many requests")
    old_ids = set(Deadline.objects.filter(case=sent_case, active=False).values_list("pk", flat=True))
    assert old_ids
    after = {str(e["UID"]): int(e["SEQUENCE"]) for e in events_of(case_calendar(case=sent_case))}
    assert not any(f"deadline-{pk}@deletion-portal" in after for pk in old_ids)
    assert min(after.values()) > max(before.values())


def test_the_feed_holds_only_the_feed_owners_cases(sent_case, others_case, owner):
    mine = events_of(feed_calendar(user=owner))
    theirs = Deadline.objects.filter(case=others_case, active=True)
    assert theirs.exists()
    uids = {str(e["UID"]) for e in mine if str(e["UID"]).startswith("deadline-")}
    assert uids == {f"deadline-{pk}@deletion-portal"
                    for pk in Deadline.objects.filter(case=sent_case, active=True).values_list("pk", flat=True)}
    text = feed_calendar(user=owner).decode()
    assert others_case.reference not in text and "colin" not in text.lower()


# --- Views ------------------------------------------------------------------------------------------


def test_the_case_ics_downloads_for_the_owner(client, owner, sent_case):
    login(client, owner)
    response = client.get(reverse("tracking:case-calendar", args=[sent_case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="{sent_case.reference}.ics"' in response["Content-Disposition"]
    assert events_of(response.content)


def test_the_case_ics_is_a_404_for_another_user(client, other, sent_case):
    login(client, other)
    assert client.get(reverse("tracking:case-calendar", args=[sent_case.pk])).status_code == 404


def test_the_case_ics_sends_the_anonymous_to_login(client, sent_case):
    response = client.get(reverse("tracking:case-calendar", args=[sent_case.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_calendar_page_creates_shows_and_revokes_a_feed_url(client, owner, sent_case):
    login(client, owner)
    page = client.get(reverse("calendar:page"))
    assert page.status_code == 200 and "Create my calendar address" in page.content.decode()

    assert client.post(reverse("calendar:create")).status_code == 302
    feed = CalendarFeed.objects.get(user=owner, revoked_at__isnull=True)
    url = f"https://portal.example/calendar/feed/{feed.token}.ics"
    assert url in client.get(reverse("calendar:page")).content.decode()

    client.logout()
    response = client.get(f"/calendar/feed/{feed.token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert sent_case.reference in response.content.decode()

    login(client, owner)
    assert client.post(reverse("calendar:revoke")).status_code == 302
    client.logout()
    assert client.get(f"/calendar/feed/{feed.token}.ics").status_code == 404


def test_a_new_feed_url_replaces_the_old_one(client, owner, sent_case):
    login(client, owner)
    client.post(reverse("calendar:create"))
    first = CalendarFeed.objects.get(user=owner)
    client.post(reverse("calendar:create"))
    second = CalendarFeed.objects.get(user=owner, revoked_at__isnull=True)
    assert second.token != first.token
    client.logout()
    assert client.get(f"/calendar/feed/{first.token}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{second.token}.ics").status_code == 200


def test_an_unknown_token_is_a_404_and_is_not_logged(client, caplog):
    token = "x" * 43
    with caplog.at_level(logging.DEBUG):
        response = client.get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 404
    assert token not in caplog.text


def test_a_feed_shows_only_its_owners_dates(client, owner, other, sent_case, others_case):
    mine, theirs = calendar_feed_create(user=owner), calendar_feed_create(user=other)
    page = client.get(f"/calendar/feed/{mine.token}.ics").content.decode()
    assert sent_case.reference in page and others_case.reference not in page
    page = client.get(f"/calendar/feed/{theirs.token}.ics").content.decode()
    assert others_case.reference in page and sent_case.reference not in page


def test_the_calendar_page_and_its_actions_need_a_login(client):
    for name in ("calendar:page",):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    for name in ("calendar:create", "calendar:revoke"):
        response = client.post(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not CalendarFeed.objects.exists()


def test_revoking_touches_only_my_own_feed(client, owner, other):
    theirs = calendar_feed_create(user=other)
    login(client, owner)
    client.post(reverse("calendar:revoke"))
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_create_and_revoke_refuse_get(client, owner):
    login(client, owner)
    assert client.get(reverse("calendar:create")).status_code == 405
    assert client.get(reverse("calendar:revoke")).status_code == 405


def test_the_navigation_links_to_the_calendar_for_logged_in_users(client, owner):
    assert reverse("calendar:page") not in client.get(reverse("laws:calculator")).content.decode()
    login(client, owner)
    assert reverse("calendar:page") in client.get(reverse("laws:calculator")).content.decode()
