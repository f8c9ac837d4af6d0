"""Native fast paths of the builtins give the results, errors and step counts of the general
path: sorting by tuples of scalars (Python's own tuple order) against the comparison-by-
comparison route, and cached ``str.format`` plans against the charging rules of the reader."""

from __future__ import annotations

import random
from typing import Any

import pytest

import starlite
from starlite.builtins import universe
from starlite.builtins.format import _PLAN_CACHE, str_format
from starlite.errors import EvalError
from starlite.thread import Thread
from starlite.values.core import List

SORT_SRC = """
def by_key(xs):
    return sorted(xs, key = lambda x: x)

def by_key_rev(xs):
    return sorted(xs, key = lambda x: x, reverse = True)

def plain(xs):
    return sorted(xs)
"""


def _scalar(rng: random.Random, kind: str) -> Any:
    if kind == "s":
        return rng.choice(["", "a", "b", "ab", "é"])
    if kind == "b":
        return rng.random() < 0.5
    if kind == "n":
        return rng.choice([0, 1, -1, 2, 0.5, 1.0, -0.0, 1 << 70, float("inf"), float("nan")])
    return rng.choice([None, (1,), True, "x", 3])  # "x": anything, often unordered


def _keys(rng: random.Random) -> list[Any]:
    kinds = [rng.choice("sbn") for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.2:
        kinds.append("x")
    out = []
    for _ in range(rng.randint(0, 12)):
        n = len(kinds) if rng.random() < 0.7 else rng.randint(0, len(kinds))
        out.append(tuple(_scalar(rng, k) for k in kinds[:n]))
    return out


def _run(fn_name: str, xs: list[Any]) -> tuple[str, int]:
    th = Thread(max_steps=10**9)
    prog = starlite.compile("s.star", SORT_SRC)
    fn = prog.exec(th, {})[fn_name]
    before = th.steps
    try:
        out = repr(starlite.to_python(starlite.call(th, fn, starlite.to_starlark(xs))))
    except EvalError as e:
        out = "error: " + e.msg
    except starlite.StarlarkError as e:
        out = "error: " + str(e).split(": ", 1)[-1]
    return out, th.steps - before


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("fn_name", ["by_key", "by_key_rev", "plain"])
def test_tuple_sort_matches_general_path(monkeypatch: pytest.MonkeyPatch, seed: int,
                                         fn_name: str) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        xs = _keys(rng)
        fast = _run(fn_name, xs)
        with monkeypatch.context() as m:
            m.setattr(universe, "_tuples_natively_ordered", lambda xs: False)
            slow = _run(fn_name, xs)
        assert fast == slow, xs


def test_tuple_sort_recognises_only_consistent_scalars() -> None:
    ok = universe._tuples_natively_ordered
    assert ok([(1, "a"), (2.5,), (0, "b", True)])
    assert ok([(), ()])
    assert not ok([])
    assert not ok([(1,), (True,)])  # bool is not int
    assert not ok([(1,), ("a",)])
    assert not ok([(float("nan"),), (1,)])
    assert not ok([(None,), (None,)])
    assert not ok([((1,),), ((2,),)])
    assert not ok([(1,), [1]])
    assert not ok([tuple(range(64)), (1,)])  # long tuples charge per comparison
    assert ok([tuple(range(63)), (1,)])


def test_natively_ordered_scalars() -> None:
    ok = universe._natively_ordered
    assert ok(["b", "a"]) and ok([1, 2.5, 1 << 80]) and ok([])
    assert not ok([1, True]) and not ok(["a", 1]) and not ok([1.0, float("nan")])
    assert not ok([float("nan")]) and not ok([1, float("nan")])


# ---------------------------------------------------------------------------------------------
# str.format plans


def test_format_plan_reused_with_new_arguments() -> None:
    th = Thread()
    assert str_format(th, "{}-{x}", (1,), {"x": "a"}) == "1-a"
    assert "{}-{x}" in _PLAN_CACHE
    assert str_format(th, "{}-{x}", ("b",), {"x": List([2])}) == "b-[2]"
    with pytest.raises(EvalError, match="keyword x not found"):
        str_format(th, "{}-{x}", (1,), {})
    with pytest.raises(EvalError, match="tuple index out of range"):
        str_format(th, "{}-{x}", (), {"x": 1})


def test_format_cache_is_bounded() -> None:
    th = Thread()
    for i in range(1000):
        assert str_format(th, f"{i}:{{}}", (i,), {}) == f"{i}:{i}"
    assert len(_PLAN_CACHE) <= 256


@pytest.mark.parametrize("lit", [10, 63, 64, 4095, 4100, 9000])
def test_format_charges_output_like_the_reader(lit: int) -> None:
    th = Thread(max_steps=10**9)
    fmt = "x" * lit + "{0}" + "}}" * 3 + "{0!r}"
    out = str_format(th, fmt, ("y" * 5000,), {})
    assert out == "x" * lit + "y" * 5000 + "}}}" + '"' + "y" * 5000 + '"'
    fields = fmt.count("{") if len(fmt) >= 16 else 0
    repr_steps = 5002 // 64
    assert th.steps == fields + repr_steps + len(out) // 64


def test_format_error_after_long_output_keeps_the_charges_made_so_far() -> None:
    # The output is charged every 4096 characters as it grows: an error after 5000 literal
    # characters has been charged for 4992 of them (78 steps) plus one step per '{'.
    th = Thread(max_steps=10**9)
    with pytest.raises(EvalError, match="tuple index out of range"):
        str_format(th, "x" * 5000 + "{}", (), {})
    assert th.steps == 1 + 5000 // 64
    th = Thread(max_steps=10**9)
    with pytest.raises(EvalError, match="single '}'"):
        str_format(th, "x" * 5000 + "}}" + "x" * 3000 + "} {}", (), {})
    assert th.steps == 1 + 5001 // 64
