"""Placeholders: every %(name)s of the msgid, and no other, in each msgstr form."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .common import EntryContext, Fault, Form, compare_forms, form_prefix, listing
from .problems import ERROR
from .reader import Entry

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


def find_placeholders(text: str) -> tuple[list[_Placeholder], str]:
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
    entry: Entry, filled: Sequence[tuple[str, str, str]], complete: bool
) -> list[tuple[str, str]]:
    sources = [find_placeholders(s)[0] for s in entry.sources()]
    forms = [find_placeholders(text)[0] for _, text, _ in filled]
    added, lost, lost_everywhere = compare_forms(sources, forms, lambda p: frozenset([p.key]))
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
            faults.append(("placeholder", form_prefix(entry, label) + listing(parts, "; ")))
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


def check(entry: Entry, filled: Sequence[Form], context: EntryContext) -> list[Fault]:
    """Placeholders added, lost or changed in any form."""
    return [(c, m, ERROR) for c, m in _placeholder_faults(entry, filled, context.complete)]
