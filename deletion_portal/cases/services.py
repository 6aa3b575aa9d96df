"""Writes for cases. Every state change writes a timeline event in the same transaction, and every
event recomputes the case's deadlines through the pure deadline module (``laws.deadlines``)."""

from __future__ import annotations

import copy
import hashlib
import logging
from datetime import date, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from deletion_portal.cases.hooks import case_locks, letter_envelopes, letter_renderer, lock_value
from deletion_portal.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    EventSource,
    Letter,
    LetterKind,
)
from deletion_portal.cases.outcomes import OUTCOME_FIELDS, case_outcome_fields
from deletion_portal.cases.selectors import case_deadlines, case_events, case_final_request_letter
from deletion_portal.cases.signals import case_changed
from deletion_portal.cases.taxonomy import CATEGORY_CODES
from deletion_portal.cases.uploads import CheckedUpload, attachment_quota_check
from deletion_portal.core.files import delete_stored_files
from deletion_portal.core.models import OutboxMessage
from deletion_portal.core.outbox import outbox_discard, outbox_enqueue
from deletion_portal.core.text import strip_bidi
from deletion_portal.employers.models import Employer
from deletion_portal.laws.regions import UnknownRegion, check_region_for_law, is_working_day, parse_region, region_for_law
from deletion_portal.laws.registry import UnknownRegime, get_regime, regime_keys

logger = logging.getLogger(__name__)

CHANNELS = ("post", "email", "web_form")
OUTCOMES = ("fulfilled", "partly_fulfilled", "refused", "withdrawn", "no_response", "other")
TEXT_LIMIT = 2000
EARLIEST_EVENT = date(2000, 1, 1)
POSTAL_DELIVERY_WORKING_DAYS = 2  # assumed delivery of a posted letter, until the person confirms it

# Which fields of a case the letter needs, and how to say that one is missing.
REQUIRED_FOR_LETTER = {
    "employer": "Choose the employer.",
    "law_key": "Choose the law your request is made under.",
    "region": "Choose the region whose public holidays count.",
    "language": "Choose the letter's language.",
    "rights": "Choose at least one right to exercise.",
    "requester_name": "Enter your name.",
    "requester_address": "Enter your postal address.",
    "requester_email": "Enter a personal email address for the answer.",
}


def _today() -> date:
    return timezone.localdate()


def _event(case: Case, kind: str, on: date, *, actor=None, source=EventSource.PORTAL, details=None, attachment=None,
           team=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, on=on, actor=actor, source=source, details=details or {}, attachment=attachment, team=team
    )


# --- Validation shared by the wizard, the API and the services ------------------------------------


PLACE_FIELDS = ("work_region", "work_country", "residence_region", "residence_country", "employer_country")


def case_holiday_region(*, law_key: str, region: str, places: dict) -> str:
    """The holiday region a case runs under: ``region`` (the employer's establishment, LEGAL.md §2) when it
    lies inside the law's territory, else the first of the person's places that does (work place,
    residence, employer's country), else the territory itself. A GDPR case whose employer is in the US
    counts the holidays of the place of work in the EU, never Californian ones."""
    if not (law_key and region):
        return region
    try:
        regime = get_regime(law_key)
        return region_for_law(regime, region, fallbacks=[places.get(name, "") for name in PLACE_FIELDS]).code
    except (UnknownRegime, UnknownRegion):
        return region  # validate_case_fields names what is wrong


def validate_case_fields(*, law_key: str, region: str = "", rights=None, categories=None, language: str = "") -> dict[str, str]:
    """Field → message for what the law, region, rights and categories cannot be. Empty when valid."""
    errors: dict[str, str] = {}
    regime = None
    if law_key:
        try:
            regime = get_regime(law_key)
        except UnknownRegime:
            errors["law"] = f"Unknown law '{law_key[:40]}'. Valid keys: {', '.join(regime_keys())}."
    if region:
        try:  # a real region, and for a known law one inside its territory (no US-CA holidays for the GDPR)
            parse_region(region) if regime is None else check_region_for_law(regime, region)
        except UnknownRegion as exc:
            errors["region"] = str(exc)
    if regime is not None and rights is not None:
        if not isinstance(rights, list) or not all(isinstance(r, str) for r in rights):
            errors["rights"] = "Give the rights as a list of codes."
        else:
            available = [r.code for r in regime.rights]
            missing = [r for r in rights if r not in available]
            if missing:
                errors["rights"] = (
                    f"{regime.short_name} has no right {', '.join(sorted(set(missing)))}. "
                    f"Valid: {', '.join(available) or 'none for an employee'}."
                )
            elif regime.coverage.status == "excluded":
                errors["law"] = f"{regime.short_name} does not help an employee: {regime.coverage.reason}"
    if categories is not None:
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            errors["categories"] = "Give the categories as a list of codes."
        else:
            unknown = [c for c in categories if c not in CATEGORY_CODES]
            if unknown:
                errors["categories"] = f"Unknown category {', '.join(sorted(set(unknown)))[:100]}. Valid: {', '.join(CATEGORY_CODES)}."
    if language and law_key and regime is not None:
        from deletion_portal.cases.letters import letter_languages

        offered = letter_languages(law_key)
        if language not in offered:
            errors["language"] = f"Letters under {regime.short_name} are available in: {', '.join(offered)}."
    return errors


def case_missing_for_letter(case: Case) -> dict[str, str]:
    missing = {}
    for field, message in REQUIRED_FOR_LETTER.items():
        value = getattr(case, field if field != "employer" else "employer_id")
        if not value:
            missing[field] = message
    if not case.categories and not case.other_data.strip():
        missing["categories"] = "Choose which data the request is about."
    return missing


# --- Cases ---------------------------------------------------------------------------------------


@transaction.atomic
def case_create(*, owner, employer: Employer | None = None, source: str = EventSource.PORTAL, **fields) -> Case:
    """A new case (a draft, or a request already sent elsewhere). ``fields`` are Case fields."""
    case = Case(owner=owner, employer=employer, **fields)
    if employer is not None and not case.employer_country:
        case.employer_country = employer.country
    case.full_clean(exclude=["employer", "owner"])
    for _ in range(5):  # a reference collision is astronomically rare; retry rather than fail
        try:
            with transaction.atomic():
                case.save()
            break
        except Exception:  # noqa: BLE001
            if Case.objects.filter(reference=case.reference).exists():
                case.reference = Case._meta.get_field("reference").default()
                continue
            raise
    _event(case, EventKind.DRAFTED, _today(), actor=owner, source=source, details={"outside_portal": case.sent_outside_portal})
    return case


@transaction.atomic
def case_update(*, case: Case, **fields) -> Case:
    """Change draft fields. A case whose request letter is final keeps its letter's content."""
    locked = case_final_request_letter(case) is not None
    content_fields = {"employer", "law_key", "language", "rights", "categories", "other_data", "requester_name",
                      "requester_address", "requester_email", "employee_id", "job_title", "employment_start",
                      "employment_end", "identity_note", "bundle"}
    if locked and content_fields & set(fields):
        raise ValidationError("The letter is final and can no longer change; start a new case for a new request.")
    refused = {}
    for name, lock in case_locks(case=case).items():
        if name in fields and lock_value(fields[name]) not in lock.allowed:
            refused[name] = lock.reason
    if refused:
        raise ValidationError(refused)
    for name, value in fields.items():
        setattr(case, name, value)
    if "employer" in fields and fields["employer"] is not None and "employer_country" not in fields:
        case.employer_country = fields["employer"].country
    case.full_clean(exclude=["owner", "employer"])
    update = set(fields) | {"updated_at"}
    if "employer" in fields:
        update.add("employer_country")
    case.save(update_fields=sorted(update))
    return case


@transaction.atomic
def case_set_employer_may_answer(*, case: Case, allowed: bool, actor, source: str = EventSource.PORTAL) -> Case:
    """The employee withdraws (``allowed=False``) or gives again the employer's permission to see and answer
    the case in the portal. Withdrawing ends every team's access at once (the access policy reads the flag on
    every request). A change writes a timeline event; choosing what is already chosen changes nothing."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    allowed = bool(allowed)
    if case.employer_may_answer == allowed:
        return case
    case.employer_may_answer = allowed
    case.save(update_fields=["employer_may_answer", "updated_at"])
    kind = EventKind.EMPLOYER_ACCESS_GIVEN if allowed else EventKind.EMPLOYER_ACCESS_WITHDRAWN
    event = _event(case, kind, _today(), actor=actor, source=source)
    # Announce it (``cases.signals.case_changed``, in this transaction): the dpo app tells the teams that
    # could see the case that their online access ended and the legal deadline still runs.
    return case_recompute(case=case, event=event)


@transaction.atomic
def attachment_set_shared(*, attachment: Attachment, shared: bool, actor) -> Attachment:
    """The employee shares one of the case's uploads with the employer's team (``shared=True``) or stops
    sharing it. The employer side downloads only shared uploads (``dpo:case-attachment``), and each of its
    downloads is a row of the case's access log, which the employee sees.

    Auditable without a timeline event: sharing is not a step of the request, and a new event kind would be
    a migration of cases. The current choice is shown next to the file on the case page, and every change is
    logged (case, attachment, actor, new value; never the file's name or content). Choosing what is already
    chosen changes nothing."""
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    shared = bool(shared)
    if attachment.shared_with_employer == shared:
        return attachment
    attachment.shared_with_employer = shared
    attachment.save(update_fields=["shared_with_employer"])
    logger.info("Attachment %s of case %s %s the employer by user %s", attachment.pk, attachment.case_id,
                "shared with" if shared else "no longer shared with", getattr(actor, "pk", None))
    return attachment


def _stored_files(case_ids: list[int]) -> list[tuple[object, str]]:
    """(storage, name) of every stored file of these cases: letters' PDFs (drafts too), attachments."""
    pdf = Letter._meta.get_field("pdf").storage
    upload = Attachment._meta.get_field("file").storage
    files = [(pdf, name) for name in Letter.objects.filter(case_id__in=case_ids).exclude(pdf="").values_list("pdf", flat=True)]
    files += [(upload, name) for name in Attachment.objects.filter(case_id__in=case_ids).exclude(file="").values_list("file", flat=True)]
    return files


@transaction.atomic
def cases_delete(*, case_ids: list[int]) -> int:
    """Delete these cases and everything of theirs; returns how many cases went. The one way a case is
    deleted (account deletion, the retention purge).

    In the caller's transaction: the case rows, with their events, letters, attachments and the rows the
    apps above keep per case (CASCADE); the outbox messages of the cases (an unsent one is thereby
    cancelled). Every stored file (letters' PDFs, drafts too, and attachments; ``FileField`` files are
    never deleted by CASCADE) is removed from storage once the transaction has committed, so a rolled-back
    deletion never leaves rows pointing at missing files.
    """
    case_ids = sorted({int(pk) for pk in case_ids})
    if not case_ids:
        return 0
    files = _stored_files(case_ids)
    outbox_discard(topics=[f"case:{pk}" for pk in case_ids])
    _, per_model = Case.objects.filter(pk__in=case_ids).delete()
    transaction.on_commit(lambda: delete_stored_files(files))
    return per_model.get(Case._meta.label, 0)


@transaction.atomic
def case_delete_draft(*, case: Case) -> None:
    """Delete a draft (its owner's choice on the case page): only while nothing was finalised or sent, and
    through :func:`cases_delete`, so its draft letters' files go too. Anything else is a ValidationError."""
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        return
    if (locked.status != CaseStatus.DRAFT or locked.sent_outside_portal
            or locked.letters.filter(is_final=True).exists()):
        raise ValidationError("Only a draft can be deleted: this request has a final letter or was sent. "
                              "A closed case is deleted after the retention period unless you keep it.")
    cases_delete(case_ids=[locked.pk])


def _expected_receipt(case: Case, events: list[CaseEvent]) -> tuple[date | None, bool]:
    """When the employer received the request, and whether it is confirmed (by the person, or by the
    employer's acknowledgement). An acknowledgement that states an EARLIER receipt date than the one
    recorded wins: deadlines run from the earlier date, the conservative one for both sides."""
    recorded, confirmed = _recorded_receipt(case, events)
    stated = [date.fromisoformat(e.details["received_on"]) for e in events
              if e.kind == EventKind.ACKNOWLEDGED and e.details.get("received_on")]
    if stated and (recorded is None or min(stated) <= recorded):
        return min(stated), True
    return recorded, confirmed


def _recorded_receipt(case: Case, events: list[CaseEvent]) -> tuple[date | None, bool]:
    """When the employer received the request by the employee's record, and whether the person confirmed it."""
    received = [e for e in events if e.kind == EventKind.RECEIVED]
    confirmed = [e for e in received if e.details.get("confirmed")]
    if confirmed:
        return confirmed[-1].on, True
    if received:
        return received[-1].on, False
    sent = [e for e in events if e.kind == EventKind.SENT]
    if not sent:
        return None, False
    first = sent[0]
    if first.details.get("channel") == "post":
        delivered = first.details.get("delivered_on")
        if delivered:
            return date.fromisoformat(delivered), False
        region = parse_region(case.region) if case.region else None
        day, counted = first.on, 0
        while counted < POSTAL_DELIVERY_WORKING_DAYS:
            day += timedelta(days=1)
            if region is None or is_working_day(day, region):
                counted += 1
        return day, False
    return first.on, False


def case_recompute(*, case: Case, event: CaseEvent | None = None) -> Case:
    """Recompute receipt and deadlines from the timeline and announce the change (``case_changed``, with
    ``event`` the event just recorded, if any); call inside the event's transaction."""
    events = case_events(case)
    case.received_on, case.received_confirmed = _expected_receipt(case, events)
    result = case_deadlines(case, events)
    kinds = {e.kind for e in events}
    case.acknowledge_by = result.acknowledge_by if result is not None else None
    if result is None:
        case.respond_by = case.next_date = None
        case.next_date_label = ""
    else:
        valid_extension = result.extension.state == "valid" and result.extended_respond_by
        effective = result.extended_respond_by if valid_extension else result.respond_by
        case.respond_by = effective
        if effective is None and result.suggested_follow_up:
            case.next_date, case.next_date_label = result.suggested_follow_up, "Suggested follow-up (no legal deadline)"
        elif effective is not None:
            label = "Employer must answer (extended)" if valid_extension else "Employer must answer"
            case.next_date, case.next_date_label = effective, label
        else:
            case.next_date, case.next_date_label = None, ""
    if kinds & {EventKind.RESPONSE_RECEIVED, EventKind.REFUSED} or case.status == CaseStatus.CLOSED:
        case.next_date, case.next_date_label = None, ""
    extension_state = result.extension.state if result is not None else None
    for name, value in case_outcome_fields(events=events, respond_by=case.respond_by,
                                           extension_state=extension_state).items():
        setattr(case, name, value)
    case.save(update_fields=["received_on", "received_confirmed", "respond_by", "acknowledge_by", "next_date",
                             "next_date_label",
                             *OUTCOME_FIELDS, "updated_at"])
    case_changed.send(sender=Case, case=case, event=event, events=events, result=result)
    return case


def _check_event_date(case: Case, kind: str, on: date, today: date, events: list[CaseEvent]) -> None:
    if not isinstance(on, date):
        raise ValidationError({"date": "Give the date as YYYY-MM-DD."})
    if on > today:
        raise ValidationError({"date": f"{on.isoformat()} is in the future; record events once they have happened."})
    if on < EARLIEST_EVENT:
        raise ValidationError({"date": f"Choose a date after {EARLIEST_EVENT.isoformat()}."})
    letter = case_final_request_letter(case)
    if letter is not None and not case.sent_outside_portal:
        made = timezone.localdate(letter.finalised_at)
        if on < made:
            raise ValidationError(
                {"date": f"The letter was finalised on {made.isoformat()}; this cannot have happened on {on.isoformat()}, before it existed."}
            )
    if kind not in (EventKind.SENT, EventKind.DRAFTED, EventKind.FINALISED):
        sent = [e.on for e in events if e.kind == EventKind.SENT]
        if sent and on < min(sent):
            raise ValidationError({"date": f"The request was sent on {min(sent).isoformat()}; this cannot be earlier."})


def text_clean(value, *, field: str, label: str, required: bool, limit: int = TEXT_LIMIT) -> str:
    """A free-text field of an event, stripped: text, present when ``required``, at most ``limit`` characters;
    else a ValidationError naming ``field``. Shared by the employee's and the employer's events."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: f"{label} must be text."})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: f"{label} is required."})
    if len(value) > limit:
        raise ValidationError({field: f"{label} is too long ({len(value)} characters); the limit is {limit}."})
    return value


def _clean_text(details: dict, field: str, *, required: bool, label: str) -> str:
    return text_clean(details.get(field, ""), field=field, label=label, required=required)


#: The employer's events that may quote the employer's own reference for the request (``their_reference``).
THEIR_REFERENCE_KINDS = (
    EventKind.RECEIVED, EventKind.ACKNOWLEDGED, EventKind.EXTENSION_NOTIFIED, EventKind.CLARIFICATION_REQUESTED,
    EventKind.IDENTITY_REQUESTED, EventKind.RESPONSE_RECEIVED, EventKind.REFUSED,
)
THEIR_REFERENCE_MAX = 100


def _clean_details(kind: str, details: dict, on: date, today: date) -> dict:
    details = dict(details or {})
    clean: dict = {}
    if kind == EventKind.SENT:
        channel = details.get("channel")
        if channel not in CHANNELS:
            raise ValidationError({"channel": f"Choose how it was sent: {', '.join(CHANNELS)}."})
        clean["channel"] = channel
        if channel == "post":
            clean["tracking_number"] = _clean_text(details, "tracking_number", required=False, label="The tracking number")[:100]
            delivered = details.get("delivered_on")
            if delivered:
                try:
                    delivered_day = delivered if isinstance(delivered, date) else date.fromisoformat(str(delivered))
                except ValueError:
                    raise ValidationError({"delivered_on": "Give the delivery date as YYYY-MM-DD."}) from None
                if delivered_day < on or delivered_day > today:
                    raise ValidationError({"delivered_on": "Delivery must be on or after posting, and not in the future."})
                clean["delivered_on"] = delivered_day.isoformat()
    elif kind == EventKind.RECEIVED:
        confirmed = details.get("confirmed", False)
        if not isinstance(confirmed, bool):
            raise ValidationError({"confirmed": "Say true or false."})
        clean["confirmed"] = confirmed
    elif kind == EventKind.EXTENSION_NOTIFIED:
        clean["reasons"] = _clean_text(details, "reasons", required=False, label="The reasons")
    elif kind == EventKind.REFUSED:
        clean["grounds"] = _clean_text(details, "grounds", required=True, label="The grounds")
    elif kind == EventKind.CLOSED:
        outcome = details.get("outcome")
        if outcome not in OUTCOMES:
            raise ValidationError({"outcome": f"Choose an outcome: {', '.join(OUTCOMES)}."})
        clean["outcome"] = outcome
    note = _clean_text(details, "note", required=False, label="The note")
    if note:
        clean["note"] = note
    if kind in THEIR_REFERENCE_KINDS:
        their = _clean_text(details, "their_reference", required=False, label="Their reference")
        if len(their) > THEIR_REFERENCE_MAX:
            raise ValidationError({"their_reference": f"Their reference is at most {THEIR_REFERENCE_MAX} characters."})
        if their:
            clean["their_reference"] = their  # quoted by the follow-up and the complaint
    return clean


def _sent_letter(case: Case, short_id: str, on: date) -> dict:
    """Which final letter a ``sent`` event is about (the request by default; a follow-up, a complaint)."""
    letter = case.letters.filter(short_id=short_id[:8], is_final=True).first()
    if letter is None:
        raise ValidationError({"letter": "No final letter with that id in this case."})
    if on < timezone.localdate(letter.finalised_at):
        raise ValidationError({"date": "A letter cannot be sent before it was finalised."})
    return {"letter": letter.short_id, "letter_kind": letter.kind}


RECORDABLE = (
    EventKind.SENT, EventKind.RECEIVED, EventKind.ACKNOWLEDGED, EventKind.EXTENSION_NOTIFIED,
    EventKind.CLARIFICATION_REQUESTED, EventKind.CLARIFICATION_GIVEN, EventKind.IDENTITY_REQUESTED,
    EventKind.IDENTITY_GIVEN, EventKind.RESPONSE_RECEIVED, EventKind.REFUSED, EventKind.CLOSED,
)


@transaction.atomic
def case_record_event(
    *,
    case: Case,
    kind: str,
    on: date,
    actor=None,
    details: dict | None = None,
    source: str = EventSource.PORTAL,
    upload: CheckedUpload | None = None,
    upload_name: str = "",
    today: date | None = None,
    team=None,
    checked_details: dict | None = None,
) -> CaseEvent:
    """Record something that happened (possibly in the past) and recompute the deadlines.

    ``team``: the employer team that acted (``CaseEvent.team``). ``checked_details``: details a calling
    service has already validated (the employer's actions in ``dpo.services``), stored as given on top
    of the cleaned ``details``."""
    today = today or _today()
    if kind not in RECORDABLE:
        raise ValidationError({"kind": f"Unknown event kind '{str(kind)[:40]}'. Valid: {', '.join(RECORDABLE)}."})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("The case is closed.")
    if case.status == CaseStatus.DRAFT and not case.sent_outside_portal:
        raise ValidationError("Finalise the letter before recording what happened to it.")
    events = case_events(case)
    _check_event_date(case, kind, on, today, events)
    clean = _clean_details(kind, details or {}, on, today)
    if kind == EventKind.SENT and (details or {}).get("letter"):
        clean.update(_sent_letter(case, str((details or {})["letter"]), on))
    attachment = attachment_store(case=case, upload=upload, name=upload_name, actor=actor) if upload else None
    clean.update(checked_details or {})
    event = _event(case, kind, on, actor=actor, source=source, details=clean, attachment=attachment, team=team)
    status = {
        EventKind.SENT: CaseStatus.SENT,
        EventKind.RESPONSE_RECEIVED: CaseStatus.ANSWERED,
        EventKind.REFUSED: CaseStatus.ANSWERED,
        EventKind.CLOSED: CaseStatus.CLOSED,
    }.get(kind)
    if status and not (status == CaseStatus.SENT and case.status in (CaseStatus.ANSWERED,)):
        case.status = status
        if status == CaseStatus.CLOSED:
            case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at", "updated_at"])
    case_recompute(case=case, event=event)
    return event


def attachment_store(*, case: Case, upload: CheckedUpload, name: str, actor=None) -> Attachment:
    safe_name = "".join(ch for ch in strip_bidi(name or "upload")[:120] if ch.isalnum() or ch in "._- ") or "upload"
    attachment_quota_check(case=case, size=upload.size)
    attachment = Attachment(
        case=case, original_name=safe_name, content_type=upload.content_type, size=upload.size,
        sha256=upload.sha256, uploaded_by=actor,
    )
    attachment.file.save(f"{upload.sha256[:16]}.{upload.extension}", ContentFile(upload.content), save=False)
    attachment.save()
    return attachment


# --- Letters -----------------------------------------------------------------------------------------


#: The id a preview's footer shows: a letter gets its own id when it is stored.
PREVIEW_ID = "PREVIEW"


def _request_language(case: Case) -> str:
    if case.language or not case.law_key:
        return case.language
    from deletion_portal.cases.letters import letter_language

    return letter_language(case)


def case_in_language(case: Case, language: str) -> Case:
    """A read-only copy of ``case`` whose letters are in ``language`` (for the context, footer, metadata)."""
    if not language or language == case.language:
        return case
    clone = copy.copy(case)
    clone.language = language
    return clone


def letter_preview(*, case: Case, today: date | None = None) -> Letter:
    """The request letter as it would be finalised today, rendered in memory and never stored (what a GET
    shows): the final letter once there is one, else an unsaved ``Letter`` whose id reads ``PREVIEW``
    (the letter gets its id when it is stored)."""
    from deletion_portal.cases.letters import TEMPLATE_VERSION, letter_html

    final = case_final_request_letter(case)
    if final is not None:
        return final
    language = _request_language(case)
    html = letter_html(case_in_language(case, language), kind=LetterKind.REQUEST, today=today or _today())
    return Letter(case=case, kind=LetterKind.REQUEST, language=language, template_version=TEMPLATE_VERSION, html=html,
                  short_id=PREVIEW_ID)


@transaction.atomic
def letter_store_draft(
    *, case: Case, kind: str, html: str, language: str, template_version: str, letter: Letter | None = None,
    details: dict | None = None, actor=None, today: date | None = None,
) -> Letter:
    """Store a draft of any letter kind: overwrite ``letter`` (a draft of this case; for the request, its
    one draft) when there is one, else create it. A new follow-up or complaint writes a ``drafted`` event
    (details: ``letter``, ``kind`` and ``details``); the request's draft is the case's own ``drafted``
    event. A final letter never changes.

    The case row is locked first, so two callers drafting one case at once (the wizard, a finalisation, a
    bulk job) take turns: the request's draft is looked for under the lock, so there is one per case (a
    partial unique constraint holds it too), and once the request is final that letter is returned instead
    of a new draft. A follow-up's or complaint's caller looks for its existing draft itself, after locking
    the case in the same transaction (``tracking.letters``)."""
    Case.objects.select_for_update().only("pk").get(pk=case.pk)
    if letter is None and kind == LetterKind.REQUEST:
        final = case_final_request_letter(case)
        if final is not None:
            return final
        letter = case.letters.filter(kind=LetterKind.REQUEST, is_final=False).first()
    if letter is not None:
        if letter.case_id != case.pk or letter.kind != kind:
            raise ValidationError("That draft belongs to another case or is another kind of letter.")
        if letter.is_final:
            raise ValidationError("The letter is final and can no longer change.")
        if letter.html != html or letter.language != language or letter.template_version != template_version:
            letter.html, letter.language, letter.template_version = html, language, template_version
            letter.save(update_fields=["html", "language", "template_version"])
        return letter
    letter = Letter.objects.create(case=case, kind=kind, language=language, template_version=template_version, html=html)
    if kind != LetterKind.REQUEST:
        _event(case, EventKind.DRAFTED, today or _today(), actor=actor,
               source=EventSource.PORTAL if actor is not None else EventSource.SYSTEM,
               details={"letter": letter.short_id, "kind": kind, **(details or {})})
    return letter


def letter_draft(*, case: Case, today: date | None = None) -> Letter:
    """Store the case's request letter as it would be finalised today (a write: on POST and finalising
    only; a GET shows :func:`letter_preview`). The final letter once there is one."""
    preview = letter_preview(case=case, today=today)
    if preview.pk is not None:
        return preview
    if not case.language and preview.language:
        case.language = preview.language
        case.save(update_fields=["language", "updated_at"])
    return letter_store_draft(case=case, kind=LetterKind.REQUEST, html=preview.html, language=preview.language,
                              template_version=preview.template_version)


def letter_pdf_bytes(*, case: Case, letter: Letter) -> bytes:
    """Render a letter's PDF (in the letter's language), reusing the rendering of an unchanged draft
    (cached by content hash)."""
    from deletion_portal.cases.letters import letter_footer, letter_metadata
    from deletion_portal.core.pdf import paper_for_country, render_pdf

    case = case_in_language(case, letter.language)
    footer = letter_footer(case, letter.short_id)
    paper = paper_for_country(case.employer_country or case.work_country)
    key = "letter-pdf:" + hashlib.sha256(f"{letter.html}\x00{footer}\x00{paper}".encode()).hexdigest()
    try:
        pdf = cache.get(key)
    except Exception as error:  # noqa: BLE001 - a down cache (Redis) only costs a render
        logger.warning("letter PDF cache unavailable (%s)", type(error).__name__)
        pdf = None
    if pdf is None:
        pdf = render_pdf(letter.html, metadata=letter_metadata(case, letter.kind), paper=paper, footer=footer)
        try:
            cache.set(key, pdf, timeout=3600)
        except Exception as error:  # noqa: BLE001
            logger.warning("letter PDF cache unavailable (%s)", type(error).__name__)
    return pdf


def _freeze(case: Case, letter: Letter, pdf: bytes | None = None) -> None:
    """Store the PDF (``pdf``, rendered beforehand, or rendered now) with its SHA-256 and mark the letter
    final: it never changes afterwards."""
    if pdf is None:
        pdf = letter_pdf_bytes(case=case, letter=letter)
    letter.sha256 = hashlib.sha256(pdf).hexdigest()
    letter.pdf.save(f"{case.reference}-{letter.short_id}.pdf", ContentFile(pdf), save=False)
    letter.is_final = True
    letter.finalised_at = timezone.now()
    letter.save(update_fields=["html", "language", "template_version", "sha256", "pdf", "is_final", "finalised_at"])


#: How often letter_finalize renders again when the draft changed while it was rendering.
FINALIZE_ATTEMPTS = 3


def letter_finalize(
    *, case: Case, letter: Letter | None = None, actor=None, source: str | None = None, today: date | None = None
) -> Letter:
    """Freeze a letter of any kind: HTML, PDF and SHA-256 stored, a ``finalised`` event; it never changes
    afterwards. ``letter`` None (or the request's draft) is the request letter, checked complete and
    rendered as of ``today``; another kind (a follow-up, a complaint) is re-rendered as of ``today`` by the
    renderer its app registered (``cases.hooks.register_letter_renderer``).

    Render, then claim: the PDF (hundreds of milliseconds) is rendered *outside* any write transaction, and
    a short transaction then locks the case and letter, checks the letter is still the draft that was
    rendered and not final yet, and stores it. On SQLite a write transaction holds the one database lock,
    so rendering inside it made every other writer wait and fail with "database is locked". Rendering is
    deterministic (the same HTML, footer and paper give the same bytes), so whichever of two concurrent
    finalisations claims first stores exactly what the other would have; the other returns that letter.

    Idempotent: finalising twice returns the same letter.
    """
    today = today or _today()
    if letter is not None and letter.case_id != case.pk:
        raise ValidationError("That letter belongs to another case.")
    for _ in range(FINALIZE_ATTEMPTS):
        if letter is None or letter.kind == LetterKind.REQUEST:
            prepared = _request_prepare(case=case, today=today)
        else:
            prepared = _other_prepare(case=case, letter=letter, today=today)
        if prepared.final is not None:
            return prepared.final
        pdf = letter_pdf_bytes(case=prepared.case, letter=prepared.letter)  # no transaction open here
        claimed = _finalize_claim(prepared=prepared, pdf=pdf, actor=actor, source=source)
        if claimed is not None:
            return claimed
    raise ValidationError("The letter kept changing while it was being finalised; try again.")


class _Prepared:
    """What one finalisation attempt rendered: the case, the letter as it will be frozen (or the letter that
    is final already), the event's details, and the draft's stored (html, language, template version)."""

    def __init__(self, *, case: Case, letter: Letter | None = None, final: Letter | None = None, details=None,
                 stored: tuple | None = None):
        self.case, self.letter, self.final, self.details, self.stored = case, letter, final, details or {}, stored


def _request_prepare(*, case: Case, today: date) -> _Prepared:
    """The request's stored draft as it will be finalised (a short write if the draft had to change), or
    the final request letter when there is one already."""
    case = Case.objects.get(pk=case.pk)
    existing = case_final_request_letter(case)
    if existing is not None:
        return _Prepared(case=case, final=existing)
    missing = case_missing_for_letter(case)
    missing.update(validate_case_fields(law_key=case.law_key, region=case.region, rights=case.rights,
                                        categories=case.categories, language=case.language))
    if missing:
        raise ValidationError(missing)
    preview = letter_preview(case=case, today=today)  # the HTML, rendered before any write
    if preview.pk is not None and preview.is_final:
        return _Prepared(case=case, final=preview)
    with transaction.atomic():  # short: store the draft as it will be frozen (what letter_draft does)
        if not case.language and preview.language:
            case.language = preview.language
            case.save(update_fields=["language", "updated_at"])
        letter = letter_store_draft(case=case, kind=LetterKind.REQUEST, html=preview.html, language=preview.language,
                                    template_version=preview.template_version)
    if letter.is_final:  # finalised by someone else since we looked
        return _Prepared(case=case, final=letter)
    return _Prepared(case=case, letter=letter)


def _other_prepare(*, case: Case, letter: Letter, today: date) -> _Prepared:
    """A follow-up or complaint re-rendered as of ``today`` (in memory; stored when claimed)."""
    case = Case.objects.get(pk=case.pk)
    letter = Letter.objects.get(pk=letter.pk)
    if letter.is_final:
        return _Prepared(case=case, final=letter)
    stored = (letter.html, letter.language, letter.template_version)
    details = {}
    renderer = letter_renderer(letter.kind)
    rendering = renderer(case=case, letter=letter, today=today) if renderer is not None else None
    if rendering is not None:
        letter.html = rendering.html or letter.html
        letter.language = rendering.language or letter.language
        details = dict(rendering.details)
    return _Prepared(case=case, letter=letter, details=details, stored=stored)


@transaction.atomic
def _finalize_claim(*, prepared: _Prepared, pdf: bytes, actor, source: str | None) -> Letter | None:
    """Lock the case and the letter; store the rendered ``pdf`` if the letter is still the draft that was
    rendered. Returns the final letter (ours, or the one another finalisation stored first), or None when
    the draft changed meanwhile (render again)."""
    case = Case.objects.select_for_update().get(pk=prepared.case.pk)
    rendered = prepared.letter
    current = Letter.objects.select_for_update().get(pk=rendered.pk)
    if current.is_final:
        return current
    if rendered.kind == LetterKind.REQUEST:
        existing = case_final_request_letter(case)
        if existing is not None:
            return existing
        if (current.html, current.language, current.template_version) != (
                rendered.html, rendered.language, rendered.template_version):
            return None
        _freeze(case, rendered, pdf)
        case.status = CaseStatus.FINALISED
        case.wizard_step = max(case.wizard_step, 8)
        case.save(update_fields=["status", "wizard_step", "updated_at"])
        _event(case, EventKind.FINALISED, timezone.localdate(rendered.finalised_at), actor=actor,
               source=source or EventSource.PORTAL, details={"letter": rendered.short_id, "sha256": rendered.sha256})
        return rendered
    if (current.html, current.language, current.template_version) != prepared.stored:
        return None  # the draft was re-drafted while we rendered
    _freeze(case, rendered, pdf)
    _event(case, EventKind.FINALISED, timezone.localdate(rendered.finalised_at), actor=actor,
           source=source or (EventSource.PORTAL if actor is not None else EventSource.SYSTEM),
           details={"letter": rendered.short_id, "kind": rendered.kind, "sha256": rendered.sha256, **prepared.details})
    return rendered


@transaction.atomic
def letter_issue(*, case: Case, kind: str, html: str, language: str, template_version: str) -> Letter:
    """Create a letter that is final at once (a letter another party issues, e.g. the employer's response):
    HTML, PDF and SHA-256 stored, never changes. The caller records the event that carries it."""
    if kind == LetterKind.REQUEST:
        raise ValidationError("The request letter is finalised through letter_finalize.")
    letter = Letter.objects.create(case=case, kind=kind, language=language, template_version=template_version, html=html)
    _freeze(case, letter)
    return letter


@transaction.atomic
def letter_send_email(
    *, case: Case, letter: Letter | None = None, actor=None, source: str = EventSource.PORTAL, today: date | None = None
):
    """Queue a final letter (the request by default) to the employer's privacy address, with
    Reply-To and CC the employee. The outbox key makes a second click a no-op."""
    letter = letter or case_final_request_letter(case)
    if letter is None or not letter.is_final or letter.case_id != case.pk:
        raise ValidationError("Finalise the letter before sending it.")
    if letter.kind == LetterKind.RESPONSE:
        raise ValidationError("This is the employer's response to you: there is nothing to send back.")
    if letter.kind == LetterKind.COMPLAINT:
        raise ValidationError("A complaint goes to the supervisory authority, not to the employer: "
                              "send it through the authority's web form or by post, then record it.")
    if case.employer is None or not case.employer.privacy_email:
        raise ValidationError({"employer": "We have no privacy email address for this employer: post the letter or use its web form."})
    from deletion_portal.cases.letters import portal_answer
    from deletion_portal.cases.sending import letter_email_allowed, recipient_verified

    key = f"letter:{letter.pk}:email"  # one email per letter, however often the button is pressed
    if not OutboxMessage.objects.filter(key=key).exists():
        letter_email_allowed(case=case, actor=actor)  # confirmed sender, daily limits (cases/sending.py)
    # The case access code only with the request letter (a follow-up goes to a team that had it already).
    # In the letter's language, with the English sentence too when that is another.
    answer = portal_answer(case, letter.language) if letter.kind == LetterKind.REQUEST else None
    context = {"case": case, "letter": letter, "regime": get_regime(case.law_key), "portal_answer": answer,
               "portal_answer_en": portal_answer(case, "en") if answer and letter.language != "en" else None,
               "recipient_unverified": not recipient_verified(case)}
    subject = " ".join(render_to_string("emails/cases/letter_subject.txt", context, using="text").split())
    body = render_to_string("emails/cases/letter_body.txt", context, using="text")
    cc = [case.requester_email] if case.requester_email else []
    reply_to = list(cc)
    attachments = [{"filename": f"{case.reference}-{letter.short_id}.pdf", "content_type": "application/pdf",
                    "storage_name": letter.pdf.name}]
    for envelope in letter_envelopes(case=case, letter=letter):  # e.g. a mandate: the organisation replies
        reply_to = list(envelope.reply_to) or reply_to
        cc += [address for address in envelope.cc if address not in cc]
        attachments += list(envelope.attachments)
    message = outbox_enqueue(
        key=key,
        topic=f"case:{case.pk}",
        to=[case.employer.privacy_email],
        cc=cc,
        reply_to=reply_to,
        subject=subject,
        body=body,
        attachments=attachments,
    )
    sent = case.events.filter(kind=EventKind.SENT, details__channel="email")
    already = any(event.details.get("letter", letter.short_id if letter.kind == LetterKind.REQUEST else None)
                  == letter.short_id for event in sent)
    if not already:
        case_record_event(case=case, kind=EventKind.SENT, on=today or _today(), actor=actor, source=source,
                          details={"channel": "email", "letter": letter.short_id}, today=today)
    return message
