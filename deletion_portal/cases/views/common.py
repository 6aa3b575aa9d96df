"""What the case views share: the wizard's steps and small request helpers."""

from __future__ import annotations

from django.urls import reverse

from deletion_portal.cases.models import Case
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


def _posted(request):
    """The POST data on a POST (even an empty one, so the form is bound and says what is missing)."""
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


def _step_url(case: Case, n: int) -> str:
    return reverse("cases:step", args=[case.pk, n])


def _next_step(case: Case, n: int) -> int:
    return min(max(case.wizard_step, n + 1), LAST_STEP)


def _regime(case: Case):
    try:
        return get_regime(case.law_key) if case.law_key else None
    except UnknownRegime:
        return None


def _language_choices(law_key: str) -> list[tuple[str, str]]:
    from deletion_portal.cases.letters import LANGUAGES, letter_languages

    return [(code, LANGUAGES.get(code, code)) for code in letter_languages(law_key)]


def _wizard_context(case: Case | None, n: int, **extra) -> dict:
    return {"case": case, "step": n, "steps": STEPS, "last_step": LAST_STEP, **extra}


