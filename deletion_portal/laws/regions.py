"""Holiday regions: ISO 3166 country / subdivision codes and their public holidays.

Built on the ``holidays`` library (public holidays only, its default category). A region is a
country (``FR``) or a country subdivision (``DE-BY``, ``GB-ENG``, ``US-CA``, ``CA-QC``): sub-national
holidays matter for deadlines (LEGAL.md §2 rule 4: a German Land, a Spanish region, UK nations).

Weekend = Saturday and Sunday for every region. That is right for every regime we model (EU, UK,
US, Canada, Brazil, South Korea, Japan, Switzerland); a region with a Friday/Saturday weekend would
need a per-country weekend here.

Pure: no database, no Django imports; the holiday tables are computed lazily and cached in memory.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays
from holidays.registry import COUNTRIES

__all__ = [
    "Region",
    "UnknownRegion",
    "holiday_name",
    "is_working_day",
    "non_working_reason",
    "parse_region",
    "region_choices",
]

_VALID_HINT = "an ISO 3166 country or country-subdivision code such as DE, DE-BY, GB-ENG, US-CA"

#: Country codes people write that are not the ISO 3166 code.
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}

#: Codes that are ISO 3166-2 style (letters/digits, up to 3); the holidays library also lists a few
#: non-ISO pseudo-subdivisions (e.g. FR "Zone A", DE "Augsburg") that we accept but do not offer.
_ISO_SUBDIVISION = re.compile(r"^[A-Z0-9]{1,3}$")

_WEEKEND = (5, 6)  # Saturday, Sunday: see the module docstring


class UnknownRegion(ValueError):
    """The code is not a country or subdivision the holiday tables know."""


@dataclass(frozen=True)
class Region:
    code: str  # normalised, e.g. "DE-BY", "GB-ENG", "US-CA", "FR"
    country: str  # "DE"
    subdivision: str  # "BY" or ""
    name: str  # e.g. "Germany – Bayern (BY)"

    def __str__(self) -> str:
        return self.code


# --- holiday library metadata ----------------------------------------------------------------


@lru_cache(maxsize=None)
def _country_classes() -> dict[str, str]:
    """ISO alpha-2 code -> class name in the holidays registry (e.g. "GB" -> "UnitedKingdom")."""
    return {entry[1]: entry[0] for entry in COUNTRIES.values()}


@lru_cache(maxsize=None)
def _country_class(country: str) -> type:
    entity = getattr(holidays, _country_classes()[country])
    # The package exposes lazy loaders; ask for the real class (its docstring holds the name).
    get_entity = getattr(entity, "get_entity", None)
    return get_entity() if callable(get_entity) else entity


@lru_cache(maxsize=None)
def _country_name(country: str) -> str:
    cls = _country_class(country)
    doc = (cls.__doc__ or "").strip().splitlines()
    name = doc[0].strip() if doc else ""
    name = re.sub(r"\s+holidays\.?$", "", name).replace(" (the)", "").strip()
    if not name:  # fall back to the class name: "UnitedKingdom" -> "United Kingdom"
        name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", cls.__name__)
    return name


def _subdivisions(country: str) -> tuple[str, ...]:
    return tuple(getattr(_country_class(country), "subdivisions", ()) or ())


@lru_cache(maxsize=None)
def _subdivision_names(country: str) -> dict[str, str]:
    """Subdivision code -> a readable name taken from the holidays library's aliases."""
    aliases: dict[str, str] = getattr(_country_class(country), "subdivisions_aliases", {}) or {}
    names: dict[str, str] = {}
    for alias, code in aliases.items():
        if code in names:
            continue
        if _ISO_SUBDIVISION.match(alias):  # e.g. FR "GP" for "971": an alternative code, not a name
            continue
        names[code] = alias
    return names


def _region_name(country: str, subdivision: str) -> str:
    country_name = _country_name(country)
    if not subdivision:
        return f"{country_name} ({country})"
    sub_name = _subdivision_names(country).get(subdivision)
    if sub_name and sub_name != subdivision:
        return f"{country_name} – {sub_name} ({subdivision})"
    return f"{country_name} – {subdivision}"


# --- parsing ---------------------------------------------------------------------------------


def parse_region(code: str | Region) -> Region:
    """Normalise a region code: case-insensitive, surrounding spaces stripped, ``UK`` -> ``GB``.

    Raises ``UnknownRegion`` with the valid forms (and, for a known country with a wrong
    subdivision, that country's valid subdivisions).
    """
    if isinstance(code, Region):
        return code
    raw = (code or "").strip()
    if not raw:
        raise UnknownRegion(f"No region given: expected {_VALID_HINT}.")
    country_part, sep, sub_part = raw.replace("_", "-").partition("-")
    country = country_part.strip().upper()
    country = _COUNTRY_ALIASES.get(country, country)
    if country not in _country_classes():
        raise UnknownRegion(f"Unknown region {raw!r}: expected {_VALID_HINT}.")
    sub_part = sub_part.strip()
    if not sep or not sub_part:
        if sep:
            raise UnknownRegion(f"Unknown region {raw!r}: expected {_VALID_HINT}.")
        return Region(code=country, country=country, subdivision="", name=_region_name(country, ""))
    subdivision = _match_subdivision(country, sub_part)
    if subdivision is None:
        valid = [s for s in _subdivisions(country) if _ISO_SUBDIVISION.match(s)]
        if valid:
            listing = ", ".join(f"{country}-{s}" for s in valid)
            detail = f"valid subdivisions of {country} are {listing} (or {country} alone)"
        else:
            detail = f"{country} has no subdivisions in the holiday tables; use {country}"
        raise UnknownRegion(f"Unknown region {raw!r}: expected {_VALID_HINT}; {detail}.")
    return Region(
        code=f"{country}-{subdivision.upper()}",
        country=country,
        subdivision=subdivision,
        name=_region_name(country, subdivision),
    )


def _match_subdivision(country: str, text: str) -> str | None:
    wanted = text.casefold()
    for sub in _subdivisions(country):
        if sub.casefold() == wanted:
            return sub
    aliases: dict[str, str] = getattr(_country_class(country), "subdivisions_aliases", {}) or {}
    for alias, sub in aliases.items():
        if alias.casefold() == wanted:
            return sub
    return None


# --- holidays --------------------------------------------------------------------------------

_LOCK = threading.Lock()


@lru_cache(maxsize=256)
def _holiday_table(country: str, subdivision: str) -> holidays.HolidayBase:
    # Public holidays only (the library's default category). ``expand`` (default) fills in each
    # year on first use; the lookups below hold a lock because filling in mutates the dict.
    return holidays.country_holidays(country, subdiv=subdivision or None, years=())


def holiday_name(day: date, region: Region | str) -> str | None:
    """The public holiday's name on ``day`` in ``region``, or None."""
    region = parse_region(region)
    table = _holiday_table(region.country, region.subdivision)
    with _LOCK:
        return table.get(day)


def is_working_day(day: date, region: Region | str) -> bool:
    """Not a Saturday or Sunday and not a public holiday of ``region``."""
    if day.weekday() in _WEEKEND:
        return False
    return holiday_name(day, region) is None


def non_working_reason(day: date, region: Region | str) -> str | None:
    """Why ``day`` is not a working day, e.g. "a Saturday" / "a public holiday in GB-ENG (Boxing Day)"."""
    region = parse_region(region)
    name = holiday_name(day, region)
    if day.weekday() in _WEEKEND:
        weekday = day.strftime("%A")
        return f"a {weekday} and a public holiday in {region.code} ({name})" if name else f"a {weekday}"
    if name:
        return f"a public holiday in {region.code} ({name})"
    return None


def region_choices(countries: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(code, name) for each country and each of its subdivisions, sorted by name, for a <select>."""
    if countries is None:
        wanted = sorted(_country_classes())
    else:
        wanted = []
        for c in countries:
            code = _COUNTRY_ALIASES.get(c.strip().upper(), c.strip().upper())
            if code not in _country_classes():
                raise UnknownRegion(f"Unknown country {c!r}: expected {_VALID_HINT}.")
            if code not in wanted:
                wanted.append(code)
    choices: list[tuple[str, str]] = []
    for country in wanted:
        choices.append((country, _region_name(country, "")))
        for sub in _subdivisions(country):
            if _ISO_SUBDIVISION.match(sub):
                choices.append((f"{country}-{sub}", _region_name(country, sub)))
    return sorted(choices, key=lambda choice: (choice[1].casefold(), choice[0]))
