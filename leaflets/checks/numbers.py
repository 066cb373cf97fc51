"""Numbers: a figure of the msgid (38.3) may not change or vanish in a msgstr."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .common import EntryContext, Fault, Form, compare_forms, form_prefix, listing
from .markup import visible_text
from .problems import ERROR, WARNING
from .reader import Entry

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
    for match in _NUMBER.finditer(visible_text(text)):
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


def _number_faults(entry: Entry, filled: Sequence[Form], complete: bool) -> list[Fault]:
    sources = [_numbers(s, english=True) for s in entry.sources()]
    forms = [_numbers(text, english=False) for _, text, _ in filled]
    added, lost, lost_everywhere = compare_forms(sources, forms, lambda n: n.values)
    faults: list[Fault] = []
    for (label, _, _), plus, minus in zip(filled, added, lost, strict=True):
        prefix = form_prefix(entry, label)
        if minus:
            missing = listing([n.shown for n in minus])
            faults.append(("number", f"{prefix}number {missing} of the msgid missing", ERROR))
        if plus:
            extra = listing([n.shown for n in plus])
            faults.append(("number-extra", f"{prefix}number {extra} not in the msgid", WARNING))
    if lost_everywhere and complete:
        missing = listing([n.shown for n in lost_everywhere])
        faults.append(("number", f"number {missing} of the msgid missing from every form", ERROR))
    return faults


def check(entry: Entry, filled: Sequence[Form], context: EntryContext) -> list[Fault]:
    """Numbers changed, lost (errors) or added (warnings)."""
    return _number_faults(entry, filled, context.complete)
