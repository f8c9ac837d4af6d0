"""The methods of ``set`` (the Bazel spec's full set API, a superset of starlark-go's).

add clear difference difference_update discard intersection intersection_update isdisjoint
issubset issuperset pop remove symmetric_difference symmetric_difference_update union update

Methods that take ``*others`` accept any iterables, not only sets. A set is insertion ordered
(its ``.d`` is a dict whose values are None). Mutating a frozen or iterated set fails with
starlark-go's wording (``add: cannot insert into frozen hash table``), even when the call would
change nothing.
"""

from __future__ import annotations

from typing import Any

from ..errors import EvalError
from ..values.core import Set, type_name
from ..values.keys import box, put_key, unbox
from .common import (
    charge,
    check_key,
    check_keys,
    collect,
    is_iterable,
    mutation_error,
    new_set,
    pop_first,
)


def _set(th: Any, fname: str, other: Any, param: int | str = 1) -> Set:
    """Iterable ``other`` as a set (``other`` itself if it is one)."""
    if type(other) is Set:
        return other
    elems = collect(th, other, fname, param)
    charge(th, len(elems), 16)
    return new_set(fname, elems, th)


def _keys(th: Any, fname: str, other: Any, param: int | str = 1) -> dict[Any, None]:
    """The elements of iterable ``other`` as dict keys in stored form (so lookups are
    hashed)."""
    return _set(th, fname, other, param).d


def _others(th: Any, fname: str, others: tuple[Any, ...]) -> list[dict[Any, None]]:
    return [_keys(th, fname, o, i + 1) for i, o in enumerate(others)]


def _others_update(
    th: Any, fname: str, others: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[Set]:
    """Arguments of union/update: starlark-go words their errors differently."""
    if kwargs:
        raise EvalError(f"{fname}: does not accept keyword arguments")
    out = []
    for i, o in enumerate(others):
        if not is_iterable(o):
            raise EvalError(f"{fname}: argument #{i + 1} is not iterable: {type_name(o)}")
        out.append(_set(th, fname, o, i + 1))
    return out


def set_add(th: Any, recv: Set, x: Any, /) -> None:
    if recv.guard:
        raise mutation_error("add", recv, "insert into")
    t = type(x)
    if t is str or t is int:
        recv.d[x] = None
        return
    check_key("add", x, th)
    recv.d[put_key(recv, x)] = None


def set_clear(th: Any, recv: Set, /) -> None:
    if recv.d:
        if recv.guard:
            raise mutation_error("clear", recv, "clear")
        recv.d.clear()
        recv.boxed = 0


def _rehash(th: Any, fname: str, d: dict[Any, None]) -> None:
    """Charge hashing the keys of ``d`` again (set operations look each of them up)."""
    check_keys(fname, d, th)


def _probe(th: Any, fname: str, recv: Set, ds: list[dict[Any, None]]) -> None:
    """Charge looking each element of ``recv`` up in each of ``ds`` (at least once): hashing
    it again for each and 1 step per 64 lookups."""
    k = len(ds) if len(ds) > 1 else 1
    charge(th, len(recv.d) * k)
    for _ in range(k):
        _rehash(th, fname, recv.d)


def set_difference(th: Any, recv: Set, /, *others: Any) -> Set:
    ds = _others(th, "difference", others)
    _probe(th, "difference", recv, ds)
    return Set.of_keys({k: None for k in recv.d if not any(k in d for d in ds)}, recv.boxed)


def set_difference_update(th: Any, recv: Set, /, *others: Any) -> None:
    ds = _others(th, "difference_update", others)
    if recv.guard:
        raise mutation_error("difference_update", recv, "delete from")
    _probe(th, "difference_update", recv, ds)
    for k in [k for k in recv.d if any(k in d for d in ds)]:
        del recv.d[k]


def set_discard(th: Any, recv: Set, x: Any, /) -> None:
    if recv.guard:
        raise mutation_error("discard", recv, "delete from")
    t = type(x)
    if not (t is str or t is int):
        check_key("discard", x, th)
        x = box(x)
    recv.d.pop(x, None)


def set_intersection(th: Any, recv: Set, /, *others: Any) -> Set:
    ds = _others(th, "intersection", others)
    _probe(th, "intersection", recv, ds)
    return Set.of_keys({k: None for k in recv.d if all(k in d for d in ds)}, recv.boxed)


def set_intersection_update(th: Any, recv: Set, /, *others: Any) -> None:
    ds = _others(th, "intersection_update", others)
    if recv.guard:
        raise mutation_error("intersection_update", recv, "delete from")
    _probe(th, "intersection_update", recv, ds)
    for k in [k for k in recv.d if not all(k in d for d in ds)]:
        del recv.d[k]


def set_isdisjoint(th: Any, recv: Set, other: Any, /) -> bool:
    d = _keys(th, "isdisjoint", other)
    _rehash(th, "isdisjoint", recv.d)
    charge(th, len(recv.d))
    return not any(k in d for k in recv.d)


def set_issubset(th: Any, recv: Set, other: Any, /) -> bool:
    d = _keys(th, "issubset", other)
    _rehash(th, "issubset", recv.d)
    charge(th, len(recv.d))
    return all(k in d for k in recv.d)


def set_issuperset(th: Any, recv: Set, other: Any, /) -> bool:
    d = _keys(th, "issuperset", other)
    if type(other) is Set:
        _rehash(th, "issuperset", d)
    charge(th, len(d))
    return all(k in recv.d for k in d)


def set_pop(th: Any, recv: Set, /) -> Any:
    if not recv.d:
        raise EvalError("pop: empty set")
    if recv.guard:
        raise mutation_error("pop", recv, "delete from")
    return unbox(pop_first(th, recv.d)[0])


def set_remove(th: Any, recv: Set, x: Any, /) -> None:
    if recv.guard:
        raise mutation_error("remove", recv, "delete from")
    check_key("remove", x, th)
    try:
        del recv.d[box(x)]
    except KeyError:
        raise EvalError("remove: missing key") from None


def set_symmetric_difference(th: Any, recv: Set, other: Any, /) -> Set:
    o = _set(th, "symmetric_difference", other)
    d = o.d
    _rehash(th, "symmetric_difference", recv.d)
    if type(other) is Set:
        _rehash(th, "symmetric_difference", d)
    charge(th, len(recv.d) + len(d))
    r = Set.of_keys({k: None for k in recv.d if k not in d}, recv.boxed | o.boxed)
    r.d.update((k, None) for k in d if k not in recv.d)
    return r


def set_symmetric_difference_update(th: Any, recv: Set, other: Any, /) -> None:
    o = _set(th, "symmetric_difference_update", other)
    d = o.d
    if recv.guard:
        raise mutation_error("symmetric_difference_update", recv, "insert into")
    if d is recv.d:
        recv.d.clear()
        return
    _rehash(th, "symmetric_difference_update", recv.d)
    if type(other) is Set:
        _rehash(th, "symmetric_difference_update", d)
    charge(th, len(recv.d) + len(d))
    add = [k for k in d if k not in recv.d]
    for k in [k for k in recv.d if k in d]:
        del recv.d[k]
    recv.d.update((k, None) for k in add)
    recv.boxed |= o.boxed


def set_union(th: Any, recv: Set, /, *others: Any, **kwargs: Any) -> Set:
    srcs = _others_update(th, "union", others, kwargs)
    charge(th, len(recv.d) + sum(len(o.d) for o in srcs))
    r = Set.of_keys(dict(recv.d), recv.boxed)
    for o in srcs:
        r.d.update(o.d)
        r.boxed |= o.boxed
    return r


def set_update(th: Any, recv: Set, /, *others: Any, **kwargs: Any) -> None:
    srcs = _others_update(th, "update", others, kwargs)
    if recv.guard and any(o.d for o in srcs):
        raise mutation_error("update", recv, "insert into")
    charge(th, sum(len(o.d) for o in srcs))
    for o in srcs:
        recv.d.update(o.d)
        recv.boxed |= o.boxed


METHODS: dict[str, Any] = {
    "add": set_add,
    "clear": set_clear,
    "difference": set_difference,
    "difference_update": set_difference_update,
    "discard": set_discard,
    "intersection": set_intersection,
    "intersection_update": set_intersection_update,
    "isdisjoint": set_isdisjoint,
    "issubset": set_issubset,
    "issuperset": set_issuperset,
    "pop": set_pop,
    "remove": set_remove,
    "symmetric_difference": set_symmetric_difference,
    "symmetric_difference_update": set_symmetric_difference_update,
    "union": set_union,
    "update": set_update,
}
