"""HTML -> PDF bytes with WeasyPrint, in memory: the one place that drives WeasyPrint
for handouts.

A Typesetter keeps one FontConfiguration for all the documents it makes (a new
one per document is 1.7 times slower). WeasyPrint copies every font it uses
into a folder; the Typesetter says which folder and removes it when closed.
Files are fetched only through the sandboxed fetcher. WeasyPrint's warnings
and errors are collected for each document: an error or a missing glyph fails
the handout, and the warnings are returned and logged with the handout's name.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .catalog import LoadedCatalog
from .config import Project
from .errors import FetchRefusedError, RenderError
from .pdfx import OutputIntent, PrintFinisher, ProfileError
from .request import Resolved
from .textlayer import ACTUAL_TEXT

PDF_VARIANTS = {"clinic": "pdf/ua-1", "print": "pdf/x-1a"}
ICC_PROFILE = "print/ISOcoated_v2_300_bas.icc"


@dataclass
class Typeset:
    pdf: bytes
    pages: int
    warnings: list[str]  # WeasyPrint's warnings about this document


class Collector(logging.Filter):
    """WeasyPrint's warnings and errors about one document: kept, and passed on named
    with the document (``cryoablation_..._es_letter_clinic.pdf: Ignored ...``) as far
    as the process's logging would have passed them on."""

    def __init__(self, document: str, passes: int) -> None:
        super().__init__()
        self.document = document
        self.passes = passes  # the lowest level the process's logging wanted
        self.messages: list[str] = []
        self.errors: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            message = record.getMessage()
            self.messages.append(message)
            if record.levelno >= logging.ERROR:
                self.errors.append(message.splitlines()[0])
            record.msg, record.args = "%s: %s", (self.document, message)
        return record.levelno >= self.passes

    def missing_glyphs(self) -> list[str]:
        """The characters WeasyPrint drew as .notdef boxes: no font of the stack has them."""
        return sorted({m.split(": ", 1)[-1] for m in self.messages if ".notdef glyph" in m})


@contextmanager
def collect_warnings(document: str) -> Iterator[Collector]:
    """Collect WeasyPrint's warnings while one document (a handout, a review worksheet)
    is made, whatever the process's logging is set to: the checks for errors and
    missing glyphs read them. (A process that logs errors only would otherwise drop
    them before anyone saw them.)"""
    logger = logging.getLogger("weasyprint")
    level, disabled = logger.level, logger.disabled
    collect = Collector(document, logging.CRITICAL + 1 if disabled else logger.getEffectiveLevel())
    logger.disabled = False
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addFilter(collect)
    try:
        yield collect
    finally:
        logger.removeFilter(collect)
        logger.setLevel(level)
        logger.disabled = disabled


def _remove(folder: Path, owner: int) -> None:
    # A forked child inherits the finaliser: only the process that made the folder
    # removes it.
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


class Typesetter:
    """Makes PDFs for one project. ``scratch``: where the folder of font copies goes
    (default: the system's temporary folder). Close it, or use it in a ``with``."""

    def __init__(self, project: Project, scratch: Path | None = None) -> None:
        # Lazy: WeasyPrint is imported only by processes that render.
        from weasyprint.text.fonts import FontConfiguration

        self.project = project
        self.folder = Path(tempfile.mkdtemp(prefix="weasyprint-", dir=scratch))
        # Removed on close(), when the Typesetter is garbage-collected, or at exit.
        self._cleanup = weakref.finalize(self, _remove, self.folder, os.getpid())
        self.font_config = FontConfiguration()
        # WeasyPrint 70 makes this folder itself with mkdtemp() on the first
        # @font-face, in the process's temporary folder, and removes it only when the
        # FontConfiguration is garbage-collected. Naming it here puts the copies where
        # the caller said, without changing tempfile.tempdir for the whole process
        # (a private attribute: pyproject.toml pins WeasyPrint to 70.x).
        self.font_config._folder = self.folder
        self._finisher: PrintFinisher | None = None

    def close(self) -> None:
        """Remove the font copies. The Typesetter cannot be used afterwards."""
        self._cleanup()

    def print_finisher(self) -> PrintFinisher:
        """The print edition's finisher, its output intent prepared (the profile read
        and compressed) once per Typesetter, on the first print render."""
        if self._finisher is None:
            icc = self.project.templates_dir / ICC_PROFILE
            try:
                intent = OutputIntent.load(self.project.settings.output_intent, icc)
            except ProfileError as exc:
                raise RenderError(str(exc), icc.relative_to(self.project.root)) from None
            self._finisher = PrintFinisher(intent)
        return self._finisher

    def typeset(
        self,
        html: str,
        r: Resolved,
        catalog: LoadedCatalog,
        actual_text: bool = True,
        max_pages: int | None = None,
    ) -> Typeset:
        """The PDF of one handout's HTML. ``actual_text``: the clinic edition's text
        layer (textlayer/). ``max_pages``: past that many pages the layout is not drawn
        (the PDF is empty, the page count true): the caller lays it out again."""
        # Lazy: WeasyPrint (and the fetcher built on it) only where a PDF is made.
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        from .fetcher import SandboxedFetcher

        shown = r.leaflet.folder.relative_to(self.project.root) / "leaflet.html.j2"
        fetcher = SandboxedFetcher(self.project.asset_dirs)
        # /ActualText where glyphs do not spell their text: clinic edition only (PDF/UA);
        # the print edition is PDF/X-1a, PDF 1.4, which predates it.
        token = ACTUAL_TEXT.set(r.request.edition == "clinic" and actual_text)
        try:
            with collect_warnings(r.request.filename()) as collect:
                document = HTML(
                    string=html,
                    base_url=self.project.templates_dir.as_uri() + "/",
                    url_fetcher=fetcher,
                ).render(font_config=self.font_config)
                if max_pages is not None and len(document.pages) > max_pages:
                    return Typeset(b"", len(document.pages), collect.messages)
                finisher = self.print_finisher() if r.request.edition == "print" else None
                variant = PDF_VARIANTS[r.request.edition]
                pdf = document.write_pdf(pdf_variant=variant, finisher=finisher)
        except FatalURLFetchingError as exc:
            cause = exc.__cause__
            if isinstance(cause, FetchRefusedError):
                raise self._place_fetch_error(cause, r) from None
            raise RenderError(f"cannot fetch a resource: {exc}") from None
        except RecursionError:
            raise RenderError("the document is nested too deeply to lay out", shown) from None
        finally:
            ACTUAL_TEXT.reset(token)
        if fetcher.refused:
            # WeasyPrint swallows some failed fetches (inside SVG images, for one) and
            # draws a blank: a refused fetch fails the handout wherever it happened.
            raise self._place_fetch_error(fetcher.refused[0], r)
        if collect.errors:
            message = collect.errors[0]
            where: Path = r.leaflet.folder / "leaflet.html.j2"
            named = re.search(r"file://(/\S+?)[\"'\s,)]", message + " ")
            if named and Path(unquote(named.group(1))).is_relative_to(self.project.root):
                where = Path(unquote(named.group(1)))
            raise RenderError(
                f"part of the handout could not be drawn: {message[:200]}",
                where.relative_to(self.project.root),
            )
        missing = collect.missing_glyphs()
        if missing:
            # Never a silent box in a patient's handout: a missing glyph fails the build.
            source = catalog.path.relative_to(self.project.root) if catalog.path else None
            raise RenderError(
                f"the fonts for {r.loc.code} cannot draw {', '.join(missing[:5])}; "
                "run `leaflets check` to find the messages",
                source,
            )
        return Typeset(pdf, len(document.pages), collect.messages)

    def _place_fetch_error(self, error: FetchRefusedError, r: Resolved) -> FetchRefusedError:
        """Name the template file and line that asked for a refused URL, where it can be found."""
        url = error.url
        # The template may spell the URL relative or percent-encoded: try those too.
        needles = [n for n in (url, unquote(url), Path(urlsplit(url).path).name) if n]
        root = self.project.root
        templates = self.project.templates_dir
        template = r.leaflet.folder / "leaflet.html.j2"
        # The files this handout is made of first, then anything else a stylesheet or
        # logo may have pulled in.
        candidates = [template, templates / "base.html.j2", *sorted(templates.glob("css/*"))]
        candidates += sorted(p for p in r.brand.folder.iterdir() if p.is_file())
        candidates += sorted(
            p
            for p in templates.rglob("*")
            if p.suffix in (".j2", ".css", ".svg", ".html") and p not in candidates
        )
        for path in candidates:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError:
                continue
            for needle in needles:
                for number, line in enumerate(lines, 1):
                    if needle in line:
                        return FetchRefusedError(error.message, path.relative_to(root), number)
        return FetchRefusedError(error.message, template.relative_to(root))
