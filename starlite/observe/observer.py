"""The Observer base class and how the interpreter delivers events to observers."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from .events import (
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


class Observer:
    """Base class of execution observers: override the hooks you need.

    Every hook takes one event (see :mod:`starlite.observe.events`) and returns nothing. The
    interpreter looks at which hooks a class overrides when the observer is attached, and
    only delivers those: an observer overriding just ``on_exec_start``/``on_exec_end`` adds
    no cost to calls or steps. Steps are delivered only when ``wants_steps`` is true (class
    or instance attribute, read when the observer is attached) and the class overrides
    ``on_steps`` or ``on_step``. ``on_steps`` receives each charge (a group of steps the
    interpreter counts at once) in one call and is the cheap way to watch steps: a run with
    an ``on_steps`` observer that does little takes about 2-3x as long. ``on_step``
    receives one :class:`StepEvent` per evaluated node, which costs several times more.

    Hooks run synchronously on the thread running the script. A hook that raises is detached
    from the thread and reported once through the thread's print hook; the script goes on
    as if nothing happened.

    Example::

        class CallCounter(starlite.Observer):
            def __init__(self) -> None:
                self.calls: collections.Counter[str] = collections.Counter()

            def on_call(self, event: starlite.observe.CallEvent) -> None:
                self.calls[event.function] += 1

    Context hooks (used by the tool-script engine, :mod:`starlite.engine`): two optional
    hooks let an observer make something *current* (typically an OpenTelemetry span, through
    a ``contextvars``-based context manager) while code runs.

    ``exec_context(event: ExecStart)`` is called right after ``on_exec_start``; the context
    manager it returns is entered in the thread that called ``engine.execute`` (or in the
    ``aexecute`` task) and stays entered until ``on_exec_end`` has been delivered. The engine
    runs the script in a copy of that context (``contextvars.copy_context()``) and every
    ``parallel()`` branch in a further copy, so whatever the manager set in a ``ContextVar``
    is current in every interpreter thread of the run, including during ``on_tool_start``.

    ``tool_context(event: ToolStart)`` is called right after ``on_tool_start`` in the thread
    that calls the tool; the manager it returns is entered around the call of the tool's
    function (for a coroutine tool: around creating and scheduling its task, which copies
    the context, and awaiting it) and exited before ``on_tool_end``. What it sets is current
    inside the tool, so a tool's own spans nest under the observer's tool-call span.

    Both return None (the default) when there is nothing to enter. A hook or a manager's
    ``__enter__`` that raises is isolated like any failing hook.
    """

    wants_steps: bool = False
    # With reuse_step_events = True, on_step receives one StepEvent object per node and
    # thread, reused each time that node runs: only `step` and `depth` change. Several times
    # cheaper; for observers that do not keep the events (copy the fields to keep them).
    reuse_step_events: bool = False

    def exec_context(self, event: ExecStart) -> AbstractContextManager[Any] | None:
        return None

    def tool_context(self, event: ToolStart) -> AbstractContextManager[Any] | None:
        return None

    def on_exec_start(self, event: ExecStart) -> None: ...

    def on_exec_end(self, event: ExecEnd) -> None: ...

    def on_call(self, event: CallEvent) -> None: ...

    def on_return(self, event: ReturnEvent) -> None: ...

    def on_error(self, event: ErrorEvent) -> None: ...

    def on_step(self, event: StepEvent) -> None: ...

    def on_steps(self, first: int, count: int, site: StepSite, depth: int) -> None:
        """Steps ``first`` .. ``first + count - 1``, charged at once at ``site`` (see
        :class:`StepSite`) at call depth ``depth``; only if ``wants_steps`` is true.

        The interpreter charges steps a group of nodes at a time, and this hook receives
        them that way: once per charge, with nothing built per step. Override it to process
        steps in bulk (count them, sample them, format them from per-site templates);
        ``site.events(first, count, depth)`` gives the individual :class:`StepEvent`
        objects. This default makes them and passes each to :meth:`on_step`.
        """
        for ev in site.events(first, count, depth):
            self.on_step(ev)

    def on_tool_start(self, event: ToolStart) -> None: ...

    def on_tool_end(self, event: ToolEnd) -> None: ...

    def on_parallel(self, event: ParallelEvent) -> None: ...


def overrides(ob: Observer, hook: str) -> bool:
    """Whether ``ob``'s class overrides ``hook`` (so the interpreter must deliver it)."""
    return getattr(type(ob), hook, None) is not getattr(Observer, hook)


def _failed(th: Any, ob: Observer, hook: str, exc: BaseException) -> None:
    """Detach a failing observer and report the failure (once per observer and thread)."""
    th.remove_observer(ob)
    if any(f is ob for f in th._failed_observers):
        return
    th._failed_observers.append(ob)
    try:
        th.print(
            f"starlite: observer {type(ob).__name__}.{hook} failed and was detached: "
            f"{type(exc).__name__}: {exc}"
        )
    except Exception:  # noqa: S110 - the print hook itself failing must not break the run
        pass


def notify(th: Any, hook: str, event: Any) -> None:
    """Deliver ``event`` to every observer of ``th`` that overrides ``hook``."""
    for ob in list(th.observers):
        if overrides(ob, hook):
            try:
                getattr(ob, hook)(event)
            except Exception as e:
                _failed(th, ob, hook, e)


def call_depth(th: Any) -> int:
    """The Starlark call depth of ``th`` (0 at top level).

    The compiler tracks it in two ways: functions that may recurse (``Options.recursion``)
    count ``th.depth``; the others, to skip that work, are only entered in ``th.active`` (the
    set of running functions, which holds each at most once because they cannot recurse).
    Each call goes through exactly one of the two, so the depth is their sum. Only observer
    delivery needs it, so it costs nothing when no observer is attached."""
    return th.depth + len(th.active)


def notify_call(th: Any, code: Any) -> None:
    """Deliver a :class:`CallEvent` for ``code`` (called on entry, with the frame counted in
    the depth) to the observers that override ``on_call``."""
    obs = th.call_observers
    if len(obs) == 1:  # the common case, without the copy and the loop
        ob = obs[0]
        hook = type(ob).on_call
        if hook is not _BASE_ON_CALL:
            try:
                hook(ob, CallEvent(code.name, code.filename, code.line, code.col,
                                   th.depth + len(th.active), th.steps))
            except Exception as e:
                _failed(th, ob, "on_call", e)
        return
    ev = None
    for ob in tuple(obs):
        hook = type(ob).on_call
        if hook is _BASE_ON_CALL:
            continue  # it is here for on_return only
        if ev is None:
            ev = CallEvent(code.name, code.filename, code.line, code.col,
                           th.depth + len(th.active), th.steps)
        try:
            hook(ob, ev)
        except Exception as e:
            _failed(th, ob, "on_call", e)


def notify_return(th: Any, code: Any, error: BaseException | None) -> None:
    """Deliver a :class:`ReturnEvent` (same depth as the call) to observers of ``on_return``."""
    obs = th.call_observers
    if len(obs) == 1:
        ob = obs[0]
        hook = type(ob).on_return
        if hook is not _BASE_ON_RETURN:
            try:
                hook(ob, ReturnEvent(code.name, th.depth + len(th.active), th.steps, error))
            except Exception as e:
                _failed(th, ob, "on_return", e)
        return
    ev = None
    for ob in tuple(obs):
        hook = type(ob).on_return
        if hook is _BASE_ON_RETURN:
            continue
        if ev is None:
            ev = ReturnEvent(code.name, th.depth + len(th.active), th.steps, error)
        try:
            hook(ob, ev)
        except Exception as e:
            _failed(th, ob, "on_return", e)


_BASE_ON_CALL = Observer.on_call
_BASE_ON_RETURN = Observer.on_return


def step_sink(th: Any, ob: Observer) -> Callable[[int, int, StepSite, int], None]:
    """The callable the step counter hands each charge to for observer ``ob`` on thread
    ``th``: ``ob.on_steps`` itself when the class overrides it, else an adapter that makes
    one :class:`StepEvent` per step for ``ob.on_step`` (fresh events, or with
    ``reuse_step_events`` the per-node flyweights kept on ``th``)."""
    if overrides(ob, "on_steps"):
        return ob.on_steps
    on_step = ob.on_step
    if not ob.reuse_step_events:
        mk = StepEvent

        def fresh(first: int, count: int, site: StepSite, depth: int) -> None:
            nodes = site.nodes
            if count == len(nodes):
                filename = site.filename
                function = site.function
                s = first
                for n in nodes:
                    on_step(mk(s, n.kind, filename, n.line, n.col, function, depth))
                    s += 1
            else:
                for ev in site.events(first, count, depth):
                    on_step(ev)

        return fresh

    cache = th._step_events

    def reused(first: int, count: int, site: StepSite, depth: int) -> None:
        evs = cache.get(site)
        if evs is None:
            evs = cache[site] = [
                StepEvent(0, n.kind, site.filename, n.line, n.col, site.function, 0)
                for n in site.nodes
            ]
        if count == len(evs):
            s = first
            for ev in evs:
                ev.step = s
                ev.depth = depth
                on_step(ev)
                s += 1
        else:
            for ev in site.events(first, count, depth):
                on_step(ev)

    return reused


__all__ = [
    "CallEvent",
    "ErrorEvent",
    "ExecEnd",
    "ExecStart",
    "Observer",
    "ParallelEvent",
    "ReturnEvent",
    "StepEvent",
    "ToolEnd",
    "ToolStart",
    "call_depth",
    "notify",
    "notify_call",
    "notify_return",
    "overrides",
    "step_sink",
]
