"""Helpers shared by the builtins: argument checking in starlark-go's words, metering, iteration.

Argument *counts* are checked by :mod:`starlite.values.args` from each builtin's Python
signature; argument *types* are checked here, with starlark-go's messages::

    want_str("find", 1, x)        ->  find: for parameter 1: got int, want string

Positional-only parameters are named by their position (as starlark-go's
``UnpackPositionalArgs`` does), keyword-capable ones by their name.

Metering: a builtin charges steps for the elements or characters it scans or produces, *before*
allocating (see :func:`charge`): one step per 64 units of work done at C speed (copying,
searching, joining), more for work done element by element in Python (``PY_ELEMS_PER_STEP``:
one step per 8 elements; building a tuple per element or comparing Starlark values: one per 4).
The rates were measured so that a step of builtin work costs about a microsecond at most,
like a step of evaluation. Iterating a host value may be infinite, so :func:`collect` charges
while it goes.
"""

from __future__ import annotations

from typing import Any

from ..errors import Cancelled, EvalError, StepLimitExceeded, Timeout
from ..values.collect import COPY_PER_STEP, HOST_PER_STEP, elements
from ..values.core import FROZEN, Builtin, Dict, HostValue, List, Set, type_name
from ..values.keys import BoolKey, box_all
from ..values.ops import check_hashable, iterate

# Errors that stop a run: never reworded or swallowed by a builtin.
LIMITS = (StepLimitExceeded, Timeout, Cancelled)

ELEMS_PER_STEP = COPY_PER_STEP  # work done at C speed: copying, searching, joining (64)
PY_ELEMS_PER_STEP = HOST_PER_STEP  # a Python-level loop over the elements (8)
OBJ_ELEMS_PER_STEP = 4  # a new object (a tuple, a dict entry) or a Starlark comparison each


class _Missing:
    """Default of an optional parameter whose absence differs from None."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def charge(th: Any, n: int, per: int = ELEMS_PER_STEP) -> None:
    """Charge ``n`` units of work (``n // per`` steps) to ``th`` (if any)."""
    if n >= per and th is not None:
        th.charge(n // per)


def param_error(fname: str, param: int | str, v: Any, want: str) -> EvalError:
    return EvalError(f"{fname}: for parameter {param}: got {type_name(v)}, want {want}")


def want_str(fname: str, param: int | str, v: Any) -> str:
    if type(v) is not str:
        raise param_error(fname, param, v, "string")
    return v


def want_int(fname: str, param: int | str, v: Any) -> int:
    if type(v) is not int:
        raise param_error(fname, param, v, "int")
    return v  # type: ignore[no-any-return]


def want_bool(fname: str, param: int | str, v: Any) -> bool:
    if type(v) is not bool:
        raise param_error(fname, param, v, "bool")
    return v  # type: ignore[no-any-return]


def want_int64(fname: str, param: int | str, v: Any) -> int:
    """An int that fits Go's ``int`` (starlark-go's limit for sizes, counts and ranges)."""
    if type(v) is not int:
        raise param_error(fname, param, v, "int")
    if not -(1 << 63) <= v < (1 << 63):
        raise EvalError(
            f"{fname}: for parameter {param}: {v} out of range (want value in signed 64-bit range)"
        )
    return v  # type: ignore[no-any-return]


def is_iterable(v: Any) -> bool:
    t = type(v)
    if t is List or t is tuple or t is Dict or t is Set or t is range:
        return True
    return isinstance(v, HostValue) and type(v).iterate is not HostValue.iterate


def is_callable(v: Any) -> bool:
    t = type(v)
    if t is Builtin:
        return True
    if isinstance(v, HostValue):
        return type(v).call is not HostValue.call
    return type_name(v) == "function"


def want_callable(fname: str, param: int | str, v: Any) -> Any:
    if not is_callable(v):
        raise param_error(fname, param, v, "callable")
    return v


def call(th: Any, fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any] | None = None) -> Any:
    """Call a Starlark callable (a key function, say) from a builtin."""
    return caller()(th, fn, args, kwargs)


_CALL_VALUE: list[Any] = []


def caller() -> Any:
    """The interpreter's ``call_value(th, fn, args, kwargs=None)`` (imported on first use: the
    compiler imports the builtins), for builtins that call back once per element."""
    if not _CALL_VALUE:
        from ..compile.calls import call_value

        _CALL_VALUE.append(call_value)
    return _CALL_VALUE[0]


def collect(th: Any, x: Any, fname: str, param: int | str = 1) -> list[Any]:
    """The elements of iterable ``x`` as a new list, charged before they are made (a host
    value's as they come; see :mod:`starlite.values.collect`).

    A non-iterable is ``fname: for parameter P: got T, want iterable``."""
    elems = elements(th, x)
    if elems is None:
        raise param_error(fname, param, x, "iterable")
    return elems


def iter_values(x: Any) -> Any:
    """A Python iterable over the Starlark iterable ``x`` (raises ``T value is not iterable``)."""
    return iterate(x)


def mutation_error(fname: str, v: Any, verb: str) -> EvalError:
    """The error for mutating ``v`` (whose guard is set), worded as starlark-go does:
    lists say ``list``, dicts and sets say ``hash table``."""
    kind = "list" if type(v) is List else "hash table"
    if v.guard >= FROZEN:
        msg = f"cannot {verb} frozen {kind}"
    else:
        msg = f"cannot {verb} {kind} during iteration"
    return EvalError(f"{fname}: {msg}" if fname else msg)


def indices(fname: str, start: Any, end: Any, n: int) -> tuple[int, int]:
    """starlark-go's ``indices``: optional start/end (None allowed), negative values count from
    the end, and both are clamped to ``[0, n]``."""
    s = 0
    if start is not None and start is not MISSING:
        if type(start) is not int:
            raise EvalError(f"{fname}: invalid start index: got {type_name(start)}, want int")
        s = start + n if start < 0 else start
        s = 0 if s < 0 else (n if s > n else s)
    e = n
    if end is not None and end is not MISSING:
        if type(end) is not int:
            raise EvalError(f"{fname}: invalid end index: got {type_name(end)}, want int")
        e = end + n if end < 0 else end
        e = 0 if e < 0 else (n if e > n else e)
    return s, e


def go_quote_char(c: str) -> str:
    """Go's ``%q`` of a single character (``'x'``, ``'\\''``, ``'\\n'``)."""
    if c == "'":
        return "'\\''"
    if c == "\\":
        return "'\\\\'"
    from ..values.repr import quote

    q = quote(c)
    return "'" + q[1:-1].replace('\\"', '"') + "'"


def pop_first(th: Any, d: dict[Any, Any]) -> tuple[Any, Any]:
    """Remove and return the first (oldest) item of dict ``d``.

    CPython finds a dict's first item by scanning past the slots of deleted items, so popping
    from the front again and again is quadratic. Every ``period`` pops (about ``sqrt(500 n)``,
    which balances the cheap scan against the costlier rebuild) the dict is rebuilt in order;
    both costs are charged to ``th``."""
    k = next(iter(d))
    v = d.pop(k)
    n = len(d)
    period = 1 << max(10, (500 * n).bit_length() // 2)
    if th is not None and period > 8192:
        th.charge(period >> 13)
    if n and n % period == 0:
        if th is not None:
            th.charge(n >> 3)
        items = list(d.items())
        d.clear()
        d.update(items)
    return k, v


def check_key(fname: str, k: Any, th: Any = None) -> None:
    """Raise ``fname: unhashable type: T`` unless ``k`` may be a dict key or set element.

    Must run before Python hashes a Starlark value: CPython hashes a tuple recursively in C,
    so a deeply nested one could overflow the C stack (``check_hashable`` refuses those)."""
    t = type(k)
    if t is str or t is int or t is float or t is bool or k is None:
        return
    try:
        check_hashable(k, th)
    except LIMITS:
        raise
    except EvalError as e:
        raise EvalError(f"{fname}: {e.msg}") from None


_SCALAR_KEYS = frozenset([str, int, float, bool, bytes, type(None), BoolKey])


def check_keys(fname: str, ks: Any, th: Any = None) -> None:
    """:func:`check_key` for each of ``ks`` (quick when they are all scalars).

    Also to be called before Python *re*-hashes keys already in a set or dict (CPython does
    not cache the hash of a tuple), so that the walk is charged every time."""
    if _SCALAR_KEYS.issuperset(map(type, ks)):
        return
    for k in ks:
        t = type(k)
        if not (t is str or t is int or t is float or t is bool or k is None):
            check_key(fname, k, th)


def new_set(fname: str, elems: list[Any], th: Any = None) -> Set:
    """A set of the values ``elems``, each checked by :func:`check_key` (one pass over their
    types serves the check and the choice of stored forms)."""
    types = set(map(type, elems))
    if not _SCALAR_KEYS.issuperset(types):
        check_keys(fname, elems, th)
    return Set.of_keys(*box_all(elems, types))


def no_kwargs(fname: str, kwargs: dict[str, Any]) -> None:
    if kwargs:
        raise EvalError(f"{fname}: unexpected keyword arguments")
