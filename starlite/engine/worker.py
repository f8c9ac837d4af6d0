"""The worker process of ``Engine(isolation="process")``, and the messages it exchanges.

A worker is started by :class:`starlite.engine.isolate.ProcessPool` with :func:`main`, one end
of a :func:`multiprocessing.Pipe` and a :class:`WorkerConfig`. It limits its own address
space (``RLIMIT_AS`` = ``memory_limit``) and, per run, its CPU time (``RLIMIT_CPU``), then
builds an ordinary in-process :class:`~starlite.engine.Engine` whose tools are *proxies*: a
proxy sends the call to the parent and waits for the reply, so tools always run in the host.
Everything else -- compiling, the step budget, ``parallel()``, ``print``, the run's own
timeout and ``tool_call_timeout`` -- works in the worker exactly as in-process.

Messages (tuples, pickled by the pipe); the parent's are ``run``, ``reply``, ``cancel`` and
``stop``::

    parent -> worker  ("run", run_id, script, data, session_id, seconds_left)
                      ("reply", call, ok, payload)   payload: pickled result / wired error
                      ("cancel", run_id, reason)     ("stop",)
    worker -> parent  ("ready", pid)
                      ("print", run_id, line)
                      ("event", run_id, hook, fields)  on_call / on_return / on_parallel
                      ("call", run_id, call, tool_name, args)
                      ("done", run_id, error, value, steps, memory, busy)
                      ("free", run_id)  ("tainted", run_id)

``value`` is the pickled return value (plain Python data); ``error`` a wired error
(:func:`wire_error`). ``memory``: the run failed for lack of memory (a ``MemoryError`` under
``RLIMIT_AS``); the parent replaces the worker. ``busy``: the run was abandoned (at its
timeout, or cancelled) while an interpreter thread was still working; the worker then
reports ``free`` once that thread has stopped, or ``tainted`` if it has not within
:data:`TAINT_GRACE` seconds (stuck outside the interpreter): the parent replaces it.
"""

from __future__ import annotations

import importlib
import math
import os
import pickle
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from .. import errors
from ..errors import Cancelled, EvalError, StarlarkError
from ..observe import Observer
from ..options import Options
from .tools import Param, Tool

#: Exit status of a worker that ran out of memory outside a run (the parent reports
#: "memory limit exceeded").
EXIT_MEMORY = 75
#: Seconds a worker waits, after an abandoned run, for its interpreter thread to stop.
TAINT_GRACE = 1.0
#: Error attributes carried across the pipe (all plain data).
_ERROR_STATE = ("msg", "call_stack", "_pos", "filename", "line", "col", "errors", "reason")

Wired = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class ToolSpec:
    """What a worker needs of a host tool to publish its proxy."""

    name: str
    params: tuple[Param, ...]
    input_schema: Any


@dataclass(frozen=True)
class WorkerConfig:
    """The engine settings a worker runs scripts with (see :class:`Engine`)."""

    tools: tuple[ToolSpec, ...]
    step_limit: int | None
    timeout: float
    tool_call_timeout: float
    parallel_max: int
    options: Options
    memory_limit: int | None
    cpu_limit: float | None
    forward: tuple[str, ...]  # the call hooks (on_call, on_return) the parent's observers use
    extra_globals: str | None = None
    filename: str = "script.star"


def wire_error(e: BaseException | None) -> Wired | None:
    """A Starlark error as plain data: its class name in :mod:`starlite.errors` (a non-Starlark
    error counts as ``EvalError``), its text and its attributes."""
    if e is None:
        return None
    name = "EvalError"
    for c in type(e).__mro__:
        if c.__module__ == errors.__name__ and issubclass(c, StarlarkError):
            name = c.__name__
            break
    state = {k: getattr(e, k) for k in _ERROR_STATE if hasattr(e, k)}
    return (name, str(e), state)


def unwire_error(w: Wired) -> StarlarkError:
    """The error :func:`wire_error` described: same class, same ``str()``, same attributes."""
    name, text, state = w
    cls = getattr(errors, name, EvalError)
    if not (isinstance(cls, type) and issubclass(cls, StarlarkError)):
        cls = EvalError
    e = cls.__new__(cls)
    Exception.__init__(e, text)
    if isinstance(e, EvalError):
        e.msg = text
        e._frames = []
        e._pos = None
        e.call_stack = []
    e.__dict__.update(state)
    return e


def is_memory_error(e: BaseException | None) -> bool:
    """Whether ``e`` is, or was caused by, a ``MemoryError`` (the interpreter reports one as
    "ran out of memory", keeping the ``MemoryError`` as the error's context)."""
    seen: set[int] = set()
    todo = [e]
    while todo:
        x = todo.pop()
        if x is None or id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, MemoryError):
            return True
        todo += [x.__cause__, x.__context__]
    return False


def set_memory_limit(limit: int | None) -> None:
    """Limit this process's address space (call it in the worker only); no core dumps."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limit is not None:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def set_cpu_limit(seconds: float | None) -> None:
    """Let this process use ``seconds`` more CPU time (then the kernel sends ``SIGXCPU``,
    which ends it). ``RLIMIT_CPU`` counts the process's whole life, so it is moved on at
    each run; only the soft limit is set, so it can be moved again."""
    if seconds is None:
        return
    import resource

    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    soft = math.ceil(used + seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


class _Slot:
    """A tool call waiting for the parent's reply."""

    __slots__ = ("event", "reply")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reply: tuple[bool, Any] = (False, None)


def _forwarder(worker: Worker, hooks: Iterable[str]) -> Observer:
    """An observer that sends the parent the events its observers want (call and return
    only if one of them overrides the hook; ``parallel`` always, for the counters)."""

    def on_parallel(self: Observer, ev: Any) -> None:
        worker.event("on_parallel", (ev.tasks,))

    def on_call(self: Observer, ev: Any) -> None:
        worker.event("on_call", (ev.function, ev.filename, ev.line, ev.col, ev.depth, ev.step))

    def on_return(self: Observer, ev: Any) -> None:
        worker.event("on_return", (ev.function, ev.depth, ev.step, wire_error(ev.error)))

    ns: dict[str, Any] = {"on_parallel": on_parallel}
    if "on_call" in hooks:
        ns["on_call"] = on_call
    if "on_return" in hooks:
        ns["on_return"] = on_return
    return type("Forwarder", (Observer,), ns)()


class Worker:
    """The worker's side of the pipe: serves runs one at a time."""

    def __init__(self, conn: Any, config: WorkerConfig) -> None:
        from .engine import Engine

        self.conn = conn
        self.config = config
        self.send_lock = threading.Lock()
        self.pending: dict[int, _Slot] = {}
        self.calls = 0
        self.calls_lock = threading.Lock()
        self.run_id = 0
        self.current: Any = None
        tools = []
        for spec in config.tools:
            tool = Tool(spec.name, "", partial(self.call_host, spec.name), spec.input_schema)
            object.__setattr__(tool, "params", spec.params)  # as the host's tool has them
            tools.append(tool)
        self.engine = Engine(
            tools,
            step_limit=config.step_limit,
            timeout=config.timeout,
            tool_call_timeout=config.tool_call_timeout,
            parallel_max=config.parallel_max,
            observers=[_forwarder(self, config.forward)],
            options=config.options,
        )
        self.engine._filename = config.filename
        if config.extra_globals:
            module, _, attr = config.extra_globals.partition(":")
            extra = getattr(importlib.import_module(module), attr)
            self.engine._globals = {**self.engine._globals, **extra}
            self.engine._reserved = self.engine._reserved | frozenset(extra)

    def send(self, msg: tuple[Any, ...]) -> None:
        with self.send_lock:
            self.conn.send(msg)

    def event(self, hook: str, fields: tuple[Any, ...]) -> None:
        self.send(("event", self.run_id, hook, fields))

    def serve(self) -> None:
        self.send(("ready", os.getpid()))
        while True:
            msg = self.conn.recv()
            kind = msg[0]
            if kind == "reply":
                slot = self.pending.pop(msg[1], None)
                if slot is not None:
                    slot.reply = (msg[2], msg[3])
                    slot.event.set()
            elif kind == "run":
                threading.Thread(target=self.run, args=msg[1:], daemon=True).start()
            elif kind == "cancel":
                ex = self.current
                if ex is not None and msg[1] == self.run_id:
                    ex.abandon(Cancelled(msg[2]))
            elif kind == "stop":
                return

    def run(self, run_id: int, script: str, data: Any, session_id: str | None, left: float) -> None:
        """One run, on its own thread; reports ``done`` whatever happens."""
        try:
            self._run(run_id, script, data, session_id, left)
        except MemoryError:
            os._exit(EXIT_MEMORY)

    def _run(
        self, run_id: int, script: str, data: Any, session_id: str | None, left: float
    ) -> None:
        from .engine import _Execution

        worker = self

        class WorkerExecution(_Execution):
            finished = threading.Event()  # replaced per run below

            def print(self, msg: str) -> None:
                super().print(msg)
                worker.send(("print", run_id, msg))

            def run(self) -> None:
                try:
                    super().run()
                finally:
                    self.finished.set()

        ex = WorkerExecution(self.engine, script, data, session_id)
        ex.finished = threading.Event()
        ex.deadline = time.monotonic() + left
        self.run_id = run_id
        self.current = ex
        set_cpu_limit(self.config.cpu_limit)
        self.engine._run(ex)
        self.current = None
        for call in list(self.pending):  # release threads of the run still waiting for tools
            slot = self.pending.pop(call, None)
            if slot is not None:
                slot.reply = (False, wire_error(Cancelled("the run ended")))
                slot.event.set()
        busy = not ex.finished.wait(0.01)  # its thread is normally done already
        err: BaseException | None = ex.error
        try:
            value = pickle.dumps(ex.value, pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            value = pickle.dumps(None)
            err = EvalError(
                f"the script's return value cannot be sent from the isolated worker: {e}"
            )
        memory = is_memory_error(err)
        self.send(("done", run_id, wire_error(err), value, ex.steps, memory, busy))
        if busy:  # abandoned while an interpreter thread was still working
            free = ex.finished.wait(TAINT_GRACE)
            self.send(("free" if free else "tainted", run_id))

    def call_host(self, name: str, **args: Any) -> Any:
        """A proxy tool: have the parent run tool ``name`` and wait for its reply."""
        with self.calls_lock:
            self.calls += 1
            call = self.calls
        slot = _Slot()
        self.pending[call] = slot
        try:
            self.send(("call", self.run_id, call, name, args))
        except Exception as e:
            self.pending.pop(call, None)
            raise EvalError(
                f"tool {name}: its arguments cannot be sent to the host: {type(e).__name__}: {e}"
            ) from None
        slot.event.wait()
        ok, payload = slot.reply
        if ok:
            return pickle.loads(payload)  # noqa: S301 - written by the parent process
        raise unwire_error(payload)


def main(conn: Any, config: WorkerConfig) -> None:
    """The worker process's entry point."""
    try:
        set_memory_limit(config.memory_limit)
        Worker(conn, config).serve()
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except (EOFError, OSError):  # the parent went away
        pass
