"""Files the commands write, over the batch builder and the review ledger: one handout
into a folder, a batch (planned, sharded, built, bundled) and its summary, merged shard
manifests, review headers brought back in line with their ledgers. (The XLIFF export is
xliff_files.py: the build commands import this module.)

Every file goes through ``files.write_atomic`` (directly or in ``batch``); errors are
LeafletsErrors naming the place, which the CLI prints as one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import batch
from .config import Project
from .defaults import choose_leaflet, out_folder
from .errors import PolicyRefusal, RenderError
from .files import write_atomic
from .render import BuildRequest, resolve
from .review import project_reviews, sync_headers

# What each result of a batch means, in the order the summary lists them.
RESULTS = (
    ("built", "rendered and written"),
    ("skipped", "unchanged since the last build"),
    ("refused", "not allowed as asked (draft or incomplete)"),
    ("failed", "errors"),
)


@dataclass(frozen=True)
class BuiltFile:
    path: Path
    pages: int
    unchanged: bool  # skipped: the file on disk was already this handout


def build_file(
    project: Project,
    variant: str,
    *,
    leaflet: str | None = None,
    lang: str | None = None,
    paper: str | None = None,
    edition: str = "clinic",
    brand: str | None = None,
    layout: str | None = None,
    fields: Mapping[str, str] | None = None,
    allow_incomplete: bool = False,
    allow_draft: bool = False,
    marks: bool = False,
    out_dir: Path | None = None,
) -> BuiltFile:
    """One handout written into ``out_dir`` (default: leaflets.toml's) and listed in its
    manifest, as ``leaflets build`` makes it: the only leaflet, the source language, the
    project's paper and the standard layout unless told otherwise.

    Raises UsageProblem (or UnknownChoiceError) for a bad request before anything is
    rendered, PolicyRefusal for a draft or incomplete translation not allowed, and
    RenderError for a handout that cannot be made.
    """
    request = BuildRequest(
        leaflet=choose_leaflet(project, leaflet).id,
        variant=variant,
        lang=lang or project.settings.source_language,
        paper=paper or project.settings.default_paper,
        edition=edition,
        brand=brand,
        fields=tuple((fields or {}).items()),
        allow_incomplete=allow_incomplete,
        allow_draft=allow_draft,
        marks=marks,
        layout=layout or "standard",
    )
    resolve(project, request)  # unknown names: a usage error before any rendering
    out = out_folder(project, out_dir)
    outcome = batch.run(project, [request], out, jobs=1)[0]
    if outcome.status == "refused":
        raise PolicyRefusal(outcome.message)
    if outcome.status == "failed":
        raise RenderError(outcome.message)
    assert outcome.entry is not None
    return BuiltFile(out / outcome.entry.path, outcome.entry.pages, outcome.status == "skipped")


@dataclass(frozen=True)
class BatchJob:
    """The handouts of one batch and the folder they go to."""

    project: Project
    requests: list[BuildRequest]
    out_dir: Path

    def run(
        self, jobs: int | None = None, progress: Callable[[batch.Outcome], None] | None = None
    ) -> list[batch.Outcome]:
        """Build every handout (skipping unchanged ones); ``progress`` hears of each."""
        return batch.run(self.project, self.requests, self.out_dir, jobs, progress)

    def write_bundle(self, outcomes: list[batch.Outcome]) -> tuple[Path, int]:
        """OUT/bundle.zip for the print vendor: where it is and how many files it holds."""
        target = self.out_dir / "bundle.zip"
        return target, len(batch.write_bundle(self.project, self.out_dir, outcomes, target))

    @staticmethod
    def problems(outcomes: Iterable[batch.Outcome]) -> list[str]:
        """One line per handout that failed or was refused, with the reason."""
        return [
            f"{o.status}: {o.request.filename()}: {o.message}"
            for o in outcomes
            if o.status in ("failed", "refused")
        ]

    def summary(self, outcomes: Sequence[batch.Outcome]) -> tuple[str, int]:
        """The table of results, and how many handouts failed or were refused."""
        counts = {key: sum(1 for o in outcomes if o.status == key) for key, _ in RESULTS}
        lines = ["", f"{'result':<8} {'count':>5}  meaning", "-" * 50]
        lines += [f"{key:<8} {counts[key]:>5}  {meaning}" for key, meaning in RESULTS]
        lines.append(f"manifest: {self.out_dir / batch.MANIFEST}")
        return "\n".join(lines), counts["failed"] + counts["refused"]


def plan_batch(
    project: Project,
    out_dir: Path | None = None,
    *,
    leaflets: Sequence[str] = (),
    variants: Sequence[str] = (),
    langs: Sequence[str] = (),
    papers: Sequence[str] = (),
    editions: Sequence[str] = (),
    layouts: Sequence[str] = (),
    shard: str | None = None,
    allow_draft: bool = False,
    allow_incomplete: bool = False,
    marks: bool = False,
) -> BatchJob:
    """Every combination of the choices (an empty one: leaflets.toml's default), or the
    K-th of N slices of it with ``shard`` "K/N"; into ``out_dir`` (default: leaflets.toml's)."""
    requests = batch.plan(
        project,
        list(leaflets) or None,
        list(variants) or None,
        list(langs) or None,
        list(papers) or None,
        list(editions) or None,
        list(layouts) or None,
        allow_draft=allow_draft,
        allow_incomplete=allow_incomplete,
        marks=marks,
    )
    if shard:
        requests = batch.shard(requests, *batch.parse_shard(shard))
    return BatchJob(project, requests, out_folder(project, out_dir))


def merge_manifest_files(manifests: Iterable[Path], target: Path) -> None:
    """Join the manifests of shard builds into ``target``: the manifest one machine
    would have written for the whole matrix."""
    write_atomic(target, batch.merge_manifests(manifests))


def sync_review_headers(project: Project, langs: Sequence[str] = ()) -> list[str]:
    """Correct the X-Review-* headers that claim more than their ledger (of ``langs``
    only, if given; an unknown one raises UnknownChoiceError); the files written."""
    if langs:
        project_reviews(project, langs)  # an unknown language: a usage error
    return sync_headers(project, langs or None)
