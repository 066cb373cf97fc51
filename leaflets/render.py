"""One handout: Jinja2 (i18n, autoescape, StrictUndefined) -> HTML -> WeasyPrint -> PDF.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape

from .catalog import TITLE_CONTEXT, VARIANT_CONTEXT, LoadedCatalog, load_catalog
from .config import EDITIONS, LAYOUTS, PAPERS, PATIENT_FIELDS, Brand, Leaflet, Project, Variant
from .errors import (
    FetchRefusedError,
    PolicyRefusal,
    RenderError,
    UnknownChoiceError,
    UsageProblem,
)
from .fonts import load_fonts
from .layouts import NoPairing, PairedTranslations, paired_title, tag_languages
from .linebreak import WordBreaks, insert_breaks, needs_breaks
from .locale import LocaleInfo, locale_info
from .textlayer import ACTUAL_TEXT
from .textlayer import install as install_actual_text

log = logging.getLogger("leaflets")

PAGE_MARK = "\ue000"
PAGES_MARK = "\ue001"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
# Print vendors' usual bleed: 3 mm around A4, an eighth of an inch around Letter.
BLEED = {"a4": "3mm", "letter": "0.125in"}
PDF_VARIANTS = {"clinic": "pdf/ua-1", "print": "pdf/x-1a"}
ICC_PROFILE = "print/ISOcoated_v2_300_bas.icc"
MARGIN = "0.6in"  # top and side page margins, as in leaflet.css
MAX_FIELD_LENGTH = 200
# A handout is a few pages: HTML beyond this comes from a runaway message or template.
MAX_HTML_CHARS = 400_000
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
        raise UsageProblem(
            f"--layout bilingual pairs English with the patient's language, and --lang "
            f"{request.lang} is English itself: choose the patient's language, e.g. --lang es"
        )
    brand = project.brand(request.brand)
    for key, _ in request.fields:
        if key not in PATIENT_FIELDS:
            raise UnknownChoiceError("field", key, PATIENT_FIELDS)
    loc = locale_info(request.lang)
    _format_fields(dict(request.fields), loc)  # a bad value fails here, before any rendering
    return Resolved(request, leaflet, variant, brand, loc)


# --- formatting helpers -------------------------------------------------------------------


def css_string(text: str) -> str:
    """A CSS string literal; everything outside plain ASCII is escaped."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in " .,:;!?()-_'/"):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def css_page_counter(label: str, style: str = "decimal") -> Markup:
    """Turn a translated "Page {page} of {pages}" into CSS ``content`` tokens."""
    counters = {PAGE_MARK: f"counter(page, {style})", PAGES_MARK: f"counter(pages, {style})"}
    tokens = []
    for part in re.split(f"([{PAGE_MARK}{PAGES_MARK}])", str(label)):
        if part in counters:
            tokens.append(counters[part])
        elif part:
            tokens.append(css_string(part))
    return Markup(" ".join(tokens))


def _format_fields(fields: Mapping[str, str], loc: LocaleInfo) -> dict[str, str]:
    out = dict.fromkeys(PATIENT_FIELDS, "")
    for key, raw in fields.items():
        value = raw.strip()
        if len(value) > MAX_FIELD_LENGTH:
            raise UsageProblem(f"--field {key}: longer than {MAX_FIELD_LENGTH} characters")
        if not value:
            continue
        try:
            if key == "procedure_date":
                value = loc.date(dt.date.fromisoformat(value))
            elif key in ("arrival_time", "fasting_start"):
                if " " in value or "T" in value:
                    stamp = dt.datetime.fromisoformat(value)
                    value = f"{loc.date(stamp.date())} {loc.time(stamp.time())}"
                else:
                    value = loc.time(dt.time.fromisoformat(value))
        except ValueError:
            wanted = (
                "a date like 2026-12-01"
                if key == "procedure_date"
                else ("a time like 07:30 or a date and time like 2026-12-01 22:00")
            )
            raise UsageProblem(f"--field {key}: expected {wanted}, got {raw!r}") from None
        out[key] = value
    return out


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


_RGB_BLACK = {b"0 0 0 rg": b"0 0 0 1 k", b"0 0 0 RG": b"0 0 0 1 K"}


def _black_as_k(document: Any, pdf: Any) -> None:
    """Print edition: paint WeasyPrint's own RGB black (crop marks, SVG defaults) as
    100 % K, the only black vendors accept. Any other RGB colour is left alone for
    preflight to report."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream):
            obj.stream = [
                _RGB_BLACK.get(item, item) if isinstance(item, bytes) else item
                for item in obj.stream
            ]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        if record.levelno >= logging.ERROR:
            self.errors.append(record.getMessage().splitlines()[0])


class SandboxedLoader(FileSystemLoader):
    """Templates from ``templates/`` only: an include of a symlink or a path that leads
    out of the folder is refused, like the URL fetcher refuses files outside it."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder.resolve()

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        # Check before anything is read: a symlink to a secret must not even be opened.
        candidate = self.folder.joinpath(*split_template_path(template))
        if candidate.exists() and not candidate.resolve().is_relative_to(self.folder):
            raise TemplateNotFound(f"{template} (leads outside the templates folder)")
        return super().get_source(environment, template)


def make_environment(project: Project) -> Environment:
    env = Environment(
        loader=SandboxedLoader(project.templates_dir),
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.filters["css_page_counter"] = css_page_counter
    return env


class Renderer:
    """Renders handouts of one project. Keep one per process."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.env = make_environment(project)
        self.fonts = load_fonts(project.fonts_dir)
        _isolate_fontconfig(project.fonts_dir)
        from weasyprint.text.fonts import FontConfiguration

        tag_languages()  # bilingual handouts: /Lang on each part
        install_actual_text()  # a text layer that reads as the page (textlayer.py)
        # False draws text as WeasyPrint alone would (bench/text_layer_bench.py compares).
        self.actual_text = True
        self.font_config = FontConfiguration()
        atexit.register(self.close)

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
        pairs: PairedTranslations | NoPairing | None = None,
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
        if isinstance(pairs, PairedTranslations):
            english = f"{r.leaflet.title} \N{EN DASH} {r.variant.label}"
            document_title = f"{document_title} / {english}"
            shown_title = paired_title(shown_title, r.leaflet.title, loc)
            shown_label = paired_title(shown_label, r.variant.label, loc)
        numbers = {k: v for k, v in r.leaflet.facts.items() if isinstance(v, int | float)}
        facts = {k: loc.number(v) for k, v in numbers.items()}

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
        source = self.project.settings.source_language
        is_draft = catalog.review.is_draft
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
            "pairs": pairs or NoPairing(),
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
            "fever": loc.temperature(brand.fever_value, brand.fever_unit),
            "phone_appointments": phone(brand.phone_appointments),
            "phone_after_hours": phone(brand.phone_after_hours),
            "draft": is_draft,
            "incomplete": incomplete,
            # Staff who do not read the handout's language still see its status.
            "english_notices": ENGLISH_NOTICES if r.loc.code != source else None,
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
            icc = (self.project.templates_dir / ICC_PROFILE).as_uri()
            rules.append(
                f'@color-profile device-cmyk {{ src: url("{icc}"); '
                "components: cyan, magenta, yellow, black; }"
            )
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
        pairs: PairedTranslations | NoPairing = NoPairing()
        translations: Any = catalog.translations
        if needs_breaks(r.loc):
            translations = WordBreaks(translations, r.loc)
        if r.request.layout == "bilingual":
            pairs = translations = PairedTranslations(translations, r.loc)
        self.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
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
        except (TemplateError, KeyError, ValueError, TypeError) as exc:
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

    def _template_place(self, exc: BaseException, default: Path) -> tuple[Path, int | None]:
        """The template file and line where an error was raised: Jinja2 rewrites the
        traceback so that its frames point into the templates."""
        templates = self.project.templates_dir.resolve()
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            path = Path(frame.filename)
            if path.suffix == ".j2" and path.resolve().is_relative_to(templates):
                return path.resolve().relative_to(self.project.root), frame.lineno
        return default, None

    def render(self, request: BuildRequest) -> RenderResult:
        r = resolve(self.project, request)
        catalog = load_catalog(self.project, r.leaflet, r.request.lang)
        shown = catalog.path.relative_to(self.project.root) if catalog.path else None
        if not catalog.complete and not r.request.allow_incomplete:
            raise PolicyRefusal(catalog.incomplete_message(shown or ""))
        if r.request.edition == "print" and catalog.review.is_draft and not r.request.allow_draft:
            raise PolicyRefusal(
                "draft translation, not yet reviewed by a qualified medical translator: the "
                "print edition refuses drafts (use --allow-draft to print it with its draft mark)",
                shown,
            )
        incomplete = not catalog.complete
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

    def pdf(self, html: str, r: Resolved, catalog: LoadedCatalog) -> RenderResult:
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
            finisher = _black_as_k if r.request.edition == "print" else None
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
