"""The employer team's actions on a case (acknowledge, identity, clarification, extend, refuse, close), each checked against the law."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string

from deletion_portal.cases.access import Need, Party, case_access_for, case_get_for
from deletion_portal.cases.models import Case, CaseEvent, CaseStatus, EventKind, EventSource
from deletion_portal.cases.selectors import case_deadlines, case_events
from deletion_portal.cases.services import OUTCOMES, case_record_event, text_clean
from deletion_portal.core.outbox import outbox_enqueue
from deletion_portal.employers.models import TeamRole
from deletion_portal.laws.registry import UnknownRegime, get_regime
from deletion_portal.laws.types import ACTION_CODES, EmployerActions, Regime

# --- Actions --------------------------------------------------------------------------------------------
#
# The employer team's actions on a case: acknowledge, ask for identity information, ask for clarification,
# extend, refuse (in whole or part), close. Each one is checked against the LAW DATA of the case's regime
# (``Regime.employer_actions``, ``Regime.extension``, ``Regime.pauses``, ``Regime.start_events``; no law key
# is compared here), needs RESPOND on the case (``cases.access``), writes ONE timeline event through
# ``cases.services.case_record_event`` (source ``employer``, the actor and the team), which recomputes the
# deadlines, and queues the employee's notification email through the outbox, all in one transaction.
# A rule that forbids an action raises :class:`ActionRefused` (a ValidationError naming the rule and its
# citation); nothing is recorded then.

ACTION_LABELS = {
    "acknowledge": "Acknowledge receipt",
    "request_identity": "Ask for identity information",
    "request_clarification": "Ask for clarification",
    "extend": "Extend the deadline",
    "refuse": "Refuse in whole or in part",
    "close": "Close with an outcome",
}
ACTION_EVENT_KINDS = {
    "acknowledge": EventKind.ACKNOWLEDGED,
    "request_identity": EventKind.IDENTITY_REQUESTED,
    "request_clarification": EventKind.CLARIFICATION_REQUESTED,
    "extend": EventKind.EXTENSION_NOTIFIED,
    "refuse": EventKind.REFUSED,
    "close": EventKind.CLOSED,
}
REFUSAL_SCOPES = {"whole": "in whole", "part": "in part"}
ACTION_TEXT_LIMIT = 2000


class ActionRefused(ValidationError):
    """The law (or the case's state) forbids the action: ``rule`` says which rule, ``citation`` where it is."""

    def __init__(self, rule: str, citation: str = "", *, field: str = "action"):
        self.rule = rule
        self.citation = citation
        self.field = field
        super().__init__({field: f"{rule} ({citation})" if citation else rule})


@dataclass(frozen=True)
class CaseLaw:
    """The regime of a case and what it says the employer may do."""

    regime: Regime
    actions: EmployerActions


def case_law(case: Case) -> CaseLaw | None:
    """The case's regime and its employer actions, or None when the law knows none (unknown or excluded)."""
    try:
        regime = get_regime(case.law_key)
    except UnknownRegime:
        return None
    if regime.employer_actions is None:
        return None
    return CaseLaw(regime=regime, actions=regime.employer_actions)


def case_offered_actions(*, case: Case) -> list[str]:
    """The actions the case's law knows and the case's state still allows, in the law's order (a read)."""
    law = case_law(case)
    if law is None or case.status == CaseStatus.CLOSED or case.status not in (CaseStatus.SENT, CaseStatus.ANSWERED):
        return []
    kinds = set(case.events.values_list("kind", flat=True))
    offered = []
    for action in law.actions.actions:
        if action == "acknowledge" and EventKind.ACKNOWLEDGED in kinds:
            continue
        if action == "extend" and EventKind.EXTENSION_NOTIFIED in kinds:
            continue
        if action == "refuse" and EventKind.REFUSED in kinds:
            continue
        offered.append(action)
    return offered


def _access(case: Case, user):
    access = getattr(case, "access", None)
    if access is None or access.user != user or not access.allows(Need.RESPOND):
        access = case_access_for(user, case, need=Need.RESPOND)
    if access is None or access.party != Party.EMPLOYER or not access.allows(Need.RESPOND):
        raise PermissionDenied("You may not act on this case for the employer.")
    return access


def _law_for(case: Case, action: str) -> CaseLaw:
    if action not in ACTION_CODES:
        raise ActionRefused(f"Unknown action '{str(action)[:40]}'. Valid: {', '.join(ACTION_CODES)}.")
    law = case_law(case)
    if law is None or action not in law.actions.actions:
        name = law.regime.short_name if law else (case.law_key or "the case's law")
        known = ", ".join(law.actions.actions) if law else "none"
        citation = law.regime.extension_none_reason if (law and action == "extend") else ""
        rule = f"{name} does not know the action '{action}' for this request (actions it knows: {known})."
        if citation:
            rule += f" {citation}"
        raise ActionRefused(rule)
    if case.status == CaseStatus.CLOSED:
        raise ActionRefused("The case is closed.")
    return law


def _text(value, field: str, label: str, *, required: bool) -> str:
    return text_clean(value, field=field, label=label, required=required, limit=ACTION_TEXT_LIMIT)


def _acted_as(access) -> dict:
    role = TeamRole(access.role).label.split(" (")[0] if access.role in TeamRole.values else access.role
    return {"team": access.via.name, "member_role": role}  # e.g. "Acme privacy office", "Responder"


def _record(*, case: Case, user, access, action: str, on: date, details: dict | None = None, checked: dict) -> CaseEvent:
    event = case_record_event(
        case=case, kind=ACTION_EVENT_KINDS[action], on=on, actor=user, details=details or {},
        source=access.event_source(EventSource.EMPLOYER), team=access.via, checked_details={**_acted_as(access), **checked},
    )
    _notify_employee(case=case, event=event, action=action)
    return event


def _notify_employee(*, case: Case, event: CaseEvent, action: str) -> None:
    """The employee's email about the action (the owner's account email; none for a team-recorded case)."""
    case = Case.objects.select_related("owner", "employer").get(pk=case.pk)
    if case.owner is None or not case.owner.email:
        return
    context = {"case": case, "event": event, "action": action, "action_label": ACTION_LABELS[action],
               "details": event.details, "employer": case.employer}
    subject = " ".join(render_to_string("emails/dpo/action_subject.txt", context, using="text").split())
    body = render_to_string("emails/dpo/action_body.txt", context, using="text")
    outbox_enqueue(key=f"employer-action:{event.pk}", topic=f"case:{case.pk}", to=[case.owner.email],
                   subject=subject, body=body)


def _first_sent(events: list[CaseEvent]) -> date | None:
    sent = [e.on for e in events if e.kind == EventKind.SENT]
    return min(sent) if sent else None


@transaction.atomic
def case_acknowledge(*, case: Case, user, on: date, received_on: date | None = None, note: str = "") -> CaseEvent:
    """Acknowledge receipt, stating the date the request was received. When it differs from the employee's
    recorded date both are kept and the deadlines run from the EARLIER one (``cases.services``), with a note.
    A case is acknowledged once: a second acknowledgement is refused (bulk acknowledge skips it)."""
    access = _access(case, user)
    law = _law_for(case, "acknowledge")
    events = case_events(case)
    done = [e for e in events if e.kind == EventKind.ACKNOWLEDGED]
    if done:
        raise ActionRefused(f"The request was already acknowledged on {done[0].on.isoformat()}; a case is acknowledged once.")
    note = _text(note, "note", "The note", required=False)
    employee_date = case.received_on
    received_on = received_on or employee_date or on
    if not isinstance(received_on, date):
        raise ValidationError({"received_on": "Give the date received as YYYY-MM-DD."})
    if received_on > on:
        raise ValidationError({"received_on": "The request cannot have been received after it was acknowledged."})
    sent = _first_sent(events)
    if sent and received_on < sent:
        raise ValidationError({"received_on": f"The request was sent on {sent.isoformat()}; it cannot have been received earlier."})
    checked = {"received_on": received_on.isoformat()}
    if employee_date and employee_date != received_on:
        earlier = min(employee_date, received_on)
        checked["employee_received_on"] = employee_date.isoformat()
        checked["deadline_note"] = (
            f"The employee's record says the request was received on {employee_date.isoformat()}; the employer says "
            f"{received_on.isoformat()}. The deadlines run from the earlier date, {earlier.isoformat()} (the conservative "
            f"date for both sides)."
        )
    if law.regime.acknowledgement is not None:
        checked["citation"] = law.regime.acknowledgement.citation
    return _record(case=case, user=user, access=access, action="acknowledge", on=on, details={"note": note}, checked=checked)


@transaction.atomic
def case_request_identity(*, case: Case, user, on: date, questions: list[str] | tuple[str, ...] = (), other_question: str = "",
                          id_copy: bool = False, id_copy_reason: str = "", reason: str = "") -> CaseEvent:
    """Ask for identity information: the law's proportionate questions (codes of
    ``employer_actions.identity.questions``) and/or one other question; an ID-document copy only with a written
    reason (the law's warning is the rule that refuses it otherwise)."""
    access = _access(case, user)
    law = _law_for(case, "request_identity")
    rule = law.actions.identity
    offered = {q.code: q.label for q in rule.questions}
    if not isinstance(questions, list | tuple) or not all(isinstance(q, str) for q in questions):
        raise ValidationError({"questions": "Give the questions as a list of codes."})
    unknown = [q for q in questions if q not in offered]
    if unknown:
        raise ValidationError({"questions": f"Unknown question {', '.join(unknown)[:80]}. Valid: {', '.join(offered)}."})
    other_question = _text(other_question, "other_question", "The other question", required=False)
    reason = _text(reason, "reason", "The reason", required=False)
    id_copy_reason = _text(id_copy_reason, "id_copy_reason", "The reason for asking for an ID copy", required=False)
    if id_copy and not id_copy_reason:
        raise ActionRefused(f"An ID-document copy needs a written reason. {rule.id_copy_warning}", rule.citation,
                            field="id_copy_reason")
    if not (questions or other_question or id_copy):
        raise ValidationError({"questions": "Choose at least one question (or write one)."})
    checked = {
        "questions": [offered[q] for q in offered if q in questions] + ([other_question] if other_question else []),
        "id_copy": bool(id_copy),
        "rule": rule.text,
        "citation": rule.citation,
        "clock": rule.clock_effect,
    }
    if id_copy:
        checked["id_copy_reason"] = id_copy_reason
    if reason:
        checked["reason"] = reason
    return _record(case=case, user=user, access=access, action="request_identity", on=on, checked=checked)


def case_clarification_pauses(*, case: Case) -> bool:
    """Whether asking for clarification stops the clock for this case (the law's ``pauses``, for its rights)."""
    law = case_law(case)
    if law is None:
        return False
    right = None if (not case.rights or "access" in case.rights) else case.rights[0]  # as cases.selectors.case_deadlines
    return any(p.starts_on == "clarification_requested" and (not p.rights or right is None or right in p.rights)
               for p in law.regime.pauses)


@transaction.atomic
def case_request_clarification(*, case: Case, user, on: date, question: str = "") -> CaseEvent:
    """Ask the employee to clarify the request. Where the law pauses the clock for this request (the UK pause
    for access requests) the deadline module adds the days back once the clarification arrives; elsewhere the
    clock keeps running, and the event says so."""
    access = _access(case, user)
    law = _law_for(case, "request_clarification")
    question = _text(question, "question", "The question", required=True)
    pauses = case_clarification_pauses(case=case)
    clock = ("The clock is paused from today until the clarification is received." if pauses
             else "The clock keeps running while the employer waits for the clarification.")
    checked = {"question": question, "clock": clock, "rule": law.actions.clarification.text,
               "citation": law.actions.clarification.citation}
    return _record(case=case, user=user, access=access, action="request_clarification", on=on, checked=checked)


@transaction.atomic
def case_extend(*, case: Case, user, on: date, reasons: str = "") -> CaseEvent:
    """Notify an extension: only where the law has one, only once, only with reasons where the law requires
    them, and only within the first period (the deadline module decides the validity and the new date)."""
    access = _access(case, user)
    law = _law_for(case, "extend")
    extension = law.regime.extension
    assert extension is not None  # the registry lists "extend" only with an extension
    events = case_events(case)
    if any(e.kind == EventKind.EXTENSION_NOTIFIED for e in events):
        raise ActionRefused("An extension was already notified; the law allows one.", extension.citation)
    reasons = _text(reasons, "reasons", "The reasons", required=False)
    if extension.reasons_required and not reasons:
        raise ActionRefused(f"An extension must give {extension.who_must_be_told} the reasons ({extension.grounds}).",
                            extension.citation, field="reasons")
    if not isinstance(on, date):
        raise ValidationError({"date": "Give the date as YYYY-MM-DD."})
    if case.received_on is None:
        raise ActionRefused("The request has no receipt date yet: acknowledge it first.")
    if on < case.received_on:
        raise ValidationError({"date": f"The request was received on {case.received_on.isoformat()}; an extension cannot come earlier."})
    before = case_deadlines(case, events)
    trial = case_deadlines(case, [*events, CaseEvent(case=case, kind=EventKind.EXTENSION_NOTIFIED, on=on,
                                                      details={"reasons": reasons})])
    if trial is None or before is None or trial.respond_by is None:
        raise ActionRefused("This request has no fixed period to extend.", extension.citation)
    if trial.extension.state != "valid":
        raise ActionRefused(
            f"Too late to extend: {extension.who_must_be_told} must be told within the first period, which ended on "
            f"{before.respond_by.isoformat()}; the notice is dated {on.isoformat()}. The response is due by "
            f"{before.respond_by.isoformat()}.", extension.citation)
    checked = {"original_respond_by": before.respond_by.isoformat(),
               "new_respond_by": trial.extended_respond_by.isoformat(), "citation": extension.citation}
    return _record(case=case, user=user, access=access, action="extend", on=on, details={"reasons": reasons}, checked=checked)


@transaction.atomic
def case_refuse(*, case: Case, user, on: date, grounds: list[str] | tuple[str, ...] = (), reasons: str = "",
                scope: str = "whole") -> CaseEvent:
    """Refuse in whole or in part on the law's grounds (codes of ``employer_actions.refusal_grounds``), with
    reasons; the law's remedies text (e.g. GDPR Art. 12(4): complaint and court) is inserted automatically."""
    access = _access(case, user)
    law = _law_for(case, "refuse")
    offered = {g.code: g for g in law.actions.refusal_grounds}
    if scope not in REFUSAL_SCOPES:
        raise ValidationError({"scope": f"Choose the scope: {', '.join(REFUSAL_SCOPES)}."})
    if not isinstance(grounds, list | tuple) or not all(isinstance(g, str) for g in grounds) or not grounds:
        raise ValidationError({"grounds": f"Choose at least one ground the law allows: {', '.join(offered)}."})
    unknown = [g for g in grounds if g not in offered]
    if unknown:
        raise ActionRefused(f"{law.regime.short_name} allows no refusal on '{', '.join(unknown)[:80]}'. Its grounds: "
                            f"{', '.join(offered)}.", field="grounds")
    reasons = _text(reasons, "reasons", "The reasons", required=True)
    chosen = [offered[code] for code in offered if code in grounds]
    remedies = law.actions.remedies
    checked = {
        "scope": REFUSAL_SCOPES[scope],
        "ground_codes": [g.code for g in chosen],
        "reasons": reasons,
        "warnings": [g.warning for g in chosen if g.warning],
        "remedies": remedies.text,
        "remedies_citation": remedies.citation,
    }
    grounds_text = "; ".join(f"{g.label} ({g.citation})" for g in chosen)
    return _record(case=case, user=user, access=access, action="refuse", on=on, details={"grounds": grounds_text}, checked=checked)


@transaction.atomic
def case_close(*, case: Case, user, on: date, outcome: str = "", note: str = "") -> CaseEvent:
    """Close the case with one of the closing outcomes (``cases.services.OUTCOMES``)."""
    access = _access(case, user)
    _law_for(case, "close")
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": f"Choose an outcome: {', '.join(OUTCOMES)}."})
    return _record(case=case, user=user, access=access, action="close", on=on,
                   details={"outcome": outcome, "note": _text(note, "note", "The note", required=False)}, checked={})


ACTION_SERVICES = {
    "acknowledge": case_acknowledge,
    "request_identity": case_request_identity,
    "request_clarification": case_request_clarification,
    "extend": case_extend,
    "refuse": case_refuse,
    "close": case_close,
}


def case_act(*, case: Case, user, action: str, on: date, **fields) -> CaseEvent:
    """Perform ``action`` (one of ACTION_CODES) with its fields: the one entry point of the web form and the API."""
    _law_for(case, action)  # an action the law does not know is refused before its fields are read
    return ACTION_SERVICES[action](case=case, user=user, on=on, **fields)


@dataclass(frozen=True)
class BulkAcknowledgeResult:
    acknowledged: list[str]  # references
    already: list[str]
    refused: list[str]  # references the user may see but the action was refused for (with the reason)
    not_found: int


def cases_bulk_acknowledge(*, user, case_ids: list, on: date, received_on: date | None = None) -> BulkAcknowledgeResult:
    """Acknowledge each of ``case_ids`` the user may RESPOND to, once; each case in its own transaction, so one
    refusal does not undo the others. Ids the user may not act on are counted, never named."""
    acknowledged, already, refused, not_found = [], [], [], 0
    seen = set()
    for pk in case_ids:
        if pk in seen:
            continue
        seen.add(pk)
        try:
            case = case_get_for(user, pk, need=Need.RESPOND)
        except Http404:
            not_found += 1
            continue
        if case.events.filter(kind=EventKind.ACKNOWLEDGED).exists():
            already.append(case.reference)
            continue
        try:
            case_acknowledge(case=case, user=user, on=on, received_on=received_on)
        except ValidationError as exc:
            refused.append(f"{case.reference}: {' '.join(exc.messages)}")
            continue
        acknowledged.append(case.reference)
    return BulkAcknowledgeResult(acknowledged=acknowledged, already=already, refused=refused, not_found=not_found)
