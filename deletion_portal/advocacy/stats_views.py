"""The public outcome statistics: an employer's scoreboard, the ranking, the method page, CSV/JSON downloads.

Thin views: the figures come from one release of the employer's precomputed leaves
(``stats_store.employer_release``: counted cases only, THE selector ``figures.cases_counted_in_statistics``),
what is shown from one report (``reports.outcomes_report``), so the page, the downloads and the API
(``stats_api``) can never show different figures. GETs only; nothing is written.
"""

from __future__ import annotations

import csv
import io
import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from deletion_portal.advocacy import charts, stats_store
from deletion_portal.advocacy.figures import DICTIONARY, min_cell
from deletion_portal.advocacy.reports import (
    CSV_COLUMNS,
    FilterError,
    Filters,
    csv_rows,
    law_name,
    outcomes_report,
    parse_filters,
    suppression_rule,
)
from deletion_portal.employers.selectors import employer_get


def employer_report(employer, filters: Filters) -> dict:
    release, refreshed = stats_store.employer_release(employer.pk)
    scope = {"employer": {"id": employer.pk, "name": employer.legal_name}}
    as_of = timezone.localtime(refreshed).date() if refreshed else timezone.localdate()
    return outcomes_report(release, filters, scope=scope, today=as_of)


def _employer_or_404(pk):
    employer = employer_get(pk=pk)
    if employer is None:
        raise Http404("No such employer in the directory.")
    return employer


def _series_chart(report: dict):
    series = report["series"]
    if not series:
        return None
    parts = [charts.Series(label, tuple(row["cells"][i]["count"] for row in series["rows"]))
             for i, label in enumerate(("Answered on time", "Answered late", "Not answered, date passed"))]
    words = "; ".join(
        f"{point}: {row['cells'][0]['count']} on time, {row['cells'][1]['count']} late, {row['cells'][2]['count']} not answered"
        for point, row in zip(series["points"], series["rows"], strict=True))
    return charts.stacked_bars(
        title=f"Answers by {series['level']} of receipt", chart_id="answers-over-time",
        description=f"Stacked bars, one per {series['level']}: {words}.",
        categories=series["points"], series=parts)


def _completeness_chart(report: dict):
    items = [t for t in report["tables"] if t["variable"].startswith("item:") and not t["suppressed"]]
    if not items:
        return None, []
    bars = [(t["label"], t["cells"][0]["share"]) for t in items]
    words = "; ".join(f"{label}: {value}%" for label, value in bars)
    return charts.horizontal_bars(title="Share of answers that addressed each item", chart_id="completeness",
                                  description=f"Horizontal bars, one per item of the request: {words}.",
                                  bars=bars), items


@require_GET
def employer_outcomes(request, pk: int):
    employer = _employer_or_404(pk)
    try:
        filters = parse_filters(request.GET)
    except FilterError as error:
        return render(request, "advocacy/stats/filter_error.html", {"error": error, "employer": employer}, status=400)
    report = employer_report(employer, filters)
    completeness_chart, completeness = _completeness_chart(report)
    tables = {t["variable"]: t for t in report["tables"]}
    other = [t for t in report["tables"] if t["variable"] != "status" and not t["variable"].startswith("item:")]
    return render(request, "advocacy/stats/employer_outcomes.html", {
        "employer": employer, "report": report, "status": tables["status"], "other_tables": other,
        "series_chart": _series_chart(report), "completeness_chart": completeness_chart,
        "completeness": completeness, "law_name": law_name(filters.law) if filters.law else "",
        "query": request.GET.urlencode(),
    })


def _download_name(employer, filters: Filters, ext: str) -> str:
    parts = [f"employer-{employer.pk}-outcomes"]
    if filters.law:
        parts.append(filters.law)
    if filters.period:
        parts.append(filters.period)
    return "-".join(parts) + f".{ext}"


@require_GET
def employer_outcomes_csv(request, pk: int):
    employer = _employer_or_404(pk)
    try:
        filters = parse_filters(request.GET)
    except FilterError as error:
        return HttpResponse(f"{error.field}: {error.message}\n", status=400, content_type="text/plain; charset=utf-8")
    report = employer_report(employer, filters)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(report):
        writer.writerow(["" if value is None else value for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(employer, filters, "csv")}"'
    return response


@require_GET
def employer_outcomes_json(request, pk: int):
    employer = _employer_or_404(pk)
    try:
        filters = parse_filters(request.GET)
    except FilterError as error:
        return JsonResponse({error.field: [error.message]}, status=400)
    response = HttpResponse(json.dumps(employer_report(employer, filters), indent=1),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(employer, filters, "json")}"'
    return response


@require_GET
def outcomes_ranking(request):
    rows = stats_store.ranking()
    return render(request, "advocacy/stats/ranking.html", {"rows": rows, "rule": suppression_rule(min_cell()),
                                                           "k": min_cell()})


@require_GET
def method(request):
    return render(request, "advocacy/stats/method.html", {"rule": suppression_rule(min_cell()), "k": min_cell(),
                                                          "dictionary": DICTIONARY})
