"""The four script metrics, created from a meter provider.

=============================================  =========  ===========  =========================
name                                           kind       unit         attributes
=============================================  =========  ===========  =========================
``toolhive_vmcp_script_executions``            counter    {execution}  ``status``
``toolhive_vmcp_script_duration``              histogram  s            ``status``
``toolhive_vmcp_script_tool_calls``            histogram  {call}       ``status``
``toolhive_vmcp_script_parallel_goroutines``   counter    {task}       (none)
=============================================  =========  ===========  =========================

``status`` is one of ``success``, ``error``, ``timeout``, ``step_limit``. Units are UCUM; the
curly-brace units are UCUM annotations of a plain count (exporters such as Prometheus drop them,
while ``s`` becomes the ``_seconds`` suffix there).

Bucket boundaries travel with the instruments as the histogram *advisory*
(``explicit_bucket_boundaries_advisory``, OpenTelemetry API >= 1.23), so an SDK provider uses
them without configuration. With an older API the advisory is dropped and the SDK would use its
default buckets (made for milliseconds); give such a provider the views of :func:`views`::

    from opentelemetry.sdk.metrics import MeterProvider
    from telemetry.metrics import views

    provider = MeterProvider(metric_readers=[reader], views=views())

A view also wins over the advisory, which is how a deployment chooses other buckets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics as otel_metrics

from . import semconv as sc

if TYPE_CHECKING:
    from opentelemetry.metrics import Histogram, Meter, MeterProvider


def _histogram(meter: Meter, name: str, unit: str, description: str,
               buckets: Sequence[float]) -> Histogram:
    """A histogram carrying ``buckets`` as its advisory, when the API knows advisories."""
    try:
        return meter.create_histogram(
            name, unit=unit, description=description,
            explicit_bucket_boundaries_advisory=list(buckets),
        )
    except TypeError:  # opentelemetry-api < 1.23: no advisory parameter; see views()
        return meter.create_histogram(name, unit=unit, description=description)


class ScriptMetrics:
    """The instruments, created once per :class:`~telemetry.ScriptTelemetry` (never at import
    time, so each provider -- including one injected by a test -- gets its own)."""

    __slots__ = ("executions", "duration", "tool_calls", "parallel_tasks")

    def __init__(self, meter_provider: MeterProvider | None, version: str) -> None:
        if meter_provider is None:
            meter = otel_metrics.get_meter(sc.INSTRUMENTATION_NAME, version)
        else:
            meter = meter_provider.get_meter(sc.INSTRUMENTATION_NAME, version)
        self.executions = meter.create_counter(
            sc.EXECUTIONS, unit="{execution}",
            description="Tool-script executions, by final status "
                        "(success, error, timeout, step_limit).",
        )
        self.duration = _histogram(
            meter, sc.DURATION, "s",
            "Wall-clock duration of a tool-script execution, in seconds.",
            sc.DURATION_BUCKETS,
        )
        self.tool_calls = _histogram(
            meter, sc.TOOL_CALLS, "{call}",
            "Number of inner tool calls made by one tool-script execution.",
            sc.TOOL_CALL_BUCKETS,
        )
        self.parallel_tasks = meter.create_counter(
            sc.PARALLEL_TASKS, unit="{task}",
            description="Concurrent tasks started by parallel() in tool scripts.",
        )

    def record_execution(self, status: str, duration: float, tool_calls: int) -> None:
        attrs = {"status": status}
        self.executions.add(1, attrs)
        self.duration.record(duration, attrs)
        self.tool_calls.record(tool_calls, attrs)

    def record_parallel(self, tasks: int) -> None:
        if tasks > 0:
            self.parallel_tasks.add(tasks)


def views() -> list[Any]:
    """SDK views giving the two histograms their bucket boundaries, for SDKs whose API
    predates histogram advisories (or to state the buckets explicitly). Needs the SDK."""
    from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View

    return [
        View(instrument_name=sc.DURATION,
             aggregation=ExplicitBucketHistogramAggregation(list(sc.DURATION_BUCKETS))),
        View(instrument_name=sc.TOOL_CALLS,
             aggregation=ExplicitBucketHistogramAggregation(list(sc.TOOL_CALL_BUCKETS))),
    ]
