"""WeasyPrint's warnings reach the user: returned with the handout and logged with its
name; the checks that read them work whatever the process's logging is set to."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from leaflets.api import render_handout
from leaflets.batch import run
from leaflets.catalog import load_catalog
from leaflets.config import Project, load_project
from leaflets.errors import RenderError
from leaflets.render import BuildRequest, Renderer, resolve

from .conftest import copy_project

REQUEST = BuildRequest("cryoablation", "percutaneous", "es", "letter")
NAME = REQUEST.filename()
BAD_CSS = "p { colour: red; }"  # an unknown property: WeasyPrint ignores it and warns
WARNING = "Ignored `colour: red`"
RUNE = "\u16a0"  # in no font of the project


def html_with(renderer: Renderer, project: Project, extra: str) -> str:
    r = resolve(project, REQUEST)
    html = renderer.html(r, load_catalog(project, r.leaflet, REQUEST.lang))
    assert html.count("</body>") == 1
    return html.replace("</body>", f"{extra}</body>")


def weasyprint_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("weasyprint")]


@pytest.mark.hostile
def test_warnings_are_returned_and_logged_with_the_handout_named(
    renderer: Renderer, project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    r = resolve(project, REQUEST)
    html = html_with(renderer, project, f"<style>{BAD_CSS}</style>")
    with caplog.at_level(logging.WARNING):
        result = renderer.pdf(html, r, load_catalog(project, r.leaflet, REQUEST.lang))
    assert result.pdf.startswith(b"%PDF-")
    assert len(result.warnings) == 1 and result.warnings[0].startswith(WARNING)
    [record] = weasyprint_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"{NAME}: {result.warnings[0]}"


@pytest.mark.hostile
def test_warnings_are_collected_when_the_process_logs_errors_only(
    renderer: Renderer, project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    """A program that logs only errors still gets its handouts checked: the warnings
    are collected (and a missing glyph still fails), but not logged."""
    r = resolve(project, REQUEST)
    catalog = load_catalog(project, r.leaflet, REQUEST.lang)
    weasyprint = logging.getLogger("weasyprint")
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        result = renderer.pdf(html_with(renderer, project, f"<style>{BAD_CSS}</style>"), r, catalog)
        assert [w[: len(WARNING)] for w in result.warnings] == [WARNING]
        with pytest.raises(RenderError, match=f'the fonts for es cannot draw "{RUNE}"'):
            renderer.pdf(html_with(renderer, project, f"<p>{RUNE}</p>"), r, catalog)
        assert weasyprint.level == logging.ERROR  # as the process set it
    assert weasyprint_records(caplog) == []


@pytest.mark.hostile
def test_warnings_are_collected_when_weasyprint_logging_is_disabled(
    renderer: Renderer, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """logging.config.dictConfig disables the loggers that exist unless told not to."""
    r = resolve(project, REQUEST)
    catalog = load_catalog(project, r.leaflet, REQUEST.lang)
    monkeypatch.setattr(logging.getLogger("weasyprint"), "disabled", True)
    with pytest.raises(RenderError, match=f'cannot draw "{RUNE}"'):
        renderer.pdf(html_with(renderer, project, f"<p>{RUNE}</p>"), r, catalog)
    assert logging.getLogger("weasyprint").disabled


@pytest.mark.hostile
def test_a_batch_and_the_api_report_the_warnings_of_each_handout(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = copy_project(tmp_path)
    css = root / "templates/css/leaflet.css"
    css.write_text(css.read_text(encoding="utf-8") + f"\n{BAD_CSS}\n", encoding="utf-8")
    project = load_project(root)
    requests = [REQUEST, BuildRequest("cryoablation", "laparoscopic", "es", "letter")]
    with caplog.at_level(logging.WARNING):
        outcomes = run(project, requests, tmp_path / "out", jobs=1)
    assert [o.status for o in outcomes] == ["built", "built"]
    for outcome in outcomes:
        assert [w[: len(WARNING)] for w in outcome.warnings] == [WARNING], outcome
    logged = [r.getMessage() for r in weasyprint_records(caplog)]
    assert sorted(m.split(": ", 1)[0] for m in logged) == sorted(r.filename() for r in requests)
    assert all(WARNING in m for m in logged)
    # The API a front end calls returns them too (the desk's renderer processes log nowhere).
    with Renderer(project) as renderer:
        handout = render_handout(renderer, REQUEST)
    assert [w[: len(WARNING)] for w in handout.warnings] == [WARNING]
