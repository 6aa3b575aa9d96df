"""The case page: letters, timeline, deadlines, and recording what happened (sending, events)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from deletion_portal.cases import forms as case_forms
from deletion_portal.cases.access import Need, case_get_for, letter_get_for
from deletion_portal.cases.hooks import case_page_context
from deletion_portal.cases.models import Case, CaseStatus, EventKind, EventSource, LetterKind
from deletion_portal.cases.selectors import (
    case_deadlines,
    case_events,
    case_final_request_letter,
    days_left,
)
from deletion_portal.cases.sending import recipient_verified
from deletion_portal.cases.services import (
    attachment_set_shared,
    case_record_event,
    case_set_employer_may_answer,
    letter_send_email,
)
from deletion_portal.cases.uploads import download_name
from deletion_portal.cases.views.common import case_regime
from deletion_portal.core.models import OutboxMessage

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
              "confirmed": "Confirmed", "reasons": "Reasons", "grounds": "Grounds", "outcome": "Outcome",
              "note": "Note", "letter": "Letter", "sha256": "SHA-256", "outside_portal": "Sent outside the portal",
              # the employer team's actions (dpo.services): who acted, and what the law says
              "team": "Team", "member_role": "Acting as", "received_on": "Received on (the employer says)",
              "employee_received_on": "Received on (your record)", "deadline_note": "Deadlines", "questions": "Questions",
              "id_copy": "ID-document copy asked for", "id_copy_reason": "Why an ID copy", "question": "Question",
              "rule": "The rule", "clock": "The clock", "citation": "Citation", "original_respond_by": "Was due by",
              "new_respond_by": "Now due by", "scope": "Refused", "warnings": "Warnings", "remedies": "Your remedies",
              "remedies_citation": "Remedies citation", "reason": "Reason"}
    hidden = {"ground_codes"}
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
    timeline = [
        {"event": e, "actor": _actor_label(e, request.user), "details": _detail_items(e.details)}
        for e in case_events(case)
    ]
    deadlines = case_deadlines(case)
    left = days_left(case.next_date, today)
    context = {
        "case": case,
        "regime": case_regime(case),
        "today": today,
        "days_left": left,
        "days_ago": -left if left is not None and left < 0 else None,
        "deadlines": deadlines,
        "letters": list(case.letters.filter(is_final=True).order_by("created_at")),
        "letter": letter,
        "timeline": timeline,
        "can_record": case.status != CaseStatus.CLOSED and (letter is not None or case.sent_outside_portal),
        "can_email": letter is not None and case.employer is not None and bool(case.employer.privacy_email),
        "outbox": list(OutboxMessage.objects.filter(topic=f"case:{case.pk}").order_by("created_at")),
        "drafting": case.status == CaseStatus.DRAFT and not case.sent_outside_portal,
        "post_form": _request_form(forms_given, "post_form", case_forms.PostedForm, "post"),
        "web_form": _request_form(forms_given, "web_form", case_forms.WebFormForm, "web"),
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


