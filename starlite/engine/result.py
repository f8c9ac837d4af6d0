"""The outcome of one tool-script run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["success", "error", "timeout", "step_limit"]

#: Every status a run can end with.
STATUSES: tuple[Status, ...] = ("success", "error", "timeout", "step_limit")


@dataclass(frozen=True)
class ExecutionResult:
    """What :meth:`Engine.execute` returns; it never raises for anything a script does.

    ``status``: ``success``; ``step_limit`` (the shared step budget ran out); ``timeout``
    (the run's wall-clock limit passed, possibly while a tool was blocked); ``error``
    (anything else: a syntax or resolve error, a run-time error, a failing or overdue tool,
    bad ``data``). It is decided by the class of the failure, never from its message.

    ``value``: the value of the script's top-level ``return`` as plain Python data (None
    without a ``return``, or when the run failed). ``logs``: the lines ``print`` produced.
    ``error``: the error message with its location (``script.star:3:9: ...``), or None.
    ``steps``: steps used by the script and all its ``parallel()`` branches.
    ``tool_calls``: tool calls started. ``parallel_used``: whether ``parallel()`` was called;
    ``parallel_tasks``: the number of tasks all its calls started. ``duration``: wall seconds.
    ``script_hash``: the sha256 hex digest of the script's text (UTF-8).
    """

    status: Status
    value: Any = None
    logs: list[str] = field(default_factory=list)
    error: str | None = None
    steps: int = 0
    tool_calls: int = 0
    parallel_used: bool = False
    parallel_tasks: int = 0
    duration: float = 0.0
    script_hash: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "success"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (as a server would return it)."""
        return asdict(self)
