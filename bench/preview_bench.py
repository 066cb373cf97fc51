#!/usr/bin/env python3
"""Benchmark: how long `leaflets preview` takes from a saved catalog to a new PDF.

Copies the project to a temporary folder, starts a preview session for each
language given, saves a change to its catalog a few times and prints the
seconds from save to new PDF. Goal: well under 2 s per save. Asserts nothing.

Usage: .venv/bin/python bench/preview_bench.py [--langs ar,hi,zh_Hans,es] [--saves 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import polib  # noqa: E402

from leaflets.config import load_project  # noqa: E402
from leaflets.preview import Preview  # noqa: E402
from leaflets.process import setup_process  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="ar,hi,zh_Hans,es")
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leaflets-preview-bench-") as tmp:
        root = Path(tmp) / "project"
        for name in ("templates", "fonts", "locales"):
            shutil.copytree(ROOT / name, root / name)
        shutil.copy(ROOT / "leaflets.toml", root / "leaflets.toml")
        project = load_project(root)
        setup_process(project.fonts_dir)  # this script owns its process
        for lang in args.langs.split(","):
            session = Preview(
                project, "cryoablation", "percutaneous", lang, "letter", Path(tmp) / "preview"
            )
            lines = session.run(interval=0.05)
            started = time.perf_counter()
            next(lines)
            first = time.perf_counter() - started
            next(lines)  # "watching ..."
            path = project.catalog_path("cryoablation", lang)
            timings = []
            for n in range(args.saves):
                po = polib.pofile(str(path))
                entry = po.find("Benefits")
                assert entry is not None
                entry.msgstr = entry.msgstr.rstrip(" .") + " " + "." * (n % 2)
                saved = time.perf_counter()
                po.save(str(path))
                line = next(lines)
                timings.append(time.perf_counter() - saved)
                assert line.startswith("rendered"), line
            lines.close()
            print(
                f"{lang:8} first render {first:.2f} s; save -> new PDF: "
                f"min {min(timings):.2f} s, max {max(timings):.2f} s"
            )


if __name__ == "__main__":
    main()
