"""Gettext catalogs: extraction from templates, loading for rendering.

The only package that reads or writes ``.po`` files (through polib and Babel):
``reading`` (one catalog, strictly; where they are), ``translations`` (loading for
rendering), ``gettext_tools`` (msgcat and msgmerge, with a time limit), ``writing``
(GNU layout via msgcat), ``extract`` (templates -> ``.pot``), ``update`` (init and
msgmerge), ``stats``. Everything is re-exported here.
"""

from __future__ import annotations

from .extract import (
    COMMENT_TAGS,
    JINJA_OPTIONS,
    TITLE_CONTEXT,
    VARIANT_CONTEXT,
    extract_all,
    extract_catalog,
    pot_path,
    template_files,
)
from .reading import MAX_CATALOG_BYTES, catalogs, parse_po, read_po
from .stats import CatalogStats, catalog_stats
from .translations import (
    MAX_MESSAGE_CHARS,
    REVIEW_DATE,
    REVIEW_STATUS,
    REVIEWED_BY,
    LoadedCatalog,
    ReviewState,
    ReviewStatus,
    Translations,
    load_catalog,
)
from .update import init_catalog, merge_catalog, update_catalogs
from .writing import gnu_format, render_po, render_pot, same_po, same_pot

__all__ = [
    "COMMENT_TAGS",
    "JINJA_OPTIONS",
    "MAX_CATALOG_BYTES",
    "MAX_MESSAGE_CHARS",
    "REVIEWED_BY",
    "REVIEW_DATE",
    "REVIEW_STATUS",
    "TITLE_CONTEXT",
    "VARIANT_CONTEXT",
    "CatalogStats",
    "LoadedCatalog",
    "ReviewState",
    "ReviewStatus",
    "Translations",
    "catalog_stats",
    "catalogs",
    "extract_all",
    "extract_catalog",
    "gnu_format",
    "init_catalog",
    "load_catalog",
    "merge_catalog",
    "parse_po",
    "pot_path",
    "read_po",
    "render_po",
    "render_pot",
    "same_po",
    "same_pot",
    "template_files",
    "update_catalogs",
]
