"""The project's fonts: fonts/fonts.toml -> @font-face rules, stacks and glyph coverage."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import LeafletsError


@dataclass(frozen=True)
class FontSet:
    faces: dict[str, tuple[Path, int]]  # family -> (file, weight)
    stacks: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # script -> (regular, bold)

    def css(self, stack: str) -> str:
        regular, bold = self.stacks[stack]
        rules = []
        for family in dict.fromkeys(regular + bold):
            path, weight = self.faces[family]
            rules.append(
                f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
                f"font-weight: {weight}; }}"
            )
        reg = ", ".join(f'"{f}"' for f in regular)
        bld = ", ".join(f'"{f}"' for f in bold)
        rules.append(f":root {{ --font-regular: {reg}; --font-bold: {bld}; }}")
        return "\n".join(rules)


def load_fonts(fonts_dir: Path) -> FontSet:
    path = fonts_dir / "fonts.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        faces = {
            name: ((fonts_dir / face["file"]).resolve(), int(face["weight"]))
            for name, face in data["faces"].items()
        }
        stacks = {
            name: (tuple(s["regular"]), tuple(s["bold"])) for name, s in data["stacks"].items()
        }
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LeafletsError(f"cannot use font list: {exc}", "fonts/fonts.toml") from None
    for family, (file, _) in faces.items():
        if not file.is_file() or not file.is_relative_to(fonts_dir.resolve()):
            raise LeafletsError(f"font {family!r}: file {file.name} not found", "fonts/fonts.toml")
    for name, (regular, bold) in stacks.items():
        for family in regular + bold:
            if family not in faces:
                raise LeafletsError(
                    f"stack {name!r} names unknown face {family!r}", "fonts/fonts.toml"
                )
    return FontSet(faces, stacks)


@cache
def _cmap(path: Path, mtime: float) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def coverage(fonts_dir: Path, stack: str) -> frozenset[int]:
    """Every code point the regular and bold faces of a stack can draw."""
    fontset = load_fonts(fonts_dir)
    regular, bold = fontset.stacks[stack]
    points: set[int] = set()
    for family in regular + bold:
        path = fontset.faces[family][0]
        points |= _cmap(path, path.stat().st_mtime)
    return frozenset(points)
