"""Shared pieces of the closure compiler: step costs, charge sites, signals.

Step rule (documented in the README): every evaluated statement and every evaluated expression
node is one step. Identifiers and literals are nodes; so are call, index, slice, dot, each
operator and each display. A ``for`` loop or comprehension iteration costs one step for binding
the loop variables. Builtins charge extra steps for the work they do.

The compiler charges steps in groups: the *unconditional* nodes of a run of statements are
charged together when the run starts (:func:`stmt_nodes` / :func:`expr_nodes` list them, in
evaluation order); parts that may not run (the right operand of ``and``/``or``, the branches of
a conditional expression, comprehension bodies, loop bodies, ``if`` branches, function bodies)
charge their own group when they start. So the total is exactly one step per evaluated node.
"""

from __future__ import annotations

from typing import Any

from ..errors import EvalError, Position
from ..syntax import ast as A
from ..values.core import Dict, List, Set
from ..values.keys import unbox
from ..values.ops import iterate

# Statement signals: a statement closure returns None to fall through, BREAK or CONTINUE, or a
# 1-tuple holding the value of a `return`.
BREAK: Any = object()
CONTINUE: Any = object()


def open_iteration(v: Any, pos: Position) -> tuple[Any, Any]:
    """Start iterating ``v`` for a ``for`` loop or comprehension: returns the Python iterable
    and the container whose mutation guard was raised (lower it when done), or None."""
    t = type(v)
    if t is List:
        v.guard += 1
        return v, v
    if t is Dict:
        v.guard += 1
        return (map(unbox, v) if v.boxed else v), v
    if t is range or t is tuple:
        return v, None
    if t is Set:
        v.guard += 1
        return (map(unbox, v.d) if v.boxed else v.d), v
    try:
        return iterate(v), None
    except EvalError as err:
        err._at(pos)
        raise


def learn_method(cls: type, table: str, prefix: str, t: type) -> Any:
    """Method ``prefix + t.__name__`` of compiler class ``cls``, added to its dispatch dict
    ``table`` (a class attribute, replaced rather than mutated, so a subclass gets its own):
    the compiler then finds the method for a node class with one dict lookup."""
    m = getattr(cls, prefix + t.__name__)
    setattr(cls, table, {**getattr(cls, table), t: m})
    return m


def expr_nodes(e: A.Expr | None, out: list[A.Node]) -> list[A.Node]:
    """Append the nodes of ``e`` that are always evaluated when ``e`` is (pre-order): not the
    right operand of ``and``/``or``, the branches of ``x if c else y``, a lambda's body or a
    comprehension's body, which charge their own steps.

    Children go on the stack last first, so they come off in evaluation order. Dispatch is on
    the exact type (AST node classes are never subclassed), commonest first."""
    if e is None:
        return out
    stack: list[Any] = [e]
    push = stack.append
    add = out.append
    while stack:
        x = stack.pop()
        add(x)
        t = type(x)
        if t is A.Ident or t is A.Literal:
            continue
        if t is A.Call:
            args = x.args
            for i in range(len(args) - 1, -1, -1):
                push(args[i].value)
            push(x.fn)
        elif t is A.Dot or t is A.Unary:
            push(x.x)
        elif t is A.Binary:
            if x.op == "and" or x.op == "or":
                push(x.x)
            else:
                push(x.y)
                push(x.x)
        elif t is A.Index:
            push(x.index)
            push(x.x)
        elif t is A.ListExpr or t is A.TupleExpr:
            stack.extend(reversed(x.elts))
        elif t is A.DictExpr:
            for ent in reversed(x.entries):
                push(ent.value)
                push(ent.key)
        elif t is A.CondExpr:
            push(x.cond)
        elif t is A.Slice:
            for k in (x.step, x.hi, x.lo):
                if k is not None:
                    push(k)
            push(x.x)
        elif t is A.Lambda:
            for p in reversed(x.params):
                if p.default is not None:
                    push(p.default)
        elif t is A.Comprehension:
            first = x.clauses[0]
            assert isinstance(first, A.ForClause)
            push(first.iterable)
    return out


def target_nodes(t: A.Expr, out: list[A.Node]) -> list[A.Node]:
    """Nodes evaluated while assigning to target ``t`` (the operands of index/dot targets)."""
    k = type(t)
    if k is A.Ident:
        return out
    if k is A.TupleExpr or k is A.ListExpr:
        for e in t.elts:  # type: ignore[attr-defined]
            target_nodes(e, out)
    elif k is A.Index:
        expr_nodes(t.x, out)  # type: ignore[attr-defined]
        expr_nodes(t.index, out)  # type: ignore[attr-defined]
    elif k is A.Dot:
        expr_nodes(t.x, out)  # type: ignore[attr-defined]
    return out


def stmt_nodes(s: A.Stmt, out: list[A.Node]) -> list[A.Node]:
    """The statement node and the nodes it always evaluates (for compound statements, the
    header only: the condition of ``if``/``while`` is charged per evaluation elsewhere)."""
    out.append(s)
    t = type(s)  # (exact types, commonest first)
    x: Any = s
    if t is A.Assign:
        expr_nodes(x.rhs, out)
        target_nodes(x.lhs, out)
    elif t is A.ExprStmt or t is A.Return:
        expr_nodes(x.x, out)
    elif t is A.AugAssign:
        expr_nodes(x.lhs, out)
        expr_nodes(x.rhs, out)
    elif t is A.If:
        expr_nodes(x.cond, out)
    elif t is A.For:
        expr_nodes(x.iterable, out)
    elif t is A.Def:
        for p in x.params:
            expr_nodes(p.default, out)
    return out


def local_slots(t: A.Expr, out: list[int]) -> list[int]:
    """The slots of the plain locals that assigning to target ``t`` binds."""
    if isinstance(t, A.Ident):
        if t.binding is not None and t.binding.scope == A.LOCAL:
            out.append(t.binding.index)
    elif isinstance(t, (A.TupleExpr, A.ListExpr)):
        for x in t.elts:
            local_slots(x, out)
    return out


def bound_slots(stmts: list[A.Stmt], out: list[int]) -> list[int]:
    """The slots of the plain locals that these statements (at any depth of ``if``/``for``/
    ``while``, not inside nested function bodies, whose locals live in their own frames) may
    assign: targets of ``=`` and ``op=``, ``for`` variables, ``def`` and ``load`` names.
    (A comprehension's variables are locals of their own block, with their own slots.)"""
    for s in stmts:
        t = type(s)
        if t is A.Assign or t is A.AugAssign:
            local_slots(s.lhs, out)  # type: ignore[attr-defined]
        elif t is A.For:
            assert isinstance(s, A.For)
            local_slots(s.vars, out)
            bound_slots(s.body, out)
        elif t is A.While:
            assert isinstance(s, A.While)
            bound_slots(s.body, out)
        elif t is A.If:
            assert isinstance(s, A.If)
            bound_slots(s.body, out)
            bound_slots(s.orelse, out)
        elif t is A.Def:
            assert isinstance(s, A.Def)
            local_slots(s.name, out)
        elif t is A.Load:
            assert isinstance(s, A.Load)
            for ident, _orig in s.names:
                local_slots(ident, out)
    return out


def is_compound(s: A.Stmt) -> bool:
    t = type(s)
    return t is A.If or t is A.For or t is A.While


def may_signal(s: A.Stmt) -> bool:
    """Whether statement ``s`` can return a signal (return/break/continue) to its block."""
    t = type(s)  # (exact types, commonest first: node classes are never subclassed)
    if t is A.Assign or t is A.ExprStmt or t is A.AugAssign:
        return False
    if t is A.Return or t is A.Break or t is A.Continue:
        return True
    x: Any = s
    if t is A.If:
        return any(may_signal(y) for y in x.body) or any(may_signal(y) for y in x.orelse)
    if t is A.For or t is A.While:
        return any(_has_return(y) for y in x.body)
    return False


def _has_return(s: A.Stmt) -> bool:
    if isinstance(s, A.Return):
        return True
    if isinstance(s, A.If):
        return any(_has_return(x) for x in s.body) or any(_has_return(x) for x in s.orelse)
    if isinstance(s, (A.For, A.While)):
        return any(_has_return(x) for x in s.body)
    return False
