"""The ``leaflets`` command: thin click commands over the library.

Each command parses options, makes one library call and prints a summary.
Library errors (user mistakes) become one-line messages here, in one place:
exit code 2 for a bad argument, 1 for anything else that went wrong.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, worksheet
from . import batch as batch_mod
from . import review as seal
from .batch import merge_manifests, run
from .catalog import catalog_stats, catalogs, extract_all, init_catalog, update_catalogs
from .checks import check_po_bytes
from .config import LAYOUTS, PAPERS, load_project
from .desk import server as desk_server
from .errors import LeafletsError, UnknownChoiceError, UsageProblem
from .files import write_atomic
from .fonts import coverage
from .locale import locale_info
from .preflight import preflight_file
from .preview import Preview
from .proof import proof_sheet
from .render import BuildRequest, Renderer, resolve
from .scaffold import new_leaflet

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("leaflets")


def _project_root() -> Path:
    return Path(click.get_current_context().find_root().params.get("project") or ".")


def _load() -> Any:

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
    project = _load()
    for leaflet in project.leaflets.values():
        click.echo(f"{leaflet.id}  (version {leaflet.version}, {leaflet.title})")
        click.echo("  variants:")
        for variant in leaflet.variants:
            click.echo(f"    {variant.id:<16} {variant.label}")
        click.echo("  languages:")
        for lang in project.languages(leaflet.id):
            status = seal.language_status(project, leaflet, lang)
            click.echo(f"    {lang:<8} {status}")


OUT_OPTION = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder. Default: from leaflets.toml (out/).",
)
ALLOW_INCOMPLETE = click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Build a language with untranslated or fuzzy messages: they print in English, "
    "and every page says the translation is incomplete.",
)
ALLOW_DRAFT = click.option(
    "--allow-draft",
    is_flag=True,
    help="Print edition: accept a translation not yet reviewed by a qualified medical "
    "translator (it keeps its draft mark). The clinic edition always marks drafts.",
)
MARKS = click.option("--marks", is_flag=True, help="Print edition: crop marks in the bleed.")
LAYOUT_HELP = (
    "standard, large-print (18 pt and up, for low vision) or bilingual (English beside "
    "the patient's language)"
)


def _summary(outcomes: list[Any], out: Path) -> tuple[str, int]:
    counts = {
        k: sum(1 for o in outcomes if o.status == k)
        for k in ("built", "skipped", "refused", "failed")
    }
    rows = [
        ("built", "rendered and written"),
        ("skipped", "unchanged since the last build"),
        ("refused", "not allowed as asked (draft or incomplete)"),
        ("failed", "errors"),
    ]
    lines = ["", f"{'result':<8} {'count':>5}  meaning", "-" * 50]
    lines += [f"{key:<8} {counts[key]:>5}  {meaning}" for key, meaning in rows]
    lines.append(f"manifest: {out / 'manifest.json'}")
    return "\n".join(lines), counts["failed"] + counts["refused"]


@main.command()
@click.option("--leaflet", "leaflet_id", default=None, help="Leaflet id. Default: the only one.")
@click.option("--variant", required=True, help="Procedure variant, e.g. percutaneous.")
@click.option("--lang", default=None, help="Language code, e.g. es. Default: the source language.")
@click.option("--paper", default=None, help="a4 or letter. Default: from leaflets.toml.")
@click.option("--edition", default="clinic", show_default=True, help="clinic or print.")
@click.option("--brand", default=None, help="Brand folder name. Default: from leaflets.toml.")
@click.option("--layout", default=None, help=LAYOUT_HELP + ". Default: standard.")
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
        edition=edition,
        brand=brand,
        fields=tuple(_parse_fields(fields).items()),
        allow_incomplete=allow_incomplete,
        allow_draft=allow_draft,
        marks=marks,
        layout=layout or "standard",
    )
    resolve(project, request)  # unknown names: exit 2 before any rendering
    out = out_dir or project.root / project.settings.out_dir
    outcome = run(project, [request], out, jobs=1)[0]
    if outcome.status in ("failed", "refused"):
        raise click.ClickException(outcome.message)
    assert outcome.entry is not None
    note = " (unchanged)" if outcome.status == "skipped" else ""
    click.echo(f"wrote {out / outcome.entry.path} ({outcome.entry.pages} pages){note}")


def _list_option(flag: str, dest: str, default: str) -> Callable[[F], F]:
    """A matrix option: comma-separated values, and it may be repeated."""
    return click.option(flag, dest, multiple=True, help=f"Comma-separated. Default: {default}.")


@main.command()
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

    project = _load()
    requests = batch_mod.plan(
        project,
        _split_list(leaflets) or None,
        _split_list(variants) or None,
        _split_list(langs) or None,
        _split_list(papers) or None,
        _split_list(editions) or None,
        _split_list(layouts) or None,
        allow_draft=allow_draft,
        allow_incomplete=allow_incomplete,
        marks=marks,
    )
    if shard:
        requests = batch_mod.shard(requests, *batch_mod.parse_shard(shard))
    out = out_dir or project.root / project.settings.out_dir
    interactive = sys.stdout.isatty()
    with click.progressbar(
        length=len(requests),
        label="building",
        file=sys.stdout if interactive else None,
        show_pos=True,
    ) as bar:

        def progress(outcome: Any) -> None:
            if interactive:
                bar.update(1)
            else:
                detail = f" ({outcome.entry.pages} pages)" if outcome.entry else ""
                click.echo(f"{outcome.status:<8} {outcome.request.filename()}{detail}")

        outcomes = batch_mod.run(project, requests, out, jobs, progress)
    for outcome in outcomes:
        if outcome.status in ("failed", "refused"):
            click.echo(
                f"{outcome.status}: {outcome.request.filename()}: {outcome.message}", err=True
            )
    if bundle:
        target = out / "bundle.zip"
        names = batch_mod.write_bundle(project, out, outcomes, target)
        click.echo(f"bundle: {target} ({len(names)} files)")
    text, bad = _summary(outcomes, out)
    click.echo(text)
    if bad:
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

    project = _load()
    _report_stale(extract_all(project, write=not check), check, "templates and .pot files agree")


@main.command()
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

    names = [v.strip() for v in variants.split(",") if v.strip()]
    if len(names) != 2:
        raise click.BadParameter(
            "give exactly two variant ids, e.g. left,right", param_hint="--variants"
        )
    written = new_leaflet(_project_root(), leaflet_id, title, (names[0], names[1]))
    for path in written:
        click.echo(f"created {path}")
    click.echo(
        "next: edit the text, then `leaflets extract` and "
        f"`leaflets init LANG --leaflet {leaflet_id}`"
    )


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

    project = _load()
    for leaflet_id in leaflet_ids or tuple(project.leaflets):
        click.echo(f"created {init_catalog(project, project.leaflet(leaflet_id), lang)}")


def _report_stale(paths: list[Path], check: bool, up_to_date: str) -> None:
    """For extract and update: what changed (or, with --check, would), exit 1 if stale."""
    for path in paths:
        click.echo(f"{'stale' if check else 'updated'}: {path}")
    if check and paths:
        sys.exit(1)
    if not paths:
        click.echo(up_to_date)


def _split_list(values: tuple[str, ...]) -> list[str]:
    """``--lang es,fr --lang vi`` -> ["es", "fr", "vi"]."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


@main.command()
@click.option("--lang", "langs", multiple=True, help="Only these languages (comma-separated).")
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

    project = _load()
    changed = update_catalogs(project, _split_list(langs) or None, write=not check)
    _report_stale(changed, check, "catalogs are up to date")


@main.command()
@click.option("--lang", "langs", multiple=True, help="Only these languages (comma-separated).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
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

    project = _load()
    rows = [
        catalog_stats(project, lf, lang, path)
        for lf, lang, path in catalogs(project, _split_list(langs) or None)
    ]
    reviews = [seal.catalog_review(project, project.leaflet(s.leaflet), s.lang) for s in rows]
    if fmt == "json":
        data = [
            {
                "leaflet": s.leaflet,
                "lang": s.lang,
                "path": s.path,
                "translated": s.translated,
                "fuzzy": s.fuzzy,
                "untranslated": s.untranslated,
                "obsolete": s.obsolete,
                "translated_words": s.translated_words,
                "fuzzy_words": s.fuzzy_words,
                "untranslated_words": s.untranslated_words,
                "percent": round(s.percent, 1),
                "sealed": r.sealed,
                "sealable": r.total,
                "changed_since_sealed": r.changed,
                "review_status": r.status().status,
                "reviewed_by": r.status().reviewer,
                "review_date": r.status().date,
            }
            for s, r in zip(rows, reviews, strict=True)
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    columns = (
        "leaflet",
        "lang",
        "done",
        "translated",
        "fuzzy",
        "untranslated",
        "obsolete",
        "words left",
        "sealed",
        "review",
    )
    table = [columns]
    for s, r in zip(rows, reviews, strict=True):
        status = r.status()
        review = {"draft": "DRAFT, not yet reviewed", "reviewed": "reviewed"}[status.status]
        if status.status == "reviewed":
            review += f" (last signed by {status.reviewer} on {status.date})"
        table.append(
            (
                s.leaflet,
                s.lang,
                f"{s.percent:.1f}%",
                str(s.translated),
                str(s.fuzzy),
                str(s.untranslated),
                str(s.obsolete),
                str(s.fuzzy_words + s.untranslated_words),
                f"{r.sealed}/{r.total}",
                review,
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    for n, row in enumerate(table):
        cells = [
            c.ljust(w) if i in (0, 1, 9) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


@main.command()
@click.option("--lang", required=True, help="Language code of the catalog being translated.")
@click.option("--variant", default=None, help="Procedure variant. Default: the first one.")
@click.option("--leaflet", "leaflet_id", default=None, help="Leaflet id. Default: the only one.")
@click.option("--paper", default=None, help="a4 or letter. Default: from leaflets.toml.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the preview PDF. Default: <out_dir>/preview.",
)
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

    project = _load()
    leaflet = project.leaflet(leaflet_id) if leaflet_id else next(iter(project.leaflets.values()))
    session = Preview(
        project,
        leaflet.id,
        variant or leaflet.variants[0].id,
        lang,
        paper or project.settings.default_paper,
        out_dir or project.root / project.settings.out_dir / "preview",
    )
    session.check_request()
    for line in session.run(once=once, interval=interval):
        click.echo(line)


@main.command()
@click.option("--leaflet", "leaflet_id", default=None, help="Leaflet id. Default: the only one.")
@click.option("--variant", default=None, help="Procedure variant. Default: the first one.")
@click.option(
    "--paper", "papers", multiple=True, help="a4, letter or both (comma-separated). Default: both."
)
@click.option("--lang", "langs", multiple=True, help="Languages to show. Default: every language.")
@click.option("--layout", default=None, help=LAYOUT_HELP + ". Default: standard.")
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

    project = _load()
    leaflet = project.leaflet(leaflet_id) if leaflet_id else next(iter(project.leaflets.values()))
    variant_id = leaflet.variant(variant).id if variant else leaflet.variants[0].id
    chosen_papers = _split_list(papers) or list(PAPERS)
    for paper in chosen_papers:
        if paper not in PAPERS:
            raise UnknownChoiceError("paper", paper, PAPERS)
    available = project.languages(leaflet.id)
    chosen_langs = _split_list(langs) or list(available)
    for lang in chosen_langs:
        if lang not in available:
            raise UnknownChoiceError("language", lang, available)
    layout = layout or "standard"
    if layout not in LAYOUTS:
        raise UnknownChoiceError("layout", layout, LAYOUTS)
    if layout == "bilingual":
        chosen_langs = [x for x in chosen_langs if x != project.settings.source_language]
        if not chosen_langs:
            raise UsageProblem(
                "--layout bilingual pairs the source language with the patient's: choose "
                "the patient's languages with --lang"
            )
    out = out_dir or project.root / project.settings.out_dir
    renderer = Renderer(project)
    for paper in chosen_papers:
        suffix = "" if layout == "standard" else f"_{layout}"
        target = out / f"proof_{leaflet.id}_{variant_id}_{paper}{suffix}.png"
        failed = proof_sheet(
            project, renderer, leaflet.id, variant_id, paper, chosen_langs, target, layout
        )
        click.echo(
            f"wrote {target}" + (f" (could not build: {', '.join(failed)})" if failed else "")
        )


@main.command()
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
    `path: code: message` per problem; exit code 1 when there are errors.

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


@main.group()
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
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the merged manifest.",
)
@handle_errors
def manifest_merge(manifests: tuple[Path, ...], output: Path) -> None:
    """Join the manifests of shard builds into one.

    The result equals the manifest a single machine would write for the whole
    matrix. Two shards that disagree about a file are an error.

    \b
    Example:
      leaflets manifest merge out1/manifest.json out2/manifest.json -o out/manifest.json
    """

    write_atomic(output, merge_manifests(manifests))
    click.echo(f"wrote {output}")


@main.command()
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
    `Authorization: Bearer TOKEN`. Stop with Ctrl+C.

    \b
    Example:
      leaflets serve                     # http://127.0.0.1:8000/
      LEAFLETS_DESK_TOKEN=$(cat /etc/leaflets/token) leaflets serve --host 0.0.0.0 --workers 2
    """
    token = desk_server.desk_token(token_file.read() if token_file is not None else None)
    desk_server.check_listen(host, token)  # before the slow start of the renderers
    project = _load()
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
        click.echo("stopped")


@main.command()
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

    targets: list[tuple[Path, str, str | None]] = []  # path, shown, language
    if po_files:
        if langs:
            raise click.UsageError("give either PO_FILE paths or --lang, not both")
        for path in po_files:
            targets.append((path, str(path), None))
        project = None
        try:
            project = _load()
        except LeafletsError:
            project = None  # a foreign .po file needs no project, only for its glyphs
    else:
        project = _load()
        wanted = _split_list(langs) or None
        if wanted:
            known = {code for _, code, _ in catalogs(project)}
            for code in wanted:
                if code not in known:
                    raise UnknownChoiceError("language", code, known)
        for _leaflet, code, path in catalogs(project, wanted):
            targets.append((path, str(path.relative_to(project.root)), code))

    problems = []
    for path, shown, lang in targets:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise click.UsageError(f"{shown}: cannot read: {exc.strerror}") from None
        language: str | None = lang or _declared_language(data)
        cover = None
        if project is not None and language:
            try:
                cover = coverage(project.fonts_dir, locale_info(language).font_stack)
            except LeafletsError:
                cover = None
        found = check_po_bytes(data, shown, coverage=cover, expected_language=lang)
        problems += found
        if not any(p.code in ("syntax", "encoding") for p in found):
            # A review header that claims more than the ledger beside the catalog shows.
            problems += seal.file_claim_problems(path, shown, data)
    errors = sum(1 for p in problems if p.severity == "error")
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(str(problem))
        warnings = len(problems) - errors
        click.echo(f"{len(targets)} catalog(s): {errors} error(s), {warnings} warning(s)", err=True)
    if errors:
        sys.exit(1)


def _declared_language(data: bytes) -> str | None:
    """The Language header of a catalog, read without trusting the rest of it."""

    match = re.search(rb'"Language: *([A-Za-z_@-]+)\\n"', data[:4000])
    return match.group(1).decode("ascii") if match else None


# --- review ------------------------------------------------------------------------------


@main.group("review")
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


LEAFLET_OPTION = click.option(
    "--leaflet", "leaflet_id", default=None, help="Leaflet id. Default: the only one."
)


def _problems_out(problems: list[Any]) -> None:
    for problem in problems:
        click.echo(str(problem))


@review_group.command("status")
@click.option("--lang", "langs", multiple=True, help="Only these languages (comma-separated).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@handle_errors
def review_status(langs: tuple[str, ...], fmt: str) -> None:
    """Per language: messages sealed, changed since sealed, never sealed, and who
    signed last. The JSON also has, per variant, the messages its handouts print.

    \b
    Example:
      leaflets review status
      leaflets review status --lang ar --format json
    """
    project = _load()
    reviews = seal.project_reviews(project, _split_list(langs) or None)
    if fmt == "json":
        rows = []
        for r in reviews:
            handouts = seal.variant_reviews(project.leaflet(r.leaflet), r)
            rows.append(
                {
                    **r.as_dict(),
                    "handouts": {
                        variant: {"reviewed": not h.is_draft, "sealed": h.sealed, "total": h.total}
                        for variant, h in handouts.items()
                    },
                }
            )
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    columns = ("leaflet", "lang", "sealed", "changed", "never", "total", "status", "signed last")
    table = [columns]
    for r in reviews:
        last = r.last_seal()
        table.append(
            (
                r.leaflet,
                r.lang,
                str(r.sealed),
                str(r.changed),
                str(r.never),
                str(r.total),
                "reviewed" if r.reviewed else "DRAFT",
                f"{last.reviewer} on {last.date.isoformat()}" if last else "-",
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    for n, row in enumerate(table):
        cells = [
            c.rjust(w) if 2 <= i <= 5 else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


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
    project = _load()
    leaflet = seal.pick_leaflet(project, leaflet_id)
    result = seal.sign(
        project,
        leaflet,
        lang,
        reviewer,
        credential=credential,
        date=seal.parse_date(date_text),
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
    project = _load()
    review = seal.catalog_review(project, seal.pick_leaflet(project, leaflet_id), lang)
    text = seal.format_diff(review, width=max(60, min(160, _terminal_width())))
    if text:
        click.echo(text)
    click.echo(
        f"{review.changed} message(s) changed since sealed, {review.never} never sealed, "
        f"{review.sealed} of {review.total} sealed",
        err=True,
    )


def _terminal_width() -> int:
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else 100


@review_group.command("check")
@click.option("--lang", "langs", multiple=True, help="Only these languages (comma-separated).")
@handle_errors
def review_check(langs: tuple[str, ...]) -> None:
    """Fail (exit 1) when any catalog has text changed since its seal, a header that
    claims more than its ledger, or a ledger that does not parse. For CI.

    Messages never sealed are not an error: their handouts carry the draft mark.

    \b
    Example:
      leaflets review check
    """
    project = _load()
    wanted = _split_list(langs) or None
    if wanted:
        seal.project_reviews(project, wanted)  # an unknown language: exit 2
    problems = seal.check_reviews(project, wanted)
    _problems_out(problems)
    click.echo(f"review check: {len(problems)} error(s)", err=True)
    if problems:
        sys.exit(1)


@review_group.command("sync")
@click.option("--lang", "langs", multiple=True, help="Only these languages (comma-separated).")
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
    project = _load()
    wanted = _split_list(langs) or None
    if wanted:
        seal.project_reviews(project, wanted)  # an unknown language: exit 2
    wrote = seal.sync_headers(project, wanted)
    for path in wrote:
        click.echo(f"updated {path}")
    if not wrote:
        click.echo("every review header agrees with its ledger")


@review_group.command("sheet")
@click.option("--lang", required=True, help="Language code.")
@LEAFLET_OPTION
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder. Default: <out_dir>/review.",
)
@handle_errors
def review_sheet(lang: str, leaflet_id: str | None, out_dir: Path | None) -> None:
    """Write a review worksheet (PDF and HTML): one row per message needing review,
    with where it appears, the English, the translation and a column for notes.

    \b
    Example:
      leaflets review sheet --lang ar --out /tmp/review
    """
    project = _load()
    leaflet = seal.pick_leaflet(project, leaflet_id)
    out = out_dir or project.root / project.settings.out_dir / "review"
    sheet = worksheet.write_sheet(project, leaflet, lang, out)
    click.echo(f"wrote {sheet.pdf} and {sheet.html} ({sheet.rows} message(s) to review)")


@review_group.command("export")
@click.option("--lang", required=True, help="Language code.")
@click.option("--format", "fmt", type=click.Choice(["xliff"]), default="xliff", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write. Default: <out_dir>/review/<leaflet>_<lang>.xlf.",
)
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
    project = _load()
    leaflet = seal.pick_leaflet(project, leaflet_id)
    data = seal.export_xliff(project, leaflet, lang)
    target = (
        output or project.root / project.settings.out_dir / "review" / f"{leaflet.id}_{lang}.xlf"
    )
    write_atomic(target, data)
    click.echo(f"wrote {target}")


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
    project = _load()
    result = seal.import_xliff(
        project,
        xliff_file,
        reviewer,
        credential=credential,
        date=seal.parse_date(date_text),
    )
    for path in result.wrote:
        click.echo(f"wrote {path}")
    r = result.review
    click.echo(
        f"{r.path}: {result.changed} message(s) changed, {result.sealed} sealed by this "
        f"import; {r.sealed} of {r.total} sealed"
    )
