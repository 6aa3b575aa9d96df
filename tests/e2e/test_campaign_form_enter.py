"""The campaign form in a real Chromium, without JavaScript: pressing Enter in the title saves the campaign (the
form's first submit button is a hidden Save, so implicit submission no longer runs the employer search), Enter in
the employer search box runs the search (a query whose results are not shown yet), and the "Search employers"
button searches as before."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.accounts.twofactor import totp_device_create
from deletion_portal.advocacy.models import Campaign, Organisation, OrganisationMembership, OrganisationRole
from deletion_portal.employers.models import Employer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "quiet-orchard-4512"
KEY = "3132333435363738393031323334353637383930"


def totp_now() -> str:
    from binascii import unhexlify

    from django_otp.oath import totp

    return f"{totp(unhexlify(KEY)):06d}"


def test_enter_saves_the_campaign_and_the_search_still_searches(browser, live_server):
    acme = Employer.objects.create(legal_name="Acme Analytics GmbH", country="DE")
    widget = Employer.objects.create(legal_name="Widget Works GmbH", country="DE")
    organiser = account_create(email="org@wdc.example", password=PASSWORD, role=Role.ADVOCATE, confirmed=True)
    totp_device_create(user=organiser, key=KEY)
    organisation = Organisation.objects.create(name="Worker Data Collective", country="DE", verified_at=timezone.now())
    OrganisationMembership.objects.create(organisation=organisation, user=organiser, role=OrganisationRole.ORGANISER)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill("org@wdc.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        page.locator("input[name=code]").fill(totp_now())
        with page.expect_navigation():
            page.get_by_role("button", name="Verify").click()
        form_url = live_server.url + reverse("advocacy:campaign-new", args=[organisation.pk])
        page.goto(form_url)

        # The button searches, what was typed stays.
        page.get_by_label("Title").fill("Delete the keystrokes")
        page.get_by_label("Find target employers").fill("widget")
        with page.expect_navigation():
            page.get_by_role("button", name="Search employers").click()
        page.get_by_role("checkbox", name="Widget Works GmbH (DE)").check()
        assert page.get_by_label("Title").input_value() == "Delete the keystrokes"

        # Enter in the search box, with a new query: the search runs, nothing is saved.
        page.get_by_label("Find target employers").fill("acme")
        with page.expect_navigation():
            page.get_by_label("Find target employers").press("Enter")
        page.get_by_role("checkbox", name="Acme Analytics GmbH (DE)").check()
        assert page.get_by_role("checkbox", name="Widget Works GmbH (DE)").is_checked()  # still ticked
        assert not Campaign.objects.exists()

        # Enter in the title saves the campaign.
        page.get_by_label("Title").fill("Delete the keystrokes, all of them")
        with page.expect_navigation():
            page.get_by_label("Title").press("Enter")
        page.get_by_text("Campaign saved as a draft").wait_for()
        campaign = Campaign.objects.get()
        assert campaign.title == "Delete the keystrokes, all of them"
        assert set(campaign.employers.all()) == {acme, widget}
    finally:
        context.close()
