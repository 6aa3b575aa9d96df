""""Track a request sent elsewhere": a case for a request the person already sent another way."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from deletion_portal.cases import forms as case_forms
from deletion_portal.cases.models import Case, EventKind
from deletion_portal.cases.services import (
    case_create,
    case_holiday_region,
    case_record_event,
    validate_case_fields,
)
from deletion_portal.cases.views.common import (
    LAST_STEP,
    chosen_employer,
    employer_from_form,
    employer_search_context,
    posted_data,
    posted_files,
)

# --- Track a request sent elsewhere -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_track(request):
    employer_form = case_forms.EmployerForm(posted_data(request), prefix="employer")
    form = case_forms.TrackForm(posted_data(request), posted_files(request))
    if request.method == "POST":
        employer_ok, track_ok = employer_form.is_valid(), form.is_valid()
        if employer_ok and track_ok:
            data = form.cleaned_data
            errors = validate_case_fields(law_key=data["law_key"], rights=data["rights"])
            if errors:
                case_forms.add_service_errors(form, ValidationError(errors), form.field_map)
            else:
                case = _track_create(request, employer_form, form)
                if case is not None:
                    messages.success(request, "Your request is tracked: its dates are below.")
                    return redirect("cases:detail", pk=case.pk)
    selected = employer_form["employer"].value()
    context = {"employer_form": employer_form, "form": form, **employer_search_context(request),
               "selected": selected, "current_employer": chosen_employer(selected),
               "chosen_channel": form["channel"].value() or "",
               "chosen_rights": form["rights"].value() or []}
    bad = employer_form.errors or form.errors
    return render(request, "cases/track.html", context, status=400 if bad else 200)


def _track_create(request, employer_form, form) -> Case | None:
    data = form.cleaned_data
    try:
        with transaction.atomic():
            employer = employer_from_form(request, employer_form)
            if employer is None:
                raise _Abort
            places = form.cleaned_places()
            places["region"] = case_holiday_region(law_key=data["law_key"], region=places["region"], places=places)
            case = case_create(owner=request.user, employer=employer, sent_outside_portal=True,
                               law_key=data["law_key"], rights=data["rights"], bundle="custom",
                               wizard_step=LAST_STEP, **places)
            case_record_event(case=case, kind=EventKind.SENT, on=data["sent_on"], actor=request.user,
                              details={"channel": data["channel"]}, upload=data.get("upload"),
                              upload_name=form.upload_name())
    except _Abort:
        return None
    except ValidationError as exc:
        case_forms.add_service_errors(form, exc, form.field_map)
        return None
    return case


class _Abort(Exception):
    """Roll back the transaction: the errors are already on the form."""
