"""GNU gettext's msgcat and msgmerge, run with a time limit: a tool that is missing,
cannot start or takes too long is a CatalogError naming the file, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ..errors import CatalogError

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
    found = shutil.which(tool)
    if found is None:
        raise CatalogError(f"GNU gettext's {tool} is needed to {needed_for}; run `make setup`")
    try:
        return subprocess.run(
            [found, *args], input=stdin, capture_output=True, check=False, timeout=TOOL_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has killed it; nothing it wrote is used.
        raise CatalogError(
            f"{tool} did not finish within {TOOL_TIMEOUT:g} seconds; nothing was written", shown
        ) from None
    except OSError as exc:
        raise CatalogError(f"cannot run {tool}: {exc.strerror or exc}", shown) from None
