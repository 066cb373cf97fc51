"""Colour and transparency under PDF/X-1a: only DeviceCMYK and DeviceGray in
everything a page draws (content, forms, patterns, images, shadings, appearances,
resources); no transparency, transfer functions or LZW."""

from __future__ import annotations

from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream, NameObject

from ..errors import Problem
from .common import MAX_DEPTH, finding, resolve, streams

# PDF/X-1a:2003 paints in these families only (Pattern, Indexed, Separation and DeviceN
# over one of them); ICC-based, CIE-based and RGB spaces are refused.
DEVICE_SPACES = {"/DeviceCMYK", "/DeviceGray", "/CMYK", "/G"}
CIE_SPACES = {"/ICCBased", "/Lab", "/CalRGB", "/CalGray"}
RGB_SPACES = {"/DeviceRGB", "/RGB", "/CalRGB"}


def _bad_space(space: Any, resources: Any, depth: int = 0) -> tuple[str, str] | None:
    """(code, family) when a colour space (a name or an array) is not allowed in
    PDF/X-1a: code "rgb" for RGB, "colour-space" for ICC-based and CIE-based spaces."""
    space = resolve(space)
    if depth > MAX_DEPTH:
        return ("colour-space", "nested too deeply")
    if isinstance(space, str):
        if space in DEVICE_SPACES or space == "/Pattern":
            return None
        if space in RGB_SPACES:
            return ("rgb", space[1:])
        if space in CIE_SPACES:
            return ("colour-space", space[1:])
        table = resolve(resources.get("/ColorSpace")) if resources is not None else None
        if table is not None and space in table:
            return _bad_space(table[space], None, depth + 1)
        return None
    if isinstance(space, list) and space:
        family = str(resolve(space[0]))
        if family in ("/ICCBased",) and len(space) > 1:
            components = int(resolve(space[1]).get("/N", 0))
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
    blend = resolve(state.get("/BM", "/Normal"))
    blends = blend if isinstance(blend, list) else [blend]
    if any(str(b) not in ("/Normal", "/Compatible") for b in blends):
        return f"blend mode {blends[0]}"
    mask = resolve(state.get("/SMask", "/None"))
    if mask != "/None":
        return "soft mask"
    return None


def colour_findings(path: str, reader: PdfReader) -> list[Problem]:
    """Colour spaces, transparency and LZW in everything each page draws."""
    found: dict[tuple[int, str, str], None] = {}
    for number, owner, resources in streams(reader):
        here: dict[tuple[str, str], None] = {}
        if (
            owner.get("/Subtype") == "/Form"
            or owner.get("/PatternType") == 1
            or ("/Contents" in owner)
        ):
            _content_findings(owner, resources, reader, here)
        group = resolve(owner.get("/Group"))
        if group is not None and group.get("/S") == "/Transparency":
            here[("transparency", "transparency group")] = None
        for name, space in (resolve(resources.get("/ColorSpace")) or {}).items():
            bad = _bad_space(space, None)
            if bad:
                here[(bad[0], f"{bad[1]} colour space {name} in the resources")] = None
        for ref in (resolve(resources.get("/XObject")) or {}).values():
            xobject = resolve(ref)
            filters = resolve(xobject.get("/Filter"))
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
        shadings = list((resolve(resources.get("/Shading")) or {}).values())
        for ref in (resolve(resources.get("/Pattern")) or {}).values():
            pattern = resolve(ref)
            if pattern.get("/PatternType") == 2 and "/Shading" in pattern:
                shadings.append(pattern["/Shading"])
            if "/ExtGState" in pattern:
                reason = _transparency(resolve(pattern["/ExtGState"]))
                if reason:
                    here[("transparency", reason)] = None
        for ref in shadings:
            bad = _bad_space(resolve(ref).get("/ColorSpace"), resources)
            if bad:
                what = "RGB" if bad[0] == "rgb" else bad[1]
                here[(bad[0], f"{what} shading (gradient)")] = None
        for state in (resolve(resources.get("/ExtGState")) or {}).values():
            state = resolve(state)
            reason = _transparency(state)
            if reason:
                here[("transparency", reason)] = None
            if any(resolve(state.get(k, "/Default")) != "/Default" for k in ("/TR", "/TR2")):
                here[("transfer", "transfer function in a graphics state")] = None
        for code, message in here:
            found[(number, code, message)] = None
    return [finding(path, code, f"page {n}: {what}") for n, code, what in found]
