"""The methods of ``dict``: clear get items keys pop popitem setdefault update values.

``keys()``, ``values()`` and ``items()`` return new lists (a snapshot, as in starlark-go).
A frozen dict, or one being iterated, refuses mutation with starlark-go's wording
(``pop: cannot delete from frozen hash table``).
"""

from __future__ import annotations

from typing import Any

from ..errors import EvalError
from ..values.core import Dict, List
from ..values.ops import check_hashable
from .common import MISSING, OBJ_ELEMS_PER_STEP, charge, mutation_error, pop_first


def _key_error(fname: str, key: Any) -> EvalError:
    """The error for a key Python could not hash: the Starlark reason, prefixed."""
    try:
        check_hashable(key)
    except EvalError as e:
        return EvalError(f"{fname}: {e.msg}")
    return EvalError(f"{fname}: unhashable type")  # pragma: no cover - defensive


_ABSENT: Any = object()


def _check_key(fname: str, key: Any) -> None:
    try:
        check_hashable(key)
    except EvalError as e:
        raise EvalError(f"{fname}: {e.msg}") from None


def dict_clear(th: Any, recv: Dict, /) -> None:
    if recv.guard:
        raise mutation_error("", recv, "clear")
    recv.clear()


def dict_get(th: Any, recv: Dict, key: Any, default: Any = None, /) -> Any:
    try:
        v = recv.get(key, _ABSENT)
    except TypeError:
        raise _key_error("get", key) from None
    if v is _ABSENT:
        _check_key("get", key)
        return default
    return v


def dict_items(th: Any, recv: Dict, /) -> List:
    charge(th, len(recv), OBJ_ELEMS_PER_STEP)
    return List(recv.items())


def dict_keys(th: Any, recv: Dict, /) -> List:
    charge(th, len(recv))
    return List(recv)


def dict_values(th: Any, recv: Dict, /) -> List:
    charge(th, len(recv))
    return List(recv.values())


def dict_pop(th: Any, recv: Dict, key: Any, default: Any = MISSING, /) -> Any:
    if recv.guard:
        raise mutation_error("pop", recv, "delete from")
    try:
        return recv.pop(key)
    except KeyError:
        _check_key("pop", key)  # CPython skips hashing when the dict is empty
        if default is not MISSING:
            return default
        raise EvalError("pop: missing key") from None
    except TypeError:
        raise _key_error("pop", key) from None


def dict_popitem(th: Any, recv: Dict, /) -> tuple[Any, Any]:
    if not recv:
        raise EvalError("popitem: empty dict")
    if recv.guard:
        raise mutation_error("popitem", recv, "delete from")
    return pop_first(th, recv)


def dict_setdefault(th: Any, recv: Dict, key: Any, default: Any = None, /) -> Any:
    try:
        if key in recv:
            return recv[key]
    except TypeError:
        raise _key_error("setdefault", key) from None
    try:
        check_hashable(key)
    except EvalError as e:
        raise EvalError(f"setdefault: {e.msg}") from None
    if recv.guard:
        raise mutation_error("setdefault", recv, "insert into")
    recv[key] = default
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
