"""Evaluation speed: each program under starlite (step metering on) beside its CPython twin.

Run: ``python -m pytest benchmarks/test_eval.py --benchmark-only``. The ratio
starlite / CPython per program is in ``extra_info`` and in benchmarks/README.md.
"""

from __future__ import annotations

from typing import Any

import pytest

import starlite

from .programs import PROGRAMS

NAMES = sorted(PROGRAMS)


def _starlite_main(name: str) -> tuple[Any, starlite.Thread]:
    th = starlite.Thread(max_steps=10**12)
    g = starlite.exec_file(th, f"{name}.star", PROGRAMS[name])
    return g["main"], th


@pytest.mark.benchmark(group="eval")
@pytest.mark.parametrize("name", NAMES)
def test_starlite(benchmark: Any, name: str) -> None:
    main, th = _starlite_main(name)
    before = th.steps
    expected = _python_result(name)
    result = benchmark(starlite.call, th, main)
    assert result == expected
    runs = max(1, benchmark.stats.stats.rounds if benchmark.stats else 1)
    benchmark.extra_info["steps"] = (th.steps - before) // runs


@pytest.mark.benchmark(group="eval")
@pytest.mark.parametrize("name", NAMES)
def test_cpython(benchmark: Any, name: str) -> None:
    ns: dict[str, Any] = {}
    exec(compile(PROGRAMS[name], f"{name}.py", "exec"), ns)  # noqa: S102 - our own benchmark text
    result = benchmark(ns["main"])
    assert result == _python_result(name)


@pytest.mark.benchmark(group="eval-metering")
@pytest.mark.parametrize("max_steps", [None, 10**12])
def test_metering_cost(benchmark: Any, max_steps: int | None) -> None:
    """``max_steps=None`` and a huge limit should cost the same (the check is one compare)."""
    th = starlite.Thread(max_steps=max_steps)
    g = starlite.exec_file(th, "int_loop.star", PROGRAMS["int_loop"])
    benchmark(starlite.call, th, g["main"])


def _python_result(name: str) -> Any:
    ns: dict[str, Any] = {}
    exec(compile(PROGRAMS[name], f"{name}.py", "exec"), ns)  # noqa: S102
    return ns["main"]()
