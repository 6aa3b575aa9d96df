"""Follow-up and complaint letters: drafted from the case's timeline, rendered like the request letter.

* :func:`follow_up_draft` — the deadline passed without an answer, or the answer left items unticked on
  its checklist: a ``follow_up`` letter in the request's language that cites the original letter (date,
  reference, id, SHA-256), the missed date and its legal basis, lists what the answer omitted and gives
  14 days.
* :func:`complaint_draft` — a ``complaint`` letter to a supervisory authority (EU: chosen under Art. 77,
  place of work suggested; elsewhere the regime's authority): the facts with their dates, what is
  missing, the legal provisions, the authority's complaint page, and the enclosed documents with their
  SHA-256 (the same hashes as the evidence bundle's manifest).
* :func:`follow_up_rendering` / :func:`complaint_rendering` — a draft re-rendered as of the finalising
  day, registered with ``cases.hooks.register_letter_renderer``: finalising (PDF, SHA-256, ``finalised``
  event) and sending are cases' one lifecycle for every letter (``cases.services.letter_finalize``).
* Read-only, for pages shown on GET: :func:`current_follow_up` / :func:`current_complaint` find the
  letter the draft functions would return (or None), and :func:`follow_up_check` /
  :func:`complaint_check` run the draft functions' own eligibility checks without writing anything
  (a :class:`DraftCheck` with the reason, or the same ValidationError).

Both drafts are idempotent. Which missed date a follow-up answers, and which authority a complaint goes
to, is recorded on the ``drafted`` timeline event written with the letter (details: ``letter``, ``kind``
and ``missed_on`` or ``authority``): asking again returns that letter (a draft is re-rendered, a final
letter is returned unchanged). Templates: ``letters/<lang>/follow_up.html`` and
``letters/<lang>/complaint.html``, extending the one ``letters/base.html``.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from deletion_portal.cases.hooks import LetterRendering
from deletion_portal.cases.letter_texts import COUNTRY_LANGUAGE
from deletion_portal.cases.letters import (
    format_date,
    letter_context,
    letter_languages,
    local_citation,
    month_first_dates,
    regime_family,
)
from deletion_portal.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    Letter,
    LetterKind,
)
from deletion_portal.cases.selectors import case_deadlines, case_events, case_final_request_letter
from deletion_portal.cases.services import case_in_language, letter_store_draft
from deletion_portal.laws.registry import get_regime
from deletion_portal.tracking.authorities import Authority, UnknownAuthority, authority_for_case, routes_under_art77
from deletion_portal.tracking.checklist import checklist_label, checklist_missing_codes, latest_response
from deletion_portal.tracking.models import Deadline, DeadlineKind

FOLLOW_UP_TEMPLATE_VERSION = "follow-up-3"  # 2: sender block, original subject, their reference, no assumed receipt; 3: every language cites the response letter's id and SHA-256
COMPLAINT_TEMPLATE_VERSION = "complaint-2"  # 2: the authority's language (fr, es, it, nl added), original subject
FOLLOW_UP_DAYS = 14
#: Languages the follow-up exists in: every language of the request letter.
FOLLOW_UP_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")
#: Languages the complaint exists in (English otherwise).
COMPLAINT_LANGUAGES = ("en", "de", "fr", "es", "it", "nl")


def _today() -> date:
    return timezone.localdate()


def _fmt(case: Case, lang: str):
    us = month_first_dates(case.law_key)
    return lambda day: format_date(day, lang, us=us)


# --- The missed date ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissedDate:
    on: date
    fixed: bool  # a legal deadline (False: a suggested follow-up date under a regime without one)
    extended: bool
    citation: str  # English, as in the law record; localised for the letter
    description: str


def missed_deadline(case: Case) -> MissedDate | None:
    """The date the employer had to answer by, and its legal basis: the case's effective deadline
    (``case.respond_by``, extended when a valid extension was notified), else the active Deadline row,
    else a regime without a fixed period's suggested follow-up date."""
    if not case.law_key:
        return None
    regime = get_regime(case.law_key)
    result = case_deadlines(case)
    if case.respond_by and regime.response is not None:
        extended = (
            result is not None and result.extension.state == "valid" and regime.extension is not None
            and result.extended_respond_by == case.respond_by and result.respond_by != case.respond_by
        )
        if extended:
            return MissedDate(case.respond_by, True, True, regime.extension.citation, regime.extension.period.description)
        return MissedDate(case.respond_by, True, False, regime.response.citation, regime.response.description)
    row = (
        Deadline.objects.filter(case=case, active=True, kind__in=[DeadlineKind.EXTENDED_RESPOND_BY,
                                                                   DeadlineKind.RESPOND_BY,
                                                                   DeadlineKind.SUGGESTED_FOLLOW_UP])
        .order_by("-version", "-due_on").first()
    )
    if row is not None:
        fixed = row.kind != DeadlineKind.SUGGESTED_FOLLOW_UP
        return MissedDate(row.due_on, fixed, row.kind == DeadlineKind.EXTENDED_RESPOND_BY,
                          "; ".join(row.citations or []), row.get_kind_display())
    if result is not None and result.suggested_follow_up and regime.no_fixed_period is not None:
        return MissedDate(result.suggested_follow_up, False, False, regime.no_fixed_period.citation,
                          regime.no_fixed_period.reason)
    return None


# --- The draft's bookkeeping ------------------------------------------------------------------------


def _drafted_events(case: Case, kind: str) -> list[CaseEvent]:
    return [e for e in case.events.filter(kind=EventKind.DRAFTED).order_by("-on", "-recorded_at", "-id")
            if e.details.get("kind") == kind and e.details.get("letter")]


def _drafted_letter(case: Case, kind: str, **match) -> Letter | None:
    for event in _drafted_events(case, kind):
        if all(event.details.get(key) == value for key, value in match.items()):
            letter = case.letters.filter(short_id=event.details["letter"], kind=kind).first()
            if letter is not None:
                return letter
    return None


def _draft_details(case: Case, letter: Letter) -> dict:
    for event in _drafted_events(case, letter.kind):
        if event.details.get("letter") == letter.short_id:
            return event.details
    return {}


# --- Shared facts -----------------------------------------------------------------------------------


_SUBJECT = re.compile(r'<p class="subject">(.*?)</p>', re.S)


def original_subject(letter: Letter | None) -> str:
    """The subject line of a final letter as it was sent (read back from its stored HTML), or ""."""
    match = _SUBJECT.search(letter.html or "") if letter is not None else None
    if match is None:
        return ""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", match[1])).split())


def employer_reference(case: Case) -> str:
    """The employer's own reference for the request, if one was recorded on an event (``their_reference``:
    an acknowledgement, an extension, a question or an answer quoting it); the latest one wins."""
    for event in reversed(case_events(case)):
        value = (event.details or {}).get("their_reference") if isinstance(event.details, dict) else ""
        if value:
            return str(value)
    return ""


def _original(case: Case, fmt) -> dict:
    """The original request: the final letter (date, subject, reference, id, SHA-256), how it was sent and the
    employer's own reference for it. Whether its receipt was confirmed is not volunteered."""
    letter = case_final_request_letter(case)
    events = case_events(case)
    sent = next((e for e in events if e.kind == EventKind.SENT
                 and (e.details or {}).get("letter_kind", "request") == "request"), None)
    original = {
        "reference": case.reference,
        "letter": letter is not None,
        "date_text": fmt(timezone.localdate(letter.finalised_at)) if letter and letter.finalised_at else "",
        "short_id": letter.short_id if letter else "",
        "sha256": letter.sha256 if letter else "",
        "sent_text": fmt(sent.on) if sent else "",
        "channel": sent.details.get("channel", "") if sent else "",
        # Only a confirmed receipt is stated (a complaint's facts); an assumed one is not volunteered.
        "received_text": fmt(case.received_on) if case.received_on and case.received_confirmed else "",
        "subject": original_subject(letter),
        "their_reference": employer_reference(case),
    }
    if letter is None and sent is not None and sent.attachment_id:
        original["sha256"] = sent.attachment.sha256  # the original of a request sent outside the portal
    return original


def _missed_context(missed: MissedDate, fmt, lang: str) -> dict:
    return {
        "on": missed.on, "text": fmt(missed.on), "fixed": missed.fixed, "extended": missed.extended,
        "citation": local_citation(missed.citation, lang) if missed.citation else "",
        "description": missed.description,
    }


def _response_context(case: Case, fmt) -> dict:
    response = latest_response(case)
    refusal = case.events.filter(kind=EventKind.REFUSED).order_by("-on", "-id").first()
    return {
        # A structured answer from the employer's team came as a response letter: cite its id and SHA-256.
        "response": {"on_text": fmt(response.on), "letter": response.details.get("letter", ""),
                     "sha256": response.details.get("sha256", "")} if response else None,
        "refusal": {"on_text": fmt(refusal.on), "grounds": refusal.details.get("grounds", "")} if refusal else None,
    }


def _omitted(case: Case, lang: str) -> list[str]:
    return [checklist_label(code, lang, family=regime_family(case.law_key)) for code in checklist_missing_codes(case)]


# --- Follow-up ----------------------------------------------------------------------------------------


def follow_up_language(case: Case) -> str:
    lang = case.language if case.language in letter_languages(case.law_key) else "en"
    return lang if lang in FOLLOW_UP_LANGUAGES else "en"


def follow_up_context(case: Case, *, missed: MissedDate, today: date) -> dict:
    lang = follow_up_language(case)
    fmt = _fmt(case, lang)
    context = letter_context(case_in_language(case, lang), kind=LetterKind.FOLLOW_UP, today=today)
    context.update({
        "template_version": FOLLOW_UP_TEMPLATE_VERSION,
        "original": _original(case, fmt),
        "missed": _missed_context(missed, fmt, lang),
        "answer_days": FOLLOW_UP_DAYS,
        "answer_by": today + timedelta(days=FOLLOW_UP_DAYS),
        "answer_by_text": fmt(today + timedelta(days=FOLLOW_UP_DAYS)),
        "omitted": _omitted(case, lang),
        "authority_name": get_regime(case.law_key).authority.name,
        **_response_context(case, fmt),
    })
    return context


def _render_follow_up(case: Case, missed: MissedDate, today: date) -> tuple[str, str]:
    context = follow_up_context(case, missed=missed, today=today)
    return render_to_string(f"letters/{context['language']}/follow_up.html", context), context["language"]


def _follow_up_missed(case: Case) -> MissedDate:
    missed = missed_deadline(case)
    if missed is None:
        raise ValidationError("There is no deadline for this request yet: record when it was sent first.")
    return missed


def _follow_up_new_reason(case: Case, missed: MissedDate, today: date) -> str:
    """Why a new follow-up may be drafted for ``missed``; ValidationError when it may not (yet). Reads only."""
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("The case is closed.")
    if case_final_request_letter(case) is None and not case.sent_outside_portal:
        raise ValidationError("Finalise and send the request letter first.")
    response = latest_response(case)
    if response is not None:
        missing = checklist_missing_codes(case)
        if not missing:
            raise ValidationError("The employer answered and the checklist shows nothing missing: "
                                  "untick what the answer left out to draft a follow-up.")
        count = len(missing)
        return (f"The employer's answer of {_fmt(case, 'en')(response.on)} left {count} "
                f"item{'s' if count != 1 else ''} of your request unanswered on its checklist: "
                "the follow-up asks for them again.")
    if today <= missed.on:
        raise ValidationError(f"The employer has until {missed.on.isoformat()} to answer; "
                              "a follow-up can be drafted after that date.")
    return (f"The employer had until {_fmt(case, 'en')(missed.on)} to answer and no answer is recorded: "
            f"the follow-up reminds them of the missed date and gives them {FOLLOW_UP_DAYS} more days.")


@dataclass(frozen=True)
class DraftCheck:
    """The outcome of a passed eligibility check: why the letter may be drafted now, and for what."""

    reason: str
    missed: MissedDate | None = None
    authority: Authority | None = None


def follow_up_check(case: Case, *, today: date | None = None) -> DraftCheck:
    """Whether :func:`follow_up_draft` would draft (or return) a follow-up now, without writing anything:
    the reason when it would, a ValidationError (the same message) when it would refuse."""
    today = today or _today()
    missed = _follow_up_missed(case)
    existing = _drafted_letter(case, LetterKind.FOLLOW_UP, missed_on=missed.on.isoformat())
    if existing is not None:
        return DraftCheck("A follow-up for this date is drafted already.", missed=missed)
    return DraftCheck(_follow_up_new_reason(case, missed, today), missed=missed)


def current_follow_up(case: Case) -> Letter | None:
    """The follow-up (draft or final) :func:`follow_up_draft` would return for the case's current missed
    date, or None when there is none yet. Reads only: never drafts, never re-renders."""
    missed = missed_deadline(case)
    if missed is None:
        return None
    return _drafted_letter(case, LetterKind.FOLLOW_UP, missed_on=missed.on.isoformat())


@transaction.atomic
def follow_up_draft(*, case: Case, today: date | None = None, actor=None) -> Letter:
    """The follow-up for the case's current missed date; the existing one (draft re-rendered, or final)
    when it was drafted already. ValidationError when nothing calls for one yet."""
    today = today or _today()
    case = Case.objects.select_for_update().get(pk=case.pk)
    missed = _follow_up_missed(case)
    existing = _drafted_letter(case, LetterKind.FOLLOW_UP, missed_on=missed.on.isoformat())
    if existing is not None and existing.is_final:
        return existing
    if existing is None:
        _follow_up_new_reason(case, missed, today)
    html, lang = _render_follow_up(case, missed, today)
    return letter_store_draft(case=case, letter=existing, kind=LetterKind.FOLLOW_UP, html=html, language=lang,
                              template_version=FOLLOW_UP_TEMPLATE_VERSION, details={"missed_on": missed.on.isoformat()},
                              actor=actor, today=today)


# --- Complaint ----------------------------------------------------------------------------------------


def complaint_language(case: Case, authority: Authority) -> str:
    """The authority's language where the request letters exist in it and the complaint does too (the CNIL
    gets French, the BayLDA German: its country's language, or for a regime's own authority the regime's
    local language); else the case's letter language when the complaint exists in it; else English."""
    offered = letter_languages(case.law_key)
    facts = get_regime(case.law_key).letters
    own = COUNTRY_LANGUAGE.get((authority.country or "").upper(), "") or (facts.local_language or "")
    for lang in (own, case.language):
        if lang and lang in offered and lang in COMPLAINT_LANGUAGES:
            return lang
    return "en"


def _follow_up_facts(case: Case, fmt) -> dict | None:
    """The last final follow-up: its date, id and SHA-256, when it was sent (a ``sent`` event marked
    ``letter_kind: follow_up``, if recorded) and the date it asked for an answer by (the active
    ``follow_up_answer_by`` deadline row, else the date stored when it was finalised)."""
    letter = case.letters.filter(kind=LetterKind.FOLLOW_UP, is_final=True).order_by("-finalised_at", "-id").first()
    if letter is None:
        return None
    made = timezone.localdate(letter.finalised_at)
    sent = [e for e in case_events(case) if e.kind == EventKind.SENT and e.details.get("letter_kind") == "follow_up"]
    answer_day = _follow_up_answer_by(case, letter)
    return {"date_text": fmt(made), "short_id": letter.short_id, "sha256": letter.sha256,
            "sent_text": fmt(sent[-1].on) if sent else "", "answer_by_text": fmt(answer_day)}


_GROUND_CODES = {"place of work": "work", "habitual residence": "residence", "place of the infringement": "infringement"}


def _grounds(case: Case, authority: Authority) -> list[str]:
    """Why ``authority`` is competent under Art. 77: "work", "residence", "infringement"."""
    from deletion_portal.tracking.authorities import authority_choices

    if not routes_under_art77(case.law_key):
        return []
    for choice in authority_choices(case):
        if choice.key == authority.key:
            return [_GROUND_CODES[g] for g in choice.grounds if g in _GROUND_CODES]
    return []


def complaint_context(case: Case, *, authority: Authority, today: date, exclude_letter: Letter | None = None) -> dict:
    from deletion_portal.tracking.evidence import evidence_documents

    regime = get_regime(case.law_key)
    lang = complaint_language(case, authority)
    fmt = _fmt(case, lang)
    context = letter_context(case_in_language(case, lang), kind=LetterKind.COMPLAINT, today=today)
    missed = missed_deadline(case)
    extension = case.events.filter(kind=EventKind.EXTENSION_NOTIFIED).order_by("-on").first()
    documents = [d for d in evidence_documents(case, exclude_kinds=(LetterKind.COMPLAINT,))
                 if exclude_letter is None or d.letter_id != exclude_letter.pk]
    context.update({
        "template_version": COMPLAINT_TEMPLATE_VERSION,
        "original": _original(case, fmt),
        "missed": _missed_context(missed, fmt, lang) if missed else None,
        "extension": {"on_text": fmt(extension.on)} if extension else None,
        "follow_up": _follow_up_facts(case, fmt),
        "omitted": _omitted(case, lang),
        "authority": {
            "key": authority.key, "name": authority.name, "complaint_url": authority.complaint_url,
            "website": authority.website, "home_page": authority.complaint_url_is_home_page,
        },
        "art77": routes_under_art77(case.law_key),
        "grounds": _grounds(case, authority),
        "authority_note": "" if routes_under_art77(case.law_key) else regime.authority.note,
        "enclosures": [{"name": d.name, "description": d.description, "sha256": d.sha256} for d in documents],
        **_response_context(case, fmt),
    })
    return context


def _render_complaint(case: Case, authority: Authority, today: date, letter: Letter | None = None) -> tuple[str, str]:
    context = complaint_context(case, authority=authority, today=today, exclude_letter=letter)
    return render_to_string(f"letters/{context['language']}/complaint.html", context), context["language"]


def _complaint_authority(case: Case, authority_key: str | None) -> Authority:
    if not case.law_key:
        raise ValidationError("Choose the law first.")
    try:
        return authority_for_case(case, authority_key)
    except UnknownAuthority as exc:
        raise ValidationError({"authority": str(exc)}) from None


def _follow_up_answer_by(case: Case, letter: Letter) -> date:
    """The date a final follow-up asked for an answer by: the active ``follow_up_answer_by`` deadline row,
    else the date stored when it was finalised, else 14 days from its finalising day."""
    row = Deadline.objects.filter(case=case, active=True, kind=DeadlineKind.FOLLOW_UP_ANSWER_BY).order_by("-version").first()
    if row is not None:
        return row.due_on
    event = case.events.filter(kind=EventKind.FINALISED, details__letter=letter.short_id).first()
    stored = (event.details.get("answer_by") if event else "") or ""
    if stored:
        return date.fromisoformat(stored)
    return timezone.localdate(letter.finalised_at) + timedelta(days=FOLLOW_UP_DAYS)


def _follow_up_sent(case: Case, letter: Letter) -> bool:
    return any(e.kind == EventKind.SENT and ((e.details or {}).get("letter") == letter.short_id
                                             or (e.details or {}).get("letter_kind") == LetterKind.FOLLOW_UP)
               for e in case_events(case))


def _complaint_new_reason(case: Case, today: date) -> str:
    """Why a new complaint may be drafted; ValidationError when it may not (yet). Reads only.

    A refusal can be taken to the authority at once. Silence or an incomplete answer first gets the
    follow-up: the complaint waits until a final follow-up is recorded as sent and the days it gave
    (:data:`FOLLOW_UP_DAYS`) have run."""
    if not case.events.filter(kind=EventKind.SENT).exists():
        raise ValidationError("Record that the request was sent before drafting a complaint.")
    if case.events.filter(kind=EventKind.REFUSED).exists():
        return "The employer refused your request: the authority can review the refusal."
    answered = case.events.filter(kind=EventKind.RESPONSE_RECEIVED).exists()
    missed = missed_deadline(case)
    if not answered and (missed is None or today <= missed.on):
        raise ValidationError("The employer still has time to answer; a complaint can be drafted once the "
                              "deadline has passed and the follow-up was ignored, or after a refusal.")
    follow_up = case.letters.filter(kind=LetterKind.FOLLOW_UP, is_final=True).order_by("-finalised_at", "-id").first()
    if follow_up is None:
        raise ValidationError("Send the follow-up first: it gives the employer "
                              f"{FOLLOW_UP_DAYS} more days, and a complaint can be drafted when they have run.")
    if not _follow_up_sent(case, follow_up):
        raise ValidationError(f"Record that the follow-up {follow_up.short_id} was sent (email, post or web form) "
                              "before drafting a complaint.")
    answer_by = _follow_up_answer_by(case, follow_up)
    if today <= answer_by:
        raise ValidationError(f"The follow-up gives the employer until {answer_by.isoformat()} to answer; "
                              "a complaint can be drafted after that date.")
    if answered:
        return ("The employer answered and did not complete the answer after your follow-up: the authority can "
                "make them answer in full.")
    return (f"The employer had until {_fmt(case, 'en')(missed.on)} to answer, and until "
            f"{_fmt(case, 'en')(answer_by)} after your follow-up; no answer is recorded: the authority can make them answer.")


def complaint_check(case: Case, *, authority_key: str | None = None, today: date | None = None) -> DraftCheck:
    """Whether :func:`complaint_draft` would draft (or return) a complaint to ``authority_key`` now,
    without writing anything: the reason and the authority when it would, a ValidationError (the same
    message) when it would refuse."""
    today = today or _today()
    authority = _complaint_authority(case, authority_key)
    existing = _drafted_letter(case, LetterKind.COMPLAINT, authority=authority.key)
    if existing is not None:
        return DraftCheck("A complaint to this authority is drafted already.", authority=authority)
    return DraftCheck(_complaint_new_reason(case, today), missed=missed_deadline(case), authority=authority)


def current_complaint(case: Case, authority_key: str | None = None) -> Letter | None:
    """The complaint (draft or final) :func:`complaint_draft` would return for ``authority_key`` (default:
    the suggested authority), or None when there is none yet, the law is not chosen or the authority is
    not one of the case's. Reads only: never drafts, never re-renders."""
    if not case.law_key:
        return None
    try:
        authority = authority_for_case(case, authority_key)
    except UnknownAuthority:
        return None
    return _drafted_letter(case, LetterKind.COMPLAINT, authority=authority.key)


@transaction.atomic
def complaint_draft(*, case: Case, authority_key: str | None = None, today: date | None = None, actor=None) -> Letter:
    """The complaint to ``authority_key`` (default: the suggested authority — for the EU the place of
    work's); the existing one for that authority when it was drafted already."""
    today = today or _today()
    case = Case.objects.select_for_update().get(pk=case.pk)
    authority = _complaint_authority(case, authority_key)
    existing = _drafted_letter(case, LetterKind.COMPLAINT, authority=authority.key)
    if existing is not None and existing.is_final:
        return existing
    if existing is None:
        _complaint_new_reason(case, today)
    html, lang = _render_complaint(case, authority, today, existing)
    return letter_store_draft(case=case, letter=existing, kind=LetterKind.COMPLAINT, html=html, language=lang,
                              template_version=COMPLAINT_TEMPLATE_VERSION, details={"authority": authority.key},
                              actor=actor, today=today)


def complaint_authority(case: Case, letter: Letter) -> Authority | None:
    key = _draft_details(case, letter).get("authority")
    try:
        return authority_for_case(case, key) if key else None
    except UnknownAuthority:
        return None


# --- Finalising (through cases.services.letter_finalize) -----------------------------------------------------------------------------------------


def follow_up_rendering(*, case: Case, letter: Letter, today: date) -> LetterRendering:
    """The follow-up draft as of the finalising day (``cases.services.letter_finalize`` freezes it): re-rendered
    while its missed date is still the case's; the event records the answer-by date it gives."""
    details = _draft_details(case, letter)
    missed = missed_deadline(case)
    html = lang = ""
    if missed is not None and details.get("missed_on") == missed.on.isoformat():
        html, lang = _render_follow_up(case, missed, today)
    return LetterRendering(html=html, language=lang,
                           details={"answer_by": (today + timedelta(days=FOLLOW_UP_DAYS)).isoformat()})


def complaint_rendering(*, case: Case, letter: Letter, today: date) -> LetterRendering | None:
    """The complaint draft as of the finalising day, to the authority it was drafted for."""
    authority = complaint_authority(case, letter)
    if authority is None:
        return None
    html, lang = _render_complaint(case, authority, today, letter)
    return LetterRendering(html=html, language=lang, details={"authority": authority.key})
