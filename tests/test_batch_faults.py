"""`leaflets batch` when one handout cannot be written or its worker process dies: that
handout fails, named with the reason; every other one is built, no temporary file is
left and the manifest is true. Run on the small fixture project (tests/data/fixture)."""

from __future__ import annotations

import errno
import multiprocessing
import os
import select
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import polib
import pytest

from leaflets import workers
from leaflets.request import BuildRequest

from .conftest import assert_manifest_true, cli, copy_fixture

# The fixture's default batch: two variants in three languages, A4, clinic edition.
ALL = {
    f"visit_{v}_{lang}_a4_clinic.pdf" for v in ("in-person", "video") for lang in ("en", "es", "fr")
}


@pytest.fixture
def fixture_root(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def listed(out: Path) -> set[str]:
    """The files the manifest lists. Each entry describes its file exactly, every PDF is
    listed and no temporary file is left."""
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")], "temporary file left"
    return set(assert_manifest_true(out))


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


# --- a worker process that dies -----------------------------------------------------------

# The fixture's groups (one task per language) go to the workers in the order en, es,
# fr: the first worker holds English while the second renders Spanish, then French.
POISON = "visit_video_fr_a4_clinic.pdf"
BYSTANDER = "visit_in-person_en_a4_clinic.pdf"
SAFETY = 60.0  # seconds: only if the test is wrong, so that it fails instead of hanging


def die_by_exit() -> None:
    os._exit(1)


def die_by_kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize(
    ("die", "reason"),
    [(die_by_exit, "exit code 1"), (die_by_kill, "killed by SIGKILL: out of memory?")],
)
def test_a_dead_worker_fails_only_the_handout_it_held(
    die: Any, reason: str, fixture_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poison handout kills its worker every time. The bystander is in flight on the
    other worker when that happens (it waits for the death), so the broken pool fails its
    task too: it must be rendered again, not reported failed. The poison is tried twice:
    once with the others, once alone."""
    # Fork-started workers inherit the patched module, so the hook runs in them.
    assert multiprocessing.get_start_method() == "fork"
    died_r, died_w = os.pipe()  # readable once the poison's worker has died
    attempts = tmp_path / "attempts"
    render_one = workers.render_one

    def hook(renderer: Any, request: BuildRequest, seconds: float) -> workers.WorkResult:
        name = request.filename()
        with attempts.open("a", encoding="utf-8") as fh:
            fh.write(name + "\n")
        if name == POISON:
            os.write(died_w, b"x")
            die()
        if name == BYSTANDER and not select.select([died_r], [], [], 0)[0]:
            # First attempt: stay in flight until the pool breaks (which kills us).
            select.select([died_r], [], [], SAFETY)
            select.select([], [], [], SAFETY)
        return render_one(renderer, request, seconds)

    monkeypatch.setattr(workers, "render_one", hook)
    out = tmp_path / "out"
    try:
        code, output = cli(fixture_root, "batch", "--out", str(out), "--jobs", "2")
    finally:
        os.close(died_r)
        os.close(died_w)
    assert code == 1, output
    assert f"failed: {POISON}: the worker process rendering it died ({reason})\n" in output
    assert "built        5" in output and "failed       1" in output
    assert listed(out) == ALL - {POISON}
    tries = Counter(attempts.read_text(encoding="utf-8").split())
    assert tries[POISON] == 2 and tries[BYSTANDER] == 2, tries
    assert set(tries) == ALL
