"""The benchmark programs: each is Starlark that is also valid Python, so the same text runs
under starlite and under CPython (the twin) in the same benchmark run.

Every program defines ``main()``; the harness calls it once per round.
"""

from __future__ import annotations

PROGRAMS: dict[str, str] = {
    "int_loop": """
def main():
    total = 0
    for i in range(20000):
        total += i * 2 % 7
    return total
""",
    "bigint_fib": """
def main():
    a, b = 0, 1
    for i in range(3000):
        a, b = b, a + b
    return a % 1000000007
""",
    "list_sort": """
def main():
    xs = []
    for i in range(5000):
        xs.append((i * 7919) % 10007)
    ys = sorted(xs)
    return ys[0] + ys[-1] + len(ys)
""",
    "string_ops": """
def main():
    parts = []
    for i in range(2000):
        parts.append("item%d" % i)
    s = ",".join(parts)
    words = s.split(",")
    out = []
    for w in words:
        out.append(w.upper())
    return len("".join(out))
""",
    "dict_wordcount": """
def main():
    text = "the quick brown fox jumps over the lazy dog and the dog sleeps " * 200
    counts = {}
    for w in text.split(" "):
        if w:
            counts[w] = counts.get(w, 0) + 1
    return counts["the"] + len(counts)
""",
    "function_calls": """
def add(a, b):
    return a + b

def main():
    total = 0
    for i in range(10000):
        total = add(total, i)
    return total
""",
    "comprehensions": """
def main():
    squares = [x * x for x in range(3000) if x % 3 != 0]
    pairs = {x: x + 1 for x in range(2000)}
    nested = [a + b for a in range(40) for b in range(40)]
    return len(squares) + len(pairs) + len(nested)
""",
}
