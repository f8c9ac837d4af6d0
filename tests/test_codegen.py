"""Whole function bodies as generated Python functions (``starlite.compile.codegen``) change
speed only: every Starlark test chunk, benchmark, corpus and floor program gives the same
result, the same error at the same place (whole backtrace) and the same step count with the
generator on and off, also under step limits; bodies are really generated, and a function
that does not qualify keeps the closure body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import starlite
from benchmarks.corpus import PROGRAMS as CORPUS
from benchmarks.floors import FLOORS, OPTIONS
from benchmarks.programs import PROGRAMS
from starlite.compile import codegen

from .differential import chunk_outcome, on_and_off
from .test_flat import CASES, _opts
from .test_starlark_files import all_chunks


def _both(run: Callable[[], Any]) -> tuple[Any, Any]:
    return on_and_off(codegen, run)


def test_star_chunks_agree() -> None:
    differ = []
    for chunk in all_chunks():
        on, off = _both(lambda c=chunk: chunk_outcome(c, backtraces=True))
        if on != off:
            differ.append((chunk.id, on, off))
    assert differ == []


def _run(src: str, options: dict[str, bool], max_steps: int | None = None,
         predeclared: dict[str, Any] | None = None, module: bool = False) -> Any:
    th = starlite.Thread(max_steps=max_steps, options=starlite.Options(**options))
    try:
        g = starlite.exec_file(th, "p.star", src, predeclared=predeclared)
        r = g["result"] if module else starlite.call(th, g["main"])
        return ("ok", repr(r), th.steps)
    except starlite.EvalError as e:
        return ("error", type(e).__name__, e.backtrace(), th.steps)


def _program(name: str) -> tuple[str, dict[str, bool], dict[str, Any] | None, bool]:
    kind, _, key = name.partition(":")
    if kind == "floor":
        return FLOORS[key], OPTIONS.get(key, {}), None, False
    if kind == "bench":
        return PROGRAMS[key], {}, None, False
    if kind == "case":
        return CASES[key], _opts(CASES[key]), None, False
    p = CORPUS[key]
    return p.source, p.options, p.starlite_predeclared(), p.kind == "module"


_NAMES = ([f"bench:{n}" for n in sorted(PROGRAMS)] + [f"floor:{n}" for n in sorted(FLOORS)]
          + [f"corpus:{n}" for n in sorted(CORPUS)] + [f"case:{n}" for n in sorted(CASES)])


@pytest.mark.parametrize("name", _NAMES)
def test_programs_agree_under_step_limits(name: str) -> None:
    src, opts, pre, module = _program(name)
    on, off = _both(lambda: _run(src, opts, None, pre, module))
    assert on == off
    full = on[-1]
    # every limit up to 250 steps, then about 30 limits spread over the run (the small
    # cases below go through every limit)
    stride = 1 if full <= 250 else max(1, full // 30)
    for limit in sorted({*range(1, min(full, 250) + 1), *range(1, full + 1, stride),
                         full - 1, full}):
        if limit < 1:
            continue
        a, b = _both(lambda lim=limit: _run(src, opts, lim, pre, module))
        assert a == b, limit


_EDGES = {
    # a fallback statement (index assignment, method call, comprehension, nested def, slice)
    # between generated ones, locals written back and reloaded around it
    "fallbacks": """
def main():
    xs = [1, 2, 3]
    d = {}
    t = 0
    for i in range(5):
        xs[i % 3] = t
        d["k%d" % i] = [x * i for x in xs if x != t]
        t += len(d) + xs[-1]
        def inner(a, b=t):
            return a + b
        t = inner(t) % 1000
        s = "abcdef"[i:]
        t += len(s)
    return t, xs, d
""",
    "unbound_and_globals": """
G = [1, 2]
def main():
    out = []
    for i in range(4):
        if i > 1:
            out.append(y)
        y = i + G[0]
    return out
""",
    "errors_in_operators": """
def f(a, b):
    c = a + 1
    return c * b - a // b
def main():
    t = 0
    for x in [1, 2, 0]:
        t += f(x, x)
    return t
""",
    "signals_in_fallback_loops": """
def main():
    t = 0
    for i, j in [(1, 2), (3, 4), [5, 6]]:
        for k in {"a": 1, "b": 2}:
            if k == "b":
                break
            t += i
        while t < 100:
            t += j
            if t % 3 == 0:
                continue
            if t > 50:
                return t
    return -t
""",
    "calls_every_way": """
def leaf(a):
    return a + 1
def deep(n):
    if n == 0:
        return 0
    return leaf(n) + deep(n - 1)
def kw(a, b=2, *r, **k):
    return a + b + len(r) + len(k)
def main():
    t = 0
    for i in range(3):
        t += leaf(i) + kw(i) + kw(i, 1, 2, z=3) + len(str(i)) + deep(4)
    f = leaf
    return t + f(1) + (lambda q: q * 2)(3), [deep(x) for x in range(3)]
""",
    "bad_unpack_and_calls": """
def main():
    t = 0
    for a, b in [(1, 2), (1, 2, 3)]:
        t += a
    return t
""",
    # more nested blocks than Python compiles: the closure body, returning the value
    "python_refuses_the_text": "def f(a):\n" + "".join(
        "    " * (i + 1) + f"for x{i} in [1, 2][:1]:\n" for i in range(12)) + "    " * 13
    + "if a > 2:\n" + "    " * 14 + "return a\n" + "    " * 13 + "a += 1\n    return -a\n"
    + "def main():\n    return f(1), f(3)\n",
    "keyword_calls": """
def f(a, b=2, *args, c=3, **kw):
    return a + b + c + len(args) + len(kw)
def g(x, y):
    return x - y
def main():
    t = 0
    for i in range(3):
        t += f(i, c=1) + f(a=i) + f(i, 1, 2, z=3) + g(y=i, x=1)
    return t, f(1, a=2)
""",
    "aug_index": """
def main():
    d = {"a": 1, 2: [0]}
    xs = [1, 2.5, "s"]
    for i in range(3):
        d["a"] += i
        d[2] += [i]
        xs[-1] += "t"
        xs[1] *= 2
        xs[0] -= 1
    d["missing"] += 1
    return d, xs
""",
    "aug_index_iterating": """
def main():
    xs = [1, 2]
    for x in xs:
        xs[0] += 1
    return xs
""",
    "call_non_function": """
def main():
    x = 1
    return x(2)
""",
}


@pytest.mark.parametrize("name", sorted(_EDGES))
@pytest.mark.parametrize("recursion", [False, True])
def test_edge_cases_agree_under_every_step_limit(name: str, recursion: bool) -> None:
    src = _EDGES[name]
    if "deep(" in src and not recursion:
        src = src.replace("deep(n - 1)", "0")
    opts = {"recursion": recursion, "while_": True}
    on, off = _both(lambda: _run(src, opts))
    assert on == off
    for limit in range(1, on[-1] + 1):
        a, b = _both(lambda lim=limit: _run(src, opts, lim))
        assert a == b, limit


def test_observers_see_the_same_events() -> None:
    """Step and call observers get the same events, with the same sites, either way."""
    from starlite.observe import Observer

    class Rec(Observer):
        wants_steps = True

        def __init__(self) -> None:
            self.events: list[Any] = []

        def on_step(self, ev: Any) -> None:
            self.events.append(("step", ev.step, ev.node, ev.function, ev.line, ev.col,
                                ev.depth))

        def on_call(self, ev: Any) -> None:
            self.events.append(("call", repr(ev)))

        def on_return(self, ev: Any) -> None:
            self.events.append(("return", repr(ev)))

    src = _EDGES["calls_every_way"].replace("deep(n - 1)", "0")

    def run() -> Any:
        rec = Rec()
        th = starlite.Thread(observers=[rec])
        g = starlite.exec_file(th, "p.star", src)
        return starlite.call(th, g["main"]), th.steps, rec.events

    on, off = _both(run)
    assert on == off
    assert any(e[0] == "step" for e in on[2]) and any(e[0] == "call" for e in on[2])


def _body_of(src: str, name: str) -> Any:
    th = starlite.Thread()
    g = starlite.exec_file(th, "p.star", src)
    starlite.call(th, g["main"])
    return g[name].code.body


def test_bodies_are_generated() -> None:
    """A qualifying ``def`` runs as one generated function (locals as Python locals)."""
    src = "def f(a, b):\n    c = a + b\n    if c > 2:\n        return c\n    return 0\n" \
          "def main():\n    return f(1, 2)\n"
    body = _body_of(src, "f")
    assert "l2 + l3" in body._source
    assert "fr[" not in body._source  # the locals come from the frame once, at entry
    # and an entry taking the parameters as arguments, for calls from generated code
    assert body.direct is not None and "def direct_(th, G, l2, l3)" in body._source


def test_captured_locals_keep_the_closure_body() -> None:
    """A function whose local a nested function captures (a cell) does not qualify: it
    keeps the closure compiler's body; the nested function (a free variable) too."""
    src = "def f(a):\n    def g():\n        return a\n    return g\n" \
          "def main():\n    return f(1)()\n"
    assert not hasattr(_body_of(src, "f"), "_source")
    th = starlite.Thread()
    g = starlite.exec_file(th, "p.star", src)
    inner = starlite.call(th, g["f"], 1)
    starlite.call(th, inner)
    assert not hasattr(inner.code.body, "_source")


def test_text_python_refuses_keeps_the_closure_body() -> None:
    """A body with more nested blocks than Python compiles keeps the closure body (made to
    return the value, as the function's code says of generated bodies)."""
    before = codegen.stats["refused"]
    assert _run(_EDGES["python_refuses_the_text"], {})[:2] == ("ok", "(-2, 3)")
    assert codegen.stats["refused"] > before


def test_switch_off_keeps_closure_bodies() -> None:
    src = "def f(a):\n    b = a + 1\n    return b\ndef main():\n    return f(1)\n"
    on, off = _both(lambda: hasattr(_body_of(src, "f"), "_source"))
    assert (on, off) == (True, False)
