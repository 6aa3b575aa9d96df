"""Deadline arithmetic, as a table of hand-checked cases (LEGAL.md §1–2).

Every expected date below was counted on a calendar and every holiday confirmed with the holidays
library directly (``holidays.country_holidays(...).get(day)``), never by calling the code under test.
The same table runs against the real law records in ``test_deadlines_records.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import pytest

from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.regions import UnknownRegion
from deletion_portal.laws.types import CaseEvent, Regime

from . import factories

D = date


@dataclass(frozen=True)
class Case:
    id: str  # carries the citation
    law: str  # the registry key of the real record (see test_deadlines_records.py)
    factory: Callable[[], Regime]
    received: date
    region: str
    expect: dict  # DeadlineResult field -> value; "extension_state" for result.extension.state
    events: tuple[CaseEvent, ...] = ()
    right: str | None = None
    records: bool = True  # also run against the real record
    tags: tuple[str, ...] = field(default=())


def ev(kind: str, on: date, reasons: str = "") -> CaseEvent:
    return CaseEvent(kind=kind, on=on, reasons=reasons)


CASES: tuple[Case, ...] = (
    # --- GDPR: calendar months (Regulation 1182/71 by analogy) ---------------------------------
    Case(
        "GDPR Art.12(3) 2025-01-31 → Fri 2025-02-28 (1182/71 Art.3(2)(c): no 31 Feb, last day of month)",
        "eu-gdpr", factories.gdpr, D(2025, 1, 31), "DE",
        {"respond_by": D(2025, 2, 28), "start": D(2025, 1, 31)},
    ),
    Case(
        "GDPR Art.12(3) leap year 2028-01-31 → Tue 2028-02-29 (1182/71 Art.3(2)(c))",
        "eu-gdpr", factories.gdpr, D(2028, 1, 31), "DE",
        {"respond_by": D(2028, 2, 29)},
    ),
    Case(
        "GDPR Art.12(3) same date next month 2026-03-10 → Fri 2026-04-10",
        "eu-gdpr", factories.gdpr, D(2026, 3, 10), "DE",
        {"respond_by": D(2026, 4, 10), "extended_respond_by": D(2026, 6, 10), "extension_state": "available"},
    ),
    Case(
        "GDPR Art.12(3) Sat 2026-03-14 → Mon 2026-03-16 (1182/71 Art.3(4) weekend)",
        "eu-gdpr", factories.gdpr, D(2026, 2, 14), "DE",
        {"respond_by": D(2026, 3, 16)},
    ),
    Case(
        "GDPR Art.12(3) DE-BY Epiphany Tue 2026-01-06 → Wed 2026-01-07 (1182/71 Art.3(4))",
        "eu-gdpr", factories.gdpr, D(2025, 12, 6), "DE-BY",
        {"respond_by": D(2026, 1, 7)},
    ),
    Case(
        "GDPR Art.12(3) DE-BE no Epiphany: Tue 2026-01-06 stays",
        "eu-gdpr", factories.gdpr, D(2025, 12, 6), "DE-BE",
        {"respond_by": D(2026, 1, 6)},
    ),
    Case(
        "GDPR Art.12(3) DE-BY Corpus Christi Thu 2026-06-04 → Fri 2026-06-05 (1182/71 Art.3(4))",
        "eu-gdpr", factories.gdpr, D(2026, 5, 4), "DE-BY",
        {"respond_by": D(2026, 6, 5)},
    ),
    Case(
        "GDPR Art.12(3) DE-BE no Corpus Christi: Thu 2026-06-04 stays",
        "eu-gdpr", factories.gdpr, D(2026, 5, 4), "DE-BE",
        {"respond_by": D(2026, 6, 4)},
    ),
    Case(
        "GDPR Art.12(3) extension notified in the first month → valid, 3 months = Tue 2026-06-02",
        "eu-gdpr", factories.gdpr, D(2026, 3, 2), "DE",
        {"respond_by": D(2026, 4, 2), "extended_respond_by": D(2026, 6, 2), "extension_state": "valid"},
        events=(ev("extension_notified", D(2026, 3, 20), "complexity: 40 systems to search"),),
    ),
    Case(
        "GDPR Art.12(3) extension notified on the last day Thu 2026-04-02 → valid",
        "eu-gdpr", factories.gdpr, D(2026, 3, 2), "DE",
        {"respond_by": D(2026, 4, 2), "extended_respond_by": D(2026, 6, 2), "extension_state": "valid"},
        events=(ev("extension_notified", D(2026, 4, 2), "number of requests"),),
    ),
    Case(
        "GDPR Art.12(3) extension notified Fri 2026-04-03, after the first month → invalid",
        "eu-gdpr", factories.gdpr, D(2026, 3, 2), "DE",
        {"respond_by": D(2026, 4, 2), "extended_respond_by": None, "extension_state": "invalid"},
        events=(ev("extension_notified", D(2026, 4, 3), "complexity"),),
    ),
    # --- UK GDPR: Art. 12A relevant time, bank holidays per nation, clarification pause -------
    Case(
        "UK GDPR Art.12A GB-ENG Fri 2026-01-02 is no bank holiday",
        "uk-gdpr", factories.uk_gdpr, D(2025, 12, 2), "GB-ENG",
        {"respond_by": D(2026, 1, 2)},
    ),
    Case(
        "UK GDPR Art.12A GB-SCT 2 January holiday Fri 2026-01-02 → Mon 2026-01-05 (ICO)",
        "uk-gdpr", factories.uk_gdpr, D(2025, 12, 2), "GB-SCT",
        {"respond_by": D(2026, 1, 5)},
    ),
    Case(
        "UK GDPR Art.12A GB-ENG Boxing Day Sat 2026-12-26 + substitute Mon 28 → Tue 2026-12-29 (ICO)",
        "uk-gdpr", factories.uk_gdpr, D(2026, 11, 26), "GB-ENG",
        {"respond_by": D(2026, 12, 29)},
    ),
    Case(
        "UK GDPR Art.12A relevant time: identity received 2026-03-09 → Thu 2026-04-09",
        "uk-gdpr", factories.uk_gdpr, D(2026, 3, 2), "GB-ENG",
        {"start": D(2026, 3, 9), "respond_by": D(2026, 4, 9), "extended_respond_by": D(2026, 6, 9)},
        events=(ev("identity_received", D(2026, 3, 9)),),
    ),
    Case(
        "UK GDPR Art.12A relevant time: latest of identity 03-09 and fee 03-12 → Sun 04-12 → Mon 2026-04-13",
        "uk-gdpr", factories.uk_gdpr, D(2026, 3, 2), "GB-ENG",
        {"start": D(2026, 3, 12), "respond_by": D(2026, 4, 13)},
        events=(ev("fee_paid", D(2026, 3, 12)), ev("identity_received", D(2026, 3, 9))),
    ),
    Case(
        "UK GDPR clarification pause (access) 2026-03-10 → 03-17 adds 7 days: Thu 2026-04-09",
        "uk-gdpr", factories.uk_gdpr, D(2026, 3, 2), "GB-ENG",
        {"start": D(2026, 3, 2), "respond_by": D(2026, 4, 9), "extended_respond_by": D(2026, 6, 9)},
        events=(ev("clarification_requested", D(2026, 3, 10)), ev("clarification_received", D(2026, 3, 17))),
        right="access",
    ),
    Case(
        "UK GDPR clarification pause not for erasure: Thu 2026-04-02",
        "uk-gdpr", factories.uk_gdpr, D(2026, 3, 2), "GB-ENG",
        {"respond_by": D(2026, 4, 2), "extended_respond_by": D(2026, 6, 2)},
        events=(ev("clarification_requested", D(2026, 3, 10)), ev("clarification_received", D(2026, 3, 17))),
        right="erasure",
    ),
    # --- CCPA: 45 days under 11 CCR §7021(b) (receipt is day one, nothing moves) and under Civ. Code
    # §10 (first day excluded, §12a moves an end off a Saturday, Sunday or holiday): the later is used.
    Case(
        "CCPA 11 CCR §7021(b) 45 days from Mon 2026-06-01 (day 1) → Wed 07-15; Civ. Code §10 → Thu 2026-07-16 used; §7021(a) ack Mon 2026-06-15",
        "us-ca-ccpa", factories.ccpa, D(2026, 6, 1), "US-CA",
        {"respond_by": D(2026, 7, 16), "acknowledge_by": D(2026, 6, 15), "extended_respond_by": D(2026, 8, 31), "extension_state": "available"},
    ),
    Case(
        "CCPA §7021(a) 10 business days over Veterans Day 2026-11-11 → Fri 2026-11-20; 45 days → Sat 12-19 → Mon 2026-12-21",
        "us-ca-ccpa", factories.ccpa, D(2026, 11, 5), "US-CA",
        {"acknowledge_by": D(2026, 11, 20), "respond_by": D(2026, 12, 21)},
    ),
    Case(
        "CCPA §1798.130(a)(2) 90-day extension notified on day 45 → valid; §7021(b) Sat 08-29, Civ. Code §10 Sun 08-30 → Mon 2026-08-31",
        "us-ca-ccpa", factories.ccpa, D(2026, 6, 1), "US-CA",
        {"respond_by": D(2026, 7, 16), "extended_respond_by": D(2026, 8, 31), "extension_state": "valid"},
        events=(ev("extension_notified", D(2026, 7, 15), "volume of records"),),
    ),
    Case(
        "CCPA §1798.130(a)(2) extension notified 2026-07-16, the last day under Civ. Code §10 → valid (later reading)",
        "us-ca-ccpa", factories.ccpa, D(2026, 6, 1), "US-CA",
        {"respond_by": D(2026, 7, 16), "extended_respond_by": D(2026, 8, 31), "extension_state": "valid"},
        events=(ev("extension_notified", D(2026, 7, 16), "volume of records"),),
    ),
    Case(
        "CCPA §1798.130(a)(2) extension notified 2026-07-17, after the first period under both readings → invalid",
        "us-ca-ccpa", factories.ccpa, D(2026, 6, 1), "US-CA",
        {"respond_by": D(2026, 7, 16), "extended_respond_by": None, "extension_state": "invalid"},
        events=(ev("extension_notified", D(2026, 7, 17), "volume of records"),),
    ),
    Case(
        "CCPA §7021(b) day 45 Thanksgiving Thu 2026-11-26; Civ. Code §§10, 12a: Fri 11-27 holiday, weekend → Mon 2026-11-30 used",
        "us-ca-ccpa", factories.ccpa, D(2026, 10, 13), "US-CA",
        {"respond_by": D(2026, 11, 30)},
    ),
    # --- Canada --------------------------------------------------------------------------------
    Case(
        "PIPEDA s.8(3) 30 days → Wed 2026-04-01; s.8(4) + 30 days from the original end → Fri 2026-05-01",
        "ca-pipeda", factories.pipeda, D(2026, 3, 2), "CA-ON",
        {"respond_by": D(2026, 4, 1), "extended_respond_by": D(2026, 5, 1), "extension_state": "available"},
    ),
    Case(
        "PIPEDA s.8(3) end Sat 2026-04-11 stays (Interpretation Act s.26: a Saturday is no s.35 holiday); s.8(4) + 30 days → Mon 2026-05-11",
        "ca-pipeda", factories.pipeda, D(2026, 3, 12), "CA-ON",
        {"respond_by": D(2026, 4, 11), "extended_respond_by": D(2026, 5, 11)},
    ),
    # PIPEDA ends move only off Interpretation Act s.35 holidays (s.26), never off a Saturday as such.
    Case(
        "PIPEDA s.8(3) end on Thanksgiving Mon 2026-10-12 → Tue 2026-10-13 (Interpretation Act ss.26, 35(1) thanksgiving proclamation)",
        "ca-pipeda", factories.pipeda, D(2026, 9, 12), "CA",
        {"respond_by": D(2026, 10, 13), "extended_respond_by": D(2026, 11, 12)},
    ),
    Case(
        "PIPEDA s.8(3) end Sun 2026-10-11, Mon Thanksgiving → Tue 2026-10-13; s.8(4) from the raw end → Tue 2026-11-10 (Interpretation Act ss.26, 35(1))",
        "ca-pipeda", factories.pipeda, D(2026, 9, 11), "CA",
        {"respond_by": D(2026, 10, 13), "extended_respond_by": D(2026, 11, 10)},
    ),
    Case(
        "PIPEDA s.8(3) end on Easter Monday 2026-04-06 → Tue 2026-04-07 (Interpretation Act s.35(1))",
        "ca-pipeda", factories.pipeda, D(2026, 3, 7), "CA",
        {"respond_by": D(2026, 4, 7)},
    ),
    Case(
        "PIPEDA s.8(3) end on Truth and Reconciliation Day Wed 2026-09-30 → Thu 2026-10-01 (Interpretation Act s.35(1), S.C. 2021, c. 11)",
        "ca-pipeda", factories.pipeda, D(2026, 8, 31), "CA",
        {"respond_by": D(2026, 10, 1)},
    ),
    Case(
        "PIPEDA s.8(3) end on Remembrance Day Wed 2026-11-11 → Thu 2026-11-12 (Interpretation Act s.35(1))",
        "ca-pipeda", factories.pipeda, D(2026, 10, 12), "CA",
        {"respond_by": D(2026, 11, 12)},
    ),
    Case(
        "PIPEDA s.8(3) end on Victoria Day Mon 2026-05-18 → Tue 2026-05-19 (Interpretation Act s.35(1))",
        "ca-pipeda", factories.pipeda, D(2026, 4, 18), "CA",
        {"respond_by": D(2026, 5, 19)},
    ),
    Case(
        "PIPEDA s.8(3) end Sat 2026-12-26 stays in CA: Boxing Day is no federal s.35(1) holiday",
        "ca-pipeda", factories.pipeda, D(2026, 11, 26), "CA",
        {"respond_by": D(2026, 12, 26)},
    ),
    Case(
        "PIPEDA s.8(3) end Sat 2026-12-26 in CA-ON: Ontario's Boxing Day (s.35(1)(a)) → Sun → Mon 2026-12-28",
        "ca-pipeda", factories.pipeda, D(2026, 11, 26), "CA-ON",
        {"respond_by": D(2026, 12, 28)},
    ),
    Case(
        "PIPEDA s.8(3) end on Christmas Day Sat 2027-12-25 moves (a holiday on a Saturday) → Sun → Mon 2027-12-27 (Interpretation Act ss.26, 35(1))",
        "ca-pipeda", factories.pipeda, D(2027, 11, 25), "CA",
        {"respond_by": D(2027, 12, 27)},
    ),
    # --- Switzerland: CO Art. 77(1) no. 1 (first day not counted), Art. 78(1) via ZGB Art. 7; SR 173.110.3
    Case(
        "FADP Ordinance Art.18(1) end Sat 2026-04-11 → Mon 2026-04-13 (SR 173.110.3 Art. 1: Saturdays)",
        "ch-fadp", factories.fadp, D(2026, 3, 12), "CH-ZH",
        {"respond_by": D(2026, 4, 13), "extended_respond_by": None, "extension_state": "none"},
    ),
    Case(
        "FADP Ordinance Art.18(1) end on Easter Monday 2026-04-06 in CH-ZH → Tue 2026-04-07 (CO Art. 78(1) via ZGB Art. 7)",
        "ch-fadp", factories.fadp, D(2026, 3, 7), "CH-ZH",
        {"respond_by": D(2026, 4, 7)},
    ),
    Case(
        "FADP Ordinance Art.18(1) end on National Day Sat 2026-08-01 → Mon 2026-08-03 (CO Art. 78(1); SR 173.110.3 Art. 1)",
        "ch-fadp", factories.fadp, D(2026, 7, 2), "CH",
        {"respond_by": D(2026, 8, 3)},
    ),
    Case(
        "FADP Ordinance Art.18(1) end on Jeûne genevois Thu 2026-09-10 in CH-GE → Fri 2026-09-11 (CO Art. 78(1): holidays at the place of performance)",
        "ch-fadp", factories.fadp, D(2026, 8, 11), "CH-GE",
        {"respond_by": D(2026, 9, 11)},
    ),
    Case(
        "FADP Ordinance Art.18(1) Jeûne genevois is no holiday in CH-ZH: Thu 2026-09-10 stays (CO Art. 78(1))",
        "ch-fadp", factories.fadp, D(2026, 8, 11), "CH-ZH",
        {"respond_by": D(2026, 9, 10)},
    ),
    Case(
        "Quebec P-39.1 s.32 30 days → Wed 2026-04-01, no extension",
        "ca-qc-law25", factories.quebec, D(2026, 3, 2), "CA-QC",
        {"respond_by": D(2026, 4, 1), "extended_respond_by": None, "extension_state": "none"},
        events=(ev("extension_notified", D(2026, 3, 20), "complexity"),),
    ),
    # --- Brazil, Korea, Japan --------------------------------------------------------------------
    Case(
        "LGPD Art.19(II) 15 days, first day excluded (Civil Code Art.132): 2026-03-02 → Tue 2026-03-17",
        "br-lgpd", factories.lgpd, D(2026, 3, 2), "BR",
        {"respond_by": D(2026, 3, 17)},
    ),
    Case(
        "LGPD Art.19(II) Tiradentes Tue 2026-04-21 → Wed 2026-04-22 (Civil Code Art.132 §1)",
        "br-lgpd", factories.lgpd, D(2026, 4, 6), "BR",
        {"respond_by": D(2026, 4, 22)},
    ),
    Case(
        "PIPA 10 days, Sat 2026-03-14 → Mon 2026-03-16 (Civil Act Arts 157, 161)",
        "kr-pipa", factories.pipa, D(2026, 3, 4), "KR",
        {"respond_by": D(2026, 3, 16)},
    ),
    Case(
        "APPI Art.33 no day count: no date; suggested follow-up 14 days → Mon 2026-03-16",
        "jp-appi", factories.appi, D(2026, 3, 2), "JP",
        {"respond_by": None, "extended_respond_by": None, "acknowledge_by": None, "suggested_follow_up": D(2026, 3, 16), "extension_state": "none"},
    ),
    Case(
        "APPI suggestion moved off Showa Day Wed 2026-04-29 → Thu 2026-04-30",
        "jp-appi", factories.appi, D(2026, 4, 15), "JP",
        {"respond_by": None, "suggested_follow_up": D(2026, 4, 30)},
    ),
    # --- excluded ------------------------------------------------------------------------------
    Case(
        "Virginia VCDPA excludes employees (§59.1-575 'consumer'): no dates",
        "us-va-vcdpa", factories.excluded, D(2026, 3, 2), "US-VA",
        {"respond_by": None, "acknowledge_by": None, "extended_respond_by": None, "suggested_follow_up": None,
         "extension_state": "none", "employee_coverage": "excluded"},
        records=False,  # the records test checks every excluded record generically
    ),
)


def check(result, expect: dict) -> None:
    actual = {}
    for key in expect:
        actual[key] = result.extension.state if key == "extension_state" else getattr(result, key)
    trail = "\n".join(str(s) for s in result.steps)
    assert actual == expect, f"trail:\n{trail}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_it_computes_the_table(case: Case) -> None:
    result = compute_deadlines(case.factory(), received=case.received, region=case.region, events=case.events, right=case.right)
    check(result, case.expect)
    assert result.law_key == case.factory().key
    assert result.received == case.received


# --- the trail ----------------------------------------------------------------------------------


def kinds(result) -> list[str]:
    return [s.kind for s in result.steps]


def texts(result, kind: str) -> list[str]:
    return [s.text for s in result.steps if s.kind == kind]


def test_it_shows_the_full_trail_for_a_roll_forward_over_boxing_day() -> None:
    result = compute_deadlines(factories.uk_gdpr(), received=D(2026, 11, 26), region="GB-ENG")
    response = [s for s in result.steps if s.text.startswith("Response") or s.kind in ("start", "note")]
    assert [s.kind for s in response][:4] == ["start", "rule", "raw_end", "roll_forward"]
    start = result.steps[0]
    assert start.kind == "start" and "Thursday 2026-11-26" in start.text and start.citation == "Art. 12A(2) UK GDPR"
    rule = next(s for s in result.steps if s.kind == "rule")
    assert "one month" in rule.text and rule.citation == "Art. 12A UK GDPR"
    raw = next(s for s in result.steps if s.kind == "raw_end")
    assert "Saturday 2026-12-26" in raw.text
    rolls = [s for s in result.steps if s.kind == "roll_forward" and s.text.startswith("Response")]
    assert len(rolls) == 3
    assert "2026-12-26 is a Saturday" in rolls[0].text and "Boxing Day" in rolls[0].text
    assert "2026-12-27 is a Sunday" in rolls[1].text
    assert "2026-12-28 is a public holiday in GB-ENG (Boxing Day (observed))" in rolls[2].text
    assert all(s.citation == "ICO guidance on time limits" for s in rolls)
    assert any("Respond by Tuesday 2026-12-29" in s.text for s in result.steps)


def test_it_names_the_bavarian_holiday_it_rolls_over() -> None:
    result = compute_deadlines(factories.gdpr(), received=D(2025, 12, 6), region="de-by")
    rolls = texts(result, "roll_forward")
    assert rolls[0].startswith("Response: 2026-01-06 is a public holiday in DE-BY (Epiphany)")
    assert result.region == "DE-BY"
    assert "Art. 3(4) Regulation 1182/71" in result.citations


def test_it_explains_the_month_clamp() -> None:
    result = compute_deadlines(factories.gdpr(), received=D(2025, 1, 31), region="DE")
    (raw,) = texts(result, "raw_end")[:1]
    assert "Friday 2025-02-28" in raw and "day 31 does not exist in February 2025" in raw


def test_it_says_which_event_set_the_uk_relevant_time() -> None:
    result = compute_deadlines(
        factories.uk_gdpr(), received=D(2026, 3, 2), region="GB-ENG", events=[ev("identity_received", D(2026, 3, 9))]
    )
    (start,) = texts(result, "start")
    assert "Monday 2026-03-09" in start and "identity information" in start and "not on receipt (Monday 2026-03-02)" in start


def test_it_adds_the_clarification_pause_back_with_its_citation() -> None:
    result = compute_deadlines(
        factories.uk_gdpr(),
        received=D(2026, 3, 2),
        region="GB-ENG",
        events=[ev("clarification_requested", D(2026, 3, 10)), ev("clarification_received", D(2026, 3, 17))],
        right="access",
    )
    pause = next(s for s in result.steps if s.kind == "pause")
    assert "7 days do not count" in pause.text and pause.citation == "Art. 15(1B) UK GDPR (ICO)"


def test_it_notes_that_the_pause_does_not_apply_to_erasure() -> None:
    result = compute_deadlines(
        factories.uk_gdpr(),
        received=D(2026, 3, 2),
        region="GB-ENG",
        events=[ev("clarification_requested", D(2026, 3, 10)), ev("clarification_received", D(2026, 3, 17))],
        right="erasure",
    )
    assert "pause" not in kinds(result)
    assert any("applies only to access requests, not to erasure" in t for t in texts(result, "note"))


def test_it_applies_every_pause_when_no_right_is_given() -> None:
    result = compute_deadlines(
        factories.uk_gdpr(),
        received=D(2026, 3, 2),
        region="GB-ENG",
        events=[ev("clarification_requested", D(2026, 3, 10)), ev("clarification_received", D(2026, 3, 17))],
    )
    assert result.respond_by == D(2026, 4, 9)


def test_it_keeps_the_date_and_says_so_while_a_clarification_is_outstanding() -> None:
    result = compute_deadlines(
        factories.uk_gdpr(), received=D(2026, 3, 2), region="GB-ENG", events=[ev("clarification_requested", D(2026, 3, 10))], right="access"
    )
    assert result.respond_by == D(2026, 4, 2)  # computed without the open pause
    notes = texts(result, "note")
    assert any(n.startswith("Response: Paused since Tuesday 2026-03-10 until the clarification was received") for n in notes)
    assert any("will move later by the days it takes" in n for n in notes)


def test_it_does_not_count_overlapping_pauses_twice() -> None:
    # Asked twice (03-10 and 03-12), answered once on 03-17: 7 paused days, not 7 + 5.
    result = compute_deadlines(
        factories.uk_gdpr(),
        received=D(2026, 3, 2),
        region="GB-ENG",
        events=[
            ev("clarification_requested", D(2026, 3, 10)),
            ev("clarification_requested", D(2026, 3, 12)),
            ev("clarification_received", D(2026, 3, 17)),
        ],
        right="access",
    )
    assert result.respond_by == D(2026, 4, 9)


def test_it_adds_two_separate_pauses() -> None:
    # 03-03 → 03-05 (2 days) and 03-10 → 03-17 (7 days): 2026-04-02 + 9 = Sat 04-11 → Mon 2026-04-13.
    result = compute_deadlines(
        factories.uk_gdpr(),
        received=D(2026, 3, 2),
        region="GB-ENG",
        events=[
            ev("clarification_requested", D(2026, 3, 3)),
            ev("clarification_received", D(2026, 3, 5)),
            ev("clarification_requested", D(2026, 3, 10)),
            ev("clarification_received", D(2026, 3, 17)),
        ],
        right="access",
    )
    assert result.respond_by == D(2026, 4, 13)
    assert len([t for t in texts(result, "pause") if t.startswith("Response:")]) == 2
    assert result.extended_respond_by == D(2026, 6, 11)  # 2026-06-02 + 9 days, a Thursday


def test_it_gives_the_reason_an_extension_is_invalid() -> None:
    result = compute_deadlines(
        factories.gdpr(), received=D(2026, 3, 2), region="DE", events=[ev("extension_notified", D(2026, 4, 3), "complexity")]
    )
    assert result.extension.reason == (
        "Notified on 2026-04-03, after the first period ended on 2026-04-02; "
        "Art. 12(3) GDPR requires notice within the first period."
    )
    assert result.extended_respond_by is None


def test_it_explains_an_available_extension() -> None:
    result = compute_deadlines(factories.gdpr(), received=D(2026, 3, 2), region="DE")
    assert result.extension.state == "available"
    assert "by Thursday 2026-04-02 with reasons" in result.extension.reason
    assert "Art. 12(3) GDPR" in result.extension.reason


def test_it_notes_missing_reasons_but_keeps_a_timely_extension_valid() -> None:
    result = compute_deadlines(factories.gdpr(), received=D(2026, 3, 2), region="DE", events=[ev("extension_notified", D(2026, 3, 20))])
    assert result.extension.state == "valid"
    assert result.extended_respond_by == D(2026, 6, 2)
    assert any("requires the notice to give reasons" in n for n in texts(result, "note"))


def test_it_counts_the_first_extension_notice() -> None:
    result = compute_deadlines(
        factories.ccpa(),
        received=D(2026, 6, 1),
        region="US-CA",
        events=[ev("extension_notified", D(2026, 7, 20), "late"), ev("extension_notified", D(2026, 7, 1), "in time")],
    )
    assert result.extension.state == "valid"


def test_it_says_quebec_has_no_extension() -> None:
    result = compute_deadlines(factories.quebec(), received=D(2026, 3, 2), region="CA-QC")
    assert result.extension.state == "none"
    assert result.extension.reason == "Section 32 allows no extension."


def test_it_labels_the_appi_suggestion_as_not_a_deadline() -> None:
    result = compute_deadlines(factories.appi(), received=D(2026, 4, 15), region="JP")
    (note,) = [s for s in result.steps if s.kind == "note"]
    assert "without delay" in note.text and note.citation == "APPI Art. 33(2)"
    (suggestion,) = texts(result, "suggestion")
    assert suggestion.startswith("Suggested follow-up date (a suggestion, not a legal deadline): Thursday 2026-04-30")
    assert "Showa Day" in suggestion
    assert not result.has_fixed_period


def test_it_gives_an_excluded_regime_no_dates_and_says_why() -> None:
    result = compute_deadlines(factories.excluded(), received=D(2026, 3, 2), region="US-VA", events=[ev("extension_notified", D(2026, 3, 3))])
    assert result.employee_coverage == "excluded"
    assert (result.acknowledge_by, result.respond_by, result.extended_respond_by, result.suggested_follow_up) == (None,) * 4
    (note,) = result.steps
    assert note.kind == "note" and "employment context" in note.text and note.citation == "Va. Code §59.1-575 ('consumer')"


def test_it_reports_the_coverage_status() -> None:
    partial = factories.regime(coverage=factories.Coverage("partial", "Federal works only.", "PIPEDA s.4", "verify"))
    result = compute_deadlines(partial, received=D(2026, 3, 2), region="CA")
    assert result.employee_coverage == "partial"
    assert any("Federal works only." in t for t in texts(result, "note"))


def test_it_can_leave_a_period_unrolled() -> None:
    no_roll = factories.regime(response=factories.period(10, "days_excluding_start", "X s.1", roll_forward=False))
    result = compute_deadlines(no_roll, received=D(2026, 3, 4), region="KR")
    assert result.respond_by == D(2026, 3, 14)  # a Saturday, kept
    assert "roll_forward" not in kinds(result)
    assert any("2026-03-14 is a Saturday" in t for t in texts(result, "note"))


def test_it_counts_business_days_for_a_response() -> None:
    # 15 business days from Fri 2026-12-18 in US-CA: 21 22 23 24 (4), 25 Christmas, 28 29 30 31 (8),
    # 2027-01-01 New Year, 4..8 (13), 11 12 → Tue 2027-01-12.
    optout = factories.regime(response=factories.period(15, "business_days", "11 CCR §7026(f)"))
    result = compute_deadlines(optout, received=D(2026, 12, 18), region="US-CA")
    assert result.respond_by == D(2027, 1, 12)


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [ev("extension_notified", D(2026, 3, 1)), ev("identity_received", D(2025, 12, 31)), ev("clarification_received", D(2026, 2, 28))],
    ids=lambda e: f"{e.kind} {e.on}",
)
def test_it_rejects_events_before_receipt(event: CaseEvent) -> None:
    with pytest.raises(ValueError) as excinfo:
        compute_deadlines(factories.uk_gdpr(), received=D(2026, 3, 2), region="GB-ENG", events=[event])
    message = str(excinfo.value)
    assert event.kind in message and event.on.isoformat() in message and "2026-03-02" in message


def test_it_rejects_unknown_event_kinds() -> None:
    with pytest.raises(ValueError, match="Unknown event kind 'reply_sent'"):
        compute_deadlines(factories.gdpr(), received=D(2026, 3, 2), region="DE", events=[CaseEvent(kind="reply_sent", on=D(2026, 3, 3))])


def test_it_rejects_unknown_rights() -> None:
    with pytest.raises(ValueError, match="Unknown right 'deletion'"):
        compute_deadlines(factories.gdpr(), received=D(2026, 3, 2), region="DE", right="deletion")


def test_it_rejects_an_unknown_region_listing_the_valid_subdivisions() -> None:
    with pytest.raises(UnknownRegion) as excinfo:
        compute_deadlines(factories.gdpr(), received=D(2026, 3, 2), region="DE-XX")
    assert "DE-BY" in str(excinfo.value) and "DE-BE" in str(excinfo.value)


def test_it_is_pure_and_repeatable() -> None:
    args = dict(received=D(2026, 11, 26), region="GB-ENG", events=(ev("extension_notified", D(2026, 12, 1), "x"),))
    assert compute_deadlines(factories.uk_gdpr(), **args) == compute_deadlines(factories.uk_gdpr(), **args)


def test_it_says_a_pipeda_end_on_a_saturday_stays() -> None:
    # Interpretation Act s.26 moves an end only off a s.35 holiday; a Saturday is not one.
    result = compute_deadlines(factories.pipeda(), received=D(2026, 3, 12), region="CA")
    trail = "\n".join(map(str, result.steps))
    assert result.respond_by == D(2026, 4, 11)
    assert "2026-04-11 is a Saturday, but not a day this period's rule moves an end off, so the end stays" in trail
    assert "Interpretation Act ss. 26, 35" in trail


def test_it_names_the_interpretation_act_holiday_it_rolls_over() -> None:
    result = compute_deadlines(factories.pipeda(), received=D(2026, 9, 12), region="CA")
    roll = [s for s in result.steps if s.kind == "roll_forward"]
    assert [s.text for s in roll] == [
        "Response: 2026-10-12 is a holiday under Interpretation Act s.35 (Thanksgiving Day), so the end moves to the next day.",
        "Extension: 2026-11-11 is a holiday under Interpretation Act s.35 (Remembrance Day), so the end moves to the next day.",
    ]
    assert {s.citation for s in roll} == {"Interpretation Act ss. 26, 35"}


def test_it_shows_both_ccpa_readings_and_uses_the_later() -> None:
    # 11 CCR §7021(b): receipt is day 1 → Wed 2026-07-15; Civ. Code §10: first day excluded → Thu 07-16.
    result = compute_deadlines(factories.ccpa(), received=D(2026, 6, 1), region="US-CA")
    trail = "\n".join(map(str, result.steps))
    assert "Monday 2026-06-01 is day 1, so day 45 is 2026-07-15" in trail
    assert "under Civ. Code §10 the date would be Thursday 2026-07-16" in trail
    assert "the portal uses the later date, Thursday 2026-07-16, for reminders and for calling the answer late" in trail
    assert "Answering by Wednesday 2026-07-15 is safe under both" in trail
    assert "Respond by Thursday 2026-07-16." in trail
    assert result.respond_by == D(2026, 7, 16)
    assert "Cal. Civ. Code §§10, 12a" in result.citations


def test_it_moves_a_swiss_end_off_a_saturday_with_the_citation() -> None:
    result = compute_deadlines(factories.fadp(), received=D(2026, 3, 12), region="CH-ZH")
    roll = [s for s in result.steps if s.kind == "roll_forward"]
    assert [s.text for s in roll] == [
        "Response: 2026-04-11 is a Saturday, so the end moves to the next day.",
        "Response: 2026-04-12 is a Sunday, so the end moves to the next day.",
    ]
    assert all("SR 173.110.3 Art. 1" in s.citation for s in roll)
