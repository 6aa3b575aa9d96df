"""The hand-checked deadline table run against the real law records (``laws/data/*.json``).

``test_deadlines.py`` runs the table against the hand-built regimes of ``factories.py``; this module
checks that the records the portal actually uses give the same dates (so a record whose counting
method, roll-forward or extension differs from LEGAL.md §1–2 fails here, with the case that shows it).
"""

from __future__ import annotations

from datetime import date

import pytest

from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.regions import is_working_day
from deletion_portal.laws.registry import all_regimes, get_regime

from .test_deadlines import CASES, Case, check

RECORD_CASES = tuple(c for c in CASES if c.records)


@pytest.mark.parametrize("case", RECORD_CASES, ids=[f"{c.law}: {c.id}" for c in RECORD_CASES])
def test_it_computes_the_table_from_the_records(case: Case) -> None:
    regime = get_regime(case.law)
    result = compute_deadlines(regime, received=case.received, region=case.region, events=case.events, right=case.right)
    check(result, case.expect)
    assert result.law_key == case.law


def test_the_table_covers_every_primary_regime_with_a_period() -> None:
    covered = {c.law for c in RECORD_CASES}
    assert {"eu-gdpr", "uk-gdpr", "us-ca-ccpa", "ca-pipeda", "ca-qc-law25", "br-lgpd", "ch-fadp", "kr-pipa", "jp-appi"} <= covered


@pytest.mark.parametrize("received", [date(2026, 1, 30), date(2026, 11, 26), date(2028, 1, 31)], ids=str)
def test_every_record_gives_a_consistent_result(received: date) -> None:
    for regime in all_regimes():
        region = (regime.regions or regime.countries or ("US",))[0]
        result = compute_deadlines(regime, received=received, region=region)
        trail = "\n".join(str(s) for s in result.steps)
        assert result.employee_coverage == regime.coverage.status
        assert result.steps, regime.key
        assert all(s.text for s in result.steps)
        if regime.coverage.status == "excluded":
            assert (result.acknowledge_by, result.respond_by, result.extended_respond_by, result.suggested_follow_up) == (None,) * 4, regime.key
            assert regime.coverage.reason in trail
            continue
        if regime.no_fixed_period is not None:
            assert result.respond_by is None and result.suggested_follow_up is not None, regime.key
            assert "a suggestion, not a legal deadline" in trail
            continue
        assert result.respond_by is not None and result.respond_by >= received, regime.key
        if regime.response.roll_forward:
            assert is_working_day(result.respond_by, region, regime.response.non_working_days), f"{regime.key}\n{trail}"
        elif regime.response.other_reading is not None and regime.response.other_reading.roll_forward:
            assert is_working_day(result.respond_by, region, regime.response.other_reading.non_working_days), f"{regime.key}\n{trail}"
        if result.extended_respond_by is not None:
            assert result.extended_respond_by >= result.respond_by, regime.key
        if regime.extension is None:
            assert result.extension.state == "none" and result.extension.reason, regime.key
        else:
            assert result.extension.state == "available", regime.key
        if result.acknowledge_by is not None:
            assert result.acknowledge_by <= result.respond_by, regime.key
        assert regime.response.citation in result.citations, regime.key
