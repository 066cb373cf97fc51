"""The clinic desk: a Flask app over ``leaflets.api``.

Pages (server-rendered forms; the script only filters the leaflet list):
``GET /`` the form, ``POST /handout`` a preview, the PDF, or the form again with
its errors, ``GET|POST /login`` when an access token is set, ``GET /healthz``.
JSON API: ``GET /api/v1/leaflets``, ``POST /api/v1/handouts``,
``GET /api/v1/openapi.json``.

Patient details are health information. They arrive only in POST bodies, are
rendered in memory and sent back with ``Cache-Control: no-store``; nothing here
writes a file or logs a request body, and no error message repeats a value.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, abort, jsonify, redirect, render_template, request, session
from werkzeug.exceptions import HTTPException

from ..api import (
    DRAFT_NOTE,
    Handout,
    Offer,
    describe,
    handout_request,
    page_images,
    request_problems,
)
from ..config import PATIENT_FIELDS, Project
from ..errors import LeafletsError, PolicyRefusal, RenderError, UnknownChoiceError
from ..render import BuildRequest, LayoutProblem
from .engine import Engine, RenderTimeout
from .openapi import openapi_spec
from .webfonts import WebFonts, web_fonts

log = logging.getLogger("leaflets.desk")

# A filled-in form is well under 2 KB; anything much bigger is not a handout request.
MAX_BODY_BYTES = 8 * 1024
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

# Names of the choices, as the form and the API call them, for errors from `resolve`.
_CHOICE_FIELDS = {
    "leaflet": "leaflet",
    "variant": "variant",
    "language": "lang",
    "paper": "paper",
    "edition": "edition",
    "layout": "layout",
    "field": "fields",
}
FIELD_LABELS = {
    "patient": "Patient's name",
    "procedure_date": "Date of the procedure",
    "arrival_time": "Arrival time",
    "doctor": "Doctor",
    "fasting_start": "Stop eating and drinking from",
    "medicines_to_stop": "Medicines to stop",
}
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
_API_KEYS = {
    "leaflet",
    "variant",
    "lang",
    "paper",
    "edition",
    "layout",
    "fields",
    "allow_incomplete",
    "allow_draft",
}
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class BadParameter(Exception):
    """A parameter the desk does not know, or one it cannot read: 400, naming it."""

    def __init__(self, name: str | None, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass
class Problems:
    """Errors of one request, by field name ('' for the request as a whole)."""

    items: dict[str, str] = field(default_factory=dict)
    status: int = 422

    def add(self, name: str, message: str) -> None:
        self.items.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def as_json(self) -> list[dict[str, str | None]]:
        return [{"field": k or None, "message": v} for k, v in self.items.items()]


class _OfferCache:
    """``describe`` reads every catalog; do it again only when a catalog or its review
    ledger changed, so the form page stays fast and still shows a translator's latest
    work and a reviewer's latest seal. (Leaflets and settings are read once, when the
    desk starts.)"""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._key: tuple[tuple[str, int, int], ...] | None = None
        self._offer: Offer | None = None

    def _stamp(self) -> tuple[tuple[str, int, int], ...]:
        # Catalogs and their review ledgers: a seal changes what the form says.
        found = self.project.locales_dir.glob("*/LC_MESSAGES/*")
        paths = sorted(p for p in found if p.suffix in (".po", ".toml"))
        stamps = []
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue
            stamps.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(stamps)

    def get(self) -> Offer:
        key = self._stamp()
        if self._offer is None or key != self._key:
            self._offer = describe(self.project)
            self._key = key
        return self._offer


def create_app(
    project: Project,
    engine: Engine,
    token: str | None = None,
    local_only: bool = True,
) -> Flask:
    """The desk for ``project``, rendering through ``engine``.

    With ``token``, pages ask for it once (kept in the session cookie) and the API
    needs ``Authorization: Bearer TOKEN``. ``local_only`` refuses requests whose Host
    is not the loopback address (a web page cannot rebind a name to 127.0.0.1 and
    drive the desk).
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # sessions end when the server restarts
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_BODY_BYTES,
        MAX_FORM_PARTS=64,
        SESSION_COOKIE_NAME="desk_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    offers = _OfferCache(project)

    def offer() -> Offer:
        return offers.get()

    # --- before and after every request ---------------------------------------------------

    @app.before_request
    def guard() -> Response | None:
        host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
        if local_only and host not in LOCAL_HOSTS:
            return _error_response(400, None, "this desk answers on 127.0.0.1 only")
        public = ("healthz", "static", "login", "fonts_css", "font_file")
        if request.endpoint in public or token is None:
            return None
        if request.path.startswith("/api/"):
            given = request.headers.get("Authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                value.strip().encode(), token.encode()
            ):
                return None
            response = _error_response(401, None, "send Authorization: Bearer <desk token>")
            response.headers["WWW-Authenticate"] = 'Bearer realm="leaflets desk"'
            return response
        if session.get("signed_in"):
            return None
        if request.method == "GET":
            return redirect("/login", code=303)  # type: ignore[return-value]
        return _error_response(401, None, "sign in with the desk's access token first")

    @app.after_request
    def headers(response: Response) -> Response:
        h = response.headers
        h["Cache-Control"] = "no-store"
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "no-referrer"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Cross-Origin-Resource-Policy"] = "same-origin"
        if response.mimetype == "application/pdf":
            # The browser's PDF viewer must run; nothing may frame the handout.
            h["Content-Security-Policy"] = "frame-ancestors 'none'"
        else:
            h["Content-Security-Policy"] = _CSP
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        messages = {
            413: f"the request is larger than {MAX_BODY_BYTES // 1024} KB",
            404: "no such page",
            405: "this address does not take that method",
        }
        return _error_response(status, None, messages.get(status, exc.description or exc.name))

    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter) -> Response:
        return _error_response(400, exc.name, exc.message)

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Response:
        # Only the kind of error: a message or traceback could carry patient details.
        log.error("internal error in %s %s: %s", request.method, request.path, type(exc).__name__)
        return _error_response(500, None, "internal error; the desk goes on serving")

    def _error_response(status: int, name: str | None, message: str) -> Response:
        if request.path.startswith("/api/"):
            response = jsonify({"errors": [{"field": name, "message": message}]})
            response.status_code = status
            return response
        html = render_template("error.html", status=status, message=message, field=name)
        return Response(html, status=status, mimetype="text/html")

    # --- CSRF ------------------------------------------------------------------------------

    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return str(session["csrf"])

    def check_csrf(form: Mapping[str, str]) -> None:
        expected = session.get("csrf")
        given = form.get("csrf_token", "")
        if not expected or not hmac.compare_digest(str(expected).encode(), given.encode()):
            abort(Response(_csrf_page(), status=403, mimetype="text/html"))

    def _csrf_page() -> str:
        return render_template(
            "error.html",
            status=403,
            message="this form has expired or did not come from this desk; "
            "open the desk again and fill it in there",
            field=None,
        )

    app.jinja_env.globals["csrf_token"] = csrf_token

    # --- the page's fonts (language names in their scripts) -------------------------------

    fonts_made: dict[int, WebFonts] = {}

    def fonts() -> WebFonts:
        current = offer()
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

    # --- pages -----------------------------------------------------------------------------

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if token is None:
            return redirect("/", code=303)
        error = ""
        if request.method == "POST":
            form = _single_values(request.form, {"csrf_token", "token"})
            check_csrf(form)
            if hmac.compare_digest(form.get("token", "").strip().encode(), token.encode()):
                session.clear()
                session["signed_in"] = True
                return redirect("/", code=303)
            error = "That is not the desk's access token."
        html = render_template("login.html", error=error)
        return Response(html, status=401 if error else 200, mimetype="text/html")

    @app.get("/")
    def form_page() -> Response:
        args = _single_values(request.args, {"q", "leaflet"})
        query = args.get("q", "").strip()[:100]
        values = {"leaflet": args.get("leaflet", "")}
        return _form(values, Problems(), query)

    def _form(values: Mapping[str, str], problems: Problems, query: str = "") -> Response:
        current = offer()
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
            labels=FIELD_LABELS,
            paper_labels=PAPER_LABELS,
            edition_labels=EDITION_LABELS,
            layout_labels=LAYOUT_LABELS,
            draft_note=DRAFT_NOTE,
        )
        return Response(html, status=status, mimetype="text/html")

    @app.post("/handout")
    def handout() -> Response:
        if request.mimetype != "application/x-www-form-urlencoded":
            raise BadParameter(None, "send the desk's form (application/x-www-form-urlencoded)")
        form = _single_values(request.form, _FORM_KEYS)
        check_csrf(form)
        action = form.get("action", "preview")
        if action not in _ACTIONS:
            raise BadParameter("action", f"action must be one of {', '.join(_ACTIONS)}")
        allow = form.get("allow_incomplete", "")
        if allow not in ("", "1"):
            raise BadParameter("allow_incomplete", "allow_incomplete must be 1 or left out")
        values = {k: form.get(k, "") for k in _FORM_CHOICES + PATIENT_FIELDS}
        if action == "edit":
            return _form(values, Problems())
        made = _make(project, offer(), values, engine)
        if isinstance(made, Problems):
            return _form(values, made)
        if action in ("download", "print"):
            disposition = "attachment" if action == "download" else "inline"
            return _pdf_response(made, disposition)
        try:
            images = page_images(made.pdf, made.pages)
        except RenderError as exc:
            problems = Problems(status=500)
            problems.add(
                "",
                f"The handout was made but its preview could not be drawn "
                f"({exc.message}). Download the PDF instead.",
            )
            return _form(values, problems)
        leaflet = offer().leaflet(values["leaflet"])
        assert leaflet is not None
        html = render_template(
            "preview.html",
            handout=made,
            images=[base64.b64encode(image).decode("ascii") for image in images],
            values=values,
            leaflet=leaflet,
            language=next(lang for lang in leaflet.languages if lang.code == values["lang"]),
            variant=next(v for v in leaflet.variants if v.id == values["variant"]),
            paper=values.get("paper") or offer().default_paper,
            labels=FIELD_LABELS,
            paper_labels=PAPER_LABELS,
            edition_labels=EDITION_LABELS,
            layout_labels=LAYOUT_LABELS,
            draft_note=DRAFT_NOTE,
        )
        return Response(html, mimetype="text/html")

    # --- JSON API --------------------------------------------------------------------------

    @app.get("/api/v1/leaflets")
    def api_leaflets() -> Response:
        return jsonify(offer_json(offer()))

    @app.get("/api/v1/openapi.json")
    def api_openapi() -> Response:
        return jsonify(openapi_spec())

    @app.post("/api/v1/handouts")
    def api_handouts() -> Response:
        if request.mimetype != "application/json":
            return _error_response(415, None, "send the request as application/json")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadParameter(None, "the body is not a JSON object")
        for key in body:
            if key not in _API_KEYS:
                raise BadParameter(str(key)[:40], f"unknown parameter {str(key)[:40]!r}")
        for key in ("leaflet", "variant", "lang"):
            if key not in body:
                raise BadParameter(key, f"{key} is required")
        values: dict[str, str] = {}
        for key in ("leaflet", "variant", "lang", "paper", "edition", "layout"):
            value = body.get(key, "")
            if not isinstance(value, str):
                raise BadParameter(key, f"{key} must be a string")
            values[key] = value
        for key in ("allow_incomplete", "allow_draft"):
            if not isinstance(body.get(key, False), bool):
                raise BadParameter(key, f"{key} must be true or false")
        values["allow_incomplete"] = "1" if body.get("allow_incomplete") else ""
        fields = body.get("fields", {})
        if not isinstance(fields, dict):
            raise BadParameter("fields", "fields must be an object of strings")
        for key, value in fields.items():
            if key not in PATIENT_FIELDS:
                raise BadParameter(
                    f"fields.{str(key)[:40]}",
                    f"unknown patient field {str(key)[:40]!r}; valid: {', '.join(PATIENT_FIELDS)}",
                )
            if not isinstance(value, str):
                raise BadParameter(f"fields.{key}", f"fields.{key} must be a string")
            values[key] = value
        made = _make(project, offer(), values, engine, bool(body.get("allow_draft")), api=True)
        if isinstance(made, Problems):
            response = jsonify({"errors": made.as_json()})
            response.status_code = made.status
            return response
        return _pdf_response(made, "attachment")

    return app


def _single_values(data: Any, allowed: Iterable[str]) -> dict[str, str]:
    """A MultiDict of form or query values -> one string per name; an unknown name or
    a name given twice is a bad parameter (never silently ignored)."""
    allowed = set(allowed)
    out: dict[str, str] = {}
    for name, values in data.lists():
        if name not in allowed:
            raise BadParameter(str(name)[:40], f"unknown parameter {str(name)[:40]!r}")
        if len(values) != 1:
            raise BadParameter(name, f"{name} is given more than once")
        out[name] = values[0]
    return out


def _pdf_response(made: Handout, disposition: str) -> Response:
    response = Response(made.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{made.filename}"'
    response.headers["Content-Length"] = str(len(made.pdf))
    return response


def _make(
    project: Project,
    offer: Offer,
    values: Mapping[str, str],
    engine: Engine,
    allow_draft: bool = False,
    api: bool = False,
) -> Handout | Problems:
    """Check a request's choices and fields, then render it: the handout, or every
    problem found, by field. Messages never repeat a patient's details."""
    problems = Problems()
    prefix = "fields." if api else ""
    leaflet = offer.leaflet(values.get("leaflet", ""))
    if leaflet is None:
        problems.add(
            "leaflet",
            "Choose a leaflet."
            if not values.get("leaflet")
            else "No such leaflet; choose one from the list.",
        )
    for key, message in (
        ("variant", "Choose the procedure variant."),
        ("lang", "Choose the patient's language."),
    ):
        if not values.get(key):
            problems.add(key, message)
    if problems:
        return problems
    assert leaflet is not None
    request = handout_request(
        project,
        leaflet.id,
        values["variant"],
        values["lang"],
        values.get("paper") or None,
        values.get("edition") or None,
        {k: values.get(k, "") for k in PATIENT_FIELDS if values.get(k)},
        allow_incomplete=values.get("allow_incomplete") == "1",
        allow_draft=allow_draft,
        layout=values.get("layout") or None,
    )
    try:
        for problem in request_problems(project, request):
            label = FIELD_LABELS.get(problem.field, problem.field)
            problems.add(f"{prefix}{problem.field}", f"{label}: {problem.reason}.")
    except UnknownChoiceError as exc:
        name = _CHOICE_FIELDS.get(exc.kind, exc.kind)
        valid = ", ".join(exc.valid)
        problems.add(name, f"No such {exc.kind}; valid values: {valid}.")
    except LayoutProblem as exc:
        # The library's rule (resolve), in the words of the choices on the form.
        problems.add(exc.field, exc.reason[:1].upper() + exc.reason[1:] + ".")
    if problems:
        return problems
    return _render(engine, request, api)


def _render(engine: Engine, request: BuildRequest, api: bool) -> Handout | Problems:
    try:
        return engine.render(request)
    except PolicyRefusal as exc:
        problems = Problems(status=409)
        problems.add("lang", _refusal_words(exc.message, request, api))
        return problems
    except RenderTimeout as exc:
        log.warning("render timed out: %s", request.filename())
        problems = Problems(status=503)
        problems.add("", f"The handout could not be made in time ({exc.message}). Try again.")
        return problems
    except LeafletsError as exc:
        # The message may quote characters of the patient's details (a glyph no font
        # has): neither logged nor shown; the file name says which handout failed.
        log.error("render failed: %s", request.filename())
        problems = Problems(status=500)
        if "cannot draw" in exc.message and request.fields:
            problems.status = 422
            problems.add(
                "",
                "The handout's fonts cannot print some characters typed in the patient "
                "details (for example emoji or another alphabet). Remove them and try again.",
            )
        else:
            problems.add(
                "",
                "The handout could not be made. Tell the person who looks after the "
                "leaflets; `leaflets build` with the same choices shows the reason.",
            )
        return problems


def _refusal_words(message: str, request: BuildRequest, api: bool) -> str:
    if request.edition == "print" and "draft" in message and "incomplete" not in message:
        return (
            "This translation is a draft, not yet reviewed by a qualified medical translator: "
            "the print-vendor edition refuses drafts. Choose the clinic edition (it prints "
            "the draft with a mark on every page)" + (", or set allow_draft." if api else ".")
        )
    how = (
        "set allow_incomplete to print it with a notice on every page"
        if api
        else "tick “Print an incomplete translation anyway” to print it with a notice on "
        "every page, or choose another language"
    )
    return f"This translation is incomplete: some text would print in English. To go on, {how}."


def offer_json(offer: Offer) -> dict[str, Any]:
    return {
        "leaflets": [
            {
                "id": lf.id,
                "title": lf.title,
                "version": lf.version,
                "keywords": list(lf.keywords),
                "variants": [{"id": v.id, "label": v.label} for v in lf.variants],
                "languages": [
                    {
                        "code": lang.code,
                        "tag": lang.tag,
                        "english_name": lang.english_name,
                        "native_name": lang.native_name,
                        "direction": lang.direction,
                        "translated_percent": lang.translated_percent,
                        "review_status": lang.review_status,
                        "sealed": lang.sealed,
                        "sealable": lang.sealable,
                        **({"reviewer": lang.reviewer} if lang.reviewer else {}),
                        **({"review_date": lang.review_date} if lang.review_date else {}),
                    }
                    for lang in lf.languages
                ],
            }
            for lf in offer.leaflets
        ],
        "papers": list(offer.papers),
        "editions": list(offer.editions),
        "layouts": list(offer.layouts),
        "fields": list(offer.fields),
        "default_paper": offer.default_paper,
        "default_edition": offer.default_edition,
        "default_layout": offer.default_layout,
    }
