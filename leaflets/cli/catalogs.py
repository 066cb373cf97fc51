"""Commands for translators and content owners: list, extract, init, update, stats,
check, and new (a leaflet to start from)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import reports
from ..catalog import extract_all, init_catalog, update_catalogs
from ..scaffold import new_leaflet
from .common import (
    FORMAT_TABLE,
    LANGS_OPTION,
    echo_lines,
    handle_errors,
    load,
    project_root,
    split_list,
)


@click.command("list")
@handle_errors
def list_cmd() -> None:
    """List leaflets, their variants, and languages with their status.

    \b
    Example:
      leaflets list
    """
    echo_lines(reports.listing(load()))


def _report_stale(paths: list[Path], check: bool, up_to_date: str) -> None:
    """For extract and update: what changed (or, with --check, would), exit 1 if stale."""
    for path in paths:
        click.echo(f"{'stale' if check else 'updated'}: {path}")
    if check and paths:
        sys.exit(1)
    if not paths:
        click.echo(up_to_date)


@click.command()
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
    _report_stale(extract_all(load(), write=not check), check, "templates and .pot files agree")


@click.command()
@click.argument("leaflet_id")
@click.option("--title", default=None, help="The leaflet's English title. Default: from the id.")
@click.option(
    "--variants",
    default="standard,short",
    show_default=True,
    metavar="A,B",
    help="Ids of the two variants (each gets its own example message).",
)
@handle_errors
def new(leaflet_id: str, title: str | None, variants: str) -> None:
    """Start a new leaflet: templates/leaflets/LEAFLET_ID/ with its metadata and a
    template that extends the shared page frame.

    The template has translator comments, a message for each variant under its
    context, a count with plural forms and a phone placeholder: replace the
    example text, then extract and start the languages.

    \b
    Example:
      leaflets new knee-injection --title "Knee injection" --variants left,right
      leaflets extract && leaflets init es --leaflet knee-injection
    """
    names = split_list((variants,))
    if len(names) != 2:
        raise click.BadParameter(
            "give exactly two variant ids, e.g. left,right", param_hint="--variants"
        )
    for path in new_leaflet(project_root(), leaflet_id, title, (names[0], names[1])):
        click.echo(f"created {path}")
    click.echo(
        "next: edit the text, then `leaflets extract` and "
        f"`leaflets init LANG --leaflet {leaflet_id}`"
    )


@click.command()
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
    project = load()
    for leaflet_id in leaflet_ids or tuple(project.leaflets):
        click.echo(f"created {init_catalog(project, project.leaflet(leaflet_id), lang)}")


@click.command()
@LANGS_OPTION
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a catalog is stale.")
@handle_errors
def update(langs: tuple[str, ...], check: bool) -> None:
    """Merge locales/<leaflet>.pot into every catalog.

    New messages arrive empty. A changed English message keeps its old
    translation marked fuzzy, with the previous English (#|) shown so the
    translator sees what changed; fuzzy messages are never printed. Messages
    gone from the templates are kept at the end as obsolete (#~).

    \b
    Example:
      leaflets extract && leaflets update
      leaflets update --lang es --check    # in CI
    """
    changed = update_catalogs(load(), split_list(langs) or None, write=not check)
    _report_stale(changed, check, "catalogs are up to date")


@click.command()
@LANGS_OPTION
@FORMAT_TABLE
@handle_errors
def stats(langs: tuple[str, ...], fmt: str) -> None:
    """How much of each catalog is translated, and how much of it is sealed.

    Counts messages the way `msgfmt --statistics` does, and the English words
    in them. The review status comes from the review ledger (`leaflets review
    status` has the details), never from the catalog's header.

    \b
    Example:
      leaflets stats
      leaflets stats --lang ar --format json
    """
    report = reports.stats(load(), split_list(langs))
    if fmt == "json":
        click.echo(report.json())
    else:
        echo_lines(report.table())


@click.command()
@click.argument("po_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang", "langs", multiple=True, help="Only the project's catalogs of these languages."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@handle_errors
def check(po_files: tuple[Path, ...], langs: tuple[str, ...], fmt: str) -> None:
    """Check translations: placeholders, markup, numbers, hidden characters, glyphs,
    plural forms, syntax; fuzzy and untranslated messages are warnings.

    Without arguments, checks every catalog of the project; with paths, checks
    those files (any gettext .po file). Prints `path:line: severity code:
    message`. Exit code 0 without errors, 1 with errors, 2 for a wrong command.

    \b
    Example:
      leaflets check
      leaflets check --lang ar --format json
      leaflets check ~/Downloads/es.po
    """
    if po_files and langs:
        raise click.UsageError("give either PO_FILE paths or --lang, not both")
    report = reports.check(project_root(), po_files, split_list(langs))
    if fmt == "json":
        click.echo(report.json())
    else:
        echo_lines([str(problem) for problem in report.problems])
        click.echo(report.summary(), err=True)
    if report.errors:
        sys.exit(1)
