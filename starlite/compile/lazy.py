"""Function bodies compiled on their first call.

A file of macros (a Bazel ``.bzl`` file, a library of helpers) defines many functions and a
run calls a few. ``compile`` therefore builds, for a ``def`` of moderate size, only what
evaluating the ``def`` and calling the function need up front (parameter layout, the body's
leading step charge, whether the body returns its value directly); the body's closures are
built when the function is first called, by :func:`defer`'s stubs, under a lock, with the
same compiler and the same compiler state as an eager build. So results, step counts and
errors are those of eager compilation; only the time of the work moves.

What could differ, and why it does not:

* Compiling recurses with the expression nesting. The compiler's only compile-time failure
  is running out of recursion ("program too deeply nested"), which needs thousands of
  nesting levels. A body is deferred only if it has at most :data:`MAX_NODES` expression
  nodes (``Function.size``, nested functions included): its compilation needs a few
  thousand frames at most, which an eager build always has, and a first call gets the same
  headroom (the recursion limit is raised by the depth the call already uses).
* A :class:`~starlite.compile.function.Function` copies ``code.body`` when the ``def`` is
  evaluated. Functions made before the body is built are remembered (weakly, at most
  :data:`MAX_PENDING` of them; more, and the body is built then) and given the built body.
  One made while the body is being built may keep the stub, which forwards to the body.
"""

from __future__ import annotations

import gc
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any

#: defer bodies at all (tests turn it off to compare)
ENABLED = True
#: largest body (expression nodes) that is deferred
MAX_NODES = 1000
#: functions remembered per unbuilt body; one more and the body is built
MAX_PENDING = 64
#: the recursion headroom a build gets (the limit ``compile`` runs under)
_HEADROOM = 20000

_lock = threading.RLock()


def defer(code: Any, build: Callable[[], tuple[Any, Any]]) -> None:
    """Give ``code`` stub ``body`` and ``invoke`` that first run ``build`` (which returns the
    real body and invoke) and install its result."""

    def ensure() -> None:
        with _lock:
            if code.pending is None:
                return  # built meanwhile
            gc_was_enabled = gc.isenabled()
            gc.disable()
            limit = sys.getrecursionlimit()
            depth = _depth()
            if depth + _HEADROOM > limit:
                sys.setrecursionlimit(depth + _HEADROOM)
            try:
                body, invoke = build()
            finally:
                if sys.getrecursionlimit() != limit:
                    sys.setrecursionlimit(limit)
                if gc_was_enabled:
                    gc.enable()
            code.body = body
            code.invoke = invoke
            refs = code.pending
            code.pending = None
            code.ensure = None  # (it holds the syntax tree)
            for ref in refs:
                f = ref()
                if f is not None:
                    f.body = body
                    f.direct = code.direct

    def body_stub(fr: list[Any]) -> Any:
        ensure()
        return code.body(fr)

    def invoke_stub(fr: list[Any]) -> Any:
        ensure()
        return code.invoke(fr)

    code.body = body_stub
    code.invoke = invoke_stub
    code.pending = []
    code.ensure = ensure


def remember(code: Any, f: Any) -> None:
    """``f`` was made from ``code`` while its body is unbuilt (called by ``Function``)."""
    pending = code.pending
    ensure = code.ensure
    if pending is None or ensure is None:  # built meanwhile
        f.body = code.body
        f.direct = code.direct
        return
    if len(pending) >= MAX_PENDING:
        ensure()
        f.body = code.body
        f.direct = code.direct
        return
    pending.append(weakref.ref(f))


def _depth() -> int:
    n = 0
    fr: Any = sys._getframe()
    while fr is not None:
        n += 1
        fr = fr.f_back
    return n
