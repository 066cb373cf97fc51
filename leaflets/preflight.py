"""Checks on finished PDFs, as a print vendor's preflight would run them.

Print edition: trim and bleed boxes against the paper, fonts embedded, no RGB
colour anywhere (content, forms, images, shadings), an output intent, text
inside the safe zone, and the page count. Clinic edition: tagged, with a
language and a title. Every problem is ``path: code: message``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream

PT_PER_IN = 72.0
PAPERS = {"a4": (595.276, 841.89), "letter": (612.0, 792.0)}
BLEED = {"a4": 3 / 25.4 * PT_PER_IN, "letter": 0.125 * PT_PER_IN}
SAFE_ZONE = 0.125 * PT_PER_IN
TOLERANCE = 0.5
RGB_SPACES = {"/DeviceRGB", "/CalRGB"}


@dataclass(frozen=True)
class Finding:
    path: str
    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}: {self.code}: {prefix}{self.message}"


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


def _box(page: Any, name: str) -> tuple[float, float, float, float]:
    box = page.get(name) or page.mediabox
    return tuple(float(x) for x in box)  # type: ignore[return-value]


def _paper_of(width: float, height: float) -> str | None:
    for paper, (w, h) in PAPERS.items():
        if _close(width, w) and _close(height, h):
            return paper
    return None


def _space_is_rgb(space: Any, resources: Any) -> bool:
    """Whether a colour space (a name or an array) paints in RGB."""
    space = space.get_object() if hasattr(space, "get_object") else space
    if isinstance(space, str):
        if space in RGB_SPACES:
            return True
        named = (resources.get("/ColorSpace") or {}) if resources is not None else {}
        named = named.get_object() if hasattr(named, "get_object") else named
        if space in named:
            return _space_is_rgb(named[space], None)
        return False
    if isinstance(space, list) and space:
        family = str(space[0])
        if family in RGB_SPACES:
            return True
        if family == "/ICCBased":
            return int(space[1].get_object().get("/N", 0)) == 3
        if family == "/Indexed":
            return _space_is_rgb(space[1], resources)
    return False


def _streams(reader: PdfReader) -> Iterator[tuple[int, Any, Any]]:
    """(page number, content stream owner, resources) for every page and Form XObject."""
    for number, page in enumerate(reader.pages, 1):
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        yield number, page, resources
        seen: set[int] = set()
        stack = [resources]
        while stack:
            res = stack.pop()
            xobjects = res.get("/XObject")
            if xobjects is None:
                continue
            for ref in xobjects.get_object().values():
                key = getattr(ref, "idnum", id(ref))
                if key in seen:
                    continue
                seen.add(key)
                xobject = ref.get_object()
                if xobject.get("/Subtype") == "/Form":
                    inner = xobject.get("/Resources")
                    inner = inner.get_object() if inner is not None else res
                    yield number, xobject, inner
                    stack.append(inner)


def _colour_findings(path: str, reader: PdfReader) -> list[Finding]:
    found: dict[tuple[int, str], str] = {}
    for number, owner, resources in _streams(reader):
        if owner.get("/Subtype") == "/Form" or "/Contents" in owner:
            contents = owner.get_contents() if "/Contents" in owner else owner
            if contents is None:
                continue
            try:
                operations = ContentStream(contents, reader).operations
            except (PdfReadError, ValueError, KeyError):
                found[(number, "unreadable")] = "a content stream cannot be parsed"
                continue
            fill_rgb = stroke_rgb = False
            for operands, operator in operations:
                if operator in (b"rg", b"RG"):
                    found[(number, "op")] = f"RGB colour operator {operator.decode()}"
                elif operator == b"cs":
                    fill_rgb = _space_is_rgb(operands[0], resources)
                elif operator == b"CS":
                    stroke_rgb = _space_is_rgb(operands[0], resources)
                elif operator in (b"sc", b"scn") and fill_rgb:
                    found[(number, "op")] = "RGB fill colour"
                elif operator in (b"SC", b"SCN") and stroke_rgb:
                    found[(number, "op")] = "RGB stroke colour"
                elif operator == b"INLINE IMAGE":
                    space = operands.get("/CS") or operands.get("/ColorSpace")
                    if space is not None and _space_is_rgb(space, resources):
                        found[(number, "image")] = "RGB inline image"
        xobjects = resources.get("/XObject")
        for ref in xobjects.get_object().values() if xobjects is not None else ():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image" and _space_is_rgb(
                xobject.get("/ColorSpace", "/DeviceGray"), resources
            ):
                found[(number, "image")] = "RGB image"
        shadings = resources.get("/Shading")
        for ref in shadings.get_object().values() if shadings is not None else ():
            if _space_is_rgb(ref.get_object().get("/ColorSpace"), resources):
                found[(number, "shading")] = "RGB shading (gradient)"
    return [Finding(path, "rgb", f"page {n}: {what}") for (n, _), what in sorted(found.items())]


def _font_findings(path: str, reader: PdfReader) -> list[Finding]:
    findings = []
    reported: set[str] = set()
    for number, _owner, resources in _streams(reader):
        fonts = resources.get("/Font")
        for ref in fonts.get_object().values() if fonts is not None else ():
            font = ref.get_object()
            name = str(font.get("/BaseFont", "?"))
            descriptors = [
                d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])
            ]
            if not descriptors:
                descriptors = [font.get("/FontDescriptor")]
            embedded = all(
                d is not None
                and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                for d in descriptors
            )
            if not embedded and name not in reported:
                reported.add(name)
                findings.append(
                    Finding(
                        path, "font-not-embedded", f"page {number}: font {name} is not embedded"
                    )
                )
    return findings


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


def _safe_zone_findings(path: str, reader: PdfReader) -> list[Finding]:
    findings = []
    for number, page in enumerate(reader.pages, 1):
        outside = _text_outside(page, _box(page, "/TrimBox"))
        if outside:
            distance = f"{SAFE_ZONE / PT_PER_IN:g} in"
            findings.append(
                Finding(
                    path,
                    "safe-zone",
                    f"page {number}: text within {distance} of the trim edge: {outside[0]!r}",
                )
            )
    return findings


def detect_edition(reader: PdfReader, path: Path) -> str:
    stem = path.stem
    if stem.endswith("_print"):
        return "print"
    if stem.endswith("_clinic"):
        return "clinic"
    info: dict[str, Any] = dict(reader.metadata or {})
    return "print" if "/GTS_PDFXVersion" in info else "clinic"


def preflight_bytes(
    data: bytes,
    shown: str,
    edition: str | None = None,
    saddle_stitch: bool = False,
    max_pages: int | None = None,
) -> list[Finding]:
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = reader.pages
        count = len(pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        return [Finding(shown, "unreadable", f"not a readable PDF: {exc}")]
    if count == 0:
        return [Finding(shown, "pages", "the PDF has no pages")]
    edition = edition or detect_edition(reader, Path(shown))
    findings: list[Finding] = []
    if max_pages is not None and count > max_pages:
        findings.append(
            Finding(shown, "pages", f"{count} pages, more than the budget of {max_pages}")
        )
    if saddle_stitch and count % 4:
        findings.append(
            Finding(
                shown,
                "pages",
                f"{count} pages: saddle-stitched booklets need a multiple of 4",
                "warning",
            )
        )
    findings += _font_findings(shown, reader)
    if edition == "print":
        for number, page in enumerate(pages, 1):
            trim = _box(page, "/TrimBox")
            paper = _paper_of(trim[2] - trim[0], trim[3] - trim[1])
            if "/TrimBox" not in page:
                findings.append(Finding(shown, "trimbox", f"page {number}: no TrimBox"))
                continue
            if paper is None:
                findings.append(
                    Finding(
                        shown,
                        "trimbox",
                        f"page {number}: trim size {trim[2] - trim[0]:.1f} x "
                        f"{trim[3] - trim[1]:.1f} pt is neither A4 nor Letter",
                    )
                )
                continue
            bleed = BLEED[paper]
            want = (trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed)
            have = _box(page, "/BleedBox") if "/BleedBox" in page else None
            if have is None or not all(_close(a, b) for a, b in zip(have, want, strict=True)):
                findings.append(
                    Finding(
                        shown,
                        "bleedbox",
                        f"page {number}: BleedBox {have} is not the {paper} trim plus "
                        f"{bleed / PT_PER_IN:.3f} in bleed",
                    )
                )
            media = _box(page, "/MediaBox")
            if not (
                media[0] <= want[0] + TOLERANCE
                and media[1] <= want[1] + TOLERANCE
                and media[2] >= want[2] - TOLERANCE
                and media[3] >= want[3] - TOLERANCE
            ):
                findings.append(
                    Finding(shown, "mediabox", f"page {number}: MediaBox does not hold the bleed")
                )
        findings += _colour_findings(shown, reader)
        root: Any = reader.trailer["/Root"]
        intents = root.get("/OutputIntents")
        if not intents or not any("/DestOutputProfile" in i.get_object() for i in intents):
            findings.append(Finding(shown, "output-intent", "no output intent with a CMYK profile"))
        findings += _safe_zone_findings(shown, reader)
    else:
        root = reader.trailer["/Root"]
        mark = root.get("/MarkInfo")
        if "/StructTreeRoot" not in root or not (mark and mark.get_object().get("/Marked")):
            findings.append(Finding(shown, "untagged", "not a tagged PDF"))
        if not str(root.get("/Lang", "")).strip():
            findings.append(Finding(shown, "lang", "no document language (/Lang)"))
        info = reader.metadata
        if not (info and (info.title or "").strip()):
            findings.append(Finding(shown, "title", "no document title"))
    return findings


def preflight_file(path: Path, shown: str | None = None, **options: Any) -> list[Finding]:
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Finding(shown, "unreadable", exc.strerror or str(exc))]
    return preflight_bytes(data, shown, **options)
