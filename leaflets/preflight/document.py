"""PDF/X-1a rules about the file as a whole: version, document information, file
identifier, output intent; and nothing interactive (JavaScript, actions, forms,
attachments, annotations inside the trim)."""

from __future__ import annotations

from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import Problem
from .common import finding, resolve
from .geometry import page_box

PDF_VERSION = (1, 4)
PDFX_VERSION = "PDF/X-1a:2003"


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
    intents = [resolve(i) for i in resolve(root.get("/OutputIntents")) or []]
    pdfx = [i for i in intents if i.get("/S") == "/GTS_PDFX"]
    if len(pdfx) != 1:
        return [
            finding(path, "output-intent", f"{len(pdfx)} GTS_PDFX output intents: PDF/X wants one")
        ]
    intent = pdfx[0]
    findings = []
    if not str(intent.get("/OutputConditionIdentifier", "")).strip():
        findings.append(finding(path, "output-intent", "no OutputConditionIdentifier"))
    profile = resolve(intent.get("/DestOutputProfile"))
    if profile is None:
        if not str(intent.get("/RegistryName", "")).strip():
            findings.append(
                finding(
                    path,
                    "output-intent",
                    "neither an embedded profile (DestOutputProfile) nor a RegistryName",
                )
            )
    else:
        header = _icc_header(profile)
        if header[12:16] != b"prtr" or header[16:20] != b"CMYK":
            findings.append(
                finding(path, "output-intent", "the embedded profile is not a CMYK output profile")
            )
    return findings


def _actions_in_outlines(root: Any) -> bool:
    outlines = resolve(root.get("/Outlines"))
    stack = [resolve(outlines.get("/First"))] if outlines is not None else []
    seen = 0
    while stack and seen < 10_000:
        item = stack.pop()
        seen += 1
        if item is None:
            continue
        if "/A" in item or "/AA" in item:
            return True
        stack += [resolve(item.get("/First")), resolve(item.get("/Next"))]
    return False


def document_findings(path: str, reader: PdfReader) -> list[Problem]:
    """PDF/X-1a:2003 rules about the file as a whole."""
    findings = []
    version = _version(reader)
    if version is None or version > PDF_VERSION:
        shown = f"{version[0]}.{version[1]}" if version else "unknown"
        findings.append(finding(path, "pdf-version", f"PDF {shown}: PDF/X-1a wants 1.4 or lower"))
    info: dict[str, Any] = dict(reader.metadata or {})
    if str(info.get("/GTS_PDFXVersion", "")) != PDFX_VERSION:
        findings.append(finding(path, "info", f"GTS_PDFXVersion is not {PDFX_VERSION}"))
    for key in ("/Title", "/CreationDate", "/ModDate"):
        if not str(info.get(key, "")).strip():
            findings.append(finding(path, "info", f"no {key[1:]} in the document information"))
    if str(info.get("/Trapped", "")) not in ("/True", "/False"):
        findings.append(finding(path, "info", "Trapped is not /True or /False"))
    file_id = reader.trailer.get("/ID")
    if not file_id or len(resolve(file_id)) != 2:
        findings.append(finding(path, "file-id", "no file identifier (/ID) in the trailer"))
    root: Any = reader.trailer["/Root"]
    findings += _intent_findings(path, root)
    names = resolve(root.get("/Names")) or {}
    if "/JavaScript" in names:
        findings.append(finding(path, "javascript", "document-level JavaScript"))
    if "/OpenAction" in root or "/AA" in root or _actions_in_outlines(root):
        findings.append(finding(path, "action", "actions (open action, triggers or outlines)"))
    if "/AcroForm" in root:
        findings.append(finding(path, "form", "an interactive form (AcroForm)"))
    if "/EmbeddedFiles" in names:
        findings.append(finding(path, "attachment", "embedded files"))
    return findings


def annotation_findings(path: str, reader: PdfReader) -> list[Problem]:
    findings = []
    for number, page in enumerate(reader.pages, 1):
        if "/AA" in page:
            findings.append(finding(path, "action", f"page {number}: page actions"))
        x0, y0, x1, y1 = page_box(page, "/TrimBox")
        for ref in resolve(page.get("/Annots")) or []:
            annot = resolve(ref)
            kind = str(annot.get("/Subtype", "?"))
            if "/A" in annot or "/AA" in annot:
                action = resolve(annot.get("/A")) or {}
                code = "javascript" if action.get("/S") == "/JavaScript" else "action"
                findings.append(finding(path, code, f"page {number}: {kind} annotation action"))
            if kind == "/Widget":
                findings.append(finding(path, "form", f"page {number}: form field"))
            if kind == "/FileAttachment":
                findings.append(finding(path, "attachment", f"page {number}: file attachment"))
            if kind == "/PrinterMark":
                continue
            try:
                a0, b0, a1, b1 = (float(v) for v in resolve(annot.get("/Rect")))
            except (TypeError, ValueError):
                continue
            left, right = min(a0, a1), max(a0, a1)
            bottom, top = min(b0, b1), max(b0, b1)
            if left < x1 and right > x0 and bottom < y1 and top > y0:
                findings.append(
                    finding(path, "annotation", f"page {number}: {kind} annotation inside the trim")
                )
    return findings
