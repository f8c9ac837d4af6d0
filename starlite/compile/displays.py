"""List and dict displays as templates: ``[a, b]`` and ``{"k": a, "n": b}`` with their
elements read by shape (see ``shapes``), built in one closure without a call per element.

A dict display takes this path only when every key is a constant str or int and no two are
equal: such keys are hashable and cannot collide, so the generic display's checks
(``check_hashable``, the duplicate-key error) can never fire, and the values are evaluated in
the same order. Other dict displays (computed keys, a constant key given twice, bool keys,
which are stored boxed) keep the generic closure.

Displays of constants only (most lists in BUILD files) copy a tuple or dict made once, with
nothing compiled per element: module-level code of that kind runs once, and its compile
time is what counts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..values.core import Dict, List
from .shapes import Shape, make, template

# Displays with more elements than this keep their generic closure.
MAX_ELEMENTS = 8

_ENV: dict[str, Any] = {"List": List, "Dict": Dict}


@functools.cache
def _list_src(n: int) -> str:
    reads = "\n".join("        {READ" + str(i) + "}" for i in range(n))
    return reads + "\n        return List((" + "".join(f"v{i}, " for i in range(n)) + "))"


@functools.cache
def _dict_src(n: int) -> tuple[str, str]:
    reads = "\n".join("        {READ" + str(i) + "}" for i in range(n))
    sets = "".join(f"\n        d[K{i}] = v{i}" for i in range(n))
    return reads + "\n        d = Dict()" + sets + "\n        return d", ", ".join(
        f"K{i}" for i in range(n))


def constant_list(values: tuple[Any, ...]) -> Callable[[list[Any]], Any]:
    """``[c0, c1, ...]`` of constants: a new list of them each time."""

    def constant_list_display(fr: list[Any]) -> Any:
        return List(values)

    return constant_list_display


def constant_dict(entries: dict[Any, Any]) -> Callable[[list[Any]], Any]:
    """``{k0: c0, ...}`` of constants, the keys as :func:`constant_keys` allows: a new dict
    of them each time."""
    update = dict.update

    def constant_dict_display(fr: list[Any]) -> Any:
        d = Dict()
        update(d, entries)
        return d

    return constant_dict_display


def list_display(shapes: list[Shape]) -> Callable[[list[Any]], Any] | None:
    """``[e0, e1, ...]`` from its elements' shapes, or None beyond ``MAX_ELEMENTS``."""
    n = len(shapes)
    if not 0 < n <= MAX_ELEMENTS:
        return None
    factory = template(f"list{n}", _list_src(n), tuple(k for k, _ in shapes), _ENV)
    return make(factory, *[v for _, v in shapes])


def constant_keys(keys: list[Any]) -> bool:
    """Whether a dict display with these key values (``None`` for a computed key) may use
    :func:`dict_display`: all constant str or int, pairwise distinct."""
    if not all(type(k) is str or type(k) is int for k in keys):
        return False
    return len(set(keys)) == len(keys)


def dict_display(keys: list[Any], shapes: list[Shape]) -> Callable[[list[Any]], Any] | None:
    """``{k0: e0, k1: e1, ...}`` with constant keys (see :func:`constant_keys`) from its
    values' shapes, or None beyond ``MAX_ELEMENTS``."""
    n = len(shapes)
    if not 0 < n <= MAX_ELEMENTS:
        return None
    src, params = _dict_src(n)
    factory = template(f"dict{n}", src, tuple(k for k, _ in shapes), _ENV, params)
    return make(factory, *[v for _, v in shapes], *keys)
