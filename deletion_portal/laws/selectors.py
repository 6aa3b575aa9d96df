"""Reads for the calculator, the API and (later) cases: which laws apply and their dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from deletion_portal.laws.applicability import Match, applicable_regimes
from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.regions import Region, parse_region
from deletion_portal.laws.types import DeadlineResult, Regime


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
    applicable = tuple(
        RegimeDeadlines(
            regime=match.regime,
            reason=match.reason,
            citation=match.citation,
            deadlines=compute_deadlines(match.regime, received=received, region=region),
        )
        for match in found.applicable
    )
    return CalculatorResult(received=received, holiday_region=region, applicable=applicable, excluded=found.excluded)
