"""OpenTelemetry metrics and traces and loguru logs for starlite's tool-script engine.

``telemetry`` is an observer plugged into :class:`starlite.engine.Engine` from outside; the
interpreter itself never imports OpenTelemetry or loguru::

    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider
    from starlite.engine import Engine
    from telemetry import ScriptTelemetry

    observer = ScriptTelemetry(meter_provider=MeterProvider(...),
                               tracer_provider=TracerProvider(...))
    engine = Engine(tools, observers=[observer])

Without providers the global ones are used (set by the application, e.g. with
``opentelemetry-instrument`` or ``trace.set_tracer_provider``). What is emitted:

* metrics (:mod:`telemetry.metrics`): ``toolhive_vmcp_script_executions`` {status},
  ``toolhive_vmcp_script_duration`` (s), ``toolhive_vmcp_script_tool_calls``,
  ``toolhive_vmcp_script_parallel_goroutines``;
* spans (:mod:`telemetry.spans`): ``execute_tool_script`` per execution with one
  ``execute_tool {tool}`` child per inner tool call;
* loguru records (:mod:`telemetry.logging`): ``script execution started`` / ``completed`` /
  ``failed`` with ``extra`` fields. Disabled until the application calls
  ``logger.enable("telemetry")``.

All names are constants in :mod:`telemetry.semconv`; :data:`INSTRUMENTATION_NAME` names the
meter and the tracer.
"""

from __future__ import annotations

from loguru import logger

from .observer import ScriptTelemetry
from .semconv import INSTRUMENTATION_NAME

# A library's logs are off until the application turns them on: logger.enable("telemetry").
logger.disable("telemetry")

__all__ = ["INSTRUMENTATION_NAME", "ScriptTelemetry"]
