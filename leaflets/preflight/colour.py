"""Checks on finished PDFs, as a print vendor's preflight would run them.

Print edition, the rules of PDF/X-1a:2003 as preflight tools apply them: PDF 1.4
at most; GTS_PDFXVersion, Title, dates and Trapped in the document information;
a trailer /ID; exactly one GTS_PDFX output intent with a condition identifier and
an embedded CMYK output profile or a registry name; TrimBox and BleedBox inside
the MediaBox, trim and bleed against the paper; fonts embedded; colour only in
DeviceCMYK or DeviceGray (no RGB, ICC-based or CIE-based space anywhere: content,
forms, patterns, images, shadings, annotation appearances, resources); no
transparency (soft masks, constant alpha below 1, blend modes, transparency
groups), transfer functions or LZW; no encryption, JavaScript, actions, forms or
attachments; no annotations inside the trim; plus text inside the safe zone and the
page count. Clinic edition: tagged, with a language and a title. Every problem is a
:class:`~leaflets.errors.Problem` (``path: severity code: message``), with the page
in its message where there is one.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream, NameObject

from .errors import ERROR, WARNING, Problem, Severity

PT_PER_IN = 72.0
PAPERS = {"a4": (595.276, 841.89), "letter": (612.0, 792.0)}
BLEED = {"a4": 3 / 25.4 * PT_PER_IN, "letter": 0.125 * PT_PER_IN}
SAFE_ZONE = 0.125 * PT_PER_IN
TOLERANCE = 0.5


def _finding(path: str, code: str, message: str, severity: Severity = ERROR) -> Problem:
    """A problem of a whole PDF file (no line: the page, if any, is in the message)."""
    return Problem(path, None, severity, code, message)


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


# PDF/X-1a:2003 paints in these families only (Pattern, Indexed, Separation and DeviceN
# over one of them); ICC-based, CIE-based and RGB spaces are refused.
DEVICE_SPACES = {"/DeviceCMYK", "/DeviceGray", "/CMYK", "/G"}
CIE_SPACES = {"/ICCBased", "/Lab", "/CalRGB", "/CalGray"}
RGB_SPACES = {"/DeviceRGB", "/RGB", "/CalRGB"}
PDF_VERSION = (1, 4)
PDFX_VERSION = "PDF/X-1a:2003"
MAX_DEPTH = 12  # nested forms, patterns and colour spaces: deeper is a hostile file


def _get(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _bad_space(space: Any, resources: Any, depth: int = 0) -> tuple[str, str] | None:
    """(code, family) when a colour space (a name or an array) is not allowed in
    PDF/X-1a: code "rgb" for RGB, "colour-space" for ICC-based and CIE-based spaces."""
    space = _get(space)
    if depth > MAX_DEPTH:
        return ("colour-space", "nested too deeply")
    if isinstance(space, str):
        if space in DEVICE_SPACES or space == "/Pattern":
            return None
        if space in RGB_SPACES:
            return ("rgb", space[1:])
        if space in CIE_SPACES:
            return ("colour-space", space[1:])
        table = _get(resources.get("/ColorSpace")) if resources is not None else None
        if table is not None and space in table:
            return _bad_space(table[space], None, depth + 1)
        return None
    if isinstance(space, list) and space:
        family = str(_get(space[0]))
        if family in ("/ICCBased",) and len(space) > 1:
            components = int(_get(space[1]).get("/N", 0))
            return ("rgb" if components == 3 else "colour-space", f"ICCBased ({components})")
        if family in RGB_SPACES:
            return ("rgb", family[1:])
        if family in CIE_SPACES:
            return ("colour-space", family[1:])
        if family in ("/Indexed", "/I") and len(space) > 1:
            return _bad_space(space[1], resources, depth + 1)
        if family == "/Pattern" and len(space) > 1:
            return _bad_space(space[1], resources, depth + 1)
        if family in ("/Separation", "/DeviceN") and len(space) > 2:
            return _bad_space(space[2], resources, depth + 1)
        if family in DEVICE_SPACES:
            return None
        return ("colour-space", family[1:] or "unknown")
    return None


def _resources_of(owner: Any, inherited: Any) -> Any:
    resources = owner.get("/Resources")
    return _get(resources) if resources is not None else inherited


def _streams(reader: PdfReader) -> Iterator[tuple[int, Any, Any]]:
    """(page number, content stream owner, resources) for every page and every Form
    XObject, tiling pattern and annotation appearance drawn on it."""
    for number, page in enumerate(reader.pages, 1):
        resources = _resources_of(page, {}) or {}
        yield number, page, resources
        seen: set[int] = set()
        stack: list[tuple[Any, int]] = [(resources, 0)]
        for annot in _get(page.get("/Annots")) or []:
            appearances = _get(_get(annot).get("/AP")) or {}
            for state in appearances.values():
                state = _get(state)
                forms = state.values() if "/Subtype" not in state else [state]
                for form in forms:
                    form = _get(form)
                    if hasattr(form, "get") and form.get("/Subtype") == "/Form":
                        inner = _resources_of(form, resources)
                        yield number, form, inner
                        stack.append((inner, 1))
        while stack:
            res, depth = stack.pop()
            if depth > MAX_DEPTH:
                continue
            for kind in ("/XObject", "/Pattern"):
                table = _get(res.get(kind))
                for ref in table.values() if table is not None else ():
                    key = getattr(ref, "idnum", id(ref))
                    if key in seen:
                        continue
                    seen.add(key)
                    obj = _get(ref)
                    if obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1:
                        inner = _resources_of(obj, res)
                        yield number, obj, inner
                        stack.append((inner, depth + 1))


def _content_findings(
    owner: Any, resources: Any, reader: PdfReader, found: dict[tuple[str, str], None]
) -> None:
    page = "/Contents" in owner
    contents = owner.get_contents() if page else ContentStream(owner, reader)
    if contents is None:
        return
    try:
        operations = contents.operations
    except (PdfReadError, ValueError, KeyError):
        found[("unreadable", "a content stream cannot be parsed")] = None
        return
    if page:
        # Parsing is most of preflight's time: the text check (extract_text) reuses
        # this parsed stream instead of parsing the page again.
        owner[NameObject("/Contents")] = contents
    fill_bad = stroke_bad = None
    for operands, operator in operations:
        if operator in (b"rg", b"RG"):
            found[("rgb", f"RGB colour operator {operator.decode()}")] = None
        elif operator == b"cs" and operands:
            fill_bad = _bad_space(operands[0], resources)
        elif operator == b"CS" and operands:
            stroke_bad = _bad_space(operands[0], resources)
        elif operator in (b"sc", b"scn") and fill_bad:
            code, family = fill_bad
            what = "RGB" if code == "rgb" else family
            found[(code, f"{what} fill colour")] = None
        elif operator in (b"SC", b"SCN") and stroke_bad:
            code, family = stroke_bad
            what = "RGB" if code == "rgb" else family
            found[(code, f"{what} stroke colour")] = None
        elif operator == b"INLINE IMAGE":
            settings = operands.get("settings", operands) if hasattr(operands, "get") else {}
            space = settings.get("/CS") or settings.get("/ColorSpace")
            bad = _bad_space(space, resources) if space is not None else None
            if bad:
                found[(bad[0], f"{bad[1]} inline image")] = None


def _transparency(state: Any) -> str | None:
    """Why a graphics state (ExtGState) makes something transparent, if it does."""
    for key in ("/CA", "/ca"):
        if key in state and float(state[key]) < 1:
            return f"constant alpha {key} {float(state[key]):g}"
    blend = _get(state.get("/BM", "/Normal"))
    blends = blend if isinstance(blend, list) else [blend]
    if any(str(b) not in ("/Normal", "/Compatible") for b in blends):
        return f"blend mode {blends[0]}"
    mask = _get(state.get("/SMask", "/None"))
    if mask != "/None":
        return "soft mask"
    return None


def _page_findings(path: str, reader: PdfReader) -> list[Problem]:
    """Colour spaces, transparency and LZW in everything each page draws."""
    found: dict[tuple[int, str, str], None] = {}
    for number, owner, resources in _streams(reader):
        here: dict[tuple[str, str], None] = {}
        if (
            owner.get("/Subtype") == "/Form"
            or owner.get("/PatternType") == 1
            or ("/Contents" in owner)
        ):
            _content_findings(owner, resources, reader, here)
        group = _get(owner.get("/Group"))
        if group is not None and group.get("/S") == "/Transparency":
            here[("transparency", "transparency group")] = None
        for name, space in (_get(resources.get("/ColorSpace")) or {}).items():
            bad = _bad_space(space, None)
            if bad:
                here[(bad[0], f"{bad[1]} colour space {name} in the resources")] = None
        for ref in (_get(resources.get("/XObject")) or {}).values():
            xobject = _get(ref)
            filters = _get(xobject.get("/Filter"))
            if "/LZWDecode" in (filters if isinstance(filters, list) else [filters]):
                here[("lzw", "LZW-compressed stream")] = None
            if xobject.get("/Subtype") != "/Image":
                continue
            if not xobject.get("/ImageMask"):
                bad = _bad_space(xobject.get("/ColorSpace", "/DeviceGray"), resources)
                if bad:
                    what = "RGB" if bad[0] == "rgb" else bad[1]
                    here[(bad[0], f"{what} image")] = None
            if "/SMask" in xobject or int(xobject.get("/SMaskInData", 0)):
                here[("transparency", "image with a soft mask")] = None
        shadings = list((_get(resources.get("/Shading")) or {}).values())
        for ref in (_get(resources.get("/Pattern")) or {}).values():
            pattern = _get(ref)
            if pattern.get("/PatternType") == 2 and "/Shading" in pattern:
                shadings.append(pattern["/Shading"])
            if "/ExtGState" in pattern:
                reason = _transparency(_get(pattern["/ExtGState"]))
                if reason:
                    here[("transparency", reason)] = None
        for ref in shadings:
            bad = _bad_space(_get(ref).get("/ColorSpace"), resources)
            if bad:
                what = "RGB" if bad[0] == "rgb" else bad[1]
                here[(bad[0], f"{what} shading (gradient)")] = None
        for state in (_get(resources.get("/ExtGState")) or {}).values():
            state = _get(state)
            reason = _transparency(state)
            if reason:
                here[("transparency", reason)] = None
            if any(_get(state.get(k, "/Default")) != "/Default" for k in ("/TR", "/TR2")):
                here[("transfer", "transfer function in a graphics state")] = None
        for code, message in here:
            found[(number, code, message)] = None
    return [_finding(path, code, f"page {n}: {what}") for n, code, what in found]


def _version(reader: PdfReader) -> tuple[int, int] | None:
    """The file's PDF version: its header, raised by a catalog /Version."""
    versions = [reader.pdf_header.removeprefix("%PDF-")]
    root: Any = reader.trailer["/Root"]
    if "/Version" in root:
        versions.append(str(root["/Version"]).lstrip("/"))
    parsed = []
    for text in versions:
        try:
            major, minor = text.strip().split(".")[:2]
            parsed.append((int(major), int(minor[:1])))
        except ValueError:
            return None
    return max(parsed)


def _icc_header(profile: Any) -> bytes:
    try:
        return bytes(profile.get_data()[:20])
    except (PdfReadError, ValueError, KeyError, NotImplementedError):
        return b""


def _intent_findings(path: str, root: Any) -> list[Problem]:
    intents = [_get(i) for i in _get(root.get("/OutputIntents")) or []]
    pdfx = [i for i in intents if i.get("/S") == "/GTS_PDFX"]
    if len(pdfx) != 1:
        return [
            _finding(path, "output-intent", f"{len(pdfx)} GTS_PDFX output intents: PDF/X wants one")
        ]
    intent = pdfx[0]
    findings = []
    if not str(intent.get("/OutputConditionIdentifier", "")).strip():
        findings.append(_finding(path, "output-intent", "no OutputConditionIdentifier"))
    profile = _get(intent.get("/DestOutputProfile"))
    if profile is None:
        if not str(intent.get("/RegistryName", "")).strip():
            findings.append(
                _finding(
                    path,
                    "output-intent",
                    "neither an embedded profile (DestOutputProfile) nor a RegistryName",
                )
            )
    else:
        header = _icc_header(profile)
        if header[12:16] != b"prtr" or header[16:20] != b"CMYK":
            findings.append(
                _finding(path, "output-intent", "the embedded profile is not a CMYK output profile")
            )
    return findings


def _actions_in_outlines(root: Any) -> bool:
    outlines = _get(root.get("/Outlines"))
    stack = [_get(outlines.get("/First"))] if outlines is not None else []
    seen = 0
    while stack and seen < 10_000:
        item = stack.pop()
        seen += 1
        if item is None:
            continue
        if "/A" in item or "/AA" in item:
            return True
        stack += [_get(item.get("/First")), _get(item.get("/Next"))]
    return False


def _document_findings(path: str, reader: PdfReader) -> list[Problem]:
    """PDF/X-1a:2003 rules about the file as a whole."""
    findings = []
    version = _version(reader)
    if version is None or version > PDF_VERSION:
        shown = f"{version[0]}.{version[1]}" if version else "unknown"
        findings.append(_finding(path, "pdf-version", f"PDF {shown}: PDF/X-1a wants 1.4 or lower"))
    info: dict[str, Any] = dict(reader.metadata or {})
    if str(info.get("/GTS_PDFXVersion", "")) != PDFX_VERSION:
        findings.append(_finding(path, "info", f"GTS_PDFXVersion is not {PDFX_VERSION}"))
    for key in ("/Title", "/CreationDate", "/ModDate"):
        if not str(info.get(key, "")).strip():
            findings.append(_finding(path, "info", f"no {key[1:]} in the document information"))
    if str(info.get("/Trapped", "")) not in ("/True", "/False"):
        findings.append(_finding(path, "info", "Trapped is not /True or /False"))
    file_id = reader.trailer.get("/ID")
    if not file_id or len(_get(file_id)) != 2:
        findings.append(_finding(path, "file-id", "no file identifier (/ID) in the trailer"))
    root: Any = reader.trailer["/Root"]
    findings += _intent_findings(path, root)
    names = _get(root.get("/Names")) or {}
    if "/JavaScript" in names:
        findings.append(_finding(path, "javascript", "document-level JavaScript"))
    if "/OpenAction" in root or "/AA" in root or _actions_in_outlines(root):
        findings.append(_finding(path, "action", "actions (open action, triggers or outlines)"))
    if "/AcroForm" in root:
        findings.append(_finding(path, "form", "an interactive form (AcroForm)"))
    if "/EmbeddedFiles" in names:
        findings.append(_finding(path, "attachment", "embedded files"))
    return findings


def _annotation_findings(path: str, reader: PdfReader) -> list[Problem]:
    findings = []
    for number, page in enumerate(reader.pages, 1):
        if "/AA" in page:
            findings.append(_finding(path, "action", f"page {number}: page actions"))
        x0, y0, x1, y1 = _box(page, "/TrimBox")
        for ref in _get(page.get("/Annots")) or []:
            annot = _get(ref)
            kind = str(annot.get("/Subtype", "?"))
            if "/A" in annot or "/AA" in annot:
                action = _get(annot.get("/A")) or {}
                code = "javascript" if action.get("/S") == "/JavaScript" else "action"
                findings.append(_finding(path, code, f"page {number}: {kind} annotation action"))
            if kind == "/Widget":
                findings.append(_finding(path, "form", f"page {number}: form field"))
            if kind == "/FileAttachment":
                findings.append(_finding(path, "attachment", f"page {number}: file attachment"))
            if kind == "/PrinterMark":
                continue
            try:
                a0, b0, a1, b1 = (float(v) for v in _get(annot.get("/Rect")))
            except (TypeError, ValueError):
                continue
            left, right = min(a0, a1), max(a0, a1)
            bottom, top = min(b0, b1), max(b0, b1)
            if left < x1 and right > x0 and bottom < y1 and top > y0:
                findings.append(
                    _finding(
                        path, "annotation", f"page {number}: {kind} annotation inside the trim"
                    )
                )
    return findings


def _box_nesting_findings(path: str, reader: PdfReader) -> list[Problem]:
    findings = []
    for number, page in enumerate(reader.pages, 1):
        media = _box(page, "/MediaBox")
        boxes = [(name, _box(page, name)) for name in ("/BleedBox", "/TrimBox") if name in page]
        for name, box in boxes:
            if not (
                box[0] >= media[0] - TOLERANCE
                and box[1] >= media[1] - TOLERANCE
                and box[2] <= media[2] + TOLERANCE
                and box[3] <= media[3] + TOLERANCE
            ):
                findings.append(
                    _finding(path, "boxes", f"page {number}: {name[1:]} is not inside the MediaBox")
                )
    return findings


def _font_findings(path: str, reader: PdfReader) -> list[Problem]:
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
                    _finding(
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
    contents = _get(page.get("/Contents"))
    if not isinstance(contents, ContentStream):
        return False
    x0, y0, x1, y1 = trim
    identity = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    ctm, tm, tlm, leading = identity, identity, identity, 0.0
    stack: list[list[float]] = []
    xobjects = _get(_get(page.get("/Resources") or {}).get("/XObject")) or {}
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
                form = _get(xobjects.get(operands[0])) if operands else None
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


def _safe_zone_findings(path: str, reader: PdfReader) -> list[Problem]:
    findings = []
    for number, page in enumerate(reader.pages, 1):
        trim = _box(page, "/TrimBox")
        if _all_text_inside(page, trim):
            continue
        outside = _text_outside(page, trim)
        if outside:
            distance = f"{SAFE_ZONE / PT_PER_IN:g} in"
            findings.append(
                _finding(
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
) -> list[Problem]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # PDF/X forbids encryption, and no check can read an encrypted file's objects.
            return [_finding(shown, "encrypted", "the PDF is encrypted")]
        pages = reader.pages
        count = len(pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        return [_finding(shown, "unreadable", f"not a readable PDF: {exc}")]
    if count == 0:
        return [_finding(shown, "pages", "the PDF has no pages")]
    edition = edition or detect_edition(reader, Path(shown))
    findings: list[Problem] = []
    if max_pages is not None and count > max_pages:
        findings.append(
            _finding(shown, "pages", f"{count} pages, more than the budget of {max_pages}")
        )
    if saddle_stitch and count % 4:
        findings.append(
            _finding(
                shown,
                "pages",
                f"{count} pages: saddle-stitched booklets need a multiple of 4",
                WARNING,
            )
        )
    findings += _font_findings(shown, reader)
    if edition == "print":
        for number, page in enumerate(pages, 1):
            trim = _box(page, "/TrimBox")
            paper = _paper_of(trim[2] - trim[0], trim[3] - trim[1])
            if "/TrimBox" not in page:
                findings.append(_finding(shown, "trimbox", f"page {number}: no TrimBox"))
                continue
            if paper is None:
                findings.append(
                    _finding(
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
                    _finding(
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
                    _finding(shown, "mediabox", f"page {number}: MediaBox does not hold the bleed")
                )
        findings += _box_nesting_findings(shown, reader)
        findings += _page_findings(shown, reader)
        findings += _annotation_findings(shown, reader)
        findings += _document_findings(shown, reader)
        findings += _safe_zone_findings(shown, reader)
    else:
        root: Any = reader.trailer["/Root"]
        mark = root.get("/MarkInfo")
        if "/StructTreeRoot" not in root or not (mark and mark.get_object().get("/Marked")):
            findings.append(_finding(shown, "untagged", "not a tagged PDF"))
        if not str(root.get("/Lang", "")).strip():
            findings.append(_finding(shown, "lang", "no document language (/Lang)"))
        info = reader.metadata
        if not (info and (info.title or "").strip()):
            findings.append(_finding(shown, "title", "no document title"))
    return findings


def preflight_file(path: Path, shown: str | None = None, **options: Any) -> list[Problem]:
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [_finding(shown, "unreadable", exc.strerror or str(exc))]
    return preflight_bytes(data, shown, **options)
