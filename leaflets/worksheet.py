"""The review worksheet: a PDF (and its HTML) for the qualified reviewer.

One row per message that needs review (translated, not fuzzy, not sealed): where it
appears, the English, the translation and an empty column for notes. The English is
set in the Latin stack and the translation in its language's stack from
``fonts/``, with its own ``lang`` and direction, so right-to-left and CJK text
render as in the handouts. Rendered through the project's Renderer (its
FontConfiguration and Fontconfig isolation) and sandboxed URL fetcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from .config import Leaflet, Project
from .errors import RenderError
from .files import write_atomic
from .locale import locale_info
from .render import Renderer
from .review import CHANGED, SEALED, CatalogReview, MessageReview, catalog_review
from .typeset import collect_warnings

SHEET_CSS = """
@page { size: A4 landscape; margin: 12mm 10mm 14mm;
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt;
    font-family: LATIN; } }
body { font-family: var(--latin); font-size: 9pt; color: #000; }
code { font-family: var(--latin); font-weight: bold; }
h1 { font-size: 14pt; margin: 0 0 2pt; }
p.meta { margin: 0 0 6pt; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 0.5pt solid #555; padding: 3pt 4pt; vertical-align: top; text-align: start; }
thead th { background: #e6e6e6; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
col.n { width: 4%; } col.where { width: 18%; } col.en { width: 28%; }
col.tr { width: 30%; } col.notes { width: 20%; }
.tr-text { font-family: var(--target); }
.where { font-size: 7.5pt; color: #333; }
.was { font-size: 7.5pt; color: #333; border-top: 0.5pt dotted #777; margin-top: 3pt; }
.form { font-size: 7pt; color: #555; }
.ph { display: inline-block; direction: ltr; font-family: var(--latin); }
.sign { margin-top: 10pt; }
.sign td { height: 18pt; border: none; border-bottom: 0.5pt solid #000; }
"""


@dataclass(frozen=True)
class Sheet:
    pdf: Path
    html: Path
    rows: int
    warnings: list[str]  # WeasyPrint's warnings about the worksheet (also logged, named)


def needs_review(review: CatalogReview) -> list[MessageReview]:
    """What the reviewer must read: translated, not fuzzy, and not sealed (changed since
    sealed or never sealed): exactly what `sign --messages unsealed` would seal."""
    return [m for m in review.messages if m.state != SEALED and m.message.signable]


def _font_faces(renderer: Renderer, stacks: list[str]) -> tuple[str, dict[str, str]]:
    fonts = renderer.fonts
    rules = []
    families: dict[str, str] = {}
    seen: set[str] = set()
    for stack in stacks:
        fonts.check_stack(stack)
        regular, bold = fonts.stacks[stack]
        families[stack] = ", ".join(f'"{f}"' for f in regular)
        for family in regular + bold:
            if family in seen:
                continue
            seen.add(family)
            path, weight = fonts.faces[family]
            rules.append(
                f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
                f"font-weight: {weight}; }}"
            )
    return "\n".join(rules), families


# Placeholders stay readable inside right-to-left text: each is laid out as a
# left-to-right inline block (WeasyPrint ignores unicode-bidi), as the handouts do
# with phone numbers.
_PLACEHOLDER = re.compile(r"%\([^)\s]{1,40}\)[a-z]|%[a-z%]")


def _text(text: str) -> Markup:
    lines = []
    for line in text.split("\n"):
        parts = []
        last = 0
        for match in _PLACEHOLDER.finditer(line):
            parts.append(escape(line[last : match.start()]))
            parts.append(Markup('<span class="ph" dir="ltr">%s</span>') % match.group(0))
            last = match.end()
        parts.append(escape(line[last:]))
        lines.append(Markup("").join(parts))
    return Markup("<br>").join(lines)


def sheet_html(
    project: Project, renderer: Renderer, leaflet: Leaflet, review: CatalogReview
) -> tuple[str, int]:
    loc = locale_info(review.lang)
    faces, families = _font_faces(renderer, ["latin", loc.font_stack])
    rows = needs_review(review)
    variants = {v.id: v.label for v in leaflet.variants}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en" dir="ltr"><head><meta charset="utf-8">',
        f"<title>Review worksheet: {escape(leaflet.id)} {escape(review.lang)}</title>",
        f"<style>{faces}\n:root {{ --latin: {families['latin']}; "
        f"--target: {families[loc.font_stack]}; }}\n"
        # Page margin boxes do not inherit the body's fonts: name them there too.
        f"{SHEET_CSS.replace('LATIN', families['latin'])}</style>",
        "</head><body>",
        f"<h1>Review worksheet: {escape(leaflet.title)} ({escape(leaflet.id)} "
        f"{escape(leaflet.version)}), {escape(loc.babel.english_name or review.lang)} "
        f"({escape(review.lang)})</h1>",
        f'<p class="meta">Catalog {escape(review.path)}: {review.sealed} of {review.total} '
        f"messages sealed; {len(rows)} to review below ({review.changed} changed since "
        f"sealed). Read each row against the English; note any problem in the last column. "
        f"Then sign what you read: <code>leaflets review sign --lang {escape(review.lang)} "
        '--reviewer "NAME" --messages unsealed</code>.</p>',
    ]
    if rows:
        out += [
            '<table><colgroup><col class="n"><col class="where"><col class="en">'
            '<col class="tr"><col class="notes"></colgroup>',
            "<thead><tr><th>#</th><th>Where it appears</th><th>English</th>"
            f"<th>Translation ({escape(review.lang)})</th><th>Reviewer's notes</th></tr></thead>",
            "<tbody>",
        ]
        for number, item in enumerate(rows, 1):
            m = item.message
            where = [f"{escape(review.path)}:{m.line}"]
            if m.context in variants:
                where.append(f"{escape(m.context or '')} variant only")
            elif m.context:
                where.append(escape(m.context))
            else:
                where.append("every variant")
            if m.comment:
                where.append(escape(m.comment))
            where += [escape(ref) for ref in m.references]
            english = _text(m.source)
            if m.source_plural:
                english += Markup('<div class="form">plural:</div>') + _text(m.source_plural)
            cells = []
            for n, form in enumerate(m.translation):
                label = (
                    Markup(f'<div class="form" dir="ltr" lang="en">form {n}</div>')
                    if len(m.translation) > 1
                    else Markup("")
                )
                cells.append(label + _text(form))
            translation = Markup("").join(cells)
            was = Markup("")
            if item.state == CHANGED and item.seal is not None:
                seal = item.seal
                was = Markup(
                    '<div class="was" lang="en" dir="ltr">changed since sealed by {} on {}; '
                    'sealed text:</div><div class="tr-text" lang="{}" dir="{}">{}</div>'
                ).format(
                    seal.reviewer,
                    seal.date.isoformat(),
                    loc.bcp47,
                    loc.direction,
                    Markup("<br>").join(_text(f) for f in seal.translation),
                )
            out.append(
                f"<tr><td>{number}</td>"
                f'<td class="where">{Markup("<br>").join(where)}</td>'
                f"<td>{english}</td>"
                f'<td><div class="tr-text" lang="{loc.bcp47}" dir="{loc.direction}">'
                f"{translation}</div>{was}</td><td></td></tr>"
            )
        out.append("</tbody></table>")
    else:
        out.append("<p>Every translated message is sealed: nothing to review.</p>")
    out += [
        '<table class="sign"><tr><td>Reviewer</td><td>Credential</td><td>Date</td>'
        "<td>Signature</td></tr></table>",
        "</body></html>",
    ]
    return "\n".join(out), len(rows)


def write_sheet(project: Project, leaflet: Leaflet, lang: str, out_dir: Path) -> Sheet:
    """Write ``<out_dir>/<leaflet>_<lang>_review.html`` and ``.pdf``."""
    review = catalog_review(project, leaflet, lang)
    base = out_dir / f"{leaflet.id}_{lang}_review"
    html_path, pdf_path = base.with_suffix(".html"), base.with_suffix(".pdf")
    renderer = Renderer(project)
    try:
        html, rows = sheet_html(project, renderer, leaflet, review)
        pdf, warnings = _pdf(project, renderer, html, pdf_path.name)
    finally:
        renderer.close()
    write_atomic(html_path, html.encode("utf-8"))
    write_atomic(pdf_path, pdf)
    return Sheet(pdf_path, html_path, rows, warnings)


def _pdf(project: Project, renderer: Renderer, html: str, name: str) -> tuple[bytes, list[str]]:
    """The worksheet's PDF and WeasyPrint's warnings about it, collected and logged
    named as the handouts' are (typeset.py)."""
    # WeasyPrint (and the fetcher built on it) is imported only when a PDF is made:
    # commands that do not render stay quick.
    from weasyprint import HTML

    from .fetcher import SandboxedFetcher

    with collect_warnings(name) as collect:
        document = HTML(
            string=html,
            base_url=project.templates_dir.as_uri() + "/",
            url_fetcher=SandboxedFetcher(project.asset_dirs),
        ).render(font_config=renderer.font_config)
        pdf: bytes = document.write_pdf()
    missing = collect.missing_glyphs()
    if missing:
        raise RenderError(f"the worksheet's fonts cannot draw {', '.join(missing[:5])}")
    return pdf, collect.messages
