"""Calls of one-expression functions, inlined at the call site.

A top-level ``def f(a, b): return <expr>`` whose expression makes no calls and opens no
scope (no comprehension or lambda) is the commonest helper in scripts. A call ``f(x, 1)``
whose arguments are plain reads (a local known to be assigned, a literal, a builtin)
compiles to the callee's expression with the parameters replaced by the arguments, run
right in the caller's frame, behind a guard:

* the global ``f`` must hold a function made by *that* ``def`` (``f.code.node is DEF``): the
  resolver only offers a ``def`` that is the name's sole binding, so this is the function the
  call would reach; anything else (unbound, another value) takes the ordinary call;
* the callee's leading charge (``f.lead`` steps, what its entry charges) must fit under the
  thread's bound, and no observer may want calls: otherwise the ordinary call runs, which
  charges, reports and delivers exactly as before. Step observers keep the bound at -1, so
  they always see the ordinary call, with its depth and function name.

The arguments are pure reads, so evaluating them where the callee reads its parameters (or
not at all, for an unused parameter) is invisible. An error inside the expression is given
the callee's frame and the call's position, as the ordinary call gives it. Results, errors,
positions and step counts are thus the same; the callee's frame list and a Python call are
saved.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..errors import EvalError, Position
from ..syntax import ast as A
from .function import Function
from .shapes import make, template

# Expression nodes an inlined body may contain: none makes a call or opens a scope. (The
# parts of `and`/`or` and `x if c else y` that charge their own steps name the callee in
# their sites, as its own code does.)
_PURE = (A.Ident, A.Literal, A.Binary, A.Unary, A.Index, A.Slice, A.Dot, A.ListExpr,
         A.TupleExpr, A.DictExpr, A.CondExpr)


def _body_expr(d: A.Def) -> A.Expr | None:
    """The expression a ``def`` returns, if its body is ``return <expr>`` (after an optional
    docstring) and it takes only plain positional parameters."""
    if any(p.paramkind != "plain" or p.default is not None for p in d.params):
        return None
    body = d.body
    if len(body) == 2 and isinstance(body[0], A.ExprStmt) and isinstance(body[0].x, A.Literal) \
            and isinstance(body[0].x.value, str):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], A.Return) or body[0].x is None:
        return None
    x = body[0].x
    scope = d.scope
    if scope is None or scope.cells or scope.freevars:
        return None
    stack: list[Any] = [x]
    while stack:
        n = stack.pop()
        if not isinstance(n, _PURE):
            return None
        if isinstance(n, A.Binary):
            stack += (n.x, n.y)
        elif isinstance(n, A.CondExpr):
            stack += (n.cond, n.then, n.else_)
        elif isinstance(n, (A.Unary, A.Dot)):
            stack.append(n.x)
        elif isinstance(n, A.Index):
            stack += (n.x, n.index)
        elif isinstance(n, A.Slice):
            stack += [k for k in (n.x, n.lo, n.hi, n.step) if k is not None]
        elif isinstance(n, (A.ListExpr, A.TupleExpr)):
            stack += n.elts
        elif isinstance(n, A.DictExpr):
            stack += [k for ent in n.entries for k in (ent.key, ent.value)]
        elif isinstance(n, A.Ident):
            b = n.binding
            if b is None or b.scope in (A.CELL, A.FREE):
                return None
    return x


def _pure_arg(e: A.Expr) -> bool:
    """An argument that may be read wherever, and as often as, the callee reads it."""
    if isinstance(e, A.Literal):
        return True
    if isinstance(e, A.Ident) and e.binding is not None:
        return (e.binding.scope == A.LOCAL and e.safe) or e.binding.scope == A.UNIVERSAL
    return False


def _substitute(x: A.Expr, args: dict[int, A.Expr]) -> A.Expr:
    """A copy of ``x`` with each parameter (a LOCAL ident) replaced by its argument."""
    if isinstance(x, A.Ident):
        b = x.binding
        if b is not None and b.scope == A.LOCAL:
            # the argument, placed where the parameter is read: a charge whose first node it
            # is (the right of `and`/`or`, a branch of `x if c else y`) must fail there
            a = copy.copy(args[b.index])
            a.line = x.line
            a.col = x.col
            return a
        return x
    if isinstance(x, A.Literal):
        return x
    y = copy.copy(x)
    if isinstance(y, A.Binary):
        y.x = _substitute(y.x, args)
        y.y = _substitute(y.y, args)
    elif isinstance(y, A.CondExpr):
        y.cond = _substitute(y.cond, args)
        y.then = _substitute(y.then, args)
        y.else_ = _substitute(y.else_, args)
    elif isinstance(y, (A.Unary, A.Dot)):
        y.x = _substitute(y.x, args)
    elif isinstance(y, A.Index):
        y.x = _substitute(y.x, args)
        y.index = _substitute(y.index, args)
    elif isinstance(y, A.Slice):
        y.x = _substitute(y.x, args)
        y.lo = _substitute(y.lo, args) if y.lo is not None else None
        y.hi = _substitute(y.hi, args) if y.hi is not None else None
        y.step = _substitute(y.step, args) if y.step is not None else None
    elif isinstance(y, (A.ListExpr, A.TupleExpr)):
        y.elts = [_substitute(e, args) for e in y.elts]
    elif isinstance(y, A.DictExpr):
        y.entries = [_entry(ent, args) for ent in y.entries]
    return y


def _entry(ent: A.DictEntry, args: dict[int, A.Expr]) -> A.DictEntry:
    c = copy.copy(ent)
    c.key = _substitute(ent.key, args)
    c.value = _substitute(ent.value, args)
    return c


_SRC = """
        f = fr[1][GSLOT]
        if type(f) is Function and f.code.node is DEF:
            th = fr[0]
            s = th.steps + f.lead
            if s <= th.bound and not th.call_observers:
                th.steps = s
                try:
                    {READ0}
                except EvalError as e:
                    e._leave(NAME, None)
                    e._at(POS)
                    raise
                return v0
        return SLOW(fr)"""

_ENV: dict[str, Any] = {"Function": Function, "EvalError": EvalError}

# Off: every call takes the ordinary path (tests compare both ways).
ENABLED = True


def inline_call(cc: Any, e: A.Call, pos: Position, make_slow: Callable[[], Any],
                store: int = -1, discard: bool = False) -> Any | None:
    """The closure for call ``e`` with the callee's expression inlined, or None if the call
    or the callee does not qualify (see the module doc). ``make_slow()`` makes the ordinary
    call's closure (returning the value), only for a call that qualifies; ``store`` and
    ``discard`` as for the other call templates."""
    fn = e.fn
    if not ENABLED or not isinstance(fn, A.Ident) or fn.binding is None:
        return None
    if fn.binding.scope != A.GLOBAL:
        return None
    if cc.options.recursion:
        return None  # functions count their depth then; keep the ordinary entry
    d = fn.binding.sole_def
    if d is None or len(d.params) != len(e.args):
        return None
    if any(a.argkind != "pos" or not _pure_arg(a.value) for a in e.args):
        return None
    x = _body_expr(d)
    if x is None:
        return None
    params = {p.name.binding.index: a.value for p, a in zip(d.params, e.args, strict=True)
              if p.name is not None and p.name.binding is not None}
    if len(params) != len(e.args):
        return None
    saved = cc.funcname
    cc.funcname = d.name.name  # sites of `and`/`or` and conditional parts name the callee
    try:
        body = cc.expr(_substitute(x, params))
    finally:
        cc.funcname = saved
    factory = template("inline_call", _SRC, ("G",), _ENV, "GSLOT, DEF, NAME, POS, SLOW", (),
                       store >= 0, discard)
    values = (body, fn.binding.index, d, d.name.name, pos, make_slow())
    if store >= 0:
        return make(factory, *values, store)
    return make(factory, *values)
