"""`leaflets check` from the command line, and the same rules enforced by every build."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import ROOT, catalog_count, copy_fixture, invoke, pdf_text, set_translation

DATA = Path(__file__).parent / "data" / "checks"


def cli(*args: str) -> tuple[int, str]:
    result = invoke(*args)
    return result.exit_code, result.output


def test_every_shipped_catalog_is_free_of_errors() -> None:
    code, output = cli("--project", str(ROOT), "check")
    assert code == 0, output
    assert f"\n{catalog_count()} catalog(s): 0 error(s)" in output


def test_files_given_as_arguments_and_exit_codes() -> None:
    code, output = cli("--project", str(ROOT), "check", str(DATA / "clean.po"))
    assert code == 0 and "1 catalog(s): 0 error(s), 0 warning(s)" in output
    code, output = cli(
        "--project",
        str(ROOT),
        "check",
        str(DATA / "markup-script.po"),
        str(DATA / "placeholder-missing.po"),
    )
    assert code == 1
    lines = [line for line in output.splitlines() if ": error " in line]
    assert any(
        line.startswith(f"{DATA / 'markup-script.po'}:") and "error markup:" in line
        for line in lines
    )
    assert any("error placeholder:" in line for line in lines)


def test_json_format() -> None:
    code, output = cli(
        "--project", str(ROOT), "check", "--format", "json", str(DATA / "bidi-override.po")
    )
    assert code == 1
    problems = json.loads(output.split("\n1 catalog(s)")[0])
    assert problems[0]["code"] == "bidi-control" and problems[0]["severity"] == "error"
    assert set(problems[0]) == {"path", "line", "severity", "code", "message", "msgid"}


def test_wrong_use_exits_2() -> None:
    code, output = cli("--project", str(ROOT), "check", "--lang", "es", str(DATA / "clean.po"))
    assert code == 2 and "either PO_FILE paths or --lang" in output
    code, output = cli("--project", str(ROOT), "check", "--lang", "xx")
    assert code == 2 and "unknown language 'xx'" in output
    code, output = cli("--project", str(ROOT), "check", "--format", "xml")
    assert code == 2


def build_es(root: Path, out: Path) -> tuple[int, str]:
    return cli(
        "--project",
        str(root),
        "build",
        "--variant",
        "in-person",
        "--lang",
        "es",
        "--out",
        str(out),
    )


def test_build_refuses_what_check_would_flag_even_unchecked(tmp_path: Path) -> None:
    """On copies of the fixture project: the rules are the catalog's, not a leaflet's."""
    cases = {
        "markup": ("Before your visit", 'Antes de su visita<script src="x.js"></script>'),
        "placeholder": ("Call %(phone)s if you cannot come.", "Llame si no puede venir."),
        "bidi-control": ("When to call us", "Cuándo\u202ellamarnos"),
        # A character no project font has: never drawn by a system font instead.
        "glyph": ("Before your visit", "Antes de su visita ภาษา"),
    }
    for code_name, (msgid, msgstr) in cases.items():
        root = copy_fixture(tmp_path / code_name)
        line = set_translation(root, "es", msgid, msgstr, leaflet="visit")
        out = tmp_path / code_name / "out"
        code, output = build_es(root, out)
        assert code == 1, output
        assert f"locales/es/LC_MESSAGES/visit.po:{line}: {code_name}:" in output
        assert "Traceback" not in output
        assert not list(out.glob("*.pdf"))
        code, output = cli("--project", str(root), "check", "--lang", "es")
        assert code == 1 and f":{line}: error {code_name}:" in output


def test_fixed_catalog_builds_and_keeps_its_text(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    set_translation(root, "es", "Before your visit", "Antes de la visita", leaflet="visit")
    out = tmp_path / "out"
    code, output = build_es(root, out)
    assert code == 0, output
    text = pdf_text((out / "visit_in-person_es_a4_clinic.pdf").read_bytes())
    assert "Antes de la visita" in text and "Antes de su visita" not in text
