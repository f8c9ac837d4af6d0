"""Turn a pytest-benchmark JSON file into the ratio tables of benchmarks/README.md.

    python -m pytest benchmarks --benchmark-only --benchmark-json=bench.json
    python -m benchmarks.report bench.json

Ratios use each benchmark's median (less sensitive than the mean to a busy machine).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import defaultdict
from typing import Any


def _medians(data: dict[str, Any]) -> dict[str, dict[str, float]]:
    """group -> test name -> median seconds."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for b in data["benchmarks"]:
        out[b["group"] or ""][b["name"]] = b["stats"]["median"]
    return out


def _extras(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """test name -> extra_info."""
    return {b["name"]: b.get("extra_info") or {} for b in data["benchmarks"]}


def _param(name: str) -> tuple[str, str]:
    m = re.match(r"(test_\w+?)\[(.+)\]$", name)
    return (m.group(1), m.group(2)) if m else (name, "")


def _pairs(group: dict[str, float], num: str, den: str) -> list[tuple[str, float, float]]:
    by: dict[str, dict[str, float]] = defaultdict(dict)
    for name, t in group.items():
        fn, p = _param(name)
        by[p][fn] = t
    rows = []
    for p, d in sorted(by.items()):
        if num in d and den in d:
            rows.append((p, d[num], d[den]))
    return rows


def _table(title: str, rows: list[tuple[str, float, float]], a: str, b: str) -> list[str]:
    if not rows:
        return []
    lines = [f"### {title}", "", f"| program | {a} (ms) | {b} (ms) | ratio |", "|---|---|---|---|"]
    logs = []
    for p, x, y in rows:
        r = x / y
        logs.append(math.log(r))
        lines.append(f"| {p} | {x * 1e3:.3f} | {y * 1e3:.3f} | {r:.2f}x |")
    lines.append(f"| **geometric mean** | | | **{math.exp(sum(logs) / len(logs)):.2f}x** |")
    lines.append("")
    return lines


def report(data: dict[str, Any]) -> str:
    g = _medians(data)
    out: list[str] = []
    machine = data.get("machine_info", {})
    out.append(f"Machine: {machine.get('cpu', {}).get('brand_raw', machine.get('processor', '?'))}"
               f", Python {machine.get('python_version', '?')}")
    out.append("")
    out += _table("starlite / CPython (eval, metering on)",
                  _pairs(g.get("eval", {}), "test_starlite", "test_cpython"),
                  "starlite", "CPython")
    out += _table("PyPI starlark 0.6.0 / starlite (same programs, compiled once)",
                  _pairs(g.get("vs-pypi-starlark", {}), "test_pypi_starlark",
                         "test_starlite_module"), "PyPI starlark", "starlite")
    out += _table("starlite / CPython (broad corpus, metering on)",
                  _pairs(g.get("corpus", {}), "test_starlite", "test_cpython"),
                  "starlite", "CPython")
    out += _table("PyPI starlark 0.6.0 / starlite (broad corpus, compiled once)",
                  _pairs(g.get("corpus-vs-pypi", {}), "test_pypi_starlark",
                         "test_starlite_module"), "PyPI starlark", "starlite")
    out += _table("starlite / CPython (floor micro-benchmarks, metering on)",
                  _pairs(g.get("floors", {}), "test_starlite", "test_cpython"),
                  "starlite", "CPython")
    extras = _extras(data)
    for group in sorted(g):
        if group in ("eval", "vs-pypi-starlark", "corpus", "corpus-vs-pypi", "floors"):
            continue
        out.append(f"### {group}")
        out.append("")
        out.append("| benchmark | median | figures |")
        out.append("|---|---|---|")
        base = g[group].get("test_none")
        for name, t in sorted(g[group].items()):
            info = ", ".join(f"{k}={v}" for k, v in extras.get(name, {}).items())
            if base:
                info = f"x{t / base:.2f} of no observer" + (f", {info}" if info else "")
            out.append(f"| {name} | {t * 1e3:.3f} ms | {info} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m benchmarks.report BENCH.json", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        print(report(json.load(fh)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
