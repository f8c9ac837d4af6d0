"""Parse-corpus benchmarks: Bazel-style ``.bzl`` and ``BUILD`` files of 25, 500 and 5,000 lines
(``bazel_corpus.py``), parsed alone (group ``parse-corpus``) and parsed, resolved and compiled
(group ``compile-corpus``); plus the 25-line macro file end to end: compile, exec, and one call
of its macro (group ``macro-e2e``).

Each benchmark records ``lines``, ``lines_per_sec`` and ``ms`` (medians) in ``extra_info``.
"""

from __future__ import annotations

from typing import Any

import pytest

import starlite
from starlite.syntax import parse_file

from .bazel_corpus import CORPUS, MACRO_25, MACRO_25_ARGS, macro_thread

NAMES = list(CORPUS)


def _figures(benchmark: Any, lines: int) -> None:
    benchmark.extra_info["lines"] = lines
    if benchmark.stats is not None:  # None in smoke mode (--benchmark-disable)
        median = benchmark.stats.stats.median
        benchmark.extra_info["lines_per_sec"] = round(lines / median)
        benchmark.extra_info["ms"] = round(median * 1e3, 3)


def _rounds(name: str) -> dict[str, int]:
    return {"rounds": 15, "iterations": 1} if name.endswith("5000") else \
        {"rounds": 60, "iterations": 1} if name.endswith("500") else \
        {"rounds": 400, "iterations": 1}


@pytest.mark.benchmark(group="parse-corpus")
@pytest.mark.parametrize("name", NAMES)
def test_parse(benchmark: Any, name: str) -> None:
    src, _pre = CORPUS[name]
    benchmark.pedantic(parse_file, args=(name, src), warmup_rounds=1, **_rounds(name))
    _figures(benchmark, src.count("\n"))


@pytest.mark.benchmark(group="compile-corpus")
@pytest.mark.parametrize("name", NAMES)
def test_compile(benchmark: Any, name: str) -> None:
    src, pre = CORPUS[name]
    benchmark.pedantic(starlite.compile, args=(name, src), kwargs={"predeclared": pre},
                       warmup_rounds=1, **_rounds(name))
    _figures(benchmark, src.count("\n"))


@pytest.mark.benchmark(group="macro-e2e")
def test_macro_end_to_end(benchmark: Any) -> None:
    """Compile the 25-line macro file, exec it, and call its macro once."""
    thread, pre, targets = macro_thread()
    names = list(pre)

    def run() -> None:
        prog = starlite.compile("macros.bzl", MACRO_25, predeclared=names)
        g = prog.exec(thread, pre)
        starlite.call(thread, g["project_cc_library"], **MACRO_25_ARGS)

    benchmark.pedantic(run, warmup_rounds=1, rounds=400, iterations=1)
    _figures(benchmark, MACRO_25.count("\n"))
    assert targets and targets[-1]["name"] == "strings"
    assert "ascii_table.inc" in targets[-1]["srcs"]


def test_corpus_sizes() -> None:
    """The corpus has the sizes it claims (runs in the ordinary test run too)."""
    for name, (src, _pre) in CORPUS.items():
        size = int(name.rsplit("_", 1)[1])
        assert size <= src.count("\n") < size * 1.1, name
