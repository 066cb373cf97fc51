"""The OpenAPI 3.1 description of the desk's JSON API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..api import REVIEW_STATES
from ..config import EDITIONS, LAYOUTS, PAPERS, PATIENT_FIELDS

_ERRORS = {
    "type": "object",
    "required": ["errors"],
    "additionalProperties": False,
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "additionalProperties": False,
                "properties": {
                    "field": {
                        "type": ["string", "null"],
                        "description": "The parameter at fault ('fields.patient' for a "
                        "patient field), or null when the whole request is.",
                    },
                    "message": {"type": "string", "description": "What is wrong, in words."},
                },
            },
        }
    },
}

_LANGUAGE = {
    "type": "object",
    "required": [
        "code",
        "tag",
        "english_name",
        "native_name",
        "direction",
        "translated_percent",
        "review_status",
        "sealed",
        "sealable",
    ],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "examples": ["zh_Hans"]},
        "tag": {"type": "string", "description": "BCP 47 language tag", "examples": ["zh-Hans"]},
        "english_name": {"type": "string", "examples": ["Spanish"]},
        "native_name": {"type": "string", "examples": ["español"]},
        "direction": {"enum": ["ltr", "rtl"]},
        "translated_percent": {"type": "number", "minimum": 0, "maximum": 100},
        "review_status": {
            "enum": list(REVIEW_STATES),
            "description": "draft: not yet reviewed by a qualified medical translator; "
            "the handout carries a draft mark on every page.",
        },
        "sealed": {
            "type": "integer",
            "minimum": 0,
            "description": "Messages of the catalog sealed by a qualified medical translator "
            "(the review ledger); 0 for the source language and an unusable catalog.",
        },
        "sealable": {
            "type": "integer",
            "minimum": 0,
            "description": "Messages of the catalog that can be sealed: the language is "
            "reviewed when sealed equals sealable.",
        },
        "reviewer": {"type": "string"},
        "review_date": {"type": "string"},
    },
}

_LEAFLETS = {
    "type": "object",
    "required": [
        "leaflets",
        "papers",
        "editions",
        "layouts",
        "fields",
        "default_paper",
        "default_edition",
        "default_layout",
    ],
    "additionalProperties": False,
    "properties": {
        "leaflets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title", "version", "keywords", "variants", "languages"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "version": {"type": "string"},
                    "keywords": {"type": "array", "items": {"type": "string"}},
                    "variants": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "label"],
                            "additionalProperties": False,
                            "properties": {"id": {"type": "string"}, "label": {"type": "string"}},
                        },
                    },
                    "languages": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Language"},
                    },
                },
            },
        },
        "papers": {"type": "array", "items": {"enum": list(PAPERS)}},
        "editions": {"type": "array", "items": {"enum": list(EDITIONS)}},
        "layouts": {"type": "array", "items": {"enum": list(LAYOUTS)}},
        "fields": {"type": "array", "items": {"enum": list(PATIENT_FIELDS)}},
        "default_paper": {"enum": list(PAPERS)},
        "default_edition": {"enum": list(EDITIONS)},
        "default_layout": {"enum": list(LAYOUTS)},
    },
}

_FIELD_DESCRIPTIONS = {
    "patient": "The patient's name, printed as typed.",
    "procedure_date": "A date: 2026-12-01.",
    "arrival_time": "A time (07:30) or a date and time (2026-12-01 07:30).",
    "doctor": "The doctor's name.",
    "fasting_start": "A time (22:00) or a date and time (2026-11-30 22:00).",
    "medicines_to_stop": "Free text.",
}

_HANDOUT_REQUEST = {
    "type": "object",
    "required": ["leaflet", "variant", "lang"],
    "additionalProperties": False,
    "properties": {
        "leaflet": {"type": "string", "examples": ["cryoablation"]},
        "variant": {"type": "string", "examples": ["laparoscopic"]},
        "lang": {"type": "string", "examples": ["es"]},
        "paper": {"enum": list(PAPERS), "description": "Default: the project's paper."},
        "edition": {"enum": list(EDITIONS), "default": "clinic"},
        "layout": {
            "enum": list(LAYOUTS),
            "default": LAYOUTS[0],
            "description": "large-print: 18 pt body text, for low vision. bilingual: "
            "every block in the patient's language with English right after it; not "
            "with lang en (English itself), which is refused with 422 naming layout.",
        },
        "fields": {
            "type": "object",
            "description": "Patient details; one left out or empty prints as a line to "
            "write on. At most 200 characters each.",
            "additionalProperties": False,
            "properties": {
                key: {"type": "string", "maxLength": 200, "description": text}
                for key, text in _FIELD_DESCRIPTIONS.items()
            },
        },
        "allow_incomplete": {
            "type": "boolean",
            "default": False,
            "description": "Print a translation with untranslated messages: they print in "
            "English and every page says the translation is incomplete.",
        },
        "allow_draft": {
            "type": "boolean",
            "default": False,
            "description": "Print edition only: accept a draft translation (it keeps its mark).",
        },
    },
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


def openapi_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "leaflets clinic desk",
            "version": __version__,
            "description": "Personalised patient handouts as PDF. Patient details are "
            "health information: send them only in a POST body; responses are not to be "
            "stored (Cache-Control: no-store). When the desk has an access token, send "
            "`Authorization: Bearer TOKEN`.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Errors": _ERRORS,
                "Language": _LANGUAGE,
                "Leaflets": _LEAFLETS,
                "HandoutRequest": _HANDOUT_REQUEST,
            },
        },
        "security": [{}, {"bearer": []}],
        "paths": {
            "/api/v1/leaflets": {
                "get": {
                    "operationId": "listLeaflets",
                    "summary": "Leaflets, their variants and languages; papers, editions, layouts",
                    "responses": {
                        "200": {
                            "description": "What can be printed",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Leaflets"}
                                }
                            },
                        },
                        "401": _error("An access token is needed"),
                    },
                }
            },
            "/api/v1/handouts": {
                "post": {
                    "operationId": "makeHandout",
                    "summary": "One personalised handout as a PDF, made in memory",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/HandoutRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The PDF, byte for byte what `leaflets build` "
                            "makes for the same choices; Content-Disposition names it "
                            "<leaflet>_<variant>_<lang>_<paper>_<edition>.pdf, with "
                            "_<layout> before .pdf for a layout other than standard",
                            "content": {
                                "application/pdf": {
                                    "schema": {
                                        "type": "string",
                                        "contentMediaType": "application/pdf",
                                    }
                                }
                            },
                        },
                        "400": _error("Malformed JSON, an unknown parameter or a wrong type"),
                        "401": _error("An access token is needed"),
                        "409": _error(
                            "Refused by the rules: an incomplete translation without "
                            "allow_incomplete, or a draft in the print edition"
                        ),
                        "413": _error("The request body is too large"),
                        "415": _error("The body is not JSON"),
                        "422": _error(
                            "An unknown leaflet, variant, language, paper, edition or "
                            "layout, the bilingual layout with English (field: layout), or "
                            "a patient field that cannot be read (a date that is not a date)"
                        ),
                        "500": _error("The handout could not be made"),
                        "503": _error("The renderer is busy or took too long; try again"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This description",
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
        },
    }
