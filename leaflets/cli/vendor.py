"""Commands for print coordinators handing files to a vendor: preflight (check finished
PDFs) and manifest (join the manifests of shard builds)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..output import merge_manifest_files
from ..preflight import preflight_file
from .common import handle_errors, output_option


@click.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--edition",
    type=click.Choice(["clinic", "print"]),
    default=None,
    help="Check as this edition. Default: from the file name, else from the PDF.",
)
@click.option(
    "--saddle-stitch", is_flag=True, help="Warn when the page count is not a multiple of 4."
)
@click.option("--max-pages", type=int, default=None, help="Error when a file has more pages.")
def preflight(
    pdfs: tuple[Path, ...], edition: str | None, saddle_stitch: bool, max_pages: int | None
) -> None:
    """Check finished PDFs as a print vendor would.

    Print edition: TrimBox and BleedBox against the paper and its bleed, fonts
    embedded, no RGB colour, an output intent, text inside the safe zone, page
    count. Clinic edition: tagged, a language and a title. Prints
    `path: severity code: message` per problem; exit code 1 when there are errors.

    \b
    Example:
      leaflets preflight out/*_print.pdf --saddle-stitch
    """
    errors = 0
    for path in pdfs:
        for finding in preflight_file(
            path, edition=edition, saddle_stitch=saddle_stitch, max_pages=max_pages
        ):
            click.echo(str(finding))
            errors += finding.severity == "error"
    if errors:
        sys.exit(1)
    click.echo(f"{len(pdfs)} file(s) passed preflight")


@click.group()
def manifest() -> None:
    """Work with manifest.json files.

    \b
    Example:
      leaflets manifest merge shard1/manifest.json shard2/manifest.json -o out/manifest.json
    """


@manifest.command("merge")
@click.argument(
    "manifests", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@output_option("Where to write the merged manifest.", required=True)
@handle_errors
def manifest_merge(manifests: tuple[Path, ...], output: Path) -> None:
    """Join the manifests of shard builds into one.

    The result equals the manifest a single machine would write for the whole
    matrix. Two shards that disagree about a file are an error.

    \b
    Example:
      leaflets manifest merge out1/manifest.json out2/manifest.json -o out/manifest.json
    """
    merge_manifest_files(manifests, output)
    click.echo(f"wrote {output}")
