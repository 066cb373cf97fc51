"""Running the desk: waitress (a production WSGI server), the access log, the rules
about where it may listen."""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from typing import Any

import waitress
from werkzeug.wsgi import ClosingIterator

from ..config import Project
from ..errors import UsageProblem
from ..process import setup_process
from .app import MAX_BODY_BYTES, create_app
from .engine import PoolEngine

access_log = logging.getLogger("leaflets.desk.access")
TOKEN_VARIABLE = "LEAFLETS_DESK_TOKEN"
# Shortest token accepted: a guessable token is no protection for health information.
MIN_TOKEN_LENGTH = 16

StartResponse = Callable[..., Any]


class AccessLog:
    """WSGI middleware: one line per request with method, path, status and the time to
    the last byte. Never the query string, headers or body."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def record(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, exc_info)

        def done() -> None:
            access_log.info(
                "%s %s %s %.3fs",
                environ.get("REQUEST_METHOD", "-"),
                environ.get("PATH_INFO", "-")[:200],
                status[0] if status else "-",
                time.perf_counter() - started,
            )

        return ClosingIterator(self.app(environ, record), [done])


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def desk_token(given: str | None = None) -> str | None:
    """The access token: given (from a file the user named), else the environment."""
    token = (given if given is not None else os.environ.get(TOKEN_VARIABLE, "")).strip()
    if token and len(token) < MIN_TOKEN_LENGTH:
        raise UsageProblem(
            f"the desk's access token must be at least {MIN_TOKEN_LENGTH} characters"
        )
    return token or None


def check_listen(host: str, token: str | None) -> None:
    """Only the loopback address without a token: anywhere else, anyone on the network
    could print a handout with a patient's details."""
    if not is_loopback(host) and token is None:
        raise UsageProblem(
            f"serving on {host} needs an access token: set {TOKEN_VARIABLE} (at least "
            f"{MIN_TOKEN_LENGTH} characters) or give --token-file; without one the desk "
            "listens on 127.0.0.1 only"
        )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM (what a service manager sends) stops the desk the way Ctrl+C does: the
    renderer processes are shut down and their font copies removed. Only the main
    thread can take signals; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    project: Project,
    host: str,
    port: int,
    workers: int,
    token: str | None,
    threads: int = 8,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Start the renderer processes, warm them, then serve until interrupted (Ctrl+C
    or SIGTERM)."""
    check_listen(host, token)
    setup_process(project.fonts_dir)
    with stop_on_sigterm(), closing(PoolEngine(project, workers)) as engine:
        warmed = engine.start_warming()
        # The web fonts are made while the renderer processes warm up.
        app = create_app(project, engine, token=token, local_only=is_loopback(host) and not token)
        warmed()
        server = waitress.create_server(
            AccessLog(app),
            host=host,
            port=port,
            threads=threads,
            ident="leaflets-desk",
            # A backstop: the app's own limit answers first, with its headers and JSON.
            max_request_body_size=2 * MAX_BODY_BYTES,
            clear_untrusted_proxy_headers=True,
        )
        shown = f"[{host}]" if ":" in host else host
        if ready is not None:
            ready(f"http://{shown}:{server.effective_port}/")
        server.run()
