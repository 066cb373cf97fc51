"""What `review check` reports: text changed since it was sealed and X-Review-* headers
that claim more than the ledger; `review sync` brings such headers back in line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import polib

from ..catalog import REVIEW_DATE, REVIEW_STATUS, REVIEWED_BY, catalogs, read_po, render_po
from ..checks import ERROR, Problem
from ..config import Project
from ..errors import LeafletsError
from ..files import write_atomic
from .ledger import ledger_path, read_ledger
from .status import (
    CHANGED,
    REVIEW_SEALED,
    CatalogReview,
    catalog_review,
    classify,
    messages_of,
    review_header_line,
)


def claim_problems(review: CatalogReview) -> list[Problem]:
    """A header that claims more than the ledger shows: reviewed while messages are not
    sealed, more sealed messages than there are, a reviewer or date no seal has."""
    header = review.header
    where = review.path
    line = review.header_line
    problems = []

    def add(message: str) -> None:
        problems.append(Problem(where, line, ERROR, "review-claim", message))

    status = header.get(REVIEW_STATUS, "").lower()
    unsealed = review.total - review.sealed
    if status == "reviewed" and not review.reviewed:
        add(
            f"{REVIEW_STATUS} says reviewed, but {unsealed} of {review.total} messages are not "
            f"sealed in {review.ledger}"
        )
    claimed = header.get(REVIEW_SEALED, "")
    match = re.fullmatch(r"(\d+)\s+of\s+(\d+)", claimed)
    if claimed and not match:
        add(f"{REVIEW_SEALED} should read 'N of M', not {claimed!r}")
    elif match and int(match.group(2)) - int(match.group(1)) < unsealed:
        # Fewer unsealed messages than there are (an obsolete message that drops out of
        # both counts claims nothing more).
        add(f"{REVIEW_SEALED} says {claimed}; the ledger seals {review.sealed} of {review.total}")
    names = [n.strip() for n in header.get(REVIEWED_BY, "").split(";") if n.strip()]
    current = set(review.reviewers())
    for name in names:
        if name not in current:
            add(f"{REVIEWED_BY} names {name!r}, who has no current seal in {review.ledger}")
    date = header.get(REVIEW_DATE, "")
    last = review.last_seal()
    if date and (last is None or date > last.date.isoformat()):
        seen = last.date.isoformat() if last else "none"
        add(f"{REVIEW_DATE} is {date}, later than the last current seal ({seen})")
    return problems


def change_problems(review: CatalogReview) -> list[Problem]:
    problems = []
    for m in review.messages:
        if m.state != CHANGED or m.seal is None:
            continue
        what = "marked fuzzy" if m.message.fuzzy else "changed"
        problems.append(
            Problem(
                review.path,
                m.message.line,
                ERROR,
                "review-changed",
                f"{what} since {m.seal.reviewer} sealed it on {m.seal.date.isoformat()}; "
                f"see `leaflets review diff --lang {review.lang}`",
                m.message.source,
            )
        )
    return problems


def check_reviews(project: Project, langs: Iterable[str] | None = None) -> list[Problem]:
    """Every catalog with text changed since its seal or a header that claims more than
    its ledger; a ledger or catalog that cannot be read is a problem too."""
    problems: list[Problem] = []
    for leaflet, lang, path in catalogs(project, langs):
        try:
            review = catalog_review(project, leaflet, lang)
        except LeafletsError as exc:
            problems.append(exc.as_problem("review-ledger", path))
            continue
        problems += change_problems(review) + claim_problems(review)
    return problems


def file_claim_problems(path: Path, shown: str, data: bytes) -> list[Problem]:
    """For `leaflets check PATH`: the header claims of any catalog against the ledger
    beside it (a catalog without a ledger has no seals)."""
    try:
        po = polib.pofile(data.decode("utf-8"), encoding="utf-8")
    except (UnicodeDecodeError, OSError, ValueError):
        return []  # the syntax checks report it
    text = data.decode("utf-8")
    ledger = ledger_path(path)
    try:
        seals = read_ledger(ledger, str(Path(shown).with_name(ledger.name)))
    except LeafletsError as exc:
        return [exc.as_problem("review-ledger", shown)]
    header = {k: str(v).strip() for k, v in po.metadata.items() if k.startswith("X-Review")}
    review = CatalogReview(
        "",
        str(po.metadata.get("Language", "")),
        shown,
        str(Path(shown).with_name(ledger.name)),
        tuple(classify(messages_of(po, text), seals)),
        tuple(seals),
        header,
        review_header_line(text),
    )
    return claim_problems(review)


def sync_headers(project: Project, langs: Iterable[str] | None = None) -> list[str]:
    """Bring the X-Review-* summary of every catalog whose header claims more than its
    ledger (after `leaflets update` merged new English, say) back to what the ledger
    shows. Seals nothing; catalogs whose header is true are not touched."""
    wrote = []
    for leaflet, lang, path in catalogs(project, langs):
        review = catalog_review(project, leaflet, lang)
        if not claim_problems(review):
            continue
        shown = path.relative_to(project.root)
        po, _text = read_po(path, shown)
        po.metadata.update(review.summary_headers())
        write_atomic(path, render_po(po, shown))
        wrote.append(str(shown))
    return wrote
