"""What the entry checks share: their one signature, listing, and comparing the msgid
with every plural form.

Every family of entry checks (placeholders, markup, numbers, characters) is a
function ``check(entry, filled, context) -> list[Fault]``: the entry, its translated
forms as (label, msgstr, the msgid it renders) triples, and what the catalog as a
whole tells (are all forms filled, which characters the fonts draw).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence, Set
from dataclasses import dataclass
from typing import TypeVar

from ..errors import Severity
from .reader import Entry


def form_prefix(entry: Entry, label: str) -> str:
    return f"{label}: " if entry.msgid_plural else ""


_LISTED = 5


def listing(items: Sequence[str], sep: str = ", ") -> str:
    """At most a few items: a problem is one line for a person, not a dump."""
    text = sep.join(items[:_LISTED])
    if len(items) > _LISTED:
        text += f" and {len(items) - _LISTED} more"
    return text


T = TypeVar("T")
Keys = Callable[[T], frozenset[Hashable]]


def unique(items: Iterable[T], keys: Keys[T]) -> list[T]:
    kept: list[T] = []
    seen: set[Hashable] = set()
    for item in items:
        if not keys(item) & seen:
            kept.append(item)
        seen |= keys(item)
    return kept


def compare_forms(
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
    for item in unique((x for s in sources for x in s), keys):
        everywhere = all(keys(item) & k for k in source_keys)
        (required if everywhere else optional).append(item)
    added = [unique((x for x in form if not keys(x) & english), keys) for form in forms]
    lost = [[x for x in required if not keys(x) & k] for k in form_keys]
    lost_everywhere = [x for x in optional if not any(keys(x) & k for k in form_keys)]
    return added, lost, lost_everywhere


Form = tuple[str, str, str]  # (label such as "msgstr[1]", the translation, its source text)
Fault = tuple[str, str, Severity]  # (code, message, severity)


@dataclass(frozen=True)
class EntryContext:
    complete: bool  # every plural form of the entry is translated
    coverage: Set[int] | None  # code points the language's fonts draw; None: not known


EntryCheck = Callable[[Entry, Sequence[Form], EntryContext], list[Fault]]
