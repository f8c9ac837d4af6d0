"""Parse Starlark source into the typed AST of :mod:`starlite.syntax.ast`.

Public functions: :func:`parse_file` and :func:`parse_expr`. Both raise
:class:`starlite.errors.SyntaxError` (``file:line:col: msg``) for every malformed input, never a
lark exception, ``RecursionError`` or traceback from our own code.

The approach (why it is fast)
-----------------------------
Lark's LALR(1) tables drive the parse, with four things done differently from a stock lark
setup, each worth a large factor:

1. **A custom lexer** (:class:`starlite.syntax.lexer.StarlarkLexer`): one compiled regex run with
   ``finditer``, indentation and implicit line joining handled inline, small ``__slots__`` tokens
   instead of lark's ``str``-subclass ``Token``, interned names, shared position-less tokens for
   ``, ) ] } : ; =``.
2. **No parse tree.** The :class:`_Builder` is passed as lark's ``transformer=``, so each
   reduction directly calls the builder method named by the alternative's alias in
   ``grammar.lark`` and pushes the AST node it returns; ``keep_all_tokens`` plus the absence of
   EBNF and ``_rule`` inlining means lark wraps nothing around those methods. Pass-through
   alternatives (``test: expr``) use ``operator.itemgetter(0)``, a C call. Positions come from
   the tokens (``propagate_positions`` stays off: it costs 75%).
3. **Flat operators.** Every binary operator is one left-recursive rule, ``expr: expr OP unary``.
   The grammar thus builds ``a OP b OP c ...`` strictly left to right, and :meth:`_Builder.binop`
   applies precedence by *rotating* each new operator into the tree built so far: it walks down
   the right spine while the nodes there bind more loosely than the new operator, then makes the
   subtree it stopped at the new node's left operand. ``not`` is an ordinary prefix in the
   grammar and is fixed up the same way (it binds more loosely than comparisons). Parenthesised
   sub-expressions are recorded in ``_Builder.closed`` so the walk never enters them. The walk is
   iterative and bounded by the number of precedence levels, so even a 100,000-term line parses
   in linear time without recursion. Comparisons do not chain (``a < b < c`` is an error).

4. **A lean driver.** Lark builds the LALR tables; :class:`starlite.syntax.lalr.Driver` runs
   them (one list row per state, pass-through rules without a callback or a stack slice). It
   makes lark's reductions in lark's order; when the input has an error it gives up and the
   same input goes through lark's own loop, whose ``UnexpectedToken`` the message is made
   from, so errors are lark's exactly.

Lark's LALR parser keeps its stacks in lists, so nothing recurses with the input's nesting; the
lexer additionally caps bracket nesting (:data:`lexer.MAX_NESTING`) and indentation depth.
Note that the trees themselves can be deep (a long ``a + b + ...`` chain is a left-deep tree):
code walking the AST recursively must guard against that.

The garbage collector is paused during a parse (all allocations are tree nodes that stay alive,
so collections would only cost time). The Lark object is built once, lazily, under a lock; its
analysed tables are cached in the user's cache directory (``$XDG_CACHE_HOME/starlite``, as
``marshal`` data, never pickle), falling back to building in memory if that is not writable, so
importing and parsing the first file stays fast. Parses are serialised by a lock because the
builder and lexer keep per-parse state; the GIL serialises them anyway.

Positions: every node carries the 1-based line and column (in code points) of its first token,
except ``Binary`` (the operator), ``Call`` (the ``(``), ``Index``/``Slice`` (the ``[``) and
``Dot`` (the ``.``). The AST has no parenthesis node, so the "first token" of ``(a).b`` is ``a``.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import sys
import threading
from operator import itemgetter
from pathlib import Path
from typing import Any, NoReturn

import lark
from lark import Lark
from lark.exceptions import LarkError, UnexpectedToken

from ..errors import SyntaxError as StarlarkSyntaxError
from . import ast
from . import lexer as _lexer
from .ast import (
    Arg,
    Assign,
    AugAssign,
    Binary,
    Break,
    Call,
    Comprehension,
    CondExpr,
    Continue,
    Def,
    DictEntry,
    DictExpr,
    Dot,
    Expr,
    ExprStmt,
    File,
    For,
    ForClause,
    Ident,
    If,
    IfClause,
    Index,
    Lambda,
    ListExpr,
    Literal,
    Load,
    Param,
    Pass,
    Return,
    Slice,
    TupleExpr,
    Unary,
    While,
)
from .lalr import Driver, Reject
from .lexer import StarlarkLexer, tokenize

__all__ = ["parse_file", "parse_expr"]

# Binding strength of binary operators (higher binds tighter); `not` is a prefix at _P_NOT.
_PREC: dict[str, int] = {
    "or": 1,
    "and": 2,
    "==": 4,
    "!=": 4,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "in": 4,
    "not in": 4,
    "|": 5,
    "^": 6,
    "&": 7,
    "<<": 8,
    ">>": 8,
    "-": 9,
    "+": 9,
    "*": 10,
    "/": 10,
    "//": 10,
    "%": 10,
}
_P_NOT = 3
_P_CMP = 4

_TARGET_NAMES: dict[type, str] = {
    Literal: "literal",
    Call: "function call",
    Binary: "binary expression",
    Unary: "unary expression",
    Slice: "slice expression",
    CondExpr: "conditional expression",
    DictExpr: "dict expression",
    Comprehension: "comprehension",
    Lambda: "lambda expression",
}


class _ParseError(Exception):
    """Raised by builder callbacks; the parse function adds the filename."""

    def __init__(self, line: int, col: int, msg: str) -> None:
        super().__init__(msg)
        self.line = line
        self.col = col
        self.msg = msg


def _fail(line: int, col: int, msg: str) -> NoReturn:
    raise _ParseError(line, col, msg)


def _start(x: Any) -> tuple[int, int]:
    """Position of the first token of expression ``x`` (iterative: trees may be deep)."""
    while True:
        t = type(x)
        if t is Binary or t is Index or t is Slice or t is Dot:
            x = x.x
        elif t is Call:
            x = x.fn
        else:
            return x.line, x.col


def _check_target(x: Expr, aug: bool) -> None:
    """Reject assignment targets other than Ident/Index/Dot and (non-augmented) tuples/lists."""
    stack = [x]
    while stack:
        n = stack.pop()
        t = type(n)
        if t is Ident or t is Index or t is Dot:
            continue
        if t is TupleExpr or t is ListExpr:
            if aug:
                what = "tuple" if t is TupleExpr else "list"
                _fail(*_start(n), f"can't use {what} expression in augmented assignment")
            stack.extend(n.elts)  # type: ignore[attr-defined]
            continue
        _fail(*_start(n), f"can't assign to {_TARGET_NAMES.get(t, 'expression')}")


def _check_args(args: list[Arg]) -> None:
    """Argument order rules (starlark-go's): positional, then named, then ``*x``, then ``**x``."""
    seen_star = seen_starstar = False
    names: set[str] = set()
    npos = 0
    for a in args:
        k = a.argkind
        if k == "pos":
            npos += 1
            if seen_star:
                _fail(a.line, a.col, "positional argument may not follow *args")
            if seen_starstar:
                _fail(a.line, a.col, "positional argument may not follow **kwargs")
            if names:
                _fail(a.line, a.col, "positional argument may not follow named")
        elif k == "named":
            if seen_starstar:
                _fail(a.line, a.col, "keyword argument may not follow **kwargs")
            if seen_star:
                _fail(a.line, a.col, "keyword argument may not follow *args")
            if a.name in names:
                _fail(a.line, a.col, f'keyword argument "{a.name}" is repeated')
            names.add(a.name)  # type: ignore[arg-type]
        elif k == "star":
            if seen_starstar:
                _fail(a.line, a.col, "*args may not follow **kwargs")
            if seen_star:
                _fail(a.line, a.col, "multiple *args not allowed")
            seen_star = True
        else:
            if seen_starstar:
                _fail(a.line, a.col, "multiple **kwargs not allowed")
            seen_starstar = True
    if npos > 255:
        _fail(args[0].line, args[0].col, f"{npos} positional arguments in call, limit is 255")
    if len(names) > 255:
        _fail(args[0].line, args[0].col, f"{len(names)} keyword arguments in call, limit is 255")


def _describe_value(v: Any) -> str:
    t = type(v)
    if t is int:
        return "int literal"
    if t is float:
        return "float literal"
    if t is bytes:
        return "bytes literal"
    return "string literal"


class _Builder:
    """lark ``transformer=``: one method per alias in grammar.lark, each taking the list of
    the reduced alternative's children (tokens and already-built nodes) and returning a node."""

    def __init__(self) -> None:
        # ids of Binary / Unary('not') nodes that came out of parentheses: binop must not
        # rotate operators into them. Cleared after every parse.
        self.closed: set[int] = set()

    # -- plumbing ---------------------------------------------------------------------------

    pass1 = itemgetter(0)

    def file_empty(self, s: list) -> list:
        return []

    # -- statement lists --------------------------------------------------------------------

    def stmts_small(self, s: list) -> list:
        return [s[0]]

    def stmts_semis(self, s: list) -> list:
        return s[0]  # type: ignore[no-any-return]

    def stmts_semis_small(self, s: list) -> list:
        body = s[0]
        body.append(s[1])
        return body  # type: ignore[no-any-return]

    def stmts_add(self, s: list) -> list:
        body = s[0]
        body.append(s[1])
        return body  # type: ignore[no-any-return]

    def stmts_add_semis(self, s: list) -> list:
        body = s[0]
        body.extend(s[1])
        return body  # type: ignore[no-any-return]

    def stmts_add_semis_small(self, s: list) -> list:
        body = s[0]
        body.extend(s[1])
        body.append(s[2])
        return body  # type: ignore[no-any-return]

    def semis_first(self, s: list) -> list:
        return [s[0]]

    def semis_add(self, s: list) -> list:
        body = s[0]
        body.append(s[1])
        return body  # type: ignore[no-any-return]

    def suite_block(self, s: list) -> list:
        return s[2]  # type: ignore[no-any-return]

    def list1(self, s: list) -> list:
        return [s[0]]

    def list_add(self, s: list) -> list:
        xs = s[0]
        xs.append(s[2])
        return xs  # type: ignore[no-any-return]

    # -- simple statements ------------------------------------------------------------------

    def expr_stmt(self, s: list) -> ExprStmt:
        x = s[0]
        t = type(x)
        if t is Ident or t is Literal:
            return ExprStmt(x, x.line, x.col)
        return ExprStmt(x, *_start(x))

    def assign(self, s: list) -> Assign:
        lhs = s[0]
        if type(lhs) is not Ident:
            _check_target(lhs, False)
        return Assign(lhs, s[2], *_start(lhs))

    def aug_assign(self, s: list) -> AugAssign:
        lhs = s[0]
        if type(lhs) is not Ident:
            _check_target(lhs, True)
        return AugAssign(s[1].value[:-1], lhs, s[2], *_start(lhs))

    def return_none(self, s: list) -> Return:
        t = s[0]
        return Return(None, t.line, t.column)

    def return_(self, s: list) -> Return:
        t = s[0]
        return Return(s[1], t.line, t.column)

    def break_(self, s: list) -> Break:
        return Break(s[0].line, s[0].column)

    def continue_(self, s: list) -> Continue:
        return Continue(s[0].line, s[0].column)

    def pass_(self, s: list) -> Pass:
        return Pass(s[0].line, s[0].column)

    def load(self, s: list) -> Load:
        t = s[0]
        args: list[Arg] = s[2]
        first = args[0]
        v = first.value
        if not (first.argkind == "pos" and type(v) is Literal and type(v.value) is str):
            _fail(first.line, first.col, "first operand of load statement must be a string literal")
        names: list[tuple[Ident, str]] = []
        for a in args[1:]:
            v = a.value
            if type(v) is Literal and type(v.value) is str and a.argkind in ("pos", "named"):
                local = a.name if a.argkind == "named" else v.value
                names.append((Ident(sys.intern(local), a.line, a.col), v.value))  # type: ignore[arg-type]
            elif a.argkind == "pos" and type(v) is Ident:
                _fail(
                    a.line,
                    a.col,
                    f'load operand must be "{v.name}" or {v.name}="originalname" '
                    f"(want '=' after {v.name})",
                )
            elif a.argkind == "named":
                _fail(
                    v.line,
                    v.col,
                    f'original name of loaded symbol must be quoted: {a.name}="originalname"',
                )
            else:
                got = _describe_value(v.value) if type(v) is Literal else "expression"
                _fail(a.line, a.col, f'load operand must be "name" or localname="name" (got {got})')
        if not names:
            _fail(s[1].line, s[1].column, "load statement must import at least 1 symbol")
        return Load(first.value.value, names, t.line, t.column)  # type: ignore[attr-defined]

    load_comma = load

    def load_empty(self, s: list) -> Load:
        _fail(s[1].line, s[1].column, "first operand of load statement must be a string literal")

    # -- compound statements ----------------------------------------------------------------

    def if_(self, s: list) -> If:
        t = s[0]
        return If(s[1], s[3], [], t.line, t.column)

    def if_else(self, s: list) -> If:
        t = s[0]
        return If(s[1], s[3], s[4], t.line, t.column)

    def else_(self, s: list) -> list:
        return s[2]  # type: ignore[no-any-return]

    def elif_(self, s: list) -> list:
        t = s[0]
        return [If(s[1], s[3], [], t.line, t.column)]

    def elif_else(self, s: list) -> list:
        t = s[0]
        return [If(s[1], s[3], s[4], t.line, t.column)]

    def for_(self, s: list) -> For:
        t = s[0]
        vars_ = s[1]
        if type(vars_) is not Ident:
            _check_target(vars_, False)
        return For(vars_, s[3], s[5], t.line, t.column)

    def while_(self, s: list) -> ast.While:
        t = s[0]
        return While(s[1], s[3], t.line, t.column)

    def def0(self, s: list) -> Def:
        t, n = s[0], s[1]
        return Def(n, [], s[5], t.line, t.column)

    def def_(self, s: list) -> Def:
        t, n = s[0], s[1]
        return Def(n, s[3], s[6], t.line, t.column)

    def def_comma(self, s: list) -> Def:
        t, n = s[0], s[1]
        return Def(n, s[3], s[7], t.line, t.column)

    def param_plain(self, s: list) -> Param:
        n = s[0]
        return Param("plain", n, None, n.line, n.column)

    def param_default(self, s: list) -> Param:
        n = s[0]
        return Param("default", n, s[2], n.line, n.column)

    def param_bare_star(self, s: list) -> Param:
        t = s[0]
        return Param("star", None, None, t.line, t.column)

    def param_star(self, s: list) -> Param:
        t, n = s[0], s[1]
        return Param("star", n, None, t.line, t.column)

    def param_starstar(self, s: list) -> Param:
        t, n = s[0], s[1]
        return Param("starstar", n, None, t.line, t.column)

    def loopvars_single(self, s: list) -> TupleExpr:
        x = s[0]
        return TupleExpr([x], *_start(x))

    # -- expressions ------------------------------------------------------------------------

    def tuple_new(self, s: list) -> TupleExpr:
        x = s[0]
        return TupleExpr([x, s[2]], *_start(x))

    def tuple_add(self, s: list) -> TupleExpr:
        t = s[0]
        t.elts.append(s[2])
        return t  # type: ignore[no-any-return]

    def trailing_comma(self, s: list) -> NoReturn:
        x = s[0]
        if type(x) is TupleExpr and x.elts:
            x = x.elts[-1]
        _fail(*_start(x), "unparenthesized tuple with trailing comma")

    def cond(self, s: list) -> CondExpr:
        x = s[0]
        return CondExpr(s[2], x, s[4], *_start(x))

    def lambda0(self, s: list) -> Lambda:
        t = s[0]
        return Lambda([], s[2], t.line, t.column)

    def lambda_(self, s: list) -> Lambda:
        t = s[0]
        return Lambda(s[1], s[3], t.line, t.column)

    def lambda_comma(self, s: list) -> Lambda:
        t = s[0]
        return Lambda(s[1], s[4], t.line, t.column)

    def binop(self, s: list) -> Expr:
        x, t, y = s
        return self._insert(x, t.value, y, t.line, t.column)

    def binop_not_in(self, s: list) -> Expr:
        t = s[1]
        return self._insert(s[0], "not in", s[3], t.line, t.column)

    def _insert(self, x: Any, op: str, y: Any, line: int, col: int) -> Expr:
        """Combine the tree ``x`` built so far with ``op y`` (see the module docstring)."""
        p = _PREC[op]
        closed = self.closed
        if type(y) is Unary and y.op == "not" and p > _P_NOT and id(y) not in closed:
            _fail(y.line, y.col, "got not, want primary expression")
        parent: Any = None
        node = x
        while True:
            tn = type(node)
            if tn is Binary:
                q = _PREC[node.op]
            elif tn is Unary and node.op == "not":
                q = _P_NOT
            else:
                break
            if q >= p or id(node) in closed:
                if q == p == _P_CMP and id(node) not in closed:
                    _fail(line, col, f"{node.op} does not associate with {op} (use parens)")
                break
            parent = node
            node = node.y if tn is Binary else node.x
        new = Binary(op, node, y, line, col)
        if parent is None:
            return new
        if type(parent) is Binary:
            parent.y = new
        else:
            parent.x = new
        return x  # type: ignore[no-any-return]

    def unary(self, s: list) -> Unary:
        t, x = s
        if type(x) is Unary and x.op == "not" and id(x) not in self.closed:
            _fail(x.line, x.col, "got not, want primary expression")
        return Unary(t.value, x, t.line, t.column)

    def unary_not(self, s: list) -> Unary:
        t = s[0]
        return Unary("not", s[1], t.line, t.column)

    def dot(self, s: list) -> Dot:
        t = s[1]
        return Dot(s[0], s[2].value, t.line, t.column)

    def call0(self, s: list) -> Call:
        t = s[1]
        return Call(s[0], [], t.line, t.column)

    def call(self, s: list) -> Call:
        t = s[1]
        args = s[2]
        if len(args) > 1 or args[0].argkind != "pos":
            _check_args(args)
        return Call(s[0], args, t.line, t.column)

    call_comma = call

    def index(self, s: list) -> Index:
        t = s[1]
        return Index(s[0], s[2], t.line, t.column)

    def slice(self, s: list) -> Slice:
        t = s[1]
        lo, hi, step = s[2]
        return Slice(s[0], lo, hi, step, t.line, t.column)

    def slice_(self, s: list) -> tuple:
        return (None, None, None)

    def slice_h(self, s: list) -> tuple:
        return (None, s[1], None)

    def slice_s(self, s: list) -> tuple:
        return (None, None, s[2])

    def slice_hs(self, s: list) -> tuple:
        return (None, s[1], s[3])

    def slice_l(self, s: list) -> tuple:
        return (s[0], None, None)

    def slice_lh(self, s: list) -> tuple:
        return (s[0], s[2], None)

    def slice_ls(self, s: list) -> tuple:
        return (s[0], None, s[3])

    def slice_lhs(self, s: list) -> tuple:
        return (s[0], s[2], s[4])

    def tuple0(self, s: list) -> TupleExpr:
        t = s[0]
        return TupleExpr([], t.line, t.column)

    def paren(self, s: list) -> Expr:
        x = s[1]
        t = type(x)
        if t is Binary or t is Unary:
            self.closed.add(id(x))
        return x  # type: ignore[no-any-return]

    def tuple1(self, s: list) -> TupleExpr:
        t = s[0]
        return TupleExpr([s[1]], t.line, t.column)

    def paren_tuple(self, s: list) -> TupleExpr:
        t = s[0]
        x = s[1]
        x.line = t.line
        x.col = t.column
        return x  # type: ignore[no-any-return]

    paren_tuple_comma = paren_tuple

    def list0(self, s: list) -> ListExpr:
        t = s[0]
        return ListExpr([], t.line, t.column)

    def list1_(self, s: list) -> ListExpr:
        t = s[0]
        return ListExpr([s[1]], t.line, t.column)

    list1_comma = list1_

    def list_(self, s: list) -> ListExpr:
        t = s[0]
        return ListExpr(s[1].elts, t.line, t.column)

    list_comma = list_

    def list_comp(self, s: list) -> Comprehension:
        t = s[0]
        return Comprehension(False, s[1], s[2], t.line, t.column)

    def dict0(self, s: list) -> DictExpr:
        t = s[0]
        return DictExpr([], t.line, t.column)

    def dict_(self, s: list) -> DictExpr:
        t = s[0]
        return DictExpr(s[1], t.line, t.column)

    dict_comma = dict_

    def dict_comp(self, s: list) -> Comprehension:
        t = s[0]
        return Comprehension(True, s[1], s[2], t.line, t.column)

    def entry(self, s: list) -> DictEntry:
        k = s[0]
        return DictEntry(k, s[2], *_start(k))

    def arg_pos(self, s: list) -> Arg:
        x = s[0]
        return Arg("pos", None, x, *_start(x))

    def arg_named(self, s: list) -> Arg:
        n = s[0]
        return Arg("named", n.value, s[2], n.line, n.column)

    def arg_star(self, s: list) -> Arg:
        t = s[0]
        return Arg("star", None, s[1], t.line, t.column)

    def arg_starstar(self, s: list) -> Arg:
        t = s[0]
        return Arg("starstar", None, s[1], t.line, t.column)

    def clauses_for(self, s: list) -> list:
        t = s[0]
        vars_ = s[1]
        if type(vars_) is not Ident:
            _check_target(vars_, False)
        return [ForClause(vars_, s[3], t.line, t.column)]

    def clauses_add_for(self, s: list) -> list:
        cs = s[0]
        t = s[1]
        vars_ = s[2]
        if type(vars_) is not Ident:
            _check_target(vars_, False)
        cs.append(ForClause(vars_, s[4], t.line, t.column))
        return cs  # type: ignore[no-any-return]

    def clauses_add_if(self, s: list) -> list:
        cs = s[0]
        t = s[1]
        cs.append(IfClause(s[2], t.line, t.column))
        return cs  # type: ignore[no-any-return]

    def clauses_add_if_lambda0(self, s: list) -> list:
        cs = s[0]
        t, lt = s[1], s[2]
        cs.append(IfClause(Lambda([], s[4], lt.line, lt.column), t.line, t.column))
        return cs  # type: ignore[no-any-return]

    def clauses_add_if_lambda(self, s: list) -> list:
        cs = s[0]
        t, lt = s[1], s[2]
        cs.append(IfClause(Lambda(s[3], s[5], lt.line, lt.column), t.line, t.column))
        return cs  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Building (or loading) the lark parser


_GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
_LARK_OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "start": ["file", "eval"],
    "keep_all_tokens": True,
    "propagate_positions": False,
    "maybe_placeholders": False,
}

_lock = threading.RLock()
_state: tuple[Lark, _Builder, StarlarkLexer, dict[str, Driver]] | None = None


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "starlite"


def _cache_path(grammar: str) -> Path:
    key = hashlib.sha256(
        "\0".join(
            (grammar, lark.__version__, repr(sys.version_info[:2]), repr(_LARK_OPTIONS))
        ).encode()
    ).hexdigest()[:20]
    return _cache_dir() / f"grammar-{key}.marshal"


def _build(builder: _Builder) -> Lark:
    """The Lark object: loaded from the table cache if possible, else built and cached."""
    grammar = _GRAMMAR_PATH.read_text(encoding="utf-8")
    path = _cache_path(grammar)
    try:
        with open(path, "rb") as f:
            data = marshal.load(f)
        data["data"]["options"]["lexer"] = StarlarkLexer
        data["data"]["parser"]["lexer_conf"]["lexer_type"] = StarlarkLexer
        return Lark._load_from_dict(data["data"], data["memo"], transformer=builder)
    except Exception:  # noqa: BLE001 - missing or unusable cache: build it
        pass
    parser = Lark(grammar, lexer=StarlarkLexer, transformer=builder, **_LARK_OPTIONS)
    try:
        data, memo = parser.memo_serialize([lark.lexer.TerminalDef, lark.grammar.Rule])
        data["options"].pop("transformer", None)
        data["options"]["lexer"] = None
        data["parser"]["lexer_conf"]["lexer_type"] = None
        blob = marshal.dumps({"data": data, "memo": memo})
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass  # not writable or not serialisable: parse without a cache
    return parser


class _IdentityRule(lark.grammar.Rule):
    """A lark ``Rule`` compared and hashed by identity, in C.

    Lark's LALR loop runs ``assert arg != end_state`` and ``callbacks[rule]`` on every
    reduction; with ``Rule``'s Python-level ``__eq__`` (``!=`` falls back to it) and
    ``__hash__`` that is two Python calls per reduction, about a sixth of a parse. Once the
    tables are built, each rule is one object shared by the tables and the callbacks, so
    identity is the same equality.
    """

    __slots__ = ()
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


def _identity_rules(parser: Lark) -> None:
    """Switch the built parser's rules to :class:`_IdentityRule` (same layout, so only the
    class changes) and re-key its callbacks by the new hashes."""
    inner = parser.parser.parser.parser
    for table in inner.parse_table.states.values():
        for _action, arg in table.values():
            if type(arg) is lark.grammar.Rule:
                arg.__class__ = _IdentityRule
    inner.callbacks = dict(inner.callbacks.items())


def _get() -> tuple[Lark, _Builder, StarlarkLexer, dict[str, Driver]]:
    global _state
    st = _state
    if st is None:
        with _lock:
            st = _state
            if st is None:
                builder = _Builder()
                parser = _build(builder)
                _identity_rules(parser)
                lexer = parser.parser.lexer  # the StarlarkLexer instance lark made
                inner = parser.parser.parser.parser
                drivers = {
                    start: Driver(inner.parse_table, inner.callbacks, start, _Builder.pass1)
                    for start in _LARK_OPTIONS["start"]
                }
                st = _state = (parser, builder, lexer, drivers)
    return st


# ---------------------------------------------------------------------------------------------
# Error translation

_TERMINAL_NAMES: dict[str, str] = {
    "NAME": "identifier",
    "LIT": "literal",
    "NEWLINE": "newline",
    "INDENT": "indent",
    "DEDENT": "outdent",
    "$END": "end of file",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "COMMA": "','",
    "COLON": "':'",
    "SEMI": "';'",
    "DOT": "'.'",
    "EQUAL": "'='",
    "STAR": "'*'",
    "STARSTAR": "'**'",
    "MINUS": "'-'",
    "PLUS": "'+'",
    "TILDE": "'~'",
    "BINOP": "binary operator",
    "AUGASSIGN": "augmented assignment",
}
_EXPR_START = frozenset(("NAME", "LIT", "LPAR", "LSQB", "LBRACE", "MINUS", "PLUS", "TILDE"))


def _describe(tok: Any) -> str:
    t = tok.type
    if t == "LIT":
        return _describe_value(tok.value)
    if t in ("NAME", "NEWLINE", "INDENT", "DEDENT", "$END"):
        return _TERMINAL_NAMES[t]
    if t.isalpha() and t != "BINOP" and t != "AUGASSIGN" and t not in _TERMINAL_NAMES:
        return t.lower()  # keyword
    if tok.value in ("and", "or"):
        return str(tok.value)
    return f"'{tok.value}'"


def _want(expected: set[str]) -> str | None:
    if expected & _EXPR_START == _EXPR_START - {"LIT"} or _EXPR_START <= expected:
        return "primary expression"
    if len(expected) == 1:
        (t,) = expected
        return _TERMINAL_NAMES.get(t, t.lower())
    for t in ("NEWLINE", "RPAR", "RSQB", "RBRACE", "COLON", "IN", "LPAR"):
        if t in expected:
            return _TERMINAL_NAMES.get(t, t.lower())
    return None


def _translate(e: UnexpectedToken, filename: str, text: str, lexer: StarlarkLexer) -> Exception:
    tok = e.token
    # e.expected is LALR's merged lookahead set, which over-approximates; accepts() replays
    # each candidate terminal on a copy of the parser state and is exact.
    try:
        expected = set(e.interactive_parser.accepts())
    except Exception:  # noqa: BLE001 - fall back to the approximation
        expected = set(e.expected or ())
    expected.discard("$END")
    # Where is the token? Tok objects know; shared singletons are found via the lexer.
    if tok.type == "$END":
        line, col = _lexer._pos(text, len(text))
    elif getattr(tok, "line", 0):
        line, col = tok.line, tok.column
    else:
        off = _lexer.error_offset(lexer.gen)
        line, col = _lexer._pos(text, off if off is not None else len(text))
    got = _describe(tok)
    if tok.type == "INDENT":
        msg = "unexpected indentation"
    elif expected == {"INDENT"}:
        msg = f"got {got}, want indented block"
    elif "ELSE" in expected and "ELIF" not in expected:
        msg = "conditional expression without else clause"
    elif "FOR" in expected and "IF" in expected and ("RSQB" in expected or "RBRACE" in expected):
        close = "]" if "RSQB" in expected else "}"
        msg = f"got {got}, want '{close}', for, or if"
    elif tok.type == "$END" and not expected & {"RPAR", "RSQB", "RBRACE"}:
        msg = "unexpected end of file"
    else:
        want = _want(expected)
        msg = f"got {got}, want {want}" if want else f"unexpected {got}"
    return StarlarkSyntaxError(filename, line, col, msg)


# ---------------------------------------------------------------------------------------------
# Public API


def _parse(filename: str, source: str, start: str, expr_mode: bool, fast: bool = True) -> Any:
    """Parse with the lean driver (``fast``), falling back to lark's own loop on an error;
    ``fast=False`` uses lark's loop only (tests compare the two)."""
    if not isinstance(source, str):
        raise TypeError(f"source must be str, not {type(source).__name__}")
    parser, builder, lexer, drivers = _get()
    with _lock:
        gc_enabled = gc.isenabled()
        gc.disable()
        try:
            if fast:
                try:
                    return drivers[start].parse(tokenize(source, filename, expr_mode, False))
                except Reject:
                    builder.closed.clear()
            # The input has an error at the token where the driver stopped: lark's own
            # loop, on the same tables, stops there too and says what it expected.
            lexer.filename = filename
            lexer.expr_mode = expr_mode
            return parser.parse(source, start=start)
        except StarlarkSyntaxError:
            raise
        except _ParseError as e:
            raise StarlarkSyntaxError(filename, e.line, e.col, e.msg) from None
        except UnexpectedToken as e:
            raise _translate(e, filename, source, lexer) from None
        except RecursionError:  # pragma: no cover - defensive: nothing here recurses
            raise StarlarkSyntaxError(filename, 1, 1, "program too deeply nested") from None
        except LarkError as e:  # pragma: no cover - defensive
            raise StarlarkSyntaxError(filename, 1, 1, f"syntax error: {e}") from None
        finally:
            builder.closed.clear()
            lexer.gen = None
            if gc_enabled:
                gc.enable()


def parse_file(filename: str, source: str) -> File:
    """Parse a whole Starlark file. Raises :class:`starlite.errors.SyntaxError`."""
    body = _parse(filename, source, "file", False)
    return File(filename, body, source)


def parse_expr(filename: str, source: str) -> File:
    """Parse one expression (a comma-separated list is a tuple); newlines inside it are
    ignored, as if it were in parentheses. The result is a File whose body is one ExprStmt."""
    x = _parse(filename, source, "eval", True)
    line, col = _start(x)
    return File(filename, [ExprStmt(x, line, col)], source)
