"""Reading a catalog strictly: bytes to entries with their lines, or a syntax Problem."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polib

from ..entries import MsgidLines, state
from .problems import ERROR, Problem, char_name


def decode(data: bytes, shown: str) -> tuple[str, Problem | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        message = f"not valid UTF-8 (byte 0x{byte:02X}); save the catalog as UTF-8"
        # Go on with replacement characters: the other problems are still worth knowing.
        return data.decode("utf-8", "replace"), Problem(shown, line, ERROR, "encoding", message)


def decode_as(data: bytes, charset: str) -> str | None:
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


def parse_catalog(text: str, shown: str) -> tuple[polib.POFile, list[str]] | Problem:
    lines = text.split("\n")
    odd = _FOREIGN_LINE_BREAK.search(text)
    if odd is not None:
        line = text.count("\n", 0, odd.start()) + 1
        name = char_name(odd.group())
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
class Entry:
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

    @property
    def state(self) -> str:
        """Translated, fuzzy or untranslated (``entries.state``)."""
        return state([text for _, text, _ in self.forms()], self.fuzzy)


def read_entries(po: polib.POFile, lines: Sequence[str]) -> list[Entry]:
    """The live entries, typed, each with the line of its msgid."""
    msgid_lines = MsgidLines(lines)
    entries = []
    for entry in po:
        if entry.obsolete:
            continue
        entries.append(
            Entry(
                line=msgid_lines.of(entry),
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
class Header:
    line: int | None
    metadata: dict[str, str]
    present: bool

    @classmethod
    def read(cls, po: polib.POFile, lines: Sequence[str]) -> Header:
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
