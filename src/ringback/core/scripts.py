"""Filling in user-written scripts in a locked-down Jinja2 sandbox.

A script is text a seller writes (a voicemail, a card note, an email) with ``{{ contact.first_name }}``
style blanks. It is code written by one account and run for that account on a shared server, so
it may only read the values it is given and must not be able to freeze or poison the server:

- It runs in Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`: no attribute
  starting with an underscore, no method that changes a list or dict. On top of that only a short
  list of harmless text methods (``upper``, ``strip``, ``split``…) and filters can be used, and
  the values are deep-copied for every render, so nothing one render does is seen by another.
- Only expressions, ``if``, ``for`` over short sequences, ``set`` and ``with`` are allowed: no
  macros, blocks, includes or ``{% set %}…{% endset %}`` captures (:data:`REFUSED_TAGS`).
- Nothing the seller wrote is evaluated while compiling (no constant folding of their code).
- Arithmetic and text-building are checked before they run: ``9 ** 12000000`` or ``"a" * 10**8``
  is refused instead of computed (:data:`MAX_INT_BITS`, :data:`MAX_VALUE_CHARS`).
- A render has a budget: :data:`MAX_ITERATIONS` loop turns, :data:`MAX_STEPS` calls, filters and
  operations, :data:`MAX_OUTPUT_CHARS` characters out, and :data:`MAX_RENDER_SECONDS` of wall
  clock, checked as it goes.

Every failure, whatever its cause, is a :class:`~ringback.core.errors.TemplateError` with the line
of the script it happened on.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any

from jinja2 import ChainableUndefined, Template, nodes, pass_context
from jinja2 import TemplateError as JinjaError
from jinja2.runtime import Context, LoopContext, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg
from jinja2.visitor import NodeTransformer

from ringback.core.errors import TemplateError

#: Longest script accepted, in characters.
MAX_SCRIPT_CHARS = 20_000
#: Longest text a script may produce.
MAX_OUTPUT_CHARS = 20_000
#: Longest text, list or mapping a script may build while it runs.
MAX_VALUE_CHARS = 20_000
#: Largest whole number a script may compute (about 300 digits).
MAX_INT_BITS = 1_024
#: Loop turns, in all loops of one render together.
MAX_ITERATIONS = 1_000
#: Calls, filters and checked operations in one render.
MAX_STEPS = 20_000
#: Wall-clock time one render may take.
MAX_RENDER_SECONDS = 0.5

#: Tags a script may not use, and what to say instead.
REFUSED_TAGS: dict[type[nodes.Node], str] = {
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.FilterBlock: "filter",
    nodes.AssignBlock: "set … endset",
    nodes.Block: "block",
    nodes.Extends: "extends",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from … import",
    nodes.ExprStmt: "do",
    nodes.Scope: "scope",
    nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape",
    nodes.NSRef: "set name.attribute =",
}

#: Methods of text a script may call: each returns something no bigger than the text.
TEXT_METHODS = frozenset(
    {
        "capitalize",
        "casefold",
        "count",
        "endswith",
        "find",
        "isalnum",
        "isalpha",
        "isdigit",
        "islower",
        "isspace",
        "istitle",
        "isupper",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "rfind",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
    }
)
#: Methods of mappings and sequences a script may call (reading only).
MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})
SEQUENCE_METHODS = frozenset({"count", "index"})
#: What ``loop`` offers inside a ``for``.
LOOP_ATTRIBUTES = frozenset(
    {
        "changed",
        "cycle",
        "depth",
        "depth0",
        "first",
        "index",
        "index0",
        "last",
        "length",
        "nextitem",
        "previtem",
        "revindex",
        "revindex0",
    }
)
#: The methods of ``loop`` (the rest of LOOP_ATTRIBUTES are values).
LOOP_METHODS = frozenset({"changed", "cycle"})


def _offered(obj: object, loop_names: frozenset[str]) -> frozenset[str]:
    """The names of ``obj`` a script may use (``loop_names`` for a ``for``'s ``loop``)."""
    if isinstance(obj, str):
        return TEXT_METHODS
    if isinstance(obj, Mapping):
        return MAPPING_METHODS
    if isinstance(obj, list | tuple):
        return SEQUENCE_METHODS
    if isinstance(obj, LoopContext):
        return loop_names
    return frozenset()


#: Jinja2's built-in filters a script may use (each wrapped with the checks below).
FILTERS = (
    "abs",
    "attr",
    "capitalize",
    "center",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "groupby",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "select",
    "selectattr",
    "sort",
    "string",
    "striptags",
    "sum",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "urlencode",
    "wordcount",
    "wordwrap",
)


class _Refused(JinjaError):
    """A limit or a rule of the sandbox was hit while rendering."""


@dataclass(slots=True)
class _Budget:
    deadline: float
    iterations: int = MAX_ITERATIONS
    steps: int = MAX_STEPS

    def step(self, count: int = 1) -> None:
        self.steps -= count
        if self.steps < 0:
            raise _Refused(f"the script does more than {MAX_STEPS:,} operations")
        if time.monotonic() > self.deadline:
            raise _Refused(f"the script took longer than {MAX_RENDER_SECONDS:g} s to fill in")

    def turn(self) -> None:
        self.iterations -= 1
        if self.iterations < 0:
            raise _Refused(f"the script's loops go round more than {MAX_ITERATIONS:,} times")
        self.step()


_BUDGET: ContextVar[_Budget | None] = ContextVar("ringback_script_budget", default=None)


def _budget() -> _Budget:
    budget = _BUDGET.get()
    if budget is None:  # compiled code run outside render_script: give it a budget of its own
        budget = _Budget(deadline=time.monotonic() + MAX_RENDER_SECONDS)
        _BUDGET.set(budget)
    return budget


def _size(value: object) -> int | None:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset | range):
        return len(value)
    return None


def _check_value(value: object) -> object:
    """Refuse a built value that is too big (text, sequences, mappings, whole numbers)."""
    size = _size(value)
    if size is not None and size > MAX_VALUE_CHARS:
        raise _Refused(f"the script builds a value longer than {MAX_VALUE_CHARS:,} characters")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise _Refused("the script computes a number that is too large")
    return value


def _check_args(args: Iterable[object]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_VALUE_CHARS:
            raise _Refused(f"the number {arg} is too large to use here (at most {MAX_VALUE_CHARS:,})")
        _check_value(arg)


def _product_size(left: object, right: object) -> None:
    """``left * right`` repeating text or a sequence: refuse before building a huge one."""
    for seq, times in ((left, right), (right, left)):
        size = _size(seq)
        if size is not None and isinstance(times, int) and size * max(times, 0) > MAX_VALUE_CHARS:
            raise _Refused(f"the script builds a value longer than {MAX_VALUE_CHARS:,} characters")


def _power_size(base: object, exponent: object) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        bits = max(abs(base).bit_length() - 1, 0) * exponent
        if abs(base) > 1 and bits > MAX_INT_BITS:
            raise _Refused("the script computes a number that is too large")


def _guarded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that counts against the budget, checks its arguments and result, and passes the
    context so that Jinja never runs it while compiling."""
    passes = _PassArg.from_obj(function)

    @pass_context
    @wraps(function)
    def guarded(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        _budget().step()
        _check_args((*args, *kwargs.values()))
        if name == "replace" and isinstance(value, str) and len(args) >= 2:
            old, new = str(args[0]), str(args[1])
            count = value.count(old) if old else len(value) + 1
            if len(value) + count * (len(new) - len(old)) > MAX_VALUE_CHARS:
                raise _Refused(f"the script builds a value longer than {MAX_VALUE_CHARS:,} characters")
        if name == "join":
            value = list(value) if not isinstance(value, str) else value
            separator = str(args[0]) if args else str(kwargs.get("d", ""))
            if len(separator) * len(value) > MAX_VALUE_CHARS:
                raise _Refused(f"the script builds a value longer than {MAX_VALUE_CHARS:,} characters")
        if passes is _PassArg.context:
            result = function(context, value, *args, **kwargs)
        elif passes is _PassArg.eval_context:
            result = function(context.eval_ctx, value, *args, **kwargs)
        elif passes is _PassArg.environment:
            result = function(context.environment, value, *args, **kwargs)
        else:
            result = function(value, *args, **kwargs)
        return _check_value(result)

    return guarded


class _Guard(NodeTransformer):
    """Rewrites a parsed script so that loops and ``~`` go through the sandbox's checks."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        if node.recursive:
            raise _Refused("recursive loops are not allowed in a script")
        visited = self.generic_visit(node)
        assert isinstance(visited, nodes.For)
        visited.iter = nodes.Call(
            nodes.EnvironmentAttribute("guard_loop", lineno=node.lineno),
            [visited.iter],
            [],
            None,
            None,
            lineno=node.lineno,
        )
        return visited

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        visited = self.generic_visit(node)
        assert isinstance(visited, nodes.Concat)
        return nodes.Call(
            nodes.EnvironmentAttribute("guard_concat", lineno=node.lineno),
            list(visited.nodes),
            [],
            None,
            None,
            lineno=node.lineno,
        )


def _kind(value: object) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a set of values"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__} value"


def _range(*args: int) -> range:
    _check_args(args)
    values = range(*args)
    if len(values) > MAX_ITERATIONS:
        raise _Refused(f"range() may give at most {MAX_ITERATIONS:,} numbers")
    return values


class ScriptEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox scripts run in; see the module's documentation for what it allows."""

    intercepted_binops = frozenset({"*", "**", "+", "-", "/", "//", "%"})
    intercepted_unops = frozenset({"-", "+"})

    def __init__(self) -> None:
        super().__init__(
            undefined=ChainableUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            optimized=False,
            auto_reload=False,
            cache_size=0,
        )
        self.globals.clear()
        self.globals.update(range=_range, dict=dict)
        builtin = dict(self.filters)
        self.filters.clear()
        self.filters.update({name: _guarded_filter(name, builtin[name]) for name in FILTERS})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        return isinstance(obj, Undefined) or attr in _offered(obj, LOOP_ATTRIBUTES)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise _Refused(f"{attribute!r} of {_kind(obj)} can't be used in a script")

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format is not offered at all (see TEXT_METHODS)

    def is_safe_callable(self, obj: Any) -> bool:
        if obj is _range or obj is dict or isinstance(obj, Undefined):
            return True
        if obj in (self.guard_loop, self.guard_concat):
            return True
        owner = getattr(obj, "__self__", None)
        return owner is not None and getattr(obj, "__name__", "") in _offered(owner, LOOP_METHODS)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _budget().step()
        if not __self.is_safe_callable(__obj):
            raise _Refused(f"{getattr(__obj, '__name__', type(__obj).__name__)}() can't be used in a script")
        _check_args((*args, *kwargs.values()))
        return _check_value(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _budget().step()
        if operator == "%" and isinstance(left, str):
            raise _Refused("text formatting with % is not allowed: write {{ value }} where it goes")
        if operator == "*":
            _product_size(left, right)
        elif operator == "**":
            _power_size(left, right)
        elif operator == "+":
            size_left, size_right = _size(left), _size(right)
            if size_left is not None and size_right is not None and size_left + size_right > MAX_VALUE_CHARS:
                raise _Refused(f"the script builds a value longer than {MAX_VALUE_CHARS:,} characters")
        return _check_value(self.binop_table[operator](left, right))

    def call_unop(self, context: Context, operator: str, arg: Any) -> Any:
        _budget().step()
        return self.unop_table[operator](arg)

    def guard_loop(self, iterable: Any) -> Iterator[Any]:
        """Iterate as a ``for`` of a script does, counting each turn against the budget."""
        budget = _budget()
        size = _size(iterable)
        if size is not None and size > budget.iterations:
            raise _Refused(f"the script's loops go round more than {MAX_ITERATIONS:,} times")
        return self._turns(budget, iterable)

    @staticmethod
    def _turns(budget: _Budget, iterable: Any) -> Iterator[Any]:
        for item in iterable:
            budget.turn()
            yield item

    def guard_concat(self, *parts: Any) -> str:
        """``a ~ b``: joined as text, refused if too long."""
        _budget().step()
        text = "".join(str(part) for part in parts)
        return str(_check_value(text))


_ENV = ScriptEnvironment()

#: The errors a render can end in, besides Jinja's own; anything else is a bug in Ringback.
_RENDER_FAILURES = (
    JinjaError,
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    AttributeError,
    RecursionError,
    MemoryError,
)


def _template_line(exc: BaseException) -> int | None:
    """The line of the script an error happened on (Jinja rewrites tracebacks to point at it)."""
    line = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line if isinstance(line, int) else None


def _failure(exc: BaseException) -> TemplateError:
    line = _template_line(exc)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, ZeroDivisionError):
        message = "division by zero"
    elif isinstance(exc, OverflowError):
        message = "the script computes a number that is too large"
    elif isinstance(exc, RecursionError):
        message = "the script is nested too deeply"
    elif isinstance(exc, MemoryError):
        message = "the script needs too much memory"
    return TemplateError(message, line=line)


def _parse(text: str) -> nodes.Template:
    if len(text) > MAX_SCRIPT_CHARS:
        raise TemplateError(f"the script is longer than {MAX_SCRIPT_CHARS:,} characters")
    try:
        return _ENV.parse(text)
    except _RENDER_FAILURES as exc:
        raise _failure(exc) from None


def script_tree(text: str) -> nodes.Template:
    """The script parsed (not compiled, nothing run); :class:`TemplateError` with the line if its
    syntax is wrong or it is too long."""
    return _parse(text)


def script_syntax_check(text: str) -> None:
    """Raise :class:`TemplateError` with the line if the script is not valid template syntax.

    Only the syntax: what a script may do is checked when it is saved (:func:`check_script`).
    """
    _parse(text)


def _compile_checked(text: str) -> Template:
    tree = _parse(text)
    try:
        for node in tree.find_all(tuple(REFUSED_TAGS)):
            raise TemplateError(
                f"{{% {REFUSED_TAGS[type(node)]} %}} is not allowed in a script", line=node.lineno
            )
        guarded = _Guard().visit(tree)
        return _ENV.from_string(guarded)
    except TemplateError:
        raise
    except _RENDER_FAILURES as exc:
        raise _failure(exc) from None


@lru_cache(maxsize=512)
def _compile(text: str) -> Template | TemplateError:
    try:
        return _compile_checked(text)
    except TemplateError as exc:
        return exc


def compile_script(text: str) -> Template:
    """The script compiled for the sandbox; :class:`TemplateError` with the line if it can't be.

    Refuses scripts that are too long, have a syntax error or use a tag scripts may not use.
    """
    compiled = _compile(text)
    if isinstance(compiled, TemplateError):
        raise TemplateError(compiled.detail, line=compiled.line)
    return compiled


def render_script(text: str, variables: Mapping[str, object], *, keep_lines: bool = False) -> str:
    """The script filled in with ``variables``, its lines joined into one paragraph (or kept as
    written, with ``keep_lines``).

    Unknown names come out empty. The variables are deep-copied first, so a render can never
    change what another render sees. Any failure, including a limit reached, is a
    :class:`TemplateError` naming the problem and its line; nothing else escapes.
    """
    template = compile_script(text)
    budget = _Budget(deadline=time.monotonic() + MAX_RENDER_SECONDS)
    token = _BUDGET.set(budget)
    pieces: list[str] = []
    length = 0
    try:
        for piece in template.generate(**copy.deepcopy(dict(variables))):
            length += len(piece)
            if length > MAX_OUTPUT_CHARS:
                raise _Refused(f"the filled-in script is longer than {MAX_OUTPUT_CHARS:,} characters")
            budget.step()
            pieces.append(piece)
    except _RENDER_FAILURES as exc:
        raise _failure(exc) from None
    finally:
        _BUDGET.reset(token)
    rendered = "".join(pieces)
    if keep_lines:
        return rendered
    return " ".join(line.strip() for line in rendered.strip().splitlines() if line.strip())


def check_script(text: str, samples: Iterable[Mapping[str, object]]) -> None:
    """Refuse a script, as saving it would, if it can't be compiled or filled in for each sample.

    Raises :class:`TemplateError` with the reason and the line of the script.
    """
    compile_script(text)
    for variables in samples:
        render_script(text, variables)
