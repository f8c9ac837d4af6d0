"""Tool-script engine benchmarks: what the engine adds on top of the interpreter.

* ``test_execute_overhead``: one ``engine.execute`` of a 10-line script (compiled program
  cached, as for an agent retrying or a server running the same script again) against running
  the same compiled program directly on a ``starlite.Thread``. ``extra_info``:
  ``overhead_ms`` (target < 0.5 ms) and ``steps``.
* ``test_execute_cold``: the same with the compile cache missed every time (parse + resolve +
  compile included), for reference.
* ``test_tool_call_overhead``: a script making 1000 tool calls to a no-op tool, against the
  same loop calling a no-op builtin; ``extra_info["per_call_us"]`` is the engine's cost per
  tool call beyond the tool's own time (target < 50 µs). Also with an observer attached.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

import starlite
from starlite.engine import Engine, Tool
from starlite.engine.engine import FILENAME
from starlite.observe import Observer, ToolEnd, ToolStart

SCRIPT_10 = """\
items = [{"id": i, "score": i * 7 % 11} for i in range(20)]
best = None
total = 0
for it in items:
    total += it["score"]
    if best == None or it["score"] > best["score"]:
        best = it
names = ["item-%d" % it["id"] for it in items if it["score"] > 5]
print("total", total)
return {"best": best["id"], "total": total, "names": len(names)}
"""

CALLS = 1000
TOOL_LOOP = f"for i in range({CALLS}):\n    noop(x=i)\n"
BUILTIN_LOOP = f"for i in range({CALLS}):\n    nop(x=i)\n"


def noop(x: int) -> None:
    return None


def _best(fn: Callable[[], Any], repeat: int = 200) -> float:
    """The best wall time of ``repeat`` calls of ``fn`` (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _direct_run(script: str, predeclared: dict[str, Any]) -> Callable[[], Any]:
    """Run ``script`` as the engine would, but straight on a Thread in this thread."""
    engine = Engine([])
    prog = starlite.compile(FILENAME, script, list(predeclared), engine.options)

    def run() -> Any:
        th = starlite.Thread(max_steps=100_000, print=lambda msg: None)
        return prog.run_full(th, predeclared, events=False)

    return run


@pytest.mark.benchmark(group="engine")
def test_execute_overhead(benchmark: Any) -> None:
    engine = Engine([Tool("noop", "", noop)])
    assert engine.execute(SCRIPT_10).status == "success"
    result = benchmark(engine.execute, SCRIPT_10)
    assert result.status == "success"
    direct = _best(_direct_run(SCRIPT_10, {}))
    full = _best(lambda: engine.execute(SCRIPT_10))
    benchmark.extra_info["steps"] = result.steps
    benchmark.extra_info["direct_ms"] = round(direct * 1e3, 4)
    benchmark.extra_info["execute_ms"] = round(full * 1e3, 4)
    benchmark.extra_info["overhead_ms"] = round((full - direct) * 1e3, 4)


@pytest.mark.benchmark(group="engine")
def test_execute_cold(benchmark: Any) -> None:
    engine = Engine([Tool("noop", "", noop)])
    counter = iter(range(10**9))

    def run() -> Any:
        # a different comment each time misses the compile cache
        return engine.execute(f"# {next(counter)}\n" + SCRIPT_10)

    result = benchmark(run)
    assert result.status == "success"
    benchmark.extra_info["steps"] = result.steps


class _ToolObserver(Observer):
    def __init__(self) -> None:
        self.n = 0

    def on_tool_start(self, event: ToolStart) -> None:
        self.n += 1

    def on_tool_end(self, event: ToolEnd) -> None:
        self.n += 1


@pytest.mark.benchmark(group="engine")
@pytest.mark.parametrize("observed", [False, True], ids=["plain", "observed"])
def test_tool_call_overhead(benchmark: Any, observed: bool) -> None:
    observers = [_ToolObserver()] if observed else []
    engine = Engine([Tool("noop", "", noop)], observers=observers)
    result = benchmark(engine.execute, TOOL_LOOP)
    assert result.status == "success" and result.tool_calls == CALLS
    with_tools = _best(lambda: engine.execute(TOOL_LOOP), repeat=20)
    baseline = _best(lambda: engine.execute(BUILTIN_LOOP, data={"nop": _nop}), repeat=20)
    benchmark.extra_info["steps"] = result.steps
    benchmark.extra_info["per_call_us"] = round((with_tools - baseline) / CALLS * 1e6, 2)


def _nop_fn(th: Any, **kwargs: Any) -> None:
    return None


_nop = starlite.Builtin("nop", _nop_fn)
