"""`leaflets batch`: matrix, workers, incremental builds, failures, kills, shards, bundle."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from leaflets.batch import plan, shard
from leaflets.config import load_project

from .conftest import ROOT, cli, copy_project, reader, set_translation


def assert_manifest_true(out: Path) -> dict[str, dict[str, object]]:
    """Every manifest entry describes its file exactly, and every PDF is listed."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {f["path"]: f for f in manifest["files"]}
    for path, entry in files.items():
        data = (out / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), path
        assert entry["bytes"] == len(data)
        assert entry["pages"] == len(reader(data).pages)
        assert path == "{leaflet}_{variant}_{lang}_{paper}_{edition}.pdf".format(**entry)
    assert {p.name for p in out.glob("*.pdf")} == set(files), "PDFs and manifest disagree"
    assert not list(out.glob(".*.tmp")), "temporary files left"
    return files


def test_default_batch_builds_every_configured_language(tmp_path: Path) -> None:
    code, output = cli(ROOT, "batch", "--out", str(tmp_path))
    assert code == 0, output
    files = assert_manifest_true(tmp_path)
    project = load_project(ROOT)
    expected = {
        f"cryoablation_{variant}_{lang}_letter_clinic.pdf"
        for variant in ("percutaneous", "laparoscopic")
        for lang in project.settings.languages
    }
    assert set(files) == expected and len(expected) == 54
    entry = files["cryoablation_percutaneous_en_letter_clinic.pdf"]
    assert entry["review_status"] == "source" and entry["leaflet_version"] == "1.0.0"
    assert files["cryoablation_percutaneous_ar_letter_clinic.pdf"]["review_status"] == "draft"
    assert len(str(entry["inputs"])) == 64
    assert "built    cryoablation_laparoscopic_en_letter_clinic.pdf (4 pages)" in output
    assert "built       54" in output and "failed       0" in output


def test_incremental_skip_and_rebuild_after_a_catalog_change(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    out = tmp_path / "out"
    args = ("batch", "--lang", "es,fr", "--out", str(out), "--jobs", "2")
    assert cli(root, *args)[0] == 0
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    code, output = cli(root, *args)
    assert code == 0 and "skipped      4" in output
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")} == first
    set_translation(root, "es", "Benefits", "Ventajas")
    code, output = cli(root, *args)
    assert code == 0
    assert "built        2" in output and "skipped      2" in output
    rebuilt = {p.name for p in out.glob("*.pdf") if p.stat().st_mtime_ns != first[p.name]}
    assert rebuilt == {
        "cryoablation_percutaneous_es_letter_clinic.pdf",
        "cryoablation_laparoscopic_es_letter_clinic.pdf",
    }
    assert_manifest_true(out)


def test_broken_catalog_fails_only_its_items(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = root / "locales/fr/LC_MESSAGES/cryoablation.po"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and i > 30)
    lines[at] = lines[at][: len(lines[at]) // 2]  # cut a string in half: no closing quote
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, output = cli(root, "batch", "--lang", "es,fr,en", "--out", str(out))
    assert code == 1
    assert (
        f"failed: cryoablation_percutaneous_fr_letter_clinic.pdf: "
        f"locales/fr/LC_MESSAGES/cryoablation.po:{at + 1}:" in output
    )
    assert "Traceback" not in output
    files = assert_manifest_true(out)
    assert {f["lang"] for f in files.values()} == {"en", "es"}
    assert "failed       2" in output and "built        4" in output


def test_print_edition_refuses_drafts_unless_allowed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = cli(ROOT, "batch", "--lang", "es", "--edition", "print", "--out", str(out))
    assert code == 1
    assert "refused      2" in output
    assert "print edition refuses drafts" in output
    code, output = cli(
        ROOT, "batch", "--lang", "es", "--edition", "print", "--allow-draft", "--out", str(out)
    )
    assert code == 0, output
    files = assert_manifest_true(out)
    assert all(f["review_status"] == "draft" and f["edition"] == "print" for f in files.values())


def test_shards_are_disjoint_and_merge_to_the_full_run(tmp_path: Path) -> None:
    project = load_project(ROOT)
    matrix = plan(project, langs=["en", "ko"], papers=["a4", "letter"])
    slices = [shard(matrix, k, 3) for k in (1, 2, 3)]
    names = [r.filename() for s in slices for r in s]
    assert len(names) == len(set(names)) == len(matrix) == 8
    common = ("batch", "--lang", "en,ko", "--paper", "a4,letter")
    for k in (1, 2, 3):
        assert cli(ROOT, *common, "--shard", f"{k}/3", "--out", str(tmp_path / f"s{k}"))[0] == 0
    assert cli(ROOT, *common, "--out", str(tmp_path / "full"))[0] == 0
    merged = tmp_path / "merged.json"
    code, _ = cli(
        ROOT,
        "manifest",
        "merge",
        *(str(tmp_path / f"s{k}/manifest.json") for k in (1, 2, 3)),
        "-o",
        str(merged),
    )
    assert code == 0
    assert merged.read_bytes() == (tmp_path / "full/manifest.json").read_bytes()
    code, output = cli(ROOT, "batch", "--shard", "4/3", "--out", str(tmp_path / "x"))
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
        code, output = cli(ROOT, "batch", "--out", str(tmp_path))
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert code == 1
    assert "another batch is writing to this folder" in output
    assert not list(tmp_path.glob("*.pdf"))
    assert cli(ROOT, "batch", "--out", str(tmp_path))[0] == 0, "the lock outlived its holder"


def test_bundle_for_the_vendor(tmp_path: Path) -> None:
    code, output = cli(
        ROOT,
        "batch",
        "--lang",
        "en,ar",
        "--paper",
        "a4,letter",
        "--edition",
        "print",
        "--allow-draft",
        "--bundle",
        "--out",
        str(tmp_path),
    )
    assert code == 0, output
    with zipfile.ZipFile(tmp_path / "bundle.zip") as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        csv_lines = archive.read("manifest.csv").decode().splitlines()
        proof = archive.read("proof_a4.png")
    pdfs = {f["path"] for f in manifest["files"]}
    assert len(pdfs) == 8 and pdfs <= names
    assert {"manifest.json", "manifest.csv", "proof_a4.png", "proof_letter.png"} <= names
    assert csv_lines[0].startswith("path,sha256,bytes,pages,leaflet,variant,lang,paper,edition")
    assert len(csv_lines) == 9
    assert proof.startswith(b"\x89PNG")


def test_killed_batch_leaves_no_partial_file(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        str(ROOT / "cli.py"),
        "--project",
        str(root),
        "batch",
        "--lang",
        "en,es,fr,ru,vi,ko",
        "--paper",
        "a4,letter",
        "--out",
        str(out),
        "--jobs",
        "2",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.pdf"))) < 3:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    built = list(out.glob("*.pdf"))
    assert 3 <= len(built) < 24, "the batch was not killed in the middle"
    for pdf in built:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), pdf.name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    # The next batch finishes the job and cleans up what the kill left behind.
    code, output = cli(
        root, "batch", "--lang", "en,es,fr,ru,vi,ko", "--paper", "a4,letter", "--out", str(out)
    )
    assert code == 0, output
    assert len(assert_manifest_true(out)) == 24


@pytest.mark.parametrize("option", ["--lang", "--paper", "--edition", "--variant", "--leaflet"])
def test_unknown_matrix_values_exit_2(option: str, tmp_path: Path) -> None:
    code, output = cli(ROOT, "batch", option, "nonsense", "--out", str(tmp_path))
    assert code == 2
    assert "valid values:" in output
