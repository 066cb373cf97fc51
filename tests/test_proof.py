"""Proof sheets when pdftoppm misbehaves: a hung or failing pdftoppm is one clear error,
and no sheet is written. On copies of the small fixture project."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from leaflets import proof

from .conftest import cli, copy_fixture


def fake_pdftoppm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    fake = tmp_path / "bin" / "pdftoppm"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")


def test_a_hung_pdftoppm_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    fake_pdftoppm(tmp_path, monkeypatch, "exec sleep 30")
    monkeypatch.setattr(proof, "PDFTOPPM_TIMEOUT", 0.5)
    start = time.monotonic()
    code, output = cli(root, "proof", "--paper", "a4", "--lang", "en", "--out", str(out))
    assert time.monotonic() - start < 20, "pdftoppm was not stopped"
    assert code == 1
    assert output == "Error: pdftoppm did not finish within 0.5 seconds; nothing was written\n"
    assert not out.exists()


def test_a_failing_pdftoppm_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    fake_pdftoppm(tmp_path, monkeypatch, "echo 'Syntax Error: broken' >&2\nexit 1")
    code, output = cli(root, "proof", "--paper", "a4", "--lang", "en", "--out", str(out))
    assert code == 1
    assert output == (
        "Error: pdftoppm could not draw a handout's first page: Syntax Error: broken\n"
    )
    assert not out.exists()
