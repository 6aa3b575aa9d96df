"""The public calculator page "When must my employer answer?", its .ics download and the law pages."""

from datetime import date

import pytest
from django.test import Client
from icalendar import Calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    return Client()


def test_it_shows_the_form_to_anyone_without_an_account(browser):
    response = browser.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "When must my employer answer?" in html
    assert 'name="work_place"' in html and 'name="received"' in html
    assert "not legal advice" in html
    assert 'id="results"' not in html


def test_it_needs_no_javascript(browser):
    html = browser.get("/", {"work_place": "DE-BY", "received": "2026-01-15"}).content.decode()
    assert "<script" not in html


def test_it_shows_gdpr_dates_with_the_trail_for_a_worker_in_bavaria(browser):
    response = browser.get("/", {"work_place": "DE-BY", "received": "2025-12-06"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="regime-eu-gdpr"' in html
    # One month from 6 Dec 2025 is Tuesday 6 Jan 2026, Epiphany in Bavaria → Wednesday 7 Jan
    # (Art. 12(3) GDPR; Regulation 1182/71 Art. 3(4)).
    assert "Wednesday 7 January 2026" in html
    assert "Epiphany" in html
    assert "Art. 12(3)" in html
    assert "deadlines.ics?" in html


def test_it_uses_the_employers_country_for_holidays_when_it_is_elsewhere(browser):
    # Worked in Bavaria for an employer established in France: 6 Jan is not a French holiday.
    html = browser.get(
        "/", {"work_place": "DE-BY", "employer_country": "FR", "received": "2025-12-06"}
    ).content.decode()
    assert "Tuesday 6 January 2026" in html


def test_it_shows_why_a_virginia_law_does_not_help_an_employee(browser):
    html = browser.get("/", {"work_place": "US-VA", "received": "2026-01-15"}).content.decode()
    assert 'id="excluded-us-va-vcdpa"' in html
    assert "employment" in html
    assert "None of the laws we track gives you a right" in html


def test_it_shows_california_dates_with_the_acknowledgement(browser):
    html = browser.get("/", {"work_place": "US-CA", "received": "2026-01-02"}).content.decode()
    assert 'id="regime-us-ca-ccpa"' in html
    assert "Friday 16 January 2026" in html  # 10 business days, 11 CCR §7021(a)
    assert "Tuesday 17 February 2026" in html  # 45 days, §7021(b), off Presidents' Day


@pytest.mark.parametrize(
    "params, message",
    [
        ({"work_place": "DE-BY", "received": "2026-02-30"}, "Enter a real date"),
        ({"work_place": "DE-BY", "received": "yesterday"}, "Enter a real date"),
        ({"work_place": "DE-BY", "received": "1999-12-31"}, "Choose a date between"),
        ({"work_place": "Narnia", "received": "2026-01-15"}, "Select a valid choice"),
        ({"work_place": "", "received": "2026-01-15"}, "This field is required"),
    ],
)
def test_it_explains_bad_input_and_keeps_what_was_entered(browser, params, message):
    response = browser.get("/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="results"' not in html
    if params["work_place"] == "DE-BY":
        assert '<option value="DE-BY" selected>' in html
    assert f'value="{params["received"]}"' in html or params["received"] == ""


def test_it_offers_the_dates_as_an_ics_file(browser):
    response = browser.get("/deadlines.ics", {"work_place": "US-CA", "received": "2026-01-02"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    respond = next(e for s, e in events.items() if "must answer" in s and "CCPA" in s)
    assert respond.decoded("dtstart") == date(2026, 2, 17)
    acknowledge = next(e for s, e in events.items() if "confirm receipt" in s)
    assert acknowledge.decoded("dtstart") == date(2026, 1, 16)
    assert respond.walk("VALARM"), "each date has an alarm the day before"
    assert "§7021" in str(respond["description"])


def test_it_refuses_an_ics_for_bad_input(browser):
    assert browser.get("/deadlines.ics", {"work_place": "DE", "received": "no"}).status_code == 400
    assert browser.get("/deadlines.ics").status_code == 400


def test_it_lists_the_laws_and_shows_each_record(browser):
    listing = browser.get("/laws/").content.decode()
    assert "/laws/eu-gdpr/" in listing and "/laws/us-tx-tdpsa/" in listing
    detail = browser.get("/laws/uk-gdpr/")
    assert detail.status_code == 200
    assert "Art. 12A" in detail.content.decode()
    assert browser.get("/laws/no-such-law/").status_code == 404
