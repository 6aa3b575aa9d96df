"""The employer side's pages: the inbox (with the dashboard and the CSV export), the DPO's case page (its
notes and assignment), and recording a request that arrived elsewhere. Thin: parse, call a selector or a
service, render. The case page's GET writes ONE row on purpose: the access log the employee sees."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from deletion_portal.cases.access import Need
from deletion_portal.cases.forms import RIGHT_LABELS, add_service_errors
from deletion_portal.cases.taxonomy import CATEGORY_BY_CODE
from deletion_portal.cases.uploads import download_name
from deletion_portal.cases.views.common import case_regime
from deletion_portal.dpo import forms as dpo_forms
from deletion_portal.dpo.answer_views import answer_page_context
from deletion_portal.dpo.decorators import team_member_required
from deletion_portal.dpo.selectors import (
    SORTS,
    STATUS_FILTERS,
    InboxFilters,
    case_page_for_team,
    inbox_cases,
    inbox_filters_parse,
    inbox_rows,
    member_teams,
    recording_team_for,
    recording_teams,
    respond_employer_ids,
    team_case_get,
    team_dashboard,
)
from deletion_portal.dpo.services import case_access_record, case_assign, case_record_received_elsewhere, team_note_add
from deletion_portal.employers.models import TeamMembership, TeamRole
from deletion_portal.laws.registry import all_regimes

PAGE_SIZE = 50
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filters(request) -> tuple[InboxFilters, dict]:
    try:
        return inbox_filters_parse(request.GET), {}
    except ValidationError as error:
        return InboxFilters(), error.message_dict


@team_member_required
def inbox(request):
    today = timezone.localdate()
    filters, errors = _filters(request)
    cases = inbox_cases(user=request.user, filters=filters, today=today)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = inbox_rows(page.object_list, today=today, respond_employers=respond_employer_ids(request.user))
    query = urlencode(filters.as_query())
    return render(request, "dpo/inbox.html", {
        "rows": rows, "page": page, "filters": filters, "errors": errors, "query": query,
        "dashboard": team_dashboard(user=request.user, today=today), "teams": list(member_teams(request.user)),
        "status_choices": STATUS_FILTERS, "sort_choices": SORTS.items(), "right_choices": RIGHT_LABELS.items(),
        "law_choices": [(r.key, r.short_name) for r in all_regimes()],
        "can_record": TeamMembership.objects.filter(user=request.user, verified_at__isnull=False,
                                                    role__in=(TeamRole.ADMIN, TeamRole.RESPONDER)).exists(),
    })


def csv_safe(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection): a leading = + - @ (or a tab
    or carriage return) gets a ' in front."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


@team_member_required
def inbox_csv(request):
    today = timezone.localdate()
    filters, errors = _filters(request)
    if errors:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), status=400,
                            content_type="text/plain; charset=utf-8")
    rows = inbox_rows(inbox_cases(user=request.user, filters=filters, today=today), today=today,
                      respond_employers=set())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inbox-{today.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "employer", "law", "rights", "received_on", "respond_by", "days_left", "overdue",
                     "status", "assignee", "requester_name"])
    for row in rows:
        case = row.case
        writer.writerow([csv_safe(v) for v in (
            case.reference, case.employer.legal_name if case.employer else "", case.law_key, " ".join(case.rights),
            case.received_on.isoformat() if case.received_on else "", case.respond_by.isoformat() if case.respond_by else "",
            "" if row.days_left is None else row.days_left, "yes" if row.overdue else "no", case.status,
            (row.assignee.display_name or row.assignee.email) if row.assignee else "", case.requester_name)])
    return response


# --- One case ---------------------------------------------------------------------------------------------


def case_page_render(request, case, *, status=200, extra: dict | None = None):
    """The DPO's case page with ``extra`` context (the answer section being corrected, ``dpo.answer_views``)."""
    return _case_page(request, case, status=status, extra=extra)


def _case_page(request, case, *, note_form=None, assign_form=None, status=200, extra: dict | None = None):
    context = case_page_for_team(case=case, user=request.user)
    context.update(extra if extra is not None else answer_page_context(case=case, user=request.user))
    can_respond = case.access.allows(Need.RESPOND)
    return render(request, "dpo/case.html", {
        **context, "case": case, "regime": case_regime(case), "can_respond": can_respond,
        "rights": [RIGHT_LABELS.get(code, code) for code in case.rights],
        "categories": [CATEGORY_BY_CODE[code].label if code in CATEGORY_BY_CODE else code for code in case.categories],
        "note_form": note_form or dpo_forms.NoteForm(),
        "assign_form": assign_form or dpo_forms.AssignForm(
            members=context["members"],
            initial={"assignee": context["assignment"].assignee_id if context["assignment"] else None}),
        "today": timezone.localdate(),
    }, status=status)


@team_member_required
def case_page(request, pk):
    case = team_case_get(request.user, pk, need=Need.VIEW)
    case_access_record(case=case, user=request.user, team=case.access.via, what="case page")
    return _case_page(request, case)


@team_member_required
def case_attachment(request, pk, att_pk):
    """A file the requester shared with the employer's team (``Attachment.shared_with_employer``); an unshared
    one is a 404, like another team's case. Each download is a row of the case's access log ("attachment"),
    the one write this GET makes (the employee sees it)."""
    case = team_case_get(request.user, pk, need=Need.VIEW)
    attachment = case.attachments.filter(pk=att_pk, shared_with_employer=True).first()
    if attachment is None or not attachment.file:
        raise Http404("No such file.")
    case_access_record(case=case, user=request.user, team=case.access.via, what="attachment")
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True,
                            filename=download_name(original_name=attachment.original_name,
                                                   stored_name=attachment.file.name, prefix=case.reference))
    response["Cache-Control"] = "no-store"
    return response


@team_member_required
@require_POST
def case_note(request, pk):
    case = team_case_get(request.user, pk, need=Need.VIEW)
    form = dpo_forms.NoteForm(request.POST)
    if form.is_valid():
        try:
            team_note_add(case=case, team=case.access.via, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Note added (visible to your team only).")
            return redirect("dpo:case", pk=case.pk)
    return _case_page(request, case, note_form=form, status=400)


@team_member_required
@require_POST
def case_assign_view(request, pk):
    case = team_case_get(request.user, pk, need=Need.RESPOND)
    members = list(TeamMembership.objects.filter(team=case.access.via, verified_at__isnull=False).select_related("user"))
    form = dpo_forms.AssignForm(request.POST, members=members)
    if form.is_valid():
        chosen = form.cleaned_data["assignee"]
        assignee = next((m.user for m in members if m.user_id == chosen), None) if chosen else None
        try:
            case_assign(case=case, team=case.access.via, assignee=assignee)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Assigned." if assignee else "The case is now unassigned.")
            return redirect("dpo:case", pk=case.pk)
    return _case_page(request, case, assign_form=form, status=400)


# --- A request that arrived elsewhere --------------------------------------------------------------------------


@team_member_required
def case_new(request):
    teams = recording_teams(request.user)
    if not teams:
        raise Http404("No such page.")
    employers = [e for team in teams for e in team.employers.all()]
    form = dpo_forms.RecordRequestForm(request.POST or None, employers=employers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team, employer = recording_team_for(teams, int(data["employer"]))
        try:
            case = case_record_received_elsewhere(
                team=team, actor=request.user, employer=employer, requester_name=data["requester_name"],
                requester_address=data["requester_address"], requester_email=data["requester_email"],
                rights=data["rights"], law_key=data["law_key"], region=data["region"],
                received_on=data["received_on"], channel=data["channel"])
        except ValidationError as error:
            add_service_errors(form, error, {"law": "law_key", "date": "received_on"})
        else:
            messages.success(request, f"Recorded as {case.reference}; its deadlines run from {data['received_on']:%d %B %Y}.")
            return redirect("dpo:case", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "dpo/case_new.html", {"form": form}, status=status)
