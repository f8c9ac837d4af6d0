"""The methods of ``list``: append clear extend index insert pop remove.

A list that is frozen, or being iterated, refuses mutation (``append: cannot append to frozen
list``, ``remove: cannot remove from list during iteration``); the check costs nothing while
the list's ``guard`` is zero. Errors are worded as in starlark-go.
"""

from __future__ import annotations

from typing import Any

from ..errors import EvalError
from ..values.core import List
from ..values.ops import equal
from .common import (
    OBJ_ELEMS_PER_STEP,
    PY_ELEMS_PER_STEP,
    charge,
    collect,
    indices,
    mutation_error,
    want_int,
)


def list_append(th: Any, recv: List, x: Any, /) -> None:
    if recv.guard:
        raise mutation_error("append", recv, "append to")
    recv.append(x)


def list_clear(th: Any, recv: List, /) -> None:
    if recv.guard:
        raise mutation_error("clear", recv, "clear")
    recv.clear()


def list_extend(th: Any, recv: List, iterable: Any, /) -> None:
    if type(iterable) is List or type(iterable) is tuple:
        items: Any = iterable
        charge(th, len(items))
    else:
        items = collect(th, iterable, "extend")
    if recv.guard:
        raise mutation_error("extend", recv, "extend")
    recv.extend(items)


def list_index(th: Any, recv: List, x: Any, start: Any = None, end: Any = None, /) -> int:
    a, b = indices("index", start, end, len(recv))
    tx = type(x)
    charge(th, b - a, 32 if tx is str or tx is int else OBJ_ELEMS_PER_STEP)
    if tx is str or tx is int:
        # fast path: same-type equality is Python's (an int may also equal a float)
        for i in range(a, b):
            e = recv[i]
            te = type(e)
            if (te is tx or tx is int and te is float) and e == x:
                return i
        raise EvalError("index: value not in list")
    for i in range(a, b):
        if equal(recv[i], x, 0, th):
            return i
    raise EvalError("index: value not in list")


def list_insert(th: Any, recv: List, index: Any, x: Any, /) -> None:
    i = want_int("insert", 1, index)
    if recv.guard:
        raise mutation_error("insert", recv, "insert into")
    n = len(recv)
    if i < 0:
        i += n
        if i < 0:
            i = 0
    elif i > n:
        i = n
    charge(th, n - i)  # elements moved
    recv.insert(i, x)


def list_pop(th: Any, recv: List, index: Any = -1, /) -> Any:
    if type(index) is int and index == -1 and recv and not recv.guard:
        return recv.pop()  # the last element: nothing moved, nothing charged
    i = want_int("pop", 1, index)
    n = len(recv)
    j = i + n if i < 0 else i
    if not 0 <= j < n:
        if n == 0:
            raise EvalError(f"pop: index {i} out of range: empty list")
        raise EvalError(f"pop: index {i} out of range [{-n}:{n - 1}]")
    if recv.guard:
        raise mutation_error("pop", recv, "pop from")
    charge(th, n - j)  # elements moved
    return recv.pop(j)


def list_remove(th: Any, recv: List, x: Any, /) -> None:
    if recv.guard:
        raise mutation_error("remove", recv, "remove from")
    charge(th, len(recv), PY_ELEMS_PER_STEP)
    for i, e in enumerate(recv):
        if e is x and type(e) is not float or equal(e, x, 0, th):
            del recv[i]
            return
    raise EvalError("remove: element not found")


METHODS: dict[str, Any] = {
    "append": list_append,
    "clear": list_clear,
    "extend": list_extend,
    "index": list_index,
    "insert": list_insert,
    "pop": list_pop,
    "remove": list_remove,
}
