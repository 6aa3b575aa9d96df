"""Holiday regions: ISO 3166 country / subdivision codes and their public holidays.

Built on the ``holidays`` library (public holidays only, its default category). A region is a
country (``FR``) or a country subdivision (``DE-BY``, ``GB-ENG``, ``US-CA``, ``CA-QC``): sub-national
holidays matter for deadlines (LEGAL.md §2 rule 4: a German Land, a Spanish region, UK nations).

Which days an end moves off is a property of the period (``Period.non_working_days``):

* ``weekends_and_public_holidays`` (the default): Saturdays, Sundays and the region's public holidays
  from the ``holidays`` library (EU Regulation 1182/71 Art. 3(4), ICO, Swiss CO Art. 78(1) with SR
  173.110.3 Art. 1, Cal. Civ. Code §§10, 12a …).
* ``ca_interpretation_act_holidays``: the *holidays* of the Canadian Interpretation Act, R.S.C. 1985,
  c. I-21, s.35 (see :func:`ca_interpretation_act_holiday`); s.26 moves an end off such a holiday. A
  Saturday is **not** one of them.

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
from dateutil.easter import easter
from dateutil.relativedelta import MO, relativedelta
from holidays.registry import COUNTRIES

__all__ = [
    "NON_WORKING_DAYS",
    "Region",
    "RegionOutsideTerritory",
    "UnknownRegion",
    "ca_interpretation_act_holiday",
    "check_region_for_law",
    "holiday_name",
    "is_working_day",
    "non_working_reason",
    "parse_region",
    "region_choices",
    "region_for_law",
    "region_in_territory",
    "territory_codes",
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


class RegionOutsideTerritory(UnknownRegion):
    """A real region, but not one where the law applies (e.g. ``US-CA`` holidays for a GDPR case)."""


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


#: The values of ``Period.non_working_days`` (see the module docstring).
NON_WORKING_DAYS: tuple[str, ...] = ("weekends_and_public_holidays", "ca_interpretation_act_holidays")

_WEEKENDS_AND_PUBLIC = NON_WORKING_DAYS[0]
_CA_S35 = NON_WORKING_DAYS[1]

#: National Day for Truth and Reconciliation: added to s.35(1) in 2021 (Bill C-5, 43rd Parliament; first kept 30 Sep 2021).
_TRUTH_AND_RECONCILIATION_FROM = 2021


@lru_cache(maxsize=64)
def _ca_s35_federal(year: int) -> dict[date, str]:
    """The federal holidays named in Interpretation Act s.35(1) for ``year``, and s.35(2).

    s.35(1) "holiday": Sunday (handled by the caller); New Year's Day; Good Friday; Easter Monday;
    Christmas Day; the day fixed for the Sovereign's birthday and Victoria Day (both kept on the
    Monday before 25 May); Canada Day (1 July, or 2 July when 1 July is a Sunday, Holidays Act s.2); Labour Day (first Monday in September); the National Day for
    Truth and Reconciliation (30 September, from 2021); Remembrance Day (11 November); and any day
    proclaimed a day of thanksgiving (Thanksgiving, the second Monday in October). Boxing Day is
    **not** in the federal list; it counts only where a province makes it a holiday (s.35(1)(a)).
    s.35(2): when New Year's Day, Canada Day or Remembrance Day falls on a Sunday, the next day is
    also a holiday.
    """
    days: dict[date, str] = {}
    sunday_rule: list[tuple[date, str]] = []

    def add(day: date, name: str) -> None:
        days[day] = f"{days[day]}; {name}" if day in days else name

    new_year = date(year, 1, 1)
    add(new_year, "New Year's Day")
    sunday_rule.append((new_year, "New Year's Day"))
    good_friday = easter(year) - relativedelta(days=2)
    add(good_friday, "Good Friday")
    add(easter(year) + relativedelta(days=1), "Easter Monday")
    add(date(year, 5, 24) + relativedelta(weekday=MO(-1)), "Victoria Day")
    canada = date(year, 7, 1)
    add(canada if canada.weekday() != 6 else date(year, 7, 2), "Canada Day")
    add(date(year, 9, 1) + relativedelta(weekday=MO(+1)), "Labour Day")
    if year >= _TRUTH_AND_RECONCILIATION_FROM:
        add(date(year, 9, 30), "National Day for Truth and Reconciliation")
    add(date(year, 10, 1) + relativedelta(weekday=MO(+2)), "Thanksgiving Day")
    remembrance = date(year, 11, 11)
    add(remembrance, "Remembrance Day")
    sunday_rule.append((remembrance, "Remembrance Day"))
    add(date(year, 12, 25), "Christmas Day")
    for day, name in sunday_rule:
        if day.weekday() == 6:
            add(day + relativedelta(days=1), f"the day after {name} on a Sunday, s.35(2)")
    return days


def ca_interpretation_act_holiday(day: date, region: Region | str) -> str | None:
    """The name of the Interpretation Act s.35 *holiday* on ``day``, or None (a Saturday is never one).

    Sunday and the federal holidays of s.35(1) (see ``_ca_s35_federal``); for a province (``CA-ON``)
    also the province's public holidays from the ``holidays`` library, standing in for s.35(1)(a)
    ("in any province, any day appointed ... to be observed as a public holiday ... and any day that is a
    non-juridical day by virtue of an Act of the legislature of the province"); municipal civic
    holidays (s.35(1)(b)) are not known and not counted.
    """
    region = parse_region(region)
    names: list[str] = []
    if day.weekday() == 6:
        names.append("Sunday")
    federal = _ca_s35_federal(day.year).get(day)
    if federal:
        names.append(federal)
    if region.country == "CA" and region.subdivision:
        provincial = _provincial_table(region.subdivision)
        with _LOCK:
            name = provincial.get(day)
        if name and not federal:
            names.append(f"{name} ({region.code})")
    return "; ".join(names) or None


@lru_cache(maxsize=32)
def _provincial_table(subdivision: str) -> holidays.HolidayBase:
    # s.35 names the days themselves, so no "observed" substitutes (a Saturday holiday stays there).
    return holidays.country_holidays("CA", subdiv=subdivision, observed=False, years=())


def is_working_day(day: date, region: Region | str, non_working_days: str = _WEEKENDS_AND_PUBLIC) -> bool:
    """Not a day an end moves off: by default not a Saturday, Sunday or public holiday of ``region``."""
    return non_working_reason(day, region, non_working_days) is None


def non_working_reason(day: date, region: Region | str, non_working_days: str = _WEEKENDS_AND_PUBLIC) -> str | None:
    """Why an end on ``day`` moves, e.g. "a Saturday" / "a public holiday in GB-ENG (Boxing Day)"; None
    when it does not. ``non_working_days`` is one of ``NON_WORKING_DAYS``."""
    region = parse_region(region)
    if non_working_days == _CA_S35:
        name = ca_interpretation_act_holiday(day, region)
        return f"a holiday under Interpretation Act s.35 ({name})" if name else None
    if non_working_days != _WEEKENDS_AND_PUBLIC:
        raise ValueError(f"Unknown non_working_days {non_working_days!r}: expected one of {', '.join(NON_WORKING_DAYS)}")
    name = holiday_name(day, region)
    if day.weekday() in _WEEKEND:
        weekday = day.strftime("%A")
        return f"a {weekday} and a public holiday in {region.code} ({name})" if name else f"a {weekday}"
    if name:
        return f"a public holiday in {region.code} ({name})"
    return None


# --- territory -------------------------------------------------------------------------------


def territory_codes(regime) -> tuple[str, ...]:
    """Where ``regime`` (a ``laws.types.Regime``) is the law: its countries, then its regions."""
    return tuple(regime.countries) + tuple(regime.regions)


def region_in_territory(regime, region: Region | str) -> bool:
    """Whether ``region``'s holidays can be a deadline's holidays under ``regime``: the region is one
    of the regime's countries (or a subdivision of one: ``DE-BY`` for the GDPR) or one of its regions
    (``US-CA`` for the CCPA; ``US`` alone is not California). Raises ``UnknownRegion`` for a bad code."""
    region = parse_region(region)
    return region.country in regime.countries or region.code in regime.regions


def region_for_law(regime, region: Region | str, *, fallbacks: Iterable[str] = ()) -> Region:
    """``region`` when it is inside ``regime``'s territory; else the first of ``fallbacks`` (the person's
    other places, e.g. work region, residence, employer country; blanks skipped) that is; else the
    territory itself (its first country or region). For a form that derives one holiday region from
    several places (the calculator shows several laws at once)."""
    parsed = parse_region(region)
    if region_in_territory(regime, parsed):
        return parsed
    for code in fallbacks:
        if code and region_in_territory(regime, code):
            return parse_region(code)
    return parse_region(territory_codes(regime)[0])


def check_region_for_law(regime, region: Region | str) -> Region:
    """The parsed region when it belongs to ``regime``'s territory; else ``RegionOutsideTerritory``
    (an ``UnknownRegion``) with a message naming the valid territory."""
    parsed = parse_region(region)
    if region_in_territory(regime, parsed):
        return parsed
    parts = []
    if regime.countries:
        parts.append(
            f"a country where it is the law ({', '.join(regime.countries)}) or one of its subdivisions, "
            f"such as {regime.countries[0]}-…"
            if len(regime.countries) > 1
            else f"{regime.countries[0]} or one of its subdivisions"
        )
    if regime.regions:
        parts.append(", ".join(regime.regions))
    raise RegionOutsideTerritory(
        f"Region {parsed.code} is outside the territory of the {regime.short_name}: its deadlines use the "
        f"holidays of {' or '.join(parts)}."
    )


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
