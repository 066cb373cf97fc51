#!/usr/bin/env python3
"""Rebuild the CJK fonts in fonts/noto-cjk/ from Noto Sans CJK.

Full Noto Sans CJK faces are 16-17 MB each, and their .ttc collection always
gives face 0 (Japanese glyph shapes) to an @font-face. This script pulls the
Simplified Chinese, Traditional Chinese, Korean and Japanese faces out of
the collection and subsets each to a documented character set:

* the common characters of the national standard set for that region:
  GB 2312 symbols and level 1 hanzi (SC, 3,755 hanzi), Big5 symbols and
  level 1 hanzi (TC, 5,401 hanzi), KS X 1001 symbols and Hangul (KR, 2,350
  syllables, no Hanja), JIS X 0208 symbols, kana and level 1 kanji (JP, 2,965
  kanji);
* ASCII, Latin-1, general punctuation, CJK symbols and punctuation, and
  full-width forms;
* every character that the project's catalogs use for that script, so a
  translation never loses a glyph that was there when the fonts were built.

A character outside the set shows up in `leaflets check` as a glyph error;
rerun this script after adding it to EXTRA below or to a catalog.

Source: Debian's fonts-noto-cjk package (apt-get install fonts-noto-cjk).
Usage: python scripts/build_cjk_fonts.py [--source DIR] [--region jp ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontsubset import ROOT, catalog_chars, code_points, subset_and_save
from fontTools.ttLib import TTCollection

OUT = ROOT / "fonts" / "noto-cjk"
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto")

# region -> (face name in the collection, languages whose catalogs it draws, codec, byte ranges)
REGIONS = {
    # Rows 0xA1-0xA9 are symbols, 0xB0-0xD7 the level 1 hanzi.
    "sc": (
        "Noto Sans CJK SC",
        ("zh_Hans",),
        "gb2312",
        [((0xA1, 0xA9), (0xA1, 0xFE)), ((0xB0, 0xD7), (0xA1, 0xFE))],
    ),
    # Rows 0xA1-0xA3 are symbols, 0xA4-0xC6 the level 1 hanzi.
    "tc": ("Noto Sans CJK TC", ("zh_Hant",), "big5", [((0xA1, 0xC6), (0x40, 0xFE))]),
    # Rows 0xA1-0xAC are symbols, 0xB0-0xC8 the 2,350 common Hangul syllables.
    "kr": (
        "Noto Sans CJK KR",
        ("ko",),
        "euc_kr",
        [((0xA1, 0xAC), (0xA1, 0xFE)), ((0xB0, 0xC8), (0xA1, 0xFE))],
    ),
    # JIS X 0208: rows 0xA1-0xA8 are symbols, kana, Greek and Cyrillic, 0xB0-0xCF
    # the 2,965 level 1 kanji.
    "jp": (
        "Noto Sans CJK JP",
        ("ja",),
        "euc_jp",
        [((0xA1, 0xA8), (0xA1, 0xFE)), ((0xB0, 0xCF), (0xA1, 0xFE))],
    ),
}
COMMON_RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
EXTRA = ""  # characters to keep beyond the sets above


def national_set(codec: str, ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> set[int]:
    chars: set[int] = set()
    for (lead_lo, lead_hi), (trail_lo, trail_hi) in ranges:
        for lead in range(lead_lo, lead_hi + 1):
            for trail in range(trail_lo, trail_hi + 1):
                try:
                    text = bytes([lead, trail]).decode(codec)
                except UnicodeDecodeError:
                    continue
                chars.update(ord(c) for c in text)
    return chars


def build(source: Path, regions: list[str]) -> None:
    for weight in ("Regular", "Bold"):
        collection = TTCollection(str(source / f"NotoSansCJK-{weight}.ttc"))
        faces = {font["name"].getDebugName(1): font for font in collection.fonts}
        for region, (face_name, languages, codec, ranges) in REGIONS.items():
            if region not in regions:
                continue
            font = faces[face_name]
            keep = national_set(codec, ranges) | catalog_chars(languages)
            keep |= code_points(COMMON_RANGES) | {ord(c) for c in EXTRA}
            subset_and_save(font, keep, OUT / f"NotoSansCJK{region}-{weight}.subset.otf")
        collection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="folder holding NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc",
    )
    parser.add_argument(
        "--region",
        action="append",
        choices=sorted(REGIONS),
        help="rebuild only this region's faces (repeatable; default: all)",
    )
    args = parser.parse_args()
    build(args.source, args.region or list(REGIONS))
