"""Settings, leaflet metadata and brand profiles: TOML files -> frozen dataclasses.

Every file is validated when loaded and every problem is collected, so a person
fixing a file sees all of its mistakes at once (``path: key: message``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, LeafletsError, UnknownChoiceError

SETTINGS_FILE = "leaflets.toml"
PAPERS = ("a4", "letter")
EDITIONS = ("clinic", "print")
# Layouts, orthogonal to paper and edition: the usual handout, large print for low
# vision, and English beside the patient's language.
LAYOUTS = ("standard", "large-print", "bilingual")
# The print edition's PDF/X output intent: the CMYK profile embedded in every file, or
# only a reference to its registered characterization (smaller files; the vendor's RIP
# must know the name).
OUTPUT_INTENTS = ("embedded", "registry")
PATIENT_FIELDS = (
    "patient",
    "procedure_date",
    "arrival_time",
    "doctor",
    "fasting_start",
    "medicines_to_stop",
)
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_FACT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Names the renderer gives every template (render.Renderer.context): a leaflet's fact
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
_TOML_LINE_RE = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class Variant:
    id: str
    label: str


@dataclass(frozen=True)
class Leaflet:
    id: str
    title: str
    version: str
    last_review: dt.date
    next_review: dt.date
    page_budget: int
    variants: tuple[Variant, ...]
    folder: Path
    facts: dict[str, int | float | str] = field(default_factory=dict)
    # Page budgets of the other layouts ([page_budgets] in leaflet.toml); a layout
    # without one keeps the standard budget.
    layout_budgets: dict[str, int] = field(default_factory=dict)

    def budget(self, layout: str = "standard") -> int:
        """The most pages a handout of this layout may have."""
        return self.layout_budgets.get(layout, self.page_budget)

    # Words staff may search for at the desk besides the title (English, not printed).
    keywords: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        """Template name for the Jinja2 loader (relative to ``templates/``)."""
        return f"leaflets/{self.id}/leaflet.html.j2"

    @property
    def domain(self) -> str:
        """The gettext domain of this leaflet's messages."""
        return self.id

    def variant(self, variant_id: str) -> Variant:
        for v in self.variants:
            if v.id == variant_id:
                return v
        raise UnknownChoiceError("variant", variant_id, (v.id for v in self.variants))


@dataclass(frozen=True)
class Brand:
    id: str
    name: str
    logo: Path
    footer: str
    primary: str
    accent: str
    tint: str
    cmyk: dict[str, tuple[float, float, float, float]]  # primary/accent/tint, 0-100 %
    logo_print: Path
    phone_appointments: str
    phone_after_hours: str
    fever_value: float
    fever_unit: str  # "F" or "C"
    folder: Path


@dataclass(frozen=True)
class Settings:
    source_language: str
    default_brand: str
    default_paper: str
    out_dir: str
    languages: tuple[str, ...]
    output_intent: str = "embedded"  # [print] output_intent: one of OUTPUT_INTENTS


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings
    leaflets: dict[str, Leaflet]
    brands: dict[str, Brand]

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def fonts_dir(self) -> Path:
        return self.root / "fonts"

    @property
    def asset_dirs(self) -> tuple[Path, ...]:
        """The only folders the renderer may read files from."""
        return (self.templates_dir, self.fonts_dir)

    def leaflet(self, leaflet_id: str) -> Leaflet:
        try:
            return self.leaflets[leaflet_id]
        except KeyError:
            raise UnknownChoiceError("leaflet", leaflet_id, self.leaflets) from None

    def brand(self, brand_id: str | None) -> Brand:
        name = brand_id or self.settings.default_brand
        try:
            return self.brands[name]
        except KeyError:
            raise UnknownChoiceError("brand", name, self.brands) from None

    def catalog_path(self, leaflet_id: str, lang: str) -> Path:
        return self.locales_dir / lang / "LC_MESSAGES" / f"{leaflet_id}.po"

    def languages(self, leaflet_id: str) -> tuple[str, ...]:
        """The source language plus every language with a catalog for this leaflet."""
        found = sorted(
            p.parent.parent.name for p in self.locales_dir.glob(f"*/LC_MESSAGES/{leaflet_id}.po")
        )
        return (self.settings.source_language, *[x for x in found if x != "en"])


class _Problems:
    """Collects problems found in one file."""

    def __init__(self, path: Path, root: Path) -> None:
        try:
            self.path: Path | str = path.relative_to(root)
        except ValueError:
            self.path = path
        self.items: list[LeafletsError] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(LeafletsError(f"{key}: {message}", self.path))

    def get(
        self, data: dict[str, Any], key: str, kind: type | tuple[type, ...], prefix: str = ""
    ) -> Any:
        name = f"{prefix}{key}"
        if key not in data:
            self.add(name, "missing")
            return None
        value = data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            wanted = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            self.add(name, f"must be a {wanted}, not {type(value).__name__}")
            return None
        return value

    def unknown(self, data: dict[str, Any], allowed: set[str], prefix: str = "") -> None:
        for key in sorted(set(data) - allowed):
            self.add(f"{prefix}{key}", "unknown key")


def _read_toml(path: Path, root: Path, problems: list[LeafletsError]) -> dict[str, Any] | None:
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(LeafletsError("file not found", shown))
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE_RE.search(str(exc))
        line = int(match.group(1)) if match else None
        problems.append(LeafletsError(f"invalid TOML: {exc}", shown, line))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(LeafletsError(f"cannot read: {exc}", shown))
    return None


def _load_settings(root: Path, problems: list[LeafletsError]) -> Settings | None:
    path = root / SETTINGS_FILE
    data = _read_toml(path, root, problems)
    if data is None:
        return None
    p = _Problems(path, root)
    section = p.get(data, "project", dict)
    p.unknown(data, {"project", "print"})
    output_intent = _print_settings(p, data)
    if section is None:
        problems.extend(p.items)
        return None
    pre = "project."
    source = p.get(section, "source_language", str, pre)
    brand = p.get(section, "default_brand", str, pre)
    paper = p.get(section, "default_paper", str, pre)
    out_dir = p.get(section, "out_dir", str, pre)
    languages = p.get(section, "languages", list, pre)
    p.unknown(
        section, {"source_language", "default_brand", "default_paper", "out_dir", "languages"}, pre
    )
    if paper is not None and paper not in PAPERS:
        p.add(f"{pre}default_paper", f"must be one of {', '.join(PAPERS)}, not {paper!r}")
    if languages is not None and not all(isinstance(x, str) for x in languages):
        p.add(f"{pre}languages", "must be a list of language codes")
    problems.extend(p.items)
    if p.items:
        return None
    return Settings(source, brand, paper, out_dir, tuple(languages), output_intent)


def _print_settings(p: _Problems, data: dict[str, Any]) -> str:
    """The optional ``[print]`` table; its problems join the file's others."""
    default = OUTPUT_INTENTS[0]
    section = data.get("print", {})
    if not isinstance(section, dict):
        p.add("print", f"must be a table, not {type(section).__name__}")
        return default
    p.unknown(section, {"output_intent"}, "print.")
    if "output_intent" not in section:
        return default
    value = p.get(section, "output_intent", str, "print.")
    if value is not None and value not in OUTPUT_INTENTS:
        p.add("print.output_intent", f"must be one of {', '.join(OUTPUT_INTENTS)}, not {value!r}")
        return default
    return value or default


def _parse_date(p: _Problems, data: dict[str, Any], key: str) -> dt.date | None:
    value = p.get(data, key, dt.date)
    if isinstance(value, dt.datetime):
        p.add(key, "must be a date (YYYY-MM-DD), not a date and time")
        return None
    return value  # type: ignore[no-any-return]


def _load_leaflet(folder: Path, root: Path, problems: list[LeafletsError]) -> Leaflet | None:
    path = folder / "leaflet.toml"
    data = _read_toml(path, root, problems)
    if data is None:
        return None
    p = _Problems(path, root)
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
            if not _NAME_RE.match(vid):
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


_SVG_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]*)", re.IGNORECASE)
_SVG_FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed"}


def svg_problem(path: Path) -> tuple[int, str] | None:
    """(line, reason) for the first thing in a logo SVG that could reach outside it:
    links to other files or URLs, @import, entities, scripts. The renderer would refuse
    the fetch anyway; saying so here names the logo and its line."""

    found: list[tuple[int, str]] = []
    parser = xml.parsers.expat.ParserCreate()

    def here() -> int:
        return int(parser.CurrentLineNumber)

    def check_value(value: str, what: str) -> None:
        for target in _SVG_URL.findall(value):
            if target and not target.startswith("#"):
                found.append((here(), f"{what} refers to {target[:80]!r}"))
        if "@import" in value:
            found.append((here(), f"{what} uses @import"))

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local in _SVG_FORBIDDEN:
            found.append((here(), f"<{name}> is not allowed in a logo"))
        for key, value in attrs.items():
            if key.rsplit(":", 1)[-1] in ("href", "src") and not value.startswith("#"):
                found.append((here(), f"{key}={value[:80]!r} refers to another file or URL"))
            elif key.lower().startswith("on"):
                found.append((here(), f"event handler {key} is not allowed in a logo"))
            else:
                check_value(value, f"attribute {key}")

    def text(data: str) -> None:
        check_value(data, "style")

    def doctype(*args: object) -> None:
        found.append((here(), "a DOCTYPE (entities could pull in other files) is not allowed"))

    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(path.read_bytes(), True)
    except xml.parsers.expat.ExpatError as exc:
        found.append(
            (exc.lineno, f"not a valid SVG file: {xml.parsers.expat.errors.messages[exc.code]}")
        )
    except OSError as exc:
        found.append((1, f"cannot read: {exc.strerror}"))
    return min(found) if found else None


def _load_brand(folder: Path, root: Path, problems: list[LeafletsError]) -> Brand | None:
    path = folder / "brand.toml"
    data = _read_toml(path, root, problems)
    if data is None:
        return None
    p = _Problems(path, root)
    p.unknown(
        data, {"name", "logo", "logo_print", "footer", "colors", "colors_cmyk", "phones", "fever"}
    )
    name = p.get(data, "name", str)
    footer = p.get(data, "footer", str)
    logos: dict[str, Path] = {}
    for key in ("logo", "logo_print"):
        logo_name = p.get(data, key, str)
        if logo_name is None:
            continue
        logo = (folder / logo_name).resolve()
        if not logo.is_relative_to(folder.resolve()):
            p.add(key, "must be a file inside the brand's folder")
        elif not logo.is_file():
            p.add(key, f"file {logo_name!r} not found")
        elif logo.suffix.lower() == ".svg" and (fault := svg_problem(logo)) is not None:
            p.items.append(LeafletsError(fault[1], logo.relative_to(root), fault[0]))
        logos[key] = logo
    cmyk: dict[str, tuple[float, float, float, float]] = {}
    raw_cmyk = p.get(data, "colors_cmyk", dict) or {}
    for key in ("primary", "accent", "tint"):
        value = p.get(raw_cmyk, key, list, "colors_cmyk.") if raw_cmyk else None
        if value is None:
            continue
        if len(value) != 4 or not all(
            isinstance(x, int | float) and not isinstance(x, bool) and 0 <= x <= 100 for x in value
        ):
            p.add(f"colors_cmyk.{key}", "must be four percentages [C, M, Y, K] from 0 to 100")
            continue
        cmyk[key] = (float(value[0]), float(value[1]), float(value[2]), float(value[3]))
    colors = p.get(data, "colors", dict) or {}
    for key in ("primary", "accent", "tint"):
        value = p.get(colors, key, str, "colors.") if colors else None
        if value is not None and not _COLOR_RE.match(value):
            p.add(f"colors.{key}", f"must be a colour like #1a2b3c, not {value!r}")
    phones = p.get(data, "phones", dict) or {}
    for key in ("appointments", "after_hours"):
        if phones:
            p.get(phones, key, str, "phones.")
    fever = p.get(data, "fever", dict) or {}
    fever_value = p.get(fever, "value", (int, float), "fever.") if fever else None
    fever_unit = p.get(fever, "unit", str, "fever.") if fever else None
    if fever_unit is not None and fever_unit not in ("F", "C"):
        p.add("fever.unit", f"must be 'F' or 'C', not {fever_unit!r}")
    if isinstance(fever_value, int | float) and fever_unit in ("F", "C"):
        celsius = (fever_value - 32) * 5 / 9 if fever_unit == "F" else fever_value
        if not 37.5 <= celsius <= 40:
            p.add("fever.value", f"{fever_value} °{fever_unit} is not a plausible fever threshold")
    problems.extend(p.items)
    if p.items:
        return None
    return Brand(
        id=folder.name,
        name=name,
        logo=logos["logo"],
        logo_print=logos["logo_print"],
        cmyk=cmyk,
        footer=footer,
        primary=colors["primary"],
        accent=colors["accent"],
        tint=colors["tint"],
        phone_appointments=phones["appointments"],
        phone_after_hours=phones["after_hours"],
        fever_value=float(fever_value),  # type: ignore[arg-type]
        fever_unit=str(fever_unit),
        folder=folder,
    )


def load_project(root: Path) -> Project:
    """Load and validate everything under ``root``; raise one ConfigError listing all problems."""
    root = root.resolve()
    problems: list[LeafletsError] = []
    settings = _load_settings(root, problems)
    leaflets: dict[str, Leaflet] = {}
    for folder in sorted((root / "templates" / "leaflets").glob("*/")):
        if folder.is_dir() and not folder.resolve().is_relative_to(root / "templates"):
            problems.append(
                LeafletsError(
                    "leaflet folder leads outside the templates folder", folder.relative_to(root)
                )
            )
            continue
        if folder.is_dir():
            leaflet = _load_leaflet(folder, root, problems)
            if leaflet is not None:
                leaflets[leaflet.id] = leaflet
    brands: dict[str, Brand] = {}
    templates = (root / "templates").resolve()
    for folder in sorted((root / "templates" / "brands").glob("*/")):
        if folder.is_dir() and not folder.resolve().is_relative_to(templates):
            # A symlinked brand folder must not pull files from outside the project in.
            problems.append(
                LeafletsError(
                    "brand folder leads outside the templates folder", folder.relative_to(root)
                )
            )
            continue
        if folder.is_dir():
            if not _NAME_RE.match(folder.name):
                problems.append(
                    LeafletsError(
                        "brand folder names use a-z, 0-9, - and _", folder.relative_to(root)
                    )
                )
                continue
            brand = _load_brand(folder, root, problems)
            if brand is not None:
                brands[brand.id] = brand
    brand_folder = root / "templates" / "brands" / (settings.default_brand if settings else "")
    # A default brand that exists but is broken has its own problems listed above.
    if settings is not None and brands is not None and not brand_folder.is_dir():
        problems.append(
            LeafletsError(
                f"project.default_brand: no brand {settings.default_brand!r}; "
                f"valid values: {', '.join(sorted(brands))}",
                SETTINGS_FILE,
            )
        )
    if not leaflets and not problems:
        problems.append(LeafletsError("no leaflets found", "templates/leaflets"))
    if problems:
        raise ConfigError(problems)
    assert settings is not None
    return Project(root, settings, leaflets, brands)
