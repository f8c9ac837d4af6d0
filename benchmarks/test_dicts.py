"""Dict- and set-heavy programs under starlite (step metering on) beside their CPython twins.

These exercise the paths that keys go in and come out of (literals, ``d[k] = v``, ``get``,
``in``, iteration, ``items()``, comprehensions, set operators and methods) with ordinary string
and int keys, so that changes to how keys are stored show up here.

Run: ``python -m pytest benchmarks/test_dicts.py --benchmark-only``.
"""

from __future__ import annotations

from typing import Any

import pytest

import starlite

DICT_PROGRAMS: dict[str, str] = {
    "dict_str_keys": """
def main():
    keys = ["k%d" % i for i in range(300)]
    total = 0
    for r in range(10):
        d = {}
        for i, k in enumerate(keys):
            d[k] = i
        for k, v in d.items():
            total += v
        for k in d:
            if k in d:
                total += 1
        total += len(d.keys()) + len(sorted(d))
    return total
""",
    "dict_int_keys": """
def main():
    d = {}
    for i in range(6000):
        k = i % 97
        d[k] = d.get(k, 0) + i
    hits = 0
    for i in range(3000):
        if i in d:
            hits += d[i]
    for v in d.values():
        hits += v
    return hits + len(d)
""",
    "dict_small": """
def main():
    total = 0
    for i in range(3000):
        d = {"a": i, "b": i + 1, "c": 2}
        d["d"] = d["a"] + d["c"]
        total += d["d"] + len(d) + d.get("e", 1)
        for k in d:
            total += 1
    return total
""",
    "dict_comprehension": """
def main():
    total = 0
    for r in range(20):
        sq = {x: x * x for x in range(300)}
        names = {"n%d" % x: x for x in range(100)}
        inv = {v: k for k, v in names.items()}
        total += len(sq) + len(inv) + sq[17] + names["n5"]
    return total
""",
    "set_ops": """
def main():
    total = 0
    for r in range(20):
        a = set([x for x in range(400) if x % 2 == 0])
        b = set([x for x in range(400) if x % 3 == 0])
        u = a | b
        n = a & b
        m = a - b
        x = a ^ b
        s = set()
        for i in range(200):
            s.add(i % 50)
            if i in a:
                total += 1
        total += len(u) + len(n) + len(m) + len(x) + len(s)
        total += len(a.union(b)) + len(a.intersection(b)) + len(a.difference(b))
        if n.issubset(a):
            total += 1
        for e in n:
            total += e
    return total
""",
}

NAMES = sorted(DICT_PROGRAMS)


@pytest.mark.benchmark(group="dicts")
@pytest.mark.parametrize("name", NAMES)
def test_starlite(benchmark: Any, name: str) -> None:
    th = starlite.Thread(max_steps=10**12)
    main = starlite.exec_file(th, f"{name}.star", DICT_PROGRAMS[name])["main"]
    expected = _python_main(name)()
    result = benchmark(starlite.call, th, main)
    assert result == expected


@pytest.mark.benchmark(group="dicts")
@pytest.mark.parametrize("name", NAMES)
def test_cpython(benchmark: Any, name: str) -> None:
    main = _python_main(name)
    expected = main()
    assert benchmark(main) == expected


def _python_main(name: str) -> Any:
    ns: dict[str, Any] = {}
    exec(compile(DICT_PROGRAMS[name], f"{name}.py", "exec"), ns)  # noqa: S102 - our own text
    return ns["main"]
