from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from deletion_portal.laws.forms import CalculatorForm
from deletion_portal.laws.ics import deadlines_calendar
from deletion_portal.laws.registry import UnknownRegime, all_regimes, get_regime
from deletion_portal.laws.selectors import calculator_results


def _bound_form(request) -> CalculatorForm | None:
    return CalculatorForm(request.GET) if request.GET else None


def _results(form: CalculatorForm):
    places = form.cleaned_places()
    return calculator_results(received=form.cleaned_data["received"], **places)


@require_GET
def calculator(request):
    form = _bound_form(request)
    result = _results(form) if form is not None and form.is_valid() else None
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "laws/calculator.html",
        {"form": form or CalculatorForm(), "result": result, "query": request.GET.urlencode()},
        status=status,
    )


@require_GET
def calculator_ics(request):
    form = _bound_form(request)
    if form is None or not form.is_valid():
        return render(request, "laws/calculator.html", {"form": form or CalculatorForm(), "result": None}, status=400)
    result = _results(form)
    body = deadlines_calendar([(item.regime, item.deadlines) for item in result.applicable])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="deadlines-{result.received.isoformat()}.ics"'
    return response


@require_GET
def law_list(request):
    return render(request, "laws/law_list.html", {"regimes": all_regimes()})


@require_GET
def law_detail(request, key: str):
    try:
        regime = get_regime(key)
    except UnknownRegime:
        raise Http404("No such law record.") from None
    return render(request, "laws/law_detail.html", {"regime": regime})
