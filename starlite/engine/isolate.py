"""``Engine(isolation="process")``: each run in a worker process, tools in the host.

A :class:`ProcessPool` per engine keeps ``engine.workers`` worker processes (started with the
``forkserver`` method where there is one, else ``spawn``; never plain ``fork``, which would
copy the host's threads and locks). Each worker (:mod:`starlite.engine.worker`) limits its
own address space to ``memory_limit`` and its CPU time per run to ``cpu_limit``, and runs
scripts in an ordinary in-process engine whose tools are proxies back to this process.

A run here is a :class:`RemoteExecution`: the same per-run state as an in-process run (so
``execute`` / ``aexecute``, the observers' exec and tool events and contexts, the counters
and the result are the same code), except that its ``run`` hands the script to a free worker
and the worker's messages drive it (:class:`_Proc` reads them on a thread of its own):

* ``call``: the tool runs here through :meth:`_Execution.invoke`, on a pool thread, in a copy
  of the context the run was started in (so telemetry's tool spans are children of the
  execution span), and its result is sent back pickled;
* ``print`` lines and forwarded ``on_call`` / ``on_return`` / ``on_parallel`` events are
  delivered to the run's observers and counters as they come;
* ``done`` settles the run with the worker's outcome.

Stopping: the worker enforces the run's timeout, step budget and ``tool_call_timeout`` itself,
as in-process. If it has not reported :data:`GRACE` seconds after the deadline it is stuck
(outside the interpreter, or stopped): the run settles as ``timeout`` and the worker is
killed. A run abandoned for another reason (the caller stopped waiting, the engine closed)
asks the worker to cancel and kills it if it has not reported within :data:`CANCEL_GRACE`.
A worker that dies is reaped and replaced; its run, if any, ends with ``error`` ("memory
limit exceeded" if it died of a ``MemoryError`` or a fatal signal under its memory limit),
or ``timeout`` if the kernel stopped it at its CPU limit.
"""

from __future__ import annotations

import atexit
import contextvars
import multiprocessing
import pickle
import signal
import threading
import time
import weakref
from functools import partial
from typing import Any

from ..errors import Cancelled, EvalError, StarlarkError, Timeout
from ..observe import CallEvent, ParallelEvent, ReturnEvent, notify
from ..observe.observer import overrides
from ..values.convert import to_python
from .engine import POLL, Engine, _Execution
from .pool import POOL
from .tools import Tool
from .worker import EXIT_MEMORY, ToolSpec, WorkerConfig, main, unwire_error, wire_error

#: Seconds past a run's deadline after which a worker that has not reported is killed.
GRACE = 0.25
#: Seconds a worker has to report a cancelled run before it is killed.
CANCEL_GRACE = 1.0
#: Fatal signals that, under a memory limit, mean the worker ran out of memory.
_MEMORY_SIGNALS = {signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS}
_RUN_IDS = iter(range(1, 1 << 62))
_run_ids_lock = threading.Lock()


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        # The fork server imports the worker's modules once; every worker forked from it
        # starts with them loaded (a fresh worker costs milliseconds, not an interpreter).
        ctx.set_forkserver_preload(["starlite.engine.worker", "starlite.engine.engine"])
        return ctx
    return multiprocessing.get_context("spawn")


def _config(engine: Engine) -> WorkerConfig:
    forward = tuple(
        h for h in ("on_call", "on_return") if any(overrides(ob, h) for ob in engine.observers)
    )
    return WorkerConfig(
        tools=tuple(ToolSpec(t.name, t.params, t.input_schema) for t in engine.tools),
        step_limit=engine.step_limit,
        timeout=engine.timeout,
        tool_call_timeout=engine.tool_call_timeout,
        parallel_max=engine.parallel_max,
        options=engine.options,
        memory_limit=engine.memory_limit,
        cpu_limit=engine.cpu_limit,
        forward=forward,
        extra_globals=engine._worker_globals,
        filename=engine._filename,
    )


def pool_of(engine: Engine) -> ProcessPool:
    """The engine's process pool, started on first use."""
    with engine._loop_lock:
        if engine._pool is None:
            engine._pool = ProcessPool(_config(engine), engine.workers)
        pool: ProcessPool = engine._pool
    return pool


class _Proc:
    """One worker process, the parent's end of its pipe and the thread reading it."""

    def __init__(self, pool: ProcessPool) -> None:
        self.pool = pool
        ctx = pool.mp
        parent_end, child_end = ctx.Pipe(duplex=True)
        self.conn = parent_end
        self.send_lock = threading.Lock()
        self.current: RemoteExecution | None = None  # the run it serves (until it reports)
        self.run_id = 0
        self.ready = False
        self.killed = False
        self.process = ctx.Process(
            target=main, args=(child_end, pool.config), name="starlite-worker", daemon=True
        )
        self.process.start()
        child_end.close()  # so that the worker's death is an EOF here
        threading.Thread(target=self.pump, name="starlite-worker-pump", daemon=True).start()

    def send(self, msg: tuple[Any, ...]) -> None:
        with self.send_lock:
            self.conn.send(msg)

    def kill(self) -> None:
        """End the process now; :meth:`pump` sees it go, reaps it and replaces it."""
        self.killed = True
        try:
            self.process.kill()
        except (OSError, ValueError):  # already gone or closed
            pass

    def pump(self) -> None:
        while True:
            try:
                msg = self.conn.recv()
            except (EOFError, OSError):
                break
            except Exception:  # noqa: BLE001 - an unreadable message: the worker is broken
                self.kill()
                break
            try:
                self.dispatch(msg)
            except Exception:  # noqa: BLE001, S112 - never let one message stop the reader
                continue
        self.conn.close()
        self.process.join()  # reap it: no zombies
        self.pool.died(self)

    def dispatch(self, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "ready":
            self.ready = True
            return
        if kind in ("free", "tainted"):  # after a "done" with busy set
            if msg[1] == self.run_id and self.current is None:
                if kind == "free" and not self.killed:
                    self.pool.release(self)
                else:
                    self.kill()
            return
        ex = self.current
        if ex is None or msg[1] != self.run_id:
            if kind == "call":  # a late call of a run that is over
                self.reply(msg[2], False, wire_error(Cancelled("the run ended")))
            return
        if kind == "call":
            job = partial(ex.host_call, self, msg[2], msg[3], msg[4])
            POOL.submit(partial(ex.ctx.copy().run, job))
        elif kind == "print":
            ex.print(msg[2])
        elif kind == "event":
            ex.remote_event(msg[2], msg[3])
        elif kind == "done":
            _, _, err, value, steps, memory, busy = msg
            self.current = None
            ex.remote_done(err, value, steps, memory)
            if memory or self.killed:
                self.kill()
            elif not busy:  # else it says "free" or "tainted" next
                self.pool.release(self)

    def reply(self, call: int, ok: bool, payload: Any) -> None:
        try:
            self.send(("reply", call, ok, payload))
        except (OSError, ValueError):  # the worker is gone; its run is settled already
            pass

    def cancel(self, run_id: int, reason: str, kill: bool) -> None:
        """Stop run ``run_id``: kill now, or ask the worker and kill it if it does not report
        in time."""
        if kill:
            self.kill()
            return
        try:
            self.send(("cancel", run_id, reason))
        except (OSError, ValueError):
            return

        def check() -> None:
            time.sleep(CANCEL_GRACE)
            if self.current is not None and self.run_id == run_id:
                self.kill()

        POOL.submit(check)

    def death(self) -> BaseException:
        """Why the worker ended, as the error of the run it was serving."""
        code = self.process.exitcode
        limit = self.pool.config.memory_limit
        if code == EXIT_MEMORY:
            return EvalError(
                f"memory limit exceeded: the isolated worker process ran out of its "
                f"{limit} bytes and was replaced"
            )
        if limit is not None and code is not None and -code in _MEMORY_SIGNALS:
            return EvalError(
                f"memory limit exceeded: the isolated worker process died of "
                f"{signal.Signals(-code).name} under its memory limit of {limit} bytes and "
                "was replaced"
            )
        cpu = self.pool.config.cpu_limit
        if cpu is not None and code == -signal.SIGXCPU:
            return Timeout(f"the script exceeded its CPU time limit of {cpu:g} s")
        if code is not None and code < 0:
            return EvalError(
                f"the isolated worker process was killed by {signal.Signals(-code).name} "
                "and was replaced"
            )
        return EvalError(
            f"the isolated worker process exited unexpectedly (exit status {code}) and was "
            "replaced"
        )


class ProcessPool:
    """``size`` worker processes for one engine; a run takes a free one (waiting until there
    is one, within its deadline) and gives it back when the worker reports it done."""

    def __init__(self, config: WorkerConfig, size: int) -> None:
        self.config = config
        self.size = size
        self.mp = _context()
        self.cond = threading.Condition()
        self.procs: list[_Proc] = []
        self.idle: list[_Proc] = []
        self.closed = False
        self.failures = 0  # workers in a row that died before they were ready
        _POOLS.add(self)
        for _ in range(size):
            self._start()

    def _start(self) -> None:
        p = _Proc(self)
        with self.cond:
            if self.closed:
                p.kill()
                return
            self.procs.append(p)
            self.idle.append(p)
            self.cond.notify()

    def acquire(self, ex: RemoteExecution) -> _Proc | None:
        """A free worker bound to ``ex`` (None if ``ex`` settled while waiting)."""
        with self.cond:
            while True:
                if self.closed:
                    raise EvalError("the engine was closed")
                if self.failures >= 3:
                    raise EvalError("the isolated worker processes fail to start")
                if ex.settled:
                    return None
                while self.idle and self.idle[-1].killed:
                    self.idle.pop()
                if self.idle:
                    p = self.idle.pop()
                    with _run_ids_lock:
                        p.run_id = next(_RUN_IDS)
                    p.current = ex
                    ex.proc = p
                    return p
                self.cond.wait(ex.wait_time() or POLL)

    def release(self, p: _Proc) -> None:
        with self.cond:
            if p in self.procs and p not in self.idle and not p.killed:
                self.idle.append(p)
                self.cond.notify()

    def died(self, p: _Proc) -> None:
        """Worker ``p`` ended (reaped): fail its run, start a replacement."""
        with self.cond:
            if p in self.procs:
                self.procs.remove(p)
            if p in self.idle:
                self.idle.remove(p)
            self.failures = 0 if p.ready else self.failures + 1
            replace = not self.closed and self.failures < 3
            self.cond.notify_all()
        ex, p.current = p.current, None
        if ex is not None:
            ex.fail(p.death())
        if replace:
            self._start()

    def shutdown(self) -> None:
        """Stop every worker and wait for them (runs in progress end with an error)."""
        with self.cond:
            if self.closed:
                return
            self.closed = True
            procs = list(self.procs)
            self.cond.notify_all()
        for p in procs:
            ex = p.current
            if ex is not None:
                ex.fail(Cancelled("the engine was closed"))
            try:
                p.send(("stop",))
            except (OSError, ValueError):
                pass
        for p in procs:
            p.process.join(timeout=1.0)
            if p.process.is_alive():
                p.kill()
                p.process.join(timeout=1.0)
        _POOLS.discard(self)


_POOLS: weakref.WeakSet[ProcessPool] = weakref.WeakSet()


@atexit.register
def _shutdown_all() -> None:
    for pool in list(_POOLS):
        pool.shutdown()


class RemoteExecution(_Execution):
    """A run whose script runs in a worker process (see the module docstring)."""

    def __init__(self, pool: ProcessPool, *args: Any) -> None:
        super().__init__(*args)
        self.pool = pool
        self.proc: _Proc | None = None
        self.remote_steps = 0
        self.ctx = contextvars.copy_context()

    def run(self) -> None:
        """On a pool thread: wait for a free worker, hand it the script."""
        self.ctx = contextvars.copy_context()  # the caller's, with exec_context entered
        try:
            p = self.pool.acquire(self)
        except StarlarkError as e:
            self.settle(e, None)
            return
        if p is None:
            return
        if self.settled:  # stopped while waiting for the worker
            p.current = None
            self.pool.release(p)
            return
        left = max(self.deadline - time.monotonic(), 0.0)
        try:
            p.send(("run", p.run_id, self.script, self.data, self.session_id, left))
        except (OSError, ValueError):
            return  # the worker died: its reader reports it
        except Exception as e:  # the data cannot be pickled: nothing was sent
            p.current = None
            self.pool.release(p)
            self.settle(
                EvalError(f"data cannot be sent to the isolated worker: {type(e).__name__}: {e}"),
                None,
            )

    def count_steps(self) -> int:
        return self.remote_steps

    def wait_time(self) -> float:
        return max(0.0, min(POLL, self.deadline + GRACE - time.monotonic()))

    def watch(self) -> None:
        """Only the deadline: the worker enforces ``tool_call_timeout`` and reports."""
        if time.monotonic() >= self.deadline + GRACE:
            self.abandon(Timeout(f"the script timed out after {self.engine.timeout:g} s"))

    def fail(self, err: BaseException) -> bool:
        """Settle with ``err`` and stop the run's host side: tool calls not started yet are
        refused, coroutine tools in progress are cancelled. False if already settled."""
        if not self.settle(err, None):
            return False
        self.cancel_thread(self.root, str(err))
        for call in list(self.active.values()):
            if call.future is not None:
                call.future.cancel()
        return True

    def abandon(self, err: BaseException) -> None:
        if not self.fail(err):
            return
        with self.pool.cond:
            p = self.proc
            run_id = p.run_id if p is not None and p.current is self else 0
        if p is not None and run_id:
            p.cancel(run_id, str(err), kill=isinstance(err, Timeout))

    # ---- messages from the worker --------------------------------------------------------

    def host_call(self, p: _Proc, call: int, name: str, args: dict[str, Any]) -> None:
        """Run tool ``name`` here for the worker and send it the result."""
        tool = self.engine.tools_by_name.get(name)
        try:
            if tool is None:
                raise EvalError(f"unknown tool {name!r}")
            if self.root.cancel_reason is not None:
                raise Cancelled(self.root.cancel_reason)
            payload = self.invoke(self.root, tool, args)
        except StarlarkError as e:
            p.reply(call, False, wire_error(e))
        except Exception as e:  # noqa: BLE001 - a bug here must not hang the worker
            p.reply(call, False, wire_error(EvalError(f"internal error: {e!r}")))
        else:
            p.reply(call, True, payload)

    def convert_result(self, tool: Tool, r: Any) -> Any:
        """The tool's result as plain data, pickled for the worker."""
        v = to_python(super().convert_result(tool, r))
        try:
            return pickle.dumps(v, pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            raise EvalError(
                f"tool {tool.name} returned a value that cannot be sent to the isolated "
                f"worker: {type(e).__name__}: {e}"
            ) from None

    def remote_event(self, hook: str, fields: tuple[Any, ...]) -> None:
        root = self.root
        if hook == "on_parallel":
            with self.lock:
                self.parallel_used = True
                self.parallel_tasks += fields[0]
            ev: Any = ParallelEvent(fields[0], self.session_id)
        elif hook == "on_call":
            ev = CallEvent(*fields)
        elif hook == "on_return":
            function, depth, step, err = fields
            ev = ReturnEvent(function, depth, step, None if err is None else unwire_error(err))
        else:
            return
        if root.observers:
            self.ctx.copy().run(notify, root, hook, ev)

    def remote_done(self, err: Any, value: bytes, steps: int, memory: bool) -> None:
        e = None if err is None else unwire_error(err)
        if memory:
            what = (
                "memory limit exceeded: the isolated worker process reached its limit of "
                f"{self.engine.memory_limit} bytes"
            )
            if isinstance(e, EvalError):
                e.msg = what
            else:
                e = EvalError(what)
        with self.lock:
            self.remote_steps = steps
        self.settle(e, pickle.loads(value))  # noqa: S301 - written by our own worker
