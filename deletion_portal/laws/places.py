"""The places a person can choose in the calculator: the countries our law records cover, with
states, provinces or nations where a law or the public holidays differ inside the country."""

from __future__ import annotations

from functools import lru_cache

from deletion_portal.laws.regions import parse_region, region_choices
from deletion_portal.laws.registry import all_regimes

#: Countries whose subdivisions are offered: laws differ by US state and Canadian province; bank
#: holidays by UK nation; public holidays by German Land, Spanish community, Austrian and Swiss
#: canton/state, Australian state and Brazilian state.
SUBDIVIDED_COUNTRIES = ("US", "CA", "GB", "DE", "ES", "AT", "CH", "AU", "BR")


@lru_cache(maxsize=1)
def covered_countries() -> tuple[str, ...]:
    countries: set[str] = set()
    for regime in all_regimes():
        countries.update(regime.countries)
        countries.update(code.split("-")[0] for code in regime.regions)
    return tuple(sorted(countries))


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    choices = [(code, parse_region(code).name) for code in covered_countries()]
    return sorted(choices, key=lambda choice: choice[1])


@lru_cache(maxsize=1)
def place_choices() -> list:
    """Grouped choices for a <select>: one group per country, the whole country first."""
    groups = []
    for country, country_name in country_choices():
        if country not in SUBDIVIDED_COUNTRIES:
            groups.append((country, country_name))
            continue
        subdivisions = [
            (code, name) for code, name in region_choices([country]) if code != country
        ]
        groups.append((country_name, [(country, f"{country_name} (anywhere)")] + subdivisions))
    return groups
