"""The campaign form (issue 10): target employers are found with a search that works without JavaScript — a
"Search employers" button re-shows the form with at most 25 results, the ticked employers kept and nothing saved —
never a tick box per directory employer; the ids posted are checked on the server. The holiday region can be
locked like the other choices: a joining member then cannot change it, and the wizard keeps it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy import campaigns as svc
from deletion_portal.advocacy.models import Campaign
from deletion_portal.cases.services import case_update
from deletion_portal.employers.models import Employer
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db


def directory(n: int, prefix: str = "Widget") -> list[Employer]:
    """``n`` more employers, as an import would add them (search_text filled like Employer.save does)."""
    return Employer.objects.bulk_create([
        Employer(legal_name=f"{prefix} Works {i:04d} GmbH", country="DE", search_text=f"{prefix.casefold()} works {i:04d} gmbh")
        for i in range(n)])


def checkbox_values(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="employers" value="(\d+)"', html)


def test_the_form_lists_no_directory_employer_until_searched(client, organisation, advocate, employer):
    directory(60)
    login(client, advocate)
    url = reverse("advocacy:campaign-new", args=[organisation.pk])
    page = client.get(url).content.decode()
    assert checkbox_values(page) == [] and 'name="employer_q"' in page and "Search employers" in page
    assert "<script" not in page

    found = client.get(url, {"employer_q": "widget works"}).content.decode()
    assert len(checkbox_values(found)) == 25  # capped
    assert str(employer.pk) not in checkbox_values(found)
    acme = client.get(url, {"employer_q": "ACME"}).content.decode()
    assert checkbox_values(acme) == [str(employer.pk)]
    none = client.get(url, {"employer_q": "nothing like it"}).content.decode()
    assert checkbox_values(none) == [] and "No employer in the directory matches" in none


def test_searching_keeps_the_ticked_employers_and_the_typed_fields_and_saves_nothing(
        client, organisation, advocate, employer):
    [widget] = directory(1)
    login(client, advocate)
    url = reverse("advocacy:campaign-new", args=[organisation.pk])
    response = client.post(url, {"title": "Delete the keystrokes", "employers": [employer.pk], "employer_q": "widget",
                                 "search_employers": "1", "law_keys": ["eu-gdpr"]})
    assert response.status_code == 200 and not Campaign.objects.exists()
    page = response.content.decode()
    assert checkbox_values(page) == [str(employer.pk), str(widget.pk)]  # the ticked one first, then the result
    assert f'value="{employer.pk}" id="id_employers_0" checked' in page
    assert 'value="Delete the keystrokes"' in page

    saved = client.post(url, {"title": "Delete the keystrokes", "employers": [employer.pk, widget.pk],
                              "law_keys": ["eu-gdpr"], "save": "1"})
    campaign = Campaign.objects.get()
    assert saved.status_code == 302 and set(campaign.employers.all()) == {employer, widget}
    edit = client.get(reverse("advocacy:campaign-edit", args=[campaign.pk])).content.decode()
    assert sorted(checkbox_values(edit)) == sorted([str(employer.pk), str(widget.pk)])
    assert edit.count(" checked") >= 2


def test_enter_saves_and_enter_with_a_search_not_run_yet_searches(client, organisation, advocate, employer):
    """Enter submits the form with its first submit button (implicit submission): a hidden Save (``save=enter``),
    so Enter in the title saves; with a query typed in the search box whose results are not shown yet, it searches
    (nothing saved). A click on the visible Save (``save=1``) always saves. Browser: tests/e2e/test_campaign_form_enter.py."""
    login(client, advocate)
    url = reverse("advocacy:campaign-new", args=[organisation.pk])
    page = client.get(url).content.decode()
    first_button = re.search(r"<button [^>]*>", page[page.index('class="card"'):])[0]
    assert 'name="save" value="enter"' in first_button and 'tabindex="-1"' in first_button
    assert page.index('name="save" value="enter"') < page.index('name="search_employers"')
    assert 'name="employer_q_searched" value=""' in page

    enter_in_search = client.post(url, {"title": "Keystrokes", "employer_q": "acme", "employer_q_searched": "",
                                        "save": "enter"})
    shown = enter_in_search.content.decode()
    assert enter_in_search.status_code == 200 and not Campaign.objects.exists()
    assert checkbox_values(shown) == [str(employer.pk)] and 'name="employer_q_searched" value="acme"' in shown

    enter_in_title = client.post(url, {"title": "Keystrokes", "employer_q": "acme", "employer_q_searched": "acme",
                                       "employers": [employer.pk], "save": "enter"})
    assert enter_in_title.status_code == 302
    assert list(Campaign.objects.get().employers.all()) == [employer]

    clicked = client.post(url, {"title": "Screens", "employer_q": "widget", "employer_q_searched": "", "save": "1"})
    assert clicked.status_code == 302 and Campaign.objects.filter(title="Screens").exists()


@pytest.mark.parametrize("bad", [["999999"], ["abc"], ["1; DROP TABLE"]])
def test_an_employer_not_in_the_directory_is_a_form_error_never_a_500(client, organisation, advocate, bad):
    login(client, advocate)
    url = reverse("advocacy:campaign-new", args=[organisation.pk])
    response = client.post(url, {"title": "T", "employers": bad, "save": "1"})
    assert response.status_code == 400 and not Campaign.objects.exists()
    assert 'role="alert"' in response.content.decode()
    searched = client.post(url, {"title": "T", "employers": bad, "employer_q": "x", "search_employers": "1"})
    assert searched.status_code == 200  # a search with a bad id still shows the form


def test_the_forms_queries_do_not_grow_with_the_directory(client, organisation, advocate, employer):
    login(client, advocate)
    url = reverse("advocacy:campaign-new", args=[organisation.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url, {"employer_q": "works"}).status_code == 200
            assert client.post(url, {"title": "T", "employer_q": "works", "search_employers": "1",
                                     "employers": [employer.pk]}).status_code == 200
        return len(context.captured_queries)

    directory(3)
    small = queries()
    directory(300, prefix="Gadget")  # "Gadget Works …" matches "works" too
    assert queries() == small


# --- The holiday region, lockable --------------------------------------------------------------------------------


@pytest.fixture
def locked_region(organisation, advocate, employer):
    campaign = svc.campaign_create(organisation=organisation, actor=advocate, title="Bavaria", employers=[employer],
                                   law_keys=["eu-gdpr"], region="DE-BY", locked=["employer", "law_key", "region"])
    return svc.campaign_open(campaign=campaign, actor=advocate)


def join(campaign, name="olga"):
    user = make_account(f"{name}@mail.example", Role.EMPLOYEE, name.title())
    return svc.campaign_join(campaign=campaign, user=user)


def test_a_locked_holiday_region_refuses_another_value(locked_region):
    case = join(locked_region).case
    assert case.region == "DE-BY"
    with pytest.raises(ValidationError) as info:
        case_update(case=case, region="DE-BE")
    assert "holiday region" in info.value.message_dict["region"][0]
    case_update(case=case, region="DE-BY")


def test_an_unlocked_holiday_region_is_only_prefilled(organisation, advocate, employer):
    campaign = svc.campaign_open(campaign=svc.campaign_create(
        organisation=organisation, actor=advocate, title="Prefilled", employers=[employer], law_keys=["eu-gdpr"],
        region="DE-BY"), actor=advocate)
    case = join(campaign).case
    assert case.region == "DE-BY"
    assert case_update(case=case, region="DE-BE").region == "DE-BE"


def test_the_wizard_keeps_a_locked_region_whatever_the_places(client, locked_region):
    case = join(locked_region).case
    login(client, case.owner)
    response = client.post(reverse("cases:step", args=[case.pk, 2]),
                           {"work_place": "DE-BE", "employer_country": "DE", "law_key": "eu-gdpr"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    case.refresh_from_db()
    assert (case.work_region, case.region) == ("DE-BE", "DE-BY")


def test_the_form_offers_the_region_lock_and_a_lock_needs_a_region(client, organisation, advocate, employer):
    login(client, advocate)
    url = reverse("advocacy:campaign-new", args=[organisation.pk])
    assert 'name="locked" value="region"' in client.get(url).content.decode()
    response = client.post(url, {"title": "T", "employers": [employer.pk], "law_keys": ["eu-gdpr"],
                                 "locked": ["region"], "save": "1"})
    assert response.status_code == 400 and "Give the holiday region to lock it" in response.content.decode()
    assert not Campaign.objects.exists()
    client.post(url, {"title": "T", "employers": [employer.pk], "law_keys": ["eu-gdpr"], "region": "DE-BY",
                      "locked": ["region"], "save": "1"})
    assert Campaign.objects.get().locked == ["region"]
