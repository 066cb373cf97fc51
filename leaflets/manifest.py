"""``manifest.json``: the list of every complete handout in an output folder, with its
hashes, pages and what it was made from; and the merge of shards' manifests."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from .errors import LeafletsError
from .files import sha256_file, write_atomic

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    bytes: int
    pages: int
    leaflet: str
    variant: str
    lang: str
    paper: str
    edition: str
    layout: str = "standard"
    review_status: str = ""
    leaflet_version: str = ""
    inputs: str = ""  # content hash of everything the file was made from

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ManifestEntry:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class Manifest:
    """``manifest.json``: every complete file in the folder, and nothing else."""

    def __init__(self, out_dir: Path, entries: dict[str, ManifestEntry] | None = None) -> None:
        self.out_dir = out_dir
        self.entries = entries or {}

    @classmethod
    def load(cls, out_dir: Path, verify: bool = True) -> Manifest:
        """Read the manifest, keeping only entries whose file exists with that hash."""
        path = out_dir / MANIFEST
        entries: dict[str, ManifestEntry] = {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8")).get("files", [])
        except (OSError, ValueError, AttributeError):
            raw = []
        for item in raw:
            try:
                entry = ManifestEntry.from_dict(item)
            except TypeError:
                continue
            target = out_dir / entry.path
            if not verify or (target.is_file() and sha256_file(target) == entry.sha256):
                entries[entry.path] = entry
        return cls(out_dir, entries)

    def to_json(self) -> bytes:
        data = {"files": [asdict(self.entries[k]) for k in sorted(self.entries)]}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def to_csv(self) -> bytes:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, [f.name for f in fields(ManifestEntry)], lineterminator="\n")
        writer.writeheader()
        for key in sorted(self.entries):
            writer.writerow(asdict(self.entries[key]))
        return buf.getvalue().encode("utf-8")

    def save(self) -> None:
        write_atomic(self.out_dir / MANIFEST, self.to_json())


def merge_manifests(paths: Iterable[Path]) -> bytes:
    """Join shard manifests into one, as a single machine would have written it."""
    merged: dict[str, ManifestEntry] = {}
    for path in paths:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LeafletsError(f"not a manifest: {exc}", path) from None
        for item in raw:
            entry = ManifestEntry.from_dict(item)
            if entry.path in merged and merged[entry.path] != entry:
                raise LeafletsError(f"{entry.path} differs between shards", path)
            merged[entry.path] = entry
    return Manifest(Path("."), merged).to_json()
