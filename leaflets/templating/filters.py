"""Sizes and filters: the checks that keep every value a template makes under
``max_chars``, and Jinja's filters with their input and result checked (those that
multiply their input checked before they run)."""

from __future__ import annotations

from collections import abc
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from jinja2 import Undefined, pass_eval_context
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
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .limits import PERCENT_SPEC, PRINT_FACTOR, USAGE, TemplateLimitError, size_of, spec_width


class SizeCheckedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox in which no value, printed value or filter result is
    bigger than ``max_chars``, and no output bigger than ``PRINT_FACTOR`` times that."""

    def __init__(self, *, max_chars: int, **options: Any) -> None:
        super().__init__(**options)
        self.max_chars = max_chars
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
        usage = USAGE.get()
        if usage is not None:
            usage.printed += size
            if usage.printed > self.page_limit:
                raise TemplateLimitError(
                    f"the template prints over {self.page_limit:,} characters of values"
                )
        return value

    def _check_percent(self, text: str, values: Any, what: str) -> None:
        size = len(text) + size_of(values, self.max_chars)
        for match in PERCENT_SPEC.finditer(text):
            size += spec_width(match.group(1), what) + spec_width(match.group(2), what)
        self.check_size(size, what)

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
