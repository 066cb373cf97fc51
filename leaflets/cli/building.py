"""Commands that make handouts: build (one), batch (many), preview (a translator's
watch), proof (page 1 of every language side by side)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from .. import output
from ..batch import Outcome
from ..preview import open_preview
from ..proof import proof_sheets
from .common import (
    ALLOW_DRAFT,
    ALLOW_INCOMPLETE,
    LAYOUT_OPTION,
    LEAFLET_OPTION,
    MARKS,
    OUT_OPTION,
    F,
    handle_errors,
    load,
    out_option,
    split_list,
)


def _parse_fields(values: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--field")
        fields[key.strip()] = text
    return fields


@click.command()
@LEAFLET_OPTION
@click.option("--variant", required=True, help="Procedure variant, e.g. percutaneous.")
@click.option("--lang", default=None, help="Language code, e.g. es. Default: the source language.")
@click.option("--paper", default=None, help="a4 or letter. Default: from leaflets.toml.")
@click.option("--edition", default="clinic", show_default=True, help="clinic or print.")
@click.option("--brand", default=None, help="Brand folder name. Default: from leaflets.toml.")
@LAYOUT_OPTION
@OUT_OPTION
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="KEY=VALUE",
    help="Patient detail to print: patient, procedure_date (2026-12-01), arrival_time (07:30), "
    "doctor, fasting_start (22:00 or 2026-11-30 22:00), medicines_to_stop. "
    "Left out, it prints as a line to write on.",
)
@ALLOW_INCOMPLETE
@ALLOW_DRAFT
@MARKS
@handle_errors
def build(
    leaflet_id: str | None,
    variant: str,
    lang: str | None,
    paper: str | None,
    edition: str,
    brand: str | None,
    layout: str | None,
    out_dir: Path | None,
    fields: tuple[str, ...],
    allow_incomplete: bool,
    allow_draft: bool,
    marks: bool,
) -> None:
    """Build one handout as a PDF.

    Writes OUT/<leaflet>_<variant>_<lang>_<paper>_<edition>.pdf (with _<layout>
    added for a layout other than standard) and lists it in OUT/manifest.json.

    \b
    Example:
      leaflets build --leaflet cryoablation --variant percutaneous --lang en \\
          --paper letter --field patient="Ana Silva" --field procedure_date=2026-12-01
      leaflets build --variant laparoscopic --lang es --layout bilingual
    """
    built = output.build_file(
        load(),
        variant,
        leaflet=leaflet_id,
        lang=lang,
        paper=paper,
        edition=edition,
        brand=brand,
        layout=layout,
        fields=_parse_fields(fields),
        allow_incomplete=allow_incomplete,
        allow_draft=allow_draft,
        marks=marks,
        out_dir=out_dir,
    )
    note = " (unchanged)" if built.unchanged else ""
    click.echo(f"wrote {built.path} ({built.pages} pages){note}")


def _list_option(flag: str, dest: str, default: str) -> Callable[[F], F]:
    """A matrix option: comma-separated values, and it may be repeated."""
    return click.option(flag, dest, multiple=True, help=f"Comma-separated. Default: {default}.")


@click.command()
@_list_option("--leaflet", "leaflets", "every leaflet")
@_list_option("--lang", "langs", "the languages in leaflets.toml")
@_list_option("--variant", "variants", "every variant")
@_list_option("--paper", "papers", "the paper in leaflets.toml (a4, letter)")
@_list_option("--edition", "editions", "clinic (clinic, print)")
@_list_option("--layout", "layouts", "standard (standard, large-print, bilingual)")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes. Default: one per core.",
)
@OUT_OPTION
@click.option("--bundle", is_flag=True, help="Also write OUT/bundle.zip for the print vendor.")
@click.option(
    "--shard", default=None, metavar="K/N", help="Build only the K-th of N slices of the matrix."
)
@ALLOW_DRAFT
@ALLOW_INCOMPLETE
@MARKS
@handle_errors
def batch(
    leaflets: tuple[str, ...],
    langs: tuple[str, ...],
    variants: tuple[str, ...],
    papers: tuple[str, ...],
    editions: tuple[str, ...],
    layouts: tuple[str, ...],
    jobs: int | None,
    out_dir: Path | None,
    bundle: bool,
    shard: str | None,
    allow_draft: bool,
    allow_incomplete: bool,
    marks: bool,
) -> None:
    """Build many handouts at once: every combination of the options.

    Unchanged handouts are skipped; a failed one does not stop the others (the
    exit code is 1 if any failed or was refused). PDFs are written atomically
    and OUT/manifest.json lists every complete file with its hashes. Print
    editions are preflighted before they are written.

    \b
    Example:
      leaflets batch                                   # what `make build` runs
      leaflets batch --lang es,zh_Hans --paper a4,letter --edition print --allow-draft --bundle
      leaflets batch --shard 2/4 --out out/shard2      # one machine of four
      leaflets batch --layout large-print,bilingual    # English is left out of bilingual
    """
    job = output.plan_batch(
        load(),
        out_dir,
        leaflets=split_list(leaflets),
        variants=split_list(variants),
        langs=split_list(langs),
        papers=split_list(papers),
        editions=split_list(editions),
        layouts=split_list(layouts),
        shard=shard,
        allow_draft=allow_draft,
        allow_incomplete=allow_incomplete,
        marks=marks,
    )
    interactive = sys.stdout.isatty()
    with click.progressbar(
        length=len(job.requests),
        label="building",
        file=sys.stdout if interactive else None,
        show_pos=True,
    ) as bar:

        def progress(outcome: Outcome) -> None:
            if interactive:
                bar.update(1)
            else:
                detail = f" ({outcome.entry.pages} pages)" if outcome.entry else ""
                click.echo(f"{outcome.status:<8} {outcome.request.filename()}{detail}")

        outcomes = job.run(jobs, progress)
    for line in job.problems(outcomes):
        click.echo(line, err=True)
    if bundle:
        target, count = job.write_bundle(outcomes)
        click.echo(f"bundle: {target} ({count} files)")
    text, bad = job.summary(outcomes)
    click.echo(text)
    if bad:
        sys.exit(1)


@click.command()
@click.option("--lang", required=True, help="Language code of the catalog being translated.")
@click.option("--variant", default=None, help="Procedure variant. Default: the first one.")
@LEAFLET_OPTION
@click.option("--paper", default=None, help="a4 or letter. Default: from leaflets.toml.")
@out_option("Folder for the preview PDF. Default: <out_dir>/preview.")
@click.option("--once", is_flag=True, help="Render once and exit instead of watching.")
@click.option(
    "--interval",
    type=float,
    default=0.3,
    show_default=True,
    help="Seconds between looks for changes.",
)
@handle_errors
def preview(
    lang: str,
    variant: str | None,
    leaflet_id: str | None,
    paper: str | None,
    out_dir: Path | None,
    once: bool,
    interval: float,
) -> None:
    """Render a handout for a translator, again on every save.

    Watches the catalog, the templates, the fonts and the brands, and writes
    the PDF again after each change (keep it open in a viewer that reloads,
    such as Evince or Okular). Untranslated and fuzzy messages show in English
    with the "incomplete translation" notice, and drafts carry the draft mark,
    exactly as in a real build. A mistake in the catalog is printed and the
    watch goes on. Stop with Ctrl+C.

    \b
    Example:
      leaflets preview --lang es --variant laparoscopic
    """
    session = open_preview(
        load(), lang, leaflet=leaflet_id, variant=variant, paper=paper, out_dir=out_dir
    )
    for line in session.run(once=once, interval=interval):
        click.echo(line)


@click.command()
@LEAFLET_OPTION
@click.option("--variant", default=None, help="Procedure variant. Default: the first one.")
@click.option(
    "--paper", "papers", multiple=True, help="a4, letter or both (comma-separated). Default: both."
)
@click.option("--lang", "langs", multiple=True, help="Languages to show. Default: every language.")
@LAYOUT_OPTION
@OUT_OPTION
@handle_errors
def proof(
    leaflet_id: str | None,
    variant: str | None,
    papers: tuple[str, ...],
    langs: tuple[str, ...],
    layout: str | None,
    out_dir: Path | None,
) -> None:
    """Make a proof sheet: page 1 of every language side by side.

    Writes OUT/proof_<leaflet>_<variant>_<paper>.png (with _<layout> added for
    a layout other than standard), one per paper size, so a person sees all
    languages at a glance. A bilingual sheet leaves out English itself.

    \b
    Example:
      leaflets proof --paper a4,letter
      leaflets proof --layout bilingual --paper a4
    """
    sheets = proof_sheets(
        load(), leaflet_id, variant, split_list(papers), split_list(langs), layout, out_dir
    )
    for sheet in sheets:
        failed = f" (could not build: {', '.join(sheet.failed)})" if sheet.failed else ""
        click.echo(f"wrote {sheet.path}{failed}")
