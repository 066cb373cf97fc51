"""Large-print and bilingual handouts: sizes, pairing, languages, budgets, names."""

from __future__ import annotations

import ctypes
import functools
import itertools
import json
import math
import re
import subprocess
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from leaflets.catalog import load_catalog
from leaflets.config import PATIENT_FIELDS, RESERVED_FACT_NAMES, Project, load_project
from leaflets.locale import locale_info
from leaflets.preflight import preflight_bytes
from leaflets.render import BuildRequest, Renderer, resolve

from .conftest import (
    LATIN_FONTS,
    assert_manifest_true,
    cli,
    copy_fixture,
    copy_project,
    horizontal_rules,
    pdf_text,
    reader,
    rewrite,
    text_pieces,
)
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
# language writes them (the units: see test_each_half_formats_the_clinics_values).
NOT_BODY = {"medically", "reviewed", "april", "page", "of", "version", "en"}


def _words(text: str) -> set[str]:
    # Letters only: an extractor may glue a number to the word beside it ("14أبريل").
    return set(re.findall(r"[^\W\d_]+", text.lower()))


@functools.lru_cache(maxsize=8)
def _poppler_text(pdf: bytes) -> str:
    """The text layer as poppler reads it (with /ActualText: every script whole),
    without the bidi embeddings it puts around runs of the other direction. Kept for
    the last few handouts: each bilingual test reads its handout twice, and the English
    handout of its paper."""
    return re.sub("[\u200e\u200f\u202a-\u202e]", "", pdftotext(pdf))


def _page_texts(pdf: bytes) -> list[str]:
    """Each page's text as poppler reads it."""
    return [" ".join(page.split()) for page in _poppler_text(pdf).rstrip("\f").split("\f")]


def _layer_text(pdf: bytes) -> str:
    """The text layer as poppler reads it, words hyphenated at line ends joined."""
    return re.sub(r"(\w)[-\u2010]\s*\n\s*(\w)", r"\1\2", _poppler_text(pdf))


def _sized_chars(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """(page, font size in points, baseline height, character) of every character
    drawn, as PDFium reads them (the glyph's font size times its matrix's scale; the
    origin's height from the page's bottom)."""
    chars: list[tuple[int, float, float, str]] = []
    matrix = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    with pypdfium2.PdfDocument(pdf) as document:
        for number, page in enumerate(document, 1):
            textpage = page.get_textpage()
            for index in range(textpage.count_chars()):
                char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
                if pdfium_c.FPDFText_IsGenerated(textpage.raw, index) or not char.strip():
                    continue
                pdfium_c.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix))
                pdfium_c.FPDFText_GetCharOrigin(
                    textpage.raw, index, ctypes.byref(x), ctypes.byref(y)
                )
                size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
                chars.append((number, size * math.hypot(matrix.b, matrix.d), y.value, char))
            textpage.close()
            page.close()
    return chars


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
def test_bilingual_parts_carry_their_own_language(
    built, renderer: Renderer, project: Project, lang: str
) -> None:
    pdf = built(
        leaflet="cryoablation", variant="percutaneous", lang=lang, paper="a4", layout="bilingual"
    ).pdf
    doc = reader(pdf)
    bcp47 = locale_info(lang).bcp47
    assert doc.trailer["/Root"]["/Lang"] == bcp47
    langs = _struct_langs(pdf)
    # A part for every message of the body in each language (dozens, not a handful):
    # every English element of the HTML is a tagged English part of the PDF.
    request = BuildRequest("cryoablation", "percutaneous", lang, "a4", layout="bilingual")
    html = _html(renderer, project, request)
    pairs = html.count('<span class="pair pair-source" lang="en"')
    assert pairs >= 60, pairs
    assert langs.count("en") == html.count(' lang="en"') >= pairs
    assert langs.count(bcp47) >= pairs, langs.count(bcp47)
    assert set(langs) == {"en", bcp47}


def test_standard_handout_has_no_english_parts(built) -> None:
    pdf = built(leaflet="cryoablation", variant="percutaneous", lang="es", paper="a4").pdf
    # Only the English line of the draft banner is English (tagged so): no pairs.
    assert _struct_langs(pdf).count("en") == 1
    assert "Why your care team may suggest it" not in pdf_text(pdf)


def test_bilingual_right_to_left_part_reads_right_to_left(tmp_path: Path, built) -> None:
    """The Arabic half of a pair is set from the right margin, the English half from the
    left one, and neither crosses into the other's margin."""
    pdf = built(
        leaflet="cryoablation", variant="percutaneous", lang="ar", paper="a4", layout="bilingual"
    ).pdf
    path = tmp_path / "ar.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "2", "-l", "2", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = re.findall(
        r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<', html
    )
    width, margin = 595.28, 0.6 * 72
    arabic = [(float(a), float(b)) for a, b, w in words if re.search("[\u0600-\u06ff]", w)]
    latin = [(float(a), float(b)) for a, b, w in words if re.fullmatch("[A-Za-z]{3,}", w)]
    assert len(arabic) > 50 and len(latin) > 50
    # Arabic lines end at the right margin; English lines start at the left one.
    assert max(x1 for _, x1 in arabic) == pytest.approx(width - margin, abs=3)
    assert min(x0 for x0, _ in latin) == pytest.approx(margin, abs=12)
    assert all(x1 <= width - margin + 1 for _, x1 in latin)


def _html(renderer: Renderer, project: Project, request: BuildRequest) -> str:
    resolved = resolve(project, request)
    return renderer.html(resolved, load_catalog(project, resolved.leaflet, request.lang))


@pytest.mark.parametrize("lang", ["ar", "hi", "es"])
def test_each_half_formats_the_clinics_values(
    renderer: Renderer, project: Project, lang: str
) -> None:
    """The fever threshold and day counts are one clinic value, written in each half the
    way its reader writes them: never Arabic or Devanagari inside an English part."""
    request = BuildRequest("cryoablation", "percutaneous", lang, "a4", layout="bilingual")
    html = _html(renderer, project, request)
    english = re.findall(r'<span class="pair pair-source" lang="en" dir="ltr">(.*?)</span>', html)
    assert len(english) > 50
    assert not [e for e in english if re.search("[\u0600-\u06ff\u0900-\u097f]", e)]
    assert any("a fever above 101°F (38.3°C)" in e for e in english)
    assert any("within 2 to 7 days" in e for e in english)


def test_pairing_stays_out_of_the_page_frame(renderer: Renderer, project: Project) -> None:
    request = BuildRequest("cryoablation", "percutaneous", "es", "a4", layout="bilingual")
    html = _html(renderer, project, request)
    footer = html[html.index('<footer class="running-footer">') : html.index("</footer>")]
    banner = html[
        html.index('<p class="draft-banner">') : html.index("</p>", html.index("draft-banner"))
    ]
    head = html[: html.index("</head>")]
    for part in (footer, banner, head):
        assert "pair" not in part
    assert "counter(page" in head and "Traducción aún no revisada" in footer


# --- large print --------------------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("lang", ["en", *SHIPPED])
def test_large_print_sizes_and_budget(built, project: Project, lang: str, paper: str) -> None:
    result = built(
        leaflet="cryoablation", variant="laparoscopic", lang=lang, paper=paper, layout="large-print"
    )
    assert 1 <= result.pages <= project.leaflets["cryoablation"].budget("large-print") == 12
    pieces = _sized_chars(result.pdf)
    assert pieces
    body = [p for p in pieces if p[2] > FOOTER_TOP]
    footer = [p for p in pieces if p[2] <= FOOTER_TOP]
    small = [p for p in body if p[1] < 17.95]
    assert not small, f"{lang}: body text below 18 pt: {small[:5]}"
    assert footer, "no footer found"
    assert min(p[1] for p in footer) >= 11.95, "footer below 12 pt"
    assert max(p[1] for p in body) >= 24, "headings are no larger than the body"


def _write_in_lines(pdf: bytes) -> tuple[list[float], list[float]]:
    """Heights of the details box's lines (the first ruled lines of page 1, one per
    patient field) and the gaps between the questions' lines (the last page with ruled
    lines, at the end of the handout), in points."""
    pages = [
        sorted((rule[2] for rule in horizontal_rules(pdf, number)), reverse=True)
        for number in range(len(reader(pdf).pages))
    ]
    details = pages[0][: len(PATIENT_FIELDS)]
    questions = next(heights for heights in reversed(pages) if heights)
    return details, [a - b for a, b in itertools.pairwise(questions)]


def test_large_print_has_no_hyphenation_and_tall_write_in_lines(built) -> None:
    kwargs = {"leaflet": "cryoablation", "variant": "laparoscopic", "lang": "en", "paper": "a4"}
    html_pdf = built(**kwargs, layout="large-print").pdf
    text = "\n".join(page.extract_text() or "" for page in reader(html_pdf).pages)
    assert not re.search(r"\w[\u2010-]\n\w", text), "a word is hyphenated at a line end"
    # Room for large handwriting: each label of the details box over a line of its own
    # at least 34 pt below it (beside it in the standard handout), and the questions'
    # lines 45 pt apart (27 pt).
    large, questions = _write_in_lines(html_pdf)
    standard, standard_questions = _write_in_lines(built(**kwargs).pdf)
    assert len(large) == len(standard) == len(PATIENT_FIELDS)
    labels = {t: y for _x, y, t in text_pieces(html_pdf) if t in ("Name", "Doctor")}
    assert labels["Name"] - large[0] >= 34 and labels["Doctor"] - large[3] >= 34
    standard_labels = {t: y for _x, y, t in text_pieces(built(**kwargs).pdf) if t == "Name"}
    assert 0 <= standard_labels["Name"] - standard[0] <= 8
    assert len(questions) == len(standard_questions) >= 3
    assert all(gap >= 44 for gap in questions), questions
    assert all(gap < 30 for gap in standard_questions), standard_questions


# --- usage, names, manifest, budgets, print edition ---------------------------------------


def test_bilingual_english_is_a_usage_error(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    code, output = cli(root, "build", "--variant", "in-person", "--layout", "bilingual")
    assert code == 2
    assert "--layout bilingual pairs English with the patient's language" in output
    code, output = cli(root, "build", "--variant", "in-person", "--layout", "huge")
    assert code == 2
    assert "unknown layout 'huge'; valid values: bilingual, large-print, standard" in output
    code, output = cli(root, "batch", "--lang", "en", "--layout", "bilingual")
    assert code == 2 and "the only language asked for is en itself" in output
    code, output = cli(root, "proof", "--lang", "en", "--layout", "bilingual")
    assert code == 2 and "choose the patient's languages" in output
    assert not (root / "out").exists(), "a refused command wrote something"


def test_batch_names_and_manifest_carry_the_layout(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    code, output = cli(
        root,
        *("batch", "--lang", "en,es", "--variant", "in-person", "--paper", "a4"),
        *("--layout", "standard,large-print,bilingual", "--out", str(out), "--jobs", "1"),
    )
    assert code == 0, output
    names = sorted(p.name for p in out.glob("*.pdf"))
    assert names == [
        "visit_in-person_en_a4_clinic.pdf",
        "visit_in-person_en_a4_clinic_large-print.pdf",
        "visit_in-person_es_a4_clinic.pdf",
        "visit_in-person_es_a4_clinic_bilingual.pdf",
        "visit_in-person_es_a4_clinic_large-print.pdf",
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = manifest["files"] if isinstance(manifest, dict) else manifest
    layouts = {e["path"]: e["layout"] for e in entries}
    assert layouts["visit_in-person_es_a4_clinic_bilingual.pdf"] == "bilingual"
    assert layouts["visit_in-person_en_a4_clinic_large-print.pdf"] == "large-print"
    assert layouts["visit_in-person_es_a4_clinic.pdf"] == "standard"
    assert_manifest_true(out)


def test_a_layout_over_its_page_budget_fails_the_build(tmp_path: Path) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    rewrite(
        root / "templates/leaflets/cryoablation/leaflet.toml",
        ("large-print = 12", "large-print = 2"),
    )
    out = tmp_path / "out"
    args = ("build", "--variant", "percutaneous", "--layout", "large-print", "--out", str(out))
    code, output = cli(root, *args)
    assert code == 1
    assert "over the page budget of 2" in output
    assert not list(out.glob("*.pdf"))


def test_page_budgets_and_fact_names_are_validated(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    rewrite(
        root / "templates/leaflets/visit/leaflet.toml",
        ("bilingual = 3", "trilingual = 3\nstandard = 9"),
        ("large-print = 3", "large-print = 0"),
        ("reminder_days = 2", "reminder_days = 2\nlayout = 1\nBad-Name = 3"),
    )
    code, output = cli(root, "list")
    assert code == 1
    shown = "templates/leaflets/visit/leaflet.toml"
    assert f"{shown}: page_budgets.trilingual: unknown layout" in output
    assert f"{shown}: page_budgets.large-print: must be a whole number of pages" in output
    assert f"{shown}: page_budgets.standard: the standard layout's budget is page_budget" in output
    assert f"{shown}: facts.layout: this name is taken by the page frame" in output
    assert f"{shown}: facts.Bad-Name: names use a-z, 0-9 and _" in output


def test_reserved_fact_names_cover_the_page_frame(renderer: Renderer, project: Project) -> None:
    """Every name the renderer gives a template is reserved, so no fact can hide one."""
    request = BuildRequest("cryoablation", "percutaneous", "es", "a4")
    resolved = resolve(project, request)
    catalog = load_catalog(project, resolved.leaflet, "es")
    names = set(renderer.composer.context(resolved, catalog, False)) - set(resolved.leaflet.facts)
    assert names <= RESERVED_FACT_NAMES, names - RESERVED_FACT_NAMES


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
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    widths = {}
    for layout in ("bilingual", "large-print"):
        code, output = cli(
            root, "proof", "--layout", layout, "--paper", "a4", "--lang", "en,es", "--out", str(out)
        )
        assert code == 0, output
        assert "could not build" not in output
        target = out / f"proof_visit_in-person_a4_{layout}.png"
        assert output == f"wrote {target}\n"
        with Image.open(target) as image:
            widths[layout] = image.width
    # Large print shows en and es side by side; bilingual leaves English itself out.
    assert widths["large-print"] > 1.8 * widths["bilingual"]


def test_a_second_project_without_budgets_keeps_the_standard_one(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    meta = root / "templates/leaflets/visit/leaflet.toml"
    text = re.sub(r"\[page_budgets\][^\[]*", "", meta.read_text(encoding="utf-8"))
    assert "large-print" not in text
    meta.write_text(text, encoding="utf-8")
    leaflet = load_project(root).leaflets["visit"]
    assert leaflet.budget("bilingual") == leaflet.budget("large-print") == leaflet.page_budget
