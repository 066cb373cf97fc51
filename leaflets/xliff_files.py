"""The XLIFF file `leaflets review export` writes. Apart from output.py, which the build
commands import: XLIFF needs translate-toolkit and lxml, which only the review commands
should pay for at start-up."""

from __future__ import annotations

from pathlib import Path

from .config import Project
from .defaults import choose_leaflet, out_folder
from .files import write_atomic
from .review.xliff import export_xliff


def export_xliff_file(
    project: Project, leaflet_id: str | None, lang: str, target: Path | None = None
) -> Path:
    """Write a catalog as XLIFF 1.2 to ``target`` (default:
    <out_dir>/review/<leaflet>_<lang>.xlf) and return where."""
    leaflet = choose_leaflet(project, leaflet_id)
    data = export_xliff(project, leaflet, lang)
    path = target or out_folder(project, None, "review") / f"{leaflet.id}_{lang}.xlf"
    write_atomic(path, data)
    return path
