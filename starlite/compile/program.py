"""Compiled programs and the entry points that run them.

``compile(filename, source, predeclared, options)`` parses, resolves and compiles a file once;
``Program.exec(thread, predeclared)`` runs it (as many times as you like, on any threads, each
run with its own globals) and returns the module's globals, frozen.
"""

from __future__ import annotations

import gc
import sys
import time
import types
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, NoReturn

from ..errors import (
    Cancelled,
    EvalError,
    StarlarkError,
    StepLimitExceeded,
    Timeout,
)
from ..observe.events import StepSite
from ..options import Options
from ..resolve import resolve_file
from ..syntax import ast as A
from ..syntax.parser import parse_expr, parse_file
from ..values.core import UNBOUND, freeze
from . import flat
from .calls import call_value
from .function import Function
from .stmts import StmtCompiler

_RECURSION_LIMIT = 20000


_universes: dict[bool, dict[str, Any]] = {}


def universe_for(options: Options) -> dict[str, Any]:
    """The universe of builtins of the dialect (``set`` only with ``Options.set``)."""
    u = _universes.get(options.set)
    if u is None:
        from ..builtins import UNIVERSE  # (the builtins import the compiler)

        u = UNIVERSE if options.set else {k: v for k, v in UNIVERSE.items() if k != "set"}
        _universes[options.set] = u
    return u


class RunResult(NamedTuple):
    globals: dict[str, Any]
    value: Any  # the value of a top-level `return` (or of the expression, for eval)
    returned: bool


def outcome_of(e: BaseException | None) -> str:
    """The outcome name of a run that raised ``e`` (None: success)."""
    if e is None:
        return "success"
    if isinstance(e, StepLimitExceeded):
        return "step_limit"
    if isinstance(e, Timeout):
        return "timeout"
    if isinstance(e, Cancelled):
        return "cancelled"
    return "error"


class Program:
    """A compiled Starlark file."""

    __slots__ = (
        "filename",
        "source",
        "options",
        "predeclared",
        "global_names",
        "exported",
        "nslots",
        "cells",
        "run",
        "lead",
        "site",
        "mode",
    )

    def __init__(self) -> None:
        self.filename = ""
        self.source = ""
        self.options = Options()
        self.predeclared: list[str] = []
        self.global_names: list[str] = []
        self.exported: list[tuple[str, int]] = []
        self.nslots = 2
        self.cells: list[int] = []
        self.run: Any = None
        self.lead = 0
        self.site: StepSite | None = None
        self.mode = "exec"

    def exec(self, thread: Any, predeclared: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run the program; returns its globals (frozen)."""
        return self.run_full(thread, predeclared).globals

    def run_full(self, thread: Any, predeclared: Mapping[str, Any] | None = None, *,
                 session_id: str | None = None, script_hash: str | None = None,
                 events: bool = True) -> RunResult:
        """Run the program; returns its globals and the value of a top-level ``return``.

        ``events=False`` leaves the exec start / error / end events to the caller (the tool
        engine sends its own, with its counters)."""
        from ..observe import ErrorEvent, ExecEnd, ExecStart, notify
        from ..values.convert import to_starlark

        g: list[Any] = [UNBOUND] * len(self.global_names)
        pre = predeclared or {}
        for name in self.predeclared:
            if name not in pre:
                raise EvalError(f"{self.filename}: predeclared name {name} has no value")
            g.append(to_starlark(pre[name]))
        fr: list[Any] = [thread, g]
        fr.extend([UNBOUND] * (self.nslots - 2))
        for c in self.cells:
            fr[c] = [UNBOUND]
        thread._start_run()
        events = events and bool(thread.observers)
        if events:
            notify(thread, "on_exec_start",
                   ExecStart(self.filename, self.mode, session_id, script_hash, time.time()))
        t0 = time.perf_counter()
        err: BaseException | None = None
        r: Any = None
        try:
            r = _run_guarded(thread, self.run, fr, self.lead, self.site,
                             self.options.recursion)
        except StarlarkError as e:
            err = e
            raise
        finally:
            if events:
                if err is not None:
                    notify(thread, "on_error", ErrorEvent(err, thread.steps))
                notify(thread, "on_exec_end", ExecEnd(
                        self.filename, self.mode, outcome_of(err), thread.steps,
                        time.perf_counter() - t0, err, session_id, script_hash))
        out: dict[str, Any] = {}
        for name, i in self.exported:
            v = g[i]
            if v is not UNBOUND:
                out[name] = v
        for v in g:
            if v is not UNBOUND:
                freeze(v)
        if r is None:
            return RunResult(out, None, False)
        return RunResult(out, r[0], True)

    def __repr__(self) -> str:
        return f"<starlite.Program {self.filename}>"


def _run_guarded(thread: Any, run: Any, fr: list[Any], lead: int, site: StepSite | None,
                 deep: bool = False) -> Any:
    """Run top-level code, turning every failure into a StarlarkError with a call stack.
    ``deep``: the dialect allows recursion; run on a fresh frame-memory chunk."""
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    thread._running += 1
    try:
        if lead:
            thread.charge_at(lead, site)
        if deep and flat.ENABLED:
            return on_fresh_stack(run, (fr,))
        return run(fr)
    except Exception as e:
        raise_run_failure(e, "<toplevel>")
    finally:
        thread._running -= 1


_fresh: Any = None
_FRESH_SLOTS = 4200  # a frame of about 33 KB


def on_fresh_stack(fn: Any, args: tuple[Any, ...]) -> Any:
    """``fn(*args)`` called from a frame larger than CPython 3.11's 16 KB frame-memory chunk,
    so that it starts near the beginning of a fresh 64 KB chunk. CPython releases a chunk
    whenever the stack shrinks back across its start, so a recursion that happens to
    oscillate across a chunk boundary pays an allocation and a release per call (measured:
    up to 3.6x slower, depending only on the Python stack depth of the caller). Used for
    runs of the recursion dialect, where deep call stacks are expected; it costs about
    30 us per run."""
    global _fresh
    if _fresh is None:
        code = (lambda fn, args: fn(*args)).__code__
        code = code.replace(
            co_varnames=code.co_varnames + tuple(f"_{i}" for i in range(_FRESH_SLOTS)),
            co_nlocals=code.co_nlocals + _FRESH_SLOTS)
        _fresh = types.FunctionType(code, {})
    return _fresh(fn, args)


def raise_run_failure(e: Exception, frame: str) -> NoReturn:
    """Raise what a run that failed with ``e`` reports, its call stack finished at ``frame``
    (the outermost frame's name): a Starlark error as it is; Python's RecursionError and
    MemoryError as Starlark errors; anything else (a bug in starlite) as an internal error.
    No Python exception escapes a run. Call it from the run's ``except`` block."""
    if isinstance(e, EvalError):
        e._finish(frame)
        raise e
    if isinstance(e, RecursionError):
        err = EvalError("Starlark computation exceeded the maximum nesting depth")
    elif isinstance(e, MemoryError):
        err = EvalError("Starlark computation ran out of memory")
    elif isinstance(e, StarlarkError):
        err = EvalError(str(e))
    else:
        err = EvalError(f"internal error: {type(e).__name__}: {e}")
    err._finish(frame)
    if isinstance(e, (RecursionError, MemoryError)):
        raise err from None
    raise err from e


def compile_program(
    filename: str,
    source: str,
    predeclared: Iterable[str] = (),
    options: Options | None = None,
    mode: str = "exec",
) -> Program:
    """Parse, resolve and compile ``source``. ``mode="eval"`` compiles one expression whose
    value ``run_full`` returns."""
    opts = options if options is not None else Options()
    pre = list(dict.fromkeys(predeclared))
    # Pause the cyclic garbage collector for the whole build (the parser does so too):
    # parsing and compiling allocate many small objects, and collections triggered by them
    # cost up to half the time.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _compile(filename, source, pre, opts, mode)
    finally:
        if gc_was_enabled:
            gc.enable()


def _compile(filename: str, source: str, pre: list[str], opts: Options, mode: str) -> Program:
    if mode == "eval":
        f = parse_expr(filename, source)
        body = f.body[0]
        assert isinstance(body, A.ExprStmt)
        f.body = [A.Return(body.x, body.line, body.col)]
        from dataclasses import replace

        opts_r = replace(opts, top_level_return=True)
    else:
        f = parse_file(filename, source)
        opts_r = opts
    universe = universe_for(opts)
    preset = set(pre)
    # The resolver and the compiler recurse over the tree (about 4 Python frames per level of
    # an operator chain such as `a + b + c ...`): give them the same headroom as a run.
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        res = resolve_file(f, opts_r, preset, universe)
        prog = Program()
        prog.filename = filename
        prog.source = source
        prog.options = opts
        prog.mode = mode
        prog.global_names = list(res.globals)
        ng = len(prog.global_names)
        prog.predeclared = pre
        pslot = {name: ng + i for i, name in enumerate(pre)}
        prog.exported = [
            (name, b.index) for name, b in res.globals.items() if name not in res.loaded
        ]
        scope = f.scope
        assert scope is not None
        prog.nslots = scope.nslots
        prog.cells = list(scope.cells)
        cc = StmtCompiler(filename, universe, opts_r, pslot)
        cc.loaded = res.loaded
        run, lead = cc.block(f.body)
        prog.run = run
        prog.lead = len(lead)
        prog.site = cc.site(lead)
    except RecursionError:
        from ..errors import SyntaxError as StarlarkSyntaxError

        raise StarlarkSyntaxError(filename, 1, 1, "program too deeply nested") from None
    return prog


def call(thread: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a Starlark callable from Python (``starlite.call``)."""
    from ..values.convert import to_starlark

    sargs = tuple(to_starlark(a) for a in args)
    skw = {k: to_starlark(v) for k, v in kwargs.items()} or None
    if thread._running:
        # a host builtin calling back into Starlark: errors keep unwinding through the script
        return call_value(thread, fn, sargs, skw)
    thread._start_run()
    thread._running += 1
    try:
        if type(fn) is Function and fn.code.deep and flat.ENABLED:
            return on_fresh_stack(call_value, (thread, fn, sargs, skw))
        return call_value(thread, fn, sargs, skw)
    except Exception as e:
        if isinstance(e, StarlarkError) and not isinstance(e, EvalError):
            raise  # a host's own static error (say, from a nested exec_file) as it is
        raise_run_failure(e, "<host>")
    finally:
        thread._running -= 1
