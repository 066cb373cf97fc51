"""``leaflets serve``: the clinic desk, a web page and a JSON API over the library."""

from __future__ import annotations

import logging
import os
from typing import Any

import click

from ..desk import server as desk_server
from .common import handle_errors, load


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Renderer processes (each about 70-170 MB). Default: one per core, at most 2.",
)
@click.option(
    "--token-file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help=f"File holding the access token (else ${desk_server.TOKEN_VARIABLE}). Needed to "
    "serve on any address but 127.0.0.1.",
)
@handle_errors
def serve(host: str, port: int, workers: int | None, token_file: Any) -> None:
    """Start the clinic desk: a web page and a JSON API for personalised handouts.

    Staff open the page, pick the leaflet, language and variant, type the
    patient's details, see the pages and print. Patient details are rendered in
    memory and never written to disk or logged. Listens on 127.0.0.1 unless an
    access token is set; then the page asks for it once and the API takes
    `Authorization: Bearer TOKEN`. Stop with Ctrl+C (or SIGTERM, as a service
    manager sends).

    \b
    Example:
      leaflets serve                     # http://127.0.0.1:8000/
      LEAFLETS_DESK_TOKEN=$(cat /etc/leaflets/token) leaflets serve --host 0.0.0.0 --workers 2
    """
    token = desk_server.desk_token(token_file.read() if token_file is not None else None)
    desk_server.check_listen(host, token)  # before the slow start of the renderers
    project = load()
    count = workers or max(1, min(2, os.cpu_count() or 1))
    logging.getLogger("leaflets.desk").setLevel(logging.INFO)

    def ready(url: str) -> None:
        processes = "1 renderer process" if count == 1 else f"{count} renderer processes"
        click.echo(f"clinic desk on {url} ({processes}); stop with Ctrl+C")

    try:
        desk_server.serve(project, host, port, count, token, ready=ready)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    except KeyboardInterrupt:
        pass  # waitress ends its loop on Ctrl+C itself; the interrupt may come before
    click.echo("stopped")
