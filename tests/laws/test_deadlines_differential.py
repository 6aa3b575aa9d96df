"""Held-out differential test: the deadline module against small, independent oracles, every day
of 2026–2028.

Each oracle below is written from the statute's wording with the ``holidays`` library and
``dateutil`` used directly; none calls ``laws.deadlines`` or ``laws.regions``. They run against the
real law records (``laws/data/*.json``), because those are what the portal computes with.

* PIPEDA s.8(3): 30 days after receipt, the day of receipt not counted (Interpretation Act s.27);
  an end on a *holiday* moves to the next day that is not one (s.26). Holidays are those of s.35(1):
  Sunday and the listed federal days (a Saturday is not one, nor is Boxing Day federally), the day after
  New Year's Day, Canada Day or Remembrance Day on a Sunday (s.35(2)), and in a province its own
  public holidays (s.35(1)(a)). s.8(4): a further 30 days from the end of the first 30.
* Swiss FADP, Ordinance Art. 18(1): 30 days, the day of receipt not counted (CO Art. 77(1) no. 1);
  an end on a Saturday (SR 173.110.3 Art. 1), a Sunday or an official holiday of the canton (CO
  Art. 78(1) via ZGB Art. 7) moves to the next working day.
* CCPA: 11 CCR §7021(b) — 45 calendar days beginning on the day of receipt (receipt is day 1), not
  moved; Civ. Code §10 — the first day excluded, the last included, a last day on a holiday (a
  Saturday too, §12a) moved to the next day. The portal must use the later date (§1798.130(a)(2):
  90 days in all for the extension, counted the same two ways).
* GDPR Art. 12(3) with Regulation 1182/71 Art. 3: one month, the same date in the next month or
  that month's last day, moved off Saturday, Sunday and public holidays of the member state.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
import pytest
from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.registry import get_regime

FIRST, LAST = date(2026, 1, 1), date(2028, 12, 31)
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
# The oracles look up to ~4 months past the last receipt date.
YEARS = range(FIRST.year, LAST.year + 2)


def _roll(day: date, is_holiday) -> date:
    while is_holiday(day):
        day += timedelta(days=1)
    return day


def _split(region: str) -> tuple[str, str | None]:
    country, _, sub = region.partition("-")
    return country, sub or None


# --- PIPEDA: Interpretation Act ss. 26, 27, 35 --------------------------------------------------

#: s.35(1)'s federal days, by the names the holidays library gives them ("Labor Day" is its spelling).
S35_NAMES = {
    "New Year's Day", "Good Friday", "Victoria Day", "Canada Day", "Labor Day",
    "National Day for Truth and Reconciliation", "Thanksgiving Day", "Remembrance Day", "Christmas Day",
}


@lru_cache(maxsize=None)
def s35_holidays(region: str) -> frozenset[date]:
    every = holidays.country_holidays(
        "CA", years=YEARS, categories=("public", "optional", "government"), observed=False
    )
    days = {day for day, name in every.items() if any(part in S35_NAMES for part in name.split("; "))}
    for year in YEARS:
        days.add(easter(year) + timedelta(days=1))  # Easter Monday: named in s.35(1)
        for fixed in (date(year, 1, 1), date(year, 7, 1), date(year, 11, 11)):
            if fixed.weekday() == 6:  # s.35(2); Holidays Act s.2(2) for Canada Day
                days.add(fixed + timedelta(days=1))
    _, province = _split(region)
    if province:  # s.35(1)(a): the province's own holidays
        days |= set(holidays.country_holidays("CA", subdiv=province, years=YEARS, observed=False))
    return frozenset(days)


def pipeda_oracle(received: date, region: str) -> tuple[date, date]:
    holiday = s35_holidays(region)

    def is_holiday(day: date) -> bool:
        return day.weekday() == 6 or day in holiday

    raw = received + timedelta(days=30)
    return _roll(raw, is_holiday), _roll(raw + timedelta(days=30), is_holiday)


# --- Swiss FADP: CO Arts 77, 78; SR 173.110.3 Art. 1 ----------------------------------------------


@lru_cache(maxsize=None)
def swiss_holidays(region: str) -> frozenset[date]:
    _, canton = _split(region)
    return frozenset(holidays.country_holidays("CH", subdiv=canton, years=YEARS))


def fadp_oracle(received: date, region: str) -> date:
    holiday = swiss_holidays(region)
    return _roll(received + timedelta(days=30), lambda day: day.weekday() >= 5 or day in holiday)


# --- CCPA: 11 CCR §7021(b) and Civ. Code §§10, 12a --------------------------------------------------


@lru_cache(maxsize=None)
def california_holidays() -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", subdiv="CA", years=YEARS))


def ccpa_oracle(received: date, days: int) -> tuple[date, date]:
    """(§7021(b) date, Civ. Code §10 date) for a period of ``days``."""
    regulation = received + timedelta(days=days - 1)  # receipt is day 1; calendar days, not moved
    holiday = california_holidays()
    civ_code = _roll(received + timedelta(days=days), lambda day: day.weekday() >= 5 or day in holiday)
    return regulation, civ_code


# --- GDPR: Art. 12(3), Regulation 1182/71 Art. 3 ----------------------------------------------------


@lru_cache(maxsize=None)
def public_holidays(region: str) -> frozenset[date]:
    country, sub = _split(region)
    return frozenset(holidays.country_holidays(country, subdiv=sub, years=YEARS))


def gdpr_oracle(received: date, region: str, months: int) -> date:
    holiday = public_holidays(region)
    raw = received + relativedelta(months=months)  # 31 Jan + 1 month = 28/29 Feb
    return _roll(raw, lambda day: day.weekday() >= 5 or day in holiday)


# --- the comparisons -----------------------------------------------------------------------------


def _report(mismatches: list[str]) -> str:
    return f"{len(mismatches)} days differ, first ones:\n" + "\n".join(mismatches[:10])


@pytest.mark.parametrize("region", ["CA", "CA-ON", "CA-QC"])
def test_pipeda_matches_the_interpretation_act_every_day(region: str) -> None:
    regime = get_regime("ca-pipeda")
    mismatches = []
    for received in DAYS:
        result = compute_deadlines(regime, received=received, region=region)
        expected = pipeda_oracle(received, region)
        if (result.respond_by, result.extended_respond_by) != expected:
            mismatches.append(f"{received}: module {result.respond_by}/{result.extended_respond_by}, oracle {expected}")
    assert not mismatches, _report(mismatches)


@pytest.mark.parametrize("region", ["CH", "CH-ZH", "CH-GE"])
def test_fadp_matches_the_code_of_obligations_every_day(region: str) -> None:
    regime = get_regime("ch-fadp")
    mismatches = []
    for received in DAYS:
        result = compute_deadlines(regime, received=received, region=region)
        expected = fadp_oracle(received, region)
        if result.respond_by != expected:
            mismatches.append(f"{received}: module {result.respond_by}, oracle {expected}")
    assert not mismatches, _report(mismatches)


# The CCPA's territory is California only (``region_in_territory``), so US-CA is its one region.
def test_ccpa_uses_the_later_reading_and_shows_both_every_day() -> None:
    regime = get_regime("us-ca-ccpa")
    mismatches = []
    for received in DAYS:
        result = compute_deadlines(regime, received=received, region="US-CA")
        regulation, civ_code = ccpa_oracle(received, 45)
        ext_regulation, ext_civ_code = ccpa_oracle(received, 90)
        trail = "\n".join(str(step) for step in result.steps)
        problems = []
        if result.respond_by != max(regulation, civ_code):
            problems.append(f"respond_by {result.respond_by} != later of {regulation}, {civ_code}")
        if result.extended_respond_by != max(ext_regulation, ext_civ_code):
            problems.append(f"extended {result.extended_respond_by} != later of {ext_regulation}, {ext_civ_code}")
        if f"under Civ. Code §10 the date would be {civ_code.strftime('%A')} {civ_code.isoformat()}" not in trail:
            problems.append("the Civ. Code §10 date is not in the trail")
        if f"day 45 is {regulation.isoformat()}" not in trail:
            problems.append("the §7021(b) date is not in the trail")
        if problems:
            mismatches.append(f"{received}: {'; '.join(problems)}")
    assert not mismatches, _report(mismatches)


def test_ccpa_never_calls_an_answer_late_that_either_reading_allows() -> None:
    # The old mix (receipt as day 1, then §12a) could end up to 5 days before the Civ. Code §10 date.
    regime = get_regime("us-ca-ccpa")
    for received in DAYS:
        result = compute_deadlines(regime, received=received, region="US-CA")
        assert result.respond_by >= max(ccpa_oracle(received, 45)), received


@pytest.mark.parametrize("region", ["DE-BY", "FR", "IE"])
def test_gdpr_matches_regulation_1182_71_every_day(region: str) -> None:
    regime = get_regime("eu-gdpr")
    mismatches = []
    for received in DAYS:
        result = compute_deadlines(regime, received=received, region=region)
        expected = (gdpr_oracle(received, region, 1), gdpr_oracle(received, region, 3))
        if (result.respond_by, result.extended_respond_by) != expected:
            mismatches.append(f"{received}: module {result.respond_by}/{result.extended_respond_by}, oracle {expected}")
    assert not mismatches, _report(mismatches)
