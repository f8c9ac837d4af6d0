"""The broad corpus (``corpus.py``): every program under starlite (step metering on), its CPython
twin, and PyPI ``starlark`` 0.6.0 where it can run the program, in the same run.

    python -m pytest benchmarks/test_corpus.py --benchmark-only
    python -m pytest benchmarks/test_corpus.py --benchmark-only --benchmark-json=c.json
    python -m benchmarks.report c.json

Groups: ``corpus`` (starlite beside CPython) and ``corpus-vs-pypi`` (PyPI starlark beside
starlite running the same compiled module). ``main`` programs time one call of ``main()``;
``module`` programs time one execution of the compiled module.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

import starlite

from .corpus import PROGRAMS, Program, python_code, python_namespace, python_result

NAMES = sorted(PROGRAMS)
PYPI_NAMES = sorted(n for n, p in PROGRAMS.items() if p.pypi)
HAVE_PYPI = importlib.util.find_spec("starlark") is not None


def _starlite_round(p: Program) -> tuple[Any, starlite.Thread]:
    """A zero-argument callable doing one round of ``p`` under starlite, and its thread."""
    th = starlite.Thread(max_steps=10**12)
    pre = p.starlite_predeclared()
    prog = starlite.compile(f"{p.name}.star", p.source, predeclared=pre,
                            options=p.starlite_options())
    if p.kind == "module":
        return (lambda: prog.exec(th, pre)["result"]), th
    main = prog.exec(th, pre)["main"]
    return (lambda: starlite.call(th, main)), th


@pytest.mark.benchmark(group="corpus")
@pytest.mark.parametrize("name", NAMES)
def test_starlite(benchmark: Any, name: str) -> None:
    p = PROGRAMS[name]
    run, th = _starlite_round(p)
    expected = python_result(p)
    before = th.steps
    result = benchmark(run)
    assert starlite.to_python(result) == expected
    runs = max(1, benchmark.stats.stats.rounds if benchmark.stats else 1)
    benchmark.extra_info["steps"] = (th.steps - before) // runs
    benchmark.extra_info["category"] = p.category


@pytest.mark.benchmark(group="corpus")
@pytest.mark.parametrize("name", NAMES)
def test_cpython(benchmark: Any, name: str) -> None:
    p = PROGRAMS[name]
    code = python_code(p)
    if p.kind == "module":
        def run() -> Any:
            ns = python_namespace()
            exec(code, ns)  # noqa: S102 - our own benchmark text
            return ns["result"]
    else:
        ns = python_namespace()
        exec(code, ns)  # noqa: S102
        run = ns["main"]
    assert benchmark(run) == python_result(p)


@pytest.mark.benchmark(group="corpus-vs-pypi")
@pytest.mark.skipif(not HAVE_PYPI, reason="PyPI starlark is in the bench extra")
@pytest.mark.parametrize("name", PYPI_NAMES)
def test_pypi_starlark(benchmark: Any, name: str) -> None:
    import starlark  # type: ignore[import-not-found]

    p = PROGRAMS[name]
    prog = starlark.compile(p.module_source(), mode="file")
    module = benchmark(lambda: prog.exec(max_steps=10**12))
    assert starlark.from_value(module.globals["result"]) == python_result(p)


@pytest.mark.benchmark(group="corpus-vs-pypi")
@pytest.mark.skipif(not HAVE_PYPI, reason="PyPI starlark is in the bench extra")
@pytest.mark.parametrize("name", PYPI_NAMES)
def test_starlite_module(benchmark: Any, name: str) -> None:
    p = PROGRAMS[name]
    prog = starlite.compile(f"{p.name}.star", p.module_source(), options=p.starlite_options())
    g = benchmark(lambda: prog.exec(starlite.Thread(max_steps=10**12)))
    assert starlite.to_python(g["result"]) == python_result(p)
