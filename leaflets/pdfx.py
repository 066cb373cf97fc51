"""The print edition's PDF/X-1a:2003 finishing.

WeasyPrint's ``pdf/x-1a`` variant only labels a file (Info, XMP, PDF 1.4, /ID).
The finisher here makes the content match the label: colours in DeviceCMYK with
no ICC-based or Lab colour space left in the resources, WeasyPrint's own RGB
black painted as 100 % K, and exactly one GTS_PDFX output intent, built from a
profile compressed once per process instead of once per file.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import OUTPUT_INTENTS
from .memo import BoundedCache

# ISO Coated v2 is the registered characterization FOGRA39 in the ICC's registry
# of printing conditions; the shipped profile is its 300 % total-ink variant.
CONDITION_IDENTIFIER = "FOGRA39"
REGISTRY_NAME = "http://www.color.org"
CONDITION = "ISO Coated v2 300% (basICColor): offset, coated paper, 300 % total ink"
PROFILE_NAME = "ISO Coated v2 300% (basICColor)"

# Compressed profiles by the SHA-256 of their bytes: compressing the shipped 1 MB profile
# at level 9 takes a quarter of a second, once per process, not once per renderer.
_COMPRESSED: BoundedCache[bytes] = BoundedCache(maxsize=2)

_RGB_BLACK = {b"0 0 0 rg": b"0 0 0 1 k", b"0 0 0 RG": b"0 0 0 1 K"}
# Colour-space families PDF/X-1a forbids; WeasyPrint defines Lab spaces on every page.
_FORBIDDEN_FAMILIES = {"/Lab", "/ICCBased", "/CalRGB", "/CalGray", "/DeviceRGB"}


class ProfileError(Exception):
    """The output-intent profile cannot be used: ``message`` says why."""


@dataclass(frozen=True)
class OutputIntent:
    """What every print file's output intent says; ``profile`` is the ICC profile
    already Flate-compressed (None when the intent only names the registry entry)."""

    mode: str
    profile: bytes | None

    @classmethod
    def load(cls, mode: str, icc: Path) -> OutputIntent:
        if mode not in OUTPUT_INTENTS:
            raise ValueError(f"output intent must be one of {OUTPUT_INTENTS}, not {mode!r}")
        if mode == "registry":
            return cls(mode, None)
        try:
            data = icc.read_bytes()
        except OSError as exc:
            raise ProfileError(f"cannot read the output-intent profile: {exc.strerror}") from None
        # ICC header: device class at 12, data colour space at 16.
        if len(data) < 128 or data[12:16] != b"prtr" or data[16:20] != b"CMYK":
            raise ProfileError("the output-intent profile is not a CMYK output (prtr) profile")
        digest = hashlib.sha256(data).digest()
        profile = _COMPRESSED.get(digest)
        if profile is None:
            profile = zlib.compress(data, 9)
            _COMPRESSED.put(digest, profile)
        return cls(mode, profile)

    def add_to(self, pdf: Any) -> None:
        """Make this the document's one output intent."""
        import pydyf  # lazy like WeasyPrint, which brings it: only renderers need it

        intent = pydyf.Dictionary(
            {
                "Type": "/OutputIntent",
                "S": "/GTS_PDFX",
                "OutputConditionIdentifier": pydyf.String(CONDITION_IDENTIFIER),
                "OutputCondition": pydyf.String(CONDITION),
                "RegistryName": pydyf.String(REGISTRY_NAME),
                "Info": pydyf.String(PROFILE_NAME),
            }
        )
        if self.profile is not None:
            # Already compressed: written as is, never compressed again per file.
            stream = pydyf.Stream([self.profile], {"N": 4, "Filter": "/FlateDecode"})
            pdf.add_object(stream)
            intent["DestOutputProfile"] = stream.reference
        pdf.catalog["OutputIntents"] = pydyf.Array([intent])


_FILLS = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_STROKES = {b"S", b"s", b"B", b"B*", b"b", b"b*"}
# Painting operators that have no stroke-only or no-paint form.
_OTHER_PAINT = {b"Tj", b"TJ", b"'", b'"', b"sh", b"Do", b"EI"}


def _paint(operator: bytes, fill: bool, stroke: bool) -> bytes:
    """The painting operator that paints only the visible parts: a path filled with
    alpha 0 and stroked becomes a stroked path, and so on."""
    do_fill = operator in _FILLS and fill
    do_stroke = operator in _STROKES and stroke
    if do_fill and do_stroke:
        return operator
    if do_fill:
        return b"f*" if operator.endswith(b"*") else b"f"
    if do_stroke:
        return b"s" if operator in (b"b", b"b*", b"s") else b"S"
    return b"n"


def _drop_invisible_paint(streams: list[Any], states: dict[str, Any]) -> set[str]:
    """Rewrite paint done with a constant alpha of 0 (WeasyPrint draws crop marks as an
    SVG with ``fill="transparent"``) so that it paints nothing; return the names of the
    alpha-0 states whose every use could be rewritten, which may then be made opaque."""
    invisible = {
        name: (float(state.get("ca", 1)) == 0, float(state.get("CA", 1)) == 0)
        for name, state in states.items()
        if float(state.get("ca", 1)) == 0 or float(state.get("CA", 1)) == 0
    }
    unsafe: set[str] = set()
    for stream in streams:
        fill_name = stroke_name = ""
        stack: list[tuple[str, str]] = []
        items = stream.stream
        for index, item in enumerate(items):
            if not isinstance(item, bytes | str):
                continue
            active = {fill_name, stroke_name} - {""}
            if len(item) > 200:
                unsafe |= active  # not read here: whatever it paints stays as it was
                continue
            raw = item.encode() if isinstance(item, str) else item
            tokens = raw.split()
            if not tokens:
                continue
            operator = tokens[-1]
            if operator == b"q":
                stack.append((fill_name, stroke_name))
            elif operator == b"Q" and stack:
                fill_name, stroke_name = stack.pop()
            elif operator == b"gs" and len(tokens) == 2:
                name = tokens[0].decode("latin-1").lstrip("/")
                if name in invisible:
                    fill_zero, stroke_zero = invisible[name]
                    fill_name = name if fill_zero else fill_name
                    stroke_name = name if stroke_zero else stroke_name
                else:
                    state = states.get(name, {})
                    fill_name = "" if "ca" in state else fill_name
                    stroke_name = "" if "CA" in state else stroke_name
            elif active and len(tokens) == 1 and (operator in _FILLS or operator in _STROKES):
                items[index] = _paint(operator, not fill_name, not stroke_name)
            elif active and any(t in _FILLS or t in _STROKES or t in _OTHER_PAINT for t in tokens):
                # Paint this rewrite cannot make invisible: the state must keep its alpha
                # (and preflight reports it).
                unsafe |= active
    return set(invisible) - unsafe


def _items(stream: Any) -> list[bytes]:
    return [
        i.encode() if isinstance(i, str) else i for i in stream.stream if isinstance(i, str | bytes)
    ]


class PrintFinisher:
    """WeasyPrint finisher for the print edition; one per Renderer, reused per file."""

    def __init__(self, intent: OutputIntent) -> None:
        self.intent = intent

    def __call__(self, document: Any, pdf: Any) -> None:
        import pydyf  # lazy like WeasyPrint, which brings it: only renderers need it

        streams = [o for o in pdf.objects if isinstance(o, pydyf.Stream)]
        for stream in streams:
            # WeasyPrint's own RGB black (crop marks, SVG defaults) as 100 % K, the only
            # black vendors accept. Any other RGB colour stays for preflight to report.
            stream.stream = [
                _RGB_BLACK.get(item, item) if isinstance(item, bytes) else item
                for item in stream.stream
            ]
        # A transparency group only matters with transparency, which PDF/X-1a forbids;
        # WeasyPrint wraps SVG drawings (crop marks) in one, blending in DeviceRGB.
        for stream in streams:
            group = stream.extra.get("Group")
            if isinstance(group, dict) and group.get("S") == "/Transparency":
                del stream.extra["Group"]
        tables = [o["ExtGState"] for o in pdf.objects if isinstance(o, dict) and "ExtGState" in o]
        for stream in streams:
            resources = stream.extra.get("Resources")
            if isinstance(resources, dict) and "ExtGState" in resources:
                tables.append(resources["ExtGState"])
        tables = [t for t in tables if isinstance(t, dict)]
        states = {name: state for table in tables for name, state in table.items()}
        opaque = _drop_invisible_paint(streams, states)
        for table in tables:
            for name, state in table.items():
                if name in opaque:
                    for key in ("ca", "CA"):
                        if key in state:
                            state[key] = 1
        # Content names a colour space by its resource name ("/lab-d50 cs"): only the
        # names no content uses may go. A used one stays and preflight reports it.
        used = b"\n".join(
            item
            for stream in streams
            if stream.extra.get("Subtype") in (None, "/Form") and "Length1" not in stream.extra
            for item in _items(stream)
            if len(item) < 200
        )
        # Only the colour-space tables of resource dictionaries: a shading's or an
        # image's own /ColorSpace is drawn with and must not lose it.
        dicts = [o for o in pdf.objects if isinstance(o, pydyf.Dictionary)]
        by_reference = {o.reference: o for o in dicts}

        def resolve(value: Any) -> Any:
            return by_reference.get(value, value) if isinstance(value, bytes) else value

        owners = [d for d in dicts if "ShadingType" not in d and "Type" not in d]
        owners += [resolve(s.extra.get("Resources")) for s in streams]
        for owner in owners:
            if not isinstance(owner, dict) or "ColorSpace" not in owner:
                continue
            table = resolve(owner["ColorSpace"])
            if not isinstance(table, dict):
                continue
            for name, value in list(table.items()):
                if (
                    isinstance(value, list)
                    and value
                    and str(value[0]) in _FORBIDDEN_FAMILIES
                    and f"/{name} ".encode() not in used
                ):
                    del table[name]
            if not table:
                del owner["ColorSpace"]
        self.intent.add_to(pdf)
