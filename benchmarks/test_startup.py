"""Latency, start-up and memory targets (issue "Performance").

* parse + resolve + compile of a typical 25-line tool script (< 1 ms), and of the generated
  5,000-line file (lines per second);
* cold start: ``import starlite`` plus a first tiny script, above a bare interpreter
  (< 100 ms), measured in fresh subprocesses with bytecode caching on, as an installed
  package runs;
* memory of a Thread and of a compiled 25-line script (< 200 KB each), via tracemalloc.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
import tracemalloc
from typing import Any

import pytest

import starlite

from .test_parse import _SCRIPT, BIG, BIG_LINES

OPTS = starlite.Options(top_level_control=True, global_reassign=True)
PRE = ["call_tool"]


def _compile_script() -> starlite.Program:
    return starlite.compile("tool.star", _SCRIPT, predeclared=PRE, options=OPTS)


@pytest.mark.benchmark(group="compile")
def test_compile_25_line_script(benchmark: Any) -> None:
    benchmark(_compile_script)
    if benchmark.stats is not None:
        benchmark.extra_info["ms"] = round(benchmark.stats.stats.median * 1e3, 3)


@pytest.mark.benchmark(group="compile")
def test_compile_5000_lines(benchmark: Any) -> None:
    opts = starlite.Options(top_level_control=True, global_reassign=True, while_=True)
    benchmark.pedantic(starlite.compile, args=("big.star", BIG),
                       kwargs={"options": opts, "predeclared": ["struct"]},
                       rounds=5, iterations=1)
    benchmark.extra_info["lines"] = BIG_LINES
    if benchmark.stats is not None:
        benchmark.extra_info["lines_per_sec"] = round(BIG_LINES / benchmark.stats.stats.median)


def _run(code: str) -> float:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - t0


TINY = ("import starlite; starlite.exec_file(starlite.Thread(), 'a.star', "
        "'x = [i * i for i in range(10)]')")


@pytest.mark.benchmark(group="startup")
def test_cold_start(benchmark: Any) -> None:
    _run(TINY)  # writes the bytecode caches once
    rounds = 5 if benchmark.enabled else 1
    bare = min(_run("pass") for _ in range(rounds))
    full = min(_run(TINY) for _ in range(rounds))
    benchmark.extra_info["bare_ms"] = round(bare * 1e3, 1)
    benchmark.extra_info["above_bare_ms"] = round((full - bare) * 1e3, 1)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    assert full > bare


def _allocated(fn: Any) -> tuple[Any, int]:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        obj = fn()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    return obj, sum(s.size_diff for s in after.compare_to(before, "filename"))


@pytest.mark.benchmark(group="memory")
def test_memory_thread_and_program(benchmark: Any) -> None:
    _compile_script()  # warm the per-process caches (grammar, closure templates)
    th, thread_bytes = _allocated(lambda: starlite.Thread(max_steps=100_000))
    prog, program_bytes = _allocated(_compile_script)
    benchmark.extra_info["thread_bytes"] = thread_bytes
    benchmark.extra_info["program_bytes"] = program_bytes
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    assert th is not None and prog is not None
    assert thread_bytes < 200_000 and program_bytes < 200_000
