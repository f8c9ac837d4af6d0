"""Turning a Starlark iterable into a Python list on a script's behalf, charged first.

Every place where the interpreter materialises an iterable for a script (``f(*x)``,
``a, b = x``, ``l += x``, ``list(x)``, ``sorted(x)``, ``",".join(x)`` ...) goes through
:func:`elements`, which charges the thread in proportion to what it will produce *before*
producing it, or, for a host value's iterator (which may be endless), as it consumes it:

* a list, tuple, dict or set is copied at C speed: 1 step per ``COPY_PER_STEP`` (64) elements;
* a range makes a new int per element: 1 step per ``NEW_PER_STEP`` (32);
* a string's ``elems()``/``codepoints()`` (sized, produced at C speed): 1 step per 32;
* any other host value is consumed by a Python loop: 1 step per ``HOST_PER_STEP`` (8) elements
  taken, so an endless iterator stops at the step limit with at most 8 elements unpaid for.

Host values whose elements starlite makes itself at C speed register their size function in
:data:`NATIVE_SIZES` (as ``starlite.builtins.strings`` does for ``s.elems()``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from ..errors import EvalError
from .core import Dict, HostValue, List, Set
from .keys import unbox

COPY_PER_STEP = 64  # an existing container's elements, copied at C speed
NEW_PER_STEP = 32  # a new object per element, made at C speed (range, a string's elems())
HOST_PER_STEP = 8  # a host iterator's elements, taken by a Python loop

# host value type -> its number of elements, for host values starlite itself implements
# whose iterators run at C speed (registered by the modules that define them)
NATIVE_SIZES: dict[type, Callable[[Any], int]] = {}


def range_len(r: range) -> int:
    try:
        return len(r)
    except OverflowError:
        raise EvalError("range has too many elements") from None


def elements(th: Any, v: Any) -> list[Any] | None:
    """The elements of ``v`` as a new list, charged to ``th`` (if any) before they are made,
    or as a host iterator yields them; None if ``v`` is not iterable."""
    t = type(v)
    if t is List or t is tuple:
        n = len(v)
        if n >= COPY_PER_STEP and th is not None:
            th.charge(n // COPY_PER_STEP)
        return list(v)
    if t is Dict or t is Set:
        d = v if t is Dict else v.d
        n = len(d)
        if n >= COPY_PER_STEP and th is not None:
            th.charge(n // COPY_PER_STEP)
        return list(map(unbox, d)) if v.boxed else list(d)
    if t is range:
        n = range_len(v)
        if n >= NEW_PER_STEP and th is not None:
            th.charge(n // NEW_PER_STEP)
        return list(v)
    if isinstance(v, HostValue):
        size = NATIVE_SIZES.get(t)
        if size is not None:
            n = size(v)
            if n >= NEW_PER_STEP and th is not None:
                th.charge(n // NEW_PER_STEP)
            return list(v.iterate())  # type: ignore[arg-type]
        it = v.iterate()
        if it is not None:
            return host_elements(th, it)
    return None


def host_elements(th: Any, it: Iterator[Any]) -> list[Any]:
    """The values of a (host value's, possibly endless) iterator: 1 step per
    ``HOST_PER_STEP`` values taken, charged as they come."""
    out: list[Any] = []
    while True:
        n = len(out)
        out.extend(islice(it, HOST_PER_STEP))
        if len(out) - n < HOST_PER_STEP:
            return out
        if th is not None:
            th.charge(1)


def charged(th: Any, it: Iterator[Any], per: int = HOST_PER_STEP) -> Iterator[Any]:
    """``it``'s values, lazily, charging 1 step per ``per`` values taken (for consumers that
    may stop early: ``any``, ``min``, ``x in host_value`` ...)."""
    n = 0
    for v in it:
        n += 1
        if n == per:
            n = 0
            if th is not None:
                th.charge(1)
        yield v


def unpack_elements(th: Any, v: Any, n: int) -> tuple[list[Any], int] | None:
    """For ``a, b, ... = v`` with ``n`` targets: ``(elements, length)`` of iterable ``v``, or
    None if it is not iterable. A sized value whose length is not ``n`` is not copied (the
    elements are then ``[]``); a host iterator is consumed as :func:`elements` does."""
    t = type(v)
    if t is range or t is Dict or t is Set:
        m = range_len(v) if t is range else len(v)
        if m != n:
            return [], m
        if t is range:
            return list(v), m
        d = v if t is Dict else v.d
        return (list(map(unbox, d)) if v.boxed else list(d)), m
    items = elements(th, v)
    if items is None:
        return None
    return items, len(items)


__all__ = [
    "COPY_PER_STEP",
    "HOST_PER_STEP",
    "NATIVE_SIZES",
    "NEW_PER_STEP",
    "charged",
    "elements",
    "host_elements",
    "range_len",
    "unpack_elements",
]
