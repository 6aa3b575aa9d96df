"""Properties every computed deadline must have, for every regime and region (hypothesis).

Deterministic (``derandomize=True``) so a failure reproduces on every run.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.regions import is_working_day
from deletion_portal.laws.types import CaseEvent

from . import factories

REGIONS = ("DE", "DE-BY", "FR", "GB-ENG", "GB-SCT", "US-CA", "CA-QC", "BR", "KR")
FIXED = (factories.gdpr, factories.uk_gdpr, factories.ccpa, factories.pipeda, factories.quebec, factories.lgpd, factories.pipa,
         factories.fadp)
REGIMES = {f.__name__: f() for f in FIXED}

deterministic = settings(derandomize=True, max_examples=200, deadline=None, database=None)

received_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
regions = st.sampled_from(REGIONS)
regime_names = st.sampled_from(sorted(REGIMES))


@st.composite
def case_events(draw, received: date):
    """A plausible set of events on or after receipt (identity, fee, clarification, extension)."""
    events = []
    offsets = st.integers(min_value=0, max_value=60)
    for kind in ("identity_received", "fee_paid", "extension_notified"):
        if draw(st.booleans()):
            events.append(CaseEvent(kind=kind, on=received + timedelta(days=draw(offsets)), reasons="because"))
    if draw(st.booleans()):
        asked = received + timedelta(days=draw(offsets))
        events.append(CaseEvent(kind="clarification_requested", on=asked))
        if draw(st.booleans()):
            events.append(CaseEvent(kind="clarification_received", on=asked + timedelta(days=draw(offsets))))
    return events


@deterministic
@given(name=regime_names, received=received_dates, region=regions)
def test_respond_by_is_never_before_receipt(name: str, received: date, region: str) -> None:
    result = compute_deadlines(REGIMES[name], received=received, region=region)
    assert result.respond_by is not None and result.respond_by >= received
    assert result.start >= received


@deterministic
@given(name=regime_names, received=received_dates, region=regions)
def test_respond_by_is_a_working_day_when_the_period_rolls_forward(name: str, received: date, region: str) -> None:
    # "Working day" as the period's own rule says: PIPEDA's s.35 holidays (a Saturday end stays); for the
    # CCPA the later reading (Civ. Code §§10, 12a) is the one that rolls and the one used.
    regime = REGIMES[name]
    result = compute_deadlines(regime, received=received, region=region)

    def rolling(period):
        rule = period if period.roll_forward else period.other_reading
        assert rule is not None and rule.roll_forward
        return rule.non_working_days

    trail = "\n".join(map(str, result.steps))
    assert is_working_day(result.respond_by, region, rolling(regime.response)), trail
    if result.extended_respond_by is not None:
        assert is_working_day(result.extended_respond_by, region, rolling(regime.extension.period)), trail


@deterministic
@given(name=regime_names, received=received_dates, later_by=st.integers(min_value=0, max_value=40), region=regions)
def test_a_later_receipt_never_gives_an_earlier_date(name: str, received: date, later_by: int, region: str) -> None:
    regime = REGIMES[name]
    first = compute_deadlines(regime, received=received, region=region)
    second = compute_deadlines(regime, received=received + timedelta(days=later_by), region=region)
    assert second.respond_by >= first.respond_by
    assert second.extended_respond_by is None or second.extended_respond_by >= first.extended_respond_by


@deterministic
@given(name=regime_names, received=received_dates, region=regions, data=st.data())
def test_the_extended_date_is_never_before_the_first(name: str, received: date, region: str, data) -> None:
    events = data.draw(case_events(received))
    result = compute_deadlines(REGIMES[name], received=received, region=region, events=events, right="access")
    assert result.respond_by >= result.start >= received
    if result.extended_respond_by is not None:
        assert result.extended_respond_by >= result.respond_by
    assert result.extension.state in ("available", "valid", "invalid", "none")
    if result.extension.state in ("invalid", "none"):
        assert result.extended_respond_by is None


@deterministic
@given(received=received_dates, region=regions)
def test_ccpa_acknowledgement_comes_before_the_response(received: date, region: str) -> None:
    result = compute_deadlines(REGIMES["ccpa"], received=received, region=region)
    assert result.acknowledge_by is not None
    assert received < result.acknowledge_by <= result.respond_by
    assert is_working_day(result.acknowledge_by, region)


@deterministic
@given(received=received_dates, region=regions, data=st.data())
def test_events_only_ever_move_the_uk_date_later(received: date, region: str, data) -> None:
    events = data.draw(case_events(received))
    events = [e for e in events if e.kind != "extension_notified"]
    plain = compute_deadlines(REGIMES["uk_gdpr"], received=received, region=region, right="access")
    with_events = compute_deadlines(REGIMES["uk_gdpr"], received=received, region=region, events=events, right="access")
    assert with_events.respond_by >= plain.respond_by


@deterministic
@given(received=received_dates, region=regions)
def test_the_appi_suggestion_is_a_working_day_and_never_a_deadline(received: date, region: str) -> None:
    result = compute_deadlines(factories.appi(), received=received, region=region)
    assert result.respond_by is None and result.extended_respond_by is None
    assert result.suggested_follow_up >= received + timedelta(days=14)
    assert is_working_day(result.suggested_follow_up, region)
