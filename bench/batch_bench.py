#!/usr/bin/env python3
"""Benchmark: the same handout matrix built four ways. Prints figures; asserts nothing.

(a) naive: one `weasyprint` command-line process per handout, on the same HTML;
(b) `leaflets batch --jobs 1`;
(c) `leaflets batch` with the default jobs (one per core);
(d) (c) again with nothing changed;
plus the peak memory of the largest process of (b) and of (c).

Goals: (c) <= 0.2 x (a); (c) <= 0.6 x (b); (d) < 5 % of (c); peak RSS per
worker < 300 MB with CJK languages in the matrix.

Usage: .venv/bin/python bench/batch_bench.py [--langs en,es,zh_Hans,...] [--papers a4,letter]
Default: every shipped language, both variants, both papers (52 handouts).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leaflets.batch import plan  # noqa: E402
from leaflets.catalog import load_catalog  # noqa: E402
from leaflets.config import load_project  # noqa: E402
from leaflets.process import setup_process  # noqa: E402
from leaflets.render import Renderer, resolve  # noqa: E402

BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and the peak RSS (MB) of the largest process the command ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="en,ar,es,fr,hi,ht,ko,pt_BR,ru,tl,vi,zh_Hans,zh_Hant")
    parser.add_argument("--papers", default="a4,letter")
    args = parser.parse_args()
    project = load_project(ROOT)
    requests = plan(
        project, langs=args.langs.split(","), papers=args.papers.split(","), allow_draft=True
    )
    n = len(requests)
    print(f"matrix: {n} handouts ({args.langs}; {args.papers}; both variants; clinic edition)")
    print(f"machine: {os.cpu_count()} cores")

    before = set(Path(tempfile.gettempdir()).glob("weasyprint-*"))
    with tempfile.TemporaryDirectory(prefix="leaflets-bench-") as tmp:
        work = Path(tmp)
        # (a) The same HTML our renderer feeds WeasyPrint, one process per handout.
        setup_process(project.fonts_dir)  # this script owns its process
        html_dir = work / "html"
        html_dir.mkdir()
        with Renderer(project) as renderer:
            for request in requests:
                r = resolve(project, request)
                html = renderer.html(r, load_catalog(project, r.leaflet, request.lang))
                (html_dir / f"{request.filename()}.html").write_text(html, encoding="utf-8")
        naive_out = work / "naive"
        naive_out.mkdir()
        started = time.perf_counter()
        for request in requests:
            subprocess.run(
                [
                    str(BIN / "weasyprint"),
                    "--pdf-variant",
                    "pdf/ua-1",
                    str(html_dir / f"{request.filename()}.html"),
                    str(naive_out / request.filename()),
                ],
                check=True,
                capture_output=True,
            )
        a = time.perf_counter() - started

        base = [
            str(BIN / "leaflets"),
            "--project",
            str(ROOT),
            "batch",
            "--lang",
            args.langs,
            "--paper",
            args.papers,
        ]
        b, rss_b = timed([*base, "--jobs", "1", "--out", str(work / "one")])
        shutil.rmtree(work / "one")
        c, rss_c = timed([*base, "--out", str(work / "many")])
        d, _ = timed([*base, "--out", str(work / "many")])
        leftovers = set(Path(tempfile.gettempdir()).glob("weasyprint-*")) - before

    print()
    print(f"(a) naive, one weasyprint process each : {a:7.2f} s  ({a / n:.2f} s/handout)")
    print(f"(b) leaflets batch --jobs 1            : {b:7.2f} s  ({b / n:.2f} s/handout)")
    print(f"(c) leaflets batch (default jobs)      : {c:7.2f} s  ({c / n:.2f} s/handout)")
    print(f"(d) (c) again, nothing changed         : {d:7.2f} s")
    print()
    print(f"(c)/(a) = {c / a:.3f}   goal <= 0.2")
    print(f"(c)/(b) = {c / b:.3f}   goal <= 0.6")
    print(f"(d)/(c) = {d / c:.3f}   goal < 0.05")
    print(f"peak RSS, largest process: (b) {rss_b} MB, (c) {rss_c} MB   goal < 300 MB per worker")
    print(f"temporary folders left in {tempfile.gettempdir()} by the batches: {len(leftovers)}")


if __name__ == "__main__":
    main()
