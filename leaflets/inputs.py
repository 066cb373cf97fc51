"""Content hashes of what each handout is made from: a batch skips a handout whose
inputs (templates, brand, fonts, catalog, review ledger, settings, the code and the
rendering libraries' versions) are those of the file it already has."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from . import __version__
from .config import Project
from .files import sha256_file
from .request import BuildRequest
from .review import ledger_path

# Libraries whose release changes the bytes of a PDF: a new one rebuilds everything.
_RENDERING_LIBRARIES = ("weasyprint", "pydyf", "babel", "jinja2", "fonttools", "pyphen", "pillow")


def code_fingerprint() -> str:
    """The package's own code and the rendering libraries' versions: a handout made by
    other code is not "unchanged", even if its templates and catalog are."""
    digest = hashlib.sha256(f"leaflets={__version__}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".html", ".js"):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(sha256_file(path).encode())
    for name in _RENDERING_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}={version}".encode())
    return digest.hexdigest()


class InputHasher:
    """Content hashes of what a handout is made from. One per batch: each folder is
    listed and each file read once, however many handouts share them."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._files: dict[Path, str] = {}
        self._trees: dict[tuple[Path, tuple[Path, ...]], list[str]] = {}
        self._code = code_fingerprint()

    def _file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = sha256_file(path) if path.is_file() else "missing"
        return self._files[path]

    def _tree(self, folder: Path, skip: tuple[Path, ...] = ()) -> list[str]:
        key = (folder, skip)
        if key not in self._trees:
            self._trees[key] = self._list(folder, skip)
        return self._trees[key]

    def _list(self, folder: Path, skip: tuple[Path, ...]) -> list[str]:
        items = []
        root = self.project.root
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or any(path.is_relative_to(s) for s in skip):
                continue
            target = path.resolve()
            if not target.is_relative_to(root):
                # Never read outside the project, not even to hash it: the render
                # refuses such a file anyway.
                items.append(f"{path.relative_to(root)}->{target}")
                continue
            items.append(f"{path.relative_to(root)}={self._file(path)}")
        return items

    def item(self, request: BuildRequest) -> str:
        project = self.project
        templates = project.templates_dir
        leaflet = project.leaflet(request.leaflet)
        brand = project.brand(request.brand)
        parts = [
            f"code={self._code}",
            json.dumps(asdict(request), sort_keys=True),
            *self._tree(templates, skip=(templates / "brands", templates / "leaflets")),
            *self._tree(leaflet.folder),
            *self._tree(brand.folder),
            *self._tree(project.fonts_dir),
            f"catalog={self._file(project.catalog_path(leaflet.id, request.lang))}",
            # Signing changes the handout (its draft mark) without touching the catalog.
            f"ledger={self._file(ledger_path(project.catalog_path(leaflet.id, request.lang)))}",
            f"settings={self._file(project.root / 'leaflets.toml')}",
        ]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
