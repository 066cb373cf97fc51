"""Signing: seal a catalog's translated messages in a reviewer's name, then write the
ledger and the catalog's X-Review-* summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polib

from ..catalog import read_po, render_po
from ..config import Leaflet, Project
from ..entries import FUZZY, UNTRANSLATED
from ..errors import UsageProblem
from ..files import write_atomic
from ..fonts import language_coverage
from .ledger import Key, Seal, ledger_path, read_ledger, render_ledger
from .status import SEALED, CatalogReview, catalog_path, catalog_review, classify, messages_of


@dataclass(frozen=True)
class SignResult:
    review: CatalogReview  # after signing
    signed: int  # seals written now
    skipped_fuzzy: int
    skipped_untranslated: int
    wrote: tuple[str, ...]  # files changed


def read_strict(project: Project, path: Path, lang: str) -> tuple[polib.POFile, str]:
    """A catalog as the renderer reads it: any error `leaflets check` reports refuses it,
    so nobody seals text that could not be printed."""
    cover = language_coverage(project.fonts_dir, lang)
    return read_po(path, path.relative_to(project.root), coverage=cover, language=lang, strict=True)


def parse_date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"--date: expected a date like 2026-11-30, got {text!r}") from None


def clean_name(value: str, option: str) -> str:
    value = " ".join(value.split())
    if option == "--reviewer" and not value:
        raise UsageProblem(f"{option}: the name of the reviewer is needed")
    if len(value) > 200:
        raise UsageProblem(f"{option}: longer than 200 characters")
    return value


def store_review(
    project: Project,
    leaflet: Leaflet,
    lang: str,
    path: Path,
    po: polib.POFile,
    original: bytes,
    seals: list[Seal],
    ledger_before: bytes | None,
    *,
    summary: bool = True,
) -> tuple[CatalogReview, list[str]]:
    """Write the ledger and the catalog (laid out by msgcat; with ``summary``, its
    X-Review-* headers brought up to date) where they changed; return the new status
    and the files written."""
    shown = path.relative_to(project.root)
    ledger = ledger_path(path)
    if summary:
        text = render_po(po, shown).decode("utf-8")
        review = CatalogReview(
            leaflet.id,
            lang,
            str(shown),
            str(ledger.relative_to(project.root)),
            tuple(classify(messages_of(polib.pofile(text, encoding="utf-8"), text), seals)),
            tuple(seals),
        )
        po.metadata.update(review.summary_headers())
    new_po = render_po(po, shown)
    new_ledger = render_ledger(seals, path.name) if seals or ledger_before is not None else None
    wrote = []
    if new_ledger is not None and new_ledger != ledger_before:
        write_atomic(ledger, new_ledger)
        wrote.append(str(ledger.relative_to(project.root)))
    if new_po != original:
        write_atomic(path, new_po)
        wrote.append(str(shown))
    return catalog_review(project, leaflet, lang), wrote


def sign(
    project: Project,
    leaflet: Leaflet,
    lang: str,
    reviewer: str,
    *,
    credential: str = "",
    date: dt.date | None = None,
    messages: str = "unsealed",
) -> SignResult:
    """Seal the translated, non-fuzzy messages of a catalog in the reviewer's name:
    ``all`` of them, or only the ``unsealed`` ones (changed or never sealed) that the
    reviewer has just read. Seals of messages the catalog no longer has are dropped
    (git keeps them). Writes the ledger and the summary headers."""
    if messages not in ("all", "unsealed"):
        raise UsageProblem(f"--messages: expected all or unsealed, got {messages!r}")
    reviewer = clean_name(reviewer, "--reviewer")
    credential = clean_name(credential, "--credential")
    path = catalog_path(project, leaflet, lang)
    original = path.read_bytes()
    po, text = read_strict(project, path, lang)
    ledger = ledger_path(path)
    ledger_before = ledger.read_bytes() if ledger.is_file() else None
    current = classify(messages_of(po, text), read_ledger(ledger, ledger.relative_to(project.root)))
    day = date or dt.date.today()
    seals: dict[Key, Seal] = {}
    signed = fuzzy = untranslated = 0
    for review in current:
        m = review.message
        if review.seal is not None:
            seals[review.seal.key] = review.seal  # kept unless re-signed below
        if m.state == FUZZY:
            fuzzy += 1
            continue
        if m.state == UNTRANSLATED:
            untranslated += 1
            continue
        if messages == "unsealed" and review.state == SEALED:
            continue
        if review.seal is not None:
            seals.pop(review.seal.key, None)
        seals[m.key] = Seal(
            m.context, m.source, m.source_plural, m.translation, reviewer, day, credential
        )
        signed += 1
    after, wrote = store_review(
        project, leaflet, lang, path, po, original, list(seals.values()), ledger_before
    )
    return SignResult(after, signed, fuzzy, untranslated, tuple(wrote))
