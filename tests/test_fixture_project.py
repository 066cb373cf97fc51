"""A second, small project (tests/data/fixture): its own leaflet, made by `leaflets new`,
two catalogs and a tiny font. It extracts, checks, builds and batches with no code
that knows it, so the pipeline is not tied to the cryoablation leaflet."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

from leaflets.config import load_project

from .conftest import (
    FIXTURE,
    assert_manifest_true,
    cli,
    copy_fixture,
    page_count,
    pdf_text,
)


@pytest.fixture
def fixture_root(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def test_the_fixture_is_a_complete_project() -> None:
    project = load_project(FIXTURE)
    assert list(project.leaflets) == ["visit"]
    assert project.languages("visit") == ("en", "es", "fr")
    assert cli(FIXTURE, "extract", "--check") == (0, "templates and .pot files agree\n")
    assert cli(FIXTURE, "update", "--check")[0] == 0
    code, output = cli(FIXTURE, "check")
    assert code == 0, output
    assert "0 error(s), 0 warning(s)" in output


def test_it_builds_each_variant_in_its_language(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for variant, own, other in (
        ("in-person", "Llegue a la recepción", "Abra el enlace"),
        ("video", "Abra el enlace", "Llegue a la recepción"),
    ):
        code, output = cli(
            FIXTURE, "build", "--variant", variant, "--lang", "es", "--out", str(out)
        )
        assert code == 0, output
        text = pdf_text((out / f"visit_{variant}_es_a4_clinic.pdf").read_bytes())
        assert "Antes de su visita" in text and own in text and other not in text
        # The count takes its plural form from the leaflet's number (2 days).
        assert "recordatorio 2 días antes" in text
        assert "Traducción aún no revisada" in text  # a draft, marked as one


def test_it_batches_every_layout_and_paper(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("batch", "--paper", "a4,letter", "--layout", "standard,large-print,bilingual")
    code, output = cli(FIXTURE, *args, "--out", str(out), "--jobs", "1")
    assert code == 0, output
    entries = assert_manifest_true(out).values()
    project = load_project(FIXTURE)
    leaflet = project.leaflets["visit"]
    langs = len(project.languages("visit"))
    # Variants x papers x (every language standard, every one large print, and every
    # one but English bilingual).
    assert len(entries) == len(leaflet.variants) * 2 * (langs + langs + langs - 1)
    for entry in entries:
        pdf = (out / entry["path"]).read_bytes()
        assert entry["pages"] == page_count(pdf) <= leaflet.budget(entry["layout"])


def test_new_scaffolds_a_leaflet_that_builds(fixture_root: Path, tmp_path: Path) -> None:
    code, output = cli(fixture_root, "new", "knee-injection", "--title", "Knee injection")
    assert code == 0, output
    assert "created templates/leaflets/knee-injection/leaflet.toml" in output
    folder = fixture_root / "templates/leaflets/knee-injection"
    template = (folder / "leaflet.html.j2").read_text(encoding="utf-8")
    assert '{% trans "standard" trimmed %}' in template and "Translators:" in template
    assert cli(fixture_root, "extract")[0] == 0
    pot = polib.pofile(str(fixture_root / "locales/knee-injection.pot"))
    contexts = {entry.msgctxt for entry in pot}
    assert {"standard", "short", "leaflet title", "variant label"} <= contexts
    assert all(
        entry.comment for entry in pot if entry.msgctxt not in ("leaflet title", "variant label")
    )
    out = tmp_path / "out"
    code, output = cli(
        fixture_root,
        "build",
        "--leaflet",
        "knee-injection",
        "--variant",
        "short",
        "--out",
        str(out),
    )
    assert code == 0, output
    text = pdf_text((out / "knee-injection_short_en_a4_clinic.pdf").read_bytes())
    assert "Knee injection" in text and "only in the short handout" in text
    assert "within 3 days" in text
    code, output = cli(fixture_root, "init", "es", "--leaflet", "knee-injection")
    assert code == 0, output
    po = polib.pofile(str(fixture_root / "locales/es/LC_MESSAGES/knee-injection.po"))
    assert po.metadata["Language"] == "es" and len(po) == len(pot)
    assert po.metadata["X-Review-Status"] == "draft"


def test_new_writes_any_one_line_title_safely(fixture_root: Path) -> None:
    title = 'Knee \\ injection "left" {{ 7*7 }} %(phone)s'
    code, output = cli(fixture_root, "new", "knee", "--title", title)
    assert code == 0, output
    assert load_project(fixture_root).leaflets["knee"].title == title
    code, output = cli(fixture_root, "new", "knee2", "--title", "two\nlines")
    assert code == 2 and "a title of one line" in output
    assert not (fixture_root / "templates/leaflets/knee2").exists()


def test_new_refuses_an_existing_or_malformed_id(fixture_root: Path) -> None:
    code, output = cli(fixture_root, "new", "visit")
    assert code == 1
    assert "templates/leaflets/visit: a leaflet with this id exists already" in output
    code, output = cli(fixture_root, "new", "Bad Name!")
    assert code == 2 and "use lower-case letters, digits, - and _" in output
    code, output = cli(fixture_root, "new", "x", "--variants", "one")
    assert code == 2 and "give exactly two variant ids" in output
    assert not (fixture_root / "templates/leaflets/x").exists()
