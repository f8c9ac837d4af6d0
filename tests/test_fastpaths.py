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
from starlite.values.core import Dict, List, Struct

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


# ---------------------------------------------------------------------------------------------
# json: the plain-data encoder and Python's parser against the general encoder and decoder

JSON_SRC = """
def enc(x):
    return json.encode(x)

def dec(s):
    return json.decode(s)
"""


def _json_value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth > 3 or r < 0.45:
        return rng.choice([None, True, False, 0, -7, 1 << 70, 1 << 13000, 2.5, -0.0, 1e300,
                           float("inf"), "", "a", 'q"uote', "back\\slash", "tab\t", "é", "\u2028",
                           "x" * 300, "\x7f"])
    if r < 0.7:
        return List([_json_value(rng, depth + 1) for _ in range(rng.randint(0, 5))])
    if r < 0.8:
        return tuple(_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    if r < 0.85:
        return Struct(**{k: _json_value(rng, depth + 1) for k in rng.sample("zyx", 2)})
    keys = ["b", "a", "c", "é", 'k"'] + ([1] if rng.random() < 0.1 else [])
    return Dict({rng.choice(keys): _json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))})


def _json_text(rng: random.Random) -> str:
    import json as pyjson

    v = _json_value(rng)
    try:
        text = pyjson.dumps(v, ensure_ascii=rng.random() < 0.3)
    except (ValueError, TypeError):
        text = "[1, 2]"
    r = rng.random()
    if r < 0.15 and text:  # damage it
        i = rng.randrange(len(text))
        text = text[:i] + rng.choice(["", "}", ",", "x", "-", "\\ud800", "1e999", "NaN"]) \
            + text[i + 1:]
    elif r < 0.25:
        text = rng.choice([" [\\ud83d\\ude00, \"\\udc00x\"] ", "1.", "01", "-0", "1E5", "[1e400]",
                           "9" * 3500, "\"\\u00e9\\n\"", "[" * 50 + "]" * 50, "{\"a\":1,\"a\":2}",
                           "\ufeff1", "[1,]", "Infinity", "\"a\x01\""])
    return text


def _json_run(fn_name: str, arg: Any, max_steps: int) -> tuple[str, int]:
    th = Thread(max_steps=max_steps)
    pre = {"json": starlite.builtins.json_module}  # type: ignore[attr-defined]
    prog = starlite.compile("j.star", JSON_SRC, predeclared=pre)
    fn = prog.exec(th, pre)[fn_name]
    before = th.steps
    try:
        out = repr(starlite.to_python(starlite.call(th, fn, arg)))
    except starlite.StarlarkError as e:
        out = type(e).__name__ + ": " + str(e)
    return out, th.steps - before


@pytest.mark.parametrize("seed", range(30))
def test_json_encode_plain_matches_general_encoder(monkeypatch: pytest.MonkeyPatch,
                                                   seed: int) -> None:
    from starlite.builtins import json as sj

    def refuse(*a: Any) -> None:
        raise sj._NotPlain

    rng = random.Random(seed)
    for _ in range(10):
        x = _json_value(rng)
        limit = rng.choice([10**9, 200, 30, 12])  # some runs stop at the step limit
        fast = _json_run("enc", x, limit)
        with monkeypatch.context() as m:
            m.setattr(sj, "_encode_plain", refuse)
            slow = _json_run("enc", x, limit)
        assert fast == slow, x


@pytest.mark.parametrize("seed", range(30))
def test_json_decode_by_python_matches_general_decoder(monkeypatch: pytest.MonkeyPatch,
                                                       seed: int) -> None:
    from starlite.builtins import json as sj

    rng = random.Random(seed)
    for _ in range(10):
        text = _json_text(rng)
        limit = rng.choice([10**9, 10**9, 2000])
        fast = _json_run("dec", text, limit)
        with monkeypatch.context() as m:
            m.setattr(sj, "_SURROGATE_ESCAPE", _Always())
            slow = _json_run("dec", text, limit)
        assert fast == slow, text


class _Always:
    def search(self, s: str) -> bool:
        return True


# ---------------------------------------------------------------------------------------------
# string methods without start/end: the same results and charges as with explicit bounds


@pytest.mark.parametrize("s", ["", "a", "banana", "é" * 70 + "na" * 100, "x" * 5000])
@pytest.mark.parametrize("sub", ["", "a", "na", "é", "zz", "x" * 64])
def test_string_methods_whole_string_fast_paths(s: str, sub: str) -> None:
    from starlite.builtins import strings as S

    def both(fast: Any, slow: Any) -> None:
        t1, t2 = Thread(max_steps=10**9), Thread(max_steps=10**9)
        assert fast(t1) == slow(t2)
        assert t1.steps == t2.steps

    both(lambda t: S.str_find(t, s, sub), lambda t: S.str_find(t, s, sub, 0, len(s)))
    both(lambda t: S.str_rfind(t, s, sub), lambda t: S.str_rfind(t, s, sub, -len(s) - 1))
    both(lambda t: S.str_count(t, s, sub), lambda t: S.str_count(t, s, sub, 0))
    both(lambda t: S.str_startswith(t, s, sub), lambda t: S.str_startswith(t, s, (sub,)))
    both(lambda t: S.str_endswith(t, s, sub), lambda t: S.str_endswith(t, s, (sub,)))
    for new in ["", "b", "long" * 40]:
        both(lambda t: S.str_replace(t, s, sub, new), lambda t: S.str_replace(t, s, sub, new, -5))
    both(lambda t: S.str_strip(t, s), lambda t: S.str_strip(t, s, ""))


def test_json_encode_of_a_huge_dag_stops_at_the_step_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # 2**40 leaves: the plain encoder must give up once the text outgrows the steps left
    src = ("def f():\n    l = [1] * 100\n    for i in range(40):\n        l = [l, l]\n"
           "    return json.encode(l)\nx = f()\n")
    th = Thread(max_steps=200_000)
    pre = {"json": starlite.builtins.json_module}  # type: ignore[attr-defined]
    with pytest.raises(starlite.StepLimitExceeded):
        starlite.exec_file(th, "dag.star", src, predeclared=pre)
    assert th.steps <= 200_000
    from starlite.builtins import json as sj

    def refuse(*a: Any) -> None:
        raise sj._NotPlain

    monkeypatch.setattr(sj, "_encode_plain", refuse)
    general = Thread(max_steps=200_000)
    with pytest.raises(starlite.StepLimitExceeded):
        starlite.exec_file(general, "dag.star", src, predeclared=pre)
    assert th.steps == general.steps


# ---------------------------------------------------------------------------------------------
# repr of flat lists and tuples of strings or ints


def _flat(rng: random.Random) -> Any:
    kind = rng.choice(["s", "i", "mixed"])
    n = rng.choice([1, 2, 5, 60, 200])
    if kind == "s":
        elems: list[Any] = [rng.choice(["", "a", 'q"', "\\", "é\n", "x" * 100]) for _ in range(n)]
    elif kind == "i":
        elems = [rng.choice([0, -5, 10**17, -(10**18) + 1, 10**18, 1 << 70]) for _ in range(n)]
    else:
        elems = [rng.choice([1, "a", True, None, 2.5]) for _ in range(n)]
    return List(elems) if rng.random() < 0.6 else tuple(elems)


@pytest.mark.parametrize("seed", range(20))
def test_flat_repr_matches_the_printer(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    from starlite.values import repr as R

    rng = random.Random(seed)
    for _ in range(10):
        v = _flat(rng)
        limit = rng.choice([10**9, 50, 400])

        def run() -> tuple[str, int]:
            th = Thread(max_steps=limit)
            try:
                out = R.repr_value(v, th)
            except starlite.StarlarkError as e:
                out = type(e).__name__
            return out, th.steps

        fast = run()
        with monkeypatch.context() as m:
            m.setattr(R, "_flat_repr", lambda v, th: None)
            slow = run()
        assert fast == slow, v


# ---------------------------------------------------------------------------------------------
# arithmetic: float fast cases of binary() and small int/str cases of inplace()

_NUMS = [0, 1, -3, 1 << 60, 1 << 1100, -(1 << 1100), 0.0, -0.0, 2.5, -1e308, 1e308,
         float("inf"), float("-inf"), float("nan"), True]


def _outcome(f: Any, *args: Any) -> tuple[str, int]:
    th = Thread(max_steps=10**9)
    try:
        r = f(th, *args)
        out = f"{type(r).__name__}:{r!r}"
    except EvalError as e:
        out = "error: " + e.msg
    return out, th.steps


@pytest.mark.parametrize("op", ["+", "-", "*", "<", "<=", ">", ">=", "==", "/", "//", "%"])
def test_binary_float_cases_match_the_general_rules(op: str) -> None:
    from starlite.values import arith
    from starlite.values.ops import compare

    def table(th: Any, x: Any, y: Any) -> Any:
        nums = {int, float}
        if op in "+-*" and {type(x), type(y)} <= nums and float in {type(x), type(y)}:
            return arith._float_op(op, x, y)  # int/float arithmetic is float arithmetic
        if op in ("<", "<=", ">", ">="):
            return compare(op, x, y, 0, th)
        return arith._BINARY[op](th, op, x, y)

    for x in _NUMS:
        for y in _NUMS:
            assert _outcome(arith.binary, op, x, y) == _outcome(table, x, y), (x, y)


def test_inplace_small_cases_match_the_operator_table() -> None:
    from starlite.values import arith

    vals = [0, 5, -(10**18) + 1, 10**18, 1 << 5000, "", "ab", "x" * 100, 2.5, True]
    for x in vals:
        for y in vals:
            for op in ("+", "-"):
                fast = _outcome(lambda th, a, b: arith.inplace(th, op, a, b), x, y)
                slow = _outcome(lambda th, a, b: arith._BINARY[op](th, op, a, b), x, y)
                assert fast == slow, (x, op, y)
