"""A cross-letter cache of WeasyPrint's line breaking, for bulk rendering only (``line_layout_cache``).

Most of a letter's layout time is WeasyPrint's ``split_first_line``: Pango lays out a paragraph to find
where its first line ends, then again for the next line, and so on, for every text box, in every letter.
The letters of a bulk job are near-identical (the same law's boilerplate, the same rights and
categories), so the same (text, style, available width) question is asked again and again.

``split_first_line(text, style, context, max_width, justification_spacing, is_line_start, minimum)`` is a
pure function of:

* its arguments ``text``, ``max_width``, ``justification_spacing``, ``is_line_start``, ``minimum``;
* the computed style properties listed in :data:`STYLE_PROPERTIES` and ``style.font_config`` (the
  process-wide, cached font configuration of ``core.pdf``: same object, same fonts);
* ``context.dictionaries``, a cache of pyphen hyphenation dictionaries keyed by language and limits
  (deterministic).

It returns ``(layout, length, resume_index, width, height, baseline)`` where ``layout`` has been
"deactivated" (WeasyPrint drops its Pango objects and keeps plain numbers and the line's text; drawing
rebuilds the Pango layout from the text and the box's own style). So the result of an earlier call with
an equal key is the result of this call: the cache returns a fresh shallow copy of that layout (its
attributes are immutable numbers and strings), so nothing a caller does to its copy reaches the cache.

:data:`STYLE_PROPERTIES` was read off WeasyPrint 70.0's source (``split_first_line``, ``Layout.setup``,
``Layout.set_text``, ``set_tabs``, ``get_font_description``, ``font_features``) and is checked by
tests/core/test_pdf_lines.py, which records every style property the real function reads while rendering
varied letters. The patch refuses any other WeasyPrint version (it renders without the cache then), and
a style whose values cannot be keyed (unhashable, or a ``calc()`` hyphenation zone) is not cached.

Drawing shares too: WeasyPrint draws a line by rebuilding its Pango layout from the line's text and style
(``Layout.reactivate``: a Pango context, the font description, the text, the shaping) and then walking its
glyphs. Within a block, equal lines (the same text, justification spacing and :data:`STYLE_PROPERTIES`)
share one shaped Pango layout; the glyph walk, which writes to the document's own font objects, still runs
for every line (its output depends on the document's history, so it is never cached). ``draw_first_line``
changes a Pango layout only for ``text-overflow: ellipsis`` or ``block-ellipsis``; such a line gets a
layout of its own. Drawn layouts are not kept after the block.

The patch is installed only while at least one ``line_layout_cache()`` block is open, and a thread
without an open block gets the plain function. The cache is bounded (:data:`MAX_ENTRIES` line breaks,
:data:`MAX_DRAWN` Pango layouts; each is cleared when full). The proof that it changes nothing is in the tests: bulk and one-by-one rendering give PDFs with
the same SHA-256 for letters with long names, CJK, RTL, several languages and laws.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

#: The WeasyPrint version whose ``split_first_line`` this cache was checked against (requirements.txt).
WEASYPRINT_VERSION = "70.0"
MAX_ENTRIES = 20_000  # line breaks kept (≈ 1 KB each); a 4-page letter asks ≈ 460, of which ≈ 70 are new
MAX_DRAWN = 5_000  # shaped Pango layouts kept within one block (a chunk of a job)

#: Every computed style property ``split_first_line`` (and what it calls) reads.
STYLE_PROPERTIES = (
    "direction", "font_family", "font_feature_settings", "font_kerning", "font_language_override",
    "font_size", "font_stretch", "font_style", "font_variant_alternates", "font_variant_caps",
    "font_variant_east_asian", "font_variant_ligatures", "font_variant_numeric", "font_variant_position",
    "font_variation_settings", "font_weight", "hyphenate_character", "hyphenate_limit_chars",
    "hyphenate_limit_zone", "hyphens", "lang", "letter_spacing", "overflow_wrap", "tab_size",
    "text_decoration_line", "white_space", "word_break", "word_spacing",
)


class LineCacheStats:
    """Hits and misses of one ``line_layout_cache()`` block (for the benchmark)."""

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0
        self.uncached = 0
        self.entries: dict = {}
        self.draw_hits = 0
        self.draw_misses = 0
        self.drawn: dict = {}  # drawing: Pango layouts of equal lines (not kept after the block)


_local = threading.local()
_install_lock = threading.Lock()
_installed: dict = {"depth": 0, "original": None, "reactivate": None, "draw_first_line": None}


def _supported() -> bool:
    import weasyprint

    return weasyprint.__version__ == WEASYPRINT_VERSION


def _key(text, style, max_width, justification_spacing, is_line_start, minimum):
    zone = style["hyphenate_limit_zone"]
    if getattr(zone, "unit", None) is None:  # a calc() expression: it may read other properties
        return None
    key = (text, max_width, justification_spacing, bool(is_line_start), bool(minimum), style.font_config,
           tuple(style[name] for name in STYLE_PROPERTIES))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _cached_split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                             minimum=False):
    original = _installed["original"]
    stats = getattr(_local, "stats", None)
    if stats is None:
        return original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    key = _key(text, style, max_width, justification_spacing, is_line_start, minimum)
    if key is None:
        stats.uncached += 1
        return original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    found = stats.entries.get(key)
    if found is not None:
        stats.hits += 1
        layout, *rest = found
        return (_copy(layout), *rest)
    stats.misses += 1
    result = original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    if len(stats.entries) >= MAX_ENTRIES:
        stats.entries.clear()
    layout, *rest = result
    if "layout" in vars(layout):  # still holds Pango objects (never in 70.0): do not share it
        stats.uncached += 1
        return result
    stats.entries[key] = (_copy(layout), *rest)  # a private copy: callers may change theirs
    return result


def _copy(layout):
    """A shallow copy of a deactivated WeasyPrint ``Layout`` (its attributes are numbers and strings)."""
    fresh = object.__new__(type(layout))
    fresh.__dict__.update(layout.__dict__)
    return fresh


def _cached_reactivate(self, style):
    """``Layout.reactivate`` (drawing a line: a Pango layout of the line's text, shaped), shared between equal
    lines: the same text, justification spacing and style properties give the same Pango layout."""
    stats = getattr(_local, "stats", None)
    original = _installed["reactivate"]
    key = None
    if stats is not None:
        key = _key(self.text, style, None, self.justification_spacing, True, False)
    if key is None:
        return original(self, style)
    found = stats.drawn.get(key)
    if found is not None:
        stats.draw_hits += 1
        self.__dict__.update(found)
        self.style = style
        self.__dict__[_SHARED] = True
        return None
    stats.draw_misses += 1
    original(self, style)
    if len(stats.drawn) >= MAX_DRAWN:
        stats.drawn.clear()
    # What setup() and set_text() made (the Pango layout, language, metrics, the text), not the box's own
    # max_width (used for an ellipsis) nor the style.
    stats.drawn[key] = {name: value for name, value in vars(self).items()
                        if name not in ("style", "max_width", _SHARED)}
    self.__dict__[_SHARED] = True
    return None


_SHARED = "_portal_shared_pango_layout"


def _guarded_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """``draw_first_line`` changes the Pango layout only for an ellipsis: give such a line a layout of its own."""
    layout = textbox.pango_layout
    if (text_overflow == "ellipsis" or block_ellipsis != "none") and layout.__dict__.pop(_SHARED, False):
        _installed["reactivate"](layout, layout.style)
    return _installed["draw_first_line"](stream, textbox, text_overflow, block_ellipsis, matrix)


def _install() -> bool:
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    with _install_lock:
        if _installed["depth"] == 0:
            if not _supported():
                return False
            _installed["original"] = inline.split_first_line
            _installed["reactivate"] = line_break.Layout.reactivate
            _installed["draw_first_line"] = draw_text.draw_first_line
            inline.split_first_line = _cached_split_first_line
            preferred.split_first_line = _cached_split_first_line
            line_break.Layout.reactivate = _cached_reactivate
            draw_text.draw_first_line = _guarded_draw_first_line
        _installed["depth"] += 1
        return True


def _uninstall() -> None:
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    with _install_lock:
        _installed["depth"] -= 1
        if _installed["depth"] == 0:
            inline.split_first_line = _installed["original"]
            preferred.split_first_line = _installed["original"]
            line_break.Layout.reactivate = _installed["reactivate"]
            draw_text.draw_first_line = _installed["draw_first_line"]


_retained: dict = {"scope": None, "entries": {}}  # the last scoped block's entries (one scope at a time)


@contextmanager
def line_layout_cache(scope: object = None) -> Iterator[LineCacheStats]:
    """Within the block, this thread's renders share one cache of line breaks (see the module docstring).

    ``scope`` (e.g. a bulk job's id): the entries are kept after the block and reused by the next block of
    the same scope in this process — the chunks of one job share their line breaks; a block of another
    scope drops them. Without a scope the cache lives as long as the block. On a WeasyPrint version other
    than :data:`WEASYPRINT_VERSION` nothing is patched and rendering is plain (logged). Nested blocks reuse
    the outer block's cache.
    """
    outer = getattr(_local, "stats", None)
    if outer is not None:
        yield outer
        return
    stats = LineCacheStats()
    if not _install():
        logger.warning("line_layout_cache: WeasyPrint is not %s; rendering without the cache", WEASYPRINT_VERSION)
        yield stats
        return
    if scope is not None:
        with _install_lock:
            if _retained["scope"] == scope:
                stats.entries = _retained["entries"]
            _retained["scope"], _retained["entries"] = None, {}
    _local.stats = stats
    try:
        yield stats
    finally:
        _local.stats = None
        if scope is not None:
            with _install_lock:
                _retained["scope"], _retained["entries"] = scope, stats.entries
        stats.entries, stats.drawn = {}, {}
        _uninstall()
