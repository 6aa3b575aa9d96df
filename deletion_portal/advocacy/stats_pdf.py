"""The printable PDF of a statistics report (a campaign's dashboard, an employer's public scoreboard).

It renders the page's own report and figure parts (``stats_views.report_sections``) with one template through
``core.pdf.render_pdf`` (the one sandboxed renderer), so the PDF shows exactly what the page shows: the same
release, the same suppression, the same server-rendered SVG charts with the tables beside them — in the request's
language (the active one), which is also the PDF's /Lang.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext

from deletion_portal.core.pdf import PdfMetadata, render_pdf

#: A campaign's report lists one row per employer; a long campaign may run to a few pages.
MAX_PAGES = 40


def report_pdf(context: dict, *, heading: str, footer: str) -> bytes:
    """The PDF of ``context`` (what ``report_sections`` gives, plus ``campaign`` or ``employer``). Raises
    ``core.pdf.PdfRenderError`` (its message safe to show) when rendering is refused or fails."""
    html = render_to_string("advocacy/stats/report_pdf.html", {**context, "heading": heading})
    metadata = PdfMetadata(title=heading, author=gettext("Deletion portal"), subject=gettext("Outcome statistics"),
                           language=get_language() or "en")
    return render_pdf(html, metadata=metadata, footer=footer, max_pages=MAX_PAGES)
