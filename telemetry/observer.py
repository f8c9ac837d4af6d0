"""``ScriptTelemetry``: the observer that turns engine events into metrics, spans and logs.

How events become telemetry
---------------------------
The tool-script engine (:mod:`starlite.engine`) reports an execution as ``on_exec_start`` ...
``on_exec_end`` and each inner tool call as ``on_tool_start`` ... ``on_tool_end``; ``parallel()``
reports its fan-out with ``on_parallel``. Executions run concurrently (several ``execute``
calls, several ``parallel()`` branches on worker threads), so every end event is paired with
its start event by a key, never by "the last thing that started":

* an execution by its *context*: ``on_exec_start`` puts the execution's record (:class:`_Run`)
  in a :class:`~contextvars.ContextVar` of the caller's context. The engine runs the script,
  and each ``parallel()`` branch, in copies of that context, so the record is found again by
  every event of that execution, on whatever thread, and by nothing else. (If an engine
  delivered ``on_exec_end`` in another context, the record is looked up by session id and
  script hash among the executions in flight.)
* a tool call by its ``call_id`` within its execution's record.

Which span is current where
---------------------------
The engine calls two context hooks (see :class:`starlite.Observer`): ``exec_context`` is
entered around the whole execution, and the copies the script and its branches run in are
made inside it, so the ``execute_tool_script`` span is the current OpenTelemetry span in every
interpreter thread of the run; ``tool_context`` is entered around the tool function itself, in
the thread that calls it, and makes the ``execute_tool {tool}`` span current there -- so
whatever the tool traces (an instrumented HTTP client, a database driver) nests under the
tool-call span, including tools called from ``parallel()`` branches and coroutine tools.

Failure isolation
-----------------
The interpreter already isolates a failing observer (it is detached and the run goes on), but
a detached telemetry observer would leave spans open for the rest of the run. So every hook
here catches its own exceptions, reports the first one per hook through loguru (at ERROR, with
the traceback, under the disabled-by-default ``telemetry`` logger) and carries on.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any

from loguru import logger
from opentelemetry import context as otel_context
from opentelemetry import trace

import starlite
from starlite.observe import ExecEnd, ExecStart, ParallelEvent, ToolEnd, ToolStart

from . import semconv as sc
from . import spans as sp
from .logging import log_ended, log_started
from .metrics import ScriptMetrics

if TYPE_CHECKING:
    from types import TracebackType

    from opentelemetry.context import Context
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, TracerProvider


class _ToolCall:
    """One inner tool call in flight: its span and the context that makes it current."""

    __slots__ = ("span", "context")

    def __init__(self, span: Span, context: Context) -> None:
        self.span = span
        self.context = context


class _Run:
    """One execution in flight."""

    __slots__ = ("span", "context", "session_id", "script_hash", "token", "tools")

    def __init__(self, span: Span, context: Context, session_id: str | None,
                 script_hash: str | None) -> None:
        self.span = span
        self.context = context          # an OTel context whose current span is ``span``
        self.session_id = session_id
        self.script_hash = script_hash
        self.token: Token[_Run | None] | None = None
        self.tools: dict[Any, _ToolCall] = {}

    def matches(self, session_id: str | None, script_hash: str | None) -> bool:
        return self.session_id == session_id and self.script_hash == script_hash


class _Attach:
    """A context manager making an OTel context current (``context.attach``/``detach``).

    A small class rather than ``trace.use_span``: it does only what is needed here (no
    exception recording: failures are reported by the end events) at a fraction of the cost
    of a generator-based context manager."""

    __slots__ = ("_context", "_token")

    def __init__(self, ctx: Context) -> None:
        self._context = ctx
        self._token: object = None

    def __enter__(self) -> None:
        self._token = otel_context.attach(self._context)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        token, self._token = self._token, None
        if token is not None:
            otel_context.detach(token)  # type: ignore[arg-type]


def _status(outcome: str) -> str:
    """The metric/log status of an execution outcome (``cancelled`` counts as ``error``)."""
    return outcome if outcome in sc.STATUSES else "error"


class ScriptTelemetry(starlite.Observer):
    """OpenTelemetry metrics and spans and loguru logs for tool-script executions.

    ``meter_provider`` / ``tracer_provider``: where the instruments and spans go; when one is
    None the global provider (``opentelemetry.metrics.get_meter_provider()`` /
    ``trace.get_tracer_provider()``) is used. Instruments are created here, once per observer,
    so one observer serves any number of engines and concurrent executions::

        from starlite.engine import Engine
        from telemetry import ScriptTelemetry

        engine = Engine(tools, observers=[ScriptTelemetry(meter_provider, tracer_provider)])

    What is recorded is listed in :mod:`telemetry.metrics`, :mod:`telemetry.spans` and
    :mod:`telemetry.logging`. The script text, tool arguments and tool results are never
    recorded.
    """

    def __init__(self, meter_provider: MeterProvider | None = None,
                 tracer_provider: TracerProvider | None = None) -> None:
        version = getattr(starlite, "__version__", "")
        self._metrics = ScriptMetrics(meter_provider, version)
        self._tracer = sp.get_tracer(tracer_provider, version)
        # The execution whose events are being delivered in the current context.
        self._current: ContextVar[_Run | None] = ContextVar(
            f"starlite_telemetry_run_{id(self):x}", default=None)
        # Executions in flight (the fallback pairing of an ExecEnd delivered elsewhere).
        self._runs: dict[int, _Run] = {}
        # Tool calls whose execution could not be found (no ExecStart seen for them).
        self._orphans: dict[tuple[str | None, Any], _ToolCall] = {}
        self._lock = threading.Lock()
        self._reported: set[str] = set()

    # ---- executions --------------------------------------------------------------------------

    def on_exec_start(self, event: ExecStart) -> None:
        try:
            span = sp.start_script_span(self._tracer, event.session_id, event.script_hash)
            run = _Run(span, trace.set_span_in_context(span), event.session_id,
                       event.script_hash)
            with self._lock:
                self._runs[id(run)] = run
            run.token = self._current.set(run)
            with _Attach(run.context):  # so a trace-id patcher sees this execution's span
                log_started(event.script_hash, event.session_id)
        except Exception as e:
            self._report("on_exec_start", e)

    def exec_context(self, event: ExecStart) -> _Attach | None:
        """Make the execution's span current while the engine runs the script."""
        try:
            run = self._current.get()
            if run is not None and run.matches(event.session_id, event.script_hash):
                return _Attach(run.context)
        except Exception as e:
            self._report("exec_context", e)
        return None

    def on_exec_end(self, event: ExecEnd) -> None:
        try:
            run = self._find_run(event.session_id, event.script_hash)
        except Exception as e:
            self._report("on_exec_end", e)
            return
        status = _status(event.outcome)
        try:
            self._metrics.record_execution(status, event.duration, event.tool_calls)
        except Exception as e:
            self._report("on_exec_end", e)
        try:
            if run is None or trace.get_current_span() is run.span:
                self._log_end(event, status)
            else:
                with _Attach(run.context):
                    self._log_end(event, status)
        except Exception as e:
            self._report("on_exec_end", e)
        if run is None:
            return
        try:
            sp.end_script_span(run.span, status, event.steps, event.tool_calls,
                               event.parallel_used, event.parallel_tasks, event.error)
        except Exception as e:
            self._report("on_exec_end", e)

    @staticmethod
    def _log_end(event: ExecEnd, status: str) -> None:
        log_ended(event.script_hash, event.session_id, status, event.duration,
                  event.tool_calls, event.steps, event.error)

    def _find_run(self, session_id: str | None, script_hash: str | None) -> _Run | None:
        """Take the execution that ends out of the registry (and out of the context)."""
        run = self._current.get()
        with self._lock:
            if run is None or id(run) not in self._runs or not run.matches(session_id,
                                                                           script_hash):
                # Not delivered in the execution's own context: the latest one in flight
                # with this session and script.
                run = None
                for r in reversed(self._runs.values()):
                    if r.matches(session_id, script_hash):
                        run = r
                        break
                if run is None:
                    return None
            del self._runs[id(run)]
        token, run.token = run.token, None
        if token is not None:
            try:
                self._current.reset(token)
            except ValueError:  # the ExecEnd came from another context: nothing to restore
                pass
        return run

    # ---- tool calls --------------------------------------------------------------------------

    def on_tool_start(self, event: ToolStart) -> None:
        try:
            run = self._current.get()
            parent = run.context if run is not None else None  # None: the current context
            span = sp.start_tool_span(self._tracer, event.tool, event.call_id, parent)
            call = _ToolCall(span, trace.set_span_in_context(span))
            if run is not None:
                run.tools[event.call_id] = call
            else:
                self._orphans[(event.session_id, event.call_id)] = call
        except Exception as e:
            self._report("on_tool_start", e)

    def tool_context(self, event: ToolStart) -> _Attach | None:
        """Make the tool-call span current inside the tool function."""
        try:
            call = self._tool_call(event.session_id, event.call_id, pop=False)
            if call is not None:
                return _Attach(call.context)
        except Exception as e:
            self._report("tool_context", e)
        return None

    def on_tool_end(self, event: ToolEnd) -> None:
        try:
            call = self._tool_call(event.session_id, event.call_id, pop=True)
            if call is not None:
                sp.end_tool_span(call.span, event.error)
        except Exception as e:
            self._report("on_tool_end", e)

    def _tool_call(self, session_id: str | None, call_id: Any, pop: bool) -> _ToolCall | None:
        run = self._current.get()
        if run is not None:
            call = run.tools.pop(call_id, None) if pop else run.tools.get(call_id)
            if call is not None:
                return call
        key = (session_id, call_id)
        return self._orphans.pop(key, None) if pop else self._orphans.get(key)

    # ---- parallel ----------------------------------------------------------------------------

    def on_parallel(self, event: ParallelEvent) -> None:
        try:
            self._metrics.record_parallel(event.tasks)
        except Exception as e:
            self._report("on_parallel", e)

    # ---- failures ----------------------------------------------------------------------------

    def _report(self, hook: str, exc: BaseException) -> None:
        """Report a failure of this observer once per hook; never raises."""
        try:
            if hook in self._reported:
                return
            self._reported.add(hook)
            logger.opt(exception=exc).error(
                "telemetry observer failed in {hook}; the execution is not affected",
                hook=hook,
            )
        except Exception:  # noqa: S110 - reporting must not fail either
            pass
