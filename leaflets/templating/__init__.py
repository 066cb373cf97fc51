"""The Jinja2 environment templates run in: a sandbox with limits.

Templates are not trusted (SECURITY.md). A plain ``jinja2.Environment`` lets an
expression walk Python attributes (``lipsum.__globals__``, ``''.__class__.__mro__``)
to ``os`` and run commands; Jinja's ``ImmutableSandboxedEnvironment`` refuses every
attribute that starts with an underscore and every method that changes a list, dict
or set. On top of that, this environment caps what a template can make the renderer
do, so that a template fails with an error instead of eating the machine:

- ``range()`` gives at most ``MAX_RANGE`` numbers;
- all loops of a render together turn at most ``MAX_LOOP_TURNS`` times;
- calls (macros, ``caller()``, recursive loops, ``super()``) nest at most
  ``MAX_CALL_DEPTH`` deep;
- no value a template makes (a string, a list, a dict, counted through nested
  containers) is bigger than ``max_chars``, the size of a whole handout: ``*``,
  ``+``, ``~``, ``%``, ``**``, list and dict literals, the results of calls and
  filters are checked; the filters that multiply their input (``center``,
  ``indent``, ``join``, ``replace``, ``format`` ...) are checked before they run,
  and the string methods that do are refused;
- integers have at most ``MAX_INT_BITS`` bits;
- everything a template prints, over the whole render, is at most
  ``PRINT_FACTOR * max_chars`` characters.

Templates are read only from one folder (:class:`ConfinedLoader`). Time is limited
by the caller (the batch's per-handout time limit).

The package: ``limits`` (the numbers, the error, sizes), ``filters`` (size checks and
checked filters), ``sandbox`` (operators, loops, calls, attributes), ``loader``,
``environment`` (the project's environment). Everything is re-exported here.
"""

from __future__ import annotations

from .environment import (
    MAX_HTML_CHARS,
    PAGE_MARK,
    PAGES_MARK,
    css_page_counter,
    css_string,
    make_environment,
)
from .filters import SizeCheckedSandbox
from .limits import (
    MAX_CALL_DEPTH,
    MAX_INT_BITS,
    MAX_LOOP_TURNS,
    MAX_RANGE,
    PRINT_FACTOR,
    PageTooLargeError,
    TemplateLimitError,
    size_of,
)
from .loader import ConfinedLoader
from .sandbox import LeafletSandbox

__all__ = [
    "MAX_CALL_DEPTH",
    "MAX_HTML_CHARS",
    "MAX_INT_BITS",
    "MAX_LOOP_TURNS",
    "MAX_RANGE",
    "PAGES_MARK",
    "PAGE_MARK",
    "PRINT_FACTOR",
    "ConfinedLoader",
    "LeafletSandbox",
    "PageTooLargeError",
    "SizeCheckedSandbox",
    "TemplateLimitError",
    "css_page_counter",
    "css_string",
    "make_environment",
    "size_of",
]
