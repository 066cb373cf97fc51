"""Translation QA: a corpus of catalogs with one planted defect each, GNU msgfmt as the
referee where it has an opinion, the shipped catalogs, and garbage that must not crash."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Collection
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaflets.checks import CODES, ERROR, WARNING, Problem, check_po_bytes, check_po_file

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "checks"
CLEAN = (DATA / "clean.po").read_bytes()

# A small font coverage: Basic Latin, Latin-1 and Latin Extended-A. Enough for Spanish.
LATIN = frozenset([*range(0x20, 0x7F), *range(0xA0, 0x180)])

# file -> (code, severity, line) of its one planted defect. The line is the msgid's line
# of the entry (30, not 29, for the entry with a msgctxt), the header's msgid "" line (3)
# for header problems, and the very line for syntax and encoding problems.
EXPECTED: dict[str, tuple[str, str, int]] = {
    "placeholder-missing": ("placeholder", ERROR, 23),
    "placeholder-added": ("placeholder", ERROR, 19),
    "placeholder-brace": ("placeholder", ERROR, 33),
    "markup-script": ("markup", ERROR, 26),
    "markup-broken": ("markup", ERROR, 26),
    "markup-attribute": ("markup", ERROR, 26),
    "markup-link": ("markup", ERROR, 26),
    "number-changed": ("number", ERROR, 23),
    "number-extra": ("number-extra", WARNING, 26),
    "bidi-override": ("bidi-control", ERROR, 33),
    "zero-width": ("bidi-control", ERROR, 30),
    "glyph-missing": ("glyph", ERROR, 23),
    "plural-count": ("plural-count", ERROR, 38),
    "plural-missing": ("plural-missing", ERROR, 38),
    "fuzzy": ("fuzzy", WARNING, 23),
    "untranslated": ("untranslated", WARNING, 33),
    "same-as-source": ("same-as-source", WARNING, 33),
    "too-long": ("too-long", WARNING, 30),
    "syntax-truncated": ("syntax", ERROR, 27),
    "syntax-quote": ("syntax", ERROR, 34),
    "binary": ("syntax", ERROR, 21),
    "invalid-utf8": ("encoding", ERROR, 27),
    "charset-latin1": ("charset", ERROR, 3),
    "charset-ascii": ("charset", ERROR, 3),
    "duplicate": ("duplicate", ERROR, 43),
    "wrong-language": ("language", ERROR, 3),
}
# The replacement character standing in for invalid-utf8's bad byte is no glyph problem.
NO_COVERAGE = {"invalid-utf8"}


def check(name: str) -> list[Problem]:
    coverage = None if name in NO_COVERAGE else LATIN
    return check_po_file(
        DATA / f"{name}.po", f"{name}.po", coverage=coverage, expected_language="es"
    )


def test_clean_catalog_has_no_problems() -> None:
    assert check("clean") == []


def test_every_corpus_file_has_an_expectation() -> None:
    files = {p.stem for p in DATA.glob("*.po")} - {"clean"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_planted_defect_is_found_and_nothing_else(name: str) -> None:
    code, severity, line = EXPECTED[name]
    problems = check(name)
    assert (code, severity, line) in [(p.code, p.severity, p.line) for p in problems], problems
    others = [p for p in problems if p.severity == ERROR and (p.code, p.line) != (code, line)]
    assert others == []


def test_problem_str_and_dict() -> None:
    [problem] = check("placeholder-missing")
    assert str(problem) == (
        "placeholder-missing.po:23: error placeholder: placeholder %(phone)s missing"
    )
    assert problem.msgid == "Call %(phone)s if your temperature is above 38.3 degrees."
    assert problem.as_dict() == {
        "path": "placeholder-missing.po",
        "line": 23,
        "severity": "error",
        "code": "placeholder",
        "message": "placeholder %(phone)s missing",
        "msgid": problem.msgid,
    }
    assert str(Problem("a.po", None, ERROR, "io", "cannot read")) == "a.po: error io: cannot read"


def test_shown_path_defaults_to_the_path() -> None:
    path = DATA / "fuzzy.po"
    assert [p.path for p in check_po_file(path)] == [str(path)]


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    [problem] = check_po_file(tmp_path / "nope.po", "nope.po")
    assert (problem.code, problem.severity, problem.line) == ("io", ERROR, None)
    assert str(problem).startswith("nope.po: error io: cannot read catalog")


# --- GNU gettext as referee ---------------------------------------------------------------

MSGFMT = shutil.which("msgfmt")


def msgfmt_accepts(path: Path) -> bool:
    assert MSGFMT is not None
    proc = subprocess.run([MSGFMT, "-c", "-o", "/dev/null", str(path)], capture_output=True)
    return proc.returncode == 0


@pytest.mark.skipif(MSGFMT is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize(
    "name",
    ["syntax-truncated", "syntax-quote", "binary", "duplicate", "invalid-utf8", "charset-ascii"],
)
def test_msgfmt_also_refuses(name: str) -> None:
    assert not msgfmt_accepts(DATA / f"{name}.po")


@pytest.mark.skipif(MSGFMT is None, reason="GNU gettext's msgfmt is not installed")
def test_msgfmt_accepts_clean() -> None:
    assert msgfmt_accepts(DATA / "clean.po")


@pytest.mark.skipif(MSGFMT is None, reason="GNU gettext's msgfmt is not installed")
def test_latin1_is_our_rule_not_gnus() -> None:
    # GNU gettext reads any declared charset; we require UTF-8 because the loader and
    # every tool in the pipeline read catalogs as UTF-8. So here the referee disagrees.
    assert msgfmt_accepts(DATA / "charset-latin1.po")


# --- the shipped catalogs -----------------------------------------------------------------

SHIPPED = sorted(ROOT.glob("locales/*/LC_MESSAGES/*.po"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.parent.parent.name for p in SHIPPED])
def test_shipped_catalog_has_no_errors(path: Path) -> None:
    language = path.parent.parent.name
    problems = check_po_file(path, str(path.relative_to(ROOT)), expected_language=language)
    errors = [str(p) for p in problems if p.severity == ERROR and p.code != "glyph"]
    assert errors == []


# --- rules in detail ----------------------------------------------------------------------

HEADER = (
    'msgid ""\nmsgstr ""\n'
    '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Language: {language}\\n"\n'
    '"Plural-Forms: nplurals={nplurals}; plural={plural};\\n"\n'
)


def catalog(body: str, language: str = "es", nplurals: int = 2, plural: str = "(n != 1)") -> bytes:
    head = HEADER.format(language=language, nplurals=nplurals, plural=plural)
    return (head + "\n" + body).encode("utf-8")


def entry(msgid: str, msgstr: str) -> bytes:
    esc = [s.replace("\\", "\\\\").replace('"', '\\"') for s in (msgid, msgstr)]
    return catalog(f'msgid "{esc[0]}"\nmsgstr "{esc[1]}"\n')


def codes(
    data: bytes, coverage: Collection[int] | None = None, expected_language: str | None = None
) -> list[tuple[str, int | None]]:
    problems = check_po_bytes(data, "t.po", coverage=coverage, expected_language=expected_language)
    return [(p.code, p.line) for p in problems]


def errors(msgid: str, msgstr: str) -> list[str]:
    return [p.code for p in check_po_bytes(entry(msgid, msgstr), "t.po") if p.severity == ERROR]


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("Above 38.3 degrees.", "Au-dessus de 38,3 degrés."),
        ("Above 38.3 degrees.", "فوق ٣٨٫٣ درجة."),
        ("Above 38.3 degrees.", "३८.३ डिग्री से ऊपर।"),
        ("Take 1,000 mg.", "Prenez 1 000 mg."),
        ("Take 1,000 mg.", "Prenez 1\u202f000 mg."),
        ("Take 1,000 mg.", "Tome 1.000 mg."),
        ("Take 100,000 mg.", "100,000 मि.ग्रा. लें।"),
        ("Take 100,000 mg.", "1,00,000 मि.ग्रा. लें।"),
        ("Call 911, 24 hours a day.", "Appelez le 911, 24 heures sur 24."),
        ("Wait %(hours2)s hours.", "Attendez %(hours2)s heures."),
    ],
)
def test_numbers_in_any_locale_format_match(msgid: str, msgstr: str) -> None:
    assert errors(msgid, msgstr) == []


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("Above 38.4 degrees.", "Au-dessus de 39,4 degrés."),
        ("Above 38.3 degrees.", "Au-dessus de 383 degrés."),
        ("Take 1 tablet.", "Prenez 1,000 comprimé."),
        ("Take 2 tablets.", "Prenez deux comprimés."),
    ],
)
def test_changed_numbers_are_errors(msgid: str, msgstr: str) -> None:
    assert errors(msgid, msgstr) == ["number"]


def test_percent_sign_must_be_doubled() -> None:
    # Jinja2's newstyle gettext %-formats every message: "% d" is a directive.
    assert errors("Rest for 50%% of the day.", "Reposez-vous 50 %% de la journée.") == []
    assert errors("Rest for 50%% of the day.", "Reposez-vous 50 % de la journée.") == [
        "placeholder"
    ]
    assert errors("Rest for 50%% of the day.", "Reposez-vous 50 %") == ["placeholder"]


def test_markup_order_may_differ_but_not_the_tags() -> None:
    assert errors("A <b>b</b> <i>c</i>", "<i>c</i> A <b>b</b>") == []
    assert errors('<a href="x" title="t">a</a>', "<a title='t' href='x'>a</a>") == []
    assert errors('<a href="x">a</a>', '<a href="y">a</a>') == ["markup"]
    assert errors("A <b>b</b> <i>c</i>", "A <i>c <b>b</i></b>") == ["markup"]
    assert errors("A <b>b</b>", "A <b>b</b><!-- hidden -->") == ["markup"]
    assert errors("A <b>b</b>", '<b onclick="x()">A</b>') == ["markup"]
    assert errors("A <b>b</b>", "A <b>b</b> <![bogus[ x") == ["markup"]  # html.parser asserts


def test_hostile_markup_is_refused_without_html_parser() -> None:
    # html.parser is quadratic on "<" without ">": this took 85 s before the guard.
    assert errors("A <b>b</b> %(x)s {{ y }}", "<a " * 20000 + "%(" * 20000 + "{{" * 20000) == [
        "placeholder",
        "markup",
    ]


RUSSIAN = "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"


def plural(forms: list[str], nplurals: int, rule: str) -> list[tuple[str, int | None]]:
    body = '#, python-format\nmsgid "One probe for %(name)s."\n'
    body += 'msgid_plural "%(count)d probes for %(name)s."\n'
    body += "".join(f'msgstr[{n}] "{form}"\n' for n, form in enumerate(forms))
    return codes(catalog(body, nplurals=nplurals, plural=rule))


def test_plural_forms_against_both_english_forms() -> None:
    # Spanish form 0 is only for n == 1: it may spell the count out.
    assert plural(["Una sonda para %(name)s.", "%(count)d sondas para %(name)s."], 2, "n!=1") == []
    # Russian form 0 is for 1, 21, 31...: it needs the count the English singular lacks.
    russian = ["%(count)d зонд для %(name)s.", "%(count)d зонда для %(name)s."]
    assert plural([*russian, "%(count)d зондов для %(name)s."], 3, RUSSIAN) == []
    # Chinese has one form for every n.
    assert plural(["%(count)d 个探针用于 %(name)s。"], 1, "0") == []
    # The count may be dropped from a form, not from all of them.
    assert plural(["Una sonda para %(name)s.", "Sondas para %(name)s."], 2, "n!=1") == [
        ("placeholder", 8)
    ]
    # What both English forms have, every form keeps.
    assert plural(["Una sonda.", "%(count)d sondas para %(name)s."], 2, "n!=1") == [
        ("placeholder", 8)
    ]
    # Nothing neither English form has (and here the count is gone from every form too).
    assert plural(["Una sonda para %(name)s.", "%(n)d sondas para %(name)s."], 2, "n!=1") == [
        ("placeholder", 8),
        ("placeholder", 8),
    ]


@pytest.mark.parametrize(
    ("nplurals", "rule"),
    [(2, "( != 1)"), (2, "n%0"), (2, "n ? 2 : 0"), (0, "0"), (2, "__import__('os')")],
)
def test_broken_plural_forms_header(nplurals: int, rule: str) -> None:
    # msgfmt refuses all of these; gettext.c2py parses them without eval'ing anything.
    assert codes(catalog('msgid "a"\nmsgstr "b"\n', nplurals=nplurals, plural=rule)) == [
        ("plural-count", 1)
    ]


def test_obsolete_and_fuzzy_entries() -> None:
    obsolete = catalog('#~ msgid "Call %(phone)s."\n#~ msgstr "Llame."\n')
    assert codes(obsolete) == []
    fuzzy = catalog('#, fuzzy\nmsgid "Call %(phone)s."\nmsgstr "Llame."\n')
    assert codes(fuzzy) == [("fuzzy", 8)]


def test_context_makes_a_different_message() -> None:
    body = 'msgid "Name"\nmsgstr "Nombre"\n\nmsgctxt "form"\nmsgid "Name"\nmsgstr "Nombre"\n'
    assert codes(catalog(body)) == []
    assert codes(catalog(body + '\nmsgctxt "form"\nmsgid "Name"\nmsgstr "Nombre"\n')) == [
        ("duplicate", 15)
    ]


def test_language_codes_are_compared_loosely() -> None:
    data = catalog('msgid "Name"\nmsgstr "名称"\n', language="zh-Hans", nplurals=1, plural="0")
    assert codes(data, expected_language="zh_Hans") == []
    assert codes(data, expected_language="zh_Hant") == [("language", 1)]
    assert codes(data.replace(b'"Language: zh-Hans\\n"\n', b""), expected_language="zh_Hans") == [
        ("language", 1)
    ]


def test_glyphs_of_visible_text_only() -> None:
    data = entry("<b>Hello</b> %(name)s", "<b>Hola</b>\u00a0%(name)s\u200d")
    hola = {ord(c) for c in "Hola"}
    assert codes(data, coverage=hola) == [("bidi-control", 7)]  # ZWJ: no glyph needed
    [problem] = check_po_bytes(entry("Hello", "¡Hola, señoría!"), "t.po", coverage=hola)
    assert problem.code == "glyph"
    assert "U+00A1 INVERTED EXCLAMATION MARK" in problem.message
    assert problem.message.endswith("and 3 more")  # ¡ , s e ñ r í !: at most 5 listed


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('msgid "a"\nmsgstr "b\u2028c"\n', 8),  # polib would split the line there
        ('msgid "a"\nmsgstr "b\\qc"\n', 8),  # msgfmt: invalid control sequence
        ('msgid "a"\nmsgstr "b"\nmsgid "c"\n', 9),  # ends before its msgstr
        ('msgid "a"\nmsgstr "b"\nmsgid "c"\nmsgid "d"\nmsgstr ""\n', 10),  # polib's own error
        ('msgid "a"\nmsgstr "b"\nwhat is this\n', 9),
    ],
)
def test_syntax_errors_name_their_line(body: str, line: int) -> None:
    assert codes(catalog(body)) == [("syntax", line)]


def test_encoding_error_names_the_line_of_the_first_bad_byte() -> None:
    data = entry("Hello", "Hola") + b'\nmsgid "Bye"\nmsgstr "Adi\xf3s"\n'
    assert codes(data) == [("encoding", 11)]


def test_problems_are_sorted_by_line() -> None:
    body = (
        'msgid "One"\nmsgstr ""\n\n'
        'msgid "Call %(phone)s."\nmsgstr "Llame."\n\n'
        'msgid "Two"\nmsgstr "Two"\n'
    )
    data = catalog(body).replace(b"UTF-8", b"latin1")
    expected = [("charset", 1), ("untranslated", 7), ("placeholder", 10), ("same-as-source", 13)]
    assert codes(data) == expected


# --- garbage in, a list of Problems out ---------------------------------------------------

SNIPPETS = [b'"', b"\\", b"\n", b"<", b"%", b"{{", b"#~ ", b"msgid ", b"msgstr[", b"\xff"]
SNIPPETS += [b"\x00", "\u2028".encode(), "\u202e".encode(), b"#, fuzzy\n", b"msgctxt "]


def assert_problems(problems: object) -> None:
    assert isinstance(problems, list)
    assert all(isinstance(p, Problem) for p in problems)
    assert all(p.code in CODES and p.severity in (ERROR, WARNING) for p in problems)
    lines = [p.line or 0 for p in problems]
    assert lines == sorted(lines)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(CLEAN)),
            st.integers(0, 5),
            st.one_of(st.binary(max_size=3), st.sampled_from(SNIPPETS)),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_never_raises_on_mutated_catalogs(edits: list[tuple[int, int, bytes]]) -> None:
    data = bytearray(CLEAN)
    for position, deleted, inserted in edits:
        data[position : position + deleted] = inserted
    assert_problems(check_po_bytes(bytes(data), "m.po", coverage=LATIN, expected_language="es"))


@settings(max_examples=100, deadline=None, database=None)
@given(st.one_of(st.binary(), st.text().map(lambda t: t.encode("utf-8"))))
def test_never_raises_on_garbage(data: bytes) -> None:
    assert_problems(check_po_bytes(data, "g.po", coverage=LATIN, expected_language="es"))


def test_joiners_are_spelling_between_arabic_or_indic_letters_only() -> None:
    """ZWNJ/ZWJ inside Hindi or Persian words is ordinary spelling; in Latin text it
    only hides something."""
    header = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: hi\\n"\n\n'
    )
    hindi = header + 'msgid "Risks"\nmsgstr "क्\u200dष जोखिम"\n'
    assert check_po_bytes(hindi.encode(), "hi.po") == []
    persian = header + 'msgid "Risks"\nmsgstr "می\u200cخواهم"\n'
    assert check_po_bytes(persian.encode(), "fa.po") == []
    latin = header + 'msgid "Risks"\nmsgstr "Ries\u200dgos"\n'
    codes = [p.code for p in check_po_bytes(latin.encode(), "es.po")]
    assert codes == ["bidi-control"]
