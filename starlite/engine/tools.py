"""Tools: host functions a tool script can call, and how their names become identifiers.

A :class:`Tool` has a real name (what a server publishes, e.g. ``list-issues``), a description,
a Python function and optionally a JSON Schema of its input (as in MCP's ``inputSchema``).
Inside a script the tool is a function named :func:`sanitize_name` of the real name; tools
take keyword arguments only, because JSON-schema'd tools have named parameters and no order.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..syntax.lexer import KEYWORDS

#: Python keywords that are not Starlark keywords but are reserved by the Starlark spec.
RESERVED_WORDS = frozenset(
    "as assert async await class del except finally from global import is nonlocal raise try "
    "with yield".split()
)

_NOT_IDENT = re.compile(r"[^A-Za-z0-9_]")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def sanitize_name(name: str) -> str:
    """The identifier under which a tool is visible in scripts.

    Every character outside ``[A-Za-z0-9_]`` becomes ``_``; a leading digit gets a ``_``
    prefix; a (reserved) keyword gets a ``_`` suffix::

        list-issues -> list_issues      2fa.check -> _2fa_check      for -> for_
    """
    s = _NOT_IDENT.sub("_", name)
    if not s:
        raise ValueError("a tool name must not be empty")
    if s[0].isdigit():
        s = "_" + s
    if s in KEYWORDS or s in RESERVED_WORDS:
        s += "_"
    return s


def is_identifier(name: str) -> bool:
    """Whether ``name`` can be used as a Starlark global (for ``data`` entries)."""
    return bool(_IDENT.match(name)) and name not in KEYWORDS and name not in RESERVED_WORDS


@dataclass(frozen=True)
class Param:
    """One parameter of a tool, for descriptions and error messages."""

    name: str
    type: str = ""
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Tool:
    """A host function callable from tool scripts.

    ``fn`` is called with keyword arguments only, converted to plain Python values (None,
    bool, int, float, str, list, dict); it returns such a value. It may be a plain function
    or a coroutine function (or return an awaitable): see :class:`starlite.engine.Engine`
    for where each kind runs. An exception it raises becomes a script error
    ``tool NAME failed: ...``.

    ``input_schema``: a JSON Schema object (``{"type": "object", "properties": {...},
    "required": [...]}``) describing the keyword arguments. When given, a call missing a
    ``required`` property fails before the tool runs, and so does an unknown argument if the
    schema says ``"additionalProperties": false``. Without a schema the parameters are read
    from ``fn``'s Python signature (for descriptions and error messages only).
    """

    name: str
    description: str
    fn: Callable[..., Any]
    input_schema: Mapping[str, Any] | None = None
    is_async: bool = field(init=False, repr=False, compare=False)
    params: tuple[Param, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("a tool name must be a non-empty string")
        if not callable(self.fn):
            raise TypeError(f"tool {self.name}: fn must be callable")
        object.__setattr__(self, "is_async", _is_async(self.fn))
        object.__setattr__(self, "params", tuple(_params(self.fn, self.input_schema)))

    @property
    def identifier(self) -> str:
        """The name of the tool's function inside scripts."""
        return sanitize_name(self.name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params if p.required)

    @property
    def closed(self) -> bool:
        """Whether arguments outside the schema's properties are refused."""
        s = self.input_schema
        return s is not None and s.get("additionalProperties") is False

    def signature(self) -> str:
        """``list_issues(owner: string, repo: string, state?: string)``: the call shape shown
        to script authors (``?`` marks an optional parameter)."""
        parts = []
        for p in self.params:
            opt = "" if p.required else "?"
            parts.append(f"{p.name}{opt}: {p.type}" if p.type else f"{p.name}{opt}")
        return f"{self.identifier}({', '.join(parts)})"

    def param_list(self) -> str:
        """The parameter names for error messages: ``owner, repo, state`` or ``none``."""
        return ", ".join(p.name for p in self.params) or "none"


def _is_async(fn: Callable[..., Any]) -> bool:
    f = fn
    while True:  # functools.partial and friends
        inner = getattr(f, "func", None)
        if inner is None or not callable(inner):
            break
        f = inner
    return inspect.iscoroutinefunction(f) or inspect.iscoroutinefunction(
        getattr(f, "__call__", None)  # noqa: B004 - an async __call__ method
    )


def _schema_type(prop: Any) -> str:
    if not isinstance(prop, Mapping):
        return ""
    t = prop.get("type")
    if isinstance(t, str):
        return t
    if isinstance(t, list):
        return " | ".join(str(x) for x in t)
    if "enum" in prop and isinstance(prop["enum"], list):
        return " | ".join(repr(x) for x in prop["enum"])
    return ""


def _params(fn: Callable[..., Any], schema: Mapping[str, Any] | None) -> Iterable[Param]:
    if schema is not None:
        props = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        for name, prop in props.items():
            desc = prop.get("description", "") if isinstance(prop, Mapping) else ""
            yield Param(str(name), _schema_type(prop), name in required, str(desc))
        return
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY):
            continue
        ann = p.annotation
        t = "" if ann is p.empty else ann.__name__ if isinstance(ann, type) else str(ann)
        yield Param(p.name, t, p.default is p.empty)
