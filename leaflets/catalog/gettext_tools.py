"""GNU gettext's msgcat and msgmerge, run with a time limit: a tool that is missing,
cannot start or takes too long is a CatalogError naming the file, never a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from ..errors import CatalogError
from ..tools import run_program

# Either tool takes a fraction of a second on a leaflet's catalog (at most
# MAX_CATALOG_BYTES); a minute means it hangs, and a hung tool must not hang a batch,
# an update in CI or the desk with it.
TOOL_TIMEOUT = 60.0


def run_tool(
    tool: str,
    args: Sequence[str],
    shown: str | Path,
    *,
    needed_for: str,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``tool args`` (its output captured) for the file ``shown``; the caller reads
    the return code. ``needed_for`` completes "GNU gettext's msgcat is needed to ..."."""
    return run_program(
        tool,
        args,
        shown,
        missing=f"GNU gettext's {tool} is needed to {needed_for}; run `make setup`",
        timeout=TOOL_TIMEOUT,
        error=CatalogError,
        stdin=stdin,
    )
