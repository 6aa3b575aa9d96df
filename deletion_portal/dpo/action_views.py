"""The employer's action pages: ``/employer/cases/<pk>/actions/<action>`` (a form with the law's rule and
citation; a GET never writes, a POST acts and goes back to the case) and bulk acknowledge from the inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from deletion_portal.cases.access import Need, case_get_for
from deletion_portal.cases.selectors import case_deadlines
from deletion_portal.dpo.action_forms import ACTION_FORMS, BulkAcknowledgeForm
from deletion_portal.dpo.actions import (
    ACTION_LABELS,
    ActionRefused,
    case_act,
    case_clarification_pauses,
    case_law,
    case_offered_actions,
    cases_bulk_acknowledge,
)
from deletion_portal.employers.models import TeamMembership


def _case_url(case, action: str) -> str:
    return reverse("dpo:case", args=[case.pk])


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request, pk, action):
    case = case_get_for(request.user, pk, need=Need.RESPOND)
    law = case_law(case)
    if action not in ACTION_FORMS or law is None or action not in law.actions.actions:
        raise Http404("The case's law does not know this action.")
    form_class = ACTION_FORMS[action]
    form = form_class(request.POST or None, law=law)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case_act(case=case, user=request.user, action=action, on=form.cleaned_data["date"], **form.service_fields())
            except ActionRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.messages)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"{ACTION_LABELS[action]}: recorded; the employee has been told.")
                return redirect(_case_url(case, action))
        status = 400
    context = {
        "case": case, "action": action, "action_label": ACTION_LABELS[action], "form": form, "law": law,
        "regime": law.regime, "offered": action in case_offered_actions(case=case), "deadlines": case_deadlines(case),
        "clarification_pauses": case_clarification_pauses(case=case), "back_url": _case_url(case, action),
    }
    return render(request, "dpo/case_action.html", context, status=status)


@login_required
@require_POST
def bulk_acknowledge(request):
    if not TeamMembership.objects.filter(user=request.user, verified_at__isnull=False).exists():
        raise Http404("No employer team.")
    form = BulkAcknowledgeForm(request.POST)
    back = request.POST.get("next", "")
    back = back if back.startswith("/employer/") else reverse("dpo:inbox")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    result = cases_bulk_acknowledge(user=request.user, case_ids=form.cleaned_data["case"], on=form.cleaned_data["date"])
    parts = [f"{len(result.acknowledged)} acknowledged"]
    if result.already:
        parts.append(f"{len(result.already)} already acknowledged ({', '.join(result.already)})")
    if result.not_found:
        parts.append(f"{result.not_found} not found or not yours to act on")
    messages.success(request, "; ".join(parts) + ".")
    for line in result.refused:
        messages.error(request, line)
    return redirect(back)
