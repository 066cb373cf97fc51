"""One handout: request -> checked handout -> HTML -> PDF bytes, in memory.

The Renderer runs the steps in order: resolve the request and apply the policies
(request.py), load the catalog and derive the handout's review status, write the
HTML (compose.py), make the PDF (typeset.py), and set it again with tighter
spacing if it runs over its page budget. It writes no file.

WeasyPrint is imported only when a Renderer is made: commands that do not render
stay quick. A process keeps one Renderer, and so one FontConfiguration, for all the
documents it renders. The process must have been set up for the project's fonts
first (``process.setup_process``, called by the entry point that owns it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from .catalog import LoadedCatalog, ReviewStatus, load_catalog
from .compose import ENGLISH_NOTICES, MARGIN, Composer
from .config import Project
from .errors import RenderError
from .fonts import load_fonts
from .layouts import tag_languages
from .process import require_setup
from .request import (
    MAX_FIELD_LENGTH,
    BuildRequest,
    FieldProblem,
    LayoutProblem,
    Resolved,
    field_problems,
    refuse_draft,
    refuse_incomplete,
    refuse_stale,
    resolve,
)
from .review import handout_review
from .templating import MAX_HTML_CHARS, make_environment
from .textlayer import install as install_actual_text
from .typeset import ICC_PROFILE, PDF_VARIANTS, Typesetter

# Imported from here by the CLI, the desk, the API and the tests: the names a
# rendering caller needs, wherever they are defined.
__all__ = [
    "ENGLISH_NOTICES",
    "ICC_PROFILE",
    "MARGIN",
    "MAX_FIELD_LENGTH",
    "PDF_VARIANTS",
    "BuildRequest",
    "FieldProblem",
    "LayoutProblem",
    "RenderResult",
    "Renderer",
    "Resolved",
    "field_problems",
    "load_fonts",
    "make_environment",
    "resolve",
]


@dataclass
class RenderResult:
    pdf: bytes
    pages: int
    warnings: list[str]  # WeasyPrint's warnings about the handout (also logged, named)
    catalog: LoadedCatalog
    incomplete: bool = False  # some messages printed in English


class Renderer:
    """Renders handouts of one project. Keep one per process, and close it (or use it
    in a ``with`` block) when done: that removes the copies of the fonts WeasyPrint
    made. ``scratch``: the folder they go in (default: the system's temporary folder)."""

    def __init__(self, project: Project, scratch: Path | None = None) -> None:
        self.project = project
        self.composer = Composer(project)  # a broken font list fails here, before WeasyPrint
        self.env = self.composer.env
        self.fonts = self.composer.fonts
        require_setup(project.fonts_dir)  # before WeasyPrint is imported (process.py)
        # WeasyPrint's structure tree and text drawing, wrapped once per process (the
        # first Renderer does it: only processes that render import WeasyPrint):
        tag_languages()  # bilingual handouts: /Lang on each part
        install_actual_text()  # a text layer that reads as the page (textlayer/)
        # False draws text as WeasyPrint alone would (bench/text_layer_bench.py compares).
        self.actual_text = True
        self.typesetter = Typesetter(project, scratch)
        self.font_config = self.typesetter.font_config

    def close(self) -> None:
        """Remove the font copies WeasyPrint keeps in a temporary folder."""
        self.typesetter.close()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def html(
        self, r: Resolved, catalog: LoadedCatalog, incomplete: bool = False, fit: bool = False
    ) -> str:
        """The handout's HTML (compose.py)."""
        return self.composer.html(r, catalog, incomplete, fit)

    def render(self, request: BuildRequest) -> RenderResult:
        r = resolve(self.project, request)
        catalog = load_catalog(self.project, r.leaflet, r.request.lang)
        shown = catalog.path.relative_to(self.project.root) if catalog.path else None
        refuse_incomplete(r, catalog, shown)
        incomplete = not catalog.complete
        catalog, html = self._derive_review(r, catalog, incomplete)
        refuse_draft(r, catalog.review, shown)
        if html is None:
            html = self.html(r, catalog, incomplete)
        # Messages the template used that the catalog does not have at all (a stale
        # catalog) would print in English too: the same policy applies.
        missing = sorted(getattr(catalog.translations, "missing", ()), key=str)
        if missing and catalog.complete:
            refuse_stale(r, missing, shown)
            incomplete = True
            html = self.html(r, catalog, incomplete)
        fits = r.leaflet.budget("standard") if r.request.layout == "standard" else None
        result = self.pdf(html, r, catalog, fits)
        if fits is not None and result.pages > fits:
            # Some languages run longer, or need taller lines (Nastaliq), than the page
            # budget allows at the usual spacing: tighten spacing and line height, never
            # the type size (leaflet.css, .fit-tight), and let the budget check judge.
            # (The first layout was not drawn.)
            result = self.pdf(self.html(r, catalog, incomplete, fit=True), r, catalog)
        result.incomplete = incomplete
        return result

    def _derive_review(
        self, r: Resolved, catalog: LoadedCatalog, incomplete: bool
    ) -> tuple[LoadedCatalog, str | None]:
        """The handout's review status, derived from the ledger: render it once without
        the draft mark, recording every message it looks up; it is reviewed only when
        all of those the catalog has are sealed (and then that HTML is the handout's)."""
        if r.request.lang == self.project.settings.source_language:
            return catalog, None
        used = getattr(catalog.translations, "used", None)
        if used is None:
            return catalog, None
        html = self.html(r, replace(catalog, review=ReviewStatus("reviewed")), incomplete)
        # A fuzzy or untranslated message printed in English (--allow-incomplete) is
        # printed too, and not sealed: the handout stays a draft.
        missing: set[tuple[str | None, str]] = getattr(catalog.translations, "missing", set())
        status = handout_review(self.project, r.leaflet, r.request.lang, set(used) | missing)
        return replace(catalog, review=status), (html if not status.is_draft else None)

    def pdf(
        self, html: str, r: Resolved, catalog: LoadedCatalog, max_pages: int | None = None
    ) -> RenderResult:
        """The PDF of a handout's HTML (typeset.py), refused if the HTML is far too long.
        Past ``max_pages`` pages it is laid out but not drawn: the PDF is empty."""
        if len(html) > MAX_HTML_CHARS:
            shown = r.leaflet.folder.relative_to(self.project.root) / "leaflet.html.j2"
            place, line = self.composer.longest_template_line(r, shown)
            raise RenderError(
                f"the handout's HTML is {len(html):,} characters, more than the limit of "
                f"{MAX_HTML_CHARS:,}: a template line, message or field is far too long",
                place,
                line,
            )
        made = self.typesetter.typeset(html, r, catalog, self.actual_text, max_pages)
        return RenderResult(made.pdf, made.pages, made.warnings, catalog)
