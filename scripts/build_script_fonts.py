#!/usr/bin/env python3
"""Rebuild the subset script fonts in fonts/ from Debian's Noto packages.

Most script faces in fonts/ are Debian's files as they are (100-200 KB each:
their size is conjunct and contextual glyphs that every text of the script
may need). Two faces are larger than what the project's languages use, and
are subset here:

* Noto Nastaliq Urdu (570 KB): to the Urdu alphabet, its marks, digits and
  punctuation, and every character of the Urdu catalogs. fontTools keeps every
  contextual form and ligature the kept characters reach through the font's
  substitution tables, which is what Nastaliq's joining needs.
* Noto Sans Ethiopic (340 KB): to the Ethiopic block (U+1200-U+137F: the
  syllables, punctuation and numerals Amharic and Tigrinya write) and every
  character of the Amharic catalogs, without the Extended blocks other
  languages use.

Both keep ASCII, Latin-1 punctuation, general punctuation and the characters
in EXTRA. A character outside a subset shows up in `leaflets check` as a glyph
error: add it to EXTRA or to a catalog and run this script again.

Source: Debian's fonts-noto-core package (apt-get install fonts-noto-core).
Usage: python scripts/build_script_fonts.py [--source DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontsubset import ROOT, catalog_chars, code_points, subset_and_save
from fontTools.ttLib import TTFont

DEFAULT_SOURCE = Path("/usr/share/fonts/truetype/noto")

# The Urdu alphabet (its own letters and the Arabic letters of loanwords), its marks,
# digits (Arabic-Indic and Urdu's own), punctuation (comma, semicolon, question mark,
# full stop, decimal and thousands separators), the tatweel, joiners and bidi marks.
URDU_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيٹپچڈڑژکگںھہۂۃیےۓ"
URDU = [
    *[(ord(c), ord(c)) for c in URDU_LETTERS],
    (0x0610, 0x0615),
    (0x064B, 0x0658),
    (0x0660, 0x066C),
    (0x0670, 0x0670),
    (0x06D4, 0x06D4),
    (0x06F0, 0x06F9),
    (0x060C, 0x060C),
    (0x061B, 0x061B),
    (0x061F, 0x061F),
    (0x0640, 0x0640),
    (0x200C, 0x200F),
]
ETHIOPIC = [(0x1200, 0x137F)]
COMMON_RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F)]
EXTRA = ""  # characters to keep beyond the sets above

# target file -> (source file, ranges, languages whose catalogs it draws)
FACES = {
    "noto-nastaliq-urdu/NotoNastaliqUrdu-Regular.subset.ttf": (
        "NotoNastaliqUrdu-Regular.ttf",
        URDU,
        ("ur",),
    ),
    "noto-nastaliq-urdu/NotoNastaliqUrdu-Bold.subset.ttf": (
        "NotoNastaliqUrdu-Bold.ttf",
        URDU,
        ("ur",),
    ),
    "noto-sans-ethiopic/NotoSansEthiopic-Regular.subset.ttf": (
        "NotoSansEthiopic-Regular.ttf",
        ETHIOPIC,
        ("am",),
    ),
    "noto-sans-ethiopic/NotoSansEthiopic-Bold.subset.ttf": (
        "NotoSansEthiopic-Bold.ttf",
        ETHIOPIC,
        ("am",),
    ),
}


def build(source: Path) -> None:
    for target, (file, ranges, languages) in FACES.items():
        font = TTFont(str(source / file))
        keep = code_points([*ranges, *COMMON_RANGES])
        keep |= catalog_chars(languages) | {ord(c) for c in EXTRA}
        subset_and_save(font, keep, ROOT / "fonts" / target)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="folder holding Debian's Noto .ttf files",
    )
    build(parser.parse_args().source)
