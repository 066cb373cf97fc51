"""Property-based tests (issue 6): a mutated catalog or template either builds correctly
or fails with a LeafletsError whose message names a file; never any other exception.

"Builds correctly" means: the HTML has exactly the tags of the unmutated handout (a
translation cannot add or remove markup) and its headings are the catalog's
translations of the English headings; for the few examples rendered to PDF, the PDF's
text has those headings. Most examples stop at the HTML (load_catalog + Renderer.html);
only a handful render PDFs.
"""

from __future__ import annotations

import html as html_lib
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from leaflets.catalog import TITLE_CONTEXT, LoadedCatalog, ReviewStatus, load_catalog
from leaflets.config import Leaflet, Project, load_project
from leaflets.errors import LeafletsError
from leaflets.render import BuildRequest, Renderer, resolve

from .conftest import ROOT, copy_project, pdf_text

ES = "locales/es/LC_MESSAGES/cryoablation.po"
TEMPLATE = "templates/leaflets/cryoablation/leaflet.html.j2"
ES_BYTES = (ROOT / ES).read_bytes()
TEMPLATE_TEXT = (ROOT / TEMPLATE).read_text(encoding="utf-8")
REQUEST = BuildRequest("cryoablation", "percutaneous", "es", "letter")
EN_REQUEST = BuildRequest("cryoablation", "percutaneous", "en", "letter")

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])

pytestmark = pytest.mark.hostile


# --- reading the HTML -----------------------------------------------------------------------


class Outline(HTMLParser):
    """The tags of a document (names and attribute names) and the text of its headings.

    The software's own markup around a placeholder's value (a phone number's span) is
    left out: a translation may use a placeholder twice, and the value is not its text.
    """

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.headings: list[str] = []
        self._heading: list[str] | None = None
        self._spans: list[bool] = []  # for each open <span>: is it a value's?
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span":
            self._spans.append(("class", "phone-number") in attrs)
            if self._spans[-1]:
                return
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))
        if tag in ("h1", "h2"):
            self._heading = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((f"{tag}/", tuple(sorted(name for name, _ in attrs))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._spans and self._spans.pop():
            return
        self.tags.append((f"/{tag}", ()))
        if tag in ("h1", "h2") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)

    def handle_comment(self, data: str) -> None:
        self.tags.append(("<!--", ()))


# --- the sandbox: one project copy and one renderer for the whole module ---------------------


@dataclass
class Sandbox:
    root: Path
    project: Project
    leaflet: Leaflet
    renderer: Renderer
    english_headings: list[str]  # h1 and h2 texts of the English handout, in order
    stamp: int = 1_600_000_000

    def write(self, rel: str, data: bytes) -> None:
        """Write a file with a modification time of its own: the catalog cache and Jinja's
        template cache both notice a change by its time."""
        path = self.root / rel
        path.write_bytes(data)
        self.stamp += 1
        os.utime(path, ns=(self.stamp * 10**9, self.stamp * 10**9))

    def reset(self) -> None:
        self.write(ES, ES_BYTES)
        self.write(TEMPLATE, TEMPLATE_TEXT.encode("utf-8"))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    root = copy_project(tmp_path_factory.mktemp("properties"))
    project = load_project(root)
    renderer = Renderer(project)
    leaflet = project.leaflet("cryoablation")
    english = renderer.html(resolve(project, EN_REQUEST), load_catalog(project, leaflet, "en"))
    box = Sandbox(root, project, leaflet, renderer, Outline(english).headings)
    box.reset()
    yield box
    renderer.close()


_TAGS: dict[ReviewStatus, list[tuple[str, tuple[str, ...]]]] = {}


def expected_tags(box: Sandbox, review: ReviewStatus) -> list[tuple[str, tuple[str, ...]]]:
    """The tags of the handout rendered from the shipped catalog (with the same review
    status: a reviewed handout has no draft banner)."""
    if review not in _TAGS:
        box.write(ES, ES_BYTES)
        shipped = load_catalog(box.project, box.leaflet, "es")
        html = box.renderer.html(resolve(box.project, REQUEST), replace(shipped, review=review))
        _TAGS[review] = Outline(html).tags
    return _TAGS[review]


def expected_headings(box: Sandbox, catalog: LoadedCatalog) -> list[str]:
    tr = catalog.translations
    title, *headings = box.english_headings
    # The title is a plain value (escaped). Headings are messages: markup, whose entities
    # the parser reads, and always %-formatted by Jinja's newstyle gettext (%% is %).
    texts = [tr.pgettext(TITLE_CONTEXT, title)]
    texts += [html_lib.unescape(tr.gettext(h) % {}) for h in headings]
    return [" ".join(t.split()) for t in texts]


def note(what: str) -> None:
    """Count outcomes for --hypothesis-show-statistics: how many examples built."""
    if currently_in_test_context():
        event(what)


def assert_clean(error: LeafletsError, *files: str) -> None:
    """A LeafletsError whose message starts with one of ``files`` (the one at fault)."""
    text = str(error)
    assert text.startswith(files), f"{type(error).__name__} names no file of {files}: {text}"
    assert "Traceback" not in text


def check_catalog(box: Sandbox, data: bytes, *, full: bool = False) -> None:
    """The property for one catalog's bytes: a clean error, or a correct handout."""
    box.write(ES, data)
    try:
        catalog = load_catalog(box.project, box.leaflet, "es")
    except LeafletsError as exc:
        assert_clean(exc, ES)
        note(f"catalog refused: {getattr(exc, 'message', '')[:24]}")
        return
    resolved = resolve(box.project, REQUEST)
    try:
        html = box.renderer.html(resolved, catalog)
    except LeafletsError as exc:
        assert_clean(exc, ES)  # the template is unchanged: only the catalog can be at fault
        return
    outline = Outline(html)
    assert outline.tags == expected_tags(box, catalog.review), "a translation changed the markup"
    headings = expected_headings(box, catalog)
    assert outline.headings == headings
    note("correct HTML")
    if not full:
        return
    box.write(ES, data)  # expected_tags() may have put the shipped catalog back
    try:
        result = box.renderer.render(REQUEST)
    except LeafletsError as exc:
        assert_clean(exc, ES)
        return
    text = pdf_text(result.pdf)
    for heading in headings:
        assert heading in text, f"heading {heading!r} is not in the PDF"


# --- catalogs: byte mutations of the shipped Spanish catalog -----------------------------------

TOKENS = [
    b'"',
    b"\\",
    b"\n",
    b"<",
    b">",
    b"</",
    b"<b>",
    b"&",
    b"&amp;",
    b"%",
    b"%(",
    b")s",
    b"%(phone)s",
    b"{",
    b"}",
    b"#",
    b"#, fuzzy\n",
    b"msgid ",
    b'msgstr ""\n',
    b"msgctxt ",
    b"\x00",
    b"\xe9",
    b"\xff",
    b"\r",
    b"\t",
    "\u202e".encode(),
    "\u2028".encode(),
    "\u00e9".encode(),
]
FRAGMENT = st.one_of(st.binary(min_size=1, max_size=6), st.sampled_from(TOKENS))
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "insert", "replace"]),
        st.integers(0, len(ES_BYTES)),
        FRAGMENT,
    ),
    min_size=1,
    max_size=4,
)


def mutate(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    buf = bytearray(data)
    for kind, pos, fragment in edits:
        pos = min(pos, len(buf))
        if kind == "delete":
            del buf[pos : pos + len(fragment)]
        elif kind == "insert":
            buf[pos:pos] = fragment
        else:
            buf[pos : pos + len(fragment)] = fragment
    return bytes(buf)


@FAST
@given(edits=EDITS)
def test_mutated_catalog_bytes(sandbox: Sandbox, edits: list[tuple[str, int, bytes]]) -> None:
    check_catalog(sandbox, mutate(ES_BYTES, edits))


@FEW
@given(edits=EDITS)
def test_mutated_catalog_bytes_full_render(
    sandbox: Sandbox, edits: list[tuple[str, int, bytes]]
) -> None:
    check_catalog(sandbox, mutate(ES_BYTES, edits), full=True)


# --- catalogs: random Unicode and random placeholders in msgstrs ----------------------------

SHIPPED = polib.pofile(ES_BYTES.decode("utf-8"))
LIVE = [i for i, e in enumerate(SHIPPED) if not e.obsolete and e.msgid and not e.msgid_plural]
FORMATTED = [i for i in LIVE if "python-format" in SHIPPED[i].flags]
PLACEHOLDERS = [
    "%(page)s",
    "%(pages)s",
    "%(phone)s",
    "%(min)s",
    "%(max)s",
    "%(temperature)s",
    "%(date)s",
    "%(nosuch)s",
    "%s",
    "%d",
    "%%",
    "%",
    "%(phone)r",
    "%(phone)",
    "%()s",
    "{phone}",
    "{{ phone }}",
    "{{ brand.name }}",
]


def with_msgstrs(changes: dict[int, str]) -> bytes:
    po = polib.pofile(ES_BYTES.decode("utf-8"))
    for index, msgstr in changes.items():
        po[index].msgstr = msgstr
    return (str(po) + "\n").encode("utf-8")


@FAST
@given(
    index=st.sampled_from(LIVE),
    text=st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
    where=st.sampled_from(["replace", "start", "end", "middle"]),
)
def test_random_unicode_in_a_msgstr(sandbox: Sandbox, index: int, text: str, where: str) -> None:
    old = SHIPPED[index].msgstr
    half = len(old) // 2
    new = {
        "replace": text,
        "start": text + old,
        "end": old + text,
        "middle": old[:half] + text + old[half:],
    }[where]
    check_catalog(sandbox, with_msgstrs({index: new}))


@FAST
@given(
    index=st.sampled_from(FORMATTED + LIVE[:10]),
    ops=st.lists(
        st.tuples(st.sampled_from(["add", "drop"]), st.sampled_from(PLACEHOLDERS), st.floats(0, 1)),
        min_size=1,
        max_size=3,
    ),
)
def test_random_placeholders_in_a_msgstr(
    sandbox: Sandbox, index: int, ops: list[tuple[str, str, float]]
) -> None:
    msgstr = SHIPPED[index].msgstr
    for op, placeholder, where in ops:
        if op == "drop":
            msgstr = msgstr.replace(placeholder, "", 1)
        else:
            cut = int(where * len(msgstr))
            msgstr = msgstr[:cut] + placeholder + msgstr[cut:]
    check_catalog(sandbox, with_msgstrs({index: msgstr}))


# --- templates: random deletions in the leaflet template ------------------------------------

CUTS = st.lists(
    st.tuples(st.integers(0, len(TEMPLATE_TEXT)), st.integers(1, 12)), min_size=1, max_size=3
)


def cut(text: str, cuts: list[tuple[int, int]]) -> str:
    for pos, length in cuts:
        text = text[:pos] + text[pos + length :]
    return text


def check_template(box: Sandbox, text: str, lang: str, *, full: bool = False) -> None:
    box.write(ES, ES_BYTES)
    box.write(TEMPLATE, text.encode("utf-8"))
    request = replace(EN_REQUEST, lang=lang)
    try:
        catalog = load_catalog(box.project, box.leaflet, lang)
        html = box.renderer.html(resolve(box.project, request), catalog)
    except LeafletsError as exc:
        assert_clean(exc, TEMPLATE)  # the only file changed
        note("template refused")
        return
    assert isinstance(html, str) and html
    note("template rendered")
    if not full:
        return
    try:
        result = box.renderer.render(request)
    except LeafletsError as exc:
        # A cut can drop a {% trans %}: the catalog then misses the new message.
        assert_clean(exc, TEMPLATE, ES)
        return
    assert result.pdf.startswith(b"%PDF-") and result.pages >= 1
    # The English headings that survived the cuts into the HTML are in the PDF.
    text = pdf_text(result.pdf)
    for heading in Outline(html).headings:
        if heading in box.english_headings:
            assert heading in text, f"heading {heading!r} is not in the PDF"


@FAST
@given(cuts=CUTS, lang=st.sampled_from(["en", "es"]))
def test_template_with_random_deletions(
    sandbox: Sandbox, cuts: list[tuple[int, int]], lang: str
) -> None:
    try:
        check_template(sandbox, cut(TEMPLATE_TEXT, cuts), lang)
    finally:
        sandbox.reset()


@FEW
@given(cuts=CUTS)
def test_template_with_random_deletions_full_render(
    sandbox: Sandbox, cuts: list[tuple[int, int]]
) -> None:
    try:
        check_template(sandbox, cut(TEMPLATE_TEXT, cuts), "en", full=True)
    finally:
        sandbox.reset()


def test_unmutated_sandbox_builds_with_the_expected_headings(sandbox: Sandbox) -> None:
    """The properties' reference point: the shipped catalog gives a correct handout."""
    sandbox.reset()
    check_catalog(sandbox, ES_BYTES, full=True)
    assert len(sandbox.english_headings) == 15
