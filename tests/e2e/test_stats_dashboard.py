"""Issue 11's browser walk: an organiser opens the statistics dashboard of a campaign of 30 consenting members
in Chromium (on a phone-sized screen and on a desktop one) and finds the headline, the chart of answers over
time, the completeness chart and the ML-artefact chart — each an ``<svg role="img">`` with a title and a
description in words — with the table of the chart's figures beside it; the page needs no JavaScript and axe-core
finds no accessibility violation. The employer's public scoreboard, anonymously, shows the same charts and tables,
states the suppression rule and links how the figures are computed."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.accounts.twofactor import totp_device_create
from deletion_portal.advocacy import stats_store
from deletion_portal.advocacy.models import (
    Campaign,
    CampaignMember,
    Consent,
    ConsentKind,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
)
from deletion_portal.cases.models import CaseEvent, EventKind
from deletion_portal.employers.models import Employer
from deletion_portal.tracking.models import ChecklistItem
from tests.support.axe import assert_no_axe_violations
from tests.support.phone import PHONE
from tests.support.stats import outcome_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ORGANISER = "stats.organiser@wdc.example"
PASSWORD = "quiet-orchard-4512"
KEY = "3132333435363738393031323334353637383930"
WAIT_MS = 15_000


def totp_now() -> str:
    from binascii import unhexlify

    from django_otp.oath import totp

    return f"{totp(unhexlify(KEY)):06d}"


@pytest.fixture
def campaign():
    """A publishing campaign of 30 consenting members at one employer, received in February and March 2026 (5 on
    time, 5 late, 5 not answered each month), every answer with a checklist item, then one refresh."""
    employer = Employer.objects.create(legal_name="Keystroke Analytics GmbH", country="DE",
                                       postal_address="Demostraße 1\n10115 Berlin", privacy_email="privacy@example.com")
    organiser = account_create(email=ORGANISER, password=PASSWORD, role=Role.ADVOCATE, confirmed=True)
    totp_device_create(user=organiser, key=KEY)
    organisation = Organisation.objects.create(name="Worker Data Collective", country="DE",
                                               contact_email="cases@wdc.example", verified_at=timezone.now())
    OrganisationMembership.objects.create(organisation=organisation, user=organiser, role=OrganisationRole.ORGANISER)
    campaign = Campaign.objects.create(organisation=organisation, title="Delete the keystrokes", slug="keystrokes",
                                       law_keys=["eu-gdpr"], state="open", publish_statistics=True)
    campaign.employers.add(employer)
    for month in (2, 3):
        for i, outcome in enumerate(["on_time"] * 5 + ["late"] * 5 + ["none"] * 5):
            case = outcome_case(employer, outcome, received=date(2026, month, 2 + i))
            member = CampaignMember.objects.create(campaign=campaign, case=case)
            Consent.objects.create(member=member, kind=ConsentKind.STATISTICS, given=True)
            if case.answered_on:
                response = CaseEvent.objects.create(case=case, kind=EventKind.RESPONSE_RECEIVED, on=case.answered_on)
                ChecklistItem.objects.create(case=case, response=response, code="art15_1_c", label="recipients",
                                             answered=i % 2 == 0)
    stats_store.statistics_refresh(full=True)
    return campaign


def check_charts_and_tables(page) -> None:
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 2, "the answers-over-time and completeness charts"
    for index in range(charts.count()):
        chart = charts.nth(index)
        title = chart.locator("title").first.text_content().strip()
        description = chart.locator("desc").first.text_content().strip()
        assert title and len(description) > 20, f"chart {index} has no text alternative"
        assert chart.get_attribute("aria-labelledby")
    over_time = page.locator("table.stats", has=page.locator("caption", has_text="by month of receipt"))
    assert over_time.count() == 1, "the answers-over-time chart has its table of figures"
    assert over_time.locator("tbody tr").count() == 2  # February and March
    completeness = page.locator("table.stats", has=page.locator("caption", has_text="addressed each item"))
    assert completeness.count() == 1
    assert page.locator("script").count() == 0  # server-rendered, readable without JavaScript


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_dashboard_and_the_scoreboard_show_charts_with_their_tables(browser, live_server, campaign, device):
    context = browser.new_context(**(PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 900}}))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.locator("input[name=code]").fill(totp_now())
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()

    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/stats")
    page.get_by_role("heading", name="Statistics of the campaign “Delete the keystrokes”").wait_for()
    assert page.locator(".headline-cases").text_content().strip() == "30"
    check_charts_and_tables(page)
    by_employer = page.locator("table", has=page.locator("th", has_text="Employer"))
    assert by_employer.locator("tbody tr").filter(has_text="Keystroke Analytics GmbH").count() == 1
    assert_no_axe_violations(page)

    public = browser.new_context(**(PHONE if device == "phone" else {})).new_page()
    public.set_default_timeout(WAIT_MS)
    employer = campaign.employers.get()
    public.goto(f"{live_server.url}/employers/{employer.pk}/outcomes")
    check_charts_and_tables(public)
    assert "fewer than 5" in public.content()  # the suppression rule is stated on the page
    assert public.get_by_role("link", name="how the figures are computed").count() >= 1
    assert_no_axe_violations(public)
