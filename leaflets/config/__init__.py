"""Settings, leaflet metadata and brand profiles: TOML files -> frozen dataclasses.

Every file is validated when loaded and every problem is collected, so a person
fixing a file sees all of its mistakes at once (``path: key: message``).

The package: ``model`` (the dataclasses and choices), ``reading`` (one TOML file and
its problems), ``settings``, ``leaflet``, ``brand`` (one file each), ``project``
(``load_project``). Everything is re-exported here: ``from leaflets.config import ...``.
"""

from __future__ import annotations

from .brand import svg_problem
from .leaflet import RESERVED_FACT_NAMES
from .model import (
    EDITIONS,
    LAYOUTS,
    OUTPUT_INTENTS,
    PAPER_GEOMETRY,
    PAPERS,
    PATIENT_FIELDS,
    SETTINGS_FILE,
    Brand,
    Leaflet,
    Paper,
    Project,
    Settings,
    Variant,
)
from .project import load_project

__all__ = [
    "EDITIONS",
    "LAYOUTS",
    "OUTPUT_INTENTS",
    "PAPERS",
    "PAPER_GEOMETRY",
    "PATIENT_FIELDS",
    "RESERVED_FACT_NAMES",
    "SETTINGS_FILE",
    "Brand",
    "Leaflet",
    "Paper",
    "Project",
    "Settings",
    "Variant",
    "load_project",
    "svg_problem",
]
