"""codemode's telemetry end to end: the gateway in process with in-memory OpenTelemetry
exporters injected (its backend a real subprocess), driven by the SDK's client."""

from __future__ import annotations

import http.server
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("mcp")

from anyio.from_thread import start_blocking_portal  # noqa: E402
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2  # noqa: E402
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2  # noqa: E402
from opentelemetry.sdk.metrics import MeterProvider  # noqa: E402
from opentelemetry.sdk.metrics.export import InMemoryMetricReader  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)

from codemode import Config, Gateway, Limits, parse_backend  # noqa: E402
from codemode.config import BackendSpec  # noqa: E402
from telemetry import ScriptTelemetry  # noqa: E402
from tests.codemode_support import (  # noqa: E402
    BACKEND,
    Driver,
    Process,
    backend_flag,
    connect,
    free_port,
    stdio_gateway,
)

SCRIPT = """
a = add(a=1, b=2)
pair = parallel([lambda: lookup(key="k"), lambda: traceparent()])
return {"a": a, "tp": pair[1]["result"]}
"""


class Telemetry:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        tp = TracerProvider()
        tp.add_span_processor(SimpleSpanProcessor(self.spans))
        self.metrics = InMemoryMetricReader()
        mp = MeterProvider(metric_readers=[self.metrics])
        self.observer = ScriptTelemetry(meter_provider=mp, tracer_provider=tp)

    def metric_points(self) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        data = self.metrics.get_metrics_data()
        assert data is not None
        for rm in data.resource_metrics:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    out.setdefault(m.name, []).extend(m.data.data_points)
        return out


@pytest.fixture(scope="module")
def gateway() -> Iterator[tuple[Telemetry, Driver]]:
    """The gateway in process over two backends: ``main`` on stdio, and ``web`` (the fragile
    flavour, tools echo and crash) a streamable-HTTP server reached by URL."""
    port = free_port()
    web = Process([sys.executable, str(BACKEND), "fragile", "--http", str(port)])
    try:
        web.wait_for(r"Uvicorn running on")
        tel = Telemetry()
        url = BackendSpec("web", url=f"http://127.0.0.1:{port}/mcp", headers={"X-Test": "1"})
        config = Config(backends=(parse_backend(backend_flag("main", "main")), url),
                        limits=Limits(tool_call_timeout=3), code_mode_only=True)
        gw = Gateway(config, observers=[tel.observer])
        with start_blocking_portal() as portal:
            with portal.wrap_async_context_manager(gw.running()):
                with connect(gw.server, portal) as d:
                    yield tel, d
    finally:
        web.stop()


def test_streamable_http_backend(gateway: tuple[Telemetry, Driver]) -> None:
    tel, d = gateway
    tel.spans.clear()
    err, r = d.script('return [web_echo(text="over http"), main_echo(text="over stdio")]')
    assert not err, r
    assert r["value"] == [{"result": "fragile: over http"}, {"result": "over stdio"}]
    names = sorted(s.name for s in tel.spans.get_finished_spans())
    assert names == ["execute_tool main_echo", "execute_tool web_echo", "execute_tool_script"]


def test_code_mode_only_lists_the_script_tool_alone(gateway: tuple[Telemetry, Driver]) -> None:
    _, d = gateway
    assert [t.name for t in d.list_tools()] == ["execute_tool_script"]
    r = d.call("add", {"a": 1, "b": 2})
    assert r.is_error and "unknown tool 'add'" in r.content[0].text


def test_spans_metrics_and_trace_context(gateway: tuple[Telemetry, Driver]) -> None:
    tel, d = gateway
    tel.spans.clear()
    err, r = d.script(SCRIPT)
    assert not err, r
    spans = tel.spans.get_finished_spans()
    roots = [s for s in spans if s.name == "execute_tool_script"]
    assert len(roots) == 1
    root = roots[0]
    attrs = dict(root.attributes or {})
    assert attrs["script.tool_count"] == 3
    assert attrs["script.parallel_used"] is True
    assert attrs["script.step_count"] == r["steps"]
    assert attrs["script.hash"] == r["script_hash"]
    children = [s for s in spans if s.parent is not None
                and s.parent.span_id == root.context.span_id]
    assert sorted(s.name for s in children) == [
        "execute_tool add", "execute_tool lookup", "execute_tool traceparent"]
    assert all(s.context.trace_id == root.context.trace_id for s in children)
    # the backend received the trace context of its tool-call span in the request's _meta
    tp_span = next(s for s in children if s.name == "execute_tool traceparent")
    version, trace_id, span_id, _flags = r["value"]["tp"].split("-")
    assert version == "00"
    assert int(trace_id, 16) == root.context.trace_id
    assert int(span_id, 16) == tp_span.context.span_id

    points = tel.metric_points()
    for name in ("toolhive_vmcp_script_executions", "toolhive_vmcp_script_duration",
                 "toolhive_vmcp_script_tool_calls", "toolhive_vmcp_script_parallel_goroutines"):
        assert name in points, sorted(points)
    ok = [p for p in points["toolhive_vmcp_script_executions"]
          if dict(p.attributes).get("status") == "success"]
    assert ok and ok[0].value >= 1
    assert sum(p.value for p in points["toolhive_vmcp_script_parallel_goroutines"]) >= 2


def test_failed_run_is_recorded_with_its_status(gateway: tuple[Telemetry, Driver]) -> None:
    tel, d = gateway
    tel.spans.clear()
    err, r = d.script('return main_fail(message="no")')
    assert err and r["status"] == "error"
    root = next(s for s in tel.spans.get_finished_spans() if s.name == "execute_tool_script")
    assert not root.status.is_ok
    statuses = {dict(p.attributes).get("status")
                for p in tel.metric_points()["toolhive_vmcp_script_executions"]}
    assert "error" in statuses


def test_tool_call_timeout(gateway: tuple[Telemetry, Driver]) -> None:
    tel, d = gateway
    tel.spans.clear()
    err, r = d.script("x = add(a=1, b=1)\nreturn slow(seconds=30)")
    assert err and r["status"] == "error"
    assert r["error"].endswith(
        "tool slow timed out: no result within the tool_call_timeout of 3 s"), r["error"]
    tool_span = next(s for s in tel.spans.get_finished_spans() if s.name == "execute_tool slow")
    assert not tool_span.status.is_ok
    err, r = d.script("return add(a=2, b=2)")
    assert not err and r["value"] == {"result": 4}


# ---- --otel: the command exporting with OTLP to a collector ------------------------------------


class _Collector(http.server.BaseHTTPRequestHandler):
    """A minimal OTLP/HTTP receiver: keeps the decoded export requests by path."""

    received: dict[str, list[Any]] = {}

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/v1/traces":
            msg: Any = trace_service_pb2.ExportTraceServiceRequest()
        else:
            msg = metrics_service_pb2.ExportMetricsServiceRequest()
        msg.ParseFromString(body)
        self.received.setdefault(self.path, []).append(msg)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_otel_flag_exports_with_otlp() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Collector.received = {}
    try:
        params = stdio_gateway("--backend", backend_flag("main", "main"), "--otel")
        assert params.env is not None
        params.env.update({
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{server.server_port}",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_SERVICE_NAME": "codemode-under-test",
        })
        with connect(params) as d:
            err, r = d.script(SCRIPT)
            assert not err, r
        # the gateway flushes its exporters when the client goes away
    finally:
        server.shutdown()
        server.server_close()
    spans = {}
    for req in _Collector.received.get("/v1/traces", []):
        for rs in req.resource_spans:
            service = {a.key: a.value.string_value for a in rs.resource.attributes}
            for ss in rs.scope_spans:
                for s in ss.spans:
                    spans[s.span_id] = (s, service.get("service.name"))
    root = next(s for s, _ in spans.values() if s.name == "execute_tool_script")
    assert spans[root.span_id][1] == "codemode-under-test"
    kids = sorted(s.name for s, _ in spans.values() if s.parent_span_id == root.span_id)
    assert kids == ["execute_tool add", "execute_tool lookup", "execute_tool traceparent"]
    # the SDK's own server span of the tools/call is the script span's parent: one trace
    parent = spans.get(root.parent_span_id)
    assert parent is not None and parent[0].name == "tools/call execute_tool_script"
    # the backend got the trace id of the script's trace
    assert r["value"]["tp"].split("-")[1] == root.trace_id.hex()
    names = {m.name for req in _Collector.received.get("/v1/metrics", [])
             for rm in req.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
    assert "toolhive_vmcp_script_executions" in names
