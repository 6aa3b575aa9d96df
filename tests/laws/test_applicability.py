"""Which laws apply to a person, from where they worked, live and were employed.

Each row names the rule the record's applicability clause encodes (the citation is in the test id).
"""

from __future__ import annotations

import re

import pytest

from deletion_portal.laws.applicability import Applicability, applicable_regimes, person_from
from deletion_portal.laws.registry import get_regime


def _keys(matches) -> list[str]:
    return [m.regime.key for m in matches]


def _match(result: Applicability, key: str):
    return next(m for m in result.applicable + result.excluded if m.regime.key == key)


@pytest.mark.parametrize(
    "person, applicable, excluded, citations",
    [
        pytest.param(dict(work_country="DE", employer_country="DE"), ["eu-gdpr"], [], {"eu-gdpr": "Art. 3(1) GDPR"},
                     id="GDPR Art. 3(1): DE worker, DE employer"),
        pytest.param(dict(work_country="FR", employer_country="US"), ["eu-gdpr"], [], {"eu-gdpr": "Art. 3(2)(b) GDPR"},
                     id="GDPR Art. 3(2)(b): worked in FR for a US employer"),
        pytest.param(dict(work_country="US", work_region="US-NY", residence_country="NO", employer_country="US"),
                     ["eu-gdpr"], [], {"eu-gdpr": "Art. 3(2)(b) GDPR"}, id="GDPR Art. 3(2)(b): lives in NO (EEA)"),
        pytest.param(dict(work_country="GB"), ["uk-gdpr"], [], {"uk-gdpr": "Art. 3(1) UK GDPR"}, id="UK GDPR Art. 3(1): GB"),
        pytest.param(dict(work_country="GB", employer_country="US"), ["uk-gdpr"], [], {"uk-gdpr": "Art. 3(2)(b) UK GDPR"},
                     id="UK GDPR Art. 3(2)(b): GB worker, US employer"),
        pytest.param(dict(work_country="US", work_region="US-VA", residence_region="US-VA", employer_country="US"),
                     [], ["us-va-vcdpa"], {}, id="VCDPA: consumer excludes employment context"),
        pytest.param(dict(work_country="US", work_region="US-CA"), ["us-ca-ccpa"], [],
                     {"us-ca-ccpa": "Cal. Civ. Code §1798.140(c), (d)"}, id="CCPA §1798.140(c)/(d): California resident"),
        pytest.param(dict(work_country="US", work_region="US-NV", residence_region="US-CA"), ["us-ca-ccpa"], [], {},
                     id="CCPA: lives in California, works in Nevada"),
        pytest.param(dict(work_country="US", work_region="US-CA", residence_region="US-NV"), [], [], {},
                     id="CCPA: works in California, lives in Nevada: not a resident"),
        pytest.param(dict(work_country="CA", work_region="CA-QC"), ["ca-pipeda", "ca-qc-law25"], [],
                     {"ca-qc-law25": "CQLR c P-39.1"}, id="Quebec CQLR c P-39.1 and PIPEDA (federal works)"),
        pytest.param(dict(work_country="CA", work_region="CA-ON"), ["ca-pipeda"], [], {"ca-pipeda": "PIPEDA (S.C. 2000, c. 5)"},
                     id="PIPEDA: Ontario"),
        pytest.param(dict(work_country="US", work_region="US-IL"), ["us-il-bipa"], [], {"us-il-bipa": "740 ILCS 14/10"},
                     id="BIPA 740 ILCS 14/10: Illinois"),
        pytest.param(dict(work_country="US", work_region="US-NY", residence_region="US-NJ"), [], ["us-nj-njdpa"], {},
                     id="NJDPA: worked in NY, lives in NJ"),
        pytest.param(dict(work_country="US", work_region="US-TX", residence_region="US-OK"), [], ["us-tx-tdpsa"], {},
                     id="TDPSA: worked in Texas"),
        pytest.param(dict(work_country="US", work_region="US-NY"), [], [], {}, id="New York: no record matches"),
        pytest.param(dict(work_country="BR"), ["br-lgpd"], [], {"br-lgpd": "Lei 13.709/2018, Art. 3"}, id="LGPD Art. 3: BR"),
        pytest.param(dict(work_country="PT", employer_country="BR"), ["eu-gdpr", "br-lgpd"], [], {}, id="LGPD Art. 3: BR employer, PT worker"),
        pytest.param(dict(work_country="CH"), ["ch-fadp"], [], {"ch-fadp": "revFADP (SR 235.1)"}, id="revFADP: CH"),
        pytest.param(dict(work_country="KR"), ["kr-pipa"], [], {}, id="PIPA: KR"),
        pytest.param(dict(work_country="JP"), ["jp-appi"], [], {}, id="APPI: JP"),
        pytest.param(dict(work_country="CN"), ["cn-pipl"], [], {"cn-pipl": "PIPL Art. 3"}, id="PIPL Art. 3: CN"),
        pytest.param(dict(work_country="IN"), ["in-dpdp"], [], {}, id="DPDP Act: IN"),
        pytest.param(dict(work_country="AU"), ["au-privacy"], [], {}, id="Privacy Act 1988: AU"),
        pytest.param(dict(work_country="NZ"), [], [], {}, id="no record for NZ"),
    ],
)
def test_it_finds_the_laws_for_a_person(person, applicable, excluded, citations):
    result = applicable_regimes(**person)
    assert _keys(result.applicable) == applicable
    assert _keys(result.excluded) == excluded
    for key, citation in citations.items():
        assert _match(result, key).citation == citation


@pytest.mark.parametrize(
    "key, coverage",
    [("ca-pipeda", "partial"), ("us-il-bipa", "partial"), ("in-dpdp", "partial"), ("au-privacy", "partial")],
)
def test_it_lists_partial_coverage_as_applicable(key, coverage):
    country, region = {"ca-pipeda": ("CA", "CA-QC"), "us-il-bipa": ("US", "US-IL"),
                       "in-dpdp": ("IN", ""), "au-privacy": ("AU", "")}[key]
    match = _match(applicable_regimes(work_country=country, work_region=region), key)
    assert match.regime.coverage.status == coverage


def test_it_explains_the_gdpr_reason_in_one_sentence():
    match = _match(applicable_regimes(work_country="DE", work_region="DE-BY"), "eu-gdpr")
    assert not re.search(r"\.\s+[A-Z]", match.reason) and "established in the EU/EEA" in match.reason


def test_it_says_why_a_virginia_employee_gets_no_help():
    result = applicable_regimes(work_country="US", work_region="US-VA")
    (match,) = result.excluded
    assert match.regime.key == "us-va-vcdpa"
    assert "employment context" in match.reason
    assert "employment" in match.regime.coverage.reason


@pytest.mark.parametrize(
    "region, fragment",
    [
        pytest.param("CA-AB", "Alberta's own PIPA", id="PIPEDA: Alberta PIPA for provincial employers"),
        pytest.param("CA-BC", "British Columbia's own PIPA", id="PIPEDA: BC PIPA for provincial employers"),
        pytest.param("CA-QC", "Law 25", id="PIPEDA: Quebec law for provincial employers"),
        pytest.param("CA-ON", "federally regulated", id="PIPEDA: federal works elsewhere"),
    ],
)
def test_it_names_the_provincial_law_that_may_apply_instead_of_pipeda(region, fragment):
    match = _match(applicable_regimes(work_country="CA", work_region=region), "ca-pipeda")
    assert fragment in match.reason


def test_it_takes_the_first_matching_clause_as_the_reason():
    # Art. 3(1) (employer in the EEA) comes before Art. 3(2)(b) (worked in the EEA).
    assert _match(applicable_regimes(work_country="FR"), "eu-gdpr").citation == "Art. 3(1) GDPR"


def test_it_keeps_registry_order():
    result = applicable_regimes(work_country="US", work_region="US-IL", residence_region="US-CA", employer_country="DE")
    assert _keys(result.applicable) == ["eu-gdpr", "us-ca-ccpa", "us-il-bipa"]


# --- Defaults and input checks ------------------------------------------------------------------------


def test_it_defaults_residence_and_employer_to_the_work_place():
    person = person_from(work_country="us", work_region="us-va")
    assert (person.residence_country, person.residence_region, person.employer_country) == ("US", "US-VA", "US")


def test_it_does_not_carry_the_work_region_to_another_country_of_residence():
    person = person_from(work_country="US", work_region="US-VA", residence_country="CA")
    assert (person.residence_country, person.residence_region) == ("CA", "")


def test_it_derives_the_country_from_a_region():
    person = person_from(work_country="", work_region="US-VA", residence_region="CA-QC")
    assert (person.work_country, person.residence_country) == ("US", "CA")
    assert "ca-qc-law25" in _keys(applicable_regimes(work_country="US", residence_region="CA-QC").applicable)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(work_country=""), "work_country"),
        (dict(work_country="Germany"), "work_country"),
        (dict(work_country="D1"), "work_country"),
        (dict(work_country="US", work_region="California"), "work_region"),
        (dict(work_country="DE", work_region="US-CA"), "work_region"),
        (dict(work_country="DE", residence_country="FR", residence_region="US-CA"), "residence_region"),
        (dict(work_country="DE", residence_country="FRA"), "residence_country"),
        (dict(work_country="DE", employer_country="US-CA"), "employer_country"),
        (dict(work_country="DE", employer_country=42), "employer_country"),
    ],
)
def test_it_rejects_bad_codes_naming_the_field(kwargs, field):
    with pytest.raises(ValueError) as error:
        applicable_regimes(**kwargs)
    assert str(error.value).startswith(f"{field}:")


def test_it_matches_only_the_regimes_it_is_given():
    result = applicable_regimes(work_country="DE", regimes=[get_regime("uk-gdpr"), get_regime("eu-gdpr")])
    assert _keys(result.applicable) == ["eu-gdpr"]
