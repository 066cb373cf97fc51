"""Shared fixtures: one renderer per test session, PDF readers, project copies."""

from __future__ import annotations

import io
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from leaflets.cli import main
from leaflets.config import Project, load_project
from leaflets.process import setup_process
from leaflets.render import BuildRequest, Renderer, RenderResult

ROOT = Path(__file__).resolve().parent.parent
# The test session is a process that renders: set up once, before anything imports
# WeasyPrint, as every entry point does (leaflets/process.py).
setup_process(ROOT / "fonts")


@pytest.fixture(scope="session")
def project() -> Project:
    return load_project(ROOT)


@pytest.fixture(scope="session")
def renderer(project: Project) -> Renderer:
    return Renderer(project)


class _Built:
    """Renders each distinct request once per session."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.cache: dict[BuildRequest, RenderResult] = {}

    def __call__(self, **kwargs: object) -> RenderResult:
        request = BuildRequest(**kwargs)  # type: ignore[arg-type]
        if request not in self.cache:
            result = self.renderer.render(request)
            assert result.warnings == [], f"WeasyPrint warned: {result.warnings}"
            self.cache[request] = result
        return self.cache[request]


@pytest.fixture(scope="session")
def built(renderer: Renderer) -> _Built:
    return _Built(renderer)


@pytest.fixture(autouse=True)
def fail_on_weasyprint_warnings(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """Any warning WeasyPrint logs during a test fails it, except in tests that feed
    it broken input on purpose (marked ``hostile``): there the build must fail cleanly,
    which they assert themselves."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        yield
    if request.node.get_closest_marker("hostile"):
        return
    # The records of the test itself ("call"): caplog.records would be teardown's.
    records = caplog.get_records("setup") + caplog.get_records("call")
    warnings = [r.getMessage() for r in records if r.name.startswith("weasyprint")]
    assert warnings == [], f"WeasyPrint warned: {warnings}"


def cli(root: Path, *args: str) -> tuple[int, str]:
    """Run ``leaflets --project ROOT ARGS``: (exit code, stdout and stderr). A traceback
    is never a user's answer: any exception but a clean exit fails the test."""
    result = CliRunner().invoke(main, ["--project", str(root), *args], prog_name="leaflets")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}"
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def pot_messages(root: Path = ROOT) -> int:
    """How many messages the leaflet's template has: counts follow the text, not a
    number typed into a test."""
    return sum(1 for entry in polib.pofile(str(root / "locales/cryoablation.pot")) if entry.msgid)


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, with words hyphenated at line ends joined again and runs of
    white space folded to one space."""
    text = "\n".join(page.extract_text() or "" for page in reader(pdf).pages)
    text = re.sub(r"(\w)[-\u2010]\s*\n(\w)", r"\1\2", text)
    return " ".join(text.split())


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name -> whether the font program is embedded, for every font used."""
    fonts: dict[str, bool] = {}
    for page in reader(pdf).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        font_dict = resources.get_object().get("/Font")
        if font_dict is None:
            continue
        for ref in font_dict.get_object().values():
            font = ref.get_object()
            descriptors = []
            if "/DescendantFonts" in font:
                for desc in font["/DescendantFonts"]:
                    descriptors.append(desc.get_object().get("/FontDescriptor"))
            else:
                descriptors.append(font.get("/FontDescriptor"))
            embedded = all(
                d is not None
                and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                for d in descriptors
            )
            fonts[str(font["/BaseFont"])] = embedded
    return fonts


def copy_project(tmp_path: Path) -> Path:
    """A private copy of the project (templates, fonts, locales, settings) to modify."""
    dest = tmp_path / "project"
    dest.mkdir(parents=True)
    for name in ("templates", "fonts", "locales"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copy(ROOT / "leaflets.toml", dest / "leaflets.toml")
    return dest


def set_translation(root: Path, lang: str, msgid: str, msgstr: str) -> int:
    """Give ``msgid`` a new translation in a project copy's catalog; return the line of
    its msgid, where errors about it are reported."""
    path = root / f"locales/{lang}/LC_MESSAGES/cryoablation.po"
    po = polib.pofile(str(path))
    entry = po.find(msgid)
    assert entry is not None, msgid
    entry.msgstr = msgstr
    po.save(str(path))
    saved = polib.pofile(str(path)).find(msgid)  # polib re-wraps: lines move on save
    assert saved is not None
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(
        n for n, line in enumerate(lines, 1) if n >= saved.linenum and line.startswith("msgid ")
    )
