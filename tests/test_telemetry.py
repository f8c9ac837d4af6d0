"""Tests of the ``telemetry`` package against real OpenTelemetry SDK providers.

Each test builds its own providers (``InMemorySpanExporter`` behind a ``SimpleSpanProcessor``,
an ``InMemoryMetricReader``), injects them into :class:`telemetry.ScriptTelemetry`, runs tool
scripts through :class:`starlite.engine.Engine` and asserts on the finished spans, the
collected data points and the loguru records. No global provider is ever set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from loguru import logger
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import telemetry
from starlite.engine import Engine, Tool
from telemetry import INSTRUMENTATION_NAME, ScriptTelemetry
from telemetry import semconv as sc
from telemetry.logging import trace_id_patcher

#: Appears in the script text, in tool arguments and in tool results; must appear nowhere in
#: spans or logs.
MARKER = "SECRET-MARKER-9c1e"


# ---- fixtures ---------------------------------------------------------------------------------


@dataclass
class Otel:
    tracer_provider: TracerProvider
    spans: InMemorySpanExporter
    meter_provider: MeterProvider
    reader: InMemoryMetricReader

    def finished(self) -> list[Any]:
        """The finished spans (``ReadableSpan``; typed Any: the SDK's optional fields)."""
        return list(self.spans.get_finished_spans())

    def metrics(self) -> dict[str, Any]:
        """Metric name -> the SDK's Metric (one scope: ours)."""
        data = self.reader.get_metrics_data()
        out: dict[str, Any] = {}
        if data is None:
            return out
        for rm in data.resource_metrics:
            for scope in rm.scope_metrics:
                assert scope.scope.name == INSTRUMENTATION_NAME
                for m in scope.metrics:
                    out[m.name] = m
        return out


@pytest.fixture
def otel() -> Iterator[Otel]:
    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    mp = MeterProvider(metric_readers=[reader])
    yield Otel(tp, exporter, mp, reader)
    tp.shutdown()
    mp.shutdown()


@dataclass
class Logs:
    records: list[Any] = field(default_factory=list)
    json_lines: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [r["message"] for r in self.records]

    def named(self, message: str) -> list[Any]:
        return [r for r in self.records if r["message"] == message]


@pytest.fixture
def logs() -> Iterator[Logs]:
    captured = Logs()
    logger.enable("telemetry")
    ids = [
        logger.add(lambda m: captured.records.append(m.record), level="DEBUG",
                   filter="telemetry", format="{message}", catch=False),
        logger.add(lambda m: captured.json_lines.append(str(m)), level="DEBUG",
                   filter="telemetry", serialize=True, catch=False),
    ]
    yield captured
    for i in ids:
        logger.remove(i)
    logger.disable("telemetry")


# ---- tools ------------------------------------------------------------------------------------


def make_tools(otel: Otel, seen_threads: set[int] | None = None) -> list[Any]:
    tool_tracer = otel.tracer_provider.get_tracer("test.tool")

    def echo(text: str) -> str:
        return text + "!"

    def traced(n: int) -> dict[str, Any]:
        # A tool's own span (think: an instrumented HTTP client) must nest under the
        # tool-call span, so the OTel context must be current in here.
        if seen_threads is not None:
            seen_threads.add(threading.get_ident())
        with tool_tracer.start_as_current_span(f"tool-internal-{n}"):
            time.sleep(0.01)
        return {"n": n, "secret": MARKER}

    def broken(text: str) -> str:
        raise RuntimeError("backend unavailable")

    def slow() -> int:
        time.sleep(2)
        return 1

    return [
        Tool("echo", "Echo text.", echo),
        Tool("traced", "Does traced work.", traced),
        Tool("broken", "Always fails.", broken),
        Tool("slow", "Sleeps.", slow),
    ]


def make_engine(otel: Otel, observer: Any = "default", **kw: Any) -> Any:
    if observer == "default":
        observer = ScriptTelemetry(otel.meter_provider, otel.tracer_provider)
    observers = [] if observer is None else [observer]
    kw.setdefault("timeout", 5.0)
    return Engine(make_tools(otel, kw.pop("seen_threads", None)), observers=observers, **kw)


PARALLEL_SCRIPT = f"""
# {MARKER} in a comment
a = echo(text = "{MARKER}")
def one():
    return traced(n = 1)
def two():
    return traced(n = 2)
def three():
    return traced(n = 3)
results = parallel([one, two, three])
return {{"a": a, "results": results}}
"""

FAILING_SCRIPTS = {
    "error": ("x = echo(text = 'hi')\nreturn {}['missing']", "EvalError"),
    "timeout": ("x = 0\nfor i in range(1000000000):\n    x += i\nreturn x", "Timeout"),
    "step_limit": ("x = 0\nfor i in range(1000000):\n    x += i\nreturn x",
                   "StepLimitExceeded"),
}


def span_named(spans: list[Any], name: str) -> Any:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, [s.name for s in spans]
    return found[0]


def points(metric: Any) -> list[Any]:
    return list(metric.data.data_points)


# ---- metrics ----------------------------------------------------------------------------------


def test_metric_names_units_descriptions(otel: Otel) -> None:
    engine = make_engine(otel)
    result = engine.execute(PARALLEL_SCRIPT, session_id="s-1")
    assert result.status == "success", result.error
    metrics = otel.metrics()
    assert set(metrics) == {sc.EXECUTIONS, sc.DURATION, sc.TOOL_CALLS, sc.PARALLEL_TASKS}
    assert sc.EXECUTIONS == "toolhive_vmcp_script_executions"
    assert sc.DURATION == "toolhive_vmcp_script_duration"
    assert sc.TOOL_CALLS == "toolhive_vmcp_script_tool_calls"
    assert sc.PARALLEL_TASKS == "toolhive_vmcp_script_parallel_goroutines"
    for m in metrics.values():
        assert m.description, m.name
    assert metrics[sc.DURATION].unit == "s"

    (ex,) = points(metrics[sc.EXECUTIONS])
    assert ex.value == 1 and dict(ex.attributes) == {"status": "success"}

    (dur,) = points(metrics[sc.DURATION])
    assert dur.count == 1
    assert 0 < dur.sum < 5
    assert tuple(dur.explicit_bounds) == (
        0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)

    (calls,) = points(metrics[sc.TOOL_CALLS])
    assert calls.count == 1 and calls.sum == 4 == result.tool_calls
    assert tuple(calls.explicit_bounds) == sc.TOOL_CALL_BUCKETS

    (par,) = points(metrics[sc.PARALLEL_TASKS])
    assert par.value == 3


def test_parallel_counter_adds_tasks_per_call(otel: Otel) -> None:
    engine = make_engine(otel)
    script = """
def f():
    return 1
a = parallel([f, f])
b = parallel([f, f, f, f, f])
return a + b
"""
    assert engine.execute(script).status == "success"
    (par,) = points(otel.metrics()[sc.PARALLEL_TASKS])
    assert par.value == 7


@pytest.mark.parametrize("status", ["success", "error", "timeout", "step_limit"])
def test_each_status_is_counted(otel: Otel, logs: Logs, status: str) -> None:
    step_limit = 10**9 if status == "timeout" else 10_000
    engine = make_engine(otel, step_limit=step_limit, timeout=0.3)
    script = "return echo(text = 'x')" if status == "success" else FAILING_SCRIPTS[status][0]
    result = engine.execute(script, session_id="sess")
    assert result.status == status, result.error

    metrics = otel.metrics()
    (ex,) = points(metrics[sc.EXECUTIONS])
    assert dict(ex.attributes) == {"status": status} and ex.value == 1
    (dur,) = points(metrics[sc.DURATION])
    assert dur.count == 1 and dict(dur.attributes) == {"status": status}

    root = span_named(otel.finished(), sc.SCRIPT_SPAN)
    assert root.attributes[sc.ATTR_STATUS] == status
    end_message = sc.MSG_COMPLETED if status == "success" else sc.MSG_FAILED
    (record,) = logs.named(end_message)
    extra = record["extra"]
    assert extra["status"] == status
    assert extra["steps"] == result.steps
    assert extra["tool_calls"] == result.tool_calls
    assert extra["script_hash"] == result.script_hash
    assert extra["session_id"] == "sess"
    assert extra["duration"] > 0
    if status == "success":
        assert root.status.status_code is not StatusCode.ERROR
        assert extra["error"] is None
        assert record["level"].name == "INFO"
    else:
        error_type = FAILING_SCRIPTS[status][1]
        assert root.status.status_code is StatusCode.ERROR
        assert root.attributes[sc.ATTR_ERROR_TYPE] == error_type
        assert [e.name for e in root.events] == ["exception"]
        assert root.events[0].attributes["exception.type"].endswith(error_type)
        assert extra["error"].startswith(error_type + ":")
        assert record["level"].name == "WARNING"
    assert logs.messages()[0] == sc.MSG_STARTED
    (started,) = logs.named(sc.MSG_STARTED)
    assert started["extra"]["script_hash"] == result.script_hash
    assert started["extra"]["session_id"] == "sess"


def test_cumulative_counts_across_executions(otel: Otel) -> None:
    engine = make_engine(otel, step_limit=1000)
    for _ in range(3):
        engine.execute("return 1")
    engine.execute(FAILING_SCRIPTS["step_limit"][0])
    counts = {p.attributes["status"]: p.value for p in points(otel.metrics()[sc.EXECUTIONS])}
    assert counts == {"success": 3, "step_limit": 1}


# ---- spans ------------------------------------------------------------------------------------


def test_span_tree_with_parallel_branches_and_tool_spans(otel: Otel) -> None:
    threads: set[int] = set()
    engine = make_engine(otel, seen_threads=threads)
    result = engine.execute(PARALLEL_SCRIPT, session_id="session-42")
    assert result.status == "success", result.error
    assert result.parallel_used and result.parallel_tasks == 3
    spans = otel.finished()
    root = span_named(spans, sc.SCRIPT_SPAN)
    assert root.parent is None
    assert root.instrumentation_scope.name == INSTRUMENTATION_NAME

    tool_spans = [s for s in spans if s.name.startswith("execute_tool ")]
    assert sorted(s.name for s in tool_spans) == [
        "execute_tool echo", "execute_tool traced", "execute_tool traced",
        "execute_tool traced"]
    for s in tool_spans:
        assert s.parent is not None and s.parent.span_id == root.context.span_id
        assert s.context.trace_id == root.context.trace_id
        assert s.kind is trace.SpanKind.INTERNAL

    # Each tool's own span is the child of *its* tool-call span, in every branch.
    inner = [s for s in spans if s.name.startswith("tool-internal-")]
    assert len(inner) == 3
    by_id = {s.context.span_id: s for s in tool_spans}
    parents = set()
    for s in inner:
        assert s.parent is not None and s.parent.span_id in by_id
        assert by_id[s.parent.span_id].name == "execute_tool traced"
        parents.add(s.parent.span_id)
    assert len(parents) == 3  # three different tool-call spans
    assert len(threads) >= 2  # the branches did run on several threads


def test_span_attributes(otel: Otel) -> None:
    engine = make_engine(otel)
    result = engine.execute(PARALLEL_SCRIPT, session_id="session-42")
    spans = otel.finished()
    root = span_named(spans, sc.SCRIPT_SPAN)
    attrs = dict(root.attributes)
    assert attrs["script.tool_count"] == 4 == result.tool_calls
    assert attrs["script.parallel_used"] is True
    assert attrs["script.step_count"] == result.steps > 0
    assert attrs["script.status"] == "success"
    assert attrs["script.hash"] == result.script_hash
    assert attrs["mcp.session.id"] == "session-42"
    echo = span_named(spans, "execute_tool echo")
    assert echo.attributes["gen_ai.operation.name"] == "execute_tool"
    assert echo.attributes["gen_ai.tool.name"] == "echo"
    assert echo.attributes["tool_name"] == "echo"
    assert echo.status.status_code is not StatusCode.ERROR


def test_no_parallel_attributes(otel: Otel) -> None:
    engine = make_engine(otel)
    result = engine.execute("return 1 + 1")
    assert result.status == "success"
    root = span_named(otel.finished(), sc.SCRIPT_SPAN)
    assert root.attributes["script.parallel_used"] is False
    assert root.attributes["script.tool_count"] == 0
    assert sc.ATTR_SESSION_ID not in root.attributes  # no session given
    assert sc.PARALLEL_TASKS not in otel.metrics() or not points(
        otel.metrics()[sc.PARALLEL_TASKS])


def test_failed_tool_call_span(otel: Otel, logs: Logs) -> None:
    engine = make_engine(otel)
    result = engine.execute("return broken(text = 'x')")
    assert result.status == "error"
    spans = otel.finished()
    tool = span_named(spans, "execute_tool broken")
    assert tool.status.status_code is StatusCode.ERROR
    assert tool.attributes["error.type"] == "RuntimeError"
    (event,) = tool.events
    assert event.name == "exception"
    assert "backend unavailable" in event.attributes["exception.message"]
    root = span_named(spans, sc.SCRIPT_SPAN)
    assert root.status.status_code is StatusCode.ERROR
    assert tool.parent is not None and tool.parent.span_id == root.context.span_id
    (failed,) = logs.named(sc.MSG_FAILED)
    assert "backend unavailable" in failed["extra"]["error"]


def test_failed_tool_in_parallel_branch(otel: Otel) -> None:
    engine = make_engine(otel)
    script = """
def ok():
    return echo(text = "a")
def bad():
    return broken(text = "b")
return parallel([ok, bad])
"""
    assert engine.execute(script).status == "error"
    spans = otel.finished()
    root = span_named(spans, sc.SCRIPT_SPAN)
    bad = span_named(spans, "execute_tool broken")
    ok = span_named(spans, "execute_tool echo")
    for s in (bad, ok):
        assert s.parent is not None and s.parent.span_id == root.context.span_id
    assert bad.status.status_code is StatusCode.ERROR
    assert ok.status.status_code is not StatusCode.ERROR


def test_concurrent_executions_never_mix_spans(otel: Otel) -> None:
    engine = make_engine(otel)
    script = """
def f():
    return traced(n = 7)
return parallel([f, f])
"""
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            r = engine.execute(script, session_id=f"session-{i}")
            assert r.status == "success", r.error
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    spans = otel.finished()
    roots = [s for s in spans if s.name == sc.SCRIPT_SPAN]
    assert len(roots) == 6
    assert len({r.context.trace_id for r in roots}) == 6
    by_id = {s.context.span_id: s for s in spans}
    for s in spans:
        if s.name.startswith("execute_tool "):
            parent = by_id[s.parent.span_id]
            assert parent.name == sc.SCRIPT_SPAN
            assert parent.context.trace_id == s.context.trace_id
    per_trace: dict[int, int] = {}
    for s in spans:
        if s.name == "execute_tool traced":
            per_trace[s.context.trace_id] = per_trace.get(s.context.trace_id, 0) + 1
    assert sorted(per_trace.values()) == [2] * 6


def test_execution_span_nests_under_callers_span(otel: Otel) -> None:
    engine = make_engine(otel)
    tracer = otel.tracer_provider.get_tracer("test.host")
    with tracer.start_as_current_span("handle_request") as outer:
        assert engine.execute("return echo(text = 'x')").status == "success"
    root = span_named(otel.finished(), sc.SCRIPT_SPAN)
    assert root.parent is not None and root.parent.span_id == outer.get_span_context().span_id


def test_unsampled_spans_cost_nothing_and_break_nothing() -> None:
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

    exporter = InMemorySpanExporter()
    tp = TracerProvider(sampler=ALWAYS_OFF)
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    otel = Otel(tp, exporter, MeterProvider(metric_readers=[InMemoryMetricReader()]),
                InMemoryMetricReader())
    engine = make_engine(otel)
    assert engine.execute(PARALLEL_SCRIPT).status == "success"
    assert exporter.get_finished_spans() == ()
    tp.shutdown()


# ---- logs -------------------------------------------------------------------------------------


def test_logs_are_disabled_on_import_until_enabled() -> None:
    # In a fresh interpreter: this process's loguru state is shared with other tests.
    code = (
        "from loguru import logger\n"
        "import telemetry\n"
        "from telemetry.logging import log_started\n"
        "out = []\n"
        "logger.remove()\n"
        "logger.add(out.append, level='DEBUG')\n"
        "log_started('h', 's')\n"
        "print(len(out))\n"
        "logger.enable('telemetry')\n"
        "log_started('h', 's')\n"
        "print(len(out))\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0", "1"]


def test_trace_ids_in_log_records(otel: Otel, logs: Logs) -> None:
    logger.configure(patcher=trace_id_patcher)
    try:
        assert make_engine(otel).execute("return 1").status == "success"
    finally:
        logger.configure(patcher=lambda record: None)
    root = span_named(otel.finished(), sc.SCRIPT_SPAN)
    for message in (sc.MSG_STARTED, sc.MSG_COMPLETED):
        (record,) = logs.named(message)
        assert record["extra"]["trace_id"] == format(root.context.trace_id, "032x")
        assert record["extra"]["span_id"] == format(root.context.span_id, "016x")


def test_trace_id_patcher_outside_a_span() -> None:
    record: Any = {"extra": {}}
    trace_id_patcher(record)
    assert record["extra"] == {"trace_id": "", "span_id": ""}


# ---- privacy ----------------------------------------------------------------------------------


def test_no_script_text_args_or_results_anywhere(otel: Otel, logs: Logs) -> None:
    engine = make_engine(otel)
    result = engine.execute(PARALLEL_SCRIPT, session_id="s")
    assert result.status == "success"
    assert MARKER in json.dumps(result.value)  # the marker did go through the tools
    failing = f'x = echo(text = "{MARKER}")\nreturn {{}}["k"]'
    assert engine.execute(failing).status == "error"

    dumped = [s.to_json() for s in otel.finished()]
    assert len(dumped) >= 7
    for text in dumped:
        assert MARKER not in text
    assert logs.json_lines
    for line in logs.json_lines:
        assert MARKER not in line
    for record in logs.records:
        assert MARKER not in repr(record["extra"])


# ---- isolation --------------------------------------------------------------------------------


class ExplodingProcessor(SpanProcessor):
    def on_start(self, span: Any, parent_context: Any = None) -> None:
        raise RuntimeError("processor exploded on start")

    def on_end(self, span: Any) -> None:
        raise RuntimeError("processor exploded on end")


class ExplodingInstrument:
    def add(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("instrument exploded")

    record = add


class ExplodingMeter:
    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: ExplodingInstrument()


class ExplodingMeterProvider:
    def get_meter(self, *args: Any, **kwargs: Any) -> ExplodingMeter:
        return ExplodingMeter()


def test_failing_telemetry_never_breaks_an_execution(otel: Otel, logs: Logs) -> None:
    tp = TracerProvider()
    tp.add_span_processor(ExplodingProcessor())
    observer = ScriptTelemetry(ExplodingMeterProvider(), tp)  # type: ignore[arg-type]
    sink_fail = logger.add(lambda m: (_ for _ in ()).throw(RuntimeError("sink exploded")),
                           filter="telemetry", level="DEBUG", catch=False)
    try:
        baseline = make_engine(otel, observer=None).execute(PARALLEL_SCRIPT, session_id="x")
        result = make_engine(otel, observer=observer).execute(PARALLEL_SCRIPT, session_id="x")
        again = make_engine(otel, observer=observer).execute(PARALLEL_SCRIPT, session_id="x")
    finally:
        logger.remove(sink_fail)
    for r in (result, again):
        assert r.status == baseline.status == "success"
        assert r.value == baseline.value
        assert r.tool_calls == baseline.tool_calls
        # the engine reports a failing (hence detached) observer through the print hook
        assert not any("observer" in line for line in r.logs)
    # telemetry reported its own failures, once per hook, through its (enabled) logger
    reported = [r["extra"].get("hook") for r in logs.records
                if r["message"].startswith("telemetry observer failed")]
    assert "on_exec_start" in reported and len(reported) == len(set(reported))
    tp.shutdown()


def test_broken_observer_state_is_harmless(otel: Otel) -> None:
    """Events the observer cannot pair (no start seen) are dropped, not raised."""
    from starlite.observe import ExecEnd, ToolEnd

    observer = ScriptTelemetry(otel.meter_provider, otel.tracer_provider)
    observer.on_tool_end(ToolEnd("echo", 99, 0.1))
    observer.on_exec_end(ExecEnd("<script>", "exec", "success", 3, 0.01))
    (ex,) = points(otel.metrics()[sc.EXECUTIONS])
    assert ex.value == 1
    assert otel.finished() == []


# ---- wiring -----------------------------------------------------------------------------------


def test_global_providers_are_the_default() -> None:
    # No provider given: the (here unset, so no-op) global ones; nothing is mutated.
    observer = ScriptTelemetry()
    assert isinstance(observer, telemetry.ScriptTelemetry)
    engine = Engine([], observers=[observer])
    assert engine.execute("return 2 * 21").value == 42


def test_plain_thread_runs_are_traced(otel: Otel) -> None:
    import starlite

    observer = ScriptTelemetry(otel.meter_provider, otel.tracer_provider)
    thread = starlite.Thread(observers=[observer])
    starlite.exec_file(thread, "plain.star", source="x = 1 + 2")
    root = span_named(otel.finished(), sc.SCRIPT_SPAN)
    assert root.attributes["script.status"] == "success"
    assert root.attributes["script.step_count"] == thread.steps


def test_async_tool_spans_nest(otel: Otel) -> None:
    import asyncio

    tool_tracer = otel.tracer_provider.get_tracer("test.tool")

    async def fetch(url: str) -> str:
        with tool_tracer.start_as_current_span("http-get"):
            await asyncio.sleep(0.001)
        return "ok"

    engine = Engine([Tool("fetch", "Fetch.", fetch)],
                    observers=[ScriptTelemetry(otel.meter_provider, otel.tracer_provider)])
    script = """
def f():
    return fetch(url = "u")
return parallel([f, f])
"""
    result = asyncio.run(engine.aexecute(script))
    assert result.status == "success", result.error
    spans = otel.finished()
    root = span_named(spans, sc.SCRIPT_SPAN)
    by_id = {s.context.span_id: s for s in spans}
    http = [s for s in spans if s.name == "http-get"]
    assert len(http) == 2
    for s in http:
        parent = by_id[s.parent.span_id]
        assert parent.name == "execute_tool fetch"
        assert parent.parent.span_id == root.context.span_id


def test_views_for_older_sdks() -> None:
    from telemetry.metrics import views

    reader = InMemoryMetricReader()
    mp = MeterProvider(metric_readers=[reader], views=views())
    engine = Engine([], observers=[ScriptTelemetry(mp, TracerProvider())])
    assert engine.execute("return 1").status == "success"
    otel = Otel(TracerProvider(), InMemorySpanExporter(), mp, reader)
    (dur,) = points(otel.metrics()[sc.DURATION])
    assert tuple(dur.explicit_bounds) == sc.DURATION_BUCKETS
    mp.shutdown()


def test_long_error_messages_are_cut() -> None:
    from telemetry.logging import MAX_ERROR_LENGTH, error_text

    text = error_text(ValueError("x" * 10_000))
    assert text is not None and len(text) == MAX_ERROR_LENGTH and text.endswith("...")
    assert error_text(None) is None
    assert error_text(KeyError()) == "KeyError"
