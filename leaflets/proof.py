"""Proof sheet: page 1 of every language side by side, one PNG per paper size."""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .config import LAYOUTS, PAPERS, Project
from .defaults import choose_leaflet, out_folder
from .errors import LeafletsError, UnknownChoiceError, UsageProblem
from .files import write_atomic
from .locale import locale_info
from .render import BuildRequest, Renderer
from .tools import run_program

DPI = 40
COLUMNS = 5
LABEL_HEIGHT = 28
GAP = 12
# pdftoppm draws one small page in a fraction of a second; a minute means it hangs, and a
# hung pdftoppm must not hang a proof or a batch's bundle with it.
PDFTOPPM_TIMEOUT = 60.0


def _first_page_png(pdf: bytes, dpi: int) -> Image.Image:
    with tempfile.TemporaryDirectory(prefix="leaflets-proof-") as tmp:
        source = Path(tmp) / "page.pdf"
        source.write_bytes(pdf)
        args = ["-f", "1", "-l", "1", "-r", str(dpi), "-png", "-singlefile"]
        proc = run_program(
            "pdftoppm",
            [*args, str(source), str(Path(tmp) / "page")],
            None,
            missing="pdftoppm (poppler-utils) is needed for proof sheets; run `make setup`",
            timeout=PDFTOPPM_TIMEOUT,
        )
        if proc.returncode != 0:
            message = " ".join(proc.stderr.decode("utf-8", "replace").split())
            raise LeafletsError(f"pdftoppm could not draw a handout's first page: {message[:300]}")
        with Image.open(Path(tmp) / "page.png") as image:
            return image.convert("RGB")


def proof_sheet_from_pdfs(project: Project, pdfs: Mapping[str, bytes | None]) -> bytes:
    """PNG bytes: page 1 of each language's PDF (None: could not be built), labelled."""
    tiles = [(lang, _first_page_png(pdf, DPI) if pdf else None) for lang, pdf in pdfs.items()]
    width = max((t.width for _, t in tiles if t), default=340)
    height = max((t.height for _, t in tiles if t), default=440)
    rows = max(1, math.ceil(len(tiles) / COLUMNS))
    columns = max(1, min(COLUMNS, len(tiles)))
    sheet = Image.new(
        "RGB",
        (GAP + columns * (width + GAP), GAP + rows * (height + LABEL_HEIGHT + GAP)),
        "#d9d9d9",
    )
    font = ImageFont.truetype(str(project.fonts_dir / "noto-sans" / "NotoSans-Bold.ttf"), 15)
    draw = ImageDraw.Draw(sheet)
    for index, (lang, tile) in enumerate(tiles):
        x = GAP + (index % COLUMNS) * (width + GAP)
        y = GAP + (index // COLUMNS) * (height + LABEL_HEIGHT + GAP)
        name = locale_info(lang).babel.get_display_name("en") or lang
        draw.text((x, y + 4), f"{lang} · {name}", fill="#000", font=font)
        if tile is None:
            draw.rectangle((x, y + LABEL_HEIGHT, x + width, y + LABEL_HEIGHT + height), "#fff")
            draw.text((x + 10, y + LABEL_HEIGHT + 10), "could not be built", fill="#b00", font=font)
        else:
            sheet.paste(tile, (x, y + LABEL_HEIGHT))
    buf = io.BytesIO()
    sheet.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def proof_sheet(
    project: Project,
    renderer: Renderer,
    leaflet: str,
    variant: str,
    paper: str,
    langs: Iterable[str],
    target: Path,
    layout: str = "standard",
) -> list[str]:
    """Render page 1 of every language and write the sheet to ``target``; return the
    languages that could not be built."""
    pdfs: dict[str, bytes | None] = {}
    for lang in langs:
        request = BuildRequest(leaflet, variant, lang, paper, allow_incomplete=True, layout=layout)
        try:
            pdfs[lang] = renderer.render(request).pdf
        except LeafletsError:
            pdfs[lang] = None
    write_atomic(target, proof_sheet_from_pdfs(project, pdfs))
    return [lang for lang, pdf in pdfs.items() if pdf is None]


@dataclass(frozen=True)
class ProofSheet:
    path: Path
    failed: list[str]  # the languages that could not be built


def proof_sheets(
    project: Project,
    leaflet_id: str | None = None,
    variant: str | None = None,
    papers: Sequence[str] = (),
    langs: Sequence[str] = (),
    layout: str | None = None,
    out_dir: Path | None = None,
) -> Iterator[ProofSheet]:
    """Write OUT/proof_<leaflet>_<variant>_<paper>[_<layout>].png for each paper (default:
    both), page 1 of each language (default: every one; a bilingual sheet leaves out the
    source language), yielding each sheet as it is written.

    Defaults: the only leaflet, its first variant, the standard layout, leaflets.toml's
    out_dir. A name the project does not have raises UnknownChoiceError before anything
    is rendered; a bilingual sheet of the source language alone, UsageProblem.
    """
    leaflet = choose_leaflet(project, leaflet_id)
    variant_id = leaflet.variant(variant).id if variant else leaflet.variants[0].id
    chosen_papers = list(papers) or list(PAPERS)
    for paper in chosen_papers:
        if paper not in PAPERS:
            raise UnknownChoiceError("paper", paper, PAPERS)
    available = project.languages(leaflet.id)
    chosen_langs = list(langs) or list(available)
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
    out = out_folder(project, out_dir)
    suffix = "" if layout == "standard" else f"_{layout}"
    with Renderer(project) as renderer:
        for paper in chosen_papers:
            target = out / f"proof_{leaflet.id}_{variant_id}_{paper}{suffix}.png"
            failed = proof_sheet(
                project, renderer, leaflet.id, variant_id, paper, chosen_langs, target, layout
            )
            yield ProofSheet(target, failed)
