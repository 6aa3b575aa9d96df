"""Searching the directory: by any name, ignoring case; verified first; the as-you-type JSON."""

import pytest
from django.urls import reverse

from deletion_portal.accounts.services import account_create
from deletion_portal.employers.models import Employer, Quality
from deletion_portal.employers.selectors import employer_get, employer_search

pytestmark = pytest.mark.django_db


def employer(legal_name, *, country="DE", other_names=(), quality=Quality.UNVERIFIED, **fields):
    return Employer.objects.create(
        legal_name=legal_name, country=country, other_names=list(other_names), quality=quality, **fields
    )


def names(results):
    return [e.legal_name for e in results]


def test_it_finds_an_employer_by_a_part_of_its_legal_name_ignoring_case():
    employer("Example Analytics GmbH")
    employer("Other Corp")

    assert names(employer_search(query="ANALYTICS")) == ["Example Analytics GmbH"]
    assert names(employer_search(query="  example   analytics ")) == ["Example Analytics GmbH"]


def test_it_finds_an_employer_by_a_brand_or_former_name():
    employer("Example Analytics GmbH", other_names=["KeyCount", "Old Name AG"])

    assert names(employer_search(query="keycount")) == ["Example Analytics GmbH"]
    assert names(employer_search(query="OLD NAME")) == ["Example Analytics GmbH"]


def test_it_folds_case_beyond_ascii():
    employer("Straße Daten GmbH", other_names=["ÜBERWACH AG"])

    assert names(employer_search(query="STRASSE")) == ["Straße Daten GmbH"]
    assert names(employer_search(query="überwach")) == ["Straße Daten GmbH"]


def test_it_lists_verified_employers_first_then_by_name():
    employer("Acme Beta", quality=Quality.SUBMITTED)
    employer("acme alpha", quality=Quality.UNVERIFIED)
    employer("Acme Zulu", quality=Quality.VERIFIED)

    assert names(employer_search(query="acme")) == ["Acme Zulu", "acme alpha", "Acme Beta"]


def test_it_returns_nothing_for_an_empty_or_one_character_query():
    employer("A1 Telemetry")

    assert employer_search(query="") == []
    assert employer_search(query="a") == []
    assert employer_search(query="  a  ") == []


def test_it_caps_the_query_at_100_characters_and_honours_the_limit():
    long_name = "x" * 150
    employer(long_name)
    for number in range(5):
        employer(f"Many {number}")

    assert names(employer_search(query="x" * 120)) == [long_name]  # the first 100 characters match
    assert len(employer_search(query="many", limit=3)) == 3


def test_it_does_not_match_across_two_names():
    employer("Alpha Ltd", other_names=["Beta Brand"])

    assert employer_search(query="ltd beta") == []


def test_it_gets_one_employer_or_none():
    found = employer("Example")

    assert employer_get(pk=found.pk) == found
    assert employer_get(pk=found.pk + 1000) is None
    assert employer_get(pk="not a number") is None


# --- the search page --------------------------------------------------------------------------------


def test_it_shows_a_public_search_page_with_results(client):
    found = employer("Example Analytics GmbH", other_names=["ExAna"], quality=Quality.VERIFIED)

    response = client.get(reverse("employers:search"), {"q": "exana"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Example Analytics GmbH" in body
    assert "ExAna" in body
    assert "Verified by staff" in body
    assert reverse("employers:detail", args=[found.pk]) in body
    assert reverse("cases:new") + f"?employer={found.pk}" in body  # "Use this employer" starts a request with it


def test_it_works_without_a_query_and_tells_a_too_short_one(client):
    assert client.get(reverse("employers:search")).status_code == 200
    response = client.get(reverse("employers:search"), {"q": "a"})
    assert "at least 2 characters" in response.content.decode()


def test_it_offers_to_add_a_missing_employer_when_nothing_matches(client):
    response = client.get(reverse("employers:search"), {"q": "Nobody Here"})

    body = response.content.decode()
    assert "No employer matches" in body
    assert reverse("employers:add") + "?name=Nobody%20Here" in body


def test_it_shows_the_chosen_employer(client):
    chosen = employer("Chosen Corp")

    response = client.get(reverse("employers:search"), {"selected": chosen.pk})

    assert "You chose Chosen Corp" in response.content.decode()
    assert client.get(reverse("employers:search"), {"selected": "junk"}).status_code == 200


def test_it_loads_the_search_script_from_its_own_origin_and_no_inline_script(client):
    response = client.get(reverse("employers:search"), {"q": "ex"})

    body = response.content.decode()
    assert '<script src="/static/js/employer-search.js" defer></script>' in body
    assert body.count("<script") == 1
    assert "data-employer-search" in body
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_it_escapes_hostile_names_on_the_search_page(client):
    employer("<script>alert(1)</script> GmbH", other_names=["<img src=x onerror=alert(2)>"])

    response = client.get(reverse("employers:search"), {"q": "<script>"})

    body = response.content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; GmbH" in body
    assert "<img src=x" not in body


# --- the JSON endpoint for the as-you-type script -------------------------------------------------------


def test_it_answers_the_script_with_public_directory_fields_only(client):
    user = account_create(email="adder@example.org", password="a long enough passphrase 1", role="employee")
    found = employer(
        "Example Analytics GmbH",
        other_names=["ExAna"],
        quality=Quality.SUBMITTED,
        added_by=user,
        privacy_email="dpo@example.com",
    )

    response = client.get(reverse("employers:search-json"), {"q": "EXANA"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "results": [
            {"id": found.pk, "name": "Example Analytics GmbH", "other_names": ["ExAna"], "country": "DE", "quality": "submitted"}
        ]
    }
    assert b"adder@example.org" not in response.content
    assert b"added_by" not in response.content


def test_it_answers_a_short_query_with_no_results(client):
    employer("Ab Corp")

    assert client.get(reverse("employers:search-json"), {"q": "a"}).json() == {"results": []}
    assert client.get(reverse("employers:search-json")).json() == {"results": []}


def test_it_refuses_to_change_anything_through_search(client):
    assert client.post(reverse("employers:search-json"), {"q": "ab"}).status_code == 405
    assert client.post(reverse("employers:search"), {"q": "ab"}).status_code == 405
