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
share one shaped Pango layout. The glyph walk of a shared line (``draw_first_line``: PDF text operators,
and the glyphs' widths and texts in the document's own font objects) is recorded the second time such a
line is drawn and replayed in any later document: the fonts are added to that document, and the replay is
used only if the fonts and every glyph width the walk depends on agree (see :class:`_Paint`); else, and for
lines with a .notdef glyph or an emoji font, WeasyPrint draws the line. ``draw_first_line`` changes a Pango
layout only for ``text-overflow: ellipsis`` or ``block-ellipsis``; such a line gets a layout of its own and
is never replayed. Drawn layouts and recorded walks are not kept after the block.

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
        self.paint_hits = 0  # a shared line's glyph walk replayed
        self.paint_misses = 0  # … recorded (the second of equal lines)
        self.paint_uncached = 0  # … run by WeasyPrint: seen once, not recordable (.notdef, emoji font), no fit
        self.painted: dict = {}  # drawing: recorded glyph walks of shared lines, same keys as ``drawn``


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
        self.__dict__.pop(_SHARED, None)
        return original(self, style)
    found = stats.drawn.get(key)
    if found is not None:
        stats.draw_hits += 1
        self.__dict__.update(found)
        self.style = style
        self.__dict__[_SHARED] = key
        return None
    stats.draw_misses += 1
    original(self, style)
    if len(stats.drawn) >= MAX_DRAWN:
        stats.drawn.clear()
        stats.painted.clear()
    # What setup() and set_text() made (the Pango layout, language, metrics, the text), not the box's own
    # max_width (used for an ellipsis) nor the style.
    stats.drawn[key] = {name: value for name, value in vars(self).items()
                        if name not in ("style", "max_width", _SHARED)}
    self.__dict__[_SHARED] = key  # the key of the shared layout: also the key of its recorded glyph walk
    return None


_SHARED = "_portal_shared_pango_layout"
# stats.painted: a line drawn once, by WeasyPrint, is recorded only when drawn again (recording costs more than
# drawing, and most lines seen once are a letter's own: its name, address, reference).
_NEW, _SEEN_ONCE = object(), object()


def _guarded_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """``draw_first_line`` with the glyph walk of a shared line recorded once and replayed (see :class:`_Paint`).

    ``draw_first_line`` changes the Pango layout only for an ellipsis: such a line gets a layout of its own
    and is drawn by WeasyPrint."""
    original = _installed["draw_first_line"]
    layout = textbox.pango_layout
    if text_overflow == "ellipsis" or block_ellipsis != "none":
        if layout.__dict__.pop(_SHARED, None) is not None:
            _installed["reactivate"](layout, layout.style)
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)
    stats = getattr(_local, "stats", None)
    key = layout.__dict__.get(_SHARED)
    if stats is None or key is None or not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)  # (the last two: nothing drawn)
    paint = stats.painted.get(key, _NEW)
    if paint is _NEW or paint is None:  # seen for the first time, or a line that cannot be recorded
        stats.painted.setdefault(key, _SEEN_ONCE)
        stats.paint_uncached += 1
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)
    if paint is not _SEEN_ONCE:
        if paint.replay(stream, layout, matrix):
            stats.paint_hits += 1
            return []
        stats.paint_uncached += 1
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)
    stats.paint_misses += 1
    paint = _Paint()
    recorder = _RecordingStream(stream, paint)
    emojis = original(recorder, textbox, text_overflow, block_ellipsis, matrix)
    stats.painted[key] = paint if paint.finish(recorder) and not emojis else None
    return emojis


class _Paint:
    """What ``draw_first_line`` did for one shaped line (WeasyPrint 70.0, weasyprint/draw/text.py), to do it again
    in any document for an equal line (the same shared Pango layout: the same runs, glyphs, geometry, text).

    Its output, after ``set_text_matrix`` (per call, not recorded), is a function of the layout, of the
    document's ``Font`` of each run (``stream.add_font``: per document; its ``hash`` and size are checked) and of
    each glyph's width in ``font.widths`` at the time (set from the Pango font's extents if absent, else read:
    first wins, so it may come from an earlier line of the same font at another size). Its side effects are
    ``font.widths[glyph]`` and ``font.to_unicode[glyph]``, each set only if absent, in glyph order.

    Recorded: the fonts in order, the stream calls (``set_font_size``, ``show_text``, ``set_text_rise``), per
    glyph the width the walk used and the width the font's extents give, and the text of every glyph (the
    recording makes WeasyPrint compute it for every glyph, not only for those the document lacked). Replayed
    only if every glyph's width in the document (or, if absent, from the extents) is the recorded one; then the
    widths and texts are set where absent, in the original order (the PDF's ToUnicode map keeps that order).
    Not recorded: a line with a .notdef glyph (``get_unused_glyph_id``), a font with bitmap, PNG, SVG or COLR
    glyphs (emoji), a walk that returned emojis or called anything else on the stream or font."""

    def __init__(self) -> None:
        self.ok = True
        self.fonts: list = []  # (font.hash, font_size) per change of font, in order
        self.firsts: list = []  # per change of font: the index of that font object's first run
        self.calls: list = []  # (stream method, args) after set_text_matrix
        self.used: dict = {}  # run font index -> {glyph: the width the walk used}, in glyph order
        self.extents: dict = {}  # run font index -> {glyph: the width from the Pango font's extents}
        self.texts: dict = {}  # run font index -> {glyph: its text}, first wins
        self.glyphs: tuple = ()  # finish(): (run font index, used, extents, texts) per font
        self._pango_fonts: list = []  # while recording only
        self._first: dict = {}  # id(font) -> its first run font index, while recording only

    def finish(self, recorder) -> bool:
        """After the recorded call: the extents' width of the glyphs whose width the document had already."""
        from weasyprint.text.ffi import FROM_UNITS, pango

        if not self.ok or not self.fonts or pango.pango_version() < 14802:  # older Pango: sizes from the style
            return False
        for index, extents in self.extents.items():
            for glyph, width in extents.items():
                if width is None:
                    pango.pango_font_get_glyph_extents(self._pango_fonts[index], glyph, recorder.ink_rect,
                                                       recorder.logical_rect)
                    extents[glyph] = round(recorder.logical_rect.width * 1000 * FROM_UNITS / self.fonts[index][1])
        self.glyphs = tuple((index, self.used.get(index, {}), self.extents.get(index, {}), self.texts.get(index, {}))
                            for index in dict.fromkeys([*self.used, *self.texts]))
        self.firsts = tuple(self.firsts)
        self.used, self.extents, self.texts = {}, {}, {}
        self._pango_fonts, self._first = [], {}
        return True

    def replay(self, stream, layout, matrix) -> bool:
        from weasyprint.text.ffi import ffi, pango

        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        first_line, _ = layout.get_first_line()
        fonts = []
        firsts = {}
        previous = None
        run = first_line.runs[0]
        while run != ffi.NULL:
            pango_font = run.data.item.analysis.font
            run = run.next
            if pango_font != previous:
                previous = pango_font
                font, font_size = stream.add_font(pango_font)
                if len(fonts) == len(self.fonts) or (font.hash, font_size) != self.fonts[len(fonts)]:
                    return False
                if firsts.setdefault(id(font), len(fonts)) != self.firsts[len(fonts)]:
                    return False  # the runs' fonts are not the same objects as when recorded
                fonts.append(font)
        if len(fonts) != len(self.fonts):
            return False
        for index, used, extents, _ in self.glyphs:
            widths = fonts[index].widths
            if not used.items() <= widths.items():  # (all there, the same: the usual case, checked in C)
                for glyph, width in used.items():
                    if widths.get(glyph, extents[glyph]) != width:
                        return False
        stream.set_text_matrix(*matrix.values)
        for index, used, extents, texts in self.glyphs:
            font = fonts[index]
            if not used.keys() <= font.widths.keys():
                for glyph, width in extents.items():
                    font.widths.setdefault(glyph, width)
            if not texts.keys() <= font.to_unicode.keys():
                for glyph, text in texts.items():
                    font.to_unicode.setdefault(glyph, text)
        for name, args in self.calls:
            getattr(stream, name)(*args)
        return True


class _RecordingStream:
    """The document's stream during a recorded ``draw_first_line``: passes every call on and records it."""

    _PASSED = frozenset({"set_text_matrix", "ink_rect", "logical_rect"})  # not recorded (per call / scratch)

    def __init__(self, stream, paint: _Paint) -> None:
        self._stream = stream
        self._paint = paint

    def __getattr__(self, name):
        if name not in self._PASSED:
            self._paint.ok = False  # a call the replay would not make
        return getattr(self._stream, name)

    def add_font(self, pango_font):
        font, font_size = self._stream.add_font(pango_font)
        paint = self._paint
        if font.bitmap or font.png or font.svg or font.colr:
            paint.ok = False
        index = len(paint.fonts)
        paint.fonts.append((font.hash, font_size))
        paint._pango_fonts.append(pango_font)
        first = paint._first.setdefault(id(font), index)  # a font of several runs: one set of glyphs
        if paint._pango_fonts[first] != pango_font:  # finish() asks the first run's Pango font for extents
            paint.ok = False
        paint.firsts.append(first)
        return _RecordingFont(font, first, paint), font_size

    def _record(self, name, *args):
        self._paint.calls.append((name, args))
        return getattr(self._stream, name)(*args)

    def set_font_size(self, *args):
        return self._record("set_font_size", *args)

    def show_text(self, *args):
        return self._record("show_text", *args)

    def set_text_rise(self, *args):
        return self._record("set_text_rise", *args)


class _RecordingFont:
    def __init__(self, font, index: int, paint: _Paint) -> None:
        self._font = font
        self._paint = paint
        self.widths = _RecordingWidths(font.widths, index, paint)
        self.to_unicode = _RecordingTexts(font.to_unicode, index, paint)

    def __getattr__(self, name):
        if name not in ("hash", "bitmap", "png", "svg", "colr"):
            self._paint.ok = False  # e.g. get_unused_glyph_id: a .notdef glyph
        return getattr(self._font, name)


class _RecordingWidths:
    """``font.widths`` while recording: the width the walk uses for each glyph, and whether it was absent."""

    def __init__(self, widths: dict, index: int, paint: _Paint) -> None:
        self._widths, self._index, self._paint = widths, index, paint

    def __contains__(self, glyph) -> bool:
        return glyph in self._widths

    def __getitem__(self, glyph):
        width = self._widths[glyph]
        if glyph not in self._paint.used.setdefault(self._index, {}):
            self._paint.used[self._index][glyph] = width
            self._paint.extents.setdefault(self._index, {})[glyph] = None  # finish() asks the Pango font
        return width

    def __setitem__(self, glyph, width) -> None:
        self._widths[glyph] = width
        if glyph not in self._paint.used.setdefault(self._index, {}):
            self._paint.used[self._index][glyph] = width
            self._paint.extents.setdefault(self._index, {})[glyph] = width


class _RecordingTexts:
    """``font.to_unicode`` while recording: says every glyph is absent, so the walk gives the text of each."""

    def __init__(self, texts: dict, index: int, paint: _Paint) -> None:
        self._texts, self._index, self._paint = texts, index, paint

    def __contains__(self, glyph) -> bool:
        return False

    def __setitem__(self, glyph, text) -> None:
        self._texts.setdefault(glyph, text)
        self._paint.texts.setdefault(self._index, {}).setdefault(glyph, text)


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
        stats.entries, stats.drawn, stats.painted = {}, {}, {}
        _uninstall()
