"""render_pdf: the one way the portal makes a PDF (deletion_portal/core/pdf.py).

The hostile-input guarantees are specified in test_pdf_hostile.py; this file covers the letter
features: text, metadata, paper, footer, fonts, limits and determinism.
"""

from __future__ import annotations

import hashlib
import io
import signal
import threading
import time

import pypdf
import pytest

from deletion_portal.core import pdf as pdf_module
from deletion_portal.core.pdf import (
    PdfMetadata,
    PdfRenderError,
    css_string,
    paper_for_country,
    print_stylesheet,
    render_pdf,
)
from tests.support.processes import portal_env, python_c

META = PdfMetadata(
    title="Request for erasure AB12CD",
    author="Erika Mustermann",
    subject="Erasure of training contributions (Art. 17 GDPR)",
    language="de",
    keywords=("erasure", "GDPR"),
)

PARAGRAPH = (
    "<p>I ask you to erase all keystroke logs, mouse trajectories, screen-operation sequences and "
    "application-switching records collected about me, and everything derived from them.</p>"
)


def letter(paragraphs: int = 1) -> str:
    return f"""<!doctype html>
<html lang="fr"><head><title>Not the title</title><meta name="author" content="Someone else"></head>
<body>
<p class="sender">Erika Mustermann · Beispielweg 1 · 10115 Berlin</p>
<p class="recipient">ACME GmbH
Datenschutzbeauftragte
Hauptstraße 5
80331 München</p>
<p class="date">1 March 2026</p>
<p class="reference">Our reference: AB12CD</p>
<h1 class="subject">Request for erasure</h1>
<div class="body">
  <p>Dear Sir or Madam,</p>
  <section>
    <h2>What I ask</h2>
    <ol><li>Erase the keystroke logs.</li><li>Confirm the erasure in writing.</li></ol>
    <ul><li>Keystrokes</li><li>Mouse trajectories</li></ul>
    <table><tr><th>Data</th><th>Period</th></tr><tr><td>Keystrokes</td><td>2023–2025</td></tr></table>
  </section>
  {PARAGRAPH * paragraphs}
</div>
<p class="signature">Erika Mustermann</p>
<p class="small">Sent through the deletion portal.</p>
</body></html>"""


def read(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def two_pages() -> tuple[bytes, pypdf.PdfReader]:
    pdf = render_pdf(letter(paragraphs=14), metadata=META, footer="AB12CD · page {page} of {pages}")
    reader = read(pdf)
    assert len(reader.pages) == 2, "the fixture letter should fill exactly two pages"
    return pdf, reader


def test_it_renders_the_letter_text(two_pages):
    _, reader = two_pages
    text = text_of(reader)
    for expected in (
        "Erika Mustermann", "Hauptstraße 5", "80331 München", "Request for erasure", "What I ask",
        "Erase the keystroke logs.", "Mouse trajectories", "2023–2025", "Sent through the deletion portal.",
    ):
        assert expected in text


def test_it_writes_the_metadata_from_python_not_from_the_html(two_pages):
    _, reader = two_pages
    info = reader.metadata
    assert info.title == META.title
    assert info.author == "Erika Mustermann"
    assert info.subject == META.subject
    assert info["/Keywords"] == "erasure, GDPR"
    assert reader.trailer["/Root"]["/Lang"] == "de"  # not the document's own lang="fr"
    assert "/CreationDate" not in info and "/ModDate" not in info  # deterministic output


@pytest.mark.parametrize(("paper", "width", "height"), [("A4", 595, 842), ("Letter", 612, 792)])
def test_it_uses_the_paper_size(paper, width, height):
    reader = read(render_pdf(letter(), metadata=META, paper=paper))
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - width) <= 1
    assert abs(float(box.height) - height) <= 1


def test_it_numbers_every_page_in_the_footer(two_pages):
    _, reader = two_pages
    assert "AB12CD · page 1 of 2" in reader.pages[0].extract_text()
    assert "AB12CD · page 2 of 2" in reader.pages[1].extract_text()


def test_it_numbers_pages_even_without_placeholders():
    reader = read(render_pdf(letter(), metadata=META, footer="AB12CD"))
    assert "AB12CD · 1/1" in reader.pages[0].extract_text()
    reader = read(render_pdf(letter(), metadata=META))
    assert "1/1" in reader.pages[0].extract_text()


def _text_runs(page) -> list[tuple[str, float]]:
    """(text, x of its start in points) of every text run pypdf reports on ``page``."""
    runs = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: runs.append((text, tm[4] * cm[0] + cm[4]))
                      if text.strip() else None)
    return runs


@pytest.mark.parametrize(("paper", "footer"), [("A4", "AB12CD · page {page} of {pages}"), ("Letter", "Z" * 12)])
def test_the_footer_is_centred_on_the_text_column(paper, footer):
    """print.css gives the footer's margin box the full width (so WeasyPrint does not measure its content, a
    tenth of a letter's render) and centres the text in it: the footer stays where an auto width put it,
    centred between the page's left (25 mm) and right (20 mm) margins."""
    reader = read(render_pdf(letter(), metadata=META, paper=paper, footer=footer))
    page = reader.pages[0]
    [(text, x)] = [(t, x) for t, x in _text_runs(page) if t.startswith(footer[:6])]
    # pypdf gives where the run starts; centred text starts left of the column's centre by half its width.
    mm = 72 / 25.4
    column_centre = 25 * mm + (float(page.mediabox.width) - 45 * mm) / 2
    assert x < column_centre  # it starts left of the centre …
    text_width = 2 * (column_centre - x)  # … by half its width if centred
    assert 0.5 * len(text) * 8 * 0.3 < text_width < len(text) * 8 * 0.8  # a plausible 8 pt width: centred


def test_it_escapes_the_footer_for_css():
    hostile = 'Ref "; } @page { size: 10mm } @bottom-left { content: url(http://127.0.0.1:1/x) } \\ x'
    literal = css_string(hostile)
    assert literal.startswith('"') and literal.endswith('"') and '"' not in literal[1:-1]
    assert "{" not in literal and "}" not in literal and ";" not in literal and "\\\\" not in literal

    reader = read(render_pdf(letter(), metadata=META, footer=hostile + " page {page}"))
    # pypdf guesses spaces from glyph positions, so compare without whitespace.
    footer_text = "".join(reader.pages[0].extract_text().split())
    assert "".join(hostile.split()) + "page1" in footer_text
    assert abs(float(reader.pages[0].mediabox.width) - 595) <= 1  # the @page rule did not apply


def test_it_embeds_the_bundled_fonts(two_pages):
    _, reader = two_pages
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = descriptor["/FontFile2"].get_object().get_data()
    # "Portal Serif" / "Portal Sans" exist only through print.css's @font-face rules, which are
    # loaded by the asset: fetcher; a system fallback font would carry its own name.
    assert any("Portal-Serif" in name for name in fonts), fonts.keys()
    assert any("Portal-Sans-Bold" in name for name in fonts), fonts.keys()
    for name, program in fonts.items():
        assert "DejaVu".encode("utf-16-be") in program, f"{name} is not a subset of a DejaVu font"


def test_it_refuses_too_many_pages():
    with pytest.raises(PdfRenderError) as caught:
        render_pdf(letter(paragraphs=14), metadata=META, max_pages=1)
    assert str(caught.value) == "The letter is too long: 2 pages, the limit is 1."


def test_it_refuses_text_that_cannot_fit_before_laying_it_out():
    started = time.monotonic()
    with pytest.raises(PdfRenderError, match="too long: over 2 pages, the limit is 2"):
        render_pdf("<p>" + "word " * 10_000 + "</p>", metadata=META, max_pages=2)
    assert time.monotonic() - started < 2


def test_it_refuses_html_over_2_mb():
    with pytest.raises(PdfRenderError, match=r"too large to render: 2\.\d MB, the limit is 2 MB"):
        render_pdf("<p>" + "x" * (2 * 1024 * 1024) + "</p>", metadata=META)
    # The limit counts UTF-8 bytes, not characters.
    with pytest.raises(PdfRenderError, match="too large"):
        render_pdf("€" * 800_000, metadata=META)


def test_it_gives_up_after_the_timeout():
    heavy = "<p>" + "word " * 40_000 + "</p>"
    handler_before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(PdfRenderError) as caught:
        render_pdf(heavy, metadata=META, timeout_seconds=0.001, max_pages=1000)
    assert str(caught.value) == "The letter took too long to render (the limit is 0.001 seconds)."
    assert time.monotonic() - started < 2
    assert signal.getsignal(signal.SIGALRM) is handler_before


def test_it_restores_an_alarm_that_was_already_running():
    fired = []
    previous_handler = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    previous_timer = signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        render_pdf(letter(), metadata=META)
        assert signal.getsignal(signal.SIGALRM) is not previous_handler  # ours, not pdf.py's
        assert fired == []
        assert 25 < signal.getitimer(signal.ITIMER_REAL)[0] <= 30

        # An outer alarm due before our deadline still fires (after the render is aborted).
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(PdfRenderError, match="took too long"):
            render_pdf("<p>" + "word " * 40_000 + "</p>", metadata=META, max_pages=1000)
        time.sleep(0.05)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, *previous_timer)
        signal.signal(signal.SIGALRM, previous_handler)


def test_it_renders_off_the_main_thread_without_an_alarm():
    results = []
    thread = threading.Thread(target=lambda: results.append(render_pdf(letter(), metadata=META)))
    thread.start()
    thread.join(30)
    assert results and "Request for erasure" in text_of(read(results[0]))


def test_the_same_input_gives_the_same_bytes():
    first = render_pdf(letter(), metadata=META, footer="AB12CD")
    second = render_pdf(letter(), metadata=META, footer="AB12CD")
    assert first == second


def test_the_same_input_gives_the_same_bytes_in_another_process():
    """The SHA-256 of a letter can be reproduced later: no dates, no random ids, stable subset names."""
    code = (
        "import hashlib, sys; sys.path.insert(0, 'tests/core'); "
        "from test_pdf import META, letter; from deletion_portal.core.pdf import render_pdf; "
        "print(hashlib.sha256(render_pdf(letter(), metadata=META, footer='AB12CD')).hexdigest())"
    )
    result = python_c(code, env=portal_env())
    assert result.returncode == 0, result.stderr[-2000:]
    here = hashlib.sha256(render_pdf(letter(), metadata=META, footer="AB12CD")).hexdigest()
    assert result.stdout.strip().splitlines()[-1] == here


def test_it_ignores_styles_in_the_html():
    html = '<style>p { display: none }</style><p style="display: none">Still visible</p>'
    assert "Still visible" in text_of(read(render_pdf(html, metadata=META)))


def test_it_shows_a_bundled_asset_image():
    reader = read(render_pdf('<p><img class="logo" src="asset:logo.svg" alt="">Logo</p>', metadata=META))
    assert "Logo" in text_of(reader)


def test_it_rejects_invalid_arguments():
    with pytest.raises(ValueError):
        render_pdf("<p>x</p>", metadata=META, paper="A5")
    with pytest.raises(ValueError):
        render_pdf("<p>x</p>", metadata=PdfMetadata(title="t", author="a", subject="s", language='de" x'))


@pytest.mark.parametrize(
    ("country", "paper"),
    [("US", "Letter"), ("us", "Letter"), ("CA", "Letter"), ("MX", "Letter"), ("PH", "Letter"), ("CL", "Letter"),
     ("DE", "A4"), ("GB", "A4"), ("FR", "A4"), ("JP", "A4"), ("AU", "A4"), ("", "A4"), ("XX", "A4")],
)
def test_paper_for_country(country, paper):
    assert paper_for_country(country) == paper


def test_the_print_stylesheet_is_parsed_once_per_paper_size():
    assert print_stylesheet("A4") is print_stylesheet("A4")
    assert print_stylesheet("Letter") is print_stylesheet("Letter")
    assert print_stylesheet("A4") is not print_stylesheet("Letter")
    assert pdf_module._stylesheet_and_fonts.cache_info().currsize <= 2
