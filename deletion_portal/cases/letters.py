"""The request letter: which languages a regime's letter comes in, and the context its templates read.

Templates live in ``templates/letters/``: one base layout (``base.html``) with the shared structure,
one ``<lang>/request.html`` per language that fills the base's blocks with text, and per language one
``_asks_<family>.html`` per regime family with the demands and the numbered questions (LEGAL.md §3):

* ``gdpr``    — EU GDPR and UK GDPR (the full list; ``letters.gdpr_text`` ``uk``: Arts 22A–22D, no AI Act);
* ``ccpa``    — California (CCPA/CPRA and its regulations);
* ``generic`` — every other regime (the generic subset of questions).

The record's ``letters.family`` says which; :func:`regime_family` is the one function that reads it.

Everything the user typed (names, addresses, free text, the employer's details) reaches the templates
as plain strings and is autoescaped there; nothing here marks anything safe.

What differs between laws (the family, the languages offered, how citations and dates are written, the
regime's own right names, the employment exemption it cites) is read from the law record's ``letters``
field; no law key is compared here. Small translated strings (labels, category descriptions, right names,
month names) are data in ``cases.letter_texts``; the letter prose is in the templates.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from deletion_portal.cases.hooks import letter_context_additions
from deletion_portal.cases.letter_texts import (
    AND_WORD,
    ARTICLE_WORDS,
    CATEGORY_TEXT,
    COUNTRY_LANGUAGE,
    EDPB_GUIDELINES,
    EMPLOYEE_INFORMATION_RULES,
    GDPR_ACT_NAMES,
    KIND_TITLES,
    LABELS,
    LANGUAGES,
    MONTHS,
    PORTAL_ANSWER,
    RAW_RECORD_WORDS,
    RECORDED_WORDS,
    RIGHT_NAMES,
    RIGHT_SUBJECT_WORDS,
    WORKS_COUNCIL_RULES,
)
from deletion_portal.cases.models import Case, LetterKind
from deletion_portal.cases.taxonomy import CATEGORIES, CATEGORY_BY_CODE
from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.regions import UnknownRegion, parse_region
from deletion_portal.laws.registry import UnknownRegime, get_regime
from deletion_portal.laws.types import RIGHT_CODES, LetterFacts, LocalRightName, Regime

if TYPE_CHECKING:  # pragma: no cover
    from deletion_portal.core.pdf import PdfMetadata

__all__ = [
    "LANGUAGES",
    "TEMPLATE_VERSION",
    "default_language",
    "format_date",
    "letter_context",
    "letter_footer",
    "letter_html",
    "letter_labels",
    "letter_language",
    "letter_languages",
    "letter_metadata",
    "case_access_code",
    "claim_url",
    "country_name",
    "recipient_lines",
    "local_citation",
    "month_first_dates",
    "regime_family",
    "right_name",
]

#: Bump when the wording of any request template changes; stored on each Letter.
TEMPLATE_VERSION = "request-3"  # 2: the case access code paragraph; 3: chosen categories only, signature line, country names, FR L2312-38/L1222-4, CCPA words


def _letter_facts(law_key: str) -> LetterFacts | None:
    """The law record's ``letters`` facts, or None for an empty or unknown key (a draft without a law)."""
    try:
        return get_regime(law_key).letters
    except UnknownRegime:
        return None


def letter_languages(law_key: str) -> list[str]:
    """The languages the request letter for ``law_key`` exists in (the record's ``letters.languages``);
    English first. Only English for an empty or unknown key."""
    facts = _letter_facts(law_key)
    return list(facts.languages) if facts else ["en"]


def _language_code(value: str) -> str:
    """``"de-AT"`` / ``"DE"`` / ``" pt_BR "`` -> ``"de"`` / ``"de"`` / ``"pt"``."""
    return (value or "").strip().replace("_", "-").split("-")[0].lower()


def default_language(*, law_key: str, employer_language: str, employer_country: str) -> str:
    """The employer's preferred language if the regime's letter exists in it; else the employer
    country's main language if offered; else the regime's own local language (``letters.local_language``:
    Canada is bilingual, but a Quebec Law 25 letter goes in French) if offered; else English."""
    offered = letter_languages(law_key)
    facts = _letter_facts(law_key)
    candidates = (
        _language_code(employer_language),
        COUNTRY_LANGUAGE.get((employer_country or "").strip().upper(), ""),
        (facts.local_language or "") if facts else "",
    )
    for candidate in candidates:
        if candidate and candidate in offered:
            return candidate
    return "en"


# --- Regime families and citations -----------------------------------------------------------------


def regime_family(law_key: str) -> str:
    """The letter family of ``law_key`` (the record's ``letters.family``): ``gdpr``, ``ccpa`` or
    ``generic``. It picks the request's ``_asks_<family>.html``, the checklist's labels and the
    follow-up's and complaint's wording. ``generic`` for an empty or unknown key. The one place that
    answers this question: tracking (follow-up, complaint, checklist) calls it too."""
    facts = _letter_facts(law_key)
    return facts.family if facts else "generic"


def month_first_dates(law_key: str) -> bool:
    """Whether an English letter under ``law_key`` writes dates month first (``March 5, 2026``; the
    record's ``letters.date_style`` is ``month_day_year``)."""
    facts = _letter_facts(law_key)
    return facts is not None and facts.date_style == "month_day_year"


_GDPR_CITATION = re.compile(r"^Art\.\s*(?P<art>\d+)(?P<parts>(?:\(\w+\))*)\s+GDPR$")
_LGPD_CITATION = re.compile(r"^Lei 13\.709/2018,\s*Art\.\s*(?P<art>\d+)(?:,\s*(?P<items>.+))?$")
_CQLR_CITATION = re.compile(r"^CQLR c P-39\.1(?:,\s*s\.(?P<sec>[\d.]+))?$")


def _gdpr_article(art: str, parts: list[str], lang: str) -> str:
    act = GDPR_ACT_NAMES[lang]
    paragraph = next((p for p in parts if p.isdigit()), None)
    letter = next((p for p in parts if not p.isdigit()), None)
    if lang == "de":
        text = f"Art. {art}"
        text += f" Abs. {paragraph}" if paragraph else ""
        text += f" lit. {letter}" if letter else ""
        return f"{text} {act}"
    if lang == "nl":
        text = f"artikel {art}"
        text += f", lid {paragraph}" if paragraph else ""
        text += f", onder {letter}" if letter else ""
        return f"{text}{',' if paragraph else ''} {act}"
    word, par_word, letter_word, of = ARTICLE_WORDS[lang]
    text = f"{word} {art}"
    text += f", {par_word} {paragraph}" if paragraph else ""
    text += f", {letter_word} {letter})" if letter else ""
    return f"{text}{',' if paragraph else ''} {of} {act}"


def _gdpr_articles(citation: str, lang: str) -> str | None:
    if lang not in GDPR_ACT_NAMES:
        return None
    match = _GDPR_CITATION.match(citation)
    if match:
        return _gdpr_article(match["art"], re.findall(r"\((\w+)\)", match["parts"]), lang)
    if citation.startswith("EDPB Guidelines"):
        return EDPB_GUIDELINES[lang] + citation[len("EDPB Guidelines"):]
    return None


def _lgpd_articles(citation: str, lang: str) -> str | None:
    match = _LGPD_CITATION.match(citation) if lang == "pt" else None
    if match is None:
        return None
    items = (match["items"] or "").replace(" and ", " e ")
    return f"art. {match['art']}, {items}, da LGPD" if items else f"art. {match['art']} da LGPD"


def _cqlr_sections(citation: str, lang: str) -> str | None:
    match = _CQLR_CITATION.match(citation) if lang == "fr" else None
    if match is None:
        return None
    return f"RLRQ, c. P-39.1, art. {match['sec']}" if match["sec"] else "RLRQ, c. P-39.1"


#: The localisers of each ``letters.citation_style`` (laws.types.CitationStyle); each returns None for a
#: citation or a language it does not handle.
_CITATION_STYLES = {
    "as_written": (),
    "gdpr_articles": (_gdpr_articles,),
    "lgpd_articles": (_lgpd_articles,),
    "cqlr_sections": (_cqlr_sections,),
}


def _local_part(citation: str, lang: str, style: str | None) -> str:
    if style is None:
        localisers = [f for fs in _CITATION_STYLES.values() for f in fs]
    else:
        localisers = _CITATION_STYLES[style]
    for localise in localisers:
        local = localise(citation, lang)
        if local is not None:
            return local
    return citation


def local_citation(citation: str, lang: str, *, style: str | None = None) -> str:
    """A citation from the law records (written in English) in the letter language's convention:
    ``Art. 21(1) GDPR`` -> ``Art. 21 Abs. 1 DSGVO`` / ``article 21, paragraphe 1, du RGPD`` /
    ``artículo 21, apartado 1, del RGPD`` / ``articolo 21, paragrafo 1, del GDPR`` / ``artikel 21, lid 1,
    AVG``; ``Lei 13.709/2018, Art. 19`` -> ``art. 19 da LGPD``; ``CQLR c P-39.1, s.32`` -> ``RLRQ, c.
    P-39.1, art. 32``. ``style`` is the regime's ``letters.citation_style``: only that convention is
    applied (``as_written``: none); None tries every convention. Anything not recognised is returned
    unchanged."""
    return "; ".join(_local_part(part.strip(), lang, style) for part in citation.split(";"))


# --- Dates -----------------------------------------------------------------------------------------


def format_date(day: date | None, lang: str, *, us: bool = False) -> str:
    """A date as a letter in ``lang`` writes it: ``5 March 2026`` (US: ``March 5, 2026``),
    ``5. März 2026``, ``1er mars 2026``, ``5 de marzo de 2026``, ``1º marzo 2026``, ``5 maart 2026``,
    ``1º de março de 2026``. Explicit month names: no dependency on the active locale."""
    if day is None:
        return ""
    month = MONTHS[lang][day.month - 1]
    d, y = day.day, day.year
    if lang == "en":
        return f"{month} {d}, {y}" if us else f"{d} {month} {y}"
    if lang == "de":
        return f"{d}. {month} {y}"
    if lang == "fr":
        return f"{'1er' if d == 1 else d} {month} {y}"
    if lang == "es":
        return f"{d} de {month} de {y}"
    if lang == "it":
        return f"{'1º' if d == 1 else d} {month} {y}"
    if lang == "nl":
        return f"{d} {month} {y}"
    if lang == "pt":
        return f"{'1º' if d == 1 else d} de {month} de {y}"
    raise ValueError(f"Unknown letter language {lang!r}")


# --- Right names ---------------------------------------------------------------------------------


def _join_words(words: list[str], lang: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {AND_WORD[lang]} {words[-1]}"


def _own_names(regime: Regime, lang: str) -> dict[str, LocalRightName] | None:
    """The regime's own right names in ``lang``: its words in that language (the record's
    ``letters.words[].right_names``: the CCPA's "request to know"), or its names in its local language
    (``letters.local_right_names``); else None (the usual translation applies)."""
    facts = regime.letters
    words = facts.words_in(lang)
    if words is not None and words.right_names:
        return {local.code: local for local in words.right_names}
    if facts.local_right_names and lang == facts.local_language:
        return {local.code: local for local in facts.local_right_names}
    return None


def letter_labels(regime: Regime | None, lang: str) -> dict[str, str]:
    """The letter's small labels in ``lang``, with the regime's own words where it has them (the CCPA's
    "Privacy contact" instead of "Data Protection Officer", "Consumer privacy request" as the title)."""
    labels = dict(LABELS[lang])
    words = regime.letters.words_in(lang) if regime is not None else None
    if words is not None:
        if words.recipient:
            labels["dpo"] = words.recipient
        if words.title:
            labels["title"] = words.title
        if words.salutation:
            labels["salutation"] = words.salutation
    return labels


def _right_name(regime: Regime, code: str, lang: str) -> str:
    record_name = regime.right(code).name
    own = _own_names(regime, lang)
    if own is not None and code in own:
        return own[code].name
    if lang == "en":
        return record_name
    if own is not None:
        return record_name
    return RIGHT_NAMES.get(lang, {}).get(code, record_name)


def right_name(regime: Regime, code: str, lang: str) -> str:
    """A right's name as a letter in ``lang`` writes it (the regime's own words, else the usual translation)."""
    return _right_name(regime, code, lang)


def _right_short(regime: Regime, code: str, lang: str) -> str:
    own = _own_names(regime, lang) or {}
    if code in own and own[code].subject_word:
        return own[code].subject_word
    return RIGHT_SUBJECT_WORDS.get(lang, {}).get(code, code.replace("_", " "))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]


@functools.cache
def _country_names() -> dict[str, str]:
    """Every country's name in every letter language (CLDR, via Babel), casefolded -> ISO code."""
    from babel import Locale

    names: dict[str, str] = {}
    for lang in LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(name.casefold(), code)
    return names


def country_name(code: str, lang: str) -> str:
    """The country ``code`` (ISO 3166-1 alpha-2) as a letter in ``lang`` names it: ``DE`` -> ``Deutschland`` in
    German, ``Allemagne`` in French (CLDR's names, via Babel). "" for an empty or unknown code."""
    from babel import Locale

    code = (code or "").strip().upper()
    return Locale.parse(lang).territories.get(code, "") if len(code) == 2 else ""


def recipient_lines(address: str, country: str, lang: str, *, sender_country: str = "") -> list[str]:
    """The recipient's postal address with its country line in the letter's language: a last line that names
    a country (in any letter language, e.g. "Germany" typed in English) becomes that country's name in ``lang``;
    without one, the employer's country is added when the letter crosses a border (``sender_country`` differs)."""
    lines = _lines(address)
    if lines and lines[-1].casefold() in _country_names():
        named = _country_names()[lines[-1].casefold()]
        return [*lines[:-1], country_name(named, lang) or lines[-1]]
    country = (country or "").strip().upper()
    if country and sender_country and country != sender_country.strip().upper():
        name = country_name(country, lang)
        if name:
            return [*lines, name]
    return lines


def _region_for(case: Case, regime: Regime) -> str:
    """The holiday region: the case's; else a sub-national regime's region (US-CA, CA-QC); else the
    employer's country; else the regime's first country."""
    employer_country = case.employer_country or (case.employer.country if case.employer else "")
    for candidate in (case.region, *regime.regions, employer_country, *regime.countries):
        if not candidate:
            continue
        try:
            return parse_region(candidate).code
        except UnknownRegion:
            continue
    return (*regime.regions, *regime.countries)[0]  # unreached: a record's own codes are valid regions


def letter_language(case: Case) -> str:
    offered = letter_languages(case.law_key)
    if not case.language:
        employer = case.employer
        return default_language(
            law_key=case.law_key,
            employer_language=employer.preferred_language if employer else "",
            employer_country=case.employer_country or (employer.country if employer else ""),
        )
    if case.language not in offered:
        raise ValueError(
            f"No {case.law_key} request letter in {case.language!r}; it exists in {', '.join(offered)}."
        )
    return case.language


# --- The context -----------------------------------------------------------------------------------


def letter_context(case: Case, *, kind: str = "request", today: date) -> dict[str, Any]:
    """Everything a letter template reads. Plain values only; the templates autoescape them."""
    if kind not in LetterKind.values:
        raise ValueError(f"Unknown letter kind {kind!r}")
    regime = get_regime(case.law_key)
    lang = letter_language(case)
    facts = regime.letters
    family = regime_family(regime.key)
    us = month_first_dates(regime.key)
    style = facts.citation_style

    def fmt(day: date | None) -> str:
        return format_date(day, lang, us=us)

    codes = [code for code in case.rights if regime.right(code) is not None]
    rights = [
        {
            "code": code,
            "name": _right_name(regime, code, lang),
            "citation": local_citation(regime.right(code).citation, lang, style=style),
        }
        for code in codes
    ]
    ask = {code: code in codes for code in RIGHT_CODES}

    chosen = [code for code in case.categories if code in CATEGORY_BY_CODE] or [c.code for c in CATEGORIES]
    texts = CATEGORY_TEXT[lang]
    categories = [
        {"code": code, "label": texts[code][0] if code in texts else CATEGORY_BY_CODE[code].label,
         "help": texts[code][1] if code in texts else CATEGORY_BY_CODE[code].help}
        for code in chosen
    ]

    chosen_recorded = [code for code in chosen if code in RECORDED_WORDS[lang]]
    recorded_text = _join_words([RECORDED_WORDS[lang][code] for code in chosen_recorded], lang)
    raw_records_text = _join_words([RAW_RECORD_WORDS[lang][code] for code in chosen_recorded], lang)

    received = case.received_on or today
    region = _region_for(case, regime)
    result = compute_deadlines(regime, received=received, region=region)
    response_citation = ""
    if regime.response is not None:
        response_citation = regime.response.citation
    elif regime.no_fixed_period is not None:
        response_citation = regime.no_fixed_period.citation
    deadline = {
        "fixed": result.respond_by is not None,
        "received": received,
        "received_text": fmt(received),
        "received_assumed": case.received_on is None,
        "respond_by": result.respond_by,
        "respond_by_text": fmt(result.respond_by),
        "citation": local_citation(response_citation, lang, style=style) if response_citation else "",
        "description": regime.response.description if regime.response else "",
        "extension_citation": local_citation(regime.extension.citation, lang, style=style) if regime.extension else "",
        "follow_up": result.suggested_follow_up,
        "follow_up_text": fmt(result.suggested_follow_up),
        "acknowledge_by_text": fmt(result.acknowledge_by),
        "acknowledge_citation": regime.acknowledgement.citation if regime.acknowledgement else "",
        "acknowledge_description": regime.acknowledgement.description if regime.acknowledgement else "",
        "region": region,
    }

    employer = case.employer
    employer_country = case.employer_country or (employer.country if employer else "")
    labels = letter_labels(regime, lang)
    short_names = [_right_short(regime, code, lang) for code in codes]
    return {
        "kind": kind,
        "language": lang,
        "language_name": LANGUAGES[lang],
        "template_version": TEMPLATE_VERSION,
        "labels": labels,
        "family": family,
        # Which GDPR text a gdpr-family letter cites (UK: Arts 22A–22D; EU: the AI Act questions, Art. 77).
        "uk": facts.gdpr_text == "uk",
        "eu": facts.gdpr_text == "eu",
        "act": regime.short_name,  # "GDPR" / "UK GDPR" / "CCPA" ...
        "regime": {
            "key": regime.key,
            "name": regime.name,
            "short_name": regime.short_name,
            "instrument": regime.instrument if regime.instrument != regime.name else "",
            "authority": regime.authority.name,
        },
        "asks_template": f"letters/{lang}/_asks_{family}.html",
        "reference": case.reference,
        "today": today,
        "date_text": fmt(today),
        # Sender.
        "requester_name": case.requester_name,
        "requester_address_lines": _lines(case.requester_address),
        "requester_email": case.requester_email,
        "employee_id": case.employee_id,
        "job_title": case.job_title,
        "employment_start_text": fmt(case.employment_start),
        "employment_end_text": fmt(case.employment_end),
        # Recipient.
        "employer_name": employer.legal_name if employer else "",
        "recipient_address_lines": recipient_lines(employer.postal_address, employer_country, lang,
                                                   sender_country=case.residence_country) if employer else [],
        "privacy_email": employer.privacy_email if employer else "",
        "employer_country": employer_country,
        # What is asked.
        "subject_rights": _join_words(short_names, lang),
        "rights": rights,
        "ask": ask,
        "categories": categories,
        "other_data": case.other_data,
        # Only the recorded categories the user chose, in the opening and in the questions (never "keystrokes,
        # mouse, screen and app switching" when two were ticked); empty when none of the four was chosen.
        "recorded_text": recorded_text,
        "raw_records_text": raw_records_text,
        "works_council": WORKS_COUNCIL_RULES.get(employer_country.upper(), "") if facts.gdpr_text == "eu" else "",
        "employee_information": (EMPLOYEE_INFORMATION_RULES.get(employer_country.upper(), "")
                                 if facts.gdpr_text == "eu" else ""),
        "employment_purpose_citation": facts.employment_exemption_citation or "",
        "deadline": deadline,
        # Identity.
        "identity_citation": local_citation(regime.identity.citation, lang, style=style),
        "identity_note": case.identity_note,
        # The way in for the employer's team (request letters only, and only with the employee's consent).
        "portal_answer": portal_answer(case, lang) if kind == LetterKind.REQUEST else None,
        # What the apps above cases add (cases.hooks.register_letter_context): a campaign's questions, the
        # organisation sending under a mandate.
        **letter_context_additions(case=case, kind=kind, language=lang),
    }


def case_access_code(case: Case) -> str:
    """The case access code as printed on the request letter and email: the reference and the secret in
    groups of four, e.g. ``DP-7K3Q-9M2X-ABCD-EFGH-JKLM-NPQR``. Printed only there: never on the employee's
    pages, in a log line or in a URL."""
    secret = case.access_secret
    return "-".join([case.reference, *(secret[i:i + 4] for i in range(0, len(secret), 4))])


def claim_url() -> str:
    """Where the employer's team answers online (the claim page, under ``SITE_URL``)."""
    try:
        path = reverse("dpo:claim")
    except NoReverseMatch:  # pragma: no cover - the dpo app's pages not mounted
        path = "/employer/claim"
    return settings.SITE_URL.rstrip("/") + path


def portal_answer(case: Case, lang: str) -> dict[str, str] | None:
    """The code paragraph of a request letter or email: None unless the employee lets the employer answer
    in the portal (``Case.employer_may_answer``) and the case came from an employee."""
    if not case.employer_may_answer or case.owner_id is None:
        return None
    texts = PORTAL_ANSWER.get(lang) or PORTAL_ANSWER["en"]
    return {**texts, "url": claim_url(), "access_code": case_access_code(case)}


def letter_html(case: Case, *, kind: str = "request", today: date) -> str:
    """The letter as HTML (no styles: the print stylesheet comes from ``core.pdf.render_pdf``)."""
    context = letter_context(case, kind=kind, today=today)
    return render_to_string(f"letters/{context['language']}/{kind}.html", context)


def _safe_language(case: Case) -> str:
    try:
        return letter_language(case)
    except (ValueError, LookupError):
        return "en"


def letter_footer(case: Case, letter_short_id: str) -> str:
    """The running footer, e.g. ``DP-7K3Q-9M2X · letter 7K3Q9M2X`` (page numbers come from the CSS)."""
    lang = _safe_language(case)
    return f"{case.reference} · {LABELS[lang]['letter']} {letter_short_id}"


def letter_metadata(case: Case, kind: str = "request") -> PdfMetadata:
    """The PDF's document information: title, author (the requester; for the employer's response letter the
    employer, whose team wrote it), subject and language."""
    from deletion_portal.core.pdf import PdfMetadata

    lang = _safe_language(case)
    titles = KIND_TITLES.get(kind, {})
    try:
        regime = get_regime(case.law_key)
    except LookupError:
        regime = None
    title = f"{titles.get(lang) or titles.get('en') or letter_labels(regime, lang)['title']} {case.reference}"
    employer = case.employer.legal_name if case.employer else ""
    try:
        act = get_regime(case.law_key).short_name
    except LookupError:
        act = ""
    subject = " · ".join(part for part in (act, employer) if part)
    author = employer if kind == LetterKind.RESPONSE else case.requester_name
    return PdfMetadata(title=title, author=author, subject=subject, language=lang)
