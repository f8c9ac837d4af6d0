"""Errors a Starlark script can cause.

Everything derives from :class:`StarlarkError`. Static errors (:class:`SyntaxError`,
:class:`ResolveError`) carry ``filename``, ``line`` and ``col``. Run-time errors
(:class:`EvalError` and its subclasses for limits) carry ``call_stack``: the frames from the
outermost (``<toplevel>``) to the innermost, each with the function name and the position that
frame was executing, and ``backtrace()`` renders them like starlark-go does.

Builtins raise ``EvalError(msg)`` with no position; the interpreter fills in the position of the
call or operator and the frames as the error unwinds, at no cost on the success path.
"""

from __future__ import annotations

from typing import NamedTuple


class StarlarkError(Exception):
    """Base class of every error a script can cause."""


class Position(NamedTuple):
    filename: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.col}"


class SyntaxError(StarlarkError):  # noqa: A001 - the Starlark name, deliberately
    """A scan or parse error: ``str(e)`` is ``file:line:col: message``."""

    def __init__(self, filename: str, line: int, col: int, msg: str) -> None:
        super().__init__(f"{filename}:{line}:{col}: {msg}")
        self.filename = filename
        self.line = line
        self.col = col
        self.msg = msg


class ResolveError(StarlarkError):
    """One or more static errors found by the resolver; ``errors`` lists each
    ``(filename, line, col, msg)``. ``str(e)`` shows them one per line."""

    def __init__(self, errors: list[tuple[str, int, int, str]]) -> None:
        self.errors = errors
        filename, line, col, msg = errors[0]
        self.filename = filename
        self.line = line
        self.col = col
        self.msg = msg
        super().__init__("\n".join(f"{f}:{ln}:{c}: {m}" for f, ln, c, m in errors))


class Frame(NamedTuple):
    """One frame of a call stack: the function's name and where that frame was executing."""

    name: str
    filename: str
    line: int
    col: int

    def __str__(self) -> str:
        if self.line:
            return f"{self.filename}:{self.line}:{self.col}: in {self.name}"
        return f"{self.filename}: in {self.name}"


class EvalError(StarlarkError):
    """A run-time error. ``msg`` is the bare message, ``call_stack`` the frames (outermost
    first) once the error has left the interpreter, ``str(e)`` is ``file:line:col: msg``."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg
        # While unwinding: innermost first; the position the current frame was executing.
        self._frames: list[Frame] = []
        self._pos: Position | None = None
        self.call_stack: list[Frame] = []

    # The interpreter calls these while the error unwinds.
    def _at(self, pos: Position) -> None:
        if self._pos is None:
            self._pos = pos

    def _leave(self, name: str, call_pos: Position | None) -> None:
        """The frame of function ``name`` is left; the caller was executing ``call_pos``."""
        p = self._pos
        if p is None:
            self._frames.append(Frame(name, "<builtin>", 0, 0))
        else:
            filename, line, col = p  # a Position or a plain (filename, line, col) tuple
            self._frames.append(Frame(name, filename, line, col))
        self._pos = call_pos

    def _finish(self, name: str = "<toplevel>") -> None:
        if not self.call_stack:
            self._leave(name, None)
            self.call_stack = list(reversed(self._frames))
            self._frames = []

    @property
    def position(self) -> Frame | None:
        """The innermost frame with a known position, if any."""
        for fr in reversed(self.call_stack):
            if fr.line:
                return fr
        return None

    def __str__(self) -> str:
        p = self.position
        if p is not None:
            return f"{p.filename}:{p.line}:{p.col}: {self.msg}"
        if self._pos is not None:
            filename, line, col = self._pos
            return f"{filename}:{line}:{col}: {self.msg}"
        return self.msg

    def backtrace(self) -> str:
        """The traceback as starlark-go prints it: ``Traceback (most recent call last):``, one
        line a frame, then ``Error: msg`` (``Error in f: msg`` for a builtin's error)."""
        lines = ["Traceback (most recent call last):"]
        for fr in self.call_stack:
            lines.append(f"  {fr}")
        inner = self.call_stack[-1] if self.call_stack else None
        if inner is not None and not inner.line:
            lines.append(f"Error in {inner.name}: {self.msg}")
        else:
            lines.append(f"Error: {self.msg}")
        return "\n".join(lines)


class StepLimitExceeded(EvalError):
    """The thread's ``max_steps`` was reached."""

    def __init__(self, msg: str = "Starlark computation cancelled: too many steps") -> None:
        super().__init__(msg)


class Timeout(EvalError):
    """The thread's wall-clock ``timeout`` passed."""

    def __init__(self, msg: str = "Starlark computation cancelled: timeout") -> None:
        super().__init__(msg)


class Cancelled(EvalError):
    """``Thread.cancel(reason)`` was called; ``reason`` is kept."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(f"Starlark computation cancelled: {reason}" if reason else
                         "Starlark computation cancelled")
        self.reason = reason
