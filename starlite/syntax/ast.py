"""The typed Starlark syntax tree.

Every node is a small ``__slots__`` class carrying its 1-based ``line`` and ``col`` (the position
of the node's first token, or of its operator for binary operators, like starlark-go). The
filename lives once on the :class:`File` node.

The resolver (``starlite.resolve``) annotates the tree in place: every :class:`Ident` gets a
``binding`` and every function-like node (:class:`File`, :class:`Def`, :class:`Lambda`) gets a
:class:`Function` scope record. The compiler reads those annotations and never re-resolves.

Expressions: Ident Literal ListExpr TupleExpr DictExpr Unary Binary CondExpr Index Slice Dot Call
Lambda Comprehension.
Statements: ExprStmt Assign AugAssign If For While Def Return Break Continue Pass Load.
"""

from __future__ import annotations

from typing import Any


class Node:
    __slots__ = ("line", "col")
    kind = "node"

    line: int
    col: int

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k, None)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields}@{self.line}:{self.col})"


# ---------------------------------------------------------------------------------------------
# Resolution records (filled by the resolver)


class Binding:
    """Where a name lives. ``scope`` is one of the SCOPE_* strings below.

    ``index`` is the slot: for LOCAL and CELL the frame slot, for FREE the frame slot that holds
    the captured cell, for GLOBAL the module's global slot, for PREDECLARED the slot in the
    module's global list where the host's value is placed at exec time, for UNIVERSAL unused.
    """

    __slots__ = ("scope", "index", "name", "first", "sole_def")

    def __init__(self, scope: str, index: int, name: str, first: Ident | None = None) -> None:
        self.scope = scope
        self.index = index
        self.name = name
        self.first = first  # the Ident that introduced the binding (for error messages)
        # for a GLOBAL: the top-level `def` that is its only binding, if it is one
        self.sole_def: Def | None = None

    def __repr__(self) -> str:
        return f"Binding({self.scope}, {self.index}, {self.name!r})"


LOCAL = "local"
CELL = "cell"  # a local captured by a nested function: its slot holds a 1-element list
FREE = "free"  # a variable of an enclosing function: its slot holds that function's cell
GLOBAL = "global"
PREDECLARED = "predeclared"
UNIVERSAL = "universal"


class Function:
    """Scope record for a function body (also the module top level and each lambda).

    Frame layout at run time: ``[thread, globals, *params, *other locals, *free cells]``, so
    ``nparams`` params start at slot 2 and ``nslots`` is the frame's total length.
    """

    __slots__ = (
        "name",
        "params",
        "locals",
        "freevars",
        "nparams",
        "nslots",
        "has_varargs",
        "has_kwargs",
        "num_kwonly",
        "cells",
        "makes_calls",
        "size",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.params: list[Param] = []
        self.locals: list[Binding] = []  # every LOCAL/CELL binding, params first, in slot order
        self.freevars: list[Binding] = []  # bindings in the *enclosing* function that are captured
        self.nparams = 0
        self.nslots = 2
        self.has_varargs = False
        self.has_kwargs = False
        self.num_kwonly = 0
        self.cells: list[int] = []  # slots of locals that are CELLs
        # whether running the body may call a function (a call outside nested function
        # bodies; defaults of nested defs and lambdas count, they run here)
        self.makes_calls = False
        # expression nodes in the body, nested functions' included (bounds how deep
        # compiling the body may recurse; see compile.lazy)
        self.size = 0


# ---------------------------------------------------------------------------------------------
# Expressions


class Expr(Node):
    __slots__ = ()


class Ident(Expr):
    """A name. The lexer makes the Ident of each identifier itself and hands it to the parser
    as the ``NAME`` token (``type``, ``value`` and ``column`` are what lark and the parser's
    callbacks read of a token), so ``primary: NAME`` needs no callback of its own."""

    __slots__ = ("name", "binding", "safe")
    kind = "ident"
    type = "NAME"
    # lark reads these from the last token to place its synthetic end token
    start_pos = end_line = end_column = end_pos = None

    @property
    def value(self) -> str:
        return self.name

    @property
    def column(self) -> int:
        return self.col

    def __init__(self, name: str, line: int, col: int) -> None:
        self.name = name
        self.binding: Binding | None = None
        # Set by the resolver on a use of a local: True when it is definitely assigned there,
        # so the compiler can omit the "referenced before assignment" check.
        self.safe = False
        self.line = line
        self.col = col


class Literal(Expr):
    """An int, float, str or bytes literal; ``value`` is the Python value. Like
    :class:`Ident`, the lexer makes the node itself and hands it to the parser as the ``LIT``
    token, so ``primary: LIT`` needs no callback."""

    __slots__ = ("value",)
    kind = "literal"
    type = "LIT"
    # lark reads these from the last token to place its synthetic end token
    start_pos = end_line = end_column = end_pos = None

    @property
    def column(self) -> int:
        return self.col

    def __init__(self, value: Any, line: int, col: int) -> None:
        self.value = value
        self.line = line
        self.col = col


class ListExpr(Expr):
    __slots__ = ("elts",)
    kind = "list"

    def __init__(self, elts: list[Expr], line: int, col: int) -> None:
        self.elts = elts
        self.line = line
        self.col = col


class TupleExpr(Expr):
    """A tuple display, parenthesised or not (``a, b``)."""

    __slots__ = ("elts",)
    kind = "tuple"

    def __init__(self, elts: list[Expr], line: int, col: int) -> None:
        self.elts = elts
        self.line = line
        self.col = col


class DictEntry(Node):
    __slots__ = ("key", "value")
    kind = "entry"

    def __init__(self, key: Expr, value: Expr, line: int, col: int) -> None:
        self.key = key
        self.value = value
        self.line = line
        self.col = col


class DictExpr(Expr):
    __slots__ = ("entries",)
    kind = "dict"

    def __init__(self, entries: list[DictEntry], line: int, col: int) -> None:
        self.entries = entries
        self.line = line
        self.col = col


class Unary(Expr):
    """``op`` is one of ``-`` ``+`` ``~`` ``not``."""

    __slots__ = ("op", "x")
    kind = "unary"

    def __init__(self, op: str, x: Expr, line: int, col: int) -> None:
        self.op = op
        self.x = x
        self.line = line
        self.col = col


class Binary(Expr):
    """``op`` is one of: ``or and == != < > <= >= in not in | ^ & << >> - + * / // %``.

    The position is the operator's. Comparisons do not chain (the parser rejects ``a < b < c``).
    """

    __slots__ = ("op", "x", "y")
    kind = "binary"

    def __init__(self, op: str, x: Expr, y: Expr, line: int, col: int) -> None:
        self.op = op
        self.x = x
        self.y = y
        self.line = line
        self.col = col


class CondExpr(Expr):
    """``then if cond else else_``."""

    __slots__ = ("cond", "then", "else_")
    kind = "cond"

    def __init__(self, cond: Expr, then: Expr, else_: Expr, line: int, col: int) -> None:
        self.cond = cond
        self.then = then
        self.else_ = else_
        self.line = line
        self.col = col


class Index(Expr):
    """``x[index]``; position is the ``[``."""

    __slots__ = ("x", "index")
    kind = "index"

    def __init__(self, x: Expr, index: Expr, line: int, col: int) -> None:
        self.x = x
        self.index = index
        self.line = line
        self.col = col


class Slice(Expr):
    """``x[lo:hi:step]``, each bound optional (None); position is the ``[``."""

    __slots__ = ("x", "lo", "hi", "step")
    kind = "slice"

    def __init__(
        self, x: Expr, lo: Expr | None, hi: Expr | None, step: Expr | None, line: int, col: int
    ) -> None:
        self.x = x
        self.lo = lo
        self.hi = hi
        self.step = step
        self.line = line
        self.col = col


class Dot(Expr):
    """``x.name``; position is the ``.``."""

    __slots__ = ("x", "name")
    kind = "dot"

    def __init__(self, x: Expr, name: str, line: int, col: int) -> None:
        self.x = x
        self.name = name
        self.line = line
        self.col = col


class Arg(Node):
    """One call argument. ``kind``: ``pos`` (x), ``named`` (name=x), ``star`` (*x), ``starstar``
    (**x). ``name`` is set only for ``named``."""

    __slots__ = ("argkind", "name", "value")
    kind = "arg"

    def __init__(self, argkind: str, name: str | None, value: Expr, line: int, col: int) -> None:
        self.argkind = argkind
        self.name = name
        self.value = value
        self.line = line
        self.col = col


class Call(Expr):
    """``fn(args...)``; position is the ``(``. Argument order is checked by the parser:
    positional, then named / ``*x``, then at most one ``**x`` last; at most one ``*x``."""

    __slots__ = ("fn", "args")
    kind = "call"

    def __init__(self, fn: Expr, args: list[Arg], line: int, col: int) -> None:
        self.fn = fn
        self.args = args
        self.line = line
        self.col = col


class Param(Node):
    """A parameter. ``paramkind``: ``plain`` (x), ``default`` (x=expr), ``star`` (*args, or a bare
    ``*`` when ``name`` is None), ``starstar`` (**kwargs)."""

    __slots__ = ("paramkind", "name", "default")
    kind = "param"

    def __init__(
        self, paramkind: str, name: Ident | None, default: Expr | None, line: int, col: int
    ) -> None:
        self.paramkind = paramkind
        self.name = name
        self.default = default
        self.line = line
        self.col = col


class Lambda(Expr):
    __slots__ = ("params", "body", "scope")
    kind = "lambda"

    def __init__(self, params: list[Param], body: Expr, line: int, col: int) -> None:
        self.params = params
        self.body = body
        self.scope: Function | None = None
        self.line = line
        self.col = col


class ForClause(Node):
    """``for vars in iterable`` inside a comprehension. ``vars`` is an assignment target."""

    __slots__ = ("vars", "iterable")
    kind = "for_clause"

    def __init__(self, vars: Expr, iterable: Expr, line: int, col: int) -> None:
        self.vars = vars
        self.iterable = iterable
        self.line = line
        self.col = col


class IfClause(Node):
    __slots__ = ("cond",)
    kind = "if_clause"

    def __init__(self, cond: Expr, line: int, col: int) -> None:
        self.cond = cond
        self.line = line
        self.col = col


class Comprehension(Expr):
    """``[body for ...]`` (``is_dict`` False) or ``{k: v for ...}`` (``is_dict`` True, ``body``
    is a DictEntry). ``clauses`` starts with a ForClause."""

    __slots__ = ("is_dict", "body", "clauses")
    kind = "comprehension"

    def __init__(
        self,
        is_dict: bool,
        body: Expr | DictEntry,
        clauses: list[ForClause | IfClause],
        line: int,
        col: int,
    ) -> None:
        self.is_dict = is_dict
        self.body = body
        self.clauses = clauses
        self.line = line
        self.col = col


# ---------------------------------------------------------------------------------------------
# Statements


class Stmt(Node):
    __slots__ = ()


class ExprStmt(Stmt):
    __slots__ = ("x",)
    kind = "expr_stmt"

    def __init__(self, x: Expr, line: int, col: int) -> None:
        self.x = x
        self.line = line
        self.col = col


class Assign(Stmt):
    """``lhs = rhs``. ``lhs`` is an Ident, Index, Dot, or a (possibly nested) TupleExpr/ListExpr
    of those; the parser rejects other targets. Position is the start of ``lhs``."""

    __slots__ = ("lhs", "rhs")
    kind = "assign"

    def __init__(self, lhs: Expr, rhs: Expr, line: int, col: int) -> None:
        self.lhs = lhs
        self.rhs = rhs
        self.line = line
        self.col = col


class AugAssign(Stmt):
    """``lhs op= rhs``; ``op`` is the binary operator without ``=`` (``+``, ``//``, ``<<`` ...).
    ``lhs`` is an Ident, Index or Dot."""

    __slots__ = ("op", "lhs", "rhs")
    kind = "aug_assign"

    def __init__(self, op: str, lhs: Expr, rhs: Expr, line: int, col: int) -> None:
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.line = line
        self.col = col


class If(Stmt):
    """``elif`` chains are nested If statements as the sole element of ``orelse``."""

    __slots__ = ("cond", "body", "orelse")
    kind = "if"

    def __init__(
        self, cond: Expr, body: list[Stmt], orelse: list[Stmt], line: int, col: int
    ) -> None:
        self.cond = cond
        self.body = body
        self.orelse = orelse
        self.line = line
        self.col = col


class For(Stmt):
    __slots__ = ("vars", "iterable", "body")
    kind = "for"

    def __init__(self, vars: Expr, iterable: Expr, body: list[Stmt], line: int, col: int) -> None:
        self.vars = vars
        self.iterable = iterable
        self.body = body
        self.line = line
        self.col = col


class While(Stmt):
    __slots__ = ("cond", "body")
    kind = "while"

    def __init__(self, cond: Expr, body: list[Stmt], line: int, col: int) -> None:
        self.cond = cond
        self.body = body
        self.line = line
        self.col = col


class Def(Stmt):
    __slots__ = ("name", "params", "body", "scope")
    kind = "def"

    def __init__(
        self, name: Ident, params: list[Param], body: list[Stmt], line: int, col: int
    ) -> None:
        self.name = name
        self.params = params
        self.body = body
        self.scope: Function | None = None
        self.line = line
        self.col = col


class Return(Stmt):
    __slots__ = ("x",)
    kind = "return"

    def __init__(self, x: Expr | None, line: int, col: int) -> None:
        self.x = x
        self.line = line
        self.col = col


class Break(Stmt):
    __slots__ = ()
    kind = "break"

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col


class Continue(Stmt):
    __slots__ = ()
    kind = "continue"

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col


class Pass(Stmt):
    __slots__ = ()
    kind = "pass"

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col


class Load(Stmt):
    """``load("module", "a", b="c")``: ``names`` pairs each local Ident with the name it has in
    the loaded module."""

    __slots__ = ("module", "names")
    kind = "load"

    def __init__(self, module: str, names: list[tuple[Ident, str]], line: int, col: int) -> None:
        self.module = module
        self.names = names
        self.line = line
        self.col = col


class File(Node):
    """A parsed file (or an expression parsed for ``eval``: then ``body`` is one ExprStmt)."""

    __slots__ = ("filename", "body", "scope", "source")
    kind = "file"

    def __init__(self, filename: str, body: list[Stmt], source: str) -> None:
        self.filename = filename
        self.body = body
        self.source = source
        self.scope: Function | None = None
        self.line = 1
        self.col = 1
