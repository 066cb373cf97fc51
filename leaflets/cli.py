"""The ``leaflets`` command: thin click commands over the library.

Each command parses options, makes one library call and prints a summary.
Library errors (user mistakes) become one-line messages here, in one place:
exit code 2 for a bad argument, 1 for anything else that went wrong.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import LeafletsError, UsageProblem

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("leaflets")


def _project_root() -> Path:
    return Path(click.get_current_context().find_root().params.get("project") or ".")


def _load() -> Any:
    from .config import load_project

    return load_project(_project_root())


def handle_errors(func: F) -> F:
    """Turn library errors into clean messages and exit codes, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UsageProblem as exc:
            raise click.UsageError(str(exc)) from None
        except LeafletsError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def _parse_fields(values: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--field")
        fields[key.strip()] = text
    return fields


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


@main.command("list")
@handle_errors
def list_cmd() -> None:
    """List leaflets, their variants, and languages with their status.

    \b
    Example:
      leaflets list
    """
    from .catalog import catalog_status

    project = _load()
    for leaflet in project.leaflets.values():
        click.echo(f"{leaflet.id}  (version {leaflet.version}, {leaflet.title})")
        click.echo("  variants:")
        for variant in leaflet.variants:
            click.echo(f"    {variant.id:<16} {variant.label}")
        click.echo("  languages:")
        for lang in project.languages(leaflet.id):
            status = catalog_status(project, leaflet, lang)
            click.echo(f"    {lang:<8} {status}")


@main.command()
@click.option("--leaflet", "leaflet_id", default=None, help="Leaflet id. Default: the only one.")
@click.option("--variant", required=True, help="Procedure variant, e.g. percutaneous.")
@click.option("--lang", default=None, help="Language code, e.g. es. Default: the source language.")
@click.option("--paper", default=None, help="a4 or letter. Default: from leaflets.toml.")
@click.option("--brand", default=None, help="Brand folder name. Default: from leaflets.toml.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder. Default: from leaflets.toml (out/).",
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="KEY=VALUE",
    help="Patient detail to print: patient, procedure_date (2026-12-01), arrival_time (07:30), "
    "doctor, fasting_start (22:00 or 2026-11-30 22:00), medicines_to_stop. "
    "Left out, it prints as a line to write on.",
)
@handle_errors
def build(
    leaflet_id: str | None,
    variant: str,
    lang: str | None,
    paper: str | None,
    brand: str | None,
    out_dir: Path | None,
    fields: tuple[str, ...],
) -> None:
    """Build one handout as a PDF.

    Writes OUT/<leaflet>_<variant>_<lang>_<paper>_<edition>.pdf.

    \b
    Example:
      leaflets build --leaflet cryoablation --variant percutaneous --lang en \\
          --paper letter --field patient="Ana Silva" --field procedure_date=2026-12-01
    """
    from .batch import run
    from .render import BuildRequest, resolve

    project = _load()
    if leaflet_id is None:
        if len(project.leaflets) != 1:
            raise click.UsageError(
                f"--leaflet is needed; valid values: {', '.join(sorted(project.leaflets))}"
            )
        leaflet_id = next(iter(project.leaflets))
    request = BuildRequest(
        leaflet=leaflet_id,
        variant=variant,
        lang=lang or project.settings.source_language,
        paper=paper or project.settings.default_paper,
        brand=brand,
        fields=tuple(_parse_fields(fields).items()),
    )
    resolve(project, request)  # unknown names: exit 2 before any rendering
    out = out_dir or project.root / project.settings.out_dir
    outcome = run(project, [request], out)[0]
    if outcome.error:
        raise click.ClickException(outcome.error)
    assert outcome.entry is not None
    click.echo(f"wrote {out / outcome.entry.path} ({outcome.entry.pages} pages)")


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder. Default: from leaflets.toml (out/).",
)
@handle_errors
def batch(out_dir: Path | None) -> None:
    """Build every variant of every leaflet in every configured language.

    Uses the default paper and the clinic edition, and writes OUT/manifest.json
    listing every file with its hash and page count. A failed handout does not
    stop the others; the exit code is 1 if any failed.

    \b
    Example:
      leaflets batch --out out/
    """
    from .batch import default_requests, run

    project = _load()
    out = out_dir or project.root / project.settings.out_dir
    outcomes = run(project, default_requests(project), out)
    failed = 0
    for outcome in outcomes:
        if outcome.entry is not None:
            click.echo(f"built   {outcome.entry.path} ({outcome.entry.pages} pages)")
        else:
            failed += 1
            click.echo(f"failed  {outcome.request.filename()}: {outcome.error}", err=True)
    click.echo(
        f"{len(outcomes) - failed} built, {failed} failed; manifest: {out / 'manifest.json'}"
    )
    if failed:
        sys.exit(1)


@main.command()
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a .pot file is stale.")
@handle_errors
def extract(check: bool) -> None:
    """Extract messages from the templates into locales/<leaflet>.pot.

    Keeps translator comments, contexts and source references. Unchanged
    messages leave the file untouched.

    \b
    Example:
      leaflets extract
      leaflets extract --check    # in CI: fail when the .pot is out of date
    """
    from .catalog import extract_all

    project = _load()
    stale = extract_all(project, write=not check)
    for path in stale:
        click.echo(f"{'stale' if check else 'updated'}: {path}")
    if check and stale:
        sys.exit(1)
    if not stale:
        click.echo("templates and .pot files agree")


@main.command()
@click.argument("lang")
@click.option("--leaflet", "leaflet_ids", multiple=True, help="Leaflet id. Default: every leaflet.")
@handle_errors
def init(lang: str, leaflet_ids: tuple[str, ...]) -> None:
    """Start a new language: locales/LANG/LC_MESSAGES/<leaflet>.po from the .pot.

    The new catalog is marked as a draft until a qualified medical translator
    reviews it.

    \b
    Example:
      leaflets init es
    """
    from .catalog import init_catalog

    project = _load()
    for leaflet_id in leaflet_ids or tuple(project.leaflets):
        click.echo(f"created {init_catalog(project, project.leaflet(leaflet_id), lang)}")
