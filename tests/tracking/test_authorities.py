"""The supervisory authorities: the EU/EEA list, routing, and the Art. 77 choices."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from deletion_portal.tracking.authorities import (
    DATA_FILE,
    UnknownAuthority,
    authority_choices,
    authority_for_case,
    eu_authorities,
)

EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
EEA = ["IS", "LI", "NO"]
LAENDER = "BW BY BE BB HB HH HE MV NI NW RP SL SN ST SH TH".split()


def test_every_eu_and_eea_authority_is_listed():
    countries = [a.key for a in eu_authorities() if not a.region]
    assert sorted(countries) == sorted(EU + EEA)
    assert len(countries) == 30
    assert sorted(a.region for a in eu_authorities() if a.region) == sorted(f"DE-{code}" for code in LAENDER)


def test_every_entry_is_marked_unverified_and_has_https_urls():
    raw = json.loads(DATA_FILE.read_text())
    assert "from memory" in raw["_comment"].lower()
    for authority in eu_authorities():
        assert authority.verification == "verify"
        assert authority.name
        for url in (authority.website, authority.complaint_url):
            assert urlparse(url).scheme == "https" and urlparse(url).netloc
        if authority.complaint_url_is_home_page:
            assert authority.complaint_url == authority.website


def suggested(case, *, law: str = "eu-gdpr", country: str = "", region: str = ""):
    """The authority suggested for a case whose every place (work, residence, employer) is ``country``."""
    case.law_key = law
    case.work_country = case.residence_country = case.employer_country = country
    case.work_region = case.residence_region = case.region = region
    return authority_for_case(case, None)


def test_eu_routing_by_country_and_land(draft_case):
    assert suggested(draft_case, country="FR").name.endswith("(CNIL)")
    assert suggested(draft_case, country="DE", region="DE-BY").name.startswith("Bayerisches Landesamt")
    assert "BfDI" in suggested(draft_case, country="DE").name
    assert suggested(draft_case, country="NO").key == "NO"
    with pytest.raises(UnknownAuthority):
        suggested(draft_case, country="US")


@pytest.mark.parametrize(("law", "expected"), [
    ("uk-gdpr", "Information Commissioner's Office (ICO)"),
    ("us-ca-ccpa", "California Privacy Protection Agency (CPPA)"),
    ("ca-pipeda", "Office of the Privacy Commissioner of Canada (OPC)"),
    ("ca-qc-law25", "Commission d'accès à l'information du Québec (CAI)"),
    ("br-lgpd", "Autoridade Nacional de Proteção de Dados (ANPD)"),
    ("ch-fadp", "Federal Data Protection and Information Commissioner (FDPIC)"),
    ("kr-pipa", "Personal Information Protection Commission (PIPC)"),
])
def test_other_regimes_use_their_own_authority(draft_case, law, expected):
    authority = suggested(draft_case, law=law, country="XX")
    assert authority.name == expected
    assert authority.key == law


def test_the_ico_link_is_a_complaint_page_the_cppa_a_home_page(draft_case):
    assert suggested(draft_case, law="uk-gdpr").complaint_url_is_home_page is False
    assert suggested(draft_case, law="us-ca-ccpa").complaint_url_is_home_page is True


def test_art_77_choices_suggest_the_place_of_work_first(draft_case):
    draft_case.work_country, draft_case.work_region = "DE", "DE-BE"
    draft_case.residence_country, draft_case.residence_region = "FR", ""
    draft_case.employer_country, draft_case.region = "DE", "DE-BY"
    choices = authority_choices(draft_case)
    assert [c.key for c in choices] == ["DE-BE", "FR", "DE-BY"]
    assert choices[0].suggested and not choices[1].suggested
    assert choices[0].grounds == ("place of work",)
    assert choices[2].grounds == ("place of the infringement",)


def test_art_77_choices_are_deduplicated(draft_case):
    # The fixture: works and lives in Bavaria, employer in Germany with Bavarian holidays.
    choices = authority_choices(draft_case)
    assert len(choices) == 1
    assert choices[0].key == "DE-BY"
    assert choices[0].grounds == ("place of work", "habitual residence", "place of the infringement")


def test_places_outside_the_eea_are_skipped(draft_case):
    draft_case.residence_country, draft_case.residence_region = "US", "US-CA"
    assert "US" not in {c.authority.country for c in authority_choices(draft_case)}


def test_a_case_may_only_choose_its_authorities(draft_case):
    assert authority_for_case(draft_case, None).key == "DE-BY"
    with pytest.raises(UnknownAuthority):
        authority_for_case(draft_case, "FR")


def test_non_eu_case_has_one_choice(draft_case):
    draft_case.law_key = "uk-gdpr"
    choices = authority_choices(draft_case)
    assert len(choices) == 1 and choices[0].authority.name == "Information Commissioner's Office (ICO)"
