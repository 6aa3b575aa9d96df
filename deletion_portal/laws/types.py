"""The shapes of the legal rules engine: law records (data) and deadline results.

A regime is data: one JSON file per regime under ``laws/data/``, parsed into these frozen
dataclasses by ``laws.registry``. The pure deadline module (``laws.deadlines``) reads them; it never
touches the database or the file system. Every rule carries its citation and a verification mark
(LEGAL.md: ``checked`` read against the official text, ``secondary`` from a reputable secondary
source, ``verify`` believed right but not re-checked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Verification = Literal["checked", "secondary", "verify"]
CoverageStatus = Literal["covered", "partial", "excluded"]

#: Right codes shared by every regime. Each regime lists the ones it has, with its own name.
RIGHT_CODES: tuple[str, ...] = (
    "access",
    "erasure",
    "rectification",
    "restriction",
    "objection",
    "portability",
    "automated_decisions",
    "opt_out_sharing",
    "limit_sensitive",
)

#: How a period is counted. The deadline module implements exactly these methods.
#: - ``calendar_months``: EU Regulation 1182/71 / ICO: the day of the start is not counted; the period
#:   ends on the same date N months later, or the month's last day when that date does not exist.
#: - ``days_excluding_start``: N calendar days, the start day not counted (end = start + N days);
#:   civil-law counting (BR Civil Code Art. 132, KR Civil Act Art. 157, CA Interpretation Act s.27).
#: - ``days_including_start``: N calendar days, the start day is day one (end = start + N - 1);
#:   e.g. CCPA regs §7021(b) "begin on the day that the business receives the request".
#: - ``business_days``: N working days after the start day, skipping weekends and the region's
#:   public holidays (end = the Nth working day after the start).
CountingMethod = Literal["calendar_months", "days_excluding_start", "days_including_start", "business_days"]

#: Which days an end moves off when ``Period.roll_forward`` is set (implemented in ``laws.regions``):
#: - ``weekends_and_public_holidays``: Saturdays, Sundays and the region's public holidays.
#: - ``ca_interpretation_act_holidays``: the "holidays" of the Canadian Interpretation Act s.35 (Sunday
#:   and the federal holidays it names, plus the province's holidays); a Saturday is not one.
NonWorkingDays = Literal["weekends_and_public_holidays", "ca_interpretation_act_holidays"]

#: Events a case can record that the deadline module understands.
EventKind = Literal[
    "extension_notified",  # the controller told the person it extends the period (with reasons)
    "clarification_requested",  # the controller asked the person to clarify the request
    "clarification_received",  # the clarification reached the controller
    "identity_received",  # identity information asked for (e.g. GDPR Art. 12(6)) reached the controller
    "fee_paid",  # a fee the controller was allowed to ask for was paid
]
EVENT_KINDS: tuple[str, ...] = (
    "extension_notified",
    "clarification_requested",
    "clarification_received",
    "identity_received",
    "fee_paid",
)


@dataclass(frozen=True)
class Rule:
    """A fact in prose with its source, e.g. a fee or identity rule."""

    text: str
    citation: str
    verification: Verification


@dataclass(frozen=True)
class Right:
    code: str  # one of RIGHT_CODES
    name: str  # the regime's own name, e.g. CCPA's "Right to know" for ``access``
    citation: str  # e.g. "Art. 15 GDPR"
    verification: Verification


@dataclass(frozen=True)
class Authority:
    name: str
    url: str  # complaint page where one exists, else the authority's home page
    verification: Verification
    note: str = ""  # e.g. "complain to the organisation first"


@dataclass(frozen=True)
class Coverage:
    status: CoverageStatus
    reason: str  # one or two plain sentences for an employee
    citation: str
    verification: Verification


@dataclass(frozen=True)
class OtherReading:
    """A second defensible way of counting the same period where the law is ambiguous (CCPA: 11 CCR
    §7021(b) "begin on the day ... receives" against Civ. Code §10 "excluding the first day").

    The deadline module computes both, shows this one in the trail as "<label> the date would be …",
    and uses the **later** of the two as the date for reminders and "overdue", so nobody calls an
    employer late while one reading still gives it time.
    """

    counting: CountingMethod  # must fit the period's unit
    roll_forward: bool
    roll_forward_citation: str  # "" when roll_forward is false
    label: str  # e.g. "under Civ. Code §10"
    explanation: str  # how this reading counts, one sentence
    citation: str
    verification: Verification
    non_working_days: NonWorkingDays = "weekends_and_public_holidays"


@dataclass(frozen=True)
class Period:
    count: int
    unit: Literal["months", "days", "business_days"]
    counting: CountingMethod
    citation: str
    verification: Verification
    description: str  # e.g. "one month of receipt"
    roll_forward: bool = True  # an end on a weekend or public holiday moves to the next working day
    roll_forward_citation: str = ""  # the rule that moves it, e.g. "Art. 3(4) Regulation 1182/71"
    non_working_days: NonWorkingDays = "weekends_and_public_holidays"  # the days an end moves off
    other_reading: OtherReading | None = None  # a second reading shown in the trail; the later date is used


@dataclass(frozen=True)
class Extension:
    """How far the controller may extend, and the notice that makes an extension valid."""

    period: Period  # the total period when extended (see ``measured_from``)
    measured_from: Literal["start", "original_end"]  # GDPR/UK/CCPA: total from the start; PIPEDA: after the first end
    notice_by: Literal["original_end"]  # notice must reach the person by the end of the first period
    who_must_be_told: str
    reasons_required: bool
    grounds: str  # when an extension is allowed, e.g. "complexity and number of requests"
    citation: str
    verification: Verification


@dataclass(frozen=True)
class Pause:
    """Days between two events that do not count (e.g. the UK clarification pause)."""

    starts_on: EventKind  # e.g. "clarification_requested"
    ends_on: EventKind  # e.g. "clarification_received"
    rights: tuple[str, ...]  # right codes it applies to; empty = every right
    citation: str
    verification: Verification


@dataclass(frozen=True)
class NoFixedPeriod:
    """A regime without a statutory day count: no date is returned, only a labelled suggestion."""

    reason: str  # e.g. "The APPI requires a response 'without delay' and sets no day count."
    citation: str
    suggested_follow_up_days: int  # calendar days after receipt, a suggestion, never a deadline
    suggestion_basis: str  # why that many days, e.g. "Art. 39: a lawsuit only 2 weeks after the request"
    verification: Verification


@dataclass(frozen=True)
class ApplicabilityClause:
    """When a regime applies (or is shown as excluded) for a person, with the one-sentence reason.

    A clause matches when *every* condition it sets matches (unset ones are ignored). Country codes are
    ISO 3166-1 alpha-2; region codes are ISO 3166-2 like ``US-CA`` or ``CA-QC``.
    """

    reason: str
    citation: str
    work_countries: tuple[str, ...] = ()
    work_regions: tuple[str, ...] = ()
    residence_countries: tuple[str, ...] = ()
    residence_regions: tuple[str, ...] = ()
    employer_countries: tuple[str, ...] = ()
    not_work_regions: tuple[str, ...] = ()  # the clause does not match for these work regions
    verification: Verification = "verify"  # added: the mark of the scope rule itself (e.g. GDPR Art. 3)


#: Which request template family a regime's letters use (``letters/<lang>/_asks_<family>.html``), and
#: the checklist labels and sign-off that go with it.
LetterFamily = Literal["gdpr", "ccpa", "generic"]
LETTER_FAMILIES: tuple[str, ...] = ("gdpr", "ccpa", "generic")

#: How the record's (English) citations are written in a letter's language:
#: - ``as_written``: unchanged;
#: - ``gdpr_articles``: ``Art. 21(1) GDPR`` -> ``Art. 21 Abs. 1 DSGVO`` / ``article 21, paragraphe 1, du RGPD`` …;
#: - ``lgpd_articles``: ``Lei 13.709/2018, Art. 19`` -> ``art. 19 da LGPD``;
#: - ``cqlr_sections``: ``CQLR c P-39.1, s.32`` -> ``RLRQ, c. P-39.1, art. 32``.
CitationStyle = Literal["as_written", "gdpr_articles", "lgpd_articles", "cqlr_sections"]

#: How an English letter writes a date: ``5 March 2026`` or (US usage) ``March 5, 2026``.
DateStyle = Literal["day_month_year", "month_day_year"]

#: Where a complaint goes: ``eu_art77`` — any EU/EEA supervisory authority competent under Art. 77 GDPR
#: (habitual residence, place of work, place of the infringement); ``single_authority`` — the one
#: authority of the record (``Regime.authority``).
ComplaintRouting = Literal["eu_art77", "single_authority"]


@dataclass(frozen=True)
class LocalRightName:
    """A right's name in the regime's own local language, where it differs from the usual translation
    (Quebec's French names its rights differently from the GDPR's French)."""

    code: str  # one of the regime's right codes
    name: str  # e.g. "Droit à la cessation de la diffusion et de l'utilisation"
    subject_word: str | None = None  # the short word in the letter's subject line, e.g. "cessation"


@dataclass(frozen=True)
class BundleRights:
    """The rights a ready-made bundle of the wizard asks for under this regime, where they differ from the
    bundle's usual list (the CCPA's "Erase my training contributions" also limits the use of sensitive personal
    information, §1798.121, and opts out of sale and sharing, §1798.120)."""

    bundle: str  # a bundle code of the wizard, e.g. "erase_training"
    rights: tuple[str, ...]  # the regime's right codes, in the order the letter lists them


@dataclass(frozen=True)
class LetterWords:
    """The regime's own words in one letter language, where the usual ones would be wrong (the CCPA has no
    "Data Protection Officer" but a privacy contact, and "requests to know / to delete")."""

    language: str  # one of ``letters.languages``
    recipient: str | None = None  # the recipient line and its title, e.g. "Privacy contact"
    title: str | None = None  # the letter's title and subject prefix, e.g. "Consumer privacy request"
    salutation: str | None = None  # e.g. "Dear Privacy Contact,"
    right_names: tuple[LocalRightName, ...] = ()  # the rights' names and subject words in this language


@dataclass(frozen=True)
class LetterFacts:
    """What the letters need to know about a regime (read by ``cases.letters`` and ``tracking``)."""

    family: LetterFamily
    languages: tuple[str, ...]  # the letter languages offered, English first, e.g. ("en", "de", "fr")
    local_language: str | None  # the regime's own language when the employer's country does not decide
    citation_style: CitationStyle
    date_style: DateStyle
    #: Which text of the GDPR a ``gdpr`` family letter cites: ``eu`` (the Regulation; AI Act questions,
    #: national works-council rules) or ``uk`` (UK GDPR: Arts 22A–22D, transfers out of the UK); null
    #: for the other families.
    gdpr_text: Literal["eu", "uk"] | None
    #: The employment exemption an employer may claim, cited so the letter asks why training a model is
    #: an employment purpose (LEGAL.md §3 item 14); null when the regime has none.
    employment_exemption_citation: str | None
    local_right_names: tuple[LocalRightName, ...] = ()  # in ``local_language``
    bundles: tuple[BundleRights, ...] = ()  # bundles whose rights differ under this regime
    words: tuple[LetterWords, ...] = ()  # the regime's own words per letter language

    def bundle_rights(self, bundle: str) -> tuple[str, ...] | None:
        """The rights ``bundle`` asks for under this regime, or None when the bundle's usual list applies."""
        return next((b.rights for b in self.bundles if b.bundle == bundle), None)

    def words_in(self, language: str) -> LetterWords | None:
        return next((w for w in self.words if w.language == language), None)


#: What an employer's team can do with a request in the portal (``dpo.services``, section Actions).
ActionCode = Literal["acknowledge", "request_identity", "request_clarification", "extend", "refuse", "close"]
ACTION_CODES: tuple[str, ...] = ("acknowledge", "request_identity", "request_clarification", "extend", "refuse", "close")


@dataclass(frozen=True)
class Choice:
    """One item of a list the law's record offers (a proportionate identity question)."""

    code: str
    label: str


@dataclass(frozen=True)
class IdentityRequestRule:
    """What the law allows when the employer asks for identity information, and what it does to the clock
    (the clock itself follows ``Regime.start_events``: ``identity_received`` there moves the start)."""

    text: str  # the rule, e.g. "only on reasonable doubt" (GDPR 12(6))
    citation: str
    verification: Verification
    questions: tuple[Choice, ...]  # proportionate questions for a former employee
    id_copy_warning: str  # shown before an ID-document copy can be asked for (a written reason is required)
    clock_effect: str  # one sentence for the form and the employee's notice


@dataclass(frozen=True)
class RefusalGround:
    code: str
    label: str
    citation: str
    verification: Verification
    warning: str = ""  # e.g. the burden of proof under GDPR Art. 12(5)


@dataclass(frozen=True)
class AnswerItem:
    """One item a complete answer must give (an access answer's Art. 15(1)(a) purposes, the copy …)."""

    code: str  # the checklist code, e.g. "art15_1_a", "copy", "data:held"
    label: str
    citation: str
    verification: Verification


@dataclass(frozen=True)
class AnswerRules:
    """What a complete, lawful answer to a request contains under the regime (LEGAL.md §4), read by
    ``dpo.answers``: the access items each answered, not applicable or withheld on one of the law's
    ``refusal_grounds``; the grounds on which data or an ML artefact may be retained despite an erasure
    request; and the rules the form and the response letter cite."""

    access_items: tuple[AnswerItem, ...]
    retention_grounds: tuple[RefusalGround, ...]  # e.g. GDPR 17(3)(a)–(e), CCPA §1798.105(d)
    recipients_notification: Rule  # erasure told to every recipient (GDPR Art. 19)
    objection: Rule  # objection: stop unless compelling legitimate grounds (GDPR 21(1))
    restriction_while_assessed: Rule  # GDPR 18(1)(d)
    anonymity: Rule  # a model is anonymous only with an assessment (EDPB Opinion 28/2024)


@dataclass(frozen=True)
class LocalLabel:
    """A record item's label in one letter language (a refusal ground, an access item, a retention ground), with
    its citation as that language writes it (``local_citation``) where the rule of ``letters.citation_style`` cannot localise it
    (``CJEU C-154/21`` -> ``EuGH, C-154/21``); null: the rule's localisation of the English citation."""

    code: str  # the item's code in the English record
    label: str
    local_citation: str | None = None


@dataclass(frozen=True)
class LocalText:
    """A rule's text in one letter language, with its citation as for :class:`LocalLabel`."""

    text: str
    local_citation: str | None = None


@dataclass(frozen=True)
class AnswerWords:
    """The law words of the employer's answer in one letter language other than English (the response letter
    and the employee's page): every refusal ground, the remedies and, where the record has ``answer``, every
    access item, retention ground and answer rule. The registry refuses a letter language without them."""

    language: str  # one of ``letters.languages``, not "en"
    refusal_grounds: tuple[LocalLabel, ...]
    remedies: LocalText
    access_items: tuple[LocalLabel, ...] = ()
    retention_grounds: tuple[LocalLabel, ...] = ()
    recipients_notification: LocalText | None = None
    objection: LocalText | None = None
    restriction_while_assessed: LocalText | None = None
    anonymity: LocalText | None = None


@dataclass(frozen=True)
class EmployerActions:
    """The actions the law knows for a request and the facts each one shows (``Regime.employer_actions``).

    ``extend`` is listed exactly when the regime has an ``extension`` (its period and window are there);
    the clarification pause is ``Regime.pauses``."""

    actions: tuple[ActionCode, ...]
    identity: IdentityRequestRule
    clarification: Rule  # what asking for clarification does under this law (the page says it)
    refusal_grounds: tuple[RefusalGround, ...]
    remedies: Rule  # inserted into every refusal: the person's remedies (GDPR Art. 12(4): complaint and court)
    #: What a complete answer contains (``dpo.answers``); null: the portal's generic items and the refusal grounds.
    answer: AnswerRules | None = None
    #: The answer's law words in each further letter language (``letters.languages`` but English).
    words: tuple[AnswerWords, ...] = ()

    def words_in(self, language: str) -> AnswerWords | None:
        return next((w for w in self.words if w.language == language), None)


@dataclass(frozen=True)
class Representation:
    """Acting for the person (advocacy mandates, LEGAL.md §5): who may exercise the rights on the person's
    behalf and what the business may ask for (``rights``), and representation for complaints and court
    where the law has it (``complaints``). The mandate's text and the authorisation PDF quote these."""

    rights: Rule
    complaints: Rule | None = None


@dataclass(frozen=True)
class Regime:
    key: str  # e.g. "eu-gdpr"
    name: str  # e.g. "General Data Protection Regulation (EU)"
    short_name: str  # e.g. "GDPR"
    instrument: str  # e.g. "Regulation (EU) 2016/679"
    countries: tuple[str, ...]  # where it is the law (ISO alpha-2); states/provinces in ``regions``
    regions: tuple[str, ...]  # ISO 3166-2 codes for sub-national laws, else ()
    reviewed: date
    verification: Verification  # the weakest mark among its rules
    coverage: Coverage
    rights: tuple[Right, ...]
    response: Period | None  # None exactly when ``no_fixed_period`` is set
    no_fixed_period: NoFixedPeriod | None
    extension: Extension | None
    extension_none_reason: str  # why there is no extension (e.g. "Quebec s.32 allows none"), "" if there is one
    acknowledgement: Period | None
    start_events: tuple[EventKind, ...]  # events that move the start to the latest of them (UK "relevant time")
    start_rule: Rule  # what starts the clock, e.g. "receipt of the request"
    pauses: tuple[Pause, ...]
    holidays: Rule  # whose public holidays count (e.g. the controller's member state)
    fee: Rule
    identity: Rule
    authority: Authority
    complaint_routing: ComplaintRouting
    letters: LetterFacts
    applicability: tuple[ApplicabilityClause, ...]
    notes: tuple[Rule, ...] = ()  # anything else a letter or the calculator should show
    employer_actions: EmployerActions | None = None  # null exactly when coverage is "excluded"
    representation: Representation | None = None  # acting for the person (advocacy mandates); absent: none offered

    def right(self, code: str) -> Right | None:
        return next((r for r in self.rights if r.code == code), None)


@dataclass(frozen=True)
class CaseEvent:
    kind: EventKind
    on: date
    reasons: str = ""


@dataclass(frozen=True)
class Step:
    kind: Literal["start", "rule", "raw_end", "roll_forward", "pause", "extension", "acknowledgement", "note", "suggestion"]
    text: str
    citation: str = ""

    def __str__(self) -> str:
        return f"{self.text} [{self.citation}]" if self.citation else self.text


@dataclass(frozen=True)
class ExtensionStatus:
    state: Literal["available", "valid", "invalid", "none"]
    # available: not (yet) notified, ``extended_respond_by`` is the latest date a valid extension gives;
    # valid: notified in time; invalid: notified too late (reason says why); none: the regime has none.
    reason: str


@dataclass(frozen=True)
class DeadlineResult:
    law_key: str
    received: date
    region: str
    start: date  # the date the clock runs from (the UK "relevant time" may be later than receipt)
    acknowledge_by: date | None
    respond_by: date | None  # None when the regime has no fixed period
    extended_respond_by: date | None  # latest date with a valid extension; None when none is possible
    extension: ExtensionStatus
    suggested_follow_up: date | None  # only for regimes with no fixed period: a suggestion
    employee_coverage: CoverageStatus
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def has_fixed_period(self) -> bool:
        return self.respond_by is not None

    @property
    def citations(self) -> list[str]:
        seen: list[str] = []
        for step in self.steps:
            if step.citation and step.citation not in seen:
                seen.append(step.citation)
        return seen
