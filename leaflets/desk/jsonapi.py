"""The desk's JSON API (described by openapi.py): ``GET /api/v1/leaflets``,
``POST /api/v1/handouts`` and ``GET /api/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request

from ..api import Offer
from ..config import PATIENT_FIELDS, Project
from .engine import Engine
from .handouts import BadParameter, Problems, make_handout
from .offers import OfferCache
from .openapi import openapi_spec
from .responses import error_response, json_errors, pdf_response

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


def add_api(app: Flask, project: Project, engine: Engine, offers: OfferCache) -> None:
    """The API's routes, rendering through ``engine``."""

    @app.get("/api/v1/leaflets")
    def api_leaflets() -> Response:
        return jsonify(offer_json(offers.get()))

    @app.get("/api/v1/openapi.json")
    def api_openapi() -> Response:
        return jsonify(openapi_spec())

    @app.post("/api/v1/handouts")
    def api_handouts() -> Response:
        if request.mimetype != "application/json":
            return error_response(415, None, "send the request as application/json")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadParameter(None, "the body is not a JSON object")
        values = _values(body)
        allow_draft = bool(body.get("allow_draft"))
        made = make_handout(project, offers.get(), values, engine, allow_draft, api=True)
        if isinstance(made, Problems):
            return json_errors(made.status, made.as_json())
        return pdf_response(made, "attachment")


def _values(body: dict[str, Any]) -> dict[str, str]:
    """A request body -> the values the form would send; anything unknown, missing or
    of the wrong type is a bad parameter, named."""
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
    return values


def offer_json(offer: Offer) -> dict[str, Any]:
    """What ``GET /api/v1/leaflets`` answers (the schema ``Leaflets`` in openapi.py)."""
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
