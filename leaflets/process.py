"""Process-wide setup for a process that renders: Fontconfig sees the project's fonts only.

WeasyPrint finds fonts through Fontconfig, and Fontconfig takes its configuration
from one place: the file named by the environment variable ``FONTCONFIG_FILE``,
read when WeasyPrint is imported and again for every ``FontConfiguration``.
Neither library lets a caller hand one ``FontConfiguration`` a configuration of its
own, so this is a setting of the whole process. The entry point that owns the
process makes it, once, at the start, before anything imports WeasyPrint:

- the ``leaflets`` command, once it knows the project folder;
- each batch worker process, in the pool's initializer (``workers.py``);
- the desk server, and each of its renderer processes in their initializer;
- a program that embeds the library, before its first ``Renderer``::

      from leaflets.config import load_project
      from leaflets.process import setup_process
      from leaflets.render import Renderer

      project = load_project(root)
      setup_process(project.fonts_dir)
      with Renderer(project) as renderer:
          pdf = renderer.render(request).pdf

With only the project's folder configured, a glyph missing from the project's
fonts cannot silently come from a system font: it shows as missing, and the
renderer fails the handout (``typeset.py``).

Nothing else in the library changes a process-wide setting for good: WeasyPrint's
font copies go to a folder the caller names (``Renderer(project, scratch)``), and
what a render changes for its duration (the time limit's alarm, the level of
WeasyPrint's logger) is put back. The one exception needs WeasyPrint imported, so
the first Renderer does it: it wraps two WeasyPrint functions, for the text layer
(``textlayer/``, active only in a Renderer's own documents) and for ``/Lang`` on
each part of a bilingual handout (``layouts.py``).
"""

from __future__ import annotations

import atexit
import hashlib
import html
import multiprocessing
import multiprocessing.connection
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing.util import Finalize
from pathlib import Path

from markupsafe import escape

VARIABLE = "FONTCONFIG_FILE"

# The per-user cache is swept for configurations of vanished fonts folders at most this
# often (seconds): a sweep reads every entry, and a test run or a script that copies
# projects makes hundreds of them, each new one a sweep.
PRUNE_INTERVAL = 3600.0

# Configuration files this process wrote somewhere other than the per-user cache.
_FALLBACK: dict[Path, Path] = {}
_DIR = re.compile(r"<dir>([^<]*)</dir>")


class ProcessNotSetUpError(RuntimeError):
    """A Renderer made in a process whose entry point did not call setup_process():
    a mistake in the program, not in the user's input."""


def _config_text(fonts: Path, cache: Path) -> str:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{escape(str(fonts))}</dir>\n  <cachedir>{escape(str(cache))}</cachedir>\n"
        "</fontconfig>\n"
    )


def _cache_base() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "leaflets"


def _folder(fonts: Path) -> Path:
    """Where the configuration for a fonts folder lives: a per-user cache, the same
    for every process of the project, so Fontconfig scans the fonts once, not once
    per worker. Keyed by the folder's path; Fontconfig itself notices changed fonts."""
    return _cache_base() / "fontconfig" / hashlib.sha256(str(fonts).encode()).hexdigest()[:16]


def _prune(keep: Path) -> None:
    """Remove the configurations of fonts folders that no longer exist (a project copy
    a test made and deleted, say), at most once per PRUNE_INTERVAL: the cache holds one
    entry per existing project, and those of projects deleted within the hour."""
    swept = keep.parent / ".swept"
    try:
        if time.time() - swept.stat().st_mtime < PRUNE_INTERVAL:
            return
    except OSError:
        pass  # never swept
    try:
        swept.touch()
        entries = list(keep.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry == keep:
            continue
        try:
            named = _DIR.search((entry / "fonts.conf").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # being written, or not ours: leave it
        if named and not Path(html.unescape(named.group(1))).is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def config_file(fonts_dir: Path) -> Path:
    """Write (if needed) the Fontconfig configuration that lists ``fonts_dir`` and
    nothing else, and return its path. Changes nothing in this process."""
    fonts = fonts_dir.resolve()
    if fonts in _FALLBACK:
        return _FALLBACK[fonts]
    folder = _folder(fonts)
    conf = folder / "fonts.conf"
    text = _config_text(fonts, folder / "cache")
    try:
        if not conf.is_file() or conf.read_text(encoding="utf-8") != text:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".fonts.conf.{os.getpid()}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, conf)
            _prune(folder)
    except OSError:
        # No writable cache (a read-only home): a private folder, removed at exit.
        folder = Path(tempfile.mkdtemp(prefix="leaflets-fc-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        conf = folder / "fonts.conf"
        conf.write_text(_config_text(fonts, folder / "cache"), encoding="utf-8")
        _FALLBACK[fonts] = conf
    return conf


def is_set_up(fonts_dir: Path) -> bool:
    """Whether Fontconfig in this process is configured for ``fonts_dir`` only."""
    current = os.environ.get(VARIABLE)
    if not current:
        return False
    fonts = fonts_dir.resolve()
    expected = _FALLBACK.get(fonts) or _folder(fonts) / "fonts.conf"
    return Path(current) == expected and expected.is_file()


def setup_process(fonts_dir: Path) -> None:
    """Make Fontconfig see the fonts in ``fonts_dir`` and nothing else, in this process
    and in the processes it starts afterwards.

    Call it at the start, before anything imports WeasyPrint (WeasyPrint loads the
    configuration when it is imported). Calling it again for the same folder does
    nothing. Only a glyph that no font of a handout's stacks has is looked up in this
    list (and then the handout fails, unless the list has it): a process that renders
    projects with different fonts calls it before making each project's Renderer,
    which keeps the configuration in effect when it was made.
    """
    if not is_set_up(fonts_dir):
        os.environ[VARIABLE] = str(config_file(fonts_dir))


def _ours(current: str | None) -> bool:
    """Whether ``FONTCONFIG_FILE`` names a configuration setup_process() wrote, for
    whichever project."""
    if not current:
        return False
    path = Path(current)
    made = path in _FALLBACK.values() or path.parent.parent == _cache_base() / "fontconfig"
    return made and path.is_file()


def require_setup(fonts_dir: Path) -> None:
    """For a Renderer: the process must have been set up, so that Fontconfig lists a
    project's fonts and no system font."""
    if _ours(os.environ.get(VARIABLE)):
        return
    raise ProcessNotSetUpError(
        f"this process is not set up to render (Fontconfig would offer the system's fonts "
        f"instead of those in {fonts_dir}): call "
        "leaflets.process.setup_process(project.fonts_dir) at the start of the program, "
        "before making a Renderer"
    )


def close_when_worker_ends(close: Callable[[], None]) -> None:
    """In a pool's worker process (a batch worker, a desk renderer): run ``close``
    (remove WeasyPrint's font copies) however the worker ends.

    - At a normal end, through multiprocessing's own finaliser: pool workers leave
      through os._exit, which skips atexit.
    - When the process that started it is gone without shutting it down (killed, out
      of memory): then it also exits. Otherwise it would wait for work forever,
      holding its memory: a pool worker holds its own task queue open, so it never
      sees the queue's end.
    """
    Finalize(None, close, exitpriority=10)
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch(sentinel: int) -> None:
        multiprocessing.connection.wait([sentinel])
        close()
        os._exit(0)

    threading.Thread(target=watch, args=(parent.sentinel,), daemon=True).start()
