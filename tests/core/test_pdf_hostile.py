"""render_pdf against hostile input: nothing is fetched, nothing leaks, nothing hangs.

Every case of the CORPUS names something that can make WeasyPrint fetch a resource (an element, an
attribute, a CSS property or at-rule), aimed at a local HTTP server that records every connection and
at a secret file in tmp_path. Each case is rendered three ways:

* ``escaped``: as user text, escaped with django.utils.html.escape inside a template-like wrapper —
  the hostile markup must show up literally in the PDF's text;
* ``raw``: as markup, through render_pdf as it is;
* ``fetcher-only``: as markup with the markup sanitiser switched off, so the deny-by-default URL
  fetcher (and the attachment filter) must hold on their own.

For all of them: no connection reached the server, neither the secret marker nor "root:x:0:0" is in
the PDF's text or bytes, and the PDF carries no embedded file.
"""

from __future__ import annotations

import base64
import http.server
import io
import logging
import os
import re
import struct
import threading
import time
import uuid
import zlib

import pypdf
import pytest
from django.utils.html import escape

from deletion_portal.core import pdf as pdf_module
from deletion_portal.core.pdf import (
    ASSETS_DIR,
    AssetOnlyURLFetcher,
    FetchRefused,
    PdfMetadata,
    PdfRenderError,
    render_pdf,
)
from tests.support.processes import free_port

META = PdfMetadata(title="Hostile", author="Tester", subject="Hostile input", language="en")
PASSWD_MARKER = "root:x:0:0"
ZERO_WIDTH_SPACE = "\u200b"


# --- A local server that records every connection -------------------------------------------------


class RecordingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, secret_url: str):
        self.connections: list[tuple] = []
        self.requests: list[str] = []
        self.secret_url = secret_url
        super().__init__(address, RecordingHandler)

    def verify_request(self, request, client_address):
        # Called for every accepted connection, before any HTTP parsing: TLS handshakes count too.
        self.connections.append(client_address)
        return True


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.server.secret_url)
            self.end_headers()
            return
        body = b"p { color: red } /* LEAKED-OVER-HTTP */"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def secret(tmp_path_factory):
    marker = f"SECRET-{uuid.uuid4().hex}"
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(f"{marker}\n{PASSWD_MARKER}:fake\n")
    return marker, path


@pytest.fixture(scope="module")
def module_server(secret):
    _, secret_path = secret
    server = RecordingServer(("127.0.0.1", free_port()), secret_path.as_uri())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def server(module_server):
    module_server.connections.clear()
    module_server.requests.clear()
    return module_server


def test_the_recording_server_really_records():
    """The guard for the guard: a plain urllib request is seen by the server."""
    import urllib.request

    server = RecordingServer(("127.0.0.1", free_port()), "file:///nonexistent")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/probe", timeout=5).read()
    finally:
        server.shutdown()
        server.server_close()
    assert server.connections and server.requests == ["/probe"]


# --- The corpus -----------------------------------------------------------------------------------


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def corpus(http_url: str, secret_url: str) -> dict[str, str]:
    """Name -> hostile HTML. ``http_url`` is http://127.0.0.1:PORT."""
    host = http_url.removeprefix("http://")
    https_url = f"https://{host}"
    scheme_relative = f"//{host}"
    nested_svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' width='20' height='20'>"
        f"<style>@import url({http_url}/svg-import.css);</style>"
        f"<image href='{http_url}/svg-nested.png' width='10' height='10'/>"
        f"<image xlink:href='{secret_url}' width='10' height='10'/>"
        f"<image href='file:///etc/passwd' width='10' height='10'/>"
        f"<use href='{http_url}/sprite.svg#a'/>"
        f"<rect width='5' height='5' fill='url({http_url}/paint.svg#p)'/>"
        "</svg>"
    )
    return {
        "img-http": f'<img src="{http_url}/img.png" alt="">',
        "img-https": f'<img src="{https_url}/img.png" alt="">',
        "img-scheme-relative": f'<img src="{scheme_relative}/img.png" alt="">',
        "img-ftp": f'<img src="ftp://{host}/img.png" alt="">',
        "img-file-passwd": '<img src="file:///etc/passwd" alt="">',
        "img-file-secret": f'<img src="{secret_url}" alt="">',
        "img-redirect-to-secret": f'<img src="{http_url}/redirect" alt="">',
        "img-obfuscated-scheme": f'<img src=" &#104;TtP://{host}/obf.png"><img src="ht\ntp://{host}/nl.png">',
        "img-srcset": f'<img srcset="{http_url}/a.png 1x, {http_url}/b.png 2x" alt="">',
        "image-element": f'<image src="{http_url}/image.png">',
        "picture-source": f'<picture><source srcset="{http_url}/p.png"><img src="{http_url}/p2.png"></picture>',
        "svg-image-href": f'<svg width="20" height="20"><image href="{http_url}/i.png" width="10" height="10"/></svg>',
        "svg-image-xlink": (
            '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">'
            f'<image xlink:href="{secret_url}" width="10" height="10"/></svg>'
        ),
        "svg-use": f'<svg width="20" height="20"><use href="{http_url}/sprite.svg#x"/></svg>',
        "svg-style-and-paint": (
            f'<svg width="20" height="20"><style>@import url({http_url}/svg.css);</style>'
            f'<rect width="5" height="5" fill="url({http_url}/f.svg#g)" filter="url({http_url}/f.svg#f)"/></svg>'
        ),
        "link-stylesheet": f'<link rel="stylesheet" href="{http_url}/s.css">',
        "link-stylesheet-data-importing": (
            f'<link rel="stylesheet" href="data:text/css,@import url({http_url}/d.css);">'
        ),
        "link-attachment-http": f'<link rel="attachment" href="{http_url}/a.txt">',
        "link-attachment-file": '<link rel="attachment" href="file:///etc/passwd">',
        "link-attachment-data": '<link rel="attachment" href="data:text/plain,embedded-by-link">',
        "a-attachment-secret": f'<a rel="attachment" href="{secret_url}">attachment</a>',
        "a-attachment-data": '<a rel="attachment" href="data:text/plain;base64,ZW1iZWRkZWQ=">attachment</a>',
        "a-attachment-asset": '<a rel="attachment" href="asset:fonts/LICENSE-DejaVu.txt">attachment</a>',
        "object-data": f'<object data="{http_url}/o.svg" type="image/svg+xml">fallback</object>',
        "embed-src": f'<embed src="{secret_url}" type="image/svg+xml">',
        "iframe-src": f'<iframe src="{http_url}/frame.html"></iframe>',
        "video-poster": f'<video poster="{http_url}/poster.png" src="{http_url}/v.mp4"></video>',
        "audio-src": f'<audio src="{http_url}/a.mp3"></audio>',
        "input-image": f'<input type="image" src="{http_url}/input.png">',
        "table-background": f'<table background="{http_url}/t.png"><tr><td>x</td></tr></table>',
        "style-import": f'<style>@import url("{http_url}/import.css");</style>',
        "style-font-face": (
            f"<style>@font-face {{ font-family: evil; src: url({http_url}/f.ttf) }} "
            "p { font-family: evil }</style><p>x</p>"
        ),
        "style-color-profile": f"<style>@color-profile --evil {{ src: url({http_url}/p.icc) }}</style>",
        "style-page-margin-box": (
            f"<style>@page {{ background: url({http_url}/page.png); "
            f"@top-center {{ content: url({secret_url}) }} }}</style>"
        ),
        "style-css-escape": f"<style>p {{ background: u\\72l({http_url}/escaped.png) }}</style><p>x</p>",
        "style-attr-background": f'<p style="background: url({http_url}/bg.png)">x</p>',
        "style-list-style-image": (
            f'<ul style="list-style-image: url({http_url}/l.png)"><li>x</li></ul>'
            f"<style>li {{ list-style-image: url({secret_url}) }}</style><ol><li>y</li></ol>"
        ),
        "style-content-url": f"<style>p::before {{ content: url({http_url}/c.png) }}</style><p>x</p>",
        "style-border-image": f'<div style="border: 5px solid; border-image: url({http_url}/b.png) 30">x</div>',
        "style-cursor": f'<p style="cursor: url({http_url}/c.cur), auto">x</p>',
        "style-mask": f'<p style="mask: url({http_url}/m.svg#m); mask-image: url({secret_url})">x</p>',
        "base-href-then-relative": (
            f'<base href="{http_url}/"><img src="relative.png"><link rel=stylesheet href="r.css">'
        ),
        "meta-refresh": f'<meta http-equiv="refresh" content="0; url={http_url}/refresh">',
        "asset-traversal": (
            '<img src="asset:../../settings.py"><img src="asset:/etc/passwd">'
            '<img src="asset:%2e%2e/%2e%2e/settings.py"><img src="asset:fonts/../../pdf.py">'
            '<img src="asset://etc/passwd"><img src="asset:fonts%2f..%2f..%2fpdf.py">'
            "<style>p { background: url(asset:../../../../../../etc/passwd) }</style><p>x</p>"
        ),
        "data-svg-referencing-http-and-file": f'<img src="{svg_data_url(nested_svg)}" alt="">',
        "object-data-svg": f'<object data="{svg_data_url(nested_svg)}" type="image/svg+xml"></object>',
        "inline-svg-with-everything": nested_svg.replace("'", '"'),
        "a-href-file": '<a href="file:///etc/passwd">passwd</a><a href="javascript:alert(1)">js</a>',
    }


# A refused @color-profile source aborts WeasyPrint 70's render instead of skipping the resource.
# Only user CSS can contain one, and the sanitiser removes user CSS, so only the fetcher-only
# variant meets it: there it must fail safely, with a PdfRenderError, having fetched nothing.
ABORTS_WITHOUT_SANITISER = {"style-color-profile"}

CASE_NAMES = sorted(corpus("http://127.0.0.1:1", "file:///secret"))


def render_variant(variant: str, hostile: str, monkeypatch) -> bytes:
    if variant == "escaped":
        return render_pdf(template_like(escape(hostile)), metadata=META)
    if variant == "fetcher-only":
        monkeypatch.setattr(pdf_module, "sanitise_tree", lambda root: 0)
    return render_pdf(hostile, metadata=META)


def template_like(escaped_user_text: str) -> str:
    return (
        '<!doctype html><html><head><title>Letter</title></head><body><p class="recipient">ACME</p>'
        f'<div class="body"><p>{escaped_user_text}</p></div><p class="signature">Signed</p></body></html>'
    )


# --- Assertions shared by every case --------------------------------------------------------------


def extracted_text(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def body_text(reader: pypdf.PdfReader) -> str:
    """The extracted text without each page's footer line ("3/9")."""
    return "\n".join(re.sub(r"\d+/\d+\s*$", "", page.extract_text()) for page in reader.pages)


def squeezed(text: str) -> str:
    """Without whitespace and the zero-width spaces render_pdf inserts into long runs."""
    return "".join(text.replace(ZERO_WIDTH_SPACE, "").split())


def assert_nothing_leaked(
    pdf: bytes, server: RecordingServer, secret_marker: str, read_text: bool = True
) -> pypdf.PdfReader:
    assert server.connections == [], f"the PDF renderer contacted the server: {server.requests}"
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = extracted_text(reader) if read_text else ""  # text extraction is slow on long PDFs
    for needle in (secret_marker, PASSWD_MARKER, "LEAKED-OVER-HTTP"):
        assert needle not in text
        assert needle.encode() not in pdf
        for page in reader.pages:  # also inside decompressed content streams
            assert needle.encode() not in page.get_contents().get_data()
    root = reader.trailer["/Root"]
    assert "/EmbeddedFiles" not in root.get("/Names", {}), "the PDF embeds a file"
    assert not reader.attachments
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            assert annotation.get("/Subtype") != "/FileAttachment"
            uri = str(annotation.get("/A", {}).get("/URI", ""))
            assert not uri.lower().startswith(("file:", "javascript:", "data:")), uri
    return reader


# --- The corpus, three ways -----------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["escaped", "raw", "fetcher-only"])
@pytest.mark.parametrize("name", CASE_NAMES)
def test_hostile_input_fetches_nothing_and_leaks_nothing(name, variant, server, secret, monkeypatch):
    secret_marker, secret_path = secret
    hostile = corpus(f"http://127.0.0.1:{server.server_port}", secret_path.as_uri())[name]

    if variant == "fetcher-only" and name in ABORTS_WITHOUT_SANITISER:
        with pytest.raises(PdfRenderError, match="external resource"):
            render_variant(variant, hostile, monkeypatch)
        assert server.connections == []
        return
    pdf = render_variant(variant, hostile, monkeypatch)

    reader = assert_nothing_leaked(pdf, server, secret_marker)
    if variant == "escaped":
        text = squeezed(extracted_text(reader))
        assert squeezed(hostile) in text, "escaped markup must appear literally in the letter"


def test_the_fetcher_logs_what_it_refuses(server, secret, monkeypatch, caplog):
    """With the sanitiser off, the refusals happen in the fetcher, and each one is logged."""
    _, secret_path = secret
    monkeypatch.setattr(pdf_module, "sanitise_tree", lambda root: 0)
    html = f'<img src="http://127.0.0.1:{server.server_port}/x.png"><img src="{secret_path.as_uri()}">'
    with caplog.at_level(logging.WARNING, logger="deletion_portal.core.pdf"):
        render_pdf(html, metadata=META)
    refused = [r.getMessage() for r in caplog.records if r.name == "deletion_portal.core.pdf"]
    assert any("refused to fetch" in m and "http://127.0.0.1" in m for m in refused), refused
    assert any("refused to fetch" in m and "file://" in m for m in refused), refused
    assert any("2 resource(s) refused" in m for m in refused), refused
    assert server.connections == []


# --- Size, depth, odd characters ------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["escaped", "raw"])
def test_huge_input_is_refused(variant, server):
    huge = "<b>hostile</b> " * (3 * 1024 * 1024 // 15 + 1)
    html = template_like(escape(huge)) if variant == "escaped" else huge
    started = time.monotonic()
    with pytest.raises(PdfRenderError, match="too large to render"):
        render_pdf(html, metadata=META)
    assert time.monotonic() - started < 1
    assert server.connections == []


@pytest.mark.parametrize("tag", ["div", "b"])
def test_deep_nesting_as_escaped_text_renders_as_text(tag, server, secret):
    nested = f"<{tag}>" * 10_000 + "bottom"
    started = time.monotonic()
    pdf = render_pdf(template_like(escape(nested)), metadata=META, max_pages=30)
    assert time.monotonic() - started < 15
    reader = assert_nothing_leaked(pdf, server, secret[0], read_text=False)
    assert f"<{tag}>" * 10 in squeezed(reader.pages[0].extract_text())
    assert f"<{tag}>bottom" in squeezed(reader.pages[-1].extract_text())


@pytest.mark.parametrize("tag", ["div", "b", "span"])
def test_deep_nesting_as_markup_is_refused_quickly(tag, server):
    nested = f"<{tag}>" * 10_000 + "bottom" + f"</{tag}>" * 10_000
    started = time.monotonic()
    with pytest.raises(PdfRenderError, match="nested too deeply"):
        render_pdf(nested, metadata=META)
    assert time.monotonic() - started < 2


def test_nesting_that_fools_the_estimate_is_caught_after_parsing(server):
    # The estimate pairs every end tag with a start tag; the parser ignores the stray </x>, so
    # this is 150 nested <blockquote>s that only the check on the parsed tree sees.
    html = "<blockquote></x>" * 150 + "deep"
    assert pdf_module.estimated_depth(html) <= pdf_module.MAX_DEPTH
    with pytest.raises(PdfRenderError, match="nested too deeply"):
        render_pdf(html, metadata=META)


@pytest.mark.parametrize("variant", ["escaped", "raw"])
def test_unicode_direction_zero_width_and_nul_characters(variant, server, secret, caplog):
    odd = (
        "Latin start \u202eevil override\u202c \u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 "
        "zero\u200bwidth\u200d\u200c\ufeffjoiners \x00nul\x00 \ufffe\uffff tab\tand\x0bcontrol\x1b[31m "
        "emoji \U0001f469\U0001f3fd\u200d\U0001f4bb combining e\u0301\u0301\u0301\u0301 Latin end"
    )
    html = template_like(escape(odd)) if variant == "escaped" else f"<p dir=rtl>{odd}</p>"
    reader = assert_nothing_leaked(render_pdf(html, metadata=META), server, secret[0])
    # pypdf 6 mis-decodes a ToUnicode CMap holding a surrogate pair (the emoji) and returns that
    # font's text as UTF-16 with NUL bytes; pdftotext reads the same PDF correctly.
    text = extracted_text(reader).replace("\x00", "")
    assert "Latin start" in text and "Latin end" in text
    assert "\u05e9\u05dc\u05d5\u05dd" in text  # Hebrew, in logical order
    unprintable = [r.getMessage() for r in caplog.records if "U+001B" in r.getMessage() or "U+FFFE" in r.getMessage()]
    assert unprintable == [], "control characters and noncharacters must be removed, not printed as boxes"


def test_a_very_long_unbroken_word_wraps_quickly(server, secret):
    word = "A" * 20_000 + "END"
    started = time.monotonic()
    pdf = render_pdf(template_like(escape(word)), metadata=META)
    assert time.monotonic() - started < 5  # WeasyPrint alone needs ~10 s to split such a word
    reader = assert_nothing_leaked(pdf, server, secret[0])
    assert 2 <= len(reader.pages) <= 20
    assert word in squeezed(body_text(reader))


def test_raw_heavy_markup_is_bounded_by_the_timeout(server):
    heavy = "<table>" + "<tr>" + "<td>cell</td>" * 200 + "</tr>" * 1 + "</table>" + "<p>" + "x " * 50_000
    started = time.monotonic()
    with pytest.raises(PdfRenderError):
        render_pdf(heavy, metadata=META, timeout_seconds=0.5, max_pages=1000)
    assert time.monotonic() - started < 3


# --- The URL fetcher on its own -------------------------------------------------------------------


def fetch(fetcher: AssetOnlyURLFetcher, url: str) -> bytes:
    response = fetcher.fetch(url)
    try:
        return response.read()
    finally:
        response.close()


def test_the_fetcher_serves_bundled_assets_and_data_urls():
    fetcher = AssetOnlyURLFetcher()
    assert fetch(fetcher, "asset:fonts/DejaVuSerif.ttf") == (ASSETS_DIR / "fonts" / "DejaVuSerif.ttf").read_bytes()
    response = fetcher.fetch("asset:logo.svg")
    assert response.content_type == "image/svg+xml" and b"<svg" in response.read()
    assert fetch(fetcher, "data:text/plain;base64,aGVsbG8=") == b"hello"
    assert fetcher.refused == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x", "https://127.0.0.1:1/x", "HTTP://127.0.0.1:1/x", "ftp://127.0.0.1:1/x",
        "file:///etc/passwd", "FILE:///etc/passwd", "gopher://127.0.0.1:1/", "jar:file:///x!/y", "about:blank",
        "javascript:alert(1)", "relative/path.png", "//127.0.0.1:1/x",
        "asset:../../settings.py", "asset:/etc/passwd", "asset://etc/passwd", "asset:%2e%2e/%2e%2e/settings.py",
        "asset:fonts/../../pdf.py", "asset:fonts%2f..%2f..%2fpdf.py", "asset:fonts\\..\\..\\pdf.py",
        "asset:./print.css", "asset:fonts//DejaVuSans.ttf", "asset:", "asset:fonts", "asset:missing.png",
        "asset:fonts/DejaVuSans.ttf%00.png",
    ],
)
def test_the_fetcher_refuses_everything_else(url, caplog):
    fetcher = AssetOnlyURLFetcher()
    with caplog.at_level(logging.WARNING, logger="deletion_portal.core.pdf"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert fetcher.refused == 1
    assert any("refused to fetch" in r.getMessage() for r in caplog.records)


def test_the_fetcher_has_no_urllib_handlers_left():
    fetcher = AssetOnlyURLFetcher()
    assert fetcher.handlers == []
    with pytest.raises(FetchRefused):
        fetcher.open("http://127.0.0.1:1/x")


def test_the_fetcher_does_not_follow_symlinks_out_of_the_assets(tmp_path, secret):
    _, secret_path = secret
    assets = tmp_path / "assets"
    (assets / "fonts").mkdir(parents=True)
    (assets / "fonts" / "ok.txt").write_text("inside")
    os.symlink(secret_path, assets / "fonts" / "escape.txt")
    os.symlink(secret_path.parent, assets / "outside")
    os.symlink(assets / "fonts" / "ok.txt", assets / "inner-link.txt")
    fetcher = AssetOnlyURLFetcher(assets_dir=assets)

    assert fetch(fetcher, "asset:fonts/ok.txt") == b"inside"
    assert fetch(fetcher, "asset:inner-link.txt") == b"inside"  # a symlink that stays inside is fine
    for url in ("asset:fonts/escape.txt", "asset:outside/secret.txt"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_the_fetcher_refuses_decompression_bombs():
    fetcher = AssetOnlyURLFetcher()
    for width, height in ((8_000, 8_000), (100_000, 100_000)):  # ours, and Pillow's own limit
        bomb = "data:image/png;base64," + base64.b64encode(png_header(width, height)).decode()
        with pytest.raises(FetchRefused, match="image too large"):
            fetcher.fetch(bomb)
    small = "data:image/png;base64," + base64.b64encode(png_header(10, 10)).decode()
    assert fetcher.fetch(small).read().startswith(b"\x89PNG")
