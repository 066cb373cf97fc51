"""What the read-only commands report: the project listing, catalog statistics, the
checks of catalogs and the review status, as lines of text and as JSON.

Each report is made by one function and printed as it is: the CLI (``leaflets list``,
``stats``, ``check``, ``review status``, ``review check``) holds no logic of its own.
Nothing here writes a file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import CatalogStats, catalog_stats, catalogs
from .checks import ERROR, Problem, check_po_bytes
from .config import Project, load_project
from .errors import LeafletsError, UnknownChoiceError, UsageProblem
from .fonts import language_coverage
from .review import (
    CatalogReview,
    catalog_review,
    check_reviews,
    file_claim_problems,
    language_status,
    project_reviews,
    variant_reviews,
)

# Where a catalog declares its language; read without parsing, so that a file given on
# the command line, which may be broken in any way, still has its glyphs checked.
_DECLARED_LANGUAGE = re.compile(rb'"Language: *([A-Za-z_@-]+)\\n"')


def table(rows: Sequence[Sequence[str]], right: Container[int]) -> list[str]:
    """Rows (the first one the heading) as aligned columns under a rule; the columns
    numbered in ``right`` are aligned to the right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


# --- leaflets list ------------------------------------------------------------------------


def listing(project: Project) -> list[str]:
    """Every leaflet with its version and title, its variants, and its languages with
    how much of each is translated and sealed."""
    lines = []
    for leaflet in project.leaflets.values():
        lines.append(f"{leaflet.id}  (version {leaflet.version}, {leaflet.title})")
        lines.append("  variants:")
        lines += [f"    {variant.id:<16} {variant.label}" for variant in leaflet.variants]
        lines.append("  languages:")
        for lang in project.languages(leaflet.id):
            lines.append(f"    {lang:<8} {language_status(project, leaflet, lang)}")
    return lines


# --- leaflets stats -----------------------------------------------------------------------


@dataclass(frozen=True)
class StatsReport:
    """How much of each catalog is translated (as ``msgfmt --statistics`` counts) and
    sealed (from its review ledger, never from its header)."""

    rows: list[tuple[CatalogStats, CatalogReview]]

    def json(self) -> str:
        return _json(
            [
                {
                    "leaflet": s.leaflet,
                    "lang": s.lang,
                    "path": s.path,
                    "translated": s.translated,
                    "fuzzy": s.fuzzy,
                    "untranslated": s.untranslated,
                    "obsolete": s.obsolete,
                    "translated_words": s.translated_words,
                    "fuzzy_words": s.fuzzy_words,
                    "untranslated_words": s.untranslated_words,
                    "percent": round(s.percent, 1),
                    "sealed": r.sealed,
                    "sealable": r.total,
                    "changed_since_sealed": r.changed,
                    "review_status": r.status().status,
                    "reviewed_by": r.status().reviewer,
                    "review_date": r.status().date,
                }
                for s, r in self.rows
            ]
        )

    def table(self) -> list[str]:
        rows = [
            (
                "leaflet",
                "lang",
                "done",
                "translated",
                "fuzzy",
                "untranslated",
                "obsolete",
                "words left",
                "sealed",
                "review",
            )
        ]
        for s, r in self.rows:
            status = r.status()
            review = {"draft": "DRAFT, not yet reviewed", "reviewed": "reviewed"}[status.status]
            if status.status == "reviewed":
                review += f" (last signed by {status.reviewer} on {status.date})"
            rows.append(
                (
                    s.leaflet,
                    s.lang,
                    f"{s.percent:.1f}%",
                    str(s.translated),
                    str(s.fuzzy),
                    str(s.untranslated),
                    str(s.obsolete),
                    str(s.fuzzy_words + s.untranslated_words),
                    f"{r.sealed}/{r.total}",
                    review,
                )
            )
        return table(rows, right=range(2, 9))


def stats(project: Project, langs: Sequence[str] = ()) -> StatsReport:
    """The statistics and the review of every catalog, or of ``langs`` only."""
    rows = []
    for leaflet, lang, path in catalogs(project, langs or None):
        found = catalog_stats(project, leaflet, lang, path)
        rows.append((found, catalog_review(project, project.leaflet(found.leaflet), found.lang)))
    return StatsReport(rows)


# --- leaflets check -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckReport:
    problems: list[Problem]
    catalogs: int  # how many were checked

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def json(self) -> str:
        return _json([p.as_dict() for p in self.problems])

    def summary(self) -> str:
        return f"{self.catalogs} catalog(s): {self.errors} error(s), {self.warnings} warning(s)"


def declared_language(data: bytes) -> str | None:
    """The Language header of a catalog, read without trusting the rest of it."""
    match = _DECLARED_LANGUAGE.search(data[:4000])
    return match.group(1).decode("ascii") if match else None


def _coverage(project: Project | None, lang: str | None) -> frozenset[int] | None:
    """The code points the language's fonts draw; None (no glyph check) without a
    project, a language, or fonts for it."""
    if project is None or not lang:
        return None
    try:
        return language_coverage(project.fonts_dir, lang)
    except LeafletsError:
        return None


def _targets(
    root: Path, paths: Sequence[Path], langs: Sequence[str]
) -> tuple[Project | None, list[tuple[Path, str, str | None]]]:
    """The project (if any) and each catalog to check: its path, the path to show, and
    the language it must be (None for a file given by path: any language)."""
    if paths:
        try:
            project: Project | None = load_project(root)
        except LeafletsError:
            project = None  # a foreign .po file needs no project, only for its glyphs
        return project, [(path, str(path), None) for path in paths]
    project = load_project(root)
    if langs:
        known = {code for _, code, _ in catalogs(project)}
        for code in langs:
            if code not in known:
                raise UnknownChoiceError("language", code, known)
    found = catalogs(project, langs or None)
    return project, [(path, str(path.relative_to(project.root)), code) for _, code, path in found]


def check(root: Path, paths: Sequence[Path] = (), langs: Sequence[str] = ()) -> CheckReport:
    """Check the catalogs given by path (any gettext .po file), else the project's
    catalogs (of ``langs`` only, if given): every problem of each, and a review header
    that claims more than the ledger beside it.

    Raises UsageProblem for a file that cannot be read, UnknownChoiceError for a
    language the project has no catalog of.
    """
    project, targets = _targets(root, paths, langs)
    problems = []
    for path, shown, lang in targets:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageProblem(f"{shown}: cannot read: {exc.strerror}") from None
        cover = _coverage(project, lang or declared_language(data))
        found = check_po_bytes(data, shown, coverage=cover, expected_language=lang)
        problems += found
        if not any(p.code in ("syntax", "encoding") for p in found):
            problems += file_claim_problems(path, shown, data)
    return CheckReport(problems, len(targets))


# --- leaflets review status / check -------------------------------------------------------


@dataclass(frozen=True)
class ReviewReport:
    """Per catalog: messages sealed, changed since sealed, never sealed, who signed last;
    in JSON also, per variant, the messages its handouts print."""

    project: Project
    reviews: list[CatalogReview]

    def json(self) -> str:
        rows = []
        for r in self.reviews:
            handouts = variant_reviews(self.project.leaflet(r.leaflet), r)
            rows.append(
                {
                    **r.as_dict(),
                    "handouts": {
                        variant: {"reviewed": not h.is_draft, "sealed": h.sealed, "total": h.total}
                        for variant, h in handouts.items()
                    },
                }
            )
        return _json(rows)

    def table(self) -> list[str]:
        rows = [("leaflet", "lang", "sealed", "changed", "never", "total", "status", "signed last")]
        for r in self.reviews:
            last = r.last_seal()
            rows.append(
                (
                    r.leaflet,
                    r.lang,
                    str(r.sealed),
                    str(r.changed),
                    str(r.never),
                    str(r.total),
                    "reviewed" if r.reviewed else "DRAFT",
                    f"{last.reviewer} on {last.date.isoformat()}" if last else "-",
                )
            )
        return table(rows, right=range(2, 6))


def review_status(project: Project, langs: Sequence[str] = ()) -> ReviewReport:
    return ReviewReport(project, project_reviews(project, langs or None))


def review_problems(project: Project, langs: Sequence[str] = ()) -> list[Problem]:
    """For CI: text changed since its seal, a header claiming more than its ledger, a
    ledger that does not parse. An unknown language raises UnknownChoiceError."""
    if langs:
        project_reviews(project, langs)  # an unknown language: a usage error
    return check_reviews(project, langs or None)
