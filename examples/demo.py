"""starlite in one command: a tool script, its result, and the telemetry it produced.

    python examples/demo.py            # compact spans and metrics
    python examples/demo.py --json     # the console exporters' full JSON output

What happens:

1. The host registers three tools (a fake weather service; ``get_forecast`` even traces its
   own "HTTP request", as an instrumented HTTP client would).
2. An OpenTelemetry SDK pipeline is built: a ``TracerProvider`` with a ``SimpleSpanProcessor``
   and a ``ConsoleSpanExporter``, a ``MeterProvider`` with a ``PeriodicExportingMetricReader``
   and a ``ConsoleMetricExporter``. No global provider is set: the providers are handed to
   :class:`telemetry.ScriptTelemetry`, which the engine receives as an observer.
3. loguru records of the ``telemetry`` package are enabled and printed with their structured
   fields and the trace id of the execution.
4. The engine runs a tool script (as an LLM agent would write it) that fetches three forecasts
   with ``parallel()`` and summarises them. Then the demo prints the result, the spans (one
   ``execute_tool_script`` with an ``execute_tool ...`` child per tool call, each fetch's
   own span under its tool-call span) and the metrics.
"""

from __future__ import annotations

import io
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from loguru import logger  # noqa: E402
from opentelemetry.sdk.metrics import MeterProvider  # noqa: E402
from opentelemetry.sdk.metrics.export import (  # noqa: E402
    ConsoleMetricExporter,
    HistogramDataPoint,
    MetricsData,
    NumberDataPoint,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource  # noqa: E402
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor  # noqa: E402

from starlite.engine import Engine, Tool  # noqa: E402
from telemetry import ScriptTelemetry  # noqa: E402
from telemetry.logging import trace_id_patcher  # noqa: E402

SCRIPT = '''
# Written by an agent: compare tomorrow's weather in three cities.
cities = ["Lisbon", "Oslo", "Nairobi"]

def forecast_for(city):
    return lambda: get_forecast(city = city)

forecasts = parallel([forecast_for(c) for c in cities])
warmest = max(forecasts, key = lambda f: f["high_c"])
print("fetched %d forecasts" % len(forecasts))
return {
    "warmest": warmest["city"],
    "high_f": convert_temperature(celsius = warmest["high_c"]),
    "summary": {f["city"]: f["sky"] for f in forecasts},
}
'''

FORECASTS = {
    "Lisbon": (24, "sunny"),
    "Oslo": (9, "rain"),
    "Nairobi": (27, "cloudy"),
}


def build_tools(tracer_provider: TracerProvider) -> list[Tool]:
    http_tracer = tracer_provider.get_tracer("demo.http-client")

    def get_forecast(city: str) -> dict[str, Any]:
        """Tomorrow's forecast for a city."""
        # What an instrumented HTTP client would record: it nests under the tool-call span.
        with http_tracer.start_as_current_span(
            "GET", attributes={"url.full": "https://weather.example/v1/forecast"}
        ):
            time.sleep(0.05)  # the network
        high, sky = FORECASTS.get(city, (15, "unknown"))
        return {"city": city, "high_c": high, "sky": sky}

    def convert_temperature(celsius: float) -> float:
        """Celsius to Fahrenheit."""
        return round(celsius * 9 / 5 + 32, 1)

    def list_cities() -> list[str]:
        """The cities the service knows."""
        return sorted(FORECASTS)

    return [
        Tool("get_forecast", "Tomorrow's forecast for a city.", get_forecast),
        Tool("convert_temperature", "Celsius to Fahrenheit.", convert_temperature),
        Tool("list_cities", "Known cities.", list_cities),
    ]


# ---- compact console formats (``--json`` shows the exporters' own JSON instead) ---------------


def span_line(span: ReadableSpan) -> str:
    ctx = span.get_span_context()
    assert ctx is not None
    parent = f"{span.parent.span_id:016x}" if span.parent is not None else "-" * 16
    ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
    attrs = ", ".join(f"{k}={v!r}" for k, v in (span.attributes or {}).items()
                      if k != "script.hash")
    return (f"  span {ctx.span_id:016x} parent {parent} {ms:7.2f} ms  "
            f"{span.status.status_code.name:5} {span.name}\n      {attrs}\n")


def metrics_text(data: MetricsData) -> str:
    lines = []
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                lines.append(f"  {m.name} [{m.unit}] - {m.description}")
                for p in m.data.data_points:
                    attrs = dict(p.attributes or {})
                    if isinstance(p, HistogramDataPoint):
                        lines.append(f"      {attrs} count={p.count} sum={p.sum:.4g} "
                                     f"bounds={list(p.explicit_bounds)}")
                    elif isinstance(p, NumberDataPoint):
                        lines.append(f"      {attrs} value={p.value}")
    return "\n".join(lines) + "\n"


LOG_FIELDS = ("status", "steps", "tool_calls", "duration", "session_id", "trace_id")


def log_format(record: Any) -> str:
    """A loguru format naming the ``extra`` fields a record has (loguru fills them in)."""
    extra = record["extra"]
    fields = " ".join(f"{k}={{extra[{k}]{':.4f' if k == 'duration' else ''}}}"
                      for k in LOG_FIELDS if k in extra)
    return "  log  {level: <7} {message} | " + fields + "\n"


def main(argv: list[str]) -> int:
    full_json = "--json" in argv
    started = time.perf_counter()
    resource = Resource.create({"service.name": "starlite-demo"})

    # Spans are collected in a buffer so that they print after the result.
    span_out = io.StringIO()
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(
        ConsoleSpanExporter(out=span_out) if full_json
        else ConsoleSpanExporter(out=span_out, formatter=span_line)))

    # No periodic export during the demo: the reader exports once, on shutdown.
    metric_reader = PeriodicExportingMetricReader(
        ConsoleMetricExporter() if full_json else ConsoleMetricExporter(formatter=metrics_text),
        export_interval_millis=3_600_000,
    )
    meter_provider = MeterProvider(resource=resource, metric_readers=[metric_reader])

    # loguru: the library's records are off by default; turn them on, with trace ids.
    logger.remove()
    logger.configure(patcher=trace_id_patcher)
    logger.enable("telemetry")
    logger.add(sys.stdout, level="DEBUG", filter="telemetry", format=log_format,
               colorize=False)

    observer = ScriptTelemetry(meter_provider=meter_provider, tracer_provider=tracer_provider)
    print("== logs (loguru, telemetry package) ==")
    with Engine(build_tools(tracer_provider), observers=[observer]) as engine:
        result = engine.execute(SCRIPT, session_id="demo-session-1")

    print("\n== result ==")
    print(f"  status={result.status} steps={result.steps} tool_calls={result.tool_calls} "
          f"parallel_tasks={result.parallel_tasks} duration={result.duration * 1e3:.1f} ms")
    print(f"  value={result.value}")
    print(f"  logs={result.logs}")
    if result.error:
        print(f"  error={result.error}")

    print("\n== spans (ConsoleSpanExporter), in the order they ended ==")
    if not full_json:
        print("  (each GET is the child of its execute_tool span, every execute_tool span the "
              "child of execute_tool_script)")
    tracer_provider.shutdown()
    print(span_out.getvalue(), end="")

    print("\n== metrics (ConsoleMetricExporter) ==")
    sys.stdout.flush()
    meter_provider.shutdown()  # the reader's final collection exports the metrics once
    sys.stdout.flush()
    print(f"\ndone in {time.perf_counter() - started:.2f} s")
    return 0 if result.status == "success" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
