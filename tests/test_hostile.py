"""Hostile and broken input (issue 6).

Nothing a catalog, template, stylesheet, brand or font list says may make leaflets read
a file outside the project's asset folders (templates/, fonts/) or any URL. Broken input
fails with one line that names its file (and line), without a traceback, and fails only
its own items of a batch. Runaway items are stopped by a size or time limit. A command
stopped at any moment leaves every file old or new, and a failed one leaves no temporary
files behind.

The attacks build English or Spanish handouts in copies of the project with its Latin
fonts only (LATIN_FONTS): 3 MB a copy instead of 19 MB.

Each attack points at a secret file planted in tmp_path, outside the project. The tests
check that no output holds the secret, that no Python code of the process opened it (an
audit hook sees every open()), and that nothing connected to a listening socket. The
broken inputs are small files in tests/data/hostile/ (table in its README.md).
"""

from __future__ import annotations

import base64
import gc
import gzip
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2
import polib
import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader
from pypdf.generic import StreamObject

from leaflets import batch, files, workers
from leaflets.cli import main
from leaflets.config import Project, load_project
from leaflets.render import BuildRequest, Renderer

from .conftest import LATIN_FONTS, ROOT, copy_fixture, copy_project, invoke, pdf_text

DATA = Path(__file__).resolve().parent / "data" / "hostile"
TEMPLATE = "templates/leaflets/cryoablation/leaflet.html.j2"
BASE = "templates/base.html.j2"
CSS = "templates/css/leaflet.css"
BRAND = "templates/brands/lindenfield/brand.toml"
LOGO = "templates/brands/lindenfield/logo.svg"
FONTS = "fonts/fonts.toml"
LATIN_FONT = "fonts/noto-sans/NotoSans-Regular.ttf"
ES = "locales/es/LC_MESSAGES/cryoablation.po"
FR = "locales/fr/LC_MESSAGES/cryoablation.po"
BUILD = ("build", "--variant", "percutaneous")
BUILD_ES = (*BUILD, "--lang", "es")
TITLE_ANCHOR = 'class="title"'  # new template lines go right after the title

pytestmark = pytest.mark.hostile


def pdf_name(lang: str, leaflet: str = "cryoablation") -> str:
    return f"{leaflet}_percutaneous_{lang}_letter_clinic.pdf"


# --- the secret, the audit hook and the listener -------------------------------------------

_WATCHED: set[str] = set()
_OPENED: list[str] = []
_HOOKED: list[bool] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    """Record every open() of a watched file, also through a symlink."""
    if event != "open" or not _WATCHED or not args:
        return
    name = args[0]
    if not isinstance(name, str | bytes | os.PathLike):
        return  # a file descriptor
    text = os.fsdecode(name)
    try:
        real = os.path.realpath(text)
    except (OSError, ValueError):  # never break the open() being watched
        real = text
    if text in _WATCHED or real in _WATCHED:
        _OPENED.append(f"{text} (opened by {_opener()})")


def _opener() -> str:
    """The innermost frame of leaflets, Jinja or WeasyPrint that asked for the file."""
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if any(f"/{pkg}/" in code.co_filename for pkg in ("leaflets", "jinja2", "weasyprint")):
            where = code.co_filename.rsplit("/", 2)
            return f"{where[-2]}/{where[-1]}:{frame.f_lineno} {code.co_name}"
        frame = frame.f_back
    return "the test"


@dataclass
class Secret:
    """A file outside the project holding a unique string, and an SVG showing it."""

    path: Path
    svg: Path
    token: str

    @property
    def opened(self) -> list[str]:
        return list(_OPENED)


@pytest.fixture
def secret(tmp_path: Path) -> Iterator[Secret]:
    if not _HOOKED:
        sys.addaudithook(_audit)  # an audit hook cannot be removed: install one, once
        _HOOKED.append(True)
    token = f"SECRET-{uuid.uuid4().hex}"
    path = tmp_path / "secret.txt"
    path.write_text(token, encoding="utf-8")
    svg = tmp_path / "secret.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="10">'
        f'<text id="x" y="9">{token}</text></svg>',
        encoding="utf-8",
    )
    _OPENED.clear()
    _WATCHED.update({str(path), str(svg), os.path.realpath(path), os.path.realpath(svg)})
    try:
        yield Secret(path, svg, token)
    finally:
        _WATCHED.clear()
        _OPENED.clear()


class Listener:
    """A TCP port on 127.0.0.1 that tells whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def contacted(self) -> bool:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return False
        conn.close()
        return True


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    try:
        yield listening
    finally:
        listening.sock.close()


# --- helpers -------------------------------------------------------------------------------


def cli(root: Path, *args: str) -> Result:
    """The shared CLI helper, with the whole result: stdout and stderr apart."""
    return invoke("--project", str(root), *args)


def pdf_plain(data: bytes) -> bytes:
    """Everything a PDF shows or carries: the file, each stream decompressed, its text."""
    reader = PdfReader(io.BytesIO(data))
    chunks = [data]
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free entry of the cross-reference table
            continue
        if isinstance(obj, StreamObject):
            chunks.append(obj.get_data())
    chunks.append(pdf_text(data).encode("utf-8"))
    return b"\n".join(chunks)


def assert_nothing_leaked(
    secret: Secret, listener: Listener | None, out: Path, *texts: str
) -> None:
    """The secret was never opened, is in no output file or text, and no URL was fetched."""
    assert secret.opened == [], f"the secret file outside the project was opened: {secret.opened}"
    for text in texts:
        assert secret.token not in text, "the secret is in the command's output"
    files = [p for p in out.rglob("*") if p.is_file()] if out.is_dir() else []
    for path in files:
        data = path.read_bytes()
        plain = pdf_plain(data) if path.suffix == ".pdf" else data
        assert secret.token.encode() not in plain, f"the secret is in the output {path.name}"
    if listener is not None:
        assert not listener.contacted(), "the renderer connected to a URL"


def assert_fails_cleanly(result: Result, out: Path, place: str, *fragments: str) -> str:
    """Exit code 1, no PDF, and exactly one line of output matching
    ``Error: <place>: ...`` (``place`` is a regular expression) with ``fragments`` in it."""
    pdfs = sorted(p.name for p in out.glob("*.pdf")) if out.is_dir() else []
    assert result.exit_code == 1, f"exit code {result.exit_code}, wrote {pdfs}: {result.output}"
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, f"expected a one-line error, got:\n{result.output}"
    assert re.match(f"Error: {place}: ", lines[0]), f"expected {place!r} in: {lines[0]}"
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert pdfs == [], "a PDF was written although the build failed"
    assert_no_leftovers(out)
    return lines[0]


def assert_no_leftovers(out: Path) -> None:
    """The output folder holds PDFs, the manifest and the batch lock, nothing else."""
    kept = {"manifest.json", ".leaflets.lock"}
    names = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    left = [n for n in names if n not in kept and not n.endswith(".pdf")]
    assert left == [], f"temporary files left in the output folder: {left}"


def at(path: str, line: int | None = None) -> str:
    """The regular expression of ``path`` (and ``line``) in an error."""
    return re.escape(path) + (f":{line}" if line is not None else "")


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(text, encoding="utf-8")


def insert_after(root: Path, rel: str, anchor: str, text: str) -> int:
    """Insert ``text`` after the first line holding ``anchor``; return its line number."""
    lines = read(root, rel).splitlines()
    index = next(i for i, line in enumerate(lines) if anchor in line) + 1
    lines[index:index] = text.splitlines()
    write(root, rel, "\n".join(lines) + "\n")
    return index + 1


def append(root: Path, rel: str, text: str) -> int:
    old = read(root, rel).rstrip("\n")
    write(root, rel, old + "\n" + text + "\n")
    return old.count("\n") + 2


def prepend(root: Path, rel: str, text: str) -> int:
    write(root, rel, text + "\n" + read(root, rel))
    return 1


def set_msgstr(root: Path, msgid: str, msgstr: str, *, raw: bool = False, rel: str = ES) -> int:
    """Replace the one-line msgstr of a one-line ``msgid``; return the msgid's line, where
    catalog errors point. ``raw``: ``msgstr`` is already in PO syntax (escapes kept)."""
    lines = read(root, rel).split("\n")
    index = lines.index(f'msgid "{polib.escape(msgid)}"')
    assert lines[index + 1].startswith('msgstr "'), lines[index + 1]
    lines[index + 1] = f'msgstr "{msgstr if raw else polib.escape(msgstr)}"'
    write(root, rel, "\n".join(lines))
    return index + 1


def fill(text: str, secret: Secret, listener: Listener) -> str:
    """An attack's placeholders, spelled <...> so that CSS braces stay as they are."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image width="10" height="10" href="{secret.path.as_uri()}"/></svg>'
    )
    return (
        text.replace("<uri>", secret.path.as_uri())
        .replace("<svg-uri>", secret.svg.as_uri())
        .replace("<path>", str(secret.path))
        .replace("<pct-uri>", secret.path.as_uri().replace("secret.txt", "%73ecret.txt"))
        .replace("<http>", f"http://127.0.0.1:{listener.port}/x")
        .replace("<svg-b64>", base64.b64encode(svg.encode()).decode())
        .replace("<big-b64>", "A" * (3 * 1024 * 1024))
    )


def subprocess_env(tmpdir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TMPDIR=str(tmpdir), **extra)
    return env


# --- 1. no file outside the assets and no URL, whatever a file says -------------------------
# tests/test_fetcher.py covers <img>/<link>/@import/url() attacks written in the leaflet
# template itself; these cover the stylesheet, the brand's SVG logo, brands, fonts,
# Jinja's own file loading and the data: URLs the fetcher lets through.

CSS_ATTACKS = [  # (id, where in leaflet.css, CSS); an @import must come first to count
    ("import-file-url", "top", '@import url("<uri>");'),
    ("import-relative", "top", '@import "../../../secret.txt";'),
    ("import-http", "top", '@import "<http>.css";'),
    ("import-data-css", "top", '@import url("data:text/css,body{background:url(<uri>)}");'),
    ("background-file", "end", 'body { background: url("<uri>"); }'),
    ("background-percent-encoded", "end", 'body { background: url("<pct-uri>"); }'),
    ("background-css-escape", "end", "body { background: url(fi\\6c e://<path>); }"),
    ("page-background", "end", '@page { background: url("<uri>"); }'),
    ("list-style-http", "end", 'li { list-style-image: url("<http>.png"); }'),
    ("content-svg-file", "end", 'h1::before { content: url("<svg-uri>"); }'),
    (
        "font-face-file",
        "end",
        '@font-face { font-family: x; src: url("<uri>"); } h1 { font: 9pt x; }',
    ),
    ("data-svg", "end", 'body { background: url("data:image/svg+xml;base64,<svg-b64>"); }'),
    ("data-png-hiding-svg", "end", 'body { background: url("data:image/png;base64,<svg-b64>"); }'),
    ("data-huge", "end", 'body { background: url("data:image/png;base64,<big-b64>"); }'),
]


@pytest.mark.parametrize(("where", "css"), [pytest.param(w, c, id=i) for i, w, c in CSS_ATTACKS])
def test_stylesheet_cannot_fetch(
    tmp_path: Path, secret: Secret, listener: Listener, where: str, css: str
) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    attack = fill(css, secret, listener)
    line = prepend(root, CSS, attack) if where == "top" else append(root, CSS, attack)
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    assert_fails_cleanly(result, out, at(CSS, line), "refused to fetch")


def test_error_names_the_imported_stylesheet(
    tmp_path: Path, secret: Secret, listener: Listener
) -> None:
    """The error names the stylesheet holding the URL, not the template or the importer."""
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    uri = secret.path.as_uri()
    write(root, "templates/css/extra.css", f'/* extra */\nbody {{ background: url("{uri}"); }}\n')
    prepend(root, CSS, '@import "extra.css";')
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    assert_fails_cleanly(result, out, at("templates/css/extra.css", 2), "refused to fetch")


SVG_ATTACKS = [  # (id, markup put before the logo's </svg>, prolog put before its <svg>)
    ("image-href-file", '<image width="9" height="9" href="<uri>"/>', ""),
    ("image-href-svg-file", '<image width="9" height="9" href="<svg-uri>"/>', ""),
    (
        "image-xlink-href",
        '<image xmlns:xlink="http://www.w3.org/1999/xlink" width="9" height="9" '
        'xlink:href="<uri>"/>',
        "",
    ),
    ("image-relative", '<image width="9" height="9" href="../../../../secret.svg"/>', ""),
    ("image-http", '<image width="9" height="9" href="<http>.png"/>', ""),
    (
        "image-data-svg",
        '<image width="9" height="9" href="data:image/svg+xml;base64,<svg-b64>"/>',
        "",
    ),
    ("use-href", '<use href="<svg-uri>#x"/>', ""),
    ("style-import", '<style>@import url("<uri>");</style>', ""),
    ("style-fill-url", '<style>circle { fill: url("<svg-uri>#g"); }</style>', ""),
    ("fill-http", '<rect width="5" height="5" fill="url(<http>#g)"/>', ""),
    ("style-font-face", '<style>@font-face { font-family: e; src: url("<uri>"); }</style>', ""),
    (
        "external-entity",
        '<text y="9">&xxe;</text>',
        '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "<uri>">]>',
    ),
]


@pytest.mark.parametrize(
    ("markup", "prolog"), [pytest.param(m, p, id=i) for i, m, p in SVG_ATTACKS]
)
def test_logo_svg_cannot_fetch(
    tmp_path: Path, secret: Secret, listener: Listener, markup: str, prolog: str
) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    lines = read(root, LOGO).splitlines()
    end = next(i for i, line in enumerate(lines) if line.strip() == "</svg>")
    lines.insert(end, fill(markup, secret, listener))
    planted = [end + 1]
    if prolog:
        extra = fill(prolog, secret, listener).splitlines()
        lines[:0] = extra
        planted = [*range(1, len(extra) + 1), end + 1 + len(extra)]
    write(root, LOGO, "\n".join(lines) + "\n")
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    lines_re = "|".join(str(n) for n in planted)
    assert_fails_cleanly(result, out, f"{re.escape(LOGO)}:(?:{lines_re})")


TEMPLATE_ATTACKS = [  # (id, markup put after the title of the leaflet template)
    ("jinja-include-symlink", '{% include "partials/note.html" %}'),
    ("jinja-include-through-symlinked-folder", '{% include "outside/secret.txt" %}'),
    ("jinja-include-absolute", '{% include "<path>" %}'),
    ("jinja-include-dotdot", '{% include "../../secret.txt" %}'),
    ("attachment-through-symlinked-folder", '<link rel="attachment" href="outside/secret.txt">'),
    ("a-rel-attachment", '<a rel="attachment" href="<uri>">x</a>'),
    ("object-data", '<object data="<svg-uri>"></object>'),
    ("link-stylesheet-file", '<link rel="stylesheet" href="<uri>">'),
    (
        "inline-svg-image",
        '<svg width="9" height="9"><image width="9" height="9" href="<uri>"/></svg>',
    ),
    ("img-data-svg", '<img src="data:image/svg+xml;base64,<svg-b64>">'),
    ("img-data-png-hiding-svg", '<img src="data:image/png;base64,<svg-b64>">'),
    ("img-data-huge", '<img src="data:image/png;base64,<big-b64>">'),
]


@pytest.mark.parametrize("markup", [pytest.param(m, id=i) for i, m in TEMPLATE_ATTACKS])
def test_template_cannot_read_outside(
    tmp_path: Path, secret: Secret, listener: Listener, markup: str
) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    if "partials/" in markup:
        (root / "templates/partials").mkdir()
        os.symlink(secret.path, root / "templates/partials/note.html")
    if "outside/" in markup:
        os.symlink(secret.path.parent, root / "templates/outside")
    line = insert_after(root, TEMPLATE, TITLE_ANCHOR, fill(markup, secret, listener))
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    assert_fails_cleanly(result, out, at(TEMPLATE, line))


BRAND_ATTACKS = [  # (id, old text of brand.toml, new text)
    ("logo-dotdot", 'logo = "logo.svg"', 'logo = "../../../../secret.svg"'),
    ("logo-absolute", 'logo = "logo.svg"', 'logo = "<svg-path>"'),
    ("logo-file-url", 'logo = "logo.svg"', 'logo = "<svg-uri>"'),
    ("logo-print-dotdot", 'logo_print = "logo-print.svg"', 'logo_print = "../../../../secret.svg"'),
]


@pytest.mark.parametrize(("old", "new"), [pytest.param(o, n, id=i) for i, o, n in BRAND_ATTACKS])
def test_brand_cannot_point_outside(
    tmp_path: Path, secret: Secret, listener: Listener, old: str, new: str
) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    text = read(root, BRAND)
    assert old in text
    new = fill(new.replace("<svg-path>", str(secret.svg)), secret, listener)
    write(root, BRAND, text.replace(old, new))
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    # One line: the brand's mistake only, not a consequence blamed on leaflets.toml.
    assert_fails_cleanly(result, out, at(BRAND) + r"(:\d+)?", "logo")


def test_brand_logo_symlinked_outside(tmp_path: Path, secret: Secret) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    (root / LOGO).unlink()
    os.symlink(secret.svg, root / LOGO)
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert_nothing_leaked(secret, None, out, result.output)
    assert_fails_cleanly(result, out, at(BRAND) + r"(:\d+)?", "logo")


def test_brand_folder_symlinked_outside(tmp_path: Path, secret: Secret) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    outside = tmp_path / "brand-outside"
    shutil.copytree(root / "templates/brands/lindenfield", outside)
    (outside / "logo.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="90" height="10"><text y="9">'
        f"{secret.token}</text></svg>",
        encoding="utf-8",
    )
    _WATCHED.update({str(outside / "logo.svg"), os.path.realpath(outside / "logo.svg")})
    os.symlink(outside, root / "templates/brands/evil")
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--brand", "evil", "--out", str(out))
    assert_nothing_leaked(secret, None, out, result.output)
    assert_fails_cleanly(result, out, re.escape("templates/brands/evil") + r"[/:]?\S*")


@pytest.mark.parametrize("how", ["fonts-toml-dotdot", "font-file-symlink"])
def test_font_cannot_point_outside(tmp_path: Path, secret: Secret, how: str) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    if how == "fonts-toml-dotdot":
        old = 'file = "noto-sans/NotoSans-Regular.ttf"'
        write(root, FONTS, read(root, FONTS).replace(old, 'file = "../../secret.txt"'))
    else:
        (root / LATIN_FONT).unlink()
        os.symlink(secret.path, root / LATIN_FONT)
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert_nothing_leaked(secret, None, out, result.output)
    assert_fails_cleanly(result, out, at(FONTS) + r"(:\d+)?", "lf-latin")


def test_brand_text_is_printed_as_text(tmp_path: Path, secret: Secret, listener: Listener) -> None:
    """Markup in a brand's name, footer or phone number is text: it fetches nothing."""
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    attack = f"<link rel=attachment href='{secret.path.as_uri()}'><img src='<http>.png'>"
    attack = fill(attack, secret, listener)
    text = read(root, BRAND)
    for key in ("name", "footer", "appointments"):
        text = re.sub(rf'^{key} = ".*"$', f'{key} = "{attack}"', text, count=1, flags=re.M)
    write(root, BRAND, text)
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    assert result.exit_code == 0, result.output
    pdf = (out / pdf_name("en")).read_bytes()
    assert b"/EmbeddedFile" not in pdf_plain(pdf)
    assert "<link rel=attachment" in pdf_text(pdf)


CODE_IN_TRANSLATIONS = [  # (id, msgid, msgstr, text the handout shows if it is built)
    (
        "break-out-of-the-page-counter-css",
        "Page %(page)s of %(pages)s",
        'Pág %(page)s de %(pages)s"); @import url("<uri>"); @page :first { background: url(<uri>',
        "",
    ),
    (
        "jinja-syntax",
        "Benefits",
        "Beneficios {{ brand.name }} {% include 'css/leaflet.css' %}",
        "Beneficios {{ brand.name }} {% include 'css/leaflet.css' %}",
    ),
]


@pytest.mark.parametrize(
    ("msgid", "msgstr", "shown"),
    [pytest.param(m, s, t, id=i) for i, m, s, t in CODE_IN_TRANSLATIONS],
)
def test_translation_is_never_code(
    tmp_path: Path, secret: Secret, listener: Listener, msgid: str, msgstr: str, shown: str
) -> None:
    """A msgstr cannot break out of the CSS string of the page counter, and Jinja syntax
    in a msgstr is not run: it is printed as text, or refused."""
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    line = set_msgstr(root, msgid, fill(msgstr, secret, listener))
    out = tmp_path / "out"
    result = cli(root, *BUILD_ES, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    if result.exit_code == 1:  # refusing such a translation is right too
        assert_fails_cleanly(result, out, at(ES, line))
        return
    assert result.exit_code == 0, result.output
    pdf = (out / pdf_name("es")).read_bytes()
    assert shown in pdf_text(pdf)
    assert b"/EmbeddedFile" not in pdf_plain(pdf)


# --- 2. markup in a translation: only the msgid's tags ---------------------------------------

MARKUP_ATTACKS = [
    ("script", "<script>alert(1)</script>Beneficios"),
    ("img", '<img src="<uri>">Beneficios'),
    ("a-href", '<a href="<uri>">Beneficios</a>'),
    ("style-attribute", '<span style="background: url(<uri>)">Beneficios</span>'),
    ("link", '<link rel="attachment" href="<uri>">Beneficios'),
    ("iframe", '<iframe src="<uri>"></iframe>Beneficios'),
]


@pytest.mark.parametrize("msgstr", [pytest.param(m, id=i) for i, m in MARKUP_ATTACKS])
def test_markup_added_by_a_translation_is_refused(
    tmp_path: Path, secret: Secret, listener: Listener, msgstr: str
) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    line = set_msgstr(root, "Benefits", fill(msgstr, secret, listener))
    out = tmp_path / "out"
    result = cli(root, *BUILD_ES, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    assert_fails_cleanly(result, out, at(ES, line), "markup")


STRONG_MSGID = "Do <strong>not</strong> drive home."
STRONG_CASES = [  # (id, msgstr, refused?)
    ("same-tags", "<strong>No</strong> conduzca a casa.", False),
    ("attribute-on-the-tag", '<strong style="background: url(<uri>)">No</strong> conduzca.', True),
    ("event-attribute", '<strong onclick="x()">No</strong> conduzca.', True),
    ("other-tag", "<em>No</em> conduzca.", True),
    ("extra-tag", '<strong>No</strong> conduzca.<img src="<uri>">', True),
    ("tag-twice", "<strong>No</strong> <strong>conduzca</strong>.", True),
    ("tag-dropped", "No conduzca.", True),
    ("tag-unclosed", "<strong>No conduzca.", True),
]


@pytest.mark.parametrize(
    ("msgstr", "refused"), [pytest.param(m, r, id=i) for i, m, r in STRONG_CASES]
)
def test_markup_is_limited_to_the_msgids_tags(
    tmp_path: Path, secret: Secret, listener: Listener, msgstr: str, refused: bool
) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    insert_after(
        root,
        TEMPLATE,
        TITLE_ANCHOR,
        f'<p class="note">{{% trans %}}{STRONG_MSGID}{{% endtrans %}}</p>',
    )
    catalog = read(root, ES)
    line = catalog.count("\n") + 2
    body = polib.escape(fill(msgstr, secret, listener))
    write(root, ES, f'{catalog}\nmsgid "{polib.escape(STRONG_MSGID)}"\nmsgstr "{body}"\n')
    out = tmp_path / "out"
    result = cli(root, *BUILD_ES, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    if refused:
        assert_fails_cleanly(result, out, at(ES, line), "markup")
    else:
        assert result.exit_code == 0, result.output
        assert "No conduzca a casa." in pdf_text((out / pdf_name("es")).read_bytes())


def test_fixed_catalog_builds_without_a_trace_of_the_markup(
    tmp_path: Path, secret: Secret, listener: Listener
) -> None:
    """Several entries with foreign markup: the build names the first and counts the
    others, `check` lists them all, and once fixed nothing of them reaches the PDF."""
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    planted = {
        "Benefits": ("<script>alert(1)</script>Beneficios", "Beneficios"),
        "Risks": ('Riesgos<img src="<uri>">', "Riesgos"),
        "Your details": ('<a href="<http>">Sus datos</a>', "Sus datos"),
        "Doctor": ('<span style="background: url(<uri>)">Médico</span>', "Médico"),
        "Name": ('<link rel="attachment" href="<uri>">Nombre', "Nombre"),
    }
    lines = {}
    for msgid, (bad, _good) in planted.items():
        lines[msgid] = set_msgstr(root, msgid, fill(bad, secret, listener))
    out = tmp_path / "out"
    result = cli(root, *BUILD_ES, "--out", str(out))
    assert_nothing_leaked(secret, listener, out, result.output)
    first = min(lines.values())
    assert_fails_cleanly(result, out, at(ES, first), "markup", "(and 4 more")
    check = cli(root, "check", "--lang", "es")
    assert check.exit_code == 1
    found = {
        int(m) for m in re.findall(rf"^{re.escape(ES)}:(\d+): error markup:", check.output, re.M)
    }
    assert found == set(lines.values())
    for msgid, (_bad, good) in planted.items():
        set_msgstr(root, msgid, good)
    result = cli(root, *BUILD_ES, "--out", str(out))
    assert result.exit_code == 0, result.output
    pdf = (out / pdf_name("es")).read_bytes()
    plain = pdf_plain(pdf)
    for marker in (b"/JavaScript", b"/JS", b"/URI", b"/EmbeddedFile", b"/Launch", b"alert("):
        assert marker not in plain, marker
    text = pdf_text(pdf)
    assert all(good in text for _bad, good in planted.values())
    assert_nothing_leaked(secret, listener, out, result.output)


# --- 3. broken input: one line with file and line, and only its own items fail --------------

CATALOG_CASES = [  # (file in tests/data/hostile, the line(s) the error names, text in it)
    ("truncated.po", "19", "string not terminated"),
    ("binary.po", "18", "NUL byte"),
    ("invalid-utf8.po", "19", "not valid UTF-8"),
    ("charset-latin1.po", "2", "ISO-8859-1"),
    ("wrong-language.po", "2", "Language is fr"),
    ("long-msgstr.po", "1[89]", "more than the limit of 4,000"),
    ("huge-msgstr.po.gz", None, "more than the limit of 2,097,152"),
]


def data_bytes(name: str) -> bytes:
    raw = (DATA / name).read_bytes()
    return gzip.decompress(raw) if name.endswith(".gz") else raw


@pytest.mark.parametrize(("name", "line", "text"), CATALOG_CASES)
def test_broken_catalog_fails_only_its_items(
    tmp_path: Path, name: str, line: str | None, text: str
) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    (root / ES).write_bytes(data_bytes(name))
    out = tmp_path / "out"
    batch = ("batch", "--lang", "en,es", "--variant", "percutaneous", "--jobs", "1")
    result = cli(root, *batch, "--out", str(out))
    assert result.exit_code == 1, result.output
    place = re.escape(ES) + (f":(?:{line})" if line else "")
    failures = re.findall(
        rf"^failed: {re.escape(pdf_name('es'))}: {place}: (.*)$", result.output, re.M
    )
    assert len(failures) == 1 and text in failures[0], result.output
    assert sorted(p.name for p in out.glob("*.pdf")) == [pdf_name("en")]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in manifest["files"]] == [pdf_name("en")]
    assert_no_leftovers(out)


def _snippet(rel: str, anchor: str, name: str) -> Callable[[Path], str]:
    def apply(root: Path) -> str:
        snippet = (DATA / name).read_text(encoding="utf-8").rstrip("\n")
        return at(rel, insert_after(root, rel, anchor, snippet))

    return apply


def _replace(rel: str, name: str, place: str) -> Callable[[Path], str]:
    def apply(root: Path) -> str:
        shutil.copyfile(DATA / name, root / rel)
        return place

    return apply


def _delete(rel: str, place: str) -> Callable[[Path], str]:
    def apply(root: Path) -> str:
        (root / rel).unlink()
        return place

    return apply


PROJECT_CASES: dict[str, tuple[Callable[[Path], str], str]] = {
    # id: (break the project copy and return where the error must point, text in it)
    "template-syntax-error": (
        _snippet(TEMPLATE, TITLE_ANCHOR, "template-syntax-error.j2"),
        "template syntax error",
    ),
    "template-unknown-placeholder": (
        _snippet(TEMPLATE, TITLE_ANCHOR, "template-unknown-placeholder.j2"),
        "nosuchvar",
    ),
    "base-template-unknown-placeholder": (
        _snippet(BASE, "<body", "template-unknown-placeholder.j2"),
        "nosuchvar",
    ),
    "brand-malformed": (_replace(BRAND, "brand-malformed.toml", at(BRAND, 2)), "invalid TOML"),
    "brand-missing": (_delete(BRAND, at(BRAND)), "not found"),
    "brand-missing-logo": (
        _replace(BRAND, "brand-missing-logo.toml", at(BRAND) + "(:3)?"),
        "no-such-logo.svg",
    ),
    "logo-deleted": (_delete(LOGO, at(BRAND) + "(:3)?"), "logo.svg"),
    "logo-is-a-git-lfs-pointer": (
        _replace(LOGO, "logo-lfs-pointer.svg", at(LOGO) + r"(:\d+)?"),
        "",
    ),
    "font-file-missing": (_delete(LATIN_FONT, at(FONTS) + r"(:\d+)?"), "lf-latin"),
    "font-is-a-git-lfs-pointer": (
        _replace(LATIN_FONT, "font-lfs-pointer.ttf", f"(?:{at(LATIN_FONT)}|{at(FONTS)}(:\\d+)?)"),
        "",
    ),
}


@pytest.mark.parametrize("case", sorted(PROJECT_CASES))
def test_broken_project_file_gives_one_line(tmp_path: Path, case: str) -> None:
    """Files every handout uses: the build fails with one line naming the file."""
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    apply, text = PROJECT_CASES[case]
    place = apply(root)
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert_fails_cleanly(result, out, place, text)


def test_missing_font_fails_only_its_script(tmp_path: Path) -> None:
    """Without the Devanagari font, Hindi fails and English still builds."""
    root = copy_project(tmp_path)
    shutil.copyfile(DATA / "fonts-missing-file.toml", root / FONTS)
    out = tmp_path / "out"
    batch = ("batch", "--lang", "en,hi", "--variant", "percutaneous", "--jobs", "1")
    result = cli(root, *batch, "--out", str(out))
    assert result.exit_code == 1, result.output
    assert re.search(
        rf"^failed: {re.escape(pdf_name('hi'))}: {re.escape(FONTS)}(:\d+)?: .*lf-devanagari",
        result.output,
        re.M,
    ), result.output
    assert sorted(p.name for p in out.glob("*.pdf")) == [pdf_name("en")]
    assert_no_leftovers(out)


# --- 4. bidi overrides and invisible characters ---------------------------------------------

BIDI_CASES = [  # (id, msgid, msgstr as written in the .po file)
    ("rlo-U+202E", "Benefits", "Benefi\u202ecios"),
    ("rle-U+202B", "Benefits", "Benefi\u202bcios"),
    ("lri-U+2066", "Benefits", "Benefi\u2066cios"),
    ("pdi-U+2069", "Benefits", "Benefi\u2069cios"),
    ("zwsp-U+200B", "Benefits", "Benefi\u200bcios"),
    ("bom-U+FEFF", "Benefits", "Benefi\ufeffcios"),
    ("word-joiner-U+2060", "Benefits", "Benefi\u2060cios"),
    ("rlo-in-a-placeholder-message", "Appointments: %(phone)s", "Citas: \u202e%(phone)s"),
    # GNU gettext (msgfmt, Poedit, Weblate) reads this octal escape as U+202E.
    ("rlo-as-octal-escape", "Benefits", r"Benefi\342\200\256cios"),
]


@pytest.mark.parametrize(("msgid", "msgstr"), [pytest.param(m, s, id=i) for i, m, s in BIDI_CASES])
def test_bidi_and_invisible_characters_are_refused(tmp_path: Path, msgid: str, msgstr: str) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    line = set_msgstr(root, msgid, msgstr, raw=True)
    out = tmp_path / "out"
    result = cli(root, *BUILD_ES, "--out", str(out))
    if "\\" in msgstr:
        # An escape is refused as such, on the msgstr line itself, before any decoding.
        place = re.escape(ES) + f":(?:{line}|{line + 1})"
        assert_fails_cleanly(result, out, place, "escape sequence")
    else:
        assert_fails_cleanly(result, out, at(ES, line), "bidi-control")


PLACEHOLDER_TRICKS = [  # (id, msgstr of "Appointments: %(phone)s")
    ("precision-hides-the-phone", "Citas: %(phone).0s"),
    ("huge-width", "Citas: %(phone)20000000s"),
    ("left-justified-width", "Citas: %(phone)-300s"),
]


@pytest.mark.parametrize("msgstr", [pytest.param(m, id=i) for i, m in PLACEHOLDER_TRICKS])
def test_placeholder_with_a_format_spec_is_refused(tmp_path: Path, msgstr: str) -> None:
    """A clinical value is printed as the software formats it: a translation cannot hide
    it (precision 0) or blow it up (width)."""
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    line = set_msgstr(root, "Appointments: %(phone)s", msgstr)
    out = tmp_path / "out"
    result = cli(root, *BUILD_ES, "--out", str(out))
    assert_fails_cleanly(result, out, at(ES, line), "placeholder")


# --- 5. resource limits: runaway items stop, the batch goes on -------------------------------


def add_leaflet(
    root: Path,
    leaflet_id: str,
    snippet: str,
    *,
    only: str | None = None,
    source: str = "cryoablation",
) -> None:
    """A second leaflet: a copy of ``source`` with ``snippet`` (a file in DATA) after
    the title; ``only``: in that variant's handouts only."""
    folder = root / "templates/leaflets" / leaflet_id
    shutil.copytree(root / "templates/leaflets" / source, folder)
    toml = folder / "leaflet.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(f'id = "{source}"', f'id = "{leaflet_id}"'),
        encoding="utf-8",
    )
    rel = f"templates/leaflets/{leaflet_id}/leaflet.html.j2"
    text = (DATA / snippet).read_text(encoding="utf-8").rstrip("\n")
    if only is not None:
        text = f'{{% if variant.id == "{only}" %}}{text}{{% endif %}}'
    insert_after(root, rel, TITLE_ANCHOR, text)


def enormous_catalog(path: Path) -> None:
    """Every message as long as the per-message limit allows: megabytes of layout."""
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgstr and "%" not in entry.msgid:
            room = (3900 - len(entry.msgstr)) // 8
            entry.msgstr = entry.msgstr + " palabra" * max(room, 0)
    po.save(str(path))


def test_runaway_items_are_stopped_and_the_batch_goes_on(tmp_path: Path) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    add_leaflet(root, "deepnest", "deep-nesting.j2")
    add_leaflet(root, "timebomb", "time-bomb.j2")
    add_leaflet(root, "htmlbomb", "html-bomb.j2")
    add_leaflet(root, "syntaxerr", "template-syntax-error.j2")
    enormous_catalog(root / ES)
    out = tmp_path / "out"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    cmd = [sys.executable, str(ROOT / "cli.py"), "--project", str(root), "batch"]
    cmd += ["--lang", "en,es,fr", "--variant", "percutaneous", "--jobs", "2", "--out", str(out)]
    start = time.monotonic()
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=120,
        env=subprocess_env(tmpdir, LEAFLETS_ITEM_TIME_LIMIT="3"),
        check=False,
    )
    elapsed = time.monotonic() - start
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    assert elapsed < 60, f"the batch took {elapsed:.0f} s: the time limit did not stop it"
    failed = dict(re.findall(r"^failed: (\S+\.pdf): (.*)$", output, re.M))
    limit = r"rendering took longer than 3 s|over the page budget|more than the limit"
    expected = {
        pdf_name("es"): limit,
        pdf_name("en", "timebomb"): "rendering took longer than 3 s",
        pdf_name("en", "htmlbomb"): "more than the limit of 400,000",
        pdf_name("en", "deepnest"): "nested too deeply|rendering took longer than 3 s",
        pdf_name("en", "syntaxerr"): (
            re.escape("templates/leaflets/syntaxerr/leaflet.html.j2:9: template syntax error")
        ),
    }
    assert set(failed) == set(expected), output
    for name, pattern in expected.items():
        assert re.search(pattern, failed[name]), f"{name}: {failed[name]}"
    assert sorted(p.name for p in out.glob("*.pdf")) == [pdf_name("en"), pdf_name("fr")]
    assert_no_leftovers(out)
    assert sorted(os.listdir(tmpdir)) == [], "temporary files left in TMPDIR"


def test_time_limit_is_not_swallowed_by_except_exception() -> None:
    """Library code under the limit that catches Exception (WeasyPrint does, in places)
    cannot swallow the time limit and carry on."""
    swallowed = 0
    deadline = time.monotonic() + 5
    with pytest.raises(workers.ItemTimeout), workers.time_limit(0.05):
        while time.monotonic() < deadline:
            try:
                time.sleep(0.01)
            except Exception:
                swallowed += 1
    assert swallowed == 0


class _SwallowingRenderer:
    """Renders like code that catches every Exception in a loop."""

    caught = 0

    def render(self, request: BuildRequest) -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                time.sleep(0.01)
            except Exception:
                self.caught += 1


def test_render_item_stops_code_that_catches_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "ITEM_TIME_LIMIT", 0.1)
    renderer = _SwallowingRenderer()
    request = BuildRequest("cryoablation", "percutaneous", "en", "letter")
    result = batch.render_item(renderer, request)
    assert (result.status, result.message) == ("failed", "rendering took longer than 0.1 s")
    assert result.timed_out and renderer.caught == 0


def spin_name(variant: str) -> str:
    return f"spin_{variant}_en_a4_clinic.pdf"


LOOPING, GOOD = "in-person", "video"


def timing_out_project(tmp_path: Path) -> tuple[Project, list[BuildRequest]]:
    """The fixture project's visit leaflet, and a copy of it whose in-person handouts
    loop for hours: in each group (leaflet and language) the looping handout comes
    before a good one."""
    root = copy_fixture(tmp_path)
    add_leaflet(root, "spin", "time-bomb.j2", only=LOOPING, source="visit")
    project = load_project(root)
    requests = batch.plan(project, langs=["en"])
    names = [r.filename() for r in requests if r.leaflet == "spin"]
    assert names == [spin_name(LOOPING), spin_name(GOOD)]
    return project, requests


# Long enough for a good handout of the fixture project (a tenth of a second) on a busy
# machine; the looping one takes hours.
SHORT_LIMIT = 3.0


def test_a_worker_that_ran_out_of_time_is_replaced(tmp_path: Path) -> None:
    """The process that was interrupted renders nothing more: the rest of its group is
    built by a new worker process, and every other handout is built."""
    project, requests = timing_out_project(tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    made = workers.render_all(project, requests, 2, scratch, SHORT_LIMIT)
    results = {r.request.filename(): r for r in made}
    looping = spin_name(LOOPING)
    assert results[looping].status == "failed" and results[looping].timed_out
    assert results[looping].message == f"rendering took longer than {SHORT_LIMIT:g} s"
    built = {name: r.pid for name, r in results.items() if r.status == "built"}
    assert set(built) == {r.filename() for r in requests} - {looping}
    assert built[spin_name(GOOD)] != results[looping].pid, "a timed-out worker rendered"
    assert os.getpid() not in {r.pid for r in results.values()}


def test_one_job_gets_a_new_renderer_after_a_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, requests = timing_out_project(tmp_path)
    requests = [r for r in requests if r.leaflet == "spin"]
    made: list[Renderer] = []

    class Counted(Renderer):
        def __init__(self, project: Project, scratch: Path | None = None) -> None:
            super().__init__(project, scratch)
            made.append(self)

    monkeypatch.setattr(workers, "Renderer", Counted)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    results = list(workers.render_all(project, requests, 1, scratch, SHORT_LIMIT))
    assert [(r.status, r.timed_out) for r in results] == [("failed", True), ("built", False)]
    assert len(made) == 2, "the interrupted renderer was used again"


# --- 6. interrupted work loses nothing -------------------------------------------------------


# A kill can stop a command between any two steps. Instead of killing at moments
# chosen by a clock (which may miss the writing on a loaded machine), the command is
# stopped at each write in turn, while the data is written (os.fsync) and just before
# the file is renamed into place (os.replace): those are the moments a kill could
# leave a file half-written. tests/test_batch.py kills a whole batch for real.


class Interrupted(BaseException):
    """Stands for a kill: no ``except Exception`` catches it, nothing after it runs."""


MOMENTS = {"while-writing": "fsync", "before-renaming": "replace"}


class InterruptAt:
    """A stand-in for os.fsync or os.replace that stops the command at its Nth call."""

    def __init__(self, function: str, nth: int) -> None:
        self.real = getattr(os, function)
        self.nth = nth
        self.calls = 0

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        if self.calls == self.nth:
            raise Interrupted
        return self.real(*args, **kwargs)


def run_interrupted(
    monkeypatch: pytest.MonkeyPatch, root: Path, moment: str, nth: int, *args: str
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(files.os, MOMENTS[moment], InterruptAt(MOMENTS[moment], nth))
        with pytest.raises(Interrupted):
            CliRunner().invoke(main, ["--project", str(root), *args])


VISIT_TEMPLATE = "templates/leaflets/visit/leaflet.html.j2"
VISIT_OLD = "Write down your questions and bring a list of your medicines."
VISIT_NEW = "Bring a list of your medicines and write down your questions."


def change_english(root: Path) -> None:
    """A changed English sentence in the fixture project's leaflet."""
    text = read(root, VISIT_TEMPLATE)
    assert text.count(VISIT_OLD) == 1
    write(root, VISIT_TEMPLATE, text.replace(VISIT_OLD, VISIT_NEW))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


@pytest.mark.parametrize("moment", MOMENTS)
def test_interrupted_update_leaves_each_catalog_old_or_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    root = copy_fixture(tmp_path)
    change_english(root)
    assert cli(root, "extract").exit_code == 0
    catalogs = sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))
    assert len(catalogs) >= 2
    old = {p: p.read_bytes() for p in catalogs}
    assert cli(root, "update").exit_code == 0
    new = {p: p.read_bytes() for p in catalogs}
    assert all(new[p] != old[p] for p in catalogs), "update changed nothing: a useless test"
    for nth in range(1, len(catalogs) + 1):
        for path, data in old.items():
            path.write_bytes(data)
        run_interrupted(monkeypatch, root, moment, nth, "update")
        states = []
        for path in catalogs:
            data = path.read_bytes()
            assert data in (old[path], new[path]), (
                f"{path.relative_to(root)} is neither old nor new after an interruption "
                f"{moment} catalog {nth}"
            )
            states.append(data == new[path])
        # The catalogs written before the interruption are new, the others old: the
        # interrupted one never reached its place. From the second on, a mix.
        assert sum(states) == nth - 1, (nth, states)
        assert leftovers(root / "locales") == []
    assert cli(root, "update", "--check").exit_code == 1  # the last run left some old
    assert cli(root, "update").exit_code == 0
    assert {p: p.read_bytes() for p in catalogs} == new


def undated(pot: bytes) -> bytes:
    """A .pot without its creation date: two runs a minute apart write different dates."""
    return re.sub(rb'^"POT-Creation-Date: [^"]*"\n', b"", pot, count=1, flags=re.M)


@pytest.mark.parametrize("moment", MOMENTS)
def test_interrupted_extract_leaves_the_pot_old_or_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    root = copy_fixture(tmp_path)
    pot = root / "locales/visit.pot"
    old = pot.read_bytes()
    change_english(root)
    run_interrupted(monkeypatch, root, moment, 1, "extract")
    assert pot.read_bytes() == old, f"the .pot changed although extract was stopped {moment}"
    assert leftovers(root / "locales") == []
    assert cli(root, "extract").exit_code == 0
    new = pot.read_bytes()
    assert undated(new) != undated(old) and VISIT_NEW.encode() in new


# --- 7. temporary files are removed, also after failures ------------------------------------


def pad_catalog(path: Path, count: int = 12) -> None:
    """Make a catalog's handout run over the page budget (a failure after rendering)."""
    po = polib.pofile(str(path))
    for entry in [e for e in po if e.msgstr and "%" not in e.msgid and len(e.msgid) > 40][:count]:
        entry.msgstr += " mot" * 250
    po.save(str(path))


def test_failed_batch_leaves_no_temporary_files(tmp_path: Path) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    (root / ES).write_bytes(data_bytes("truncated.po"))  # fails before rendering
    pad_catalog(root / FR)  # fails after rendering: over the page budget
    out = tmp_path / "out"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    cmd = [sys.executable, str(ROOT / "cli.py"), "--project", str(root), "batch"]
    cmd += ["--lang", "en,es,fr", "--variant", "percutaneous", "--jobs", "2", "--out", str(out)]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, env=subprocess_env(tmpdir), check=False
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    assert re.search(rf"^failed: {re.escape(pdf_name('fr'))}: .*over the page budget", output, re.M)
    assert f"failed: {pdf_name('es')}: {ES}:19: string not terminated" in output
    assert sorted(p.name for p in out.glob("*.pdf")) == [pdf_name("en")]
    assert_no_leftovers(out)
    assert sorted(os.listdir(tmpdir)) == [], "temporary files left in TMPDIR"


def test_failed_build_leaves_no_temporary_files(tmp_path: Path) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    insert_after(root, TEMPLATE, TITLE_ANCHOR, '<img src="file:///etc/hostname">')
    out = tmp_path / "out"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    cmd = [sys.executable, str(ROOT / "cli.py"), "--project", str(root), *BUILD, "--out", str(out)]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, env=subprocess_env(tmpdir), check=False
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.startswith(f"Error: {TEMPLATE}:9: refused to fetch"), proc.stderr
    assert not list(out.glob("*.pdf"))
    assert_no_leftovers(out)
    assert sorted(os.listdir(tmpdir)) == [], "temporary files left in TMPDIR"


# --- 8. templates cannot run code or run away (issue 9) -------------------------------------
# The payloads are in tests/data/hostile/template-injections.toml. Each one would read the
# secret (through the audit hook's eyes) or run a command that creates a marker file.


@dataclass(frozen=True)
class Injection:
    id: str
    payload: str
    error: str
    runs_in_plain_jinja: bool


INJECTIONS = [
    Injection(a["id"], a["payload"], a["error"], a.get("runs_in_plain_jinja", False))
    for a in tomllib.loads((DATA / "template-injections.toml").read_text(encoding="utf-8"))[
        "attack"
    ]
]


def armed(injection: Injection, secret: Secret, marker: Path) -> str:
    return injection.payload.replace("<secret>", str(secret.path)).replace("<marker>", str(marker))


# The payloads leave the secret file open, as attackers' code does.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    "injection", [pytest.param(i, id=i.id) for i in INJECTIONS if i.runs_in_plain_jinja]
)
def test_injection_runs_in_a_plain_jinja_environment(
    tmp_path: Path, secret: Secret, injection: Injection
) -> None:
    """The control: without the sandbox these payloads do run, so the test below would
    see it if the sandbox let them through."""
    marker = tmp_path / "ran"
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    gc.freeze()  # the session's objects: the collection below walks only the payload's
    try:
        output = env.from_string(armed(injection, secret, marker)).render()
    finally:
        gc.collect()  # the payload's open file warns here, not in a later test
        gc.unfreeze()
    assert marker.exists() or secret.token in output, output[:200]


@pytest.mark.parametrize("injection", [pytest.param(i, id=i.id) for i in INJECTIONS])
def test_template_cannot_run_code(tmp_path: Path, secret: Secret, injection: Injection) -> None:
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    marker = tmp_path / "ran"
    line = insert_after(root, TEMPLATE, TITLE_ANCHOR, armed(injection, secret, marker))
    out = tmp_path / "out"
    result = cli(root, *BUILD, "--out", str(out))
    assert not marker.exists(), "the template ran a command"
    assert_nothing_leaked(secret, None, out, result.output)
    message = assert_fails_cleanly(result, out, at(TEMPLATE, line), injection.error)
    assert (result.stdout, result.stderr) == ("", message + "\n")
    assert str(tmp_path) not in message.replace(str(secret.path), "")


def test_poisoned_template_fails_only_its_handouts(tmp_path: Path, secret: Secret) -> None:
    """A batch of two leaflets, one of them with a payload in its template: its two
    handouts fail with the template's line, the other leaflet's are built, nothing runs."""
    root = copy_project(tmp_path, fonts=LATIN_FONTS)
    marker = tmp_path / "ran"
    snippet = tmp_path / "payload.j2"
    by_id = {i.id: i for i in INJECTIONS}
    snippet.write_text(armed(by_id["cycler-init-globals-os"], secret, marker), encoding="utf-8")
    add_leaflet(root, "poisoned", str(snippet))  # absolute: DATA / snippet is snippet
    out = tmp_path / "out"
    result = cli(root, "batch", "--lang", "en", "--jobs", "1", "--out", str(out))
    assert not marker.exists(), "the template ran a command"
    assert_nothing_leaked(secret, None, out, result.output)
    assert result.exit_code == 1, result.output
    failed = re.findall(r"^failed: (\S+): (.*)$", result.output, re.M)
    place = "templates/leaflets/poisoned/leaflet.html.j2:9: template refused: access to attribute"
    names = [f"{{}}_{v}_en_letter_clinic.pdf" for v in ("laparoscopic", "percutaneous")]
    assert sorted(name for name, _ in failed) == [n.format("poisoned") for n in names]
    assert all(message.startswith(place) for _, message in failed), failed
    assert sorted(p.name for p in out.glob("*.pdf")) == [n.format("cryoablation") for n in names]
    assert_no_leftovers(out)
