"""Templates cannot make the renderer read files outside the assets, or any URL.

On copies of the small fixture project: the fetcher is the same for every leaflet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from leaflets.cli import main
from leaflets.config import load_project
from leaflets.errors import FetchRefusedError
from leaflets.render import BuildRequest, Renderer

from .conftest import copy_fixture

TEMPLATE = Path("templates/leaflets/visit/leaflet.html.j2")
REQUEST = BuildRequest("visit", "in-person", "en", "a4")
SECRET = "TOP-SECRET-7f3a9c"


def _plant(tmp_path: Path, markup: str) -> tuple[Path, int]:
    """Copy the project and add ``markup`` right after the title; return (root, line)."""
    root = copy_fixture(tmp_path)
    path = root / TEMPLATE
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if 'class="title"' in line) + 1
    lines.insert(at, markup)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root, at + 1


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/hostname">',
        '<img src="http://127.0.0.1:9/logo.png">',
        '<link rel="attachment" href="https://example.invalid/x.pdf">',
        '<style>@import url("http://127.0.0.1:9/x.css");</style>',
        '<div style="background: url(ftp://127.0.0.1/x.png)">x</div>',
        '<img src="../../../../../../etc/hostname">',
        '<img src="file:///etc/%68ostname">',
        '<img src="data:text/html,<b>hi</b>">',
    ],
)
def test_refused_with_file_and_line(tmp_path: Path, markup: str) -> None:
    root, line = _plant(tmp_path, markup)
    renderer = Renderer(load_project(root))
    with pytest.raises(FetchRefusedError) as info:
        renderer.render(REQUEST)
    error = info.value
    assert error.path == str(TEMPLATE)
    assert error.line == line
    assert "refused to fetch" in str(error)


def test_secret_outside_assets_never_embedded(tmp_path: Path, secret_file: Path) -> None:
    root, _ = _plant(tmp_path, f'<link rel="attachment" href="{secret_file.as_uri()}">')
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["--project", str(root), "build", "--variant", "in-person", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert f"{TEMPLATE}:" in result.output and "refused to fetch" in result.output
    assert "Traceback" not in result.output
    assert not list(out.glob("*.pdf")), "a PDF was written despite the refused fetch"


def test_symlink_out_of_the_assets_is_refused(tmp_path: Path, secret_file: Path) -> None:
    root, _ = _plant(tmp_path, '<link rel="attachment" href="css/innocent.txt">')
    os.symlink(secret_file, root / "templates" / "css" / "innocent.txt")
    renderer = Renderer(load_project(root))
    with pytest.raises(FetchRefusedError, match="outside the project's asset folders"):
        renderer.render(REQUEST)


def test_asset_inside_the_project_is_allowed(tmp_path: Path) -> None:
    root, _ = _plant(tmp_path, '<link rel="attachment" href="css/leaflet.css">')
    renderer = Renderer(load_project(root))
    result = renderer.render(REQUEST)
    assert b"/EmbeddedFile" in result.pdf
