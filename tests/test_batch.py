"""`leaflets batch` (what `make build` runs): every default handout plus a manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from leaflets.cli import main

from .conftest import ROOT, reader


def test_batch_builds_both_variants_and_a_true_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(ROOT), "batch", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    files = {f["path"]: f for f in manifest["files"]}
    assert set(files) >= {
        "cryoablation_percutaneous_en_letter_clinic.pdf",
        "cryoablation_laparoscopic_en_letter_clinic.pdf",
    }
    for path, entry in files.items():
        data = (tmp_path / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        assert entry["pages"] == len(reader(data).pages)
        name = "{leaflet}_{variant}_{lang}_{paper}_{edition}.pdf".format(**entry)
        assert name == path
        assert entry["edition"] == "clinic" and entry["paper"] == "letter"
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left"
