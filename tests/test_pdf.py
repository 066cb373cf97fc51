"""PDF properties: fonts, tags, metadata, reproducibility."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from leaflets.catalog import load_catalog
from leaflets.config import Project
from leaflets.render import BuildRequest, Renderer, resolve

from .conftest import ROOT, embedded_fonts, reader


def test_all_fonts_embedded_and_from_the_project(built) -> None:
    pdf = built(leaflet="cryoablation", variant="percutaneous", lang="en", paper="letter").pdf
    fonts = embedded_fonts(pdf)
    assert fonts, "no fonts found"
    for name, embedded in fonts.items():
        assert embedded, f"{name} is not embedded"
        # Subset tag, then one of our own unique family names (fonts/fonts.toml).
        assert name.split("+", 1)[1].startswith("lf-latin"), f"{name} is not a project font"
    assert any("bold" in name for name in fonts), "headings lost their bold face"


def test_tagged_with_language_title_and_author(built) -> None:
    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang="en", paper="a4").pdf
    doc = reader(pdf)
    root = doc.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert doc.metadata is not None
    assert doc.metadata.title == "Cryoablation \N{EN DASH} Laparoscopic (through a few small cuts)"
    assert doc.metadata.author == "Lindenfield Community Clinic"
    metadata = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in metadata


def test_same_inputs_give_identical_bytes(project: Project, renderer: Renderer) -> None:
    request = BuildRequest("cryoablation", "percutaneous", "en", "a4")
    first = renderer.render(request).pdf
    second = Renderer(project).render(request).pdf
    assert first == second


def test_identical_bytes_across_processes(tmp_path: Path) -> None:
    outputs = []
    for run in ("one", "two"):
        out = tmp_path / run
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "cli.py"),
                "--project",
                str(ROOT),
                "build",
                "--variant",
                "laparoscopic",
                "--paper",
                "letter",
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        outputs.append((out / "cryoablation_laparoscopic_en_letter_clinic.pdf").read_bytes())
    assert outputs[0] == outputs[1]


def test_a_layout_past_its_page_limit_is_not_drawn(project: Project, renderer: Renderer) -> None:
    """A standard handout over its page budget is laid out again, tighter (render.py):
    the first layout's only use is its page count, so it is not drawn."""
    r = resolve(project, BuildRequest("cryoablation", "percutaneous", "en", "letter"))
    catalog = load_catalog(project, r.leaflet, "en")
    html = renderer.html(r, catalog)
    made = renderer.typesetter.typeset(html, r, catalog, max_pages=1)
    assert made.pdf == b"" and made.pages > 1
    drawn = renderer.typesetter.typeset(html, r, catalog, max_pages=made.pages)
    assert drawn.pages == made.pages and drawn.pdf.startswith(b"%PDF-")
