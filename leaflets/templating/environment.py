"""The project's environment: the sandbox confined to ``templates/`` with i18n, and the
page-counter filter for a translated "Page {page} of {pages}"."""

from __future__ import annotations

import re

from jinja2 import StrictUndefined
from markupsafe import Markup

from ..config import Project
from .loader import ConfinedLoader
from .sandbox import LeafletSandbox

# A handout is a few pages: HTML beyond this comes from a runaway message or template.
MAX_HTML_CHARS = 400_000
# Stand-ins for the page counters in a translated "Page {page} of {pages}".
PAGE_MARK = "\ue000"
PAGES_MARK = "\ue001"


def css_string(text: str) -> str:
    """A CSS string literal; everything outside plain ASCII is escaped."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in " .,:;!?()-_'/"):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def css_page_counter(label: str, style: str = "decimal") -> Markup:
    """Turn a translated "Page {page} of {pages}" into CSS ``content`` tokens."""
    counters = {PAGE_MARK: f"counter(page, {style})", PAGES_MARK: f"counter(pages, {style})"}
    tokens = []
    for part in re.split(f"([{PAGE_MARK}{PAGES_MARK}])", str(label)):
        if part in counters:
            tokens.append(counters[part])
        elif part:
            tokens.append(css_string(part))
    return Markup(" ".join(tokens))


def make_environment(project: Project) -> LeafletSandbox:
    """The environment every template of the project is compiled and rendered in:
    sandboxed, confined to ``templates/``, and no value bigger than a whole handout."""
    env = LeafletSandbox(
        max_chars=MAX_HTML_CHARS,
        loader=ConfinedLoader(project.templates_dir),
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.filters["css_page_counter"] = env.checked_filter(css_page_counter)
    return env
