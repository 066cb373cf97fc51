"""Derived review status: a catalog's messages against its ledger's seals (sealed,
changed, never sealed), per catalog, per handout and per variant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import polib

from .. import entries
from ..catalog import (
    REVIEW_DATE,
    REVIEW_STATUS,
    REVIEWED_BY,
    TITLE_CONTEXT,
    VARIANT_CONTEXT,
    ReviewStatus,
    catalog_stats,
    catalogs,
    read_po,
)
from ..config import Leaflet, Project
from ..errors import CatalogError, LeafletsError, UnknownChoiceError, UsageProblem
from ..memo import BoundedCache, stamp
from .ledger import Key, MessageText, Seal, ledger_path, read_ledger

# The header `sign` writes beside the three X-Review-* lines: "sealed of total".
REVIEW_SEALED = "X-Review-Sealed"

SealState = Literal["sealed", "changed", "never"]
SEALED: Final = "sealed"
CHANGED: Final = "changed"
NEVER: Final = "never"
STATES = (SEALED, CHANGED, NEVER)


@dataclass(frozen=True)
class Message(MessageText):
    """One live (not obsolete) message of a catalog, as the reviewer sees it."""

    fuzzy: bool
    line: int  # of its msgid
    references: tuple[str, ...] = ()
    comment: str = ""
    previous: Key | None = None  # msgmerge's #| msgctxt/msgid of a fuzzy entry

    @property
    def translated(self) -> bool:
        return entries.translated(self.translation)

    @property
    def state(self) -> str:
        """TRANSLATED, FUZZY or UNTRANSLATED (``entries.state``)."""
        return entries.state(self.translation, self.fuzzy)

    @property
    def signable(self) -> bool:
        """Only a complete, non-fuzzy translation can be sealed."""
        return self.state == entries.TRANSLATED


@dataclass(frozen=True)
class MessageReview:
    message: Message
    state: SealState
    seal: Seal | None = None  # the seal it has, or had before it changed

    def as_dict(self) -> dict[str, Any]:
        m = self.message
        data: dict[str, Any] = {
            "line": m.line,
            "context": m.context,
            "source": m.source,
            "source_plural": m.source_plural or None,
            "translation": list(m.translation),
            "fuzzy": m.fuzzy,
            "state": self.state,
        }
        if self.seal is not None:
            data["sealed_by"] = self.seal.reviewer
            data["sealed_on"] = self.seal.date.isoformat()
        return data


def messages_of(po: polib.POFile, text: str) -> list[Message]:
    msgid_lines = entries.MsgidLines(text.split("\n"))
    found = []
    for entry in po:
        if entry.obsolete or (not entry.msgid and not entry.msgctxt):
            continue
        previous = None
        if entry.previous_msgid:
            previous = (entry.previous_msgctxt or None, str(entry.previous_msgid))
        found.append(
            Message(
                context=None if entry.msgctxt is None else str(entry.msgctxt),
                source=str(entry.msgid),
                source_plural=str(entry.msgid_plural or ""),
                translation=entries.forms(entry),
                fuzzy=bool(entry.fuzzy),
                line=msgid_lines.of(entry),
                references=tuple(
                    f"{path}:{line}" if line else str(path) for path, line in entry.occurrences
                ),
                comment=str(entry.comment or ""),
                previous=previous,
            )
        )
    return found


def classify(messages: Iterable[Message], seals: Iterable[Seal]) -> list[MessageReview]:
    by_key = {seal.key: seal for seal in seals}
    reviews = []
    for message in messages:
        seal = by_key.get(message.key)
        if seal is None and message.fuzzy and message.previous is not None:
            seal = by_key.get(message.previous)
        if seal is None:
            reviews.append(MessageReview(message, NEVER))
        elif message.signable and seal.fingerprint == message.fingerprint:
            reviews.append(MessageReview(message, SEALED, seal))
        else:
            reviews.append(MessageReview(message, CHANGED, seal))
    return reviews


@dataclass(frozen=True)
class CatalogReview:
    """The derived review status of one catalog, message by message."""

    leaflet: str
    lang: str
    path: str  # the catalog, relative to the project
    ledger: str  # its ledger, relative to the project
    messages: tuple[MessageReview, ...]
    seals: tuple[Seal, ...]  # every seal of the ledger, current or not
    header: dict[str, str] = field(default_factory=dict)  # what the X-Review-* lines say
    header_line: int | None = None

    def count(self, state: SealState) -> int:
        return sum(1 for m in self.messages if m.state == state)

    @property
    def sealed(self) -> int:
        return self.count(SEALED)

    @property
    def changed(self) -> int:
        return self.count(CHANGED)

    @property
    def never(self) -> int:
        return self.count(NEVER)

    @property
    def total(self) -> int:
        return len(self.messages)

    @property
    def reviewed(self) -> bool:
        return self.total > 0 and self.sealed == self.total

    def last_seal(self, states: Sequence[str] = (SEALED,)) -> Seal | None:
        """The most recent current seal: who signed last, and when."""
        seals = [m.seal for m in self.messages if m.seal is not None and m.state in states]
        return max(seals, key=lambda s: (s.date, s.reviewer), default=None)

    def reviewers(self) -> list[str]:
        """Reviewers of the current seals, the most recent first."""
        latest: dict[str, dt.date] = {}
        for m in self.messages:
            if m.state == SEALED and m.seal is not None:
                name = m.seal.reviewer
                latest[name] = max(latest.get(name, m.seal.date), m.seal.date)
        return sorted(latest, key=lambda n: (-latest[n].toordinal(), n))

    def status(self) -> ReviewStatus:
        last = self.last_seal()
        return ReviewStatus(
            "reviewed" if self.reviewed else "draft",
            last.reviewer if last else "",
            last.date.isoformat() if last else "",
            sealed=self.sealed,
            total=self.total,
        )

    def summary_headers(self) -> dict[str, str]:
        """The X-Review-* lines `sign` writes: a summary of the ledger, never the source
        of the status."""
        last = self.last_seal()
        return {
            REVIEW_STATUS: "reviewed" if self.reviewed else "draft",
            REVIEWED_BY: "; ".join(self.reviewers()),
            REVIEW_DATE: last.date.isoformat() if last else "",
            REVIEW_SEALED: f"{self.sealed} of {self.total}",
        }

    def as_dict(self) -> dict[str, Any]:
        last = self.last_seal()
        return {
            "leaflet": self.leaflet,
            "lang": self.lang,
            "path": self.path,
            "ledger": self.ledger,
            "total": self.total,
            "sealed": self.sealed,
            "changed": self.changed,
            "never_sealed": self.never,
            "reviewed": self.reviewed,
            "last_signed_by": last.reviewer if last else None,
            "last_signed_on": last.date.isoformat() if last else None,
        }


def review_header_line(text: str) -> int | None:
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith('"X-Review-') or line.startswith('"X-Reviewed-'):
            return number
    return None


# Catalog and ledger versions a process keeps the review of: more than a project has
# catalogs (the desk lists every language), few enough to hold in memory.
MAX_REVIEWS = 128
REVIEWS: BoundedCache[CatalogReview] = BoundedCache(MAX_REVIEWS)


def catalog_path(project: Project, leaflet: Leaflet, lang: str) -> Path:
    """The catalog of ``lang``; an unknown language or a missing catalog is an error."""
    if lang == project.settings.source_language:
        raise UsageProblem(f"{lang} is the source language: it has no catalog to review")
    path = project.catalog_path(leaflet.id, lang)
    if not path.is_file():
        known = {code for _, code, _ in catalogs(project)} | set(project.settings.languages)
        if lang not in known:
            raise UnknownChoiceError("language", lang, known - {project.settings.source_language})
        raise CatalogError(
            f"no catalog for {lang}; start one with `leaflets init {lang}`",
            path.relative_to(project.root),
        )
    return path


def catalog_review(project: Project, leaflet: Leaflet, lang: str) -> CatalogReview:
    """The derived review status of a catalog (read once per change of the catalog or its
    ledger)."""
    path = catalog_path(project, leaflet, lang)
    ledger = ledger_path(path)
    # Everything the review is made of: the catalog and its ledger, and the names and
    # paths (relative to the project) it reports.
    key = (project.root, leaflet.id, lang, path, stamp(path), stamp(ledger))
    cached = REVIEWS.get(key)
    if cached is not None:
        return cached
    shown = path.relative_to(project.root)
    po, text = read_po(path, shown)
    review = _review_of(project, leaflet, lang, path, po, text)
    REVIEWS.put(key, review)
    return review


def _review_of(
    project: Project, leaflet: Leaflet, lang: str, path: Path, po: polib.POFile, text: str
) -> CatalogReview:
    ledger = ledger_path(path)
    ledger_shown = ledger.relative_to(project.root)
    seals = read_ledger(ledger, ledger_shown)
    header = {k: str(v).strip() for k, v in po.metadata.items() if k.startswith("X-Review")}
    return CatalogReview(
        leaflet.id,
        lang,
        str(path.relative_to(project.root)),
        str(ledger_shown),
        tuple(classify(messages_of(po, text), seals)),
        tuple(seals),
        header,
        review_header_line(text),
    )


def _status_of(printed: Sequence[MessageReview]) -> ReviewStatus:
    sealed = [m for m in printed if m.state == SEALED]
    last = max((m.seal for m in sealed if m.seal), key=lambda s: (s.date, s.reviewer), default=None)
    reviewed = bool(printed) and len(sealed) == len(printed)
    return ReviewStatus(
        "reviewed" if reviewed else "draft",
        last.reviewer if last else "",
        last.date.isoformat() if last else "",
        sealed=len(sealed),
        total=len(printed),
    )


def handout_review(
    project: Project, leaflet: Leaflet, lang: str, printed: Iterable[Key]
) -> ReviewStatus:
    """The status of one handout: reviewed only when every message of the catalog that
    it prints (``printed``, as the renderer looked them up) is sealed. A fuzzy or
    untranslated message printed in English is never sealed; a message the catalog
    does not have at all (a stale catalog) is English text, not a translation."""
    review = catalog_review(project, leaflet, lang)
    wanted = set(printed)
    return _status_of([m for m in review.messages if m.message.key in wanted])


def variant_keys(leaflet: Leaflet, variant_id: str, review: CatalogReview) -> set[Key]:
    """The messages one variant's handout may print, read from the catalog alone: those
    without a context or with the variant's own, the title and the variant's label.
    It includes the notices only a draft prints, so it is never more generous than the
    renderer, which records exactly what a handout prints."""
    variant = leaflet.variant(variant_id)
    others = {v.id for v in leaflet.variants} - {variant.id}
    keys = set()
    for m in review.messages:
        ctx = m.message.context
        if ctx in others:
            continue
        if ctx == VARIANT_CONTEXT and m.message.source != variant.label:
            continue
        if ctx is None or ctx in (variant.id, TITLE_CONTEXT, VARIANT_CONTEXT):
            keys.add(m.message.key)
    return keys


def variant_reviews(leaflet: Leaflet, review: CatalogReview) -> dict[str, ReviewStatus]:
    """Per variant, the status of its handouts without rendering them (for listings
    and the desk): see ``variant_keys``."""
    found = {}
    for variant in leaflet.variants:
        keys = variant_keys(leaflet, variant.id, review)
        found[variant.id] = _status_of([m for m in review.messages if m.message.key in keys])
    return found


def project_reviews(project: Project, langs: Iterable[str] | None = None) -> list[CatalogReview]:
    """The review status of every catalog (or of ``langs``), for listings and the desk."""
    wanted = list(langs) if langs else None
    known = {code for _, code, _ in catalogs(project)}
    for lang in wanted or ():
        if lang not in known:
            # Raises the right error: an unknown language, or one without a catalog.
            catalog_path(project, next(iter(project.leaflets.values())), lang)
    return [catalog_review(project, lf, lang) for lf, lang, _ in catalogs(project, wanted)]


def language_status(project: Project, leaflet: Leaflet, lang: str) -> str:
    """One line for `leaflets list`: source, or percent translated, sealed of total and
    the derived review status."""
    if lang == project.settings.source_language:
        return "source language"
    try:
        stats = catalog_stats(project, leaflet, lang, project.catalog_path(leaflet.id, lang))
        review = catalog_review(project, leaflet, lang)
    except LeafletsError as exc:
        return f"unusable: {exc}"
    total = stats.translated + stats.fuzzy + stats.untranslated
    percent = 100 * stats.translated // total if total else 100
    text = f"{percent:3d}% translated"
    if stats.fuzzy:
        text += f", {stats.fuzzy} fuzzy"
    text += f", {review.sealed}/{review.total} sealed"
    last = review.last_seal()
    if review.reviewed and last is not None:
        text += f", reviewed (last signed by {last.reviewer} on {last.date.isoformat()})"
    else:
        text += ", DRAFT: not yet reviewed by a qualified medical translator"
    return text
