"""Every shipped language, both variants, both papers: fonts, direction, page budget, text."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import subprocess
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont

from leaflets.catalog import load_catalog
from leaflets.config import Project
from leaflets.linebreak import insert_breaks, word_boundaries
from leaflets.locale import locale_info
from leaflets.render import BuildRequest, load_fonts, resolve

from .conftest import ROOT, document_language, embedded_fonts, page_count, pdf_text, reader
from .test_content import HEADINGS as ENGLISH_HEADINGS
from .text_layer import EXTRACTORS, normalise, pdftotext, recovered, shown_words

# Every section heading but the title ("Cryoablation" stays as is in some languages).
HEADINGS = [h for h in ENGLISH_HEADINGS if h != "Cryoablation"]

LANGS = sorted(p.name for p in (ROOT / "locales").iterdir() if p.is_dir())
FIRST_TWELVE = ["ar", "es", "fr", "hi", "ht", "ko", "pt_BR", "ru", "tl", "vi", "zh_Hans", "zh_Hant"]
# Issue 14: Japanese, Persian, Urdu, Bengali, Punjabi, Gujarati, Tamil, Thai, Khmer,
# Burmese, Amharic, Armenian, Ukrainian, Somali.
NEW = ["am", "bn", "fa", "gu", "hy", "ja", "km", "my", "pa", "so", "ta", "th", "uk", "ur"]
SHIPPED = sorted(FIRST_TWELVE + NEW)
# The font families (fonts/fonts.toml) each script must be set in.
FAMILY = {
    "latin": "lf-latin",
    "arabic": "lf-arabic",
    "devanagari": "lf-devanagari",
    "sc": "lf-sc",
    "tc": "lf-tc",
    "kr": "lf-kr",
    "jp": "lf-jp",
    "nastaliq": "lf-nastaliq",
    "bengali": "lf-bengali",
    "gurmukhi": "lf-gurmukhi",
    "gujarati": "lf-gujarati",
    "tamil": "lf-tamil",
    "thai": "lf-thai",
    "khmer": "lf-khmer",
    "myanmar": "lf-myanmar",
    "ethiopic": "lf-ethiopic",
    "armenian": "lf-armenian",
}
BCP47 = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "pt_BR": "pt-BR"}
# Letters only the language's own script (or its own letters of a shared script) has:
# a handout in the wrong font or left in English has none.
OWN_LETTERS = {
    "ja": "\u3040-\u30ff",  # kana
    "fa": "\u067e\u0686\u0698\u06af\u06a9\u06cc",  # پ چ ژ گ ک ی
    "ur": "\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2",  # ٹ ڈ ڑ ں ھ ہ ے
    "bn": "\u0980-\u09ff",
    "pa": "\u0a00-\u0a7f",
    "gu": "\u0a80-\u0aff",
    "ta": "\u0b80-\u0bff",
    "th": "\u0e00-\u0e7f",
    "km": "\u1780-\u17ff",
    "my": "\u1000-\u109f",
    "am": "\u1200-\u137f",
    "hy": "\u0530-\u058f",
    "uk": "\u0456\u0457\u0454\u0491",  # і ї є ґ
}


def test_every_catalog_is_shipped_and_built_by_default(project: Project) -> None:
    assert SHIPPED == LANGS
    assert sorted(project.settings.languages) == sorted(["en", *SHIPPED])
    for lang in SHIPPED:
        stats = load_catalog(project, project.leaflets["cryoablation"], lang)
        assert stats.complete, f"{lang}: catalog not complete"


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
    spaces: what survives a reader that ignores /ActualText (pypdf), which misplaces
    or drops the marks."""
    return "".join(
        c
        for c in text
        if not c.isspace() and not (0x0900 <= ord(c) <= 0x0903 or 0x093A <= ord(c) <= 0x094F)
    )


def _fold(text: str) -> str:
    """Text without white space, bidi marks and break opportunities: how a heading is
    found in a text layer whatever its line breaks."""
    text = re.sub("[\u200b\u200e\u200f\u202a-\u202e]", "", text)
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("variant", ["percutaneous", "laparoscopic"])
@pytest.mark.parametrize("lang", SHIPPED)
def test_language_builds_within_budget(
    built, project: Project, lang: str, variant: str, paper: str
) -> None:
    result = built(leaflet="cryoablation", variant=variant, lang=lang, paper=paper)
    assert result.pages == page_count(result.pdf)
    assert 1 <= result.pages <= project.leaflets["cryoablation"].page_budget
    assert document_language(result.pdf) == BCP47.get(lang, lang)
    # Every shipped translation is a draft (what the batch's manifest records).
    assert result.catalog.review.status == "draft"


@pytest.mark.parametrize("lang", SHIPPED)
def test_translated_headings_in_the_text(built, project: Project, lang: str) -> None:
    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang=lang, paper="letter").pdf
    translations = load_catalog(project, project.leaflets["cryoablation"], lang).translations
    # The text layer as poppler reads it: with /ActualText, Devanagari, Arabic and
    # the other complex scripts come back as they were written.
    text = pdftotext(pdf)
    for heading in HEADINGS:
        translated = translations.gettext(heading)
        assert translated != heading or lang == "en", f"{lang}: {heading!r} untranslated"
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
    # Only the script's own stack: no face of another script (Chinese kanji shapes in
    # a Japanese handout, Naskh in an Urdu one).
    regular, bold = load_fonts(ROOT / "fonts").stacks[stack]
    allowed = set(regular + bold)
    assert all(f in allowed or f.rsplit("-", 1)[0] in allowed for f in families), families
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


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "ko", "ja"])
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


# --- issue 14: the scripts added with Japanese ... Somali ----------------------------------

TEXT_AREA_MARGIN = 0.6 * 72  # leaflet.css: the page's side margins


def _words_with_boxes(pdf: bytes, tmp_path: Path) -> list[tuple[int, float, float, str]]:
    """(page, xMin, xMax, word) of every word poppler finds, page by page."""
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = []
    for number, page in enumerate(out.split("<page ")[1:], 1):
        for x0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            page,
        ):
            words.append((number, float(x0), float(x1), html.unescape(word)))
    return words


def _lines(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of every line poppler finds, in reading order."""
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        "".join(html.unescape(w) for w in re.findall(r"<word [^>]*>([^<]*)</word>", line))
        for line in re.findall(r"<line [^>]*>(.*?)</line>", out, re.S)
    ]


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("lang", SHIPPED)
def test_no_text_outside_the_text_area(built, lang: str, paper: str, tmp_path: Path) -> None:
    """Word boxes from the PDF: no line runs past the side margins (an unbreakable run
    of Khmer or Burmese would), and no line starts with a combining mark (a break
    inside a grapheme cluster)."""
    pdf = built(leaflet="cryoablation", variant="percutaneous", lang=lang, paper=paper).pdf
    width = float(reader(pdf).pages[0].mediabox.width)
    words = _words_with_boxes(pdf, tmp_path)
    assert words
    outside = [
        (page, word)
        for page, x0, x1, word in words
        if x0 < TEXT_AREA_MARGIN - 1 or x1 > width - TEXT_AREA_MARGIN + 1
    ]
    assert not outside, f"{lang} {paper}: words outside the text area: {outside[:5]}"
    for line in _lines(pdf, tmp_path):
        assert not (line and unicodedata.category(line[0]).startswith("M")), (
            f"{lang} {paper}: a line starts inside a grapheme cluster: {line[:20]!r}"
        )


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("lang", ["th", "km", "my"])
def test_lines_break_between_words_where_words_have_no_spaces(
    built, lang: str, paper: str, tmp_path: Path
) -> None:
    """Where a line ends between two letters of Thai, Khmer or Burmese (no space), ICU's
    word segmentation puts a word boundary there: no word is cut in two."""
    language = locale_info(lang).babel.language
    joins = 0
    for variant in ("percutaneous", "laparoscopic"):
        pdf = built(leaflet="cryoablation", variant=variant, lang=lang, paper=paper).pdf
        lines = _lines(pdf, tmp_path)
        for first, second in itertools.pairwise(lines):
            if not (first and second and _letter(first[-1]) and _letter(second[0])):
                continue
            joins += 1
            tail, head = first.split()[-1], second.split()[0]
            assert len(tail) in word_boundaries(tail + head, language), (
                f"{lang} {paper}: a line breaks inside a word: {tail}|{head}"
            )
    # Lines do end between letters (else this test could not fail).
    assert joins >= 20, joins


_NO_SPACE_SCRIPTS = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")


def _letter(ch: str) -> bool:
    """A letter or mark of Thai, Lao, Burmese or Khmer."""
    return unicodedata.category(ch)[0] in "LM" and bool(_NO_SPACE_SCRIPTS.match(ch))


def test_break_opportunities_come_from_icu_not_from_the_catalog(project: Project) -> None:
    """Translators never type U+200B: the renderer puts it between ICU's words."""
    for lang in ("th", "km", "my"):
        path = project.catalog_path("cryoablation", lang)
        assert "\u200b" not in path.read_text(encoding="utf-8"), lang
    khmer = "ការព្យាបាលដោយការបង្កក"  # "treatment by freezing"
    broken = insert_breaks(khmer, "km")
    assert broken.replace("\u200b", "") == khmer
    assert broken.split("\u200b") == ["ការ", "ព្យាបាល", "ដោយ", "ការ", "បង្កក"]
    # Never before a sign that must not start a line.
    assert insert_breaks("ទេ។", "km") == "ទេ។"


@pytest.mark.parametrize("lang", SHIPPED)
def test_text_layer_gives_back_the_words_of_the_page(
    built, renderer, project: Project, lang: str
) -> None:
    """Copy, search and screen readers read the text layer: at least 97 % of the words the
    handout prints come back, with poppler and PDFium (/ActualText) and with pypdf
    (ToUnicode alone; bench/text_layer_bench.py prints the figures)."""
    request = BuildRequest("cryoablation", "laparoscopic", lang, "letter")
    r = resolve(project, request)
    words = shown_words(renderer.html(r, load_catalog(project, r.leaflet, lang)), lang)
    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang=lang, paper="letter").pdf
    for name, extract in EXTRACTORS.items():
        share = recovered(words, extract(pdf), lang)
        assert share >= 0.97, f"{lang}: {name} gives back {share:.1%} of the words"


def test_text_layer_gives_words_with_reordered_signs_and_conjuncts_to_tounicode_readers(
    built,
) -> None:
    """ि is drawn before its consonant (conjunct), and the same glyph reads as other
    text elsewhere: pypdf, which reads ToUnicode alone, gets these words whole because
    their glyphs have codes of their own (textlayer/codes.py)."""
    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang="hi", paper="letter").pdf
    text = normalise(EXTRACTORS["pypdf"](pdf), "hi")
    for word in ("प्रक्रिया", "स्थिति", "व्यक्ति"):
        assert word in text, word
    # A mark drawn onto its letter, after which the pen moves back: no space inside.
    assert "कुछ" in text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        # Shadda, tanween on a word's last letter and before its alef, damma on its first
        # letter: combining marks drawn raised and moved onto their letter.
        ("ar", ["يجمّد", "ويدمّرها", "مترجمٌ", "جدًا", "غالبًا", "يُوضع", "تُسمى"]),
        # The zero-width non-joiner, drawn as nothing.
        ("fa", ["می\u200cکند", "می\u200cشود", "آن\u200cها", "به\u200cطور"]),
    ],
)
def test_right_to_left_words_with_marks_and_non_joiners_come_back_whole(
    built, renderer, project: Project, lang: str, words: list[str]
) -> None:
    """PDFium reorders a right-to-left line by direction class and split such words at a
    mark or a non-joiner (textlayer/, _rtl_pieces): every time the handout prints one
    of them, both extractors give it back whole, letters and marks in order."""
    request = BuildRequest("cryoablation", "laparoscopic", lang, "letter")
    r = resolve(project, request)
    shown = shown_words(renderer.html(r, load_catalog(project, r.leaflet, lang)), lang)
    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang=lang, paper="letter").pdf
    for name, extract in EXTRACTORS.items():
        text = normalise(extract(pdf), lang)
        for word in words:
            assert shown.count(word) >= 1, word
            assert text.count(word) >= shown.count(word), f"{name}: {word}"


@pytest.mark.parametrize(
    ("lang", "digit_one"),
    [("fa", "\u06f1"), ("bn", "\u09e7"), ("my", "\u1041"), ("hi", "1"), ("ar", "1"), ("th", "1")],
)
def test_page_numbers_and_numbers_in_the_languages_own_digits(
    built, project: Project, lang: str, digit_one: str
) -> None:
    """Where CLDR's default numbering system for the locale is not Latin (Persian,
    Bengali, Burmese), page numbers and the numbers the software fills in are written
    in the locale's digits; elsewhere in 1, 2, 3."""
    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang=lang, paper="letter").pdf
    loc = locale_info(lang)
    # The page number is the only 10 pt text (the footer is 8.5 pt, the body 12 pt).
    label: list[str] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        # WeasyPrint draws in CSS pixels, scaled to points by the transformation matrix.
        if abs(float(size) * tm[0] * cm[0] - 10) < 0.05:
            label.append(text)

    reader(pdf).pages[0].extract_text(visitor_text=visit)
    digits = [c for c in "".join(label) if c.isdigit()]
    assert digit_one in digits, (lang, label)
    # Every digit of "Page 1 of 4" from the same set of ten as digit_one.
    zero = ord(digit_one) - 1
    assert all(ord(c) - unicodedata.digit(c) == zero for c in digits), (lang, label)
    # The review date in the footer, formatted by Babel for the locale.
    review = loc.date(project.leaflets["cryoablation"].last_review)
    assert _fold(review) in _fold(pdftotext(pdf)), review
    if digit_one != "1":
        filled = [review, loc.number(7), loc.temperature(38.3, "C"), loc.time(dt.time(7, 30))]
        assert not re.search(r"[0-9]", " ".join(filled)), filled


# Somali is written in the basic Latin alphabet: the headings test covers it.
@pytest.mark.parametrize("lang", sorted(OWN_LETTERS))
def test_the_languages_own_letters_are_on_the_page(built, lang: str) -> None:
    pdf = built(leaflet="cryoablation", variant="laparoscopic", lang=lang, paper="letter").pdf
    text = pdftotext(pdf)
    own = re.findall(f"[{OWN_LETTERS[lang]}]", text)
    assert len(own) >= 20, f"{lang}: {len(own)} of its own letters in the text layer"


def test_urdu_lines_are_tall_enough_for_nastaliq(built) -> None:
    """Nastaliq words slope and stack: its lines are spaced 1.8 times the font size
    (fonts.toml), where Naskh Arabic keeps the stylesheet's 1.45 or less."""

    def pitch(lang: str) -> float:
        pdf = built(leaflet="cryoablation", variant="laparoscopic", lang=lang, paper="a4").pdf
        baselines: list[float] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
            if text.strip() and abs(float(size) * tm[0] * cm[0] - 12) < 0.1:
                baselines.append(round(float(tm[5] * cm[3] + cm[5]), 1))

        reader(pdf).pages[1].extract_text(visitor_text=visit)
        # The smallest step between baselines: two lines of one paragraph.
        return min(
            a - b for a, b in itertools.pairwise(sorted(set(baselines), reverse=True)) if a - b > 5
        )

    assert pitch("ur") >= 1.75 * 12
    assert pitch("ar") <= 1.5 * 12


def test_japanese_uses_the_japanese_face_and_urdu_nastaliq(built) -> None:
    for lang, family in (("ja", "lf-jp"), ("ur", "lf-nastaliq")):
        pdf = built(leaflet="cryoablation", variant="percutaneous", lang=lang, paper="a4").pdf
        families = {name.split("+", 1)[1] for name in embedded_fonts(pdf)}
        assert family in families, families
        assert not families & {"lf-sc", "lf-tc", "lf-kr", "lf-arabic"}, families


def test_print_edition_has_no_actual_text_and_clinic_edition_has(built) -> None:
    """/ActualText in marked content came with PDF 1.5: the PDF/X-1a (PDF 1.4) print
    edition goes without; the clinic edition (PDF/UA) has it where glyphs and text
    differ."""
    kwargs = {"leaflet": "cryoablation", "variant": "percutaneous", "lang": "hi", "paper": "a4"}
    clinic = built(**kwargs).pdf
    printed = built(**kwargs, edition="print", allow_draft=True).pdf
    assert b"/ActualText" in _uncompressed(clinic)
    assert b"/ActualText" not in _uncompressed(printed)


def _uncompressed(pdf: bytes) -> bytes:
    doc = reader(pdf)
    data = b""
    for page in doc.pages:
        contents = page.get_contents()
        if contents is not None:
            data += contents.get_data()
    return data
