"""The benchmarks still run: each one, on its smallest matrix, prints its figures.

They assert nothing about speed (figures vary with the machine); this only keeps them
from breaking silently when the library changes under them (they stopped at their
first Renderer once, when the process setup became explicit).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from leaflets import process

BENCH = Path(__file__).resolve().parents[1] / "bench"

RUNS = [
    ("batch_bench.py", ["--langs", "en", "--papers", "a4"], "(d) (c) again, nothing changed"),
    ("print_bench.py", ["--langs", "en", "--rounds", "1"], "registry KB"),
    ("preview_bench.py", ["--langs", "es", "--saves", "1"], "save -> new PDF"),
    ("text_layer_bench.py", ["--langs", "es"], "pypdf after"),
    ("desk_bench.py", ["--workers", "1", "--rounds", "1", "--langs", "en"], "the desk is"),
]


@pytest.mark.parametrize(("script", "args", "figure"), RUNS, ids=[r[0] for r in RUNS])
def test_benchmark_runs_and_prints_its_figures(script: str, args: list[str], figure: str) -> None:
    # As from a shell: no process setting inherited from the test session.
    env = {k: v for k, v in os.environ.items() if k != process.VARIABLE}
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert figure in done.stdout


def test_every_benchmark_is_run() -> None:
    assert {path.name for path in BENCH.glob("*.py")} == {run[0] for run in RUNS}
