"""The lean LALR driver (``starlite.syntax.lalr``) builds exactly the tree lark's own loop builds.

Every chunk of the ``.star`` suite, the Bazel-style benchmark corpus and a set of small
programs are parsed twice, once through the driver and once through lark's loop only, and the
two trees (every node, field and position) or the two errors must be identical.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bazel_corpus import CORPUS
from starlite.errors import SyntaxError as StarlarkSyntaxError
from starlite.syntax import ast as A
from starlite.syntax import parser as P

STAR_DIR = Path(__file__).parent / "starlark"


def _chunks() -> list[tuple[str, str]]:
    out = []
    for path in sorted(STAR_DIR.glob("*.star")):
        chunk: list[str] = []
        first = 1
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(True), 1):
            if line.rstrip("\r\n") == "---":
                out.append((f"{path.name}:{first}", "".join(chunk)))
                chunk, first = [], i + 1
            else:
                chunk.append(line)
        out.append((f"{path.name}:{first}", "".join(chunk)))
    return out


def _slots(cls: type) -> list[str]:
    names: list[str] = []
    for k in reversed(cls.__mro__):
        names.extend(getattr(k, "__slots__", ()))
    return names


def dump(x: Any) -> Any:
    """A structural value of an AST: nested tuples of class names, fields and positions."""
    if isinstance(x, A.Node):
        return (type(x).__name__,) + tuple(
            (k, dump(getattr(x, k, None))) for k in _slots(type(x)) if k != "scope")
    if isinstance(x, (list, tuple)):
        return tuple(dump(y) for y in x)
    if isinstance(x, A.Binding):
        return ("binding", x.scope, x.index, x.name)
    return (type(x).__name__, x)


def _both(src: str, expr: bool = False) -> tuple[Any, Any]:
    out = []
    for fast in (True, False):
        try:
            r = P._parse("t.star", src, "eval" if expr else "file", expr, fast=fast)
            out.append(dump(r))
        except StarlarkSyntaxError as e:
            out.append(("error", str(e)))
    return out[0], out[1]


@pytest.fixture(autouse=True)
def _deep_trees() -> Any:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20000))
    yield
    sys.setrecursionlimit(old)


CHUNKS = _chunks()


@pytest.mark.parametrize(("name", "src"), CHUNKS, ids=[c[0] for c in CHUNKS])
def test_star_chunks_parse_the_same(name: str, src: str) -> None:
    fast, slow = _both(src)
    assert fast == slow


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_parses_the_same(name: str) -> None:
    fast, slow = _both(CORPUS[name][0])
    assert fast[:1] != ("error",)
    assert fast == slow


SMALL = [
    "x = 1 + 2 * 3 - -4 if not a or b and c in d else e[1:2:3]\n",
    "def f(a, b = 1, *args, c, d = 2, **kw):\n    return [x for x in a if x for y in b]\n",
    "x = (a, b,)\ny = [a, b,]\nz = {a: b, c: d,}\nw = f(a, c = d, *b, **e)\n",
    "load('m', 'a', b = 'c')\nx = lambda a, b = 1: a + b\n",
    "if a:\n    pass\nelif b:\n    x = 1\nelse:\n    y = 2\n",
    "for a, (b, c) in d:\n    x += a; y -= b; z = c\n",
    "x = not a == b\n",
    "",
    "# only a comment\n",
    "x = (a < b) < c\n",
]
ERRORS = [
    "x = a < b < c\n",
    "x = 1 +\n",
    "def f(:\n",
    "x = [1, 2\n",
    "f(a = 1, a = 2)\n",
    "x = 'unterminated\n",
    "if x:\nfoo\n",
    "x = $\n",
    "a, = 1,\n",
    "f(**a, b)\n",
    "x = 1\n  y = 2\n",
    "return\n)",
]


@pytest.mark.parametrize("src", SMALL + ERRORS)
def test_small_programs_parse_the_same(src: str) -> None:
    fast, slow = _both(src)
    assert fast == slow
    assert (fast[:1] == ("error",)) == (src in ERRORS)


@pytest.mark.parametrize("src", ["1 + 2", "a, b", "f(x)[1:]", "[x for x in y]", "1 +", ")"])
def test_expressions_parse_the_same(src: str) -> None:
    fast, slow = _both(src, expr=True)
    assert fast == slow
