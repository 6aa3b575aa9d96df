"""Holiday regions: parsing ISO 3166 codes and public holidays per country / subdivision.

Holiday facts below were confirmed with the holidays library directly and a calendar.
"""

from __future__ import annotations

from datetime import date

import pytest

from deletion_portal.laws.regions import (
    Region,
    UnknownRegion,
    holiday_name,
    is_working_day,
    non_working_reason,
    parse_region,
    region_choices,
)

D = date


@pytest.mark.parametrize(
    ("raw", "code", "country", "subdivision"),
    [
        ("DE", "DE", "DE", ""),
        ("de-by", "DE-BY", "DE", "BY"),
        ("  De-By  ", "DE-BY", "DE", "BY"),
        ("GB-ENG", "GB-ENG", "GB", "ENG"),
        ("uk-sct", "GB-SCT", "GB", "SCT"),
        ("UK", "GB", "GB", ""),
        ("us-ca", "US-CA", "US", "CA"),
        ("CA-QC", "CA-QC", "CA", "QC"),
        ("fr", "FR", "FR", ""),
        ("KR", "KR", "KR", ""),
    ],
)
def test_it_parses_and_normalises_codes(raw: str, code: str, country: str, subdivision: str) -> None:
    region = parse_region(raw)
    assert (region.code, region.country, region.subdivision) == (code, country, subdivision)


def test_it_gives_readable_names_from_the_holidays_library() -> None:
    assert parse_region("DE-BY").name == "Germany – Bayern (BY)"
    assert parse_region("GB-ENG").name == "United Kingdom – England (ENG)"
    assert parse_region("US-CA").name == "United States of America – California (CA)"
    assert parse_region("FR").name == "France (FR)"


def test_it_passes_a_region_through() -> None:
    region = parse_region("DE-BY")
    assert parse_region(region) is region
    assert str(region) == "DE-BY"


@pytest.mark.parametrize("raw", ["", "   ", "XX", "Germany", "DE-", "123"])
def test_it_rejects_unknown_codes_saying_what_is_valid(raw: str) -> None:
    with pytest.raises(UnknownRegion) as excinfo:
        parse_region(raw)
    assert "ISO 3166 country or country-subdivision code such as DE, DE-BY, GB-ENG, US-CA" in str(excinfo.value)


def test_it_lists_the_valid_subdivisions_for_a_known_country() -> None:
    with pytest.raises(UnknownRegion) as excinfo:
        parse_region("GB-XYZ")
    message = str(excinfo.value)
    assert "GB-ENG, GB-NIR, GB-SCT, GB-WLS" in message


def test_it_says_when_a_country_has_no_subdivisions() -> None:
    with pytest.raises(UnknownRegion, match="KR has no subdivisions"):
        parse_region("KR-11")


def test_unknown_region_is_a_value_error() -> None:
    assert issubclass(UnknownRegion, ValueError)


@pytest.mark.parametrize(
    ("day", "region", "name"),
    [
        (D(2026, 1, 6), "DE-BY", "Epiphany"),
        (D(2026, 1, 6), "DE-BE", None),
        (D(2026, 6, 4), "DE-BY", "Corpus Christi"),
        (D(2026, 6, 4), "DE-BE", None),
        (D(2026, 1, 2), "GB-SCT", "New Year Holiday"),
        (D(2026, 1, 2), "GB-ENG", None),
        (D(2026, 12, 28), "GB-ENG", "Boxing Day (observed)"),
        (D(2026, 11, 11), "US-CA", "Veterans Day"),
        (D(2026, 3, 31), "US-CA", "Cesar Chavez Day"),
        (D(2026, 4, 21), "BR", "Tiradentes' Day"),
        (D(2026, 4, 29), "JP", "Showa Day"),
        (D(2026, 4, 10), "DE", None),
    ],
)
def test_it_knows_public_holidays_per_region(day: date, region: str, name: str | None) -> None:
    assert holiday_name(day, parse_region(region)) == name
    assert is_working_day(day, region) is (name is None)


def test_weekends_are_never_working_days() -> None:
    assert not is_working_day(D(2026, 3, 14), "DE")  # Saturday
    assert not is_working_day(D(2026, 3, 15), "US-CA")  # Sunday
    assert is_working_day(D(2026, 3, 16), "KR")  # Monday


def test_it_explains_why_a_day_is_not_a_working_day() -> None:
    assert non_working_reason(D(2026, 12, 26), "GB-ENG") == "a Saturday and a public holiday in GB-ENG (Boxing Day)"
    assert non_working_reason(D(2026, 12, 27), "GB-ENG") == "a Sunday"
    assert non_working_reason(D(2026, 1, 6), "DE-BY") == "a public holiday in DE-BY (Epiphany)"
    assert non_working_reason(D(2026, 1, 7), "DE-BY") is None


def test_it_offers_choices_for_a_select_sorted_by_name() -> None:
    choices = region_choices(["GB"])
    assert choices == [
        ("GB", "United Kingdom (GB)"),
        ("GB-ENG", "United Kingdom – England (ENG)"),
        ("GB-NIR", "United Kingdom – Northern Ireland (NIR)"),
        ("GB-SCT", "United Kingdom – Scotland (SCT)"),
        ("GB-WLS", "United Kingdom – Wales (WLS)"),
    ]


def test_it_offers_every_subdivision_of_the_countries_asked_for() -> None:
    choices = dict(region_choices(["de", "uk", "CA"]))
    assert {"DE", "DE-BY", "DE-BE", "GB-SCT", "CA", "CA-QC", "CA-ON"} <= set(choices)
    assert not any(code.startswith("US") for code in choices)
    names = [name for _, name in region_choices(["de", "uk", "CA"])]
    assert names == sorted(names, key=str.casefold)
    assert all(" " not in code for code in choices)  # no pseudo-subdivisions such as FR "Zone A"


def test_every_offered_choice_parses_back_to_itself() -> None:
    for code, name in region_choices(["DE", "GB", "US", "CA", "FR", "BR", "KR", "JP", "CH"]):
        region = parse_region(code)
        assert region.code == code and region.name == name


def test_it_rejects_unknown_countries_in_choices() -> None:
    with pytest.raises(UnknownRegion):
        region_choices(["XX"])


def test_region_is_frozen() -> None:
    region = parse_region("DE")
    with pytest.raises(AttributeError):
        region.code = "FR"  # type: ignore[misc]
    assert isinstance(region, Region)
