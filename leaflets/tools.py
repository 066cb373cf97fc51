"""Programs the pipeline runs (GNU gettext's msgcat and msgmerge, poppler's pdftoppm),
each with a time limit: one that is missing, cannot start or takes too long is a
LeafletsError naming the file, never a traceback or a command that hangs with it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .errors import LeafletsError


def run_program(
    program: str,
    args: Sequence[str],
    shown: str | Path | None,
    *,
    missing: str,
    timeout: float,
    error: type[LeafletsError] = LeafletsError,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``program args`` (its output captured) for the file ``shown``; the caller
    reads the return code. ``missing``: the message when the program is not installed;
    ``error``: the kind of LeafletsError raised."""
    found = shutil.which(program)
    if found is None:
        raise error(missing)
    try:
        return subprocess.run(
            [found, *args], input=stdin, capture_output=True, check=False, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has killed it; nothing it wrote is used.
        raise error(
            f"{program} did not finish within {timeout:g} seconds; nothing was written", shown
        ) from None
    except OSError as exc:
        raise error(f"cannot run {program}: {exc.strerror or exc}", shown) from None
