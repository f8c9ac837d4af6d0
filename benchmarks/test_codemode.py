"""What the codemode gateway costs: ``execute_tool_script`` over stdio against calling the
backend's tools directly.

One gateway (``python -m codemode`` over the test backend ``tests/codemode_backend.py``, both
real processes on stdio) and, for the baseline, a direct SDK client connection to a second
process of the same backend. All calls are made by the mcp SDK's client, so both sides pay the
same SDK costs. Measured interleaved (medians of batches, so both see the same machine state):

* ``direct_ms``: one ``tools/call`` of the backend's ``add`` tool, made directly: the backend
  tool's own time as a caller sees it;
* ``exec_1_ms``: ``execute_tool_script`` running ``return add(a=1, b=2)``;
* ``exec_n_ms``: ``execute_tool_script`` making :data:`CALLS` sequential ``add`` calls.

Derived, in ``extra_info``:

* ``overhead_per_execution_ms`` = ``exec_1 - direct``: what the gateway adds to one tool call
  an agent would otherwise have made directly (its own MCP round trip, the engine's run, the
  result's JSON) -- target <= 2 ms;
* ``overhead_per_tool_call_ms`` = ``(exec_n - exec_1) / (CALLS - 1) - direct``: what each
  further inner call costs above the backend's own time -- target <= 0.5 ms.

Run with ``pytest benchmarks/test_codemode.py --benchmark-enable``; the targets are asserted
only then (in the ordinary test run the benchmark executes once, as a smoke test).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("mcp")

from anyio.from_thread import start_blocking_portal  # noqa: E402
from mcp import StdioServerParameters  # noqa: E402

from tests.codemode_support import (  # noqa: E402
    BACKEND,
    Driver,
    backend_flag,
    connect,
    stdio_gateway,
)

#: Inner tool calls of the many-calls script.
CALLS = 20
ONE_CALL = "return add(a=1, b=2)"
MANY_CALLS = f"""
n = 0
for i in range({CALLS}):
    n += add(a=i, b=1)["result"]
return n
"""
TARGET_EXECUTION_MS = 2.0
TARGET_TOOL_CALL_MS = 0.5


class Pair:
    """The gateway and the direct connection, both clients in one event loop (the portal's):
    the timings are taken inside that loop, so no thread hand-off is measured."""

    def __init__(self, gateway: Driver, direct: Driver) -> None:
        self.gateway = gateway.client
        self.direct = direct.client
        self.portal = gateway.portal

    async def call_direct(self) -> Any:
        r = await self.direct.call_tool("add", {"a": 1, "b": 2})
        assert not r.is_error
        return r

    async def run(self, script: str) -> Any:
        r = await self.gateway.call_tool("execute_tool_script", {"script": script})
        assert not r.is_error, r.content
        return r.structured_content

    def run_sync(self, script: str) -> Any:
        return self.portal.call(self.run, script)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    direct = StdioServerParameters(command=sys.executable, args=[str(BACKEND), "main"])
    with start_blocking_portal() as portal, \
            connect(stdio_gateway("--backend", backend_flag("main", "main")), portal) as g, \
            connect(direct, portal) as d:
        p = Pair(g, d)
        portal.call(_warm_up, p)
        yield p


async def _warm_up(p: Pair) -> None:
    for _ in range(10):  # imports, caches, the compiled scripts
        await p.call_direct()
        await p.run(ONE_CALL)
        await p.run(MANY_CALLS)


async def _median_ms(fn: Callable[[], Awaitable[Any]], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


async def measure(pair: Pair, rounds: int, batches: int) -> dict[str, float]:
    direct: list[float] = []
    one: list[float] = []
    many: list[float] = []
    for _ in range(batches):
        direct.append(await _median_ms(pair.call_direct, rounds))
        one.append(await _median_ms(lambda: pair.run(ONE_CALL), rounds))
        many.append(await _median_ms(lambda: pair.run(MANY_CALLS), max(1, rounds // 5)))
    d, o, m = (statistics.median(x) for x in (direct, one, many))
    return {
        "direct_ms": round(d, 3),
        "exec_1_ms": round(o, 3),
        "exec_n_ms": round(m, 3),
        "overhead_per_execution_ms": round(o - d, 3),
        "overhead_per_tool_call_ms": round((m - o) / (CALLS - 1) - d, 3),
    }


@pytest.mark.benchmark(group="codemode")
def test_gateway_overhead_stdio(benchmark: Any, pair: Pair) -> None:
    r = benchmark(pair.run_sync, MANY_CALLS)
    assert r["value"] == sum(range(1, CALLS + 1)) and r["tool_calls"] == CALLS
    disabled = getattr(benchmark, "disabled", False)
    figures = pair.portal.call(measure, pair, 1 if disabled else 100, 2 if disabled else 5)
    benchmark.extra_info.update(figures, tool_calls=CALLS,
                                target_execution_ms=TARGET_EXECUTION_MS,
                                target_tool_call_ms=TARGET_TOOL_CALL_MS)
    if not disabled:
        assert figures["overhead_per_execution_ms"] <= TARGET_EXECUTION_MS, figures
        assert figures["overhead_per_tool_call_ms"] <= TARGET_TOOL_CALL_MS, figures
