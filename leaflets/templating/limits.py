"""The sandbox's limits: how far a template may go, the error when it goes further,
and how big a value is once printed."""

from __future__ import annotations

import re
from collections import abc
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import Undefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.utils import Namespace

# A leaflet loops over a handful of items; ranges beyond this are a mistake or an attack.
MAX_RANGE = 10_000
# Turns of all loops of one render together. A leaflet loops a few dozen times; each
# turn of a runaway loop may hold on to a little memory until the time limit.
MAX_LOOP_TURNS = 1_000_000
# Macros that call macros, recursive loops: a leaflet needs a few levels. Python's own
# recursion limit (about 1,000 frames, several per template call) would come far later.
MAX_CALL_DEPTH = 50
# Numbers: a leaflet prints days and degrees. 4,096 bits is about 1,200 digits; a
# bigger integer can take minutes of uninterruptible C code to compute (10 ** (10 ** 10)).
MAX_INT_BITS = 4096
# Printed output over a whole render, as a multiple of max_chars: room for a handout
# that is somewhat too big to be reported as such (render.py measures the HTML).
PRINT_FACTOR = 4
# String methods that make a result much bigger than their inputs; the filters of the
# same names are checked instead. ``format`` would also reach attributes of its
# arguments outside the sandbox's view. ``fromkeys`` builds a dict of N copies.
REFUSED_METHODS = frozenset(
    {
        "center",
        "ljust",
        "rjust",
        "zfill",
        "expandtabs",
        "format",
        "format_map",
        "join",
        "replace",
        "translate",
        "fromkeys",
    }
)
PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?[a-zA-Z%]")


class TemplateLimitError(SecurityError):
    """A template asked for more than the sandbox allows."""


class PageTooLargeError(TemplateLimitError):
    """A template's whole output ran past ``PRINT_FACTOR * max_chars`` characters."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the handout's HTML is over {limit:,} characters")


@dataclass
class Usage:
    """What one render has used so far."""

    depth: int = 0
    printed: int = 0
    turns: int = 0


USAGE: ContextVar[Usage | None] = ContextVar("leaflets_template_usage", default=None)


def size_of(value: Any, budget: int, printing: bool = False) -> int:
    """How big ``value`` is once printed, roughly: the characters of its strings plus one
    per item, counted through nested containers (a list holding the same string twice
    counts it twice, as printing it would). Counting stops once past ``budget``.

    ``printing``: an undefined value inside a container raises its error, as it does
    when printed on its own, instead of showing as "Undefined" in a handout."""
    total = 0
    stack = [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, Undefined):
            if printing:
                str(item)  # a StrictUndefined raises here
            total += 1
        elif isinstance(item, str | bytes | bytearray | range):
            total += len(item)
        elif isinstance(item, Namespace):
            # A namespace prints as its attributes; it guards them from plain getattr.
            attrs = object.__getattribute__(item, "_Namespace__attrs")
            total += len(attrs)
            stack.extend(attrs.values())
        elif isinstance(item, abc.Mapping) and not isinstance(item, Context):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, abc.Collection):
            total += len(item)
            stack.extend(item)
        else:
            total += 1
    return total


def spec_width(text: str | None, what: str) -> int:
    if not text:
        return 0
    if text == "*":
        raise TemplateLimitError(f"{what}: a width or precision taken from an argument (*)")
    if len(text) > 9:
        raise TemplateLimitError(f"{what}: a width or precision of {len(text)} digits")
    return int(text)
