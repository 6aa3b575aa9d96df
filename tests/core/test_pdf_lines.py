"""``core.pdf_lines.line_layout_cache`` (bulk letters): sharing WeasyPrint's line breaks across letters changes no
byte of any PDF. The SHA-256 of a letter must not depend on the path that rendered it (one by one, in a batch, in
any order, first or after a thousand others), so every test here compares hashes with plain ``render_pdf``."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from deletion_portal.core import pdf_lines
from deletion_portal.core.pdf import PdfInput, PdfMetadata, render_pdf, render_pdf_batch
from deletion_portal.core.pdf_lines import STYLE_PROPERTIES, line_layout_cache

pytestmark = pytest.mark.usefixtures("pdf_rendering")

BOILERPLATE = (
    "<p>I ask you, under the law named above, to erase every training contribution you hold about me: "
    "keystrokes, mouse movements, screen activity, app switching, derived data, training datasets and "
    "trained models. Please confirm in writing within one month which data you erased and whom you told.</p>"
    "<ol><li>Access to my personal data and a copy of it.</li><li>Erasure without undue delay.</li>"
    "<li>Restriction of processing while this request is open.</li></ol>"
    "<table><tr><th>Data</th><th>Since</th></tr><tr><td>Keystrokes and mouse movements</td><td>2021</td></tr></table>"
)

#: (name, language, text of their own): long names, scripts that shape (Arabic), run right to left (Hebrew,
#: Arabic), have no spaces (CJK), soft hyphens, tabs and preserved whitespace, an unbroken long word.
LETTERS = [
    ("Erika Mustermann", "de", "Mit freundlichen Grüßen, Arbeitsplatzüberwachungsdatenverarbeitung."),
    ("Maria-Magdalena Alexandrina von Hohenzollern-Sigmaringen-Weißenfels zu Oberammergau", "de",
     "Sehr geehrte Damen und Herren, bitte bestä\u00adtigen Sie den Ein\u00adgang."),
    ("王小明", "zh", "北京市朝阳区建国路八十八号现代城五号楼一千二百零三室，请在一个月内答复。"),
    ("山田太郎", "ja", "東京都千代田区丸の内一丁目 とうきょう カタカナ 一か月以内にご回答ください。"),
    ("김민준", "ko", "서울특별시 중구 세종대로 한국어 편지입니다."),
    ("محمد عبد الله العلي", "ar", "شارع الملك فهد، الرياض. أطلب حذف بياناتي."),
    ("דוד כהן", "he", "רחוב הרצל 1, תל אביב. אני מבקש למחוק את הנתונים שלי."),
    ("Ana García", "es", "Atentamente,\tAna\t<pre>  dos  espacios  </pre>"),
    ("Ολίβια Οικονόμου", "en", "x" * 260 + " end 😀"),
]


def _inputs() -> list[PdfInput]:
    inputs = []
    for index, (name, language, own) in enumerate(LETTERS):
        html = f"<h1>Request · {name}</h1><p class=sender>{name}<br>Street {index}</p>{BOILERPLATE}<p>{own}</p>"
        html += BOILERPLATE * (1 + index % 3)  # letters of one and several pages
        inputs.append(PdfInput(html=html, footer=f"REF{index:04d} · {name} · {{page}}/{{pages}}",
                               metadata=PdfMetadata(title=f"Letter {name}", author=name, subject="request",
                                                    language=language),
                               paper="Letter" if index % 4 == 3 else "A4"))
    return inputs


def _sha(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def _plain(inputs) -> list[str]:
    return [_sha(render_pdf(i.html, metadata=i.metadata, paper=i.paper, footer=i.footer)) for i in inputs]


def test_cached_line_breaks_give_byte_identical_pdfs_in_any_order_and_batch():
    inputs = _inputs()
    expected = _plain(inputs)

    with line_layout_cache() as stats:
        forward = [_sha(render_pdf(i.html, metadata=i.metadata, paper=i.paper, footer=i.footer)) for i in inputs]
        backward = [_sha(render_pdf(i.html, metadata=i.metadata, paper=i.paper, footer=i.footer))
                    for i in reversed(inputs)]
    batch = [_sha(result.pdf) for result in render_pdf_batch(inputs)]

    assert forward == expected
    assert backward == expected[::-1]  # each letter also rendered after all the others: every line a cache hit
    assert batch == expected
    assert stats.hits > stats.misses > 0 and stats.uncached == 0  # the cache was really used
    assert stats.paint_hits > stats.paint_misses > 0  # and the glyph walks of equal lines were replayed


def test_the_key_holds_every_style_property_the_line_breaking_reads(monkeypatch):
    """The cache is only correct if its key holds everything ``split_first_line`` and ``Layout.reactivate`` depend
    on: record the style properties the real functions read while rendering the varied letters, and compare."""
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    original = inline.split_first_line
    read: set[str] = set()

    class Recording:
        def __init__(self, style):
            self._style = style

        def __getitem__(self, name):
            read.add(name)
            return self._style[name]

        def __getattr__(self, name):
            assert name == "font_config", name  # the only attribute it reads; keyed by identity
            return getattr(self._style, name)

    def recording(text, style, *args, **kwargs):
        return original(text, Recording(style), *args, **kwargs)

    original_reactivate = line_break.Layout.reactivate

    def recording_reactivate(self, style):  # drawing a line: the Pango layout shared between equal lines
        return original_reactivate(self, Recording(style))

    monkeypatch.setattr(inline, "split_first_line", recording)
    monkeypatch.setattr(preferred, "split_first_line", recording)
    monkeypatch.setattr(line_break.Layout, "reactivate", recording_reactivate)
    _plain(_inputs())

    assert read and read <= set(STYLE_PROPERTIES), sorted(read - set(STYLE_PROPERTIES))


def test_the_patch_is_active_only_inside_the_block_and_only_on_the_pinned_weasyprint(monkeypatch):
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    plain = line_break.split_first_line
    with line_layout_cache():
        assert inline.split_first_line is preferred.split_first_line is not plain
        with line_layout_cache():  # nested: the same cache, still patched
            assert inline.split_first_line is not plain
        assert inline.split_first_line is not plain
    assert inline.split_first_line is preferred.split_first_line is plain

    [first] = _inputs()[:1]
    expected = _plain([first])
    monkeypatch.setattr(pdf_lines, "WEASYPRINT_VERSION", "0.0-not-installed")
    with line_layout_cache() as stats:
        assert inline.split_first_line is plain  # another version: no patch, plain rendering
        assert _plain([first]) == expected
    assert stats.hits == stats.misses == 0


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(pdf_lines, "MAX_ENTRIES", 10)
    monkeypatch.setattr(pdf_lines, "MAX_DRAWN", 10)
    first = _inputs()[0]
    with line_layout_cache() as stats:
        sha = _plain([first, first, first])
        assert len(stats.entries) <= 10 and len(stats.drawn) <= 10 and len(stats.painted) <= 10
    assert sha == _plain([first, first, first])


def test_a_scope_keeps_its_entries_for_the_next_block_of_the_same_scope_only():
    first = _inputs()[0]
    expected = _plain([first])
    job, other_job = object(), object()
    with line_layout_cache(scope=job) as one:
        assert _plain([first]) == expected
    with line_layout_cache(scope=job) as again:  # the job's next chunk: every line known already
        assert _plain([first]) == expected
    with line_layout_cache(scope=other_job) as other:  # another job starts afresh
        assert _plain([first]) == expected
    assert one.misses > 0 and again.misses == 0 and again.hits == one.hits + one.misses
    assert other.misses == one.misses


def test_an_ellipsis_line_gets_its_own_pango_layout_and_the_output_does_not_change():
    """``draw_first_line`` rewrites the Pango layout of a ``text-overflow: ellipsis`` line (no letter has one: no
    user CSS); a shared layout must not be changed for the next equal line. Plain WeasyPrint, same document."""
    import weasyprint

    text = "Erase every training contribution you hold about me without undue delay"
    html = (f"<p class=cut>{text}</p><p>{text}</p>" * 3)
    css = weasyprint.CSS(string="p { width: 40mm; white-space: nowrap; overflow: hidden } "
                                ".cut { text-overflow: ellipsis }")  # drawn in document order: cut, whole, …

    def pdf() -> bytes:
        return weasyprint.HTML(string=html).write_pdf(stylesheets=[css], pdf_identifier=False)

    expected = pdf()
    with line_layout_cache() as stats:
        assert pdf() == expected
        assert pdf() == expected
    assert stats.draw_hits > 0


def _meta(title: str) -> PdfMetadata:
    return PdfMetadata(title=title, author="Ana", subject="request", language="en")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_replayed_line_still_puts_its_glyphs_in_the_font_subset_and_the_text_map():
    """The second letter's only use of Ǭ, Ŧ, ẞ, ŋ is a line whose glyph walk is replayed from the first letter:
    the replay must still register those glyphs (widths, ToUnicode), or the subset drops them and the text is
    lost. Byte-identical to rendering the letter alone, and pdftotext finds the line."""
    line = "Ǭŋ Ŧŋ ẞŋ"
    first = f"<p>{line}</p><p>Dear Sir or Madam</p>"
    second = f"<p>Dear Sir or Madam</p><p>Yours faithfully</p><p>{line}</p>"
    expected = render_pdf(second, metadata=_meta("second"))

    with line_layout_cache() as stats:
        render_pdf(first, metadata=_meta("first"))  # lines seen once are drawn by WeasyPrint …
        render_pdf(first, metadata=_meta("first"))  # … and recorded when seen again
        recorded = stats.paint_misses
        pdf = render_pdf(second, metadata=_meta("second"))

    assert stats.paint_hits >= 2 and stats.paint_misses == recorded  # the line and "Dear…" replayed
    assert pdf == expected
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert line in text and "Yours faithfully" in text


def test_a_line_is_drawn_by_weasyprint_when_the_letter_already_has_other_widths_for_its_glyphs(monkeypatch):
    """The glyph walk reads a glyph's width from the document's font if it is there already (first wins): a
    recorded walk is valid only if the widths agree. Make the second letter's fonts start with other widths
    (stand-in for an earlier line of another size): the line is drawn by WeasyPrint, the PDF is still exactly
    the PDF of that letter alone — a replay would have written the recorded kerning."""
    from weasyprint.pdf import fonts

    line = "Erase every training contribution you hold about me"
    html = f"<p>{line}</p>"
    original_init = fonts.Font.__init__
    skewed = {"on": False}

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if skewed["on"]:
            self.widths.update(dict.fromkeys(range(4000), 333))

    monkeypatch.setattr(fonts.Font, "__init__", init)
    skewed["on"] = True
    expected = render_pdf(html, metadata=_meta("skewed"))
    skewed["on"] = False
    assert render_pdf(html, metadata=_meta("skewed")) != expected  # the widths do change the PDF

    with line_layout_cache() as stats:
        render_pdf(html, metadata=_meta("skewed"))
        render_pdf(html, metadata=_meta("skewed"))  # recorded
        skewed["on"] = True
        pdf = render_pdf(html, metadata=_meta("skewed"))
    assert pdf == expected
    assert stats.paint_uncached >= 1 and stats.paint_hits == 0


def test_a_line_with_a_missing_glyph_is_never_replayed():
    """A glyph no font has is drawn as .notdef with a glyph id the document picks (``get_unused_glyph_id``):
    such a line is always drawn by WeasyPrint."""
    html = "<p>Name: \u0378 unknown</p>"
    expected = render_pdf(html, metadata=_meta("notdef"))
    with line_layout_cache() as stats:
        for _ in range(3):  # drawn once, recorded, replayed
            assert render_pdf(html, metadata=_meta("notdef")) == expected
    # The third render replays every line the second recorded, except this one (its Pango layout is shared).
    assert stats.paint_hits == stats.paint_misses - 1 and stats.draw_hits >= 1
    assert stats.paint_uncached == stats.paint_misses + 1  # every line of the first render, this one of the third
