"""Writing catalogs as GNU gettext lays them out (msgcat), and which differences between
two versions are only header lines that tools rewrite by themselves."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

import polib
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from ..errors import CatalogError
from .gettext_tools import run_tool


def render_pot(catalog: Catalog, shown: str | Path) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, omit_header=False, include_lineno=True)
    return gnu_format(buf.getvalue(), shown)


# Header lines that tools rewrite by themselves (a new date, another Babel or Poedit
# version): they never make a catalog stale on their own.
_VOLATILE_POT = ("POT-Creation-Date", "PO-Revision-Date", "Generated-By", "X-Generator")
_VOLATILE_PO = ("POT-Creation-Date", "Generated-By", "X-Generator")


def _volatile_lines(names: Iterable[str]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(name.encode()) for name in names)
    return re.compile(rb'^"(?:' + alternatives + rb'): [^"]*\\n"\n', re.MULTILINE)


_VOLATILE_POT_LINES = _volatile_lines(_VOLATILE_POT)
_VOLATILE_PO_LINES = _volatile_lines(_VOLATILE_PO)


def same_pot(old: bytes, new: bytes) -> bool:
    """Whether two templates hold the same messages and meaningful headers."""
    return _VOLATILE_POT_LINES.sub(b"", old) == _VOLATILE_POT_LINES.sub(b"", new)


def same_po(old: bytes, new: bytes) -> bool:
    """Whether two catalogs differ only in header lines tools rewrite by themselves."""
    return _VOLATILE_PO_LINES.sub(b"", old) == _VOLATILE_PO_LINES.sub(b"", new)


def gnu_format(data: bytes, shown: str | Path) -> bytes:
    """Lay a catalog out exactly as GNU gettext does (line wrapping, escapes), so that
    Poedit, Weblate and msgmerge see no churn in the files we write."""
    proc = run_tool(
        "msgcat", ["--to-code=UTF-8", "-"], shown, needed_for="write catalogs", stdin=data
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CatalogError(f"msgcat refused the catalog: {' '.join(message)[:300]}", shown)
    return proc.stdout


def render_po(po: polib.POFile, shown: str | Path) -> bytes:
    # polib would re-wrap comment lines its own way; leave all wrapping to msgcat.
    po.wrapwidth = 10_000
    return gnu_format((str(po) + "\n").encode("utf-8"), shown)
