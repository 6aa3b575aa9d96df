"""A departing employee, on a phone, goes from sign-up to a downloaded, fingerprinted PDF letter.

Nothing is frozen: the letter assumes its request arrives today, and every expected date is read
from what the case page shows, then written the way a German letter writes it (own month table).

With ``PORTAL_SCREENSHOTS_DIR`` set, full-page screenshots of the calculator results, wizard step 2
(the laws that apply), step 7 (the preview) and the case page are saved there.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from pypdf import PdfReader

from deletion_portal.employers.models import Employer
from tests.support.mail import deliver_queued_outbox

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMPLOYER = "Example Analytics GmbH (demo)"
EMAIL = "dana.departing@example.net"
PASSWORD = "quiet-orchard-4512"
WAIT_MS = 10_000

EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
DE_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember")


def english_date(text: str) -> date:
    """``Wednesday 7 January 2026`` or ``7 January 2026, 14:03`` (as the case page prints them)."""
    match = re.search(r"(\d{1,2}) ([A-Z][a-z]+) (\d{4})", text)
    assert match, f"no date in {text!r}"
    return date(int(match[3]), EN_MONTHS.index(match[2]) + 1, int(match[1]))


def german_date(day: date) -> str:
    return f"{day.day}. {DE_MONTHS[day.month - 1]} {day.year}"


def pdf_text(data: bytes) -> str:
    """The PDF's words on one line: soft hyphens and zero-width spaces dropped, whitespace collapsed."""
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    text = text.replace("\u00ad", "").replace("\u200b", "")
    return " ".join(text.split())


def assert_fits_the_phone(page) -> None:
    """No sideways scrolling. On a mobile context Chromium widens the layout viewport to fit content
    that overflows, so ``window.innerWidth`` grows with the overflow and comparing scrollWidth to it
    proves nothing; the document element's clientWidth stays the device width (390)."""
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[1], f"{page.url} scrolls sideways: {widths}"


def screenshot(page, name: str) -> None:
    """A full-page screenshot, the phone's width only, when PORTAL_SCREENSHOTS_DIR is set."""
    target = os.environ.get("PORTAL_SCREENSHOTS_DIR", "").strip()
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        width, height = page.evaluate(
            "[document.documentElement.clientWidth, document.documentElement.scrollHeight]"
        )
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": height})


def test_a_departing_employee_gets_a_final_pdf_letter_on_a_phone(page, live_server, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url
    Employer.objects.create(
        legal_name=EMPLOYER,
        country="DE",
        privacy_email="privacy@example.com",
        postal_address="Datenschutz\nMusterstraße 1\n80331 München\nDeutschland",
    )
    page.set_default_timeout(WAIT_MS)

    # The public calculator first: what the law gives a person in Bavaria.
    page.goto(live_server.url + "/")
    page.get_by_label("Where did you work?").select_option("DE-BY")
    page.get_by_label("When did your request reach the employer?").fill("2025-12-06")
    page.get_by_role("button", name="Show my dates").click()
    page.locator("#regime-eu-gdpr [data-kind=respond_by]").wait_for()
    assert_fits_the_phone(page)
    screenshot(page, "calculator")

    # Sign up, confirm the address from the email, log in.
    page.goto(live_server.url + "/accounts/sign-up/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/sign-up/done/")
    assert_fits_the_phone(page)

    deliver_queued_outbox()  # the confirmation is an outbox row (core.outbox): deliver it as the worker would
    [confirmation] = [m for m in mail.outbox if EMAIL in m.to]
    link = re.search(r"https?://\S+/accounts/confirm/\S+/", confirmation.body)
    assert link and link[0].startswith(live_server.url), confirmation.body
    page.goto(link[0])
    assert page.get_by_role("heading", name="Email confirmed").is_visible()

    if page.get_by_role("link", name="Log in").first.is_visible():
        page.locator("#main").get_by_role("link", name="Log in").click()
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My account").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
    page.get_by_role("link", name="Start a request").click()

    # Step 1: the employer.
    page.get_by_role("heading", name="Who was your employer?").wait_for()
    assert_fits_the_phone(page)
    page.get_by_label("Search the employer directory").fill("Example Analytics")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("radio", name=re.compile(re.escape(EMPLOYER))).check()
    page.get_by_role("button", name="Use this employer and continue").click()

    # Step 2: where the person worked, and the law that protects them.
    page.get_by_role("heading", name="Where did you work, and which law protects you?").wait_for()
    assert_fits_the_phone(page)
    page.get_by_label("Where did you work?").select_option("DE-BY")
    page.get_by_role("button", name="Show the laws that apply").click()
    gdpr = page.get_by_role("radio", name=re.compile("General Data Protection Regulation"))
    gdpr.wait_for()
    reason = page.locator("label.choice", has=gdpr).get_by_text("so the GDPR applies")
    assert reason.is_visible()
    assert "Art. 3(1)" in reason.inner_text()
    assert_fits_the_phone(page)
    gdpr.check()
    screenshot(page, "wizard-laws")
    page.get_by_role("button", name="Continue").click()

    # Step 3: what to ask for.
    page.get_by_role("heading", name="What do you want to ask for?").wait_for()
    assert_fits_the_phone(page)
    page.get_by_role("radio", name=re.compile("^Erase my training contributions")).check()
    page.get_by_role("button", name="Continue").click()

    # Step 4: which data.
    page.get_by_role("heading", name="Which data is it about?").wait_for()
    assert_fits_the_phone(page)
    for category in ("Keystrokes", "Mouse movements", "App switching"):
        page.get_by_role("checkbox", name=re.compile(f"^{category}")).check()
    page.get_by_role("button", name="Continue").click()

    # Step 5: the person's details, with a private address for the answer.
    page.get_by_role("heading", name="Your details").wait_for()
    assert_fits_the_phone(page)
    page.get_by_label("Your full name").fill("Dana Beispiel")
    page.get_by_label("Your personal email address").fill("dana.beispiel@example.org")
    page.get_by_label("Your postal address").fill("Lindenweg 7\n90402 Nürnberg\nDeutschland")
    page.get_by_label("Employee number").fill("E-20417")
    page.get_by_label("Employment started on").fill("2021-03-01")
    page.get_by_label("Employment ended on").fill("2025-06-30")
    page.get_by_role("button", name="Continue").click()

    # Step 6: the letter's language.
    page.get_by_role("heading", name="Which language should the letter be in?").wait_for()
    assert page.locator("#email-warning").count() == 0
    assert_fits_the_phone(page)
    page.get_by_role("radio", name="Deutsch").check()
    page.get_by_role("button", name="Continue").click()

    # Step 7: the preview.
    page.get_by_role("heading", name="Check your letter").wait_for()
    assert_fits_the_phone(page)
    assert page.locator("#missing").count() == 0
    screenshot(page, "wizard-preview")  # Finalise first, the letter folded below it
    page.get_by_text("Read the whole letter").click()  # folded below the Finalise button
    letter = page.locator("div.letter-text")
    assert letter.is_visible()
    preview = letter.inner_text()
    assert EMPLOYER in preview
    assert "Art. 15" in preview
    page.get_by_role("button", name="Finalise the letter").click()

    # The case page: the letter is final, fingerprinted and downloadable, and the 64-character SHA-256
    # in the timeline wraps instead of widening the page.
    page.get_by_role("heading", name="Letters").wait_for()
    assert_fits_the_phone(page)
    assert page.locator(".messages").get_by_text("Your letter is final.").is_visible()
    reference = page.locator("h1 .reference").inner_text().strip()
    assert reference
    sha256 = page.locator("#letters code.sha256").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", sha256), sha256
    finalised_on = english_date(
        page.locator("#letters dt", has_text="Finalised").locator("xpath=following-sibling::dd[1]").inner_text()
    )

    # Used the employer's web form on the day the letter was finalised: the clock starts then.
    web_form = page.locator("#record-web-form")
    web_form.get_by_label("Sent through the web form on").fill(finalised_on.isoformat())
    web_form.get_by_role("button", name="Record it").click()
    page.get_by_text("Recorded. The dates below are updated.").wait_for()
    next_date = page.locator("#next-date")
    assert next_date.get_by_role("heading", name="Employer must answer").is_visible()
    respond_by = english_date(next_date.locator(".date").inner_text())
    assert respond_by > finalised_on
    screenshot(page, "case")

    with page.expect_download(timeout=WAIT_MS) as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith(reference)
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == sha256

    text = pdf_text(data)
    assert EMPLOYER in text
    assert "Art. 15 DSGVO" in text
    assert "Art. 17" in text
    assert reference in text
    assert german_date(respond_by) in text, (german_date(respond_by), text)
