"""Structured loguru records for script executions, and a patcher adding trace ids to logs.

Records (all from the logger name ``telemetry.logging``):

==============================  ========  ====================================================
message                         level     ``extra`` fields
==============================  ========  ====================================================
``script execution started``    DEBUG     ``script_hash``, ``session_id``
``script execution completed``  INFO      ``script_hash``, ``session_id``, ``duration``,
                                          ``tool_calls``, ``steps``, ``status``, ``error``
``script execution failed``     WARNING   the same; ``error`` is ``"Type: message"``
==============================  ========  ====================================================

``duration`` is in seconds, ``error`` is None on success. A failed execution is a WARNING, not
an ERROR: it is the (untrusted) script that failed, not the service. The records never carry
the script text, tool arguments or tool results: only the script's hash identifies it. (An
error message is whatever the failing script or tool put in it, cut to
:data:`MAX_ERROR_LENGTH` characters.)

Like any library using loguru, the package disables its logs on import
(``logger.disable("telemetry")``); the application opts in and picks the sink::

    import sys
    from loguru import logger

    logger.enable("telemetry")
    logger.add(sys.stderr, serialize=True)   # one JSON object per record, extra included

Trace ids in log records: :func:`trace_id_patcher` copies the ids of the OpenTelemetry span
current where a record is made into ``extra["trace_id"]`` / ``extra["span_id"]`` (32 and 16 hex
digits, the W3C form that tracing back ends search for), for every record of the application,
not only ours::

    logger.configure(patcher=trace_id_patcher)
    logger.add(sys.stderr, format="{time} {level} {message} trace={extra[trace_id]}")

The script records are made while the execution's span is current, so they carry its ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loguru import logger
from opentelemetry import trace

from . import semconv as sc

if TYPE_CHECKING:
    from loguru import Record

#: Longest error text put in a log record or span (longer ones are cut, ending in "...").
MAX_ERROR_LENGTH = 512


def error_text(error: BaseException | None) -> str | None:
    """``"Type: message"`` for a log field, or None. Never raises (a broken ``__str__`` of a
    tool's exception must not break the execution that reports it)."""
    if error is None:
        return None
    try:
        msg = str(error)
    except Exception:
        msg = "<unprintable error>"
    text = f"{type(error).__name__}: {msg}" if msg else type(error).__name__
    if len(text) > MAX_ERROR_LENGTH:
        text = text[: MAX_ERROR_LENGTH - 3] + "..."
    return text


def log_started(script_hash: str | None, session_id: str | None) -> None:
    logger.bind(script_hash=script_hash, session_id=session_id).debug(sc.MSG_STARTED)


def log_ended(script_hash: str | None, session_id: str | None, status: str, duration: float,
              tool_calls: int, steps: int, error: BaseException | None) -> None:
    bound = logger.bind(
        script_hash=script_hash, session_id=session_id, duration=duration,
        tool_calls=tool_calls, steps=steps, status=status, error=error_text(error),
    )
    if status == "success":
        bound.info(sc.MSG_COMPLETED)
    else:
        bound.warning(sc.MSG_FAILED)


def trace_id_patcher(record: Record) -> None:
    """A loguru patcher: ``extra["trace_id"]`` and ``extra["span_id"]`` from the current
    OpenTelemetry span, as lowercase hex; empty strings outside any span (so a format string
    naming them never fails). Install with ``logger.configure(patcher=trace_id_patcher)``."""
    extra: Any = record["extra"]
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        extra["trace_id"] = format(ctx.trace_id, "032x")
        extra["span_id"] = format(ctx.span_id, "016x")
    else:
        extra.setdefault("trace_id", "")
        extra.setdefault("span_id", "")
