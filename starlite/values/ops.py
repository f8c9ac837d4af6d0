"""Generic value operations: truth, equality, ordering, hashing, operators, iteration, indexing,
attributes. These are the slow, general paths; the compiler inlines fast paths for the common
types (``int + int``, ``list[int]`` ...) and calls into here for everything else.

All errors are ``EvalError`` with starlark-go's wording; positions are added by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..errors import EvalError
from .collect import charged
from .core import (
    FROZEN,
    Builtin,
    Dict,
    HostValue,
    List,
    Module,
    Set,
    Struct,
    check_mutable,
    type_name,
)
from .keys import box, put_key, unbox

# Method tables: type -> {name: fn(thread, recv, *args, **kwargs)}; filled by starlite.builtins.
METHODS: dict[type, dict[str, Any]] = {}

MAX_DEPTH = 1000  # nesting depth at which deep equality/comparison/hash give up cleanly
# Deep walks (equality, ordering, hashing, membership) given a thread charge one step per
# ELEMS_PER_STEP elements of each container they examine plus one step per nested container,
# so comparing or hashing a huge or DAG-shaped value (``l = [l, l]`` repeated) is bounded by
# the step limit.
ELEMS_PER_STEP = 64


def _walk_charge(th: Any, n: int, depth: int) -> None:
    k = n // ELEMS_PER_STEP + (1 if depth else 0)
    if k:
        th.charge(k)

# ---------------------------------------------------------------------------------------------
# Truth


def truth(v: Any) -> bool:
    t = type(v)
    if t is bool:
        return v  # type: ignore[no-any-return]
    if v is None:
        return False
    if t is int or t is float or t is str or t is bytes or t is tuple or t is List or t is Dict:
        return bool(v)
    if t is range or t is Set:
        return len(v) > 0
    if isinstance(v, HostValue):
        return bool(v.truth())
    return True


# ---------------------------------------------------------------------------------------------
# Equality and hashing


def equal(x: Any, y: Any, depth: int = 0, th: Any = None) -> bool:
    """Starlark ``x == y``: bool is not int; NaN != NaN; deep for containers. Given the
    thread ``th``, the walk over containers is charged (see ``ELEMS_PER_STEP``)."""
    tx = type(x)
    ty = type(y)
    if tx is ty:
        if tx is int or tx is str or tx is bool or tx is bytes or x is None:
            return x == y  # type: ignore[no-any-return]
        if tx is float:
            return x == y or (x != x and y != y)  # NaN equals NaN, as in starlark-go
        if x is y and not (tx is List or tx is tuple or tx is Dict):
            return True
        if depth > MAX_DEPTH:
            raise EvalError("comparison exceeds maximum recursion depth")
        if tx is List or tx is tuple:
            if len(x) != len(y):
                return False
            if th is not None:
                _walk_charge(th, len(x), depth)
            for a, b in zip(x, y):
                if not equal(a, b, depth + 1, th):
                    return False
            return True
        if tx is Dict:
            if len(x) != len(y):
                return False
            if th is not None:
                _walk_charge(th, 2 * len(x), depth)
            for k, v in x.items():
                if k not in y:
                    return False
                if not equal(v, y[k], depth + 1, th):
                    return False
            return True
        if tx is Set:
            if len(x.d) != len(y.d):
                return False
            if th is not None:
                _walk_charge(th, len(x.d), depth)
            return all(k in y.d for k in x.d)
        if tx is range:
            return x == y  # type: ignore[no-any-return]
        if tx is Struct:
            if x.fields.keys() != y.fields.keys():
                return False
            if th is not None:
                _walk_charge(th, len(x.fields), depth)
            for k, v in x.fields.items():
                if not equal(v, y.fields[k], depth + 1, th):
                    return False
            return True
        if tx is Builtin:
            return x.name == y.name and x.fn == y.fn and x.recv is y.recv
        if isinstance(x, HostValue):
            r = x.__eq__(y)
            return bool(r) if r is not NotImplemented else x is y
        return x is y
    # different types: only int/float compare equal
    if (tx is int and ty is float) or (tx is float and ty is int):
        return x == y  # type: ignore[no-any-return]
    return False


def hash_value(v: Any, th: Any = None, depth: int = 0) -> int:
    """Starlark ``hash``: only immutable, hashable values (frozen lists are still unhashable).
    Given the thread ``th``, the walk over tuples and structs is charged."""
    t = type(v)
    if t is str or t is int or t is float or t is bool or t is bytes or v is None:
        return hash(v)
    if depth > MAX_DEPTH:
        raise EvalError("hash exceeds maximum recursion depth")
    if t is tuple:
        if th is not None:
            _walk_charge(th, len(v), depth)
        return hash(tuple([hash_value(e, th, depth + 1) for e in v]))
    if t is List or t is Dict or t is Set:
        raise EvalError(f"unhashable type: {type_name(v)}")
    if t is Module or t is range:
        raise EvalError(f"unhashable: {type_name(v)}")
    if t is Struct:
        if th is not None:
            _walk_charge(th, len(v.fields), depth)
        return hash(tuple([(k, hash_value(x, th, depth + 1))
                           for k, x in sorted(v.fields.items())]))
    if isinstance(v, HostValue):
        return v.hash()
    return hash(v)


def check_hashable(v: Any, th: Any = None, depth: int = 0) -> None:
    """Raise unless ``v`` may be used as a dict key or set element.

    It walks the value as Python's own (recursive, C-level, uninterruptible) hash of a tuple
    will, so it must run before a tuple is hashed: given the thread ``th`` it charges that
    walk, and it refuses values nested deeper than ``MAX_DEPTH`` (whose C-level hash could
    overflow the C stack)."""
    t = type(v)
    if t is str or t is int or t is bool or t is float or v is None:
        return
    if t is List or t is Dict or t is Set:
        raise EvalError(f"unhashable type: {type_name(v)}")
    if t is Module or t is range:
        raise EvalError(f"unhashable: {type_name(v)}")
    if depth > MAX_DEPTH:
        raise EvalError("hash exceeds maximum recursion depth")
    if t is tuple:
        if th is not None:
            _walk_charge(th, len(v), depth)
        for e in v:
            te = type(e)
            if not (te is str or te is int or te is bool or te is float or e is None):
                check_hashable(e, th, depth + 1)
        return
    if t is Struct:
        if th is not None:
            _walk_charge(th, len(v.fields), depth)
        for e in v.fields.values():
            check_hashable(e, th, depth + 1)
        return
    if isinstance(v, HostValue):
        v.hash()


# ---------------------------------------------------------------------------------------------
# Ordering

_ORDERED = (int, float, str, bytes, bool, tuple, List)


def compare(op: str, x: Any, y: Any, depth: int = 0, th: Any = None) -> bool:
    """Starlark ``x op y`` for ``< <= > >=`` (the walk is charged to ``th`` if given)."""
    if type(x) is Set and type(y) is Set:
        a, b = x.d, y.d
        if th is not None:
            _walk_charge(th, min(len(a), len(b)), depth)
        if op == "<":
            return len(a) < len(b) and all(k in b for k in a)
        if op == "<=":
            return all(k in b for k in a)
        if op == ">":
            return len(a) > len(b) and all(k in a for k in b)
        return all(k in a for k in b)
    c = cmp(x, y, depth, op, th)
    if op == "<":
        return c < 0
    if op == "<=":
        return c <= 0
    if op == ">":
        return c > 0
    return c >= 0


def cmp(x: Any, y: Any, depth: int = 0, op: str = "<", th: Any = None) -> int:
    """Three-way comparison with Starlark's rules; raises for unordered types."""
    tx = type(x)
    ty = type(y)
    if tx is ty:
        if tx is int or tx is str or tx is bytes or tx is bool:
            return (x > y) - (x < y)  # type: ignore[no-any-return]
        if tx is float:
            return _float_cmp(x, y)
        if tx is tuple or tx is List:
            if depth > MAX_DEPTH:
                raise EvalError("comparison exceeds maximum recursion depth")
            if th is not None:
                _walk_charge(th, min(len(x), len(y)), depth)
            for a, b in zip(x, y):
                if not equal(a, b, depth + 1, th):
                    return cmp(a, b, depth + 1, op, th)
            return (len(x) > len(y)) - (len(x) < len(y))
        raise EvalError(f"{type_name(x)} {op} {type_name(y)} not implemented")
    if (tx is int and ty is float) or (tx is float and ty is int):
        if tx is float and math.isnan(x):
            return 1
        if ty is float and math.isnan(y):
            return -1
        return (x > y) - (x < y)  # type: ignore[no-any-return]
    raise EvalError(f"{type_name(x)} {op} {type_name(y)} not implemented")


def _float_cmp(x: float, y: float) -> int:
    # starlark-go: NaN sorts after all other floats, and NaN == NaN for ordering purposes.
    if x != x:
        return 0 if y != y else 1
    if y != y:
        return -1
    return (x > y) - (x < y)


# ---------------------------------------------------------------------------------------------
# Iteration, length, membership


def iterate(v: Any) -> Any:
    """Return a Python iterable over ``v``'s elements, or raise ``T is not iterable``.

    For a mutable container the caller is responsible for the iteration guard (see
    :func:`guarded`)."""
    t = type(v)
    if t is List or t is tuple or t is range:
        return v
    if t is Dict:
        return map(unbox, v) if v.boxed else v
    if t is Set:
        return map(unbox, v.d) if v.boxed else v.d
    if isinstance(v, HostValue):
        it = v.iterate()
        if it is not None:
            return it
    raise EvalError(f"{type_name(v)} value is not iterable")


def length(v: Any) -> int:
    t = type(v)
    if t is str or t is List or t is tuple or t is Dict or t is range or t is bytes:
        return len(v)
    if t is Set:
        return len(v.d)
    if isinstance(v, HostValue):
        n = v.length()
        if n is not None:
            return n
    raise EvalError(f"value of type {type_name(v)} has no len")


def contains(container: Any, x: Any, th: Any = None) -> bool:
    """Starlark ``x in container`` (the scan is charged to ``th`` if given)."""
    t = type(container)
    if t is Dict:
        tx = type(x)
        if tx is str or tx is int:
            return x in container
        try:
            check_hashable(x, th)
        except EvalError as e:
            if e.msg.startswith("unhashable"):
                return False  # an unhashable value is in no dict (starlark-go)
            raise
        return box(x) in container
    if th is not None and (t is List or t is tuple or t is str or t is bytes):
        n = len(container)
        if t is str or t is bytes:
            n += len(x) if type(x) is t else 0
        if n >= ELEMS_PER_STEP:
            th.charge(n // ELEMS_PER_STEP)
    if t is List or t is tuple:
        tx = type(x)
        if tx is int or tx is str:
            for el in container:
                if type(el) is tx and el == x:
                    return True
                if tx is int and type(el) is float and el == x:
                    return True
            return False
        for el in container:
            if equal(el, x, 1, th):
                return True
        return False
    if t is str:
        if type(x) is not str:
            raise EvalError(f"'in <string>' requires string as left operand, not {type_name(x)}")
        return x in container
    if t is bytes:
        if type(x) is bytes:
            return x in container
        if type(x) is int:
            if not 0 <= x < 256:
                raise EvalError(f"int in bytes: {x} out of range")
            return x in container
        raise EvalError(f"'in bytes' requires bytes or int as left operand, not {type_name(x)}")
    if t is Set:
        tx = type(x)
        if tx is str or tx is int:
            return x in container.d
        check_hashable(x, th)
        return box(x) in container.d
    if t is range:
        if type(x) is int:
            return x in container
        if type(x) is float:
            return x == int(x) and int(x) in container if math.isfinite(x) else False
        raise EvalError(f"'in <range>' requires integer as left operand, not {type_name(x)}")
    if isinstance(container, HostValue):
        it = container.iterate()
        if it is not None:
            # possibly endless: charged as the elements come
            return any(equal(e, x, 1, th) for e in charged(th, it))
    raise EvalError(f"unknown binary op: {type_name(x)} in {type_name(container)}")


# ---------------------------------------------------------------------------------------------
# Indexing and slicing


def get_index(x: Any, i: Any, th: Any = None) -> Any:
    """Starlark ``x[i]``."""
    t = type(x)
    if t is Dict:
        ti = type(i)
        if not (ti is str or ti is int):
            check_hashable(i, th)
        try:
            return x[i] if ti is str or ti is int else x[box(i)]
        except KeyError:
            check_hashable(i)
            from .repr import repr_value

            raise EvalError(f"key {repr_value(i)} not in dict") from None
        except TypeError:
            check_hashable(i)
            raise
    if t is List or t is tuple or t is str or t is range or t is bytes:
        if type(i) is not int:
            raise EvalError(f"{type_name(x)} index: got {type_name(i)}, want int")
        n = len(x)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise EvalError(f"{type_name(x)} index {i} out of range [{-n}:{n - 1}]"
                            if n else f"index {i} out of range: empty {type_name(x)}")
        if t is bytes:
            return x[j:j + 1]
        return x[j]
    if isinstance(x, HostValue):
        if type(i) is int:
            hn = x.length()
            if hn is not None:
                j = i + hn if i < 0 else i
                if not 0 <= j < hn:
                    raise EvalError(f"{type_name(x)} index {i} out of range [{-hn}:{hn - 1}]")
                r = x.index(j)
                if r is not NotImplemented:
                    return r
        r = x.index(i)
        if r is not NotImplemented:
            return r
    raise EvalError(f"unhandled index operation {type_name(x)}[{type_name(i)}]")


def set_index(x: Any, i: Any, v: Any, th: Any = None) -> None:
    """Starlark ``x[i] = v``."""
    t = type(x)
    if t is Dict:
        if x.guard:
            check_mutable(x, "insert into")
        ti = type(i)
        if ti is str or ti is int:
            x[i] = v
        else:
            check_hashable(i, th)
            x[put_key(x, i)] = v
        return
    if t is List:
        if x.guard:
            check_mutable(x, "assign to element of")
        if type(i) is not int:
            raise EvalError(f"list index: got {type_name(i)}, want int")
        n = len(x)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise EvalError(f"list index {i} out of range [{-n}:{n - 1}]")
        x[j] = v
        return
    raise EvalError(f"{type_name(x)} value does not support item assignment")


def _slice_index(v: Any, what: str) -> int | None:
    if v is None:
        return None
    if type(v) is not int:
        if what == "step":
            raise EvalError(f"invalid slice step: got {type_name(v)}, want int")
        raise EvalError(f"invalid {what} index: got {type_name(v)}, want int")
    return v  # type: ignore[no-any-return]


def get_slice(x: Any, lo: Any, hi: Any, step: Any) -> Any:
    """Starlark ``x[lo:hi:step]`` (each None when omitted)."""
    t = type(x)
    if step is None and (lo is None or type(lo) is int) and (hi is None or type(hi) is int):
        if t is str or t is tuple:
            return x[lo:hi]
        if t is List:
            return List(x[lo:hi])
    s = _slice_index(step, "step")
    if s == 0:
        raise EvalError("zero is not a valid slice step")
    sl = slice(_slice_index(lo, "start"), _slice_index(hi, "end"), s)
    if t is List:
        return List(x[sl])
    if t is tuple or t is str or t is bytes or t is range:
        return x[sl]
    raise EvalError(f"invalid slice operand {type_name(x)}")


# ---------------------------------------------------------------------------------------------
# Attributes


def get_attr(x: Any, name: str) -> Any:
    """Starlark ``x.name``: a field, or a method bound to ``x``."""
    t = type(x)
    table = METHODS.get(t)
    if table is not None:
        fn = table.get(name)
        if fn is not None:
            return Builtin(name, fn, x)
    elif t is Struct:
        try:
            return x.fields[name]
        except KeyError:
            pass
        table = METHODS.get(Struct)
        if table is not None and name in table:
            return Builtin(name, table[name], x)
    elif t is Module:
        try:
            return x.members[name]
        except KeyError:
            pass
    elif isinstance(x, HostValue):
        r = x.attr(name)
        if r is not None:
            return r
    from ..spell import suggest

    hint = suggest(name, attr_names(x), ".")
    if t is Struct:
        raise EvalError(f"struct has no .{name} attribute{hint}")
    raise EvalError(f"{type_name(x)} has no .{name} field or method{hint}")


def has_attr(x: Any, name: str) -> bool:
    try:
        get_attr(x, name)
    except EvalError:
        return False
    return True


def attr_names(x: Any) -> list[str]:
    t = type(x)
    names: list[str] = []
    table = METHODS.get(t)
    if table is not None:
        names.extend(table)
    if t is Struct:
        names.extend(x.fields)
    elif t is Module:
        names.extend(x.members)
    elif isinstance(x, HostValue):
        names.extend(x.attr_names())
    return sorted(set(names))


def set_attr(x: Any, name: str, v: Any) -> None:
    if isinstance(x, HostValue):
        x.set_attr(name, v)
        return
    raise EvalError(f"can't assign to .{name} field of {type_name(x)}")


# ---------------------------------------------------------------------------------------------
# Guarded iteration over mutable containers


class guarded:
    """Context manager marking ``v`` as being iterated (so mutation is an error)."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        t = type(v)
        self.v = v if (t is List or t is Dict or t is Set) else None

    def __enter__(self) -> None:
        if self.v is not None:
            self.v.guard += 1

    def __exit__(self, *exc: object) -> None:
        if self.v is not None:
            self.v.guard -= 1


def iter_guarded(v: Any) -> Iterator[Any]:
    """A generator over ``v`` that holds the iteration guard while it runs."""
    it = iterate(v)
    t = type(v)
    if t is List or t is Dict or t is Set:
        v.guard += 1
        try:
            yield from it
        finally:
            v.guard -= 1
    else:
        yield from it


__all__ = [
    "FROZEN",
    "METHODS",
    "attr_names",
    "check_hashable",
    "cmp",
    "compare",
    "contains",
    "equal",
    "get_attr",
    "get_index",
    "get_slice",
    "guarded",
    "has_attr",
    "hash_value",
    "iter_guarded",
    "iterate",
    "length",
    "set_attr",
    "set_index",
    "truth",
]
