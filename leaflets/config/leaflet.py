"""A leaflet's metadata (templates/leaflets/<id>/leaflet.toml): title, version, review
dates, page budgets, variants, facts and keywords."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ..errors import LeafletsError
from .model import LAYOUTS, Leaflet, Variant
from .reading import NAME_RE, FileProblems, read_toml

_FACT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Names the composer gives every template (compose.Composer.context): a leaflet's fact
# may not hide one of them.
RESERVED_FACT_NAMES = frozenset(
    {
        "loc",
        "brand",
        "leaflet",
        "variant",
        "edition",
        "paper",
        "layout",
        "pairs",
        "title",
        "variant_label",
        "document_title",
        "stylesheet_url",
        "logo_url",
        "document_date",
        "page_css",
        "review_date",
        "fields",
        "fever",
        "phone_appointments",
        "phone_after_hours",
        "draft",
        "incomplete",
        "english_notices",
        "counts",
        "fit",
        "PAGE_MARK",
        "PAGES_MARK",
        "gettext",
        "ngettext",
        "pgettext",
        "npgettext",
        "_",
        "range",
        "lipsum",
        "dict",
        "cycler",
        "joiner",
        "namespace",
    }
)


def _parse_date(p: FileProblems, data: dict[str, Any], key: str) -> dt.date | None:
    value = p.get(data, key, dt.date)
    if isinstance(value, dt.datetime):
        p.add(key, "must be a date (YYYY-MM-DD), not a date and time")
        return None
    return value  # type: ignore[no-any-return]


def load_leaflet(folder: Path, root: Path, problems: list[LeafletsError]) -> Leaflet | None:
    path = folder / "leaflet.toml"
    data = read_toml(path, root, problems)
    if data is None:
        return None
    p = FileProblems(path, root)
    allowed = {
        "id",
        "title",
        "version",
        "last_medical_review",
        "next_review",
        "page_budget",
        "page_budgets",
        "variants",
        "facts",
        "keywords",
    }
    p.unknown(data, allowed)
    leaflet_id = p.get(data, "id", str)
    if leaflet_id is not None and leaflet_id != folder.name:
        p.add("id", f"must match its folder name {folder.name!r}")
    title = p.get(data, "title", str)
    version = p.get(data, "version", str)
    last = _parse_date(p, data, "last_medical_review")
    nxt = _parse_date(p, data, "next_review")
    if last and nxt and nxt <= last:
        p.add("next_review", "must be after last_medical_review")
    budget = p.get(data, "page_budget", int)
    if isinstance(budget, int) and budget < 1:
        p.add("page_budget", "must be at least 1")
    layout_budgets: dict[str, int] = {}
    raw_budgets = data.get("page_budgets", {})
    if not isinstance(raw_budgets, dict):
        p.add("page_budgets", "must be a table of layout = pages")
        raw_budgets = {}
    for layout, pages in raw_budgets.items():
        if layout == "standard":
            p.add("page_budgets.standard", "the standard layout's budget is page_budget")
        elif layout not in LAYOUTS:
            p.add(f"page_budgets.{layout}", f"unknown layout; valid: {', '.join(LAYOUTS)}")
        elif not isinstance(pages, int) or isinstance(pages, bool) or pages < 1:
            p.add(f"page_budgets.{layout}", "must be a whole number of pages, at least 1")
        else:
            layout_budgets[layout] = pages
    variants: list[Variant] = []
    raw_variants = p.get(data, "variants", dict)
    if raw_variants is not None:
        if not raw_variants:
            p.add("variants", "must name at least one variant")
        for vid, vdata in raw_variants.items():
            if not NAME_RE.match(vid):
                p.add(f"variants.{vid}", "variant ids use a-z, 0-9, - and _")
            if not isinstance(vdata, dict):
                p.add(f"variants.{vid}", "must be a table with a label")
                continue
            label = p.get(vdata, "label", str, f"variants.{vid}.")
            p.unknown(vdata, {"label"}, f"variants.{vid}.")
            if label is not None:
                variants.append(Variant(vid, label))
    facts = data.get("facts", {})
    if not isinstance(facts, dict):
        p.add("facts", "must be a table")
        facts = {}
    for name in facts:
        if not _FACT_RE.match(name):
            p.add(f"facts.{name}", "names use a-z, 0-9 and _, starting with a letter")
        elif name in RESERVED_FACT_NAMES:
            p.add(f"facts.{name}", "this name is taken by the page frame; choose another")
    keywords = data.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        p.add("keywords", "must be a list of words")
        keywords = []
    if not (folder / "leaflet.html.j2").is_file():
        p.add("template", f"{folder.name}/leaflet.html.j2 not found")
    problems.extend(p.items)
    if p.items:
        return None
    return Leaflet(
        leaflet_id,
        title,
        version,
        last,  # type: ignore[arg-type]
        nxt,  # type: ignore[arg-type]
        budget,
        tuple(variants),
        folder,
        facts,
        layout_budgets,
        tuple(keywords),
    )
