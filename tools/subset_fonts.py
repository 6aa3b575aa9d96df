"""Build the bundled CJK, Arabic, Hebrew and emoji fonts of ``deletion_portal/core/assets/fonts``.

Run once by hand when the fonts change (the output is committed; nothing runs this at install time):

    apt-get download fonts-noto-cjk fonts-noto-core      # Debian bookworm: 1:20220127+repack1-1, 20201225-1
    npm pack @expo-google-fonts/noto-emoji@0.4.7          # Noto Emoji (monochrome outlines), OFL
    for d in *.deb; do dpkg-deb -x "$d" x; done; tar xzf expo-google-fonts-noto-emoji-0.4.7.tgz
    .venv/bin/python tools/subset_fonts.py /path/to/that/folder

Coverage of the CJK subset (written to ``fonts/COVERAGE.txt`` too): every character of the three national
standard character sets a Chinese, Japanese or Korean user's keyboard produces by default — GB 2312
(6,763 hanzi + symbols), JIS X 0208 (6,355 kanji + kana + symbols) and KS X 1001 (2,350 Hangul + 4,888
hanja + symbols) — plus all 11,172 precomposed Hangul syllables (U+AC00–D7A3), Hangul compatibility jamo,
both kana blocks, CJK symbols and punctuation, half- and full-width forms, Bopomofo, and the spaces,
digits and punctuation that sit between CJK characters (Basic Latin, Latin-1, general punctuation). The glyphs are
Noto Sans CJK SC Regular's (one face and one weight for all three languages keeps the repository small; a Japanese or Korean
name prints in Chinese-style glyph forms where they differ, never as a box). Arabic and Hebrew are
the full Noto Sans Arabic / Hebrew fonts (regular and bold); Cyrillic and Greek are in DejaVu already.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

OUT = Path(__file__).resolve().parent.parent / "deletion_portal" / "core" / "assets" / "fonts"


def _double_byte(codec: str, lead: range, trail: range) -> set[str]:
    chars: set[str] = set()
    for a in lead:
        for b in trail:
            try:
                chars.update(bytes([a, b]).decode(codec))
            except UnicodeDecodeError:
                continue
    return chars


def cjk_characters() -> dict[str, set[str]]:
    euc = range(0xA1, 0xFF)
    sets = {
        "GB 2312": _double_byte("gb2312", euc, euc),
        "JIS X 0208": _double_byte("euc_jp", euc, euc),
        "KS X 1001": _double_byte("euc_kr", euc, euc),
        "Hangul syllables": {chr(c) for c in range(0xAC00, 0xD7A4)},
        "Hangul compatibility jamo": {chr(c) for c in range(0x3131, 0x318F)},
        "Kana": {chr(c) for c in range(0x3040, 0x3100)} | {chr(c) for c in range(0x31F0, 0x3200)},
        "CJK symbols and punctuation": {chr(c) for c in range(0x3000, 0x3040)},
        "Bopomofo": {chr(c) for c in range(0x3100, 0x3130)},
        "Half- and full-width forms": {chr(c) for c in range(0xFF00, 0xFFF0)},
        # Spaces, digits and punctuation between CJK characters are shaped with the CJK font.
        "Basic Latin, Latin-1 and general punctuation": {chr(c) for c in (*range(0x20, 0x7F), *range(0xA0, 0x100),
                                                                          *range(0x2000, 0x2070))},
    }
    return sets


def _subset(font: TTFont, chars: set[str], out: Path, *, layout_features: str = "*") -> None:
    options = subset.Options()
    options.layout_features = [layout_features]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in chars})
    subsetter.subset(font)
    font.save(out)


def build(source: Path) -> None:
    noto = source / "x" / "usr" / "share" / "fonts"
    sets = cjk_characters()
    wanted = set().union(*sets.values())
    lines = []
    for weight in ("Regular",):  # one weight: bold CJK text prints in the regular face (6 MB saved)
        collection = TTCollection(str(noto / "opentype" / "noto" / f"NotoSansCJK-{weight}.ttc"))
        face = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(4))
        cmap = face.getBestCmap()
        covered = {c for c in wanted if ord(c) in cmap}
        out = OUT / f"NotoSansCJKsc-{weight}-subset.otf"
        _subset(face, covered, out)
        if weight == "Regular":
            for name, chars in sets.items():
                inside = {c for c in chars if ord(c) in cmap}
                lines.append(f"{name}: {len(inside)} of {len(chars)} code points"
                             f"{' (the others are unassigned or private use)' if len(inside) != len(chars) else ''}")
            lines.append(f"In all: {len(covered)} code points, {out.stat().st_size // 1024} KiB")
    for family in ("Arabic", "Hebrew"):
        for weight in ("Regular", "Bold"):
            font = TTFont(str(noto / "truetype" / "noto" / f"NotoSans{family}-{weight}.ttf"))
            _subset(font, {chr(c) for c in font.getBestCmap()}, OUT / f"NotoSans{family}-{weight}.ttf")
    emoji = TTFont(str(source / "package" / "400Regular" / "NotoEmoji_400Regular.ttf"))
    _subset(emoji, {chr(c) for c in emoji.getBestCmap()}, OUT / "NotoEmoji-Regular.ttf")
    (OUT / "COVERAGE.txt").write_text(
        "Noto Sans CJK SC subset (regular only; bold CJK prints regular), built by tools/subset_fonts.py:\n"
        + "\n".join(f"- {line}" for line in lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    build(Path(sys.argv[1]))
