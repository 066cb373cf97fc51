"""Catalogs from the template: start one for a new language (init), merge a changed
``.pot`` into every catalog (update, GNU msgmerge)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from babel.messages.plurals import get_plural

from ..config import Leaflet, Project
from ..errors import CatalogError
from ..files import write_atomic
from ..locale import locale_info
from .extract import pot_path
from .gettext_tools import run_tool
from .reading import catalogs, parse_po
from .translations import REVIEW_DATE, REVIEW_STATUS, REVIEWED_BY
from .writing import render_po, same_po


def init_catalog(project: Project, leaflet: Leaflet, lang: str) -> Path:
    """Start a catalog for ``lang`` from the leaflet's ``.pot``: language, plural forms
    from CLDR, and a draft review status. Refuses to overwrite an existing catalog."""
    info = locale_info(lang)
    path = project.catalog_path(leaflet.id, lang)
    shown = path.relative_to(project.root)
    if path.exists():
        raise CatalogError("catalog exists already; use `leaflets update`", shown)
    pot = pot_path(project, leaflet)
    if not pot.is_file():
        raise CatalogError(
            "no template; run `leaflets extract` first", pot.relative_to(project.root)
        )
    po = parse_po(pot, pot.relative_to(project.root))
    plural = get_plural(info.babel)
    po.header = (
        f"{info.display_name} translation of the {leaflet.id} patient leaflet.\n"
        "Machine-assisted draft: must be reviewed by a qualified medical translator."
    )
    po.metadata.update(
        {
            "Project-Id-Version": f"{leaflet.id} {leaflet.version}",
            "PO-Revision-Date": po.metadata.get("POT-Creation-Date", ""),
            "Last-Translator": "",
            "Language-Team": "",
            "Language": lang,
            "Plural-Forms": f"nplurals={plural.num_plurals}; plural={plural.plural_expr};",
            REVIEW_STATUS: "draft",
            REVIEWED_BY: "",
            REVIEW_DATE: "",
        }
    )
    po.metadata.pop("Generated-By", None)
    write_atomic(path, render_po(po, shown))
    return shown


def merge_catalog(po_path: Path, pot: Path, shown: str | Path) -> bytes:
    """The catalog merged with the template, as GNU msgmerge writes it.

    New messages come in empty; a changed English message is matched to its old
    translation and marked fuzzy with the previous msgid kept (``#|``) so the
    translator sees what changed; messages gone from the template are kept as
    obsolete (``#~``). Fuzzy entries are never rendered.
    """
    parse_po(po_path, shown)  # a broken catalog is reported with its line, before merging
    proc = run_tool(
        "msgmerge",
        ["--quiet", "--previous", "--output-file=-", str(po_path), str(pot)],
        shown,
        needed_for="update catalogs",
    )
    if proc.returncode != 0:
        message = " ".join(proc.stderr.decode("utf-8", "replace").split())
        raise CatalogError(f"msgmerge failed: {message[:300]}", shown)
    return proc.stdout


def update_catalogs(
    project: Project, langs: Iterable[str] | None = None, write: bool = True
) -> list[Path]:
    """Merge each leaflet's ``.pot`` into its catalogs; return those that changed (or would)."""
    changed = []
    for leaflet, _lang, path in catalogs(project, langs):
        shown = path.relative_to(project.root)
        pot = pot_path(project, leaflet)
        if not pot.is_file():
            raise CatalogError(
                "no template; run `leaflets extract` first", pot.relative_to(project.root)
            )
        new = merge_catalog(path, pot, shown)
        if not same_po(path.read_bytes(), new):
            changed.append(shown)
            if write:
                write_atomic(path, new)
    return changed
