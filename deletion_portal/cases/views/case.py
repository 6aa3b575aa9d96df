"""The case page: letters, timeline, deadlines, and recording what happened (sending, events)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from deletion_portal.cases import forms as case_forms
from deletion_portal.cases.access import Need, case_get_for, letter_get_for
from deletion_portal.cases.hooks import NextAction, case_page_context
from deletion_portal.cases.models import Case, CaseStatus, EventKind, EventSource, LetterKind
from deletion_portal.cases.selectors import (
    case_deadlines,
    case_events,
    case_final_request_letter,
    days_left,
)
from deletion_portal.cases.sending import recipient_verified
from deletion_portal.cases.services import (
    POSTAL_DELIVERY_WORKING_DAYS,
    attachment_set_shared,
    case_delete_draft,
    case_record_event,
    case_set_employer_may_answer,
    letter_send_email,
)
from deletion_portal.cases.uploads import download_name
from deletion_portal.cases.views.common import LAST_STEP, case_regime, step_url
from deletion_portal.core.models import OutboxMessage
from deletion_portal.laws.regions import UnknownRegion, parse_region

# --- The case page ------------------------------------------------------------------------------------


def _actor_label(event, user) -> str:
    if event.actor_id is not None and event.actor_id == user.pk:
        return "you"
    if event.team_id is not None:  # the employer's team: its name and the member's role, never their email
        details = event.details or {}
        role = details.get("member_role") or details.get("role", "")
        return f"{event.team.name}{f' ({role})' if role else ''}"
    if event.actor_id is None:
        return "system"
    return event.actor.email


def _detail_items(details: dict) -> list[tuple[str, str]]:
    labels = {"channel": "How", "tracking_number": "Tracking number", "delivered_on": "Delivered on",
              "confirmed": "Confirmed", "reasons": "Reasons", "grounds": "Grounds", "outcome": "Outcome", "their_reference": "Their reference",
              "note": "Note", "letter": "Letter", "sha256": "SHA-256", "outside_portal": "Sent outside the portal",
              # the employer team's actions (dpo.services): who acted, and what the law says
              "team": "Team", "member_role": "Acting as", "received_on": "Received on (the employer says)",
              "employee_received_on": "Received on (your record)", "deadline_note": "Deadlines", "questions": "Questions",
              "id_copy": "ID-document copy asked for", "id_copy_reason": "Why an ID copy", "question": "Question",
              "rule": "The rule", "clock": "The clock", "citation": "Citation", "original_respond_by": "Was due by",
              "new_respond_by": "Now due by", "scope": "Refused", "warnings": "Warnings", "remedies": "Your remedies",
              "remedies_citation": "Remedies citation", "reason": "Reason",
              "not_answered": "Not answered", "files": "Files"}  # the employer's structured answer (dpo.answers)
    hidden = {"ground_codes", "answered", "missing", "response", "file_ids"}  # codes for machines (dpo.answers)
    items = []
    for key, value in (details or {}).items():
        if value in ("", None, []) or key in hidden:
            continue
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        elif key == "channel":
            value = case_forms.CHANNEL_LABELS.get(value, value)
        elif key == "outcome":
            value = case_forms.OUTCOME_LABELS.get(value, value)
        elif key == "letter_kind":
            value = LetterKind(value).label if value in LetterKind.values else value
        items.append((labels.get(key, key.replace("_", " ").capitalize()), str(value)))
    return items


def _letter_forms(forms_given: dict, sections: dict) -> list[dict]:
    """Post / web-form forms for each final follow-up or complaint not yet sent (``letter`` hidden); a
    form that came back with errors is shown with its letter, not in the request's own forms."""
    rows = []
    for item in sections.get("unsent_letters", []):
        short_id = item.letter.short_id
        forms_for = {}
        for key, form_class, prefix in (("post_form", case_forms.PostedForm, "post"),
                                        ("web_form", case_forms.WebFormForm, "web")):
            given = forms_given.get(key)
            if given is not None and given.is_bound and given.data.get(f"{prefix}-letter") == short_id:
                forms_for[key] = given
            else:
                forms_for[key] = form_class(prefix=prefix, initial={"letter": short_id})
        rows.append({"item": item, **forms_for})
    return rows


#: The fields each kind of event needs on the case page (one small form per kind; the service checks them).
EVENT_FIELDS = {
    EventKind.RECEIVED: ("on", "confirmed", "their_reference", "note", "upload"),
    EventKind.ACKNOWLEDGED: ("on", "their_reference", "note", "upload"),
    EventKind.EXTENSION_NOTIFIED: ("on", "reasons", "their_reference", "note", "upload"),
    EventKind.CLARIFICATION_REQUESTED: ("on", "their_reference", "note", "upload"),
    EventKind.CLARIFICATION_GIVEN: ("on", "note", "upload"),
    EventKind.IDENTITY_REQUESTED: ("on", "their_reference", "note", "upload"),
    EventKind.IDENTITY_GIVEN: ("on", "note", "upload"),
    EventKind.RESPONSE_RECEIVED: ("on", "their_reference", "note", "upload"),
    EventKind.REFUSED: ("on", "grounds", "their_reference", "note", "upload"),
    EventKind.CLOSED: ("on", "outcome", "note"),
}
#: What each kind's form is called on the page (the person's words, not the timeline's).
EVENT_FORM_TITLES = {
    EventKind.RECEIVED: gettext_lazy("It reached the employer"),
    EventKind.ACKNOWLEDGED: gettext_lazy("They confirmed receipt"),
    EventKind.EXTENSION_NOTIFIED: gettext_lazy("They extended the deadline"),
    EventKind.CLARIFICATION_REQUESTED: gettext_lazy("They asked what I meant"),
    EventKind.CLARIFICATION_GIVEN: gettext_lazy("I explained what I meant"),
    EventKind.IDENTITY_REQUESTED: gettext_lazy("They asked me to prove who I am"),
    EventKind.IDENTITY_GIVEN: gettext_lazy("I proved who I am"),
    EventKind.RESPONSE_RECEIVED: gettext_lazy("They answered"),
    EventKind.REFUSED: gettext_lazy("They refused"),
    EventKind.CLOSED: gettext_lazy("Close the case"),
}


def _event_forms(given) -> tuple[list[dict], list[str]]:
    """One form per kind of event, each with only its fields and its own ids; a form that came back with
    errors is shown (open) in its kind's place, or, with no valid kind, its errors above the forms."""
    given_kind = given.data.get(given.add_prefix("kind"), "") if given is not None and given.is_bound else None
    rows, stray = [], []
    for kind, fields in EVENT_FIELDS.items():
        if given_kind == kind:
            form, is_open = given, True
        else:
            form, is_open = case_forms.RecordEventForm(prefix="event", initial={"kind": kind}), False
        form.auto_id = f"id_{kind}_%s"
        rows.append({"kind": kind, "title": EVENT_FORM_TITLES[kind], "form": form, "open": is_open,
                     "fields": [form[name] for name in fields if name not in ("confirmed",)],
                     "confirmed": form["confirmed"] if "confirmed" in fields else None})
    if given is not None and given.is_bound and given_kind not in EVENT_FIELDS:
        stray = [f"{given.fields[name].label}: {error}" if name != "__all__" else error
                 for name, errors in given.errors.items() for error in errors]
    return rows, stray


def region_label(code: str) -> str:
    """A holiday region as a person names it: "Bayern", "France" (not "DE-BY")."""
    try:
        region = parse_region(code)
    except UnknownRegion:
        return code
    name = region.name
    if " – " in name:
        name = name.split(" – ", 1)[1]
    return name.rsplit(" (", 1)[0] if name.endswith(")") else name


def postal_assumption(case: Case, events) -> dict | None:
    """When the clock runs from an ASSUMED delivery of a posted letter (posted, no delivery date, no
    recorded receipt): the posting day and the day it is counted as received, for the page to explain."""
    if case.received_on is None or any(e.kind in (EventKind.RECEIVED, EventKind.ACKNOWLEDGED) for e in events):
        return None
    sent = [e for e in events if e.kind == EventKind.SENT]
    if not sent or (sent[0].details or {}).get("channel") != "post" or (sent[0].details or {}).get("delivered_on"):
        return None
    return {"posted_on": sent[0].on, "received_on": case.received_on, "days": POSTAL_DELIVERY_WORKING_DAYS,
            "region": region_label(case.region) if case.region else ""}


def _next_action(case: Case, *, letter, drafting: bool, sections: dict, can_email: bool) -> NextAction:
    """The one thing to do now: finish the draft, send the letter, or (once sent) what the apps above
    say (a follow-up, a complaint, checking an answer), else wait for the answer and record it."""
    unsent = sections.get("unsent_letters") or []
    if drafting:
        return NextAction(
            title=_("Finish your letter"),
            why=_("This request is still a draft: nothing has been sent. The employer's deadline starts only "
                  "when your letter reaches them."),
            url=step_url(case, min(case.wizard_step or 1, LAST_STEP)), button=_("Continue drafting"))
    if case.status == CaseStatus.FINALISED and letter is not None:
        return NextAction(
            title=_("Send your letter"),
            why=_("Your letter is final. The employer's deadline starts when it reaches them: send it by email "
                  "from here, or post it or use their web form, and record how.") if can_email else
            _("Your letter is final. The employer's deadline starts when it reaches them: post it or use their "
              "web form, and record how (we have no privacy email address for this employer)."),
            url="#ways-to-send", button=_("Ways to send it"))
    if unsent:
        item = unsent[0]
        return NextAction(
            title=_("Send your %(kind)s") % {"kind": item.letter.get_kind_display().lower()},
            why=_("It is final but not sent yet. Send it, then record how, so the dates follow it."),
            url=f"#send-{item.letter.short_id}", button=_("Send it"))
    if sections.get("next_action") is not None:
        return sections["next_action"]
    if case.status == CaseStatus.CLOSED:
        return NextAction(title=_("Nothing more to do"), why=_("This case is closed."))
    if case.status == CaseStatus.ANSWERED:
        return NextAction(title=_("Look at the answer"),
                          why=_("The employer answered. Check that it covers everything you asked for, then close "
                                "the case or record what happens next."),
                          url="#record-what-happened", button=_("Record what happened"))
    if case.next_date:
        return NextAction(
            title=_("Wait for the employer's answer"),
            why=_("%(what)s by this date. Record what they do (an acknowledgement, an extension, their answer) "
                  "and the dates follow.") % {"what": case.next_date_label or _("The employer must answer")},
            url="#record-what-happened", button=_("Record what happened"), on=case.next_date)
    return NextAction(title=_("Record when it arrived"),
                      why=_("The clock starts when your request reaches the employer: record how and when you sent it."),
                      url="#ways-to-send", button=_("Record how you sent it"))


def _request_form(forms_given: dict, key: str, form_class, prefix: str):
    """The request letter's own form: the one given, unless it was about another letter."""
    given = forms_given.get(key)
    if given is not None and not (given.is_bound and given.data.get(f"{prefix}-letter")):
        return given
    return form_class(prefix=prefix)


def _case_page(request, case: Case, *, status: int = 200, **forms_given):
    today = timezone.localdate()
    sections = case_page_context(case=case, today=today)  # what the apps above cases show (cases/hooks.py)
    letter = case_final_request_letter(case)
    events = case_events(case)
    timeline = [
        {"event": e, "actor": _actor_label(e, request.user), "details": _detail_items(e.details)}
        for e in events
    ]
    deadlines = case_deadlines(case, events)
    left = days_left(case.next_date, today)
    drafting = case.status == CaseStatus.DRAFT and not case.sent_outside_portal
    can_email = letter is not None and case.employer is not None and bool(case.employer.privacy_email)
    event_forms, event_errors = _event_forms(forms_given.get("event_form"))
    post_form = _request_form(forms_given, "post_form", case_forms.PostedForm, "post")
    web_form = _request_form(forms_given, "web_form", case_forms.WebFormForm, "web")
    extended = deadlines is not None and deadlines.extended_respond_by and deadlines.extension.state == "valid"
    context = {
        "case": case,
        "regime": case_regime(case),
        "today": today,
        "days_left": left,
        "days_ago": -left if left is not None and left < 0 else None,
        "deadlines": deadlines,
        "next_action": _next_action(case, letter=letter, drafting=drafting, sections=sections, can_email=can_email),
        # A valid extension replaced the first deadline: shown struck through and small beside the new one.
        "replaced_date": deadlines.respond_by if extended and case.next_date != deadlines.respond_by else None,
        "postal": postal_assumption(case, events),
        "region_label": region_label(case.region) if case.region else "",
        "request_sent": case.status in (CaseStatus.SENT, CaseStatus.ANSWERED, CaseStatus.CLOSED),
        "can_delete": drafting,
        "event_forms": event_forms,
        "event_errors": event_errors,
        "send_open": bool(post_form.errors or web_form.errors),
        "letters": list(case.letters.filter(is_final=True).order_by("created_at")),
        "letter": letter,
        "timeline": timeline,
        "can_record": case.status != CaseStatus.CLOSED and (letter is not None or case.sent_outside_portal),
        "can_email": can_email,
        "outbox": list(OutboxMessage.objects.filter(topic=f"case:{case.pk}").order_by("created_at")),
        "drafting": drafting,
        "post_form": post_form,
        "web_form": web_form,
        "letter_forms": _letter_forms(forms_given, sections),
        **sections,
        "event_form": forms_given.get("event_form") or case_forms.RecordEventForm(prefix="event"),
        # Shown above the actions when the forms themselves are not (a draft, a closed case).
        "action_errors": [error for form in forms_given.values() for error in form.non_field_errors()],
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
def case_detail(request, pk):
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    return _case_page(request, case)


@login_required
def letter_pdf(request, pk, letter_pk):
    # A final letter is readable by everyone who may VIEW the case (the employer's verified team
    # included, once the request was sent); drafts are the owner's, through the preview.
    letter = letter_get_for(request.user, pk, letter_pk, need=Need.VIEW)
    if not letter.pdf:
        raise Http404("No such letter.")
    case = letter.case
    response = FileResponse(letter.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"{case.reference}-{letter.short_id}.pdf")
    return response


@login_required
def attachment_download(request, pk, att_pk):
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    try:
        attachment = case.attachments.get(pk=int(att_pk))
    except (ValueError, TypeError, case.attachments.model.DoesNotExist):
        raise Http404("No such attachment.") from None
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True,
                            filename=download_name(original_name=attachment.original_name, stored_name=attachment.file.name))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def attachment_share(request, pk, att_pk):
    """The owner shares an upload with the employer's team, or stops sharing it (``share`` = yes/no).
    Not shared unless chosen; the employer side downloads shared files only (``dpo:case-attachment``)."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    attachment = case.attachments.filter(pk=att_pk).first()
    if attachment is None:
        raise Http404("No such attachment.")
    form = case_forms.AttachmentShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to share the file with the employer's team.")
        return redirect("cases:detail", pk=case.pk)
    shared = form.cleaned_data["share"] == "yes"
    attachment_set_shared(attachment=attachment, shared=shared, actor=request.user)
    messages.success(request, f"{attachment.original_name}: " + (
        "shared with the employer's privacy team (they see it while they may answer here)." if shared else
        "no longer shared with the employer's privacy team."))
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#attachment-{attachment.pk}")


@login_required
@require_POST
def case_send_email(request, pk):
    """Send the request letter, or (``letter`` = a short id) another final letter of the case."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    form = case_forms.SendEmailForm(request.POST)
    short_id = form.cleaned_data["letter"] if form.is_valid() else request.POST.get("letter", "")
    letter = case.letters.filter(short_id=short_id, is_final=True).first() if short_id else None
    try:
        if short_id and letter is None:
            raise ValidationError("No final letter with that id in this case.")
        if letter is not None and letter.kind == LetterKind.COMPLAINT:
            raise ValidationError("A complaint goes to the supervisory authority, not to the employer: "
                                  "send it through the authority's web form or by post, then record it.")
        letter_send_email(case=case, letter=letter, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        unverified = "" if recipient_verified(case) else " (an address not verified in our directory: the email says so)"
        messages.success(request, f"Your letter is queued to {case.employer.privacy_email}{unverified}, with you in copy.")
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_delete(request, pk):
    """The owner deletes a draft (never a case with a final letter or one that was sent): POST only."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    reference = case.reference
    try:
        case_delete_draft(case=case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, f"Draft {reference} is deleted, with everything you had entered.")
    return redirect("cases:list")


@login_required
@require_POST
def case_employer_access(request, pk):
    """The owner withdraws (or gives again) the employer's permission to answer in the portal. Withdrawing
    ends every team's access at once."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    form = case_forms.EmployerAccessForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether the employer may answer online.")
        return redirect("cases:detail", pk=case.pk)
    allowed = form.cleaned_data["allow"] == "yes"
    case_set_employer_may_answer(case=case, allowed=allowed, actor=request.user)
    messages.success(request, "The employer's team may answer this request here again." if allowed else
                     "Withdrawn: the employer's team can no longer open or answer this request here.")
    return redirect("cases:detail", pk=case.pk)


def _record(request, case: Case, form, *, form_key: str, kind: str, on, details: dict, upload=None, upload_name=""):
    try:
        case_record_event(case=case, kind=kind, on=on, actor=request.user, details=details,
                          source=case.access.event_source(EventSource.PORTAL), upload=upload, upload_name=upload_name)
    except ValidationError as exc:
        case_forms.add_service_errors(form, exc, form.field_map)
        return _case_page(request, case, status=400, **{form_key: form})
    messages.success(request, "Recorded. The dates below are updated.")
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def record_post(request, pk):
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    form = case_forms.PostedForm(request.POST, prefix="post")
    if not form.is_valid():
        return _case_page(request, case, status=400, post_form=form)
    return _record(request, case, form, form_key="post_form", kind=EventKind.SENT,
                   on=form.cleaned_data["posted_on"], details=form.details())


@login_required
@require_POST
def record_web_form(request, pk):
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    form = case_forms.WebFormForm(request.POST, prefix="web")
    if not form.is_valid():
        return _case_page(request, case, status=400, web_form=form)
    return _record(request, case, form, form_key="web_form", kind=EventKind.SENT,
                   on=form.cleaned_data["used_on"], details=form.details())


@login_required
@require_POST
def record_event(request, pk):
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    form = case_forms.RecordEventForm(request.POST, request.FILES, prefix="event")
    if not form.is_valid():
        return _case_page(request, case, status=400, event_form=form)
    data = form.cleaned_data
    return _record(request, case, form, form_key="event_form", kind=data["kind"], on=data["on"],
                   details=form.details(), upload=data.get("upload"), upload_name=form.upload_name())


