"""Compiling expressions into closures ``f(frame) -> value``.

Every expression node becomes one Python closure; no node is dispatched by type at run time.
Frequent shapes get closures that read locals and constants directly instead of calling a
child closure (see ``binops``). Parts of an expression that may not be evaluated (the right of
``and``/``or``, the branches of ``x if c else y``, comprehension bodies) charge their own steps
when they run; everything else was charged by the enclosing statement group (see ``core``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import EvalError, Position
from ..observe.events import StepSite
from ..syntax import ast as A
from ..values.arith import unary
from ..values.core import UNBOUND, Dict, List, Struct
from ..values.keys import put_key
from ..values.ops import check_hashable, get_attr, get_index, get_slice
from . import displays, flat
from .binops import make_binary
from .calls import compile_call
from .comploop import MAX_CLAUSES, Clause
from .comploop import build as build_comprehension
from .core import expr_nodes, learn_method, local_slots, open_iteration
from .fuse import fusable, fuse
from .shapes import make, shape_of, template

Closure = Callable[[list[Any]], Any]



def _err(msg: str, pos: Position) -> EvalError:
    e = EvalError(msg)
    e._at(pos)
    return e


def _with_pos(fn: Callable[..., Any], pos: Position, *args: Any) -> Any:
    try:
        return fn(*args)
    except EvalError as e:
        e._at(pos)
        raise


_INDEX_SRC = """
        {READ0}
        {READ1}
        ta = type(a)
        tk = type(k)
        if tk is int:
            if ta is List or ta is Dict or ta is str or ta is tuple:
                try:
                    return a[k]
                except LookupError:
                    pass
        elif tk is str and ta is Dict:
            try:
                return a[k]
            except KeyError:
                pass
        return slow(a, k, fr[0])"""
# x["key"] and x[3] (a constant str or int key; the rest as in _INDEX_SRC)
_INDEX_STR_SRC = """
        {READ0}
        {READ1}
        if type(a) is Dict:
            try:
                return a[k]
            except KeyError:
                pass
        return slow(a, k, fr[0])"""
_INDEX_INT_SRC = """
        {READ0}
        {READ1}
        ta = type(a)
        if ta is List or ta is tuple or ta is str or ta is Dict:
            try:
                return a[k]
            except LookupError:
                pass
        return slow(a, k, fr[0])"""
_INDEX_ENV: dict[str, Any] = {"List": List, "Dict": Dict}
# x.name: a struct's field, else get_attr (methods, modules, host values, errors)
_DOT_SRC = """
        {READ0}
        if type(a) is Struct:
            try:
                return a.fields[NAME]
            except KeyError:
                pass
        return slow(a)"""
_NOT_SRC = """
        {READ0}
        return not a"""
_NEG_SRC = """
        {READ0}
        if type(a) is int:
            return -a
        return with_pos(unary, POS, fr[0], "-", a)"""
# (a slice of at most 64 elements charges nothing: see ``ExprCompiler.x_Slice``)
_SLICE2_SRC = """
        {READ0}
        {READ1}
        {READ2}
        if (lo is None or type(lo) is int) and (hi is None or type(hi) is int):
            ta = type(a)
            if ta is str or ta is tuple:
                r = a[lo:hi]
                if len(r) <= 64:
                    return r
            elif ta is List:
                r = a[lo:hi]
                if len(r) <= 64:
                    return List(r)
        return slow(a, lo, hi, fr[0])"""
# x[lo:hi:step] (likewise; a zero step is the general path's error)
_SLICE3_SRC = """
        {READ0}
        {READ1}
        {READ2}
        {READ3}
        if type(st) is int and st and (lo is None or type(lo) is int) and (
                hi is None or type(hi) is int):
            ta = type(a)
            if ta is str or ta is tuple:
                r = a[lo:hi:st]
                if len(r) <= 64:
                    return r
            elif ta is List:
                r = a[lo:hi:st]
                if len(r) <= 64:
                    return List(r)
        return slow(a, lo, hi, st, fr[0])"""


class ExprCompiler:
    """Expression half of the compiler; ``StmtCompiler`` (stmts.py) extends it."""

    filename: str
    funcname: str
    universe: dict[str, Any]
    predeclared_slot: dict[str, int]
    options: Any
    loaded: set[str] = set()
    # locals known to hold an int64 where the expression being compiled runs (see shapes)
    int_slots: frozenset[int] = frozenset()

    def pos(self, n: A.Node) -> Position:
        # A plain (filename, line, col) tuple: errors read positions by unpacking, and a
        # compile makes ~90 of them, which as Position (a NamedTuple) cost 5x more.
        return (self.filename, n.line, n.col)  # type: ignore[return-value]

    def site(self, nodes: list[A.Node]) -> StepSite:
        return StepSite(self.funcname, self.filename, nodes)

    # ---- operand shapes --------------------------------------------------------------

    def operand(self, e: A.Expr) -> tuple[str, Any]:
        """How a specialised closure reads ``e`` (see ``shapes``)."""
        return shape_of(self, e)

    # ---- dispatch --------------------------------------------------------------------

    # node class -> the compiling method ``x_<ClassName>``, filled per compiler class on
    # first use (a dict lookup instead of building the name and a bound method per node)
    _expr_methods: dict[type, Callable[..., Closure]] = {}

    def expr(self, e: A.Expr) -> Closure:
        m = self._expr_methods.get(type(e))
        if m is None:
            m = learn_method(type(self), "_expr_methods", "x_", type(e))
        return m(self, e)  # type: ignore[no-any-return]

    # ---- leaves ------------------------------------------------------------------------

    def x_Literal(self, e: A.Literal) -> Closure:
        v = e.value

        def lit(fr: list[Any]) -> Any:
            return v

        return lit

    def x_Ident(self, e: A.Ident) -> Closure:
        b = e.binding
        assert b is not None
        i = b.index
        name = e.name
        if b.scope == A.LOCAL and e.safe:

            def local(fr: list[Any]) -> Any:
                return fr[i]

            return local
        pos = self.pos(e)
        if b.scope == A.LOCAL:

            def local_checked(fr: list[Any]) -> Any:
                v = fr[i]
                if v is UNBOUND:
                    raise _err(f"local variable {name} referenced before assignment", pos)
                return v

            return local_checked
        if b.scope in (A.CELL, A.FREE):

            def cell(fr: list[Any]) -> Any:
                v = fr[i][0]
                if v is UNBOUND:
                    raise _err(f"local variable {name} referenced before assignment", pos)
                return v

            return cell
        if b.scope == A.GLOBAL:
            # names bound by load are file-local in starlark-go: "local variable"
            what = "local" if name in self.loaded else "global"

            def glob(fr: list[Any]) -> Any:
                v = fr[1][i]
                if v is UNBOUND:
                    raise _err(f"{what} variable {name} referenced before assignment", pos)
                return v

            return glob
        if b.scope == A.PREDECLARED:
            j = self.predeclared_slot[name]

            def predeclared(fr: list[Any]) -> Any:
                return fr[1][j]

            return predeclared
        v = self.universe[name]

        def universal(fr: list[Any]) -> Any:
            return v

        return universal

    # ---- displays ----------------------------------------------------------------------

    def x_ListExpr(self, e: A.ListExpr) -> Closure:
        if flat.ENABLED and e.elts and all(type(x) is A.Literal for x in e.elts):
            # (all constants, as in most BUILD files: nothing to compile per element)
            return displays.constant_list(tuple(x.value for x in e.elts))  # type: ignore[attr-defined]
        if flat.ENABLED and 0 < len(e.elts) <= displays.MAX_ELEMENTS:
            fast = displays.list_display([self.operand(x) for x in e.elts])
            if fast is not None:
                return fast
        elts = [self.expr(x) for x in e.elts]
        if not elts:
            return lambda fr: List()
        if len(elts) == 1:
            (a,) = elts
            return lambda fr: List((a(fr),))
        if len(elts) == 2:
            a, b = elts
            return lambda fr: List((a(fr), b(fr)))
        return lambda fr: List([x(fr) for x in elts])

    def x_TupleExpr(self, e: A.TupleExpr) -> Closure:
        elts = [self.expr(x) for x in e.elts]
        if all(isinstance(x, A.Literal) for x in e.elts):
            t = tuple(x.value for x in e.elts)  # type: ignore[attr-defined]
            return lambda fr: t
        if len(elts) == 2:
            a, b = elts
            return lambda fr: (a(fr), b(fr))
        return lambda fr: tuple([x(fr) for x in elts])

    def x_DictExpr(self, e: A.DictExpr) -> Closure:
        if flat.ENABLED and 0 < len(e.entries) <= displays.MAX_ELEMENTS:
            keys = [en.key.value if isinstance(en.key, A.Literal) else None for en in e.entries]
            if displays.constant_keys(keys) and all(type(en.value) is A.Literal
                                                    for en in e.entries):
                return displays.constant_dict(
                    {k: en.value.value for k, en in zip(keys, e.entries)})  # type: ignore[attr-defined]
            if displays.constant_keys(keys):
                fast = displays.dict_display(keys, [self.operand(en.value) for en in e.entries])
                if fast is not None:
                    return fast
        entries = [(self.expr(en.key), self.expr(en.value), self.pos(en)) for en in e.entries]

        def dict_display(fr: list[Any]) -> Any:
            d = Dict()
            for k, v, p in entries:
                key = k(fr)
                val = v(fr)
                tk = type(key)
                if tk is str or tk is int:
                    sk = key
                else:
                    try:
                        check_hashable(key, fr[0])
                    except EvalError as err:
                        err._at(p)
                        raise
                    sk = put_key(d, key)
                if sk in d:
                    from ..values.repr import repr_value

                    raise _err(f"duplicate key: {repr_value(key)}", p)
                d[sk] = val
            return d

        if not entries:
            return lambda fr: Dict()
        return dict_display

    # ---- operators ---------------------------------------------------------------------

    def x_Unary(self, e: A.Unary) -> Closure:
        pos = self.pos(e)
        op = e.op
        if flat.ENABLED and (op == "not" or op == "-"):  # templates, the operand by shape
            sx = self.operand(e.x)
            src = _NOT_SRC if op == "not" else _NEG_SRC
            factory = template("not_" if op == "not" else "neg", src, (sx[0],),
                               {"unary": unary, "with_pos": _with_pos}, "POS", ("a",))
            return make(factory, sx[1], pos)
        x = self.expr(e.x)
        if op == "not":

            def not_(fr: list[Any]) -> Any:
                return not x(fr)

            return not_
        if op == "-":

            def neg(fr: list[Any]) -> Any:
                v = x(fr)
                if type(v) is int:
                    return -v
                return _with_pos(unary, pos, fr[0], "-", v)

            return neg

        def un(fr: list[Any]) -> Any:
            return _with_pos(unary, pos, fr[0], op, x(fr))

        return un

    def charged(self, e: A.Expr) -> Closure:
        """A closure for ``e`` that first charges ``e``'s own unconditional steps (for parts
        of an expression that may not be evaluated)."""
        x = self.expr(e)
        nodes = expr_nodes(e, [])
        k = len(nodes)
        site = self.site(nodes)

        def charge_then(fr: list[Any]) -> Any:
            th = fr[0]
            s = th.steps + k
            th.steps = s
            if s > th.bound:
                th.overflow(k, site)
            return x(fr)

        return charge_then

    def x_Binary(self, e: A.Binary) -> Closure:
        op = e.op
        if (op == "and" or op == "or") and flat.ENABLED:
            nodes = expr_nodes(e.y, [])
            return flat.and_or(op, self.operand(e.x), self.operand(e.y), len(nodes),
                               self.site(nodes))
        if op == "and" or op == "or":
            x = self.expr(e.x)
            y = self.charged(e.y)
            if op == "and":

                def and_(fr: list[Any]) -> Any:
                    v = x(fr)
                    if not v:
                        return v
                    return y(fr)

                return and_

            def or_(fr: list[Any]) -> Any:
                v = x(fr)
                if v:
                    return v
                return y(fr)

            return or_
        generic = make_binary(op, self.operand(e.x), self.operand(e.y), self.pos(e))
        if fusable(e):
            return fuse(e, generic, ints=self.int_slots)
        return generic

    def x_CondExpr(self, e: A.CondExpr) -> Closure:
        c = self.expr(e.cond)
        t = self.charged(e.then)
        f = self.charged(e.else_)

        def cond(fr: list[Any]) -> Any:
            if c(fr):
                return t(fr)
            return f(fr)

        return cond

    # ---- index, slice, dot ------------------------------------------------------------

    def x_Index(self, e: A.Index) -> Closure:
        pos = self.pos(e)

        def slow(a: Any, k: Any, th: Any) -> Any:
            try:
                return get_index(a, k, th)
            except EvalError as err:
                err._at(pos)
                raise
            except TypeError:
                raise _err(f"unhashable type: {type(k).__name__}", pos) from None

        sx = self.operand(e.x)
        sk = self.operand(e.index)
        name, src = "index", _INDEX_SRC
        if flat.ENABLED and sk[0] == "C" and type(sk[1]) in (str, int):
            # a constant key: its type tests done here
            name, src = ("index_s", _INDEX_STR_SRC) if type(sk[1]) is str else (
                "index_i", _INDEX_INT_SRC)
        factory = template(name, src, (sx[0], sk[0]), _INDEX_ENV, "slow", ("a", "k"))
        return make(factory, sx[1], sk[1], slow)

    def x_Slice(self, e: A.Slice) -> Closure:
        if flat.ENABLED:
            return self._slice2(e) if e.step is None else self._slice3(e)
        x = self.expr(e.x)
        none = lambda fr: None  # noqa: E731
        lo = self.expr(e.lo) if e.lo is not None else none
        hi = self.expr(e.hi) if e.hi is not None else none
        st = self.expr(e.step) if e.step is not None else none
        pos = self.pos(e)

        def slice_(fr: list[Any]) -> Any:
            a = x(fr)
            b = lo(fr)
            c = hi(fr)
            d = st(fr)
            try:
                r = get_slice(a, b, c, d)
                n = len(r)
                if n > 64:
                    fr[0].charge(n // 64)
                return r
            except EvalError as err:
                err._at(pos)
                raise

        return slice_

    def _slice2(self, e: A.Slice) -> Closure:
        """``x[lo:hi]``: operands read by shape, a short str, tuple or list slice inline."""
        pos = self.pos(e)

        def slow(a: Any, lo: Any, hi: Any, th: Any) -> Any:
            try:
                r = get_slice(a, lo, hi, None)
                n = len(r)
                if n > 64:
                    th.charge(n // 64)
                return r
            except EvalError as err:
                err._at(pos)
                raise

        shapes = [self.operand(e.x)] + [self.operand(k) if k is not None else ("C", None)
                                        for k in (e.lo, e.hi)]
        factory = template("slice2", _SLICE2_SRC, tuple(k for k, _ in shapes), _INDEX_ENV,
                           "slow", ("a", "lo", "hi"))
        return make(factory, *[v for _, v in shapes], slow)

    def _slice3(self, e: A.Slice) -> Closure:
        """``x[lo:hi:step]``: likewise."""
        pos = self.pos(e)

        def slow(a: Any, lo: Any, hi: Any, st: Any, th: Any) -> Any:
            try:
                r = get_slice(a, lo, hi, st)
                n = len(r)
                if n > 64:
                    th.charge(n // 64)
                return r
            except EvalError as err:
                err._at(pos)
                raise

        shapes = [self.operand(e.x)] + [self.operand(k) if k is not None else ("C", None)
                                        for k in (e.lo, e.hi, e.step)]
        factory = template("slice3", _SLICE3_SRC, tuple(k for k, _ in shapes), _INDEX_ENV,
                           "slow", ("a", "lo", "hi", "st"))
        return make(factory, *[v for _, v in shapes], slow)

    def x_Dot(self, e: A.Dot) -> Closure:
        name = e.name
        pos = self.pos(e)
        if flat.ENABLED:  # a struct's field inline, the operand read by shape

            def slow_dot(a: Any) -> Any:
                try:
                    return get_attr(a, name)
                except EvalError as err:
                    err._at(pos)
                    raise

            sx = self.operand(e.x)
            factory = template("dot", _DOT_SRC, (sx[0],), {"Struct": Struct},
                               "NAME, slow", ("a",))
            return make(factory, sx[1], name, slow_dot)
        x = self.expr(e.x)

        def dot(fr: list[Any]) -> Any:
            try:
                return get_attr(x(fr), name)
            except EvalError as err:
                err._at(pos)
                raise

        return dot

    # ---- calls, lambdas, comprehensions (calls.py / functions in stmts.py) ------------

    def x_Call(self, e: A.Call) -> Closure:
        return compile_call(self, e)

    def x_Lambda(self, e: A.Lambda) -> Closure:
        return self.function_value(e, e.params, None, e.body)  # type: ignore[attr-defined,no-any-return]

    def x_Comprehension(self, e: A.Comprehension) -> Closure:
        return self.comprehension(e)

    def clause_charges(self, e: A.Comprehension) -> list[list[A.Node]]:
        """The nodes each clause charges: a ``for`` clause on each iteration (its binding
        and what then runs unconditionally: the next ``if``'s condition, the next ``for``'s
        iterable, or the body), an ``if`` clause when it passes (what then runs). The first
        iterable was charged with the enclosing statement group."""
        if e.is_dict:
            assert isinstance(e.body, A.DictEntry)
            pending = expr_nodes(e.body.key, []) + expr_nodes(e.body.value, [])
        else:
            assert isinstance(e.body, A.Expr)
            pending = expr_nodes(e.body, [])
        out: list[list[A.Node]] = [[] for _ in e.clauses]
        for idx in range(len(e.clauses) - 1, -1, -1):
            cl = e.clauses[idx]
            if isinstance(cl, A.IfClause):
                out[idx] = pending
                pending = expr_nodes(cl.cond, [])
            else:
                out[idx] = [cl, *pending]
                pending = expr_nodes(cl.iterable, []) if idx > 0 else []
        return out

    def _comprehension_loop(self, e: A.Comprehension, charges: list[list[A.Node]]) -> Closure:
        """The comprehension as one generated closure (see ``comploop``). The parts are
        compiled in the order they run; a variable that only one ``for`` clause binds holds
        that clause's element in every part after it, and an int64 if it iterates ``range``
        (``int_slots``)."""
        bound: list[int] = []
        for cl in e.clauses:
            if isinstance(cl, A.ForClause):
                local_slots(cl.vars, bound)
        once = {s for s in bound if bound.count(s) == 1}
        saved = self.int_slots
        ints = set(saved)
        clauses: list[Clause] = []
        try:
            for cl, nodes in zip(e.clauses, charges):
                self.int_slots = frozenset(ints)
                if isinstance(cl, A.ForClause):
                    v = cl.vars
                    target: Any
                    if isinstance(v, A.Ident) and v.binding is not None and (
                        v.binding.scope == A.LOCAL
                    ):
                        target = v.binding.index
                        if target in once and self._is_range_call(cl.iterable):
                            ints.add(target)
                    else:
                        target = self.assigner(v)  # type: ignore[attr-defined]
                    clauses.append(("for", self.operand(cl.iterable), self.pos(cl.iterable),
                                    target, target in once, len(nodes), self.site(nodes)))
                else:
                    assert isinstance(cl, A.IfClause)
                    clauses.append(("if", self.operand(cl.cond), len(nodes), self.site(nodes)))
            self.int_slots = frozenset(ints)
            if e.is_dict:
                assert isinstance(e.body, A.DictEntry)
                body: tuple[Any, ...] = ("dict", self.operand(e.body.key), self.pos(e.body),
                                         self.operand(e.body.value))
            else:
                assert isinstance(e.body, A.Expr)
                body = ("list", self.operand(e.body))
        finally:
            self.int_slots = saved
        return build_comprehension(clauses, body)

    def _is_range_call(self, e: A.Expr) -> bool:
        """Whether ``e`` calls the builtin ``range`` (which returns a range of int64s or
        fails)."""
        if not isinstance(e, A.Call) or not isinstance(e.fn, A.Ident):
            return False
        b = e.fn.binding
        return (
            e.fn.name == "range" and b is not None and b.scope == A.UNIVERSAL
            and getattr(self.universe.get("range"), "name", None) == "range"
        )

    def comprehension(self, e: A.Comprehension) -> Closure:
        """Nested loops, innermost producing; steps as ``clause_charges`` says. Up to
        ``MAX_CLAUSES`` clauses the loops are one generated closure (``comploop``); beyond,
        one closure per clause."""
        charges = self.clause_charges(e)
        if len(e.clauses) <= MAX_CLAUSES:
            return self._comprehension_loop(e, charges)
        is_dict = e.is_dict
        if is_dict:
            assert isinstance(e.body, A.DictEntry)
            kf = self.expr(e.body.key)
            vf = self.expr(e.body.value)
            kpos = self.pos(e.body)

            def emit(fr: list[Any], out: Any) -> None:
                k = kf(fr)
                try:
                    check_hashable(k, fr[0])
                except EvalError as err:
                    err._at(kpos)
                    raise
                out[put_key(out, k)] = vf(fr)

        else:
            assert isinstance(e.body, A.Expr)
            bf = self.expr(e.body)

            def emit(fr: list[Any], out: Any) -> None:
                out.append(bf(fr))

        # Build from the innermost clause outwards. `step(fr, out)` runs the rest.
        step: Callable[[list[Any], Any], None] = emit
        for cl, nodes in reversed(list(zip(e.clauses, charges))):
            k = len(nodes)
            site = self.site(nodes)
            rest = step
            if isinstance(cl, A.IfClause):
                cond = self.expr(cl.cond)

                def if_step(
                    fr: list[Any], out: Any, cond: Closure = cond, rest: Any = rest,
                    k: int = k, site: StepSite = site,
                ) -> None:
                    if cond(fr):
                        if k:
                            th = fr[0]
                            s = th.steps + k
                            th.steps = s
                            if s > th.bound:
                                th.overflow(k, site)
                        rest(fr, out)

                step = if_step
            else:
                assert isinstance(cl, A.ForClause)
                assign = self.assigner(cl.vars)  # type: ignore[attr-defined]
                it_f = self.expr(cl.iterable)
                ipos = self.pos(cl.iterable)

                def for_step(
                    fr: list[Any], out: Any, it_f: Closure = it_f, assign: Any = assign,
                    rest: Any = rest, k: int = k, site: StepSite = site, ipos: Position = ipos,
                ) -> None:
                    seq, held = open_iteration(it_f(fr), ipos)
                    th = fr[0]
                    try:
                        for v in seq:
                            s = th.steps + k
                            th.steps = s
                            if s > th.bound:
                                th.overflow(k, site)
                            assign(fr, v)
                            rest(fr, out)
                    finally:
                        if held is not None:
                            held.guard -= 1

                step = for_step
        outer = step

        if is_dict:

            def dict_comp(fr: list[Any]) -> Any:
                out = Dict()
                outer(fr, out)
                return out

            return dict_comp

        def list_comp(fr: list[Any]) -> Any:
            out = List()
            outer(fr, out)
            return out

        return list_comp
