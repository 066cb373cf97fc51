"""Preflight: print-edition boxes and colour, and planted faults it must catch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from leaflets.catalog import load_catalog
from leaflets.cli import main
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


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("lang", ["en", "ar", "zh_Hant"])
def test_print_edition_passes_preflight_with_true_boxes(
    renderer: Renderer, lang: str, paper: str
) -> None:
    pdf = print_pdf(renderer, lang, paper, marks=(paper == "a4"))
    assert preflight_bytes(pdf, f"x_{paper}_print.pdf") == []
    doc = reader(pdf)
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
    intents = doc.trailer["/Root"]["/OutputIntents"]
    assert "ISO Coated v2" in str(intents[0].get_object()["/OutputConditionIdentifier"])


def test_print_edition_is_cmyk_with_black_text(renderer: Renderer) -> None:
    pdf = print_pdf(renderer, "en", "letter")
    content = b"".join(p.get_contents().get_data() for p in reader(pdf).pages)
    assert not re.search(rb"\brg\b|\bRG\b", content), "RGB operator in print edition"
    assert b"0 0 0 1 scn" in content, "text is not 100 % K black"
    # The brand's primary colour as given in CMYK in brand.toml (85/45/20/15).
    assert b"0.85 0.45 0.2 0.15 scn" in content


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
    assert f"{bad}: bleedbox: page 1:" in result.output
    assert str(good) not in result.output
    result = runner.invoke(main, ["preflight", "--saddle-stitch", "--max-pages", "3", str(good)])
    assert result.exit_code == 1
    assert f"{good}: pages: 4 pages, more than the budget of 3" in result.output
    clinic = tmp_path / "x_clinic.pdf"
    clinic.write_bytes(_clinic_as_print(renderer))
    assert runner.invoke(main, ["preflight", str(clinic)]).exit_code == 0
