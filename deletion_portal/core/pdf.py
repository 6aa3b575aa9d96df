"""The one place the portal turns HTML into PDF (WeasyPrint 70).

Everything that produces a PDF calls :func:`render_pdf`; no other code renders with WeasyPrint.
The letter templates share one print stylesheet, ``assets/print.css`` (see :func:`print_stylesheet`).

Security invariants enforced here (tests/core/test_pdf_hostile.py fails if one breaks):

* **No network, no file system.** Every resource WeasyPrint wants (images, stylesheets, fonts, SVG
  references, PDF attachments) goes through :class:`AssetOnlyURLFetcher`, which denies by default:
  it serves only ``data:`` URLs and ``asset:<path>`` files that resolve (after ``..`` and symlinks)
  to a regular file inside ``deletion_portal/core/assets/``. ``http``, ``https``, ``ftp``, ``file``
  and every other scheme are refused and logged; the letter still renders, without the resource.
  HTTP redirects cannot happen because nothing speaks HTTP. ``base_url`` is always ``None``.
* **Only the bundled fonts.** Letters are laid out with the fonts in ``assets/fonts`` and nothing else:
  the font configuration starts from an empty fontconfig configuration (no system or user fonts), and
  print.css registers the bundled fonts with ``@font-face``. A letter therefore prints the same on
  every machine, and every script a user can type (Latin, Greek and Cyrillic in DejaVu; Chinese,
  Japanese and Korean in a Noto Sans CJK subset; Arabic; Hebrew; emoji in Noto Emoji) has a glyph —
  see ``assets/fonts/COVERAGE.txt`` and tests/core/test_pdf_scripts.py.
* **Tagged PDF.** Every PDF is tagged (a structure tree that screen readers read; ``/StructTreeRoot``)
  and written as PDF/UA-1 (``pdf_variant="pdf/ua-1"``), which also sets the title display and /Lang.
* **No user CSS.** The only stylesheets are the bundled ``assets/print.css`` and the footer rule
  built here (its text escaped for a CSS string). ``presentational_hints`` is off.
* **Defence in depth on the markup.** Letter templates autoescape user text, so user text can never
  become markup. Even so, the parsed tree is cleaned before layout: ``<link>``, ``<style>``,
  ``<script>``, ``<iframe>``, ``<object>``, ``<embed>``, ``<base>``, ``<meta>``, ``<title>`` (and a
  few similar elements) are removed with their content; every ``style`` and ``rel`` attribute is
  removed (``rel=attachment`` would embed files); URL attributes (``src``, ``href``, ``srcset``,
  ``data``, ``poster``, ``xlink:href`` …) survive only when they point to ``data:``/``asset:`` or to
  a ``#fragment`` — on ``<a>`` only ``http(s):``/``mailto:``/``tel:`` or a fragment (a link
  annotation, which is never fetched). Event handler (``on*``) attributes, any attribute holding a
  non-fragment ``url(…)``, comments and processing instructions go too. The fetcher, not this
  cleaning, is the guarantee; the cleaning makes the guarantee not depend on one layer.
* **Attachments and links.** No embedded files are ever written: the PDF metadata is replaced
  wholesale (dropping ``<link rel=attachment>`` files), and after layout only internal links and
  ``http(s):``/``mailto:``/``tel:`` links are kept — ``<a rel=attachment>`` is dropped even if the
  sanitiser missed it, because the fetcher does serve ``data:`` URLs.
* **Printable text.** Control characters (but tab and newlines) and Unicode noncharacters are removed
  from text, and a zero-width space is inserted every 50 characters of runs longer than 100 without
  a space (WeasyPrint splits a long word in quadratic time; 20 000 characters took ~10 s).
* **Bounded work.** HTML over 2 MB (UTF-8) and markup nested deeper than 100 elements are refused
  before layout (the parser itself is quadratic in depth, so depth is first estimated from the tags,
  then checked on the parsed tree); text that could not fit in ``max_pages`` pages is refused before
  layout; a document over ``max_pages`` pages is refused before it is written; the wall-clock limit
  ``timeout_seconds`` is enforced with ``SIGALRM`` when called on the main thread (Celery prefork
  workers, management commands, gunicorn sync workers). In any other thread Python cannot interrupt
  the render, so there the size, depth and text caps are the only bound — render letters in a
  worker, not in a web request thread. Renders are serialised by a process-wide lock, because the
  cached FontConfiguration is shared.

Every failure the user may see is a :class:`PdfRenderError` whose message is safe to display.

The output is deterministic: the same HTML, metadata, paper and footer give byte-identical PDFs, in
this process or another (no creation/modification date, no /ID file identifier; font subset names
are derived from the content), so a letter's SHA-256 is reproducible — with the same WeasyPrint,
Pango and HarfBuzz versions. The letter's date lives in the ``Letter`` row and in the letter text,
not in the PDF info dict. Bulk jobs render inside :func:`line_layout_cache` (``core/pdf_lines.py``:
line breaks and shaped lines shared between letters); the bytes are the same as without it.
"""

from __future__ import annotations

import functools
import io
import logging
import mimetypes
import re
import signal
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal
from urllib import request
from urllib.parse import unquote

import cssselect2
import weasyprint
from weasyprint.document import DocumentMetadata
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

# The bulk path's cross-letter cache of line breaks (see core/pdf_lines.py), offered here beside render_pdf.
from deletion_portal.core.pdf_lines import LineCacheStats, line_layout_cache  # noqa: F401

logger = logging.getLogger(__name__)

Paper = Literal["A4", "Letter"]
PAPERS: dict[str, str] = {"A4": "A4", "Letter": "letter"}  # our name -> CSS page size keyword

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
PRINT_CSS = ASSETS_DIR / "print.css"

MAX_HTML_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 100
# About twice the densest page print.css produces (8 pt "iiii…" fills a page with ~9 000 characters):
# more text than max_pages * this cannot fit, so it is refused before the (slow) layout.
MAX_TEXT_CHARS_PER_PAGE = 20_000
LONG_RUN = 100  # unbroken runs longer than this get a zero-width space every BREAK_EVERY characters
BREAK_EVERY = 50
MAX_IMAGE_PIXELS = 40_000_000  # a data: image larger than this is refused (decompression bombs)
_REFIRE_SECONDS = 0.05  # after the deadline the alarm repeats, in case a library swallowed it once

# CLDR supplementalData "paperSize": the territories that use US Letter. Everyone else uses A4.
US_LETTER_COUNTRIES = frozenset("BZ CA CL CO CR GT MX NI PA PH PR SV US VE".split())

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class PdfMetadata:
    title: str
    author: str
    subject: str
    language: str  # BCP 47, e.g. "de": sets <html lang> (hyphenation, :lang) and the PDF /Lang
    keywords: tuple[str, ...] = ()


class PdfRenderError(Exception):
    """Rendering was refused or failed. The message is safe to show to the user."""


class _RenderTimeout(BaseException):
    """Raised by the SIGALRM handler. A BaseException so WeasyPrint's ``except Exception`` blocks
    (image loading, fetching) cannot swallow it; :func:`render_pdf` turns it into PdfRenderError."""


class FetchRefused(ValueError):
    """The URL fetcher refused a URL. WeasyPrint logs it and renders without the resource."""


def paper_for_country(country: str) -> Paper:
    """ "Letter" for the CLDR US-Letter territories (US, CA, MX, …), "A4" for everyone else."""
    return "Letter" if (country or "").strip().upper() in US_LETTER_COUNTRIES else "A4"


# --- The URL fetcher ------------------------------------------------------------------------------


class AssetOnlyURLFetcher(URLFetcher):
    """A deny-by-default WeasyPrint URL fetcher: ``data:`` URLs and bundled ``asset:`` files only.

    ``asset:fonts/DejaVuSerif.ttf`` is ``<assets_dir>/fonts/DejaVuSerif.ttf``. The path must be
    relative, must not contain empty, ``.`` or ``..`` segments (also when %-encoded), and must
    resolve — symlinks followed — to a regular file inside ``assets_dir``.

    Anything else raises :class:`FetchRefused` (a ValueError): WeasyPrint catches it, logs it and
    goes on without the resource, so a hostile letter still renders. Each refusal is logged on
    ``deletion_portal.core.pdf`` and counted in ``refused``.
    """

    def __init__(self, assets_dir: Path = ASSETS_DIR):
        super().__init__(allowed_protocols=("data", "asset"), allow_redirects=False, fail_on_errors=False)
        # URLFetcher is a urllib OpenerDirector with http/ftp/file handlers installed. Reset it to an
        # opener without any handler, so that no code path can reach them even by accident.
        request.OpenerDirector.__init__(self)
        self.assets_dir = Path(assets_dir).resolve()
        self.refused = 0

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
        if scheme == "data":
            return self._fetch_data(url)
        if scheme == "asset":
            return self._fetch_asset(url)
        self._refuse(url, "scheme not allowed")

    def _refuse(self, url: str, why: str):
        self.refused += 1
        shown = url if len(url) <= 80 else url[:77] + "..."
        logger.warning("PDF rendering: refused to fetch %r (%s)", shown, why)
        raise FetchRefused(f"Refused to fetch {shown!r}: {why}")

    def _fetch_data(self, url: str) -> URLFetcherResponse:
        try:
            response = request.DataHandler().data_open(request.Request(url))
        except Exception:
            self._refuse(url, "malformed data: URL")
        body = response.read()
        content_type = response.headers.get("Content-Type", "text/plain")
        if content_type.startswith("image/") and "svg" not in content_type:
            self._check_image_size(url, body)
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _check_image_size(self, url: str, body: bytes) -> None:
        from PIL import Image  # WeasyPrint depends on Pillow

        try:
            with Image.open(io.BytesIO(body)) as image:  # reads the header only
                width, height = image.size
        except Image.DecompressionBombError:
            self._refuse(url, "image too large (Pillow's decompression bomb limit)")
        except Exception:
            return  # not an image Pillow knows; WeasyPrint will fail on it in the same way
        if width * height > MAX_IMAGE_PIXELS:
            self._refuse(url, f"image too large ({width}x{height} pixels)")

    def _fetch_asset(self, url: str) -> URLFetcherResponse:
        raw = url.split(":", 1)[1].split("?", 1)[0].split("#", 1)[0]
        relative = unquote(raw)
        parts = relative.split("/")
        if (
            not relative
            or relative.startswith("/")
            or "\\" in relative
            or "\x00" in relative
            or any(part in ("", ".", "..") for part in parts)
        ):
            self._refuse(url, "not a plain relative asset path")
        path = (self.assets_dir / relative).resolve()
        if not path.is_relative_to(self.assets_dir) or not path.is_file():
            self._refuse(url, "not a file inside the assets directory")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix in (".ttf", ".otf"):
            content_type = f"font/{path.suffix[1:]}"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


# --- Stylesheets ----------------------------------------------------------------------------------


_FC_CREATE = threading.Lock()
_FC_DECLARED: list[bool] = []


def _empty_fontconfig():
    """A new, empty fontconfig configuration: no configuration file read, no font directory scanned."""
    from weasyprint.text.ffi import ffi, fontconfig

    with _FC_CREATE:
        if not _FC_DECLARED:
            ffi.cdef("FcConfig * FcConfigCreate (void);")  # not among WeasyPrint's declarations
            _FC_DECLARED.append(True)
    return fontconfig.FcConfigCreate()


#: Every letter is a tagged PDF (PDF/UA-1: a structure tree screen readers can follow).
PDF_VARIANT = "pdf/ua-1"


def sandboxed_font_configuration():
    """A WeasyPrint FontConfiguration that knows only the fonts added with ``@font-face`` (the bundled
    ones), not the system's or the user's: WeasyPrint's own starts from the system configuration."""
    from weasyprint.text.ffi import ffi, gobject, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    class SandboxedFontConfiguration(FontConfiguration):
        def __init__(self):
            self._config = _empty_fontconfig()
            self.font_map = ffi.gc(pangoft2.pango_ft2_font_map_new(), gobject.g_object_unref)
            pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", self.font_map), self._config)
            from weasyprint.text.ffi import fontconfig

            fontconfig.FcConfigDestroy(self._config)  # the font map keeps its own reference
            self._folder = None
            self.strut_layouts = {}
            self.font_features = {}

    return SandboxedFontConfiguration()


@functools.cache
def _stylesheet_and_fonts(paper: str) -> tuple[weasyprint.CSS, weasyprint.text.fonts.FontConfiguration]:
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {sorted(PAPERS)}, not {paper!r}")
    font_config = sandboxed_font_configuration()
    css_text = PRINT_CSS.read_text(encoding="utf-8") + f"\n@page {{ size: {PAPERS[paper]}; }}\n"
    css = weasyprint.CSS(
        string=css_text, base_url=None, url_fetcher=AssetOnlyURLFetcher(), font_config=font_config
    )
    return css, font_config


def print_stylesheet(paper: Paper) -> weasyprint.CSS:
    """The parsed print stylesheet for ``paper`` ("A4" or "Letter"), cached per process.

    Speed feature: parsing print.css and loading its bundled fonts (registering them with
    fontconfig, ~9 MB) costs tens of milliseconds; it happens once per paper size and process,
    then every letter reuses the same CSS object and its FontConfiguration.
    """
    return _stylesheet_and_fonts(paper)[0]


def css_string(text: str) -> str:
    """``text`` as a double-quoted CSS string literal that cannot break out of its quotes.

    Letters, digits, spaces and harmless punctuation pass through; every other character becomes a
    6-digit CSS escape (which needs no terminating space). Control characters become spaces.
    """
    out = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs"):
            out.append(" ")
        elif char.isalnum() or char in " .,-_:/#()[]+=@!?&%*|~·–—":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return '"' + "".join(out) + '"'


def _footer_css(footer: str) -> weasyprint.CSS:
    """The running footer: ``footer`` with ``{page}`` and ``{pages}`` replaced by the page counters.

    Without placeholders, " · {page}/{pages}" is appended: every page of a letter is numbered, so a
    missing page is visible. An empty footer gives just "{page}/{pages}".
    """
    if "{page}" not in footer and "{pages}" not in footer:
        footer = (footer + " · " if footer.strip() else "") + "{page}/{pages}"
    pieces = []
    for token in re.split(r"(\{page\}|\{pages\})", footer):
        if token == "{page}":
            pieces.append("counter(page)")
        elif token == "{pages}":
            pieces.append("counter(pages)")
        elif token:
            pieces.append(css_string(token))
    rule = "@page { @bottom-center { content: %s; } }" % " ".join(pieces)
    return weasyprint.CSS(string=rule, base_url=None, url_fetcher=AssetOnlyURLFetcher())


# --- Markup cleaning ------------------------------------------------------------------------------

_DROPPED_ELEMENTS = frozenset(
    "link style script noscript template iframe frame frameset object embed applet base meta title "
    "video audio source track portal".split()
)
_URL_ATTRIBUTES = frozenset(
    "src srcset href data poster background lowsrc dynsrc action formaction codebase cite longdesc "
    "usemap manifest icon ping archive classid profile".split()
)
_FETCHABLE_SCHEMES = ("data:", "asset:")
_LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_URL_FUNCTION = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")


# Elements whose end tag may be omitted never nest within themselves; leave them out of the
# pre-parse depth estimate so that valid HTML with unclosed <p>/<li>/<td> is not over-counted.
_OPTIONAL_END = frozenset(
    "p li dt dd tr td th option optgroup rt rp rb rtc thead tbody tfoot colgroup caption html head body "
    "area base br col embed hr img input link meta source track wbr".split()
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_LONG_RUN = re.compile(r"[^\s\u200b]{%d,}" % (LONG_RUN + 1))


def estimated_depth(html: str) -> int:
    """An upper-bound-ish estimate of the nesting depth, from tags alone, without parsing.

    The HTML parser is quadratic in nesting depth (10 000 nested <div> take ~10 s to parse), so
    absurd nesting is refused before parsing; the exact check runs on the parsed tree.
    """
    depth = deepest = 0
    for match in _TAG.finditer(html):
        if match[2].lower() in _OPTIONAL_END:
            continue
        if match[1]:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _clean_text(text: str | None) -> str | None:
    """Printable text: control characters (but tab and newlines) and noncharacters removed, and a
    zero-width space every BREAK_EVERY characters in unbroken runs longer than LONG_RUN.

    Control characters and noncharacters have no glyph (they would print as .notdef boxes).
    WeasyPrint's line breaking is quadratic in the length of a word it has to split (a 20 000
    character word takes ~10 s); short chunks keep it linear. The visible text is unchanged.
    """
    if not text:
        return text
    text = _UNPRINTABLE.sub("", text)
    if len(text) <= LONG_RUN:
        return text
    return _LONG_RUN.sub(
        lambda m: "\u200b".join(m[0][i : i + BREAK_EVERY] for i in range(0, len(m[0]), BREAK_EVERY)), text
    )


def _local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _url_allowed(element_name: str, value: str) -> bool:
    url = _IGNORED_IN_URLS.sub("", value).lower()
    if url.startswith("#"):
        return True
    if element_name == "a":  # a link annotation: never fetched, but no data:/file:/javascript: either
        return url.startswith(_LINK_SCHEMES)
    return url.startswith(_FETCHABLE_SCHEMES)


def _remove(parent, child) -> None:
    """Remove ``child`` (and its content) from ``parent``, keeping the text that follows it."""
    if child.tail:
        index = list(parent).index(child)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def sanitise_tree(root) -> int:
    """Clean a parsed (tinyhtml5) tree in place, as described in the module docstring.

    Iterative, so deep trees cannot exhaust the Python stack; refuses trees deeper than MAX_DEPTH.
    Returns the number of text characters left in the tree.
    """
    text_chars = 0
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PdfRenderError(f"The letter is nested too deeply to render (more than {MAX_DEPTH} levels).")
        name = _local_name(element.tag) if isinstance(element.tag, str) else ""
        for attribute, value in list(element.attrib.items()):
            local = _local_name(attribute)
            if (
                local in ("style", "rel", "srcset")
                or local.startswith("on")
                or (local in _URL_ATTRIBUTES and not _url_allowed(name, value))
                or _URL_FUNCTION.search(value)
            ):
                del element.attrib[attribute]
        for child in list(element):
            if not isinstance(child.tag, str) or _local_name(child.tag) in _DROPPED_ELEMENTS:
                _remove(element, child)  # comments, processing instructions, dropped elements
        element.text = _clean_text(element.text)
        text_chars += len(element.text or "")
        for child in element:
            child.tail = _clean_text(child.tail)
            text_chars += len(child.tail or "")
            stack.append((child, depth + 1))
    return text_chars


# --- Time limit -----------------------------------------------------------------------------------


def _alarm_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise _RenderTimeout in the block after ``seconds`` (main thread only; else no limit).

    Any SIGALRM timer already running (pytest-timeout, a caller's own alarm) is respected: if it is
    due first, our deadline fires then (the render is aborted), and afterwards the previous handler
    and the previous timer's remaining time are restored, so it still fires.
    """
    if not _alarm_available():
        yield
        return
    state = {"active": True}

    def on_alarm(signum, frame):
        if state["active"]:
            raise _RenderTimeout()

    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds, _REFIRE_SECONDS)
    if previous_delay and previous_delay < seconds:
        signal.setitimer(signal.ITIMER_REAL, previous_delay, _REFIRE_SECONDS)
    try:
        yield
    finally:
        while True:  # a pending alarm may be delivered on any bytecode; make the switch-off stick
            try:
                state["active"] = False
                break
            except _RenderTimeout:
                continue
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            remaining = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001), previous_interval)


# --- Rendering ------------------------------------------------------------------------------------

_RENDER_LOCK = threading.Lock()  # one render at a time per process: the FontConfiguration is shared


def _pdf_metadata(metadata: PdfMetadata) -> DocumentMetadata:
    return DocumentMetadata(
        title=metadata.title or None,
        authors=[metadata.author] if metadata.author else [],
        description=metadata.subject or None,
        keywords=[k for k in metadata.keywords if k],
        lang=metadata.language,
        # No dates (deterministic output), no attachments, no custom fields, no XMP extras.
    )


def _link_allowed(link_type: str, target: object) -> bool:
    """Keep internal links and http(s)/mailto/tel links; drop ``rel=attachment`` and other schemes."""
    if link_type == "internal":
        return True
    return link_type == "external" and isinstance(target, str) and target.lower().startswith(_LINK_SCHEMES)


def _check_arguments(html: str, metadata: PdfMetadata, paper: str, max_pages: int, timeout_seconds: float) -> None:
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {sorted(PAPERS)}, not {paper!r}")
    if not _LANGUAGE_TAG.match(metadata.language or ""):
        raise ValueError(f"metadata.language must be a BCP 47 tag such as 'de', not {metadata.language!r}")
    if timeout_seconds <= 0 or max_pages < 1:
        raise ValueError("timeout_seconds and max_pages must be positive")


def _check_size(html: str) -> None:
    size = len(html) if len(html) > MAX_HTML_BYTES else len(html.encode("utf-8", "surrogatepass"))
    if size > MAX_HTML_BYTES:
        raise PdfRenderError(
            f"The letter is too large to render: {size / 1024 / 1024:.1f} MB, "
            f"the limit is {MAX_HTML_BYTES // 1024 // 1024} MB."
        )
    if estimated_depth(html) > MAX_DEPTH:
        raise PdfRenderError(f"The letter is nested too deeply to render (more than {MAX_DEPTH} levels).")


def _layout(html: str, *, metadata: PdfMetadata, paper: str, footer: str, max_pages: int, fetcher: URLFetcher):
    """Parse, clean and lay out one document (the caller holds the lock and the deadline)."""
    stylesheet, font_config = _stylesheet_and_fonts(paper)
    document_html = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    root = document_html.etree_element
    text_chars = sanitise_tree(root)
    if text_chars > max_pages * MAX_TEXT_CHARS_PER_PAGE:
        raise PdfRenderError(f"The letter is too long: over {max_pages} pages, the limit is {max_pages}.")
    root.set("lang", metadata.language)
    # Rebuild what HTML() derived from the unsanitised tree: <base href> is gone, and the
    # selector wrapper must see the cleaned tree.
    document_html.base_url = None
    document_html.wrapper_element = cssselect2.ElementWrapper.from_html_root(root)
    document_html.etree_element = document_html.wrapper_element.etree_element

    document = document_html.render(
        font_config=font_config, stylesheets=[stylesheet, _footer_css(footer)], presentational_hints=False
    )
    if len(document.pages) > max_pages:
        raise PdfRenderError(f"The letter is too long: {len(document.pages)} pages, the limit is {max_pages}.")
    document.metadata = _pdf_metadata(metadata)  # replaces <link rel=attachment> files too
    for page in document.pages:  # second layer behind the sanitiser: no file attachments
        page.links[:] = [link for link in page.links if _link_allowed(link[0], link[1])]
    return document


@contextmanager
def _render_errors(timeout_seconds: float) -> Iterator[None]:
    """Turn every failure of a render into a PdfRenderError whose message is safe to show."""
    try:
        yield
    except _RenderTimeout:
        raise PdfRenderError(
            f"The letter took too long to render (the limit is {timeout_seconds:g} seconds)."
        ) from None
    except PdfRenderError:
        raise
    except RecursionError:
        raise PdfRenderError("The letter is nested too deeply to render.") from None
    except URLFetchingError:
        # Most refused fetches only drop the resource; a few (e.g. @color-profile, reachable only
        # through CSS, which the sanitiser removes) abort WeasyPrint 70's whole render.
        raise PdfRenderError("The letter refers to an external resource, which is not allowed.") from None
    except Exception as exc:
        # Exception messages may quote the letter; log the type only (no personal data in logs).
        logger.error("PDF rendering failed with %s", type(exc).__name__)
        raise PdfRenderError("The letter could not be rendered as a PDF.") from exc


def render_pdf(
    html: str,
    *,
    metadata: PdfMetadata,
    paper: Paper = "A4",
    footer: str = "",
    max_pages: int = 20,
    timeout_seconds: float = 20.0,
) -> bytes:
    """Render ``html`` (a full document or a fragment) to PDF bytes, safely.

    ``footer`` is plain text for the bottom of every page; ``{page}`` and ``{pages}`` in it become the
    page number and count (e.g. ``"AB12CD · page {page} of {pages}"``). Raises PdfRenderError (with a
    message safe for the user) when the input is too large or too deeply nested, when the result
    would exceed ``max_pages`` pages, when rendering takes longer than ``timeout_seconds`` (main
    thread only, see the module docstring) or when WeasyPrint fails.
    """
    _check_arguments(html, metadata, paper, max_pages, timeout_seconds)
    _check_size(html)
    _stylesheet_and_fonts(paper)  # before the clock starts: cached anyway
    fetcher = AssetOnlyURLFetcher()
    with _render_errors(timeout_seconds), _deadline(timeout_seconds), _RENDER_LOCK:
        document = _layout(html, metadata=metadata, paper=paper, footer=footer, max_pages=max_pages, fetcher=fetcher)
        pdf = document.write_pdf(pdf_identifier=False, pdf_variant=PDF_VARIANT)
    if fetcher.refused:
        logger.warning("PDF rendering: %d resource(s) refused for this document", fetcher.refused)
    return pdf


# --- Batches (bulk letters) -------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfInput:
    """One document of a batch: what :func:`render_pdf` takes."""

    html: str
    metadata: PdfMetadata
    paper: Paper = "A4"
    footer: str = ""
    max_pages: int = 20


@dataclass(frozen=True)
class RenderedPdf:
    """One document of a batch: its PDF and page count, or the reason it failed (safe to show)."""

    pdf: bytes = b""
    pages: int = 0
    error: str = ""


def render_pdf_batch(inputs: Sequence[PdfInput], *, timeout_seconds: float = 20.0) -> list[RenderedPdf]:
    """Render many documents in one go; each result is byte-for-byte what :func:`render_pdf` gives for the
    same input (so a letter's SHA-256 does not depend on the path that rendered it), with the same sandbox
    (the deny-by-default fetcher, the cleaning, the limits; ``timeout_seconds`` per document).

    One document failing does not stop the others: its result carries the error. What the batch saves is
    the per-call set-up (argument checks, the lock, the timer, the cached stylesheet and fonts) and, above
    all, repeated line breaking: the batch runs inside :func:`line_layout_cache` (``core.pdf_lines``). Rendering
    many letters as ONE WeasyPrint document and splitting it by page ranges was measured and is slower per
    letter (layout grows faster than linearly with the document), and it cannot give each letter its own
    "page 1 of N" footer, so each letter keeps its own layout (README, "Bulk letters").
    """
    results: list[RenderedPdf] = []
    with line_layout_cache(), _RENDER_LOCK:
        for item in inputs:
            _check_arguments(item.html, item.metadata, item.paper, item.max_pages, timeout_seconds)
            _stylesheet_and_fonts(item.paper)
            fetcher = AssetOnlyURLFetcher()
            try:
                _check_size(item.html)
                with _render_errors(timeout_seconds), _deadline(timeout_seconds):
                    document = _layout(item.html, metadata=item.metadata, paper=item.paper, footer=item.footer,
                                       max_pages=item.max_pages, fetcher=fetcher)
                    pdf = document.write_pdf(pdf_identifier=False, pdf_variant=PDF_VARIANT)
            except PdfRenderError as error:
                results.append(RenderedPdf(error=str(error)))
                continue
            if fetcher.refused:
                logger.warning("PDF rendering: %d resource(s) refused for this document", fetcher.refused)
            results.append(RenderedPdf(pdf=pdf, pages=len(document.pages)))
    return results


def merge_pdfs(parts: Iterable[bytes], out: BinaryIO) -> list[int]:
    """Concatenate PDFs (e.g. every letter of a bulk job, for printing) into ``out``; returns each part's number
    of pages. The parts are our own rendered letters; nothing is fetched or rendered here.

    pikepdf (qpdf, C++) copies the pages' objects without parsing them in Python: for 100 four-page letters it
    takes a few per cent of the time pypdf took, which re-parsed every object of every letter (README, "Bulk
    letters"). The output carries a deterministic /ID (the same parts give the same bytes)."""
    import pikepdf

    merged = pikepdf.new()
    sources = []  # open until saved: the merged pages refer to their objects
    pages = []
    try:
        for part in parts:
            source = pikepdf.open(io.BytesIO(part))
            sources.append(source)
            pages.append(len(source.pages))
            merged.pages.extend(source.pages)
        merged.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    finally:
        for source in sources:
            source.close()
        merged.close()
    return pages


def plain_weasyprint_pdf(html: str) -> bytes:
    """The baseline of ``manage.py bench letters``: a plain ``HTML(string=…).write_pdf()`` of the same
    HTML, with nothing the portal adds (no cached stylesheet or fonts, no cleaning, no limits). It
    keeps the deny-by-default fetcher, so even the benchmark fetches nothing. Not for product PDFs."""
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=AssetOnlyURLFetcher()).write_pdf()
