"""Who renders for the desk: one warm Renderer behind a lock, or a pool of processes.

WeasyPrint is not thread-safe, and the desk's server answers from several
threads. ``LocalEngine`` keeps one Renderer and renders one handout at a time
(tests, and the simplest server). ``PoolEngine`` keeps N long-lived worker
processes, each with its own warm Renderer (one FontConfiguration), so N
handouts render at once on N cores; a worker that takes too long is stopped by
the batch's per-item time limit and the server answers with an error instead of
waiting for ever. Handouts travel between processes through pipes, in memory.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Protocol

from ..api import Handout, handout_request, render_handout
from ..config import Project, load_project
from ..errors import LeafletsError, PolicyRefusal, RenderError
from ..process import close_when_worker_ends, setup_process
from ..render import BuildRequest, Renderer

# Seconds one handout may take at the desk before the person waiting gets an error.
RENDER_TIMEOUT = 30.0


class RenderTimeout(RenderError):
    """The handout took longer than the desk waits."""


class Engine(Protocol):
    def render(self, request: BuildRequest) -> Handout: ...

    def close(self) -> None: ...


def _warm_request(project: Project) -> BuildRequest:
    leaflet = next(iter(project.leaflets.values()))
    return handout_request(
        project, leaflet.id, leaflet.variants[0].id, project.settings.source_language
    )


class LocalEngine:
    """One Renderer in this process, one handout at a time."""

    def __init__(self, renderer: Renderer, timeout: float = RENDER_TIMEOUT) -> None:
        self.renderer = renderer
        self.timeout = timeout
        self._lock = threading.Lock()

    def render(self, request: BuildRequest) -> Handout:
        # Waiting longer than a render may take means the renderer is stuck or swamped.
        if not self._lock.acquire(timeout=self.timeout):
            raise RenderTimeout("the desk is busy; try again in a moment")
        # WeasyPrint's own log lines may quote the patient's details (a character no
        # font draws): in this process they are collected with the handout, not passed
        # on; the server logs them through handouts.log_warnings, which leaves such
        # text out. (Renderer processes log nowhere.)
        weasyprint_log = logging.getLogger("weasyprint")
        disabled, weasyprint_log.disabled = weasyprint_log.disabled, True
        try:
            return render_handout(self.renderer, request)
        finally:
            weasyprint_log.disabled = disabled
            self._lock.release()

    def close(self) -> None:
        self.renderer.close()


# --- worker processes -----------------------------------------------------------------------

_RENDERER: Renderer | None = None


def _worker_init(root: str, scratch: str) -> None:
    global _RENDERER
    # Ctrl+C reaches the whole process group, and a service manager may send SIGTERM
    # to every process of the service: the server stops the workers itself, without a
    # traceback from each and with their font copies removed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    project = load_project(Path(root))
    setup_process(project.fonts_dir)
    # WeasyPrint's font copies go into the engine's scratch folder, which the engine
    # removes when it closes: also the copies of a renderer that was killed.
    _RENDERER = Renderer(project, Path(scratch))
    close_when_worker_ends(_RENDERER.close)


def _worker_render(request: BuildRequest, limit: float) -> tuple[str, Handout | str]:
    """Render in a worker, stopped after ``limit`` seconds (the batch's per-item time
    limit, SIGALRM in the worker's main thread); errors come back as (kind, message):
    plain strings pickle."""
    assert _RENDERER is not None
    try:
        return "ok", render_handout(_RENDERER, request, limit)
    except PolicyRefusal as exc:
        return "refused", str(exc)
    except LeafletsError as exc:
        return "failed", str(exc)


class PoolEngine:
    """``workers`` long-lived processes, each with a warm Renderer."""

    def __init__(
        self,
        project: Project,
        workers: int,
        timeout: float = RENDER_TIMEOUT,
        scratch: Path | None = None,
    ) -> None:
        self.project = project
        self.workers = workers
        self.timeout = timeout
        # The renderers' font copies; in ``scratch`` (default: the system's temporary
        # folder), removed on close.
        self._scratch = Path(tempfile.mkdtemp(prefix="leaflets-desk-", dir=scratch))
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # "spawn": the server has threads by the time a broken pool is replaced, and a
        # forked child of a threaded process can hang on a lock another thread held.
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(str(self.project.root), str(self._scratch)),
        )

    def start_warming(self) -> Callable[[], None]:
        """Start every worker and render one handout in each, before the first patient.
        Do something else meanwhile (the desk makes its web fonts), then call what this
        returns to wait until they are done."""
        request = _warm_request(self.project)
        futures = [
            self._pool.submit(_worker_render, request, self.timeout) for _ in range(self.workers)
        ]

        def wait() -> None:
            for future in futures:
                future.result(timeout=120)

        return wait

    def render(self, request: BuildRequest) -> Handout:
        pool = self._pool
        try:
            future = pool.submit(_worker_render, request, self.timeout)
            kind, value = future.result(timeout=self.timeout + 5)
        except FutureTimeout:
            raise RenderTimeout(f"the handout took longer than {self.timeout:g} s") from None
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start fresh ones for the next request.
            with self._lock:
                if self._pool is pool:
                    self._pool = self._start()
            pool.shutdown(wait=False, cancel_futures=True)
            raise RenderError("the renderer stopped unexpectedly; try again") from None
        if kind == "ok":
            assert isinstance(value, Handout)
            return value
        assert isinstance(value, str)
        if kind == "refused":
            raise PolicyRefusal(value)
        if "longer than" in value:
            raise RenderTimeout(value)
        raise RenderError(value)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._scratch, ignore_errors=True)
