"""The spans of a tool-script execution.

One ``execute_tool_script`` span per execution, and under it one ``execute_tool {tool}`` span
per inner tool call, including the calls made by ``parallel()`` branches on other threads::

    execute_tool_script                      script.hash, mcp.session.id, script.status,
    ├── execute_tool github_search             script.step_count, script.tool_count,
    ├── execute_tool fetch_issue               script.parallel_used, script.parallel_tasks
    │   └── GET https://api.github.com/...   (the tool's own spans, e.g. an HTTP client's)
    └── execute_tool fetch_issue             gen_ai.operation.name=execute_tool,
                                             gen_ai.tool.name, tool_name, gen_ai.tool.call.id

Tool spans follow the OpenTelemetry GenAI conventions for tool execution (``execute_tool``
operation, span name ``execute_tool {gen_ai.tool.name}``, kind INTERNAL); ``tool_name``
repeats the tool's name for queries written before those conventions.

A failed execution or tool call gets status ERROR, ``error.type`` (the exception's class name,
e.g. ``StepLimitExceeded``, ``Timeout``, ``EvalError``) and an ``exception`` event. Attributes
are computed only when ``span.is_recording()``: with a sampler that drops the trace, a span
costs almost nothing. Nothing from the script text, the tool arguments or the results is put
on a span.

This module only builds spans; which span is the parent of which, and which span is current
in which thread, is decided by :mod:`telemetry.observer`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from starlite import StarlarkError

from . import semconv as sc
from .logging import error_text

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.trace import Span, Tracer, TracerProvider


def get_tracer(tracer_provider: TracerProvider | None, version: str) -> Tracer:
    """The package's tracer from ``tracer_provider``, or from the global provider if None."""
    if tracer_provider is None:
        return trace.get_tracer(sc.INSTRUMENTATION_NAME, version)
    return tracer_provider.get_tracer(sc.INSTRUMENTATION_NAME, version)


def start_script_span(tracer: Tracer, session_id: str | None, script_hash: str | None,
                      context: Context | None = None) -> Span:
    """Start the ``execute_tool_script`` span (a child of ``context``'s span, by default the
    current one). What is known at the start goes to ``start_span`` itself, where a sampler
    can see it (and set in one go, cheaper than attribute by attribute)."""
    attributes: dict[str, str] = {}
    if script_hash is not None:
        attributes[sc.ATTR_HASH] = script_hash
    if session_id is not None:
        attributes[sc.ATTR_SESSION_ID] = session_id
    return tracer.start_span(sc.SCRIPT_SPAN, context=context, kind=SpanKind.INTERNAL,
                             attributes=attributes)


def end_script_span(span: Span, status: str, steps: int, tool_calls: int, parallel_used: bool,
                    parallel_tasks: int, error: BaseException | None) -> None:
    """Put the execution's outcome on its span and end it."""
    if span.is_recording():
        span.set_attributes({
            sc.ATTR_STATUS: status,
            sc.ATTR_STEP_COUNT: steps,
            sc.ATTR_TOOL_COUNT: tool_calls,
            sc.ATTR_PARALLEL_USED: parallel_used,
            sc.ATTR_PARALLEL_TASKS: parallel_tasks,
        })
        if status != "success":
            mark_failed(span, error, status)
    span.end()


def start_tool_span(tracer: Tracer, tool: str, call_id: object,
                    context: Context | None) -> Span:
    """Start the ``execute_tool {tool}`` span of one tool call, a child of ``context``."""
    return tracer.start_span(
        f"{sc.TOOL_OPERATION} {tool}", context=context, kind=SpanKind.INTERNAL,
        attributes={
            sc.ATTR_OPERATION: sc.TOOL_OPERATION,
            sc.ATTR_TOOL_NAME: tool,
            sc.ATTR_TOOL_NAME_LEGACY: tool,
            sc.ATTR_TOOL_CALL_ID: str(call_id),
        },
    )


def end_tool_span(span: Span, error: BaseException | None) -> None:
    """End a tool-call span; a failed call records the tool's own exception."""
    if error is not None and span.is_recording():
        mark_failed(span, tool_exception(error), "error")
    span.end()


def tool_exception(error: BaseException) -> BaseException:
    """The exception the tool raised: the engine reports a failing tool as a Starlark error
    ``tool NAME failed: ...`` raised *from* the tool's exception; the span is about the tool,
    so it records the original (its class for ``error.type``, its Python traceback)."""
    cause = error.__cause__
    if (isinstance(error, StarlarkError) and cause is not None
            and not isinstance(cause, StarlarkError)):
        return cause
    return error


def mark_failed(span: Span, error: BaseException | None, status: str) -> None:
    """Status ERROR, ``error.type`` and, when there is an exception, an ``exception`` event."""
    if error is None:
        span.set_attribute(sc.ATTR_ERROR_TYPE, status)
        span.set_status(Status(StatusCode.ERROR, status))
        return
    span.set_attribute(sc.ATTR_ERROR_TYPE, type(error).__name__)
    span.set_status(Status(StatusCode.ERROR, error_text(error)))
    # A Starlark error's Python traceback shows the interpreter's frames; its own backtrace
    # (``EvalError.backtrace()``: Starlark functions and positions, no source text) is the one
    # worth reading. Other exceptions (a tool's) keep their Python traceback.
    attributes = None
    backtrace = getattr(error, "backtrace", None)
    if callable(backtrace):
        try:
            attributes = {"exception.stacktrace": str(backtrace())}
        except Exception:  # noqa: S110 - a best-effort description only
            attributes = None
    span.record_exception(error, attributes=attributes)
