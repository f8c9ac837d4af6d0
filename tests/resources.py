"""The step-metering property: a run's CPU time and memory are bounded by its steps.

README ("Step metering") promises that with ``max_steps`` set, CPU time and memory are bounded
by a constant times the step count. :func:`check_resources` measures one program: it is compiled
(unmeasured: compilation is bounded by the source's size, not by steps), then run twice with the
same thread settings, once for CPU time (``time.thread_time``) and once under ``tracemalloc``
for the peak of what the run allocates (tracing slows allocation several times, so the two are
measured apart). A finding is a run whose

    cpu  > CPU_PER_STEP * steps + CPU_ALLOWANCE      (re-measured: the least of 3 runs counts)
    peak > MEM_PER_STEP * steps + MEM_ALLOWANCE

During the measured runs the objects that existed before are frozen out of the cyclic garbage
collector (``gc.freeze``), so that a collection costs in proportion to the run's own objects,
as it would in a small host process, and not to the test process's.

``tests/test_fuzz.py`` checks a derandomized sample in CI; the long run is::

    python -m tests.fuzz --resources --minutes 10 [--seed N] [--max-steps N]

which prints each finding (minimised), then the number of programs and the worst ratios seen.

Calibration (measured on the development machine: 2 cores shared with 5 other jobs, load
average 6-7, CPython 3.11, so thread CPU times are inflated 2-3x by contention). Single
operations driven to the step limit (tests/security_corpus.py): at most 2.7 KB per step (a
string of non-Latin-1 characters turned into a list of 1-character strings, 32 new objects
per step) and about 3 us per step on a quiet moment, up to 8 us under that load (big-int
products just under the 2,048-bit fast-path limit of the compiled operators, charged only
their node). Random programs (3 minutes, 6,718 runs at 20,000 steps): at most 4.1 us per
step and 400 B per step among runs of 1,000 steps or more (comparing a cyclic list: a 1,000
deep recursion before the error), 1.4 us and 130 B among runs of 10,000 or more; a run of
fewer than 100 steps used at most 3.6 ms and 12 KB. A 10-minute run (seed 20261204, run
beside the test suite): 30,198 programs, 16,271 of them compiled and ran, no findings; worst
6.5 us and 1.1 KB per step (``a | b`` of two 100,000-element sets in a loop).

The constants sit above those worst cases: 10 us per step is about 3x the worst CPU cost
measured at a quiet moment and 1.25x the worst under that load; 6 KB per step about 2x the
worst memory. Timing noise then makes no findings, while an uncharged path (typically 100x
or more over: ``f(*l)`` in a loop before it was charged took 1 ms a step) still does. The
allowances cover a run's fixed cost (a thread, the globals, an error's traceback).
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import starlite
from tests.fuzz import MAX_STEPS, OPTIONS, generate, minimise, mutate, predeclared, seeds

CPU_PER_STEP = 10e-6  # seconds of CPU time per step
CPU_ALLOWANCE = 0.010
MEM_PER_STEP = 6 * 1024  # bytes of traced peak per step
MEM_ALLOWANCE = 256 * 1024


@dataclass
class Usage:
    steps: int
    cpu: float  # seconds of this thread's CPU time
    peak: int  # bytes: tracemalloc's peak during the run
    outcome: str  # "ok" or the error's class name

    def cpu_over(self) -> float:
        """CPU seconds beyond the bound (> 0 is a finding)."""
        return self.cpu - (CPU_PER_STEP * self.steps + CPU_ALLOWANCE)

    def mem_over(self) -> int:
        return self.peak - (MEM_PER_STEP * self.steps + MEM_ALLOWANCE)


def _run(prog: starlite.Program, max_steps: int, pre: dict[str, Any],
         traced: bool) -> tuple[int, float, int, str]:
    th = starlite.Thread(max_steps=max_steps, options=OPTIONS, print=lambda msg: None,
                         load=lambda module: {})
    outcome = "ok"
    if traced:
        tracemalloc.start()
    t0 = time.thread_time()
    try:
        prog.exec(th, pre)
    except starlite.StarlarkError as e:
        outcome = type(e).__name__
        del e
    cpu = time.thread_time() - t0
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return th.steps, cpu, peak, outcome


def usage(src: str, max_steps: int = MAX_STEPS, repeat: int = 1) -> Usage | None:
    """Measure ``src``: None if it does not compile. ``repeat`` > 1 keeps the least CPU time
    of that many runs (noise only ever adds)."""
    try:
        prog = starlite.compile("fuzz.star", src, predeclared=predeclared(), options=OPTIONS)
    except starlite.StarlarkError:
        return None
    pre = predeclared()
    gc.collect(0)
    gc.freeze()
    try:
        cpu = float("inf")
        for _ in range(repeat):
            steps, c, _, outcome = _run(prog, max_steps, pre, False)
            cpu = min(cpu, c)
        _, _, peak, _ = _run(prog, max_steps, pre, True)
    finally:
        gc.unfreeze()
    return Usage(steps, cpu, peak, outcome)


def check_resources(src: str, max_steps: int = MAX_STEPS) -> str | None:
    """None if ``src`` stays within the bounds (or does not compile), else the finding."""
    u = usage(src, max_steps)
    if u is None:
        return None
    if u.cpu_over() > 0:
        u = usage(src, max_steps, repeat=3)  # timing noise only adds: take the least
        if u is None:  # pragma: no cover - it compiled a moment ago
            return None
    if u.mem_over() > 0:
        return (f"memory: peak {u.peak / 1e6:.2f} MB for {u.steps} steps "
                f"({u.peak / max(u.steps, 1):.0f} B/step; bound {MEM_PER_STEP} B/step + "
                f"{MEM_ALLOWANCE} B), {u.outcome}")
    if u.cpu_over() > 0:
        return (f"cpu: {u.cpu * 1e3:.1f} ms for {u.steps} steps "
                f"({u.cpu / max(u.steps, 1) * 1e6:.2f} µs/step; bound {CPU_PER_STEP * 1e6:.1f} "
                f"µs/step + {CPU_ALLOWANCE * 1e3:.0f} ms), {u.outcome}")
    return None


@dataclass
class Worst:
    """The highest per-step ratio seen, among runs of at least ``min_steps`` steps."""

    min_steps: int
    ratio: float = 0.0
    src: str = ""
    usage: Usage | None = None

    def see(self, ratio: float, src: str, u: Usage) -> None:
        if u.steps >= self.min_steps and ratio > self.ratio:
            self.ratio, self.src, self.usage = ratio, src, u


def run(minutes: float, seed: int, max_steps: int, current: str) -> int:
    """The long run of ``python -m tests.fuzz --resources``; returns the exit status."""
    rnd = random.Random(seed)
    corpus = seeds()
    deadline = time.monotonic() + minutes * 60
    findings: dict[str, str] = {}
    cpu_worst, mem_worst = Worst(1000), Worst(1000)
    runs = measured = 0
    print(f"resource fuzzing for {minutes} minutes, seed {seed}, max_steps {max_steps}",
          flush=True)
    while time.monotonic() < deadline:
        runs += 1
        src = generate(rnd) if rnd.random() < 0.5 else mutate(rnd.choice(corpus), rnd)
        if current:
            Path(current).write_text(src, encoding="utf-8", errors="replace")
        u = usage(src, max_steps)
        if u is None:
            continue
        measured += 1
        cpu_worst.see(u.cpu / max(u.steps, 1), src, u)
        mem_worst.see(u.peak / max(u.steps, 1), src, u)
        if u.cpu_over() <= 0 and u.mem_over() <= 0:
            continue
        f = check_resources(src, max_steps)
        if f is None:
            continue
        key = f.split(":", 1)[0] + ":" + src[:60]
        if key in findings:
            continue
        small = minimise(src, f, max_steps, checker=check_resources)
        findings[key] = small
        print(f"\n=== finding {len(findings)} (run {runs}): {f}\n--- minimised source ---\n"
              f"{small}\n--- end ---", flush=True)
    print(f"\n{runs} programs ({measured} compiled and ran), {len(findings)} findings "
          f"(seed {seed})", flush=True)
    for name, w, unit in (("CPU", cpu_worst, "µs/step"), ("memory", mem_worst, "B/step")):
        if w.usage is not None:
            k = 1e6 if name == "CPU" else 1.0
            print(f"worst {name} among runs of >= {w.min_steps} steps: {w.ratio * k:.2f} {unit} "
                  f"({w.usage.steps} steps, {w.usage.cpu * 1e3:.1f} ms, "
                  f"{w.usage.peak / 1e6:.2f} MB, {w.usage.outcome})\n{w.src}", flush=True)
    if current:
        Path(current).unlink(missing_ok=True)
    return 1 if findings else 0
