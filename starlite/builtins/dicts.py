"""The methods of ``dict``: clear get items keys pop popitem setdefault update values.

``keys()``, ``values()`` and ``items()`` return new lists (a snapshot, as in starlark-go).
A frozen dict, or one being iterated, refuses mutation with starlark-go's wording
(``pop: cannot delete from frozen hash table``).
"""

from __future__ import annotations

from typing import Any

from ..errors import EvalError
from ..values.core import Dict, List
from ..values.keys import box, items_out, unbox
from .common import MISSING, OBJ_ELEMS_PER_STEP, charge, check_key, mutation_error, pop_first

_ABSENT: Any = object()


def dict_clear(th: Any, recv: Dict, /) -> None:
    if recv.guard:
        raise mutation_error("", recv, "clear")
    recv.clear()
    recv.boxed = 0


def dict_get(th: Any, recv: Dict, key: Any, default: Any = None, /) -> Any:
    t = type(key)
    if not (t is str or t is int):
        check_key("get", key, th)
        key = box(key)
    v = recv.get(key, _ABSENT)
    return default if v is _ABSENT else v


def dict_items(th: Any, recv: Dict, /) -> List:
    charge(th, len(recv), OBJ_ELEMS_PER_STEP)
    return List(items_out(recv, 1) if recv.boxed else recv.items())


def dict_keys(th: Any, recv: Dict, /) -> List:
    charge(th, len(recv))
    return List(map(unbox, recv) if recv.boxed else recv)


def dict_values(th: Any, recv: Dict, /) -> List:
    charge(th, len(recv))
    return List(recv.values())


def dict_pop(th: Any, recv: Dict, key: Any, default: Any = MISSING, /) -> Any:
    if recv.guard:
        raise mutation_error("pop", recv, "delete from")
    check_key("pop", key, th)
    t = type(key)
    try:
        return recv.pop(key if t is str or t is int else box(key))
    except KeyError:
        if default is not MISSING:
            return default
        raise EvalError("pop: missing key") from None


def dict_popitem(th: Any, recv: Dict, /) -> tuple[Any, Any]:
    if not recv:
        raise EvalError("popitem: empty dict")
    if recv.guard:
        raise mutation_error("popitem", recv, "delete from")
    k, v = pop_first(th, recv)
    return unbox(k), v


def dict_setdefault(th: Any, recv: Dict, key: Any, default: Any = None, /) -> Any:
    t = type(key)
    if t is str or t is int:
        sk = key
    else:
        check_key("setdefault", key, th)
        sk = box(key)
    v = recv.get(sk, _ABSENT)
    if v is not _ABSENT:
        return v
    if recv.guard:
        raise mutation_error("setdefault", recv, "insert into")
    if sk is not key:
        recv.boxed = 1
    recv[sk] = default
    return default


def dict_update(th: Any, recv: Dict, pairs: Any = MISSING, /, **kwargs: Any) -> None:
    from .universe import update_dict

    update_dict(th, "update", recv, pairs, kwargs)


METHODS: dict[str, Any] = {
    "clear": dict_clear,
    "get": dict_get,
    "items": dict_items,
    "keys": dict_keys,
    "pop": dict_pop,
    "popitem": dict_popitem,
    "setdefault": dict_setdefault,
    "update": dict_update,
    "values": dict_values,
}
