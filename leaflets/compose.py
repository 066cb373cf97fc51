"""A handout's HTML: the sandboxed Jinja2 template filled in for one resolved request
and its catalog, with the edition's page CSS (size, bleed, colours) and the fonts of
the reader's script. Template errors are placed at their file and line."""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

from jinja2 import (
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from .catalog import TITLE_CONTEXT, VARIANT_CONTEXT, LoadedCatalog
from .config import PAPER_GEOMETRY, Project
from .errors import RenderError
from .fonts import load_fonts, source_css
from .layouts import Bilingual, Pairing, in_both_languages
from .linebreak import WordBreaks, insert_breaks, needs_breaks
from .locale import locale_info
from .request import Resolved, format_fields
from .templating import (
    MAX_HTML_CHARS,
    PAGE_MARK,
    PAGES_MARK,
    PageTooLargeError,
    make_environment,
)

MARGIN = "0.6in"  # top and side page margins, as in leaflet.css
_INCLUDE = re.compile(r"\{%-?\s*(?:include|import|from)\s")
ENGLISH_NOTICES = {
    "draft": "Translation not yet reviewed",
    "incomplete": "Incomplete translation: some text is in English",
    "banner": "Draft translation, not yet reviewed by a qualified medical translator.",
}


class Composer:
    """Writes the HTML of handouts of one project: one sandboxed Jinja2 environment and
    the project's font list, kept for every handout."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.env = make_environment(project)
        self.fonts = load_fonts(project.fonts_dir)

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
            "fields": format_fields(dict(r.request.fields), loc),
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
        geometry = PAPER_GEOMETRY[paper]
        rules = [f"@page {{ size: {geometry.width} {geometry.height}; }}"]
        if r.request.edition == "print":
            marks = " marks: crop;" if r.request.marks else ""
            bleed = geometry.bleed
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
            place, line = self.longest_template_line(r, shown)
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

    def longest_template_line(self, r: Resolved, default: Path) -> tuple[Path, int | None]:
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
