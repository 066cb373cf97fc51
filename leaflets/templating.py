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
"""

from __future__ import annotations

import re
from collections import abc
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    Undefined,
    pass_eval_context,
)
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import Environment
from jinja2.exceptions import SecurityError
from jinja2.filters import (
    FILTERS,
    do_batch,
    do_center,
    do_format,
    do_indent,
    do_replace,
    do_tojson,
    do_wordwrap,
    sync_do_join,
    sync_do_slice,
    sync_do_sum,
)
from jinja2.loaders import split_template_path
from jinja2.nodes import Call, Concat, Dict, EnvironmentAttribute, EvalContext, For, List, Tuple
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup

from .config import Project

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
_REFUSED_METHODS = frozenset(
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
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?[a-zA-Z%]")


class TemplateLimitError(SecurityError):
    """A template asked for more than the sandbox allows."""


class PageTooLargeError(TemplateLimitError):
    """A template's whole output ran past ``PRINT_FACTOR * max_chars`` characters."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the handout's HTML is over {limit:,} characters")


@dataclass
class _Usage:
    """What one render has used so far."""

    depth: int = 0
    printed: int = 0
    turns: int = 0


_USAGE: ContextVar[_Usage | None] = ContextVar("leaflets_template_usage", default=None)


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


def _width(text: str | None, what: str) -> int:
    if not text:
        return 0
    if text == "*":
        raise TemplateLimitError(f"{what}: a width or precision taken from an argument (*)")
    if len(text) > 9:
        raise TemplateLimitError(f"{what}: a width or precision of {len(text)} digits")
    return int(text)


class ConfinedLoader(FileSystemLoader):
    """Templates from one folder only: an include of a symlink, an absolute path or a
    path that leads out of the folder is refused, as the URL fetcher refuses files
    outside the assets."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder.resolve()

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        # split_template_path refuses ".." segments. Check before anything is read: a
        # symlink to a secret must not even be opened.
        candidate = self.folder.joinpath(*split_template_path(template))
        if candidate.exists() and not candidate.resolve().is_relative_to(self.folder):
            raise TemplateNotFound(f"{template} (leads outside the templates folder)")
        try:
            return super().get_source(environment, template)
        except TemplateNotFound:
            # Jinja's message names the folder's absolute path: keep it out of errors.
            raise TemplateNotFound(template) from None


class _CheckedCodeGenerator(CodeGenerator):
    """Compiles ``~`` and list, tuple and dict literals so that the environment checks
    their size: they are the ways a template makes values that no call, filter or
    operator the sandbox sees has made. The iterables of loops are counted."""

    def visit_For(self, node: For, frame: Frame) -> None:
        # `for x in environment.turns(<iterable>)`, called like any call of the template.
        turns = node.iter
        if not (isinstance(turns, Call) and isinstance(turns.node, EnvironmentAttribute)):
            counter = EnvironmentAttribute("turns", lineno=turns.lineno)
            node.iter = Call(counter, [turns], [], None, None, lineno=turns.lineno)
        super().visit_For(node, frame)

    @optimizeconst
    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.checked_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")

    def visit_List(self, node: List, frame: Frame) -> None:
        self.write("environment.checked_value(")
        super().visit_List(node, frame)
        self.write(")")

    def visit_Dict(self, node: Dict, frame: Frame) -> None:
        self.write("environment.checked_value(")
        super().visit_Dict(node, frame)
        self.write(")")

    def visit_Tuple(self, node: Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # an assignment target: `{% for a, b in ... %}`
            super().visit_Tuple(node, frame)
            return
        self.write("environment.checked_value(")
        super().visit_Tuple(node, frame)
        self.write(")")


class _MeteredTemplate(Template):
    """A template whose render counts call depth and printed characters afresh, and
    stops joining its output once it is far too big for a handout."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        env = self.environment
        assert isinstance(env, LeafletSandbox)
        token = _USAGE.set(_Usage())
        try:
            parts = self.root_render_func(self.new_context(dict(*args, **kwargs)))
            return "".join(env.bounded(parts, PageTooLargeError(env.page_limit)))
        except Exception:
            env.handle_exception()
        finally:
            _USAGE.reset(token)


class LeafletSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with the limits described in the module's docstring."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    code_generator_class = _CheckedCodeGenerator
    template_class = _MeteredTemplate

    def __init__(self, *, max_chars: int, **options: Any) -> None:
        super().__init__(finalize=self._finalize, **options)
        self.max_chars = max_chars
        # lipsum(n) writes n paragraphs: no use in a handout, and a way to fill memory.
        del self.globals["lipsum"]
        self.globals["range"] = self._range
        for name, func in FILTERS.items():
            self.filters[name] = self.checked_filter(func)
        self.filters.update(
            center=self.checked_filter(self._center),
            indent=self.checked_filter(self._indent),
            wordwrap=self.checked_filter(self._wordwrap),
            replace=self.checked_filter(self._replace),
            join=self.checked_filter(self._join),
            format=self.checked_filter(self._format),
            batch=self.checked_filter(self._batch),
            slice=self.checked_filter(self._slice),
            tojson=self.checked_filter(self._tojson),
            sum=self.checked_filter(self._sum),
        )

    # --- sizes ------------------------------------------------------------------------

    def check_size(self, size: int, what: str) -> None:
        if size > self.max_chars:
            raise TemplateLimitError(
                f"{what} would be {size:,} characters or items, more than the limit of "
                f"{self.max_chars:,}"
            )

    def sizes(self, *values: Any) -> int:
        return sum(size_of(value, self.max_chars) for value in values)

    def checked_value(self, value: Any, what: str = "a value") -> Any:
        self.check_size(size_of(value, self.max_chars), what)
        return value

    def checked_parts(self, parts: tuple[Any, ...]) -> tuple[Any, ...]:
        """The operands of ``~``, before they are turned into strings and joined."""
        self.check_size(self.sizes(*parts), "the text joined with ~")
        return parts

    @property
    def page_limit(self) -> int:
        return PRINT_FACTOR * self.max_chars

    def bounded(self, parts: Iterable[str], error: TemplateLimitError) -> list[str]:
        """The pieces of some output, read until they are more than ``page_limit``
        characters together: then ``error``, rather than joining gigabytes."""
        kept = []
        total = 0
        for part in parts:
            total += len(part)
            if total > self.page_limit:
                raise error
            kept.append(part)
        return kept

    def concat(self, parts: Iterable[str]) -> str:
        """Joins what a macro, block, ``{% call %}`` or ``{% set %}`` printed."""
        error = TemplateLimitError(f"a macro or block prints over {self.page_limit:,} characters")
        return "".join(self.bounded(parts, error))

    def _finalize(self, value: Any) -> Any:
        """Every ``{{ ... }}``, before it is turned into text."""
        if isinstance(value, Undefined):
            return value  # printing it raises the undefined's own error
        size = size_of(value, self.max_chars, printing=True)
        self.check_size(size, "a printed value")
        usage = _USAGE.get()
        if usage is not None:
            usage.printed += size
            if usage.printed > self.page_limit:
                raise TemplateLimitError(
                    f"the template prints over {self.page_limit:,} characters of values"
                )
        return value

    # --- operators --------------------------------------------------------------------

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = self.max_chars
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "*":
            if ints:
                self._check_int_bits(abs(left).bit_length() + abs(right).bit_length())
            elif isinstance(right, int) and not isinstance(left, int | float):
                self.check_size(size_of(left, budget) * max(right, 0), "the repeated value")
            elif isinstance(left, int) and not isinstance(right, int | float):
                self.check_size(size_of(right, budget) * max(left, 0), "the repeated value")
        elif operator == "**":
            if ints and right > 0 and abs(left) > 1:
                self._check_int_bits(right * abs(left).bit_length())
        elif operator == "+":
            if not (isinstance(left, int | float) and isinstance(right, int | float)):
                self.check_size(size_of(left, budget) + size_of(right, budget), "the sum")
        elif operator == "%" and isinstance(left, str):
            self._check_percent(left, right, "the % formatting")
        result = self.binop_table[operator](left, right)
        if operator in ("+", "-") and ints:
            self._check_int_bits(abs(result).bit_length())
        return result

    def _check_int_bits(self, bits: int) -> None:
        if bits > MAX_INT_BITS:
            raise TemplateLimitError(
                f"a number of about {bits:,} bits, more than the limit of {MAX_INT_BITS:,}"
            )

    def _check_percent(self, text: str, values: Any, what: str) -> None:
        size = len(text) + size_of(values, self.max_chars)
        for match in _PERCENT_SPEC.finditer(text):
            size += _width(match.group(1), what) + _width(match.group(2), what)
        self.check_size(size, what)

    def turns(self, iterable: Iterable[Any]) -> Iterable[Any]:
        """A loop's iterable, counting its turns against the render's budget."""
        usage = _USAGE.get()
        if usage is None:
            return iterable
        return self._counted(iterable, usage)

    def _counted(self, iterable: Iterable[Any], usage: _Usage) -> Iterator[Any]:
        for item in iterable:
            usage.turns += 1
            if usage.turns > MAX_LOOP_TURNS:
                raise TemplateLimitError(
                    f"loops turned more than {MAX_LOOP_TURNS:,} times in one handout"
                )
            yield item

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise TemplateLimitError(
                f"range of {len(numbers):,} numbers, more than the limit of {MAX_RANGE:,}"
            )
        return numbers

    # --- attributes and calls ---------------------------------------------------------

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr in _REFUSED_METHODS and callable(value):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Undefined):
            str(obj)  # "'config' is undefined" rather than "'__class__' is unsafe"
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Undefined):
            str(obj)
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refuse at once, not when the value is printed: an unsafe attribute passed on
        through filters would otherwise end as a vague "undefined" somewhere else."""
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe"
        )

    def wrap_str_format(self, value: Any) -> None:
        """``str.format`` is refused (see ``_REFUSED_METHODS``), not wrapped."""
        return None

    def call(
        __self,  # Jinja's spelling: a template may pass an argument called "self"
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        # Jinja passes the variables of the enclosing block or loop along to Context.call,
        # which takes them out again: they are not arguments.
        passed = [v for k, v in kwargs.items() if k not in ("_block_vars", "_loop_vars")]
        __self.check_size(__self.sizes(*args, *passed), "the arguments of a call")
        usage = _USAGE.get()
        if usage is None:
            return __self.checked_value(__context.call(__obj, *args, **kwargs), "a call's result")
        if usage.depth >= MAX_CALL_DEPTH:
            raise TemplateLimitError(
                f"calls nested more than {MAX_CALL_DEPTH} deep (a macro or loop calling itself?)"
            )
        if isinstance(__obj, LoopContext) and args:
            args = (__self.turns(args[0]), *args[1:])  # the next level of a recursive loop
        usage.depth += 1
        try:
            result = __context.call(__obj, *args, **kwargs)
        finally:
            usage.depth -= 1
        return __self.checked_value(result, "a call's result")

    # --- filters ----------------------------------------------------------------------

    def checked_filter(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` with its arguments and its result size-checked."""
        passes_first = getattr(func, "jinja_pass_arg", None) is not None

        @wraps(func)
        def checked(*args: Any, **kwargs: Any) -> Any:
            values = args[1:] if passes_first else args
            self.check_size(self.sizes(*values, *kwargs.values()), "a filter's input")
            return self.checked_value(func(*args, **kwargs), "a filter's result")

        return checked

    def _center(self, value: Any, width: int = 80) -> str:
        self.check_size(int(width), "center's width")
        return do_center(value, width)

    def _indent(
        self, s: str, width: int | str = 4, first: bool = False, blank: bool = False
    ) -> str:
        step = len(width) if isinstance(width, str) else int(width)
        self.check_size(len(str(s)) + (str(s).count("\n") + 1) * step, "the indented text")
        return str(do_indent(s, width, first, blank))

    def _wordwrap(
        self,
        s: str,
        width: int = 79,
        break_long_words: bool = True,
        wrapstring: str | None = None,
        break_on_hyphens: bool = True,
    ) -> str:
        wrap = len(wrapstring) if wrapstring is not None else 2
        self.check_size(len(str(s)) * (1 + wrap), "the wrapped text")
        return do_wordwrap(self, s, width, break_long_words, wrapstring, break_on_hyphens)

    @pass_eval_context
    def _replace(
        self, eval_ctx: EvalContext, s: str, old: str, new: str, count: int | None = None
    ) -> str:
        text, old_s, new_s = str(s), str(old), str(new)
        found = text.count(old_s) if old_s else len(text) + 1
        if count is not None and count >= 0:
            found = min(found, count)
        self.check_size(len(text) + found * len(new_s), "the text after replace")
        return str(do_replace(eval_ctx, s, old, new, count))

    @pass_eval_context
    def _join(
        self, eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None
    ) -> str:
        items = list(value)
        size = size_of(items, self.max_chars) + len(str(d)) * max(len(items) - 1, 0)
        self.check_size(size, "the joined text")
        return sync_do_join(eval_ctx, items, d, attribute)

    def _format(self, value: str, *args: Any, **kwargs: Any) -> str:
        self._check_percent(str(value), (args, kwargs), "the text made by format")
        return do_format(value, *args, **kwargs)

    def _batch(self, value: Iterable[Any], linecount: int, fill_with: Any = None) -> Any:
        self.check_size(int(linecount) * max(size_of(fill_with, self.max_chars), 1), "batch")
        return list(do_batch(value, linecount, fill_with))

    def _slice(self, value: abc.Collection[Any], slices: int, fill_with: Any = None) -> Any:
        self.check_size(int(slices) * max(size_of(fill_with, self.max_chars), 1), "slice")
        return list(sync_do_slice(value, slices, fill_with))

    @pass_eval_context
    def _tojson(self, eval_ctx: EvalContext, value: Any, indent: int | None = None) -> Any:
        if indent is not None and not 0 <= int(indent) <= 8:
            raise TemplateLimitError(f"tojson indent of {indent}, more than 8")
        return do_tojson(eval_ctx, value, indent)

    def _sum(self, iterable: Iterable[Any], attribute: Any = None, start: Any = 0) -> Any:
        # Adding up lists or strings is quadratic, in C code the time limit cannot stop.
        if not isinstance(start, int | float):
            raise TemplateLimitError("sum adds up numbers only")
        return sync_do_sum(self, iterable, attribute, start)


# --- the project's environment ------------------------------------------------------------

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
