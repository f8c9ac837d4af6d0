"""Parser benchmarks: starlite's parser against CPython's ``compile()`` on the same text.

The generated file is realistic Starlark (functions with docstrings, loops, conditionals, calls
with keyword arguments, literals of every kind, comprehensions, dicts) and is also valid Python,
so ``compile()`` gives a native baseline in the same benchmark group. Each benchmark records
``lines_per_sec`` in ``extra_info``.
"""

from __future__ import annotations

import random

import pytest

from starlite.syntax import parse_file

_FUNC = '''
def {name}(items, limit = {n}, *args, prefix = "{name}", **kwargs):
    """Process items for {name}.

    Returns a dict summarising what was seen.
    """
    result = {{"name": prefix, "count": 0, "tags": [], "ratio": {f}}}
    seen = {{}}
    for i, item in enumerate(items):
        if i >= limit:
            break
        elif item == None:
            continue
        key = str(item).lower() + "_" + str(i % 7)
        if key in seen and not kwargs.get("dupes", False):
            seen[key] += 1
        else:
            seen[key] = 1
        result["count"] = result["count"] + (i * 2 - 1) // 3
    result["tags"] = [k for k in sorted(seen.keys()) if seen[k] > 1]
    pairs = {{k: v * 2 for k, v in seen.items() if v % 2 == 0}}
    total = 0
    while total < limit and total < len(pairs):
        total += 1
    msg = "%s: %d items, %d pairs (0x%x)" % (prefix, len(items), len(pairs), {h})
    print(msg, sep = " ", end = "\\n")
    return struct(result = result, pairs = pairs, total = total, flags = [True, False, None])
'''

_CALLS = """
CONFIG_{i} = {{
    "name": "{name}",
    "size": {n},
    "weights": [{f}, 2.5e-3, 1e3, {n} % 7],
    "enabled": True,
}}
out_{i} = {name}(list(range({n})), limit = 10, prefix = "p{i}", dupes = True)
"""

_SCRIPT = '''
# Summarise recent orders per user.
MAX_USERS = 50

def summarize(rows, key = "id"):
    """Group rows by key and count them."""
    groups = {}
    for row in rows:
        k = row.get(key, "unknown")
        if k not in groups:
            groups[k] = []
        groups[k].append(row)
    return {k: len(v) for k, v in groups.items()}

users = call_tool("list_users", limit = 50, active = True)
orders = call_tool("list_orders", since = "2024-01-01")
by_user = summarize(orders, key = "user_id")
top = sorted(by_user.items(), key = lambda kv: -kv[1])[:5]
report = []
for user_id, count in top:
    name = [u["name"] for u in users if u["id"] == user_id]
    report.append({"user": name[0] if name else user_id, "orders": count})
result = {"top": report, "total": len(orders), "ratio": len(orders) / max(1, len(users))}
if not report:
    print("no orders")
'''


def generate_file(target_lines: int = 5000, seed: int = 1) -> str:
    """A realistic Starlark file of about ``target_lines`` lines (also valid Python)."""
    rnd = random.Random(seed)
    parts = ["# Generated benchmark input: valid Starlark and valid Python.\n"]
    i = 0
    lines = 1
    while lines < target_lines:
        name = f"process_{i}"
        chunk = _FUNC.format(name=name, n=rnd.randint(1, 999), f=rnd.random(), h=i * 31)
        chunk += _CALLS.format(i=i, name=name, n=rnd.randint(10, 99), f=round(rnd.random(), 3))
        parts.append(chunk)
        lines += chunk.count("\n")
        i += 1
    return "".join(parts)


BIG = generate_file()
BIG_LINES = BIG.count("\n")
SCRIPT_LINES = _SCRIPT.count("\n")


def _run(benchmark, fn, text: str, nlines: int) -> None:
    benchmark(fn, text)
    benchmark.extra_info["lines"] = nlines
    if benchmark.stats is not None:  # None in smoke mode (--benchmark-disable)
        benchmark.extra_info["lines_per_sec"] = round(nlines / benchmark.stats.stats.mean)


@pytest.mark.benchmark(group="parse")
def test_parse_5000_lines(benchmark) -> None:
    _run(benchmark, lambda t: parse_file("big.star", t), BIG, BIG_LINES)


@pytest.mark.benchmark(group="parse")
def test_parse_25_line_script(benchmark) -> None:
    _run(benchmark, lambda t: parse_file("script.star", t), _SCRIPT, SCRIPT_LINES)


@pytest.mark.benchmark(group="parse")
def test_cpython_compile_5000_lines(benchmark) -> None:
    _run(benchmark, lambda t: compile(t, "big.py", "exec"), BIG, BIG_LINES)


@pytest.mark.benchmark(group="parse")
def test_cpython_compile_25_line_script(benchmark) -> None:
    _run(benchmark, lambda t: compile(t, "script.py", "exec"), _SCRIPT, SCRIPT_LINES)


def test_generated_text_is_valid() -> None:
    """The benchmark input parses with both parsers (runs without --benchmark-only too)."""
    assert BIG_LINES >= 5000
    f = parse_file("big.star", BIG)
    assert len(f.body) > 100
    compile(BIG, "big.py", "exec")
    parse_file("script.star", _SCRIPT)
    compile(_SCRIPT, "script.py", "exec")
