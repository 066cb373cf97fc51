"""The sandbox templates run in: Jinja's immutable sandbox with limits on operators,
numbers, loops, call depth and printed output (see the package's docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import Template, Undefined
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.nodes import Call, Concat, Dict, EnvironmentAttribute, For, List, Tuple
from jinja2.runtime import Context, LoopContext

from .filters import SizeCheckedSandbox
from .limits import (
    MAX_CALL_DEPTH,
    MAX_INT_BITS,
    MAX_LOOP_TURNS,
    MAX_RANGE,
    REFUSED_METHODS,
    USAGE,
    PageTooLargeError,
    TemplateLimitError,
    Usage,
    size_of,
)


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
        token = USAGE.set(Usage())
        try:
            parts = self.root_render_func(self.new_context(dict(*args, **kwargs)))
            return "".join(env.bounded(parts, PageTooLargeError(env.page_limit)))
        except Exception:
            env.handle_exception()
        finally:
            USAGE.reset(token)


class LeafletSandbox(SizeCheckedSandbox):
    """Jinja's immutable sandbox, with the limits described in the package's docstring."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    code_generator_class = _CheckedCodeGenerator
    template_class = _MeteredTemplate

    def __init__(self, *, max_chars: int, **options: Any) -> None:
        super().__init__(max_chars=max_chars, finalize=self._finalize, **options)
        # lipsum(n) writes n paragraphs: no use in a handout, and a way to fill memory.
        del self.globals["lipsum"]
        self.globals["range"] = self._range

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

    def turns(self, iterable: Iterable[Any]) -> Iterable[Any]:
        """A loop's iterable, counting its turns against the render's budget."""
        usage = USAGE.get()
        if usage is None:
            return iterable
        return self._counted(iterable, usage)

    def _counted(self, iterable: Iterable[Any], usage: Usage) -> Iterator[Any]:
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
        if attr in REFUSED_METHODS and callable(value):
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
        """``str.format`` is refused (see ``REFUSED_METHODS``), not wrapped."""
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
        usage = USAGE.get()
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
