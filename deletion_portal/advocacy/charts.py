"""Server-rendered SVG charts: no JavaScript, no CDN, readable by screen readers.

Each chart is an inline ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says in words what it
shows (the page also prints the same figures as a table beside it). Every label is escaped here, once;
the functions return ``SafeString`` so templates insert them as they are. Colours are paired with
patterns of text (the legend and the table), never the only carrier of meaning.

Charts draw only published figures (``advocacy.disclosure``): a suppressed value is never drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1b6e3a", "#c26a00", "#8b1e2d", "#3b5b92", "#6b6b6b")


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int, ...]


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def stacked_bars(*, title: str, description: str, categories: list[str], series: list[Series],
                 chart_id: str, width: int = 640, height: int = 260) -> SafeString:
    """Vertical stacked bars, one per category (e.g. month), one segment per series (on time / late / none)."""
    left, right, top, bottom = 44, 12, 34, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    peak = max(totals, default=0) or 1
    step = plot_w / max(len(categories), 1)
    bar_w = max(step * 0.7, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, category in enumerate(categories):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for colour, s in zip(PALETTE, series, strict=False):
            value = s.values[i]
            h = plot_h * value / peak
            y -= h
            parts.append(f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_w)}" height="{_fmt(h)}" fill="{colour}">'
                         f'<title>{escape(category)}: {escape(s.label)} {value}</title></rect>')
        if len(categories) <= 12 or i % max(1, len(categories) // 12) == 0:
            parts.append(f'<text x="{_fmt(x + bar_w / 2)}" y="{top + plot_h + 14}" text-anchor="middle" '
                         f'font-size="10">{escape(category)}</text>')
    x = left
    for colour, s in zip(PALETTE, series, strict=False):
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="18" font-size="11">{escape(s.label)}</text>')
        x += 24 + 7 * len(s.label)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every text above is escaped


def horizontal_bars(*, title: str, description: str, bars: list[tuple[str, float]], chart_id: str,
                    width: int = 640, unit: str = "%") -> SafeString:
    """One horizontal bar per item (e.g. a checklist item and the share of answers that addressed it, 0–100)."""
    label_w, right, row_h, top = 300, 48, 24, 8
    height = top * 2 + row_h * max(len(bars), 1)
    plot_w = width - label_w - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for i, (label, value) in enumerate(bars):
        y = top + i * row_h
        short = label if len(label) <= 48 else label[:47] + "…"
        w = plot_w * max(0.0, min(value, 100.0)) / 100.0
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="11">{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{_fmt(w)}" height="{row_h - 8}" fill="{PALETTE[3]}">'
                     f'<title>{escape(label)}: {_fmt(value)}{escape(unit)}</title></rect>')
        parts.append(f'<text x="{_fmt(label_w + w + 4)}" y="{y + 16}" font-size="11">{_fmt(value)}{escape(unit)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every text above is escaped
