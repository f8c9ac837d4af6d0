"""The broad benchmark corpus: ordinary Starlark programs, written the way a user writes them,
not the way the compiler likes them.

Each program is text that is valid Starlark and valid Python, so the same text runs under
starlite, under CPython (the twin, in the same benchmark run) and, where it can, under PyPI
``starlark`` 0.6.0. Two kinds:

* ``main``: the program defines ``main()``; a round is one call of it (module set-up is
  excluded, as for the old suite in ``programs.py``);
* ``module``: the work is at top level (loops and all); a round executes the compiled module,
  which leaves its answer in the global ``result``.

The CPython twin gets two small shims for Starlark builtins Python lacks: ``struct`` (an
object with the given attributes) and ``json`` (``encode``/``decode`` over Python's json with
Starlark's compact separators). Programs whose feature PyPI ``starlark`` lacks (``while``,
recursion, ``struct``) are marked ``pypi=False``.
"""

from __future__ import annotations

import json as _json
from dataclasses import dataclass, field
from typing import Any

import starlite


@dataclass(frozen=True)
class Program:
    name: str
    category: str
    source: str
    kind: str = "main"  # "main" or "module"
    options: dict[str, bool] = field(default_factory=dict)
    pypi: bool = True  # PyPI starlark 0.6.0 can run it
    modules: tuple[str, ...] = ()  # predeclared: "json", "struct"

    def starlite_options(self) -> starlite.Options:
        return starlite.Options(**self.options)

    def module_source(self) -> str:
        """The program as a module that leaves its answer in ``result`` (for interpreters timed
        by executing a whole compiled module)."""
        return self.source if self.kind == "module" else self.source + "\nresult = main()\n"

    def starlite_predeclared(self) -> dict[str, Any]:
        from starlite.builtins import json_module, struct_builtin

        have = {"json": json_module, "struct": struct_builtin}
        return {m: have[m] for m in self.modules}


_MODULE_OPTS = {"top_level_control": True, "global_reassign": True}

_PROGRAMS = [
    # ---------------------------------------------------------------- loops
    Program("range_sum", "loops", """
def main():
    s = 0
    for i in range(30000):
        s += i
    return s
"""),
    Program("list_loop", "loops", """
def total_size(files):
    total = 0
    for f in files:
        total += f
    return total

SIZES = [(i * 37) % 1000 for i in range(2000)]

def main():
    t = 0
    for _ in range(10):
        t += total_size(SIZES)
    return t
"""),
    Program("module_loop", "loops", """
total = 0
evens = 0
for i in range(20000):
    total += i
    if i % 2 == 0:
        evens += 1
result = total + evens
""", kind="module", options=_MODULE_OPTS),
    Program("while_loop", "loops", """
def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps

def main():
    best = 0
    for i in range(1, 400):
        c = collatz_steps(i)
        if c > best:
            best = c
    return best
""", options={"while_": True}, pypi=False),
    Program("nested_loops", "loops", """
def main():
    grid = []
    for r in range(60):
        row = []
        for c in range(60):
            row.append((r * c) % 10)
        grid.append(row)
    count = 0
    for row in grid:
        for v in row:
            if v > 4:
                count += 1
    return count
"""),
    # ----------------------------------------------------------- arithmetic
    Program("int_arith", "arithmetic", """
def checksum(data):
    a = 1
    b = 0
    for x in data:
        a = (a + x) % 65521
        b = (b + a) % 65521
    return b * 65536 + a

def main():
    data = [(i * 31 + 7) % 256 for i in range(5000)]
    return checksum(data)
"""),
    Program("float_arith", "arithmetic", """
def mandel(cx, cy):
    x = 0.0
    y = 0.0
    n = 0
    while n < 50 and x * x + y * y < 4.0:
        x, y = x * x - y * y + cx, 2.0 * x * y + cy
        n += 1
    return n

def main():
    total = 0
    for i in range(24):
        for j in range(24):
            total += mandel(-2.0 + i * 0.1, -1.2 + j * 0.1)
    return total
""", options={"while_": True}, pypi=False),
    Program("float_stats", "arithmetic", """
def stats(xs):
    n = len(xs)
    mean = sum_of(xs) / n
    var = 0.0
    for x in xs:
        d = x - mean
        var += d * d
    return mean, var / n

def sum_of(xs):
    t = 0.0
    for x in xs:
        t += x
    return t

def main():
    xs = [((i * 7919) % 1000) / 10.0 for i in range(4000)]
    mean, var = stats(xs)
    return int(mean * 1000) + int(var)
"""),
    Program("bigint_fib", "bigint", """
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

def main():
    return fib(4000) % 1000000007
"""),
    Program("bigint_factorial", "bigint", """
def factorial(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r

def main():
    f = factorial(800)
    digits = len(str(f))
    return digits + f % 998244353
"""),
    # -------------------------------------------------------------- strings
    Program("str_percent", "strings", """
def main():
    lines = []
    for i in range(3000):
        lines.append("item%d: %s" % (i, "ok" if i % 3 else "skip"))
    return len(lines[-1]) + len(lines)
"""),
    Program("str_format", "strings", """
def main():
    out = ""
    for i in range(2000):
        x = i * 3
        out += "{}:{};".format(i, x)
    return len(out)
"""),
    Program("join_split", "strings", """
def main():
    total = 0
    for r in range(40):
        parts = [str(i + r) for i in range(100)]
        line = ",".join(parts)
        fields = line.split(",")
        total += len(fields) + len(fields[-1])
    return total
"""),
    Program("str_methods", "strings", """
NAMES = ["alpha_beta", "Gamma", "delta_Epsilon", "zeta", "ETA_theta"]

def normalize(name):
    n = name.strip().lower().replace("_", "-")
    if n.startswith("delta"):
        n = n[len("delta"):]
    if n.endswith("-theta"):
        n = n.upper()
    return n

def main():
    seen = {}
    for i in range(1500):
        n = normalize(NAMES[i % len(NAMES)])
        seen[n] = seen.get(n, 0) + 1
    return len(seen) + seen["gamma"]
"""),
    Program("str_slicing", "strings", """
def main():
    text = "abcdefghijklmnopqrstuvwxyz0123456789" * 20
    count = 0
    for i in range(len(text) - 4):
        chunk = text[i:i + 4]
        if chunk[0] == "a" or chunk.find("9") >= 0:
            count += 1
        if chunk[::2].isalpha():
            count += 2
    return count
"""),
    # ------------------------------------------------------- dicts and lists
    Program("dict_methods", "collections", """
def main():
    index = {}
    for i in range(3000):
        key = "k%d" % (i % 97)
        bucket = index.setdefault(key, [])
        bucket.append(i)
    sizes = {}
    for k, v in index.items():
        sizes[k] = len(v)
    total = 0
    for k in sizes.keys():
        if k in index:
            total += sizes[k]
    return total + len(index.get("k5", []))
"""),
    Program("list_methods", "collections", """
def main():
    stack = []
    popped = 0
    for i in range(4000):
        stack.append(i)
        if i % 3 == 0:
            popped += stack.pop()
    stack.insert(0, -1)
    stack.extend([1, 2, 3])
    stack = list(reversed(stack))
    return popped + len(stack) + stack.index(3) + stack[0]
"""),
    Program("sort_key", "sorting", """
def main():
    people = []
    for i in range(2000):
        people.append({"name": "p%d" % i, "age": (i * 37) % 90, "score": (i * 13) % 101})
    by_age = sorted(people, key = lambda p: p["age"])
    by_score = sorted(people, key = lambda p: (-p["score"], p["name"]))
    return by_age[0]["age"] + by_score[0]["score"] + len(by_score[-1]["name"])
"""),
    # -------------------------------------------------------- comprehensions
    Program("comprehensions", "comprehensions", """
def main():
    words = ["w%d" % (i % 50) for i in range(2000)]
    lengths = [len(w) for w in words if w.endswith("7")]
    index = {w: i for i, w in enumerate(words)}
    pairs = [(a, b) for a in range(30) for b in range(30) if (a + b) % 7 == 0]
    matrix = [[r * c for c in range(20)] for r in range(20)]
    flat = [x for row in matrix for x in row if x % 2]
    return len(lengths) + len(index) + len(pairs) + sum_all(flat)

def sum_all(xs):
    t = 0
    for x in xs:
        t += x
    return t
"""),
    # ----------------------------------------------------------------- calls
    Program("nested_calls", "calls", """
def add(a, b):
    return a + b

def mul_mod(a, b):
    return (a * b) % 1000003

def step(s, i):
    return add(mul_mod(s, 31), i)

def main():
    s = 7
    for i in range(5000):
        s = step(s, i)
    return s
"""),
    Program("kwargs_defaults", "calls", """
def make_rule(name, srcs = None, deps = None, visibility = "private", testonly = False):
    n = len(srcs or []) + len(deps or [])
    if testonly:
        n += 100
    return n + len(visibility) + len(name)

def main():
    total = 0
    for i in range(3000):
        total += make_rule("lib%d" % i, srcs = ["a.c", "b.c"], visibility = "public")
        total += make_rule(name = "t", testonly = True)
    return total
"""),
    Program("varargs", "calls", """
def total(*nums):
    t = 0
    for n in nums:
        t += n
    return t

def describe(kind, **attrs):
    return len(kind) + len(attrs)

def main():
    acc = 0
    for i in range(2500):
        acc += total(i, 1, 2)
        acc += describe("rule", name = "x", size = i)
        args = [i, i]
        acc += total(*args)
    return acc
"""),
    # --------------------------------------------------- closures and lambdas
    Program("closures", "closures", """
def make_counter(step):
    state = {"n": 0}
    def bump():
        state["n"] += step
        return state["n"]
    return bump

def make_adder(k):
    return lambda x: x + k

def main():
    c = make_counter(3)
    add5 = make_adder(5)
    t = 0
    for i in range(3000):
        t += add5(c())
    return t
"""),
    Program("higher_order", "closures", """
def apply_all(fs, x):
    for f in fs:
        x = f(x)
    return x

def main():
    fs = [lambda v: v + 1, lambda v: v * 2, lambda v: v % 1000]
    out = []
    for i in range(2000):
        out.append(apply_all(fs, i))
    keep = [x for x in out if x > 500]
    return len(keep) + max(out)
"""),
    # ------------------------------------------------------------- recursion
    Program("recursive_fib", "recursion", """
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def main():
    return fib(17)
""", options={"recursion": True}, pypi=False),
    Program("tree_walk", "recursion", """
def build(depth):
    if depth == 0:
        return {"value": 1, "children": []}
    return {"value": depth, "children": [build(depth - 1), build(depth - 1)]}

def total(node):
    t = node["value"]
    for c in node["children"]:
        t += total(c)
    return t

def main():
    return total(build(10))
""", options={"recursion": True}, pypi=False),
    # ---------------------------------------------------------- struct / json
    Program("struct_json", "struct_json", """
def main():
    records = []
    for i in range(400):
        s = struct(id = i, name = "n%d" % i, tags = ["a", "b"])
        records.append({"id": s.id, "name": s.name, "tags": s.tags})
    text = json.encode(records)
    back = json.decode(text)
    return len(text) + back[-1]["id"]
""", pypi=False, modules=("json", "struct")),
    # ---------------------------------------------------------- tool scripts
    Program("tool_munging", "tool_script", """
ORDERS = [
    {"id": i, "customer": "c%d" % (i % 23), "amount": (i * 37) % 500,
     "status": ["open", "paid", "shipped", "cancelled"][i % 4],
     "items": [{"sku": "s%d" % ((i + k) % 11), "qty": k + 1} for k in range(i % 3 + 1)]}
    for i in range(600)
]

def main():
    by_customer = {}
    for order in ORDERS:
        if order["status"] == "cancelled":
            continue
        entry = by_customer.get(order["customer"])
        if entry == None:
            entry = {"total": 0, "count": 0, "skus": {}}
            by_customer[order["customer"]] = entry
        entry["total"] += order["amount"]
        entry["count"] += 1
        for item in order["items"]:
            entry["skus"][item["sku"]] = entry["skus"].get(item["sku"], 0) + item["qty"]
    top = sorted(by_customer.items(), key = lambda kv: -kv[1]["total"])[:5]
    report = []
    for name, e in top:
        line = "%s: %d orders, total %d, %d skus" % (name, e["count"], e["total"], len(e["skus"]))
        report.append(line)
    return len("\\n".join(report)) + len(by_customer)
"""),
    Program("tool_module", "tool_script", """
rows = [{"host": "h%d" % (i % 17), "latency": (i * 53) % 400, "ok": i % 9 != 0}
        for i in range(1500)]
slow = []
errors = {}
for row in rows:
    if not row["ok"]:
        errors[row["host"]] = errors.get(row["host"], 0) + 1
    elif row["latency"] > 300:
        slow.append(row["host"])
hosts = sorted(set(slow))
summary = ", ".join(["%s=%d" % (h, errors.get(h, 0)) for h in hosts])
result = len(summary) + len(slow) + len(errors)
""", kind="module", options=_MODULE_OPTS),
]

PROGRAMS: dict[str, Program] = {p.name: p for p in _PROGRAMS}


class _PyStruct:
    """The CPython twin's ``struct``."""

    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


class _PyJson:
    """The CPython twin's ``json`` module."""

    @staticmethod
    def encode(x: Any) -> str:
        return _json.dumps(x, separators=(",", ":"))

    @staticmethod
    def decode(s: str) -> Any:
        return _json.loads(s)


def python_namespace() -> dict[str, Any]:
    return {"struct": _PyStruct, "json": _PyJson}


def python_code(p: Program) -> Any:
    return compile(p.source, f"{p.name}.py", "exec")


def python_result(p: Program) -> Any:
    """What the program computes, by CPython: the expected answer for every implementation."""
    ns = python_namespace()
    exec(python_code(p), ns)  # noqa: S102 - our own benchmark text
    return ns["result"] if p.kind == "module" else ns["main"]()
