"""Static name resolution.

The resolver walks a parsed :class:`~starlite.syntax.ast.File` once and decides, for every
identifier, where its value lives (the scopes of starlark-go's resolver):

* **local** — bound in the enclosing function (parameters, assignments, ``for`` variables, nested
  ``def``), or in a comprehension (each comprehension is a block of its own). Locals live in the
  frame, a Python list indexed by slot.
* **cell** — a local that a nested function or lambda refers to; its slot holds a one-element
  list shared with the closures. **free** — such a captured variable seen from inside the nested
  function, whose frame holds the same cell.
* **global** — bound at top level (assignment, ``def``, ``load``, top-level ``for``). Globals are
  resolved in a first pass, so a function may refer to a global defined further down.
* **predeclared** — a name the host supplies at exec time; **universal** — a builtin.

A name is looked up in the innermost block first, then each enclosing function's blocks, then
globals, predeclared names and the universe. Unknown names are errors. Bindings are
function-wide as in Python: a name assigned anywhere in a function is local everywhere in it.

The resolver also enforces the static rules: no reassignment of a global (unless
``global_reassign``), no ``if``/``for``/``while`` at top level (unless ``top_level_control``), no
``while`` unless enabled, ``break``/``continue`` only in loops, ``return`` only in functions
(unless ``top_level_return``), ``load`` only at top level, no duplicate parameters, and the order
of parameters. All errors are collected and raised together as a ``ResolveError``.

Finally it marks each use of a local that is definitely assigned at that point (``Ident.safe``),
so the compiler can drop the "referenced before assignment" check there.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import Any

from .errors import ResolveError
from .options import Options
from .syntax import ast as A


class _Block:
    """A lexical block: a function body or a comprehension."""

    __slots__ = ("parent", "func", "names", "is_func")

    def __init__(self, parent: _Block | None, func: _Func, is_func: bool) -> None:
        self.parent = parent
        self.func = func
        self.names: dict[str, A.Binding] = {}
        self.is_func = is_func


class _Func:
    """Resolution state of one function (or the module's top level, or a lambda)."""

    __slots__ = ("scope", "parent", "block", "free_index", "nlocals")

    def __init__(self, scope: A.Function, parent: _Func | None) -> None:
        self.scope = scope
        self.parent = parent
        self.block: _Block | None = None
        self.free_index: dict[int, A.Binding] = {}  # id(outer binding) -> our FREE binding
        self.nlocals = 0


class Resolver:
    def __init__(
        self,
        filename: str,
        options: Options,
        is_predeclared: Callable[[str], bool],
        is_universal: Callable[[str], bool],
    ) -> None:
        self.filename = filename
        self.options = options
        self.is_predeclared = is_predeclared
        self.is_universal = is_universal
        self.errors: list[tuple[str, int, int, str]] = []
        self.globals: dict[str, A.Binding] = {}
        self.predeclared: dict[str, A.Binding] = {}
        self.universal: dict[str, A.Binding] = {}
        self.loaded: set[str] = set()
        self.func: _Func | None = None
        self.block: _Block | None = None
        self.loops = 0
        self.pending: list[tuple[_Func, _Block, A.Def | A.Lambda]] = []
        self.nodes = 0  # expression nodes resolved so far (each function's ``size``)

    def error(self, node: A.Node, msg: str) -> None:
        self.errors.append((self.filename, node.line, node.col, msg))

    # ---- entry -------------------------------------------------------------------------

    def resolve_file(self, f: A.File) -> None:
        scope = A.Function("<toplevel>")
        f.scope = scope
        top = _Func(scope, None)
        self.func = top
        self.block = top.block = _Block(None, top, True)
        # Pass 1: collect global bindings so functions may refer to later globals.
        self._collect_globals(f.body)
        # Pass 2: resolve the top level; function bodies are resolved afterwards, when every
        # global is known (they run later anyway).
        self.stmts(f.body, toplevel=True)
        while self.pending:
            fn, blk, node = self.pending.pop(0)
            self._resolve_function(fn, blk, node)
        _assign_slots(top)
        if self.errors:
            self.errors.sort(key=lambda e: (e[1], e[2]))
            raise ResolveError(self.errors)

    def _collect_globals(self, body: list[A.Stmt]) -> None:
        for s in body:
            if isinstance(s, A.Assign):
                self._collect_targets(s.lhs)
            elif isinstance(s, A.AugAssign):
                if isinstance(s.lhs, A.Ident):
                    self._bind_global(s.lhs)
            elif isinstance(s, A.Def):
                self._bind_global(s.name, s)
            elif isinstance(s, A.Load):
                for ident, _ in s.names:
                    self._bind_global(ident)
                    if not self.options.load_binds_globally:
                        self.loaded.add(ident.name)
            elif isinstance(s, A.For):
                self._collect_targets(s.vars)
                self._collect_globals(s.body)
            elif isinstance(s, A.While):
                self._collect_globals(s.body)
            elif isinstance(s, A.If):
                self._collect_globals(s.body)
                self._collect_globals(s.orelse)

    def _collect_targets(self, t: A.Expr) -> None:
        if isinstance(t, A.Ident):
            self._bind_global(t)
        elif isinstance(t, (A.TupleExpr, A.ListExpr)):
            for e in t.elts:
                self._collect_targets(e)

    def _bind_global(self, ident: A.Ident, d: A.Def | None = None) -> None:
        """Bind a top-level name; a second binding is an error unless global_reassign
        (``x += 1`` of a name never assigned fails at run time, as it is unbound). ``d``:
        the ``def`` binding it; the binding's ``sole_def`` stays set only if that is its
        only binding (calls may then inline the function, see ``compile.leafcall``)."""
        b = self.globals.get(ident.name)
        if b is None:
            b = A.Binding(A.GLOBAL, len(self.globals), ident.name, ident)
            b.sole_def = d
            self.globals[ident.name] = b
            return
        if b.first is not ident:
            b.sole_def = None
        if not self.options.global_reassign and b.first is not ident:
            first = b.first
            where = f" declared at {self.filename}:{first.line}:{first.col}" if first else ""
            self.error(ident, f"cannot reassign global {ident.name}{where}")

    # ---- statements ----------------------------------------------------------------------

    def stmts(self, body: list[A.Stmt], toplevel: bool = False) -> None:
        for s in body:
            self.stmt(s, toplevel)

    def stmt(self, s: A.Stmt, toplevel: bool) -> None:
        if isinstance(s, A.ExprStmt):
            self.expr(s.x)
        elif isinstance(s, A.Assign):
            self.expr(s.rhs)
            self.assign_target(s.lhs, toplevel)
        elif isinstance(s, A.AugAssign):
            self.expr(s.rhs)
            if isinstance(s.lhs, A.Ident):
                self.use(s.lhs)
                self.assign_target(s.lhs, toplevel, check=False)
            else:
                self.assign_target(s.lhs, toplevel)
        elif isinstance(s, A.If):
            if toplevel and not self.options.top_level_control:
                self.error(s, "if statement not within a function")
            self.expr(s.cond)
            self.stmts(s.body, toplevel)
            self.stmts(s.orelse, toplevel)
        elif isinstance(s, A.For):
            if toplevel and not self.options.top_level_control:
                self.error(s, "for loop not within a function")
            self.expr(s.iterable)
            self.assign_target(s.vars, toplevel, check=False)
            self.loops += 1
            self.stmts(s.body, toplevel)
            self.loops -= 1
        elif isinstance(s, A.While):
            if not self.options.while_:
                self.error(s, "this Starlark dialect does not support while loops")
            elif toplevel and not self.options.top_level_control:
                self.error(s, "while loop not within a function")
            self.expr(s.cond)
            self.loops += 1
            self.stmts(s.body, toplevel)
            self.loops -= 1
        elif isinstance(s, A.Def):
            self.function(s, s.params)
            self.assign_target(s.name, toplevel, check=False)
        elif isinstance(s, A.Return):
            assert self.func is not None
            if self.func.parent is None and not self.options.top_level_return:
                self.error(s, "return statement not within a function")
            if s.x is not None:
                self.expr(s.x)
        elif isinstance(s, A.Break):
            if not self.loops:
                self.error(s, "break not in a loop")
        elif isinstance(s, A.Continue):
            if not self.loops:
                self.error(s, "continue not in a loop")
        elif isinstance(s, A.Pass):
            pass
        elif isinstance(s, A.Load):
            assert self.func is not None
            if self.func.parent is not None:
                self.error(s, "load statement within a function")
            for ident, orig in s.names:
                if orig.startswith("_"):
                    self.error(ident, f"load: names with leading underscores are not exported: "
                                      f"{orig}")
                self.assign_target(ident, True, check=False)
        else:  # pragma: no cover - parser produces nothing else
            self.error(s, f"unexpected statement {type(s).__name__}")

    def assign_target(self, t: A.Expr, toplevel: bool, check: bool = True) -> None:
        if isinstance(t, A.Ident):
            self.bind(t, toplevel)
        elif isinstance(t, (A.TupleExpr, A.ListExpr)):
            for e in t.elts:
                self.assign_target(e, toplevel, check)
        elif isinstance(t, A.Index):
            self.expr(t.x)
            self.expr(t.index)
        elif isinstance(t, A.Dot):
            self.expr(t.x)
        else:
            self.error(t, "cannot assign to this expression")

    def bind(self, ident: A.Ident, toplevel: bool) -> None:
        """Bind ``ident`` in the current block (the function's block for plain names)."""
        blk = self.block
        assert blk is not None
        if blk.func.parent is None and blk.is_func:
            # top level: a global (collected in pass 1)
            b = self.globals.get(ident.name)
            if b is None:  # bound in a nested construct pass 1 did not visit
                b = A.Binding(A.GLOBAL, len(self.globals), ident.name, ident)
                self.globals[ident.name] = b
            ident.binding = b
            return
        # find the function-level block (assignments inside comprehensions are impossible)
        while not blk.is_func:
            assert blk.parent is not None
            blk = blk.parent
        b = blk.names.get(ident.name)
        if b is None:
            b = self._new_local(blk, ident.name, ident)
        ident.binding = b

    def _new_local(self, blk: _Block, name: str, ident: A.Ident | None) -> A.Binding:
        fn = blk.func
        b = A.Binding(A.LOCAL, 0, name, ident)
        blk.names[name] = b
        fn.scope.locals.append(b)
        fn.nlocals += 1
        return b

    # ---- functions -----------------------------------------------------------------------

    def function(self, node: A.Def | A.Lambda, params: list[A.Param]) -> None:
        """Resolve defaults now (in the enclosing scope); the body later (or now if nested
        in a function, which preserves closure capture order)."""
        seen: set[str] = set()
        kwname = "kwargs"
        state = 0  # 0 plain, 1 defaults seen, 2 after *, 3 after **
        for p in params:
            if p.default is not None:
                self.expr(p.default)
            if p.name is not None:
                if p.name.name in seen:
                    self.error(p.name, f"duplicate parameter: {p.name.name}")
                seen.add(p.name.name)
            if p.paramkind == "plain":
                if state == 1:
                    self.error(p, "required parameter may not follow optional")
                elif state >= 3:
                    self.error(p, f"required parameter may not follow **{kwname}")
            elif p.paramkind == "default":
                if state >= 3:
                    self.error(p, f"optional parameter may not follow **{kwname}")
                if state < 2:
                    state = 1
            elif p.paramkind == "star":
                if state >= 2:
                    self.error(p, "multiple * parameters not allowed" if state == 2
                               else "* parameter may not follow **kwargs")
                state = 2
            elif p.paramkind == "starstar":
                if state == 3:
                    self.error(p, "multiple ** parameters not allowed")
                state = 3
                kwname = p.name.name if p.name is not None else "kwargs"
        for i, p in enumerate(params):
            if p.paramkind == "star" and p.name is None:
                rest = params[i + 1:]
                if not any(q.paramkind in ("plain", "default") for q in rest):
                    self.error(p, "bare * must be followed by keyword-only parameters")
        name = node.name.name if isinstance(node, A.Def) else "lambda"
        scope = A.Function(name)
        node.scope = scope
        assert self.func is not None and self.block is not None
        fn = _Func(scope, self.func)
        if self.func.parent is None:
            # top-level def: resolve the body after all top-level statements
            self.pending.append((fn, self.block, node))
        else:
            self._resolve_function(fn, self.block, node)

    def _resolve_function(self, fn: _Func, outer_block: _Block, node: A.Def | A.Lambda) -> None:
        saved = (self.func, self.block, self.loops)
        self.func = fn
        blk = fn.block = _Block(outer_block, fn, True)
        self.block = blk
        self.loops = 0
        scope = fn.scope
        kwonly = False
        for p in node.params:
            if p.paramkind == "star":
                kwonly = True
                if p.name is not None:
                    scope.has_varargs = True
                continue
            if p.paramkind == "starstar":
                scope.has_kwargs = True
                continue
            assert p.name is not None
            if kwonly:
                scope.num_kwonly += 1
            scope.params.append(p)
        # slot order: positional/kw-only params, then *args, then **kwargs, then locals
        for p in scope.params:
            assert p.name is not None
            if p.name.name not in blk.names:
                p.name.binding = self._new_local(blk, p.name.name, p.name)
        for p in node.params:
            if p.paramkind in ("star", "starstar") and p.name is not None:
                if p.name.name not in blk.names:
                    p.name.binding = self._new_local(blk, p.name.name, p.name)
        scope.nparams = fn.nlocals
        before = self.nodes
        if isinstance(node, A.Def):
            self._collect_locals(node.body, blk)
            self.stmts(node.body)
        else:
            self.expr(node.body)
        scope.size = self.nodes - before
        _assign_slots(fn)
        self.func, self.block, self.loops = saved

    def _collect_locals(self, body: list[A.Stmt], blk: _Block) -> None:
        """Python-style: every name bound anywhere in the body is local to the function."""
        for s in body:
            if isinstance(s, A.Assign):
                self._collect_local_targets(s.lhs, blk)
            elif isinstance(s, A.AugAssign):
                self._collect_local_targets(s.lhs, blk)
            elif isinstance(s, A.Def):
                self._collect_local_targets(s.name, blk)
            elif isinstance(s, A.For):
                self._collect_local_targets(s.vars, blk)
                self._collect_locals(s.body, blk)
            elif isinstance(s, A.While):
                self._collect_locals(s.body, blk)
            elif isinstance(s, A.If):
                self._collect_locals(s.body, blk)
                self._collect_locals(s.orelse, blk)

    def _collect_local_targets(self, t: A.Expr, blk: _Block) -> None:
        if isinstance(t, A.Ident):
            if t.name not in blk.names:
                self._new_local(blk, t.name, t)
        elif isinstance(t, (A.TupleExpr, A.ListExpr)):
            for e in t.elts:
                self._collect_local_targets(e, blk)

    # ---- expressions -----------------------------------------------------------------

    def use(self, ident: A.Ident) -> None:
        name = ident.name
        blk = self.block
        fn = self.func
        assert blk is not None and fn is not None
        # innermost function's blocks
        b: A.Binding | None = None
        while blk is not None and blk.func is fn:
            if fn.parent is None and blk.is_func:
                break  # top-level function block holds globals, handled below
            b = blk.names.get(name)
            if b is not None:
                ident.binding = b
                return
            blk = blk.parent
        # enclosing functions' blocks -> free variable
        outer = blk
        while outer is not None:
            if outer.func.parent is None and outer.is_func:
                break
            ob = outer.names.get(name)
            if ob is not None:
                ident.binding = self._capture(fn, outer.func, ob)
                return
            outer = outer.parent
        b = self.globals.get(name)
        if b is not None:
            ident.binding = b
            return
        if self.is_predeclared(name):
            b = self.predeclared.get(name)
            if b is None:
                b = self.predeclared[name] = A.Binding(A.PREDECLARED, -1, name)
            ident.binding = b
            return
        if self.is_universal(name):
            b = self.universal.get(name)
            if b is None:
                b = self.universal[name] = A.Binding(A.UNIVERSAL, -1, name)
            ident.binding = b
            return
        if name == "set" and not self.options.set:
            self.error(ident, "this Starlark dialect does not support sets")
        else:
            self.error(ident, f"undefined: {name}{self._suggest(name)}")
        ident.binding = A.Binding(A.UNIVERSAL, -1, name)

    def _suggest(self, name: str) -> str:
        from .spell import suggest

        names: set[str] = set(self.globals)
        blk = self.block
        while blk is not None:
            names.update(blk.names)
            blk = blk.parent
        return suggest(name, names | set(_UNIVERSE_NAMES))

    def _capture(self, fn: _Func, owner: _Func, ob: A.Binding) -> A.Binding:
        """Make ``ob`` (a local of ``owner``) visible in ``fn`` through the chain of functions
        between them; returns ``fn``'s FREE binding."""
        if ob.scope == A.LOCAL:
            ob.scope = A.CELL
        chain: list[_Func] = []
        f: _Func | None = fn
        while f is not None and f is not owner:
            chain.append(f)
            f = f.parent
        src = ob
        for f in reversed(chain):
            fb = f.free_index.get(id(src))
            if fb is None:
                fb = A.Binding(A.FREE, -1, ob.name)
                f.free_index[id(src)] = fb
                f.scope.freevars.append(src)
            src = fb
        return src

    def expr(self, e: A.Expr) -> None:
        stack: list[A.Expr] = [e]
        n = 0
        # Dispatch on the exact type, commonest first: `type(x) is C` costs a fraction of
        # an isinstance() call, and AST node classes are never subclassed.
        while stack:
            x = stack.pop()
            n += 1
            t = type(x)
            if t is A.Ident:
                self.use(x)  # type: ignore[arg-type]
            elif t is A.Literal:
                pass
            elif t is A.Call:
                assert isinstance(x, A.Call) and self.func is not None
                self.func.scope.makes_calls = True
                seen_kw: set[str] = set()
                for a in x.args:
                    if a.argkind == "named":
                        assert a.name is not None
                        if a.name in seen_kw:
                            self.error(a, f"keyword argument {a.name} repeated")
                        seen_kw.add(a.name)
                for a in reversed(x.args):
                    stack.append(a.value)
                stack.append(x.fn)
            elif t is A.Dot:
                stack.append(x.x)  # type: ignore[attr-defined]
            elif t is A.Binary:
                stack.append(x.y)  # type: ignore[attr-defined]
                stack.append(x.x)  # type: ignore[attr-defined]
            elif t is A.ListExpr or t is A.TupleExpr:
                stack.extend(reversed(x.elts))  # type: ignore[attr-defined]
            elif t is A.DictExpr:
                for ent in reversed(x.entries):  # type: ignore[attr-defined]
                    stack.append(ent.value)
                    stack.append(ent.key)
            elif t is A.Index:
                stack.append(x.index)  # type: ignore[attr-defined]
                stack.append(x.x)  # type: ignore[attr-defined]
            elif t is A.Unary:
                stack.append(x.x)  # type: ignore[attr-defined]
            elif t is A.CondExpr:
                stack.append(x.else_)  # type: ignore[attr-defined]
                stack.append(x.then)  # type: ignore[attr-defined]
                stack.append(x.cond)  # type: ignore[attr-defined]
            elif t is A.Slice:
                assert isinstance(x, A.Slice)
                for part in (x.step, x.hi, x.lo):
                    if part is not None:
                        stack.append(part)
                stack.append(x.x)
            elif t is A.Lambda:
                self.function(x, x.params)  # type: ignore[arg-type, attr-defined]
            elif t is A.Comprehension:
                self.comprehension(x)  # type: ignore[arg-type]
            else:  # pragma: no cover
                self.error(x, f"unexpected expression {type(x).__name__}")
        self.nodes += n

    def comprehension(self, c: A.Comprehension) -> None:
        assert self.block is not None and self.func is not None
        clauses = c.clauses
        first = clauses[0]
        assert isinstance(first, A.ForClause)
        self.expr(first.iterable)  # in the enclosing block
        saved = self.block
        blk = _Block(saved, self.func, False)
        self.block = blk
        self._bind_comp_targets(first.vars, blk)
        for cl in clauses[1:]:
            if isinstance(cl, A.ForClause):
                # as in starlark-go, a later clause's variables are bound before its operand
                # is resolved: `[x for _ in y for x in x]` refers to the inner x
                self._bind_comp_targets(cl.vars, blk)
                self.expr(cl.iterable)
            else:
                self.expr(cl.cond)
        if c.is_dict:
            assert isinstance(c.body, A.DictEntry)
            self.expr(c.body.key)
            self.expr(c.body.value)
        else:
            assert isinstance(c.body, A.Expr)
            self.expr(c.body)
        self.block = saved

    def _bind_comp_targets(self, t: A.Expr, blk: _Block) -> None:
        if isinstance(t, A.Ident):
            b = blk.names.get(t.name)
            if b is None:
                b = self._new_local(blk, t.name, t)
            t.binding = b
        elif isinstance(t, (A.TupleExpr, A.ListExpr)):
            for e in t.elts:
                self._bind_comp_targets(e, blk)
        else:
            self.error(t, "cannot assign to this expression in a comprehension")


def _assign_slots(fn: _Func) -> None:
    """Frame layout: [thread, globals, *locals (params first), *free cells]."""
    scope = fn.scope
    nloc = len(scope.locals)
    for i, b in enumerate(scope.locals):
        b.index = 2 + i
    for i, src in enumerate(scope.freevars):
        fn.free_index[id(src)].index = 2 + nloc + i
    scope.cells = [b.index for b in scope.locals if b.scope == A.CELL]
    scope.nslots = 2 + nloc + len(scope.freevars)


_UNIVERSE_NAMES: list[str] = []


def resolve_file(
    f: A.File,
    options: Options,
    predeclared: Container[str],
    universal: Container[str],
) -> Resolver:
    """Resolve ``f`` in place; returns the resolver (its ``globals``/``predeclared`` tables)."""
    if not _UNIVERSE_NAMES and isinstance(universal, dict):
        _UNIVERSE_NAMES.extend(universal)
    r = Resolver(f.filename, options, predeclared.__contains__, universal.__contains__)
    r.resolve_file(f)
    mark_definite_assignment(f)
    return r


# ---------------------------------------------------------------------------------------------
# Definite assignment: which uses of locals need no "referenced before assignment" check.


def mark_definite_assignment(f: A.File) -> None:
    _DA().block(f.body, set())


class _DA:
    """A forward walk tracking the set of local bindings certainly assigned."""

    def block(self, body: list[A.Stmt], assigned: set[int]) -> set[int]:
        for s in body:
            assigned = self.stmt(s, assigned)
        return assigned

    def stmt(self, s: A.Stmt, a: set[int]) -> set[int]:
        if isinstance(s, A.ExprStmt):
            self.expr(s.x, a)
        elif isinstance(s, A.Assign):
            self.expr(s.rhs, a)
            self.target(s.lhs, a)
        elif isinstance(s, A.AugAssign):
            self.expr(s.lhs, a)
            self.expr(s.rhs, a)
        elif isinstance(s, A.If):
            self.expr(s.cond, a)
            a1 = self.block(s.body, set(a))
            a2 = self.block(s.orelse, set(a))
            a = a | (a1 & a2)
        elif isinstance(s, A.For):
            self.expr(s.iterable, a)
            inner = set(a)
            self.target(s.vars, inner)
            self.block(s.body, inner)
        elif isinstance(s, A.While):
            self.expr(s.cond, a)
            self.block(s.body, set(a))
        elif isinstance(s, A.Def):
            for p in s.params:
                if p.default is not None:
                    self.expr(p.default, a)
            self.function(s.scope, s.params, s.body, None)
            self.target(s.name, a)
        elif isinstance(s, A.Return):
            if s.x is not None:
                self.expr(s.x, a)
        elif isinstance(s, A.Load):
            for ident, _ in s.names:
                self.target(ident, a)
        return a

    def function(
        self,
        scope: A.Function | None,
        params: list[A.Param],
        body: list[A.Stmt] | None,
        expr: A.Expr | None,
    ) -> None:
        a: set[int] = set()
        for p in params:
            if p.name is not None and p.name.binding is not None:
                a.add(id(p.name.binding))
        if body is not None:
            self.block(body, a)
        elif expr is not None:
            self.expr(expr, a)

    def target(self, t: A.Expr, a: set[int]) -> None:
        if isinstance(t, A.Ident):
            if t.binding is not None:
                a.add(id(t.binding))
        elif isinstance(t, (A.TupleExpr, A.ListExpr)):
            for e in t.elts:
                self.target(e, a)
        elif isinstance(t, A.Index):
            self.expr(t.x, a)
            self.expr(t.index, a)
        elif isinstance(t, A.Dot):
            self.expr(t.x, a)

    def expr(self, e: A.Expr, a: set[int]) -> None:
        stack: list[Any] = [e]  # (Any: dispatch is on the exact type, see Resolver.expr)
        while stack:
            x = stack.pop()
            t = type(x)
            if t is A.Ident:
                b = x.binding
                if b is not None and b.scope == A.LOCAL and id(b) in a:
                    x.safe = True
            elif t is A.Literal:
                pass
            elif t is A.Call:
                stack.append(x.fn)
                for arg in x.args:
                    stack.append(arg.value)
            elif t is A.Dot or t is A.Unary:
                stack.append(x.x)
            elif t is A.Binary:
                if x.op in ("and", "or"):
                    self.expr(x.x, a)
                    self.expr(x.y, set(a))
                else:
                    stack.append(x.y)
                    stack.append(x.x)
            elif t is A.ListExpr or t is A.TupleExpr:
                stack.extend(x.elts)
            elif t is A.DictExpr:
                for ent in x.entries:
                    stack.append(ent.key)
                    stack.append(ent.value)
            elif t is A.Index:
                stack.append(x.x)
                stack.append(x.index)
            elif t is A.CondExpr:
                stack.append(x.cond)
                stack.append(x.then)
                stack.append(x.else_)
            elif t is A.Slice:
                stack.append(x.x)
                for part in (x.lo, x.hi, x.step):
                    if part is not None:
                        stack.append(part)
            elif isinstance(x, A.Lambda):
                for p in x.params:
                    if p.default is not None:
                        stack.append(p.default)
                self.function(x.scope, x.params, None, x.body)
            elif isinstance(x, A.Comprehension):
                inner = set(a)
                for cl in x.clauses:
                    if isinstance(cl, A.ForClause):
                        self.expr(cl.iterable, inner)
                        self.target(cl.vars, inner)
                    else:
                        self.expr(cl.cond, inner)
                if isinstance(x.body, A.DictEntry):
                    self.expr(x.body.key, inner)
                    self.expr(x.body.value, inner)
                else:
                    self.expr(x.body, inner)
