""""My cases" and the drafting wizard: seven steps that save as they go, the preview, finalising."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from deletion_portal.cases import forms as case_forms
from deletion_portal.cases.access import Need, case_get_for, cases_visible_to
from deletion_portal.cases.hooks import case_locks
from deletion_portal.cases.models import Case, CaseStatus
from deletion_portal.cases.selectors import (
    case_final_request_letter,
    days_left,
)
from deletion_portal.cases.services import (
    PLACE_FIELDS,
    case_create,
    case_holiday_region,
    case_missing_for_letter,
    case_update,
    letter_finalize,
    letter_pdf_bytes,
    letter_preview,
    validate_case_fields,
)
from deletion_portal.cases.taxonomy import BUNDLE_BY_CODE, BUNDLES, CATEGORIES, bundle_contents
from deletion_portal.cases.views.common import (
    FIELD_STEP,
    LAST_STEP,
    STEPS,
    case_regime,
    chosen_employer,
    employer_from_form,
    employer_search_context,
    language_choices,
    letter_web_preview,
    next_step,
    posted_data,
    step_url,
    wizard_context,
)
from deletion_portal.laws.registry import get_regime

# --- "My cases" ---------------------------------------------------------------------------------------


@login_required
def case_list(request):
    today = timezone.localdate()
    rows = []
    for case in cases_visible_to(request.user, need=Need.MANAGE):
        drafting = case.status == CaseStatus.DRAFT and not case.sent_outside_portal
        url = step_url(case, min(case.wizard_step, LAST_STEP)) if drafting else reverse("cases:detail", args=[case.pk])
        rows.append({"case": case, "url": url, "drafting": drafting, "days_left": days_left(case.next_date, today)})
    return render(request, "cases/list.html", {"rows": rows})



# --- The wizard ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    """Step 1 before the case exists: the first valid POST creates the draft.

    ``?employer=<id>`` (the directory's "Use this employer") continues the user's draft with that employer
    when there is one, else shows step 1 with it chosen; nothing is stored before the POST."""
    employer = chosen_employer(_int_or_none(request.GET.get("employer"))) if request.method == "GET" else None
    if employer is not None:
        draft = _draft_with_employer(request.user, employer)
        if draft is not None:
            messages.info(request, f"You already have a draft request to {employer.legal_name}: continue it here.")
            return redirect(step_url(draft, min(draft.wizard_step, LAST_STEP)))
    return _step_employer(request, None, preselected=employer)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _draft_with_employer(user, employer) -> Case | None:
    """The user's latest draft to ``employer`` whose letter is not final yet (None when there is none)."""
    drafts = (cases_visible_to(user, need=Need.MANAGE)
              .filter(employer=employer, status=CaseStatus.DRAFT, sent_outside_portal=False)
              .exclude(letters__is_final=True).order_by("-pk"))
    return drafts.first()


def _step_employer(request, case: Case | None, *, preselected=None):
    initial = case.employer_id if case else (preselected.pk if preselected else None)
    form = case_forms.EmployerForm(posted_data(request), initial={"employer": initial})
    if request.method == "POST" and form.is_valid():
        employer = employer_from_form(request, form)
        if employer is not None:
            try:
                if case is None:
                    case = case_create(owner=request.user, employer=employer, wizard_step=2)
                elif employer.pk == case.employer_id:
                    case = case_update(case=case, wizard_step=next_step(case, 1))
                else:
                    case = case_update(case=case, employer=employer, wizard_step=next_step(case, 1),
                                       **_places_for_new_employer(case, employer))
            except ValidationError as exc:
                case_forms.add_service_errors(form, exc)
            else:
                return redirect(step_url(case, 2))
    context = wizard_context(case, 1, form=form, **employer_search_context(request))
    context["selected"] = form["employer"].value() or (case.employer_id if case else None) or initial
    context["current_employer"] = chosen_employer(context["selected"]) or (case.employer if case else preselected)
    return render(request, "cases/step_1.html", context, status=400 if form.errors else 200)


def _places_for_new_employer(case: Case, employer) -> dict:
    """Another employer may be established elsewhere: its country, and the holiday region by the rule of
    step 2 (the work place when the employer is in the country of work, else the employer's country)."""
    fields = {"employer_country": employer.country}
    if case.work_country:
        same = employer.country == case.work_country
        region = (case.work_region or case.work_country) if same else employer.country
        places = {name: getattr(case, name) for name in PLACE_FIELDS} | fields
        fields["region"] = case_holiday_region(law_key=case.law_key, region=region, places=places)
    return _keep_locked_region(case, fields)


def _keep_locked_region(case: Case, fields: dict) -> dict:
    """A holiday region a campaign locked (``cases.hooks.register_case_locks``) stays what it is: the wizard
    does not recompute it from the places."""
    lock = case_locks(case=case).get("region")
    if lock is not None and "region" in fields and len(lock.allowed) == 1:
        fields["region"] = lock.allowed[0]
    return fields


def _step_places(request, case: Case):
    form = case_forms.PlacesForm(posted_data(request), initial=case_forms.places_initial(case))
    if request.method == "POST":
        showing = "show" in request.POST
        form.require_law = not showing
        if form.is_valid():
            fields = form.cleaned_places()
            law_key = form.cleaned_data.get("law_key", "")
            keys = [m.regime.key for m in form.cleaned_data["applicable"]]
            if showing:
                fields["law_key"] = case.law_key if case.law_key in keys else ""
            else:
                fields["law_key"] = law_key
                fields["region"] = case_holiday_region(law_key=law_key, region=fields["region"], places=fields)
                fields["wizard_step"] = next_step(case, 2)
                fields.update(_keep_rights_and_language(case, law_key))
            _keep_locked_region(case, fields)
            try:
                case_update(case=case, **fields)
            except ValidationError as exc:
                case_forms.add_service_errors(form, exc, {"law": "law_key"})
            else:
                return redirect(step_url(case, 2) if showing else step_url(case, 3))
    applicable = excluded = ()
    if form.is_bound and form.is_valid():
        applicable, excluded = form.cleaned_data["applicable"], form.cleaned_data["excluded"]
    elif form.is_bound and "applicable" in getattr(form, "cleaned_data", {}):
        applicable, excluded = form.cleaned_data["applicable"], form.cleaned_data["excluded"]
    elif not form.is_bound and (case.work_country or case.work_region):
        bound = case_forms.PlacesForm(case_forms.places_initial(case))
        bound.require_law = False
        if bound.is_valid():
            applicable, excluded = bound.cleaned_data["applicable"], bound.cleaned_data["excluded"]
    chosen = form["law_key"].value() or ""
    context = wizard_context(case, 2, form=form, applicable=applicable, excluded=excluded, chosen=chosen)
    return render(request, "cases/step_2.html", context, status=400 if form.errors else 200)


def _keep_rights_and_language(case: Case, law_key: str) -> dict:
    """When the law changes, keep only the rights and language the new law offers."""
    if law_key == case.law_key:
        return {}
    from deletion_portal.cases.letters import letter_languages

    regime = get_regime(law_key)
    available = {r.code for r in regime.rights}
    if case.bundle and case.bundle != "custom":
        from deletion_portal.cases.taxonomy import bundle_rights

        rights = bundle_rights(case.bundle, available, regime=regime)
    else:
        rights = [r for r in case.rights if r in available]
    language = case.language if case.language in letter_languages(law_key) else ""
    return {"rights": rights, "language": language}


def _step_rights(request, case: Case):
    regime = case_regime(case)
    if regime is None:
        messages.info(request, "First choose the law your request is made under.")
        return redirect(step_url(case, 2))
    initial = {"bundle": case.bundle, "rights": case.rights}
    form = case_forms.RightsForm(posted_data(request), regime=regime, initial=initial)
    if request.method == "POST" and form.is_valid():
        rights = form.cleaned_data["rights"]
        errors = validate_case_fields(law_key=case.law_key, rights=rights)
        if errors:
            case_forms.add_service_errors(form, ValidationError(errors), {"law": "bundle"})
        else:
            try:  # a campaign may have locked the rights (cases.hooks.register_case_locks)
                case_update(case=case, bundle=form.cleaned_data["bundle"], rights=rights, wizard_step=next_step(case, 3))
            except ValidationError as exc:
                case_forms.add_service_errors(form, exc, {"rights": "bundle"})
            else:
                if form.dropped:
                    messages.warning(request, _dropped_message(regime, form.dropped, rights))
                if form.unticked:
                    kept = ", ".join(regime.right(code).name for code in form.unticked)
                    messages.info(request, f"Still asked for, as part of “{BUNDLE_BY_CODE[form.cleaned_data['bundle']].label}”: "
                                           f"{kept}. To leave a right out, choose “Choose the rights myself”.")
                if form.added:
                    added = ", ".join(regime.right(code).name for code in form.added)
                    messages.info(request, f"Kept beside “{BUNDLE_BY_CODE[form.cleaned_data['bundle']].label}”: {added}. "
                                           "Your letter asks for these too.")
                return redirect(step_url(case, 4))
    bundles = []
    available = {r.code for r in regime.rights}
    for bundle in BUNDLES:
        contents = bundle_contents(bundle.code, regime)
        missing = [r for r in contents if r not in available]
        bundles.append({
            "bundle": bundle,
            "missing": missing,
            "missing_names": [case_forms.RIGHT_LABELS.get(code, code).lower() for code in missing],
            "kept_names": [regime.right(code).name.lower() for code in contents if code in available],
            # The regime's own list differs from the bundle's usual one (CCPA: know, delete, limit, opt out).
            "own_names": ([regime.right(code).name.lower() for code in contents if code in available]
                          if contents != bundle.rights else []),
        })
    dropped = []
    if case.bundle and case.bundle != "custom":
        dropped = [r for r in bundle_contents(case.bundle, regime) if r not in available]
    context = wizard_context(case, 3, form=form, regime=regime, bundles=bundles,
                              chosen_bundle=form["bundle"].value() or "",
                              chosen_rights=form["rights"].value() or [],
                              dropped_note=_dropped_message(regime, dropped, case.rights) if dropped else "")
    return render(request, "cases/step_3.html", context, status=400 if form.errors else 200)


def _dropped_message(regime, dropped: list[str], kept: list[str]) -> str:
    names = ", ".join(case_forms.RIGHT_LABELS.get(code, code).lower() for code in dropped)
    asked = ", ".join(regime.right(code).name for code in kept if regime.right(code)) or "nothing"
    return f"Not a right under {regime.short_name}: {names}. Your letter asks for what it gives you: {asked}."


def _step_categories(request, case: Case):
    form = case_forms.CategoriesForm(posted_data(request),
                                     initial={"categories": case.categories, "other_data": case.other_data})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case_update(case=case, categories=data["categories"], other_data=data["other_data"].strip(),
                        wizard_step=next_step(case, 4))
        except ValidationError as exc:
            case_forms.add_service_errors(form, exc)
        else:
            return redirect(step_url(case, 5))
    chosen = form["categories"].value() or []
    context = wizard_context(case, 4, form=form, categories=CATEGORIES, chosen=chosen)
    return render(request, "cases/step_4.html", context, status=400 if form.errors else 200)


DETAIL_FIELDS = ("requester_name", "requester_address", "requester_email", "employee_id", "job_title",
                 "employment_start", "employment_end", "identity_note", "employer_may_answer")


def _step_details(request, case: Case):
    initial = {f: getattr(case, f) for f in DETAIL_FIELDS}
    initial["employer_may_answer"] = "yes" if case.employer_may_answer else "no"
    form = case_forms.DetailsForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in DETAIL_FIELDS}
        for name in ("requester_name", "requester_address", "employee_id", "job_title", "identity_note"):
            fields[name] = fields[name].strip()
        try:
            case_update(case=case, wizard_step=next_step(case, 5), **fields)
        except ValidationError as exc:
            case_forms.add_service_errors(form, exc)
        else:
            warning = case_forms.work_email_warning(fields["requester_email"], case.employer)
            if warning:
                messages.warning(request, warning)
            return redirect(step_url(case, 6))
    email = form["requester_email"].value() or ""
    warning = case_forms.work_email_warning(email, case.employer)
    context = wizard_context(case, 5, form=form, email_warning=warning)
    return render(request, "cases/step_5.html", context, status=400 if form.errors else 200)


def _step_language(request, case: Case):
    from deletion_portal.cases.letters import default_language

    if case_regime(case) is None:
        messages.info(request, "First choose the law your request is made under.")
        return redirect(step_url(case, 2))
    choices = language_choices(case.law_key)
    offered = [code for code, _ in choices]
    preselected = case.language if case.language in offered else default_language(
        law_key=case.law_key,
        employer_language=case.employer.preferred_language if case.employer else "",
        employer_country=case.employer_country,
    )
    form = case_forms.LanguageForm(posted_data(request), languages=choices, initial={"language": preselected})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        errors = validate_case_fields(law_key=case.law_key, language=language)
        if errors:
            case_forms.add_service_errors(form, ValidationError(errors))
        else:
            try:  # a campaign may have locked the language
                case_update(case=case, language=language, wizard_step=next_step(case, 6))
            except ValidationError as exc:
                case_forms.add_service_errors(form, exc)
            else:
                return redirect(step_url(case, 7))
    context = wizard_context(case, 6, form=form, chosen=form["language"].value() or preselected)
    return render(request, "cases/step_6.html", context, status=400 if form.errors else 200)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    step: int


def _problems(case: Case) -> list[Problem]:
    found = dict(case_missing_for_letter(case))
    if case.law_key:
        for key, message in validate_case_fields(law_key=case.law_key, region=case.region, rights=case.rights,
                                                 categories=case.categories, language=case.language).items():
            found.setdefault(key, message)
    return [Problem(key, message, FIELD_STEP.get(key, 1)) for key, message in found.items()]


def _summary(case: Case) -> list[dict]:
    regime = case_regime(case)
    from deletion_portal.cases.letters import LANGUAGES
    from deletion_portal.cases.taxonomy import CATEGORY_BY_CODE

    def right_name(code):
        right = regime.right(code) if regime else None
        return right.name if right else code

    return [
        {"step": 1, "label": "Employer", "value": case.employer.legal_name if case.employer else ""},
        {"step": 2, "label": "Law", "value": f"{regime.name} · holidays of {case.region}" if regime else ""},
        {"step": 3, "label": "You ask for", "value": ", ".join(right_name(c) for c in case.rights)},
        {"step": 4, "label": "Data", "value": ", ".join(
            [CATEGORY_BY_CODE[c].label for c in case.categories if c in CATEGORY_BY_CODE]
            + ([case.other_data[:80] + ("…" if len(case.other_data) > 80 else "")] if case.other_data else []))},
        {"step": 5, "label": "Your details", "value": " · ".join(
            v for v in (case.requester_name, case.requester_email) if v)},
        {"step": 6, "label": "Language", "value": LANGUAGES.get(case.language, case.language)},
    ]


def _step_preview(request, case: Case, *, errors: list[str] | None = None, status: int = 200):
    problems = _problems(case)
    letter_html = ""
    if not problems:
        try:
            letter_html = letter_web_preview(letter_preview(case=case).html)  # rendered, never stored on a GET
        except ValidationError as exc:
            errors = (errors or []) + exc.messages
    context = wizard_context(case, 7, problems=problems, letter_html=letter_html, summary=_summary(case),
                              errors=errors or [])
    return render(request, "cases/step_7.html", context, status=status)


STEP_VIEWS = {2: _step_places, 3: _step_rights, 4: _step_categories, 5: _step_details, 6: _step_language}


@login_required
@require_http_methods(["GET", "POST"])
def case_step(request, pk, n: int):
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    if n not in STEPS:
        raise Http404("No such step.")
    if case.sent_outside_portal or case_final_request_letter(case) is not None:
        messages.info(request, "The letter is final; this case is tracked on its page.")
        return redirect("cases:detail", pk=case.pk)
    if n > case.wizard_step:
        return redirect(step_url(case, case.wizard_step))
    if n == 1:
        return _step_employer(request, case)
    if n == LAST_STEP:
        if request.method == "POST":
            return redirect(step_url(case, LAST_STEP))
        return _step_preview(request, case)
    return STEP_VIEWS[n](request, case)


@login_required
@require_POST
def case_finalize(request, pk):
    from deletion_portal.core.pdf import PdfRenderError

    case = case_get_for(request.user, pk, need=Need.MANAGE)
    try:
        letter_finalize(case=case, actor=request.user)
    except ValidationError as exc:
        return _step_preview(request, case, errors=exc.messages, status=400)
    except PdfRenderError as exc:
        return _step_preview(request, case, errors=[str(exc)], status=400)
    messages.success(request, "Your letter is final. Send it, then record what happens here.")
    return redirect("cases:detail", pk=case.pk)


@login_required
def case_preview_pdf(request, pk):
    from deletion_portal.core.pdf import PdfRenderError

    case = case_get_for(request.user, pk, need=Need.MANAGE)
    problems = _problems(case)
    if problems and case_final_request_letter(case) is None:
        messages.error(request, "Complete the missing details before the preview: " + " ".join(p.message for p in problems))
        return redirect(step_url(case, min(case.wizard_step, LAST_STEP)))
    try:
        pdf = letter_pdf_bytes(case=case, letter=letter_preview(case=case))  # in memory: a GET stores nothing
    except (ValidationError, PdfRenderError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect(step_url(case, min(case.wizard_step, LAST_STEP)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.reference}-preview.pdf"'
    return response


