"""The as-you-type search in a real Chromium on a phone, under the real CSP (scripts from 'self')."""

import pytest

from deletion_portal.employers.models import Employer, Quality

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_lists_matches_as_you_type_and_escapes_them(page, live_server):
    Employer.objects.create(legal_name="Example Analytics GmbH", country="DE", other_names=["ExAna"], quality=Quality.VERIFIED)
    hostile = Employer.objects.create(legal_name="<img src=x onerror=alert(1)> Exa Ltd", country="GB")
    problems = []
    # Script errors and CSP refusals (the browser's own favicon request may 404: not ours to judge).
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))

    page.goto(live_server.url + "/employers/search")
    page.get_by_label("Employer name").press_sequentially("exa", delay=30)

    results = page.locator("#employer-live-results")
    results.locator("li").nth(1).wait_for()
    texts = results.locator("li a").all_inner_texts()
    assert texts == ["Example Analytics GmbH", "<img src=x onerror=alert(1)> Exa Ltd"]  # verified first, as text
    assert page.locator("#employer-live-status").inner_text() == "2 employers found."
    assert results.locator("img").count() == 0

    results.get_by_role("link", name="<img src=x onerror=alert(1)> Exa Ltd").click()
    page.wait_for_url(f"**/employers/{hostile.pk}/")
    assert problems == []


def test_the_search_works_without_the_script(browser, live_server):
    Employer.objects.create(legal_name="Example Analytics GmbH", country="DE")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/employers/search")
        page.get_by_label("Employer name").fill("analytics")
        page.get_by_role("button", name="Search").click()
        employer = Employer.objects.get(legal_name="Example Analytics GmbH")
        page.get_by_role("link", name="Example Analytics GmbH", exact=True).click()
        page.wait_for_url(f"**/employers/{employer.pk}/")  # the click only starts the navigation
        assert page.get_by_role("heading", name="Example Analytics GmbH").is_visible()
    finally:
        context.close()
