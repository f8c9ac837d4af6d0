"""Function bodies built on their first call (``starlite.compile.lazy``) change when the work
is done, nothing else: every Starlark test chunk, benchmark program and the Bazel macro file
give the same result, error, backtrace and step count with deferred bodies as with bodies
built at compile time, under every step limit, on any thread; and the deferral does what it
says (a body is built once, on its first call, and every function value gets it)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import starlite
from benchmarks.bazel_corpus import MACRO_25, MACRO_25_ARGS, macro_thread
from benchmarks.programs import PROGRAMS
from starlite.compile import lazy
from starlite.compile.stmts import StmtCompiler

from .differential import chunk_outcome, on_and_off
from .test_starlark_files import Chunk, all_chunks


def _both(run: Callable[[], Any]) -> tuple[Any, Any]:
    return on_and_off(lazy, run)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the function bodies built (at compile time or later), in order."""
    made: list[str] = []
    real = StmtCompiler._body

    def spy(self: Any, name: str, *args: Any) -> Any:
        made.append(name)
        return real(self, name, *args)

    monkeypatch.setattr(StmtCompiler, "_body", spy)
    yield made


def _chunk_outcome(chunk: Chunk) -> tuple[Any, ...]:
    return chunk_outcome(chunk, backtraces=True)


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


def test_bazel_macro_agrees() -> None:
    def run() -> tuple[Any, int]:
        thread, pre, targets = macro_thread()
        g = starlite.compile("m.bzl", MACRO_25, predeclared=list(pre)).exec(thread, pre)
        starlite.call(thread, g["project_cc_library"], **MACRO_25_ARGS)
        return repr(targets), thread.steps

    on, off = _both(run)
    assert on == off
    assert "ascii_table.inc" in on[0]


PROGRAM = """\
def helper(x, k = 2):
    if x > 3:
        return x * k
    return [x + i for i in range(k)]

def fails(d, key):
    v = d[key]
    return v

def outer(n):
    def inner(y):
        total = 0
        for i in range(y):
            total += helper(i)[0] if type(helper(i)) == "list" else helper(i)
        return total
    out = []
    for i in range(n):
        out.append(inner(i))
    return out

result = outer(6)
late = fails({"a": 1}, "a")
"""


@pytest.mark.parametrize("limit", [1, 5, 12, 13, 30, 31, 77, 150, 151, 400, None])
def test_step_limits_stop_at_the_same_step(limit: int | None) -> None:
    def run() -> tuple[str, int]:
        th = starlite.Thread(max_steps=limit)
        try:
            g = starlite.exec_file(th, "p.star", PROGRAM)
            return repr(g["result"]), th.steps
        except starlite.EvalError as e:
            return e.backtrace(), th.steps

    on, off = _both(run)
    assert on == off


def test_errors_in_deferred_bodies_agree() -> None:
    src = PROGRAM.replace('"a")\n', '"b")\n')

    def run() -> str:
        try:
            starlite.exec_file(starlite.Thread(), "p.star", src)
        except starlite.EvalError as e:
            return e.backtrace()
        raise AssertionError("no error")

    on, off = _both(run)
    assert on == off
    assert "in fails" in on and 'key "b" not in dict' in on


def test_call_observers_agree() -> None:
    class Calls(starlite.Observer):
        def __init__(self) -> None:
            self.seen: list[tuple[str, int, int]] = []

        def on_call(self, event: Any) -> None:
            self.seen.append((event.function, event.depth, event.step))

    def run() -> list[tuple[str, int, int]]:
        ob = Calls()
        starlite.exec_file(starlite.Thread(observers=[ob]), "p.star", PROGRAM)
        return ob.seen

    on, off = _both(run)
    assert on == off and len(on) > 20


def test_bodies_are_built_on_first_call_once(builds: list[str]) -> None:
    prog = starlite.compile("p.star", PROGRAM)
    assert builds == []  # nothing built yet: every def is small enough to wait
    th = starlite.Thread()
    prog.exec(th)
    assert sorted(builds) == ["fails", "helper", "inner", "outer"]
    prog.exec(th)  # a second run of the same program builds nothing
    assert sorted(builds) == ["fails", "helper", "inner", "outer"]


def test_functions_made_before_the_build_get_the_body(builds: list[str]) -> None:
    g = starlite.exec_file(starlite.Thread(), "p.star", "def f(x):\n    return x + 1\n"
                           "fs = [f for _ in range(3)]\n")
    f = g["f"]
    code = f.code
    assert code.pending is not None and builds == []
    assert starlite.call(starlite.Thread(), f, 41) == 42
    assert code.pending is None and builds == ["f"]
    assert code.ensure is None  # nothing keeps the syntax tree of the body
    assert f.body is code.body  # the stub was replaced in the function value too


def test_many_functions_before_the_first_call_build_the_body(builds: list[str]) -> None:
    src = ("def outer():\n    def inner():\n        return 1\n    return inner\n"
           f"fs = [outer() for _ in range({lazy.MAX_PENDING + 5})]\n")
    g = starlite.exec_file(starlite.Thread(), "p.star", src)
    assert builds == ["outer", "inner"]  # inner built when the 65th function was made
    assert all(f.body is f.code.body for f in g["fs"][lazy.MAX_PENDING:])


def test_large_bodies_are_built_at_compile_time(builds: list[str]) -> None:
    big = "def big(x):\n    return " + " + ".join(["x"] * (lazy.MAX_NODES + 1)) + "\n"
    small = "def small(x):\n    return " + " + ".join(["x"] * 10) + "\n"
    starlite.compile("p.star", big + small)
    assert builds == ["big"]


def test_first_calls_on_many_threads_build_once(builds: list[str]) -> None:
    g = starlite.exec_file(starlite.Thread(), "p.star", PROGRAM.split("result =")[0])
    outer = g["outer"]
    results: list[Any] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(repr(starlite.call(starlite.Thread(), outer, 7)))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and len(set(results)) == 1
    assert sorted(builds) == ["helper", "inner", "outer"]


def test_first_call_deep_in_a_recursion() -> None:
    src = """\
def down(n):
    if n == 0:
        def leaf(x):
            return [x * i for i in range(3)]
        return leaf(n + 1)
    return down(n - 1)

result = down(900)
"""

    def run() -> tuple[str, int]:
        th = starlite.Thread(options=starlite.Options(recursion=True))
        g = starlite.exec_file(th, "p.star", src)
        return repr(g["result"]), th.steps

    on, off = _both(run)
    assert on == off and on[0] == "[0, 1, 2]"
