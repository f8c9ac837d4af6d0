"""Run-time helpers of generated function bodies (``codegen``): the general paths of the
operations a generated body writes out, with the closure compiler's errors and positions,
and the per-site state of its method and keyword calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from ..errors import EvalError, Position
from ..values.arith import unary
from ..values.core import check_mutable
from ..values.ops import METHODS, get_attr, get_index, set_index
from .calls import _msigs, call_at, call_method
from .function import plan_of

Closure = Callable[[list[Any]], Any]


def value_of(run: Closure) -> Closure:
    """A closure body that returns a signal, as a body returning the value (for a function
    marked as generated whose text Python refused: see ``generate``)."""

    def value_body(fr: list[Any]) -> Any:
        r = run(fr)
        return None if r is None else r[0]

    return value_body


def index_slow(a: Any, k: Any, th: Any, pos: Position) -> Any:
    """``a[k]`` by the general path (as the closure compiler's ``x_Index``)."""
    try:
        return get_index(a, k, th)
    except EvalError as err:
        err._at(pos)
        raise
    except TypeError:
        e = EvalError(f"unhashable type: {type(k).__name__}")
        e._at(pos)
        raise e from None


def getitem_at(a: Any, k: Any, th: Any, pos: Position) -> Any:
    """``a[k]`` for ``a[k] op= y`` by the general path (as ``StmtCompiler._aug_index``)."""
    try:
        return get_index(a, k, th)
    except EvalError as err:
        err._at(pos)
        raise


def setitem_slow(a: Any, k: Any, v: Any, th: Any, pos: Position) -> None:
    """``a[k] = v`` by the general path (as ``StmtCompiler._set_item``)."""
    try:
        set_index(a, k, v, th)
    except EvalError as err:
        err._at(pos)
        raise


def unary_at(th: Any, op: str, v: Any, pos: Position) -> Any:
    try:
        return unary(th, op, v)
    except EvalError as e:
        e._at(pos)
        raise


class MethodSite:
    """A method call site ``r.name(args)``: a monomorphic inline cache (the receiver type
    last seen and its method, once its signature accepts the call's argument count), as
    ``calls._method_call`` keeps one, and that site's general path and errors."""

    __slots__ = ("t", "m", "name", "n", "pos", "dpos")

    def __init__(self, name: str, n: int, pos: Position, dpos: Position) -> None:
        self.t: Any = None
        self.m: Any = None
        self.name = name
        self.n = n
        self.pos = pos
        self.dpos = dpos

    def failed(self, exc: Exception) -> NoReturn:
        """The cached method raised ``exc``: this call site's error."""
        if isinstance(exc, EvalError):
            exc._leave(self.name, None)
            exc._at(self.pos)
            raise exc
        wrapped = EvalError(f"{self.name}: {type(exc).__name__}: {exc}")
        wrapped._leave(self.name, None)
        wrapped._at(self.pos)
        raise wrapped from exc

    def call(self, th: Any, r: Any, args: tuple[Any, ...]) -> Any:
        t = type(r)
        if t is self.t:
            try:
                return self.m(th, r, *args)
            except Exception as exc:
                self.failed(exc)
        tbl = METHODS.get(t)
        if tbl is not None:
            m = tbl.get(self.name)
            if m is not None:
                r_ = call_method(th, self.name, m, r, args, None, self.pos)
                sig = _msigs[m]
                if sig.nmin <= self.n <= sig.nmax:
                    self.t = t
                    self.m = m
                return r_
        try:
            f = get_attr(r, self.name)
        except EvalError as err:
            err._at(self.dpos)
            raise
        return call_at(th, f, args, None, self.pos)

    def refuse(self, r: Any) -> None:
        """``append`` on a list whose guard is up (as ``calls._method_call``)."""
        try:
            check_mutable(r, "append to")
        except EvalError as err:
            err._leave("append", None)
            err._at(self.pos)
            raise


class KeywordSite:
    """The callee code last seen at a keyword call site and its plan (None: bind by name)."""

    __slots__ = ("npos", "names", "code", "plan")

    def __init__(self, npos: int, names: tuple[str, ...]) -> None:
        self.npos = npos
        self.names = names
        self.code: Any = None
        self.plan: Any = None

    def learn(self, f: Any) -> bool:
        self.plan = plan_of(f, self.npos, self.names)
        self.code = f.code
        return True


def unbound(msg: str, pos: Position) -> EvalError:
    e = EvalError(msg)
    e._at(pos)
    return e
