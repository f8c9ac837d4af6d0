"""starlite: a fast pure-Python Starlark interpreter with step metering and observability.

Quick tour::

    import starlite
    thread = starlite.Thread(max_steps=100_000)
    globals = starlite.exec_file(thread, "hello.star", source="x = [i * i for i in range(5)]")
    globals["x"]                       # [0, 1, 4, 9, 16]
    starlite.eval(thread, "x[2] + 1", predeclared=globals)    # 5

Strings are sequences of Unicode code points (as in starlark-rust), not bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import builtins as _builtins  # noqa: F401 - registers the methods of the core types
from .compile import Function, Program, compile_program
from .compile.program import call as _call
from .errors import (
    Cancelled,
    EvalError,
    Frame,
    ResolveError,
    StarlarkError,
    StepLimitExceeded,
    SyntaxError,
    Timeout,
)
from .observe import Observer
from .options import Options
from .thread import Thread
from .values.convert import to_python, to_starlark
from .values.core import Builtin, Dict, HostValue, List, Module, Set, Struct, freeze

__version__ = "0.1.0"


def compile(  # noqa: A001 - the API name DESIGN.md fixes
    filename: str,
    source: str,
    predeclared: Iterable[str] = (),
    options: Options | None = None,
) -> Program:
    """Parse, resolve and compile ``source`` once; run it with ``program.exec(thread)``.

    ``predeclared`` lists the names the host will supply at exec time."""
    return compile_program(filename, source, predeclared, options)


def exec_file(
    thread: Thread,
    filename: str,
    source: str | bytes | None = None,
    predeclared: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Run a Starlark file and return its globals (frozen). When ``source`` is None the file
    is read from disk. The dialect is ``thread.options``."""
    if source is None:
        with open(filename, encoding="utf-8") as fh:
            source = fh.read()
    elif isinstance(source, bytes):
        source = source.decode("utf-8")
    pre = predeclared or {}
    prog = compile_program(filename, source, pre.keys(), thread.options)
    return prog.exec(thread, pre)


def eval(  # noqa: A001 - the API name DESIGN.md fixes
    thread: Thread,
    expression: str,
    predeclared: Mapping[str, Any] | None = None,
    filename: str = "<expr>",
) -> Any:
    """Evaluate one Starlark expression and return its value."""
    pre = predeclared or {}
    prog = compile_program(filename, expression, pre.keys(), thread.options, mode="eval")
    return prog.run_full(thread, pre).value


def call(thread: Thread, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a Starlark callable (a function from a module's globals, a builtin ...).
    Python arguments are converted with ``to_starlark``."""
    return _call(thread, fn, *args, **kwargs)


def __getattr__(name: str) -> Any:
    # Recorders live with the observers; imported lazily to keep `import starlite` fast.
    if name in ("TraceRecorder", "FlightRecorder"):
        from .observe import recorders

        return getattr(recorders, name)
    raise AttributeError(f"module 'starlite' has no attribute {name!r}")


__all__ = [
    "Builtin",
    "Cancelled",
    "Dict",
    "EvalError",
    "FlightRecorder",
    "Frame",
    "Function",
    "HostValue",
    "List",
    "Module",
    "Observer",
    "Options",
    "Program",
    "ResolveError",
    "Set",
    "StarlarkError",
    "StepLimitExceeded",
    "Struct",
    "SyntaxError",
    "Thread",
    "Timeout",
    "TraceRecorder",
    "call",
    "compile",
    "eval",
    "exec_file",
    "freeze",
    "to_python",
    "to_starlark",
]
