"""Inlined calls of one-expression helpers (``starlite.compile.leafcall``) behave exactly like
ordinary calls: same results, same error backtraces, same step counts, same point at which a
step limit stops the run, same events for observers."""

from __future__ import annotations

from typing import Any

import pytest

import starlite
from starlite.compile import calls, leafcall

from .differential import on_and_off

PROGRAM = """\
K = 3

def add(a, b):
    return a + b

def scaled(x, k):
    \"\"\"x times k, plus K.\"\"\"
    return x * k + K

def pick(d, key):
    return d[key]

def clamp(x, lo, hi):
    return lo if x < lo else (hi if x > hi else x) or lo

def main(n):
    total = 0
    d = {"a": 1}
    key = "a"
    for i in range(n):
        total = add(total, scaled(i, 2))
        total = add(total, pick(d, key))
        total = add(total, i)
        c = 0
        c = clamp(i, c, 3)
        total = add(total, c)
    return total

result = main(50)
"""

FAILING = """\
def div(a, b):
    return a // b

def main():
    x = 10
    z = 0
    y = div(x, 2)
    return div(y, z)

main()
"""


def _run(src: str, **thread_args: Any) -> tuple[str, int]:
    th = starlite.Thread(**thread_args)
    try:
        g = starlite.exec_file(th, "p.star", src)
        out = repr(g.get("result"))
    except starlite.EvalError as e:
        out = e.backtrace()
    return out, th.steps


def _both(src: str, **thread_args: Any) -> tuple[tuple[str, int], tuple[str, int]]:
    return on_and_off(leafcall, lambda: _run(src, **thread_args))


def test_calls_are_inlined(monkeypatch: pytest.MonkeyPatch) -> None:
    from starlite.compile import codegen

    monkeypatch.setattr(codegen, "ENABLED", False)  # (call sites of the closure compiler)
    made: list[str] = []
    real = calls.inline_call

    def spy(cc: Any, e: Any, *args: Any, **kwargs: Any) -> Any:
        r = real(cc, e, *args, **kwargs)
        if r is not None:
            made.append(e.fn.name)
        return r

    monkeypatch.setattr(calls, "inline_call", spy)
    # run it: main's body is compiled on its first call (compile.lazy)
    starlite.exec_file(starlite.Thread(), "p.star", PROGRAM)
    # add(total, scaled(i, 2)) is not: an argument that is a call is no plain read
    assert sorted(made) == ["add", "add", "clamp", "pick", "scaled"]


def test_results_and_steps_match_ordinary_calls() -> None:
    on, off = _both(PROGRAM)
    assert on == off
    expect = sum(i * 2 + 3 + 1 + i + (min(i, 3) or 0) for i in range(50))
    assert on[0] == repr(expect)


def test_error_backtraces_match_ordinary_calls() -> None:
    on, off = _both(FAILING)
    assert on == off
    assert "in div" in on[0] and "floored division by zero" in on[0]


@pytest.mark.parametrize("limit", [5, 17, 18, 19, 20, 40, 41, 100, 333, 1000])
def test_step_limit_stops_at_the_same_step(limit: int) -> None:
    on, off = _both(PROGRAM, max_steps=limit)
    assert on == off
    assert "too many steps" in on[0]


def test_call_observers_see_every_call() -> None:
    class Calls(starlite.Observer):
        def __init__(self) -> None:
            self.seen: list[tuple[str, int, int]] = []

        def on_call(self, event: Any) -> None:
            self.seen.append((event.function, event.depth, event.step))

    def observed() -> list[tuple[str, int, int]]:
        ob = Calls()
        starlite.exec_file(starlite.Thread(observers=[ob]), "p.star", PROGRAM)
        return ob.seen

    on, off = on_and_off(leafcall, observed)
    assert on == off
    assert len([c for c in on if c[0] == "add"]) == 200


def test_step_observers_see_the_callee() -> None:
    class Funcs(starlite.Observer):
        wants_steps = True

        def __init__(self) -> None:
            self.funcs: set[tuple[str, int]] = set()

        def on_steps(self, first: int, count: int, site: Any, depth: int) -> None:
            self.funcs.add((site.function, depth))

    ob = Funcs()
    starlite.exec_file(starlite.Thread(observers=[ob]), "p.star", PROGRAM)
    assert {("add", 2), ("scaled", 2), ("pick", 2), ("clamp", 2), ("main", 1)} <= ob.funcs


def test_cancel_and_timeout_reach_inlined_calls() -> None:
    src = PROGRAM.replace("main(50)", "main(10000000)")
    out, _ = _run(src, timeout=0.2)
    assert "Timeout" in out or "timeout" in out.lower()


@pytest.mark.parametrize("body", ["x or x", "x and x", "1 if x else x", "x if x else 2"])
def test_a_limit_inside_a_branch_that_reads_a_parameter_is_placed_in_the_helper(
    body: str,
) -> None:
    # The branch's charge starts with the parameter read; inlined, that node is the caller's
    # argument, which must still be reported where the helper reads the parameter.
    src = (f"def f(x):\n    return {body}\n\ndef main():\n    a = 0\n    return f(a)\n\n"
           "main()\n")
    total = _run(src)[1]
    for limit in range(total + 1):
        on, off = _both(src, max_steps=limit)
        assert on == off, limit
