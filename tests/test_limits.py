"""Step metering, step limits, timeouts and cancellation."""

from __future__ import annotations

import threading
import time

import pytest

import starlite

LOOP = "def f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\nx = f(N)\n"
FOREVER = "def spin():\n    for i in range(1 << 60):\n        pass\nspin()\n"


def steps_of(src: str, **pre: object) -> int:
    th = starlite.Thread()
    starlite.exec_file(th, "s.star", src, predeclared=pre or None)
    return th.steps


def test_step_count_is_exact_and_documented() -> None:
    # toplevel: def (1) + assign (1) + call (1) + f (1) + N (1) = 5
    # body: `s = 0` (2) + for header (1 + call + range + n = 4) + return s (2) = 8
    # each iteration: binding (1) + `s += i` (1 + s + i = 3) = 4
    for n in (0, 1, 10, 1000):
        assert steps_of(LOOP, N=n) == 13 + 4 * n


def test_step_count_is_repeatable() -> None:
    src = "def f():\n    return [x * x for x in range(50) if x % 3 == 0 and x > 4]\ny = f()\n"
    counts = {steps_of(src) for _ in range(5)}
    assert len(counts) == 1


def test_conditional_parts_charge_only_when_evaluated() -> None:
    # `a or b` evaluates b only when a is false
    base = steps_of("x = True or (1 + 2 + 3)\n")
    other = steps_of("x = False or (1 + 2 + 3)\n")
    assert other - base == 5  # the five nodes of 1 + 2 + 3


def test_step_limit_stops_infinite_loop_with_traceback() -> None:
    th = starlite.Thread(max_steps=5000)
    with pytest.raises(starlite.StepLimitExceeded) as ei:
        starlite.exec_file(th, "inf.star", FOREVER)
    e = ei.value
    assert str(e).endswith("Starlark computation cancelled: too many steps")
    assert [f.name for f in e.call_stack] == ["<toplevel>", "spin"]
    assert e.call_stack[-1].line == 2
    assert th.steps <= 5000


def test_step_limit_exact_boundary() -> None:
    n = steps_of(LOOP, N=10)
    th = starlite.Thread(max_steps=n)
    starlite.exec_file(th, "s.star", LOOP, predeclared={"N": 10})
    assert th.steps == n
    th = starlite.Thread(max_steps=n - 1)
    with pytest.raises(starlite.StepLimitExceeded):
        starlite.exec_file(th, "s.star", LOOP, predeclared={"N": 10})


def test_builtin_work_is_charged() -> None:
    small = steps_of("x = 'ab' * 10\n")
    big = steps_of("x = 'ab' * 100000\n")
    assert big - small >= 200000 // 64 - 1
    th = starlite.Thread(max_steps=1000)
    with pytest.raises(starlite.StepLimitExceeded):
        starlite.exec_file(th, "b.star", "x = 'a' * 100000000\n")


def test_timeout_within_deadline() -> None:
    th = starlite.Thread(timeout=0.3)
    t0 = time.monotonic()
    with pytest.raises(starlite.Timeout) as ei:
        starlite.exec_file(th, "t.star", FOREVER)
    assert time.monotonic() - t0 < 0.3 + 0.2
    assert ei.value.call_stack[-1].name == "spin"
    assert isinstance(ei.value, starlite.EvalError)


def test_cancel_from_another_thread() -> None:
    th = starlite.Thread()
    timer = threading.Timer(0.2, th.cancel, args=("operator said stop",))
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(starlite.Cancelled) as ei:
        starlite.exec_file(th, "c.star", FOREVER)
    assert time.monotonic() - t0 < 0.2 + 0.2
    assert ei.value.reason == "operator said stop"
    assert "operator said stop" in str(ei.value)


def test_threads_have_independent_counters() -> None:
    prog = starlite.compile("s.star", LOOP, predeclared=["N"])
    results: dict[int, int] = {}

    def work(n: int) -> None:
        th = starlite.Thread()
        prog.exec(th, {"N": n})
        results[n] = th.steps

    ts = [threading.Thread(target=work, args=(n,)) for n in (10, 200, 3000)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert results == {n: 13 + 4 * n for n in (10, 200, 3000)}


INLINED = {
    # single-statement loop bodies that the compiler runs inside the loop closure; the counts
    # are the per-node rule's: top level `def` + `x = f(N)` = 5 (+1 per extra def), then
    # the function body and, per iteration, 1 for the binding plus the statement's nodes
    "fused": ("def f(n):\n    t = 0\n    for i in range(n):\n        t += i * 2\n    return t\n",
              13, 6),  # `t += i * 2`: stmt, t, *, i, 2
    "call": ("def g(a, b):\n    return a\ndef f(n):\n    t = 0\n    for i in range(n):\n"
             "        t = g(t, i)\n    return t\n", 14, 8),  # stmt, call, g, t, i + g's 2
    "append": ("def f(n):\n    out = []\n    for i in range(n):\n        out.append(i)\n"
               "    return len(out)\n", 15, 6),  # stmt, call, dot, out, i
}


@pytest.mark.parametrize("name", sorted(INLINED))
def test_inlined_loop_bodies_count_the_same_steps(name: str) -> None:
    src, base, per = INLINED[name]
    for n in (0, 1, 7, 100):
        assert steps_of(src + "x = f(N)\n", N=n) == base + per * n


def test_inlined_loop_body_errors_and_guards() -> None:
    with pytest.raises(starlite.EvalError) as ei:
        starlite.exec_file(starlite.Thread(), "e.star",
                           "def f():\n    t = 0\n    for i in [1, 2, 'x']:\n        t += i * 2\n"
                           "f()\n")
    assert "unknown binary op: int + string" in ei.value.msg or "string" in ei.value.msg
    assert ei.value.call_stack[-1].line == 4
    with pytest.raises(starlite.EvalError, match="cannot append to list during iteration") as ei:
        starlite.exec_file(starlite.Thread(), "g.star",
                           "def f():\n    xs = [1]\n    for x in xs:\n        xs.append(x)\nf()\n")
    assert ei.value.call_stack[-1].filename == "<builtin>"  # append's own frame
    assert ei.value.call_stack[-2].line == 4
    # the guard is released after the loop, also after an error inside it
    g = starlite.exec_file(starlite.Thread(), "h.star",
                           "def f():\n    xs = [1, 2]\n    ys = []\n    for x in xs:\n"
                           "        ys.append(x)\n    xs.append(3)\n    return xs + ys\ny = f()\n")
    assert g["y"] == [1, 2, 3, 1, 2]
    th = starlite.Thread(max_steps=50)
    with pytest.raises(starlite.StepLimitExceeded):
        starlite.exec_file(th, "s.star", "def f():\n    t = 0\n    for i in range(1000):\n"
                                         "        t += i * 2\nf()\n")
    assert th.steps <= 50


def test_inlined_list_comprehension_counts_and_errors() -> None:
    plain = "def f(n):\n    return [x * x for x in range(n)]\ny = f(N)\n"
    filt = "def f(n):\n    return [x * x for x in range(n) if x % 2 == 0]\ny = f(N)\n"
    for n in (0, 1, 2, 5):
        # base 10; per element: binding + `x * x` (3); the filter adds `x % 2 == 0` (5)
        assert steps_of(plain, N=n) == 10 + 4 * n
        assert steps_of(filt, N=n) == 10 + 6 * n + 3 * ((n + 1) // 2)
    with pytest.raises(starlite.EvalError, match="unknown binary op: string \\* string") as ei:
        starlite.exec_file(starlite.Thread(), "c.star",
                           "def f():\n    return [x * x for x in ['a']]\nf()\n")
    assert ei.value.call_stack[-1].line == 2
    with pytest.raises(starlite.EvalError, match="during iteration"):
        starlite.exec_file(starlite.Thread(), "d.star",
                           "def f():\n    xs = [1]\n    return [xs.append(x) for x in xs]\nf()\n")


def test_generated_comprehension_loops_count_the_same_steps() -> None:
    dict_comp = "def f(n):\n    return {x: x + 1 for x in range(n)}\ny = f(N)\n"
    nested = "def f(n):\n    return [a + b for a in range(n) for b in range(n)]\ny = f(N)\n"
    between = ("def f(n):\n    return [a + b for a in range(n) if a % 2 == 0 for b in range(a)]\n"
               "y = f(N)\n")
    for n in (0, 1, 2, 5):
        # base 10; per element: binding + key `x` (1) + value `x + 1` (3)
        assert steps_of(dict_comp, N=n) == 10 + 5 * n
        # outer: binding + the inner iterable `range(n)` (3); inner: binding + `a + b` (3)
        assert steps_of(nested, N=n) == 10 + 4 * n + 4 * n * n
        # outer: binding + `a % 2 == 0` (5); passing: `range(a)` (3); inner: 1 + `a + b` (3)
        evens = range(0, n, 2)
        assert steps_of(between, N=n) == 10 + 6 * n + 3 * len(evens) + 4 * sum(evens)


@pytest.mark.parametrize("src", [
    "def f():\n    return {x: x + 1 for x in range(40)}\ny = f()\n",
    "def f():\n    return [a + b for a in range(7) if a != 3 for b in range(a) if b % 2]\n"
    "y = f()\n",
    "def f():\n    return {a: [b for b in range(a)] for a in range(9)}\ny = f()\n",
])
def test_generated_comprehension_loops_stop_at_the_limit(src: str) -> None:
    n = steps_of(src)
    th = starlite.Thread(max_steps=n)
    starlite.exec_file(th, "s.star", src)
    assert th.steps == n
    for limit in range(0, n, 3):
        th = starlite.Thread(max_steps=limit)
        with pytest.raises(starlite.StepLimitExceeded) as ei:
            starlite.exec_file(th, "s.star", src)
        assert th.steps <= limit
        if limit >= 10:  # inside f's comprehension
            assert ei.value.call_stack[-1].name == "f"
            assert ei.value.call_stack[-1].line == 2


def test_generated_comprehension_key_errors_have_positions() -> None:
    with pytest.raises(starlite.EvalError, match="unhashable type: list") as ei:
        starlite.exec_file(starlite.Thread(), "k.star",
                           "def f():\n    return {[x]: x for x in range(2)}\nf()\n")
    assert (ei.value.call_stack[-1].line, ei.value.call_stack[-1].col) == (2, 13)
    th = starlite.Thread()
    with pytest.raises(starlite.EvalError, match="floored division by zero") as ei:
        starlite.exec_file(th, "v.star",
                           "def f():\n    return {x: 1 // (x - 1) for x in range(3)}\nf()\n")
    assert (ei.value.call_stack[-1].line, ei.value.call_stack[-1].col) == (2, 18)
    # top level 4; `return` + comprehension + `range(3)` (5); x = 0 and x = 1: binding + key
    # `x` + value `1 // (x - 1)` (7)
    assert th.steps == 4 + 5 + 7 + 7


# Fused arithmetic (compile/fuse.py) must charge exactly what the ordinary operator closures
# charge, also where values reach the sizes at which those charge extra steps for big ints.
_P512 = "(1 << 256) * (1 << 256)"
FUSED_EDGES = {
    # 1024-bit leaves: the partial products pass 2048 bits, where `*` starts to charge
    "product_of_four": ("def f(a, b, c, d):\n    return a * b * c * d\n"
                        f"p = {_P512}\ny = f(p * p - 1, p * p - 1, p * p - 1, p * p - 1)\n"),
    # an intermediate sum at 4097 bits, a small result
    "sum_then_divide": ("def f(x):\n    return (x + x) // 2 + (x - -x) % 3\n"
                        f"p = {_P512}\ny = f(p * p * p * p * p * p * p * p // 2)\n"),
    "linear_at_the_edge": ("def f(x, k):\n    return (x * 3 + k) % 5 + (x - k + x)\n"
                           f"p = {_P512}\ny = [f(p * p * p * p * p * p * p * p // d, 1) "
                           "for d in (1, 2, 3, 4, 5, 8, 16)]\n"),
    "bitwise_negatives": ("def f(x, k):\n    return (x & -k) + (x ^ k | -x)\n"
                          f"p = {_P512}\nq = p * p * p * p * p * p * p * p\n"
                          "y = [f(-q // d, q // d - 1) for d in (1, 2, 3)]\n"),
    "square_tree": ("def f(x):\n    return ((x * x) * (x * x)) * ((x * x) * (x * x)) % 7\n"
                    f"p = {_P512}\ny = [f(p // d) for d in (1, 2, 1 << 200, 1 << 400)]\n"),
    # range variables (known int64s) in long products
    "int64_products": ("def f(n):\n    t = 0\n    for i in range(n - 3, n):\n"
                       "        t += i * i * i * i * i * i * i * i * i * i * i * i * i * i * i * i"
                       " * i * i * i * i * i * i * i * i * i * i * i * i * i * i * i * i * i\n"
                       "    return t\ny = f(9223372036854775807)\n"),
}


@pytest.mark.parametrize("name", sorted(FUSED_EDGES))
def test_fused_arithmetic_charges_like_the_ordinary_closures(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlite.compile import exprs, stmts

    src = FUSED_EDGES[name]

    def run() -> tuple[object, int]:
        th = starlite.Thread()
        return starlite.exec_file(th, "f.star", src)["y"], th.steps

    fused = run()
    monkeypatch.setattr(exprs, "fusable", lambda e: False)
    monkeypatch.setattr(stmts, "fusable", lambda e: False)
    assert fused == run()


@pytest.mark.parametrize("op", ["&", "|", "^"])
@pytest.mark.parametrize(("bits", "extra"), [(64, 0), (4095, 0), (4096, 1), (8192, 2),
                                             (1_000_000, 244)])
def test_bitwise_ops_charge_one_step_per_4096_bits_of_the_larger_operand(
    op: str, bits: int, extra: int
) -> None:
    src = f"def f(a, b):\n    return a {op} b\n"
    g = starlite.exec_file(starlite.Thread(), "b.star", src)

    def steps(a: int, b: int) -> int:
        th = starlite.Thread()
        starlite.call(th, g["f"], a, b)
        return th.steps

    base = steps(3, 5)
    big = (1 << (bits - 1)) | 1  # exactly `bits` bits
    assert steps(big, 5) - base == extra
    assert steps(5, -big) - base == extra
    assert steps(big, big) - base == extra
