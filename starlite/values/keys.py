"""How dict keys and set elements are stored, so that ``True`` and ``1`` are different keys.

In Starlark ``True != 1``, so ``{True: "t", 1: "one"}`` has two entries; in Python
``True == 1`` and ``hash(True) == hash(1)``, so a Python dict would merge them. starlite's
dicts and sets are Python dicts underneath, and they store a key in a *stored form*:

* ``True`` and ``False`` as the two :class:`BoolKey` singletons ``TRUE_KEY`` and
  ``FALSE_KEY`` (identity equality, C-level hash), which equal no int or float;
* a tuple that holds a bool at any depth as the same tuple with its bools so replaced;
* every other key as itself (so string and int keys cost nothing).

Every path that puts a key in (``d[k] = v``, literals, comprehensions, ``update``, ``add``,
``to_starlark`` ...) stores :func:`box` of it and every lookup looks up :func:`box` of it;
the compiler's fast paths only take str and int keys, which are their own stored form. A
container in which a boxed key may be present has its ``boxed`` flag set (it is never cleared
except by ``clear``); every path that gives keys out (iteration, ``keys``/``items``, ``pop``,
``repr``, ``json.encode``, ``to_python`` ...) unboxes them only when that flag is set, so
iterating an ordinary dict pays one attribute test per loop, not per key.
"""

from __future__ import annotations

from typing import Any


class BoolKey:
    """The stored form of ``True`` or ``False`` as a dict key or set element."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"<key {self.value}>"


TRUE_KEY = BoolKey(True)
FALSE_KEY = BoolKey(False)
_BOXABLE = frozenset([bool, tuple])  # the types of keys that may have another stored form


def _has_bool(t: tuple[Any, ...]) -> bool:
    for e in t:
        te = type(e)
        if te is bool or (te is tuple and _has_bool(e)):
            return True
    return False


def _box_tuple(t: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple([(TRUE_KEY if e else FALSE_KEY) if type(e) is bool
                  else _box_tuple(e) if type(e) is tuple else e for e in t])


def box(k: Any) -> Any:
    """The stored form of key ``k`` (``k`` itself unless it is or holds a bool)."""
    t = type(k)
    if t is bool:
        return TRUE_KEY if k else FALSE_KEY
    if t is tuple and _has_bool(k):
        return _box_tuple(k)
    return k


def unbox(k: Any) -> Any:
    """The key whose stored form is ``k``."""
    t = type(k)
    if t is BoolKey:
        return k.value
    if t is tuple:
        return tuple([unbox(e) for e in k])
    return k


def put_key(c: Any, k: Any) -> Any:
    """The stored form of ``k`` for inserting it into dict or set ``c`` (whose ``boxed`` flag
    is set when the stored form differs)."""
    t = type(k)
    if t is bool:
        c.boxed = 1
        return TRUE_KEY if k else FALSE_KEY
    if t is tuple and _has_bool(k):
        c.boxed = 1
        return _box_tuple(k)
    return k


def box_all(elems: list[Any], types: Any = None) -> tuple[dict[Any, None], int]:
    """A dict whose keys are the stored forms of ``elems`` (in order), and whether any key
    is boxed. ``types``, if given, holds the types of ``elems``."""
    if _BOXABLE.isdisjoint(map(type, elems) if types is None else types):
        return dict.fromkeys(elems), 0
    d: dict[Any, None] = {}
    boxed = 0
    for e in elems:
        b = box(e)
        if b is not e:
            boxed = 1
        d[b] = None
    return d, boxed


def keys_out(d: dict[Any, Any], boxed: int) -> Any:
    """An iterable over the keys of stored-form dict ``d``, unboxed when ``boxed``."""
    return map(unbox, d) if boxed else d


def items_out(d: dict[Any, Any], boxed: int) -> Any:
    """An iterable over the ``(key, value)`` items of ``d``, keys unboxed when ``boxed``."""
    if boxed:
        return [(unbox(k), v) for k, v in d.items()]
    return d.items()


__all__ = [
    "FALSE_KEY",
    "TRUE_KEY",
    "BoolKey",
    "box",
    "box_all",
    "items_out",
    "keys_out",
    "put_key",
    "unbox",
]
