"""Text inside the safe zone: no text run starts within an eighth of an inch of the trim
edge (a quick look at the matrices first, text extraction where that cannot tell)."""

from __future__ import annotations

from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream

from ..errors import Problem
from .common import finding, resolve
from .geometry import PT_PER_IN, SAFE_ZONE, TOLERANCE, page_box


def _text_outside(page: Any, trim: tuple[float, float, float, float]) -> list[str]:
    """Text runs whose start lies less than the safe distance inside the trim edge."""
    x0, y0, x1, y1 = trim
    outside: list[str] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if not text.strip():
            return
        # Text position in page space: the text matrix placed by the current matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        inside_x = x0 + SAFE_ZONE - TOLERANCE <= x <= x1 - SAFE_ZONE + TOLERANCE
        inside_y = y0 + SAFE_ZONE - TOLERANCE <= y <= y1 - SAFE_ZONE + TOLERANCE
        if not (inside_x and inside_y):
            outside.append(text.strip()[:30])

    page.extract_text(visitor_text=visit)
    return outside


def _multiply(m: list[float], n: list[float]) -> list[float]:
    """The matrix product m x n of two PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    return [
        a * n[0] + b * n[2],
        a * n[1] + b * n[3],
        c * n[0] + d * n[2],
        c * n[1] + d * n[3],
        e * n[0] + f * n[2] + n[4],
        e * n[1] + f * n[3] + n[5],
    ]


def _all_text_inside(page: Any, trim: tuple[float, float, float, float]) -> bool:
    """True when every text-showing operator of an already parsed page starts inside
    the safe zone, found from its matrices alone. Text extraction (which decodes the
    text to skip blank runs) is most of preflight's time: it is only needed for pages
    where this quick look finds a start outside, or cannot tell."""
    contents = resolve(page.get("/Contents"))
    if not isinstance(contents, ContentStream):
        return False
    x0, y0, x1, y1 = trim
    identity = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    ctm, tm, tlm, leading = identity, identity, identity, 0.0
    stack: list[list[float]] = []
    xobjects = resolve(resolve(page.get("/Resources") or {}).get("/XObject")) or {}
    try:
        for operands, operator in contents.operations:
            if operator == b"q":
                stack.append(ctm)
            elif operator == b"Q":
                ctm = stack.pop() if stack else identity
            elif operator == b"cm":
                ctm = _multiply([float(v) for v in operands], ctm)
            elif operator == b"BT":
                tm = tlm = identity
            elif operator == b"Tm":
                tm = tlm = [float(v) for v in operands]
            elif operator in (b"Td", b"TD"):
                tx, ty = float(operands[0]), float(operands[1])
                leading = -ty if operator == b"TD" else leading
                tm = tlm = _multiply([1, 0, 0, 1, tx, ty], tlm)
            elif operator == b"TL":
                leading = float(operands[0])
            elif operator in (b"T*", b"'", b'"'):
                tm = tlm = _multiply([1, 0, 0, 1, 0, -leading], tlm)
            elif operator == b"Do":
                form = resolve(xobjects.get(operands[0])) if operands else None
                if form is None or (form.get("/Subtype") == "/Form" and b"BT" in form.get_data()):
                    return False
            if operator in (b"Tj", b"TJ", b"'", b'"'):
                x = tm[4] * ctm[0] + tm[5] * ctm[2] + ctm[4]
                y = tm[4] * ctm[1] + tm[5] * ctm[3] + ctm[5]
                inside_x = x0 + SAFE_ZONE - TOLERANCE <= x <= x1 - SAFE_ZONE + TOLERANCE
                inside_y = y0 + SAFE_ZONE - TOLERANCE <= y <= y1 - SAFE_ZONE + TOLERANCE
                if not (inside_x and inside_y):
                    return False
    except (ValueError, TypeError, IndexError, PdfReadError):
        return False
    return True


def safe_zone_findings(path: str, reader: PdfReader) -> list[Problem]:
    findings = []
    for number, page in enumerate(reader.pages, 1):
        trim = page_box(page, "/TrimBox")
        if _all_text_inside(page, trim):
            continue
        outside = _text_outside(page, trim)
        if outside:
            distance = f"{SAFE_ZONE / PT_PER_IN:g} in"
            findings.append(
                finding(
                    path,
                    "safe-zone",
                    f"page {number}: text within {distance} of the trim edge: {outside[0]!r}",
                )
            )
    return findings
