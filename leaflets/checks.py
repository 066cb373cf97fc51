"""Translation QA: every problem of one gettext catalog, each naming its file and line.

Pure functions: bytes in, a list of :class:`Problem` sorted by line out. Nothing here
prints, exits or raises for a bad catalog, so the CLI, the batch builder and the tests
each decide for themselves what an error means to them.

The loader (``catalog.load_catalog``) already refuses some defects, but it stops at the
first one, and a translator fixing a catalog wants all of them with the lines to go to.
Worse, several defects load and render without any complaint: a changed temperature, a
lost phone-number placeholder, an invisible right-to-left override. Only a check finds
those before a patient does.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence, Set
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar

import polib

ERROR = "error"
WARNING = "warning"

#: Every code a check can report, with what it means (for ``--help`` texts and docs).
CODES: dict[str, str] = {
    "io": "the catalog file cannot be read",
    "syntax": "the catalog cannot be parsed",
    "encoding": "the catalog is not valid UTF-8",
    "charset": "the header does not declare charset=UTF-8",
    "duplicate": "the same msgctxt and msgid twice",
    "language": "the header's Language is not the catalog's language",
    "placeholder": "placeholders differ between msgid and msgstr",
    "markup": "msgstr markup is broken or differs from the msgid's",
    "number": "a number of the msgid is missing from the msgstr",
    "number-extra": "the msgstr has a number the msgid does not have (warning)",
    "bidi-control": "the msgstr has an invisible or bidi control character",
    "glyph": "the msgstr has a character the language's fonts cannot draw",
    "plural-count": "the number of plural forms differs from the header's nplurals",
    "plural-missing": "some plural forms are translated, others are empty",
    "fuzzy": "a fuzzy entry, never rendered (warning)",
    "untranslated": "an empty msgstr (warning)",
    "same-as-source": "the msgstr is the English text (warning)",
    "too-long": "the msgstr is more than three times as long as the msgid (warning)",
    # From the review ledger beside the catalog (leaflets.review).
    "review-claim": "an X-Review-* header claims more than the review ledger shows",
    "review-changed": "a message changed since a reviewer sealed it",
    "review-ledger": "the review ledger cannot be read",
}


@dataclass(frozen=True)
class Problem:
    """One finding. ``path`` is the path as the caller wants it shown; ``line`` is the
    entry's msgid line (or where the file breaks), None for the file as a whole."""

    path: str
    line: int | None
    severity: str
    code: str
    message: str
    msgid: str | None = None

    def __str__(self) -> str:
        place = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{place}: {self.severity} {self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "msgid": self.msgid,
        }


def check_po_file(
    path: Path,
    shown: str | None = None,
    *,
    coverage: Collection[int] | None = None,
    expected_language: str | None = None,
) -> list[Problem]:
    """All problems of the catalog at ``path``; ``shown`` is the path to print."""
    where = str(path) if shown is None else shown
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return [Problem(where, None, ERROR, "io", f"cannot read catalog: {reason}")]
    return check_po_bytes(data, where, coverage=coverage, expected_language=expected_language)


def check_po_bytes(
    data: bytes,
    shown: str,
    *,
    coverage: Collection[int] | None = None,
    expected_language: str | None = None,
) -> list[Problem]:
    """All problems of one catalog given as bytes. Never raises for bad input: an
    unparsable catalog is reported as a Problem (code "syntax"), not an exception.

    ``coverage`` is the set of code points the language's fonts can draw (None skips
    the glyph check); ``expected_language`` is the language code the catalog must
    declare, e.g. "es" or "zh_Hans" (None skips the language check).
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        # Text catalogs never hold NUL; in a compiled .mo it separates plural forms,
        # so even msgfmt, which lets it through inside a string, corrupts the message.
        line = data.count(b"\n", 0, nul) + 1
        return [Problem(shown, line, ERROR, "syntax", "NUL byte: binary data, not a catalog")]

    text, encoding_problem = _decode(data, shown)
    parsed = _parse(text, shown)
    if isinstance(parsed, Problem):
        return _sorted([p for p in (encoding_problem, parsed) if p is not None])
    po, lines = parsed
    header = _Header.read(po, lines)

    problems: list[Problem] = []
    charset = header.charset()
    if charset is not None and encoding_problem is not None:
        # A Latin-1 catalog that says so is one mistake, not one per accented letter:
        # if the declared charset explains the bytes, the charset problem says it all.
        redecoded = _decode_as(data, charset)
        reparsed = _parse(redecoded, shown) if redecoded is not None else None
        if reparsed is not None and not isinstance(reparsed, Problem):
            po, lines = reparsed
            header = _Header.read(po, lines)
            encoding_problem = None
    if encoding_problem is not None:
        problems.append(encoding_problem)

    entries = _entries(po, lines)
    problems += _header_problems(header, entries, shown, expected_language)
    problems += _duplicates(entries, shown)
    cover = _as_set(coverage)
    for entry in entries:
        problems += _entry_problems(entry, header.nplurals, shown, cover)
    return _sorted(problems)


# --- reading ------------------------------------------------------------------------------


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    # Problems without a line concern the whole file: they come first.
    return sorted(problems, key=lambda p: (p.line is not None, p.line or 0))


def _decode(data: bytes, shown: str) -> tuple[str, Problem | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        message = f"not valid UTF-8 (byte 0x{byte:02X}); save the catalog as UTF-8"
        # Go on with replacement characters: the other problems are still worth knowing.
        return data.decode("utf-8", "replace"), Problem(shown, line, ERROR, "encoding", message)


def _decode_as(data: bytes, charset: str) -> str | None:
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


# str.splitlines(), which polib uses, also breaks lines at these; GNU gettext only at
# "\n". A catalog holding one would be read differently by us and by every other tool.
_FOREIGN_LINE_BREAK = re.compile("\r(?!\n)|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_KEYWORD = re.compile(r"(?:msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)(?=[\s\"])")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
# The escapes GNU msgfmt accepts; any other backslash is a fatal error for it.
_ESCAPE = re.compile(r"\\(?:[ntbrfva\\\"]|[0-7]{1,3}|x[0-9A-Fa-f]+)|\\(.?)")
_POLIB_LINE = re.compile(r"line (\d+)\)")


def _lex(lines: Sequence[str], shown: str) -> Problem | None:
    """The first malformed string or stray text, which polib would partly accept.

    polib takes a string's content as "everything between the first and the last
    character", so a truncated ``msgstr "Llame a`` silently loses its last letter and
    bad escapes pass through raw. This is not a parser: it only looks at each line's
    quoting, and leaves the structure (what may follow what) to polib.
    """
    last_keyword = ""
    last_line = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if number == 1:
            line = line.lstrip("\ufeff").strip()
        if line.startswith("#~") and not line.startswith("#~|"):
            line = line[2:].strip()
            obsolete = True
        else:
            obsolete = False
        if not line or line.startswith("#"):
            continue
        keyword = _KEYWORD.match(line)
        if keyword is not None:
            rest = line[keyword.end() :].lstrip()
            if not obsolete:
                last_keyword, last_line = keyword.group(), number
        elif line.startswith('"'):
            rest = line
            if not obsolete:
                last_line = number
        else:
            return Problem(shown, number, ERROR, "syntax", "not a keyword, string or comment")
        fault = _string_fault(rest)
        if fault is not None:
            return Problem(shown, number, ERROR, "syntax", fault)
    if last_keyword in ("msgctxt", "msgid", "msgid_plural"):
        return Problem(shown, last_line, ERROR, "syntax", "the file ends before the msgstr")
    return None


def _string_fault(rest: str) -> str | None:
    if not rest.startswith('"'):
        return "a keyword must be followed by a quoted string"
    match = _STRING.match(rest)
    if match is None:
        return "string not terminated (no closing quote)"
    if match.end() != len(rest):
        return 'text after the closing quote (an unescaped " inside the string?)'
    for escape in _ESCAPE.finditer(match.group()):
        if escape.group(1) is not None:
            return f"invalid escape sequence \\{escape.group(1)} in string"
        if escape.group()[1] not in 'ntr\\"':
            # GNU tools (msgfmt, Poedit, Weblate) decode \342\200\256 or \a to a
            # character; polib keeps the backslash. A translation would then mean one
            # thing to the translator's tools and another on the page: write the
            # character itself.
            return (
                f"escape sequence {escape.group()} in string: write the character itself "
                "(other tools and this one would read it differently)"
            )
    return None


def _parse(text: str, shown: str) -> tuple[polib.POFile, list[str]] | Problem:
    lines = text.split("\n")
    odd = _FOREIGN_LINE_BREAK.search(text)
    if odd is not None:
        line = text.count("\n", 0, odd.start()) + 1
        name = _char_name(odd.group())
        return Problem(shown, line, ERROR, "syntax", f"{name} is read as a line break by polib")
    fault = _lex(lines, shown)
    if fault is not None:
        return fault
    # polib.pofile() takes a string that names an existing file for a path; a catalog's
    # text always ends with a newline, which no sane file name in the working folder has.
    if not text.endswith("\n"):
        text += "\n"
    try:
        po = polib.pofile(text, encoding="utf-8")
    except Exception as exc:  # untrusted input into a third-party parser: never raise
        message = str(exc)
        match = _POLIB_LINE.search(message)
        # polib's own messages are bare ("Syntax error in po file (line 12)"); what it
        # still finds after _lex is a keyword out of order.
        detail = message.split("): ", 1)[1] if "): " in message else "keyword out of place"
        where = int(match.group(1)) if match else None
        hint = " (an entry is [msgctxt] msgid [msgid_plural] msgstr)"
        return Problem(shown, where, ERROR, "syntax", f"cannot parse catalog: {detail}{hint}")
    return po, lines


@dataclass(frozen=True)
class _Entry:
    line: int  # of the msgid, where editors and msgfmt point
    msgctxt: str | None
    msgid: str
    msgid_plural: str
    msgstr: str
    plural_forms: dict[int, str]
    fuzzy: bool

    def forms(self) -> list[tuple[str, str, str]]:
        """(label, msgstr, English source) for each form, in order of index."""
        if not self.msgid_plural:
            return [("msgstr", self.msgstr, self.msgid)]
        return [
            (f"msgstr[{n}]", self.plural_forms[n], self.msgid if n == 0 else self.msgid_plural)
            for n in sorted(self.plural_forms)
        ]

    def sources(self) -> list[str]:
        return [self.msgid, self.msgid_plural] if self.msgid_plural else [self.msgid]


def _msgid_lines(lines: Sequence[str]) -> list[int]:
    found = []
    for number, raw in enumerate(lines, 1):
        words = raw.strip().lstrip("\ufeff").split(None, 1)
        if words and words[0] == "msgid":
            found.append(number)
    return found


def _entries(po: polib.POFile, lines: Sequence[str]) -> list[_Entry]:
    """The live entries, typed, each with the line of its msgid.

    polib's ``linenum`` is the first line of an entry, usually a comment; the msgid
    line is the first one after it.
    """
    msgid_lines = _msgid_lines(lines)
    entries = []
    for entry in po:
        if entry.obsolete:
            continue
        index = bisect_left(msgid_lines, int(entry.linenum or 0))
        line = msgid_lines[index] if index < len(msgid_lines) else int(entry.linenum or 1)
        entries.append(
            _Entry(
                line=line,
                msgctxt=None if entry.msgctxt is None else str(entry.msgctxt),
                msgid=str(entry.msgid),
                msgid_plural=str(entry.msgid_plural or ""),
                msgstr=str(entry.msgstr or ""),
                plural_forms={int(k): str(v) for k, v in entry.msgstr_plural.items()},
                fuzzy=bool(entry.fuzzy),
            )
        )
    return entries


@dataclass(frozen=True)
class _Header:
    line: int | None
    metadata: dict[str, str]
    present: bool

    @classmethod
    def read(cls, po: polib.POFile, lines: Sequence[str]) -> _Header:
        metadata = {str(k): str(v) for k, v in po.metadata.items()}
        line = _header_line(lines)
        return cls(line, metadata, bool(metadata) or line is not None)

    def charset(self) -> str | None:
        match = re.search(r"charset\s*=\s*([^\s;]+)", self.metadata.get("Content-Type", ""))
        return match.group(1) if match else None

    @property
    def nplurals(self) -> int | None:
        match = re.search(r"nplurals\s*=\s*(\d+)", self.metadata.get("Plural-Forms", ""))
        return int(match.group(1)) if match else None


def _header_line(lines: Sequence[str]) -> int | None:
    """The line of ``msgid ""`` of the header: the first empty msgid that is not
    continued on the next line (polib drops the header entry, and its line with it)."""
    candidate = None
    for number, raw in enumerate(lines, 1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        if candidate is not None:
            if not line.startswith('"'):
                return candidate
            candidate = None
        if re.fullmatch(r'msgid\s+""', line):
            candidate = number
    return candidate


# --- header and file-level checks -------------------------------------------------------


def _header_problems(
    header: _Header, entries: Sequence[_Entry], shown: str, expected_language: str | None
) -> list[Problem]:
    problems = []

    def add(code: str, message: str) -> None:
        problems.append(Problem(shown, header.line, ERROR, code, message))

    charset = header.charset()
    if not header.present:
        add("charset", 'no header entry (msgid ""), so no charset=UTF-8 either')
    elif charset is None:
        add("charset", "the header declares no charset; it must say charset=UTF-8")
    elif charset.upper() != "UTF-8":
        add("charset", f"charset is {charset}, not UTF-8; convert with msgconv --to-code=UTF-8")

    if expected_language is not None:
        language = header.metadata.get("Language", "").strip()
        if not language:
            add("language", f"the header has no Language; expected {expected_language}")
        elif _language_key(language) != _language_key(expected_language):
            add("language", f"the header's Language is {language}, expected {expected_language}")

    if "Plural-Forms" in header.metadata:
        fault = _plural_forms_fault(header.metadata["Plural-Forms"], header.nplurals)
        if fault is not None:
            add("plural-count", fault)
    elif any(e.msgid_plural for e in entries):
        add("plural-count", "plural entries need a Plural-Forms header (nplurals=...)")
    return problems


_PLURAL_SAMPLE = range(1000)


def _plural_forms_fault(value: str, nplurals: int | None) -> str | None:
    """What is wrong with a Plural-Forms value, which msgfmt refuses and gettext would
    turn into the wrong form (or an exception) for some count."""
    if nplurals is None or nplurals < 1:
        return "the header's Plural-Forms has no valid nplurals"
    match = re.search(r"plural\s*=\s*([^;]*)", value)
    if match is None:
        return "the header's Plural-Forms has no plural= expression"
    try:
        # The stdlib parses exactly gettext's C expression language, safely.
        rule = gettext.c2py(match.group(1))
        worst = max(rule(n) for n in _PLURAL_SAMPLE)
    except (ValueError, SyntaxError, RecursionError, ArithmeticError):
        return f"the header's plural expression {match.group(1).strip()!r} is invalid"
    if worst >= nplurals:
        return f"the plural expression gives form {worst}, but nplurals={nplurals}"
    return None


def _language_key(code: str) -> str:
    # pt_BR, pt-BR and pt_br name the same language; Babel and BCP 47 disagree on "_".
    return code.replace("-", "_").casefold()


def _duplicates(entries: Sequence[_Entry], shown: str) -> list[Problem]:
    # polib (with check_for_duplicates) only says "already exists", without a line,
    # and msgfmt refuses the file; so find them here, at the second occurrence.
    seen: dict[tuple[str | None, str], int] = {(None, ""): 0}  # polib took out the header
    problems = []
    for entry in entries:
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            first = seen[key]
            where = f"line {first}" if first else "the header"
            message = f"duplicate of the entry at {where}"
            if entry.msgctxt is not None:
                message += f" (msgctxt {entry.msgctxt!r})"
            problems.append(Problem(shown, entry.line, ERROR, "duplicate", message, entry.msgid))
        else:
            seen[key] = entry.line
    return problems


# --- entry checks -------------------------------------------------------------------------


def _entry_problems(
    entry: _Entry, nplurals: int | None, shown: str, coverage: Set[int] | None
) -> list[Problem]:
    problems: list[Problem] = []

    def add(code: str, message: str, severity: str = ERROR) -> None:
        problems.append(Problem(shown, entry.line, severity, code, message, entry.msgid))

    if entry.fuzzy:
        # Fuzzy entries are msgmerge's guesses and are never rendered: checking their
        # content would report every guess twice, once as fuzzy and once as wrong.
        add("fuzzy", "fuzzy entry: never rendered until a translator confirms it", WARNING)
        return problems

    if not entry.msgid_plural and entry.plural_forms:
        add("plural-count", "msgstr[n] forms on an entry without msgid_plural")
        return problems
    if entry.msgid_plural:
        indices = sorted(entry.plural_forms)
        if nplurals is not None and indices != list(range(nplurals)):
            have = ", ".join(f"msgstr[{n}]" for n in indices) or "a plain msgstr"
            add("plural-count", f"the header says nplurals={nplurals}, the entry has {have}")
        if not indices:
            return problems

    forms = entry.forms()
    filled = [(label, text, source) for label, text, source in forms if text]
    if not filled:
        add("untranslated", "not translated", WARNING)
        return problems
    if len(filled) < len(forms):
        empty = ", ".join(label for label, text, _ in forms if not text)
        add("plural-missing", f"{empty} empty while other forms are translated")

    complete = len(filled) == len(forms)
    for code, message in _placeholder_faults(entry, filled, complete):
        add(code, message)
    for code, message in _markup_faults(entry, filled):
        add(code, message)
    for code, message, severity in _number_faults(entry, filled, complete):
        add(code, message, severity)
    for code, message in _invisible_faults(entry, filled):
        add(code, message)
    if coverage is not None:
        for code, message in _glyph_faults(filled, coverage):
            add(code, message)
    for code, message in _style_faults(filled):
        add(code, message, WARNING)
    return problems


def _prefix(entry: _Entry, label: str) -> str:
    return f"{label}: " if entry.msgid_plural else ""


_LISTED = 5


def _listing(items: Sequence[str], sep: str = ", ") -> str:
    """At most a few items: a problem is one line for a person, not a dump."""
    text = sep.join(items[:_LISTED])
    if len(items) > _LISTED:
        text += f" and {len(items) - _LISTED} more"
    return text


T = TypeVar("T")
Keys = Callable[[T], frozenset[Hashable]]


def _unique(items: Iterable[T], keys: Keys[T]) -> list[T]:
    kept: list[T] = []
    seen: set[Hashable] = set()
    for item in items:
        if not keys(item) & seen:
            kept.append(item)
        seen |= keys(item)
    return kept


def _compare(
    sources: Sequence[Sequence[T]], forms: Sequence[Sequence[T]], keys: Keys[T]
) -> tuple[list[list[T]], list[list[T]], list[T]]:
    """(added per form, lost per form, lost from every form) for plural-aware checks.
    Two items are the same when their keys meet (a number may have several readings).

    Which CLDR category msgstr[0] serves depends on the language: in Russian it is
    1, 21, 31 ..., in Chinese every n, in Spanish only 1. So a form cannot simply be
    held to the English singular or plural. Instead: no form may bring anything that
    neither English form has; what both English forms have (a name, a phone number)
    every form must keep; what only one English form has (the count, which English
    drops from "One probe") may be left out of a form, but not out of all of them.
    For an entry without plural this is the plain msgid-versus-msgstr comparison.
    """

    def all_keys(items: Iterable[T]) -> set[Hashable]:
        return set().union(*(keys(x) for x in items))

    source_keys = [all_keys(s) for s in sources]
    english = set().union(*source_keys)
    form_keys = [all_keys(f) for f in forms]
    required: list[T] = []
    optional: list[T] = []
    for item in _unique((x for s in sources for x in s), keys):
        everywhere = all(keys(item) & k for k in source_keys)
        (required if everywhere else optional).append(item)
    added = [_unique((x for x in form if not keys(x) & english), keys) for form in forms]
    lost = [[x for x in required if not keys(x) & k] for k in form_keys]
    lost_everywhere = [x for x in optional if not any(keys(x) & k for k in form_keys)]
    return added, lost, lost_everywhere


# --- placeholders -------------------------------------------------------------------------

# Jinja2's newstyle gettext applies "%" to every message, so this project's catalogs
# are python-format whether or not an entry carries the flag: a stray "%" in a msgstr
# (French "50 % de" reads as the directive "% d") breaks rendering.
_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^()]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<type>[diouxXeEfFgGcrsa%])?"
    r"|\{\{(?P<jinja>[^{}]*)\}\}"
    r"|\{\s*(?P<brace>[A-Za-z_][\w.]*)\s*\}",
)


@dataclass(frozen=True)
class _Placeholder:
    key: str
    shown: str
    positional: bool = False


def _placeholders(text: str) -> tuple[list[_Placeholder], str]:
    """The placeholders of a message, and its text with each of them replaced by NUL
    (so that neither their digits nor their letters count as text) and "%%" by "%"."""
    found: list[_Placeholder] = []
    rest: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        rest.append(text[last : match.start()])
        last = match.end()
        raw = match.group()
        if match.group("jinja") is not None:
            name = " ".join(match.group("jinja").split())
            found.append(_Placeholder("{{" + name + "}}", "{{ " + name + " }}"))
        elif match.group("brace") is not None:
            found.append(_Placeholder("{" + match.group("brace") + "}", raw))
        elif match.group("type") == "%" and match.group("name") is None:
            rest.append("%")
            continue
        elif match.group("type") is None:
            found.append(_Placeholder("bad:" + raw, f"stray % in {raw!r}"))
        elif match.group("name") is not None:
            # The whole directive is the key: "%(phone).0s" prints nothing and
            # "%(phone)-300s" pads, so a width, precision or flag the msgid does not
            # have is a different placeholder, not the same one.
            found.append(_Placeholder(raw, raw))
        else:
            found.append(_Placeholder("%" + match.group("type"), raw, positional=True))
        rest.append("\x00")
    rest.append(text[last:])
    return found, "".join(rest)


def _placeholder_faults(
    entry: _Entry, filled: Sequence[tuple[str, str, str]], complete: bool
) -> list[tuple[str, str]]:
    sources = [_placeholders(s)[0] for s in entry.sources()]
    forms = [_placeholders(text)[0] for _, text, _ in filled]
    added, lost, lost_everywhere = _compare(sources, forms, lambda p: frozenset([p.key]))
    faults = []
    for (label, _, _), form, plus, minus in zip(filled, forms, added, lost, strict=True):
        parts = [f"placeholder {p.shown} missing" for p in minus]
        parts += [_added_placeholder(p) for p in plus]
        # Positional ones are filled in order, so the order is part of the contract.
        order = [p.key for p in form if p.positional]
        if (
            not parts
            and order
            and all(order != [p.key for p in s if p.positional] for s in sources)
        ):
            parts.append("positional placeholders in a different order than in the msgid")
        if parts:
            faults.append(("placeholder", _prefix(entry, label) + _listing(parts, "; ")))
    # With a form still empty, the one that would have had it may be that one.
    if complete:
        for p in lost_everywhere:
            faults.append(("placeholder", f"placeholder {p.shown} missing from every form"))
    return faults


def _added_placeholder(placeholder: _Placeholder) -> str:
    if placeholder.key.startswith("bad:"):
        return f"{placeholder.shown} (write %% for a percent sign)"
    if placeholder.positional:
        # This project's messages only have named placeholders: an unnamed one is
        # nearly always a percent sign followed by a letter, as in French "50 % de".
        return f"{placeholder.shown!r} reads as a placeholder (write %% for a percent sign)"
    return f"placeholder {placeholder.shown} not in the msgid"


# --- markup -------------------------------------------------------------------------------

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_Tag = tuple[str, tuple[tuple[str, str], ...]]


class _MarkupReader(HTMLParser):
    """Tags, well-formedness faults and visible text of one message."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[_Tag] = []
        self.faults: list[str] = []
        self.text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(sorted((k, v or "") for k, v in attrs))))
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(sorted((k, v or "") for k, v in attrs))))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()
        elif tag in self._open:
            self.faults.append(f"</{tag}> closes <{tag}> before <{self._open[-1]}> is closed")
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]
        else:
            self.faults.append(f"</{tag}> without an opening <{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.tags.append(("!--", ()))

    def handle_decl(self, decl: str) -> None:
        self.tags.append(("!" + (decl.split() or [""])[0].lower(), ()))

    def handle_pi(self, data: str) -> None:
        self.tags.append(("?", ()))

    def unknown_decl(self, data: str) -> None:
        self.tags.append(("![", ()))

    def finish(self) -> None:
        self.close()
        self.faults += [f"<{tag}> is not closed" for tag in reversed(self._open)]
        # html.parser leaves a tag cut off at the end of the message as plain text.
        if re.search(r"<[/A-Za-z]", "".join(self.text)):
            self.faults.append("a tag is cut off (no closing >)")


# A "<" that opens a tag, comment or declaration and reaches the next "<" (or the end)
# before any ">". html.parser rescans the rest of the text for each of them: a hostile
# 60 KB msgstr of "<a <a <a ..." took 85 s. Such a message is broken markup anyway.
_CUT_OFF_TAG = re.compile(r"<[A-Za-z/!?][^>]*(?:<|\Z)")


def _read_markup(text: str) -> _MarkupReader:
    reader = _MarkupReader()
    if _CUT_OFF_TAG.search(text):
        reader.faults.append("a tag is cut off (no closing >)")
        reader.text.append(re.sub(r"<[^<>]*>?", "", text))
        return reader
    try:
        reader.feed(text)
        reader.finish()
    except (AssertionError, ValueError):  # _markupbase asserts on "<![bogus["
        reader.faults.append("markup that cannot be parsed")
    return reader


def _show_tag(tag: _Tag) -> str:
    name, attrs = tag
    if name.startswith(("!", "?")):
        return {"!--": "<!-- comment -->", "?": "<?...>"}.get(name, f"<{name}...>")
    shown = "".join(f' {k}="{v}"' if v else f" {k}" for k, v in attrs)
    return f"<{name}{shown}>"


def _markup_faults(entry: _Entry, filled: Sequence[tuple[str, str, str]]) -> list[tuple[str, str]]:
    allowed = [Counter(_read_markup(s).tags) for s in entry.sources()]
    faults = []
    for label, text, source in filled:
        if "<" not in text and not any(allowed):
            continue
        reader = _read_markup(text)
        parts = list(dict.fromkeys(reader.faults))
        tags = Counter(reader.tags)
        # A plural form may follow either English form; they normally have the same tags.
        if not any(tags == a for a in allowed):
            parts += _tag_differences(Counter(_read_markup(source).tags), tags)
        if parts:
            faults.append(("markup", _prefix(entry, label) + _listing(parts, "; ")))
    return faults


def _tag_differences(english: Counter[_Tag], translated: Counter[_Tag]) -> list[str]:
    extra = list((translated - english).elements())
    missing = list((english - translated).elements())
    parts = []
    for tag in extra:
        twin = next((m for m in missing if m[0] == tag[0]), None)
        if twin is not None:
            missing.remove(twin)
            parts.append(f"{_show_tag(tag)} where the msgid has {_show_tag(twin)}")
        elif tag in english:
            parts.append(f"more {_show_tag(tag)} tags than the msgid has")
        else:
            parts.append(f"tag {_show_tag(tag)} that the msgid does not have")
    parts += [f"tag {_show_tag(tag)} missing" for tag in missing]
    return list(dict.fromkeys(parts))


def _visible_text(text: str) -> str:
    """What a reader sees of a message: no placeholders, no tags, entities resolved."""
    _, rest = _placeholders(text)
    reader = _read_markup(rest)
    return "".join(reader.text)


# --- numbers ------------------------------------------------------------------------------

# Separators that may be a decimal point ("38.3", "38,3", the Arabic U+066B) and, in the
# pattern, ones that only group (U+066C, "'", spaces). A space only groups when three
# digits follow, so that "911 24 hours" stays two numbers.
_DECIMAL_SEPARATORS = ".,\u066b"
_NUMBER = re.compile(r"\d+(?:(?:[.,\u066b\u066c']|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*")

_Value = Decimal | str


@dataclass(frozen=True)
class _Number:
    shown: str
    values: frozenset[_Value]


def _numbers(text: str, *, english: bool) -> list[_Number]:
    """The numbers of a message's visible text, each with the values it may stand for.

    The msgid is English, so it is read the English way: "1,000" is 1000 and "38.3"
    is 38.3. A translation may use any locale's convention, and "1.000" or "1,000"
    alone does not say which, so it may stand for either reading. Digits of every
    script count (Arabic-Indic, Devanagari ...). The check is about values, not
    formatting: translators do not always follow CLDR to the letter, and the
    reader's locale rules would be guesses for a catalog that serves several regions.
    """
    found = []
    for match in _NUMBER.finditer(_visible_text(text)):
        token = match.group()
        groups = ["".join(str(unicodedata.decimal(c)) for c in g) for g in re.split(r"\D", token)]
        seps = re.findall(r"\D", token)
        # As written, with any separator as ".": a version or a date such as 1.2.3.
        values: set[_Value] = {".".join(groups)}
        if english:
            if seps.count(".") <= 1:
                values.add(_join(groups, seps, decimal="."))
        else:
            # "1,000" as a decimal would be 1.000; read that way it only matches a number
            # written with three decimals (the as-written value above), never plain 1.
            point = seps[-1] if seps and seps[-1] in _DECIMAL_SEPARATORS else None
            if point is not None and (len(groups[-1]) != 3 or point == "\u066b"):
                values.add(_join(groups, seps, decimal=point, last_only=True))
            # Grouping makes groups of three (or two, in India, but never last).
            if not seps or (seps[-1] != "\u066b" and len(groups[-1]) == 3):
                values.add(_join(groups, seps, decimal=None))
        found.append(_Number(token, frozenset(values)))
    return found


def _join(
    groups: Sequence[str], seps: Sequence[str], decimal: str | None, last_only: bool = False
) -> Decimal:
    whole = groups[0]
    for index, (sep, group) in enumerate(zip(seps, groups[1:], strict=True)):
        is_point = sep == decimal and (not last_only or index == len(seps) - 1)
        whole += ("." if is_point else "") + group
    return Decimal(whole)


def _number_faults(
    entry: _Entry, filled: Sequence[tuple[str, str, str]], complete: bool
) -> list[tuple[str, str, str]]:
    sources = [_numbers(s, english=True) for s in entry.sources()]
    forms = [_numbers(text, english=False) for _, text, _ in filled]
    added, lost, lost_everywhere = _compare(sources, forms, lambda n: n.values)
    faults = []
    for (label, _, _), plus, minus in zip(filled, added, lost, strict=True):
        prefix = _prefix(entry, label)
        if minus:
            missing = _listing([n.shown for n in minus])
            faults.append(("number", f"{prefix}number {missing} of the msgid missing", ERROR))
        if plus:
            extra = _listing([n.shown for n in plus])
            faults.append(("number-extra", f"{prefix}number {extra} not in the msgid", WARNING))
    if lost_everywhere and complete:
        missing = _listing([n.shown for n in lost_everywhere])
        faults.append(("number", f"number {missing} of the msgid missing from every form", ERROR))
    return faults


# --- characters ---------------------------------------------------------------------------

# Invisible in print, but they reorder or hide text: U+202E turns "38,5" into "5,83".
_INVISIBLE = frozenset(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010), 0x2060, 0xFEFF, 0x061C]
)


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '(unnamed)')}"


# Zero-width (non-)joiners are ordinary spelling between letters of Arabic-script and
# Indic words (Persian "می‌خواهم", Hindi half forms); anywhere else they only hide.
_JOINERS = {0x200C, 0x200D}
_JOINING_SCRIPTS = ((0x0600, 0x08FF), (0x0900, 0x0DFF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _joining_letter(char: str) -> bool:
    return any(lo <= ord(char) <= hi for lo, hi in _JOINING_SCRIPTS)


def _spelling_joiner(text: str, index: int) -> bool:
    if ord(text[index]) not in _JOINERS or index == 0 or index + 1 >= len(text):
        return False
    return _joining_letter(text[index - 1]) and _joining_letter(text[index + 1])


def _invisible_faults(
    entry: _Entry, filled: Sequence[tuple[str, str, str]]
) -> list[tuple[str, str]]:
    english = set("".join(entry.sources()))
    faults = []
    for label, text, _ in filled:
        found = sorted(
            {
                c
                for i, c in enumerate(text)
                if ord(c) in _INVISIBLE and c not in english and not _spelling_joiner(text, i)
            }
        )
        if found:
            names = _listing([_char_name(c) for c in found])
            faults.append(("bidi-control", f"{_prefix(entry, label)}invisible {names}"))
    return faults


def _glyph_faults(
    filled: Sequence[tuple[str, str, str]], coverage: Set[int]
) -> list[tuple[str, str]]:
    missing: list[str] = []
    for _, text, _ in filled:
        for char in _visible_text(text):
            # Spaces and format controls (ZWJ, soft hyphen, bidi marks) are handled by
            # the shaper and the line breaker; fonts need not draw them.
            if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                continue
            if ord(char) not in coverage and char not in missing:
                missing.append(char)
    if not missing:
        return []
    listed = _listing([_char_name(c) for c in missing])
    return [("glyph", f"the fonts for this language cannot draw {listed}")]


def _as_set(coverage: Collection[int] | None) -> Set[int] | None:
    if coverage is None or isinstance(coverage, Set):
        return coverage
    return frozenset(coverage)


# --- warnings -----------------------------------------------------------------------------

_LENGTH_FACTOR = 3
_LENGTH_MINIMUM = 10


def _style_faults(filled: Sequence[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """One warning of each kind per entry: they are hints, not a list to work through.

    Only length is flagged, never shortness: Chinese or Korean is often a third of the
    English.
    """
    faults = []
    for label, text, source in filled:
        if text == source and any(c.isalpha() for c in _visible_text(source)):
            faults.append(("same-as-source", f"{label} is the same as the English text"))
            break
    for label, text, source in filled:
        if len(source) >= _LENGTH_MINIMUM and len(text) > _LENGTH_FACTOR * len(source):
            faults.append(
                ("too-long", f"{label} is {len(text)} characters, the English {len(source)}")
            )
            break
    return faults
