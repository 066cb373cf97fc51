"""Characters: invisible and bidi controls, glyphs the fonts lack, runaway length."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence, Set

from .common import EntryContext, Fault, Form, form_prefix, listing
from .markup import visible_text
from .problems import ERROR, WARNING, char_name
from .reader import Entry

_INVISIBLE = frozenset(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010), 0x2060, 0xFEFF, 0x061C]
)


# Zero-width (non-)joiners are ordinary spelling between letters of Arabic-script and
# Indic words (Persian "می‌خواهم", Hindi half forms); anywhere else they only hide.
_JOINERS = {0x200C, 0x200D}
_JOINING_SCRIPTS = ((0x0600, 0x08FF), (0x0900, 0x0DFF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _joining_letter(char: str) -> bool:
    return any(lo <= ord(char) <= hi for lo, hi in _JOINING_SCRIPTS)


def _spelling_joiner(text: str, index: int) -> bool:
    if ord(text[index]) not in _JOINERS or index == 0 or index + 1 >= len(text):
        return False
    return _joining_letter(text[index - 1]) and _joining_letter(text[index + 1])


def _invisible_faults(
    entry: Entry, filled: Sequence[tuple[str, str, str]]
) -> list[tuple[str, str]]:
    english = set("".join(entry.sources()))
    faults = []
    for label, text, _ in filled:
        found = sorted(
            {
                c
                for i, c in enumerate(text)
                if ord(c) in _INVISIBLE and c not in english and not _spelling_joiner(text, i)
            }
        )
        if found:
            names = listing([char_name(c) for c in found])
            faults.append(("bidi-control", f"{form_prefix(entry, label)}invisible {names}"))
    return faults


def _glyph_faults(
    filled: Sequence[tuple[str, str, str]], coverage: Set[int]
) -> list[tuple[str, str]]:
    missing: list[str] = []
    for _, text, _ in filled:
        for char in visible_text(text):
            # Spaces and format controls (ZWJ, soft hyphen, bidi marks) are handled by
            # the shaper and the line breaker; fonts need not draw them.
            if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                continue
            if ord(char) not in coverage and char not in missing:
                missing.append(char)
    if not missing:
        return []
    listed = listing([char_name(c) for c in missing])
    return [("glyph", f"the fonts for this language cannot draw {listed}")]


def as_set(coverage: Collection[int] | None) -> Set[int] | None:
    if coverage is None or isinstance(coverage, Set):
        return coverage
    return frozenset(coverage)


# --- warnings -----------------------------------------------------------------------------

_LENGTH_FACTOR = 3
_LENGTH_MINIMUM = 10


def _style_faults(filled: Sequence[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """One warning of each kind per entry: they are hints, not a list to work through.

    Only length is flagged, never shortness: Chinese or Korean is often a third of the
    English.
    """
    faults = []
    for label, text, source in filled:
        if text == source and any(c.isalpha() for c in visible_text(source)):
            faults.append(("same-as-source", f"{label} is the same as the English text"))
            break
    for label, text, source in filled:
        if len(source) >= _LENGTH_MINIMUM and len(text) > _LENGTH_FACTOR * len(source):
            faults.append(
                ("too-long", f"{label} is {len(text)} characters, the English {len(source)}")
            )
            break
    return faults


def check_invisible(entry: Entry, filled: Sequence[Form], context: EntryContext) -> list[Fault]:
    """Invisible and bidi control characters."""
    return [(c, m, ERROR) for c, m in _invisible_faults(entry, filled)]


def check_glyphs(entry: Entry, filled: Sequence[Form], context: EntryContext) -> list[Fault]:
    """Characters the language's fonts cannot draw (when the fonts are known)."""
    if context.coverage is None:
        return []
    return [(c, m, ERROR) for c, m in _glyph_faults(filled, context.coverage)]


def check_length(entry: Entry, filled: Sequence[Form], context: EntryContext) -> list[Fault]:
    """Warnings: the English text itself, or a translation far longer than it."""
    return [(c, m, WARNING) for c, m in _style_faults(filled)]
