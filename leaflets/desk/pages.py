"""The desk's pages for people: the form (``GET /``), then ``POST /handout`` for a
preview, the PDF to download or print, or the form again with its errors; and the
fonts the pages use to show language names in their own scripts."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from flask import Flask, Response, abort, render_template, request

from ..api import DRAFT_NOTE, page_images
from ..config import PATIENT_FIELDS, Project
from ..errors import RenderError
from .engine import Engine
from .handouts import FIELD_LABELS, BadParameter, Problems, make_handout, single_values
from .offers import OfferCache
from .responses import pdf_response
from .security import check_csrf
from .webfonts import WebFonts, web_fonts

PAPER_LABELS = {"a4": "A4", "letter": "US Letter"}
EDITION_LABELS = {
    "clinic": "Clinic (for printing here or emailing)",
    "print": "Print vendor (bleed, CMYK; refuses draft translations)",
}
LAYOUT_LABELS = {
    "standard": "Standard",
    "large-print": "Large print (18 pt, for low vision)",
    "bilingual": "Bilingual (English beside the patient's language)",
}
_FORM_CHOICES = ("leaflet", "variant", "lang", "paper", "edition", "layout", "allow_incomplete")
_FORM_KEYS = {"csrf_token", "action", *_FORM_CHOICES, *PATIENT_FIELDS}
_ACTIONS = ("preview", "download", "print", "edit")
# What the form and preview templates name choices with.
_LABELS = {
    "labels": FIELD_LABELS,
    "paper_labels": PAPER_LABELS,
    "edition_labels": EDITION_LABELS,
    "layout_labels": LAYOUT_LABELS,
    "draft_note": DRAFT_NOTE,
}


def add_fonts(app: Flask, project: Project, offers: OfferCache) -> None:
    """``/desk-fonts.css`` and ``/fonts/<name>``: subsets of the project's fonts for the
    language names on the form, made from memory (never a path on disk)."""
    fonts_made: dict[int, WebFonts] = {}

    def fonts() -> WebFonts:
        current = offers.get()
        key = id(current)
        if key not in fonts_made:
            fonts_made.clear()
            fonts_made[key] = web_fonts(project.fonts_dir, current)
        return fonts_made[key]

    @app.get("/desk-fonts.css")
    def fonts_css() -> Response:
        return Response(fonts().css, mimetype="text/css")

    @app.get("/fonts/<name>")
    def font_file(name: str) -> Response:
        data = fonts().files.get(name)  # a name from memory, never a path on disk
        if data is None:
            abort(404)
        return Response(data, mimetype="font/otf" if name.endswith(".otf") else "font/ttf")

    fonts()  # made now (about a second), not while the first patient waits


def add_pages(app: Flask, project: Project, engine: Engine, offers: OfferCache) -> None:
    """The form and the handout pages, rendering through ``engine``."""

    @app.get("/")
    def form_page() -> Response:
        args = single_values(request.args, {"q", "leaflet"})
        query = args.get("q", "").strip()[:100]
        values = {"leaflet": args.get("leaflet", "")}
        return _form(offers, values, Problems(), query)

    @app.post("/handout")
    def handout() -> Response:
        if request.mimetype != "application/x-www-form-urlencoded":
            raise BadParameter(None, "send the desk's form (application/x-www-form-urlencoded)")
        form = single_values(request.form, _FORM_KEYS)
        check_csrf(form)
        action = form.get("action", "preview")
        if action not in _ACTIONS:
            raise BadParameter("action", f"action must be one of {', '.join(_ACTIONS)}")
        allow = form.get("allow_incomplete", "")
        if allow not in ("", "1"):
            raise BadParameter("allow_incomplete", "allow_incomplete must be 1 or left out")
        values = {k: form.get(k, "") for k in _FORM_CHOICES + PATIENT_FIELDS}
        if action == "edit":
            return _form(offers, values, Problems())
        made = make_handout(project, offers.get(), values, engine)
        if isinstance(made, Problems):
            return _form(offers, values, made)
        if action in ("download", "print"):
            disposition = "attachment" if action == "download" else "inline"
            return pdf_response(made, disposition)
        try:
            images = page_images(made.pdf, made.pages)
        except RenderError as exc:
            problems = Problems(status=500)
            problems.add(
                "",
                f"The handout was made but its preview could not be drawn "
                f"({exc.message}). Download the PDF instead.",
            )
            return _form(offers, values, problems)
        offer = offers.get()
        leaflet = offer.leaflet(values["leaflet"])
        assert leaflet is not None
        html = render_template(
            "preview.html",
            handout=made,
            images=[base64.b64encode(image).decode("ascii") for image in images],
            values=values,
            leaflet=leaflet,
            language=next(lang for lang in leaflet.languages if lang.code == values["lang"]),
            variant=next(v for v in leaflet.variants if v.id == values["variant"]),
            paper=values.get("paper") or offer.default_paper,
            **_LABELS,
        )
        return Response(html, mimetype="text/html")


def _form(
    offers: OfferCache, values: Mapping[str, str], problems: Problems, query: str = ""
) -> Response:
    """The form, with the values typed so far and the problems next to their fields."""
    current = offers.get()
    matching = [lf for lf in current.leaflets if lf.matches(query)] if query else []
    chosen = current.leaflet(values.get("leaflet", ""))
    if chosen is None and len(current.leaflets) == 1:
        chosen = current.leaflets[0]
    status = problems.status if problems else 200
    html = render_template(
        "form.html",
        offer=current,
        leaflet=chosen,
        query=query,
        matching=matching,
        values=values,
        errors=problems.items,
        **_LABELS,
    )
    return Response(html, status=status, mimetype="text/html")
