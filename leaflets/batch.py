"""The build matrix: which handouts to make, rendering them in long-lived worker
processes, writing them atomically, skipping unchanged ones, and the manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from . import __version__
from .config import EDITIONS, LAYOUTS, PAPERS, Project, load_project
from .errors import LeafletsError, PolicyRefusal, UnknownChoiceError, UsageProblem
from .files import output_lock, sha256_file, write_atomic
from .fonts import load_fonts
from .preflight import preflight_bytes
from .proof import proof_sheet_from_pdfs
from .render import BuildRequest, Renderer
from .review import ledger_path

log = logging.getLogger("leaflets")

MANIFEST = "manifest.json"
SCRATCH = ".leaflets-tmp"  # WeasyPrint's temporary font folders during a batch


# --- files --------------------------------------------------------------------------------


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files of a batch that was killed: never complete, safe to delete
    (we hold the folder's lock, so no other batch is using them)."""
    for path in out_dir.glob(".*.tmp"):
        path.unlink(missing_ok=True)
    shutil.rmtree(out_dir / SCRATCH, ignore_errors=True)


# --- manifest -----------------------------------------------------------------------------


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
    layout: str = "standard"
    review_status: str = ""
    leaflet_version: str = ""
    inputs: str = ""  # content hash of everything the file was made from

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ManifestEntry:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class Manifest:
    """``manifest.json``: every complete file in the folder, and nothing else."""

    def __init__(self, out_dir: Path, entries: dict[str, ManifestEntry] | None = None) -> None:
        self.out_dir = out_dir
        self.entries = entries or {}

    @classmethod
    def load(cls, out_dir: Path, verify: bool = True) -> Manifest:
        """Read the manifest, keeping only entries whose file exists with that hash."""
        path = out_dir / MANIFEST
        entries: dict[str, ManifestEntry] = {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8")).get("files", [])
        except (OSError, ValueError, AttributeError):
            raw = []
        for item in raw:
            try:
                entry = ManifestEntry.from_dict(item)
            except TypeError:
                continue
            target = out_dir / entry.path
            if not verify or (target.is_file() and sha256_file(target) == entry.sha256):
                entries[entry.path] = entry
        return cls(out_dir, entries)

    def to_json(self) -> bytes:
        data = {"files": [asdict(self.entries[k]) for k in sorted(self.entries)]}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def to_csv(self) -> bytes:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, [f.name for f in fields(ManifestEntry)], lineterminator="\n")
        writer.writeheader()
        for key in sorted(self.entries):
            writer.writerow(asdict(self.entries[key]))
        return buf.getvalue().encode("utf-8")

    def save(self) -> None:
        write_atomic(self.out_dir / MANIFEST, self.to_json())


def merge_manifests(paths: Iterable[Path]) -> bytes:
    """Join shard manifests into one, as a single machine would have written it."""
    merged: dict[str, ManifestEntry] = {}
    for path in paths:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LeafletsError(f"not a manifest: {exc}", path) from None
        for item in raw:
            entry = ManifestEntry.from_dict(item)
            if entry.path in merged and merged[entry.path] != entry:
                raise LeafletsError(f"{entry.path} differs between shards", path)
            merged[entry.path] = entry
    return Manifest(Path("."), merged).to_json()


# --- the matrix ---------------------------------------------------------------------------


def _pick(kind: str, wanted: list[str] | None, valid: Iterable[str]) -> list[str]:
    valid = list(valid)
    if not wanted:
        return valid
    for value in wanted:
        if value not in valid:
            raise UnknownChoiceError(kind, value, valid)
    return [v for v in valid if v in wanted]


def plan(
    project: Project,
    leaflets: list[str] | None = None,
    variants: list[str] | None = None,
    langs: list[str] | None = None,
    papers: list[str] | None = None,
    editions: list[str] | None = None,
    layouts: list[str] | None = None,
    *,
    allow_draft: bool = False,
    allow_incomplete: bool = False,
    marks: bool = False,
) -> list[BuildRequest]:
    """Every handout of the matrix, in a fixed order. Defaults come from leaflets.toml:
    every leaflet and variant, its configured languages, the default paper, clinic."""
    chosen = _pick("leaflet", leaflets, project.leaflets)
    all_variants = sorted({v.id for lf in chosen for v in project.leaflets[lf].variants})
    _pick("variant", variants, all_variants)
    all_langs = sorted({lang for lf in chosen for lang in project.languages(lf)})
    _pick("language", langs, all_langs)
    paper_list = _pick("paper", papers or [project.settings.default_paper], PAPERS)
    edition_list = _pick("edition", editions or ["clinic"], EDITIONS)
    layout_list = _pick("layout", layouts or ["standard"], LAYOUTS)
    source = project.settings.source_language
    requests = []
    for leaflet_id in chosen:
        leaflet = project.leaflets[leaflet_id]
        available = project.languages(leaflet_id)
        lang_list = [x for x in (langs or project.settings.languages) if x in available]
        for variant, lang, paper, edition, layout in itertools.product(
            [v.id for v in leaflet.variants if not variants or v.id in variants],
            lang_list,
            paper_list,
            edition_list,
            layout_list,
        ):
            if layout == "bilingual" and lang == source:
                continue  # the source beside itself: nothing to pair
            requests.append(
                BuildRequest(
                    leaflet_id,
                    variant,
                    lang,
                    paper,
                    edition,
                    allow_incomplete=allow_incomplete,
                    allow_draft=allow_draft,
                    marks=marks and edition == "print",
                    layout=layout,
                )
            )
    if "bilingual" in layout_list and not any(r.layout == "bilingual" for r in requests):
        raise UsageProblem(
            f"--layout bilingual pairs {source} with the patient's language, and the only "
            f"language asked for is {source} itself: choose the patient's languages"
        )
    return sorted(requests, key=BuildRequest.filename)


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageProblem(f"--shard {text!r}: expected K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise UsageProblem(f"--shard {text!r}: K must be from 1 to N")
    return k, n


def shard(requests: list[BuildRequest], k: int, n: int) -> list[BuildRequest]:
    """The K-th of N disjoint slices; together the N slices are the whole matrix."""
    ordered = sorted(requests, key=BuildRequest.filename)
    return [r for i, r in enumerate(ordered) if i % n == k - 1]


# --- inputs hash --------------------------------------------------------------------------


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
    """Content hashes of what a handout is made from, each file read once per batch."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._files: dict[Path, str] = {}
        self._code = code_fingerprint()

    def _file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = sha256_file(path) if path.is_file() else "missing"
        return self._files[path]

    def _tree(self, folder: Path, skip: tuple[Path, ...] = ()) -> list[str]:
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


# --- rendering in workers -----------------------------------------------------------------


@dataclass
class WorkResult:
    request: BuildRequest
    status: str  # "built", "refused" or "failed"
    pdf: bytes = b""
    pages: int = 0
    review_status: str = ""
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    timed_out: bool = False  # the process that rendered it must not render again
    pid: int = 0  # the process that rendered it


_WORKER: Any = None
# Set in a worker process once an item ran out of time: the interrupted code may have
# left WeasyPrint, Pango or the renderer in any state, so the process renders nothing
# more and the batch starts fresh workers (see _pool_results).
_RETIRED = False


def _worker_init(root: str, scratch: str, time_limit: float) -> None:
    """Start of a worker process: one project, one renderer (one FontConfiguration)."""
    global _WORKER, ITEM_TIME_LIMIT
    # WeasyPrint's font copies go into the batch's scratch folder, which the batch
    # removes at its end (and the next batch, after a kill).
    tempfile.tempdir = scratch
    ITEM_TIME_LIMIT = time_limit  # the parent's, whatever the start method
    _WORKER = Renderer(load_project(Path(root)))
    # Pool workers leave through os._exit, which skips atexit: remove WeasyPrint's
    # temporary font folder through multiprocessing's own finaliser instead.
    Finalize(_WORKER, _WORKER.close, exitpriority=10)


# Seconds one handout may take to render; a crafted catalog or template that would
# take longer fails its item and the batch goes on. LEAFLETS_ITEM_TIME_LIMIT overrides.
ITEM_TIME_LIMIT = float(os.environ.get("LEAFLETS_ITEM_TIME_LIMIT", "60"))


class _ItemTimeout(BaseException):
    """Raised by the time limit's alarm. Not an Exception, like KeyboardInterrupt: the
    ``except Exception`` blocks of WeasyPrint and other libraries must not swallow it
    and carry on rendering."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the work after ``seconds`` (main thread only, where signals arrive)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _ItemTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_item(renderer: Any, request: BuildRequest) -> WorkResult:
    """Render one handout; for the print edition, preflight it before it may be written."""

    try:
        with _time_limit(ITEM_TIME_LIMIT):
            result = renderer.render(request)
    except PolicyRefusal as exc:
        return WorkResult(request, "refused", message=str(exc))
    except LeafletsError as exc:
        return WorkResult(request, "failed", message=str(exc))
    except _ItemTimeout:
        return WorkResult(
            request,
            "failed",
            message=f"rendering took longer than {ITEM_TIME_LIMIT:g} s",
            timed_out=True,
            pid=os.getpid(),
        )
    except Exception as exc:  # a bug, not the user's input: fail this item, keep the batch
        log.exception("unexpected error while rendering %s", request.filename())
        return WorkResult(
            request,
            "failed",
            message=f"internal error ({type(exc).__name__}: {exc})",
        )
    budget = renderer.project.leaflet(request.leaflet).budget(request.layout)
    if result.pages > budget:
        message = f"{result.pages} pages, over the page budget of {budget}"
        return WorkResult(request, "failed", message=message)
    problems = []
    if request.edition == "print":
        findings = preflight_bytes(result.pdf, request.filename(), edition="print")
        problems = [f for f in findings if f.severity == "error"]
    if problems:
        return WorkResult(request, "failed", message="; ".join(str(p) for p in problems))
    return WorkResult(
        request,
        "built",
        result.pdf,
        result.pages,
        result.catalog.review.status,
        warnings=result.warnings,
        pid=os.getpid(),
    )


def _work(requests: list[BuildRequest]) -> list[WorkResult]:
    """Render a group in a worker; stop after an item that ran out of time. The
    results are fewer than the requests then: the batch renders the others elsewhere."""
    global _RETIRED
    results: list[WorkResult] = []
    for request in requests:
        if _RETIRED:
            break
        results.append(render_item(_WORKER, request))
        _RETIRED = results[-1].timed_out
    return results


def _by_language(requests: list[BuildRequest]) -> list[list[BuildRequest]]:
    """One task per leaflet and language: a worker then loads each script's fonts and
    each catalog once, instead of every worker loading all of them."""
    groups: dict[tuple[str, str], list[BuildRequest]] = {}
    for request in requests:
        groups.setdefault((request.leaflet, request.lang), []).append(request)
    # Largest first, so that no worker is left with a big group at the end.
    return sorted(groups.values(), key=len, reverse=True)


@dataclass
class Outcome:
    request: BuildRequest
    status: str  # "built", "skipped", "refused" or "failed"
    entry: ManifestEntry | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)


def _results(
    project: Project, requests: list[BuildRequest], jobs: int, scratch: Path
) -> Iterator[WorkResult]:
    if not requests:
        return  # nothing changed: WeasyPrint is never imported

    load_fonts(project.fonts_dir)  # a broken font list fails here, not inside every worker
    if jobs <= 1 or len(requests) <= 1:
        yield from _local_results(project, requests, scratch)
        return
    groups = deque(_by_language(requests))
    while groups:
        # A fresh pool, also after one whose worker ran out of time (see _pool_results).
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(groups)),
            initializer=_worker_init,
            initargs=(str(project.root), str(scratch), ITEM_TIME_LIMIT),
        ) as pool:
            try:
                yield from _pool_results(pool, groups, jobs)
            except BrokenProcessPool:
                raise LeafletsError(
                    "a worker process died; the handouts built so far are in the manifest"
                ) from None


def _local_results(
    project: Project, requests: list[BuildRequest], scratch: Path
) -> Iterator[WorkResult]:
    """Render in this process (one job, or one handout)."""
    renderer = None
    try:
        for request in requests:
            if renderer is None:
                saved, tempfile.tempdir = tempfile.tempdir, str(scratch)
                try:
                    renderer = Renderer(project)
                finally:
                    tempfile.tempdir = saved
            result = render_item(renderer, request)
            if result.timed_out:
                # The interrupted render may have left its renderer in any state: the
                # next item gets a new one (a new FontConfiguration and environment).
                renderer.close()
                renderer = None
            yield result
    finally:
        if renderer is not None:
            renderer.close()


def _pool_results(
    pool: ProcessPoolExecutor, groups: deque[list[BuildRequest]], jobs: int
) -> Iterator[WorkResult]:
    """Render ``groups`` (taking them from the left) until they are done or a worker
    ran out of time. Then this pool takes no more work: the groups it has not rendered
    go back to ``groups`` for a fresh pool, so that no process renders after a timeout."""
    pending: dict[Future[list[WorkResult]], list[BuildRequest]] = {}
    retiring = False

    def submit() -> None:
        # Keep a few tasks per worker in flight, not the whole matrix at once.
        while groups and not retiring and len(pending) < jobs * 2:
            group = groups.popleft()
            pending[pool.submit(_work, group)] = group

    submit()
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            group = pending.pop(future)
            results = future.result()
            yield from results
            if len(results) < len(group):
                # A worker stopped at a timed-out item (or was retired already).
                groups.appendleft(group[len(results) :])
                retiring = True
        if retiring:
            for future, group in list(pending.items()):
                if future.cancel():
                    del pending[future]
                    groups.appendleft(group)
        submit()


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
                project, manifest, inputs, out_dir, _results(project, todo, jobs, scratch), report
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        manifest.save()
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
        if manifest.entries.pop(name, None) is not None:
            manifest.save()
        write_atomic(out_dir / name, result.pdf)
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
        manifest.save()
        report(Outcome(request, "built", entry, warnings=result.warnings))


# --- bundle -------------------------------------------------------------------------------

_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def write_bundle(
    project: Project, out_dir: Path, outcomes: list[Outcome], target: Path
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
