"""Issue 10's "done means": an organiser creates and opens a campaign against the demo employer; two employees
join through ``/c/<slug>`` on a phone — one lets the group count their case only, one shares the case and gives
a mandate (a typed signature); the organiser sees one case and "fewer than 5" for the rest; the organiser
produces the mandated members' letters from the campaign page and downloads a ZIP that holds the mandated
member's letter and signed authorisation, their hashes matching the manifest (the worker's steps run in this
process; tests/integration/test_bulk_crash.py kills a real worker); the first member withdraws their consent on
their case page and is gone from the organiser's figures on the next page load.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.accounts.twofactor import totp_device_create
from deletion_portal.advocacy.bulk import bulk_job_step
from deletion_portal.advocacy.bulk_models import BulkJob, BulkJobState
from deletion_portal.advocacy.models import Campaign, Mandate, Organisation, OrganisationMembership, OrganisationRole
from deletion_portal.advocacy.selectors import statistics_case_ids

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMPLOYER = "Example Analytics GmbH (demo)"
ORGANISER = "org@wdc.example"
FIRST = "first.member@example.net"
SECOND = "second.member@example.net"
PASSWORD = "quiet-orchard-4512"
KEY = "3132333435363738393031323334353637383930"
WAIT_MS = 15_000


def totp_now() -> str:
    from binascii import unhexlify

    from django_otp.oath import totp

    return f"{totp(unhexlify(KEY)):06d}"


def log_in(page, url: str, email: str, *, second_factor: bool = False) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    if second_factor:
        page.locator("input[name=code]").fill(totp_now())
        with page.expect_navigation():
            page.get_by_role("button", name="Verify").click()


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def join(browser, live_server, email: str, *, boxes: tuple[str, ...], signature: str = ""):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    log_in(page, live_server.url, email)
    page.goto(live_server.url + "/c/delete-the-keystrokes")
    assert page.locator("script").count() == 0  # the landing page works without JavaScript
    submit(page, page.get_by_role("link", name="Join the campaign"))
    for box in boxes:
        page.get_by_role("checkbox", name=re.compile(box)).check()
    if signature:
        page.get_by_label("To sign the mandate, type your full name").fill(signature)
    submit(page, page.get_by_role("button", name="Join and draft my request"))
    page.get_by_role("heading", name="Where did you work, and which law protects you?").wait_for()
    return page


def test_an_organiser_runs_a_campaign_two_members_join_and_one_withdraws(page, browser, live_server, settings,
                                                                          tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url
    call_command("load_demo_employers", stdout=open(os.devnull, "w"))
    organiser = account_create(email=ORGANISER, password=PASSWORD, role=Role.ADVOCATE, confirmed=True)
    totp_device_create(user=organiser, key=KEY)
    organisation = Organisation.objects.create(name="Worker Data Collective", country="DE",
                                               contact_email="cases@wdc.example", not_for_profit=True,
                                               verified_at=timezone.now())
    OrganisationMembership.objects.create(organisation=organisation, user=organiser, role=OrganisationRole.ORGANISER)
    for email in (FIRST, SECOND):
        account_create(email=email, password=PASSWORD, role=Role.EMPLOYEE, confirmed=True)
    page.set_default_timeout(WAIT_MS)

    # --- The organiser creates and opens the campaign. --------------------------------------------------------
    log_in(page, live_server.url, ORGANISER, second_factor=True)
    page.goto(live_server.url + "/organisations/")
    page.get_by_role("heading", name="Worker Data Collective").wait_for()
    submit(page, page.get_by_role("link", name="New campaign"))
    page.get_by_label("Title").fill("Delete the keystrokes")
    page.get_by_label("Description").fill("Everyone who worked for the demo employer: ask for your keystrokes back.")
    # The directory may hold thousands of employers: the form finds them with a search (no JavaScript needed).
    page.get_by_label("Find target employers").fill("example analytics")
    submit(page, page.get_by_role("button", name="Search employers"))
    assert page.get_by_label("Title").input_value() == "Delete the keystrokes"  # what was typed stays
    page.get_by_role("checkbox", name=EMPLOYER).check()
    page.get_by_role("checkbox", name=re.compile(r"^GDPR \(eu-gdpr\)")).check()
    page.get_by_label("Bundle").select_option("erase_training")
    page.get_by_role("checkbox", name="Keystrokes").check()
    page.get_by_label("Extra questions").fill("Which vendor trained the model?")
    for lock in ("Employer", "Law", "Rights asked for"):
        page.get_by_role("checkbox", name=lock, exact=True).check()
    submit(page, page.get_by_role("button", name="Save"))
    submit(page, page.get_by_role("button", name="Open the campaign"))
    page.get_by_text("The campaign is open").wait_for()

    # --- Two employees join on their phones. ---------------------------------------------------------------------
    first = join(browser, live_server, FIRST, boxes=("Count my case",))
    second = join(browser, live_server, SECOND, boxes=("Let the group see my case", "Mandate the group"),
                  signature="Sam Second")
    assert Mandate.objects.get().signature == "Sam Second"
    # The second member adds their own details; the campaign's law is chosen and locked.
    second.get_by_text("cannot be changed here").first.wait_for()
    second.get_by_label("Where did you work?").select_option("DE-BY")
    submit(second, second.get_by_role("button", name="Show the laws that apply"))
    submit(second, second.get_by_role("button", name="Continue"))
    second.get_by_role("heading", name="What do you want to ask for?").wait_for()
    submit(second, second.get_by_role("button", name="Continue"))
    submit(second, second.get_by_role("button", name="Continue"))
    second.get_by_role("heading", name="Your details").wait_for()
    second.get_by_label("Your full name").fill("Sam Second")
    second.get_by_label("Your personal email address").fill("sam.second@example.org")
    second.get_by_label("Your postal address").fill("Lindenweg 7\n90402 Nürnberg")
    submit(second, second.get_by_role("button", name="Continue"))
    second.get_by_role("radio", name="English").check()
    submit(second, second.get_by_role("button", name="Continue"))
    second.get_by_role("heading", name="Check your letter").wait_for()
    preview = second.content()
    assert "Sent by Worker Data Collective on behalf of Sam Second" in preview
    assert "cases@wdc.example" in preview and "Which vendor trained the model?" in preview
    assert "part of the campaign" not in preview  # the member did not agree to mention it

    # --- The organiser sees one case, and "fewer than 5" for the rest. ----------------------------------------
    page.reload()
    shared = page.locator("table.shared-members tbody tr")
    assert shared.count() == 1 and "Sam Second" in shared.inner_text()
    assert page.locator(".count-total").inner_text() == "fewer than 5"
    assert FIRST not in page.content()

    # --- Bulk letters for the campaign: the mandated member's letter and authorisation, hashes as in the manifest.
    campaign_url = page.url
    submit(page, page.get_by_role("button", name="Produce the mandated members' letters"))
    page.get_by_text("Bulk job started").wait_for()
    job = BulkJob.objects.get()
    while bulk_job_step(job_id=job.pk) == "more":  # the worker, run here step by step
        pass
    job.refresh_from_db()
    assert (job.state, job.done, job.campaign_id is not None) == (BulkJobState.FINISHED, 1, True)
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Every letter as PDF")).click()
    with open(download.value.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    rows = json.loads(archive.read("manifest.json"))["letters"]
    mandate = Mandate.objects.select_related("member__case").get()
    assert sorted(row["letter_kind"] for row in rows) == ["authorisation", "request"]
    assert {row["member_reference"] for row in rows} == {mandate.member.case.reference}
    for row in rows:
        assert hashlib.sha256(archive.read(row["file"])).hexdigest() == row["sha256"], row["file"]
    assert [row["sha256"] for row in rows if row["letter_kind"] == "authorisation"] == [mandate.pdf_sha256]
    from pypdf import PdfReader

    [letter] = [row for row in rows if row["letter_kind"] == "request"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(letter["file"]))).pages).split())
    assert "Sent by Worker Data Collective on behalf of Sam Second" in text
    page.goto(campaign_url)

    # --- The first member withdraws; the next load of the organiser's page no longer counts them. -----------------
    case_url = first.url.split("/step/")[0] + "/"
    first.goto(case_url)
    submit(first, first.get_by_role("button", name=re.compile("Withdraw: count my case")))
    first.get_by_text("is off, from now on").wait_for()
    page.reload()
    # Under the disclosure rule 0 and 1 read alike ("fewer than 5": a 0 would tell that nobody else consented),
    # so the page cannot show the drop; what it counts from can.
    assert page.locator(".count-total").inner_text() == "fewer than 5"
    campaign = Campaign.objects.get()
    assert statistics_case_ids(campaign=campaign) == []
    assert page.locator("table.shared-members tbody tr").count() == 1
