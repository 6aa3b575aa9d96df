"""Follow-up, complaint, response checklist, evidence, calendar and retention views.

Thin plain functions: each starts with ``case_get_for(..., need=Need.MANAGE)`` (a 404 for anyone but the
owner), calls
one service and renders or redirects; a service's ValidationError is shown on the page, never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from deletion_portal.cases.access import Need, case_get_for
from deletion_portal.cases.models import EventKind, Letter, LetterKind
from deletion_portal.cases.services import letter_finalize
from deletion_portal.cases.views.common import letter_as_text
from deletion_portal.tracking.authorities import authority_choices, eu_authorities
from deletion_portal.tracking.calendar import (
    calendar_feed_active,
    calendar_feed_create,
    calendar_feed_for_token,
    calendar_feed_revoke,
    calendar_feed_url,
    case_calendar,
    feed_calendar,
)
from deletion_portal.tracking.checklist import checklist_items, checklist_open, checklist_update
from deletion_portal.tracking.evidence import evidence_bundle
from deletion_portal.tracking.letters import (
    complaint_authority,
    complaint_check,
    complaint_draft,
    current_complaint,
    current_follow_up,
    follow_up_check,
    follow_up_draft,
)
from deletion_portal.tracking.retention import retention_set_keep


def _send_forms(case, letter: Letter | None) -> dict | None:
    """A final, unsent follow-up or complaint is sent from its own page as the request is: by email (a
    follow-up, to the employer's privacy address), by post or through a web form — the case's send flow
    (``cases:send-email``, ``cases:record-post``, ``cases:record-web-form`` with the letter's id)."""
    if letter is None or not letter.is_final:
        return None
    from deletion_portal.cases import forms as case_forms
    from deletion_portal.tracking.selectors import case_sent_letter_ids

    if letter.short_id in case_sent_letter_ids(case):
        return {"sent": True}
    emailable = bool(case.employer_id and case.employer.privacy_email) and letter.kind == LetterKind.FOLLOW_UP
    return {
        "sent": False,
        "can_email": emailable,
        "post_form": case_forms.PostedForm(prefix="post", initial={"letter": letter.short_id}),
        "web_form": case_forms.WebFormForm(prefix="web", initial={"letter": letter.short_id}),
    }


def _letter_page(request, case, *, template: str, letter: Letter | None, errors: list[str], status: int = 200, **extra):
    context = {
        "case": case,
        "letter": letter,
        "letter_text": letter_as_text(letter.html) if letter is not None else "",
        "errors": errors,
        "send": _send_forms(case, letter),
        **extra,
    }
    return render(request, template, context, status=status)


def _follow_up_page(request, case, *, errors: list[str], status: int = 200):
    """Reads only: the current follow-up if there is one, else why one can (or cannot yet) be drafted."""
    letter = current_follow_up(case)
    check, blocked = None, []
    if letter is None:
        try:
            check = follow_up_check(case=case)
        except ValidationError as exc:
            blocked = exc.messages
    return _letter_page(request, case, template="tracking/follow_up.html", letter=letter, errors=errors,
                        status=status, check=check, blocked=[m for m in blocked if m not in errors],
                        draft_url=reverse("tracking:follow-up", args=[case.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, pk):
    """The follow-up for the missed date. GET shows it (or why it can be drafted) and changes nothing;
    POST drafts it, or re-renders the existing draft (idempotent), then redirects back to the GET page."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    if request.method == "POST":
        before = current_follow_up(case)
        try:
            letter = follow_up_draft(case=case, actor=request.user)
        except ValidationError as exc:
            return _follow_up_page(request, case, errors=exc.messages, status=400)
        messages.success(request, _drafted_message(before, letter, "follow-up"))
        return redirect("tracking:follow-up", pk=case.pk)
    return _follow_up_page(request, case, errors=[])


def _drafted_message(before: Letter | None, letter: Letter, what: str) -> str:
    if letter.is_final:
        return f"This {what} is final already: it never changes."
    if before is None:
        return f"The {what} is drafted: read it below, then finalise it."
    return "The draft is updated."


def _complaint_page(request, case, key: str | None, *, errors: list[str], status: int = 200):
    """Reads only: the complaint to the chosen authority if there is one, else why one can (or cannot
    yet) be drafted to it; ``key`` is the ``authority`` asked for (default: the suggested one)."""
    from deletion_portal.tracking.authorities import routes_under_art77

    choices = authority_choices(case)
    # An EU case without a recorded EU/EEA place may choose any EU/EEA authority.
    others = list(eu_authorities()) if routes_under_art77(case.law_key) and not choices else []
    extra = {"choices": choices, "others": others, "chosen": key or (choices[0].key if choices else ""),
             "draft_url": reverse("tracking:complaint", args=[case.pk])}
    letter = current_complaint(case, key)
    check, blocked = None, []
    if letter is None:
        try:
            check = complaint_check(case=case, authority_key=key)
        except ValidationError as exc:
            blocked = [m for m in exc.messages if m not in errors]
            if key and hasattr(exc, "error_dict") and "authority" in exc.error_dict:
                status = 400  # an authority that is not one of the case's
    authority = complaint_authority(case, letter) if letter is not None else (check.authority if check else None)
    if authority is not None:
        extra["chosen"] = authority.key
    return _letter_page(request, case, template="tracking/complaint.html", letter=letter, errors=errors,
                        status=status, check=check, blocked=blocked, authority=authority, **extra)


@login_required
@require_http_methods(["GET", "POST"])
def complaint(request, pk):
    """The complaint to the chosen authority (``authority=KEY``; default: the suggested one). GET
    (``?authority=``) shows it, or why it can be drafted, and changes nothing; POST (a hidden
    ``authority``) drafts it or re-renders the existing draft, then redirects back to the GET page."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    source = request.POST if request.method == "POST" else request.GET
    key = (source.get("authority") or "")[:20] or None
    if request.method == "POST":
        before = current_complaint(case, key)
        try:
            letter = complaint_draft(case=case, authority_key=key, actor=request.user)
        except ValidationError as exc:
            return _complaint_page(request, case, key, errors=exc.messages, status=400)
        messages.success(request, _drafted_message(before, letter, "complaint"))
        target = reverse("tracking:complaint", args=[case.pk])
        authority = complaint_authority(case, letter)
        if authority is not None:
            target += f"?authority={authority.key}"
        return redirect(target)
    return _complaint_page(request, case, key, errors=[])


@login_required
@require_POST
def finalize(request, pk, letter_pk):
    from deletion_portal.core.pdf import PdfRenderError

    case = case_get_for(request.user, pk, need=Need.MANAGE)
    try:
        letter = case.letters.get(pk=int(letter_pk), kind__in=[LetterKind.FOLLOW_UP, LetterKind.COMPLAINT])
    except (Letter.DoesNotExist, ValueError, TypeError):
        raise Http404("No such letter.") from None
    target = reverse("tracking:follow-up" if letter.kind == LetterKind.FOLLOW_UP else "tracking:complaint", args=[case.pk])
    if letter.kind == LetterKind.COMPLAINT:
        authority = complaint_authority(case, letter)
        if authority is not None:
            target += f"?authority={authority.key}"
    try:
        letter_finalize(case=case, letter=letter, actor=request.user)
    except (ValidationError, PdfRenderError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect(target)
    messages.success(request, "The letter is final: download the PDF and send it.")
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def checklist(request, pk, event_pk):
    """Tick what the employer's answer covered; untick what it left out."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    try:
        event = case.events.get(pk=int(event_pk), kind=EventKind.RESPONSE_RECEIVED)
    except (case.events.model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such response.") from None
    if request.method == "POST":
        items = checklist_open(case=case, response_event=event)
        known = {item.code for item in items}
        answered = {code for code in request.POST.getlist("answered") if code in known}
        checklist_update(case=case, response_event=event, answered_codes=answered)
        # The two buttons draft what they say (a POST), then show it; a refusal is explained there.
        for button, draft, target in (("dispute", complaint_draft, "tracking:complaint"),
                                      ("follow_up", follow_up_draft, "tracking:follow-up")):
            if button in request.POST:
                try:
                    draft(case=case, actor=request.user)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                return redirect(target, pk=case.pk)
        messages.success(request, "Saved.")
        return redirect("tracking:checklist", pk=case.pk, event_pk=event.pk)
    items = checklist_items(case=case, response_event=event)
    missing = [item for item in items if not item.answered]
    return render(request, "tracking/checklist.html", {"case": case, "event": event, "items": items, "missing": missing})


@login_required
def evidence(request, pk):
    from deletion_portal.core.pdf import PdfRenderError

    case = case_get_for(request.user, pk, need=Need.MANAGE)
    try:
        data = evidence_bundle(case=case)
    except PdfRenderError as exc:
        messages.error(request, str(exc))
        return redirect("cases:detail", pk=case.pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-evidence.zip"'
    return response


# --- Calendar ------------------------------------------------------------------------------------------


def _ics(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def case_calendar_ics(request, pk):
    """The case's active dates as a .ics file (each with an alarm the day before)."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    return _ics(case_calendar(case=case), f"{case.reference}.ics")


@login_required
def calendar_page(request):
    """The private feed URL: create it, see it, revoke it, replace it."""
    feed = calendar_feed_active(request.user)
    return render(request, "tracking/calendar.html", {"feed": feed, "feed_url": calendar_feed_url(feed) if feed else ""})


@login_required
@require_POST
def calendar_create(request):
    calendar_feed_create(user=request.user)
    messages.success(request, "Your new calendar address is below. Any earlier address no longer works.")
    return redirect("calendar:page")


@login_required
@require_POST
def calendar_revoke(request):
    if calendar_feed_revoke(user=request.user):
        messages.success(request, "The calendar address is revoked: calendar apps using it get nothing more.")
    return redirect("calendar:page")


def _feed_not_found() -> HttpResponse:
    response = HttpResponseNotFound("Not found.", content_type="text/plain; charset=utf-8")
    # The path holds the (revoked or guessed) secret: keep it out of Django's "Not Found: <path>" log.
    response._has_been_logged = True
    return response


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request, token):
    """The private feed: no login (the token is the secret); a revoked or unknown token is a 404."""
    feed = calendar_feed_for_token(token)
    if feed is None or not feed.user.is_active:
        return _feed_not_found()
    response = _ics(feed_calendar(user=feed.user), "deletion-portal.ics")
    response["Content-Disposition"] = 'inline; filename="deletion-portal.ics"'
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Retention ------------------------------------------------------------------------------------------


@login_required
@require_POST
def keep(request, pk):
    """The owner keeps a case past the retention period (``keep=1``), or lets it go (``keep=0``)."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    wanted = request.POST.get("keep") == "1"
    retention_set_keep(case=case, keep=wanted)
    if wanted:
        messages.success(request, "This case is kept: it will not be deleted after it closes.")
    else:
        messages.success(request, "This case will be deleted after the retention period once it is closed.")
    return redirect("cases:detail", pk=case.pk)


__all__ = ["follow_up", "complaint", "finalize", "checklist", "evidence", "case_calendar_ics", "calendar_page",
           "calendar_create", "calendar_revoke", "calendar_feed", "keep"]
