"""One handout: sandboxed Jinja2 (i18n, autoescape, strict) -> HTML -> WeasyPrint -> PDF.

WeasyPrint is imported only when a Renderer is made: commands that do not
render stay quick. A process keeps one Renderer, and so one FontConfiguration,
for all the documents it renders.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import tempfile
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import (
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from markupsafe import Markup, escape

from .catalog import TITLE_CONTEXT, VARIANT_CONTEXT, LoadedCatalog, ReviewStatus, load_catalog
from .config import EDITIONS, LAYOUTS, PAPERS, PATIENT_FIELDS, Brand, Leaflet, Project, Variant
from .errors import (
    FetchRefusedError,
    PolicyRefusal,
    RenderError,
    UnknownChoiceError,
    UsageProblem,
)
from .fonts import load_fonts, source_css
from .layouts import Bilingual, Pairing, in_both_languages, tag_languages
from .linebreak import WordBreaks, insert_breaks, needs_breaks
from .locale import LocaleInfo, locale_info
from .pdfx import OutputIntent, PrintFinisher, ProfileError
from .review import handout_review
from .templating import (
    MAX_HTML_CHARS,
    PAGE_MARK,
    PAGES_MARK,
    PageTooLargeError,
    make_environment,
)
from .textlayer import ACTUAL_TEXT
from .textlayer import install as install_actual_text

log = logging.getLogger("leaflets")

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
# Print vendors' usual bleed: 3 mm around A4, an eighth of an inch around Letter.
BLEED = {"a4": "3mm", "letter": "0.125in"}
PDF_VARIANTS = {"clinic": "pdf/ua-1", "print": "pdf/x-1a"}
ICC_PROFILE = "print/ISOcoated_v2_300_bas.icc"
MARGIN = "0.6in"  # top and side page margins, as in leaflet.css
MAX_FIELD_LENGTH = 200
_INCLUDE = re.compile(r"\{%-?\s*(?:include|import|from)\s")
ENGLISH_NOTICES = {
    "draft": "Translation not yet reviewed",
    "incomplete": "Incomplete translation: some text is in English",
    "banner": "Draft translation, not yet reviewed by a qualified medical translator.",
}


# --- requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildRequest:
    leaflet: str
    variant: str
    lang: str
    paper: str
    edition: str = "clinic"
    brand: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # (key, value) pairs: the request stays hashable
    allow_incomplete: bool = False
    allow_draft: bool = False  # print edition only: the clinic edition marks drafts instead
    marks: bool = False  # print edition only: crop marks in the bleed
    layout: str = "standard"  # standard, large-print or bilingual

    def filename(self) -> str:
        name = f"{self.leaflet}_{self.variant}_{self.lang}_{self.paper}_{self.edition}"
        if self.layout != "standard":
            name += f"_{self.layout}"
        return name + ".pdf"


@dataclass(frozen=True)
class Resolved:
    """A request checked against the project: every name exists."""

    request: BuildRequest
    leaflet: Leaflet
    variant: Variant
    brand: Brand
    loc: LocaleInfo


def resolve(project: Project, request: BuildRequest) -> Resolved:
    """Check every name in a request; raise UnknownChoiceError listing the valid values."""
    leaflet = project.leaflet(request.leaflet)
    variant = leaflet.variant(request.variant)
    languages = project.languages(leaflet.id)
    if request.lang not in languages:
        raise UnknownChoiceError("language", request.lang, languages)
    if request.paper not in PAPERS:
        raise UnknownChoiceError("paper", request.paper, PAPERS)
    if request.edition not in EDITIONS:
        raise UnknownChoiceError("edition", request.edition, EDITIONS)
    if request.layout not in LAYOUTS:
        raise UnknownChoiceError("layout", request.layout, LAYOUTS)
    source = project.settings.source_language
    if request.layout == "bilingual" and request.lang == source:
        raise LayoutProblem(
            f"--layout bilingual pairs English with the patient's language, and --lang "
            f"{request.lang} is English itself: choose the patient's language, e.g. --lang es",
            "the bilingual layout prints English beside the patient's language, and this "
            "language is English itself: choose the patient's language, or another layout",
        )
    brand = project.brand(request.brand)
    for key, _ in request.fields:
        if key not in PATIENT_FIELDS:
            raise UnknownChoiceError("field", key, PATIENT_FIELDS)
    loc = locale_info(request.lang)
    _format_fields(dict(request.fields), loc)  # a bad value fails here, before any rendering
    return Resolved(request, leaflet, variant, brand, loc)


# --- formatting helpers -------------------------------------------------------------------


class LayoutProblem(UsageProblem):
    """A layout that cannot be used with the chosen language (bilingual with the source
    language). ``reason`` speaks of choices, not options, for the desk and the API."""

    field = "layout"

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class FieldProblem(UsageProblem):
    """A patient field whose value cannot be used. ``reason`` never repeats the value (the
    desk shows it to anyone and logs nothing else); the CLI's message does, for the user
    who typed it."""

    def __init__(self, key: str, reason: str, raw: str | None = None) -> None:
        self.field = key
        self.reason = reason
        shown = f", got {raw!r}" if raw is not None else ""
        super().__init__(f"--field {key}: {reason}{shown}")


_FIELD_WANTED = {
    "procedure_date": "a date like 2026-12-01",
    "arrival_time": "a time like 07:30 or a date and time like 2026-12-01 22:00",
    "fasting_start": "a time like 07:30 or a date and time like 2026-12-01 22:00",
}


def _format_field(key: str, raw: str, loc: LocaleInfo) -> str:
    value = raw.strip()
    if len(value) > MAX_FIELD_LENGTH:
        raise FieldProblem(key, f"longer than {MAX_FIELD_LENGTH} characters")
    if not value:
        return ""
    try:
        if key == "procedure_date":
            return loc.date(dt.date.fromisoformat(value))
        if key in ("arrival_time", "fasting_start"):
            if " " in value or "T" in value:
                stamp = dt.datetime.fromisoformat(value)
                return f"{loc.date(stamp.date())} {loc.time(stamp.time())}"
            return loc.time(dt.time.fromisoformat(value))
    except ValueError:
        raise FieldProblem(key, f"expected {_FIELD_WANTED[key]}", raw) from None
    return value


def _format_fields(fields: Mapping[str, str], loc: LocaleInfo) -> dict[str, str]:
    out = dict.fromkeys(PATIENT_FIELDS, "")
    for key, raw in fields.items():
        out[key] = _format_field(key, raw, loc)
    return out


def field_problems(fields: Mapping[str, str], lang: str) -> list[FieldProblem]:
    """Every patient field that cannot be used, not only the first: for a form that
    marks each one. Unknown names are problems too."""
    loc = locale_info(lang)
    problems = []
    for key, raw in fields.items():
        if key not in PATIENT_FIELDS:
            problems.append(FieldProblem(key, "unknown field"))
            continue
        try:
            _format_field(key, raw, loc)
        except FieldProblem as exc:
            problems.append(exc)
    return problems


# --- fonts --------------------------------------------------------------------------------


_FONTCONFIG_DONE = False


def _isolate_fontconfig(fonts_dir: Path) -> None:
    """Make Fontconfig see the project's fonts and nothing else.

    Must run before WeasyPrint is imported: WeasyPrint loads the configuration at
    import. With only our folder configured, a missing glyph cannot silently come
    from a system font; it shows as missing and the coverage check reports it.
    """
    global _FONTCONFIG_DONE
    if _FONTCONFIG_DONE:
        return
    fonts = str(fonts_dir.resolve())
    config = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{escape(fonts)}</dir>\n  <cachedir>{{cache}}</cachedir>\n</fontconfig>\n"
    )
    # A per-user cache folder, the same for every process of this project: Fontconfig
    # scans the fonts once, not once per worker, and nothing is left in /tmp.
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "leaflets" / "fontconfig" / hashlib.sha256(fonts.encode()).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        conf = folder / "fonts.conf"
        text = config.replace("{cache}", str(escape(str(folder / "cache"))))
        if not conf.is_file() or conf.read_text(encoding="utf-8") != text:
            tmp = folder / f".fonts.conf.{os.getpid()}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, conf)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="leaflets-fc-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        conf = folder / "fonts.conf"
        conf.write_text(config.replace("{cache}", str(escape(str(folder / "cache")))), "utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    _FONTCONFIG_DONE = True


# --- the renderer -------------------------------------------------------------------------


@dataclass
class RenderResult:
    pdf: bytes
    pages: int
    warnings: list[str]
    catalog: LoadedCatalog
    incomplete: bool = False  # some messages printed in English


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        if record.levelno >= logging.ERROR:
            self.errors.append(record.getMessage().splitlines()[0])


class Renderer:
    """Renders handouts of one project. Keep one per process."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.env = make_environment(project)
        self.fonts = load_fonts(project.fonts_dir)
        _isolate_fontconfig(project.fonts_dir)
        # Lazy: WeasyPrint loads Fontconfig's configuration at import, so it is imported
        # after _isolate_fontconfig, and only by processes that render.
        from weasyprint.text.fonts import FontConfiguration

        tag_languages()  # bilingual handouts: /Lang on each part
        install_actual_text()  # a text layer that reads as the page (textlayer.py)
        # False draws text as WeasyPrint alone would (bench/text_layer_bench.py compares).
        self.actual_text = True
        self.font_config = FontConfiguration()
        self._finisher: PrintFinisher | None = None
        atexit.register(self.close)

    def _print_finisher(self) -> PrintFinisher:
        """The print edition's finisher, its output intent prepared (the profile read
        and compressed) once per Renderer, on the first print render."""
        if self._finisher is None:
            icc = self.project.templates_dir / ICC_PROFILE
            try:
                intent = OutputIntent.load(self.project.settings.output_intent, icc)
            except ProfileError as exc:
                raise RenderError(str(exc), icc.relative_to(self.project.root)) from None
            self._finisher = PrintFinisher(intent)
        return self._finisher

    def close(self) -> None:
        """Remove the font copies WeasyPrint keeps in a temporary folder."""
        folder = getattr(self.font_config, "_folder", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def context(
        self,
        r: Resolved,
        catalog: LoadedCatalog,
        incomplete: bool,
        pairs: Pairing | None = None,
        fit: bool = False,
    ) -> dict[str, Any]:
        tr = catalog.translations
        loc = r.loc
        brand = r.brand
        title = tr.pgettext(TITLE_CONTEXT, r.leaflet.title)
        variant_label = tr.pgettext(VARIANT_CONTEXT, r.variant.label)
        document_title = f"{title} \N{EN DASH} {variant_label}"
        shown_title: str | Markup = title
        shown_label: str | Markup = variant_label
        if needs_breaks(loc):
            # Break opportunities between words (linebreak.py); the PDF's title keeps none.
            shown_title = insert_breaks(title, loc.babel.language)
            shown_label = insert_breaks(variant_label, loc.babel.language)
        numbers = {k: v for k, v in r.leaflet.facts.items() if isinstance(v, int | float)}
        facts: dict[str, str] = {k: loc.number(v) for k, v in numbers.items()}
        fever = loc.temperature(brand.fever_value, brand.fever_unit)
        if pairs is not None and pairs.bilingual:
            # Each half of a pair shows the clinic's values the way its reader writes them.
            src = pairs.source
            english = f"{r.leaflet.title} \N{EN DASH} {r.variant.label}"
            if english != document_title:
                document_title = f"{document_title} / {english}"
            shown_title = in_both_languages(shown_title, r.leaflet.title, loc, src)
            shown_label = in_both_languages(shown_label, r.variant.label, loc, src)
            facts = {k: Bilingual(facts[k], src.number(v)) for k, v in numbers.items()}
            fever = Bilingual(fever, src.temperature(brand.fever_value, brand.fever_unit))

        def phone(number: str) -> Markup:
            # In a right-to-left line the bidi algorithm would show "(555) 010-2400" as
            # "2400-010 (555)": a wrong number. The stylesheet lays phone numbers out as
            # left-to-right inline blocks (WeasyPrint ignores unicode-bidi and the
            # isolate characters).
            return Markup('<span class="phone-number">%s</span>') % number

        page_css = "\n".join(
            [
                self.fonts.css(loc.font_stack),
                self._edition_css(r),
            ]
        )
        if pairs is not None and pairs.bilingual:
            page_css += "\n" + source_css(self.fonts, pairs.source.font_stack, loc.font_stack)
        source = self.project.settings.source_language
        is_draft = catalog.review.is_draft
        notices = ENGLISH_NOTICES
        if is_draft and catalog.review.total:
            review = catalog.review
            notices = {
                **ENGLISH_NOTICES,
                "banner": f"{ENGLISH_NOTICES['banner']} {review.unsealed} of {review.total} "
                "messages unreviewed.",
            }
        return {
            "loc": loc,
            "brand": brand,
            "leaflet": r.leaflet,
            "variant": r.variant,
            "edition": r.request.edition,
            "paper": r.request.paper,
            "layout": r.request.layout,
            # Tighter spacing for a standard handout that overflows its page budget.
            "fit": fit,
            # The page frame switches bilingual pairing on for the leaflet's body.
            "pairs": pairs or Pairing(tr, loc, loc),
            "title": shown_title,
            "variant_label": shown_label,
            "document_title": document_title,
            "stylesheet_url": (self.project.templates_dir / "css" / "leaflet.css").as_uri(),
            "logo_url": (brand.logo_print if r.request.edition == "print" else brand.logo).as_uri(),
            "document_date": r.leaflet.last_review.isoformat()
            if r.request.edition == "print"
            else "",
            "page_css": Markup(page_css),
            "review_date": loc.date(r.leaflet.last_review),
            "fields": _format_fields(dict(r.request.fields), loc),
            "fever": fever,
            "phone_appointments": phone(brand.phone_appointments),
            "phone_after_hours": phone(brand.phone_after_hours),
            "draft": is_draft,
            "incomplete": incomplete,
            # Staff who do not read the handout's language still see its status.
            "english_notices": notices if r.loc.code != source else None,
            # The raw numbers, for choosing plural forms: `{% trans count=counts.x %}`.
            "counts": numbers,
            "PAGE_MARK": PAGE_MARK,
            "PAGES_MARK": PAGES_MARK,
            **facts,
        }

    def _edition_css(self, r: Resolved) -> str:
        """Page size, bleed, marks and colours: RGB on screen and office printers,
        CMYK with an output intent for print vendors."""
        brand = r.brand
        paper = r.request.paper
        rules = [f"@page {{ size: {PAPER_SIZES[paper]}; }}"]
        if r.request.edition == "print":
            marks = " marks: crop;" if r.request.marks else ""
            bleed = BLEED[paper]
            rules.append(f"@page {{ bleed: {bleed};{marks} }}")
            # The colour bar runs off the trimmed edge into the bleed: offsets are the
            # page margin (leaflet.css) plus the bleed.
            rules.append(
                f".print-bar {{ position: fixed; top: calc(-{MARGIN} - {bleed}); "
                f"left: calc(-{MARGIN} - {bleed}); right: calc(-{MARGIN} - {bleed}); "
                f"height: calc(0.25in + {bleed}); background: var(--brand-primary); }}"
            )

            def cmyk(name: str) -> str:
                c, m, y, k = (v / 100 for v in brand.cmyk[name])
                return f"device-cmyk({c:g} {m:g} {y:g} {k:g})"

            colours = {name: cmyk(name) for name in ("primary", "accent", "tint")}
            # Text in 100 % black only, as vendors ask: never a four-colour grey.
            ink, muted = "device-cmyk(0 0 0 1)", "device-cmyk(0 0 0 0.8)"
        else:
            colours = {"primary": brand.primary, "accent": brand.accent, "tint": brand.tint}
            ink, muted = "#000", "#333"
        rules.append(
            f":root {{ --brand-primary: {colours['primary']}; --brand-accent: {colours['accent']}; "
            f"--brand-tint: {colours['tint']}; --ink: {ink}; --ink-muted: {muted}; }}"
        )
        return "\n".join(rules)

    def html(
        self, r: Resolved, catalog: LoadedCatalog, incomplete: bool = False, fit: bool = False
    ) -> str:
        template_path = r.leaflet.folder / "leaflet.html.j2"
        shown = template_path.relative_to(self.project.root)
        source = locale_info(self.project.settings.source_language)
        translations: Any = catalog.translations
        if needs_breaks(r.loc):
            translations = WordBreaks(translations, r.loc)
        pairs = Pairing(translations, r.loc, source, bilingual=r.request.layout == "bilingual")
        pairs.install(self.env)
        try:
            template = self.env.get_template(r.leaflet.template)
            return template.render(self.context(r, catalog, incomplete, pairs, fit))
        except TemplateSyntaxError as exc:
            where = Path(exc.filename).relative_to(self.project.root) if exc.filename else shown
            raise RenderError(f"template syntax error: {exc.message}", where, exc.lineno) from None
        except UndefinedError as exc:
            where, line = self._template_place(exc, shown)
            raise RenderError(
                f"template uses an unknown placeholder: {exc.message}", where, line
            ) from None
        except TemplateNotFound as exc:
            where, line = self._template_place(exc, shown)
            raise RenderError(f"template not found: {exc.message}", where, line) from None
        except PageTooLargeError as exc:
            place, line = self._longest_template_line(r, shown)
            raise RenderError(
                f"{exc}, more than the limit of {MAX_HTML_CHARS:,}: a template line, message "
                "or field is far too long",
                place,
                line,
            ) from None
        except SecurityError as exc:
            # The sandbox refused an attribute, a call or a size (templating.py).
            where, line = self._template_place(exc, shown)
            raise RenderError(f"template refused: {exc}", where, line) from None
        except RecursionError as exc:
            # An include or extends of itself (not a call the sandbox counts), or markup
            # nested thousands deep.
            where, line = self._template_place(exc, shown, _INCLUDE)
            message = "template refused: it includes itself or nests too deeply"
            raise RenderError(message, where, line) from None
        except MemoryError as exc:
            where, line = self._template_place(exc, shown)
            raise RenderError("template refused: it needs too much memory", where, line) from None
        except (TemplateError, LookupError, ValueError, TypeError, ArithmeticError) as exc:
            where, line = self._template_place(exc, shown)
            raise RenderError(f"cannot render template: {exc}", where, line) from None

    def _longest_template_line(self, r: Resolved, default: Path) -> tuple[Path, int | None]:
        """A template line long enough to explain an oversized handout, if there is one."""
        for path in (
            r.leaflet.folder / "leaflet.html.j2",
            self.project.templates_dir / "base.html.j2",
        ):
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError:
                continue
            for number, line in enumerate(lines, 1):
                if len(line) > MAX_HTML_CHARS // 4:
                    return path.relative_to(self.project.root), number
        return default, None

    def _template_place(
        self, exc: BaseException, default: Path, statement: re.Pattern[str] | None = None
    ) -> tuple[Path, int | None]:
        """The template file and line where an error was raised: Jinja2 rewrites the
        traceback so that its frames point into the templates. ``statement``: the
        innermost template line that matches it, if any (in a loop of includes, every
        frame of the loop is equally deep)."""
        templates = self.project.templates_dir.resolve()
        frames = []
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            path = Path(frame.filename)
            if path.suffix == ".j2" and path.resolve().is_relative_to(templates):
                frames.append((path.resolve().relative_to(self.project.root), frame))
        if statement is not None:
            for rel, frame in frames:
                if statement.search(frame.line or ""):
                    return rel, frame.lineno
        if frames:
            return frames[0][0], frames[0][1].lineno
        return default, None

    def render(self, request: BuildRequest) -> RenderResult:
        r = resolve(self.project, request)
        catalog = load_catalog(self.project, r.leaflet, r.request.lang)
        shown = catalog.path.relative_to(self.project.root) if catalog.path else None
        if not catalog.complete and not r.request.allow_incomplete:
            raise PolicyRefusal(catalog.incomplete_message(shown or ""))
        incomplete = not catalog.complete
        catalog, html = self._derive_review(r, catalog, incomplete)
        review = catalog.review
        if r.request.edition == "print" and review.is_draft and not r.request.allow_draft:
            raise PolicyRefusal(
                "draft translation, not yet reviewed by a qualified medical translator "
                f"({review.unsealed} of {review.total} messages it prints are not sealed; see "
                f"`leaflets review status --lang {r.request.lang}`): the print edition refuses "
                "drafts (use --allow-draft to print it with its draft mark)",
                shown,
            )
        if html is None:
            html = self.html(r, catalog, incomplete)
        # Messages the template used that the catalog does not have at all (a stale
        # catalog) would print in English too: the same policy applies.
        missing = sorted(getattr(catalog.translations, "missing", ()), key=str)
        if missing and catalog.complete:
            if not r.request.allow_incomplete:
                raise PolicyRefusal(
                    f"incomplete translation: {len(missing)} messages of the templates are not "
                    "in the catalog (run `leaflets update`), e.g. "
                    f"{missing[0][1][:60]!r}; or build with --allow-incomplete",
                    shown,
                )
            incomplete = True
            html = self.html(r, catalog, incomplete)
        result = self.pdf(html, r, catalog)
        if r.request.layout == "standard" and result.pages > r.leaflet.budget("standard"):
            # Some languages run longer, or need taller lines (Nastaliq), than the page
            # budget allows at the usual spacing: tighten spacing and line height, never
            # the type size (leaflet.css, .fit-tight), and let the budget check judge.
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

    def pdf(self, html: str, r: Resolved, catalog: LoadedCatalog) -> RenderResult:
        # Lazy: WeasyPrint (and the fetcher built on it) only where a PDF is made.
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        from .fetcher import SandboxedFetcher

        shown = r.leaflet.folder.relative_to(self.project.root) / "leaflet.html.j2"
        if len(html) > MAX_HTML_CHARS:
            place, line = self._longest_template_line(r, shown)
            raise RenderError(
                f"the handout's HTML is {len(html):,} characters, more than the limit of "
                f"{MAX_HTML_CHARS:,}: a template line, message or field is far too long",
                place,
                line,
            )
        fetcher = SandboxedFetcher(self.project.asset_dirs)
        collect = _Collect()
        wlog = logging.getLogger("weasyprint")
        wlog.addHandler(collect)
        # /ActualText where glyphs do not spell their text: clinic edition only (PDF/UA);
        # the print edition is PDF/X-1a, PDF 1.4, which predates it.
        actual_text = ACTUAL_TEXT.set(r.request.edition == "clinic" and self.actual_text)
        try:
            document = HTML(
                string=html,
                base_url=self.project.templates_dir.as_uri() + "/",
                url_fetcher=fetcher,
            ).render(font_config=self.font_config)
            finisher = self._print_finisher() if r.request.edition == "print" else None
            pdf = document.write_pdf(pdf_variant=PDF_VARIANTS[r.request.edition], finisher=finisher)
        except FatalURLFetchingError as exc:
            cause = exc.__cause__
            if isinstance(cause, FetchRefusedError):
                raise self._place_fetch_error(cause, r) from None
            raise RenderError(f"cannot fetch a resource: {exc}") from None
        except RecursionError:
            raise RenderError("the document is nested too deeply to lay out", shown) from None
        finally:
            ACTUAL_TEXT.reset(actual_text)
            wlog.removeHandler(collect)
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
        missing = sorted({m.split(": ", 1)[-1] for m in collect.messages if ".notdef glyph" in m})
        if missing:
            # Never a silent box in a patient's handout: a missing glyph fails the build.
            source = catalog.path.relative_to(self.project.root) if catalog.path else None
            raise RenderError(
                f"the fonts for {r.loc.code} cannot draw {', '.join(missing[:5])}; "
                "run `leaflets check` to find the messages",
                source,
            )
        return RenderResult(pdf, len(document.pages), collect.messages, catalog)

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
