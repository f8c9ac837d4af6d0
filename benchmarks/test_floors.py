"""Floor micro-benchmarks (``floors.py``) under starlite (step metering on) beside their
CPython twins, in the same run.

Run: ``python -m pytest benchmarks/test_floors.py --benchmark-only``.
"""

from __future__ import annotations

from typing import Any

import pytest

import starlite

from .floors import FLOORS, OPTIONS

NAMES = sorted(FLOORS)


def _python_main(name: str) -> Any:
    ns: dict[str, Any] = {}
    exec(compile(FLOORS[name], f"{name}.py", "exec"), ns)  # noqa: S102 - our own benchmark text
    return ns["main"]


@pytest.mark.benchmark(group="floors")
@pytest.mark.parametrize("name", NAMES)
def test_starlite(benchmark: Any, name: str) -> None:
    options = starlite.Options(**OPTIONS.get(name, {}))
    th = starlite.Thread(max_steps=10**12, options=options)
    if name == "loop_module":
        # the module-level loops are the work: run the whole file each round
        prog = starlite.compile(f"{name}.star", FLOORS[name], options=options)
        g = benchmark(lambda: prog.exec(starlite.Thread(max_steps=10**12, options=options)))
        assert starlite.call(th, g["main"]) == _python_main(name)()
        return
    g = starlite.exec_file(th, f"{name}.star", FLOORS[name])
    before = th.steps
    result = benchmark(starlite.call, th, g["main"])
    assert result == _python_main(name)()
    runs = max(1, benchmark.stats.stats.rounds if benchmark.stats else 1)
    benchmark.extra_info["steps"] = (th.steps - before) // runs


@pytest.mark.benchmark(group="floors")
@pytest.mark.parametrize("name", NAMES)
def test_cpython(benchmark: Any, name: str) -> None:
    code = compile(FLOORS[name], f"{name}.py", "exec")
    if name == "loop_module":
        ns: dict[str, Any] = {}
        benchmark(lambda: exec(code, {}))  # noqa: S102
        exec(code, ns)  # noqa: S102
        assert ns["main"]() == _python_main(name)()
        return
    main = _python_main(name)
    benchmark(main)
