"""`leaflets batch` when one handout cannot be written: that
handout fails, named with the reason; every other one is built, no temporary file is
left and the manifest is true. Run on the small fixture project (tests/data/fixture)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import polib
import pytest

from leaflets.manifest import Manifest

from .conftest import cli

FIXTURE = Path(__file__).parent / "data" / "fixture"
# The fixture's default batch: two variants in three languages, A4, clinic edition.
ALL = {
    f"visit_{v}_{lang}_a4_clinic.pdf" for v in ("in-person", "video") for lang in ("en", "es", "fr")
}


@pytest.fixture
def fixture_root(tmp_path: Path) -> Path:
    root = tmp_path / "fixture"
    shutil.copytree(FIXTURE, root)
    return root


def listed(out: Path) -> set[str]:
    """The files the manifest lists. Each entry describes its file exactly, every PDF is
    listed and no temporary file is left."""
    entries = Manifest.load(out, verify=False).entries
    assert Manifest.load(out).entries == entries, "an entry does not describe its file"
    assert {p.name for p in out.glob("*.pdf")} == set(entries), "PDFs and manifest disagree"
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")], "temporary file left"
    return set(entries)


# --- a write that fails -------------------------------------------------------------------

UNWRITABLE = "visit_video_es_a4_clinic.pdf"


def fail_to_replace(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The disk is full when ``name`` is renamed into place; every other file is fine."""
    replace = os.replace

    def failing(src: Any, dst: Any, **kwargs: Any) -> None:
        if Path(dst).name == name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        replace(src, dst, **kwargs)

    monkeypatch.setattr("leaflets.files.os.replace", failing)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failed_write_fails_only_its_handout(
    jobs: str, fixture_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    fail_to_replace(monkeypatch, UNWRITABLE)
    code, output = cli(fixture_root, "batch", "--out", str(out), "--jobs", jobs)
    assert code == 1, output
    assert f"failed: {UNWRITABLE}: not written: No space left on device\n" in output
    assert "built        5" in output and "failed       1" in output
    assert listed(out) == ALL - {UNWRITABLE}
    monkeypatch.undo()
    code, output = cli(fixture_root, "batch", "--out", str(out), "--jobs", jobs)
    assert code == 0, output
    assert "built        1" in output and "skipped      5" in output
    assert listed(out) == ALL


def test_a_failed_rewrite_keeps_the_old_file_listed(
    fixture_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old handout is left as it was, and the manifest still describes it (with the
    inputs it was made from, so the next batch makes it again)."""
    out = tmp_path / "out"
    assert cli(fixture_root, "batch", "--out", str(out), "--jobs", "1")[0] == 0
    old = (out / UNWRITABLE).read_bytes()
    catalog = fixture_root / "locales/es/LC_MESSAGES/visit.po"
    po = polib.pofile(str(catalog))
    entry = po.find("Translation not yet reviewed")
    assert entry is not None
    entry.msgstr = "Traducción todavía no revisada"
    po.save(str(catalog))
    fail_to_replace(monkeypatch, UNWRITABLE)
    code, output = cli(fixture_root, "batch", "--out", str(out), "--jobs", "1")
    assert code == 1 and f"failed: {UNWRITABLE}: not written:" in output
    assert "built        1" in output and "skipped      4" in output
    assert listed(out) == ALL
    assert (out / UNWRITABLE).read_bytes() == old
    monkeypatch.undo()
    code, output = cli(fixture_root, "batch", "--out", str(out), "--jobs", "1")
    assert code == 0 and "built        1" in output and "skipped      5" in output
    assert (out / UNWRITABLE).read_bytes() != old
