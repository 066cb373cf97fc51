"""Markup: a msgstr may use only the tags of its msgid, balanced, with no attributes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from html.parser import HTMLParser

from .common import EntryContext, Fault, Form, form_prefix, listing
from .placeholders import find_placeholders
from .problems import ERROR
from .reader import Entry

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


def _markup_faults(entry: Entry, filled: Sequence[tuple[str, str, str]]) -> list[tuple[str, str]]:
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
            faults.append(("markup", form_prefix(entry, label) + listing(parts, "; ")))
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


def visible_text(text: str) -> str:
    """What a reader sees of a message: no placeholders, no tags, entities resolved."""
    _, rest = find_placeholders(text)
    reader = _read_markup(rest)
    return "".join(reader.text)


def check(entry: Entry, filled: Sequence[Form], context: EntryContext) -> list[Fault]:
    """Markup that is broken or not the msgid's."""
    return [(c, m, ERROR) for c, m in _markup_faults(entry, filled)]
