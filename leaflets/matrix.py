"""The build matrix: which handouts a batch makes (every combination of the options,
in a fixed order) and the disjoint slices of it that shards build."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from .config import EDITIONS, LAYOUTS, PAPERS, Project
from .errors import UnknownChoiceError, UsageProblem
from .request import BuildRequest


def _pick(kind: str, wanted: list[str] | None, valid: Iterable[str]) -> list[str]:
    valid = list(valid)
    if not wanted:
        return valid
    for value in wanted:
        if value not in valid:
            raise UnknownChoiceError(kind, value, valid)
    return [v for v in valid if v in wanted]


def plan(
    project: Project,
    leaflets: list[str] | None = None,
    variants: list[str] | None = None,
    langs: list[str] | None = None,
    papers: list[str] | None = None,
    editions: list[str] | None = None,
    layouts: list[str] | None = None,
    *,
    allow_draft: bool = False,
    allow_incomplete: bool = False,
    marks: bool = False,
) -> list[BuildRequest]:
    """Every handout of the matrix, in a fixed order. Defaults come from leaflets.toml:
    every leaflet and variant, its configured languages, the default paper, clinic."""
    chosen = _pick("leaflet", leaflets, project.leaflets)
    all_variants = sorted({v.id for lf in chosen for v in project.leaflets[lf].variants})
    _pick("variant", variants, all_variants)
    all_langs = sorted({lang for lf in chosen for lang in project.languages(lf)})
    _pick("language", langs, all_langs)
    paper_list = _pick("paper", papers or [project.settings.default_paper], PAPERS)
    edition_list = _pick("edition", editions or ["clinic"], EDITIONS)
    layout_list = _pick("layout", layouts or ["standard"], LAYOUTS)
    source = project.settings.source_language
    requests = []
    for leaflet_id in chosen:
        leaflet = project.leaflets[leaflet_id]
        available = project.languages(leaflet_id)
        lang_list = [x for x in (langs or project.settings.languages) if x in available]
        for variant, lang, paper, edition, layout in itertools.product(
            [v.id for v in leaflet.variants if not variants or v.id in variants],
            lang_list,
            paper_list,
            edition_list,
            layout_list,
        ):
            if layout == "bilingual" and lang == source:
                continue  # the source beside itself: nothing to pair
            requests.append(
                BuildRequest(
                    leaflet_id,
                    variant,
                    lang,
                    paper,
                    edition,
                    allow_incomplete=allow_incomplete,
                    allow_draft=allow_draft,
                    marks=marks and edition == "print",
                    layout=layout,
                )
            )
    if "bilingual" in layout_list and not any(r.layout == "bilingual" for r in requests):
        raise UsageProblem(
            f"--layout bilingual pairs {source} with the patient's language, and the only "
            f"language asked for is {source} itself: choose the patient's languages"
        )
    return sorted(requests, key=BuildRequest.filename)


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageProblem(f"--shard {text!r}: expected K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise UsageProblem(f"--shard {text!r}: K must be from 1 to N")
    return k, n


def shard(requests: list[BuildRequest], k: int, n: int) -> list[BuildRequest]:
    """The K-th of N disjoint slices; together the N slices are the whole matrix."""
    ordered = sorted(requests, key=BuildRequest.filename)
    return [r for i, r in enumerate(ordered) if i % n == k - 1]
