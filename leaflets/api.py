"""The library API front ends call: what can be built, and one handout in memory.

The web desk and its JSON API hold no rendering or policy logic of their own:
they call ``describe`` to offer choices and ``render_handout`` to make a PDF,
which goes through ``resolve`` and ``Renderer.render`` (via the batch's
``render_item``, which adds the page budget and the print preflight) exactly as
``leaflets build`` does. Nothing here writes a file.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal, get_args

from .batch import render_item
from .catalog import ReviewState, catalog_stats
from .config import EDITIONS, LAYOUTS, PAPERS, PATIENT_FIELDS, Leaflet, Project, Variant
from .defaults import choose_leaflet
from .errors import CatalogError, PolicyRefusal, RenderError
from .locale import locale_info
from .render import BuildRequest, FieldProblem, Renderer, field_problems, resolve
from .review import catalog_review

# Review states a language can be in: a catalog's (the source text, a draft
# translation, one a qualified medical translator reviewed), or a catalog that cannot
# be read at all.
LanguageState = Literal[ReviewState, "unusable"]
REVIEW_STATES: tuple[str, ...] = get_args(LanguageState)
DRAFT_NOTE = "draft translation, not yet reviewed by a qualified medical translator"
# Pixels per inch of preview images: a Letter page is 510 px wide, sharp enough to
# recognise the handout on screen, small enough to send inline.
PREVIEW_DPI = 60
PREVIEW_TIMEOUT = 20.0


@dataclass(frozen=True)
class LanguageChoice:
    code: str  # as in locales/<code>/ and file names: es, zh_Hans
    tag: str  # BCP 47, for HTML lang: zh-Hans
    english_name: str
    native_name: str
    direction: str  # ltr or rtl
    translated_percent: float
    review_status: LanguageState
    reviewer: str = ""
    review_date: str = ""
    # Messages sealed by a reviewer, of those the catalog has (review.catalog_review);
    # both 0 for the source language and for a catalog that cannot be read.
    sealed: int = 0
    sealable: int = 0

    @property
    def complete(self) -> bool:
        return self.translated_percent >= 100.0

    @property
    def is_draft(self) -> bool:
        return self.review_status == "draft"


@dataclass(frozen=True)
class LeafletChoice:
    id: str
    title: str
    version: str
    keywords: tuple[str, ...]
    variants: tuple[Variant, ...]
    languages: tuple[LanguageChoice, ...]

    def matches(self, query: str) -> bool:
        """Whether every word of a search matches the id, title, keywords or a variant."""
        haystack = " ".join(
            [self.id, self.title, *self.keywords, *(v.label for v in self.variants)]
        ).casefold()
        return all(word in haystack for word in query.casefold().split())


@dataclass(frozen=True)
class Offer:
    """Everything a front end may offer: leaflets with their variants and languages,
    papers, editions, layouts and the patient fields, with the project's defaults."""

    leaflets: tuple[LeafletChoice, ...]
    papers: tuple[str, ...]
    editions: tuple[str, ...]
    fields: tuple[str, ...]
    default_paper: str
    default_edition: str
    source_language: str
    layouts: tuple[str, ...] = LAYOUTS
    default_layout: str = LAYOUTS[0]

    def leaflet(self, leaflet_id: str) -> LeafletChoice | None:
        return next((lf for lf in self.leaflets if lf.id == leaflet_id), None)


def _language(project: Project, leaflet: Leaflet, code: str) -> LanguageChoice:
    loc = locale_info(code)
    english = loc.babel.get_display_name("en") or code
    # CLDR writes language names as they appear mid-sentence ("español"); in a list of
    # choices they start with a capital, as in CLDR's menu context.
    native = loc.display_name[:1].upper() + loc.display_name[1:]
    base = (code, loc.bcp47, english, native, loc.direction)
    if code == project.settings.source_language:
        return LanguageChoice(*base, 100.0, "source")
    try:
        stats = catalog_stats(project, leaflet, code, project.catalog_path(leaflet.id, code))
    except CatalogError:
        return LanguageChoice(*base, 0.0, "unusable")
    percent = stats.percent
    # 99.96 % must not read as 100 %: only a complete catalog says 100.
    shown = 100.0 if percent >= 100.0 else min(round(percent, 1), 99.9)
    # Derived from the review ledger: reviewed only when every message is sealed.
    review = catalog_review(project, leaflet, code).status()
    return LanguageChoice(
        *base, shown, review.status, review.reviewer, review.date, review.sealed, review.total
    )


def describe(project: Project) -> Offer:
    """The leaflets, variants and languages (with names, direction, how much is
    translated, review status and messages sealed), papers, editions and layouts of a
    project."""
    leaflets = tuple(
        LeafletChoice(
            leaflet.id,
            leaflet.title,
            leaflet.version,
            leaflet.keywords,
            leaflet.variants,
            tuple(_language(project, leaflet, code) for code in project.languages(leaflet.id)),
        )
        for leaflet in project.leaflets.values()
    )
    return Offer(
        leaflets,
        PAPERS,
        EDITIONS,
        PATIENT_FIELDS,
        project.settings.default_paper,
        EDITIONS[0],
        project.settings.source_language,
        LAYOUTS,
        LAYOUTS[0],
    )


def handout_request(
    project: Project,
    leaflet: str | None,
    variant: str,
    lang: str,
    paper: str | None = None,
    edition: str | None = None,
    fields: Mapping[str, str] | None = None,
    allow_incomplete: bool = False,
    allow_draft: bool = False,
    layout: str | None = None,
) -> BuildRequest:
    """A BuildRequest as ``leaflets build`` makes it: no leaflet means the project's only
    one (``defaults.choose_leaflet``), empty fields are left out (they print as lines to
    write on), paper and edition default from the settings, the layout to standard."""
    return BuildRequest(
        leaflet=choose_leaflet(project, leaflet).id,
        variant=variant,
        lang=lang,
        paper=paper or project.settings.default_paper,
        edition=edition or EDITIONS[0],
        fields=tuple((k, v) for k, v in (fields or {}).items() if v.strip()),
        allow_incomplete=allow_incomplete,
        allow_draft=allow_draft,
        layout=layout or LAYOUTS[0],
    )


def request_problems(project: Project, request: BuildRequest) -> list[FieldProblem]:
    """Every patient field that cannot be used, after the names were checked; an
    unknown leaflet, variant, language, paper, edition or layout raises
    UnknownChoiceError, the bilingual layout with the source language LayoutProblem."""
    resolve(project, replace(request, fields=()))
    return field_problems(dict(request.fields), request.lang)


@dataclass(frozen=True)
class Handout:
    filename: str
    pdf: bytes
    pages: int
    review_status: str
    # WeasyPrint's warnings about it: logged (named) where it was rendered, and here for
    # a front end whose renderer processes log nowhere.
    warnings: tuple[str, ...] = ()


def render_handout(
    renderer: Renderer | Project, request: BuildRequest, limit: float | None = None
) -> Handout:
    """One handout in memory, under the same rules as ``leaflets build``.

    Raises UnknownChoiceError, LayoutProblem or FieldProblem for a bad request,
    PolicyRefusal for a
    draft or incomplete translation the request did not allow, RenderError when the
    handout cannot be made. Give a long-lived Renderer: a Project makes a cold one.
    A program that embeds the library calls ``leaflets.process.setup_process`` once,
    at its start, before the first render (see process.py). ``limit``: seconds the
    render may take (in the main thread; default: the batch's per-item limit).
    """
    if not isinstance(renderer, Renderer):
        renderer = Renderer(renderer)
    resolve(renderer.project, request)
    outcome = render_item(renderer, request, limit)
    if outcome.status == "refused":
        raise PolicyRefusal(outcome.message)
    if outcome.status != "built" or outcome.pdf is None:
        raise RenderError(outcome.message)
    return Handout(
        request.filename(),
        outcome.pdf,
        outcome.pages,
        outcome.review_status,
        tuple(outcome.warnings),
    )


def page_images(pdf: bytes, pages: int, dpi: int = PREVIEW_DPI) -> list[bytes]:
    """PNG images of a PDF's pages, made in memory: poppler's pdftocairo reads the PDF
    from its standard input and writes the image to its standard output."""
    images = []
    for number in range(1, pages + 1):
        command = ["pdftocairo", "-png", "-r", str(dpi), "-f", str(number), "-l", str(number)]
        try:
            done = subprocess.run(
                [*command, "-singlefile", "-", "-"],
                input=pdf,
                capture_output=True,
                timeout=PREVIEW_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RenderError("drawing the preview took too long") from None
        if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
            raise RenderError("cannot draw the preview of the handout")
        images.append(done.stdout)
    return images
