"""Starlark values and how they map onto Python objects.

=================  ==========================================================================
Starlark           Python representation
=================  ==========================================================================
None, bool         ``None``, ``True`` / ``False``
int, float         ``int`` (unbounded), ``float``
string             ``str`` (a sequence of Unicode code points)
bytes              ``bytes``
tuple              ``tuple``
range              ``range``
list               :class:`List`, a ``list`` subclass with a mutation ``guard``
dict               :class:`Dict`, a ``dict`` subclass with a mutation ``guard``
set                :class:`Set` (insertion ordered; wraps a dict)
function           :class:`Function` (defined in ``starlite.compile.function``)
builtin            :class:`Builtin`, and :class:`BoundMethod` for ``x.method`` values
struct, module     :class:`Struct`, :class:`Module`
host values        subclasses of :class:`HostValue`
=================  ==========================================================================

Mutable containers carry ``guard``: 0 when they may be mutated, otherwise the sum of
``FROZEN`` (once frozen) and the number of active iterations. Every mutation checks
``if v.guard: check_mutable(v, ...)`` which raises the spec's message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..errors import EvalError
from .keys import box, box_all, keys_out, put_key

FROZEN = 1 << 40


class _Unbound:
    """The value of a variable slot that has not been assigned yet."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unbound>"


UNBOUND: Any = _Unbound()


def check_mutable(v: Any, verb: str = "insert into") -> None:
    """Raise the spec's error for mutating a frozen or iterating container ``v`` (whose guard
    is non-zero). ``verb`` is e.g. ``"append to"``, ``"insert into"``, ``"clear"``."""
    g = v.guard
    tn = type_name(v)
    if tn == "dict":
        tn = "hash table"  # starlark-go's wording for dicts
    if g >= FROZEN:
        raise EvalError(f"cannot {verb} frozen {tn}")
    raise EvalError(f"cannot {verb} {tn} during iteration")


_list_init = list.__init__
_NO_SOURCE: Any = object()  # Dict() without a source


class List(list):  # type: ignore[type-arg]
    """A Starlark list: a Python list plus a mutation guard."""

    __slots__ = ("guard",)

    def __init__(self, items: Any = ()) -> None:
        _list_init(self, items)  # (a default rather than *args: every new list runs this)
        self.guard = 0

    __hash__ = None  # type: ignore[assignment]


class Dict(dict):  # type: ignore[type-arg]
    """A Starlark dict: a Python dict (insertion ordered) plus a mutation guard.

    Keys are held in their stored form (see :mod:`starlite.values.keys`: ``True`` and ``1``
    are different keys); ``boxed`` is set when a bool key (or a tuple holding one) may be
    present, and then iterating the Python dict directly gives stored forms. ``Dict(m)``
    copies a mapping or an iterable of pairs of Starlark values."""

    __slots__ = ("guard", "boxed")

    def __init__(self, src: Any = _NO_SOURCE) -> None:
        self.guard = 0
        self.boxed = 0
        if src is not _NO_SOURCE:
            if type(src) is Dict:
                dict.update(self, src)
                self.boxed = src.boxed
                return
            for k, v in (src.items() if isinstance(src, dict) else src):
                self[put_key(self, k)] = v

    __hash__ = None  # type: ignore[assignment]


class Set:
    """A Starlark set: insertion ordered, backed by a dict ``d`` whose values are all None and
    whose keys are the elements' stored forms (see :class:`Dict`). ``Set(items)`` makes a set
    of Starlark values; :meth:`of_keys` wraps a dict of stored forms."""

    __slots__ = ("d", "guard", "boxed")

    def __init__(self, items: Any = ()) -> None:
        self.d, self.boxed = box_all(items if type(items) is list else list(items))
        self.guard = 0

    @staticmethod
    def of_keys(d: dict[Any, None], boxed: int) -> Set:
        """A set whose ``d`` is ``d`` (stored forms; ``boxed`` if any may be boxed)."""
        s = Set.__new__(Set)
        s.d = d
        s.boxed = boxed
        s.guard = 0
        return s

    def __len__(self) -> int:
        return len(self.d)

    def __iter__(self) -> Iterator[Any]:
        return iter(keys_out(self.d, self.boxed))

    def __contains__(self, x: Any) -> bool:
        return box(x) in self.d

    __hash__ = None  # type: ignore[assignment]


class Builtin:
    """A function implemented in Python.

    ``fn`` is called as ``fn(thread, *args, **kwargs)``. For the interpreter's own builtins,
    ``fn``'s Python signature *is* the Starlark signature (after the leading thread
    parameter); argument errors are reported in Starlark's words, e.g.
    ``len: got 2 arguments, want 1``. ``starlite.Builtin(name, fn)`` is also how a host
    exposes a function; an exception it raises becomes a Starlark error at the call site.

    ``recv`` is set for a method bound to a receiver (then ``fn(thread, recv, *args)``).
    """

    __slots__ = ("name", "fn", "sig", "recv", "host", "__weakref__")

    def __init__(self, name: str, fn: Callable[..., Any], recv: Any = None) -> None:
        self.name = name
        self.fn = fn
        self.recv = recv
        self.sig: Any = None  # a starlite.values.args.Signature, computed lazily
        # A host's function may return plain Python data (list, dict ...), which is converted
        # with to_starlark; the interpreter's own builtins are marked host=False.
        self.host = recv is None

    def __repr__(self) -> str:
        if self.recv is not None:
            return f"<built-in method {self.name} of {type_name(self.recv)} value>"
        return f"<built-in function {self.name}>"


class Struct:
    """An immutable record of named fields (``struct(a=1)``)."""

    __slots__ = ("fields", "__weakref__")

    def __init__(self, **fields: Any) -> None:
        self.fields: dict[str, Any] = fields

    def __eq__(self, other: object) -> bool:
        # Starlark equality (``True != 1``), since structs may be dict keys
        from .ops import equal

        return type(other) is Struct and equal(self, other)

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, v) for k, v in self.fields.items())))

    def __repr__(self) -> str:
        from .repr import repr_value

        return repr_value(self)


class Module:
    """A named bag of members (``module("m", f=...)``), like starlark-go's starlarkstruct.Module."""

    __slots__ = ("name", "members", "frozen", "__weakref__")

    def __init__(self, name: str, **members: Any) -> None:
        self.name = name
        self.members: dict[str, Any] = members
        self.frozen = False  # set by freeze: the members are frozen

    def __repr__(self) -> str:
        return f"<module {self.name!r}>"

    __hash__ = None  # type: ignore[assignment]  # unhashable, as in starlark-go


class HostValue:
    """Base class for host objects exposed to scripts as Starlark values.

    A subclass sets ``starlark_type`` and overrides only what it supports; the interpreter
    reaches host values only through these methods, never through Python attributes. The
    defaults say "not supported" (``None`` / ``NotImplemented``) and the interpreter turns that
    into the usual Starlark error.
    """

    starlark_type: str = "host_value"

    def attr(self, name: str) -> Any:
        """The field or method ``name``, or None when absent."""
        return None

    def attr_names(self) -> list[str]:
        return []

    def set_attr(self, name: str, value: Any) -> None:
        raise EvalError(f"{self.starlark_type} value does not support field assignment")

    def iterate(self) -> Iterator[Any] | None:
        """A Python iterator of Starlark values (may be infinite), or None if not iterable."""
        return None

    def length(self) -> int | None:
        return None

    def index(self, i: int) -> Any:
        return NotImplemented

    def truth(self) -> bool:
        return True

    def __bool__(self) -> bool:
        # Python truthiness of every value equals its Starlark truth; the interpreter relies
        # on it to test conditions natively.
        return bool(self.truth())

    def hash(self) -> int:
        raise EvalError(f"unhashable type: {self.starlark_type}")

    def freeze(self) -> None:
        return None

    def repr(self) -> str:
        return f"<{self.starlark_type}>"

    def call(self, thread: Any, *args: Any, **kwargs: Any) -> Any:
        return NotImplemented


# type() names. Function's entry is registered by starlite.compile.function.
TYPE_NAMES: dict[type, str] = {
    type(None): "NoneType",
    bool: "bool",
    int: "int",
    float: "float",
    str: "string",
    bytes: "bytes",
    tuple: "tuple",
    range: "range",
    List: "list",
    Dict: "dict",
    Set: "set",
    Builtin: "builtin_function_or_method",
    Struct: "struct",
    Module: "module",
}


# Values with nothing to freeze (see `freeze`).
_ATOMS = frozenset({str, int, float, bool, bytes, range, type(None)})


def type_name(v: Any) -> str:
    """The Starlark ``type(v)``."""
    t = TYPE_NAMES.get(type(v))
    if t is not None:
        return t
    if isinstance(v, HostValue):
        return v.starlark_type
    return type(v).__name__


def freeze(v: Any) -> Any:
    """Make ``v`` and everything reachable from it immutable; returns ``v``."""
    stack = [v]
    push = stack.append
    seen: set[int] = set()
    atoms = _ATOMS
    while stack:
        x = stack.pop()
        t = type(x)
        if t in atoms:
            continue
        if id(x) in seen:
            continue
        seen.add(id(x))
        # a frozen container's contents were frozen with it (only this function sets FROZEN,
        # and a frozen container cannot gain elements): nothing below it to visit; the
        # elements, often many scalars, are pushed only when they may hold something to freeze
        if t is List:
            if x.guard < FROZEN:
                x.guard += FROZEN
                for y in x:
                    if type(y) not in atoms:
                        push(y)
        elif t is Dict:
            if x.guard < FROZEN:
                x.guard += FROZEN
                for y in x:
                    if type(y) not in atoms:
                        push(y)
                for y in x.values():
                    if type(y) not in atoms:
                        push(y)
        elif t is tuple:
            stack.extend(x)
        elif t is Set:
            if x.guard < FROZEN:
                x.guard += FROZEN
                stack.extend(x.d)
        elif t is Struct:
            stack.extend(x.fields.values())
        elif t is Module:
            if not x.frozen:  # (its members cannot change, so once is enough)
                x.frozen = True
                stack.extend(x.members.values())
        elif t is Builtin:
            if x.recv is not None:
                stack.append(x.recv)
        elif isinstance(x, HostValue):
            x.freeze()
        else:
            fz = getattr(type(x), "_freeze_children", None)
            if fz is not None:
                stack.extend(fz(x))
    return v
