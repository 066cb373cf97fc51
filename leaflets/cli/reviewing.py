"""The ``leaflets review`` group, for medical reviewers: status, sign, diff, check, sync,
the worksheet, and XLIFF out to a CAT tool and back."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from .. import reports, review, worksheet
from ..defaults import choose_leaflet, out_folder
from ..output import sync_review_headers
from ..review.xliff import import_xliff
from ..xliff_files import export_xliff_file
from .common import (
    FORMAT_TABLE,
    LANGS_OPTION,
    LEAFLET_OPTION,
    echo_lines,
    handle_errors,
    load,
    out_option,
    output_option,
    split_list,
)


@click.group("review")
def review_group() -> None:
    """Review seals: who reviewed which translated text, derived from a ledger.

    Beside each catalog, locales/<lang>/LC_MESSAGES/<leaflet>.review.toml records
    the exact text a qualified reviewer signed. A handout is reviewed only when
    every message it prints is sealed; any later change to a message unseals it.
    A seal is a record kept in git, not a cryptographic signature.

    \b
    Example:
      leaflets review status
      leaflets review sheet --lang es            # a worksheet for the reviewer
      leaflets review sign --lang es --reviewer "Ana Ruiz" --messages unsealed
    """


@review_group.command("status")
@LANGS_OPTION
@FORMAT_TABLE
@handle_errors
def review_status(langs: tuple[str, ...], fmt: str) -> None:
    """Per language: messages sealed, changed since sealed, never sealed, and who
    signed last. The JSON also has, per variant, the messages its handouts print.

    \b
    Example:
      leaflets review status
      leaflets review status --lang ar --format json
    """
    report = reports.review_status(load(), split_list(langs))
    if fmt == "json":
        click.echo(report.json())
    else:
        echo_lines(report.table())


@review_group.command("sign")
@click.option("--lang", required=True, help="Language code of the catalog reviewed.")
@click.option("--reviewer", required=True, help="Full name of the qualified reviewer.")
@click.option("--credential", default="", help="The reviewer's qualification, as text.")
@click.option("--date", "date_text", default=None, help="YYYY-MM-DD. Default: today.")
@click.option(
    "--messages",
    type=click.Choice(["all", "unsealed"]),
    default="unsealed",
    show_default=True,
    help="unsealed: only messages changed since sealed or never sealed (what the "
    "worksheet and diff show); all: every translated message, signed again.",
)
@LEAFLET_OPTION
@handle_errors
def review_sign(
    lang: str,
    reviewer: str,
    credential: str,
    date_text: str | None,
    messages: str,
    leaflet_id: str | None,
) -> None:
    """Seal the translated messages a reviewer has read, in the review ledger.

    Records each message's context, English and translation with a fingerprint,
    the reviewer, credential and date, and updates the catalog's X-Review-*
    summary headers. Fuzzy and untranslated messages are never sealed; a
    catalog with errors (`leaflets check`) cannot be signed. Commit the ledger:
    git history is the audit trail.

    \b
    Example:
      leaflets review sign --lang es --reviewer "Ana Ruiz" \\
          --credential "ATA-certified medical translator" --messages unsealed
    """
    project = load()
    result = review.sign(
        project,
        choose_leaflet(project, leaflet_id),
        lang,
        reviewer,
        credential=credential,
        date=review.parse_date(date_text),
        messages=messages,
    )
    for path in result.wrote:
        click.echo(f"wrote {path}")
    r = result.review
    skipped = []
    if result.skipped_fuzzy:
        skipped.append(f"{result.skipped_fuzzy} fuzzy")
    if result.skipped_untranslated:
        skipped.append(f"{result.skipped_untranslated} untranslated")
    note = f" (not signable: {', '.join(skipped)})" if skipped else ""
    click.echo(f"{r.path}: signed {result.signed} message(s); {r.sealed} of {r.total} sealed{note}")


def _terminal_width() -> int:
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else 100


@review_group.command("diff")
@click.option("--lang", required=True, help="Language code.")
@LEAFLET_OPTION
@handle_errors
def review_diff(lang: str, leaflet_id: str | None) -> None:
    """Show each message changed since it was sealed: the English, then the sealed
    and the current translation side by side.

    Read them, then seal only those with `leaflets review sign --messages unsealed`.

    \b
    Example:
      leaflets review diff --lang es
    """
    project = load()
    found = review.catalog_review(project, choose_leaflet(project, leaflet_id), lang)
    text = review.format_diff(found, width=max(60, min(160, _terminal_width())))
    if text:
        click.echo(text)
    click.echo(
        f"{found.changed} message(s) changed since sealed, {found.never} never sealed, "
        f"{found.sealed} of {found.total} sealed",
        err=True,
    )


@review_group.command("check")
@LANGS_OPTION
@handle_errors
def review_check(langs: tuple[str, ...]) -> None:
    """Fail (exit 1) when any catalog has text changed since its seal, a header that
    claims more than its ledger, or a ledger that does not parse. For CI.

    Messages never sealed are not an error: their handouts carry the draft mark.

    \b
    Example:
      leaflets review check
    """
    problems = reports.review_problems(load(), split_list(langs))
    echo_lines([str(problem) for problem in problems])
    click.echo(f"review check: {len(problems)} error(s)", err=True)
    if problems:
        sys.exit(1)


@review_group.command("sync")
@LANGS_OPTION
@handle_errors
def review_sync(langs: tuple[str, ...]) -> None:
    """Correct X-Review-* headers that claim more than their ledger. Seals nothing.

    After `leaflets update` merges new or changed English, a catalog that was
    reviewed no longer is, and `review check` says its header claims too much:
    this rewrites that summary from the ledger.

    \b
    Example:
      leaflets update && leaflets review sync
    """
    wrote = sync_review_headers(load(), split_list(langs))
    for path in wrote:
        click.echo(f"updated {path}")
    if not wrote:
        click.echo("every review header agrees with its ledger")


@review_group.command("sheet")
@click.option("--lang", required=True, help="Language code.")
@LEAFLET_OPTION
@out_option("Output folder. Default: <out_dir>/review.")
@handle_errors
def review_sheet(lang: str, leaflet_id: str | None, out_dir: Path | None) -> None:
    """Write a review worksheet (PDF and HTML): one row per message needing review,
    with where it appears, the English, the translation and a column for notes.

    \b
    Example:
      leaflets review sheet --lang ar --out /tmp/review
    """
    project = load()
    sheet = worksheet.write_sheet(
        project,
        choose_leaflet(project, leaflet_id),
        lang,
        out_folder(project, out_dir, "review"),
    )
    click.echo(f"wrote {sheet.pdf} and {sheet.html} ({sheet.rows} message(s) to review)")


@review_group.command("export")
@click.option("--lang", required=True, help="Language code.")
@click.option("--format", "fmt", type=click.Choice(["xliff"]), default="xliff", show_default=True)
@output_option("Where to write. Default: <out_dir>/review/<leaflet>_<lang>.xlf.")
@LEAFLET_OPTION
@handle_errors
def review_export(lang: str, fmt: str, output: Path | None, leaflet_id: str | None) -> None:
    """Export a catalog as XLIFF 1.2 for a CAT tool.

    Sealed messages are `signed-off`, messages waiting for review `translated`,
    fuzzy ones `needs-review-translation`.

    \b
    Example:
      leaflets review export --lang es --format xliff -o es.xlf
    """
    click.echo(f"wrote {export_xliff_file(load(), leaflet_id, lang, output)}")


@review_group.command("import")
@click.argument("xliff_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--reviewer", required=True, help="Who signed off the units marked final.")
@click.option("--credential", default="", help="The reviewer's qualification, as text.")
@click.option("--date", "date_text", default=None, help="YYYY-MM-DD. Default: today.")
@handle_errors
def review_import(xliff_file: Path, reviewer: str, credential: str, date_text: str | None) -> None:
    """Bring back an XLIFF file made by `review export`.

    Changed text goes into the catalog and is unsealed, unless its unit is
    signed-off or final: those seal their message in the reviewer's name. The
    imported text must pass `leaflets check`. No change, nothing written.

    \b
    Example:
      leaflets review import es.xlf --reviewer "Ana Ruiz"
    """
    result = import_xliff(
        load(),
        xliff_file,
        reviewer,
        credential=credential,
        date=review.parse_date(date_text),
    )
    for path in result.wrote:
        click.echo(f"wrote {path}")
    r = result.review
    click.echo(
        f"{r.path}: {result.changed} message(s) changed, {result.sealed} sealed by this "
        f"import; {r.sealed} of {r.total} sealed"
    )
