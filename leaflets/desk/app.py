"""The clinic desk's app factory: a Flask app over ``leaflets.api``, put together from
its parts.

Pages (server-rendered forms, pages.py; the script only filters the leaflet list):
``GET /`` the form, ``POST /handout`` a preview, the PDF, or the form again with
its errors, ``GET|POST /login`` when an access token is set (security.py),
``GET /healthz``. JSON API (jsonapi.py): ``GET /api/v1/leaflets``,
``POST /api/v1/handouts``, ``GET /api/v1/openapi.json``. Both check and render a
request the same way (handouts.py).

Patient details are health information. They arrive only in POST bodies, are
rendered in memory and sent back with ``Cache-Control: no-store``; nothing in the
desk writes a file or logs a request body, and no error message repeats a value.
"""

from __future__ import annotations

import logging
import secrets

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ..config import Project
from .engine import Engine
from .handouts import BadParameter
from .jsonapi import add_api
from .offers import OfferCache
from .pages import add_fonts, add_pages
from .responses import error_response
from .security import secure

log = logging.getLogger("leaflets.desk")

# A filled-in form is well under 2 KB; anything much bigger is not a handout request.
MAX_BODY_BYTES = 8 * 1024


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
    offers = OfferCache(project)

    secure(app, token, local_only)
    _handle_errors(app)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    add_fonts(app, project, offers)
    add_pages(app, project, engine, offers)
    add_api(app, project, engine, offers)
    return app


def _handle_errors(app: Flask) -> None:
    """Every error as the desk's error page or JSON, never a traceback or a value."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        messages = {
            413: f"the request is larger than {MAX_BODY_BYTES // 1024} KB",
            404: "no such page",
            405: "this address does not take that method",
        }
        return error_response(status, None, messages.get(status, exc.description or exc.name))

    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter) -> Response:
        return error_response(400, exc.name, exc.message)

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Response:
        # Only the kind of error: a message or traceback could carry patient details.
        log.error("internal error in %s %s: %s", request.method, request.path, type(exc).__name__)
        return error_response(500, None, "internal error; the desk goes on serving")
