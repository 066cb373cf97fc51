"""Building many handouts into a folder: skip the unchanged ones, render the rest
(workers.py), write each PDF atomically and keep the manifest true after every file.

The steps of a batch have modules of their own, and the names callers use are
imported from here too: the matrix and its shards (matrix.py), the inputs hash
(inputs.py), the manifest (manifest.py), rendering in worker processes
(workers.py) and the print vendor's bundle (bundle.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .bundle import write_bundle
from .config import Project
from .errors import LeafletsError
from .files import output_lock, write_atomic
from .inputs import InputHasher, code_fingerprint
from .manifest import MANIFEST, Manifest, ManifestEntry, merge_manifests
from .matrix import parse_shard, plan, shard
from .request import BuildRequest
from .workers import ItemStatus, WorkResult, render_all, render_one

__all__ = [
    "ITEM_TIME_LIMIT",
    "MANIFEST",
    "SCRATCH",
    "InputHasher",
    "Manifest",
    "ManifestEntry",
    "Outcome",
    "WorkResult",
    "code_fingerprint",
    "merge_manifests",
    "parse_shard",
    "plan",
    "render_item",
    "run",
    "shard",
    "write_bundle",
]

SCRATCH = ".leaflets-tmp"  # WeasyPrint's temporary font folders during a batch

# Seconds one handout may take to render; a crafted catalog or template that would
# take longer fails its item and the batch goes on. LEAFLETS_ITEM_TIME_LIMIT overrides;
# the desk passes its own to each render (desk/engine.py).
ITEM_TIME_LIMIT = float(os.environ.get("LEAFLETS_ITEM_TIME_LIMIT", "60"))


def render_item(renderer: Any, request: BuildRequest, limit: float | None = None) -> WorkResult:
    """One handout in memory as a batch makes it (the page budget checked, a print file
    preflighted), stopped after ``limit`` seconds (default: ITEM_TIME_LIMIT, read at
    each call): what the API renders with."""
    return render_one(renderer, request, ITEM_TIME_LIMIT if limit is None else limit)


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files of a batch that was killed: never complete, safe to delete
    (we hold the folder's lock, so no other batch is using them)."""
    for path in out_dir.glob(".*.tmp"):
        path.unlink(missing_ok=True)
    shutil.rmtree(out_dir / SCRATCH, ignore_errors=True)


# What became of a handout: what its render gave, or skipped (unchanged since the
# last build, so not rendered).
OutcomeStatus = Literal[ItemStatus, "skipped"]


@dataclass
class Outcome:
    request: BuildRequest
    status: OutcomeStatus
    entry: ManifestEntry | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)  # WeasyPrint's, about this handout


def run(
    project: Project,
    requests: list[BuildRequest],
    out_dir: Path,
    jobs: int | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Build every request into ``out_dir``. Unchanged items are skipped; a failure does
    not stop the others; the manifest always lists only complete files."""
    jobs = jobs or os.cpu_count() or 1
    hasher = InputHasher(project)
    outcomes: list[Outcome] = []

    def report(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)

    with output_lock(out_dir):
        _remove_stale_temporaries(out_dir)
        manifest = Manifest.load(out_dir)
        inputs = {r: hasher.item(r) for r in requests}
        todo = []
        for request in requests:
            old = manifest.entries.get(request.filename())
            if old is not None and old.inputs == inputs[request]:
                report(Outcome(request, "skipped", old))
            else:
                todo.append(request)
        scratch = out_dir / SCRATCH
        scratch.mkdir(exist_ok=True)
        try:
            _write_results(
                project,
                manifest,
                inputs,
                out_dir,
                render_all(project, todo, jobs, scratch, ITEM_TIME_LIMIT),
                report,
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        try:
            manifest.save()
        except OSError as exc:
            raise LeafletsError(f"not written: {_reason(exc)}", out_dir / MANIFEST) from None
    return outcomes


def _write_results(
    project: Project,
    manifest: Manifest,
    inputs: dict[BuildRequest, str],
    out_dir: Path,
    results: Iterable[WorkResult],
    report: Callable[[Outcome], None],
) -> None:
    for result in results:
        request = result.request
        if result.status != "built":
            report(Outcome(request, result.status, message=result.message))
            continue
        name = request.filename()
        # Drop the old entry before replacing its file: a kill at any moment
        # leaves a manifest that lists only files it describes truly.
        old = manifest.entries.pop(name, None)
        try:
            if old is not None:
                manifest.save()
            write_atomic(out_dir / name, result.pdf)
        except OSError as exc:
            # Disk full, no permission...: this handout fails, the batch goes on.
            # write_atomic left no temporary file and the old file as it was.
            if old is not None:
                manifest.entries[name] = old
            report(Outcome(request, "failed", message=f"not written: {_reason(exc)}"))
            continue
        entry = ManifestEntry(
            path=name,
            sha256=hashlib.sha256(result.pdf).hexdigest(),
            bytes=len(result.pdf),
            pages=result.pages,
            leaflet=request.leaflet,
            variant=request.variant,
            lang=request.lang,
            paper=request.paper,
            edition=request.edition,
            layout=request.layout,
            review_status=result.review_status,
            leaflet_version=project.leaflet(request.leaflet).version,
            inputs=inputs[request],
        )
        manifest.entries[name] = entry
        # The file is complete; if the manifest cannot be saved now, it lags behind
        # (still true) and the end of the batch saves it again.
        with contextlib.suppress(OSError):
            manifest.save()
        report(Outcome(request, "built", entry, warnings=result.warnings))


def _reason(exc: OSError) -> str:
    """The operating system's words for a failed write, without a traceback."""
    return exc.strerror or str(exc) or type(exc).__name__
