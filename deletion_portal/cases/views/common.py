"""What the case views share: the wizard's steps and small request helpers."""

from __future__ import annotations

import re
from html import unescape

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import strip_tags

from deletion_portal.cases import forms as case_forms
from deletion_portal.cases.models import Case
from deletion_portal.employers.selectors import employer_get, employer_search
from deletion_portal.employers.services import employer_submit
from deletion_portal.laws.registry import UnknownRegime, get_regime

STEPS = {
    1: "Employer",
    2: "Law",
    3: "What to ask for",
    4: "Which data",
    5: "Your details",
    6: "Language",
    7: "Preview",
}
LAST_STEP = 7
# Which wizard step fixes a missing or invalid field (keys of case_missing_for_letter / validate_case_fields).
FIELD_STEP = {
    "employer": 1, "law_key": 2, "law": 2, "region": 2, "rights": 3, "categories": 4, "requester_name": 5,
    "requester_address": 5, "requester_email": 5, "language": 6,
}


def posted_data(request):
    """The POST data on a POST (even an empty one, so the form is bound and says what is missing)."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None


def step_url(case: Case, n: int) -> str:
    return reverse("cases:step", args=[case.pk, n])


def next_step(case: Case, n: int) -> int:
    return min(max(case.wizard_step, n + 1), LAST_STEP)


def case_regime(case: Case):
    try:
        return get_regime(case.law_key) if case.law_key else None
    except UnknownRegime:
        return None


def language_choices(law_key: str) -> list[tuple[str, str]]:
    from deletion_portal.cases.letters import LANGUAGES, letter_languages

    return [(code, LANGUAGES.get(code, code)) for code in letter_languages(law_key)]


def wizard_context(case: Case | None, n: int, **extra) -> dict:
    from deletion_portal.cases.hooks import case_locks

    locks = case_locks(case=case)
    return {"case": case, "step": n, "steps": STEPS, "last_step": LAST_STEP,
            "locks": sorted({lock.reason for lock in locks.values()}), "locked_fields": set(locks), **extra}


def employer_search_context(request) -> dict:
    query = request.GET.get("q", "")[:100]
    return {"query": query, "results": employer_search(query=query) if query.strip() else []}


def chosen_employer(pk):
    """The directory entry a (re-displayed) form had chosen, so the choice stays on the page."""
    return employer_get(pk=pk) if pk not in (None, "") else None


def employer_from_form(request, form: case_forms.EmployerForm):
    """The employer the form chose or added; None (with the errors on the form) when it cannot be."""
    data = form.cleaned_data
    if data["adding"]:
        try:
            return employer_submit(added_by=request.user, **form.new_employer_fields())
        except ValidationError as exc:
            case_forms.add_service_errors(form, exc)
            return None
    employer = employer_get(pk=data["employer"])
    if employer is None:
        form.add_error(None, "That employer is not in the directory any more; search again.")
    return employer


def letter_as_text(html: str) -> str:
    """The letter's words for the preview page: tags stripped, entities decoded (the template escapes
    the result again), blank runs collapsed."""
    text = unescape(strip_tags(re.sub(r"<br\s*/?>", "\n", html, flags=re.IGNORECASE)))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
