"""A catalog loaded for rendering: the translated, non-fuzzy messages a handout may
print, what is missing, and the review status the renderer fills in."""

from __future__ import annotations

import gettext
import hashlib
import re
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..config import Leaflet, Project
from ..entries import FUZZY, TRANSLATED, MsgidLines, forms, state
from ..errors import CatalogError
from ..fonts import language_coverage
from ..memo import BoundedCache, stamp
from .reading import read_po

# No message of a leaflet needs more; a longer translation would only blow up layout.
MAX_MESSAGE_CHARS = 4000

# A summary of the review ledger that `leaflets review sign` writes; never the source of
# the status, which `leaflets.review` derives from the ledger (see review/status.py).
REVIEW_STATUS = "X-Review-Status"
REVIEWED_BY = "X-Reviewed-By"
REVIEW_DATE = "X-Review-Date"


ReviewState = Literal["source", "draft", "reviewed"]


@dataclass(frozen=True)
class ReviewStatus:
    """Derived from the review ledger (``leaflets.review``), never from a header."""

    status: ReviewState
    reviewer: str = ""  # who signed last
    date: str = ""  # when
    sealed: int = 0  # messages sealed, of
    total: int = 0  # the messages counted (a catalog's, or those a handout prints)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def unsealed(self) -> int:
        return self.total - self.sealed


class Translations(gettext.NullTranslations):
    """Translated, non-fuzzy messages of one catalog; anything else falls back to English."""

    def __init__(
        self, messages: dict[tuple[str | None, str], list[str]], plural_forms: str = ""
    ) -> None:
        super().__init__()
        self._messages = messages
        self.missing: set[tuple[str | None, str]] = set()
        # The catalog's own plural rule (checked valid by `checks`); English's otherwise.
        match = re.search(r"plural\s*=\s*([^;]+)", plural_forms)
        self._rule = gettext.c2py(match.group(1)) if match else (lambda n: int(n != 1))
        # Every translated message looked up: what the handout prints, whose seals
        # decide whether it is reviewed.
        self.used: set[tuple[str | None, str]] = set()

    def _lookup(self, context: str | None, msgid: str, plural: str | None, n: int) -> str:
        forms = self._messages.get((context, msgid))
        if forms is None:
            self.missing.add((context, msgid))
            return msgid if plural is None or n == 1 else plural
        self.used.add((context, msgid))
        index = 0 if len(forms) == 1 else min(self._plural(n), len(forms) - 1)
        return forms[index]

    def _plural(self, n: int) -> int:
        return int(self._rule(n))

    def gettext(self, message: str) -> str:
        return self._lookup(None, message, None, 1)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._lookup(None, msgid1, msgid2, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._lookup(context, message, None, 1)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self._lookup(context, msgid1, msgid2, n)


@dataclass
class LoadedCatalog:
    translations: gettext.NullTranslations
    # A translation is a draft until the renderer has derived the status of the handout
    # from the review ledger (``review.handout_review``).
    review: ReviewStatus
    untranslated: int = 0
    fuzzy: int = 0
    path: Path | None = None
    unusable_lines: list[int] = field(default_factory=list)  # fuzzy or untranslated entries

    @property
    def complete(self) -> bool:
        return not (self.untranslated or self.fuzzy)

    def incomplete_message(self, shown: str | Path) -> str:
        lines = ", ".join(str(n) for n in self.unusable_lines[:8])
        more = ", ..." if len(self.unusable_lines) > 8 else ""
        parts = []
        if self.untranslated:
            parts.append(f"{self.untranslated} untranslated")
        if self.fuzzy:
            parts.append(f"{self.fuzzy} fuzzy (need checking)")
        return (
            f"{shown}: incomplete translation: {' and '.join(parts)} messages "
            f"(lines {lines}{more}); translate them, or build with --allow-incomplete "
            "to print those messages in English with a notice on every page"
        )


@dataclass(frozen=True)
class _Parsed:
    messages: dict[tuple[str | None, str], list[str]]
    plural_forms: str
    untranslated: int
    fuzzy: int
    unusable: list[int]


# Catalog versions a process keeps parsed: more than a project has catalogs (a batch
# worker renders each one for every variant, paper and edition, in any order), few
# enough to hold in memory.
MAX_PARSED = 128
PARSED: BoundedCache[_Parsed] = BoundedCache(MAX_PARSED)


def _glyphs_key(cover: frozenset[int]) -> str:
    """A digest of the code points a language's fonts draw: a key without the set."""
    return hashlib.sha256(array("L", sorted(cover)).tobytes()).hexdigest()


def load_catalog(project: Project, leaflet: Leaflet, lang: str) -> LoadedCatalog:
    """Translations for rendering ``leaflet`` in ``lang``.

    Fuzzy and obsolete entries are never used, and a catalog with any error that
    `leaflets check` would report is refused.
    """
    if lang == project.settings.source_language:
        return LoadedCatalog(gettext.NullTranslations(), ReviewStatus("source"))
    path = project.catalog_path(leaflet.id, lang)
    shown = path.relative_to(project.root)
    if not path.is_file():
        raise CatalogError("no catalog for this language", shown)
    # The strict reading depends on the catalog, its language and the glyphs the
    # language's fonts draw (a changed font can make a translation unprintable).
    cover = language_coverage(project.fonts_dir, lang)
    key = (path, stamp(path), lang, _glyphs_key(cover))
    parsed = PARSED.get(key)
    if parsed is None:
        # Parsing and checking a catalog once per process is enough: a batch renders
        # the same catalog for every variant, paper and edition.
        parsed = _parse_for_rendering(path, shown, lang, cover)
        PARSED.put(key, parsed)
    return LoadedCatalog(
        Translations(parsed.messages, parsed.plural_forms),
        ReviewStatus("draft"),
        parsed.untranslated,
        parsed.fuzzy,
        path,
        parsed.unusable,
    )


def _parse_for_rendering(path: Path, shown: Path, lang: str, cover: frozenset[int]) -> _Parsed:
    po, text = read_po(path, shown, coverage=cover, language=lang, strict=True)
    msgid_lines = MsgidLines(text.split("\n"))
    messages: dict[tuple[str | None, str], list[str]] = {}
    untranslated = fuzzy = 0
    unusable: list[int] = []
    for entry in po:
        if entry.obsolete or (not entry.msgid and not entry.msgctxt):
            continue
        texts = forms(entry)
        kind = state(texts, bool(entry.fuzzy))
        if kind != TRANSLATED:
            if kind == FUZZY:
                fuzzy += 1
            else:
                untranslated += 1
            unusable.append(msgid_lines.of(entry))
            continue
        longest = max(len(form) for form in texts)
        if longest > MAX_MESSAGE_CHARS:
            raise CatalogError(
                f"translation of {longest:,} characters, more than the limit of "
                f"{MAX_MESSAGE_CHARS:,}",
                shown,
                msgid_lines.of(entry),
            )
        messages[(entry.msgctxt, entry.msgid)] = list(texts)
    return _Parsed(
        messages,
        po.metadata.get("Plural-Forms", ""),
        untranslated,
        fuzzy,
        unusable,
    )
