"""Per-run state: step metering, limits, cancellation, hooks and observers.

The step counter
----------------
Compiled code charges steps in groups (a straight run of statements, one loop iteration, one
branch) with this inline sequence, the only metering cost on the common path::

    th = fr[0]; s = th.steps + K; th.steps = s
    if s > th.bound: th.overflow(K, site)

``bound`` is the nearest of everything that must interrupt the run: the step limit, the next
deadline poll, or -1 after ``cancel()``. ``overflow`` (the slow path) sorts out which one it
was, raises ``StepLimitExceeded`` / ``Timeout`` / ``Cancelled``, and computes the next
``bound``. A failed charge is taken back, so ``steps`` never exceeds ``max_steps``.

While an observer wants steps, ``bound`` is -1, so every charge takes the slow path, and
``_step_bound`` holds the nearest limit instead: a charge that stays within it is only handed
to the step observers (:meth:`Thread.overflow`'s first two lines), once per charge.

Builtins charge for their work through :meth:`Thread.charge` before they allocate.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .errors import Cancelled, EvalError, Position, StepLimitExceeded, Timeout
from .observe.events import BUILTIN_SITE
from .observe.observer import _failed, step_sink
from .options import Options

if TYPE_CHECKING:
    from .observe import Observer

_NEVER = 1 << 62
# Steps between two looks at the clock when a timeout is set.
DEADLINE_POLL = 2000
# Starlark call depth limit (deeper calls are an error, never a Python RecursionError).
MAX_DEPTH = 1000


def _arity(fn: Callable[..., Any]) -> int:
    """How many positional parameters a hook takes (1 or 2); hooks may omit the thread."""
    code = getattr(fn, "__code__", None)
    if code is not None:
        n = code.co_argcount - (1 if hasattr(fn, "__self__") else 0)
        if code.co_flags & 0x04:  # *args
            return 2
        return 2 if n >= 2 else 1
    try:
        import inspect

        ps = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
        ]
        return 2 if len(ps) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in ps) else 1
    except (TypeError, ValueError):
        return 2


class Thread:
    """The state of one Starlark run (or of several runs, one after another).

    ``max_steps``: fail with ``StepLimitExceeded`` past this many steps (None: no limit).
    ``timeout``: wall-clock seconds per run (``exec``/``eval``/``call``), then ``Timeout``.
    ``print``: ``fn(thread, msg)`` or ``fn(msg)`` for ``print()`` (default: stdout).
    ``load``: ``fn(thread, module)`` or ``fn(module)`` returning a mapping of the module's
    members, for ``load()`` statements (default: ``load`` is an error).
    ``observers``: :class:`starlite.Observer` instances that receive execution events.
    ``options``: the dialect (:class:`starlite.Options`) used by ``exec_file`` and ``eval``.
    """

    __slots__ = (
        "steps",
        "bound",
        "max_steps",
        "timeout",
        "deadline",
        "cancel_reason",
        "depth",
        "active",
        "options",
        "name",
        "locals",
        "_print",
        "_print2",
        "_load",
        "_load2",
        "observers",
        "call_observers",
        "step_observers",
        "_step_sinks",
        "_step_bound",
        "_budget",
        "_failed_observers",
        "_running",
        "_step_events",
        "__weakref__",
    )

    def __init__(
        self,
        max_steps: int | None = None,
        timeout: float | None = None,
        print: Callable[..., Any] | None = None,  # noqa: A002 - the Starlark hook's name
        load: Callable[..., Mapping[str, Any]] | None = None,
        observers: Iterable[Observer] = (),
        options: Options | None = None,
        name: str = "",
    ) -> None:
        self.steps = 0
        self.max_steps = max_steps
        self.timeout = timeout
        self.deadline: float | None = None
        self.cancel_reason: str | None = None
        self.depth = 0
        self.active: set[Any] = set()
        self.options = options if options is not None else Options()
        self.name = name
        self.locals: dict[str, Any] = {}
        self._print = print
        self._print2 = print is not None and _arity(print) == 2
        self._load = load
        self._load2 = load is not None and _arity(load) == 2
        self._budget: Any = None
        self._failed_observers: list[Any] = []
        self._running = 0
        self._step_events: dict[Any, Any] = {}  # flyweight StepEvents (see Observer)
        self._step_sinks: tuple[tuple[Observer, Callable[..., None]], ...] = ()
        self._step_bound = -1
        self.observers: list[Observer] = []
        self.call_observers: list[Observer] = []
        self.step_observers: list[Observer] = []
        for ob in observers:
            self.add_observer(ob)
        self.bound = 0
        self._rebound()

    # ---- observers -----------------------------------------------------------------------

    def add_observer(self, ob: Observer) -> None:
        """Attach ``ob``. Call it before a run or from the thread running the script (a hook,
        a builtin): unlike :meth:`cancel`, it is not safe from another OS thread while a
        script runs, which may miss steps until the next limit check."""
        from .observe import Observer, overrides

        if not isinstance(ob, Observer):
            raise TypeError(f"observer must be a starlite.Observer, not {type(ob).__name__}")
        self.observers.append(ob)
        if overrides(ob, "on_call") or overrides(ob, "on_return"):
            self.call_observers.append(ob)
        if getattr(ob, "wants_steps", False) and (
            overrides(ob, "on_step") or overrides(ob, "on_steps")
        ):
            self.step_observers.append(ob)
            self._step_sinks += ((ob, step_sink(self, ob)),)
        self._rebound()

    def remove_observer(self, ob: Observer) -> None:
        for lst in (self.observers, self.call_observers, self.step_observers):
            while ob in lst:
                lst.remove(ob)
        self._step_sinks = tuple(p for p in self._step_sinks if p[0] is not ob)
        self._rebound()

    # ---- limits --------------------------------------------------------------------------

    def cancel(self, reason: str = "cancelled") -> None:
        """Stop the run at its next step with ``Cancelled(reason)``. Safe from any thread."""
        self.cancel_reason = reason
        self._step_bound = -1
        self.bound = -1

    def _start_run(self) -> None:
        """Called at the start of every exec/eval/call from the host."""
        self.deadline = time.monotonic() + self.timeout if self.timeout is not None else None
        self._rebound()

    def _rebound(self) -> None:
        b = _NEVER
        if self.max_steps is not None:
            b = self.max_steps
        if self._budget is not None:
            b = min(b, self._budget.lease_end)
        if self.deadline is not None:
            b = min(b, self.steps + DEADLINE_POLL)
        if self._step_sinks:
            self._step_bound = b
            self.bound = -1
        else:
            self._step_bound = -1
            self.bound = b
        if self.cancel_reason is not None:
            self._step_bound = -1
            self.bound = -1

    def charge(self, n: int) -> None:
        """Charge ``n`` steps of builtin work; raises if a limit is reached."""
        s = self.steps + n
        self.steps = s
        if s > self.bound:
            self.overflow(n, None)

    def charge_at(self, n: int, site: Any) -> None:
        """Charge ``n`` steps for the nodes of ``site``."""
        s = self.steps + n
        self.steps = s
        if s > self.bound:
            self.overflow(n, site)

    def overflow(self, k: int, site: Any) -> None:
        """The slow path of a charge of ``k`` steps (already added to ``steps``) that crossed
        ``bound``. ``site`` describes what was charged (a compile-time
        :class:`starlite.observe.StepSite`) or is None for builtin work."""
        steps = self.steps
        if steps <= self._step_bound:
            # Only step observers are due (bound is -1 while they are attached): hand them
            # the charge and go on. (_deliver_steps, inlined: this runs once per charge.)
            if k:
                depth = self.depth + len(self.active)
                for ob, sink in self._step_sinks:
                    try:
                        sink(steps - k + 1, k, site or BUILTIN_SITE, depth)
                    except Exception as e:
                        self._step_failed(ob, sink, e)
            return
        try:
            self._check(k, site)
        except EvalError as e:
            if site is not None and site.nodes:
                n = site.nodes[0]
                e._at(Position(site.filename, n.line, n.col))
            raise

    def _deliver_steps(self, k: int, site: Any) -> None:
        """Hand a charge of ``k`` steps ending at ``steps`` to every step observer."""
        first = self.steps - k + 1
        depth = self.depth + len(self.active)  # observe.call_depth(self), inlined
        if site is None:
            site = BUILTIN_SITE
        for ob, sink in self._step_sinks:
            try:
                sink(first, k, site, depth)
            except Exception as e:
                self._step_failed(ob, sink, e)

    def _step_failed(self, ob: Observer, sink: Any, e: Exception) -> None:
        _failed(self, ob, "on_steps" if sink == ob.on_steps else "on_step", e)

    def _check(self, k: int, site: Any) -> None:
        if self.cancel_reason is not None:
            self.steps -= k
            raise Cancelled(self.cancel_reason)
        if self.max_steps is not None and self.steps > self.max_steps:
            self.steps -= k
            raise StepLimitExceeded()
        if self._budget is not None and self.steps > self._budget.lease_end:
            if not self._budget.extend(self):
                self.steps -= k
                raise StepLimitExceeded()
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.steps -= k
            raise Timeout()
        if self._step_sinks and k:
            self._deliver_steps(k, site)
        self._rebound()

    # ---- hooks ---------------------------------------------------------------------------

    def print(self, msg: str) -> None:
        """Deliver ``print()`` output to the host's hook (stdout by default)."""
        fn = self._print
        if fn is None:
            sys.stdout.write(msg + "\n")
            return
        if self._print2:
            fn(self, msg)
        else:
            fn(msg)

    def load(self, module: str) -> Mapping[str, Any]:
        fn = self._load
        if fn is None:
            raise EvalError(f"cannot load {module}: no load hook is set on this thread")
        return fn(self, module) if self._load2 else fn(module)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<starlite.Thread steps={self.steps} max_steps={self.max_steps}>"
