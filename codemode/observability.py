"""The telemetry switches of the command: ``--otel``, ``--prometheus HOST:PORT``, ``--log-json``.

* ``--otel``: an SDK ``TracerProvider`` and ``MeterProvider`` exporting with OTLP, configured the
  standard way by the ``OTEL_*`` environment variables (``OTEL_EXPORTER_OTLP_ENDPOINT``,
  ``OTEL_EXPORTER_OTLP_PROTOCOL`` = ``http/protobuf`` (default) or ``grpc``,
  ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_SERVICE_NAME`` (default ``starlite-codemode``),
  ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_METRIC_EXPORT_INTERVAL`` ...). Both are also installed as
  the global providers, so the MCP SDK's own client and server spans land in the same traces.
* ``--prometheus HOST:PORT``: the metrics on ``http://HOST:PORT/metrics`` for scraping.
* ``--log-json``: the loguru records (the telemetry package's script records and the gateway's
  own) as JSON lines on stderr, with the current trace and span ids in ``extra``.

Any of them attaches one ``telemetry.ScriptTelemetry`` observer to the engine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from starlite import Observer

#: The service name reported when the environment sets none.
SERVICE_NAME = "starlite-codemode"


@dataclass
class Telemetry:
    """What :func:`setup` made: the observers for the engine and what to shut down."""

    observers: list[Observer] = field(default_factory=list)
    closers: list[Callable[[], Any]] = field(default_factory=list)
    prometheus_port: int | None = None

    def shutdown(self) -> None:
        for close in reversed(self.closers):
            try:
                close()
            except Exception as e:  # shutting down: report and go on
                logger.warning("telemetry shutdown failed: {error}", error=repr(e))


def setup_logging(json_lines: bool) -> None:
    """Loguru to stderr: JSON lines with every record's fields, or short plain lines with the
    gateway's own records only."""
    logger.remove()
    logger.enable("codemode")
    if json_lines:
        from telemetry.logging import trace_id_patcher

        logger.enable("telemetry")
        logger.configure(patcher=trace_id_patcher)
        logger.add(sys.stderr, serialize=True, level="INFO")
    else:
        logger.add(sys.stderr, level="INFO", format="{time:HH:mm:ss} {level} codemode: {message}",
                   filter="codemode")


def _resource() -> Any:
    from opentelemetry.sdk.resources import Resource

    named = "OTEL_SERVICE_NAME" in os.environ or "service.name=" in os.environ.get(
        "OTEL_RESOURCE_ATTRIBUTES", "")
    return Resource.create({} if named else {"service.name": SERVICE_NAME})


def _protocol(signal: str) -> str:
    return os.environ.get(f"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")


def _otlp_exporters() -> tuple[Any, Any]:
    if _protocol("TRACES") == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[assignment]
            OTLPSpanExporter,
        )
    if _protocol("METRICS") == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
    else:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import (  # type: ignore[assignment]
            OTLPMetricExporter,
        )
    return OTLPSpanExporter(), OTLPMetricExporter()


def setup(otel: bool = False, prometheus: tuple[str, int] | None = None,
          log_json: bool = False) -> Telemetry:
    """Build the providers, exporters and scrape endpoint the switches ask for."""
    setup_logging(log_json)
    out = Telemetry()
    if not (otel or prometheus or log_json):
        return out
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from telemetry import ScriptTelemetry

    resource = _resource()
    readers: list[MetricReader] = []
    tracer_provider = None
    if otel:
        span_exporter, metric_exporter = _otlp_exporters()
        tracer_provider = TracerProvider(resource=resource)
        tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
        trace.set_tracer_provider(tracer_provider)
        out.closers.append(tracer_provider.shutdown)
        readers.append(PeriodicExportingMetricReader(metric_exporter))
    if prometheus is not None:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader
        from prometheus_client import start_http_server

        readers.append(PrometheusMetricReader())
        host, port = prometheus
        server, thread = start_http_server(port, addr=host)
        out.prometheus_port = server.server_port
        out.closers.append(server.shutdown)
        logger.info("serving Prometheus metrics on http://{host}:{port}/metrics",
                    host=f"[{host}]" if ":" in host else host, port=server.server_port)
    meter_provider = None
    if readers:
        meter_provider = MeterProvider(metric_readers=readers, resource=resource)
        metrics.set_meter_provider(meter_provider)
        out.closers.append(meter_provider.shutdown)
    out.observers.append(ScriptTelemetry(meter_provider=meter_provider,
                                         tracer_provider=tracer_provider))
    return out
