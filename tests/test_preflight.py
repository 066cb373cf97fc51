"""Preflight: the print edition meets PDF/X-1a:2003 as preflight checks it, and a
violation of each rule, planted in a real print file, is reported with file and page."""

from __future__ import annotations

import dataclasses
import io
import re
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfWriter
from pypdf.annotations import Text
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    StreamObject,
    TextStringObject,
)

from leaflets.catalog import load_catalog
from leaflets.cli import main
from leaflets.config import Project
from leaflets.pdfx import OutputIntent, ProfileError
from leaflets.preflight import preflight_bytes
from leaflets.render import BuildRequest, Renderer, resolve

from .conftest import reader

BLEED_PT = {"a4": 3 / 25.4 * 72, "letter": 9.0}
TRIM = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}


def print_pdf(renderer: Renderer, lang: str, paper: str, marks: bool = False) -> bytes:
    request = BuildRequest(
        "cryoablation", "laparoscopic", lang, paper, edition="print", allow_draft=True, marks=marks
    )
    return renderer.render(request).pdf


def _all_objects(pdf: bytes) -> list[object]:
    """Every indirect object of a PDF, resolved."""
    doc = reader(pdf)
    return [doc.get_object(n) for n in range(1, int(doc.trailer["/Size"]))]


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("lang", ["en", "ar", "hi", "zh_Hans", "zh_Hant"])
def test_print_edition_passes_preflight_with_true_boxes(
    renderer: Renderer, lang: str, paper: str
) -> None:
    pdf = print_pdf(renderer, lang, paper, marks=(paper == "a4"))
    assert preflight_bytes(pdf, f"x_{paper}_print.pdf") == []
    assert pdf.startswith(b"%PDF-1.4\n")
    # No ICC-based or CIE-based colour space left anywhere in the file, used or not.
    assert not re.search(rb"/ICCBased|/Lab\b|/CalRGB|/CalGray|/DeviceRGB", pdf)
    for obj in _all_objects(pdf):
        if isinstance(obj, DictionaryObject):
            assert "/ColorSpace" not in obj or obj["/ColorSpace"] in ("/DeviceCMYK",)
    doc = reader(pdf)
    assert len(doc.trailer["/ID"]) == 2
    bleed = BLEED_PT[paper]
    width, height = TRIM[paper]
    for page in doc.pages:
        trim = [float(x) for x in page.trimbox]
        assert trim == pytest.approx([0, 0, width, height], abs=0.5)
        assert [float(x) for x in page.bleedbox] == pytest.approx(
            [-bleed, -bleed, width + bleed, height + bleed], abs=0.5
        )
    info = doc.metadata
    assert info is not None and info["/GTS_PDFXVersion"] == "PDF/X-1a:2003"
    # The leaflet's review date, not the time of the build.
    assert info["/CreationDate"] == info["/ModDate"] == "D:20250414"
    assert info["/Trapped"] == "/False"
    intents = doc.trailer["/Root"]["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "FOGRA39"
    assert intent["/RegistryName"] == "http://www.color.org"
    assert "ISO Coated v2" in str(intent["/Info"])
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4
    shipped = (renderer.project.templates_dir / "print/ISOcoated_v2_300_bas.icc").read_bytes()
    assert profile.get_data() == shipped


def test_print_output_is_byte_identical_across_renderers(
    project: Project, renderer: Renderer
) -> None:
    first = print_pdf(renderer, "hi", "letter")
    other = Renderer(project)
    try:
        assert print_pdf(other, "hi", "letter") == first
    finally:
        other.close()


def test_output_intent_is_prepared_once_per_renderer(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []
    real = OutputIntent.load.__func__  # type: ignore[attr-defined]

    def counting(cls: type[OutputIntent], mode: str, icc: Path) -> OutputIntent:
        loads.append(mode)
        return real(cls, mode, icc)  # type: ignore[no-any-return]

    monkeypatch.setattr(OutputIntent, "load", classmethod(counting))
    fresh = Renderer(project)
    try:
        first = print_pdf(fresh, "en", "a4")
        second = print_pdf(fresh, "ru", "a4")
    finally:
        fresh.close()
    assert loads == ["embedded"]
    for pdf in (first, second):
        intent = reader(pdf).trailer["/Root"]["/OutputIntents"][0].get_object()
        raw = intent["/DestOutputProfile"].get_object()._data
        assert zlib.decompress(raw)[12:20] == b"prtrCMYK"


def test_a_profile_is_compressed_once_per_process_and_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compressed: list[int] = []
    real = zlib.compress

    def counting(data: bytes, level: int = -1) -> bytes:
        compressed.append(len(data))
        return real(data, level)

    monkeypatch.setattr(zlib, "compress", counting)
    icc = tmp_path / "press.icc"
    profiles = [bytes(12) + b"prtrCMYK" + bytes(108) + bytes([n]) * 5000 for n in (1, 2, 3)]
    icc.write_bytes(profiles[0])
    first = OutputIntent.load("embedded", icc)
    assert OutputIntent.load("embedded", icc) == first
    assert compressed == [len(profiles[0])]
    for profile in profiles[1:]:  # a changed profile is compressed again, and read back
        icc.write_bytes(profile)
        intent = OutputIntent.load("embedded", icc)
        assert intent.profile is not None and zlib.decompress(intent.profile) == profile
    assert len(compressed) == 3
    icc.write_bytes(profiles[0])  # two are kept: the first was dropped
    assert OutputIntent.load("embedded", icc) == first
    assert len(compressed) == 4


def test_output_intent_profile_must_be_a_cmyk_output_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read"):
        OutputIntent.load("embedded", tmp_path / "missing.icc")
    monitor = tmp_path / "srgb.icc"
    monitor.write_bytes(bytes(12) + b"mntrRGB " + bytes(108))
    with pytest.raises(ProfileError, match="not a CMYK output"):
        OutputIntent.load("embedded", monitor)
    # A registry reference needs no profile file at all.
    assert OutputIntent.load("registry", tmp_path / "missing.icc").profile is None


def test_registry_output_intent_names_fogra39_without_a_profile(
    project: Project, renderer: Renderer
) -> None:
    settings = dataclasses.replace(project.settings, output_intent="registry")
    registry = Renderer(dataclasses.replace(project, settings=settings))
    try:
        small = print_pdf(registry, "en", "a4")
    finally:
        registry.close()
    embedded = print_pdf(renderer, "en", "a4")
    assert preflight_bytes(small, "x_a4_print.pdf") == []
    intents = reader(small).trailer["/Root"]["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    assert "/DestOutputProfile" not in intent
    assert intent["/OutputConditionIdentifier"] == "FOGRA39"
    assert intent["/RegistryName"] == "http://www.color.org"
    assert len(small) < len(embedded) - 700_000


def test_print_edition_is_cmyk_with_black_text(renderer: Renderer) -> None:
    pdf = print_pdf(renderer, "en", "letter")
    content = b"".join(p.get_contents().get_data() for p in reader(pdf).pages)
    assert not re.search(rb"\brg\b|\bRG\b", content), "RGB operator in print edition"
    assert b"0 0 0 1 scn" in content, "text is not 100 % K black"
    # The brand's primary colour as given in CMYK in brand.toml (85/45/20/15).
    assert b"0.85 0.45 0.2 0.15 scn" in content
    # The print logo is a CMYK SVG drawn as vector paths: its orange dot is in the
    # content as DeviceCMYK, and the file holds no raster image at all.
    assert b"0.1 0.65 1 0.05 scn" in content
    assert b"/Image" not in pdf


def test_colour_bar_runs_into_the_bleed(renderer: Renderer) -> None:
    pdf = print_pdf(renderer, "en", "a4")
    page = reader(pdf).pages[0]
    content = page.get_contents().get_data()
    # A filled rectangle starting left of the trim (negative x) in the brand colour.
    assert re.search(rb"0\.85 0\.45 0\.2 0\.15 scn\s+-[\d.]+ -?[\d.]+ [\d.]+ [\d.]+ re", content)


def _clinic_as_print(renderer: Renderer) -> bytes:
    return renderer.render(BuildRequest("cryoablation", "laparoscopic", "en", "a4")).pdf


def test_preflight_catches_rgb_colour(renderer: Renderer, project) -> None:
    r = resolve(
        project,
        BuildRequest("cryoablation", "laparoscopic", "en", "a4", edition="print", allow_draft=True),
    )
    html = renderer.html(r, load_catalog(project, r.leaflet, "en"))
    html = html.replace("</style>", "h2 { color: #c01020 !important; }</style>", 1)
    pdf = renderer.pdf(html, r, load_catalog(project, r.leaflet, "en")).pdf
    codes = {f.code for f in preflight_bytes(pdf, "planted_print.pdf")}
    assert codes == {"rgb"}


def test_preflight_catches_missing_bleed_and_output_intent(renderer: Renderer) -> None:
    findings = preflight_bytes(_clinic_as_print(renderer), "planted_print.pdf")
    codes = {f.code for f in findings}
    assert {"bleedbox", "output-intent", "rgb"} <= codes
    assert all(str(f).startswith("planted_print.pdf: ") for f in findings)


def _pdf_with_unembedded_font() -> bytes:
    """A minimal one-page PDF whose text uses Helvetica without embedding it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Lang (en) >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /TrimBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_preflight_catches_unembedded_font() -> None:
    findings = preflight_bytes(_pdf_with_unembedded_font(), "planted_clinic.pdf")
    assert any(f.code == "font-not-embedded" and "Helvetica" in f.message for f in findings)
    assert any(f.code == "untagged" for f in findings)
    assert any(f.code == "title" for f in findings)


def test_preflight_cli_exit_codes_and_saddle_stitch(renderer: Renderer, tmp_path: Path) -> None:
    good = tmp_path / "good_print.pdf"
    good.write_bytes(print_pdf(renderer, "en", "letter"))
    bad = tmp_path / "bad_print.pdf"
    bad.write_bytes(_clinic_as_print(renderer))
    runner = CliRunner()
    result = runner.invoke(main, ["preflight", str(good)])
    assert result.exit_code == 0 and "1 file(s) passed preflight" in result.output
    result = runner.invoke(main, ["preflight", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: error bleedbox: page 1:" in result.output
    assert str(good) not in result.output
    result = runner.invoke(main, ["preflight", "--saddle-stitch", "--max-pages", "3", str(good)])
    assert result.exit_code == 1
    assert f"{good}: error pages: 4 pages, more than the budget of 3" in result.output
    clinic = tmp_path / "x_clinic.pdf"
    clinic.write_bytes(_clinic_as_print(renderer))
    assert runner.invoke(main, ["preflight", str(clinic)]).exit_code == 0


# --- planted violations of PDF/X-1a, one at a time, in a real print file ------------------


def _page_resources(writer: PdfWriter, index: int) -> DictionaryObject:
    """Give one page its own resources (WeasyPrint shares one dictionary between pages),
    so that what is planted there is on that page only."""
    page = writer.pages[index]
    own = DictionaryObject(page["/Resources"].get_object())
    page[NameObject("/Resources")] = own
    return own


def _table(resources: DictionaryObject, kind: str) -> DictionaryObject:
    table = DictionaryObject(resources.get(kind, DictionaryObject()).get_object())
    resources[NameObject(kind)] = table
    return table


def _draw(writer: PdfWriter, index: int, operators: bytes) -> None:
    """Add operators at the start of a page's content."""
    page = writer.pages[index]
    stream = DecodedStreamObject()
    stream.set_data(b"q " + operators + b" Q\n" + page.get_contents().get_data())
    page[NameObject("/Contents")] = writer._add_object(stream)


def _space(writer: PdfWriter, space: ArrayObject, fill: bytes) -> None:
    _table(_page_resources(writer, 1), "/ColorSpace")[NameObject("/CS9")] = space
    _draw(writer, 1, b"/CS9 cs " + fill + b" scn 100 100 20 20 re f")


def plant_icc(writer: PdfWriter) -> None:
    profile = StreamObject()
    profile[NameObject("/N")] = NumberObject(4)
    _space(writer, ArrayObject([NameObject("/ICCBased"), writer._add_object(profile)]), b"0 0 0 1")


def plant_lab(writer: PdfWriter) -> None:
    white = ArrayObject([FloatObject(0.9642), FloatObject(1), FloatObject(0.8249)])
    lab = DictionaryObject({NameObject("/WhitePoint"): white})
    _space(writer, ArrayObject([NameObject("/Lab"), lab]), b"50 20 -10")


def plant_rgb_image(writer: PdfWriter) -> None:
    image = DecodedStreamObject()
    image.set_data(b"\xff\x00\x00")
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(1),
            NameObject("/Height"): NumberObject(1),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    _table(_page_resources(writer, 1), "/XObject")[NameObject("/Im9")] = writer._add_object(image)
    _draw(writer, 1, b"20 0 0 20 100 100 cm /Im9 Do")


def _state(writer: PdfWriter, entries: dict[str, object]) -> None:
    state = DictionaryObject({NameObject(k): v for k, v in entries.items()})  # type: ignore[misc]
    _table(_page_resources(writer, 1), "/ExtGState")[NameObject("/GS9")] = state
    _draw(writer, 1, b"/GS9 gs 0 0 0 1 k 100 100 20 20 re f")


def plant_soft_mask(writer: PdfWriter) -> None:
    group = DecodedStreamObject()
    group.set_data(b"0 g 0 0 10 10 re f")
    group.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): RectangleObject([0, 0, 10, 10]),
        }
    )
    mask = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Mask"),
            NameObject("/S"): NameObject("/Luminosity"),
            NameObject("/G"): writer._add_object(group),
        }
    )
    _state(writer, {"/SMask": mask})


def plant_alpha(writer: PdfWriter) -> None:
    _state(writer, {"/ca": FloatObject(0.5)})


def plant_blend_mode(writer: PdfWriter) -> None:
    _state(writer, {"/BM": NameObject("/Multiply")})


def plant_transparency_group(writer: PdfWriter) -> None:
    group = {NameObject("/S"): NameObject("/Transparency")}
    writer.pages[1][NameObject("/Group")] = DictionaryObject(group)


def plant_no_trapped(writer: PdfWriter) -> None:
    info = dict(writer.metadata or {})
    del info["/Trapped"]
    writer.metadata = info


def plant_no_title(writer: PdfWriter) -> None:
    info = dict(writer.metadata or {})
    del info["/Title"]
    writer.metadata = info


def plant_no_id(writer: PdfWriter) -> None:
    writer._ID = None


def plant_pdf_15(writer: PdfWriter) -> None:
    writer.pdf_header = "%PDF-1.5"


def plant_no_output_intent(writer: PdfWriter) -> None:
    del writer.root_object["/OutputIntents"]


def plant_two_output_intents(writer: PdfWriter) -> None:
    intents = writer.root_object["/OutputIntents"]
    intents.append(intents[0])


def plant_intent_without_identifier(writer: PdfWriter) -> None:
    del writer.root_object["/OutputIntents"][0].get_object()["/OutputConditionIdentifier"]


def plant_javascript(writer: PdfWriter) -> None:
    action = {
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert(1)"),
    }
    names = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x")])})
    names[NameObject("/Names")].append(writer._add_object(DictionaryObject(action)))
    tree = DictionaryObject({NameObject("/JavaScript"): writer._add_object(names)})
    writer.root_object[NameObject("/Names")] = tree


def plant_open_action(writer: PdfWriter) -> None:
    action = {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("x:")}
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(action)


def plant_annotation_in_trim(writer: PdfWriter) -> None:
    writer.add_annotation(1, Text(rect=(100, 100, 120, 120), text="note"))


def plant_attachment(writer: PdfWriter) -> None:
    writer.add_attachment("notes.txt", b"hello")


def plant_form(writer: PdfWriter) -> None:
    form = DictionaryObject({NameObject("/Fields"): ArrayObject()})
    writer.root_object[NameObject("/AcroForm")] = form


def plant_trim_outside_media(writer: PdfWriter) -> None:
    page = writer.pages[1]
    media = [float(x) for x in page.mediabox]
    page.trimbox = RectangleObject([media[0], media[1], media[2] + 30, media[3]])


def plant_encryption(writer: PdfWriter) -> None:
    writer.encrypt("", "owner", algorithm="RC4-128")


def plant_lzw(writer: PdfWriter) -> None:
    plant_rgb_image(writer)
    image = writer.pages[1]["/Resources"]["/XObject"]["/Im9"].get_object()
    image[NameObject("/ColorSpace")] = NameObject("/DeviceCMYK")
    image.set_data(b"\x00\x00\x00\xff")
    image[NameObject("/Filter")] = NameObject("/LZWDecode")


def plant_text_near_edge(writer: PdfWriter) -> None:
    # Everything on the page 40 pt to the left: text at the 0.6 in margin ends up
    # within 0.125 in of the trim edge.
    _draw(writer, 1, b"")
    page = writer.pages[1]
    stream = page["/Contents"].get_object()
    stream.set_data(b"1 0 0 1 -40 0 cm\n" + stream.get_data())


def _rewrite(pdf: bytes, change: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter(clone_from=reader(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# (planting, the finding it must cause, codes it may cause besides)
PLANTED: list[tuple[Callable[[PdfWriter], None], str, set[str]]] = [
    (plant_icc, "colour-space: page 2: ICCBased (4) fill colour", set()),
    (plant_icc, "colour-space: page 2: ICCBased (4) colour space /CS9 in the resources", set()),
    (plant_lab, "colour-space: page 2: Lab fill colour", set()),
    (plant_rgb_image, "rgb: page 2: RGB image", set()),
    (plant_soft_mask, "transparency: page 2: soft mask", set()),
    (plant_alpha, "transparency: page 2: constant alpha /ca 0.5", set()),
    (plant_blend_mode, "transparency: page 2: blend mode /Multiply", set()),
    (plant_transparency_group, "transparency: page 2: transparency group", set()),
    (plant_no_trapped, "info: Trapped is not /True or /False", set()),
    (plant_no_title, "info: no Title in the document information", set()),
    (plant_no_id, "file-id: no file identifier (/ID) in the trailer", set()),
    (plant_pdf_15, "pdf-version: PDF 1.5: PDF/X-1a wants 1.4 or lower", set()),
    (plant_no_output_intent, "output-intent: 0 GTS_PDFX output intents: PDF/X wants one", set()),
    (plant_two_output_intents, "output-intent: 2 GTS_PDFX output intents: PDF/X wants one", set()),
    (plant_intent_without_identifier, "output-intent: no OutputConditionIdentifier", set()),
    (plant_javascript, "javascript: document-level JavaScript", set()),
    (plant_open_action, "action: actions (open action, triggers or outlines)", set()),
    (plant_annotation_in_trim, "annotation: page 2: /Text annotation inside the trim", set()),
    (plant_attachment, "attachment: embedded files", set()),
    (plant_form, "form: an interactive form (AcroForm)", set()),
    (
        plant_trim_outside_media,
        "boxes: page 2: TrimBox is not inside the MediaBox",
        {"trimbox", "safe-zone"},
    ),
    (plant_encryption, "encrypted: the PDF is encrypted", set()),
    (plant_lzw, "lzw: page 2: LZW-compressed stream", set()),
    (plant_text_near_edge, "safe-zone: page 2: text within 0.125 in of the trim edge: ", set()),
]


@pytest.fixture(scope="module")
def good_print(renderer: Renderer) -> bytes:
    pdf = print_pdf(renderer, "en", "a4")
    assert preflight_bytes(_rewrite(pdf, lambda writer: None), "planted_print.pdf") == []
    return pdf


@pytest.mark.parametrize(
    ("plant", "expected", "others"),
    PLANTED,
    ids=[f"{p.__name__}-{e.split(':')[0]}" for p, e, _ in PLANTED],
)
def test_preflight_reports_each_planted_pdfx_violation(
    good_print: bytes, plant: Callable[[PdfWriter], None], expected: str, others: set[str]
) -> None:
    findings = preflight_bytes(_rewrite(good_print, plant), "planted_print.pdf")
    shown = [str(f) for f in findings]
    assert any(s.startswith(f"planted_print.pdf: error {expected}") for s in shown), shown
    code = expected.split(":")[0]
    assert {f.code for f in findings} <= {code} | others, shown
    if "page 2" in expected:
        # On the page it was planted on, nowhere else.
        assert all(
            "page 2:" in s for s in shown if s.startswith(f"planted_print.pdf: error {code}:")
        )


def test_annotation_in_the_bleed_and_registry_intent_pass(good_print: bytes) -> None:
    def bleed_note(writer: PdfWriter) -> None:
        writer.add_annotation(1, Text(rect=(-8, 300, -1, 310), text="note"))

    assert preflight_bytes(_rewrite(good_print, bleed_note), "planted_print.pdf") == []

    def registry_only(writer: PdfWriter) -> None:
        del writer.root_object["/OutputIntents"][0].get_object()["/DestOutputProfile"]

    assert preflight_bytes(_rewrite(good_print, registry_only), "planted_print.pdf") == []

    def neither(writer: PdfWriter) -> None:
        registry_only(writer)
        del writer.root_object["/OutputIntents"][0].get_object()["/RegistryName"]

    shown = [str(f) for f in preflight_bytes(_rewrite(good_print, neither), "planted_print.pdf")]
    assert shown == [
        "planted_print.pdf: error output-intent: neither an embedded profile (DestOutputProfile) "
        "nor a RegistryName"
    ]


def test_crop_marks_are_opaque_strokes_without_a_transparency_group(renderer: Renderer) -> None:
    doc = reader(print_pdf(renderer, "en", "a4", marks=True))
    # One Form XObject of crop marks per page (WeasyPrint shares one resource table).
    forms = [x.get_object() for x in doc.pages[0]["/Resources"]["/XObject"].values()]
    assert len(forms) == len(doc.pages)
    for form in forms:
        assert form["/Subtype"] == "/Form" and "/Group" not in form
        operators = form.get_data().split()
        # WeasyPrint draws the eight crop marks filled with alpha 0 and stroked ("B"):
        # the finisher keeps the strokes and drops the invisible fill.
        assert operators.count(b"S") == 8 and b"B" not in operators
        for state in form["/Resources"]["/ExtGState"].values():
            state = state.get_object()
            assert float(state.get("/ca", 1)) == 1 and float(state.get("/CA", 1)) == 1
