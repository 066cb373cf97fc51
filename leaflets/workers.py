"""Rendering the items of a batch: in this process, or in long-lived worker processes
(one Renderer, so one FontConfiguration, each), every item under a time limit and
print files preflighted. A worker that ran out of time renders nothing more: the
rest of its work goes to fresh workers, and the batch goes on. A worker that died
(out of memory, killed, a crash in native code) fails the item it held, found by
rendering the items that were in flight again one at a time; the batch goes on."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Literal

from .config import Project, load_project
from .errors import LeafletsError, PolicyRefusal
from .fonts import load_fonts
from .preflight import preflight_bytes
from .process import close_when_worker_ends, is_set_up, setup_process
from .render import BuildRequest, Renderer

log = logging.getLogger("leaflets")

ItemStatus = Literal["built", "refused", "failed"]


@dataclass
class WorkResult:
    request: BuildRequest
    status: ItemStatus
    pdf: bytes = b""
    pages: int = 0
    review_status: str = ""
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    timed_out: bool = False  # the process that rendered it must not render again
    pid: int = 0  # the process that rendered it


class ItemTimeout(BaseException):
    """Raised by the time limit's alarm. Not an Exception, like KeyboardInterrupt: the
    ``except Exception`` blocks of WeasyPrint and other libraries must not swallow it
    and carry on rendering."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the work after ``seconds`` (main thread only, where signals arrive)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise ItemTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_one(renderer: Any, request: BuildRequest, seconds: float) -> WorkResult:
    """Render one handout, stopped after ``seconds``; for the print edition, preflight
    it before it may be written."""

    try:
        with time_limit(seconds):
            result = renderer.render(request)
    except PolicyRefusal as exc:
        return WorkResult(request, "refused", message=str(exc))
    except LeafletsError as exc:
        return WorkResult(request, "failed", message=str(exc))
    except ItemTimeout:
        return WorkResult(
            request,
            "failed",
            message=f"rendering took longer than {seconds:g} s",
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


# --- worker processes ---------------------------------------------------------------------

_WORKER: Renderer | None = None
# Set in a worker process once an item ran out of time: the interrupted code may have
# left WeasyPrint, Pango or the renderer in any state, so the process renders nothing
# more and the batch starts fresh workers (see _pool_results).
_RETIRED = False


def _worker_init(root: str, scratch: str) -> None:
    """Start of a worker process (the pool's initializer owns the process): the process
    setup, one project, one renderer (one FontConfiguration)."""
    global _WORKER
    project = load_project(Path(root))
    setup_process(project.fonts_dir)
    # WeasyPrint's font copies go into the batch's scratch folder, which the batch
    # removes at its end (and the next batch, after a kill).
    _WORKER = Renderer(project, Path(scratch))
    close_when_worker_ends(_WORKER.close)


def _work(requests: list[BuildRequest], seconds: float) -> list[WorkResult]:
    """Render a group in a worker; stop after an item that ran out of time. The
    results are fewer than the requests then: the batch renders the others elsewhere."""
    global _RETIRED
    results: list[WorkResult] = []
    for request in requests:
        if _RETIRED:
            break
        results.append(render_one(_WORKER, request, seconds))
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


def render_all(
    project: Project, requests: list[BuildRequest], jobs: int, scratch: Path, seconds: float
) -> Iterator[WorkResult]:
    """Render ``requests`` with ``jobs`` processes, each item stopped after ``seconds``;
    the results come in the order they are made. ``scratch``: the folder for
    WeasyPrint's font copies, which the caller removes."""
    if not requests:
        return  # nothing changed: WeasyPrint is never imported

    load_fonts(project.fonts_dir)  # a broken font list fails here, not inside every worker
    if jobs <= 1 or len(requests) <= 1:
        yield from _local_results(project, requests, scratch, seconds)
        return
    if is_set_up(project.fonts_dir):
        # Lazy: WeasyPrint, imported once here for the workers, which are forked from
        # this process and inherit it (a third of a second each, and again for every
        # fresh pool after a timeout). It starts no thread, so forking stays safe.
        import weasyprint  # noqa: F401
    groups = deque(_by_language(requests))
    # Items that were in flight when a worker died: any of them may have killed it.
    suspects: deque[BuildRequest] = deque()
    while groups or suspects:
        if suspects:
            yield from _isolated_results(project, suspects, scratch, seconds)
            continue
        # A fresh pool, also after one whose worker ran out of time or died.
        with _pool(project, scratch, min(jobs, len(groups))) as pool:
            yield from _pool_results(pool, groups, suspects, jobs, seconds)


def _pool(project: Project, scratch: Path, workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        initializer=_worker_init,
        initargs=(str(project.root), str(scratch)),
    )


def _local_results(
    project: Project, requests: list[BuildRequest], scratch: Path, seconds: float
) -> Iterator[WorkResult]:
    """Render in this process (one job, or one handout)."""
    renderer = None
    try:
        for request in requests:
            if renderer is None:
                renderer = Renderer(project, scratch)
            result = render_one(renderer, request, seconds)
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
    pool: ProcessPoolExecutor,
    groups: deque[list[BuildRequest]],
    suspects: deque[BuildRequest],
    jobs: int,
    seconds: float,
) -> Iterator[WorkResult]:
    """Render ``groups`` (taking them from the left) until they are done, a worker ran
    out of time or a worker died. After a timeout this pool takes no more work: the
    groups it has not rendered go back to ``groups`` for a fresh pool, so that no process
    renders after a timeout. After a death every task still in flight fails at once
    (BrokenProcessPool), the culprit's and the bystanders' alike: their items go to
    ``suspects``, to be rendered again one at a time (_isolated_results)."""
    pending: dict[Future[list[WorkResult]], list[BuildRequest]] = {}
    retiring = broken = False

    def submit() -> None:
        nonlocal broken
        # Keep a few tasks per worker in flight, not the whole matrix at once.
        while groups and not retiring and not broken and len(pending) < jobs * 2:
            group = groups.popleft()
            try:
                pending[pool.submit(_work, group, seconds)] = group
            except BrokenProcessPool:  # never in flight: it goes to the next pool
                groups.appendleft(group)
                broken = True

    def collect(done: Iterable[Future[list[WorkResult]]]) -> Iterator[WorkResult]:
        nonlocal retiring, broken
        for future in done:
            group = pending.pop(future)
            try:
                results = future.result()
            except BrokenProcessPool:
                suspects.extend(group)
                broken = True
                continue
            yield from results
            if len(results) < len(group):
                # A worker stopped at a timed-out item (or was retired already).
                groups.appendleft(group[len(results) :])
                retiring = True

    submit()
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        yield from collect(done)
        if broken:
            # The broken pool fails what it has not finished at once; what it did
            # finish before it broke is kept.
            yield from collect(wait(pending).done)
            return
        if retiring:
            for future, group in list(pending.items()):
                if future.cancel():
                    del pending[future]
                    groups.appendleft(group)
        submit()


def _isolated_results(
    project: Project, suspects: deque[BuildRequest], scratch: Path, seconds: float
) -> Iterator[WorkResult]:
    """Render ``suspects`` one at a time in a pool of one worker, until they are done, a
    worker ran out of time or died. Nothing else is in flight then: an item whose worker
    dies now is the cause, and it fails alone, without another try. Each suspect is
    rendered here once, so a poison item kills at most two pools."""
    with _pool(project, scratch, 1) as pool:
        while suspects:
            request = suspects.popleft()
            try:
                future = pool.submit(_work, [request], seconds)
            except BrokenProcessPool:  # the worker died idle: nothing of this item ran
                suspects.appendleft(request)
                return
            worker = list(pool._processes.values())  # the one process, started by submit
            try:
                results = future.result()
            except BrokenProcessPool:
                pool.shutdown()  # joins the dead worker: its exit code is known then
                yield WorkResult(request, "failed", message=_died(worker))
                return
            if not results:  # a retired worker (not in a fresh pool): try again
                suspects.appendleft(request)
                return
            yield from results
            if results[0].timed_out:
                return  # this worker renders nothing more; the rest go to a fresh one


def _died(worker: Sequence[BaseProcess]) -> str:
    """Why the item failed: the way its worker process ended."""
    code = next((p.exitcode for p in worker if p.exitcode), None)
    if code is None:
        how = ""
    elif code > 0:
        how = f" (exit code {code})"
    elif -code == signal.SIGKILL:
        how = " (killed by SIGKILL: out of memory?)"
    else:
        how = f" (killed by signal {-code})"
    return f"the worker process rendering it died{how}"
