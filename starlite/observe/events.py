"""The events observers receive.

Each event is a small slotted dataclass whose ``kind`` string is its name in a JSON-lines trace
(the ``"event"`` field written by :class:`starlite.TraceRecorder`). ``step`` fields are the
thread's step count when the event happened; ``depth`` is the Starlark call depth (0 at top
level, 1 inside a function called from top level, ...). Errors are the
:class:`starlite.StarlarkError` objects themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class ExecStart:
    """A run begins. ``mode`` is ``exec``, ``eval`` or ``call``; ``session_id`` and
    ``script_hash`` are set by the engine."""

    filename: str
    mode: str
    session_id: str | None = None
    script_hash: str | None = None
    time: float = 0.0
    kind: ClassVar[str] = "exec_start"


@dataclass(frozen=True, slots=True)
class ExecEnd:
    """A run ends. ``outcome``: ``success``, ``error``, ``step_limit``, ``timeout`` or
    ``cancelled``. ``value`` is the engine's result value when there is one."""

    filename: str
    mode: str
    outcome: str
    steps: int
    duration: float
    error: BaseException | None = None
    session_id: str | None = None
    script_hash: str | None = None
    tool_calls: int = 0
    parallel_used: bool = False
    parallel_tasks: int = 0
    kind: ClassVar[str] = "exec_end"


@dataclass(slots=True)
class CallEvent:
    """A Starlark function is entered: its name, where it is defined, the depth of the new
    frame (so a function called from top level has depth 1) and the step count so far."""

    function: str
    filename: str
    line: int
    col: int
    depth: int
    step: int
    kind: ClassVar[str] = "call"


@dataclass(slots=True)
class ReturnEvent:
    """A Starlark function is left, with the same ``depth`` as its :class:`CallEvent`.
    ``error`` is the error unwinding through it, if any (its ``call_stack`` is not complete
    yet: the error is still on its way out)."""

    function: str
    depth: int
    step: int
    error: BaseException | None = None
    kind: ClassVar[str] = "return"


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """A run failed; ``error`` is the StarlarkError with its ``call_stack``."""

    error: BaseException
    step: int
    kind: ClassVar[str] = "error"


@dataclass(slots=True)
class StepEvent:
    """One evaluated node: its step number (1-based), its kind (``call``, ``binary``,
    ``assign`` ...), where it is, the function it is in and the call depth.

    Steps charged by builtins for their work (``sorted``, ``"x" * n`` ...) have node kind
    ``builtin``, line and col 0, and function ``<builtin>`` (filename too, when the charge has
    no source position).

    Not ``frozen`` (nor are :class:`CallEvent` and :class:`ReturnEvent`): a frozen dataclass
    costs ~5x more to build, and these are built per step and per call. Treat them as
    read-only all the same.
    """

    step: int
    node: str
    filename: str
    line: int
    col: int
    function: str
    depth: int
    kind: ClassVar[str] = "step"


class StepSite:
    """Where a batch of steps was charged: the nodes one evaluation there goes through.

    The interpreter charges steps per straight-line group of nodes (a run of statements, one
    loop iteration, one branch), so per-step observers receive them a charge at a time
    through :meth:`starlite.Observer.on_steps`. A site is made once, when the script is
    compiled, and is the same object every time that code runs; treat it as read-only.

    ``function`` and ``filename`` are those of the code charged. ``nodes`` are the charged
    nodes in evaluation order, each with ``kind`` (as ``StepEvent.node``), ``line`` and
    ``col``. A charge of ``count`` steps covers ``nodes[:count]``; steps beyond the nodes are
    work charged by builtins (node kind ``builtin``). :data:`BUILTIN_SITE` stands for work
    charged by a builtin with no source position.
    """

    __slots__ = ("function", "filename", "nodes")

    def __init__(self, function: str, filename: str, nodes: Sequence[Any]) -> None:
        self.function = function
        self.filename = filename
        self.nodes = nodes

    def events(self, first: int, count: int, depth: int) -> Iterator[StepEvent]:
        """The :class:`StepEvent` of each step of a charge of ``count`` steps numbered from
        ``first`` at call depth ``depth``, made one at a time (a builtin may charge millions
        of steps at once; they are never all in memory)."""
        mk = StepEvent
        filename = self.filename
        function = self.function
        nodes = self.nodes
        s = first
        for n in nodes[:count] if len(nodes) > count else nodes:
            yield mk(s, n.kind, filename, n.line, n.col, function, depth)
            s += 1
        for b in range(s, first + count):
            yield mk(b, "builtin", filename, 0, 0, function, depth)

    def __repr__(self) -> str:
        return f"<StepSite {self.function} {self.filename} {len(self.nodes)} nodes>"


BUILTIN_SITE = StepSite("<builtin>", "<builtin>", ())


@dataclass(frozen=True, slots=True)
class ToolStart:
    """The engine calls tool ``tool``; ``call_id`` pairs it with its ToolEnd."""

    tool: str
    call_id: int
    args_size: int
    session_id: str | None = None
    context: Any = None
    kind: ClassVar[str] = "tool_start"


@dataclass(frozen=True, slots=True)
class ToolEnd:
    """Tool call ``call_id`` finished after ``duration`` seconds (``error`` if it failed)."""

    tool: str
    call_id: int
    duration: float
    error: BaseException | None = None
    session_id: str | None = None
    kind: ClassVar[str] = "tool_end"


@dataclass(frozen=True, slots=True)
class ParallelEvent:
    """``parallel()`` starts ``tasks`` branches."""

    tasks: int
    session_id: str | None = None
    kind: ClassVar[str] = "parallel"
