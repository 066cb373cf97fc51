"""The responses every part of the desk sends: an error (a page, or JSON under /api/)
and a handout's PDF."""

from __future__ import annotations

from flask import Response, jsonify, render_template, request

from ..api import Handout


def json_errors(status: int, errors: list[dict[str, str | None]]) -> Response:
    """The API's error body: ``{"errors": [{"field": ..., "message": ...}]}``."""
    response = jsonify({"errors": errors})
    response.status_code = status
    return response


def error_response(status: int, name: str | None, message: str) -> Response:
    """One error about the request (``name``: the parameter at fault, or None), as
    JSON for the API and as a page for a person."""
    if request.path.startswith("/api/"):
        return json_errors(status, [{"field": name, "message": message}])
    html = render_template("error.html", status=status, message=message, field=name)
    return Response(html, status=status, mimetype="text/html")


def pdf_response(made: Handout, disposition: str) -> Response:
    """The handout's PDF, with the file name ``leaflets build`` gives it."""
    response = Response(made.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{made.filename}"'
    response.headers["Content-Length"] = str(len(made.pdf))
    return response
