"""What the font-building scripts share: the characters the catalogs use, and one
way to subset a face and save it (every layout feature and name kept, no hinting).

Imported by build_cjk_fonts.py and build_script_fonts.py, which run from this folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polib
from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent


def catalog_chars(languages: Iterable[str]) -> set[int]:
    """Every character of every translation in these languages' catalogs."""
    chars: set[int] = set()
    for lang in languages:
        for path in sorted((ROOT / "locales" / lang).glob("LC_MESSAGES/*.po")):
            for entry in polib.pofile(str(path)):
                for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                    chars.update(ord(c) for c in text)
    return chars


def code_points(ranges: Iterable[tuple[int, int]]) -> set[int]:
    """The code points of inclusive (first, last) ranges."""
    return {c for lo, hi in ranges for c in range(lo, hi + 1)}


def subset_and_save(font: TTFont, keep: set[int], target: Path) -> None:
    """Subset ``font`` to ``keep`` with every contextual form and ligature those
    characters reach, save it to ``target`` and print its size."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.recalcTimestamp = False  # the source face's date: the same input, the same file
    font.save(str(target))
    print(
        f"{target.relative_to(ROOT)}: {len(font.getBestCmap())} characters, "
        f"{target.stat().st_size // 1024} KiB"
    )
