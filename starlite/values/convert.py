"""Converting between plain Python data and Starlark values.

``to_starlark(x)``: None, bool, int, float, str and bytes are the same in both worlds; a
``list`` becomes a Starlark list, a ``tuple`` a tuple, a ``dict`` a dict, a ``set`` or
``frozenset`` a set, recursively. Starlark values (lists, structs, builtins, host values ...)
pass through unchanged. Anything else is a ``TypeError``: wrap host functions in
``starlite.Builtin`` and host objects in a ``starlite.HostValue`` subclass.

``to_python(v)``: the reverse: lists become ``list``, dicts ``dict``, sets ``set``, tuples
``tuple``, structs a ``dict`` of their fields; everything else is returned as is. A dict or set
whose keys Python would merge (``True`` and ``1``, which Starlark keeps apart) is an
``EvalError``.

Both walk the data with an explicit stack, so nesting depth is unlimited, and both preserve
sharing and cycles (an object converted twice gives the same result object).
"""

from __future__ import annotations

from typing import Any

from ..errors import EvalError
from .core import Builtin, Dict, HostValue, List, Module, Set, Struct, type_name
from .keys import put_key, unbox

_SCALARS = (type(None), bool, int, float, str, bytes)
_PASS = (List, Dict, Set, Struct, Module, Builtin, range)


def _scalar(x: Any) -> Any:
    """``x`` as an exact scalar type (subclasses such as IntEnum are normalised), or a
    sentinel when ``x`` is not a scalar."""
    t = type(x)
    if t in _SCALARS:
        return x
    if isinstance(x, bool):
        return bool(x)
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x)
    if isinstance(x, str):
        return str(x)
    if isinstance(x, bytes):
        return bytes(x)
    return _NOT


_NOT = object()


def to_starlark(x: Any) -> Any:
    """Convert plain Python data to Starlark values (see the module docstring)."""
    r = _scalar(x)
    if r is not _NOT:
        return r
    if _is_starlark(x):
        return x
    memo: dict[int, Any] = {}
    keep: list[Any] = []  # keeps converted inputs alive so that their ids stay unique
    todo: list[tuple[Any, Any]] = []  # (python container, empty starlark container) to fill
    root = _convert_child(x, memo, keep, todo)
    _fill(todo, memo, keep)
    return root


def _is_starlark(x: Any) -> bool:
    if isinstance(x, _PASS) or isinstance(x, HostValue):
        return True
    return type_name(x) == "function"


def _make(x: Any, memo: dict[int, Any], keep: list[Any]) -> Any:
    """An empty Starlark container for Python container ``x`` (registered in ``memo``)."""
    if isinstance(x, list):
        r: Any = List()
    elif isinstance(x, dict):
        r = Dict()
    elif isinstance(x, (set, frozenset)):
        r = Set()
    elif isinstance(x, tuple):
        r = _tuple(x, memo, keep)
    else:
        raise TypeError(f"cannot convert {type(x).__name__} to a Starlark value")
    memo[id(x)] = r
    keep.append(x)
    return r


def _tuple(x: tuple[Any, ...], memo: dict[int, Any], keep: list[Any]) -> tuple[Any, ...]:
    """Tuples are immutable, so their elements are converted first (iteratively)."""
    # post-order over nested tuples; other containers are created empty and filled later
    out: dict[int, tuple[Any, ...]] = {}
    stack: list[tuple[tuple[Any, ...], bool]] = [(x, False)]
    pending: list[tuple[Any, Any]] = []
    while stack:
        t, done = stack.pop()
        if id(t) in out or id(t) in memo:
            continue
        if not done:
            stack.append((t, True))
            for e in t:
                if isinstance(e, tuple) and id(e) not in out and id(e) not in memo:
                    stack.append((e, False))
            continue
        elems = []
        for e in t:
            if isinstance(e, tuple):
                if id(e) in memo:
                    elems.append(memo[id(e)])
                elif id(e) in out:
                    elems.append(out[id(e)])
                else:  # a tuple that contains itself cannot be built
                    raise TypeError("cannot convert a self-referential tuple")
            else:
                elems.append(_convert_child(e, memo, keep, pending))
        out[id(t)] = tuple(elems)
        memo[id(t)] = out[id(t)]
        keep.append(t)
    _fill(pending, memo, keep)
    return out[id(x)]


def _fill(todo: list[tuple[Any, Any]], memo: dict[int, Any], keep: list[Any]) -> None:
    while todo:
        src, dst = todo.pop()
        t = type(dst)
        if t is List:
            for e in src:
                dst.append(_convert_child(e, memo, keep, todo))
        elif t is Dict:
            for k, v in src.items():
                sk = put_key(dst, _convert_key(k, memo, keep, todo))
                dst[sk] = _convert_child(v, memo, keep, todo)
        elif t is Set:
            for e in src:
                dst.d[put_key(dst, _convert_key(e, memo, keep, todo))] = None


def _convert_child(e: Any, memo: dict[int, Any], keep: list[Any], todo: list[Any]) -> Any:
    r = _scalar(e)
    if r is not _NOT:
        return r
    if _is_starlark(e):
        return e
    got = memo.get(id(e))
    if got is not None:
        return got
    r = _make(e, memo, keep)
    if type(r) is not tuple:
        todo.append((e, r))
    return r


def _convert_key(k: Any, memo: dict[int, Any], keep: list[Any], todo: list[Any]) -> Any:
    r = _convert_child(k, memo, keep, todo)
    try:
        hash(r)
    except TypeError:
        raise TypeError(f"unhashable dict key or set element: {type(k).__name__}") from None
    return r


def to_python(v: Any) -> Any:
    """Convert Starlark values to plain Python data (see the module docstring)."""
    t = type(v)
    if t is not List and t is not Dict and t is not Set and t is not tuple and t is not Struct:
        return v
    memo: dict[int, Any] = {}
    todo: list[tuple[Any, Any]] = []
    root = _py_make(v, memo, todo)
    while todo:
        src, dst = todo.pop()
        t = type(src)
        if t is List:
            for e in src:
                dst.append(_py_child(e, memo, todo))
        elif t is Dict:
            for k, x in src.items():
                if src.boxed:
                    k = _py_key(dst, unbox(k))
                dst[_py_child(k, memo, todo)] = _py_child(x, memo, todo)
        elif t is Set:
            for e in src.d:
                if src.boxed:
                    e = _py_key(dst, unbox(e))
                dst.add(_py_child(e, memo, todo))
        elif t is Struct:
            for k, x in src.fields.items():
                dst[k] = _py_child(x, memo, todo)
    return root


def _py_key(dst: Any, k: Any) -> Any:
    """``k``, unless Python would merge it with a key of ``dst`` that Starlark keeps apart
    (``True`` and ``1``, ``(False,)`` and ``(0,)`` ...)."""
    if k in dst:
        raise EvalError(
            f"to_python: {type_name(k)} key {k!r} equals another key in Python (True == 1)"
        )
    return k


def _py_make(v: Any, memo: dict[int, Any], todo: list[Any]) -> Any:
    t = type(v)
    if t is List:
        r: Any = []
    elif t is Dict or t is Struct:
        r = {}
    elif t is Set:
        r = set()
    else:  # tuple: convert its elements first, iteratively
        r = _py_tuple(v, memo, todo)
        return r
    memo[id(v)] = r
    todo.append((v, r))
    return r


def _py_tuple(x: tuple[Any, ...], memo: dict[int, Any], todo: list[Any]) -> tuple[Any, ...]:
    stack: list[tuple[tuple[Any, ...], bool]] = [(x, False)]
    while stack:
        t, done = stack.pop()
        if id(t) in memo:
            continue
        if not done:
            stack.append((t, True))
            stack.extend((e, False) for e in t if type(e) is tuple and id(e) not in memo)
            continue
        memo[id(t)] = tuple(_py_child(e, memo, todo) for e in t)
    return memo[id(x)]  # type: ignore[no-any-return]


def _py_child(e: Any, memo: dict[int, Any], todo: list[Any]) -> Any:
    t = type(e)
    if t is not List and t is not Dict and t is not Set and t is not tuple and t is not Struct:
        return e
    got = memo.get(id(e))
    if got is not None:
        return got
    return _py_make(e, memo, todo)


__all__ = ["to_python", "to_starlark"]
