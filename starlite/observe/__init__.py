"""Observing execution: the :class:`Observer` interface and its events.

An observer is a :class:`Observer` subclass that overrides the hooks it cares about; the
others stay no-ops and cost nothing. Attach observers with ``Thread(observers=[...])`` or
``Engine(observers=[...])``.

Hooks and events (all events are small frozen dataclasses, see ``events.py``):

=====================  =====================================================================
``on_exec_start``      :class:`ExecStart` — a run (exec / eval / call) begins
``on_exec_end``        :class:`ExecEnd` — a run ends, with ``outcome`` and ``error``
``on_call``            :class:`CallEvent` — a Starlark function is entered
``on_return``          :class:`ReturnEvent` — a Starlark function is left (``error`` if failed)
``on_error``           :class:`ErrorEvent` — a run fails (before ``on_exec_end``)
``on_steps``           ``(first, count, site, depth)`` — a charge of steps at a
                       :class:`StepSite`; only if ``wants_steps = True``
``on_step``            :class:`StepEvent` — one evaluated node; only if ``wants_steps = True``
``on_tool_start/end``  :class:`ToolStart` / :class:`ToolEnd` — the engine calls a tool
``on_parallel``        :class:`ParallelEvent` — the engine's ``parallel()`` fans out
=====================  =====================================================================

Cost model: with no observer, nothing is called. Only observers that override ``on_call`` or
``on_return`` make calls pay for an event; only observers with ``wants_steps = True`` receive
steps, and those are delivered from the step counter's slow path (see ``starlite.thread``).

Isolation: an observer that raises is detached from the thread, the failure is reported once
through the thread's print hook, and the script's result is unchanged.

Recorders (``recorders.py``, loaded on first use): :class:`TraceRecorder` writes every event as
a JSON line, :class:`FlightRecorder` keeps the last N in memory. ``summary.py`` and
``flame.py`` read such traces back (``starlite trace FILE``). The trace schema and every
event's fields are documented in the README ("Observing execution").
"""

from __future__ import annotations

from typing import Any

from .events import (
    BUILTIN_SITE,
    CallEvent,
    ErrorEvent,
    ExecEnd,
    ExecStart,
    ParallelEvent,
    ReturnEvent,
    StepEvent,
    StepSite,
    ToolEnd,
    ToolStart,
)
from .observer import (
    Observer,
    call_depth,
    notify,
    notify_call,
    notify_return,
    overrides,
    step_sink,
)


def __getattr__(name: str) -> Any:
    # The recorders import json and friends; load them only when asked for.
    if name in ("TraceRecorder", "FlightRecorder"):
        from . import recorders

        return getattr(recorders, name)
    raise AttributeError(f"module 'starlite.observe' has no attribute {name!r}")


__all__ = [
    "CallEvent",
    "ErrorEvent",
    "ExecEnd",
    "ExecStart",
    "FlightRecorder",
    "Observer",
    "ParallelEvent",
    "ReturnEvent",
    "StepEvent",
    "StepSite",
    "ToolEnd",
    "ToolStart",
    "TraceRecorder",
    "BUILTIN_SITE",
    "call_depth",
    "notify",
    "notify_call",
    "notify_return",
    "overrides",
    "step_sink",
]
