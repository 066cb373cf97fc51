"""Command line: exit codes and messages for bad arguments; help texts; building."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from leaflets.cli import main
from leaflets.config import PATIENT_FIELDS

from .conftest import ROOT, horizontal_rules, pdf_text, reader, text_pieces

BASE = ["--project", str(ROOT), "build"]
# The labels of the "Your details" box, each over a value or a line to write on.
DETAILS = (
    "Name",
    "Procedure date",
    "Arrival time",
    "Doctor",
    "Stop eating and drinking from",
    "Medicines to stop, and when",
)


def details(pdf: bytes) -> dict[str, tuple[list[str], list[tuple[float, float, float]]]]:
    """For each label of the details box on page 1: the text to its right on its line,
    and the ruled lines under that text (between its baseline and 8 pt below)."""
    pieces = text_pieces(pdf)
    rules = horizontal_rules(pdf)
    found = {}
    for label in DETAILS:
        x, y = next((x, y) for x, y, text in pieces if text == label)
        right = [t for px, py, t in pieces if abs(py - y) < 2 and px > x + 50]
        under = [r for r in rules if r[0] > x + 50 and y - 8 <= r[2] <= y]
        found[label] = (right, under)
    return found


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, prog_name="leaflets")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"unhandled {result.exception!r}"
    )
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--leaflet", "knee", "--variant", "percutaneous"],
            "unknown leaflet 'knee'; valid values: cryoablation",
        ),
        (
            ["--variant", "robotic"],
            "unknown variant 'robotic'; valid values: laparoscopic, percutaneous",
        ),
        (["--variant", "percutaneous", "--lang", "xx"], "unknown language 'xx'; valid values: "),
        (
            ["--variant", "percutaneous", "--paper", "a5"],
            "unknown paper 'a5'; valid values: a4, letter",
        ),
        (
            ["--variant", "percutaneous", "--brand", "acme"],
            "unknown brand 'acme'; valid values: harborpines, lindenfield",
        ),
        (["--variant", "percutaneous", "--field", "shoe_size=9"], "unknown field 'shoe_size'"),
        (
            ["--variant", "percutaneous", "--field", "procedure_date=next week"],
            "--field procedure_date: expected a date like 2026-12-01, got 'next week'",
        ),
        (
            ["--variant", "percutaneous", "--field", "arrival_time=25:99"],
            "--field arrival_time: expected a time like 07:30",
        ),
        (["--variant", "percutaneous", "--field", "patient"], "'patient' is not KEY=VALUE"),
        ([], "Missing option '--variant'"),
    ],
)
def test_bad_arguments_exit_2_with_valid_values(args: list[str], message: str, tmp_path) -> None:
    code, output = _run([*BASE, *args, "--out", str(tmp_path)])
    assert code == 2, output
    assert message in output
    assert "Traceback" not in output
    assert not list(tmp_path.glob("*.pdf"))


def test_build_writes_the_named_file_with_fields(tmp_path: Path) -> None:
    code, output = _run(
        [
            *BASE,
            "--leaflet",
            "cryoablation",
            "--variant",
            "laparoscopic",
            "--lang",
            "en",
            "--paper",
            "a4",
            "--out",
            str(tmp_path),
            "--field",
            "patient=Ana Silva",
            "--field",
            "procedure_date=2026-12-01",
            "--field",
            "arrival_time=07:30",
            "--field",
            "doctor=Dr. Okafor",
            "--field",
            "fasting_start=2026-11-30 22:00",
            "--field",
            "medicines_to_stop=Aspirin, 5 days before",
        ]
    )
    assert code == 0, output
    pdf = tmp_path / "cryoablation_laparoscopic_en_a4_clinic.pdf"
    assert f"wrote {pdf}" in output
    text = pdf_text(pdf.read_bytes())
    for expected in (
        "Ana Silva",
        "December 1, 2026",
        "7:30 AM",
        "Dr. Okafor",
        "November 30, 2026 10:00 PM",
        "Aspirin, 5 days before",
    ):
        assert expected in text
    assert not list(tmp_path.glob(".*.tmp")), "temporary file left behind"
    # Every detail given: values on the labels' lines, no line left to write on.
    for label, (right, under) in details(pdf.read_bytes()).items():
        assert right and under == [], (label, right, under)


def test_missing_fields_print_as_write_in_lines(built) -> None:
    pdf = built(leaflet="cryoablation", variant="percutaneous", lang="en", paper="letter").pdf
    page = reader(pdf).pages[0].extract_text()
    # Labels are there; no value follows them but the ruled line.
    for label in DETAILS:
        assert label in page
    boxes = details(pdf)
    assert len(boxes) == len(PATIENT_FIELDS)
    for label, (right, under) in boxes.items():
        assert right == [], f"{label}: a value where a write-in line belongs: {right}"
        assert len(under) == 1, f"{label}: {len(under)} ruled lines"
        left, end, _ = under[0]
        assert end - left >= 200, f"{label}: a line too short to write on"
    # One line each, one under the other.
    heights = [under[0][2] for _right, under in boxes.values()]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == len(DETAILS)


def test_list_shows_leaflets_variants_languages() -> None:
    code, output = _run(["--project", str(ROOT), "list"])
    assert code == 0
    assert "cryoablation" in output
    assert "percutaneous" in output and "laparoscopic" in output
    assert "en       source language" in output


def _all_commands() -> list[list[str]]:
    """Every command and subcommand, as click finds them (commands load lazily)."""
    context = click.Context(main)
    found: list[list[str]] = [[]]
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        assert command is not None, name
        found.append([name])
        if isinstance(command, click.Group):
            found += [[name, sub] for sub in command.list_commands(context)]
    return found


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: " ".join(c) or "leaflets")
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    code, output = _run([*command, "--help"])
    assert code == 0
    assert "Example" in output
    assert len(_all_commands()) >= 14


def test_root_cli_py_runs_from_a_checkout() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "--project", str(ROOT), "list"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "cryoablation" in proc.stdout


def test_no_weasyprint_import_for_list() -> None:
    code = (
        "import sys; from leaflets.cli import main\n"
        "try:\n    main(['--project', sys.argv[1], 'list'])\nexcept SystemExit: pass\n"
        "assert 'weasyprint' not in sys.modules, 'list imported WeasyPrint'"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
