"""Gettext entries, defined once: an entry's forms, translated, fuzzy or untranslated,
and the line of its msgid.

`leaflets check`, `stats`, `build`, the review seal and XLIFF export all count and
point at entries the same way, through these.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import polib

TRANSLATED = "translated"
FUZZY = "fuzzy"
UNTRANSLATED = "untranslated"


def forms(entry: polib.POEntry) -> tuple[str, ...]:
    """The translation of each form, in the order of its index (one for an entry
    without a plural)."""
    if entry.msgid_plural:
        return tuple(str(entry.msgstr_plural[k]) for k in sorted(entry.msgstr_plural))
    return (str(entry.msgstr),)


def translated(texts: Sequence[str]) -> bool:
    """Every form has text (a plural entry without forms has none)."""
    return bool(texts) and all(texts)


def state(texts: Sequence[str], fuzzy: bool) -> str:
    """TRANSLATED, FUZZY or UNTRANSLATED, as GNU ``msgfmt --statistics`` counts: an
    entry with an empty form is untranslated, fuzzy flag or not. Only a translated entry
    is ever printed; a fuzzy one is msgmerge's guess, waiting for a translator."""
    if not translated(texts):
        return UNTRANSLATED
    return FUZZY if fuzzy else TRANSLATED


def entry_state(entry: polib.POEntry) -> str:
    return state(forms(entry), bool(entry.fuzzy))


class MsgidLines:
    """The line of each entry's msgid, where editors and msgfmt point.

    polib's ``linenum`` is the first line of an entry, usually a comment; the msgid line
    is the first one from there (indented or not, as polib reads it)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = []
        for number, raw in enumerate(lines, 1):
            words = raw.strip().lstrip("\ufeff").split(None, 1)
            if words and words[0] == "msgid":
                self._lines.append(number)

    def of(self, entry: polib.POEntry) -> int:
        index = bisect_left(self._lines, int(entry.linenum or 0))
        return self._lines[index] if index < len(self._lines) else int(entry.linenum or 1)
