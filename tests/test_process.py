"""Process-wide settings: made once by the entry point (process.setup_process), never
as a side effect of rendering; WeasyPrint's font copies go where the caller says."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from leaflets import batch, process
from leaflets.config import Project, load_project
from leaflets.process import ProcessNotSetUpError, config_file, is_set_up, setup_process
from leaflets.render import BuildRequest, Renderer

REQUEST = BuildRequest("cryoablation", "percutaneous", "es", "letter")
FIXTURE = Path(__file__).resolve().parent / "data" / "fixture"


def test_setup_configures_fontconfig_with_the_project_fonts_only(project: Project) -> None:
    setup_process(project.fonts_dir)
    conf = Path(os.environ[process.VARIABLE])
    assert conf == config_file(project.fonts_dir) and is_set_up(project.fonts_dir)
    text = conf.read_text(encoding="utf-8")
    assert text.count("<dir>") == 1 and f"<dir>{project.fonts_dir.resolve()}</dir>" in text
    setup_process(project.fonts_dir)  # again: nothing changes
    assert Path(os.environ[process.VARIABLE]) == conf


def test_a_renderer_changes_no_process_setting(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set up first, as an entry point does: making a Renderer, rendering and closing it
    leave the environment and the temporary folder setting as they were, and the font
    copies go to the folder given, which close() removes."""
    setup_process(project.fonts_dir)
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    environ = dict(os.environ)
    with Renderer(project, scratch) as renderer:
        renderer.render(REQUEST)
        [folder] = scratch.iterdir()
        assert folder.name.startswith("weasyprint-") and any(folder.iterdir())
    assert dict(os.environ) == environ
    assert tempfile.tempdir == str(private)
    assert list(private.iterdir()) == [] and list(scratch.iterdir()) == []


def test_without_setup_a_renderer_is_refused(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once every entry point sets its process up, a Renderer made without it is a
    programming mistake, said so, rather than a silent change of the environment."""
    monkeypatch.delenv(process.VARIABLE, raising=False)
    with pytest.raises(ProcessNotSetUpError, match=r"setup_process\(project.fonts_dir\)"):
        Renderer(project)
    assert process.VARIABLE not in os.environ
    setup_process(project.fonts_dir)
    Renderer(project).close()


def test_a_process_set_up_once_renders_other_projects_as_they_are(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Renderer takes the configuration in effect: one for another project's fonts
    is no reason to change the environment (or to refuse)."""
    setup_process(project.fonts_dir)
    environ = dict(os.environ)
    fixture = load_project(FIXTURE)
    assert fixture.fonts_dir.resolve() != project.fonts_dir.resolve()
    with Renderer(fixture) as renderer:
        assert renderer.render(BuildRequest("visit", "in-person", "es", "a4")).pages >= 1
    assert dict(os.environ) == environ


def test_configurations_of_vanished_projects_are_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-user cache holds one configuration per fonts folder that still exists,
    and those of folders deleted since it was last swept, at most an hour ago."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    names = ("gone", "kept", "new", "newer")
    gone, kept, new, newer = (tmp_path / name / "fonts" for name in names)
    for fonts in (gone, kept, new, newer):
        fonts.mkdir(parents=True)
    stale, live = config_file(gone).parent, config_file(kept).parent
    gone.rmdir()
    config_file(new)
    assert stale.is_dir(), "swept again within the hour"
    cache = tmp_path / "cache/leaflets/fontconfig"
    an_hour_ago = time.time() - process.PRUNE_INTERVAL - 1
    os.utime(cache / ".swept", (an_hour_ago, an_hour_ago))
    config_file(newer)
    assert not stale.exists() and live.is_dir()
    folders = sorted(p.name for p in cache.iterdir() if p.is_dir())
    assert folders == sorted(config_file(f).parent.name for f in (kept, new, newer))


def test_batch_font_copies_go_to_its_scratch_folder(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One job renders in this process: WeasyPrint's font copies go into the output
    folder's scratch folder (removed at the end), not into the process's temporary
    folder, and tempfile.tempdir is never changed."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    out = tmp_path / "out"
    seen: list[tuple[list[str], list[str], str | None]] = []

    def progress(outcome: batch.Outcome) -> None:
        scratch = sorted(p.name for p in (out / batch.SCRATCH).iterdir())
        seen.append((scratch, sorted(p.name for p in private.iterdir()), tempfile.tempdir))

    requests = [REQUEST, BuildRequest("cryoablation", "laparoscopic", "es", "letter")]
    outcomes = batch.run(project, requests, out, jobs=1, progress=progress)
    assert [o.status for o in outcomes] == ["built", "built"]
    for scratch, temporary, tempdir in seen:
        assert len(scratch) == 1 and scratch[0].startswith("weasyprint-")
        assert temporary == [] and tempdir == str(private)
    assert not (out / batch.SCRATCH).exists()


def test_the_command_sets_its_process_up(tmp_path: Path) -> None:
    """``leaflets build`` owns its process: started with no Fontconfig setting at all,
    it makes the setting itself (a Renderer would refuse otherwise) and builds."""
    env = {k: v for k, v in os.environ.items() if k != process.VARIABLE}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve().parents[1] / "cli.py"),
            "--project",
            str(FIXTURE),
            "build",
            "--variant",
            "in-person",
            "--lang",
            "es",
            "--allow-draft",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    [pdf] = out.glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert list((tmp_path / "cache" / "leaflets" / "fontconfig").glob("*/fonts.conf"))
