"""What observers cost: the same program with no observer, a passive one, a per-step one, and
the trace recorder.

The program is a loop of small function calls (about 50,000 steps), compiled once; each round
runs it on a fresh thread. Targets (DESIGN.md, "Observer interface"):

* ``passive`` (overrides only ``on_exec_start`` / ``on_exec_end``): within 5% of ``none`` --
  such an observer is never reached per call or per step.
* ``steps_discard_batches`` (an ``on_steps`` that does nothing): at most 3x ``none`` -- it
  receives every step, one call per charge (a group of steps counted at once).
* ``steps_discard`` (an ``on_step`` that does nothing): one ``StepEvent`` and one Python call
  per step; ``steps_discard_reused_events`` the same with per-node flyweight events.
* ``flight_recorder`` (the default, with steps): the cost of leaving it on.
* ``trace_recorder`` (writing JSON lines to a temporary file): at most 10x ``none``.

Each benchmark records ``steps`` in ``extra_info``; compare the groups' means, e.g. with
``pytest benchmarks/test_observers.py --benchmark-only --benchmark-group-by=group``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import starlite
from starlite.observe import ExecEnd, ExecStart, StepEvent, StepSite

SOURCE = """
def add(a, b):
    return a + b

def scaled(x):
    if x % 3 == 0:
        return x // 3
    return x

def main(n):
    total = 0
    for i in range(n):
        total = add(total, scaled(i))
    return total

result = main(2500)
"""

PROGRAM = starlite.compile("bench_observers.star", SOURCE)


class Passive(starlite.Observer):
    """Looks only at run start and end: must cost nothing per call or step."""

    def __init__(self) -> None:
        self.runs = 0

    def on_exec_start(self, event: ExecStart) -> None:
        self.runs += 1

    def on_exec_end(self, event: ExecEnd) -> None:
        pass


class DiscardBatches(starlite.Observer):
    """Receives every step, a charge at a time through ``on_steps``, and throws them away:
    the per-step observer the 3x target is about."""

    wants_steps = True

    def on_steps(self, first: int, count: int, site: StepSite, depth: int) -> None:
        pass


class DiscardSteps(starlite.Observer):
    """Receives every step as its own event object and throws it away."""

    wants_steps = True

    def on_step(self, event: StepEvent) -> None:
        pass


class DiscardReusedSteps(DiscardSteps):
    """The same, receiving reused (flyweight) step events: what an observer that does not
    keep events should ask for."""

    reuse_step_events = True


def _run(make_observers: Callable[[], list[starlite.Observer]]) -> int:
    obs = make_observers()
    th = starlite.Thread(observers=obs)
    g = PROGRAM.exec(th)
    assert g["result"] > 0
    for ob in obs:
        close = getattr(ob, "close", None)
        if close is not None:
            close()
    return th.steps


def _bench(benchmark: Any, make_observers: Callable[[], list[starlite.Observer]]) -> None:
    steps = benchmark(_run, make_observers)
    benchmark.extra_info["steps"] = steps


@pytest.mark.benchmark(group="observers")
def test_none(benchmark: Any) -> None:
    _bench(benchmark, lambda: [])


@pytest.mark.benchmark(group="observers")
def test_passive(benchmark: Any) -> None:
    _bench(benchmark, lambda: [Passive()])


@pytest.mark.benchmark(group="observers")
def test_steps_discard_batches(benchmark: Any) -> None:
    _bench(benchmark, lambda: [DiscardBatches()])


@pytest.mark.benchmark(group="observers")
def test_steps_discard(benchmark: Any) -> None:
    _bench(benchmark, lambda: [DiscardSteps()])


@pytest.mark.benchmark(group="observers")
def test_steps_discard_reused_events(benchmark: Any) -> None:
    _bench(benchmark, lambda: [DiscardReusedSteps()])


@pytest.mark.benchmark(group="observers")
def test_flight_recorder(benchmark: Any) -> None:
    _bench(benchmark, lambda: [starlite.FlightRecorder(10_000)])


@pytest.mark.benchmark(group="observers")
def test_trace_recorder(benchmark: Any, tmp_path: Path) -> None:
    """Each round records into a new file, as a run that records its trace does: the previous
    round's file (about 7 MB) is deleted before the round, outside the timing. Truncating it
    instead would time the file system freeing its blocks, about 6.6 ms here (this machine's
    ext4 is mounted with ``discard``), which is no cost of recording."""
    path = tmp_path / "trace.jsonl"

    def fresh_file() -> None:
        path.unlink(missing_ok=True)

    steps = benchmark.pedantic(_run, args=(lambda: [starlite.TraceRecorder(path)],),
                               setup=fresh_file, rounds=30, warmup_rounds=2)
    benchmark.extra_info["steps"] = steps
    assert path.stat().st_size > 0


def test_step_counts_agree() -> None:
    """Observers never change what a run counts."""
    counts = {
        _run(lambda: []),
        _run(lambda: [Passive()]),
        _run(lambda: [DiscardSteps()]),
        _run(lambda: [DiscardReusedSteps()]),
        _run(lambda: [starlite.FlightRecorder(100)]),
    }
    assert len(counts) == 1
