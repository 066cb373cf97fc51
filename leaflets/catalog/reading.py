"""Reading catalogs: one ``.po`` file parsed strictly (size limit, the checker's verdict,
then polib), and where the project's catalogs are."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polib

from ..checks import check_po_bytes
from ..config import Leaflet, Project
from ..errors import CatalogError

# A leaflet's catalog is tens of kilobytes; a bigger one is a mistake or an attack.
MAX_CATALOG_BYTES = 2 * 1024 * 1024


def read_po(
    path: Path,
    shown: str | Path,
    *,
    coverage: frozenset[int] | None = None,
    language: str | None = None,
    strict: bool = False,
) -> tuple[polib.POFile, str]:
    """Parse a catalog (and its text); any defect becomes a CatalogError naming the file
    and line. ``strict``: also refuse every error `leaflets check` would report, with
    the language's glyph ``coverage`` and expected ``language``."""
    try:
        size = path.stat().st_size
        if size > MAX_CATALOG_BYTES:
            raise CatalogError(
                f"catalog is {size:,} bytes, more than the limit of {MAX_CATALOG_BYTES:,}", shown
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read catalog: {exc.strerror}", shown) from None
    errors = [
        p
        for p in check_po_bytes(raw, str(shown), coverage=coverage, expected_language=language)
        if p.severity == "error"
    ]
    # polib guesses its way through truncated strings and stray lines: let the
    # checker's stricter reading decide whether the file is a catalog at all.
    fatal = [p for p in errors if p.code in ("syntax", "encoding", "charset", "duplicate")]
    if fatal:
        raise CatalogError(fatal[0].message, shown, fatal[0].line)
    if strict and errors:
        # Catalogs are untrusted input: a translation with a wrong placeholder, foreign
        # markup, a changed number, a bidi control or a glyph the fonts lack is never
        # rendered, even when nobody ran `leaflets check`.
        more = f" (and {len(errors) - 1} more; run `leaflets check`)" if len(errors) > 1 else ""
        raise CatalogError(f"{errors[0].code}: {errors[0].message}{more}", shown, errors[0].line)
    text = raw.decode("utf-8")
    return polib.pofile(text, encoding="utf-8"), text


def parse_po(path: Path, shown: str | Path) -> polib.POFile:
    """Parse a catalog; any defect that makes it unreadable is a CatalogError."""
    return read_po(path, shown)[0]


def catalogs(
    project: Project, langs: Iterable[str] | None = None
) -> list[tuple[Leaflet, str, Path]]:
    """(leaflet, language, path) of every catalog in the project, or of ``langs`` only."""
    wanted = set(langs) if langs else None
    found = []
    for leaflet in project.leaflets.values():
        for lang in project.languages(leaflet.id):
            if lang == project.settings.source_language:
                continue
            if wanted is None or lang in wanted:
                found.append((leaflet, lang, project.catalog_path(leaflet.id, lang)))
    return found
