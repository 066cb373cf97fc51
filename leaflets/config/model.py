"""The project's model: settings, leaflets, variants and brands as frozen dataclasses,
and the choices a handout is made of (papers, editions, layouts, patient fields)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnknownChoiceError

SETTINGS_FILE = "leaflets.toml"


@dataclass(frozen=True)
class Paper:
    """A paper's trim size and the print edition's bleed around it, as CSS lengths in
    the units the paper is defined in: A4 in millimetres, Letter in inches."""

    width: str
    height: str
    bleed: str  # print vendors' usual bleed: 3 mm around A4, an eighth of an inch around Letter


# The papers a handout is printed on, and their sizes (preflight checks boxes against them).
PAPER_GEOMETRY = {
    "a4": Paper("210mm", "297mm", "3mm"),
    "letter": Paper("8.5in", "11in", "0.125in"),
}
PAPERS = tuple(PAPER_GEOMETRY)
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
