"""What every preflight check uses: a finding as a located problem, references
resolved, and every content stream a page draws (forms, patterns, appearances)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pypdf import PdfReader

from ..errors import ERROR, Problem, Severity

MAX_DEPTH = 12  # nested forms, patterns and colour spaces: deeper is a hostile file


def finding(path: str, code: str, message: str, severity: Severity = ERROR) -> Problem:
    """A problem of a whole PDF file (no line: the page, if any, is in the message)."""
    return Problem(path, None, severity, code, message)


def resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _resources_of(owner: Any, inherited: Any) -> Any:
    resources = owner.get("/Resources")
    return resolve(resources) if resources is not None else inherited


def streams(reader: PdfReader) -> Iterator[tuple[int, Any, Any]]:
    """(page number, content stream owner, resources) for every page and every Form
    XObject, tiling pattern and annotation appearance drawn on it."""
    for number, page in enumerate(reader.pages, 1):
        resources = _resources_of(page, {}) or {}
        yield number, page, resources
        seen: set[int] = set()
        stack: list[tuple[Any, int]] = [(resources, 0)]
        for annot in resolve(page.get("/Annots")) or []:
            appearances = resolve(resolve(annot).get("/AP")) or {}
            for state in appearances.values():
                state = resolve(state)
                forms = state.values() if "/Subtype" not in state else [state]
                for form in forms:
                    form = resolve(form)
                    if hasattr(form, "get") and form.get("/Subtype") == "/Form":
                        inner = _resources_of(form, resources)
                        yield number, form, inner
                        stack.append((inner, 1))
        while stack:
            res, depth = stack.pop()
            if depth > MAX_DEPTH:
                continue
            for kind in ("/XObject", "/Pattern"):
                table = resolve(res.get(kind))
                for ref in table.values() if table is not None else ():
                    key = getattr(ref, "idnum", id(ref))
                    if key in seen:
                        continue
                    seen.add(key)
                    obj = resolve(ref)
                    if obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1:
                        inner = _resources_of(obj, res)
                        yield number, obj, inner
                        stack.append((inner, depth + 1))
