"""The page boxes against the paper: trim size A4 or Letter (from the project's paper
definitions, in points), BleedBox the trim plus the paper's bleed, MediaBox holding the
bleed, every box inside the MediaBox."""

from __future__ import annotations

from typing import Any

from pypdf import PdfReader

from ..config import PAPER_GEOMETRY
from ..errors import Problem
from .common import finding

PT_PER_IN = 72.0


def points(length: str) -> float:
    """A CSS length in millimetres or inches (``"3mm"``, ``"0.125in"``), in points."""
    number, unit = float(length[:-2]), length[-2:]
    if unit == "mm":
        return number / 25.4 * PT_PER_IN
    if unit == "in":
        return number * PT_PER_IN
    raise ValueError(f"not a length in mm or in: {length!r}")


# Trim size and bleed of each paper, in points.
PAPERS = {
    name: (points(paper.width), points(paper.height)) for name, paper in PAPER_GEOMETRY.items()
}
BLEED = {name: points(paper.bleed) for name, paper in PAPER_GEOMETRY.items()}
SAFE_ZONE = 0.125 * PT_PER_IN
TOLERANCE = 0.5


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


def page_box(page: Any, name: str) -> tuple[float, float, float, float]:
    box = page.get(name) or page.mediabox
    return tuple(float(x) for x in box)  # type: ignore[return-value]


def _paper_of(width: float, height: float) -> str | None:
    for paper, (w, h) in PAPERS.items():
        if _close(width, w) and _close(height, h):
            return paper
    return None


def box_findings(path: str, reader: PdfReader) -> list[Problem]:
    """Print edition: each page's TrimBox a paper, its BleedBox the trim plus that
    paper's bleed, its MediaBox holding the bleed; then every box inside the MediaBox."""
    findings = []
    for number, page in enumerate(reader.pages, 1):
        trim = page_box(page, "/TrimBox")
        paper = _paper_of(trim[2] - trim[0], trim[3] - trim[1])
        if "/TrimBox" not in page:
            findings.append(finding(path, "trimbox", f"page {number}: no TrimBox"))
            continue
        if paper is None:
            findings.append(
                finding(
                    path,
                    "trimbox",
                    f"page {number}: trim size {trim[2] - trim[0]:.1f} x "
                    f"{trim[3] - trim[1]:.1f} pt is neither A4 nor Letter",
                )
            )
            continue
        bleed = BLEED[paper]
        want = (trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed)
        have = page_box(page, "/BleedBox") if "/BleedBox" in page else None
        if have is None or not all(_close(a, b) for a, b in zip(have, want, strict=True)):
            findings.append(
                finding(
                    path,
                    "bleedbox",
                    f"page {number}: BleedBox {have} is not the {paper} trim plus "
                    f"{bleed / PT_PER_IN:.3f} in bleed",
                )
            )
        media = page_box(page, "/MediaBox")
        if not (
            media[0] <= want[0] + TOLERANCE
            and media[1] <= want[1] + TOLERANCE
            and media[2] >= want[2] - TOLERANCE
            and media[3] >= want[3] - TOLERANCE
        ):
            findings.append(
                finding(path, "mediabox", f"page {number}: MediaBox does not hold the bleed")
            )
    return findings + _box_nesting_findings(path, reader)


def _box_nesting_findings(path: str, reader: PdfReader) -> list[Problem]:
    findings = []
    for number, page in enumerate(reader.pages, 1):
        media = page_box(page, "/MediaBox")
        boxes = [(name, page_box(page, name)) for name in ("/BleedBox", "/TrimBox") if name in page]
        for name, box in boxes:
            if not (
                box[0] >= media[0] - TOLERANCE
                and box[1] >= media[1] - TOLERANCE
                and box[2] <= media[2] + TOLERANCE
                and box[3] <= media[3] + TOLERANCE
            ):
                findings.append(
                    finding(path, "boxes", f"page {number}: {name[1:]} is not inside the MediaBox")
                )
    return findings
