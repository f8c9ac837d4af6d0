"""Tests of the Starlark parser (starlite.syntax): AST shapes, positions, literals, precedence,
every error path (always ``file:line:col: msg``), and pathological nesting."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

from starlite.errors import SyntaxError as StarlarkSyntaxError
from starlite.syntax import ast, parse_expr, parse_file

# ---------------------------------------------------------------------------------------------
# Helpers


def show(n: Any) -> str:
    """A compact, fully parenthesised rendering of a node, for shape assertions."""
    if isinstance(n, list):
        return "[" + ", ".join(show(x) for x in n) + "]"
    if isinstance(n, tuple):
        return "(" + ", ".join(show(x) for x in n) + ")"
    if not isinstance(n, ast.Node):
        return repr(n)
    t = type(n)
    if t is ast.Ident:
        return n.name
    if t is ast.Literal:
        return repr(n.value)
    if t is ast.Binary:
        return f"({show(n.x)} {n.op} {show(n.y)})"
    if t is ast.Unary:
        return f"({n.op} {show(n.x)})"
    skip = ("scope", "binding", "source", "filename")
    fields = [f for f in t.__slots__ if f not in skip]
    return t.__name__ + "(" + ", ".join(show(getattr(n, f)) for f in fields) + ")"


def expr(src: str) -> ast.Expr:
    f = parse_expr("e.star", src)
    assert len(f.body) == 1 and type(f.body[0]) is ast.ExprStmt
    return f.body[0].x


def sx(src: str) -> str:
    return show(expr(src))


def stmts(src: str) -> list[ast.Stmt]:
    return parse_file("f.star", src).body


def syntax_error(src: str, *, as_expr: bool = False) -> StarlarkSyntaxError:
    with pytest.raises(StarlarkSyntaxError) as info:
        (parse_expr if as_expr else parse_file)("bad.star", src)
    e = info.value
    assert str(e) == f"bad.star:{e.line}:{e.col}: {e.msg}"
    assert e.filename == "bad.star" and e.line >= 1 and e.col >= 1
    return e


# ---------------------------------------------------------------------------------------------
# Files and statements


def test_empty_and_comment_only_files() -> None:
    for src in ["", "\n", "\n\n", "# c", "# c\n\n  # indented comment\n", "   \n\t\n"]:
        f = parse_file("x.star", src)
        assert f.body == [] and f.filename == "x.star" and f.source == src


def test_file_node() -> None:
    f = parse_file("x.star", "x = 1\n")
    assert type(f) is ast.File and (f.line, f.col) == (1, 1) and f.scope is None


def test_missing_final_newline_and_crlf() -> None:
    assert show(stmts("x = 1")) == "[Assign(x, 1)]"
    assert show(stmts("x = 1\r\ny = 2\r\n")) == "[Assign(x, 1), Assign(y, 2)]"
    assert show(stmts("def f():\n  pass")) == "[Def(f, [], [Pass()])]"


def test_simple_statements() -> None:
    src = "x = 1; y += 2;\npass\nreturn\nreturn a, b\nf(x)\n"
    assert show(stmts(src)) == (
        "[Assign(x, 1), AugAssign('+', y, 2), Pass(), Return(None), "
        "Return(TupleExpr([a, b])), ExprStmt(Call(f, [Arg('pos', None, x)]))]"
    )


@pytest.mark.parametrize("op", "+ - * / // % & | ^ << >>".split())
def test_augmented_assignment_ops(op: str) -> None:
    (s,) = stmts(f"x[0] {op}= y\n")
    assert type(s) is ast.AugAssign and s.op == op and type(s.lhs) is ast.Index


def test_assignment_targets() -> None:
    assert show(stmts("a, b = b, a\n")) == "[Assign(TupleExpr([a, b]), TupleExpr([b, a]))]"
    assert show(stmts("(a, b,) = 1, 2\n")) == "[Assign(TupleExpr([a, b]), TupleExpr([1, 2]))]"
    assert show(stmts("[a, (b, c.d)] = x\n")) == (
        "[Assign(ListExpr([a, TupleExpr([b, Dot(c, 'd')])]), x)]"
    )
    assert show(stmts("x.y[1] = 2\n")) == "[Assign(Index(Dot(x, 'y'), 1), 2)]"
    assert show(stmts("x = 1, 2\n")) == "[Assign(x, TupleExpr([1, 2]))]"
    assert show(stmts("(x) = 1\n")) == "[Assign(x, 1)]"


def test_if_elif_else() -> None:
    src = "if a:\n  x\nelif b:\n  y\nelif c: z\nelse:\n  w\n"
    assert show(stmts(src)) == (
        "[If(a, [ExprStmt(x)], [If(b, [ExprStmt(y)], [If(c, [ExprStmt(z)], [ExprStmt(w)])])])]"
    )
    (s,) = stmts(src)
    inner = s.orelse[0]
    assert (inner.line, inner.col) == (3, 1)


def test_single_line_suites() -> None:
    assert show(stmts("if x: return 1\n")) == "[If(x, [Return(1)], [])]"
    assert show(stmts("for x in y: a; b\n")) == "[For(x, y, [ExprStmt(a), ExprStmt(b)])]"
    assert show(stmts("while x: pass;\n")) == "[While(x, [Pass()])]"
    assert show(stmts("def f(): return\n")) == "[Def(f, [], [Return(None)])]"


def test_for_targets() -> None:
    assert show(stmts("for a, b in x: pass\n")) == "[For(TupleExpr([a, b]), x, [Pass()])]"
    assert show(stmts("for (a, b) in x: pass\n")) == "[For(TupleExpr([a, b]), x, [Pass()])]"
    assert show(stmts("for [a, b] in x: pass\n")) == "[For(ListExpr([a, b]), x, [Pass()])]"
    assert show(stmts("for a, in x: pass\n")) == "[For(TupleExpr([a]), x, [Pass()])]"
    assert show(stmts("for a, (b, c) in x: pass\n")) == (
        "[For(TupleExpr([a, TupleExpr([b, c])]), x, [Pass()])]"
    )
    assert show(stmts("for x in 1, 2: pass\n")) == "[For(x, TupleExpr([1, 2]), [Pass()])]"
    assert show(stmts("for x.y in z: pass\n")) == "[For(Dot(x, 'y'), z, [Pass()])]"


def test_while_break_continue() -> None:
    src = "while x:\n    break\n    continue\n"
    assert show(stmts(src)) == "[While(x, [Break(), Continue()])]"


def test_def_params() -> None:
    src = "def f(a, b=1, *args, c, d=2, **kw,):\n    '''doc'''\n    return a\n"
    assert show(stmts(src)) == (
        "[Def(f, [Param('plain', a, None), Param('default', b, 1), Param('star', args, None), "
        "Param('plain', c, None), Param('default', d, 2), Param('starstar', kw, None)], "
        "[ExprStmt('doc'), Return(a)])]"
    )
    (d,) = stmts("def f(a, *, b): pass\n")
    assert [(p.paramkind, p.name and p.name.name) for p in d.params] == [
        ("plain", "a"),
        ("star", None),
        ("plain", "b"),
    ]
    assert show(stmts("def f(): pass\n")) == "[Def(f, [], [Pass()])]"
    # Parameter order is the resolver's business (as in starlark-go).
    assert len(stmts("def f(**k, a): pass\n")) == 1


def test_load() -> None:
    (s,) = stmts('load("//m.star", "a", b = "c", "d",)\n')
    assert type(s) is ast.Load and s.module == "//m.star"
    assert [(i.name, orig) for i, orig in s.names] == [("a", "a"), ("b", "c"), ("d", "d")]
    assert all(type(i) is ast.Ident for i, _ in s.names)
    assert (s.line, s.col) == (1, 1)


def test_top_level_return_and_nested_blocks() -> None:
    src = (
        "def f(x):\n    if x:\n        for y in x:\n            return y\n"
        "    return None\nreturn 1\n"
    )
    assert show(stmts(src)) == (
        "[Def(f, [Param('plain', x, None)], [If(x, [For(y, x, [Return(y)])], []), "
        "Return(None)]), Return(1)]"
    )


def test_indentation_forms() -> None:
    # Blank and comment lines never matter; tabs advance to multiples of 8.
    src = "def f():\n\n   # c\n\tx = 1\n        y = 2\n\n\treturn x\n"
    assert show(stmts(src)) == "[Def(f, [], [Assign(x, 1), Assign(y, 2), Return(x)])]"
    src = "x = [\n1,\n        2,\n  3]\ny = (1 +\n  2)\n  \nz = 3\n"
    assert len(stmts(src)) == 3
    assert show(stmts("x = 1 + \\\n    2\n")) == "[Assign(x, (1 + 2))]"


def test_keywords_of_python_are_identifiers() -> None:
    src = "assert.eq(1, 1)\nclass_ = import_\nx = is_ + assert\n"
    assert show(stmts(src))[:50] == "[ExprStmt(Call(Dot(assert, 'eq'), [Arg('pos', None"


# ---------------------------------------------------------------------------------------------
# Expressions


@pytest.mark.parametrize(
    "src, want",
    [
        # each level against the next
        ("a or b and c", "(a or (b and c))"),
        ("a and b or c", "((a and b) or c)"),
        ("not a and b", "((not a) and b)"),
        ("a and not b", "(a and (not b))"),
        ("not a == b", "(not (a == b))"),
        ("not a or b", "((not a) or b)"),
        ("a and not b or c", "((a and (not b)) or c)"),
        ("x and not a == b", "(x and (not (a == b)))"),
        ("not not a", "(not (not a))"),
        ("a == b | c", "(a == (b | c))"),
        ("a in b | c", "(a in (b | c))"),
        ("a not in b", "(a not in b)"),
        ("a | b ^ c", "(a | (b ^ c))"),
        ("a ^ b & c", "(a ^ (b & c))"),
        ("a & b << c", "(a & (b << c))"),
        ("a >> b + c", "(a >> (b + c))"),
        ("a - b * c", "(a - (b * c))"),
        ("a * b - c", "((a * b) - c)"),
        ("-a * b", "((- a) * b)"),
        ("~a % b", "((~ a) % b)"),
        ("+a // -b", "((+ a) // (- b))"),
        ("- -a", "(- (- a))"),
        ("-a.b", "(- Dot(a, 'b'))"),
        # left associativity
        ("a - b - c", "((a - b) - c)"),
        ("a / b * c % d // e", "((((a / b) * c) % d) // e)"),
        ("a or b or c", "((a or b) or c)"),
        ("a << b >> c", "((a << b) >> c)"),
        # mixed
        ("a + b * c - d / e % f // g", "((a + (b * c)) - (((d / e) % f) // g))"),
        ("a | b ^ c & d << e >> f + g", "(a | (b ^ (c & ((d << e) >> (f + g)))))"),
        ("a * b + c * d == e or f and not g", "((((a * b) + (c * d)) == e) or (f and (not g)))"),
        ("1 + 2 < 3 and 4 in x", "(((1 + 2) < 3) and (4 in x))"),
        # parentheses are opaque to the precedence fix-up
        ("(a or b) and c", "((a or b) and c)"),
        ("(a + b) * c", "((a + b) * c)"),
        ("a * (b + c)", "(a * (b + c))"),
        ("(not a) == b", "((not a) == b)"),
        ("a == (not b)", "(a == (not b))"),
        ("(0 == 1) == 2", "((0 == 1) == 2)"),
        ("0 <= (i < n)", "(0 <= (i < n))"),
        ("(a in b) not in c", "((a in b) not in c)"),
        # conditional and lambda
        ("a if b else c", "CondExpr(b, a, c)"),
        ("a if b else c if d else e", "CondExpr(b, a, CondExpr(d, c, e))"),
        ("a or b if c and d else e", "CondExpr((c and d), (a or b), e)"),
        ("lambda: 1", "Lambda([], 1)"),
        (
            "lambda x, y=1: x + y",
            "Lambda([Param('plain', x, None), Param('default', y, 1)], (x + y))",
        ),
        ("lambda *a, **k: a", "Lambda([Param('star', a, None), Param('starstar', k, None)], a)"),
        ("lambda x,: x", "Lambda([Param('plain', x, None)], x)"),
        ("lambda: a if b else c", "Lambda([], CondExpr(b, a, c))"),
        ("1 if 2 else lambda: 3", "CondExpr(2, 1, Lambda([], 3))"),
    ],
)
def test_precedence(src: str, want: str) -> None:
    assert sx(src) == want


def test_operator_table_is_complete() -> None:
    ops = "or and == != < > <= >= in | ^ & << >> - + * / // %".split() + ["not in"]
    for op in ops:
        x = expr(f"a {op} b")
        assert type(x) is ast.Binary and x.op == op


def test_primary_expressions() -> None:
    assert sx("a.b.c(d)[e]") == "Index(Call(Dot(Dot(a, 'b'), 'c'), [Arg('pos', None, d)]), e)"
    assert sx("f()()") == "Call(Call(f, []), [])"
    assert sx("f(a, b, c=1, *d, **e,)") == (
        "Call(f, [Arg('pos', None, a), Arg('pos', None, b), Arg('named', 'c', 1), "
        "Arg('star', None, d), Arg('starstar', None, e)])"
    )
    assert sx("f(*a)") == "Call(f, [Arg('star', None, a)])"
    assert sx("f(a=1, **k)") == "Call(f, [Arg('named', 'a', 1), Arg('starstar', None, k)])"
    assert sx("x[1, 2]") == "Index(x, TupleExpr([1, 2]))"
    assert sx("'abc'[0]") == "Index('abc', 0)"


@pytest.mark.parametrize(
    "src, want",
    [
        ("x[:]", "Slice(x, None, None, None)"),
        ("x[::]", "Slice(x, None, None, None)"),
        ("x[1:]", "Slice(x, 1, None, None)"),
        ("x[:2]", "Slice(x, None, 2, None)"),
        ("x[::3]", "Slice(x, None, None, 3)"),
        ("x[1:2]", "Slice(x, 1, 2, None)"),
        ("x[1::3]", "Slice(x, 1, None, 3)"),
        ("x[:2:3]", "Slice(x, None, 2, 3)"),
        ("x[1:2:3]", "Slice(x, 1, 2, 3)"),
        ("x[1:2:]", "Slice(x, 1, 2, None)"),
        ("x[:2:]", "Slice(x, None, 2, None)"),
        ("x[1::]", "Slice(x, 1, None, None)"),
        ("x[-1:a+b]", "Slice(x, (- 1), (a + b), None)"),
        ("x[1, 2:]", "Slice(x, TupleExpr([1, 2]), None, None)"),
    ],
)
def test_slices(src: str, want: str) -> None:
    assert sx(src) == want


@pytest.mark.parametrize(
    "src, want",
    [
        ("()", "TupleExpr([])"),
        ("(1)", "1"),
        ("(1,)", "TupleExpr([1])"),
        ("(1, 2)", "TupleExpr([1, 2])"),
        ("(1, 2,)", "TupleExpr([1, 2])"),
        ("1, 2", "TupleExpr([1, 2])"),
        ("[]", "ListExpr([])"),
        ("[1]", "ListExpr([1])"),
        ("[1,]", "ListExpr([1])"),
        ("[1, 2]", "ListExpr([1, 2])"),
        ("[1, 2,]", "ListExpr([1, 2])"),
        ("{}", "DictExpr([])"),
        ("{1: 2}", "DictExpr([DictEntry(1, 2)])"),
        ("{1: 2, 'a': b,}", "DictExpr([DictEntry(1, 2), DictEntry('a', b)])"),
        ("[x for x in y]", "Comprehension(False, x, [ForClause(x, y)])"),
        (
            "[x for x in y if x for z in x if z if 1]",
            "Comprehension(False, x, [ForClause(x, y), IfClause(x), ForClause(z, x), "
            "IfClause(z), IfClause(1)])",
        ),
        (
            "{k: v for k, v in d.items()}",
            "Comprehension(True, DictEntry(k, v), "
            "[ForClause(TupleExpr([k, v]), Call(Dot(d, 'items'), []))])",
        ),
        (
            "[a if b else c for d in e]",
            "Comprehension(False, CondExpr(b, a, c), [ForClause(d, e)])",
        ),
        ("[x for x in a or b]", "Comprehension(False, x, [ForClause(x, (a or b))])"),
        (
            "[x for x in (a if b else c)]",
            "Comprehension(False, x, [ForClause(x, CondExpr(b, a, c))])",
        ),
        (
            "[a for b in c if lambda: d]",
            "Comprehension(False, a, [ForClause(b, c), IfClause(Lambda([], d))])",
        ),
        (
            "[a for b in c if lambda x: d]",
            "Comprehension(False, a, [ForClause(b, c), "
            "IfClause(Lambda([Param('plain', x, None)], d))])",
        ),
        (
            "[(a, b) for (a, b) in c]",
            "Comprehension(False, TupleExpr([a, b]), [ForClause(TupleExpr([a, b]), c)])",
        ),
    ],
)
def test_displays_and_comprehensions(src: str, want: str) -> None:
    assert sx(src) == want


def test_parse_expr_spans_lines_and_accepts_tuples() -> None:
    assert sx("1 +\n 2") == "(1 + 2)"
    assert sx("  f(\n  a)\n") == "Call(f, [Arg('pos', None, a)])"
    assert sx("1, 2") == "TupleExpr([1, 2])"
    f = parse_expr("e.star", "a + b")
    assert type(f) is ast.File and f.filename == "e.star"
    s = f.body[0]
    assert type(s) is ast.ExprStmt and (s.line, s.col) == (1, 1)


# ---------------------------------------------------------------------------------------------
# Literals


@pytest.mark.parametrize(
    "src, value",
    [
        ("0", 0),
        ("00", 0),
        ("123", 123),
        ("0x1F", 31),
        ("0XfF", 255),
        ("0o17", 15),
        ("0O7", 7),
        ("0b101", 5),
        ("0B1", 1),
        ("123456789012345678901234567890", 123456789012345678901234567890),
        ("1.0", 1.0),
        ("1.", 1.0),
        (".5", 0.5),
        ("1e10", 1e10),
        ("1E10", 1e10),
        ("1.5e-3", 1.5e-3),
        ("2.5E+3", 2500.0),
        ("0.0", 0.0),
        ("00.5", 0.5),
        ("09.5", 9.5),
        ("0e0", 0.0),
        ("'abc'", "abc"),
        ('"abc"', "abc"),
        ("''", ""),
        ('""', ""),
        ("'''a\n'b'\n\"c\"'''", "a\n'b'\n\"c\""),
        ('"""x""y"""', 'x""y'),
        ("'it\\'s'", "it's"),
        ('"say \\"hi\\""', 'say "hi"'),
        ("'\\a\\b\\f\\n\\r\\t\\v\\\\'", "\a\b\f\n\r\t\v\\"),
        ("'\\'\\\"'", "'\""),
        ("'\\101\\0\\7\\177'", "A\x00\x07\x7f"),
        ("'\\x41\\x7f'", "A\x7f"),
        ("'\\u00e9\\U0001F600'", "é😀"),
        ("'a\\\nb'", "ab"),
        ("'é😀'", "é😀"),
        ("r'\\n\\q\\x'", "\\n\\q\\x"),
        ('r"\\""', '\\"'),
        ("r'''a\\'''b'''", "a\\'''b"),
        ("b'abc'", b"abc"),
        ("b'\\xff\\x00\\377'", b"\xff\x00\xff"),
        ("b'\\u00e9é'", "éé".encode()),
        ("b'\\n\\t'", b"\n\t"),
        ("rb'\\xff'", b"\\xff"),
        ("br'\\n'", b"\\n"),
        ("b'''a\nb'''", b"a\nb"),
    ],
)
def test_literals(src: str, value: object) -> None:
    x = expr(src)
    assert type(x) is ast.Literal
    assert type(x.value) is type(value) and x.value == value


def test_carriage_returns_in_strings() -> None:
    assert expr("'''a\r\nb'''").value == "a\nb"


def test_identifiers_are_interned_and_unicode() -> None:
    a, b = stmts("long_identifier_name_x = 1\ny = long_identifier_name_x\n")
    assert a.lhs.name is b.rhs.name
    assert sx("héllo + ñ") == "(héllo + ñ)"


# ---------------------------------------------------------------------------------------------
# Positions


def test_positions() -> None:
    src = (
        "def f(a, b = 1):\n"  # 1
        "    return a.b(c)[d] + -e\n"  # 2
        "x = [1, 2] if y else {3: 4}\n"  # 3
        "for k, v in z:\n"  # 4
        "\tpass\n"  # 5
        "s = 'é' + \"t\" * f(*u, **w)\n"  # 6
    )
    d, x, fo, s = stmts(src)
    assert (d.line, d.col) == (1, 1) and (d.name.line, d.name.col) == (1, 5)
    pa, pb = d.params
    assert (pa.line, pa.col) == (1, 7) and (pb.line, pb.col) == (1, 10)
    assert (pb.default.line, pb.default.col) == (1, 14)
    ret = d.body[0]
    assert (ret.line, ret.col) == (2, 5)
    plus = ret.x
    assert type(plus) is ast.Binary and (plus.line, plus.col) == (2, 22)
    idx = plus.x
    assert type(idx) is ast.Index and (idx.line, idx.col) == (2, 18)
    call = idx.x
    assert type(call) is ast.Call and (call.line, call.col) == (2, 15)
    dot = call.fn
    assert type(dot) is ast.Dot and (dot.line, dot.col) == (2, 13)
    assert (dot.x.line, dot.x.col) == (2, 12)
    neg = plus.y
    assert type(neg) is ast.Unary and (neg.line, neg.col) == (2, 24)
    assert (x.line, x.col) == (3, 1)
    cond = x.rhs
    assert type(cond) is ast.CondExpr and (cond.line, cond.col) == (3, 5)
    assert (cond.then.line, cond.then.col) == (3, 5)
    assert (cond.else_.line, cond.else_.col) == (3, 22)
    assert (cond.else_.entries[0].line, cond.else_.entries[0].col) == (3, 23)
    assert (fo.line, fo.col) == (4, 1) and (fo.vars.line, fo.vars.col) == (4, 5)
    assert (fo.body[0].line, fo.body[0].col) == (5, 2)
    # columns count code points
    concat = s.rhs
    assert (concat.line, concat.col) == (6, 9)
    mul = concat.y
    assert (mul.line, mul.col) == (6, 15)
    c2 = mul.y
    assert (c2.line, c2.col) == (6, 18)
    star, starstar = c2.args
    assert (star.line, star.col) == (6, 19) and (starstar.line, starstar.col) == (6, 23)


def test_positions_of_statements_and_displays() -> None:
    src = "a.b += (1, 2)\n[x for x in y]\nx[1:2]\nf(k = 1)\nif a:\n  pass\nelif b: pass\n"
    aug, comp, sl, call, iff = stmts(src)
    assert (aug.line, aug.col) == (1, 1)
    assert (aug.rhs.line, aug.rhs.col) == (1, 8)  # parenthesised tuple: the '('
    assert (comp.x.line, comp.x.col) == (2, 1)
    assert (comp.x.clauses[0].line, comp.x.clauses[0].col) == (2, 4)
    assert (sl.x.line, sl.x.col) == (3, 2)
    assert (sl.line, sl.col) == (3, 1)
    arg = call.x.args[0]
    assert (arg.line, arg.col) == (4, 3)
    assert (iff.orelse[0].line, iff.orelse[0].col) == (7, 1)
    (tup,) = stmts("  \n# c\nx, y = 1, 2\n")
    assert (tup.line, tup.col) == (3, 1) and (tup.rhs.line, tup.rhs.col) == (3, 8)
    (s,) = stmts("x = '''a\nb''' + c\n")
    assert (s.rhs.line, s.rhs.col) == (2, 6)


# ---------------------------------------------------------------------------------------------
# Errors: each must be a starlite SyntaxError with file:line:col.


@pytest.mark.parametrize(
    "src, line, col, msg",
    [
        # scanner
        ("x = 'abc", 1, 5, "unexpected EOF in string"),
        ("x = 'abc\n'", 1, 5, "unexpected newline in string"),
        ("x = r'a\nb'\n", 1, 5, "unexpected newline in string"),
        ("x = '''abc\n", 1, 5, "unexpected EOF in string"),
        ("x = '\\q'\n", 1, 5, "invalid escape sequence \\q"),
        ('s = "\\x-0"\n', 1, 5, "invalid escape sequence \\x-0"),
        ("x = '\\x8'\n", 1, 5, "truncated escape sequence \\x8"),
        ("x = '\\x80'\n", 1, 5, "non-ASCII hex escape"),
        ("x = '\\200'\n", 1, 5, "non-ASCII octal escape"),
        ("x = b'\\477'\n", 1, 5, "invalid escape sequence \\477"),
        ("x = '\\ud800'\n", 1, 5, "invalid Unicode code point U+D800"),
        ("x = '\\U00110000'\n", 1, 5, "code point out of range"),
        ("x = '\\u12'\n", 1, 5, "truncated escape sequence"),
        ("x = 012\n", 1, 5, "obsolete form of octal literal; use 0o12"),
        ("x = 09\n", 1, 5, "invalid int literal"),
        ("x = 0x\n", 1, 5, "invalid hex literal"),
        ("x = 0o8\n", 1, 5, "invalid octal literal"),
        ("x = 0b2\n", 1, 5, "invalid binary literal"),
        ("x = 1e\n", 1, 5, "invalid float literal"),
        ("x = 1e+\n", 1, 5, "invalid float literal"),
        ("x = 1e999\n", 1, 5, "invalid float literal"),
        ("x = 1 \\ 2\n", 1, 7, "stray backslash in program"),
        ("x = a ! b\n", 1, 7, "unexpected input character '!'"),
        ("x = $\n", 1, 5, "unexpected input character '$'"),
        ("x = 1\ny = max(1))\n", 2, 11, "unexpected ')'"),
        ("]\n", 1, 1, "unexpected ']'"),
        ("  x = 1\n", 1, 3, "unexpected indentation"),
        ("if x:\n    a\n  b\n", 3, 3, "unindent does not match any outer indentation level"),
        ("def f():\n  pass\n pass\n", 3, 2, "unindent does not match any outer indentation level"),
        ("x = 1\n    y = 2\n", 2, 5, "unexpected indentation"),
        # parser
        ("x = 1 +\n2\n", 1, 8, "got newline, want primary expression"),
        ("x = 1 2\n", 1, 7, "got int literal, want newline"),
        ("print 1 2\n", 1, 7, "got int literal, want newline"),
        ("x = 'a' 'b'\n", 1, 9, "got string literal, want newline"),
        ("def f :\n", 1, 7, "got ':', want '('"),
        ("def pass(): pass\n", 1, 5, "got pass, want identifier"),
        ("def load(): pass\n", 1, 5, "got load, want identifier"),
        ("load = 1\n", 1, 6, "got '=', want '('"),
        ("f(load())\n", 1, 3, "got load, want primary expression"),
        ("f(a=1, *, b=2)\n", 1, 9, "got ',', want primary expression"),
        ("_ = *x\n", 1, 5, "got '*', want primary expression"),
        ("_ = {x for y in z}\n", 1, 8, "got for, want ':'"),
        ("_ = a + b not c\n", 1, 15, "got identifier, want in"),
        ("print(1, 2, 3\n", 2, 1, "got end of file, want ')'"),
        ("x = [1, 2\n", 2, 1, "got end of file, want ']'"),
        ("_ = a if b\n", 1, 11, "conditional expression without else clause"),
        ("_ = [x for x in a if b else c]\n", 1, 24, "got else, want ']', for, or if"),
        ("[a for b in c else d]\n", 1, 15, "got else, want ']', for, or if"),
        ("_ = [x for x in 1, 2, 3]\n", 1, 18, "got ',', want ']', for, or if"),
        ("_ = [a for b in c if 1, 2]\n", 1, 23, "got ',', want ']', for, or if"),
        ("_ = [a for b in c if lambda: d if e else f]\n", 1, 37, "got else, want ']'"),
        ("_ = [x for x in lambda: y]\n", 1, 17, "got lambda, want primary expression"),
        ("_ = 0 == 1 == 2\n", 1, 12, "== does not associate with == (use parens)"),
        ("_ = 0 <= i < n\n", 1, 12, "<= does not associate with < (use parens)"),
        ("_ = a in b not in c\n", 1, 12, "in does not associate with not in (use parens)"),
        ("_ = not a == b != c\n", 1, 16, "== does not associate with != (use parens)"),
        ("_ = a == not b\n", 1, 10, "got not, want primary expression"),
        ("_ = -not b\n", 1, 6, "got not, want primary expression"),
        ("a, b, = 1, 2\n", 1, 4, "unparenthesized tuple with trailing comma"),
        ("a, b = 1, 2,\n", 1, 11, "unparenthesized tuple with trailing comma"),
        ("x = 1,\n", 1, 5, "unparenthesized tuple with trailing comma"),
        ("x[1,]\n", 1, 3, "unparenthesized tuple with trailing comma"),
        ("a = b = 1\n", 1, 7, "got '=', want newline"),
        ("if x:\ny\n", 2, 1, "got identifier, want indented block"),
        ("if x:\n", 2, 1, "got end of file, want indented block"),
        ("def f(\n", 2, 1, "got end of file, want ')'"),
        ("for x in y\n", 1, 11, "got newline, want ':'"),
        ("x = (\n", 2, 1, "got end of file"),
        ("else: pass\n", 1, 1, "got else"),
        ("return return\n", 1, 8, "got return"),
        ("f(1+2 = 3)\n", 1, 7, "got '='"),
        # targets
        ("f() = 1\n", 1, 1, "can't assign to function call"),
        ("1 = x\n", 1, 1, "can't assign to literal"),
        ("a + b = 1\n", 1, 1, "can't assign to binary expression"),
        ("x[1:2] = 1\n", 1, 1, "can't assign to slice expression"),
        ("a, f() = 1, 2\n", 1, 4, "can't assign to function call"),
        ("[a, (b, 1)] = x\n", 1, 9, "can't assign to literal"),
        ("-x = 1\n", 1, 1, "can't assign to unary expression"),
        ("f() += 1\n", 1, 1, "can't assign to function call"),
        ("(a, b) += 1\n", 1, 1, "can't use tuple expression in augmented assignment"),
        ("[a] += 1\n", 1, 1, "can't use list expression in augmented assignment"),
        ("for f() in x: pass\n", 1, 5, "can't assign to function call"),
        ("for a, 1 in x: pass\n", 1, 8, "can't assign to literal"),
        ("[1 for f() in x]\n", 1, 8, "can't assign to function call"),
        # call arguments
        ("f(a=1, b)\n", 1, 8, "positional argument may not follow named"),
        ("f(*a, b)\n", 1, 7, "positional argument may not follow *args"),
        ("f(**a, b)\n", 1, 8, "positional argument may not follow **kwargs"),
        ("f(*a, k=1)\n", 1, 7, "keyword argument may not follow *args"),
        ("f(**a, k=1)\n", 1, 8, "keyword argument may not follow **kwargs"),
        ("f(**a, *b)\n", 1, 8, "*args may not follow **kwargs"),
        ("f(*a, *b)\n", 1, 7, "multiple *args not allowed"),
        ("f(**a, **b)\n", 1, 8, "multiple **kwargs not allowed"),
        ("f(k=1, k=2)\n", 1, 8, 'keyword argument "k" is repeated'),
        # load
        ("load('')\n", 1, 5, "load statement must import at least 1 symbol"),
        ("load()\n", 1, 5, "first operand of load statement must be a string literal"),
        ("load(1, 2)\n", 1, 6, "first operand of load statement must be a string literal"),
        (
            "load('a', 1)\n",
            1,
            11,
            'load operand must be "name" or localname="name" (got int literal)',
        ),
        ("load('a', x)\n", 1, 11, 'load operand must be "x" or x="originalname"'),
        (
            "load('a', x2=x)\n",
            1,
            14,
            'original name of loaded symbol must be quoted: x2="originalname"',
        ),
        ("load('a', *x)\n", 1, 11, 'load operand must be "name" or localname="name"'),
        # limits
        ("x = " + "(" * 2000, 1, 1005, "nesting too deep"),
        (
            "".join(" " * i + "if x:\n" for i in range(150)) + " " * 150 + "pass\n",
            102,
            102,
            "too many indentation levels",
        ),
    ],
)
def test_syntax_errors(src: str, line: int, col: int, msg: str) -> None:
    e = syntax_error(src)
    assert e.msg.startswith(msg), e.msg
    assert (e.line, e.col) == (line, col), str(e)


@pytest.mark.parametrize(
    "src, line, col, msg",
    [
        ("", 1, 1, "got newline, want primary expression"),
        ("1 +", 1, 4, "got newline, want primary expression"),
        ("a b", 1, 3, "got identifier, want newline"),
        ("x = 1", 1, 3, "got '=', want newline"),
        ("f(", 1, 3, "got end of file"),
        ("if x: y", 1, 1, "got if, want primary expression"),
        ("a a", 1, 3, "got identifier, want newline"),
    ],
)
def test_parse_expr_errors(src: str, line: int, col: int, msg: str) -> None:
    e = syntax_error(src, as_expr=True)
    assert e.msg.startswith(msg), e.msg
    assert (e.line, e.col) == (line, col), str(e)


def test_errors_are_not_lark_errors() -> None:
    e = syntax_error("x = (1,\n  2,,)\n")
    assert type(e) is StarlarkSyntaxError and e.__cause__ is None and (e.line, e.col) == (2, 5)


# ---------------------------------------------------------------------------------------------
# Pathological inputs: never RecursionError, never slow-quadratic.


@pytest.mark.parametrize(
    "src",
    [
        "(" * 100_000,
        "x = " + "[" * 100_000,
        "x = " + "{" * 100_000,
        "f" + "(" * 100_000 + "\n",
    ],
)
def test_deep_brackets_are_a_clean_error(src: str) -> None:
    assert "nesting too deep" in str(syntax_error(src))


def test_nesting_just_below_the_limit_parses() -> None:
    x = stmts("x = " + "[" * 999 + "]" * 999 + "\n")[0].rhs
    depth = 0
    while type(x) is ast.ListExpr and x.elts:
        x = x.elts[0]
        depth += 1
    assert depth == 998


@pytest.mark.parametrize(
    "src",
    [
        "x = 1" + " + 1" * 100_000 + "\n",
        "x = " + "-" * 100_000 + "1\n",
        "x = " + "not " * 50_000 + "x\n",
        "x = " + "a if b else " * 20_000 + "c\n",
        "x = " + "lambda: " * 20_000 + "1\n",
        "x = a" + ".b" * 50_000 + "\n",
        "x = f" + "()" * 50_000 + "\n",
        "x = a" + "[0]" * 50_000 + "\n",
        "x = " + " or ".join(["a and b == c + d * -e"] * 5_000) + "\n",
        "x = " + ", ".join(["1"] * 50_000) + "\n",
        "if a: pass\n" + "elif b: pass\n" * 20_000,
    ],
)
def test_long_chains_parse_without_recursion(src: str) -> None:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        f = parse_file("long.star", src)
    finally:
        sys.setrecursionlimit(old)
    assert len(f.body) == 1


def test_long_plus_chain_shape() -> None:
    x = stmts("x = 1" + " + 2" * 1000 + "\n")[0].rhs
    n = 0
    while type(x) is ast.Binary:
        assert x.op == "+" and type(x.y) is ast.Literal and x.y.value == 2
        x = x.x
        n += 1
    assert n == 1000 and x.value == 1


def test_gc_state_is_restored() -> None:
    import gc

    assert gc.isenabled()
    parse_file("a.star", "x = 1\n")
    assert gc.isenabled()
    syntax_error("x = \n")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_file("a.star", "x = 1\n")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_parse_is_reentrant_after_errors_and_threadsafe() -> None:
    syntax_error("x = (a or b) and (\n")
    # the builder's per-parse state was reset: the same shape parses normally afterwards
    assert sx("(a or b) and c") == "((a or b) and c)"
    src = "def f(x):\n    return [y * 2 for y in x if y]\n" * 50
    results: list[int] = []

    def work() -> None:
        for _ in range(20):
            results.append(len(parse_file("t.star", src).body))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [50] * 80


def test_source_must_be_str() -> None:
    with pytest.raises(TypeError):
        parse_file("a.star", b"x = 1\n")  # type: ignore[arg-type]
