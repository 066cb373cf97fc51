"""Fonts embedded: every font a page or a form uses has its font file in the PDF."""

from __future__ import annotations

from pypdf import PdfReader

from ..errors import Problem
from .common import finding, streams


def font_findings(path: str, reader: PdfReader) -> list[Problem]:
    findings = []
    reported: set[str] = set()
    for number, _owner, resources in streams(reader):
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
                    finding(
                        path, "font-not-embedded", f"page {number}: font {name} is not embedded"
                    )
                )
    return findings
