"""The drafting wizard: a draft is a Case row saved at every step, so it survives a closed browser.

Bundles and regimes: a bundle is limited to the rights the chosen regime has. Choosing "Erase my
training contributions" under PIPEDA (which gives access and rectification only) keeps the rights the
law has (access) and says plainly that erasure, objection and restriction are not rights under PIPEDA;
a bundle with none of the regime's rights is refused with a message.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deletion_portal.cases.models import Case
from deletion_portal.employers.models import Employer

pytestmark = pytest.mark.django_db


def step(case, n):
    return reverse("cases:step", args=[case.pk, n])


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def started(owner_client, employer) -> Case:
    """A draft created by step 1 (the employer chosen from the directory)."""
    response = owner_client.post(reverse("cases:new"), {"employer": employer.pk})
    assert response.status_code == 302
    return Case.objects.get(owner__email="olive@mail.example")


DETAILS = {
    "requester_name": "Olive Owner",
    "requester_email": "olive@mail.example",
    "requester_address": "Gartenweg 5\n80333 München",
    "employee_id": "E-1042",
    "job_title": "Data annotator",
    "employment_start": "2021-02-01",
    "employment_end": "2025-03-31",
    "identity_note": "My login was ooliver.",
}


# --- Step 1: the employer ----------------------------------------------------------------------------


def test_it_lists_employers_found_by_the_search_as_choices(owner_client, employer):
    response = owner_client.get(reverse("cases:new"), {"q": "acme"})
    assert response.status_code == 200
    assert f'value="{employer.pk}"' in text(response)
    assert "Acme Analytics GmbH" in text(response)
    assert "data-employer-search" in text(response)


def test_it_creates_the_draft_on_the_first_post_of_step_1(owner_client, owner, employer):
    assert not Case.objects.exists()
    response = owner_client.post(reverse("cases:new"), {"employer": employer.pk})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == step(case, 2)
    assert case.owner == owner and case.employer == employer and case.employer_country == "DE"
    assert case.status == "draft" and case.wizard_step == 2


def test_it_adds_a_missing_employer_inline(owner_client):
    response = owner_client.post(reverse("cases:new"), {
        "legal_name": "Nimbus Labeling SAS", "country": "FR", "privacy_email": "dpo@nimbus.example",
        "postal_address": "1 rue de la Paix\n75002 Paris",
    })
    assert response.status_code == 302
    employer = Employer.objects.get(legal_name="Nimbus Labeling SAS")
    assert employer.quality == "submitted" and employer.privacy_email == "dpo@nimbus.example"
    assert Case.objects.get().employer == employer


def test_it_asks_for_an_employer_when_none_is_chosen(owner_client):
    response = owner_client.post(reverse("cases:new"), {})
    assert response.status_code == 400
    assert "Choose an employer from the search results" in text(response)
    assert not Case.objects.exists()


def test_it_shows_the_directory_errors_and_keeps_what_was_typed(owner_client, employer):
    response = owner_client.post(reverse("cases:new"), {
        "legal_name": "Nimbus Labeling SAS", "country": "FR", "privacy_email": "not-an-email",
    })
    assert response.status_code == 400
    assert "Enter a valid email address" in text(response)
    assert 'value="Nimbus Labeling SAS"' in text(response)
    duplicate = owner_client.post(reverse("cases:new"), {"legal_name": "acme analytics gmbh", "country": "DE"})
    assert duplicate.status_code == 400
    assert "already in the directory" in text(duplicate)
    assert not Case.objects.exists()


# --- The whole wizard -------------------------------------------------------------------------------


def test_it_saves_every_step_and_shows_the_values_on_a_later_get(owner_client, started, employer):
    case = started
    assert owner_client.post(step(case, 2), {"work_place": "DE-BY", "law_key": "eu-gdpr"})["Location"] == step(case, 3)
    assert owner_client.post(step(case, 3), {"bundle": "erase_training"})["Location"] == step(case, 4)
    response = owner_client.post(step(case, 4), {"categories": ["keystrokes", "screen_activity"], "other_data": "Jira logs"})
    assert response["Location"] == step(case, 5)
    assert owner_client.post(step(case, 5), DETAILS)["Location"] == step(case, 6)
    assert owner_client.post(step(case, 6), {"language": "de"})["Location"] == step(case, 7)

    case.refresh_from_db()
    assert (case.work_country, case.work_region, case.employer_country, case.region) == ("DE", "DE-BY", "DE", "DE-BY")
    assert case.law_key == "eu-gdpr" and case.bundle == "erase_training"
    assert case.rights == ["access", "objection", "restriction", "erasure"]
    assert case.categories == ["keystrokes", "screen_activity"] and case.other_data == "Jira logs"
    assert case.requester_name == "Olive Owner" and str(case.employment_end) == "2025-03-31"
    assert case.language == "de" and case.wizard_step == 7

    # Going back shows what was saved.
    assert 'value="DE-BY" selected' in text(owner_client.get(step(case, 2)))
    assert 'value="eu-gdpr" checked' in text(owner_client.get(step(case, 2)))
    assert 'value="erase_training" checked' in text(owner_client.get(step(case, 3)))
    page4 = text(owner_client.get(step(case, 4)))
    assert 'value="screen_activity" checked' in page4 and "Jira logs" in page4
    page5 = text(owner_client.get(step(case, 5)))
    assert 'value="E-1042"' in page5 and 'value="2021-02-01"' in page5
    assert 'value="de" checked' in text(owner_client.get(step(case, 6)))
    preview = owner_client.get(step(case, 7))
    assert preview.status_code == 200
    assert 'class="letter-text"' in text(preview) and "Still missing" not in text(preview)


def test_it_resumes_a_draft_in_a_new_browser(owner_client, owner, started):
    owner_client.post(step(started, 2), {"work_place": "DE-BY", "law_key": "eu-gdpr"})
    owner_client.post(step(started, 3), {"bundle": "find_out"})

    browser = Client()  # the old browser is closed; the person logs in again
    browser.force_login(owner)
    my_cases = browser.get(reverse("cases:list"))
    assert my_cases.status_code == 200
    assert "Acme Analytics GmbH" in text(my_cases) and started.reference in text(my_cases)
    assert f'href="{step(started, 4)}"' in text(my_cases)
    assert browser.get(step(started, 3)).status_code == 200
    assert 'value="find_out" checked' in text(browser.get(step(started, 3)))


def test_it_does_not_skip_past_the_furthest_step(owner_client, started):
    response = owner_client.get(step(started, 5))
    assert response.status_code == 302 and response["Location"] == step(started, 2)


# --- Step 2: where, and which law ------------------------------------------------------------------------


def test_it_shows_the_laws_that_apply_with_their_reasons(owner_client, started):
    response = owner_client.post(step(started, 2), {"work_place": "DE-BY", "show": "1"})
    assert response.status_code == 302 and response["Location"] == step(started, 2)
    page = text(owner_client.get(step(started, 2)))
    assert 'value="eu-gdpr"' in page
    assert "Your employer is established in the EU/EEA" in page


def test_it_shows_excluded_laws_with_why_but_not_as_choices(owner_client, started):
    response = owner_client.post(step(started, 2), {"work_place": "US-VA", "employer_country": "US", "show": "1"})
    assert response.status_code == 302
    page = text(owner_client.get(step(started, 2)))
    assert 'id="excluded-us-va-vcdpa"' in page
    assert "excludes people acting in an employment context" in page
    assert 'value="us-va-vcdpa"' not in page
    refused = owner_client.post(step(started, 2), {"work_place": "US-VA", "employer_country": "US", "law_key": "us-va-vcdpa"})
    assert refused.status_code == 400
    assert "does not help an employee" in text(refused)
    started.refresh_from_db()
    assert started.law_key == ""


def test_it_keeps_the_places_when_no_law_is_chosen(owner_client, started):
    response = owner_client.post(step(started, 2), {"work_place": "FR", "residence": "DE-BY"})
    assert response.status_code == 400
    assert "Choose the law your request is made under." in text(response)
    assert 'value="FR" selected' in text(response) and 'value="DE-BY" selected' in text(response)
    unknown = owner_client.post(step(started, 2), {"work_place": "Atlantis", "law_key": "eu-gdpr"})
    assert unknown.status_code == 400 and "Select a valid choice" in text(unknown)


def test_it_uses_the_employers_country_for_the_holidays_when_it_differs(owner_client, started):
    owner_client.post(step(started, 2), {"work_place": "FR", "employer_country": "DE", "law_key": "eu-gdpr"})
    started.refresh_from_db()
    assert (started.work_country, started.employer_country, started.region) == ("FR", "DE", "DE")


@pytest.mark.parametrize(("work_place", "employer_country", "law_key", "region"), [
    # GDPR Art. 3(1): an EU work place and a US employer; the GDPR's dates never use US holidays.
    ("DE-BY", "US", "eu-gdpr", "DE-BY"),
    ("FR", "US", "eu-gdpr", "FR"),
    # CCPA §1798.140(i): a Californian worker of a German employer counts Californian holidays.
    ("US-CA", "DE", "us-ca-ccpa", "US-CA"),
])
def test_it_keeps_the_holiday_region_inside_the_laws_territory(owner_client, started, work_place, employer_country,
                                                               law_key, region):
    response = owner_client.post(step(started, 2), {"work_place": work_place, "employer_country": employer_country,
                                                    "law_key": law_key})
    assert response.status_code == 302
    started.refresh_from_db()
    assert (started.employer_country, started.region) == (employer_country, region)


def test_a_new_employer_abroad_keeps_the_holidays_inside_the_laws_territory(owner_client, draft_case):
    """A GDPR case (work place DE-BY) whose employer turns out to be a US company: still Bavarian holidays."""
    other = Employer.objects.create(legal_name="Cloudward Inc.", country="US")
    owner_client.post(step(draft_case, 1), {"employer": other.pk})
    draft_case.refresh_from_db()
    assert (draft_case.employer_country, draft_case.region) == ("US", "DE-BY")


# --- Step 3: what to ask for ----------------------------------------------------------------------------------


def test_it_limits_a_bundle_to_the_rights_the_law_has(owner_client, started):
    owner_client.post(step(started, 2), {"work_place": "CA-ON", "employer_country": "CA", "law_key": "ca-pipeda"})
    page = text(owner_client.get(step(started, 3)))
    assert "Right of access (PIPEDA s.8)" in page  # the regime's own names and citations
    assert "not a right under PIPEDA" in page
    response = owner_client.post(step(started, 3), {"bundle": "erase_training"}, follow=True)
    started.refresh_from_db()
    assert started.rights == ["access"]
    assert ("Not a right under PIPEDA: objection, restriction of processing, erasure. "
            "Your letter asks for what it gives you: Right of access.") in text(response)


def test_it_refuses_a_custom_choice_without_rights(owner_client, started):
    owner_client.post(step(started, 2), {"work_place": "DE-BY", "law_key": "eu-gdpr"})
    response = owner_client.post(step(started, 3), {"bundle": "custom"})
    assert response.status_code == 400
    assert "Choose at least one right." in text(response)
    assert 'value="custom" checked' in text(response)
    chosen = owner_client.post(step(started, 3), {"bundle": "custom", "rights": ["erasure", "access"]})
    assert chosen.status_code == 302
    started.refresh_from_db()
    assert started.rights == ["access", "erasure"]


def test_it_refuses_a_right_the_law_does_not_have(owner_client, started):
    owner_client.post(step(started, 2), {"work_place": "CA-ON", "employer_country": "CA", "law_key": "ca-pipeda"})
    response = owner_client.post(step(started, 3), {"bundle": "custom", "rights": ["erasure"]})
    assert response.status_code == 400
    assert "is not one of the available choices" in text(response)


# --- Step 4: which data -------------------------------------------------------------------------------------


def test_it_shows_the_categories_with_their_plain_language_help(owner_client, draft_case):
    page = text(owner_client.get(step(draft_case, 4)))
    assert "Keystroke logs and their timing" in page


def test_it_asks_for_some_data_and_keeps_long_text(owner_client, draft_case):
    response = owner_client.post(step(draft_case, 4), {"categories": [], "other_data": ""})
    assert response.status_code == 400
    assert "Choose at least one kind of data" in text(response)
    too_long = owner_client.post(step(draft_case, 4), {"categories": ["keystrokes"], "other_data": "x" * 2001})
    assert too_long.status_code == 400
    assert "at most 2000 characters" in text(too_long)
    assert 'value="keystrokes" checked' in text(too_long)
    draft_case.refresh_from_db()
    assert draft_case.categories == ["keystrokes", "mouse_movements"]


# --- Step 5: your details -----------------------------------------------------------------------------------


def test_it_refuses_an_end_before_the_start_and_keeps_the_values(owner_client, draft_case):
    response = owner_client.post(step(draft_case, 5), {**DETAILS, "employment_start": "2024-05-01",
                                                       "employment_end": "2023-01-01"})
    assert response.status_code == 400
    assert "cannot be before its start" in text(response)
    assert 'value="E-1042"' in text(response) and 'value="2024-05-01"' in text(response)
    draft_case.refresh_from_db()
    assert draft_case.employment_start is None


def test_it_refuses_absurd_dates_and_missing_names(owner_client, draft_case):
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = owner_client.post(step(draft_case, 5), {**DETAILS, "requester_name": "", "employment_start": future,
                                                       "employment_end": "3025-01-01"})
    assert response.status_code == 400
    page = text(response)
    assert "Enter your name." in page
    assert "Choose a start date between 1950-01-01 and today." in page
    assert "Choose an end date between" in page
    bad = owner_client.post(step(draft_case, 5), {**DETAILS, "employment_start": "31/12/2020"})
    assert "Enter a real date as YYYY-MM-DD" in text(bad)


def test_it_warns_but_saves_an_address_at_the_employers_domain(owner_client, draft_case):
    response = owner_client.post(step(draft_case, 5), {**DETAILS, "requester_email": "olive@acme.example"}, follow=True)
    assert response.redirect_chain[-1][0] == step(draft_case, 6)
    assert "access to a work address ends when you leave" in text(response)
    draft_case.refresh_from_db()
    assert draft_case.requester_email == "olive@acme.example"
    assert "access to a work address ends when you leave" in text(owner_client.get(step(draft_case, 5)))


def test_it_warns_about_an_address_that_looks_like_the_employers_name(owner_client, draft_case):
    response = owner_client.post(step(draft_case, 5), {**DETAILS, "requester_email": "o.owner@acme-analytics.de"}, follow=True)
    assert "access to a work address ends when you leave" not in text(response)  # not an exact name label
    response = owner_client.post(step(draft_case, 5), {**DETAILS, "requester_email": "o.owner@acme.de"}, follow=True)
    assert "access to a work address ends when you leave" in text(response)
    response = owner_client.post(step(draft_case, 5), {**DETAILS, "requester_email": "olive@mail.example"}, follow=True)
    assert "access to a work address ends when you leave" not in text(response)


# --- Step 6: the language ------------------------------------------------------------------------------------


def test_it_preselects_the_employers_language_and_offers_only_the_laws_languages(owner_client, draft_case):
    draft_case.language = ""
    draft_case.save()
    page = text(owner_client.get(step(draft_case, 6)))
    assert 'value="de" checked' in page  # a German employer, a GDPR letter exists in German
    assert 'value="pt"' not in page
    response = owner_client.post(step(draft_case, 6), {"language": "pt"})
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)


# --- Step 7: the preview ---------------------------------------------------------------------------------------


def test_it_lists_what_is_missing_with_links_to_the_step_that_fixes_it(owner_client, started):
    response = owner_client.get(step(started, 2))
    assert response.status_code == 200
    started.wizard_step = 7
    started.save()
    page = text(owner_client.get(step(started, 7)))
    assert "Still missing" in page
    assert "Choose the law your request is made under." in page and f'href="{step(started, 2)}"' in page
    assert "Enter your postal address." in page and f'href="{step(started, 5)}"' in page
    assert "Choose which data the request is about." in page and f'href="{step(started, 4)}"' in page
    assert 'class="letter-text"' not in page
    refused = owner_client.post(reverse("cases:finalize", args=[started.pk]))
    assert refused.status_code == 400
    assert started.letters.count() == 0


def test_it_shows_the_letter_text_and_the_choices_with_edit_links(owner_client, draft_case):
    page = text(owner_client.get(step(draft_case, 7)))
    assert "Olive Owner" in page and "Acme Analytics GmbH" in page
    assert "<script" not in page.split('class="letter-text')[1].split("<!-- /letter -->")[0]
    for n in range(1, 7):
        assert f'href="{step(draft_case, n)}" class="edit"' in page
    assert f'href="{reverse("cases:preview-pdf", args=[draft_case.pk])}"' in page


def test_it_escapes_what_the_person_typed_in_the_preview(owner_client, draft_case):
    draft_case.requester_name = "<b>Olive</b> & co"
    draft_case.save()
    page = text(owner_client.get(step(draft_case, 7)))
    letter = page.split('class="letter-text"')[1].split("<!-- /letter -->")[0]
    assert "&lt;b&gt;Olive&lt;/b&gt; &amp; co" in letter
    assert "<b>Olive</b>" not in letter


def test_it_moves_the_holiday_region_with_a_new_employer(owner_client, draft_case):
    other = Employer.objects.create(legal_name="Nimbus Labeling SAS", country="FR")
    response = owner_client.post(step(draft_case, 1), {"employer": other.pk})
    assert response.status_code == 302 and response["Location"] == step(draft_case, 2)
    draft_case.refresh_from_db()
    assert (draft_case.employer, draft_case.employer_country, draft_case.region) == (other, "FR", "FR")
    assert draft_case.wizard_step == 7  # the furthest step is remembered


def test_the_preview_keeps_the_letters_headings_and_numbering_and_puts_finalise_first(owner_client, draft_case):
    """Issue 12: on a phone the Finalise button comes before the (folded) letter, and the web preview keeps
    the letter's structure (headings, numbered lists) instead of flattening it to text."""
    from deletion_portal.cases.services import letter_preview

    page = text(owner_client.get(step(draft_case, 7)))
    assert page.index('id="finalise"') < page.index('class="letter-text"')
    assert re.search(r'<details class="letter-details" id="letter">', page)  # folded
    letter = page.split('class="letter-text"')[1].split("<!-- /letter -->")[0]
    source = letter_preview(case=draft_case).html
    assert source.count("<ol") == letter.count("<ol>") and letter.count("<li>") == source.count("<li")
    if "<h2" in source:
        assert "<h3>" in letter
    assert "style=" not in letter and "<script" not in letter


def test_the_web_preview_keeps_structure_and_drops_everything_else():
    from deletion_portal.cases.views.common import letter_web_preview

    html = ('<html><head><title>T</title><style>p{}</style></head><body><article class="letter x" onclick="a()">'
            '<h2 id="h">Your rights</h2><ol start="3"><li>Art. 15 &amp; <b>more</b></li></ol>'
            '<p class="recipient" style="color:red">Acme<br>Street 1</p><script>alert(1)</script>'
            '<img src="http://x/y.png"><a href="javascript:x">&lt;b&gt;typed&lt;/b&gt;</a></article></body></html>')
    out = str(letter_web_preview(html))
    assert out == ('<div><h3>Your rights</h3><ol start="3"><li>Art. 15 &amp; <strong>more</strong></li></ol>'
                   '<p class="recipient">Acme<br>Street 1</p>&lt;b&gt;typed&lt;/b&gt;</div>')
