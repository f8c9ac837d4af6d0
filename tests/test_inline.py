"""Operand and branch inlining (``starlite.compile.inline``) changes speed only: every
Starlark test chunk and benchmark program gives the same result, the same error at the same
place and the same step count with it and without it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import starlite
from benchmarks.programs import PROGRAMS
from starlite.compile import inline

from .differential import chunk_outcome, on_and_off
from .test_starlark_files import Chunk, all_chunks


@pytest.fixture
def inlining_off() -> Iterator[None]:
    inline.ENABLED = False
    try:
        yield
    finally:
        inline.ENABLED = True


def _chunk_outcome(chunk: Chunk) -> tuple[Any, ...]:
    return chunk_outcome(chunk)


def _both(run: Callable[[], Any]) -> tuple[Any, Any]:
    return on_and_off(inline, run)


def test_star_chunks_agree() -> None:
    differ = []
    for chunk in all_chunks():
        on, off = _both(lambda c=chunk: _chunk_outcome(c))
        if on != off:
            differ.append((chunk.id, on, off))
    assert differ == []


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_benchmark_programs_agree(name: str) -> None:
    def run() -> tuple[Any, int]:
        th = starlite.Thread()
        g = starlite.exec_file(th, f"{name}.star", PROGRAMS[name])
        return starlite.call(th, g["main"]), th.steps

    on, off = _both(run)
    assert on == off


# Programs whose inlined closures take their fallbacks: other types, errors, guards, limits.
FALLBACKS = {
    "if_setitem_on_list": """
def f(xs, ks):
    out = [0, 0, 0]
    for k in ks:
        if k >= 0:
            out[k] = out[k] + xs[k]
    return out
x = f([1, 2, 3], [0, 2, 1, 2])
y = f([1, 2, 3], [0, 5])
""",
    "if_else_both_inlined": """
def f(n):
    d = {}
    for i in range(n):
        if i % 3:
            d[i] = d.get(i - 1, 0) + 1
        else:
            d[i] = d.get(i - 2, "s") + "t"
    return d
x = f(10)
""",
    "wordcount_frozen": """
def f(counts, words):
    for w in words:
        if w:
            counts[w] = counts.get(w, 0) + 1
    return counts
x = f({}, ["a", "", "b", "a"])
y = f(F, ["a"])
""",
    "wordcount_not_a_dict": """
def f(counts, words):
    for w in words:
        if w:
            counts[w] = counts.get(w, 0) + 1
    return counts
y = f([], ["a"])
""",
    "wordcount_bad_sum": """
def f(counts, words):
    for w in words:
        if w:
            counts[w] = counts.get(w, 0) + 1
    return counts
y = f({"a": "s"}, ["a"])
""",
    "swap_strings_lists_big": """
def f(a, b, n):
    for i in range(n):
        a, b = b, a + b
    return a
x = f(0, 1, 30)
y = f("a", "b", 6)
z = f([1], [2], 5)
big = (1 << 500) * (1 << 500) * (1 << 500) * (1 << 500) * (1 << 500) * (1 << 500)
w = f(big * (1 << 500), big * (1 << 500) * (1 << 490), 6)
v = f(None, 1, 2)
""",
    "append_format_and_upper": """
def f(n, words):
    parts = []
    for i in range(n):
        parts.append("item%d" % i)
    out = []
    for w in words:
        out.append(w.upper())
    return parts, out
x = f(3, ["a", "b"])
y = f(2, ["a", 1])
""",
    "append_format_fallbacks": """
def f(xs):
    parts = []
    for x in xs:
        parts.append("v=%s" % x)
    return parts
x = f([1, "a", None, True, 2.5, ("t",), [1]])
y = f([(1, 2)])
""",
    "method_cache_switches_type": """
def f(xs):
    out = []
    for x in xs:
        out.append(x.index("a"))
    return out
x = f(["ba", ["b", "a"], "xa", ["a"]])
y = f(["a", ("a",)])
""",
    "method_error_inside": """
def f(xs):
    out = []
    for x in xs:
        out.append(x.index("z"))
    return out
y = f(["zz", "a"])
""",
}


def _run_fallback(src: str, max_steps: int | None) -> tuple[Any, ...]:
    th = starlite.Thread(max_steps=max_steps)
    pre = {"F": starlite.freeze(starlite.to_starlark({"a": 1}))} if "F" in src else None
    try:
        g = starlite.exec_file(th, "fb.star", src, predeclared=pre)
    except starlite.EvalError as e:
        return ("error", type(e).__name__, e.backtrace(), th.steps)
    return ("ok", repr({k: v for k, v in g.items() if k != "f"}), th.steps)


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_fallbacks_agree(name: str) -> None:
    src = FALLBACKS[name]
    on, off = _both(lambda: _run_fallback(src, None))
    assert on == off
    # and with every step limit below the full count: stopped at the same place and count
    full = on[-1]
    for limit in sorted({1, 5, full // 3, full // 2, full - 2, full - 1}):
        if 0 < limit < full:
            a, b = _both(lambda lim=limit: _run_fallback(src, lim))
            assert a == b, limit


def test_inlining_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inline, "_combined", {})  # (other tests may have filled it up)
    src = FALLBACKS["wordcount_frozen"].replace("y = f(F, [\"a\"])", "")
    th = starlite.Thread()
    prog = starlite.compile("w.star", src)
    prog.exec(th)
    from starlite.compile.shapes import RECIPES

    assert any(name == "if_then" and "while True:" in text and kind == "stmt"
               for name, text, _a, _n, kind in RECIPES.values())
