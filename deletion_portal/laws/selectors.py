"""Reads for the calculator, the API and (later) cases: which laws apply and their dates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from deletion_portal.laws.applicability import Match, applicable_regimes
from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.regions import Region, parse_region, region_for_law
from deletion_portal.laws.types import DeadlineResult, Regime, Step


@dataclass(frozen=True)
class RegimeDeadlines:
    regime: Regime
    reason: str
    citation: str
    deadlines: DeadlineResult


@dataclass(frozen=True)
class CalculatorResult:
    received: date
    holiday_region: Region
    applicable: tuple[RegimeDeadlines, ...]
    excluded: tuple[Match, ...]


def calculator_results(
    *,
    received: date,
    work_country: str,
    work_region: str = "",
    residence_country: str = "",
    residence_region: str = "",
    employer_country: str = "",
    holiday_region: str,
) -> CalculatorResult:
    region = parse_region(holiday_region)
    found = applicable_regimes(
        work_country=work_country,
        work_region=work_region,
        residence_country=residence_country,
        residence_region=residence_region,
        employer_country=employer_country,
    )
    places = [work_region or work_country, residence_region or residence_country, employer_country]
    applicable = tuple(
        RegimeDeadlines(
            regime=match.regime,
            reason=match.reason,
            citation=match.citation,
            deadlines=_deadlines_in_territory(match.regime, received=received, region=region, places=places),
        )
        for match in found.applicable
    )
    return CalculatorResult(received=received, holiday_region=region, applicable=applicable, excluded=found.excluded)


def _deadlines_in_territory(regime: Regime, *, received: date, region: Region, places: list[str]) -> DeadlineResult:
    """The regime's dates with holidays from inside its territory (``regions.region_in_territory``).

    The calculator has one holiday region for every law it shows; where that region is outside a law's
    territory (a Californian resident whose employer is in Germany: the CCPA's dates cannot use German
    holidays), the first of the person's places inside the territory is used instead, else the
    territory itself, and the trail says so.
    """
    used = region_for_law(regime, region, fallbacks=places)
    result = compute_deadlines(regime, received=received, region=used)
    if used == region:
        return result
    note = Step(
        "note",
        f"Holidays: {region.code} is outside the territory of the {regime.short_name}, so the holidays of "
        f"{used.name} are used for its dates.",
        regime.holidays.citation,
    )
    return replace(result, steps=(note, *result.steps))
