"""A person on a phone uses the public calculator in a real Chromium."""

from datetime import date

import pytest
from icalendar import Calendar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_person_on_a_phone_find_their_dates(page, live_server, tmp_path):
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="When must my employer answer?").is_visible()

    page.get_by_label("Where did you work?").select_option("DE-BY")
    page.get_by_label("When did your request reach the employer?").fill("2025-12-06")
    page.get_by_role("button", name="Show my dates").click()

    gdpr = page.locator("#regime-eu-gdpr")
    gdpr.wait_for()
    # 6 Jan 2026 is Epiphany in Bavaria: one month from 6 Dec 2025 rolls to Wednesday 7 Jan.
    assert gdpr.locator("[data-kind=respond_by]").inner_text() == "Wednesday 7 January 2026"

    gdpr.get_by_text("How these dates were computed").click()
    trail = gdpr.locator("ol.trail")
    assert trail.is_visible()
    assert "Epiphany" in trail.inner_text()

    # Nothing wider than the phone's screen: no sideways scrolling. (A mobile Chromium widens
    # window.innerWidth to fit wide content, so compare with the document element's clientWidth.)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths

    page.screenshot(path=str(tmp_path / "calculator-phone.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add these dates to my calendar (.ics)").click()
    path = download_info.value.path()
    calendar = Calendar.from_ical(open(path, "rb").read())
    starts = {event.decoded("dtstart") for event in calendar.walk("VEVENT")}
    assert date(2026, 1, 7) in starts


def test_it_shows_a_phone_user_what_went_wrong_and_keeps_their_choice(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_label("Where did you work?").select_option("US-VA")
    page.get_by_role("button", name="Show my dates").click()
    assert page.get_by_text("This field is required").first.is_visible()
    assert page.get_by_label("Where did you work?").input_value() == "US-VA"
