"""Isolated-mode benchmarks: what running each script in a worker process costs.

* ``test_isolated_execute``: one ``engine.execute`` of the 10-line script of
  ``test_engine.py`` with ``isolation="process"`` and a warm pool, beside the same engine
  in-process. ``extra_info``: ``thread_ms``, ``process_ms`` and ``overhead_ms`` (target
  <= 5 ms with a warm pool), measured alternately in the same minutes.
* ``test_isolated_tool_call``: a script making 100 calls to a no-op host tool, each a round
  trip between the worker and the host; ``extra_info["per_call_us"]`` beyond in-process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from starlite.engine import Engine, Tool

from .test_engine import SCRIPT_10, noop

CALLS = 100
TOOL_LOOP = f"for i in range({CALLS}):\n    noop(x=i)\n"


@pytest.fixture(scope="module")
def engines() -> Iterator[tuple[Engine, Engine]]:
    tools = [Tool("noop", "", noop)]
    with Engine(tools, isolation="process", workers=1) as iso, Engine(tools) as local:
        for _ in range(20):  # warm: workers started, compile caches filled
            iso.execute(SCRIPT_10)
            iso.execute(TOOL_LOOP)
        yield iso, local


def _best_pair(a: Callable[[], Any], b: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The best wall times of ``a`` and ``b``, run alternately (same machine load)."""
    best_a = best_b = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        a()
        best_a = min(best_a, time.perf_counter() - t)
        t = time.perf_counter()
        b()
        best_b = min(best_b, time.perf_counter() - t)
    return best_a, best_b


@pytest.mark.benchmark(group="isolate")
def test_isolated_execute(benchmark: Any, engines: tuple[Engine, Engine]) -> None:
    iso, local = engines
    result = benchmark(iso.execute, SCRIPT_10)
    assert result.status == "success"
    assert result.value == local.execute(SCRIPT_10).value
    proc, thread = _best_pair(lambda: iso.execute(SCRIPT_10),
                              lambda: local.execute(SCRIPT_10), repeat=200)
    benchmark.extra_info["steps"] = result.steps
    benchmark.extra_info["thread_ms"] = round(thread * 1e3, 4)
    benchmark.extra_info["process_ms"] = round(proc * 1e3, 4)
    benchmark.extra_info["overhead_ms"] = round((proc - thread) * 1e3, 4)


@pytest.mark.benchmark(group="isolate")
def test_isolated_tool_call(benchmark: Any, engines: tuple[Engine, Engine]) -> None:
    iso, local = engines
    result = benchmark(iso.execute, TOOL_LOOP)
    assert result.status == "success" and result.tool_calls == CALLS
    proc, thread = _best_pair(lambda: iso.execute(TOOL_LOOP),
                              lambda: local.execute(TOOL_LOOP), repeat=20)
    benchmark.extra_info["steps"] = result.steps
    benchmark.extra_info["per_call_us"] = round((proc - thread) / CALLS * 1e6, 2)
