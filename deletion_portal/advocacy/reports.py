"""One report of a release for a filter: what the HTML page, the CSV and JSON downloads and the API show.

Everything here reads a :class:`~deletion_portal.advocacy.disclosure.Release`; nothing counts cases. A
suppressed figure is ``None`` with ``"suppressed": true``; shares are computed from published cells only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.utils.translation import get_language, gettext

from deletion_portal.advocacy.disclosure import Release, Row
from deletion_portal.advocacy.figures import DICTIONARY, STATUS
from deletion_portal.cases.hooks import statistics_label
from deletion_portal.laws.registry import all_regimes, get_regime, regime_keys

PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>0[1-9]|1[0-2]))?$")


class FilterError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Filters:
    law: str | None = None
    year: str | None = None
    month: str | None = None

    @property
    def period(self) -> str | None:
        return self.month or self.year

    def as_kwargs(self) -> dict:
        return {"law": self.law, "year": self.year, "month": self.month}


def parse_filters(params) -> Filters:
    """``law`` (a law key), ``period`` (YYYY or YYYY-MM of receipt); ``right`` is refused with the reason."""
    law = (params.get("law") or "").strip() or None
    period = (params.get("period") or "").strip() or None
    if (params.get("right") or "").strip():
        raise FilterError("right", gettext("Filtering by right is not offered: a request usually asks for several "
                                           "rights, so the groups would overlap and could be subtracted from each "
                                           "other."))
    if law is not None and law not in regime_keys():
        raise FilterError("law", gettext("Unknown law '%(law)s'. Valid: %(valid)s.")
                          % {"law": law[:40], "valid": ", ".join(regime_keys())})
    year = month = None
    if period is not None:
        match = PERIOD.match(period)
        if not match:
            raise FilterError("period", gettext("The period is a year (2026) or a month (2026-03) of receipt."))
        year = match["year"]
        month = period if match["month"] else None
    return Filters(law=law, year=year, month=month)


def law_name(key: str) -> str:
    try:
        return get_regime(key).short_name
    except Exception:  # noqa: BLE001  a law key that left the registry still shows, as its key
        return key or gettext("(no law)")


def acknowledgement_laws() -> list[dict]:
    """The laws whose data sets a period to acknowledge receipt (``acknowledgement`` in the law JSON): the only
    ones the ``ack_status`` row counts; under any other law a case is "not applicable" there."""
    return [{"law": regime.key, "name": regime.short_name, "period": regime.acknowledgement.description,
             "citation": regime.acknowledgement.citation}
            for regime in all_regimes() if regime.acknowledgement is not None]


def variable_label(variable: str, label: str) -> str:
    """A row's label in the active language. The release holds English msgids (``figures``); a refusal ground's
    row is named from its key (the ground code is a machine key, shown as it is); a variable another app
    contributes (checklist items, ML artefacts) is named by that app (``cases.hooks.statistics_label``)."""
    return _variable_label(get_language() or "en", variable, label)


@lru_cache(maxsize=4096)
def _variable_label(language: str, variable: str, label: str) -> str:
    # memoised per language: a dashboard makes a row per employer, month and law (gettext per label costs µs)
    if variable.startswith("refused_ground:"):
        return gettext("Refused on ground “%(ground)s”") % {"ground": variable.removeprefix("refused_ground:")}
    return statistics_label(variable, language) or gettext(label)


@lru_cache(maxsize=1024)
def _category_label(language: str, label: str) -> str:
    return gettext(label)


def dictionary() -> dict[str, str]:
    """The data dictionary: machine keys (never translated) → descriptions in the active language."""
    return {key: gettext(text) for key, text in DICTIONARY.items()}


def row_data(row: Row) -> dict:
    """A row as plain data: machine keys (``variable``, ``code``) stay as they are; labels in the active language."""
    language = get_language() or "en"
    return {
        "variable": row.variable,
        "label": _variable_label(language, row.variable, row.label),
        "cases": row.cases,
        "total": row.total,
        "suppressed": not row.published,
        "cells": [{"code": c.code, "label": _category_label(language, c.label), "count": c.count,
                   "share": None if c.share is None else round(100 * c.share, 1),
                   "suppressed": c.count is None} for c in row.cells],
    }


def _months_between(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def series_of(release: Release, filters: Filters) -> dict | None:
    """The answers over time: by month when every month is published, else by year, else nothing."""
    if filters.month:
        return None
    base = {"law": filters.law}
    months = release.children("month", law=filters.law, year=filters.year)
    if filters.year:
        months = [m for m in months if m.startswith(filters.year)]
    if months:
        span = _months_between(months[0], months[-1])
        rows = release.series("status", "month", span, **base)
        if rows is not None and len(span) > 1:
            return {"level": "month", "points": span, "rows": [{"point": p, **row_data(r)} for p, r in zip(span, rows, strict=True)]}
    if filters.year:
        return None
    years = release.children("year", law=filters.law)
    if len(years) > 1:
        span = [str(y) for y in range(int(years[0]), int(years[-1]) + 1)]
        rows = release.series("status", "year", span, **base)
        if rows is not None:
            return {"level": "year", "points": span, "rows": [{"point": p, **row_data(r)} for p, r in zip(span, rows, strict=True)]}
    return None


def date_range(release: Release, filters: Filters) -> dict:
    """The first and last month of receipt whose (all-laws or filtered) population is published."""
    months = [m for m in release.children("month", law=filters.law, year=filters.year)
              if (not filters.month or m == filters.month)
              and release.population(law=filters.law, month=m)[0] is not None]
    if months:
        return {"from": months[0], "to": months[-1]}
    years = [y for y in release.children("year", law=filters.law)
             if (not filters.year or y == filters.year) and release.population(law=filters.law, year=y)[0] is not None]
    return {"from": years[0], "to": years[-1]} if years else {"from": None, "to": None}


def outcomes_report(release: Release, filters: Filters, *, scope: dict, today: date) -> dict:
    kwargs = filters.as_kwargs()
    cases, _ = release.population(**kwargs)
    tables = []
    for key in release.variables:
        tables.append(row_data(release.row(key, **kwargs)))
    by_law = []
    if filters.law is None:
        for law in release.children("law", year=filters.year):
            row = release.row(STATUS.key, law=law, year=filters.year, month=filters.month)
            by_law.append({"law": law, "law_name": law_name(law), **row_data(row)})
    days = {}
    for name, q in (("median", 0.5), ("p90", 0.9)):
        quantile = release.quantile(q, **kwargs)
        days[name] = {"days": quantile.value, "values": quantile.values, "suppressed": quantile.value is None}
    return {
        "scope": scope,
        "filters": {"law": filters.law, "period": filters.period},
        "min_cell": release.k,
        "rule": suppression_rule(release.k),
        "computed_on": today.isoformat(),
        "date_range": date_range(release, filters),
        "cases": cases,
        "cases_suppressed": cases is None,
        "tables": tables,
        "by_law": by_law,
        "days_to_answer": days,
        "series": series_of(release, filters),
        "dictionary": dictionary(),
    }


def suppression_rule(k: int) -> str:
    return gettext("No figure counts fewer than %(k)s people. A row is shown only when every cell of it counts at "
                   "least %(k)s (a cell of 0 included); otherwise all of the row is suppressed, so no cell can be "
                   "worked out from the total and the others. A figure that differs from another shown figure by "
                   "fewer than %(k)s people is suppressed too, a series by month is shown only when every month has "
                   "at least %(k)s, and medians need at least %(k)s values on each side.") % {"k": k}


CSV_COLUMNS = ("table", "group", "law", "period", "category", "count", "share_percent", "cases_behind", "suppressed")


def csv_rows(report: dict):
    """The report as flat rows (one per published or suppressed cell): what the CSV download holds."""
    period = report["filters"]["period"] or "all"
    law = report["filters"]["law"] or "all"
    for table in report["tables"]:
        for cell in table["cells"]:
            yield (table["variable"], "all", law, period, cell["code"], cell["count"], cell["share"], table["total"],
                   "true" if cell["suppressed"] else "false")
    for row in report["by_law"]:
        for cell in row["cells"]:
            yield ("status_by_law", row["law"], row["law"], period, cell["code"], cell["count"], cell["share"],
                   row["total"], "true" if cell["suppressed"] else "false")
    series = report["series"]
    if series:
        for point, row in zip(series["points"], series["rows"], strict=True):
            for cell in row["cells"]:
                yield (f"status_by_{series['level']}", point, law, point, cell["code"], cell["count"], cell["share"],
                       row["total"], "false")
    for name, value in report["days_to_answer"].items():
        yield (f"days_{name}", "all", law, period, "days", value["days"], None, value["values"],
               "true" if value["suppressed"] else "false")
