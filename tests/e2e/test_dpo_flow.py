"""Issue 8's "done means": an employee emails a request to the demo employer; its DPO verifies the team through
the code the portal mails to the employer's listed privacy address, sets up TOTP, finds the case at the top of
the inbox, acknowledges it and extends it with reasons; the employee's case page then shows both events with
the team's name, the extended date with its trail, and that the DPO team viewed the case.

Nothing is frozen: the request is received today (it goes by email today), and a GDPR extension notified the
same day is inside the first month (Art. 12(3)). Mail goes through the outbox, delivered in-process (Celery
eager) to Django's locmem backend, which is the mail sink the test reads the verification code from.

With ``PORTAL_SCREENSHOTS_DIR`` set, ``dpo-inbox.png``, ``dpo-case.png`` and ``case-with-employer-events.png``
are saved there.
"""

from __future__ import annotations

import os
import re
from base64 import b32decode
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django_otp.oath import totp

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.employers.models import EmployerTeam

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMPLOYER = "Example Analytics GmbH (demo)"
PRIVACY_EMAIL = "datenschutz@example.com"
EMPLOYEE = "dana.departing@example.net"
DPO = "dpo.office@example.com"
PASSWORD = "quiet-orchard-4512"
REASONS = "The request covers four years of keystroke telemetry held by two processors."
WAIT_MS = 15_000
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def english_date(text: str) -> date:
    match = re.search(r"(\d{1,2}) ([A-Z][a-z]+) (\d{4})", text)
    assert match, f"no date in {text!r}"
    return date(int(match[3]), EN_MONTHS.index(match[2]) + 1, int(match[1]))


def long_date(day: date) -> str:
    """As the pages print ``l j F Y``: ``Wednesday 2 December 2026``."""
    return f"{day:%A} {day.day} {EN_MONTHS[day.month - 1]} {day.year}"


def screenshot(page, name: str, *, hide: tuple[str, ...] = ()) -> None:
    """A full-page screenshot at the page's width in CSS pixels (small files for the README), when
    PORTAL_SCREENSHOTS_DIR is set. ``hide``: selectors left out of the picture only (after the assertions)."""
    target = os.environ.get("PORTAL_SCREENSHOTS_DIR", "").strip()
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for selector in hide:
            page.locator(selector).evaluate_all("nodes => nodes.forEach(n => { n.style.display = 'none'; })")
        width, height = page.evaluate(
            "[document.documentElement.clientWidth, document.documentElement.scrollHeight]"
        )
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True, scale="css",
                        clip={"x": 0, "y": 0, "width": width, "height": height})


def log_in(page, url: str, email: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def submit(page, button) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        button.click()


def test_a_dpo_verifies_sets_up_totp_and_answers_on_the_legal_clock(
    page, browser, live_server, settings, tmp_path, eager_celery
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url
    call_command("load_demo_employers", stdout=open(os.devnull, "w"))
    account_create(email=EMPLOYEE, password=PASSWORD, role=Role.EMPLOYEE, confirmed=True)
    account_create(email=DPO, password=PASSWORD, role=Role.DPO, confirmed=True)
    page.set_default_timeout(WAIT_MS)

    # --- The employee: the wizard, a final letter, sent by email to the demo employer. -----------------------
    log_in(page, live_server.url, EMPLOYEE)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My account").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
    page.get_by_role("link", name="Start a request").click()

    page.get_by_role("heading", name="Who was your employer?").wait_for()
    page.get_by_label("Search the employer directory").fill("Example Analytics")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("radio", name=re.compile(re.escape(EMPLOYER))).check()
    page.get_by_role("button", name="Use this employer and continue").click()

    page.get_by_role("heading", name="Where did you work, and which law protects you?").wait_for()
    page.get_by_label("Where did you work?").select_option("DE-BY")
    page.get_by_role("button", name="Show the laws that apply").click()
    gdpr = page.get_by_role("radio", name=re.compile("General Data Protection Regulation"))
    gdpr.wait_for()
    gdpr.check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="What do you want to ask for?").wait_for()
    page.get_by_role("radio", name=re.compile("^Erase my training contributions")).check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Which data is it about?").wait_for()
    for category in ("Keystrokes", "Mouse movements"):
        page.get_by_role("checkbox", name=re.compile(f"^{category}")).check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Your details").wait_for()
    page.get_by_label("Your full name").fill("Dana Beispiel")
    page.get_by_label("Your personal email address").fill("dana.beispiel@example.org")
    page.get_by_label("Your postal address").fill("Lindenweg 7\n90402 Nürnberg\nDeutschland")
    page.get_by_label("Employee number").fill("E-20417")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Which language should the letter be in?").wait_for()
    page.get_by_role("radio", name="English").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Check your letter").wait_for()
    page.get_by_role("button", name="Finalise the letter").click()
    page.get_by_role("heading", name="Letters").wait_for()
    reference = page.locator("h1 .reference").inner_text().strip()
    case_url = page.url
    submit(page, page.get_by_role("button", name=re.compile(r"^Send (it )?by email")).first)
    sent = [m for m in mail.outbox if PRIVACY_EMAIL in m.to and reference in m.subject + m.body]
    assert sent, [m.subject for m in mail.outbox]
    assert page.locator("#timeline .event-sent").count() == 1

    # --- The DPO: sign in, TOTP first (nothing else is open before it). ---------------------------------------
    dpo_context = browser.new_context(**DESKTOP)
    dpo = dpo_context.new_page()
    dpo.set_default_timeout(WAIT_MS)
    log_in(dpo, live_server.url, DPO)
    dpo.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    secret = dpo.locator("#totp-secret").inner_text().strip()
    key = b32decode(secret + "=" * (-len(secret) % 8))
    dpo.get_by_label("Code from the app").fill(f"{totp(key):06d}")
    submit(dpo, dpo.get_by_role("button", name="Confirm"))
    dpo.get_by_role("heading", name="Your backup codes").wait_for()
    assert dpo.locator("#backup-codes li").count() == 10

    # Verify for the employer: the code goes to the privacy address the directory lists, read from the sink.
    dpo.goto(live_server.url + "/employer/verify/")
    dpo.get_by_label("Employer name").fill("Example Analytics")
    submit(dpo, dpo.get_by_role("button", name="Search"))
    submit(dpo, dpo.get_by_role("button", name=f"Send the code to {PRIVACY_EMAIL}"))
    dpo.get_by_role("heading", name=f"Enter the code sent to {PRIVACY_EMAIL}").wait_for()
    [proof_mail] = [m for m in mail.outbox if m.to == [PRIVACY_EMAIL] and "Verification code" in m.subject]
    code = re.search(r"\b(\d{8})\b", proof_mail.body)[1]
    dpo.get_by_label("Code").fill(code)
    submit(dpo, dpo.get_by_role("button", name="Verify"))
    team = EmployerTeam.objects.get(employers__legal_name=EMPLOYER)
    assert dpo.get_by_text(f"Verified: you are admin of {team.name}.").is_visible()

    # The inbox: the case is at the top.
    dpo.goto(live_server.url + "/employer/")
    first_row = dpo.locator("#inbox tbody tr").first
    first_row.wait_for()
    assert reference in first_row.inner_text()
    screenshot(dpo, "dpo-inbox")
    submit(dpo, first_row.get_by_role("link", name=reference))
    dpo.get_by_role("heading", name=re.compile(f"Request to {re.escape(EMPLOYER)}")).wait_for()
    received_on = english_date(dpo.locator("#received-on").inner_text())
    respond_by = english_date(dpo.locator("#respond-by").inner_text())
    assert received_on < respond_by

    # Acknowledge it (today's date is the form's default).
    submit(dpo, dpo.locator("#actions a[data-action=acknowledge]"))
    submit(dpo, dpo.locator("#main form").get_by_role("button"))
    dpo.locator("#timeline .event-acknowledged").wait_for()

    # Extend it, with reasons: inside the first month, so the deadline module's new date is recorded.
    submit(dpo, dpo.locator("#actions a[data-action=extend]"))
    extended_to = english_date(dpo.locator("#rule").get_by_text("If notified in time, the new date is").inner_text())
    assert extended_to > respond_by
    dpo.get_by_label("Reasons for the extension").fill(REASONS)
    submit(dpo, dpo.locator("#main form").get_by_role("button"))
    dpo.locator("#timeline .event-extension_notified").wait_for()
    assert english_date(dpo.locator("#respond-by").inner_text()) == extended_to
    screenshot(dpo, "dpo-case")
    dpo_context.close()

    # --- The employee's case page: both events with the team's name, the new date, its trail, the view. ------
    page.goto(case_url)
    page.get_by_role("heading", name="Letters").wait_for()
    timeline = page.locator("#timeline")
    acknowledged = timeline.locator(".event-acknowledged")
    extended = timeline.locator(".event-extension_notified")
    assert "Receipt acknowledged" in acknowledged.inner_text()
    assert team.name in acknowledged.inner_text()
    assert "Extension notified" in extended.inner_text()
    assert team.name in extended.inner_text()
    assert REASONS in extended.inner_text()

    trail = page.locator("#trail")
    assert trail.locator("[data-kind=extended_respond_by]").inner_text().strip() == long_date(extended_to)
    assert "First deadline (before the extension)" in trail.inner_text()
    assert trail.locator(".trail li").count() >= 2
    assert long_date(extended_to) in page.locator("#next-date").inner_text()

    viewed = page.locator("#dpo-views").inner_text()
    assert f"Viewed by {team.name}'s DPO team on" in viewed
    assert "DPO team" in viewed
    # The picture: the dates, the employer's view and the timeline, without the employee's own send/record forms.
    screenshot(page, "case-with-employer-events",
               hide=("#letters", "#send-letters", "#actions", "#outbox", "#employer-access"))
