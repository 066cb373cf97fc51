"""The clinic edition's checks: a tagged PDF, with a document language and a title."""

from __future__ import annotations

from typing import Any

from pypdf import PdfReader

from ..errors import Problem
from .common import finding


def clinic_findings(path: str, reader: PdfReader) -> list[Problem]:
    findings = []
    root: Any = reader.trailer["/Root"]
    mark = root.get("/MarkInfo")
    if "/StructTreeRoot" not in root or not (mark and mark.get_object().get("/Marked")):
        findings.append(finding(path, "untagged", "not a tagged PDF"))
    if not str(root.get("/Lang", "")).strip():
        findings.append(finding(path, "lang", "no document language (/Lang)"))
    info = reader.metadata
    if not (info and (info.title or "").strip()):
        findings.append(finding(path, "title", "no document title"))
    return findings
