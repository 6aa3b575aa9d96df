"""Every script a user can type prints, with only the repository's fonts, and every PDF is tagged.

The letters are laid out with the bundled fonts alone (core/pdf.py starts from an empty fontconfig
configuration): a name in Chinese, Japanese, Korean, Arabic, Hebrew, Cyrillic or Greek, or an emoji,
must come out as its glyphs, never as an empty box (.notdef, glyph id 0).
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess

import pypdf
import pytest
from pypdf.generic import ContentStream

from deletion_portal.core.pdf import PdfMetadata, render_pdf, sandboxed_font_configuration

pytestmark = pytest.mark.usefixtures("pdf_rendering")

METADATA = PdfMetadata(title="Scripts", author="王小明", subject="test", language="en")

#: (script, text a user might type: a name, a street, a word).
SCRIPTS = [
    ("Chinese", "王小明 北京市朝阳区建国路"),
    ("Japanese", "山田太郎 とうきょう カタカナ 東京都千代田区"),
    ("Korean", "김민준 서울특별시 한국어"),
    ("Arabic", "محمد العلي شارع الملك"),
    ("Hebrew", "שלום עולם דוד כהן"),
    ("Cyrillic", "Иван Петров улица Ленина"),
    ("Greek", "Γιώργος Παπαδόπουλος οδός"),
    ("Emoji", "🖱 ⌨ 🖥 😀 👍"),
]


def _glyph_ids(pdf: bytes) -> list[tuple[str, int]]:
    """(font, glyph id) for every glyph the pages show (WeasyPrint writes Type0 fonts with Identity-H:
    two bytes per glyph, the glyph id; CIDToGIDMap Identity)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    shown = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        content = ContentStream(page.get_contents(), reader)
        font = None
        for operands, operator in content.operations:
            if operator == b"Tf":
                font = fonts[operands[0]].get_object()
            elif operator in (b"Tj", b"TJ"):
                assert font is not None and font["/Subtype"] == "/Type0" and font["/Encoding"] != "/WinAnsiEncoding"
                strings = operands[0] if operator == b"TJ" else [operands[0]]
                for item in strings:
                    if isinstance(item, (bytes, str)) and not isinstance(item, (int, float)):
                        data = item if isinstance(item, bytes) else item.get_original_bytes()
                        shown += [(str(font["/BaseFont"]), int.from_bytes(data[i:i + 2], "big"))
                                  for i in range(0, len(data), 2)]
    return shown


def _pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def notdef_warnings(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    return lambda: [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize(("script", "text"), SCRIPTS, ids=[s for s, _ in SCRIPTS])
def test_every_script_prints_with_the_bundled_fonts(script, text, notdef_warnings):
    pdf = render_pdf(f"<p>{text}</p><h2>{text}</h2>", metadata=METADATA)

    shown = _glyph_ids(pdf)
    assert shown, "no text was drawn"
    assert [font for font, gid in shown if gid == 0] == []  # no .notdef (empty box) anywhere
    assert notdef_warnings() == []
    extracted = _pdftotext(pdf)
    for word in text.split():
        if script in ("Arabic", "Hebrew"):  # right-to-left: extraction order may differ, the letters do not
            assert all(char in extracted for char in word)
        else:
            assert word in extracted


def test_a_character_no_bundled_font_has_would_be_caught(notdef_warnings):
    """The check above can fail: a private-use character has no glyph in any bundled font."""
    pdf = render_pdf("<p>\ue000</p>", metadata=METADATA)
    assert any(gid == 0 for _, gid in _glyph_ids(pdf)) or notdef_warnings()


def test_only_the_bundled_fonts_are_used():
    """The font configuration has no system font: a family the system has (DejaVu is installed by the
    CI's packages) is unknown unless print.css registers it, and every embedded font is a Portal one."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = sandboxed_font_configuration()  # the font map holds the fontconfig configuration alive
    system = fontconfig.FcConfigGetFonts(config._config, fontconfig.FcSetSystem)
    assert system == ffi.NULL or system.nfont == 0
    pdf = render_pdf("<p>Olive Owner 王小明 שלום 🖱 <span style='font-family: DejaVu Sans'>x</span></p>",
                     metadata=METADATA)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = {str(f.get_object()["/BaseFont"]).split("+", 1)[1] for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert names and all(name.startswith("Portal-") for name in names), names


def test_every_pdf_is_tagged_for_screen_readers():
    """PDF/UA-1 (WeasyPrint's pdf_variant): a structure tree, marked content, the language."""
    pdf = render_pdf("<h2>Heading</h2><p>Text</p><ol><li>One</li></ol>", metadata=METADATA)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
