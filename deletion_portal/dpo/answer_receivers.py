"""How the structured answer plugs into the apps below (connected in ``DpoConfig.ready``):

* the employee's case page shows each sent answer item by item (``dpo/case_answer.html`` in the
  ``after_dates`` slot), gaps highlighted, artefacts in plain language, accept / dispute buttons — in the
  interface language;
* the employee's ``GET /api/v1/cases/<id>`` carries ``response`` (the latest sent answer) and ``responses``
  (English, like the rest of the API);
* the owner's data export carries each case's sent answers (``employer_answers``);
* ``bench letters`` renders a response letter beside the request letter (``dpo.answer_bench``).
"""

from __future__ import annotations

from deletion_portal.cases.hooks import (
    register_case_api_section,
    register_case_export,
    register_case_page_context,
    register_letter_bench,
)
from deletion_portal.dpo.answers import answer_law, response_view, responses_sent, view_language
from deletion_portal.dpo.models import EmployerResponse, ResponseStatus


def _views(case, language: str = "en") -> tuple[list, list[dict]]:
    responses = responses_sent(case)
    if not responses:
        return [], []
    law = answer_law(case, language)
    return responses, [response_view(case=case, response=r, law=law, language=language) for r in responses]


def case_page_answers(*, case, today) -> dict:
    # In the interface language: the law's words where its record has them, the portal's from the catalogues.
    responses, views = _views(case, view_language())
    ticked: list[str] = []
    if responses and responses[-1].event is not None:
        # The employee's checklist as it stands (tracking's rows, read through the event's reverse relation):
        # the dispute button posts it unchanged, so an override the employee made is kept.
        ticked = list(responses[-1].event.checklist.filter(answered=True).values_list("code", flat=True))
    return {"employer_answers": views, "employer_answer_ticked": ticked, "answer_today": today}


def case_api_response(*, case) -> dict:
    _responses, views = _views(case)
    return {"response": views[-1] if views else None, "responses": views}


def case_export_answers(*, cases) -> dict:
    """Each case's sent answers for the owner's data export (one query for all cases, one for their files)."""
    by_case: dict[int, list] = {case.pk: [] for case in cases}
    cases_by_pk = {case.pk: case for case in cases}
    responses = (EmployerResponse.objects.filter(case__in=list(cases_by_pk), status=ResponseStatus.SENT)
                 .select_related("letter", "team").prefetch_related("files__attachment").order_by("sent_at", "id"))
    laws: dict[str, object] = {}
    for response in responses:
        case = cases_by_pk[response.case_id]
        if case.law_key not in laws:
            laws[case.law_key] = answer_law(case)
        by_case[case.pk].append(response_view(case=case, response=response, law=laws[case.law_key]))
    return {pk: {"employer_answers": views} for pk, views in by_case.items() if views}


def connect() -> None:
    from deletion_portal.dpo.answer_bench import bench_response_letter

    register_case_page_context(case_page_answers, panels={"after_dates": ["dpo/case_answer.html"]})
    register_case_api_section(case_api_response)
    register_case_export(case_export_answers)
    register_letter_bench(bench_response_letter)
