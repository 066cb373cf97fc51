"""Who may use the desk and what a browser may do with it: the Host check, the access
token (a session for pages, ``Authorization: Bearer`` for the API), the sign-in page,
CSRF tokens on forms and the security headers on every response."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, abort, redirect, render_template, request, session

from .handouts import single_values
from .responses import error_response

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Endpoints anyone may reach: the health check, the page's assets, the sign-in page.
PUBLIC_ENDPOINTS = ("healthz", "static", "login", "fonts_css", "font_file")
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def csrf_token() -> str:
    """This session's CSRF token, for the hidden field of every form."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def check_csrf(form: Mapping[str, str]) -> None:
    """Stop with 403 unless the form carries this session's CSRF token."""
    expected = session.get("csrf")
    given = form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(str(expected).encode(), given.encode()):
        page = render_template(
            "error.html",
            status=403,
            message="this form has expired or did not come from this desk; "
            "open the desk again and fill it in there",
            field=None,
        )
        abort(Response(page, status=403, mimetype="text/html"))


def _host_allowed(local_only: bool) -> bool:
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    return not local_only or host in LOCAL_HOSTS


def _bearer_matches(token: str) -> bool:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), token.encode()
    )


def secure(app: Flask, token: str | None, local_only: bool) -> None:
    """Guard ``app``: every request is checked before it is answered, every response
    gets the headers, and with ``token`` the pages ask for it once per session.
    ``local_only`` refuses requests whose Host is not the loopback address (a web page
    cannot rebind a name to 127.0.0.1 and drive the desk)."""
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def guard() -> Response | None:
        if not _host_allowed(local_only):
            return error_response(400, None, "this desk answers on 127.0.0.1 only")
        if request.endpoint in PUBLIC_ENDPOINTS or token is None:
            return None
        if request.path.startswith("/api/"):
            if _bearer_matches(token):
                return None
            response = error_response(401, None, "send Authorization: Bearer <desk token>")
            response.headers["WWW-Authenticate"] = 'Bearer realm="leaflets desk"'
            return response
        if session.get("signed_in"):
            return None
        if request.method == "GET":
            return redirect("/login", code=303)  # type: ignore[return-value]
        return error_response(401, None, "sign in with the desk's access token first")

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

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if token is None:
            return redirect("/", code=303)
        error = ""
        if request.method == "POST":
            form = single_values(request.form, {"csrf_token", "token"})
            check_csrf(form)
            if hmac.compare_digest(form.get("token", "").strip().encode(), token.encode()):
                session.clear()
                session["signed_in"] = True
                return redirect("/", code=303)
            error = "That is not the desk's access token."
        html = render_template("login.html", error=error)
        return Response(html, status=401 if error else 200, mimetype="text/html")
