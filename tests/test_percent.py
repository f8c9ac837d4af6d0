"""``fmt % arg``: every path (the constant-format closures, the runtime fast path, the general
formatter) gives the same result, the same error and charges the same steps."""

from __future__ import annotations

from typing import Any

import pytest

import starlite
from starlite.builtins.format import percent_format
from starlite.thread import Thread

RUNTIME = "def f(fmt, a):\n    return fmt % a\nx = f(F, A)\n"


def constant(fmt: str) -> str:
    return f"def f(a):\n    return {fmt!r} % a\nx = f(A)\n"


def run(src: str, **pre: Any) -> tuple[Any, int]:
    th = starlite.Thread()
    g = starlite.exec_file(th, "p.star", src, predeclared=pre)
    return g["x"], th.steps


def general(fmt: str, arg: Any) -> tuple[str, int]:
    th = Thread()
    return percent_format(th, fmt, arg), th.steps


CASES = [
    ("item%d", 7),
    ("item%d", -(10**17)),
    ("item%d", 10**18),
    ("item%d", 10**30),
    ("item%d", 2.5),
    ("%s", "x"),
    ("%s", "x" * 61),
    ("%s", "x" * 62),
    ("%s", "x" * 63),
    ("%s", "x" * 64),
    ("%s", "x" * 200),
    ("%s", "x" * 5000),
    ("%s", 12),
    ("%s", None),
    ("%s", False),
    ("%s", 1.5),
    ("%s", ("a",)),
    ("%s", (("a", 1),)),
    ("%i%%", 5),
    ("%s=%d", ("k", 3)),
    ("%s=%d;", ("k" * 60, 3)),
    ("a rather long format: %s and %s", ("x", "y")),
    ("a rather long format: %s and %s", ("x" * 40, "y")),
    ("a rather long %d", 1),
    ("%s %s %s %s", ("a", "b", "c", "d")),
    ("%s %s %s %s %s", ("a", "b", "c", "d", "e")),
    ("%d %s %d %s", (1, "b", 3, "d")),
    ("%s-%s", ("é", "日本")),
    ("100%% %s", "sure"),
    ("%r", "q"),
    ("%s%r", ("a", "q")),
    ("%x", 255),
]


@pytest.mark.parametrize(("fmt", "arg"), CASES)
def test_paths_agree(fmt: str, arg: Any) -> None:
    out, charge = general(fmt, arg)
    base_rt = run(RUNTIME, F="", A=())[1]
    base_ct = run(constant(""), A=())[1]
    assert run(RUNTIME, F=fmt, A=arg) == (out, base_rt + charge)
    assert run(constant(fmt), A=arg) == (out, base_ct + charge)


ERRORS = [
    ("item%d", "x", "%d format requires integer: cannot convert string to int"),
    ("item%d", True, "%d format requires integer: cannot convert bool to int"),
    ("item%d", None, "%d format requires integer: cannot convert NoneType to int"),
    ("%s=%d", ("k",), "not enough arguments for format string"),
    ("%s=%d", ("k", 1, 2), "too many arguments for format string"),
    ("%s", ("k", 1), "too many arguments for format string"),
    ("%s=%d", ("k", "v"), "%d format requires integer: cannot convert string to int"),
    ("%d", [1], "%d format requires integer: cannot convert list to int"),
]


@pytest.mark.parametrize(("fmt", "arg", "msg"), ERRORS)
def test_errors_agree(fmt: str, arg: Any, msg: str) -> None:
    for src, pre in ((RUNTIME, {"F": fmt, "A": arg}), (constant(fmt), {"A": arg})):
        with pytest.raises(starlite.EvalError) as ei:
            run(src, **pre)
        assert ei.value.msg == msg
        op_col = src.split("\n")[1].index(" % ") + 2  # the operator's column
        assert (ei.value.call_stack[-1].line, ei.value.call_stack[-1].col) == (2, op_col)


@pytest.mark.parametrize(("fmt", "arg"), [("%s", "x" * 5000), ("a rather long format: %s and %s",
                                                               ("x", "y"))])
def test_limit_is_detected_at_the_operator(fmt: str, arg: Any) -> None:
    for src, pre in ((RUNTIME, {"F": fmt, "A": arg}), (constant(fmt), {"A": arg})):
        need = run(src, **pre)[1]
        th = starlite.Thread(max_steps=need - 1)
        with pytest.raises(starlite.StepLimitExceeded) as ei:
            starlite.exec_file(th, "p.star", src, predeclared=pre)
        assert th.steps <= need - 1
        assert ei.value.call_stack[-1].line == 2
