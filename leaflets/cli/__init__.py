"""The ``leaflets`` command: thin click commands over the library.

Each command parses options, makes one library call and prints the result. Library
errors (user mistakes) become one-line messages in one place, ``common.handle_errors``:
exit code 2 for a bad argument, 1 for anything else that went wrong.

The commands live in modules by who uses them, and a command's module is imported
only when that command runs (``lazy.LazyGroup``), so a quick command starts quickly:

    building   build, batch, preview, proof        clinic staff, print coordinators
    catalogs   list, extract, init, update, stats, check, new     translators, authors
    reviewing  review (status, sign, diff, check, sync, sheet, export, import)
    vendor     preflight, manifest (merge)         print coordinators
    serving    serve                               the clinic desk
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from .. import __version__
from .lazy import LazyGroup

# Every command: its name and where it is defined ("module:attribute" in this package).
COMMANDS = {
    "batch": "building:batch",
    "build": "building:build",
    "check": "catalogs:check",
    "extract": "catalogs:extract",
    "init": "catalogs:init",
    "list": "catalogs:list_cmd",
    "manifest": "vendor:manifest",
    "new": "catalogs:new",
    "preflight": "vendor:preflight",
    "preview": "building:preview",
    "proof": "building:proof",
    "review": "reviewing:review_group",
    "serve": "serving:serve",
    "stats": "catalogs:stats",
    "update": "catalogs:update",
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="leaflets")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (holds leaflets.toml). Default: the current folder.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what is being done.")
def main(project: Path | None, verbose: bool) -> None:
    """Translated patient leaflets rendered into branded PDF handouts.

    \b
    Example:
      leaflets build --leaflet cryoablation --variant percutaneous --lang en --paper letter
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s: %(message)s"
    )
