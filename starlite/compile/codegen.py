"""Whole function bodies as one generated Python function, locals as Python locals.

The closure compiler (``stmts``/``exprs``) turns a ``def`` body into a tree of closures that
read and write the frame list (``fr[k]``). For a function that qualifies (no local captured by
a nested function, no captured variable of its own: :func:`qualifies`), this module writes
the body's Python source instead, compiles it once with ``compile()`` and uses it as the
function's body (``Code.body``):

* the frame ``fr`` comes in as before (the caller did the entry work and charged the body's
  leading group) and the generated function returns the function's value (the function's
  code is marked so: ``Code.plain``, ``rec_plain == 1``, never ``signal_plain``);
* the locals the body assigns and its parameters are Python locals ``l<slot>``, loaded from
  the frame at entry;
* step charges are the closure compiler's, group by group, with the same counts and the same
  sites (``th.steps``/``th.bound``/``th.overflow``), so step observers see the same events;
* names, constants, operators (the fast paths of ``binops``' templates, their type tests
  left out for locals only ever bound to ints, a tree of ``+ - *`` over float locals as one
  Python expression; the operator helpers otherwise), indexing, ``and``/``or``, conditional
  expressions, tuples, lists and dicts with str-literal keys, calls (positional, keyword,
  methods, builtins with the direct paths of ``methods``, one-expression helpers inlined as
  ``leafcall`` does), assignments to locals and elements, ``op=`` on locals and elements,
  ``if``/``for``/``while``/``break``/``continue``/``return`` are written out; anything else
  runs the closure the closure compiler makes for that node (a *fallback*): the locals it
  reads or may assign are written back to the frame first, those it may assign reloaded
  after. So errors, messages, positions and step counts are those of the closure compiler;
  the tests run every ``.star`` chunk and benchmark program with this on and off
  (``ENABLED``) and compare, also under step limits;
* a body that makes no fallback also gets an entry taking its parameters as Python
  arguments (``Function.direct``), which generated call sites use instead of building a
  frame list. A body whose text Python refuses (too many nested blocks) keeps the closure
  body (``genrt.value_of``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

from ..errors import EvalError
from ..syntax import ast as A
from ..thread import MAX_DEPTH
from ..values.args import call_builtin
from ..values.arith import _fast_percent
from ..values.core import UNBOUND, Builtin, Dict, List
from ..values.ops import equal
from . import methods
from .binops import M2, M, slow, slow_inplace
from .calls import call_at, enter
from .core import (
    BREAK,
    CONTINUE,
    bound_slots,
    expr_nodes,
    local_slots,
    may_signal,
    open_iteration,
)
from .function import Function, fill_frame
from .genrt import (
    KeywordSite,
    MethodSite,
    getitem_at,
    index_slow,
    setitem_slow,
    unary_at,
    unbound,
)

#: generate bodies at all (tests turn it off to compare)
ENABLED = True

Closure = Callable[[list[Any]], Any]


#: largest body (expression nodes, ``Function.size``) that is generated
MAX_NODES = 2000


def qualifies(scope: A.Function) -> bool:
    """Whether a body can be generated: no cells (locals captured by nested functions), no
    free variables (its locals all live in its own frame as plain values), not too large."""
    return not scope.cells and not scope.freevars and scope.size <= MAX_NODES


_BASE_ENV: dict[str, Any] = {
    "UNBOUND": UNBOUND, "List": List, "Dict": Dict, "Function": Function,
    "EvalError": EvalError, "BREAK": BREAK, "CONTINUE": CONTINUE, "MAX_DEPTH": MAX_DEPTH,
    "slow": slow, "slow_inplace": slow_inplace, "equal": equal, "fast_percent": _fast_percent,
    "open_iteration": open_iteration, "index_slow": index_slow, "unbound": unbound,
    "setitem_slow": setitem_slow, "unary_at": unary_at, "getitem_at": getitem_at,
    "list_append": list.append,
    "call_at": call_at, "enter": enter, "Builtin": Builtin, "call_builtin": call_builtin,
    "M": M, "MN": -M, "M2": M2, "M2N": -M2, "NOTSET": object(), "F53": 1 << 53,
    "F53N": -(1 << 53), "dict_get": dict.get, "fill_frame": fill_frame,
}

# int fast paths: (condition on a, b beyond both being ints, result expression); the result
# of + and - is checked against M (larger ones go the general way, which charges for them)
_INT_OPS: dict[str, tuple[str, str]] = {
    "+": ("", "{a} + {b}"),
    "-": ("", "{a} - {b}"),
    "*": (" and M2N < {a} < M2 and M2N < {b} < M2", "{a} * {b}"),
    "//": (" and {b} and MN < {a} < M", "{a} // {b}"),
    "%": (" and {b} and MN < {a} < M", "{a} % {b}"),
    "<": ("", "{a} < {b}"),
    "<=": ("", "{a} <= {b}"),
    ">": ("", "{a} > {b}"),
    ">=": ("", "{a} >= {b}"),
}
_COMPARE = ("<", "<=", ">", ">=")

# A positional call of a Starlark function ``@F`` (see ``_Gen.plain_call``): the entry work
# of ``calls.enter`` for a plain function (leaf: no recursion set while the charge fits), for
# one under Options(recursion=True) (the depth), ``enter`` or the general path otherwise.
_CALL_PLAIN = """if @F.plain_n == @N and not th.call_observers:
    s_ = th.steps + @F.lead
    if @F.leaf and s_ <= th.bound:
        th.steps = s_
        try:
            @R = @RUN
        except EvalError as e_:
            e_._leave(@F.code.name, None)
            e_._at(@P)
            raise
    elif @F.code not in th.active:
        c_ = @F.code
        th.steps = s_
        th.active.add(c_)
        try:
            if s_ > th.bound:
                th.overflow(@F.lead, c_.site)
            @R = @RUN
        except EvalError as e_:
            e_._leave(c_.name, None)
            e_._at(@P)
            raise
        finally:
            th.active.discard(c_)
    else:
        @R = enter(th, @F, @FRAME, @P)
"""
_CALL_REC = """if @F.rec_n == @N and not th.call_observers and th.depth < MAX_DEPTH:
    th.depth += 1
    s_ = th.steps + @F.lead
    th.steps = s_
    try:
        if s_ > th.bound:
            th.overflow(@F.lead, @F.code.site)
        @R = @RUN
    except EvalError as e_:
        e_._leave(@F.code.name, None)
        e_._at(@P)
        raise
    finally:
        th.depth -= 1
"""
_CALL_REST = """    elif @F.code.fast_arity == @N:
        @R = enter(th, @F, @FRAME, @P)
    elif @N in @F.tails:
        @R = enter(th, @F, [th, @F.globals, @LST*@F.tails[@N]], @P)
    else:
        @R = call_at(th, @F, (@LST), None, @P)
elif type(@F) is Builtin:
    try:
        @R = call_builtin(th, @F, (@LST), None)
    except EvalError as e_:
        e_._leave(@F.name, None)
        e_._at(@P)
        raise
else:
    @R = call_at(th, @F, (@LST), None, @P)
"""


def _indent(text: str) -> str:
    return "".join("    " + ln + "\n" for ln in text.split("\n") if ln.strip())
_FLOAT_TREE = ("+", "-", "*")


def _walk_locals(x: Any, out: set[int]) -> None:
    """The slots of every local identifier under ``x`` (an AST node or a list of them)."""
    if isinstance(x, A.Ident):
        b = x.binding
        if b is not None and b.scope == A.LOCAL:
            out.add(b.index)
        return
    if isinstance(x, (list, tuple)):
        for y in x:
            _walk_locals(y, out)
        return
    if isinstance(x, A.Node):
        for name in type(x).__slots__:
            if name in ("scope", "op", "name") and not isinstance(getattr(x, name, None),
                                                                  A.Node):
                continue
            _walk_locals(getattr(x, name, None), out)


class _Gen:
    def __init__(self, cc: Any, scope: A.Function) -> None:
        self.cc = cc
        self.lines: list[str] = []
        self.env: dict[str, Any] = dict(_BASE_ENV)
        self.n = 0
        self.ind = 1
        self.loops = 0
        self.fallbacks = 0
        # Python names known to hold an int: locals only ever bound to ints (see
        # `_int_locals`), temporaries holding an int operator's result on ints
        self.ints: set[str] = set()
        nslots = 2 + len(scope.locals)
        self.nslots = nslots
        # the parameters (``*args`` and ``**kwargs`` included), then what the body assigns
        self.managed: set[int] = set(range(2, 2 + scope.nparams))

    # ---- output ------------------------------------------------------------------------

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.ind + line)

    def fresh(self, prefix: str = "t") -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def const(self, v: Any, prefix: str = "k") -> str:
        name = self.fresh(prefix)
        self.env[name] = v
        return name

    def charge(self, k: int, nodes: list[A.Node]) -> None:
        site = self.const(self.cc.site(nodes), "site")
        self.emit(f"s_ = th.steps + {k}")
        self.emit("th.steps = s_")
        self.emit("if s_ > th.bound:")
        self.emit(f"    th.overflow({k}, {site})")

    def pos(self, n: A.Node) -> str:
        return self.const(self.cc.pos(n), "p")

    # ---- fallbacks ---------------------------------------------------------------------

    def write_back(self, node: Any, extra: list[int] = ()) -> None:  # type: ignore[assignment]
        used: set[int] = set()
        _walk_locals(node, used)
        used.update(extra)
        for k in sorted(used & self.managed):
            self.emit(f"fr[{k}] = l{k}")

    def fallback_expr(self, e: A.Expr) -> str:
        self.fallbacks += 1
        f = self.const(self.cc.expr(e), "X")
        self.write_back(e)
        t = self.fresh()
        self.emit(f"{t} = {f}(fr)")
        return t

    # ---- expressions -------------------------------------------------------------------

    def expr(self, e: A.Expr) -> str:
        """Emit the statements that evaluate ``e``; return a Python expression (a name or a
        literal) that holds its value and can be read any number of times."""
        t = type(e)
        if t is A.Ident:
            return self.ident(e)  # type: ignore[arg-type]
        if t is A.Literal:
            v = e.value  # type: ignore[attr-defined]
            if type(v) is int or type(v) is str:
                return repr(v)
            if v is None or v is True or v is False:
                return repr(v)
            return self.const(v)
        if t is A.Binary:
            return self.binary(e)  # type: ignore[arg-type]
        if t is A.Call:
            return self.call(e)  # type: ignore[arg-type]
        if t is A.Index:
            return self.index(e)  # type: ignore[arg-type]
        if t is A.Unary and e.op == "not":  # type: ignore[attr-defined]
            x = self.expr(e.x)  # type: ignore[attr-defined]
            r = self.fresh()
            self.emit(f"{r} = not {x}")
            return r
        if t is A.Unary and e.op == "-":  # type: ignore[attr-defined]
            lit = e.x  # type: ignore[attr-defined]
            if isinstance(lit, A.Literal) and type(lit.value) is int:
                return repr(-lit.value)
            x = self.expr(e.x)  # type: ignore[attr-defined]
            r = self.fresh()
            p = self.pos(e)
            self.emit(f"if type({x}) is int:")
            self.emit(f"    {r} = -{x}")
            self.emit("else:")
            self.emit(f"    {r} = unary_at(th, '-', {x}, {p})")
            return r
        if t is A.DictExpr:
            keys = [en.key for en in e.entries]  # type: ignore[attr-defined]
            if all(isinstance(k, A.Literal) and type(k.value) is str for k in keys) and len(
                    {k.value for k in keys}) == len(keys):  # type: ignore[attr-defined]
                vals = [self.expr(en.value) for en in e.entries]  # type: ignore[attr-defined]
                r = self.fresh()
                self.emit(f"{r} = Dict()")
                for k, v in zip(keys, vals):
                    self.emit(f"{r}[{k.value!r}] = {v}")  # type: ignore[attr-defined]
                return r
        if t is A.TupleExpr:
            elts: list[A.Expr] = e.elts  # type: ignore[attr-defined]
            if all(isinstance(x, A.Literal) for x in elts):
                return self.const(tuple(x.value for x in elts))  # type: ignore[attr-defined]
            parts = [self.expr(x) for x in elts]
            r = self.fresh()
            self.emit(f"{r} = ({', '.join(parts)},)")
            return r
        if t is A.ListExpr:
            parts = [self.expr(x) for x in e.elts]  # type: ignore[attr-defined]
            r = self.fresh()
            self.emit(f"{r} = List([{', '.join(parts)}])")
            return r
        if t is A.CondExpr:
            return self.cond_expr(e)  # type: ignore[arg-type]
        return self.fallback_expr(e)

    def ident(self, e: A.Ident) -> str:
        b = e.binding
        assert b is not None
        if b.scope == A.LOCAL and b.index in self.managed:
            name = f"l{b.index}"
            if not e.safe:
                p = self.pos(e)
                msg = self.const(f"local variable {e.name} referenced before assignment")
                self.emit(f"if {name} is UNBOUND:")
                self.emit(f"    raise unbound({msg}, {p})")
            return name
        if b.scope == A.UNIVERSAL:
            return self.const(self.cc.universe[e.name], "u")
        if b.scope == A.GLOBAL:
            what = "local" if e.name in self.cc.loaded else "global"
            r = self.fresh()
            p = self.pos(e)
            msg = self.const(f"{what} variable {e.name} referenced before assignment")
            self.emit(f"{r} = G[{b.index}]")
            self.emit(f"if {r} is UNBOUND:")
            self.emit(f"    raise unbound({msg}, {p})")
            return r
        if b.scope == A.PREDECLARED:
            r = self.fresh()
            self.emit(f"{r} = G[{self.cc.predeclared_slot[e.name]}]")
            return r
        return self.fallback_expr(e)

    def binary(self, e: A.Binary, target: str | None = None) -> str:
        op = e.op
        if op == "and" or op == "or":
            r = self.fresh()
            x = self.expr(e.x)
            self.emit(f"{r} = {x}")
            self.emit(f"if {'' if op == 'and' else 'not '}{r}:")
            self.ind += 1
            nodes = expr_nodes(e.y, [])
            self.charge(len(nodes), nodes)
            y = self.expr(e.y)
            self.emit(f"{r} = {y}")
            self.ind -= 1
            return r
        if op == "%" and isinstance(e.x, A.Literal) and type(e.x.value) is str:
            return self.fallback_expr(e)  # (a format compiled once: binops.constant_format)
        leaves: list[str] = []
        if op in _FLOAT_TREE and self.float_tree(e, leaves) and 1 < len(leaves) <= 32 and not all(
                self.is_int(x) for x in leaves):
            # all the local leaves floats: the whole tree in one Python expression (each
            # operation float with float, or float with an int exact as a float, as the
            # general path computes it; none fails)
            r = target if target is not None else self.fresh()
            locs = sorted({x for x in leaves if x.startswith("l")})
            self.emit(f"if {' and '.join(f'type({x}) is float' for x in locs)}:")
            self.emit(f"    {r} = {self.tree_text(e)}")
            self.emit("else:")
            self.ind += 1
            saved_ints = set(self.ints)
            v = self.binary_ops(e, r)
            self.ints = saved_ints
            if v != r:
                self.emit(f"{r} = {v}")
            self.ind -= 1
            return r
        return self.binary_ops(e, target)

    def float_tree(self, e: A.Expr, leaves: list[str]) -> bool:
        """Whether ``e`` is a tree of ``+ - *`` whose every operation has a float-valued
        side when its local leaves (safe locals, collected into ``leaves``) are floats, its
        other leaves float literals or ints exact as floats."""
        if isinstance(e, A.Binary) and e.op in _FLOAT_TREE:
            if not (self.float_tree(e.x, leaves) and self.float_tree(e.y, leaves)):
                return False
            return self.floaty(e.x) or self.floaty(e.y)
        if isinstance(e, A.Literal):
            v = e.value
            return type(v) is float or (type(v) is int and -(1 << 53) < v < (1 << 53))
        if self.is_managed(e) and e.safe:  # type: ignore[attr-defined]
            leaves.append(f"l{e.binding.index}")  # type: ignore[attr-defined]
            return True
        return False

    def floaty(self, e: A.Expr) -> bool:
        return not (isinstance(e, A.Literal) and type(e.value) is int)

    def tree_text(self, e: A.Expr) -> str:
        if isinstance(e, A.Binary):
            return f"({self.tree_text(e.x)} {e.op} {self.tree_text(e.y)})"
        if isinstance(e, A.Literal):
            return repr(e.value) if type(e.value) is int else self.const(e.value)
        return f"l{e.binding.index}"  # type: ignore[attr-defined]

    def binary_ops(self, e: A.Binary, target: str | None) -> str:
        op = e.op
        a = self.expr(e.x)
        b = self.expr(e.y)
        p = self.pos(e)
        r = target if target is not None and target not in (a, b) else self.fresh()
        self.binop(op, a, b, p, r, aug=False)
        return r

    def binop(self, op: str, a: str, b: str, p: str, r: str, aug: bool) -> None:
        """``r = a op b`` (``aug``: the ``op=`` statement's general path): the fast paths
        of the closure compiler's operator templates (``binops``), the type tests left out
        for operands known to be ints, the general path (which places its errors) else."""
        general = f"{'slow_inplace' if aug else 'slow'}(th, {op!r}, {a}, {b}, {p})"
        both = self.is_int(a) and self.is_int(b)
        if op == "==" or op == "!=":
            if both:
                self.emit(f"{r} = {a} {op} {b}")
                return
            neg = "not " if op == "!=" else ""
            self.emit(f"if type({a}) is type({b}) and (type({a}) is int or type({a}) is str):")
            self.emit(f"    {r} = {a} {op} {b}")
            self.emit("else:")
            self.emit(f"    {r} = {neg}equal({a}, {b}, 0, th)")
            return
        if op == "in" or op == "not in":
            self.emit(f"if type({b}) is Dict and (type({a}) is str or type({a}) is int):")
            self.emit(f"    {r} = {a} {op} {b}")
            self.emit("else:")
            self.emit(f"    {r} = {general}")
            return
        fast = _INT_OPS.get(op)
        if fast is None:
            if op == "/" and not both:
                fa = f"(type({a}) is float or (type({a}) is int and F53N < {a} < F53))"
                fb = f"(type({b}) is float or (type({b}) is int and F53N < {b} < F53))"
                self.emit(f"if {fa} and {fb} and {b}:")
                self.emit(f"    {r} = {a} / {b}")
                self.emit("else:")
                self.emit(f"    {r} = {general}")
                return
            self.emit(f"{r} = {general}")
            return
        cond, expr = fast
        ints = " and ".join(f"type({x}) is int" for x in (a, b) if not self.is_int(x))
        cond = cond.format(a=a, b=b)
        cond = (ints + cond) if ints else cond[5:]
        expr = expr.format(a=a, b=b)
        if both and r.startswith("t"):
            self.ints.add(r)  # (an int operator on ints: an int, either path)
        if both and op in _COMPARE:
            self.emit(f"{r} = {expr}")
            return
        if both and op in ("+", "-"):
            self.emit(f"{r} = {expr}")
            self.emit(f"if not MN < {r} < M:")
            self.emit(f"    {r} = {general}")
            return
        if both:
            self.emit(f"if {cond}:")
            self.emit(f"    {r} = {expr}")
            self.emit("else:")
            self.emit(f"    {r} = {general}")
            return
        self.emit(f"if {cond}:")
        self.emit(f"    {r} = {expr}")
        if op in ("+", "-"):
            self.emit(f"    if not MN < {r} < M:")
            self.emit(f"        {r} = {general}")
        lit = self.is_int(a) or self.is_int(b)
        if op in _COMPARE and not lit:
            self.emit(f"elif type({a}) is str and type({b}) is str:")
            self.emit(f"    {r} = {expr}")
        elif op == "+" and not lit:
            self.emit(f"elif type({a}) is str and type({b}) is str and len({a}) < 4096"
                      f" and len({b}) < 4096:")
            self.emit(f"    {r} = {expr}")
        elif op == "%" and not aug and not self.is_int(b):
            self.emit(f"elif type({a}) is str and ({r} := fast_percent({a}, {b})) is not None:")
            self.emit("    pass")
        if op in ("+", "-", "*") and not lit:  # floats, and ints exact as floats
            self.emit(f"elif type({a}) is float and (type({b}) is float or "
                      f"(type({b}) is int and F53N < {b} < F53)):")
            self.emit(f"    {r} = {expr}")
            self.emit(f"elif type({b}) is float and type({a}) is int and F53N < {a} < F53:")
            self.emit(f"    {r} = {expr}")
        elif op in _COMPARE and not lit:
            self.emit(f"elif type({a}) is float and type({b}) is float and {a} == {a} and "
                      f"{b} == {b}:")
            self.emit(f"    {r} = {expr}")
        self.emit("else:")
        self.emit(f"    {r} = {general}")

    def is_int(self, x: str) -> bool:
        """Whether Python expression ``x`` (from :meth:`expr`) always holds an int here."""
        return x in self.ints or x.lstrip("-").isdigit()

    def cond_expr(self, e: A.CondExpr) -> str:
        c = self.expr(e.cond)
        r = self.fresh()
        for i, branch in enumerate((e.then, e.else_)):
            self.emit(f"if {c}:" if i == 0 else "else:")
            self.ind += 1
            nodes = expr_nodes(branch, [])
            self.charge(len(nodes), nodes)
            v = self.expr(branch)
            self.emit(f"{r} = {v}")
            self.ind -= 1
        return r

    def index(self, e: A.Index) -> str:
        a = self.expr(e.x)
        if not a.isidentifier():
            t = self.fresh()
            self.emit(f"{t} = {a}")
            a = t
        k = self.expr(e.index)
        p = self.pos(e)
        r = self.fresh()
        for i, (tx, tk, exc) in enumerate((("List", "int", "IndexError"),
                                           ("Dict", "str", "KeyError"))):
            self.emit(f"{'if' if i == 0 else 'elif'} type({a}) is {tx} and type({k}) is {tk}:")
            self.emit("    try:")
            self.emit(f"        {r} = {a}[{k}]")
            self.emit(f"    except {exc}:")
            self.emit(f"        {r} = index_slow({a}, {k}, th, {p})")
        self.emit("else:")
        self.emit(f"    {r} = index_slow({a}, {k}, th, {p})")
        return r

    def call(self, e: A.Call) -> str:
        if any(a.argkind != "pos" for a in e.args):
            if isinstance(e.fn, A.Dot) or any(a.argkind != "named" for a in e.args
                                              if a.argkind != "pos"):
                return self.fallback_expr(e)
            return self.keyword_call(e)
        if isinstance(e.fn, A.Dot):
            return self.method_call(e, e.fn)
        leaf = self.leaf_parts(e)
        if leaf is None:
            return self.plain_call(e)
        # the callee's expression in place of the call, behind the guard of
        # ``leafcall.inline_call`` (whose rules this follows): else the ordinary call
        d, x = leaf
        g, r = self.fresh(), self.fresh()
        defn, name, p = self.const(d), self.const(d.name.name), self.pos(e)
        self.emit(f"{g} = G[{e.fn.binding.index}]")  # type: ignore[attr-defined]
        self.emit(f"if type({g}) is Function and {g}.code.node is {defn} and "
                  f"(s_ := th.steps + {g}.lead) <= th.bound and not th.call_observers:")
        self.ind += 1
        self.emit("th.steps = s_")
        self.emit("try:")
        self.ind += 1
        saved = self.cc.funcname
        self.cc.funcname = d.name.name  # (sites of its conditional parts name the callee)
        try:
            v = self.expr(x)
        finally:
            self.cc.funcname = saved
        self.emit(f"{r} = {v}")
        self.ind -= 1
        self.emit("except EvalError as e_:")
        self.emit(f"    e_._leave({name}, None)")
        self.emit(f"    e_._at({p})")
        self.emit("    raise")
        self.ind -= 1
        self.emit("else:")
        self.ind += 1
        v = self.plain_call(e)
        self.emit(f"{r} = {v}")
        self.ind -= 1
        return r

    def direct(self, text: str, names: dict[str, str], r: str) -> bool:
        """Emit the direct lines of ``methods`` (``return X`` sets ``r``), operands renamed
        by ``names``; afterwards ``r`` is NOTSET when none applied. False if no text."""
        if not text:
            return False
        self.env.update(methods.env())
        for tmp in ("t_", "tx_"):
            names[tmp] = self.fresh()
        pat = re.compile(r"\b(" + "|".join(re.escape(k) for k in names) + r")\b")
        self.emit(f"{r} = NOTSET")
        self.emit("while True:")
        for ln in text.split("\n"):
            if not ln.strip():
                continue
            ln = pat.sub(lambda m: names[m.group(1)], ln)
            body = ln[8:]
            m = re.match(r"^( *)return (.+)$", body)
            if m:
                self.emit(f"    {m.group(1)}{r} = {m.group(2)}")
                self.emit(f"    {m.group(1)}break")
            else:
                self.emit("    " + body)
        self.emit("    break")
        return True

    def method_call(self, e: A.Call, dot: A.Dot) -> str:
        """``x.name(args)``: receiver, then arguments; ``append`` on a list inline, else
        the site's inline cache, else its general path (``MethodSite``)."""
        recv = self.expr(dot.x)
        args = [self.expr(a.value) for a in e.args]
        n = len(args)
        site = self.const(MethodSite(dot.name, n, self.cc.pos(e), self.cc.pos(dot)), "ms")
        r = self.fresh()
        lst = "".join(f"{x}, " for x in args)
        w = self.emit
        names = {"r": recv, **{f"x{i}": x for i, x in enumerate(args)}}
        if self.direct(methods.direct(dot.name, n), names, r):
            w(f"if {r} is not NOTSET:")
            w("    pass")
            w(f"elif type({recv}) is {site}.t:")
        elif dot.name == "get" and n in (1, 2):
            d = args[1] if n == 2 else "None"
            w(f"if type({recv}) is Dict and (type({args[0]}) is str or type({args[0]}) is int):")
            w(f"    {r} = dict_get({recv}, {args[0]}, {d})")
            w(f"elif type({recv}) is {site}.t:")
        elif dot.name == "append" and n == 1:
            w(f"if type({recv}) is List:")
            w(f"    if {recv}.guard:")
            w(f"        {site}.refuse({recv})")
            w(f"    list_append({recv}, {args[0]})")
            w(f"    {r} = None")
            w(f"elif type({recv}) is {site}.t:")
        else:
            w(f"if type({recv}) is {site}.t:")
        w("    try:")
        w(f"        {r} = {site}.m(th, {recv}, {lst})")
        w("    except Exception as e_:")
        w(f"        {site}.failed(e_)")
        w("else:")
        w(f"    {r} = {site}.call(th, {recv}, ({lst}))")
        return r

    def keyword_call(self, e: A.Call) -> str:
        """``f(a, k=v)`` as ``calls._keyword_call`` does it: a Starlark function's frame
        built by the plan its code learnt for this call's shape (``function.plan_of``),
        anything else (or a call that does not bind) by the general path."""
        f = self.expr(e.fn)
        vals = [self.expr(a.value) for a in e.args]
        npos = sum(1 for a in e.args if a.argkind == "pos")
        names = tuple(str(a.name) for a in e.args if a.argkind == "named")
        site = self.const(KeywordSite(npos, names), "ks")
        p = self.pos(e)
        r = self.fresh()
        allv = ", ".join(vals)
        w = self.emit
        w(f"if type({f}) is Function and ({f}.code is {site}.code or {site}.learn({f})) "
          f"and {site}.plan is not None:")
        w(f"    {r} = enter(th, {f}, fill_frame(th, {f}, [{allv}], {site}.plan), {p})")
        w("else:")
        kw = ", ".join(f"{n!r}: {v}" for n, v in zip(names, vals[npos:]))
        w(f"    {r} = call_at(th, {f}, [{''.join(x + ', ' for x in vals[:npos])}], "
          f"{{{kw}}}, {p})")
        return r

    def leaf_parts(self, e: A.Call) -> tuple[A.Def, A.Expr] | None:
        """For a call that ``leafcall`` would inline: the callee's ``def`` and its
        expression with the arguments in place of the parameters."""
        from . import leafcall

        fn = e.fn
        if (not leafcall.ENABLED or not isinstance(fn, A.Ident) or fn.binding is None
                or fn.binding.scope != A.GLOBAL or self.cc.options.recursion):
            return None
        d = fn.binding.sole_def
        if d is None or len(d.params) != len(e.args):
            return None
        if any(not leafcall._pure_arg(a.value) for a in e.args):
            return None
        x = leafcall._body_expr(d)
        if x is None:
            return None
        params = {p.name.binding.index: a.value for p, a in zip(d.params, e.args, strict=True)
                  if p.name is not None and p.name.binding is not None}
        if len(params) != len(e.args):
            return None
        return d, leafcall._substitute(x, params)

    def plain_call(self, e: A.Call) -> str:
        f = self.expr(e.fn)
        fv = self.env.get(f)
        if type(fv) is Builtin:  # a builtin of the universe: called as ``call_value`` does
            args = [self.expr(a.value) for a in e.args]
            p = self.pos(e)
            r = self.fresh()
            lst = "".join(f"{x}, " for x in args)
            names = {"x0": args[0]} if args else {}
            direct = self.direct(methods.direct_builtin(fv, len(args)), names, r)
            if direct:
                self.emit(f"if {r} is NOTSET:")
                self.ind += 1
            self.emit("try:")
            self.emit(f"    {r} = call_builtin(th, {f}, ({lst}), None)")
            self.emit("except EvalError as e_:")
            self.emit(f"    e_._leave({f}.name, None)")
            self.emit(f"    e_._at({p})")
            self.emit("    raise")
            if direct:
                self.ind -= 1
            if _is_len(fv):
                self.ints.add(r)  # (``len`` gives an int or fails)
            return r
        if not f.isidentifier():
            g = self.fresh()
            self.emit(f"{g} = {f}")
            f = g
        args = [self.expr(a.value) for a in e.args]
        p = self.pos(e)
        r = self.fresh()
        n = len(args)
        lst = "".join(f"{x}, " for x in args)
        frame = f"[th, {f}.globals, {lst}*{f}.pad]"
        # the callee's generated body without a frame list, when it has that entry
        run = (f"{f}.direct(th, {f}.globals, {', '.join(args)}) if {f}.direct is not None "
               f"else {f}.body({frame})")
        # the callee's entry as ``calls.enter`` does it, its common paths inline (the one
        # for Options(recursion=True) first when compiled so)
        plain, rec = _CALL_PLAIN, _CALL_REC
        if self.cc.options.recursion:
            plain, rec = rec, plain
        text = ("if type(@F) is Function:\n" + _indent(plain) + "    el" + _indent(rec)[4:]
                + _CALL_REST)
        for k, v in (("@RUN", run), ("@FRAME", frame), ("@F", f), ("@R", r), ("@N", str(n)),
                     ("@P", p), ("@LST", lst)):
            text = text.replace(k, v)
        for ln in text.split("\n"):
            if ln.strip():
                self.emit(ln)
        return r

    # ---- statements --------------------------------------------------------------------

    def block(self, stmts: list[A.Stmt]) -> None:
        """A block whose first group the caller charged (see ``stmts._groups``)."""
        from .stmts import _groups

        for gi, (nodes, gstmts) in enumerate(_groups(stmts)):
            if gi > 0 and gstmts and nodes:
                self.charge(len(nodes), nodes)
            for s in gstmts:
                self.stmt(s)

    def stmt(self, s: A.Stmt) -> None:
        t = type(s)
        if t is A.Assign and self.assign(s):  # type: ignore[arg-type]
            return
        if t is A.AugAssign and self.aug(s):  # type: ignore[arg-type]
            return
        if t is A.ExprStmt:
            self.expr(s.x)  # type: ignore[attr-defined]
            return
        if t is A.Return:
            x = self.expr(s.x) if s.x is not None else "None"  # type: ignore[attr-defined]
            self.emit(f"return {x}")
            return
        if t is A.Pass:
            self.emit("pass")
            return
        if t is A.Break and self.loops:
            self.emit("break")
            return
        if t is A.Continue and self.loops:
            self.emit("continue")
            return
        if t is A.If:
            self.if_(s)  # type: ignore[arg-type]
            return
        if t is A.For and self.for_(s):  # type: ignore[arg-type]
            return
        if t is A.While:
            self.while_(s)  # type: ignore[arg-type]
            return
        self.fallback_stmt(s)

    def fallback_stmt(self, s: A.Stmt) -> None:
        self.fallbacks += 1
        f = self.const(self.cc.stmt(s), "S")
        assigned = bound_slots([s], [])
        self.write_back(s, assigned)
        sig = may_signal(s) or isinstance(s, (A.Break, A.Continue))
        r = self.fresh()
        self.emit(f"{r} = {f}(fr)" if sig else f"{f}(fr)")
        for k in sorted(set(assigned) & self.managed):
            self.emit(f"l{k} = fr[{k}]")
        if sig:
            self.emit(f"if {r} is not None:")
            if self.loops:
                self.emit(f"    if {r} is BREAK:")
                self.emit("        break")
                self.emit(f"    if {r} is CONTINUE:")
                self.emit("        continue")
            self.emit(f"    return {r}[0]")

    def assign(self, s: A.Assign) -> bool:
        lhs = s.lhs
        if self.is_managed(lhs):
            name = f"l{lhs.binding.index}"  # type: ignore[attr-defined]
            rhs = s.rhs
            if isinstance(rhs, A.Binary) and rhs.op not in ("and", "or"):
                v = self.binary(rhs, name)
            else:
                v = self.expr(rhs)
            if v != name:
                self.emit(f"{name} = {v}")
            return True
        if isinstance(lhs, A.Index):  # the value first, then the operands
            v = self.expr(s.rhs)
            a = self.expr(lhs.x)
            k = self.expr(lhs.index)
            p = self.pos(lhs)
            self.emit(f"if type({a}) is Dict and not {a}.guard and (type({k}) is str or "
                      f"type({k}) is int):")
            self.emit(f"    {a}[{k}] = {v}")
            self.emit("else:")
            self.emit(f"    setitem_slow({a}, {k}, {v}, th, {p})")
            return True
        if (isinstance(lhs, (A.TupleExpr, A.ListExpr)) and isinstance(s.rhs, A.TupleExpr)
                and len(lhs.elts) == len(s.rhs.elts)
                and all(self.is_managed(x) for x in lhs.elts)):
            vals = [self.expr(x) for x in s.rhs.elts]
            tmps = []
            for v in vals:
                t = self.fresh()
                self.emit(f"{t} = {v}")
                tmps.append(t)
            for x, t in zip(lhs.elts, tmps):
                self.emit(f"l{x.binding.index} = {t}")  # type: ignore[attr-defined]
            return True
        return False

    def is_managed(self, x: A.Expr) -> bool:
        return (isinstance(x, A.Ident) and x.binding is not None
                and x.binding.scope == A.LOCAL and x.binding.index in self.managed)

    def aug(self, s: A.AugAssign) -> bool:
        lhs = s.lhs
        if isinstance(lhs, A.Index):
            return self.aug_index(s, lhs)
        if not (self.is_managed(lhs) and lhs.safe):  # type: ignore[attr-defined]
            return False
        name = f"l{lhs.binding.index}"  # type: ignore[attr-defined]
        b = self.expr(s.rhs)
        p = self.pos(s)
        r = self.fresh()
        self.binop(s.op, name, b, p, r, aug=True)
        self.emit(f"{name} = {r}")
        return True

    def aug_index(self, s: A.AugAssign, lhs: A.Index) -> bool:
        """``x[k] op= y`` as ``StmtCompiler._aug_index``: the container and the key, the
        old element (a dict entry with a str or int key, a list element in place), the
        right operand, the operator (``inplace``'s errors at the statement), the store."""
        a = self.expr(lhs.x)
        k = self.expr(lhs.index)
        if not a.isidentifier():  # (a literal: no subscript of it in the text)
            t = self.fresh()
            self.emit(f"{t} = {a}")
            a = t
        ip = self.pos(lhs)
        old, v = self.fresh(), self.fresh()
        w = self.emit
        w(f"if type({a}) is Dict and (type({k}) is str or type({k}) is int) and {k} in {a}:")
        w(f"    {old} = {a}[{k}]")
        w(f"elif type({a}) is List and type({k}) is int and -len({a}) <= {k} < len({a}):")
        w(f"    {old} = {a}[{k}]")
        w("else:")
        w(f"    {old} = getitem_at({a}, {k}, th, {ip})")
        y = self.expr(s.rhs)
        self.binop(s.op, old, y, self.pos(s), v, aug=True)
        w(f"if type({a}) is Dict and not {a}.guard and (type({k}) is str or type({k}) is int):")
        w(f"    {a}[{k}] = {v}")
        w(f"elif type({a}) is List and not {a}.guard and type({k}) is int and "
          f"-len({a}) <= {k} < len({a}):")
        w(f"    {a}[{k}] = {v}")
        w("else:")
        w(f"    setitem_slow({a}, {k}, {v}, th, {ip})")
        return True

    def if_(self, s: A.If) -> None:
        c = self.expr(s.cond)
        for i, body in enumerate((s.body, s.orelse)):
            if not body:
                continue
            self.emit(f"if {c}:" if i == 0 else "else:")
            self.ind += 1
            self.lead_block(body)
            self.ind -= 1

    def lead_block(self, body: list[A.Stmt], extra: list[A.Node] = ()) -> None:  # type: ignore[assignment]
        from .stmts import _groups

        lead = [*extra, *_groups(body)[0][0]]
        self.charge(len(lead), lead)
        self.block(body)

    def for_(self, s: A.For) -> bool:
        vs = s.vars
        if self.is_managed(vs):
            targets = [vs]
        elif (isinstance(vs, (A.TupleExpr, A.ListExpr)) and len(vs.elts) == 2
              and all(self.is_managed(x) for x in vs.elts)):
            targets = list(vs.elts)
        else:
            return False
        it = self.expr(s.iterable)
        ip = self.pos(s.iterable)
        seq, held, v = self.fresh("sq"), self.fresh("hd"), self.fresh("v")
        self.emit(f"{seq}, {held} = open_iteration({it}, {ip})")
        self.emit("try:")
        self.ind += 1
        self.emit(f"for {v} in {seq}:")
        self.ind += 1
        from .stmts import _groups

        lead: list[A.Node] = [vs, *_groups(s.body)[0][0]]
        self.charge(len(lead), lead)
        if len(targets) == 1:
            self.emit(f"l{vs.binding.index} = {v}")  # type: ignore[attr-defined]
        else:
            ks = [x.binding.index for x in targets]  # type: ignore[attr-defined]
            assign = self.const(self.cc.assigner(vs), "Asg")
            self.emit(f"if type({v}) is tuple and len({v}) == 2:")
            self.emit(f"    l{ks[0]}, l{ks[1]} = {v}")
            self.emit("else:")
            self.emit(f"    {assign}(fr, {v})")
            self.emit(f"    l{ks[0]} = fr[{ks[0]}]")
            self.emit(f"    l{ks[1]} = fr[{ks[1]}]")
        self.loops += 1
        saved = self.cc.int_slots
        slot = vs.binding.index if len(targets) == 1 else -1  # type: ignore[attr-defined]
        if slot >= 0 and slot not in bound_slots(s.body, []) and self.cc._is_range_call(
                s.iterable):
            # as the closure compiler's ``s_For``: the closures of fallbacks in the body may
            # take the variable for an int64 (it holds an element of the builtin range)
            self.cc.int_slots = saved | {slot}
        try:
            self.block(s.body)
        finally:
            self.cc.int_slots = saved
        self.loops -= 1
        self.ind -= 2
        self.emit("finally:")
        self.emit(f"    if {held} is not None:")
        self.emit(f"        {held}.guard -= 1")
        return True

    def while_(self, s: A.While) -> None:
        self.emit("while True:")
        self.ind += 1
        cnodes = expr_nodes(s.cond, [])
        self.charge(len(cnodes), cnodes)
        c = self.expr(s.cond)
        self.emit(f"if not {c}:")
        self.emit("    break")
        self.loops += 1
        self.lead_block(s.body)
        self.loops -= 1
        self.ind -= 1


#: generated bodies made (for tests and tuning): functions generated, fallbacks inside them
stats = {"generated": 0, "fallbacks": 0, "refused": 0}


def generate(cc: Any, scope: A.Function, body: list[A.Stmt]) -> Closure | None:
    """The body of a qualifying function as one generated Python function (see the module
    docstring), which returns the function's value; None if Python refuses the text (the
    caller then uses the closure body, see ``genrt.value_of``)."""
    from .stmts import _straight

    g = _Gen(cc, scope)
    g.managed.update(bound_slots(body, []))
    params = set(range(2, 2 + scope.nparams))
    g.ints.update(f"l{k}" for k in _int_locals(cc, body, g.managed - params))
    straight = _straight(body)
    # the frame is [thread, globals, *locals] (no free cells in a qualifying function)
    names = ["th", "G"] + [f"l{k}" if k in g.managed else "_" for k in range(2, g.nslots)]
    g.emit(f"{', '.join(names)}, = fr")
    if straight is not None:  # one group, charged by the caller
        for s in straight:
            g.stmt(s)
    else:
        g.block(body)
    g.emit("return None")
    consts = [k for k in g.env if k not in _BASE_ENV]
    text = "\n".join("    " + ln for ln in g.lines[1:])
    src = (f"def factory({', '.join(consts)}):\n    def body_(fr):\n        {g.lines[0].strip()}\n"
           f"{text}\n")
    direct = (not scope.has_varargs and not scope.has_kwargs and not scope.num_kwonly
              and not re.search(r"\bfr\b", text))
    if direct:
        # the same body taking its parameters as Python arguments (``Function.direct``:
        # generated code calls it with no frame list)
        args = ", ".join(["th", "G"] + [f"l{k}" for k in sorted(params)])
        others = sorted(g.managed - params)
        src += f"    def direct_({args}):\n"
        if others:
            src += f"        {' = '.join(f'l{k}' for k in others)} = UNBOUND\n"
        src += f"{text}\n    body_.direct = direct_\n"
    src += "    return body_\n"
    factory = _factories.get(src)
    if factory is None:
        ns = dict(_BASE_ENV)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                code = compile(src, f"<starlite body {cc.funcname}>", "exec")
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            # (Python's own limits: statically nested blocks, nesting of expressions)
            stats["refused"] += 1
            return None
        exec(code, ns)  # noqa: S102
        factory = ns["factory"]
        if len(_factories) < MAX_FACTORIES:
            _factories[src] = factory
    fn: Closure = factory(*[g.env[k] for k in consts])
    stats["generated"] += 1
    stats["fallbacks"] += g.fallbacks
    fn._source = src  # type: ignore[attr-defined]
    return fn


#: generated sources -> their compiled factories (the same body text in another run, or in
#: another function, is compiled once)
_factories: dict[str, Callable[..., Closure]] = {}
MAX_FACTORIES = 4096


_INT_RESULT = ("+", "-", "*", "//", "%")


def _int_locals(cc: Any, body: list[A.Stmt], candidates: set[int]) -> set[int]:
    """The locals (among ``candidates``, which are not parameters) that only ever hold ints:
    every binding assigns an int literal, an int operator (``+ - * // %``) of such locals
    and int literals, or an element of the builtin ``range``; ``op=`` likewise. (An int
    operator on ints gives an int or fails, by either path.)"""
    binds: list[tuple[int, Any]] = []  # (slot, expression or a marker)
    other: set[int] = set()

    def visit(stmts: list[A.Stmt]) -> None:
        for s in stmts:
            x: Any = s
            t = type(s)
            if t is A.Assign and type(x.lhs) is A.Ident:
                binds.append((_slot(x.lhs), x.rhs))
            elif t is A.AugAssign and type(x.lhs) is A.Ident:
                if x.op in _INT_RESULT:
                    binds.append((_slot(x.lhs),
                                  A.Binary(x.op, x.lhs, x.rhs, x.line, x.col)))
                else:
                    other.add(_slot(x.lhs))
            elif t is A.For and type(x.vars) is A.Ident and cc._is_range_call(x.iterable):
                binds.append((_slot(x.vars), "range"))
                visit(x.body)
            elif t is A.For or t is A.While:
                if t is A.For:
                    other.update(local_slots(x.vars, []))
                visit(x.body)
            elif t is A.If:
                visit(x.body)
                visit(x.orelse)
            else:
                other.update(bound_slots([s], []))

    visit(body)
    ints = set(candidates) - other

    def is_int(e: Any) -> bool:
        if e == "range":
            return True
        if isinstance(e, A.Literal):
            return type(e.value) is int
        if isinstance(e, A.Ident):
            b = e.binding
            return b is not None and b.scope == A.LOCAL and b.index in ints
        if isinstance(e, A.Binary):
            return e.op in _INT_RESULT and is_int(e.x) and is_int(e.y)
        if isinstance(e, A.Unary):
            return e.op == "-" and is_int(e.x)
        if isinstance(e, A.Call) and isinstance(e.fn, A.Ident) and e.fn.binding is not None:
            return (e.fn.binding.scope == A.UNIVERSAL and len(e.args) == 1
                    and e.args[0].argkind == "pos" and _is_len(cc.universe.get(e.fn.name)))
        return False

    changed = True
    while changed:
        changed = False
        for k, e in binds:
            if k in ints and not is_int(e):
                ints.discard(k)
                changed = True
    return ints


def _slot(ident: Any) -> int:
    return ident.binding.index  # type: ignore[no-any-return]


def _is_len(f: Any) -> bool:
    """Whether ``f`` is the universe's ``len`` (which gives an int or fails)."""
    from ..builtins import UNIVERSE  # (the builtins import the compiler)

    return type(f) is Builtin and f.recv is None and UNIVERSE.get("len") is f
