#!/usr/bin/env python3
"""Benchmark: how much of each handout's text its PDF text layer gives back.

For every language with a catalog, renders both variants (Letter, clinic
edition) and reads the text back with poppler's pdftotext, PDFium (pypdfium2)
and pypdf. Prints, per language and extractor, the share of the words the
handout prints (its HTML body, both variants) found in the extracted text,
line-end hyphens joined; scripts without spaces are compared without white
space. "before" is WeasyPrint's own text layer (ToUnicode only), "after" the
project's (with /ActualText, and codes of their own with their text in
ToUnicode for the glyphs of clusters that do not map one to one,
leaflets/textlayer/). pypdf ignores /ActualText: its figure shows what a
ToUnicode-only reader gets. Asserts nothing.

Usage: .venv/bin/python bench/text_layer_bench.py [--langs hi,ar,th] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leaflets.catalog import load_catalog  # noqa: E402
from leaflets.config import load_project  # noqa: E402
from leaflets.process import setup_process  # noqa: E402
from leaflets.render import BuildRequest, Renderer, resolve  # noqa: E402
from tests.text_layer import EXTRACTORS, recovered, shown_words  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="", help="comma-separated; default: every catalog")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    project = load_project(ROOT)
    setup_process(project.fonts_dir)
    renderer = Renderer(project)
    leaflet = project.leaflets["cryoablation"]
    langs = args.langs.split(",") if args.langs else list(project.languages(leaflet.id))[1:]
    extractors = EXTRACTORS
    names = list(extractors)
    header = ["lang", "words"] + [f"{n} {when}" for n in names for when in ("before", "after")]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
    else:
        print(" ".join(f"{h:>16}" for h in header))
    for lang in langs:
        words: list[str] = []
        texts: dict[tuple[str, str], list[str]] = {}
        for variant in leaflet.variants:
            request = BuildRequest(leaflet.id, variant.id, lang, "letter", allow_incomplete=True)
            r = resolve(project, request)
            catalog = load_catalog(project, leaflet, lang)
            words += shown_words(renderer.html(r, catalog), lang)
            for when, actual in (("before", False), ("after", True)):
                renderer.actual_text = actual
                pdf = renderer.render(request).pdf
                for name, extract in extractors.items():
                    texts.setdefault((name, when), []).append(extract(pdf))
        cells = [lang, str(len(words))]
        for name in names:
            for when in ("before", "after"):
                share = recovered(words, "\n".join(texts[name, when]), lang)
                cells.append(f"{100 * share:.1f} %")
        if args.markdown:
            print("| " + " | ".join(cells) + " |", flush=True)
        else:
            print(" ".join(f"{c:>16}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
