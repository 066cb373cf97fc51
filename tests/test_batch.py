"""`leaflets batch`: matrix, workers, incremental builds, failures, kills, shards, bundle.

Worker processes are exercised by the default batch, the incremental one and the kill;
the other tests render in this process (--jobs 1), which is quicker. A write that fails
and a worker that dies: test_batch_faults.py.

The mechanics run on the small fixture project (tests/data/fixture): the real
project's matrix is checked by its plan, and every one of its handouts is rendered
and held to its page budget by test_languages.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from leaflets import batch
from leaflets.batch import plan, shard
from leaflets.config import Project, load_project

from .conftest import (
    FIXTURE,
    ROOT,
    assert_group_ended,
    assert_manifest_true,
    catalog_count,
    cli,
    copy_fixture,
    page_count,
    set_translation,
)

LEAFLET = "visit"
VARIANTS = ("in-person", "video")


def name(variant: str, lang: str, paper: str = "a4", edition: str = "clinic") -> str:
    return f"{LEAFLET}_{variant}_{lang}_{paper}_{edition}.pdf"


def counts(output: str) -> dict[str, int]:
    """The batch's summary table: how many handouts were built, skipped, refused, failed."""
    rows = re.findall(r"^(built|skipped|refused|failed) +(\d+)  ", output, re.M)
    assert len(rows) == 4, output
    return {status: int(number) for status, number in rows}


def complete(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


# --- the matrix -------------------------------------------------------------------------------


def test_the_real_default_matrix_is_every_configured_language(project: Project) -> None:
    """`make build` (a batch without options): both variants of every configured
    language (every shipped catalog and English), on the default paper (Letter), clinic."""
    leaflet = project.leaflets["cryoablation"]
    languages = project.settings.languages
    assert sorted(languages) == sorted(
        ["en", *(p.parent.parent.name for p in ROOT.glob("locales/*/LC_MESSAGES/cryoablation.po"))]
    )
    expected = {
        f"cryoablation_{variant}_{lang}_letter_clinic.pdf"
        for variant in ("percutaneous", "laparoscopic")
        for lang in languages
    }
    requests = plan(project)
    assert [r.filename() for r in requests] == sorted(expected)
    assert len(expected) == len(leaflet.variants) * (catalog_count() + 1)


def test_default_batch_builds_every_configured_language(
    fixture_project: Project, tmp_path: Path
) -> None:
    code, output = cli(FIXTURE, "batch", "--out", str(tmp_path))
    assert code == 0, output
    built = assert_manifest_true(tmp_path)
    settings = fixture_project.settings
    expected = {
        name(variant, lang, settings.default_paper)
        for variant in VARIANTS
        for lang in settings.languages
    }
    assert set(built) == expected and settings.default_paper == "a4"
    entry = built[name("in-person", "en")]
    assert entry["review_status"] == "source"
    assert entry["leaflet_version"] == fixture_project.leaflets[LEAFLET].version
    assert built[name("in-person", "es")]["review_status"] == "draft"
    assert all(len(str(e["inputs"])) == 64 for e in built.values())
    for path, entry in built.items():
        assert f"built    {path} ({entry['pages']} pages)" in output
    assert counts(output) == {"built": len(expected), "skipped": 0, "refused": 0, "failed": 0}


@pytest.mark.parametrize("option", ["--lang", "--paper", "--edition", "--variant", "--leaflet"])
def test_unknown_matrix_values_exit_2(option: str, tmp_path: Path) -> None:
    code, output = cli(FIXTURE, "batch", option, "nonsense", "--out", str(tmp_path))
    assert code == 2
    assert "valid values:" in output
    assert not tmp_path.exists() or not list(tmp_path.iterdir())


# --- incremental builds, failures, drafts -------------------------------------------------------


def test_incremental_skip_and_rebuild_after_a_catalog_change(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    args = ("batch", "--lang", "es,fr", "--out", str(out), "--jobs", "2")
    assert cli(root, *args)[0] == 0
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    assert len(first) == 2 * len(VARIANTS)
    code, output = cli(root, *args)
    assert code == 0 and counts(output)["skipped"] == len(first)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")} == first
    set_translation(root, "es", "Before your visit", "Antes de venir", leaflet=LEAFLET)
    code, output = cli(root, *args)
    assert code == 0
    assert counts(output) == {"built": 2, "skipped": 2, "refused": 0, "failed": 0}
    rebuilt = {p.name for p in out.glob("*.pdf") if p.stat().st_mtime_ns != first[p.name]}
    assert rebuilt == {name(variant, "es") for variant in VARIANTS}
    assert_manifest_true(out)


def test_broken_catalog_fails_only_its_items(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    path = root / f"locales/fr/LC_MESSAGES/{LEAFLET}.po"
    lines = path.read_text(encoding="utf-8").splitlines()
    # The first translation after the header, cut in half: no closing quote.
    at = next(
        i for i, line in enumerate(lines) if line.startswith('msgstr "') and len(line) > 20 and i
    )
    lines[at] = lines[at][: len(lines[at]) // 2]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, output = cli(root, "batch", "--lang", "es,fr,en", "--jobs", "1", "--out", str(out))
    assert code == 1
    for variant in VARIANTS:
        assert f"failed: {name(variant, 'fr')}: locales/fr/LC_MESSAGES/visit.po:{at + 1}:" in output
    built = assert_manifest_true(out)
    assert {f["lang"] for f in built.values()} == {"en", "es"}
    assert counts(output) == {"built": 4, "skipped": 0, "refused": 0, "failed": 2}


def test_print_edition_refuses_drafts_unless_allowed(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path, print_profile=True)
    out = tmp_path / "out"
    args = ("batch", "--lang", "es", "--edition", "print", "--jobs", "1", "--out", str(out))
    code, output = cli(root, *args)
    assert code == 1
    assert counts(output)["refused"] == len(VARIANTS)
    assert "print edition refuses drafts" in output
    assert not list(out.glob("*.pdf"))
    code, output = cli(root, *args, "--allow-draft")
    assert code == 0, output
    built = assert_manifest_true(out)
    assert set(built) == {name(variant, "es", edition="print") for variant in VARIANTS}
    assert all(f["review_status"] == "draft" and f["edition"] == "print" for f in built.values())


# --- shards, the lock, the bundle ---------------------------------------------------------------


def test_shards_are_disjoint_and_merge_to_the_full_run(
    fixture_project: Project, tmp_path: Path
) -> None:
    langs, papers = ["en", "es"], ["a4", "letter"]
    matrix = plan(fixture_project, langs=langs, papers=papers)
    slices = [shard(matrix, k, 3) for k in (1, 2, 3)]
    names = [r.filename() for s in slices for r in s]
    assert len(names) == len(set(names)) == len(matrix) == len(VARIANTS) * len(langs) * 2
    common = ("batch", "--lang", ",".join(langs), "--paper", ",".join(papers), "--jobs", "1")
    for k in (1, 2, 3):
        out = tmp_path / f"s{k}"
        assert cli(FIXTURE, *common, "--shard", f"{k}/3", "--out", str(out))[0] == 0
        assert set(assert_manifest_true(out)) == {r.filename() for r in slices[k - 1]}
    assert cli(FIXTURE, *common, "--out", str(tmp_path / "full"))[0] == 0
    merged = tmp_path / "merged.json"
    code, _ = cli(
        FIXTURE,
        "manifest",
        "merge",
        *(str(tmp_path / f"s{k}/manifest.json") for k in (1, 2, 3)),
        "-o",
        str(merged),
    )
    assert code == 0
    assert merged.read_bytes() == (tmp_path / "full/manifest.json").read_bytes()
    code, output = cli(FIXTURE, "batch", "--shard", "4/3", "--out", str(tmp_path / "x"))
    assert code == 2 and "K must be from 1 to N" in output


def test_second_batch_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from leaflets.files import output_lock\n"
            "with output_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(30)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        code, output = cli(FIXTURE, "batch", "--out", str(tmp_path))
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert code == 1
    assert "another batch is writing to this folder" in output
    assert not list(tmp_path.glob("*.pdf"))
    code, output = cli(FIXTURE, "batch", "--jobs", "1", "--out", str(tmp_path))
    assert code == 0, "the lock outlived its holder"
    assert_manifest_true(tmp_path)


def test_bundle_for_the_vendor(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path, print_profile=True)
    out = tmp_path / "out"
    langs, papers = ["en", "es"], ["a4", "letter"]
    code, output = cli(
        root,
        *("batch", "--lang", ",".join(langs), "--paper", ",".join(papers)),
        *("--edition", "print", "--allow-draft", "--bundle", "--jobs", "1", "--out", str(out)),
    )
    assert code == 0, output
    on_disk = assert_manifest_true(out)
    with zipfile.ZipFile(out / "bundle.zip") as archive:
        names = set(archive.namelist())
        zipped = {n: archive.read(n) for n in names}
    manifest = json.loads(zipped["manifest.json"])
    entries = {f["path"]: f for f in manifest["files"]}
    assert len(entries) == len(VARIANTS) * len(langs) * len(papers)
    proofs = {f"proof_{paper}.png" for paper in papers}
    assert names == set(entries) | {"manifest.json", "manifest.csv"} | proofs
    assert f"bundle: {out / 'bundle.zip'} ({len(names)} files)" in output
    # The zipped PDFs are the batch's files, byte for byte, as the manifest describes them.
    assert entries == on_disk
    for path, entry in entries.items():
        pdf = zipped[path]
        assert pdf == (out / path).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == entry["sha256"] and len(pdf) == entry["bytes"]
        assert page_count(pdf) == entry["pages"] and entry["edition"] == "print"
    # The CSV says what the JSON says, row by row.
    rows = list(csv.DictReader(io.StringIO(zipped["manifest.csv"].decode())))
    header = "path,sha256,bytes,pages,leaflet,variant,lang,paper,edition"
    assert zipped["manifest.csv"].decode().startswith(header)
    assert len(rows) == len(entries)
    for row in rows:
        assert row == {k: str(v) for k, v in entries[row["path"]].items()}
    # A proof sheet per paper: page 1 of every language, side by side (a portrait page
    # is about 0.7 times as wide as it is tall).
    for proof in proofs:
        assert zipped[proof].startswith(b"\x89PNG")
        with Image.open(io.BytesIO(zipped[proof])) as image:
            assert image.width >= len(langs) * 0.6 * image.height, image.size


# --- interrupted and failed writes, dead workers --------------------------------------------

KILL_AT_THIRD_RENAME = """\
import os, signal, sys
from leaflets import files
from leaflets.cli import main
rename, renamed = files.os.replace, []
def replace(src, dst, *args, **kwargs):
    # The third handout is complete in its temporary file: the batch and its workers
    # are killed before it is renamed.
    if str(dst).endswith(".pdf"):
        renamed.append(dst)
        if len(renamed) == 3:
            os.killpg(0, signal.SIGKILL)
    return rename(src, dst, *args, **kwargs)
files.os.replace = replace
main(sys.argv[1:])
"""


def test_killed_batch_leaves_no_partial_file(tmp_path: Path) -> None:
    """The one real SIGKILL: the batch and its workers die at a set moment (the third
    handout written to its temporary file, not yet renamed), without any clean-up."""
    out = tmp_path / "out"
    args = ["--project", str(FIXTURE), "batch", "--lang", "en,es,fr", "--paper", "a4,letter"]
    args += ["--out", str(out), "--jobs", "2"]
    proc = subprocess.run(
        [sys.executable, "-c", KILL_AT_THIRD_RENAME, *args],
        capture_output=True,
        start_new_session=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    built = sorted(out.glob("*.pdf"))
    assert len(built) == 2, "the batch was not killed in the middle"
    for pdf in built:
        assert complete(pdf.read_bytes()), pdf.name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(e["path"] for e in manifest["files"]) == [p.name for p in built]
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    (left,) = out.glob(".*.pdf.*.tmp")  # the third handout, never renamed
    assert complete(left.read_bytes())
    assert (out / batch.SCRATCH).is_dir()  # the workers' font copies, left behind too
    # The next batch finishes the job and cleans up what the kill left behind.
    code, output = cli(FIXTURE, *args[2:])
    assert code == 0, output
    assert counts(output)["skipped"] == 2
    assert len(assert_manifest_true(out)) == len(VARIANTS) * 3 * 2
    assert not (out / batch.SCRATCH).exists()


def test_workers_of_a_killed_batch_exit_by_themselves(tmp_path: Path) -> None:
    """Only the batch is killed (the out-of-memory killer picks one process): its
    workers see it is gone and exit, instead of waiting for work and holding memory."""
    out = tmp_path / "out"
    args = ["--project", str(FIXTURE), "batch", "--lang", "en,es,fr", "--paper", "a4,letter"]
    args += ["--out", str(out), "--jobs", "2"]
    script = KILL_AT_THIRD_RENAME.replace("os.killpg(0,", "os.kill(os.getpid(),")
    assert script != KILL_AT_THIRD_RENAME
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert proc.wait(timeout=300) == -signal.SIGKILL
    assert len(list(out.glob("*.pdf"))) == 2, "the batch was not killed in the middle"
    assert_group_ended(proc.pid, "worker processes outlived the batch")


def test_the_project_stays_as_it_was(tmp_path: Path) -> None:
    """Batches on the fixture project itself write only to their --out folder."""
    before = {p: p.stat().st_mtime_ns for p in FIXTURE.rglob("*")}
    assert cli(FIXTURE, "batch", "--lang", "en", "--jobs", "1", "--out", str(tmp_path))[0] == 0
    assert {p: p.stat().st_mtime_ns for p in FIXTURE.rglob("*")} == before
    assert load_project(FIXTURE).settings.out_dir == "out"
    assert not (FIXTURE / "out").exists()
