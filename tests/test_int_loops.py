"""``for`` statements over the builtin ``range``: the loop variable is a known int64 ("I"
operand shape) in a body that never rebinds it. That drops checks that are always true, so
results, errors, positions and step counts must be exactly those of the general path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import starlite
from starlite.compile import lazy
from starlite.compile.exprs import ExprCompiler
from starlite.compile.stmts import StmtCompiler

from .starlark_harness import freeze_builtin, make_assert_module, std_predeclared
from .test_starlark_files import STAR_DIR, make_options, read_chunks


def _run(src: str, options: Any = None, **thread_args: Any) -> tuple[str, int]:
    pre = std_predeclared()
    pre["freeze"] = starlite.Builtin("freeze", freeze_builtin)
    pre["assert"] = make_assert_module()
    th = starlite.Thread(options=options or starlite.Options(), **thread_args)
    try:
        g = starlite.exec_file(th, "p.star", src, predeclared=pre)
        out = repr(g.get("result"))
    except starlite.EvalError as e:
        out = e.backtrace()
    except starlite.StarlarkError as e:
        out = repr(e)
    return out, th.steps


def _without_int_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ExprCompiler, "_is_range_call", lambda self, e: False)


@pytest.mark.parametrize("name", ["forrange.star", "control.star", "comprehension.star"])
def test_star_chunks_run_the_same_without_int_loops(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks = read_chunks(Path(STAR_DIR) / name)
    on = [_run(c.source, make_options(c.options)) for c in chunks]
    _without_int_loops(monkeypatch)
    off = [_run(c.source, make_options(c.options)) for c in chunks]
    for c, a, b in zip(chunks, on, off, strict=True):
        assert a == b, c.id


PROGRAMS = {
    # per iteration: binding + `t += i * 2 % 7` (stmt, t, i, 2, *, 7, %)
    "fused": ("def f(n):\n    t = 0\n    for i in range(n):\n        t += i * 2 % 7\n"
              "    return t\nresult = f(N)\n", 8),
    # binding + stmt, call, dot, xs, i, 7919, *, 10007, %
    "append": ("def f(n):\n    xs = []\n    for i in range(n):\n"
               "        xs.append((i * 7919) % 10007)\n    return xs\nresult = f(N)\n", 10),
    # binding + `if` (stmt, i, 3, %, 0, ==) + the branch when taken (stmt, d, i, i, i, *, -)
    "branch": ("def f(n):\n    d = {}\n    for i in range(n):\n        if i % 3 == 0:\n"
               "            d[i] = i * i - i\n    return d\nresult = f(N)\n", None),
    # nested loops with break and continue
    "nested": ("def f(n):\n    t = 0\n    for i in range(n):\n        for j in range(i):\n"
               "            if j == 3:\n                break\n            if (i + j) % 2:\n"
               "                continue\n            t = t + i * j\n    return t\n"
               "result = f(N)\n", None),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_steps_and_limits_are_unchanged(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    src, per = PROGRAMS[name]
    on = {n: _run(src.replace("N", str(n))) for n in (0, 1, 2, 9)}
    if per is not None:
        for n in (1, 2, 9):
            assert on[n][1] - on[0][1] == per * n
    prog = src.replace("N", "9")
    total = on[9][1]
    limits = range(0, total + 1, 3)
    on_lim = [_run(prog, max_steps=k) for k in limits]
    for k, (out, steps) in zip(limits, on_lim, strict=True):
        assert steps <= k
        assert ("too many steps" in out) == (k < total)
    _without_int_loops(monkeypatch)
    assert {n: _run(src.replace("N", str(n))) for n in (0, 1, 2, 9)} == on
    assert [_run(prog, max_steps=k) for k in limits] == on_lim


def _body_int_slots(src: str, monkeypatch: pytest.MonkeyPatch) -> dict[int, int]:
    """The number of known-int64 locals where each block (by its first line) is compiled."""
    seen: dict[int, int] = {}
    real = StmtCompiler.block

    def spy(self: Any, stmts: list[Any]) -> Any:
        if stmts:
            seen[stmts[0].line] = len(self.int_slots)
        return real(self, stmts)

    monkeypatch.setattr(StmtCompiler, "block", spy)
    monkeypatch.setattr(lazy, "ENABLED", False)  # every body compiled now, nested ones too
    starlite.compile("p.star", src)
    return seen


def test_range_variables_are_known_int64s(monkeypatch: pytest.MonkeyPatch) -> None:
    src = (
        "def f(n, g):\n"
        "    for i in range(n):\n"        # 2: i is an int64 in its body
        "        for j in range(i):\n"    # 3: so is j, in the inner body
        "            g(i + j)\n"          # 4
        "    for i in range(n):\n"        # 5: rebound below
        "        i += 1\n"                # 6
        "    for k in range(n):\n"        # 7
        "        if k:\n"                 # 8
        "            k, x = 1, 2\n"       # 9
        "    for m in [1, 2]:\n"          # 10: not a range
        "        g(m)\n"                  # 11
        "    for p in range(n):\n"        # 12
        "        for p in range(n):\n"    # 13: the outer p is rebound, the inner one is not
        "            g(p)\n"              # 14
        "        def q():\n"              # 15: a nested function's frame knows nothing
        "            if g:\n"             # 16
        "                return 1\n"      # 17
    )
    assert _body_int_slots(src, monkeypatch) == {
        1: 0, 2: 0, 3: 1, 4: 2, 6: 0, 8: 0, 9: 0, 11: 0, 13: 0, 14: 1, 16: 0, 17: 0,
    }


def test_one_statement_bodies_read_the_element_from_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from starlite.compile import codegen, shapes

    monkeypatch.setattr(codegen, "ENABLED", False)  # (loops of the closure compiler)

    built: list[str] = []
    real = shapes._build_loop

    def spy(name: str, args: str, inner: str, ns: dict[str, Any]) -> Any:
        built.append(inner)
        return real(name, args, inner, ns)

    monkeypatch.setattr(shapes, "_loop_cache", {})
    monkeypatch.setattr(shapes, "_build_loop", spy)
    src = ("def f(n, xs):\n    t = 0\n    for i in range(n):\n        t += i * 2 % 7\n"
           "    for x in xs:\n        x = x + 1\n    return t\nresult = f(5, [1])\n")
    assert _run(src)[0] == "13"
    reads_loop, reads_frame = built
    assert "v1 = v_" in reads_loop  # `i`, never assigned in its body
    assert "= v_" not in reads_frame  # `x`, assigned in its body
