"""The command's shape: commands load lazily (a quick command imports neither the desk
nor the review tools), every command is listed with its first line, and the one
import by name is the lazy group's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from leaflets.cli import COMMANDS, main
from leaflets.cli.lazy import load_command

from .conftest import ROOT

FIXTURE = Path(__file__).parent / "data" / "fixture"
CLI_PACKAGE = ROOT / "leaflets" / "cli"
# What `leaflets --help` listed before the commands moved into a package.
EXPECTED = {
    "batch",
    "build",
    "check",
    "extract",
    "init",
    "list",
    "manifest",
    "new",
    "preflight",
    "preview",
    "proof",
    "review",
    "serve",
    "stats",
    "update",
}
# The desk and what only it needs; never imported to build or to batch.
DESK = ("flask", "werkzeug", "waitress", "leaflets.desk", "leaflets.cli.serving")
# Only the review commands (XLIFF) need these.
REVIEW_TOOLS = ("translate", "lxml")


def _imported(*args: str, cwd: Path = ROOT) -> set[str]:
    """The modules a fresh process has imported after running ``leaflets ARGS``."""
    code = (
        "import json, sys\n"
        "from leaflets.cli import main\n"
        "try:\n    main(sys.argv[1:], prog_name='leaflets')\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.splitlines()[-1]))


def _roots(modules: set[str]) -> set[str]:
    return modules | {name.split(".")[0] for name in modules}


def test_version_imports_no_command() -> None:
    modules = _imported("--version")
    assert {m for m in modules if m.startswith("leaflets")} == {
        "leaflets",
        "leaflets.cli",
        "leaflets.cli.lazy",
    }
    assert not _roots(modules) & {"weasyprint", "jinja2", "pypdf", *DESK, *REVIEW_TOOLS}


def test_batch_help_imports_neither_the_desk_nor_weasyprint() -> None:
    modules = _roots(_imported("batch", "--help"))
    assert "leaflets.cli.building" in modules
    assert not modules & {*DESK, "weasyprint", "leaflets.cli.reviewing"}


def test_batch_help_imports_no_review_tools() -> None:
    assert not _roots(_imported("batch", "--help")) & set(REVIEW_TOOLS)


def test_the_library_imports_xliff_tools_only_with_the_xliff_module() -> None:
    """Review status, rendering and batches need no XLIFF: only ``leaflets.review.xliff``
    (and the review commands, which import it) brings translate-toolkit and lxml in."""
    code = "import json, sys\nimport {}\nprint(json.dumps(sorted(sys.modules)))\n"
    found = {}
    for module in ("leaflets.review", "leaflets.batch", "leaflets.output", "leaflets.review.xliff"):
        proc = subprocess.run(
            [sys.executable, "-c", code.format(module)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        found[module] = _roots(set(json.loads(proc.stdout))) & set(REVIEW_TOOLS)
    assert found == {
        "leaflets.review": set(),
        "leaflets.batch": set(),
        "leaflets.output": set(),
        "leaflets.review.xliff": set(REVIEW_TOOLS),
    }


def test_a_batch_with_nothing_to_do_imports_neither_the_desk_nor_weasyprint(
    tmp_path: Path,
) -> None:
    args = ("--project", str(FIXTURE), "batch", "--lang", "en", "--variant", "video")
    args += ("--out", str(tmp_path), "--jobs", "1")
    first = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    modules = _roots(_imported(*args))
    assert not modules & {*DESK, "weasyprint"}


def test_help_lists_every_command_with_its_first_line() -> None:
    result = CliRunner().invoke(main, ["--help"], prog_name="leaflets")
    assert result.exit_code == 0, result.output
    listed = result.output.split("\nCommands:\n", 1)[1].splitlines()
    names = [line.split()[0] for line in listed if line.strip()]
    assert names == sorted(EXPECTED) == sorted(COMMANDS)
    context = click.Context(main)
    for line, name in zip(listed, names, strict=True):
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        shown = line.split(None, 1)[1].removesuffix("...")
        assert len(shown) > 10 and command.get_short_help_str(limit=1000).startswith(shown)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_lazy_command_loads_from_the_cli_package(name: str) -> None:
    module = COMMANDS[name].partition(":")[0]
    assert (CLI_PACKAGE / f"{module}.py").is_file(), COMMANDS[name]
    command = load_command(COMMANDS[name])
    assert command.name == name
    assert command.callback is not None
    assert command.callback.__module__ == f"leaflets.cli.{module}"


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["bulid"], prog_name="leaflets")
    assert result.exit_code == 2
    assert "No such command 'bulid'" in result.output
