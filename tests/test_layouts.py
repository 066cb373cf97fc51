"""Large-print and bilingual handouts: sizes, pairing, languages, budgets, names."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from leaflets.catalog import load_catalog
from leaflets.cli import main
from leaflets.config import Project, load_project
from leaflets.locale import locale_info
from leaflets.preflight import preflight_bytes
from leaflets.render import BuildRequest, Renderer

from .conftest import copy_project, pdf_text, reader
from .test_content import HEADINGS as ENGLISH_HEADINGS
from .test_languages import SHIPPED, _fold
from .text_layer import pdftotext

PAPERS = ["a4", "letter"]
# Section headings (the title "Cryoablation" stays as it is in some languages).
HEADINGS = [h for h in ENGLISH_HEADINGS if h != "Cryoablation"]
# Below this height (the large-print bottom margin) only the footer and page number print.
FOOTER_TOP = 1.15 * 72


# Words of the English handout's footer, page numbers and temperature units: a
# bilingual handout prints its footer in the patient's language, units as that
# language writes them.
NOT_BODY = {"medically", "reviewed", "april", "page", "of", "version", "en", "c", "f"}


def _words(text: str) -> set[str]:
    # Letters only: an extractor may glue a number to the word beside it ("14أبريل").
    return set(re.findall(r"[^\W\d_]+", text.lower()))


def _page_texts(pdf: bytes) -> list[str]:
    """Each page's text as poppler reads it (with /ActualText: every script whole)."""
    # Without the bidi embeddings poppler puts around runs of the other direction.
    text = re.sub("[\u200e\u200f\u202a-\u202e]", "", pdftotext(pdf))
    return [" ".join(page.split()) for page in text.rstrip("\f").split("\f")]


def _layer_text(pdf: bytes) -> str:
    """The text layer as poppler reads it, words hyphenated at line ends joined."""
    text = re.sub("[\u200e\u200f\u202a-\u202e]", "", pdftotext(pdf))
    return re.sub(r"(\w)[-\u2010]\s*\n\s*(\w)", r"\1\2", text)


def _sized_text(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """(page, font size in points, baseline height, text) of every piece of text."""
    pieces: list[tuple[int, float, float, str]] = []
    for number, page in enumerate(reader(pdf).pages, 1):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, number: int = number) -> None:
            if not text.strip():
                return
            # The text matrix times the current transformation matrix.
            b = tm[0] * cm[1] + tm[1] * cm[3]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((number, float(size) * math.hypot(b, d), y, text))

        page.extract_text(visitor_text=visit)
    return pieces


def _struct_langs(pdf: bytes) -> list[str]:
    """The /Lang of every structure element that has one."""
    langs: list[str] = []
    root = reader(pdf).trailer["/Root"]
    stack = [root["/StructTreeRoot"].get_object()]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if "/Lang" in node:
            langs.append(str(node["/Lang"]))
        kids = node.get("/K")
        if kids is None:
            continue
        kids = kids.get_object()
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object()
            if hasattr(kid, "get") and kid.get("/Type") == "/StructElem":
                stack.append(kid)
    return langs


# --- bilingual ----------------------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("lang", SHIPPED)
def test_bilingual_pairs_every_section_within_budget(
    built, project: Project, lang: str, paper: str
) -> None:
    leaflet = project.leaflets["cryoablation"]
    kwargs = {"leaflet": "cryoablation", "variant": "laparoscopic", "paper": paper}
    pdf = built(**kwargs, lang=lang, layout="bilingual").pdf
    pages = _page_texts(pdf)
    assert 1 <= len(pages) <= leaflet.budget("bilingual") == 8
    # Every English heading is on the same page as its translation.
    translations = load_catalog(project, leaflet, lang).translations
    for heading in HEADINGS:
        translated = translations.gettext(heading)
        # poppler may read an English line of a right-to-left page with its closing
        # "?" first (Urdu's tall lines put it in a right-to-left block): the words count.
        on = [n for n, text in enumerate(pages) if heading.rstrip("?") in text]
        assert on, f"{lang}: English heading {heading!r} missing"
        if lang == "ur":
            # A heading wrapped over two Nastaliq lines: poppler may read its second
            # line first (the words slope up, so the line boxes overlap). Every word on
            # the page.
            found = [n for n in on if all(_fold(w) in _fold(pages[n]) for w in translated.split())]
        else:
            found = [n for n in on if _fold(translated) in _fold(pages[n])]
        assert found, f"{lang}: {translated!r} not on the page of {heading!r}"
    # All the English of the standard English handout, and all of the translation.
    text = _words(_layer_text(pdf))
    english = _words(_layer_text(built(**kwargs, lang="en").pdf))
    translated_words = _words(_layer_text(built(**kwargs, lang=lang).pdf))
    lost = english - text - NOT_BODY
    assert len(lost) <= 0.01 * len(english), sorted(lost)[:20]
    missing = translated_words - text
    assert len(missing) <= 0.03 * len(translated_words), sorted(missing)[:20]


@pytest.mark.parametrize("lang", ["ar", "hi", "zh_Hans", "es"])
def test_bilingual_parts_carry_their_own_language(built, lang: str) -> None:
    pdf = built(
        leaflet="cryoablation", variant="percutaneous", lang=lang, paper="a4", layout="bilingual"
    ).pdf
    doc = reader(pdf)
    bcp47 = locale_info(lang).bcp47
    assert doc.trailer["/Root"]["/Lang"] == bcp47
    langs = _struct_langs(pdf)
    # A part for every message of the body in each language: dozens, not a handful.
    assert langs.count("en") >= 60, langs.count("en")
    assert langs.count(bcp47) >= 60, langs.count(bcp47)
    assert set(langs) == {"en", bcp47}


def test_standard_handout_has_no_english_parts(built) -> None:
    pdf = built(leaflet="cryoablation", variant="percutaneous", lang="es", paper="a4").pdf
    assert "en" not in _struct_langs(pdf)
    assert "Why your care team may suggest it" not in pdf_text(pdf)


def test_bilingual_right_to_left_part_reads_right_to_left(built) -> None:
    """The Arabic half of a pair starts at the right margin, the English half at the left."""
    pdf = built(
        leaflet="cryoablation", variant="percutaneous", lang="ar", paper="a4", layout="bilingual"
    ).pdf
    page = reader(pdf).pages[1]
    width = float(page.mediabox.width)
    ends: dict[str, list[float]] = {"arabic": [], "latin": []}

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        letters = [c for c in text if c.isalpha()]
        if len(letters) < 10:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff") > len(letters) / 2
        ends["arabic" if arabic else "latin"].append(x)

    page.extract_text(visitor_text=visit)
    assert ends["arabic"] and ends["latin"]
    # Latin lines start near the left margin (0.6 in plus the English bar's indent).
    assert min(ends["latin"]) < 0.6 * 72 + 20
    # Arabic lines are set from the right: none starts at the left margin.
    assert min(ends["arabic"]) > 0.6 * 72 + 20 or max(ends["arabic"]) > width / 2


# --- large print --------------------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("lang", ["en", *SHIPPED])
def test_large_print_sizes_and_budget(built, project: Project, lang: str, paper: str) -> None:
    result = built(
        leaflet="cryoablation", variant="laparoscopic", lang=lang, paper=paper, layout="large-print"
    )
    assert 1 <= result.pages <= project.leaflets["cryoablation"].budget("large-print") == 12
    pieces = _sized_text(result.pdf)
    assert pieces
    body = [p for p in pieces if p[2] > FOOTER_TOP]
    footer = [p for p in pieces if p[2] <= FOOTER_TOP]
    small = [p for p in body if p[1] < 17.95]
    assert not small, f"{lang}: body text below 18 pt: {small[:5]}"
    assert footer, "no footer found"
    assert min(p[1] for p in footer) >= 11.95, "footer below 12 pt"
    assert max(p[1] for p in body) >= 24, "headings are no larger than the body"


def test_large_print_has_no_hyphenation_and_tall_write_in_lines(built) -> None:
    html_pdf = built(
        leaflet="cryoablation", variant="laparoscopic", lang="en", paper="a4", layout="large-print"
    ).pdf
    text = "\n".join(page.extract_text() or "" for page in reader(html_pdf).pages)
    assert not re.search(r"\w[\u2010-]\n\w", text), "a word is hyphenated at a line end"


# --- usage, names, manifest, budgets, print edition ---------------------------------------


def cli(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(root), *args])
    return result.exit_code, result.output


def test_bilingual_english_is_a_usage_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    code, output = cli(root, "build", "--variant", "percutaneous", "--layout", "bilingual")
    assert code == 2
    assert "--layout bilingual pairs English with the patient's language" in output
    assert "Traceback" not in output
    code, output = cli(root, "build", "--variant", "percutaneous", "--layout", "huge")
    assert code == 2
    assert "unknown layout 'huge'; valid values: bilingual, large-print, standard" in output
    code, output = cli(root, "batch", "--lang", "en", "--layout", "bilingual")
    assert code == 2 and "English itself" in output


def test_batch_names_and_manifest_carry_the_layout(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    out = tmp_path / "out"
    code, output = cli(
        root,
        *("batch", "--lang", "en,es", "--variant", "percutaneous", "--paper", "a4"),
        *("--layout", "standard,large-print,bilingual", "--out", str(out), "--jobs", "1"),
    )
    assert code == 0, output
    names = sorted(p.name for p in out.glob("*.pdf"))
    assert names == [
        "cryoablation_percutaneous_en_a4_clinic.pdf",
        "cryoablation_percutaneous_en_a4_clinic_large-print.pdf",
        "cryoablation_percutaneous_es_a4_clinic.pdf",
        "cryoablation_percutaneous_es_a4_clinic_bilingual.pdf",
        "cryoablation_percutaneous_es_a4_clinic_large-print.pdf",
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = manifest["files"] if isinstance(manifest, dict) else manifest
    layouts = {e["path"]: e["layout"] for e in entries}
    assert layouts["cryoablation_percutaneous_es_a4_clinic_bilingual.pdf"] == "bilingual"
    assert layouts["cryoablation_percutaneous_en_a4_clinic_large-print.pdf"] == "large-print"
    assert layouts["cryoablation_percutaneous_es_a4_clinic.pdf"] == "standard"


def test_a_layout_over_its_page_budget_fails_the_build(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    meta = root / "templates/leaflets/cryoablation/leaflet.toml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("large-print = 12", "large-print = 2"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ("build", "--variant", "percutaneous", "--layout", "large-print", "--out", str(out))
    code, output = cli(root, *args)
    assert code == 1
    assert "over the page budget of 2" in output
    assert not list(out.glob("*.pdf"))


def test_page_budgets_are_validated(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    meta = root / "templates/leaflets/cryoablation/leaflet.toml"
    text = meta.read_text(encoding="utf-8").replace("bilingual = 8", "trilingual = 8")
    meta.write_text(text.replace("large-print = 12", "large-print = 0"), encoding="utf-8")
    code, output = cli(root, "list")
    assert code == 1
    shown = "templates/leaflets/cryoablation/leaflet.toml"
    assert f"{shown}: page_budgets.trilingual: unknown layout" in output
    assert f"{shown}: page_budgets.large-print: must be a whole number of pages" in output


@pytest.mark.parametrize("layout", ["large-print", "bilingual"])
def test_print_edition_of_each_layout_passes_preflight(built, layout: str) -> None:
    request = {"leaflet": "cryoablation", "variant": "laparoscopic", "lang": "ar", "paper": "a4"}
    result = built(**request, edition="print", allow_draft=True, layout=layout)
    name = BuildRequest(**request, edition="print", layout=layout).filename()  # type: ignore[arg-type]
    findings = preflight_bytes(result.pdf, name, edition="print")
    assert [f for f in findings if f.severity == "error"] == []
    box = reader(result.pdf).pages[0].trimbox
    assert float(box.width) == pytest.approx(595.28, abs=0.5)


@pytest.mark.parametrize("layout", ["large-print", "bilingual"])
def test_layouts_are_byte_reproducible(renderer: Renderer, layout: str) -> None:
    request = BuildRequest("cryoablation", "percutaneous", "hi", "letter", layout=layout)
    assert renderer.render(request).pdf == renderer.render(request).pdf


def test_proof_sheets_of_the_layouts(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    out = tmp_path / "out"
    for layout in ("bilingual", "large-print"):
        code, output = cli(
            root, "proof", "--layout", layout, "--paper", "a4", "--lang", "en,ar", "--out", str(out)
        )
        assert code == 0, output
        assert (out / f"proof_cryoablation_percutaneous_a4_{layout}.png").is_file()
        assert "could not build" not in output


def test_a_second_project_without_budgets_keeps_the_standard_one(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    meta = root / "templates/leaflets/cryoablation/leaflet.toml"
    text = re.sub(r"\[page_budgets\][^\[]*", "", meta.read_text(encoding="utf-8"))
    meta.write_text(text, encoding="utf-8")
    leaflet = load_project(root).leaflets["cryoablation"]
    assert leaflet.budget("bilingual") == leaflet.budget("large-print") == leaflet.page_budget
