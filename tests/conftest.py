"""Shared fixtures and helpers: one renderer per project and test session, renders
shared by every test that only reads them, PDF readers, the CLI, project copies.

Two projects: the real one (ROOT: the cryoablation leaflet, 27 languages, 19 MB of
fonts) for what is about its content and languages, and the small fixture project
(FIXTURE: the visit leaflet, en/es/fr, a 53 KB font) for generic behaviour (batch
mechanics, manifest, bundle, caching, catalogs, review, hostile input), where a copy
and a build take a fraction of the time."""

from __future__ import annotations

import ctypes
import functools
import gc
import hashlib
import io
import json
import logging
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polib
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader
from pypdf.generic import ContentStream

from leaflets.cli import main
from leaflets.config import Project, load_project
from leaflets.process import setup_process
from leaflets.render import BuildRequest, Renderer, RenderResult

from .text_layer import pdfium

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "fixture"
# The test session is a process that renders: set up once, before anything imports
# WeasyPrint, as every entry point does (leaflets/process.py).
setup_process(ROOT / "fonts")
# A test process keeps a large heap (the collected tests, the renders shared between
# tests), and a layout makes many objects that live until it is drawn. With Python's
# default thresholds these reach the oldest generation, and a full collection, walking
# the whole heap, runs about every second render: some 30 CPU-seconds of a run. Fewer,
# larger young collections bring that to about 10. This process only: the commands,
# batches and desks the tests start run with Python's defaults.
GC_THRESHOLDS = (10_000, 50, 100)
gc.set_threshold(*GC_THRESHOLDS)


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


@pytest.fixture(scope="session")
def fixture_project() -> Project:
    return load_project(FIXTURE)


@pytest.fixture(scope="session")
def fixture_built(fixture_project: Project) -> Iterator[_Built]:
    """Renders of the fixture project, each made once per session."""
    renderer = Renderer(fixture_project)
    yield _Built(renderer)
    renderer.close()


# Shipped languages and English: a test whose parameters name one renders its handouts.
_LANGS = frozenset(["en", *(p.name for p in (ROOT / "locales").iterdir() if p.is_dir())])
# Modules whose tests share a module fixture (a desk server and a browser, the desk's
# web fonts, a print render, a sandbox project): each runs whole in one worker.
_WHOLE_MODULES = frozenset(
    [
        "tests/test_desk.py",
        "tests/test_desk_browser.py",
        "tests/test_preflight.py",
        "tests/test_properties.py",
    ]
)


def work_unit(nodeid: str) -> str:
    """Which tests ``make test`` sends to one worker together (pytest-xdist; see the
    scheduler below). Every process renders for itself (``built``), so every test of one
    language goes to one worker and each of its handouts is rendered once; a module of
    ``_WHOLE_MODULES`` goes whole; any other test goes wherever a worker is free."""
    module = nodeid.split("::", 1)[0]
    if module in _WHOLE_MODULES:
        return module
    if nodeid.endswith("]") and "[" in nodeid:
        for part in nodeid[nodeid.index("[") + 1 : -1].split("-"):
            if part in _LANGS:
                return f"lang {part}"
    return nodeid


@pytest.hookimpl(optionalhook=True)  # a run with -p no:xdist has no such hook
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist loadgroup``, tests are grouped by ``work_unit``. (xdist's own
    grouping reads ``xdist_group`` marks, which it cannot apply under pytest 9.2: it
    renames a node id through an attribute pytest no longer reads.) Bigger units are
    sent first; each worker asks for more when it runs low."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return ByWorkUnit(config, log)


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


def invoke(*args: str) -> Result:
    """Run ``leaflets ARGS`` in this process. A traceback is never a user's answer: any
    exception but a clean exit fails the test."""
    result = CliRunner().invoke(main, list(args), prog_name="leaflets")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}"
    )
    assert "Traceback" not in result.output
    return result


def cli(root: Path, *args: str) -> tuple[int, str]:
    """Run ``leaflets --project ROOT ARGS``: (exit code, stdout and stderr)."""
    result = invoke("--project", str(root), *args)
    return result.exit_code, result.output


def pot_messages(root: Path = ROOT, leaflet: str = "cryoablation") -> int:
    """How many messages the leaflet's template has: counts follow the text, not a
    number typed into a test."""
    return sum(1 for entry in polib.pofile(str(root / f"locales/{leaflet}.pot")) if entry.msgid)


def catalog_count(root: Path = ROOT) -> int:
    """How many translated catalogs the project ships."""
    return len(list(root.glob("locales/*/LC_MESSAGES/*.po")))


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has, as PDFium counts them (pypdf parses every object of a
    handout, its structure tree too, before it can count: 30 times slower)."""
    with pypdfium2.PdfDocument(pdf) as document:
        return len(document)


def document_language(pdf: bytes) -> str:
    """The /Lang of a PDF's catalog, as PDFium reads it ("" if there is none)."""
    with pypdfium2.PdfDocument(pdf) as document:
        size = pdfium_c.FPDFCatalog_GetLanguage(document.raw, None, 0)  # bytes, UTF-16LE
        buffer = (ctypes.c_ushort * (size // 2))()
        pdfium_c.FPDFCatalog_GetLanguage(document.raw, buffer, size)
        return bytes(buffer).decode("utf-16-le").rstrip("\0")


@functools.lru_cache(maxsize=64)
def pdf_text(pdf: bytes) -> str:
    """All text of a PDF as PDFium (Chrome's PDF engine) reads it, /ActualText
    included, with words hyphenated at line ends joined again and runs of white space
    folded to one space. Kept for the last PDFs read. (tests/text_layer.py reads a
    handout with pypdf and poppler too, and compares the three.)"""
    # PDFium gives a hyphen at a line end, inside a word, as U+FFFE and joins the lines.
    text = pdfium(pdf).replace("\ufffe", "")
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


# The fonts/ folders a Latin-script handout (English, Spanish, French) needs.
LATIN_FONTS = ("noto-sans",)


def copy_project(tmp_path: Path, *, fonts: tuple[str, ...] | None = None) -> Path:
    """A private copy of the real project (templates, fonts, locales, settings) to
    modify. The fonts are copied, not linked: the renderer refuses a font that lies
    outside the project's fonts folder, symlinks included. ``fonts``: only these
    folders of fonts/ (3 MB for LATIN_FONTS instead of 19 MB); fonts.toml still names
    the others, whose languages then fail to build, with an error naming the font."""
    dest = tmp_path / "project"
    dest.mkdir(parents=True)
    for name in ("templates", "locales"):
        shutil.copytree(ROOT / name, dest / name)
    if fonts is None:
        shutil.copytree(ROOT / "fonts", dest / "fonts")
    else:
        (dest / "fonts").mkdir()
        for path in (ROOT / "fonts").iterdir():
            if path.is_file():
                shutil.copy(path, dest / "fonts" / path.name)
        for folder in fonts:
            shutil.copytree(ROOT / "fonts" / folder, dest / "fonts" / folder)
    shutil.copy(ROOT / "leaflets.toml", dest / "leaflets.toml")
    return dest


PRINT_PROFILE = "templates/print"  # the print edition's CMYK output-intent profile


def copy_fixture(tmp_path: Path, *, print_profile: bool = False) -> Path:
    """A private copy of the fixture project to modify. ``print_profile``: with the
    real project's output-intent profile (1 MB, left out of the fixture), which the
    print edition embeds."""
    dest = tmp_path / "fixture"
    shutil.copytree(FIXTURE, dest)
    if print_profile:
        shutil.copytree(ROOT / PRINT_PROFILE, dest / PRINT_PROFILE)
    return dest


def rewrite(path: Path, *changes: tuple[str, str]) -> None:
    """Replace text in a project copy's file, each ``(old, new)`` once: a change whose old
    text is not there fails the test instead of leaving the file as it was."""
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, f"{path.name}: {old!r} found {text.count(old)} times"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def set_translation(
    root: Path, lang: str, msgid: str, msgstr: str, leaflet: str = "cryoablation"
) -> int:
    """Give ``msgid`` a new translation in a project copy's catalog; return the line of
    its msgid, where errors about it are reported."""
    path = root / f"locales/{lang}/LC_MESSAGES/{leaflet}.po"
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


def assert_manifest_true(out: Path) -> dict[str, dict[str, Any]]:
    """Every manifest entry describes its file exactly, every PDF in the folder is
    listed, and no temporary file is left. Returns the entries by path."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {f["path"]: f for f in manifest["files"]}
    for path, entry in files.items():
        data = (out / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), path
        assert entry["bytes"] == len(data)
        assert entry["pages"] == page_count(data)
        assert path == "{leaflet}_{variant}_{lang}_{paper}_{edition}.pdf".format(**entry) or (
            path == "{leaflet}_{variant}_{lang}_{paper}_{edition}_{layout}.pdf".format(**entry)
        )
    assert {p.name for p in out.glob("*.pdf")} == set(files), "PDFs and manifest disagree"
    assert not list(out.glob(".*.tmp")), "temporary files left"
    return files


def horizontal_rules(pdf: bytes, page_number: int = 0) -> list[tuple[float, float, float]]:
    """(left, right, height from the bottom) in points of every thin horizontal band
    drawn on a page: the ruled lines of borders (write-in lines), as WeasyPrint draws
    them, a path of four corners at most 2 pt tall and at least 20 pt long."""
    doc = reader(pdf)
    page = doc.pages[page_number]
    stream = ContentStream(page.get_contents(), doc)
    matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    saved: list[list[float]] = []
    points: list[tuple[float, float]] = []
    rules = []

    def apply(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = matrix
        return a * x + c * y + e, b * x + d * y + f

    for operands, operator in stream.operations:
        if operator == b"q":
            saved.append(list(matrix))
        elif operator == b"Q":
            matrix = saved.pop()
        elif operator == b"cm":
            a2, b2, c2, d2, e2, f2 = (float(x) for x in operands)
            a, b, c, d, e, f = matrix
            matrix = [
                a2 * a + b2 * c,
                a2 * b + b2 * d,
                c2 * a + d2 * c,
                c2 * b + d2 * d,
                e2 * a + f2 * c + e,
                e2 * b + f2 * d + f,
            ]
        elif operator == b"m":
            points = [apply(float(operands[0]), float(operands[1]))]
        elif operator == b"l":
            points.append(apply(float(operands[0]), float(operands[1])))
            if len(points) == 4:
                xs = [p[0] for p in points]
                ys = [p[1] for p in points]
                if max(ys) - min(ys) <= 2 and max(xs) - min(xs) >= 20:
                    rules.append((min(xs), max(xs), min(ys)))
    return rules


def text_pieces(pdf: bytes, page_number: int = 0) -> list[tuple[float, float, str]]:
    """(x, baseline height, text) in points of every piece of text on a page."""
    pieces: list[tuple[float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((float(x), float(y), text.strip()))

    reader(pdf).pages[page_number].extract_text(visitor_text=visit)
    return pieces


# --- the desk as a process ------------------------------------------------------------------


@dataclass
class Desk:
    """A ``leaflets serve`` process (the leader of its own process group)."""

    process: subprocess.Popen[bytes]
    url: str  # where it listens, as it said when it was ready
    said: str  # what it printed until then (stdout and stderr)


def start_desk(root: Path, *args: str, env: dict[str, str] | None = None) -> Desk:
    """``leaflets serve`` on a port the system picks (no race with another test for a
    free port), once it says it is ready."""
    command = [sys.executable, str(ROOT / "cli.py"), "--project", str(root), "serve"]
    proc = subprocess.Popen(
        [*command, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "LEAFLETS_DESK_TOKEN": "", **(env or {})},
        start_new_session=True,
    )
    assert proc.stdout is not None
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 90
        while not re.search(rb"clinic desk on (\S+) ", seen):
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail(f"the desk did not start in time: {seen.decode()[-2000:]}")
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                proc.wait()
                pytest.fail(f"the desk did not start: {seen.decode()[-2000:]}")
            seen += chunk
    found = re.search(rb"clinic desk on (\S+) ", seen)
    assert found is not None
    return Desk(proc, found.group(1).decode(), seen.decode())


def assert_group_ended(group: int, what: str) -> None:
    """Fail, naming ``what``, if a process of the process group still runs (a zombie
    no one reaps has ended) after a moment; kill what is left first, so that nothing
    outlives the test (a process still running also holds its output pipes open)."""
    running: list[int] = []
    for _ in range(30):
        running = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after it.
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                running.append(int(stat.parent.name))
        if not running:
            return
        time.sleep(0.1)
    os.killpg(group, signal.SIGKILL)
    pytest.fail(f"{what}: {running}")


def stop_desk(desk: Desk) -> tuple[int, str]:
    """Stop a desk from ``start_desk`` with SIGTERM, as a service manager does (Ctrl+C
    may be ignored in a background job): (its exit code, all it printed). Fails the test
    if it does not stop, or if any of its processes outlives it."""
    proc = desk.process
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail("the desk did not stop on SIGTERM")
    # Before reading: a renderer still running holds the output pipe open.
    assert_group_ended(proc.pid, "processes of the desk outlived it")
    assert proc.stdout is not None
    output = desk.said + proc.stdout.read().decode()
    proc.stdout.close()
    return code, output
