"""A deadline's holiday region must lie inside the law's territory, and a query parameter counts once.

``regions.region_in_territory`` / ``check_region_for_law`` is the one rule; the public deadlines API,
the calculator and the cases' ``validate_case_fields`` (API and wizard) all apply it.
"""

from __future__ import annotations

import pytest
from django.test import Client

from deletion_portal.cases.services import validate_case_fields
from deletion_portal.laws.regions import (
    RegionOutsideTerritory,
    UnknownRegion,
    check_region_for_law,
    region_for_law,
    region_in_territory,
)
from deletion_portal.laws.registry import get_regime


@pytest.mark.parametrize(
    "law, region, inside",
    [
        pytest.param("eu-gdpr", "DE-BY", True, id="GDPR Art. 3: a Land of a member state"),
        pytest.param("eu-gdpr", "NO", True, id="GDPR via the EEA Agreement: Norway"),
        pytest.param("eu-gdpr", "US-CA", False, id="GDPR: California holidays are not a member state's (1182/71 Art. 3(4))"),
        pytest.param("eu-gdpr", "GB-ENG", False, id="GDPR: England is under the UK GDPR"),
        pytest.param("uk-gdpr", "GB-SCT", True, id="UK GDPR: Scotland's bank holidays"),
        pytest.param("us-ca-ccpa", "US-CA", True, id="CCPA Civ. Code §1798.140: California"),
        pytest.param("us-ca-ccpa", "US", False, id="CCPA: the US alone is not California"),
        pytest.param("us-ca-ccpa", "US-NY", False, id="CCPA: not New York"),
        pytest.param("ca-pipeda", "CA-QC", True, id="PIPEDA: any province (Interpretation Act s.35(1)(a))"),
        pytest.param("ca-qc-law25", "CA-ON", False, id="Quebec P-39.1: Quebec only"),
        pytest.param("ch-fadp", "CH-GE", True, id="FADP: a canton (CO Art. 78(1))"),
        pytest.param("ch-fadp", "DE", False, id="FADP: not Germany"),
    ],
)
def test_it_knows_which_regions_belong_to_a_law(law, region, inside):
    assert region_in_territory(get_regime(law), region) is inside


def test_it_names_the_valid_territory_when_it_refuses_a_region():
    with pytest.raises(RegionOutsideTerritory) as caught:
        check_region_for_law(get_regime("us-ca-ccpa"), "DE-BY")
    assert "DE-BY is outside the territory of the CCPA" in str(caught.value)
    assert "US-CA" in str(caught.value)
    with pytest.raises(RegionOutsideTerritory) as caught:
        check_region_for_law(get_regime("eu-gdpr"), "us-ca")
    assert "US-CA" in str(caught.value) and "DE" in str(caught.value) and "FR" in str(caught.value)
    assert isinstance(caught.value, UnknownRegion)  # callers that catch UnknownRegion catch this too


def test_it_returns_the_parsed_region_when_it_is_inside():
    assert check_region_for_law(get_regime("ch-fadp"), " ch-zh ").code == "CH-ZH"


@pytest.mark.parametrize(
    "law, region, fallbacks, expected",
    [
        pytest.param("eu-gdpr", "FR", ("DE-BY",), "FR", id="GDPR: the employer's member state is kept (1182/71 Art. 3(4))"),
        pytest.param("eu-gdpr", "US", ("DE-BY", "DE"), "DE-BY", id="GDPR: a US employer's holidays → the work place DE-BY"),
        pytest.param("us-ca-ccpa", "DE-BY", ("DE-BY", "", "US-CA"), "US-CA", id="CCPA: the Californian residence"),
        pytest.param("us-ca-ccpa", "DE", ("DE",), "US-CA", id="CCPA: no place inside → the territory itself"),
    ],
)
def test_it_picks_a_holiday_region_inside_the_territory(law, region, fallbacks, expected):
    assert region_for_law(get_regime(law), region, fallbacks=fallbacks).code == expected


def test_it_refuses_a_case_region_outside_the_law_s_territory():
    # cases.services.validate_case_fields: the cases API (400) and the wizard's review step use it.
    errors = validate_case_fields(law_key="eu-gdpr", region="US-CA")
    assert "outside the territory of the GDPR" in errors["region"]
    assert validate_case_fields(law_key="eu-gdpr", region="DE-BY") == {}
    assert "ISO 3166" in validate_case_fields(law_key="eu-gdpr", region="XX")["region"]
    # Without a known law only the code itself is checked.
    assert "region" not in validate_case_fields(law_key="", region="US-CA")


# --- the public API and the calculator -----------------------------------------------------------


@pytest.fixture
def api():
    return Client()


@pytest.mark.django_db
def test_the_deadlines_api_refuses_a_region_outside_the_law_s_territory(api):
    response = api.get("/api/v1/deadlines", {"law": "eu-gdpr", "received": "2026-01-15", "region": "US-CA"})
    assert response.status_code == 400
    message = " ".join(response.json()["region"])
    assert "outside the territory of the GDPR" in message and "DE" in message
    ok = api.get("/api/v1/deadlines", {"law": "us-ca-ccpa", "received": "2026-01-15", "region": "US-CA"})
    assert ok.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, query, name",
    [
        ("/api/v1/deadlines", "law=eu-gdpr&law=uk-gdpr&received=2026-01-15&region=DE", "law"),
        ("/api/v1/deadlines", "law=eu-gdpr&received=2026-01-15&received=2026-01-16&region=DE", "received"),
        ("/api/v1/deadlines", "law=eu-gdpr&received=2026-01-15&region=DE&region=DE", "region"),
        ("/api/v1/laws/applicable", "work_country=DE&work_country=FR", "work_country"),
        ("/api/v1/laws/applicable", "work_country=US&residence_region=US-CA&residence_region=US-NY", "residence_region"),
    ],
)
def test_a_repeated_query_parameter_is_a_400_naming_it(api, path, query, name):
    response = api.get(f"{path}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [name]
    assert f"'{name}' was given 2 times; give it once." in body[name]


@pytest.mark.django_db
def test_the_calculator_refuses_a_repeated_field(api):
    response = api.get("/?work_place=DE-BY&received=2026-01-15&received=2026-02-15")
    assert response.status_code == 400
    assert "was given more than once" in response.content.decode()


@pytest.mark.django_db
def test_the_calculator_takes_each_law_s_holidays_from_inside_its_territory(api):
    # A Californian resident who worked in Bavaria for a German employer: the GDPR uses DE-BY, the CCPA
    # cannot use German holidays and falls back to the residence, US-CA (and says so).
    html = api.get("/", {"work_place": "DE-BY", "residence": "US-CA", "received": "2026-06-01"}).content.decode()
    assert 'id="regime-us-ca-ccpa"' in html and 'id="regime-eu-gdpr"' in html
    assert "DE-BY is outside the territory of the CCPA, so the holidays of" in html
    # 45 days under Civ. Code §10 from Mon 1 Jun 2026 → Thu 16 Jul 2026 (the later reading).
    assert "Thursday 16 July 2026" in html
