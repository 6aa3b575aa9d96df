"""Which law records apply to a person, from where they worked, live and were employed.

Data-driven: each record's ``applicability`` clauses (``ApplicabilityClause`` in types.py) say when it
applies; this module only matches them. A regime matches when any of its clauses matches, and the
first matching clause gives the reason and citation. A clause matches when every condition it sets
matches (unset ones are ignored), and the person's work region is not one of its ``not_work_regions``.

Defaults: an empty ``residence_country`` is the work country; an empty ``residence_region`` is the
work region only when the person lives in the country they worked in; an empty ``employer_country``
is the work country. A region such as ``US-VA`` implies its country.

Codes are normalised to upper case and checked for shape only (two letters; ``XX-YYY`` for regions).
Callers validate them against ISO 3166 first; this module is defensive and raises ``ValueError``
naming the field for anything malformed or contradictory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from deletion_portal.laws.registry import all_regimes
from deletion_portal.laws.types import ApplicabilityClause, Regime

__all__ = ["Applicability", "Match", "Person", "applicable_regimes"]

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REGION = re.compile(r"^([A-Z]{2})-[A-Z0-9]{1,3}$")


@dataclass(frozen=True)
class Match:
    regime: Regime
    reason: str
    citation: str


@dataclass(frozen=True)
class Applicability:
    applicable: tuple[Match, ...]  # coverage "covered" or "partial", in registry order
    excluded: tuple[Match, ...]  # coverage "excluded" records that match, with why


@dataclass(frozen=True)
class Person:
    """Where a person worked, lives and was employed, after defaults: every field set except regions."""

    work_country: str
    work_region: str
    residence_country: str
    residence_region: str
    employer_country: str


def applicable_regimes(
    *,
    work_country: str,
    work_region: str = "",
    residence_country: str = "",
    residence_region: str = "",
    employer_country: str = "",
    regimes: Iterable[Regime] | None = None,
) -> Applicability:
    """The regimes that apply (``applicable``) and those that match but exclude employees (``excluded``).

    ``regimes`` defaults to every record in the registry (tests may pass their own).
    """
    person = person_from(
        work_country=work_country,
        work_region=work_region,
        residence_country=residence_country,
        residence_region=residence_region,
        employer_country=employer_country,
    )
    applicable: list[Match] = []
    excluded: list[Match] = []
    for regime in all_regimes() if regimes is None else regimes:
        clause = next((c for c in regime.applicability if clause_matches(c, person)), None)
        if clause is None:
            continue
        match = Match(regime=regime, reason=clause.reason, citation=clause.citation)
        (excluded if regime.coverage.status == "excluded" else applicable).append(match)
    return Applicability(applicable=tuple(applicable), excluded=tuple(excluded))


def person_from(
    *,
    work_country: str,
    work_region: str = "",
    residence_country: str = "",
    residence_region: str = "",
    employer_country: str = "",
) -> Person:
    """Normalise, check and default the inputs (see the module docstring)."""
    work_region = _region(work_region, "work_region")
    work_country = _country(work_country, "work_country", region=work_region, region_field="work_region")
    if not work_country:
        raise ValueError("work_country: a work country (or a work region such as US-VA) is required.")

    residence_region = _region(residence_region, "residence_region")
    residence_country = _country(
        residence_country, "residence_country", region=residence_region, region_field="residence_region"
    ) or work_country
    if not residence_region and residence_country == work_country:
        residence_region = work_region

    employer_country = _country(employer_country, "employer_country") or work_country
    return Person(
        work_country=work_country,
        work_region=work_region,
        residence_country=residence_country,
        residence_region=residence_region,
        employer_country=employer_country,
    )


def clause_matches(clause: ApplicabilityClause, person: Person) -> bool:
    conditions = (
        (clause.work_countries, person.work_country),
        (clause.work_regions, person.work_region),
        (clause.residence_countries, person.residence_country),
        (clause.residence_regions, person.residence_region),
        (clause.employer_countries, person.employer_country),
    )
    if any(allowed and value not in allowed for allowed, value in conditions):
        return False
    return not (person.work_region and person.work_region in clause.not_work_regions)


def _region(value: str, field: str) -> str:
    value = _clean(value, field)
    if value and not _REGION.match(value):
        raise ValueError(f"{field}: {value[:20]!r} is not a region code such as US-CA or CA-QC.")
    return value


def _country(value: str, field: str, *, region: str = "", region_field: str = "") -> str:
    value = _clean(value, field)
    if value and not _COUNTRY.match(value):
        raise ValueError(f"{field}: {value[:20]!r} is not a two-letter ISO 3166 country code such as DE or US.")
    if region:
        implied = region.split("-", 1)[0]
        if value and value != implied:
            raise ValueError(f"{region_field}: {region} is not in {field} {value}.")
        value = implied
    return value


def _clean(value: str, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{field}: must be a string, got {type(value).__name__}.")
    return value.strip().upper()
