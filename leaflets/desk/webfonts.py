"""Fonts for the desk's own page: language names in their scripts, from the project's fonts.

A clinic computer may have no font for Devanagari or Chinese, and then "हिन्दी"
shows as empty boxes (a browser without Cyrillic or Vietnamese fonts does the same
to "Русский" and "Tiếng Việt", so the Latin stack's names are served too). The
desk serves, from memory, tiny subsets of the project's own (OFL) fonts holding
just the characters of the language names it shows: a few kilobytes each, nothing
from elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import uharfbuzz as hb

from ..api import Offer
from ..fonts import load_fonts
from ..locale import locale_info


@dataclass(frozen=True)
class WebFonts:
    files: dict[str, bytes]  # file name (no path) -> font
    css: str


@cache
def _subset(path: Path, text: str) -> bytes:
    """The font cut down to ``text``'s characters by HarfBuzz's subsetter: every
    layout feature (Arabic joining, Devanagari conjuncts) and name kept, an outline for
    .notdef. A fiftieth of the time fontTools' subsetter takes (2 s for the desk's
    seventeen fonts), so the desk is ready sooner."""
    subset = hb.SubsetInput()
    subset.unicode_set.update(ord(c) for c in text)
    # All features and names: each set starts with HarfBuzz's defaults, and the
    # inverse of an empty set is everything.
    for kept in (subset.layout_feature_tag_set, subset.name_id_set):
        kept.clear()
        kept.invert()
    subset.flags |= hb.SubsetFlags.NOTDEF_OUTLINE
    face = hb.subset(hb.Face(hb.Blob.from_file_path(str(path))), subset)
    return bytes(face.blob.data)


def web_fonts(fonts_dir: Path, offer: Offer) -> WebFonts:
    """One small font per script the offered language names need, Latin included."""
    fontset = load_fonts(fonts_dir)
    names: dict[str, tuple[str, set[str]]] = {}  # stack -> (a bold family, text)
    tags: dict[str, str] = {}  # BCP 47 tag -> stack
    for leaflet in offer.leaflets:
        for lang in leaflet.languages:
            stack = locale_info(lang.code).font_stack
            if stack not in fontset.stacks:
                continue
            bold = fontset.stacks[stack][1][0]
            names.setdefault(stack, (bold, set()))[1].update(lang.native_name)
            tags[lang.tag] = stack
    files: dict[str, bytes] = {}
    rules: list[str] = []
    for stack, (family, chars) in sorted(names.items()):
        path, _weight = fontset.faces[family]
        if family in fontset.broken:
            continue
        name = f"{stack}.{path.suffix.lstrip('.')}"
        files[name] = _subset(path, "".join(sorted(chars)))
        rules.append(
            f'@font-face {{ font-family: "desk-{stack}"; src: url("/fonts/{name}"); '
            "font-weight: 100 900; font-display: swap; }"
        )
    for tag, stack in sorted(tags.items()):
        if f"{stack}." in " ".join(files):
            # The names only (the spans that carry their language), not the page: the
            # page's own language (English) must keep the browser's full fonts.
            rules.append(f'span[lang="{tag}"] {{ font-family: "desk-{stack}", sans-serif; }}')
    return WebFonts(files, "\n".join(rules) + "\n")
