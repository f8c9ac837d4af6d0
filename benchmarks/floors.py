"""Floor micro-benchmarks: the costs every program pays, each alone, as Starlark that is also
valid Python (the CPython twin runs the same text in the same benchmark run).

Each program defines ``main()``; ``OPTIONS`` names the dialect switches a program needs.
The programs are written the way a user writes them, not the way the compiler likes them.
"""

from __future__ import annotations

FLOORS: dict[str, str] = {
    # the per-iteration cost of a `for` loop and of one `+=` statement
    "loop_sum": """
def main():
    s = 0
    for i in range(20000):
        s += i
    return s
""",
    # loops over a list, one with a branch
    "loop_list": """
def main():
    xs = list(range(5000))
    t = 0
    for x in xs:
        t += x
    n = 0
    for x in xs:
        if x % 3 == 0:
            n += 1
    return t + n
""",
    # the same loop at module level (globals)
    "loop_module": """
s = 0
for i in range(20000):
    s += i
words = []
for w in ["a", "bb", "ccc"] * 1000:
    if len(w) > 1:
        words.append(w)

def main():
    return s + len(words)
""",
    "while_loop": """
def main():
    i = 0
    s = 0
    while i < 10000:
        s += i
        i += 1
    return s
""",
    # str methods and formatting with variables
    "str_methods": """
def main():
    parts = []
    for i in range(2000):
        parts.append("item%d" % i)
    s = ",".join(parts)
    n = 0
    for f in s.split(","):
        g = f.upper().replace("I", "j")
        if g.startswith("jTEM1"):
            n += 1
        n += len(g[1:3])
    out = []
    for i in range(1000):
        out.append("{}:{};".format(i, n))
    return n + len("".join(out))
""",
    # method calls on list and dict receivers
    "method_calls": """
def main():
    d = {}
    xs = []
    n = 0
    for i in range(3000):
        k = "k" + str(i % 50)
        d[k] = d.get(k, 0) + 1
        xs.append(i)
        if k.endswith("7"):
            n += 1
    keys = sorted(d.keys())
    for k in keys:
        n += d.pop(k)
    xs.extend([1, 2, 3])
    n += xs.index(5)
    for k, v in d.items():
        n += v
    return n + len(xs)
""",
    # `def` calls: positional, nested helpers, keyword arguments, defaults
    "def_calls": """
def add(a, b):
    return a + b

def mul_mod(a, b, m=1000003):
    return a * b % m

def step(s, i):
    return mul_mod(add(s, i), 31)

def scale(x, factor=2, offset=0):
    return x * factor + offset

def main():
    s = 1
    for i in range(3000):
        s = step(s, i)
        s += scale(i, offset=1)
        s += scale(x=i, factor=3)
    return s
""",
    # `op=` on locals, a list element and a global
    "aug_assign": """
def main():
    t = 0
    xs = [1, 2, 3]
    d = {"a": 0}
    for i in range(10000):
        t += i
        t -= 1
        xs[1] += 1
        d["a"] += 2
    return t + xs[1] + d["a"]
""",
    "bigint_fib": """
def main():
    a, b = 0, 1
    for i in range(2000):
        a, b = b, a + b
    return a % 1000000007
""",
    "closures": """
def make_adder(n):
    def add(x):
        return x + n
    return add

def main():
    f = make_adder(3)
    g = lambda x: x * 2
    s = 0
    for i in range(3000):
        s += f(i) + g(i)
    xs = sorted([i * 7 % 100 for i in range(1000)], key=lambda v: -v)
    return s + xs[0]
""",
    "varargs": """
def total(*args, **kwargs):
    s = 0
    for a in args:
        s += a
    for k in kwargs:
        s += kwargs[k]
    return s

def main():
    s = 0
    for i in range(2000):
        s += total(i, 1, 2, x=3)
    return s
""",
    "recursion": """
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def main():
    return fib(16)
""",
}

OPTIONS: dict[str, dict[str, bool]] = {
    "loop_module": {"top_level_control": True, "global_reassign": True},
    "while_loop": {"while_": True},
    "recursion": {"recursion": True},
}
