"""Issue 12's "Done means", on a phone: from the home page a newcomer reaches sign-up, finds the employer in
the directory, drafts, finalises and sends without typing a URL (the one address opened directly is the
confirmation link from the email); every page fits the screen with a one-line header, and axe finds no
violation on the home page, sign-up, the wizard, the case page (German interface too), /laws/ and the API docs.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from deletion_portal.employers.models import Employer
from tests.support.axe import assert_no_axe_violations
from tests.support.mail import deliver_queued_outbox
from tests.support.phone import assert_fits_the_phone, assert_header_on_one_line

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMPLOYER = "Example Analytics GmbH (demo)"
EMAIL = "nia.newcomer@example.net"
PASSWORD = "amber-lantern-6621"
WAIT_MS = 10_000


def check(page, *, axe: bool = True) -> None:
    assert_fits_the_phone(page)
    assert_header_on_one_line(page)
    if axe:
        assert_no_axe_violations(page)


def test_a_newcomer_finds_the_way_in_drafts_finalises_and_sends_on_a_phone(page, live_server, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url
    Employer.objects.create(legal_name=EMPLOYER, country="DE", privacy_email="privacy@example.com",
                            postal_address="Datenschutz\nMusterstraße 1\n80331 München\nDeutschland")
    page.set_default_timeout(WAIT_MS)

    # The home page says what the portal does and offers the way in beside the calculator.
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name=re.compile("delete the data it trains AI on")).is_visible()
    assert page.get_by_role("heading", name="When must my employer answer?").is_visible()
    check(page)
    page.get_by_role("link", name="Sign up / Log in").click()
    page.get_by_role("heading", name="Log in").wait_for()
    check(page)
    page.locator("#sign-up-offer").get_by_role("link", name="Sign up").click()
    page.get_by_role("heading", name="Sign up").wait_for()
    check(page)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/sign-up/done/")
    check(page)

    deliver_queued_outbox()  # the confirmation is an outbox row (core.outbox): deliver it as the worker would
    [confirmation] = [m for m in mail.outbox if EMAIL in m.to]
    link = re.search(r"https?://\S+/accounts/confirm/\S+/", confirmation.body)
    assert link and link[0].startswith(live_server.url), confirmation.body
    page.goto(link[0])  # the link in the email
    page.get_by_role("heading", name="Email confirmed").wait_for()
    if page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").is_visible():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").click()
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="My account").wait_for()
    check(page)

    # The directory: find the employer and use it for a request.
    nav.get_by_role("link", name="Employers").click()
    page.get_by_role("heading", name="Find your employer").wait_for()
    page.get_by_label("Employer name").fill("Example Analytics")
    page.locator("main form[role=search]").get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile("^Use this employer")).first.click()

    # Step 1 arrives with the employer chosen.
    page.get_by_role("heading", name="Who was your employer?").wait_for()
    assert page.get_by_role("radio", name=re.compile(re.escape(EMPLOYER))).is_checked()
    check(page)
    page.get_by_role("button", name="Use this employer and continue").click()

    page.get_by_role("heading", name="Where did you work, and which law protects you?").wait_for()
    page.get_by_label("Where did you work?").select_option("DE-BE")
    page.get_by_role("button", name="Show the laws that apply").click()
    gdpr = page.get_by_role("radio", name=re.compile("General Data Protection Regulation"))
    gdpr.check()
    check(page)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="What do you want to ask for?").wait_for()
    page.get_by_role("radio", name=re.compile("^Erase my training contributions")).check()
    check(page)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Which data is it about?").wait_for()
    page.get_by_role("checkbox", name=re.compile("^Keystrokes")).check()
    check(page)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Your details").wait_for()
    page.get_by_label("Your full name").fill("Nia Neu")
    page.get_by_label("Your personal email address").fill("nia.neu@example.org")
    page.get_by_label("Your postal address").fill("Lindenweg 7\n10115 Berlin\nDeutschland")
    check(page)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Which language should the letter be in?").wait_for()
    page.get_by_role("radio", name="Deutsch").check()
    check(page)
    page.get_by_role("button", name="Continue").click()

    # Step 7: Finalise comes before the folded letter; the letter keeps its headings and numbering.
    page.get_by_role("heading", name="Check your letter").wait_for()
    finalise = page.get_by_role("button", name="Finalise the letter")
    letter = page.locator("details#letter")
    assert finalise.bounding_box()["y"] < letter.bounding_box()["y"]
    assert finalise.is_visible() and finalise.bounding_box()["y"] < 844 * 2
    assert letter.get_attribute("open") is None
    check(page)
    page.get_by_text("Read the whole letter").click()
    preview = page.locator("div.letter-text")
    preview.wait_for()
    assert preview.locator("li").count() >= 2 and preview.locator("ol").count() >= 1
    assert EMPLOYER in preview.inner_text()
    check(page)
    finalise.click()

    # The case page: one next action — send it — with the email button at the top.
    action = page.locator("#next-action")
    action.get_by_role("heading", name="Send your letter").wait_for()
    check(page)
    action.get_by_role("button", name=re.compile("^Send it by email to privacy@example.com")).click()
    page.get_by_text("Your letter is queued").wait_for()
    action = page.locator("#next-action")
    assert action.get_by_role("heading", name="Wait for the employer's answer").is_visible()
    assert page.locator("#status").inner_text().startswith("Sent")
    assert "holidays of Berlin" in page.locator("dl.case-facts").first.inner_text()
    check(page)

    # The other actions unfold when wanted; each event kind has its own small form.
    action.get_by_role("link", name="Record what happened").click()  # unfolds the forms
    page.get_by_text("They extended the deadline").click()
    extension = page.locator("#record-extension_notified")
    assert extension.get_by_label("Reasons they gave").is_visible()
    assert extension.locator("[name=event-grounds]").count() == 0
    check(page)

    # The same case page in German, the laws and the API docs.
    page.get_by_label("Language of this site").select_option("de")
    page.locator("#language-switcher").get_by_role("button", name="Change").click()
    page.get_by_text("Was als Nächstes zu tun ist").wait_for()
    assert page.locator("html").get_attribute("lang") == "de"
    check(page)
    page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Gesetze").click()
    page.get_by_role("heading", name="Die Gesetze, die wir verfolgen").wait_for()
    check(page)


def test_the_laws_fit_a_phone_and_pass_axe(page, live_server):
    page.goto(live_server.url + "/laws/")
    page.get_by_role("heading", name="The laws we track").wait_for()
    check(page)
    page.goto(live_server.url + "/employers/search?q=ex")
    check(page)
