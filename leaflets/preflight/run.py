"""Preflight one PDF: read it, tell its edition, and run the checks that edition's
rules ask for, in one list of problems."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import WARNING, Problem
from .clinic import clinic_findings
from .colour import colour_findings
from .common import finding
from .document import annotation_findings, document_findings
from .fonts import font_findings
from .geometry import box_findings
from .safezone import safe_zone_findings


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
            return [finding(shown, "encrypted", "the PDF is encrypted")]
        pages = reader.pages
        count = len(pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        return [finding(shown, "unreadable", f"not a readable PDF: {exc}")]
    if count == 0:
        return [finding(shown, "pages", "the PDF has no pages")]
    edition = edition or detect_edition(reader, Path(shown))
    findings: list[Problem] = []
    if max_pages is not None and count > max_pages:
        findings.append(
            finding(shown, "pages", f"{count} pages, more than the budget of {max_pages}")
        )
    if saddle_stitch and count % 4:
        findings.append(
            finding(
                shown,
                "pages",
                f"{count} pages: saddle-stitched booklets need a multiple of 4",
                WARNING,
            )
        )
    findings += font_findings(shown, reader)
    if edition == "print":
        findings += box_findings(shown, reader)
        findings += colour_findings(shown, reader)
        findings += annotation_findings(shown, reader)
        findings += document_findings(shown, reader)
        findings += safe_zone_findings(shown, reader)
    else:
        findings += clinic_findings(shown, reader)
    return findings


def preflight_file(path: Path, shown: str | None = None, **options: Any) -> list[Problem]:
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [finding(shown, "unreadable", exc.strerror or str(exc))]
    return preflight_bytes(data, shown, **options)
