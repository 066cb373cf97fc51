"""The clinic desk through Flask's test client: routes, statuses, CSRF, limits, headers,
the OpenAPI contract, and the patient-data rules (nothing logged, nothing written)."""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
import os
import re
import signal
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema
import polib
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from fontTools.ttLib import TTFont
from werkzeug.datastructures import MultiDict

from leaflets import batch
from leaflets.api import Handout, describe, handout_request, render_handout
from leaflets.catalog import load_catalog
from leaflets.cli import main
from leaflets.config import Project, load_project
from leaflets.desk import LocalEngine, PoolEngine, create_app
from leaflets.desk.engine import RenderTimeout
from leaflets.desk.openapi import openapi_spec
from leaflets.desk.server import AccessLog
from leaflets.errors import RenderError
from leaflets.render import BuildRequest, Renderer

from .conftest import (
    FIXTURE,
    ROOT,
    assert_group_ended,
    cli,
    copy_fixture,
    pdf_text,
    pot_messages,
    set_translation,
    start_desk,
    stop_desk,
)

TOKEN = "correct-horse-battery-staple-42"
NAME = "Zyxwvut Quenby-Marlowe"  # searched for in logs and files: must be nowhere
HOSTILE_NAMES = ["<script>alert(1)</script>", "{{ 7*7 }}", "%(phone)s"]
# Messages of the cryoablation catalogs, each of which a reviewer can seal.
MESSAGES = pot_messages()
# The same for the fixture project's visit leaflet, whose catalogs tests may sign.
VISIT_MESSAGES = pot_messages(FIXTURE, "visit")
VISIT = {"leaflet": "visit", "variant": "in-person"}
ENGLISH_HEADINGS = ["What is cryoablation?", "During the procedure"]


@pytest.fixture(scope="module")
def app(project: Project, renderer: Renderer) -> Flask:
    app = create_app(project, LocalEngine(renderer))
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(client: FlaskClient, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def form(client: FlaskClient, **changes: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf(client),
        "leaflet": "cryoablation",
        "variant": "laparoscopic",
        "lang": "es",
        "paper": "a4",
        "edition": "clinic",
        "patient": NAME,
        "procedure_date": "2026-12-01",
        "arrival_time": "07:30",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def api_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "leaflet": "cryoablation",
        "variant": "laparoscopic",
        "lang": "es",
        "paper": "a4",
        "edition": "clinic",
        "fields": {"patient": NAME, "procedure_date": "2026-12-01", "arrival_time": "07:30"},
        "allow_incomplete": False,
    }
    body.update(changes)
    return body


def spanish_headings() -> list[str]:
    project = load_project(ROOT)
    tr = load_catalog(project, project.leaflets["cryoablation"], "es").translations
    headings = [tr.gettext(h) for h in ("What is cryoablation?", "During the procedure")]
    assert headings[0] != "What is cryoablation?"
    return headings


# --- the OpenAPI contract ---------------------------------------------------------------------

SPEC = openapi_spec()


def check_against_spec(path: str, method: str, response: Any) -> None:
    """The response's status is documented, and its JSON matches the documented schema."""
    operation = SPEC["paths"][path][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path}: {status} not documented"
    documented = operation["responses"][status].get("content", {})
    assert response.mimetype in documented, (status, response.mimetype)
    if response.mimetype == "application/json":
        schema = {**documented["application/json"]["schema"], "components": SPEC["components"]}
        jsonschema.validate(response.get_json(), schema)


def test_openapi_document_is_valid_and_served(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == json.loads(json.dumps(SPEC))
    for schema in SPEC["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    assert set(SPEC["paths"]) == {"/api/v1/leaflets", "/api/v1/handouts", "/api/v1/openapi.json"}


def test_api_leaflets(client: FlaskClient, project: Project) -> None:
    response = client.get("/api/v1/leaflets")
    check_against_spec("/api/v1/leaflets", "get", response)
    data = response.get_json()
    (leaflet,) = data["leaflets"]
    assert leaflet["id"] == "cryoablation"
    assert {v["id"] for v in leaflet["variants"]} == {"percutaneous", "laparoscopic"}
    langs = {lang["code"]: lang for lang in leaflet["languages"]}
    assert set(langs) == set(project.languages("cryoablation"))
    assert langs["es"]["native_name"] == "Español" and langs["es"]["english_name"] == "Spanish"
    assert langs["ar"]["direction"] == "rtl" and langs["ar"]["native_name"] == "العربية"
    assert langs["zh_Hans"]["tag"] == "zh-Hans"
    assert langs["en"]["review_status"] == "source"
    assert langs["es"]["review_status"] == "draft" and langs["es"]["translated_percent"] == 100
    assert langs["es"]["sealable"] == MESSAGES and langs["es"]["sealed"] < MESSAGES
    assert (langs["en"]["sealed"], langs["en"]["sealable"]) == (0, 0)
    assert data["default_paper"] == project.settings.default_paper
    assert data["layouts"] == ["standard", "large-print", "bilingual"]
    assert data["default_layout"] == "standard"
    assert response.headers["Cache-Control"] == "no-store"


def test_api_handout_is_the_pdf_build_makes(client: FlaskClient, tmp_path: Path) -> None:
    response = client.post("/api/v1/handouts", json=api_body())
    check_against_spec("/api/v1/handouts", "post", response)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    name = "cryoablation_laparoscopic_es_a4_clinic.pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.headers["Cache-Control"] == "no-store"
    out = _build(tmp_path, "--variant", "laparoscopic", "--lang", "es", "--paper", "a4")
    assert (out / name).read_bytes() == response.data


def test_form_preview_download_and_print(client: FlaskClient) -> None:
    data = form(client)
    preview = client.post("/handout", data=data)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert html.count('src="data:image/png;base64,') >= 2
    assert 'lang="es" dir="ltr" id="pages"' in html
    assert "draft translation, not yet reviewed by a qualified medical translator" in html.lower()
    download = client.post("/handout", data={**data, "action": "download"})
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(download.data)
    assert NAME in text
    for heading in spanish_headings():
        assert heading in text
    printed = client.post("/handout", data={**data, "action": "print"})
    assert printed.headers["Content-Disposition"].startswith("inline;")
    assert printed.data == download.data
    # The preview page's own form (hidden fields) asks for exactly the same PDF.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    again = client.post("/handout", data={**hidden, "action": "download"})
    assert again.data == download.data
    edit = client.post("/handout", data={**data, "action": "edit"})
    assert edit.status_code == 200 and f'value="{NAME}"' in edit.get_data(as_text=True)


def test_form_page_lists_languages_in_their_own_script(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<span lang="es" dir="ltr">Español</span> — Spanish' in html
    assert '<span lang="ar" dir="rtl">العربية</span> — Arabic' in html
    assert '<span lang="zh-Hans" dir="ltr">' in html
    assert "Draft translation, not yet reviewed by a qualified medical translator" in html
    for name in ("patient", "procedure_date", "arrival_time", "doctor", "fasting_start"):
        assert f'<label for="{name}">' in html
    assert 'type="date" id="procedure_date"' in html and 'type="time" id="arrival_time"' in html
    assert "<script>" not in html.replace('<script src="/static/desk.js" defer></script>', "")


def _build(tmp_path: Path, *args: str) -> Path:
    """``leaflets build`` (a renderer of its own), with the patient details api_body
    sends. That another process makes the same bytes: test_pdf.py."""
    fields = [f"patient={NAME}", "procedure_date=2026-12-01", "arrival_time=07:30"]
    command = ["build", *args, "--out", str(tmp_path)]
    command += [arg for f in fields for arg in ("--field", f)]
    code, output = cli(ROOT, *command)
    assert code == 0, output
    assert f"wrote {tmp_path}" in output
    return tmp_path


def test_api_bilingual_is_the_pdf_build_makes(client: FlaskClient, tmp_path: Path) -> None:
    response = client.post("/api/v1/handouts", json=api_body(layout="bilingual"))
    check_against_spec("/api/v1/handouts", "post", response)
    assert response.status_code == 200, response.get_json()
    name = "cryoablation_laparoscopic_es_a4_clinic_bilingual.pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    text = pdf_text(response.data)
    for heading in [*spanish_headings(), *ENGLISH_HEADINGS]:
        assert heading in text
    # The standard handout in Spanish has no English heading: the layout made them.
    standard = pdf_text(client.post("/api/v1/handouts", json=api_body()).data)
    assert not [h for h in ENGLISH_HEADINGS if h in standard]
    build = ["--variant", "laparoscopic", "--lang", "es", "--paper", "a4"]
    out = _build(tmp_path, *build, "--layout", "bilingual")
    assert (out / name).read_bytes() == response.data


def test_form_offers_the_layouts_as_a_labelled_group(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    group = html[html.index('<fieldset id="layout-group"') :]
    group = group[: group.index("</fieldset>")]
    assert '<legend><span class="step">5.</span> Layout</legend>' in group
    for value, label in [
        ("standard", "Standard"),
        ("large-print", "Large print (18 pt, for low vision)"),
        ("bilingual", "Bilingual (English beside the patient&#39;s language)"),
    ]:
        assert f'type="radio" name="layout" id="layout-{value}" value="{value}"' in group
        assert f'<label for="layout-{value}">{label}</label>' in group
    assert 'id="layout-standard" value="standard" checked' in group


def test_form_large_print_preview_and_download(
    client: FlaskClient, renderer: Renderer, project: Project
) -> None:
    data = form(client, layout="large-print")
    preview = client.post("/handout", data=data)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "<dt>Layout</dt><dd>Large print (18 pt, for low vision)</dd>" in html
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert hidden["layout"] == "large-print"
    download = client.post("/handout", data={**hidden, "action": "download"})
    name = "cryoablation_laparoscopic_es_a4_clinic_large-print.pdf"
    assert download.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    fields = {"patient": NAME, "procedure_date": "2026-12-01", "arrival_time": "07:30"}
    choices = ("cryoablation", "laparoscopic", "es", "a4", "clinic", fields)
    large = render_handout(renderer, handout_request(project, *choices, layout="large-print"))
    standard = render_handout(renderer, handout_request(project, *choices))
    assert download.data == large.pdf
    assert large.pages > standard.pages
    assert NAME in pdf_text(download.data)


def test_bilingual_with_english_is_refused_next_to_the_layout(client: FlaskClient) -> None:
    page = client.post("/handout", data=form(client, lang="en", layout="bilingual"))
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    message = (
        "The bilingual layout prints English beside the patient&#39;s language, and this "
        "language is English itself: choose the patient&#39;s language, or another layout."
    )
    assert f'<p class="error" id="layout-error">{message}</p>' in html
    assert '<fieldset id="layout-group" aria-describedby="layout-error">' in html
    assert f'<li><a href="#layout-group">{message}</a></li>' in html
    # The choices stay as they were, to be corrected.
    assert 'id="layout-bilingual" value="bilingual" checked aria-invalid="true"' in html
    assert 'id="lang-en" value="en" checked' in html
    api = client.post("/api/v1/handouts", json=api_body(lang="en", layout="bilingual"))
    check_against_spec("/api/v1/handouts", "post", api)
    assert api.status_code == 422
    (error,) = api.get_json()["errors"]
    assert error["field"] == "layout"
    assert "English itself" in error["message"] and "--" not in error["message"]


def _status(html: str, code: str) -> str:
    match = re.search(rf'id="lang-{code}-status">(.*?)</span>', html, re.S)
    assert match, code
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def fixture_client(root: Path) -> FlaskClient:
    """A desk on a copy of the fixture project (whose catalogs tests may sign)."""
    project = load_project(root)
    return create_app(project, LocalEngine(Renderer(project))).test_client()


def test_review_seal_counts_per_language(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    client = fixture_client(root)
    before = _status(client.get("/").get_data(as_text=True), "es")
    assert before.startswith("Draft translation, not yet reviewed by a qualified medical")
    assert re.search(rf"\(\d+ of {VISIT_MESSAGES} messages reviewed\)$", before), before
    code, output = cli(
        root,
        "review",
        "sign",
        "--lang",
        "es",
        "--reviewer",
        "Dr. Ana Ruiz",
        "--date",
        "2026-11-20",
        "--messages",
        "all",
    )
    assert code == 0, output
    # The running desk shows the seal on its next page, without a restart.
    html = client.get("/").get_data(as_text=True)
    n = VISIT_MESSAGES
    reviewed = f"Reviewed by Dr. Ana Ruiz on 2026-11-20 ({n} of {n} messages reviewed)"
    assert _status(html, "es") == reviewed
    assert 'class="status status-reviewed" id="lang-es-status"' in html
    status = _status(html, "fr")
    assert status.startswith("Draft translation, not yet reviewed"), status
    assert status.endswith(f"of {n} messages reviewed)"), status
    langs = {
        lang["code"]: lang
        for lang in client.get("/api/v1/leaflets").get_json()["leaflets"][0]["languages"]
    }
    assert langs["es"]["review_status"] == "reviewed"
    assert (langs["es"]["sealed"], langs["es"]["sealable"]) == (n, n)
    assert langs["fr"]["review_status"] == "draft" and langs["fr"]["sealable"] == n
    assert langs["fr"]["sealed"] < n
    preview = client.post("/handout", data=form(client, **VISIT)).get_data(as_text=True)
    assert preview.count('src="data:image/png;base64,') >= 1
    assert "not yet reviewed" not in preview


def test_preview_says_draft_only_when_the_handout_is_one(tmp_path: Path) -> None:
    """Review status belongs to a handout: with every message sealed and then one
    in-person-only message changed, the language is a draft, the in-person handout is
    one, and the video handout (which never prints that message) is reviewed, in its
    PDF and in the preview's note alike."""
    root = copy_fixture(tmp_path)
    client = fixture_client(root)
    sign = ("review", "sign", "--lang", "es", "--reviewer", "Dr. Ana Ruiz", "--messages", "all")
    code, output = cli(root, *sign)
    assert code == 0, output
    path = root / "locales/es/LC_MESSAGES/visit.po"
    po = polib.pofile(str(path))
    entry = po.find("Come to the front desk ten minutes early.", msgctxt="in-person")
    assert entry is not None
    entry.msgstr = "Llegue al mostrador diez minutos antes."
    po.save(str(path))
    html = client.get("/").get_data(as_text=True)
    assert _status(html, "es").startswith("Draft translation")
    for variant, draft in (("video", False), ("in-person", True)):
        choices = {"leaflet": "visit", "variant": variant}
        preview = client.post("/handout", data=form(client, **choices))
        assert preview.status_code == 200
        assert ("not yet reviewed" in preview.get_data(as_text=True)) is draft, variant
        pdf = client.post("/handout", data=form(client, **choices, action="download"))
        text = pdf_text(pdf.data)
        assert ("Traducción aún no revisada" in text) is draft, variant
        assert ("Llegue al mostrador diez minutos antes." in text) is draft, variant


def test_search_filters_leaflets_without_script(client: FlaskClient) -> None:
    hit = client.get("/?q=freezing").get_data(as_text=True)
    assert "1 leaflet matches" in hit and 'href="/?leaflet=cryoablation"' in hit
    miss = client.get("/?q=hip+replacement").get_data(as_text=True)
    assert "0 leaflets match" in miss
    assert re.search(r'<li data-search="[^"]*" hidden>', miss)


def test_hostile_names_print_literally(client: FlaskClient) -> None:
    # One name per field: one preview and one PDF check them all.
    hostile = dict(zip(("patient", "doctor", "medicines_to_stop"), HOSTILE_NAMES, strict=True))
    preview = client.post("/handout", data=form(client, **hostile))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    for name in HOSTILE_NAMES:
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in html
    assert "<script>alert" not in html and ">49<" not in html
    pdf = client.post("/api/v1/handouts", json=api_body(fields=hostile)).data
    text = pdf_text(pdf)
    for name in HOSTILE_NAMES:
        assert name in text


def test_field_errors_in_words_next_to_the_field_values_kept(client: FlaskClient) -> None:
    response = client.post(
        "/handout", data=form(client, procedure_date="next tuesday", arrival_time="25:99")
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        'id="procedure_date-error">Date of the procedure: expected a date like 2026-12-01.' in html
    )
    assert 'aria-describedby="procedure_date-hint procedure_date-error"' in html
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    assert 'value="next tuesday"' in html and f'value="{NAME}"' in html
    assert html.count('class="error"') == 2


def test_missing_choices_are_errors(client: FlaskClient) -> None:
    response = client.post("/handout", data=form(client, variant=None, lang=None))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose the procedure variant." in html and "Choose the patient&#39;s language." in html


def test_api_field_errors_do_not_echo_values(client: FlaskClient) -> None:
    secret = "Tuesday after Zyxwvut's birthday"
    response = client.post(
        "/api/v1/handouts", json=api_body(fields={"patient": NAME, "procedure_date": secret})
    )
    check_against_spec("/api/v1/handouts", "post", response)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {
            "field": "fields.procedure_date",
            "message": "Date of the procedure: expected a date like 2026-12-01.",
        }
    ]
    assert "Zyxwvut" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (api_body(leaflet="hip"), 422, "leaflet"),
        (api_body(variant="robotic"), 422, "variant"),
        (api_body(lang="../../etc/passwd"), 422, "lang"),
        (api_body(paper="a3"), 422, "paper"),
        (api_body(edition="poster"), 422, "edition"),
        (api_body(colour="red"), 400, "colour"),
        (api_body(fields={"ssn": "1"}), 400, "fields.ssn"),
        (api_body(fields={"patient": 7}), 400, "fields.patient"),
        (api_body(fields=["patient"]), 400, "fields"),
        (api_body(allow_incomplete="yes"), 400, "allow_incomplete"),
        (api_body(variant=None), 400, "variant"),
        ({k: v for k, v in api_body().items() if k != "lang"}, 400, "lang"),
        (api_body(fields={"patient": "x" * 201}), 422, "fields.patient"),
        (api_body(edition="print"), 409, "lang"),
        (api_body(layout="poster"), 422, "layout"),
        (api_body(layout=2), 400, "layout"),
        (api_body(lang="en", layout="bilingual"), 422, "layout"),
    ],
)
def test_api_errors(client: FlaskClient, body: dict[str, Any], status: int, field: str) -> None:
    response = client.post("/api/v1/handouts", json=body)
    check_against_spec("/api/v1/handouts", "post", response)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["errors"][0]["field"] == field


def test_api_malformed_bodies(client: FlaskClient) -> None:
    for data, mimetype, status in [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("leaflet=cryoablation", "application/x-www-form-urlencoded", 415),
        ('{"leaflet": "cryoablation"}', "text/plain", 415),
    ]:
        response = client.post("/api/v1/handouts", data=data, content_type=mimetype)
        check_against_spec("/api/v1/handouts", "post", response)
        assert response.status_code == status, data


def test_incomplete_language_refused_unless_allowed(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    set_translation(root, "es", "Before your visit", "", leaflet="visit")
    project = load_project(root)
    lang = next(x for x in describe(project).leaflets[0].languages if x.code == "es")
    assert not lang.complete and lang.translated_percent < 100
    client = fixture_client(root)
    page = client.get("/").get_data(as_text=True)
    assert "Warning: incomplete translation" in page and 'name="allow_incomplete"' in page
    refused = client.post("/api/v1/handouts", json=api_body(**VISIT))
    assert refused.status_code == 409
    assert "incomplete" in refused.get_json()["errors"][0]["message"]
    allowed = client.post("/api/v1/handouts", json=api_body(**VISIT, allow_incomplete=True))
    assert allowed.status_code == 200
    # The untranslated message prints in English, and the handout says so.
    text = pdf_text(allowed.data)
    assert "Before your visit" in text and "Traducción incompleta" in text
    form_refused = client.post("/handout", data=form(client, **VISIT))
    assert form_refused.status_code == 409
    assert "Print an incomplete translation anyway" in form_refused.get_data(as_text=True)
    form_allowed = client.post("/handout", data=form(client, **VISIT, allow_incomplete="1"))
    assert form_allowed.status_code == 200


# --- CSRF, limits, parameters, headers ----------------------------------------------------------


def test_csrf_refused(client: FlaskClient) -> None:
    data = form(client)
    assert client.post("/handout", data={**data, "csrf_token": "forged"}).status_code == 403
    no_token = {k: v for k, v in data.items() if k != "csrf_token"}
    assert client.post("/handout", data=no_token).status_code == 403
    fresh = client.application.test_client()  # another browser: no session at all
    assert fresh.post("/handout", data=data).status_code == 403


def test_body_over_the_limit_is_413(client: FlaskClient) -> None:
    big = form(client, medicines_to_stop="x" * 9000)
    assert client.post("/handout", data=big).status_code == 413
    response = client.post("/api/v1/handouts", json=api_body(fields={"doctor": "y" * 9000}))
    assert response.status_code == 413
    check_against_spec("/api/v1/handouts", "post", response)


def test_unknown_or_repeated_form_parameters_are_400(client: FlaskClient) -> None:
    unknown = client.post("/handout", data=form(client, template="../../etc/passwd"))
    assert unknown.status_code == 400 and "template" in unknown.get_data(as_text=True)
    repeated = client.post("/handout", data=MultiDict([*form(client).items(), ("lang", "ar")]))
    assert repeated.status_code == 400 and "lang" in repeated.get_data(as_text=True)
    assert client.post("/handout", data=form(client, action="delete")).status_code == 400
    assert client.get("/?debug=1").status_code == 400
    multipart = client.post("/handout", data=form(client), content_type="multipart/form-data")
    assert multipart.status_code == 400


def test_every_route_and_status(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200
    for name in ("desk.css", "desk.js"):
        with client.get(f"/static/{name}") as response:
            assert response.status_code == 200
    assert client.get("/login").status_code == 303  # no token: nothing to sign in to
    assert client.get("/nowhere").status_code == 404
    assert client.get("/handout").status_code == 405
    assert client.get("/api/v1/handouts").status_code == 405
    # The desk answers to the loopback name only: a rebound DNS name gets nothing.
    assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 400


def test_security_headers(client: FlaskClient) -> None:
    for response in (
        client.get("/"),
        client.post("/handout", data=form(client)),
        client.get("/api/v1/leaflets"),
        client.get("/nowhere"),
    ):
        h = response.headers
        assert h["Cache-Control"] == "no-store"
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "no-referrer"
        csp = h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
    cookie = client.get("/").headers.get("Set-Cookie") or ""
    fresh = client.application.test_client().get("/")
    cookie = fresh.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_pages_load_nothing_from_elsewhere(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    html += client.post("/handout", data=form(client)).get_data(as_text=True)
    html += (ROOT / "leaflets/desk/static/desk.css").read_text()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "@import" not in html and "url(http" not in html
    assert not re.search(r"<script>|\son[a-z]+=\"|style=\"", html)


# --- token ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def token_app(project: Project, renderer: Renderer) -> Flask:
    return create_app(project, LocalEngine(renderer), token=TOKEN, local_only=False)


def test_token_page_asks_once(token_app: Flask) -> None:
    client = token_app.test_client()
    first = client.get("/", headers={"Host": "desk.clinic.example"})
    assert first.status_code == 303 and first.headers["Location"].endswith("/login")
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    wrong = client.post("/login", data={"csrf_token": token.group(1), "token": "guess"})
    assert wrong.status_code == 401
    assert client.post("/login", data={"token": TOKEN}).status_code == 403  # no CSRF token
    ok = client.post("/login", data={"csrf_token": token.group(1), "token": TOKEN})
    assert ok.status_code == 303
    assert "HttpOnly" in ok.headers["Set-Cookie"] and "SameSite=Strict" in ok.headers["Set-Cookie"]
    assert client.get("/").status_code == 200
    assert client.post("/handout", data=form(client)).status_code == 200
    stranger = token_app.test_client()
    assert stranger.post("/handout", data={"leaflet": "cryoablation"}).status_code == 401
    assert stranger.get("/healthz").status_code == 200


def test_token_api_needs_bearer(token_app: Flask) -> None:
    client = token_app.test_client()
    response = client.get("/api/v1/leaflets")
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]
    check_against_spec("/api/v1/leaflets", "get", response)
    wrong = client.get("/api/v1/leaflets", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/api/v1/leaflets", headers=auth).status_code == 200
    response = client.post("/api/v1/handouts", json=api_body(), headers=auth)
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def _serve(args: list[str], env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(
        main, ["--project", str(ROOT), "serve", *args], env=env or {"LEAFLETS_DESK_TOKEN": ""}
    )


def test_serve_refuses_other_addresses_without_a_token() -> None:
    result = _serve(["--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "serving on 0.0.0.0 needs an access token" in result.output
    short = _serve(["--host", "0.0.0.0"], {"LEAFLETS_DESK_TOKEN": "short"})
    assert short.exit_code == 2 and "at least 16 characters" in short.output


def test_the_desk_stops_on_sigterm_and_its_renderers_never_outlive_it(tmp_path: Path) -> None:
    desk = start_desk(FIXTURE, "--workers", "1")
    with urllib.request.urlopen(desk.url + "healthz", timeout=10) as response:
        assert response.status == 200
    code, output = stop_desk(desk)  # fails if a renderer process is left
    assert code == 0 and output.rstrip().endswith("stopped"), output[-500:]
    assert "Traceback" not in output
    # A server killed outright (out of memory, SIGKILL) cannot shut its renderers down:
    # they see it is gone, remove their font copies and exit by themselves.
    # (Its scratch folder, which the server removes when it stops, goes in tmp_path.)
    proc = start_desk(FIXTURE, "--workers", "1", env={"TMPDIR": str(tmp_path)}).process
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert_group_ended(proc.pid, "renderer processes outlived a killed desk")
    assert proc.stdout is not None
    proc.stdout.close()


# --- failures, patient data ------------------------------------------------------------------


class _Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def render(self, request: BuildRequest) -> Handout:
        raise self.error

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("error", "status", "words"),
    [
        (RenderTimeout("the handout took longer than 30 s"), 503, "could not be made in time"),
        (RenderError("template exploded with Zyxwvut"), 500, "could not be made"),
        (ZeroDivisionError("Zyxwvut"), 500, "internal error"),
    ],
)
def test_failed_render_is_a_clear_error_and_the_desk_goes_on(
    project: Project,
    error: Exception,
    status: int,
    words: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = create_app(project, _Failing(error)).test_client()
    with caplog.at_level(logging.DEBUG):
        page = client.post("/handout", data=form(client))
        api = client.post("/api/v1/handouts", json=api_body())
    assert page.status_code == status and words in page.get_data(as_text=True).lower()
    assert api.status_code == status and words in api.get_data(as_text=True).lower()
    check_against_spec("/api/v1/handouts", "post", api)
    # The form comes back with the name still in its box; no message repeats it.
    assert "Zyxwvut" not in api.get_data(as_text=True)
    assert re.findall(r"Zyxwvut", page.get_data(as_text=True)) in ([], ["Zyxwvut"])
    assert "Zyxwvut" not in caplog.text
    assert client.get("/healthz").status_code == 200


class _Warned:
    """An engine like the renderer processes: the handout comes back with WeasyPrint's
    warnings, which nothing in those processes logged."""

    def __init__(self, *warnings: str) -> None:
        self.warnings = warnings

    def render(self, request: BuildRequest) -> Handout:
        return Handout(request.filename(), b"%PDF-1.7\n", 1, "draft", self.warnings)

    def close(self) -> None:
        pass


def test_render_warnings_are_logged_in_the_server_named_by_file(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    plain = "Ignored `colour: red` at 3:5, unknown property."
    quoting = f"Anchor defined twice: {NAME}"  # a warning that happens to quote a field
    client = create_app(project, _Warned(plain, quoting)).test_client()
    with caplog.at_level(logging.DEBUG):
        page = client.post("/handout", data=form(client, action="download"))
        api = client.post("/api/v1/handouts", json=api_body())
    assert page.status_code == 200 and api.status_code == 200
    name = "cryoablation_laparoscopic_es_a4_clinic.pdf"
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "leaflets.desk"]
    expected = [
        (logging.WARNING, f"{name}: {plain}"),
        (logging.WARNING, f"{name}: a WeasyPrint warning that quotes patient details"),
    ]
    assert logged == expected * 2
    assert "Zyxwvut" not in caplog.text


def _listing(*folders: Path) -> set[tuple[str, int, int]]:
    found = set()
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if d not in (".git", ".venv", "__pycache__")]
            for name in filenames:
                path = Path(dirpath, name)
                try:
                    st = path.stat()
                except OSError:
                    continue
                found.add((str(path), st.st_mtime_ns, st.st_size))
    return found


def test_patient_details_are_not_logged_nor_written(
    app: Flask,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = app.test_client()
    data = form(client)
    client.post("/handout", data=data)  # warm: fonts WeasyPrint copies once per process
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    system_tmp = Path("/tmp") if Path("/tmp").is_dir() else private_tmp
    wrapped = AccessLog(app.wsgi_app)
    app.wsgi_app = wrapped  # type: ignore[method-assign]
    try:
        before = _listing(ROOT, system_tmp)
        with caplog.at_level(logging.DEBUG):
            responses = (
                client.post("/handout", data=data),
                client.post("/handout", data={**data, "action": "download"}),
                client.post("/api/v1/handouts", json=api_body()),
                client.post("/api/v1/handouts", json=api_body(fields={"patient": NAME, "x": 5})),
                client.post("/handout", data={**data, "procedure_date": NAME}),
                client.get(f"/?q={NAME}"),
            )
            for response in responses:
                response.close()  # the access log line is written when the body is done
        after = _listing(ROOT, system_tmp)
    finally:
        app.wsgi_app = wrapped.app  # type: ignore[method-assign]
    access = [r.getMessage() for r in caplog.records if r.name == "leaflets.desk.access"]
    assert len(access) == len(responses)  # one line per request
    assert all(re.fullmatch(r"(GET|POST) /\S* \d{3} \d+\.\d{3}s", a) for a in access), access
    assert access[0].startswith("POST /handout 200 ") and access[-1].startswith("GET / 200 ")
    captured = capfd.readouterr()
    for text in (caplog.text, captured.out, captured.err):
        assert "Zyxwvut" not in text
    assert list(private_tmp.iterdir()) == []
    changed = {Path(entry[0]) for entry in after - before}
    # Other programs on the machine may write to /tmp meanwhile, and tests running in
    # other workers to their own folders of the checkout: none of it holds the name.
    others = [ROOT / "out" / "desk-screenshots", ROOT / ".hypothesis"]
    written = [p for p in changed if p.is_relative_to(ROOT)]
    assert not [p for p in written if not any(p.is_relative_to(o) for o in others)], written[:5]
    for path in changed:
        try:
            assert NAME.encode() not in path.read_bytes()[:50_000_000], path
        except OSError:
            continue


def test_characters_no_font_draws_are_not_logged(
    app: Flask, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """A name in a script the handout's fonts cannot draw: WeasyPrint warns about each
    character it drew as a box, which would spell the name out in the log. The desk
    refuses the handout and logs only that it did, never the characters."""
    name = "\u10dc\u10d8\u10dc\u10dd \u10d1\u10d4\u10e0\u10d8\u10eb\u10d4"  # Georgian
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        response = client.post("/api/v1/handouts", json=api_body(fields={"patient": name}))
    assert response.status_code == 422
    assert "cannot print some characters" in response.get_json()["errors"][0]["message"]
    captured = capfd.readouterr()
    for text in (caplog.text, captured.out, captured.err):
        assert not any(char in text for char in name.replace(" ", "")), text[-2000:]


def test_renderer_processes_time_out_recover_and_match(
    fixture_project: Project, fixture_built: Any, tmp_path: Path
) -> None:
    """The real engine of `leaflets serve` (on the fixture project): a render over the
    time limit is an error, a worker that dies is replaced, and what the workers make
    is what build makes. The workers are spawned, not forked: killing one is the only
    way to make one die (no patch in this process reaches them)."""
    before = set(multiprocessing.active_children())
    engine = PoolEngine(fixture_project, 1, timeout=0.01, scratch=tmp_path)
    try:
        request = handout_request(fixture_project, "visit", "in-person", "es", "a4")
        with pytest.raises(RenderTimeout):
            engine.render(request)
        engine.timeout = 30.0  # each render from now on gets a workable limit
        workers = set(multiprocessing.active_children()) - before
        assert workers
        for worker in workers:
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
        with pytest.raises(RenderError):
            for _ in range(50):  # the pool notices the death on its next task
                engine.render(request)
        made = engine.render(request)
        assert made.filename == "visit_in-person_es_a4_clinic.pdf"
        assert made.pdf == render_handout(fixture_built.renderer, request).pdf
    finally:
        engine.close()
    # The font copies, the killed renderer's too, were in the engine's scratch folder.
    assert list(tmp_path.iterdir()) == []


def test_a_render_takes_its_time_limit_as_an_argument() -> None:
    """The limit travels with the render (as the desk's renderer processes pass it);
    the batch's own limit is left as it was."""

    class Slow:
        def render(self, request: BuildRequest) -> None:
            time.sleep(5)

    before = batch.ITEM_TIME_LIMIT
    request = BuildRequest("cryoablation", "percutaneous", "es", "a4")
    started = time.monotonic()
    result = batch.render_item(Slow(), request, 0.05)
    assert time.monotonic() - started < 2
    assert result.timed_out and result.message == "rendering took longer than 0.05 s"
    assert before == batch.ITEM_TIME_LIMIT


def test_render_handout_api_matches_renderer(renderer: Renderer, project: Project) -> None:
    request = handout_request(project, "cryoablation", "percutaneous", "ar", "a4")
    made = render_handout(renderer, request)
    assert made.filename == "cryoablation_percutaneous_ar_a4_clinic.pdf"
    assert made.pdf == renderer.render(request).pdf
    assert made.review_status == "draft"


def test_every_language_name_is_served_in_a_font_that_draws_it(client: FlaskClient) -> None:
    """A clinic computer may lack fonts for some scripts (the test browser has none for
    Cyrillic or Vietnamese): each language's own name comes with a font of the desk's
    that has every one of its characters."""
    css = client.get("/desk-fonts.css").get_data(as_text=True)
    faces = dict(re.findall(r'font-family: "(desk-[^"]+)"; src: url\("(/fonts/[^"]+)"\)', css))
    chosen = dict(re.findall(r'span\[lang="([^"]+)"\] \{ font-family: "(desk-[^"]+)"', css))
    offer = client.get("/api/v1/leaflets").get_json()["leaflets"][0]
    checked = 0
    for lang in offer["languages"]:
        name = lang["native_name"]
        if name.isascii():
            continue
        family = chosen[lang["tag"]]
        response = client.get(faces[family])
        assert response.status_code == 200
        with TTFont(io.BytesIO(response.get_data())) as font:
            cmap = font.getBestCmap()
            # Shaping kept: Arabic letters join, Devanagari conjuncts form.
            shaped = "GSUB" in font and font["GSUB"].table.FeatureList.FeatureCount > 0
        missing = [c for c in name if not c.isspace() and ord(c) not in cmap]
        assert not missing, (lang["tag"], name, missing)
        assert shaped or lang["tag"] not in ("ar", "hi", "ur", "my"), (lang["tag"], "no GSUB")
        checked += 1
    assert {"ru", "uk", "vi"} <= set(chosen) and checked >= 20
