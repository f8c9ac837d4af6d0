"""Compiling statements, blocks and function bodies into closures.

A statement closure ``s(frame)`` returns None to fall through, or a signal (``BREAK``,
``CONTINUE``, or a 1-tuple holding a returned value); only statements that can produce a signal
are checked for one.

A block is split into *charge groups*: a run of simple statements plus, at its end, the header
of one compound statement (``if``/``for``/``while``). A group's steps are charged once, when it
starts. The first group of a block is charged by whoever enters the block (the loop iteration,
the ``if`` branch, the function call) together with its own step, so a one-statement loop body
costs a single counter update per iteration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import EvalError
from ..observe.events import StepSite
from ..observe.observer import notify_call, notify_return
from ..syntax import ast as A
from ..thread import MAX_DEPTH
from ..values.arith import inplace
from ..values.collect import unpack_elements
from ..values.core import UNBOUND, Dict, List, type_name
from ..values.ops import get_attr, get_index, set_attr, set_index
from . import codegen, flat, genrt, lazy
from .binops import M, make_binary
from .calls import compile_call_stmt, compile_call_store
from .core import (
    BREAK,
    CONTINUE,
    bound_slots,
    expr_nodes,
    is_compound,
    learn_method,
    may_signal,
    open_iteration,
    stmt_nodes,
)
from .exprs import Closure, ExprCompiler, _err, _with_pos
from .function import Code, Function
from .fuse import fusable, fuse
from .inline import inline_body
from .shapes import loop_variant, make, template

Assigner = Callable[[list[Any], Any], None]

_IF_SRC = """
        {READ0}
        if c:
            th = fr[0]
            s_ = th.steps + BK
            th.steps = s_
            if s_ > th.bound:
                th.overflow(BK, BSITE)
            return BODY(fr)
        return None"""

_IF_ELSE_SRC = """
        {READ0}
        th = fr[0]
        if c:
            s_ = th.steps + BK
            th.steps = s_
            if s_ > th.bound:
                th.overflow(BK, BSITE)
            return BODY(fr)
        s_ = th.steps + OK
        th.steps = s_
        if s_ > th.bound:
            th.overflow(OK, OSITE)
        return ORELSE(fr)"""

_SWAP_SRC = """
        {READ0}
        {READ1}
        fr[I0] = v0
        fr[I1] = v1"""

_SETITEM_SRC = """
        {READ0}
        {READ1}
        {READ2}
        if type(a) is Dict and not a.guard and (type(k) is str or type(k) is int):
            a[k] = v
            return
        slow(a, k, v, fr[0])"""
MN = -M

# name = value (for a local or a global: the template's `store` variants)
_ASSIGN_SRC = """
        {READ0}
        return v0"""

# x[k] op= y (see StmtCompiler._aug_index)
_AUG_INDEX_SRC = """
        {READ0}
        {READ1}
        ta = type(a)
        tk = type(k)
        if ta is Dict and (tk is str or tk is int) and k in a:
            old = a[k]
        elif ta is List and tk is int and -len(a) <= k < len(a):
            old = a[k]
        else:
            old = get_slow(a, k, fr[0])
        {READ2}
        {VALUE}
        if ta is Dict and not a.guard and (tk is str or tk is int):
            a[k] = v
            return
        if ta is List and not a.guard and tk is int and -len(a) <= k < len(a):
            a[k] = v
            return
        set_slow(a, k, v, fr[0])"""
# the new value, for + and - (ints of modest size inline)
_AUG_INT = """if type(old) is int and type(y) is int:
            v = old OP y
            if not MN < v < M:
                v = apply(fr[0], old, y)
        else:
            v = apply(fr[0], old, y)"""
_NAMES_AUG = {"+": "_add", "-": "_sub"}


def charge_fn(k: int, site: StepSite, run: Closure) -> Closure:
    """``run`` preceded by a charge of ``k`` steps."""
    if k == 0:
        return run

    def charged(fr: list[Any]) -> Any:
        th = fr[0]
        s = th.steps + k
        th.steps = s
        if s > th.bound:
            th.overflow(k, site)
        return run(fr)

    return charged


class StmtCompiler(ExprCompiler):
    def __init__(self, filename: str, universe: dict[str, Any], options: Any,
                 predeclared_slot: dict[str, int]) -> None:
        self.filename = filename
        self.funcname = "<toplevel>"
        self.universe = universe
        self.options = options
        self.predeclared_slot = predeclared_slot

    # ---- blocks ------------------------------------------------------------------------

    def block(self, stmts: list[A.Stmt]) -> tuple[Closure, list[A.Node]]:
        """Compile a block; returns (run, lead nodes). The caller charges the lead nodes
        before calling ``run``."""
        groups = _groups(stmts)
        units: list[tuple[Closure, bool]] = []
        lead: list[A.Node] = groups[0][0]
        for gi, (nodes, gstmts) in enumerate(groups):
            closures = [(self.stmt(s), may_signal(s)) for s in gstmts]
            if gi > 0 and closures and nodes:
                c0, sig0 = closures[0]
                if flat.ENABLED:
                    c0 = flat.charged(len(nodes), self.site(nodes), c0, sig0)
                else:
                    c0 = charge_fn(len(nodes), self.site(nodes), c0)
                closures[0] = (c0, sig0)
            units.extend(closures)
        return _sequence(units), lead

    _stmt_methods: dict[type, Callable[..., Closure]] = {}  # as ExprCompiler._expr_methods

    def stmt(self, s: A.Stmt) -> Closure:
        m = self._stmt_methods.get(type(s))
        if m is None:
            m = learn_method(type(self), "_stmt_methods", "s_", type(s))
        return m(self, s)  # type: ignore[no-any-return]

    # ---- simple statements -------------------------------------------------------------

    def s_ExprStmt(self, s: A.ExprStmt) -> Closure:
        if isinstance(s.x, A.Call):
            one = compile_call_stmt(self, s.x)
            if one is not None:
                return one
        x = self.expr(s.x)

        def expr_stmt(fr: list[Any]) -> None:
            x(fr)

        return expr_stmt

    def s_Pass(self, s: A.Pass) -> Closure:
        return lambda fr: None

    def s_Break(self, s: A.Break) -> Closure:
        if flat.ENABLED:
            return flat.signal("BREAK", BREAK)
        return lambda fr: BREAK

    def s_Continue(self, s: A.Continue) -> Closure:
        if flat.ENABLED:
            return flat.signal("CONTINUE", CONTINUE)
        return lambda fr: CONTINUE

    def s_Return(self, s: A.Return) -> Closure:
        if flat.ENABLED:
            return flat.returns(self.operand(s.x) if s.x is not None else ("C", None))
        if s.x is None:
            return lambda fr: (None,)
        x = self.expr(s.x)

        def ret(fr: list[Any]) -> Any:
            return (x(fr),)

        return ret

    def s_Assign(self, s: A.Assign) -> Closure:
        lhs = s.lhs
        if isinstance(lhs, A.Ident) and lhs.binding is not None and lhs.binding.scope == A.LOCAL:
            i = lhs.binding.index
            rhs = s.rhs
            if isinstance(rhs, A.Call):
                one = compile_call_store(self, rhs, i)
                if one is not None:
                    return one
            if isinstance(rhs, A.Binary) and rhs.op not in ("and", "or"):
                if fusable(rhs):
                    x = self.expr(rhs)

                    def assign_generic(fr: list[Any]) -> None:
                        fr[i] = x(fr)

                    return fuse(rhs, assign_generic, store=i, ints=self.int_slots)
                return make_binary(rhs.op, self.operand(rhs.x), self.operand(rhs.y),
                                   self.pos(rhs), store=i)
            if flat.ENABLED:  # the value's template text inline (see `shapes.make`)
                v = self.operand(rhs)
                return make(template("assign", _ASSIGN_SRC, (v[0],), {}, store=True), v[1], i)
            x = self.expr(rhs)

            def assign_local(fr: list[Any]) -> None:
                fr[i] = x(fr)

            return assign_local
        if (
            flat.ENABLED and isinstance(lhs, A.Ident) and lhs.binding is not None
            and lhs.binding.scope == A.GLOBAL
        ):
            v = self.operand(s.rhs)
            return make(template("assign", _ASSIGN_SRC, (v[0],), {}, store=True,
                                 store_global=True), v[1], lhs.binding.index)
        if (
            isinstance(lhs, (A.TupleExpr, A.ListExpr))
            and isinstance(s.rhs, A.TupleExpr)
            and len(lhs.elts) == len(s.rhs.elts) == 2
            and all(
                isinstance(t, A.Ident) and t.binding is not None and t.binding.scope == A.LOCAL
                for t in lhs.elts
            )
        ):
            # a, b = x, y on locals: no tuple is built
            i0 = lhs.elts[0].binding.index  # type: ignore[attr-defined]
            i1 = lhs.elts[1].binding.index  # type: ignore[attr-defined]
            s0 = self.operand(s.rhs.elts[0])
            s1 = self.operand(s.rhs.elts[1])
            factory = template("swap", _SWAP_SRC, (s0[0], s1[0]), {}, "I0, I1", discard=True)
            return make(factory, s0[1], s1[1], i0, i1)
        if isinstance(lhs, A.Index):
            return self._set_item(lhs, s.rhs)
        x = self.expr(s.rhs)
        assign = self.assigner(lhs)

        def assign_stmt(fr: list[Any]) -> None:
            assign(fr, x(fr))

        return assign_stmt

    def _set_item(self, lhs: A.Index, rhs: A.Expr) -> Closure:
        """``x[k] = v``: the value first, then the operands, all read by shape."""
        pos = self.pos(lhs)

        def slow(a: Any, k: Any, v: Any, th: Any) -> None:
            try:
                set_index(a, k, v, th)
            except EvalError as err:
                err._at(pos)
                raise

        sv = self.operand(rhs)
        sx = self.operand(lhs.x)
        sk = self.operand(lhs.index)
        factory = template("setitem", _SETITEM_SRC, (sv[0], sx[0], sk[0]), {"Dict": Dict},
                           "slow", ("v", "a", "k"), discard=True)
        return make(factory, sv[1], sx[1], sk[1], slow)

    def assigner(self, t: A.Expr) -> Assigner:
        if isinstance(t, A.Ident):
            b = t.binding
            assert b is not None
            i = b.index
            if b.scope == A.LOCAL:

                def set_local(fr: list[Any], v: Any) -> None:
                    fr[i] = v

                return set_local
            if b.scope in (A.CELL, A.FREE):

                def set_cell(fr: list[Any], v: Any) -> None:
                    fr[i][0] = v

                return set_cell
            if b.scope == A.GLOBAL:

                def set_global(fr: list[Any], v: Any) -> None:
                    fr[1][i] = v

                return set_global
            raise AssertionError(f"cannot assign to {b.scope} {t.name}")
        if isinstance(t, (A.TupleExpr, A.ListExpr)):
            subs = [self.assigner(x) for x in t.elts]
            n = len(subs)
            pos = self.pos(t)

            def unpack(fr: list[Any], v: Any) -> None:
                tv = type(v)
                if tv is tuple or tv is List:
                    items = v
                    m = len(items)
                else:
                    r = _with_pos(unpack_elements, pos, fr[0], v, n)  # charged
                    if r is None:
                        raise _err(f"got {type_name(v)} in sequence assignment", pos)
                    items, m = r
                if m != n:
                    raise _err(
                        f"too {'many' if m > n else 'few'} values to unpack (got {m}, want {n})",
                        pos,
                    )
                for a, x in zip(subs, items):
                    a(fr, x)

            return unpack
        if isinstance(t, A.Index):
            xf = self.expr(t.x)
            kf = self.expr(t.index)
            pos = self.pos(t)

            def set_item(fr: list[Any], v: Any) -> None:
                a = xf(fr)
                k = kf(fr)
                if type(a) is Dict and not a.guard and (type(k) is str or type(k) is int):
                    a[k] = v
                    return
                try:
                    set_index(a, k, v, fr[0])
                except EvalError as err:
                    err._at(pos)
                    raise

            return set_item
        if isinstance(t, A.Dot):
            xf = self.expr(t.x)
            name = t.name
            pos = self.pos(t)

            def set_field(fr: list[Any], v: Any) -> None:
                try:
                    set_attr(xf(fr), name, v)
                except EvalError as err:
                    err._at(pos)
                    raise

            return set_field
        raise AssertionError(f"bad assignment target {type(t).__name__}")

    def s_AugAssign(self, s: A.AugAssign) -> Closure:
        op = s.op
        pos = self.pos(s)
        y = self.expr(s.rhs)
        lhs = s.lhs

        def apply(th: Any, a: Any, b: Any) -> Any:
            try:
                return inplace(th, op, a, b)
            except EvalError as err:
                err._at(pos)
                raise

        if isinstance(lhs, A.Ident):
            get = self.expr(lhs)
            b = lhs.binding
            assert b is not None
            if op == "+" and ((b.scope == A.LOCAL and lhs.safe) or b.scope == A.GLOBAL):
                # what the template of the fast path (`make_binary`) does: strings below
                # its size bound are joined with nothing charged
                charging = apply

                def apply(th: Any, a: Any, b: Any) -> Any:
                    if type(a) is str and type(b) is str and len(a) < 4096 and len(b) < 4096:
                        return a + b
                    return charging(th, a, b)
            if flat.ENABLED and ((b.scope == A.LOCAL and lhs.safe) or b.scope == A.GLOBAL):
                # one template closure: the operator's fast paths, `inplace` for the rest
                glob = b.scope == A.GLOBAL
                stmt = make_binary(op, self.operand(lhs), self.operand(s.rhs), pos,
                                   store=b.index, aug=True, store_global=glob)
                synth = A.Binary(op, lhs, s.rhs, s.line, s.col)
                if not glob and fusable(synth):
                    return fuse(synth, stmt, store=b.index, ints=self.int_slots)
                return stmt
            if b.scope == A.LOCAL and op in ("+", "-"):
                i = b.index
                plus = op == "+"

                def aug_local(fr: list[Any]) -> None:
                    a = fr[i]
                    v = y(fr)
                    if type(a) is int and type(v) is int:
                        r = a + v if plus else a - v
                        if MN < r < M:
                            fr[i] = r
                            return
                    if a is UNBOUND:
                        get(fr)  # raises "referenced before assignment"
                    fr[i] = apply(fr[0], a, v)

                synth = A.Binary(op, lhs, s.rhs, s.line, s.col)
                if lhs.safe and fusable(synth):
                    return fuse(synth, aug_local, store=i, ints=self.int_slots)
                return aug_local
            put = self.assigner(lhs)

            def aug_name(fr: list[Any]) -> None:
                put(fr, apply(fr[0], get(fr), y(fr)))

            return aug_name
        if isinstance(lhs, A.Index) and flat.ENABLED:
            return self._aug_index(lhs, s.rhs, op, apply)
        if isinstance(lhs, A.Index):
            xf = self.expr(lhs.x)
            kf = self.expr(lhs.index)
            ipos = self.pos(lhs)

            def aug_index(fr: list[Any]) -> None:
                a = xf(fr)
                k = kf(fr)
                try:
                    old = get_index(a, k, fr[0])
                except EvalError as err:
                    err._at(ipos)
                    raise
                v = apply(fr[0], old, y(fr))
                try:
                    set_index(a, k, v, fr[0])
                except EvalError as err:
                    err._at(ipos)
                    raise

            return aug_index
        assert isinstance(lhs, A.Dot)
        xf = self.expr(lhs.x)
        name = lhs.name
        dpos = self.pos(lhs)

        def aug_dot(fr: list[Any]) -> None:
            a = xf(fr)
            try:
                old = get_attr(a, name)
                v = apply(fr[0], old, y(fr))
                set_attr(a, name, v)
            except EvalError as err:
                err._at(dpos)
                raise

        return aug_dot

    def _aug_index(self, lhs: A.Index, rhs: A.Expr, op: str, apply: Any) -> Closure:
        """``x[k] op= y``: operands read by shape; a dict entry with a str or int key, or a
        list element, read and written in place; ``+``/``-`` of ints inline."""
        ipos = self.pos(lhs)

        def get_slow(a: Any, k: Any, th: Any) -> Any:
            try:
                return get_index(a, k, th)
            except EvalError as err:
                err._at(ipos)
                raise

        def set_slow(a: Any, k: Any, v: Any, th: Any) -> None:
            try:
                set_index(a, k, v, th)
            except EvalError as err:
                err._at(ipos)
                raise

        shapes = [self.operand(lhs.x), self.operand(lhs.index), self.operand(rhs)]
        value = _AUG_INT.replace("OP", op) if op in ("+", "-") else "v = apply(fr[0], old, y)"
        src, kind = _AUG_INDEX_SRC.replace("{VALUE}", value), ""
        if flat.ENABLED and shapes[1][0] == "C" and type(shapes[1][1]) in (int, str):
            # a constant key (d["n"] += 1, xs[0] += 1): its type tests done here
            kind = "_i" if type(shapes[1][1]) is int else "_s"
            src = src.replace("        tk = type(k)\n", "").replace(
                " and (tk is str or tk is int)", "").replace(
                " and tk is int", "" if kind == "_i" else " and False")
        factory = template("aug_index" + _NAMES_AUG.get(op, "") + kind, src,
                           tuple(k for k, _ in shapes), {"Dict": Dict, "List": List, "M": M,
                                                         "MN": MN},
                           "get_slow, set_slow, apply", ("a", "k", "y"), discard=True)
        return make(factory, *[v for _, v in shapes], get_slow, set_slow, apply)

    # ---- compound statements ---------------------------------------------------------

    def s_If(self, s: A.If) -> Closure:
        cond = self.operand(s.cond)  # `if x:` on a local reads the slot directly
        body, blead = self.block(s.body)
        bk = len(blead)
        bsite = self.site(blead)
        if s.orelse:
            orelse, olead = self.block(s.orelse)
            factory = template("if_else", _IF_ELSE_SRC, (cond[0],), {},
                               "BODY, BK, BSITE, ORELSE, OK, OSITE", ("c",))
            made = make(factory, cond[1], body, bk, bsite, orelse, len(olead),
                        self.site(olead))
            return inline_body(inline_body(made, "BODY"), "ORELSE")  # type: ignore[no-any-return]
        factory = template("if_then", _IF_SRC, (cond[0],), {}, "BODY, BK, BSITE", ("c",))
        made = make(factory, cond[1], body, bk, bsite)
        return inline_body(made, "BODY")  # type: ignore[no-any-return]

    def s_For(self, s: A.For) -> Closure:
        it_f = self.expr(s.iterable)
        ipos = self.pos(s.iterable)
        vars_ = s.vars
        slot = -1
        if isinstance(vars_, A.Ident) and vars_.binding is not None and (
            vars_.binding.scope == A.LOCAL
        ):
            slot = vars_.binding.index
        saved_ints = self.int_slots
        kept = slot >= 0 and slot not in bound_slots(s.body, [])
        if kept and self._is_range_call(s.iterable):
            # the variable holds an element of a builtin range (an int64) all through the body
            self.int_slots = saved_ints | {slot}
        try:
            body, blead = self.block(s.body)
        finally:
            self.int_slots = saved_ints
        nodes: list[A.Node] = [s.vars, *blead]
        k = len(nodes)
        site = self.site(nodes)
        signals = any(may_signal(x) for x in s.body)
        assign = self.assigner(vars_)

        if slot >= 0 and not signals:
            one = loop_variant(body, it_f, ipos, k, site, slot, live=kept)
            if one is not None:
                return one
        if flat.ENABLED:
            bind, target = "any", None
            target_: Any = None
            if slot >= 0:
                bind, target = "local", slot
            elif isinstance(vars_, A.Ident) and vars_.binding is not None and (
                    vars_.binding.scope == A.GLOBAL):
                bind, target = "global", vars_.binding.index
            elif (isinstance(vars_, (A.TupleExpr, A.ListExpr)) and len(vars_.elts) == 2
                  and all(isinstance(x, A.Ident) and x.binding is not None
                          and x.binding.scope == A.LOCAL for x in vars_.elts)):
                bind = "pair"
                target_ = tuple(x.binding.index for x in vars_.elts)  # type: ignore[attr-defined]
            return flat.for_loop(self.operand(s.iterable), ipos, k, site, bind,
                                 target if target_ is None else target_, assign,
                                 body, signals)

            def for_local(fr: list[Any]) -> None:
                seq, held = open_iteration(it_f(fr), ipos)
                th = fr[0]
                try:
                    for v in seq:
                        s_ = th.steps + k
                        th.steps = s_
                        if s_ > th.bound:
                            th.overflow(k, site)
                        fr[slot] = v
                        body(fr)
                finally:
                    if held is not None:
                        held.guard -= 1

            return for_local

        def for_(fr: list[Any]) -> Any:
            seq, held = open_iteration(it_f(fr), ipos)
            th = fr[0]
            try:
                for v in seq:
                    s_ = th.steps + k
                    th.steps = s_
                    if s_ > th.bound:
                        th.overflow(k, site)
                    assign(fr, v)
                    r = body(fr)
                    if r is not None:
                        if r is BREAK:
                            break
                        if r is CONTINUE:
                            continue
                        return r
            finally:
                if held is not None:
                    held.guard -= 1
            return None

        return for_

    def s_While(self, s: A.While) -> Closure:
        c = self.expr(s.cond)
        cnodes = expr_nodes(s.cond, [])
        ck = len(cnodes)
        csite = self.site(cnodes)
        body, blead = self.block(s.body)
        if flat.ENABLED and not any(may_signal(x) for x in s.body):
            return flat.while_loop(self.operand(s.cond), ck, csite, body, len(blead),
                                   self.site(blead))
        body = charge_fn(len(blead), self.site(blead), body)

        def while_(fr: list[Any]) -> Any:
            th = fr[0]
            while True:
                s_ = th.steps + ck
                th.steps = s_
                if s_ > th.bound:
                    th.overflow(ck, csite)
                if not c(fr):
                    return None
                r = body(fr)
                if r is not None:
                    if r is BREAK:
                        return None
                    if r is CONTINUE:
                        continue
                    return r

        return while_

    # ---- def, lambda, load ------------------------------------------------------------

    def s_Def(self, s: A.Def) -> Closure:
        make = self.function_value(s, s.params, s.body, None)
        put = self.assigner(s.name)

        def def_(fr: list[Any]) -> None:
            put(fr, make(fr))

        return def_

    def function_value(
        self,
        node: A.Def | A.Lambda,
        params: list[A.Param],
        body_stmts: list[A.Stmt] | None,
        body_expr: A.Expr | None,
    ) -> Closure:
        """Compile a function once; return the closure that makes its value at run time."""
        scope = node.scope
        assert scope is not None
        name = scope.name
        code = Code(name, self.filename, node.line, node.col)
        code.node = node if isinstance(node, A.Def) else None
        code.param_names = [p.name.name for p in scope.params if p.name is not None]
        code.param_index = {n: i for i, n in enumerate(code.param_names)}
        code.nparams = len(code.param_names)
        code.nkwonly = scope.num_kwonly
        code.npos = code.nparams - code.nkwonly
        code.has_varargs = scope.has_varargs
        code.has_kwargs = scope.has_kwargs
        slot = 2 + code.nparams
        if scope.has_varargs:
            code.varargs_slot = slot
            slot += 1
        if scope.has_kwargs:
            code.kwargs_slot = slot
        code.nlocals = len(scope.locals)
        code.cells = list(scope.cells)
        if not scope.has_varargs and not scope.has_kwargs and not scope.num_kwonly:
            code.fast_arity = code.nparams
        recursion = self.options.recursion
        # a body generated as one Python function (see codegen) returns its value itself
        gen = body_stmts is not None and codegen.ENABLED and codegen.qualifies(scope)
        if body_stmts is not None and lazy.ENABLED and scope.size <= lazy.MAX_NODES:
            # build the body on the first call (see compile.lazy); what calls need first
            # is planned here from the statements alone
            value_body, lead = _body_plan(body_stmts)
            value_body = value_body or gen
            lead_site = StepSite(name, self.filename, lead)

            def build() -> tuple[Closure, Closure]:
                run, built = self._body(name, body_stmts, None, scope if gen else None)
                code.direct = getattr(run, "direct", None)
                assert len(built) == len(lead)
                return run, make_invoke(code, run, lead, lead_site, recursion, value_body)

            lazy.defer(code, build)
        else:
            value_body = body_stmts is None or _straight(body_stmts) is not None or gen
            run, lead = self._body(name, body_stmts, body_expr, scope if gen else None)
            code.direct = getattr(run, "direct", None)
            lead_site = StepSite(name, self.filename, lead)  # charged inside the callee
            code.body = run
            code.invoke = make_invoke(code, run, lead, lead_site, recursion, value_body)
        code.lead = len(lead)
        code.site = lead_site
        code.plain = value_body and not code.cells and not self.options.recursion
        code.signal_plain = (not value_body and not code.cells and not self.options.recursion
                             and flat.ENABLED)
        code.deep = self.options.recursion
        if self.options.recursion and not code.cells and flat.ENABLED:
            code.rec_plain = 1 if value_body else 2
        code.leaf = not scope.makes_calls
        # what the def evaluates at run time: defaults and captured cells
        defaults: list[tuple[int, Closure]] = []
        named = [p for p in params if p.paramkind in ("plain", "default")]
        for i, p in enumerate(named):
            if p.default is not None:
                defaults.append((i, self.expr(p.default)))
        nnamed = len(named)
        free_slots = [b.index for b in scope.freevars]

        def make(fr: list[Any]) -> Function:
            ds = [UNBOUND] * nnamed
            for i, d in defaults:
                ds[i] = d(fr)
            cells = tuple([fr[j] for j in free_slots])
            return Function(code, fr[1], tuple(ds), cells)

        return make

    def _body(self, name: str, body_stmts: list[A.Stmt] | None, body_expr: A.Expr | None,
              gen: A.Function | None = None) -> tuple[Closure, list[A.Node]]:
        """Compile a function body in the function's own context: (run, lead nodes); with
        ``gen`` (the function's scope), a ``def`` body as one generated Python function that
        returns the function's value (``codegen``)."""
        saved = self.funcname
        saved_ints = self.int_slots  # slots of the enclosing frame mean nothing in this one
        self.funcname = name
        self.int_slots = frozenset()
        try:
            if gen is not None:
                assert body_stmts is not None
                run = codegen.generate(self, gen, body_stmts)
                if run is not None:
                    return run, _body_plan(body_stmts)[1]
            if body_stmts is not None:
                straight = self.value_block(body_stmts)
                if straight is not None:
                    return straight
                run, lead = self.block(body_stmts)
                if gen is not None:  # (Python refused the generated text) the value itself
                    return genrt.value_of(run), lead
                return run, lead
            assert body_expr is not None
            return self.expr(body_expr), expr_nodes(body_expr, [])
        finally:
            self.funcname = saved
            self.int_slots = saved_ints

    def value_block(self, stmts: list[A.Stmt]) -> tuple[Closure, list[A.Node]] | None:
        """A function body of simple statements (optionally ending in ``return``) compiles to
        a closure returning the function's value directly, with no signal tuple."""
        body = _straight(stmts)
        if body is None:
            return None
        lead: list[A.Node] = []
        for s in body:
            stmt_nodes(s, lead)
        last = body[-1] if body else None
        if flat.ENABLED and isinstance(last, A.Return) and last.x is not None and len(body) > 1:
            init = [self.stmt(s) for s in body[:-1]]
            return flat.sequence(init, [False] * len(init), self.operand(last.x)), lead
        if isinstance(last, A.Return):
            init = [self.stmt(s) for s in body[:-1]]
            ret: Closure = self.expr(last.x) if last.x is not None else (lambda fr: None)
        else:
            init = [self.stmt(s) for s in body]
            ret = lambda fr: None  # noqa: E731
        if not init:
            return ret, lead
        if len(init) == 1:
            (a,) = init

            def run1(fr: list[Any]) -> Any:
                a(fr)
                return ret(fr)

            return run1, lead

        def run(fr: list[Any]) -> Any:
            for f in init:
                f(fr)
            return ret(fr)

        return run, lead

    def s_Load(self, s: A.Load) -> Closure:
        module = s.module
        pos = self.pos(s)
        names = [(self.assigner(ident), orig, self.pos(ident)) for ident, orig in s.names]

        def load(fr: list[Any]) -> None:
            th = fr[0]
            try:
                members = th.load(module)
            except EvalError as err:
                err._at(pos)
                raise
            except Exception as e:
                raise _err(f"cannot load {module}: {e}", pos) from e
            for put, orig, p in names:
                try:
                    v = members[orig]
                except (KeyError, TypeError):
                    from ..spell import suggest

                    try:
                        hint = suggest(orig, [str(n) for n in members])
                    except Exception:
                        hint = ""
                    raise _err(f"load: name {orig} not found in module {module}{hint}",
                               p) from None
                from ..values.convert import to_starlark

                put(fr, to_starlark(v))

        return load


def _groups(stmts: list[A.Stmt]) -> list[tuple[list[A.Node], list[A.Stmt]]]:
    """A block's statement groups: each ends at a compound statement (or, the rest being
    unreachable, at a return/break/continue); with the nodes each group charges when it
    starts."""
    groups: list[tuple[list[A.Node], list[A.Stmt]]] = []
    cur_nodes: list[A.Node] = []
    cur: list[A.Stmt] = []
    for s in stmts:
        cur.append(s)
        stmt_nodes(s, cur_nodes)
        if is_compound(s):
            groups.append((cur_nodes, cur))
            cur_nodes, cur = [], []
        elif isinstance(s, (A.Return, A.Break, A.Continue)):
            break  # the rest is unreachable
    if cur or not groups:
        groups.append((cur_nodes, cur))
    return groups


def _straight(stmts: list[A.Stmt]) -> list[A.Stmt] | None:
    """The statements of a function body that ``value_block`` compiles (simple ones, up to a
    ``return``), or None if the body has a compound statement, break or continue first."""
    body: list[A.Stmt] = []
    for s in stmts:
        if is_compound(s) or isinstance(s, (A.Break, A.Continue)):
            return None
        body.append(s)
        if isinstance(s, A.Return):
            break
    return body


def _body_plan(stmts: list[A.Stmt]) -> tuple[bool, list[A.Node]]:
    """Without compiling: whether the body returns its value itself (``value_block``), and
    the nodes its entry charges (what ``value_block`` or ``block`` would return as lead)."""
    body = _straight(stmts)
    if body is None:
        return False, _groups(stmts)[0][0]
    lead: list[A.Node] = []
    for s in body:
        stmt_nodes(s, lead)
    return True, lead


def _sequence(units: list[tuple[Closure, bool]]) -> Closure:
    """Run statements in order, stopping at the first signal."""
    if not units:
        return lambda fr: None
    if len(units) == 1:
        return units[0][0]
    fns = [u for u, _ in units]
    if flat.ENABLED:
        return flat.sequence(fns, [sig for _, sig in units])
    if not any(sig for _, sig in units[:-1]):
        # only the last statement may signal
        if len(fns) == 2:
            a, b = fns

            def seq2(fr: list[Any]) -> Any:
                a(fr)
                return b(fr)

            return seq2
        if len(fns) == 3:
            a, b, c = fns

            def seq3(fr: list[Any]) -> Any:
                a(fr)
                b(fr)
                return c(fr)

            return seq3
        init = fns[:-1]
        last = fns[-1]

        def seqn(fr: list[Any]) -> Any:
            for f in init:
                f(fr)
            return last(fr)

        return seqn

    def seq_signals(fr: list[Any]) -> Any:
        for f in fns:
            r = f(fr)
            if r is not None:
                return r
        return None

    return seq_signals


def make_invoke(
    code: Code, body: Closure, lead: list[A.Node], site: StepSite, recursion: bool,
    value_body: bool,
) -> Callable[[list[Any]], Any]:
    """The per-call work of a function: the recursion check (or, when recursion is allowed,
    the depth limit), the body's leading charge, observers' call events, and recording this
    frame when an error unwinds through it. ``value_body``: the body returns the function's
    value itself rather than a signal."""

    name = code.name
    k = len(lead)
    cells = code.cells

    if not recursion:

        def invoke(fr: list[Any]) -> Any:
            th = fr[0]
            act = th.active
            if code in act:
                raise EvalError(f"function {name} called recursively")
            act.add(code)
            obs = th.call_observers
            if obs:
                notify_call(th, code)
            try:
                s = th.steps + k
                th.steps = s
                if s > th.bound:
                    th.overflow(k, site)
                for c in cells:
                    fr[c] = [fr[c]]
                r = body(fr)
                if obs:
                    notify_return(th, code, None)
            except EvalError as e:
                if obs:
                    notify_return(th, code, e)
                e._leave(name, None)
                raise
            finally:
                act.discard(code)
            if value_body or r is None:
                return r
            return r[0]

        return invoke

    def invoke_rec(fr: list[Any]) -> Any:
        th = fr[0]
        if th.depth >= MAX_DEPTH:
            raise EvalError(f"Starlark stack overflow (call depth exceeds {MAX_DEPTH})")
        th.depth += 1
        obs = th.call_observers
        if obs:
            notify_call(th, code)
        try:
            s = th.steps + k
            th.steps = s
            if s > th.bound:
                th.overflow(k, site)
            for c in cells:
                fr[c] = [fr[c]]
            r = body(fr)
            if obs:
                notify_return(th, code, None)
        except EvalError as e:
            if obs:
                notify_return(th, code, e)
            e._leave(name, None)
            raise
        finally:
            th.depth -= 1
        if value_body or r is None:
            return r
        return r[0]

    return invoke_rec
