"""``parallel(fns)``: run zero-argument Starlark callables concurrently.

One call makes a :class:`Group`. Every task runs as the whole run of its own
:class:`starlite.Thread` (a *branch*), which shares the run's step budget (a lease of it, see
``budget.py``), deadline and observers, in its own copy of the caller's ``contextvars``
context.

Who runs the tasks: the calling interpreter thread itself, plus *helper* threads from the
pool, each holding one of the run's ``parallel_max - 1`` helper slots. All of them take the
next unclaimed task until none is left. So at most ``parallel_max`` tasks of a run execute at
once — also with nested ``parallel()`` calls, whose callers are already counted — and a nested
call can never deadlock waiting for a slot: its caller always makes progress on its own
tasks. A caller tries to recruit more helpers whenever it finishes a task.

Failure: the first task to fail (in time) fails the call. No further task starts, the others
are cancelled (cancellation reaches nested branches too), and once all have stopped the call
raises ``parallel: task i failed: <error>`` (``i`` counts from 0) with the class of the
task's error, so a branch that ran out of steps makes the run's status ``step_limit``.

Steps: the caller gives back its unused lease before the tasks start (branches need it) and,
when all have finished, adds the steps the branches used to its own count.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any

from ..compile.calls import call_value
from ..compile.program import raise_run_failure
from ..errors import Cancelled, EvalError, StepLimitExceeded, Timeout
from ..observe import ParallelEvent, notify
from ..values.core import List, type_name
from .pool import POOL

#: ``thread.locals`` key of the :class:`Group` a thread is waiting on.
GROUP_KEY = "starlite.engine.group"


def run_parallel(ex: Any, th: Any, fns: Any) -> List:
    """The ``parallel`` builtin of execution ``ex``, called on interpreter thread ``th``."""
    if not isinstance(fns, (List, tuple)):
        raise EvalError(f"parallel: want a list of functions, got {type_name(fns)}")
    items = list(fns)
    n = len(items)
    th.charge(n)  # starting a task is a step
    with ex.lock:
        ex.parallel_used = True
        ex.parallel_tasks += n
    if th.observers:
        notify(th, "on_parallel", ParallelEvent(n, ex.session_id))
    if n == 0:
        return List()
    lease = th._budget
    lease.release(th)
    group = Group(ex, th, items)
    th.locals[GROUP_KEY] = group
    if th.cancel_reason is not None:
        group.cancel(th.cancel_reason)
    try:
        group.recruit()
        group.work(caller=True)
        group.wait()
    finally:
        th.locals.pop(GROUP_KEY, None)
        lease.absorb(th, group.steps)
    if group.failure is not None:
        i, e = group.failure
        raise _wrap(i, e)
    if group.cancel_reason is not None:  # cancelled before any task could fail
        raise Cancelled(group.cancel_reason)
    return List(group.results)


def _wrap(i: int, e: EvalError) -> EvalError:
    """``parallel: task i failed: ...`` with the class that decides the run's status."""
    msg = f"parallel: task {i} failed: {e}"
    cls: type[EvalError] = EvalError
    for c in (StepLimitExceeded, Timeout, Cancelled):
        if isinstance(e, c):
            cls = c
    err = cls.__new__(cls)
    EvalError.__init__(err, msg)
    if isinstance(err, Cancelled):
        err.reason = getattr(e, "reason", "")
    err.__cause__ = e
    return err


class Group:
    """The state of one ``parallel()`` call (see the module docstring)."""

    def __init__(self, ex: Any, parent: Any, fns: list[Any]) -> None:
        self.ex = ex
        self.parent = parent
        self.fns = fns
        self.n = len(fns)
        self.results: list[Any] = [None] * self.n
        self.threads: list[Any] = [None] * self.n
        self.cond = threading.Condition(threading.Lock())
        self.next = 0  # the next unclaimed task
        self.finished = 0
        self.helpers = 0
        self.steps = 0
        self.failure: tuple[int, EvalError] | None = None
        self.cancel_reason: str | None = None
        self.ctx = contextvars.copy_context()

    def cancel(self, reason: str) -> None:
        with self.cond:
            if self.cancel_reason is None:
                self.cancel_reason = reason
            threads = [t for t in self.threads if t is not None]
        for t in threads:
            self.ex.cancel_thread(t, reason)

    def recruit(self) -> None:
        """Start helpers for unclaimed tasks beyond the one the caller takes next, while the
        run has helper slots free."""
        while True:
            with self.cond:
                stop = self.failure is not None or self.cancel_reason is not None
                # workers (the caller and the helpers) vs. tasks not finished yet
                if stop or self.next >= self.n or self.n - self.finished <= 1 + self.helpers:
                    return
                if not self.ex.slots.acquire(blocking=False):
                    return
                self.helpers += 1
            POOL.submit(partial_ctx(self.ctx.copy(), self._helper))

    def _helper(self) -> None:
        try:
            self.work(caller=False)
        finally:
            self.ex.slots.release()
            with self.cond:
                self.helpers -= 1
                self.cond.notify_all()

    def work(self, caller: bool) -> None:
        """Take and run tasks until none is left (or the group failed / was cancelled)."""
        ex = self.ex
        while True:
            with self.cond:
                if self.failure is not None or self.cancel_reason is not None:
                    return
                if self.next >= self.n:
                    return
                i = self.next
                self.next += 1
            bt = ex.new_branch(self.parent, i)
            with self.cond:
                self.threads[i] = bt
                reason = self.cancel_reason
            if reason is not None:
                bt.cancel(reason)
            try:
                ok, val = True, self.ctx.copy().run(_run_task, bt, self.fns[i])
            except EvalError as e:
                ok, val = False, e
            ex.end_branch(bt)
            others: list[Any] = []
            with self.cond:
                self.steps += bt.steps
                if ok:
                    self.results[i] = val
                elif self.failure is None:
                    self.failure = (i, val)
                    self.cancel_reason = f"parallel: task {i} failed"
                    others = [t for t in self.threads if t is not None and t is not bt]
                self.finished += 1
                self.cond.notify_all()
            for t in others:
                ex.cancel_thread(t, f"parallel: task {i} failed")
            if caller:
                self.recruit()

    def wait(self) -> None:
        """Until every claimed task has finished and every helper has left."""
        with self.cond:
            while self.finished < self.next or self.helpers > 0:
                self.cond.wait()


def partial_ctx(ctx: contextvars.Context, fn: Any) -> Any:
    return lambda: ctx.run(fn)


def _run_task(th: Any, fn: Any) -> Any:
    """Call zero-argument Starlark callable ``fn`` as the whole run of branch thread ``th``,
    turning every failure into an ``EvalError`` with a call stack (like ``starlite.call``)."""
    th._running += 1
    try:
        return call_value(th, fn, (), None)
    except Exception as e:
        raise_run_failure(e, "<parallel task>")
    finally:
        th._running -= 1
