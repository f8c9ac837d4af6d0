"""Statement runs, step charges, ``while`` loops and ``op=`` statements as templates
(``starlite.compile.flat``) change speed only: every Starlark test chunk, benchmark program
and floor program gives the same result, the same error at the same place and the same step
count with these paths and without them, under every step limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import starlite
from benchmarks.floors import FLOORS, OPTIONS
from benchmarks.programs import PROGRAMS
from starlite.compile import flat

from .differential import on_and_off
from .test_inline import _chunk_outcome
from .test_starlark_files import all_chunks


def _both(run: Callable[[], Any]) -> tuple[Any, Any]:
    return on_and_off(flat, run)


def test_star_chunks_agree() -> None:
    differ = []
    for chunk in all_chunks():
        on, off = _both(lambda c=chunk: _chunk_outcome(c))
        if on != off:
            differ.append((chunk.id, on, off))
    assert differ == []


def _run_main(src: str, options: dict[str, bool], max_steps: int | None = None) -> Any:
    opts = starlite.Options(**options)
    th = starlite.Thread(max_steps=max_steps, options=opts)
    try:
        g = starlite.exec_file(th, "p.star", src)
        return ("ok", repr(starlite.call(th, g["main"])), th.steps)
    except starlite.EvalError as e:
        return ("error", type(e).__name__, e.backtrace(), th.steps)


@pytest.mark.parametrize("name", sorted(PROGRAMS) + [f"floor:{n}" for n in sorted(FLOORS)])
def test_programs_agree(name: str) -> None:
    if name.startswith("floor:"):
        src, opts = FLOORS[name[6:]], OPTIONS.get(name[6:], {})
    else:
        src, opts = PROGRAMS[name], {}
    on, off = _both(lambda: _run_main(src, opts))
    assert on == off
    full = on[-1]
    for limit in sorted({1, 7, full // 3, full // 2, full - 1}):
        a, b = _both(lambda lim=limit: _run_main(src, opts, lim))
        assert a == b, limit


# Small programs through the new paths and their fallbacks: other types, errors in the middle
# of a run of statements, big ints, unbound variables, module-level loops.
CASES = {
    "aug_types": """
def main():
    t = 0
    s = ""
    xs = []
    big = 1 << 4090
    for i in range(6):
        t += i
        t *= 3
        t //= 2
        t -= 1
        t %= 1000
        t |= 8
        t ^= 5
        t &= 255
        s += "ab"
        xs += [i]
        big += big
    return t, s, xs, big % 1000
""",
    "aug_error_mid_run": """
def main():
    t = 0
    out = []
    for x in [1, 2, "a", 4]:
        out.append(x)
        t += x
        out.append(t)
    return t
""",
    "aug_unbound_local": """
def main():
    for i in range(3):
        if i == 2:
            t += 1
        t = i
    return t
""",
    "aug_global_module": """
total = 0
names = ""
for i in range(5):
    total += i * i
    names += str(i)
    total -= 1
def main():
    return total, names
""",
    "aug_global_bad": """
total = 0
for x in [1, None]:
    total += x
def main():
    return total
""",
    "while_runs": """
def main():
    i = 0
    s = 0
    out = []
    while i < 8:
        s += i * i
        out.append(s)
        i += 1
    while len(out) > 5:
        out.pop()
    return s, out
""",
    "while_global_condition": """
n = 0
while n < 5:
    n += 2
def main():
    return n
""",
    "while_bad_condition": """
def main():
    i = 0
    while i < 5:
        i += 2
        if i > 3:
            i = "x"
    return i
""",
    "while_error_in_body": """
def main():
    i = 0
    d = {}
    while i < 5:
        d[i] = i
        i += 1
        d[i] = d[i + 1]
    return d
""",
    "body_runs_and_groups": """
def helper(a, b):
    c = a * b
    d = c + a
    return d - b

def main():
    acc = []
    n = 0
    for i in range(6):
        a = i + 1
        b = helper(a, i)
        if b % 2:
            acc.append(b)
            n += b
        for j in range(2):
            n += j
        acc.append(n)
        n -= 1
    return acc, n, helper(1, 2)
""",
    "body_error_after_compound": """
def main():
    n = 0
    for i in range(4):
        if i > 0:
            n += 1
        n += [1][i]
    return n
""",
    "keyword_and_default_calls": """
def scale(x, factor=2, offset=0):
    return x * factor + offset

def opts(a, b=1, *, c=3):
    return a + b + c

def kw(a, **rest):
    return a + len(rest)

def main():
    s = 0
    for i in range(4):
        s += scale(i) + scale(i, 3) + scale(i, offset=1) + scale(x=i, factor=3)
        s += scale(offset=i, x=1) + opts(i, c=1) + opts(a=i) + kw(i, z=1, y=2)
    d = dict(a=1, b=2)
    return s, d, sorted([3, 1, 2], key=lambda v: -v, reverse=True)
""",
    "keyword_call_errors": """
def two(a, b=5):
    return a * b

def main():
    out = [two(1), two(2, b=3), two(b=1, a=4)]
    fs = [two, lambda a, b=0: a - b, len, two]
    for f in fs:
        out.append(f(7, b=2) if f != len else 0)
    for bad in range(4):
        if bad == 0:
            out.append(two(b=1))
        out.append(two(1, c=2))
    return out
""",
    "keyword_unknown_name": """
def two(a, b=5):
    return a * b
def main():
    return two(1, bb=2)
""",
    "keyword_duplicate_name": """
def two(a, b=5):
    return a * b
def main():
    return two(1, a=2)
""",
    "default_calls_switch_callee": """
def f1(a, b=2, c=3):
    return a + b + c
def f2(a, b=10):
    return a * b
def f3(a, b, c=1):
    return a - b - c
def main():
    out = []
    for f in [f1, f2, f1, f3, f2]:
        out.append(f(1, 2))
    out.append(f1(1))
    out.append(f3(1))
    return out
""",
    "methods_direct": """
def main():
    long = "Ab, " * 40
    out = []
    for s in ["Hello", " pad\t", long, "a,b,,c", ""]:
        out.append(s.upper())
        out.append(s.lower() + s.capitalize())
        out.append(s.strip() + s.lstrip() + s.rstrip())
        out.append(s.startswith("He") or s.endswith(("c", "x")))
        out.append(s.replace("b", "XYZ" * 30))
        out.append(s.replace("a", ""))
        out.append(s.split(","))
        out.append(len(s[1:3]) + len(s[:-1]) + len(s[2:]))
    d = {"k%d" % i: i for i in range(5)}
    big = {i: i for i in range(100)}
    out.append([d.keys(), d.values(), d.items(), len(big.keys()), len(big.values())])
    xs = [1, 2, 3]
    out.append([xs.pop(), xs, list(range(100))[5:90], (1, 2, 3)[1:], len(xs)])
    out.append([str(7), str("s"), str(1 << 70), str(None), str(2.5), len({1: 2}), len(range(4))])
    return out
""",
    "method_direct_errors": """
def main():
    out = []
    for x in ["abc", ["a"], ("t",)]:
        out.append(x.startswith("a") if type(x) == "string" else len(x))
    for sep in [",", ""]:
        out.append("a,b".split(sep))
    return out
""",
    "startswith_bad_arg": """
def main():
    return "abc".startswith(1)
""",
    "pop_empty": """
def main():
    xs = [1]
    xs.pop()
    return xs.pop()
""",
    "pop_while_iterating": """
def main():
    xs = [1, 2, 3]
    for x in xs:
        xs.pop()
    return xs
""",
    "slice_bad_index": """
def main():
    s = "abcdef"
    out = [s[1:4], s[-2:], s[:None]]
    return out + [s["a":2]]
""",
    "len_and_str_fallbacks": """
def main():
    out = [len("abc"), len([1]), len((1, 2)), len({}), len(set([1]))]
    out.append(str(True) + str([1, "a"]) + str(-3))
    return out + [len(5)]
""",
    "format_fast_and_general": """
def main():
    out = []
    for i in range(3):
        out.append("{}:{};".format(i, "x" * i))
        out.append("{} {}".format(i, None))
        out.append("{0}{0}".format(i))
        out.append("{{}}{}".format(i))
        out.append("{}".format("y" * 70))
        out.append("pad {} and {} and {}".format(i, 1 << 80, "z"))
    return out + ["{}{}".format(1)]
""",
    "aug_index_paths": """
def main():
    d = {"a": 1, 2: 5, True: 0}
    xs = [1, 2, 3, 4]
    for i in range(3):
        d["a"] += i
        d[2] -= 1
        d[True] += 1
        d["a"] *= 2
        xs[1] += 10
        xs[-1] -= i
        xs[0] += [i] if type(xs[0]) == "list" else 1
        xs[2] |= 8
    big = {"b": int("9" * 1233)}
    big["b"] += big["b"]
    d["s"] = "x"
    d["s"] += "y"
    return d, xs, big["b"] % 1000
""",
    "aug_index_missing_key": """
def main():
    d = {"a": 1}
    for k in ["a", "b"]:
        d[k] += 1
    return d
""",
    "aug_index_out_of_range": """
def main():
    xs = [1, 2, 3]
    for i in [0, -3, 3]:
        xs[i] += 1
    return xs
""",
    "aug_index_shrinks_during_rhs": """
def main():
    xs = [1, 2, 3]
    xs[2] += xs.pop()
    return xs
""",
    "aug_index_while_iterating": """
def main():
    xs = [1, 2, 3]
    for x in xs:
        xs[0] += x
    return xs
""",
    "aug_index_bad_types": """
def main():
    t = (1, 2)
    d = {"a": 1}
    d["a"] += 1
    d["a"] += "s"
    return t
""",
    "for_signals": """
def find(xs, want):
    for i, x in enumerate(xs):
        if x == want:
            return i
    return -1

def main():
    out = []
    for x in range(10):
        if x % 3 == 0:
            continue
        if x > 7:
            break
        out.append(x)
    n = 0
    for k, v in {"a": 1, "b": 2}.items():
        n += v
        if k == "b":
            break
    for a, b in [(1, 2), [3, 4]]:
        n += a * b
    for [a, b] in [(5, 6)]:
        n += a
    for t in [(1, 2)]:
        n += t[0]
    return out, n, find([5, 6, 7], 7), find([], 1)
""",
    "for_pair_bad_length": """
def main():
    n = 0
    for a, b in [(1, 2), (1, 2, 3)]:
        n += a
    return n
""",
    "for_not_iterable": """
def main():
    for x in 5:
        return x
""",
    "for_mutation_after_break": """
def main():
    xs = [1, 2, 3]
    for x in xs:
        if x == 2:
            break
    xs.append(4)
    for x in xs:
        if x == 3:
            return xs
    return None
""",
    "for_module_level": """
total = 0
seen = []
for i in range(6):
    if i == 4:
        break
    if i % 2:
        continue
    total += i
for k, v in [("a", 1), ("b", 2)]:
    seen.append(k)
    total += v
def main():
    return total, seen
""",
    "floats_and_mixed": """
def main():
    nan = float("nan")
    out = []
    for a in [1.5, 3, 1 << 60, nan, 0.0]:
        for b in [2.5, -3, nan, 0.0, 1 << 54]:
            out.append([a < b, a <= b, a > b, a >= b, a + b, a - b, a * b,
                        a / b if b != 0 else 0, -a])
    return out
""",
    "float_division_by_zero": """
def main():
    x = 1.5
    for d in [2.0, 1, 0.0]:
        x = x / d
    return x
""",
    "float_too_big_int": """
def main():
    return 1.5 + int("9" * 400)
""",
    "and_or_charges": """
def f(x):
    return x > 2
def main():
    out = []
    for i in range(6):
        out.append(i and f(i))
        out.append(i or f(i) or [i])
        out.append(i % 2 == 0 and i > 2 and "big")
    return out
""",
    "and_or_error_in_right": """
def main():
    n = 0
    for x in [1, 0, "a"]:
        if x and x + 1:
            n += 1
    return n
""",
    "recursion_entry": """
# recursion
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)

def walk(t):
    n = 1
    for c in t.get("kids", []):
        n += walk(c)
    return n

def main():
    tree = {"kids": [{"kids": [{}, {}]}, {}]}
    return fib(7), depth(30), walk(tree), [fib(i) for i in range(5)]
""",
    "recursion_error_inside": """
# recursion
def f(n):
    if n == 0:
        return 1 // n
    return f(n - 1) + 1

def main():
    return f(5)
""",
    "recursion_too_deep": """
# recursion
def f(n):
    return f(n + 1)

def main():
    return f(0)
""",
    "float_trees": """
def mandel(cx, cy):
    x = 0.0
    y = 0.0
    n = 0
    while n < 8 and x * x + y * y < 4.0:
        x, y = x * x - y * y + cx, 2.0 * x * y + cy
        n += 1
    return n

def mixed(x, y):
    inf = float("inf")
    z = x * inf - y * inf
    return [x * 3 - y * 33, z * 1.0 + x < x, z - x != z + x, x * x + y]

def main():
    t = [mandel(-2.0 + i * 0.5, -1.0 + j * 0.5) for i in range(4) for j in range(4)]
    t.append(mixed(2.0, 1.0))
    t.append(mixed(2, 1))
    t.append(mixed(2.0, 1))
    t.append(mixed("s", 1))
    return t
""",
    "varargs_kwargs_plans": """
def total(*nums):
    t = 0
    for n in nums:
        t += n
    return t

def head(a, b=2, *rest, **kw):
    return [a, b, rest, sorted(kw.items())]

def only(a, *, c, d=4):
    return a + c + d

def describe(kind, **attrs):
    return len(kind) + len(attrs)

def outer(k):
    def inner(*xs, **kw):
        return k + len(xs) + len(kw)
    return inner

def main():
    out = []
    f = outer(10)
    for i in range(4):
        args = [i, i + 1]
        out.append(total(i, 1, 2) + total() + total(*args) + total(i, *args))
        out.append(describe("rule", name="x", size=i) + describe(kind="k"))
        out.append(head(i) + head(i, 3) + head(i, 3, 4, 5, z=1, y=2) + head(b=1, a=i))
        out.append(only(i, c=2) + only(c=1, a=i, d=i) + f(1, 2, q=3) + f())
        out.append(describe(*["r"], **{"a": 1, "b": i}))
    return out
""",
    "plan_error_dup_varargs": """
def head(a, b=2, *rest, **kw):
    return a

def only(a, *, c, d=4):
    return a + c + d

def plain(a, b=1):
    return a + b

def main():
    out = [head(1, 2, 3, c=1), only(1, c=2), plain(1)]
    for i in range(3):
        out.append(head(i, z=i) + only(i, c=i))
    return out + [head(1, a=2)]
""",
    "plan_error_missing_kwonly": """
def head(a, b=2, *rest, **kw):
    return a

def only(a, *, c, d=4):
    return a + c + d

def plain(a, b=1):
    return a + b

def main():
    out = [head(1, 2, 3, c=1), only(1, c=2), plain(1)]
    for i in range(3):
        out.append(head(i, z=i) + only(i, c=i))
    return out + [only(1)]
""",
    "plan_error_too_many_kwonly": """
def head(a, b=2, *rest, **kw):
    return a

def only(a, *, c, d=4):
    return a + c + d

def plain(a, b=1):
    return a + b

def main():
    out = [head(1, 2, 3, c=1), only(1, c=2), plain(1)]
    for i in range(3):
        out.append(head(i, z=i) + only(i, c=i))
    return out + [only(1, 2, c=3)]
""",
    "plan_error_missing_varargs": """
def head(a, b=2, *rest, **kw):
    return a

def only(a, *, c, d=4):
    return a + c + d

def plain(a, b=1):
    return a + b

def main():
    out = [head(1, 2, 3, c=1), only(1, c=2), plain(1)]
    for i in range(3):
        out.append(head(i, z=i) + only(i, c=i))
    return out + [head(b=1)]
""",
    "plan_error_unknown_kwonly": """
def head(a, b=2, *rest, **kw):
    return a

def only(a, *, c, d=4):
    return a + c + d

def plain(a, b=1):
    return a + b

def main():
    out = [head(1, 2, 3, c=1), only(1, c=2), plain(1)]
    for i in range(3):
        out.append(head(i, z=i) + only(i, c=i))
    return out + [only(1, c=1, e=5)]
""",
    "plan_error_star_too_many": """
def head(a, b=2, *rest, **kw):
    return a

def only(a, *, c, d=4):
    return a + c + d

def plain(a, b=1):
    return a + b

def main():
    out = [head(1, 2, 3, c=1), only(1, c=2), plain(1)]
    for i in range(3):
        out.append(head(i, z=i) + only(i, c=i))
    return out + [plain(*[1, 2, 3])]
""",
    "plan_error_star_missing": """
def head(a, b=2, *rest, **kw):
    return a

def only(a, *, c, d=4):
    return a + c + d

def plain(a, b=1):
    return a + b

def main():
    out = [head(1, 2, 3, c=1), only(1, c=2), plain(1)]
    for i in range(3):
        out.append(head(i, z=i) + only(i, c=i))
    return out + [plain(*[])]
""",
    "plan_error_kwargs_unknown": """
def head(a, b=2, *rest, **kw):
    return a

def only(a, *, c, d=4):
    return a + c + d

def plain(a, b=1):
    return a + b

def main():
    out = [head(1, 2, 3, c=1), only(1, c=2), plain(1)]
    for i in range(3):
        out.append(head(i, z=i) + only(i, c=i))
    return out + [plain(1, **{'c': 2})]
""",
    "plan_error_kwargs_dup": """
def head(a, b=2, *rest, **kw):
    return a

def only(a, *, c, d=4):
    return a + c + d

def plain(a, b=1):
    return a + b

def main():
    out = [head(1, 2, 3, c=1), only(1, c=2), plain(1)]
    for i in range(3):
        out.append(head(i, z=i) + only(i, c=i))
    return out + [head(1, **{'a': 2})]
""",
    "varargs_callee_recursion_plan": """
def loop(*xs):
    return loop(*xs)

def main():
    return loop(1, 2)
""",
    "recursion_dialect_entry": """
# recursion
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def walk(d, acc):
    if d == 0:
        return acc
    acc.append(d)
    return walk(d - 1, acc)

def sums(*xs, **kw):
    if not xs:
        return len(kw)
    return xs[0] + sums(*xs[1:], **kw)

def bad(n):
    if n == 0:
        return 1 // n
    return bad(n - 1)

def main():
    out = [fib(9), walk(6, []), sums(1, 2, 3, a=1)]
    return out + [bad(4)]
""",
    "call_shapes_by_site": """
def rule(name, srcs=None, deps=None, visibility="private", testonly=False):
    n = len(srcs or []) + len(deps or [])
    if testonly:
        n += 100
    return n + len(visibility) + len(name)

def wide(a, b=0, c=0, d=0, e=0, f=0, g=0, **rest):
    return a + b + c + d + e + f + g + len(rest)

def star(*xs):
    return len(xs)

def pair(a, b):
    return a - b

def cells(x, *rest, **kw):
    return lambda: x + len(rest) + len(kw)

def main():
    t = 0
    out = []
    fs = [rule, lambda name, **kw: len(kw), rule]
    for i in range(4):
        t += rule("lib%d" % i, srcs=["a.c", "b.c"], visibility="public")
        rule(name="t", testonly=True)
        r = rule("x", None, deps=[i])
        t += r + wide(i, g=7, f=6, e=5, d=4, c=3, b=2, z=i)
        t += star(i, 1, 2) + star() + star(*[i, i]) + star(*(1,)) + star(*range(40))
        t += pair(*[i, 1]) + pair(i, *[2]) + cells(i, 1, k=2)() + cells(*[i])()
        for f in fs:
            out.append(f(name="n", visibility="v"))
        out.append(dict(a=i, b=i))
    return t, out
""",
    "call_shapes_errors": """
def rule(name, srcs=None):
    return name

def pair(a, b):
    return a - b

def main():
    out = []
    for i in range(6):
        out.append(rule(name="a", srcs=[i]))
        out.append(pair(*[i, 1]))
        if i == 2:
            out.append(rule(srcs=[]) if False else rule("b", srcs=1))
        if i == 4:
            out.append(pair(*[i]))
    return out
""",
    "call_shapes_recursion": """
# recursion
def walk(n, acc=0, *, step=1, **kw):
    if n <= 0:
        return acc + len(kw)
    return walk(n - step, acc=acc + n, step=step, seen=True)

def count(*xs):
    if not xs:
        return 0
    return 1 + count(*xs[1:])

def main():
    return [walk(10), walk(n=9, step=3), count(*range(12)), walk(5, acc=1 // 0)]
""",
    "star_call_sites": """
def one(a):
    return a

def two(a, b=1):
    return [a, b]

def many(*xs):
    return len(xs)

def main():
    out = []
    big = list(range(300))
    fs = [one, two, many, two, max, many, one]
    for f in fs:
        for xs in [[4], (5, 6), [7, 8], big, {"k": 1}, range(2)]:
            if f == one and len(xs) != 1:
                continue
            if f == two and len(xs) > 2:
                continue
            if f == max and (type(xs) == "dict" or len(xs) < 2):
                continue
            out.append(f(*xs))
    out.append(many(*"ab".elems()))
    return out + [one(*1)]
""",
    "toplevel_keyword_calls": """
def rule(name, srcs=None, **kw):
    return [name, srcs, sorted(kw.keys())]

rules = [rule("a", srcs=["x"]), rule(name="b", visibility=1)]
for i in range(3):
    rules.append(rule("r%d" % i, srcs=[i], tag=i))
    rules.append(dict(name=i))
tests = [rule(name=t, size="small") for t in ["t1", "t2"]]

def main():
    return rules, tests, rule(srcs=[])
""",
    "method_keyword_calls": """
def f(a, b=1, **kw):
    return a + b + len(kw)

def main():
    out = []
    for x in ["a,b\\nc", [1, 2, 3], "x", {"k": 1}, "q"]:
        if type(x) == "string":
            out.append(x.split(",", maxsplit=1) + x.splitlines(keepends=True))
        elif type(x) == "list":
            out.append(x.pop(0))
        else:
            out.append(f(1, b=x.get("k")) + f(a=3, z=x.pop("k")))
    for ks in [True, False, 7]:
        out.append("a\\nb".splitlines(keepends=ks))
    return out
""",
    "strings_in_runs": """
def main():
    s = ""
    for w in ["a", "b", "c"]:
        s += w + ","
        s += "%s;" % w
    return s
""",
}


def _opts(src: str) -> dict[str, bool]:
    opts = {"while_": True, "top_level_control": True, "global_reassign": True}
    if "# recursion" in src:
        opts["recursion"] = True
    return opts


@pytest.mark.parametrize("name", sorted(CASES))
def test_cases_agree_under_every_step_limit(name: str) -> None:
    src = CASES[name]
    opts = _opts(src)
    on, off = _both(lambda: _run_main(src, opts))
    assert on == off
    full = on[-1]
    # every limit; for the few long cases (a 1000-deep recursion) every k-th and the last
    stride = 1 if full <= 1200 else full // 300
    for limit in sorted({*range(1, full + 1, stride), full - 1, full}):
        a, b = _both(lambda lim=limit: _run_main(src, opts, lim))
        assert a == b, limit


def test_float_trees_have_a_float_path() -> None:
    """A tree of float arithmetic over locals is one fused closure with a float path (not a
    call of the operator closures); off, the fused closures have none."""
    from starlite.compile import fuse

    src = "def f(x, y, c):\n    a = x * x - y * y + c\n    return a\ny = f(1.5, 0.5, 2.0)\n"

    def float_paths() -> bool:
        fuse._cache.clear()
        starlite.exec_file(starlite.Thread(), "f.star", src)
        return sum("is float" in RECIPES_TEXT(f) for f in fuse._cache.values()) > 0

    on, off = _both(float_paths)
    assert (on, off) == (True, False)


def RECIPES_TEXT(factory: Any) -> str:  # noqa: N802
    from starlite.compile.shapes import RECIPES

    return RECIPES[factory][1]


def test_templates_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop body of several statements runs as one generated closure around the loop
    (not one call per statement), and so does a ``while`` loop (in the closure compiler's
    function bodies: generated bodies, ``codegen``, off)."""
    from starlite.compile import codegen, inline, shapes

    monkeypatch.setattr(codegen, "ENABLED", False)

    monkeypatch.setattr(inline, "_combined", {})
    built: list[str] = []
    real = shapes._build_loop

    def spy(name: str, args: str, inner: str, ns: dict[str, Any]) -> Any:
        built.append(inner)
        return real(name, args, inner, ns)

    monkeypatch.setattr(shapes, "_loop_cache", {})
    monkeypatch.setattr(shapes, "_build_loop", spy)
    src = CASES["while_runs"].replace("main", "f") + "\ndef main():\n    return f(), g([1, 2])\n"
    src += "def g(xs):\n    t = 0\n    for x in xs:\n        t += x\n        t -= 1\n    return t\n"
    assert _run_main(src, _opts(src))[0] == "ok"
    assert any("while True:" in text and "th.overflow(CK" not in text for text in built)
    assert any(name == "while_loop" and "S0" not in text and kind == "stmt"
               for name, text, _a, _n, kind in shapes.RECIPES.values())


SORT_TUPLES = """
def main():
    people = [{"name": "p%d" % (i % 7), "age": (i * 37) % 9, "w": 0.5 * (i % 4)}
              for i in range(40)]
    out = [
        sorted(people, key=lambda p: (-p["age"], p["name"])),
        sorted(people, key=lambda p: (p["w"], p["age"]), reverse=True),
        sorted(people, key=lambda p: (p["age"] + p["w"], p["name"], p["age"])),
        sorted([(i % 3, "x%d" % (i % 5)) for i in range(30)]),
        sorted([(1, "a"), (1,), (0, "b")]),
        sorted([(1, [2]), (1, [1])]),
        sorted([(float("nan"), 1), (1.0, 2)]),
        sorted([(True, 1), (False, 2)]),
    ]
    return out
"""


def test_sorting_tuple_keys_agree() -> None:
    """Sorts with tuple keys (native and not) give the same order, errors and step counts
    with the flat paths on and off, every 7th step limit."""
    for src in (SORT_TUPLES, SORT_TUPLES.replace(
            "        sorted([(True, 1), (False, 2)]),\n", "        sorted([(1, 2), (1, 'a')]),\n")):
        on, off = _both(lambda s=src: _run_main(s, {}))
        assert on == off
        for limit in range(1, on[-1] + 1, 7):
            a, b = _both(lambda lim=limit, s=src: _run_main(s, {}, lim))
            assert a == b, limit


_WHILE_BODY = """
def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps

def main():
    return [collatz(i) for i in range(1, 8)] + [collatz("x")]
"""


def test_large_loop_bodies_inline_and_agree_under_every_step_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ``while`` body of an ``if``/``else`` and a statement is written into the loop's
    closure (inline.MAX_INNER_LINES admits it), and the run gives the same result, error,
    position and step count as with inlining off, under every step limit."""
    from starlite.compile import inline

    monkeypatch.setattr(inline, "_combined", {})
    calls: list[str] = []

    def run(limit: int | None = None) -> Any:
        return _run_main(_WHILE_BODY, {"while_": True}, limit)

    def both(limit: int | None = None) -> tuple[Any, Any]:
        return on_and_off(inline, lambda: run(limit))

    on, off = both()
    assert on == off
    assert on[0] == "error"
    from starlite.compile.shapes import RECIPES

    calls.extend(k[1] for k, f in inline._combined.items()
                 if f is not None and RECIPES[k[0]][0] == "while_loop")
    assert "BODY" in calls  # the loop's body, with its if/else, is in the while closure
    for limit in range(1, on[-1] + 1):
        a, b = both(limit)
        assert a == b, limit


def test_calls_bind_by_plan() -> None:
    """Calls of functions with ``*args``/``**kwargs``/keyword-only parameters build their
    frames by the code's plan (one per shape of call), and a call that cannot bind gets
    no plan."""
    from starlite.compile.function import Function, Plan

    src = CASES["varargs_kwargs_plans"]
    th = starlite.Thread(options=starlite.Options(**_opts(src)))
    g = starlite.exec_file(th, "p.star", src)
    starlite.call(th, g["main"])
    for name, key in [("total", (3, ())), ("total", (0, ())), ("describe", (1, ("name", "size"))),
                      ("head", (4, ("z", "y"))), ("only", (0, ("c", "a", "d")))]:
        f = g[name]
        assert isinstance(f, Function)
        assert isinstance(f.code.plans.get(key), Plan), (name, key)
    th2 = starlite.Thread()
    g2 = starlite.exec_file(th2, "q.star", CASES["plan_error_missing_kwonly"])
    with pytest.raises(starlite.EvalError):
        starlite.call(th2, g2["main"])
    assert g2["only"].code.plans[(1, ())] is None


def test_plans_are_bounded() -> None:
    """``f(**d)`` with ever new keyword names binds correctly past the plan cache's size,
    which stays bounded."""
    from starlite.compile.function import MAX_PLANS

    src = """
def kw(a, **rest):
    return a + len(rest)

def main():
    t = 0
    for i in range(N):
        t += kw(1, **{"k%d" % i: i, "z": 0})
    return t
""".replace("N", str(MAX_PLANS + 10))
    th = starlite.Thread()
    g = starlite.exec_file(th, "p.star", src)
    assert starlite.call(th, g["main"]) == 3 * (MAX_PLANS + 10)
    assert len(g["kw"].code.plans) == MAX_PLANS


def test_runners_are_shared_by_layout() -> None:
    """A runner's text is compiled once per frame layout, whatever the keyword names that
    go to ``**kwargs``: ``f(**d)`` with ever new names compiles nothing new."""
    from starlite.compile import entry

    src = """
def kw(a, **rest):
    return a + len(rest)

def main(n):
    t = 0
    for i in range(n):
        t += kw(1, **{"k%d" % i: i, "z": 0})
    return t
"""
    th = starlite.Thread()
    g = starlite.exec_file(th, "p.star", src)
    assert starlite.call(th, g["main"], 5) == 15
    layouts = len(entry._runners)
    assert starlite.call(th, g["main"], 300) == 900
    assert len(entry._runners) == layouts


class _Recorder(starlite.Observer):
    """Every call, return and step event, as plain tuples."""

    def __init__(self, steps: bool) -> None:
        self.wants_steps = steps
        self.events: list[tuple[Any, ...]] = []

    def on_call(self, event: Any) -> None:
        self.events.append(("call", event.function, event.line, event.col, event.depth,
                            event.step))

    def on_return(self, event: Any) -> None:
        self.events.append(("return", event.function, event.depth, event.step,
                            str(event.error)))

    def on_step(self, event: Any) -> None:
        self.events.append(("step", event.step, event.node, event.line, event.col,
                            event.function, event.depth))


@pytest.mark.parametrize("name", ["call_shapes_by_site", "call_shapes_errors",
                                  "call_shapes_recursion", "star_call_sites",
                                  "method_keyword_calls", "varargs_kwargs_plans"])
@pytest.mark.parametrize("steps", [False, True])
def test_call_shapes_observed_alike(name: str, steps: bool) -> None:
    """Observers see the same calls, returns and steps of every call shape with the
    planned paths on and off (call observers make the call sites take ``code.invoke``)."""
    src = CASES[name]

    def run() -> list[tuple[Any, ...]]:
        rec = _Recorder(steps)
        th = starlite.Thread(options=starlite.Options(**_opts(src)), observers=[rec])
        try:
            g = starlite.exec_file(th, "p.star", src)
            starlite.call(th, g["main"])
        except starlite.EvalError as e:
            rec.events.append(("error", e.backtrace()))
        return rec.events

    on, off = _both(run)
    assert on == off
    assert any(ev[0] == "call" for ev in on)
