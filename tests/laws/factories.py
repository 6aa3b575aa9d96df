"""Small hand-built ``Regime`` objects for the deadline tests.

They mirror LEGAL.md §1–2 so the unit tests do not depend on the JSON records in ``laws/data/``
(``test_deadlines_records.py`` runs the same table against those). Each factory takes keyword
overrides for any ``Regime`` field; ``period()`` builds a ``Period`` with sensible defaults.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from deletion_portal.laws.types import (
    Authority,
    Coverage,
    Extension,
    LetterFacts,
    NoFixedPeriod,
    OtherReading,
    Pause,
    Period,
    Regime,
    Right,
    Rule,
)

REVIEWED = date(2026, 1, 15)


def period(
    count: int,
    counting: str,
    citation: str,
    *,
    description: str = "",
    roll_forward: bool = True,
    roll_forward_citation: str = "",
    non_working_days: str = "weekends_and_public_holidays",
    other_reading: OtherReading | None = None,
) -> Period:
    unit = {"calendar_months": "months", "business_days": "business_days"}.get(counting, "days")
    return Period(
        count=count,
        unit=unit,
        counting=counting,
        citation=citation,
        verification="checked",
        description=description or f"{count} {unit.replace('_', ' ')}",
        roll_forward=roll_forward,
        roll_forward_citation=roll_forward_citation,
        non_working_days=non_working_days,
        other_reading=other_reading,
    )


def rule(text: str, citation: str) -> Rule:
    return Rule(text=text, citation=citation, verification="checked")


def regime(key: str = "test-law", **overrides) -> Regime:
    """A GDPR-like regime; override any field."""
    base = Regime(
        key=key,
        name="Test law",
        short_name="TEST",
        instrument="Test instrument",
        countries=("DE",),
        regions=(),
        reviewed=REVIEWED,
        verification="checked",
        coverage=Coverage(status="covered", reason="Employees are covered.", citation="Test Art. 1", verification="checked"),
        rights=(
            Right(code="access", name="Access", citation="Test Art. 15", verification="checked"),
            Right(code="erasure", name="Erasure", citation="Test Art. 17", verification="checked"),
        ),
        response=period(1, "calendar_months", "Test Art. 12(3)", description="one month of receipt"),
        no_fixed_period=None,
        extension=None,
        extension_none_reason="The test law allows no extension.",
        acknowledgement=None,
        start_events=(),
        start_rule=rule("receipt of the request", "Test Art. 12(3)"),
        pauses=(),
        holidays=rule("public holidays of the controller's establishment", "Test Art. 3(4)"),
        fee=rule("free", "Test Art. 12(5)"),
        identity=rule("only on reasonable doubt", "Test Art. 12(6)"),
        authority=Authority(name="Test authority", url="https://example.org/", verification="verify"),
        complaint_routing="single_authority",
        letters=LetterFacts(family="generic", languages=("en",), local_language=None, citation_style="as_written",
                            date_style="day_month_year", gdpr_text=None, employment_exemption_citation=None),
        applicability=(),
    )
    return replace(base, **overrides)


# --- regimes modelled on LEGAL.md --------------------------------------------------------------

GDPR_ROLL = "Art. 3(4) Regulation 1182/71"


def gdpr() -> Regime:
    return regime(
        "eu-gdpr",
        name="General Data Protection Regulation (EU)",
        short_name="GDPR",
        instrument="Regulation (EU) 2016/679",
        response=period(1, "calendar_months", "Art. 12(3) GDPR", description="one month of receipt", roll_forward_citation=GDPR_ROLL),
        extension=Extension(
            period=period(3, "calendar_months", "Art. 12(3) GDPR", description="two further months (three in all)", roll_forward_citation=GDPR_ROLL),
            measured_from="start",
            notice_by="original_end",
            who_must_be_told="the data subject",
            reasons_required=True,
            grounds="complexity and number of requests",
            citation="Art. 12(3) GDPR",
            verification="checked",
        ),
        extension_none_reason="",
        start_rule=rule("receipt of the request", "Art. 12(3) GDPR"),
    )


def uk_gdpr() -> Regime:
    months = dict(roll_forward_citation="ICO guidance on time limits")
    return regime(
        "uk-gdpr",
        name="UK GDPR and Data Protection Act 2018",
        short_name="UK GDPR",
        instrument="UK GDPR",
        countries=("GB",),
        response=period(1, "calendar_months", "Art. 12A UK GDPR", description="one month from the relevant time", **months),
        extension=Extension(
            period=period(3, "calendar_months", "Art. 12A UK GDPR", description="two further months (three in all)", **months),
            measured_from="start",
            notice_by="original_end",
            who_must_be_told="the data subject",
            reasons_required=True,
            grounds="complexity and number of requests",
            citation="Art. 12A(3) UK GDPR",
            verification="checked",
        ),
        extension_none_reason="",
        start_events=("identity_received", "fee_paid"),
        start_rule=rule("the relevant time: the latest of receipt, identity information and fee", "Art. 12A(2) UK GDPR"),
        pauses=(
            Pause(
                starts_on="clarification_requested",
                ends_on="clarification_received",
                rights=("access",),
                citation="Art. 15(1B) UK GDPR (ICO)",
                verification="secondary",
            ),
        ),
    )


CCPA_ROLL = "Cal. Civ. Code §§10, 12a"

#: Civ. Code §10: first day excluded, last included, a last day on a holiday (§12a: a Saturday too)
#: moves to the next day; shown beside the §7021(b) reading, the later date is used.
CCPA_CIV_CODE_10 = OtherReading(
    counting="days_excluding_start",
    roll_forward=True,
    roll_forward_citation=CCPA_ROLL,
    label="under Civ. Code §10",
    explanation="The first day is excluded and the last included; an end on a holiday moves",
    citation=CCPA_ROLL,
    verification="verify",
)


def ccpa() -> Regime:
    return regime(
        "us-ca-ccpa",
        name="California Consumer Privacy Act",
        short_name="CCPA",
        instrument="Cal. Civ. Code §1798.100 ff.",
        countries=(),
        regions=("US-CA",),
        response=period(45, "days_including_start", "11 CCR §7021(b)", description="45 calendar days from receipt", roll_forward=False, other_reading=CCPA_CIV_CODE_10),
        acknowledgement=period(10, "business_days", "11 CCR §7021(a)", description="confirm receipt within 10 business days"),
        extension=Extension(
            period=period(90, "days_including_start", "Cal. Civ. Code §1798.130(a)(2)", description="90 days in all", roll_forward=False, other_reading=CCPA_CIV_CODE_10),
            measured_from="start",
            notice_by="original_end",
            who_must_be_told="the consumer",
            reasons_required=True,
            grounds="when reasonably necessary",
            citation="Cal. Civ. Code §1798.130(a)(2)",
            verification="checked",
        ),
        extension_none_reason="",
        start_rule=rule("the day the business receives the request (day one)", "11 CCR §7021(b)"),
    )


PIPEDA_ROLL = "Interpretation Act ss. 26, 35"
PIPEDA_DAYS = "ca_interpretation_act_holidays"  # Sunday and the s.35 holidays; not Saturday


def pipeda() -> Regime:
    return regime(
        "ca-pipeda",
        short_name="PIPEDA",
        countries=("CA",),
        response=period(30, "days_excluding_start", "PIPEDA s.8(3)", description="30 days after receipt", roll_forward_citation=PIPEDA_ROLL, non_working_days=PIPEDA_DAYS),
        extension=Extension(
            period=period(30, "days_excluding_start", "PIPEDA s.8(4)", description="a further 30 days", roll_forward_citation=PIPEDA_ROLL, non_working_days=PIPEDA_DAYS),
            measured_from="original_end",
            notice_by="original_end",
            who_must_be_told="the individual",
            reasons_required=True,
            grounds="unreasonable interference or consultations needed",
            citation="PIPEDA s.8(4)",
            verification="checked",
        ),
        extension_none_reason="",
    )


def fadp() -> Regime:
    return regime(
        "ch-fadp",
        short_name="revFADP",
        countries=("CH",),
        response=period(
            30, "days_excluding_start", "Art. 18(1) DPO (SR 235.11)", description="30 days from receipt",
            roll_forward_citation="CO Art. 78(1) via ZGB Art. 7; SR 173.110.3 Art. 1",
        ),
        extension=None,
        extension_none_reason="Art. 18(2) sets no extension period.",
    )


def quebec() -> Regime:
    return regime(
        "ca-qc-law25",
        short_name="Quebec Private Sector Act",
        countries=(),
        regions=("CA-QC",),
        response=period(30, "days_excluding_start", "CQLR c P-39.1 s.32", description="30 days of receipt", roll_forward_citation="CQLR c I-16 s.52"),
        extension=None,
        extension_none_reason="Section 32 allows no extension.",
    )


def lgpd() -> Regime:
    return regime(
        "br-lgpd",
        short_name="LGPD",
        countries=("BR",),
        response=period(15, "days_excluding_start", "LGPD Art. 19(II)", description="15 days from the request", roll_forward_citation="Civil Code Art. 132 §1"),
    )


def pipa() -> Regime:
    return regime(
        "kr-pipa",
        short_name="PIPA",
        countries=("KR",),
        response=period(10, "days_excluding_start", "PIPA Enforcement Decree Art. 41(4)", description="10 days of receipt", roll_forward_citation="Civil Act Art. 161"),
    )


def appi() -> Regime:
    return regime(
        "jp-appi",
        short_name="APPI",
        countries=("JP",),
        response=None,
        no_fixed_period=NoFixedPeriod(
            reason="The APPI requires disclosure 'without delay' and sets no day count.",
            citation="APPI Art. 33(2)",
            suggested_follow_up_days=14,
            suggestion_basis="Art. 39: a lawsuit is possible only two weeks after the request arrives.",
            verification="verify",
        ),
        extension=None,
        extension_none_reason="No fixed period, so nothing to extend.",
    )


def excluded() -> Regime:
    return regime(
        "us-va-vcdpa",
        short_name="VCDPA",
        countries=(),
        regions=("US-VA",),
        coverage=Coverage(
            status="excluded",
            reason="Virginia's law excludes people acting in an employment context.",
            citation="Va. Code §59.1-575 ('consumer')",
            verification="secondary",
        ),
        response=None,
        no_fixed_period=None,
        extension=None,
        extension_none_reason="",
    )
