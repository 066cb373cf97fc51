"""The print vendor's bundle: one zip with a batch's PDFs, the manifest as JSON and CSV,
and a proof sheet per paper and layout."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from .config import Project
from .files import write_atomic
from .manifest import Manifest, ManifestEntry
from .proof import proof_sheet_from_pdfs

_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


class _Made(Protocol):
    """What the bundle needs of a batch's outcome (batch.Outcome): its manifest entry,
    None for a handout that was not built."""

    entry: ManifestEntry | None


def write_bundle(
    project: Project, out_dir: Path, outcomes: Iterable[_Made], target: Path
) -> list[str]:
    """A zip for the print vendor: the PDFs of this batch, the manifest (JSON and CSV)
    and a proof sheet per paper and layout. Returns the names it holds."""
    entries = {o.entry.path: o.entry for o in outcomes if o.entry is not None}
    manifest = Manifest(out_dir, entries)
    files: dict[str, bytes] = {name: (out_dir / name).read_bytes() for name in sorted(entries)}
    files["manifest.json"] = manifest.to_json()
    files["manifest.csv"] = manifest.to_csv()
    # One sheet per paper and layout: page 1 of every language, in the same layout.
    for paper, layout in sorted({(e.paper, e.layout) for e in entries.values()}):
        first: dict[str, bytes] = {}
        for name, entry in sorted(entries.items()):
            if (entry.paper, entry.layout) == (paper, layout) and entry.lang not in first:
                first[entry.lang] = files[name]
        suffix = "" if layout == "standard" else f"_{layout}"
        files[f"proof_{paper}{suffix}.png"] = proof_sheet_from_pdfs(project, first)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    write_atomic(target, buf.getvalue())
    return list(files)
