"""Every shipped language, both variants, both papers: fonts, direction, page budget, text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from leaflets.catalog import load_catalog
from leaflets.config import Project
from leaflets.locale import locale_info
from leaflets.render import load_fonts

from .conftest import ROOT, embedded_fonts, pdf_text, reader
from .test_content import HEADINGS as ENGLISH_HEADINGS

# Every section heading but the title ("Cryoablation" stays as is in some languages).
HEADINGS = [h for h in ENGLISH_HEADINGS if h != "Cryoablation"]

LANGS = sorted(p.name for p in (ROOT / "locales").iterdir() if p.is_dir())
SHIPPED = ["ar", "es", "fr", "hi", "ht", "ko", "pt_BR", "ru", "tl", "vi", "zh_Hans", "zh_Hant"]
# The font families (fonts/fonts.toml) each script must be set in.
FAMILY = {
    "latin": "lf-latin",
    "arabic": "lf-arabic",
    "devanagari": "lf-devanagari",
    "sc": "lf-sc",
    "tc": "lf-tc",
    "kr": "lf-kr",
}
BCP47 = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "pt_BR": "pt-BR"}


def test_all_twelve_languages_are_shipped() -> None:
    assert sorted(SHIPPED) == LANGS


@cache
def _coverage(stack: str) -> frozenset[int]:
    fonts = load_fonts(ROOT / "fonts")
    regular, bold = fonts.stacks[stack]
    points: set[int] = set()
    for family in regular + bold:
        points |= set(TTFont(fonts.faces[family][0]).getBestCmap())
    return frozenset(points)


def _skeleton(text: str) -> str:
    """Devanagari text without vowel signs, virama, nukta and nasal marks, and without
    spaces: what survives the PDF's copy-paste (which misplaces or drops the marks)."""
    return "".join(
        c
        for c in text
        if not c.isspace() and not (0x0900 <= ord(c) <= 0x0903 or 0x093A <= ord(c) <= 0x094F)
    )


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("variant", ["percutaneous", "laparoscopic"])
@pytest.mark.parametrize("lang", SHIPPED)
def test_language_builds_within_budget(
    built, project: Project, lang: str, variant: str, paper: str
) -> None:
    result = built(leaflet="cryoablation", variant=variant, lang=lang, paper=paper)
    doc = reader(result.pdf)
    assert 1 <= len(doc.pages) <= project.leaflets["cryoablation"].page_budget
    assert doc.trailer["/Root"]["/Lang"] == BCP47.get(lang, lang)


@pytest.mark.parametrize("lang", SHIPPED)
def test_translated_headings_in_the_text(built, project: Project, lang: str) -> None:
    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang=lang, paper="letter").pdf
    translations = load_catalog(project, project.leaflets["cryoablation"], lang).translations
    text = pdf_text(pdf)
    for heading in HEADINGS:
        translated = translations.gettext(heading)
        assert translated != heading or lang == "en", f"{lang}: {heading!r} untranslated"
        if lang == "hi":
            # Copy-paste of Devanagari loses or moves vowel signs (FIELD-NOTES): the
            # consonants and their order are what the PDF keeps.
            assert _skeleton(translated) in _skeleton(text), heading
        else:
            assert _fold(translated) in _fold(text), f"{lang}: {translated!r} missing"


@pytest.mark.parametrize("lang", SHIPPED)
def test_fonts_embedded_in_the_scripts_family_and_every_character_covered(built, lang: str) -> None:
    pdf = built(leaflet="cryoablation", variant="percutaneous", lang=lang, paper="a4").pdf
    fonts = embedded_fonts(pdf)
    assert all(fonts.values()), f"not embedded: {fonts}"
    families = {name.split("+", 1)[1] for name in fonts}
    stack = locale_info(lang).font_stack
    expected = FAMILY[stack]
    assert any(f == expected or f.startswith(expected + "-") for f in families), families
    assert all(f.startswith("lf-") for f in families), families
    coverage = _coverage(stack)
    text = pdf_text(pdf)
    missing = {c for c in text if not c.isspace() and ord(c) not in coverage}
    assert not missing, f"{lang}: characters outside the fonts: {sorted(missing)}"


def test_arabic_is_mirrored(built) -> None:
    """Right-to-left: headings, list markers, checkboxes and footer sit on the right."""
    pdf = built(leaflet="cryoablation", variant="percutaneous", lang="ar", paper="letter").pdf
    page = reader(pdf).pages[0]
    width = float(page.mediabox[2])
    positions: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        t = text.strip()
        if t and t not in positions:
            positions[t] = tm[4]

    page.extract_text(visitor_text=visit)
    heading = next(x for t, x in positions.items() if t.startswith("بياناتك"))
    page_label = next(x for t, x in positions.items() if "الصفحة" in t)
    footer = next(x for t, x in positions.items() if "Lindenfield Community Clinic ·" in t)
    assert heading > width / 2, "Arabic heading not on the right half"
    assert page_label < width / 2, "page number not on the left in a right-to-left page"
    assert footer > page_label
    html_dir = 'dir="rtl"'
    from leaflets.config import load_project
    from leaflets.render import BuildRequest, Renderer, resolve

    project = load_project(ROOT)
    r = resolve(project, BuildRequest("cryoablation", "percutaneous", "ar", "letter"))
    html = Renderer.html(built.renderer, r, load_catalog(project, r.leaflet, "ar"))
    assert f'<html lang="ar" {html_dir}>' in html


CLOSING = "，。、；：？！）」』》〉】〕,.;:?!)"


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "ko"])
def test_no_line_starts_with_closing_punctuation(built, lang: str) -> None:
    for paper in ("letter", "a4"):
        pdf = built(leaflet="cryoablation", variant="laparoscopic", lang=lang, paper=paper).pdf
        for page in reader(pdf).pages:
            for line in page.extract_text().splitlines():
                line = line.strip()
                assert not (line and line[0] in CLOSING), (
                    f"{lang} {paper}: line starts {line[:20]!r}"
                )


def test_phone_numbers_read_left_to_right_in_arabic(built, tmp_path: Path) -> None:
    """On a right-to-left line the bidi algorithm would turn "(555) 010-2400" into
    "2400-010 (555)": the words' positions on the page must keep the number's order."""
    import subprocess

    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang="ar", paper="letter").pdf
    path = tmp_path / "ar.pdf"
    path.write_bytes(pdf)
    words = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)</word>', words)
    for number in ("010-2400", "010-2499"):
        rest = [w for w in found if w[2] == number]
        assert rest, f"{number} not found as a word (reordered?)"
        x_number, y_number = float(rest[0][0]), float(rest[0][1])
        area = [w for w in found if w[2] == "(555)" and abs(float(w[1]) - y_number) < 8]
        assert area and float(area[0][0]) < x_number, "area code is not left of the number"


@pytest.mark.parametrize(
    ("lang", "expected"), [("ht", "2025-04-14"), ("es", "14 de abril de 2025")]
)
def test_dates_never_print_placeholder_month_names(lang: str, expected: str) -> None:
    """CLDR has no Haitian month names: Babel's long format gives "2025 M04 14"."""
    assert locale_info(lang).date(dt.date(2025, 4, 14)) == expected
