"""Checks of the header (charset, language, plural forms) and of duplicate entries."""

from __future__ import annotations

import gettext
import re
from collections.abc import Sequence

from .problems import ERROR, Problem
from .reader import Entry, Header


def header_problems(
    header: Header, entries: Sequence[Entry], shown: str, expected_language: str | None
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


def duplicate_problems(entries: Sequence[Entry], shown: str) -> list[Problem]:
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
