"""Adding a missing employer: login required, every input validated, a SUBMITTED entry with sources."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from deletion_portal.accounts.services import account_create
from deletion_portal.employers.models import Employer, Quality
from deletion_portal.employers.services import NO_SOURCE, DuplicateEmployer, employer_submit
from tests.support.world import login

pytestmark = pytest.mark.django_db

ADD = "employers:add"


@pytest.fixture
def employee():
    return account_create(email="owner@example.org", password="correct horse battery staple 42", role="employee", confirmed=True)


@pytest.fixture
def logged_in(client, employee):
    login(client, employee)
    return client


def form_data(**overrides):
    data = {
        "legal_name": "Example Analytics GmbH",
        "other_names": "ExAna, KeyCount ,",
        "country": "DE",
        "postal_address": "Demostraße 1\n10115 Berlin",
        "privacy_email": "dpo@example.com",
        "web_form_url": "https://example.com/privacy",
        "preferred_language": "de",
        "source": "https://example.com/imprint",
    }
    data.update(overrides)
    return data


# --- access ---------------------------------------------------------------------------------------------


def test_it_sends_an_anonymous_visitor_to_the_login_page(client):
    url = reverse(ADD)

    for response in (client.get(url), client.post(url, form_data())):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert "next=/employers/add/" in response["Location"]
    assert not Employer.objects.exists()


def test_it_shows_the_form_to_a_logged_in_person_prefilled_from_the_search(logged_in):
    response = logged_in.get(reverse(ADD), {"name": "Nobody Here"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Nobody Here"' in body
    assert '<option value="DE">Germany (DE)</option>' in body


# --- success --------------------------------------------------------------------------------------------


def test_it_creates_a_submitted_employer_with_the_source_of_each_detail(logged_in, employee):
    response = logged_in.post(reverse(ADD), form_data())

    employer = Employer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("employers:detail", args=[employer.pk])
    assert employer.quality == Quality.SUBMITTED
    assert employer.added_by == employee
    assert employer.other_names == ["ExAna", "KeyCount"]
    assert employer.postal_address == "Demostraße 1\n10115 Berlin"
    assert employer.sources == {
        "postal_address": "https://example.com/imprint",
        "privacy_email": "https://example.com/imprint",
        "web_form_url": "https://example.com/imprint",
        "preferred_language": "https://example.com/imprint",
    }
    page = logged_in.get(response["Location"]).content.decode()
    assert "is now in the directory" in page


def test_it_says_so_when_a_person_gives_no_source():
    employer = employer_submit(
        added_by=None, legal_name="No Source Ltd", country="GB", privacy_email="privacy@example.org"
    )

    assert employer.sources == {"privacy_email": NO_SOURCE}
    assert employer.quality == Quality.SUBMITTED


def test_it_records_no_sources_when_only_a_name_is_given(logged_in):
    logged_in.post(reverse(ADD), form_data(other_names="", postal_address="", privacy_email="", web_form_url="", preferred_language="", source=""))

    assert Employer.objects.get().sources == {}


# --- validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("privacy_email", "not-an-email", "Enter a valid email address"),
        ("web_form_url", "javascript:alert(1)", "Enter a web address starting with https:// or http://"),
        ("web_form_url", "ftp://example.com/form", "Enter a web address starting with https:// or http://"),
        ("country", "XX", "Select a valid choice"),
        ("country", "", "This field is required"),
        ("legal_name", "x" * 301, "at most 300 characters"),
        ("legal_name", "   ", "This field is required"),
        ("other_names", "Fine, " + "y" * 301, "at most 300 characters"),
        ("preferred_language", "klingon", "Select a valid choice"),
    ],
)
def test_it_refuses_bad_input_and_keeps_what_was_entered(logged_in, field, value, message):
    data = form_data(**{field: value})

    response = logged_in.post(reverse(ADD), data)

    assert response.status_code == 400
    assert not Employer.objects.exists()
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    body = response.content.decode()
    assert 'value="Example Analytics GmbH"' in body or field == "legal_name"
    assert 'value="dpo@example.com"' in body or field == "privacy_email"


def test_it_refuses_an_employer_already_in_the_directory(logged_in):
    Employer.objects.create(legal_name="Example Analytics GmbH", country="DE")

    response = logged_in.post(reverse(ADD), form_data(legal_name="EXAMPLE analytics gmbh"))

    assert response.status_code == 400
    assert "already in the directory" in response.content.decode()
    assert Employer.objects.count() == 1


def test_it_allows_the_same_name_in_another_country(logged_in):
    Employer.objects.create(legal_name="Example Analytics GmbH", country="AT")

    assert logged_in.post(reverse(ADD), form_data()).status_code == 302
    assert Employer.objects.count() == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"privacy_email": "nope"},
        {"web_form_url": "javascript:alert(1)"},
        {"country": "Narnia"},
        {"country": "US-CA"},
        {"legal_name": "n" * 301},
        {"other_names": ["o" * 301]},
        {"legal_name": ""},
    ],
)
def test_the_service_validates_on_its_own(overrides):
    arguments = {"added_by": None, "legal_name": "Valid Name", "country": "FR", **overrides}

    with pytest.raises(ValidationError):
        employer_submit(**arguments)
    assert not Employer.objects.exists()


def test_the_service_refuses_a_duplicate():
    employer_submit(added_by=None, legal_name="Dup SA", country="FR")

    with pytest.raises(DuplicateEmployer):
        employer_submit(added_by=None, legal_name="dup sa", country="FR")


def test_it_escapes_a_hostile_name_after_adding_it(logged_in):
    response = logged_in.post(reverse(ADD), form_data(legal_name="<script>alert(1)</script>", other_names="<b>bold</b>"), follow=True)

    body = response.content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body
