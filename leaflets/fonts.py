"""The project's fonts: fonts/fonts.toml -> @font-face rules, stacks and glyph coverage."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from fontTools.ttLib import TTFont

from .errors import LeafletsError
from .locale import locale_info
from .memo import BoundedCache, stamp

# The first bytes of the font formats WeasyPrint reads: anything else (a Git LFS
# pointer checked out instead of the font, say) is not a font.
_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")
FONTS_TOML = "fonts/fonts.toml"


Faces = dict[str, tuple[Path, int]]  # family -> (file, weight)
Stacks = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # script -> (regular, bold)


@dataclass(frozen=True)
class FontSet:
    faces: Faces
    stacks: Stacks
    # Faces that cannot be used, and why: only the languages that need them fail.
    broken: dict[str, str]
    # Scripts whose lines need their own height (a multiple of the font size), such
    # as Nastaliq's tall sloping words: it replaces every line height of the page.
    line_heights: dict[str, float] = field(default_factory=dict)

    def check_stack(self, stack: str) -> None:
        regular, bold = self.stacks[stack]
        for family in regular + bold:
            if family in self.broken:
                raise LeafletsError(self.broken[family], FONTS_TOML)

    def face_rules(self, families: tuple[str, ...]) -> list[str]:
        """An ``@font-face`` rule for each family, once, in order."""
        rules = []
        for family in dict.fromkeys(families):
            path, weight = self.faces[family]
            rules.append(
                f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
                f"font-weight: {weight}; }}"
            )
        return rules

    def css(self, stack: str) -> str:
        self.check_stack(stack)
        regular, bold = self.stacks[stack]
        rules = self.face_rules(regular + bold)
        reg = ", ".join(f'"{f}"' for f in regular)
        bld = ", ".join(f'"{f}"' for f in bold)
        rules.append(f":root {{ --font-regular: {reg}; --font-bold: {bld}; }}")
        if stack in self.line_heights:
            # Over the stylesheet's own heights, large print's included; the footer's
            # three short lines a little closer, to stay well inside the bottom margin.
            height = self.line_heights[stack]
            rules.append(f"html, body, body * {{ line-height: {height:g} !important; }}")
            rules.append(
                ".running-footer, .running-footer * "
                f"{{ line-height: {round(height * 0.85, 2):g} !important; }}"
            )
        return "\n".join(rules)


def source_css(fonts: FontSet, stack: str, page_stack: str) -> str:
    """For a bilingual handout: the source language's faces that the page's stack
    lacks, and ``--font-source-regular``/``--font-source-bold`` naming them first, so
    an English part is set in its own fonts (an Urdu page's Nastaliq face has Latin
    punctuation of its own, with its own spacing)."""
    fonts.check_stack(stack)
    regular, bold = fonts.stacks[stack]
    have = set(fonts.stacks[page_stack][0] + fonts.stacks[page_stack][1])
    rules = fonts.face_rules(tuple(f for f in regular + bold if f not in have))
    reg = ", ".join(f'"{f}"' for f in regular)
    bld = ", ".join(f'"{f}"' for f in bold)
    rules.append(
        f":root {{ --font-source-regular: {reg}, var(--font-regular); "
        f"--font-source-bold: {bld}, var(--font-bold); }}"
    )
    return "\n".join(rules)


def _face_problem(family: str, file: Path, fonts_dir: Path) -> str | None:
    if not file.is_relative_to(fonts_dir.resolve()):
        return f"font {family!r}: {file.name} lies outside the fonts folder"
    try:
        with file.open("rb") as fh:
            magic = fh.read(4)
    except OSError:
        return f"font {family!r}: file {file.name} not found"
    if magic not in _FONT_MAGIC:
        return f"font {family!r}: {file.name} is not a font file (a Git LFS pointer?)"
    return None


_Parsed = tuple[Faces, Stacks, dict[str, float]]
# Font lists and font sets a process keeps, by the version of each file they were read
# from: every render asks for its language's glyphs, and reading fonts.toml and
# opening every face again each time cost more than the catalog it checks.
MAX_FONT_SETS = 16
PARSED_LISTS: BoundedCache[_Parsed] = BoundedCache(MAX_FONT_SETS)
FONT_SETS: BoundedCache[FontSet] = BoundedCache(MAX_FONT_SETS)


def _parse(fonts_dir: Path) -> _Parsed:
    path = fonts_dir / "fonts.toml"
    key = (fonts_dir, stamp(path))
    parsed = PARSED_LISTS.get(key)
    if parsed is not None:
        return parsed
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        faces = {
            name: ((fonts_dir / face["file"]).resolve(), int(face["weight"]))
            for name, face in data["faces"].items()
        }
        stacks = {
            name: (tuple(s["regular"]), tuple(s["bold"])) for name, s in data["stacks"].items()
        }
        line_heights = {
            name: float(s["line_height"])
            for name, s in data["stacks"].items()
            if "line_height" in s
        }
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LeafletsError(f"cannot use font list: {exc}", FONTS_TOML) from None
    for name, (regular, bold) in stacks.items():
        for family in regular + bold:
            if family not in faces:
                raise LeafletsError(f"stack {name!r} names unknown face {family!r}", FONTS_TOML)
    PARSED_LISTS.put(key, (faces, stacks, line_heights))
    return faces, stacks, line_heights


def load_fonts(fonts_dir: Path) -> FontSet:
    """fonts/fonts.toml and the faces it names, read again only when one of those
    files changed. Treat the result as read-only: it is shared."""
    faces, stacks, line_heights = _parse(fonts_dir)
    key = (fonts_dir, stamp(fonts_dir / "fonts.toml"), tuple(stamp(f) for f, _ in faces.values()))
    fontset = FONT_SETS.get(key)
    if fontset is not None:
        return fontset
    broken = {}
    for family, (file, _) in faces.items():
        problem = _face_problem(family, file, fonts_dir)
        if problem is not None:
            broken[family] = problem
    fontset = FontSet(faces, stacks, broken, line_heights)
    FONT_SETS.put(key, fontset)
    return fontset


# Font versions whose character maps a process keeps: more than a project has faces
# (every face of every stack), few enough that the old versions of fonts replaced while
# a long-lived process (the desk, a preview) runs do not pile up.
MAX_CMAPS = 64
CMAPS: BoundedCache[frozenset[int]] = BoundedCache(MAX_CMAPS)


def _cmap(path: Path) -> frozenset[int]:
    """The code points a font file maps, read once per version of the file."""
    key = (path, stamp(path))
    points = CMAPS.get(key)
    if points is None:
        with TTFont(path, lazy=True) as font:
            points = frozenset(font.getBestCmap())
        CMAPS.put(key, points)
    return points


def coverage(fonts_dir: Path, stack: str) -> frozenset[int]:
    """Every code point the regular and bold faces of a stack can draw."""
    fontset = load_fonts(fonts_dir)
    fontset.check_stack(stack)
    regular, bold = fontset.stacks[stack]
    points: set[int] = set()
    for family in regular + bold:
        points |= _cmap(fontset.faces[family][0])
    return frozenset(points)


def language_coverage(fonts_dir: Path, lang: str) -> frozenset[int]:
    """Every code point the fonts of a language's stack can draw (the glyph check of
    its catalog). Raises LeafletsError for an unknown language or an unusable stack."""
    return coverage(fonts_dir, locale_info(lang).font_stack)
