"""The public outcome statistics: an employer's scoreboard, the ranking, the method page, CSV/JSON/PDF downloads;
a campaign's dashboard and its downloads.

Thin views: the figures come from one release of the employer's precomputed leaves
(``stats_store.employer_release``: counted cases only, THE selector ``figures.cases_counted_in_statistics``),
what is shown from one report (``reports.outcomes_report``), so the page, the downloads and the API
(``stats_api``) can never show different figures. Every format of a scope (page, CSV, JSON, PDF) is served by
one helper, :func:`respond`, from a :class:`Scope`; the public ones to anonymous visitors with a strong ETag and
``Cache-Control: public`` (:func:`employer_public`). GETs only; nothing is written.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from deletion_portal.advocacy import charts, figures, stats_pdf, stats_store
from deletion_portal.advocacy.disclosure import build_release
from deletion_portal.advocacy.figures import min_cell
from deletion_portal.advocacy.reports import (
    CSV_COLUMNS,
    FilterError,
    Filters,
    acknowledgement_laws,
    csv_rows,
    dictionary,
    law_name,
    outcomes_report,
    parse_filters,
    row_data,
    suppression_rule,
)
from deletion_portal.advocacy.selectors import campaign_get_for
from deletion_portal.core.pdf import PdfRenderError
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
             for i, label in enumerate((gettext("Answered on time"), gettext("Answered late"),
                                        gettext("Not answered, date passed")))]
    words = "; ".join(
        gettext("%(point)s: %(on_time)s on time, %(late)s late, %(none)s not answered")
        % {"point": point, "on_time": row["cells"][0]["count"], "late": row["cells"][1]["count"],
           "none": row["cells"][2]["count"]}
        for point, row in zip(series["points"], series["rows"], strict=True))
    by_month = series["level"] == "month"
    return charts.stacked_bars(
        title=gettext("Answers by month of receipt") if by_month else gettext("Answers by year of receipt"),
        chart_id="answers-over-time",
        description=(gettext("Stacked bars, one per month: %(words)s.") if by_month
                     else gettext("Stacked bars, one per year: %(words)s.")) % {"words": words},
        categories=series["points"], series=parts)


def _completeness_chart(report: dict):
    items = [t for t in report["tables"] if t["variable"].startswith("item:") and not t["suppressed"]]
    if not items:
        return None, []
    bars = [(t["label"], t["cells"][0]["share"]) for t in items]
    words = "; ".join(f"{label}: {charts.number(value)}%" for label, value in bars)
    return charts.horizontal_bars(title=gettext("Share of answers that addressed each item"), chart_id="completeness",
                                  description=gettext("Horizontal bars, one per item of the request: %(words)s.")
                                  % {"words": words}, bars=bars), items


def _artefact_chart(report: dict):
    """The ML artefacts' outcomes (``artefact:<outcome>``, from dpo's statistics source): published rows only."""
    rows = [t for t in report["tables"] if t["variable"].startswith("artefact:")]
    shown = [t for t in rows if not t["suppressed"]]
    if not shown:
        return None, rows
    # the outcome alone: the label after "ML artefacts: " (in the reader's language, dpo's labeller)
    bars = [(t["label"].split(": ", 1)[-1], t["cells"][0]["share"]) for t in shown]
    words = "; ".join(f"{label}: {charts.number(value)}%" for label, value in bars)
    return charts.horizontal_bars(title=gettext("Answers naming an ML artefact with each outcome"), chart_id="artefacts",
                                  description=gettext("Horizontal bars, one per outcome, share of the answers that "
                                                      "list ML artefacts: %(words)s.") % {"words": words},
                                  bars=bars), rows


def report_sections(report: dict) -> dict:
    """What both the public scoreboard and the campaign dashboard show of a report."""
    completeness_chart, completeness = _completeness_chart(report)
    artefact_chart, artefacts = _artefact_chart(report)
    tables = {t["variable"]: t for t in report["tables"]}
    other = [t for t in report["tables"] if t["variable"] not in ("status", "ack_status")
             and not t["variable"].startswith(("item:", "artefact:", "artefact_retained:"))]
    other += [t for t in report["tables"] if t["variable"].startswith("artefact_retained:")]
    return {"report": report, "status": tables["status"], "ack_status": tables.get("ack_status"), "other_tables": other,
            "series_chart": _series_chart(report), "completeness_chart": completeness_chart, "completeness": completeness,
            "artefact_chart": artefact_chart, "artefacts": artefacts, "acknowledgement_laws": acknowledgement_laws(),
            "computed_on": date.fromisoformat(report["computed_on"])}  # a date, for the templates' localised |date


@dataclass(frozen=True)
class Scope:
    """One report's scope as the views serve it (an employer's public scoreboard, a campaign's dashboard): every
    format — page, CSV, JSON, PDF — is the same report of the same release, through :func:`respond`."""

    context: dict  # {"employer": …} or {"campaign": …}, for the templates
    report: Callable[[Filters], dict]
    page: str  # the HTML template
    page_url: str
    csv_rows: Callable[[dict], Iterable]
    filename: Callable[[Filters, str], str]
    heading: str
    footer: Callable[[dict], str]


def respond(request, scope: Scope, fmt: str):
    """The page (``html``) or a download (``csv``, ``json``, ``pdf``) of ``scope`` for the request's filters; a bad
    filter is a 400 naming the field, in the format asked for."""
    try:
        filters = parse_filters(request.GET)
    except FilterError as error:
        if fmt == "html":
            return render(request, "advocacy/stats/filter_error.html", {"error": error, **scope.context}, status=400)
        if fmt == "json":
            return JsonResponse({error.field: [error.message]}, status=400)
        return HttpResponse(f"{error.field}: {error.message}\n", status=400, content_type="text/plain; charset=utf-8")
    report = scope.report(filters)
    if fmt == "json":
        return _attachment(HttpResponse(json.dumps(report, indent=1), content_type="application/json; charset=utf-8"),
                           scope.filename(filters, "json"))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in scope.csv_rows(report):
            writer.writerow(["" if value is None else value for value in row])
        return _attachment(HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8"),
                           scope.filename(filters, "csv"))
    context = {**scope.context, **report_sections(report), "law_name": law_name(filters.law) if filters.law else ""}
    if fmt == "html":
        return render(request, scope.page, {**context, "query": request.GET.urlencode()})
    try:
        pdf = stats_pdf.report_pdf(context, heading=scope.heading, footer=scope.footer(report))
    except PdfRenderError as exc:  # refused or failed: back to the page, with the reason
        messages.error(request, str(exc))
        return redirect(scope.page_url + (f"?{request.GET.urlencode()}" if request.GET else ""))
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), scope.filename(filters, "pdf"))


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _download_name(employer, filters: Filters, ext: str) -> str:
    parts = [f"employer-{employer.pk}-outcomes"]
    if filters.law:
        parts.append(filters.law)
    if filters.period:
        parts.append(filters.period)
    return "-".join(parts) + f".{ext}"


def employer_scope(employer) -> Scope:
    return Scope(
        context={"employer": employer}, report=lambda filters: employer_report(employer, filters),
        page="advocacy/stats/employer_outcomes.html", page_url=reverse("stats:employer-outcomes", args=[employer.pk]),
        csv_rows=csv_rows, filename=lambda filters, ext: _download_name(employer, filters, ext),
        heading=gettext("Outcomes of requests to %(employer)s") % {"employer": employer.legal_name},
        footer=lambda report: gettext("Employer %(id)s · outcome statistics as of %(date)s · page {page} of {pages}")
        % {"id": employer.pk, "date": report["computed_on"]})


# --- Conditional GETs of the public scoreboard ---------------------------------------------------------------
# An anonymous visitor's page or download of an employer is a function of: the employer's leaves (their stamp,
# which every refresh or forget of the employer changes), its name, the query string, the language, k, the date
# and the code (templates, translations, rules). The ETag is a hash of exactly these, read BEFORE anything is
# built (one query: the stamp), so a repeated request is a 304 without building the release or the PDF, and a
# shared cache (the shipped nginx) may keep the answer for one refresh interval. Nothing is written.


@functools.cache
def code_digest() -> str:
    """A hash of the code a public page is built from (Python, templates, translations, law data), once per
    process: a deployment that changes any of it changes every ETag."""
    digest = hashlib.sha256()
    for root in ("deletion_portal", "templates", "locale"):
        for path in sorted((settings.BASE_DIR / root).rglob("*")):
            if path.suffix in (".py", ".html", ".mo", ".json", ".txt") and path.is_file():
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def public_etag(request, employer, fmt: str) -> str:
    stamp = stats_store.leaf_stamps([employer.pk]).get(employer.pk)
    parts = [code_digest(), fmt, employer.pk, employer.legal_name, stamp, sorted(request.GET.lists()),
             translation.get_language(), min_cell(), timezone.localdate().isoformat()]
    return f'"{hashlib.sha256(repr(parts).encode()).hexdigest()[:40]}"'


def shared_alike(request) -> bool:
    """An answer that is the same for everybody asking with the same URL and language: anonymous, and no message
    waiting to be shown (a failed PDF goes back to the page with one)."""
    return not request.user.is_authenticated and CookieStorage.cookie_name not in request.COOKIES


def _cacheable(response, etag: str) -> None:
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.STATS_REFRESH_SECONDS)


def employer_public(request, pk: int, fmt: str):
    """The scoreboard in ``fmt``: for an anonymous visitor with a strong ETag, ``Cache-Control: public,
    max-age=<refresh interval>`` and a 304 to a matching ``If-None-Match`` before anything is built."""
    employer = _employer_or_404(pk)
    if not shared_alike(request):
        return respond(request, employer_scope(employer), fmt)  # a signed-in user: private, no-store (core)
    etag = public_etag(request, employer, fmt)
    unchanged = get_conditional_response(request, etag=etag)
    if unchanged is not None:  # 304 (or 412 to a failed If-Match)
        _cacheable(unchanged, etag)
        return unchanged
    response = respond(request, employer_scope(employer), fmt)
    if response.status_code == 200:
        _cacheable(response, etag)
    return response


@require_GET
def employer_outcomes(request, pk: int):
    return employer_public(request, pk, "html")


@require_GET
def employer_outcomes_csv(request, pk: int):
    return employer_public(request, pk, "csv")


@require_GET
def employer_outcomes_json(request, pk: int):
    return employer_public(request, pk, "json")


@require_GET
def employer_outcomes_pdf(request, pk: int):
    return employer_public(request, pk, "pdf")


@require_GET
def outcomes_ranking(request):
    rows = stats_store.ranking()
    return render(request, "advocacy/stats/ranking.html", {"rows": rows, "rule": suppression_rule(min_cell()),
                                                           "k": min_cell()})


@require_GET
def method(request):
    return render(request, "advocacy/stats/method.html", {"rule": suppression_rule(min_cell()), "k": min_cell(),
                                                          "dictionary": dictionary(),
                                                          "acknowledgement_laws": acknowledgement_laws()})


# --- A campaign's own dashboard (the organisation's members) --------------------------------------------

#: The campaign dashboard's tree: the campaign, each employer it targets, then law → year → month received.
#: The per-employer table is a level of the SAME tree, so the differencing rule covers "the campaign" against
#: "one employer" as it covers "all laws" against "one law".
CAMPAIGN_LEVELS = stats_store.CAMPAIGN_LEVELS


def campaign_release(campaign, *, today):
    """A PUBLISHING campaign: the release consistent with the public pages (``stats_store.campaign_release``,
    disclosure rule 7). A non-publishing one: its own release over its members that are in no public figure and
    not counted in an earlier-joined non-publishing campaign of its organisation (``figures.private_campaign_cases``),
    so it, the organisation's other dashboards and the public pages count disjoint people — from the leaves the
    refresh precomputed (``stats_store.private_campaign_release``), or counted live before its first refresh."""
    if campaign.publish_statistics:
        return stats_store.campaign_release(campaign.pk)[0]
    stored = stats_store.private_campaign_release(campaign.pk)  # precomputed by the refresh
    if stored is not None:
        return stored[0]
    return private_release_live(campaign, today=today)


def private_release_live(campaign, *, today):
    """A non-publishing campaign's release counted from its cases (before its first refresh; ``bench stats``
    compares it with the precomputed one)."""
    counts = figures.outcome_counts(figures.private_campaign_cases(campaign_id=campaign.pk), today=today,
                                    by_employer=True)
    leaves = {(str(campaign.pk), str(employer_id or ""), *rest): leaf
              for (employer_id, *rest), leaf in counts.leaves.items()}
    return build_release(leaves=leaves, levels=CAMPAIGN_LEVELS, variables=counts.variables, k=min_cell(),
                         answer_variable="status")


def campaign_report(campaign, filters: Filters, *, today=None) -> dict:
    """The campaign's figures: its live members with a live statistics consent, each counted in one of the
    organisation's dashboards (``campaign_release``; publishing not needed: the organisation's members see their
    own campaign), under the same disclosure rules as the public pages."""
    today = today or timezone.localdate()
    release = campaign_release(campaign, today=today)
    report = outcomes_report(release, filters, scope={"campaign": {"id": campaign.pk, "title": campaign.title}},
                             today=today)
    employer_ids = release.children("employer")
    # the campaign's target employers (few), always one query: an empty pk__in list would skip it, and the query
    # count would then depend on the data
    names = dict(campaign.employers.values_list("pk", "legal_name"))
    by_employer = []
    for employer_id in employer_ids:
        row = release.row("status", employer=employer_id, **filters.as_kwargs())
        by_employer.append({"employer": int(employer_id) if employer_id else None,
                            "employer_name": names.get(int(employer_id), "") if employer_id else gettext("(none)"),
                            **row_data(row)})
    report["by_employer"] = by_employer
    return report


def campaign_csv_rows(report: dict):
    yield from csv_rows(report)
    period = report["filters"]["period"] or "all"
    law = report["filters"]["law"] or "all"
    for row in report["by_employer"]:
        for cell in row["cells"]:
            yield ("status_by_employer", row["employer"], law, period, cell["code"], cell["count"], cell["share"],
                   row["total"], "true" if cell["suppressed"] else "false")


def campaign_scope(request, campaign_id: int) -> Scope:
    found = campaign_get_for(user=request.user, campaign_id=campaign_id)
    if found is None:
        raise Http404("No such campaign.")
    campaign = found[0]
    return Scope(
        context={"campaign": campaign}, report=lambda filters: campaign_report(campaign, filters),
        page="advocacy/stats/campaign_stats.html", page_url=reverse("advocacy:campaign-stats", args=[campaign.pk]),
        csv_rows=campaign_csv_rows, filename=lambda filters, ext: f"campaign-{campaign.pk}-statistics.{ext}",
        heading=gettext("Statistics of the campaign “%(title)s”") % {"title": campaign.title},
        footer=lambda report: gettext("Campaign %(id)s · statistics as of %(date)s · page {page} of {pages}")
        % {"id": campaign.pk, "date": report["computed_on"]})


@login_required
@require_GET
def campaign_stats(request, campaign_id: int):
    return respond(request, campaign_scope(request, campaign_id), "html")


@login_required
@require_GET
def campaign_stats_csv(request, campaign_id: int):
    return respond(request, campaign_scope(request, campaign_id), "csv")


@login_required
@require_GET
def campaign_stats_json(request, campaign_id: int):
    return respond(request, campaign_scope(request, campaign_id), "json")


@login_required
@require_GET
def campaign_stats_pdf(request, campaign_id: int):
    return respond(request, campaign_scope(request, campaign_id), "pdf")
