"""How much of a catalog is translated: messages and words, counted as msgfmt counts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from ..config import Leaflet, Project
from ..entries import FUZZY, TRANSLATED, UNTRANSLATED, entry_state
from .reading import parse_po


@dataclass(frozen=True)
class CatalogStats:
    leaflet: str
    lang: str
    path: str
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    translated_words: int
    fuzzy_words: int
    untranslated_words: int

    @property
    def percent(self) -> float:
        total = self.translated + self.fuzzy + self.untranslated
        return 100.0 * self.translated / total if total else 100.0


def _words(entry: polib.POEntry) -> int:
    return len(entry.msgid.split())


def catalog_stats(project: Project, leaflet: Leaflet, lang: str, path: Path) -> CatalogStats:
    """Message and word counts, counted the way ``msgfmt --statistics`` counts messages:
    a fuzzy entry with no translation counts as untranslated, the header not at all."""
    shown = path.relative_to(project.root)
    po = parse_po(path, shown)
    counts = dict.fromkeys((TRANSLATED, FUZZY, UNTRANSLATED), 0)
    words = dict.fromkeys((TRANSLATED, FUZZY, UNTRANSLATED), 0)
    obsolete = 0
    for entry in po:
        if entry.obsolete:
            obsolete += 1
            continue
        if not entry.msgid and not entry.msgctxt:
            continue
        kind = entry_state(entry)
        counts[kind] += 1
        words[kind] += _words(entry)
    return CatalogStats(
        leaflet.id,
        lang,
        str(shown),
        counts[TRANSLATED],
        counts[FUZZY],
        counts[UNTRANSLATED],
        obsolete,
        words[TRANSLATED],
        words[FUZZY],
        words[UNTRANSLATED],
    )
