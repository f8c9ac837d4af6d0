"""The tool-script engine: run an agent's Starlark script against host tools, with limits.

How a run is put together
-------------------------
``Engine.execute(script)`` creates an :class:`_Execution` (the per-run state), delivers
``on_exec_start``, enters the observers' ``exec_context`` managers, and hands the run to a worker
thread (:data:`starlite.engine.pool.POOL`) in a copy of the caller's ``contextvars`` context.
The caller then only *waits*: for the run to finish, for the run's deadline, or for a tool call
to outlive ``tool_call_timeout``. Whatever comes first *settles* the run (first one wins), so a
script blocked in a tool still returns ``timeout`` on time: the waiter cancels every thread of
the run, cancels pending coroutine tools, and returns; the worker's late result is discarded.

The worker compiles the script (cached per script text and ``data`` names), runs it on a
:class:`starlite.Thread` whose step budget is a :class:`~starlite.engine.budget.Lease` of the
run's shared :class:`~starlite.engine.budget.StepBudget`, and converts the top-level ``return``
value with ``to_python``.

Where tools run
---------------
* A plain function runs directly on the interpreter thread that calls it (the script's worker
  or a ``parallel()`` branch): no thread hand-off, so a call costs a few microseconds. Its
  ``tool_call_timeout`` is enforced by the waiter (a blocked call settles the run as an error
  within :data:`POLL` seconds) and, for a call that returns late, by the interpreter.
* A coroutine function (or a function returning an awaitable) is awaited on an event loop:
  under ``aexecute`` the caller's own loop, under ``execute`` a private loop thread the engine
  starts on first use (``Engine.close()`` stops it). The interpreter thread waits for it with
  ``tool_call_timeout``; the loop is never blocked by the interpreter.

With ``Engine(isolation="process")`` the run is a
:class:`~starlite.engine.isolate.RemoteExecution`: the same waiting, observers and result,
but ``run`` hands the script to a worker process whose in-process engine
(:mod:`starlite.engine.worker`) calls the tools back here through :meth:`_Execution.invoke`.

Statuses come from the class of the failure (``StepLimitExceeded``, ``Timeout``, anything
else), see :func:`status_of`.

Observers
---------
The engine's observers are attached to every thread of a run. The engine sends (the run itself
uses ``run_full(events=False)``):

* ``on_exec_start(ExecStart)`` then ``exec_context(event)`` entered, in the caller's thread
  (or ``aexecute`` task), before the script is compiled — so a syntax error also has a
  start and an end; at the end ``on_error`` (if failed) and ``on_exec_end(ExecEnd)`` with the
  result's status as ``outcome`` and its counters, still inside ``exec_context``, which is
  exited last. ``mode`` is ``"exec"``, ``filename`` :data:`FILENAME`.
* ``on_tool_start(ToolStart)`` then ``tool_context(event)`` entered, around each tool call, on
  the interpreter thread making it (a ``parallel()`` branch runs on a pool thread, in a copy
  of the context the script's thread had when it called ``parallel``, which is itself a copy
  of the caller's context with ``exec_context`` entered); ``tool_context`` is exited (with
  the exception, if any) before ``on_tool_end(ToolEnd)``. ``call_id`` is unique in the
  process; ``args_size`` is the length of the arguments' JSON; ``context`` is a
  ``contextvars.Context`` snapshot taken at the call. A tool abandoned at the run's timeout
  gets its ``ToolEnd`` whenever it finally returns, possibly after ``ExecEnd``.
* ``on_parallel(ParallelEvent)`` when ``parallel()`` starts its tasks, on the calling thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import hashlib
import importlib.util
import inspect
import itertools
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from ..compile.program import Program, compile_program, outcome_of, universe_for
from ..errors import Cancelled, EvalError, StarlarkError, Timeout
from ..observe import ErrorEvent, ExecEnd, ExecStart, Observer, ToolEnd, ToolStart, notify
from ..observe.observer import _failed, overrides
from ..options import Options
from ..thread import Thread
from ..values.convert import to_python, to_starlark
from ..values.core import Builtin
from .budget import Lease, StepBudget
from .parallel import GROUP_KEY, run_parallel
from .pool import POOL
from .result import ExecutionResult, Status
from .tools import Tool, is_identifier

#: ``thread.locals`` key of the :class:`_Execution` a thread belongs to.
EXEC_KEY = "starlite.engine.execution"
#: Seconds between two looks of the waiter at overdue tool calls.
POLL = 0.05
#: The filename scripts are compiled under (it appears in error locations).
FILENAME = "script.star"
#: The dialect of tool scripts (see :class:`Engine`).
SCRIPT_OPTIONS = Options(top_level_control=True, top_level_return=True, global_reassign=True)
#: Names the engine itself predeclares: always present, a tool may not take them.
ENGINE_NAMES = ("call_tool", "parallel")
_CACHE_SIZE = 256
# Tool-call ids are unique in the process (not just in a run), so that an observer can pair
# ToolStart and ToolEnd by ``call_id`` alone while many runs share it.
_CALL_IDS = itertools.count(1)
#: The step budget of a run with ``step_limit=None``.
UNLIMITED = sys.maxsize
#: Where scripts run: in threads of this process, or in a pool of worker processes.
ISOLATIONS = ("thread", "process")
#: The default ``memory_limit`` of an isolated worker process (its whole address space).
DEFAULT_MEMORY_LIMIT = 1 << 30


def status_of(err: BaseException | None) -> Status:
    """The status of a run that failed with ``err`` (None: success): by class only."""
    outcome = outcome_of(err)
    if outcome in ("success", "step_limit", "timeout"):
        return outcome  # type: ignore[return-value]
    return "error"


def _refuse_load(module: str) -> Any:
    raise EvalError("load is not available in tool scripts")


def _describe(e: BaseException) -> str:
    msg = str(e)
    return f"{type(e).__name__}: {msg}" if msg else type(e).__name__


async def _await(a: Awaitable[Any]) -> Any:
    return await a


class _Contexts:
    """The context managers observers asked to enter (``exec_context`` / ``tool_context``),
    entered and exited with each observer isolated: a failing hook or ``__enter__`` /
    ``__exit__`` detaches that observer and never affects the run."""

    __slots__ = ("th", "hook", "entered")

    def __init__(self, th: Thread, hook: str, event: Any) -> None:
        self.th = th
        self.hook = hook
        self.entered: list[tuple[Observer, Any]] = []
        for ob in list(th.observers):
            if not overrides(ob, hook):
                continue
            try:
                cm = getattr(ob, hook)(event)
                if cm is not None:
                    cm.__enter__()
                    self.entered.append((ob, cm))
            except Exception as e:
                _failed(th, ob, hook, e)

    def exit(self, err: BaseException | None = None) -> None:
        while self.entered:
            ob, cm = self.entered.pop()
            try:
                if err is None:
                    cm.__exit__(None, None, None)
                else:
                    cm.__exit__(type(err), err, err.__traceback__)
            except Exception as e:
                _failed(self.th, ob, self.hook, e)


class _Call:
    """A tool call in progress (for the waiter's ``tool_call_timeout`` checks)."""

    __slots__ = ("tool", "start", "is_async", "future")

    def __init__(self, tool: str, start: float, is_async: bool) -> None:
        self.tool = tool
        self.start = start
        self.is_async = is_async
        self.future: concurrent.futures.Future[Any] | None = None


class _Execution:
    """The state of one run, shared by the waiter, the script's thread and its branches."""

    def __init__(
        self,
        engine: Engine,
        script: str,
        data: Any,
        session_id: str | None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.engine = engine
        self.script = script
        self.data = data
        self.session_id = session_id
        self.script_hash = hashlib.sha256(script.encode("utf-8", "surrogatepass")).hexdigest()
        self.t0 = time.perf_counter()
        self.deadline = time.monotonic() + engine.timeout
        self.loop = loop
        self.logs: list[str] = []
        self.lock = threading.Lock()
        self.budget = StepBudget(UNLIMITED if engine.step_limit is None else engine.step_limit)
        self.slots = threading.Semaphore(engine.parallel_max - 1)
        self.tool_calls = 0
        self.parallel_used = False
        self.parallel_tasks = 0
        self.active: dict[int, _Call] = {}
        self.branches: set[Thread] = set()
        self.root = self.new_thread("script", greedy=True)
        # settled state (the first of: the worker finishing, the deadline, an overdue tool)
        self.settled = False
        self.error: BaseException | None = None
        self.value: Any = None
        self.steps = 0
        self.duration = 0.0
        self.logs_out: list[str] = []
        self.done = threading.Event()
        self.on_done: Callable[[], None] | None = None
        self._contexts: _Contexts | None = None

    # ---- threads -------------------------------------------------------------------------

    def new_thread(self, name: str, greedy: bool = False) -> Thread:
        e = self.engine
        th = Thread(
            print=self.print, load=_refuse_load, observers=e.observers, options=e.options, name=name
        )
        th.locals[EXEC_KEY] = self
        th._budget = Lease(self.budget, greedy=greedy)
        return th

    def new_branch(self, parent: Thread, i: int) -> Thread:
        """A thread for task ``i`` of a ``parallel()`` call made on ``parent``: same budget,
        deadline and observers; cancelled at once if the parent already is."""
        bt = self.new_thread(f"{parent.name}/{i}")
        bt.deadline = self.root.deadline
        with self.lock:
            self.branches.add(bt)
        if parent.cancel_reason is not None:
            bt.cancel(parent.cancel_reason)
        bt._rebound()
        return bt

    def end_branch(self, bt: Thread) -> None:
        bt._budget.release(bt)
        with self.lock:
            self.branches.discard(bt)

    def cancel_thread(self, th: Thread, reason: str) -> None:
        """Cancel ``th`` and, if it waits in ``parallel()``, all its branches (recursively)."""
        th.cancel(reason)
        group = th.locals.get(GROUP_KEY)
        if group is not None:
            group.cancel(reason)

    def print(self, msg: str) -> None:
        self.logs.append(msg)

    # ---- running -------------------------------------------------------------------------

    def run(self) -> None:
        """The worker: compile, run, convert; then settle (unless the waiter already did)."""
        err: BaseException | None = None
        value: Any = None
        try:
            pre = self.engine._predeclared(self.data)
            prog = self.engine._compile(self.script, tuple(pre.keys() - self.engine._globals))
            root = self.root
            root.timeout = max(self.deadline - time.monotonic(), 0.0)
            r = prog.run_full(
                root, pre, session_id=self.session_id, script_hash=self.script_hash, events=False
            )
            value = to_python(r.value)
        except StarlarkError as e:
            err = e
        except Exception as e:  # a bug in the engine: report it, never crash the host
            err = EvalError(f"internal error: {_describe(e)}")
        self.settle(err, value)

    def settle(self, err: BaseException | None, value: Any) -> bool:
        """Fix the run's outcome; False if it was already fixed."""
        with self.lock:
            if self.settled:
                return False
            self.settled = True
            self.error = err
            self.value = value
            self.steps = self.count_steps()
            self.logs_out = list(self.logs)
            self.duration = time.perf_counter() - self.t0
        self.done.set()
        cb = self.on_done
        if cb is not None:
            cb()
        return True

    def count_steps(self) -> int:
        """Steps used so far by the script's thread and its branches (under ``self.lock``)."""
        return self.root.steps + sum(b.steps for b in self.branches)

    def abandon(self, err: BaseException) -> None:
        """Settle with ``err`` and stop everything still running."""
        if not self.settle(err, None):
            return
        self.cancel_thread(self.root, str(err))
        for call in list(self.active.values()):
            if call.future is not None:
                call.future.cancel()

    def wait_time(self) -> float:
        return max(0.0, min(POLL, self.deadline - time.monotonic()))

    def watch(self) -> None:
        """The waiter's check between two waits: the deadline, then overdue tool calls."""
        now = time.monotonic()
        if now >= self.deadline:
            self.abandon(Timeout(f"the script timed out after {self.engine.timeout:g} s"))
            return
        limit = self.engine.tool_call_timeout
        for call in list(self.active.values()):
            if not call.is_async and now - call.start > limit:
                self.abandon(EvalError(_overdue(call.tool, limit)))
                return

    # ---- observers -----------------------------------------------------------------------

    def start(self) -> None:
        root = self.root
        if root.observers:
            ev = ExecStart(
                self.engine._filename, "exec", self.session_id, self.script_hash, time.time()
            )
            notify(root, "on_exec_start", ev)
            self._contexts = _Contexts(root, "exec_context", ev)

    def end(self) -> ExecutionResult:
        res = self.result()
        root = self.root
        try:
            if root.observers:
                err = self.error
                if err is not None:
                    notify(root, "on_error", ErrorEvent(err, res.steps))
                notify(
                    root,
                    "on_exec_end",
                    ExecEnd(
                        self.engine._filename,
                        "exec",
                        res.status,
                        res.steps,
                        res.duration,
                        err,
                        self.session_id,
                        self.script_hash,
                        res.tool_calls,
                        res.parallel_used,
                        res.parallel_tasks,
                    ),
                )
        finally:
            if self._contexts is not None:
                self._contexts.exit(self.error)
        return res

    def result(self) -> ExecutionResult:
        err = self.error
        return ExecutionResult(
            status=status_of(err),
            value=self.value,
            logs=self.logs_out,
            error=None if err is None else str(err),
            steps=self.steps,
            tool_calls=self.tool_calls,
            parallel_used=self.parallel_used,
            parallel_tasks=self.parallel_tasks,
            duration=self.duration,
            script_hash=self.script_hash,
        )

    # ---- tools ---------------------------------------------------------------------------

    def call_tool(self, th: Thread, tool: Tool, kwargs: dict[str, Any] | None) -> Any:
        """Call ``tool`` from Starlark thread ``th`` with Starlark keyword arguments."""
        if th.cancel_reason is not None:  # never start a tool once the run is being stopped
            raise Cancelled(th.cancel_reason)
        args = {k: to_python(v) for k, v in kwargs.items()} if kwargs else {}
        _check_args(tool, args)
        return self.invoke(th, tool, args)

    def invoke(self, th: Thread, tool: Tool, args: dict[str, Any]) -> Any:
        """Run ``tool`` with checked plain-Python ``args`` on behalf of thread ``th``: count
        the call, deliver the tool events, enforce ``tool_call_timeout`` and return the
        result as :meth:`convert_result` makes it."""
        with self.lock:
            self.tool_calls += 1
        call_id = next(_CALL_IDS)
        call = _Call(tool.name, time.monotonic(), tool.is_async)
        observed = bool(th.observers)
        ctxs: _Contexts | None = None
        if observed:
            ev = ToolStart(
                tool.name, call_id, _args_size(args), self.session_id, contextvars.copy_context()
            )
            notify(th, "on_tool_start", ev)
            ctxs = _Contexts(th, "tool_context", ev)
        self.active[call_id] = call
        t0 = time.perf_counter()
        err: BaseException | None = None
        try:
            try:
                r = tool.fn(**args)
                if tool.is_async or inspect.isawaitable(r):
                    r = self._await(th, tool, r, call)
            except StarlarkError:
                raise
            except Exception as e:
                raise EvalError(f"tool {tool.name} failed: {_describe(e)}") from e
            dt = time.perf_counter() - t0
            if dt > self.engine.tool_call_timeout:
                raise EvalError(_overdue(tool.name, self.engine.tool_call_timeout))
            return self.convert_result(tool, r)
        except BaseException as e:
            err = e
            raise
        finally:
            self.active.pop(call_id, None)
            if ctxs is not None:
                ctxs.exit(err)
            if observed:
                notify(
                    th,
                    "on_tool_end",
                    ToolEnd(tool.name, call_id, time.perf_counter() - t0, err, self.session_id),
                )

    def convert_result(self, tool: Tool, r: Any) -> Any:
        """A tool's result as the script receives it (a Starlark value)."""
        try:
            return to_starlark(r)
        except TypeError as e:
            raise EvalError(f"tool {tool.name} returned a value that is not JSON-like: {e}") from e

    def _await(self, th: Thread, tool: Tool, aw: Any, call: _Call) -> Any:
        """Run awaitable ``aw`` on the event loop and wait for it from this thread."""
        loop = self.loop if self.loop is not None else self.engine._private_loop()
        coro = aw if asyncio.iscoroutine(aw) else _await(aw)
        # Scheduling copies this thread's current context into the task, so whatever an
        # observer's tool_context made current is current inside the coroutine too.
        fut = asyncio.run_coroutine_threadsafe(coro, loop)
        call.future = fut
        if th.cancel_reason is not None or self.settled:
            fut.cancel()
        limit = self.engine.tool_call_timeout
        try:
            return fut.result(timeout=limit)
        except (concurrent.futures.CancelledError, asyncio.CancelledError):
            raise Cancelled(th.cancel_reason or "the run was stopped") from None
        except (concurrent.futures.TimeoutError, TimeoutError):
            if fut.done() and not fut.cancelled():
                raise  # the tool's own TimeoutError: a failing tool
            fut.cancel()
            raise EvalError(_overdue(tool.name, limit)) from None


def _overdue(tool: str, limit: float) -> str:
    return f"tool {tool} timed out: no result within the tool_call_timeout of {limit:g} s"


def _args_size(args: dict[str, Any]) -> int:
    import json

    try:
        return len(json.dumps(args, default=str))
    except (TypeError, ValueError):
        return len(repr(args))


def _check_args(tool: Tool, args: dict[str, Any]) -> None:
    if tool.input_schema is None:
        return
    missing = [n for n in tool.required if n not in args]
    if missing:
        raise EvalError(
            f"tool {tool.name}: missing required argument"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(parameters: {tool.param_list()})"
        )
    if tool.closed:
        known = {p.name for p in tool.params}
        extra = [k for k in args if k not in known]
        if extra:
            raise EvalError(
                f"tool {tool.name}: unexpected argument {extra[0]!r} "
                f"(parameters: {tool.param_list()})"
            )


def _tool_builtin(tool: Tool, ident: str) -> Builtin:
    def call(th: Thread, /, *args: Any, **kwargs: Any) -> Any:
        if args:
            raise EvalError(
                f"tool {tool.name} takes keyword arguments only ({len(args)} positional "
                f"given); its parameters: {tool.param_list()}"
            )
        return th.locals[EXEC_KEY].call_tool(th, tool, kwargs)

    return Builtin(ident, call)


class Engine:
    """Runs tool scripts: Starlark programs that call host tools, under limits.

    ``tools``: the :class:`Tool` s scripts may call; each is a global function named after
    the tool (:func:`~starlite.engine.tools.sanitize_name`) taking keyword arguments, and
    ``call_tool("real-name", **kwargs)`` reaches any of them by its real name.
    ``step_limit``: steps for the whole run, shared by all ``parallel()`` branches.
    ``timeout``: wall-clock seconds for the whole run; it wins over everything.
    ``tool_call_timeout``: seconds one tool call may take (then the run fails with an error
    naming the tool). ``parallel_max``: how many ``parallel()`` tasks of one run may execute
    at the same time (nested ``parallel()`` calls included). ``observers``: attached to every
    thread of every run. ``options``: the dialect (default :data:`SCRIPT_OPTIONS`:
    top-level ``if``/``for`` and ``return``, and re-assignable globals, since agents write
    scripts like ``total = 0`` / ``for ...: total += n``; no ``while``, no recursion, so
    every loop is bounded by its data).

    Raises ``ValueError`` for a tool list that cannot be published: two tools with the same
    name or the same script name, or a tool whose script name is a builtin (``len``,
    ``print`` ...) or ``call_tool`` / ``parallel``. The modules ``json``, ``math`` and
    ``struct`` are predeclared too, unless a tool takes the name.

    ``step_limit=None`` sets no step limit (then only ``timeout`` stops a long script).

    ``isolation``: ``"thread"`` (the default) runs scripts in threads of this process;
    ``"process"`` runs each script in a worker process from a pool of ``workers`` (default:
    the number of CPUs, at most 4) started on first use (see :mod:`starlite.engine.isolate`).
    There, ``memory_limit`` bytes (default 1 GiB; None: no limit) is the worker's whole
    address space (``RLIMIT_AS``), ``cpu_limit`` seconds (default None) its CPU time per run
    (``RLIMIT_CPU``), and a worker that does not stop at ``timeout`` is killed. Tools still
    run in this process; results, statuses and observer events are those of an in-process
    run (except per-step events, which stay in the worker). A worker out of memory ends the
    run with ``error`` "memory limit exceeded"; one over its CPU limit with ``timeout``.
    Return values, ``data``, tool arguments and results must be picklable plain data.
    :meth:`close` (or ``with``, or the end of the program) stops the workers.

    ``data`` given to :meth:`execute` become global variables; a name that is not an
    identifier or that would shadow a tool, a builtin or a predeclared name makes the run
    fail with status ``error`` (data usually comes from the agent, so this is the script's
    error, not the host's). An engine is safe to use from many threads and event loops at
    once; every run has its own limits and counters.
    """

    def __init__(
        self,
        tools: Iterable[Tool] = (),
        step_limit: int | None = 100_000,
        timeout: float = 60.0,
        tool_call_timeout: float = 30.0,
        parallel_max: int = 10,
        observers: Iterable[Observer] = (),
        *,
        options: Options | None = None,
        isolation: str = "thread",
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        cpu_limit: float | None = None,
        workers: int | None = None,
    ) -> None:
        if step_limit is not None and step_limit < 1:
            raise ValueError("step_limit must be positive (or None for no limit)")
        if isolation not in ISOLATIONS:
            raise ValueError(f"isolation must be one of {', '.join(map(repr, ISOLATIONS))}")
        if isolation == "process" and importlib.util.find_spec("resource") is None:
            raise ValueError('isolation="process" needs POSIX resource limits (module resource)')
        if memory_limit is not None and memory_limit < 1:
            raise ValueError("memory_limit must be a positive number of bytes (or None)")
        if cpu_limit is not None and not cpu_limit > 0:
            raise ValueError("cpu_limit must be a positive number of seconds (or None)")
        if workers is not None and workers < 1:
            raise ValueError("workers must be at least 1")
        if timeout <= 0 or tool_call_timeout <= 0:
            raise ValueError("timeout and tool_call_timeout must be positive")
        if parallel_max < 1:
            raise ValueError("parallel_max must be at least 1")
        self.tools: tuple[Tool, ...] = tuple(tools)
        self.step_limit = step_limit
        self.timeout = float(timeout)
        self.tool_call_timeout = float(tool_call_timeout)
        self.parallel_max = parallel_max
        self.observers: tuple[Observer, ...] = tuple(observers)
        for ob in self.observers:
            if not isinstance(ob, Observer):
                raise TypeError(f"observers must be starlite.Observer, not {type(ob).__name__}")
        self.options = options if options is not None else SCRIPT_OPTIONS
        if not self.options.top_level_return:
            self.options = replace(self.options, top_level_return=True)
        self.tools_by_name: dict[str, Tool] = {}
        self.tools_by_identifier: dict[str, Tool] = {}
        reserved = set(universe_for(self.options)) | set(ENGINE_NAMES)
        for tool in self.tools:
            if not isinstance(tool, Tool):
                raise TypeError(f"tools must be starlite.engine.Tool, not {type(tool).__name__}")
            if tool.name in self.tools_by_name:
                raise ValueError(f"two tools are named {tool.name!r}")
            ident = tool.identifier
            if ident in reserved:
                raise ValueError(
                    f"tool {tool.name!r}: its script name {ident!r} is taken by "
                    "the builtin of that name"
                )
            other = self.tools_by_identifier.get(ident)
            if other is not None:
                raise ValueError(
                    f"tools {other.name!r} and {tool.name!r} both get the script name {ident!r}"
                )
            self.tools_by_name[tool.name] = tool
            self.tools_by_identifier[ident] = tool
        g: dict[str, Any] = {}
        from ..builtins import json_module, math_module, struct_builtin

        for name, v in (("json", json_module), ("math", math_module), ("struct", struct_builtin)):
            if name not in self.tools_by_identifier:
                g[name] = v
        g["call_tool"] = Builtin("call_tool", self._call_tool_builtin)
        g["parallel"] = Builtin("parallel", _parallel_builtin)
        for ident, tool in self.tools_by_identifier.items():
            g[ident] = _tool_builtin(tool, ident)
        self._globals = g
        self._reserved = frozenset(g) | frozenset(universe_for(self.options))
        self._cache: OrderedDict[tuple[str, tuple[str, ...]], Program] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None
        self._loop_lock = threading.Lock()
        self.isolation = isolation
        self.memory_limit = memory_limit
        self.cpu_limit = None if cpu_limit is None else float(cpu_limit)
        self.workers = workers if workers is not None else min(4, os.cpu_count() or 1)
        self._pool: Any = None  # the ProcessPool of isolation="process", made on first use
        # "module:attr" naming a dict of extra predeclared values for the worker processes
        # (tests use it to run code inside a worker; see starlite.engine.worker).
        self._worker_globals: str | None = None
        # The filename scripts are compiled under (``starlite run --isolate`` sets it).
        self._filename = FILENAME

    # ---- running scripts -----------------------------------------------------------------

    def execute(
        self, script: str, data: Mapping[str, Any] | None = None, session_id: str | None = None
    ) -> ExecutionResult:
        """Run ``script`` and return its :class:`ExecutionResult` (never raises for anything
        the script or a tool does). Blocks until the run ends or its timeout passes."""
        return self._run(self._execution(_text(script), data, session_id))

    def _run(self, ex: _Execution) -> ExecutionResult:
        """Start run ``ex`` on a worker thread and wait for it (see :meth:`execute`)."""
        ex.start()
        try:
            POOL.submit(partial(contextvars.copy_context().run, ex.run))
            while not ex.done.wait(ex.wait_time()):
                ex.watch()
        except BaseException as e:  # e.g. KeyboardInterrupt in the waiting thread
            ex.abandon(Cancelled(f"the caller stopped waiting: {_describe(e)}"))
            raise
        finally:
            res = ex.end()
        return res

    def _execution(
        self,
        script: str,
        data: Any,
        session_id: str | None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> _Execution:
        """The state of a new run: in this process, or handed to a worker process."""
        if self.isolation == "process":
            from .isolate import RemoteExecution, pool_of

            return RemoteExecution(pool_of(self), self, script, data, session_id, loop)
        return _Execution(self, script, data, session_id, loop)

    async def aexecute(
        self, script: str, data: Mapping[str, Any] | None = None, session_id: str | None = None
    ) -> ExecutionResult:
        """Like :meth:`execute`, awaiting the run without blocking the event loop. Coroutine
        tools run on this loop; the interpreter runs in a worker thread."""
        loop = asyncio.get_running_loop()
        ex = self._execution(_text(script), data, session_id, loop=loop)
        ex.start()
        try:
            fut: asyncio.Future[None] = loop.create_future()

            def wake() -> None:
                try:
                    loop.call_soon_threadsafe(_resolve, fut)
                except RuntimeError:  # the loop is closed: nobody is waiting any more
                    pass

            ex.on_done = wake
            POOL.submit(partial(contextvars.copy_context().run, ex.run))
            while not ex.done.is_set():
                await asyncio.wait({fut}, timeout=ex.wait_time())
                if not ex.done.is_set():
                    ex.watch()
        except BaseException as e:  # cancelled by the caller
            ex.abandon(Cancelled(f"the caller stopped waiting: {_describe(e)}"))
            raise
        finally:
            res = ex.end()
        return res

    def close(self) -> None:
        """Stop the private event loop thread (started by coroutine tools under execute)
        and, with ``isolation="process"``, the worker processes (runs still in progress end
        with an error). An isolated engine starts new workers if it is used again."""
        with self._loop_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()
        with self._loop_lock:
            loop, t = self._loop, self._loop_thread
            self._loop = self._loop_thread = None
        if loop is not None and t is not None:
            loop.call_soon_threadsafe(loop.stop)
            t.join(timeout=5)
            if not loop.is_running():
                loop.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- internals -----------------------------------------------------------------------

    def _private_loop(self) -> asyncio.AbstractEventLoop:
        with self._loop_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                t = threading.Thread(
                    target=loop.run_forever, name="starlite-engine-loop", daemon=True
                )
                t.start()
                self._loop, self._loop_thread = loop, t
            return self._loop

    def _predeclared(self, data: Any) -> dict[str, Any]:
        if not data:
            return self._globals
        if not isinstance(data, Mapping):
            raise EvalError(f"data must be a mapping of names to values, not {type(data).__name__}")
        pre = dict(self._globals)
        for name, v in data.items():
            if not isinstance(name, str) or not is_identifier(name):
                raise EvalError(f"data: {name!r} is not a valid variable name")
            if name in self._reserved:
                what = "tool" if name in self.tools_by_identifier else "builtin"
                raise EvalError(f"data: {name!r} would shadow the {what} of that name")
            try:
                pre[name] = to_starlark(v)
            except TypeError as e:
                raise EvalError(f"data: {name!r}: {e}") from None
        return pre

    def _compile(self, script: str, data_names: tuple[str, ...]) -> Program:
        key = (script, tuple(sorted(data_names)))
        with self._cache_lock:
            prog = self._cache.get(key)
            if prog is not None:
                self._cache.move_to_end(key)
                return prog
        prog = compile_program(self._filename, script, [*self._globals, *key[1]], self.options)
        with self._cache_lock:
            self._cache[key] = prog
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return prog

    def _call_tool_builtin(self, th: Thread, /, *args: Any, **kwargs: Any) -> Any:
        if len(args) != 1 or not isinstance(args[0], str):
            raise EvalError(
                "want the tool's real name as the only positional argument, "
                'e.g. call_tool("list-issues", owner="x")'
            )
        tool = self.tools_by_name.get(args[0])
        if tool is None:
            avail = ", ".join(sorted(self.tools_by_name)) or "none"
            raise EvalError(f"unknown tool {args[0]!r}; available tools: {avail}")
        return th.locals[EXEC_KEY].call_tool(th, tool, kwargs)

    def tool_description(self) -> str:
        """The description a server publishes for its ``execute_tool_script`` tool."""
        from .describe import describe

        return describe(self)


def _parallel_builtin(th: Thread, fns: Any, /) -> Any:
    return run_parallel(th.locals[EXEC_KEY], th, fns)


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


def _text(script: Any) -> str:
    if isinstance(script, bytes):
        return script.decode("utf-8")
    if not isinstance(script, str):
        raise TypeError(f"script must be a str, not {type(script).__name__}")
    return script
