"""Loading a whole project: settings, every leaflet and brand, all problems at once."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, LeafletsError
from .brand import load_brand
from .leaflet import load_leaflet
from .model import SETTINGS_FILE, Brand, Leaflet, Project
from .reading import NAME_RE
from .settings import load_settings


def load_project(root: Path) -> Project:
    """Load and validate everything under ``root``; raise one ConfigError listing all problems."""
    root = root.resolve()
    problems: list[LeafletsError] = []
    settings = load_settings(root, problems)
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
            leaflet = load_leaflet(folder, root, problems)
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
            if not NAME_RE.match(folder.name):
                problems.append(
                    LeafletsError(
                        "brand folder names use a-z, 0-9, - and _", folder.relative_to(root)
                    )
                )
                continue
            brand = load_brand(folder, root, problems)
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
