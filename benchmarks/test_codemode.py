"""What the codemode gateway costs: ``execute_tool_script`` over stdio against calling the
backend's tools directly.

One gateway (``python -m codemode`` over the test backend ``tests/codemode_backend.py``, both
real processes on stdio) and, for the baseline, a direct SDK client connection to a second
process of the same backend. All calls are made by the mcp SDK's client, so both sides pay the
same SDK costs. Measured interleaved, round by round, so that all see the same machine state:

* ``direct_ms``: one ``tools/call`` of the backend's ``add`` tool, made directly: the backend
  tool's own time as a caller sees it;
* ``exec_1_ms``: ``execute_tool_script`` running ``return add(a=1, b=2)``;
* ``exec_n_ms``: ``execute_tool_script`` making :data:`CALLS` sequential ``add`` calls.

Derived, in ``extra_info`` (medians of each round's own differences):

* ``overhead_per_execution_ms`` = ``exec_1 - direct``: what the gateway adds to one tool call
  an agent would otherwise have made directly (its own MCP round trip, the engine's run, the
  result's JSON) -- target <= 2 ms;
* ``overhead_per_tool_call_ms`` = ``(exec_n - exec_1) / (CALLS - 1) - direct``: what each
  further inner call costs above the backend's own time -- target <= 0.5 ms.

These wall-clock figures grow with the machine's load (a gateway call wakes three processes
and two threads where a direct call wakes two processes, and on a busy machine every wake-up
waits for a core), so the benchmark also records CPU time per call, which load does not change
(Linux only): ``gateway_cpu_per_execution_ms`` (the gateway process, per one-call script),
``gateway_cpu_per_inner_call_ms`` (per further inner call) and
``client_cpu_per_direct_call_ms`` (the SDK client's own cost of one call, which the gateway
pays for each inner call too).

Run with ``pytest benchmarks/test_codemode.py --benchmark-enable``; the targets are asserted
only then (in the ordinary test run the benchmark executes once, as a smoke test).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
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
    for _ in range(2):  # imports, caches, the compiled scripts
        await p.call_direct()
        await p.run(ONE_CALL)
        await p.run(MANY_CALLS)


def gateway_pid() -> int | None:
    """The pid of the gateway subprocess the client started (Linux /proc), or None."""
    me = str(os.getpid())
    for d in Path("/proc").glob("[0-9]*"):
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = stat.rpartition(")")[2].split()[1]
        if ppid == me and b"codemode" in cmd and b"-m" in cmd:
            return int(d.name)
    return None


def cpu_ms(pid: int) -> float:
    """User + system CPU time of a process so far, in milliseconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) * 1e3 / os.sysconf("SC_CLK_TCK")


async def cpu_per_call(pair: Pair, rounds: int) -> dict[str, float]:
    """CPU milliseconds per call, which the machine's load does not change: the gateway
    process's per ``execute_tool_script`` with one tool call and per further inner call, and
    the client's per direct call (the same SDK client code the gateway runs for an inner
    call)."""
    pid = gateway_pid()
    if pid is None:
        return {}
    t0 = time.process_time()
    for _ in range(rounds * 5):
        await pair.call_direct()
    direct = (time.process_time() - t0) * 1e3 / (rounds * 5)
    c0 = cpu_ms(pid)
    for _ in range(rounds):
        await pair.run(ONE_CALL)
    c1 = cpu_ms(pid)
    for _ in range(rounds):
        await pair.run(MANY_CALLS)
    c2 = cpu_ms(pid)
    one = (c1 - c0) / rounds
    per_call = ((c2 - c1) / rounds - one) / (CALLS - 1)
    return {
        "client_cpu_per_direct_call_ms": round(direct, 3),
        "gateway_cpu_per_execution_ms": round(one, 3),
        "gateway_cpu_per_inner_call_ms": round(per_call, 3),
    }


async def _timed(fn: Callable[[], Awaitable[Any]]) -> float:
    t0 = time.perf_counter()
    await fn()
    return (time.perf_counter() - t0) * 1e3


async def measure(pair: Pair, rounds: int) -> dict[str, float]:
    """Each round times a direct call, a one-call script and a many-calls script back to
    back; the overheads are medians of the rounds' own differences, so a change in the
    machine's load between rounds does not count."""
    direct: list[float] = []
    one: list[float] = []
    many: list[float] = []
    per_execution: list[float] = []
    per_call: list[float] = []
    for _ in range(rounds):
        d = await _timed(pair.call_direct)
        o = await _timed(lambda: pair.run(ONE_CALL))
        m = await _timed(lambda: pair.run(MANY_CALLS))
        d2 = await _timed(pair.call_direct)
        d = (d + d2) / 2
        direct.append(d)
        one.append(o)
        many.append(m)
        per_execution.append(o - d)
        per_call.append((m - o) / (CALLS - 1) - d)
    med = statistics.median
    return {
        "direct_ms": round(med(direct), 3),
        "exec_1_ms": round(med(one), 3),
        "exec_n_ms": round(med(many), 3),
        "overhead_per_execution_ms": round(med(per_execution), 3),
        "overhead_per_tool_call_ms": round(med(per_call), 3),
    }


@pytest.mark.benchmark(group="codemode")
def test_gateway_overhead_stdio(benchmark: Any, pair: Pair) -> None:
    r = benchmark(pair.run_sync, MANY_CALLS)
    assert r["value"] == sum(range(1, CALLS + 1)) and r["tool_calls"] == CALLS
    disabled = getattr(benchmark, "disabled", False)
    figures = pair.portal.call(measure, pair, 3 if disabled else 200)
    figures.update(pair.portal.call(cpu_per_call, pair, 3 if disabled else 100))
    benchmark.extra_info.update(figures, tool_calls=CALLS,
                                target_execution_ms=TARGET_EXECUTION_MS,
                                target_tool_call_ms=TARGET_TOOL_CALL_MS)
    if not disabled:
        assert figures["overhead_per_execution_ms"] <= TARGET_EXECUTION_MS, figures
        assert figures["overhead_per_tool_call_ms"] <= TARGET_TOOL_CALL_MS, figures
