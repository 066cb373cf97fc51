"""The build matrix: which handouts to make, writing them atomically, the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from .config import Project
from .errors import LeafletsError
from .render import BuildRequest, Renderer

MANIFEST = "manifest.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    bytes: int
    pages: int
    leaflet: str
    variant: str
    lang: str
    paper: str
    edition: str


@dataclass
class Outcome:
    request: BuildRequest
    entry: ManifestEntry | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()


def build_one(renderer: Renderer, request: BuildRequest, out_dir: Path) -> Outcome:
    """Render one handout into ``out_dir``; a user-caused failure becomes ``Outcome.error``."""
    try:
        result = renderer.render(request)
        leaflet = renderer.project.leaflet(request.leaflet)
        if result.pages > leaflet.page_budget:
            raise LeafletsError(
                f"{request.filename()}: {result.pages} pages, over the page budget of "
                f"{leaflet.page_budget}"
            )
        target = out_dir / request.filename()
        write_atomic(target, result.pdf)
    except LeafletsError as exc:
        return Outcome(request, error=str(exc))
    entry = ManifestEntry(
        path=request.filename(),
        sha256=hashlib.sha256(result.pdf).hexdigest(),
        bytes=len(result.pdf),
        pages=result.pages,
        leaflet=request.leaflet,
        variant=request.variant,
        lang=request.lang,
        paper=request.paper,
        edition=request.edition,
    )
    return Outcome(request, entry, warnings=tuple(result.warnings))


def default_requests(project: Project) -> list[BuildRequest]:
    """Every variant of every leaflet in every configured language that has a catalog,
    on the default paper, clinic edition."""
    requests = []
    for leaflet in project.leaflets.values():
        available = project.languages(leaflet.id)
        for lang in project.settings.languages:
            if lang not in available:
                continue
            for variant in leaflet.variants:
                requests.append(
                    BuildRequest(leaflet.id, variant.id, lang, project.settings.default_paper)
                )
    return requests


def write_manifest(out_dir: Path, entries: Iterable[ManifestEntry]) -> Path:
    """Write ``manifest.json`` (last, atomically), merged with entries already listed
    for files that still exist."""
    path = out_dir / MANIFEST
    merged: dict[str, dict[str, object]] = {}
    if path.is_file():
        try:
            for old in json.loads(path.read_text(encoding="utf-8")).get("files", []):
                if isinstance(old, dict) and (out_dir / str(old.get("path"))).is_file():
                    merged[str(old["path"])] = old
        except (ValueError, AttributeError):
            merged = {}
    for entry in entries:
        merged[entry.path] = asdict(entry)
    data = {"files": [merged[k] for k in sorted(merged)]}
    write_atomic(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


def run(project: Project, requests: list[BuildRequest], out_dir: Path) -> list[Outcome]:
    """Build every request (one after another, one renderer); failures do not stop the rest."""
    renderer = Renderer(project)
    outcomes = [build_one(renderer, request, out_dir) for request in requests]
    write_manifest(out_dir, [o.entry for o in outcomes if o.entry is not None])
    return outcomes
