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

from collections.abc import Collection, Set
from pathlib import Path

from ..entries import FUZZY
from . import characters, markup, numbers, placeholders
from .characters import as_set
from .common import EntryCheck, EntryContext
from .header import duplicate_problems, header_problems
from .problems import CODES, ERROR, WARNING, Problem, Severity, sort_problems
from .reader import Entry, Header, decode, decode_as, parse_catalog, read_entries

# The families of entry checks, each with the one signature of common.EntryCheck.
ENTRY_CHECKS: tuple[EntryCheck, ...] = (
    placeholders.check,
    markup.check,
    numbers.check,
    characters.check_invisible,
    characters.check_glyphs,
    characters.check_length,
)

__all__ = ["CODES", "ERROR", "WARNING", "Problem", "check_po_bytes", "check_po_file"]


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

    text, encoding_problem = decode(data, shown)
    parsed = parse_catalog(text, shown)
    if isinstance(parsed, Problem):
        return sort_problems([p for p in (encoding_problem, parsed) if p is not None])
    po, lines = parsed
    header = Header.read(po, lines)

    problems: list[Problem] = []
    charset = header.charset()
    if charset is not None and encoding_problem is not None:
        # A Latin-1 catalog that says so is one mistake, not one per accented letter:
        # if the declared charset explains the bytes, the charset problem says it all.
        redecoded = decode_as(data, charset)
        reparsed = parse_catalog(redecoded, shown) if redecoded is not None else None
        if reparsed is not None and not isinstance(reparsed, Problem):
            po, lines = reparsed
            header = Header.read(po, lines)
            encoding_problem = None
    if encoding_problem is not None:
        problems.append(encoding_problem)

    entries = read_entries(po, lines)
    problems += header_problems(header, entries, shown, expected_language)
    problems += duplicate_problems(entries, shown)
    cover = as_set(coverage)
    for entry in entries:
        problems += _entry_problems(entry, header.nplurals, shown, cover)
    return sort_problems(problems)


def _entry_problems(
    entry: Entry, nplurals: int | None, shown: str, coverage: Set[int] | None
) -> list[Problem]:
    problems: list[Problem] = []

    def add(code: str, message: str, severity: Severity = ERROR) -> None:
        problems.append(Problem(shown, entry.line, severity, code, message, entry.msgid))

    if entry.fuzzy:
        # Fuzzy entries are msgmerge's guesses and are never rendered: checking their
        # content would report every guess twice, once as fuzzy and once as wrong. One
        # with an empty form is untranslated, as `leaflets stats` and msgfmt count it.
        if entry.state == FUZZY:
            add("fuzzy", "fuzzy entry: never rendered until a translator confirms it", WARNING)
        else:
            add("untranslated", "not translated", WARNING)
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
    # Some forms filled, others empty: untranslated too, but likely a mistake.
    if len(filled) < len(forms):
        empty = ", ".join(label for label, text, _ in forms if not text)
        add("plural-missing", f"{empty} empty while other forms are translated")

    context = EntryContext(complete=len(filled) == len(forms), coverage=coverage)
    for check in ENTRY_CHECKS:
        for code, message, severity in check(entry, filled, context):
            add(code, message, severity)
    return problems
