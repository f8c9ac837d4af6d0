"""The same programs under PyPI ``starlark`` 0.6.0 (the published pure-Python interpreter),
for the side-by-side ratio. Installed by the ``bench`` extra; skipped when absent.

Both sides run a compiled program whose top level calls ``main()`` once, with step limits
on, so parse time is excluded from both.
"""

from __future__ import annotations

from typing import Any

import pytest

from .programs import PROGRAMS

starlark = pytest.importorskip("starlark")

import starlite  # noqa: E402

NAMES = sorted(PROGRAMS)


@pytest.mark.benchmark(group="vs-pypi-starlark")
@pytest.mark.parametrize("name", NAMES)
def test_pypi_starlark(benchmark: Any, name: str) -> None:
    prog = starlark.compile(PROGRAMS[name] + "\nresult = main()\n", mode="file")
    module = benchmark(lambda: prog.exec(max_steps=10**12))
    assert module.globals["result"] == _python_result(name)


@pytest.mark.benchmark(group="vs-pypi-starlark")
@pytest.mark.parametrize("name", NAMES)
def test_starlite_module(benchmark: Any, name: str) -> None:
    prog = starlite.compile(f"{name}.star", PROGRAMS[name] + "\nresult = main()\n")
    g = benchmark(lambda: prog.exec(starlite.Thread(max_steps=10**12)))
    assert g["result"] == _python_result(name)


def _python_result(name: str) -> Any:
    ns: dict[str, Any] = {}
    exec(compile(PROGRAMS[name], f"{name}.py", "exec"), ns)  # noqa: S102 - our benchmark text
    return ns["main"]()
