"""How much of a catalog is translated: messages and words, counted as msgfmt counts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from ..config import Leaflet, Project
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
    translated = fuzzy = untranslated = 0
    t_words = f_words = u_words = obsolete = 0
    for entry in po:
        if entry.obsolete:
            obsolete += 1
            continue
        if not entry.msgid and not entry.msgctxt:
            continue
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        filled = bool(forms) and all(forms)
        if entry.fuzzy and filled:
            fuzzy += 1
            f_words += _words(entry)
        elif filled:
            translated += 1
            t_words += _words(entry)
        else:
            untranslated += 1
            u_words += _words(entry)
    return CatalogStats(
        leaflet.id,
        lang,
        str(shown),
        translated,
        fuzzy,
        untranslated,
        obsolete,
        t_words,
        f_words,
        u_words,
    )
