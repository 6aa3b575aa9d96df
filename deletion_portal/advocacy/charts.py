"""Server-rendered SVG charts: no JavaScript, no CDN, readable by screen readers.

Labels and texts come translated from the caller (``stats_views``); the figures written in the chart are
localised (:func:`number`), the coordinates never are.

Each chart is an inline ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says in words what it
shows (the page also prints the same figures as a table beside it). Every piece is built with
``format_html``, so every label and number is escaped; templates insert the result as it is. Colours are paired with
patterns of text (the legend and the table), never the only carrier of meaning.

Charts draw only published figures (``advocacy.disclosure``): a suppressed value is never drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

PALETTE = ("#1b6e3a", "#c26a00", "#8b1e2d", "#3b5b92", "#6b6b6b")


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int, ...]


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def number(value: float) -> str:
    """A figure as the reader writes it (one decimal at most; the decimal comma in German and French)."""
    return number_format(_fmt(value))


def _svg(parts: list, *, width: int, height: int, chart_id: str, title: str, description: str):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {} {}" width="100%" '
        'aria-labelledby="{}-title {}-desc" class="chart"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        "{}</svg>",
        width, height, chart_id, chart_id, chart_id, title, chart_id, description,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


def stacked_bars(*, title: str, description: str, categories: list[str], series: list[Series],
                 chart_id: str, width: int = 640, height: int = 260):
    """Vertical stacked bars, one per category (e.g. month), one segment per series (on time / late / none)."""
    left, right, top, bottom = 44, 12, 34, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    peak = max(totals, default=0) or 1
    step = plot_w / max(len(categories), 1)
    bar_w = max(step * 0.7, 1)
    parts = [
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/>', left, top + plot_h, left + plot_w, top + plot_h),
        format_html('<text x="{}" y="{}" text-anchor="end" font-size="11">{}</text>', left - 6, top + 4, peak),
        format_html('<text x="{}" y="{}" text-anchor="end" font-size="11">0</text>', left - 6, top + plot_h),
    ]
    for i, category in enumerate(categories):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for colour, s in zip(PALETTE, series, strict=False):
            value = s.values[i]
            h = plot_h * value / peak
            y -= h
            parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} {}</title></rect>',
                                     _fmt(x), _fmt(y), _fmt(bar_w), _fmt(h), colour, category, s.label, value))
        if len(categories) <= 12 or i % max(1, len(categories) // 12) == 0:
            parts.append(format_html('<text x="{}" y="{}" text-anchor="middle" font-size="10">{}</text>',
                                     _fmt(x + bar_w / 2), top + plot_h + 14, category))
    x = left
    for colour, s in zip(PALETTE, series, strict=False):
        parts.append(format_html('<rect x="{}" y="8" width="12" height="12" fill="{}"/>', x, colour))
        parts.append(format_html('<text x="{}" y="18" font-size="11">{}</text>', x + 16, s.label))
        x += 24 + 7 * len(s.label)
    return _svg(parts, width=width, height=height, chart_id=chart_id, title=title, description=description)


def horizontal_bars(*, title: str, description: str, bars: list[tuple[str, float]], chart_id: str,
                    width: int = 640, unit: str = "%"):
    """One horizontal bar per item (e.g. a checklist item and the share of answers that addressed it, 0–100)."""
    label_w, right, row_h, top = 300, 48, 24, 8
    height = top * 2 + row_h * max(len(bars), 1)
    plot_w = width - label_w - right
    parts = []
    for i, (label, value) in enumerate(bars):
        y = top + i * row_h
        short = label if len(label) <= 48 else label[:47] + "…"
        w = plot_w * max(0.0, min(value, 100.0)) / 100.0
        parts.append(format_html('<text x="{}" y="{}" text-anchor="end" font-size="11">{}</text>', label_w - 6, y + 16, short))
        parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}{}</title></rect>',
                                 label_w, y + 4, _fmt(w), row_h - 8, PALETTE[3], label, number(value), unit))
        parts.append(format_html('<text x="{}" y="{}" font-size="11">{}{}</text>', _fmt(label_w + w + 4), y + 16,
                                 number(value), unit))
    return _svg(parts, width=width, height=height, chart_id=chart_id, title=title, description=description)
