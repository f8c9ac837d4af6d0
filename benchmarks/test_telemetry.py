"""What telemetry costs: the engine with and without :class:`telemetry.ScriptTelemetry`.

Four benchmarks in the ``telemetry`` group: an execution without tool calls and one making
:data:`CALLS` tool calls, each on the same engine setup without and with the observer (real SDK
providers: a ``TracerProvider`` with a ``SimpleSpanProcessor`` into an ``InMemorySpanExporter``,
a ``MeterProvider`` with an ``InMemoryMetricReader``; loguru records disabled, the library
default).

The ``with_telemetry`` benchmarks also measure the overhead directly, interleaving runs with
and without the observer in the same process (medians, so a stray GC or scheduler hiccup does
not count), and record it in ``extra_info``:

* ``overhead_per_execution_ms``: the cost added to an execution (target < 0.3 ms);
* ``overhead_per_tool_call_ms``: the cost added to each inner tool call (target < 0.1 ms).

Run with ``pytest benchmarks/test_telemetry.py --benchmark-enable``; the targets are asserted
only then (in the ordinary test run each benchmark executes once, as a smoke test).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from starlite.engine import Engine, Tool
from telemetry import ScriptTelemetry

#: Tool calls made by the tool-call script.
CALLS = 20
NO_TOOLS = "x = 1 + 2\nreturn x"
TOOL_LOOP = f"""
out = []
for i in range({CALLS}):
    out.append(echo(text = "x"))
return len(out)
"""
TARGET_EXECUTION_MS = 0.3
TARGET_TOOL_CALL_MS = 0.1


class Engines:
    """Two engines with the same tool, one observed by ScriptTelemetry."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        tools = [Tool("echo", "Echo text.", lambda text: text)]
        self.plain = Engine(tools)
        self.observed = Engine(tools, observers=[
            ScriptTelemetry(self.meter_provider, self.tracer_provider)])

    def run_plain(self, script: str) -> Any:
        return self.plain.execute(script)

    def run_observed(self, script: str) -> Any:
        result = self.observed.execute(script)
        self.spans.clear()  # keep memory flat; a list clear, negligible next to a run
        return result

    def close(self) -> None:
        self.plain.close()
        self.observed.close()
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


@pytest.fixture(scope="module")
def engines() -> Iterator[Engines]:
    s = Engines()
    for script in (NO_TOOLS, TOOL_LOOP):  # compile (cached per engine) and warm up
        for _ in range(20):
            assert s.run_plain(script).status == "success"
            assert s.run_observed(script).status == "success"
    yield s
    s.close()


def _median_seconds(fn: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def overhead_ms(engines: Engines, script: str, rounds: int) -> tuple[float, float, float]:
    """(plain, observed, observed - plain) median milliseconds per execution of ``script``,
    measured in interleaved batches so both see the same machine state."""
    plain: list[float] = []
    observed: list[float] = []
    for _ in range(5):
        plain.append(_median_seconds(lambda: engines.run_plain(script), rounds))
        observed.append(_median_seconds(lambda: engines.run_observed(script), rounds))
    p = statistics.median(plain) * 1e3
    o = statistics.median(observed) * 1e3
    return p, o, o - p


def _rounds(benchmark: Any) -> int:
    return 1 if getattr(benchmark, "disabled", False) else 200


@pytest.mark.benchmark(group="telemetry")
def test_execution_without_telemetry(benchmark: Any, engines: Engines) -> None:
    result = benchmark(engines.run_plain, NO_TOOLS)
    assert result.status == "success"


@pytest.mark.benchmark(group="telemetry")
def test_execution_with_telemetry(benchmark: Any, engines: Engines) -> None:
    result = benchmark(engines.run_observed, NO_TOOLS)
    assert result.status == "success"
    plain, observed, overhead = overhead_ms(engines, NO_TOOLS, _rounds(benchmark))
    benchmark.extra_info.update(
        plain_ms=round(plain, 4),
        observed_ms=round(observed, 4),
        overhead_per_execution_ms=round(overhead, 4),
        target_ms=TARGET_EXECUTION_MS,
    )
    if not getattr(benchmark, "disabled", False):
        assert overhead < TARGET_EXECUTION_MS


@pytest.mark.benchmark(group="telemetry")
def test_tool_calls_without_telemetry(benchmark: Any, engines: Engines) -> None:
    result = benchmark(engines.run_plain, TOOL_LOOP)
    assert result.value == CALLS


@pytest.mark.benchmark(group="telemetry")
def test_tool_calls_with_telemetry(benchmark: Any, engines: Engines) -> None:
    result = benchmark(engines.run_observed, TOOL_LOOP)
    assert result.value == CALLS
    rounds = _rounds(benchmark)
    _, _, per_execution = overhead_ms(engines, NO_TOOLS, rounds)
    plain, observed, total = overhead_ms(engines, TOOL_LOOP, rounds)
    per_call = (total - per_execution) / CALLS
    benchmark.extra_info.update(
        tool_calls=CALLS,
        plain_ms=round(plain, 4),
        observed_ms=round(observed, 4),
        overhead_per_execution_ms=round(per_execution, 4),
        overhead_per_tool_call_ms=round(per_call, 4),
        target_ms=TARGET_TOOL_CALL_MS,
    )
    if not getattr(benchmark, "disabled", False):
        assert per_call < TARGET_TOOL_CALL_MS
