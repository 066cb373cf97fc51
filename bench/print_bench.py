#!/usr/bin/env python3
"""Benchmark: CPU per handout, clinic edition against print edition. Prints figures;
asserts nothing.

One process, one Renderer (as a batch worker has): each language is rendered once in
each edition to warm up, then --rounds more times; the figure is the median CPU time
(process time, not wall time) of one render. The print edition is also timed with the
preflight a batch runs on it before writing, and rendered once more with the output
intent given by registry name instead of an embedded profile, for the file sizes.

Goal: print edition at most 1.5 x the clinic edition's CPU per handout.

Usage: .venv/bin/python bench/print_bench.py [--langs en,ar,hi,...] [--paper a4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leaflets.config import load_project  # noqa: E402
from leaflets.pdfx import OutputIntent  # noqa: E402
from leaflets.preflight import preflight_bytes  # noqa: E402
from leaflets.process import setup_process  # noqa: E402
from leaflets.render import ICC_PROFILE, BuildRequest, Renderer  # noqa: E402


def cpu(action: object) -> tuple[float, object]:
    started = time.process_time()
    result = action()  # type: ignore[operator]
    return time.process_time() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="en,es,ar,hi,ru,vi,zh_Hans,ko")
    parser.add_argument("--paper", default="a4")
    parser.add_argument("--variant", default="laparoscopic")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    project = load_project(ROOT)
    langs = args.langs.split(",")

    def request(lang: str, edition: str) -> BuildRequest:
        return BuildRequest(
            "cryoablation", args.variant, lang, args.paper, edition=edition, allow_draft=True
        )

    prepare, _ = cpu(lambda: OutputIntent.load("embedded", project.templates_dir / ICC_PROFILE))
    setup_process(project.fonts_dir)  # this script owns its process
    renderer = Renderer(project)
    sizes: dict[str, int] = {}
    for lang in langs:  # warm-up: fonts loaded, output intent prepared
        for edition in ("clinic", "print"):
            renderer.render(request(lang, edition))

    print(f"{len(langs)} languages, {args.paper}, {args.variant}, median of {args.rounds} rounds")
    print(f"{'lang':8} {'clinic s':>9} {'print s':>9} {'ratio':>6} {'print+preflight s':>18}")
    totals = {"clinic": 0.0, "print": 0.0, "checked": 0.0}
    for lang in langs:
        times: dict[str, list[float]] = {key: [] for key in totals}
        for _ in range(args.rounds):
            for edition in ("clinic", "print"):
                seconds, result = cpu(lambda e=edition, x=lang: renderer.render(request(x, e)))
                times[edition].append(seconds)
                if edition == "print":
                    pdf = result.pdf  # type: ignore[attr-defined]
                    sizes[lang] = len(pdf)
                    check, _ = cpu(lambda p=pdf: preflight_bytes(p, "x_print.pdf"))
                    times["checked"].append(seconds + check)
        median = {key: statistics.median(values) for key, values in times.items()}
        for key in totals:
            totals[key] += median[key]
        print(
            f"{lang:8} {median['clinic']:9.3f} {median['print']:9.3f} "
            f"{median['print'] / median['clinic']:6.2f} {median['checked']:18.3f}"
        )
    n = len(langs)
    print(
        f"{'mean':8} {totals['clinic'] / n:9.3f} {totals['print'] / n:9.3f} "
        f"{totals['print'] / totals['clinic']:6.2f} {totals['checked'] / n:18.3f}"
    )
    print(f"print / clinic CPU per handout: {totals['print'] / totals['clinic']:.2f}   goal <= 1.5")
    print(
        f"with the batch's preflight of the print file: "
        f"{totals['checked'] / totals['clinic']:.2f} x clinic"
    )
    print(f"output intent prepared once per Renderer: {prepare:.3f} s CPU (profile compressed)")

    settings = dataclasses.replace(project.settings, output_intent="registry")
    registry = Renderer(dataclasses.replace(project, settings=settings))
    print()
    print(f"{'lang':8} {'embedded KB':>12} {'registry KB':>12}")
    for lang in langs:
        small = len(registry.render(request(lang, "print")).pdf)
        print(f"{lang:8} {sizes[lang] / 1024:12.0f} {small / 1024:12.0f}")
    registry.close()
    renderer.close()


if __name__ == "__main__":
    main()
