"""Property tests: generated and mutated programs only ever raise ``StarlarkError`` and stay
within their limits (steps, time), and their CPU time and memory stay within a constant times
their steps. Derandomized and bounded for CI; ``python -m tests.fuzz --minutes 10
[--resources]`` runs the same checks for as long as you like."""

from __future__ import annotations

import random
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import check, generate, minimise, mutate, seeds
from tests.resources import check_resources

SEEDS = seeds()

# starlite raises the recursion limit on its first run; do it up front so that hypothesis does
# not warn that the limit changed during a test.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))

CI = settings(
    max_examples=1200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@CI
@given(st.randoms(use_true_random=False))
def test_generated_programs(rnd: random.Random) -> None:
    src = generate(rnd)
    finding = check(src)
    assert finding is None, f"{finding}\n--- source ---\n{src}"


@settings(CI, max_examples=3000)
@given(st.sampled_from(SEEDS), st.randoms(use_true_random=False))
def test_mutated_seeds(seed: str, rnd: random.Random) -> None:
    src = mutate(seed, rnd)
    finding = check(src)
    assert finding is None, f"{finding}\n--- source ---\n{src}"


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    finding = check(data.decode("utf-8", errors="replace"))
    assert finding is None, finding


@pytest.mark.parametrize("i", range(8))
def test_heavily_mutated(i: int) -> None:
    """Many rounds of mutation on a few seeds (fixed seeds, so stable in CI)."""
    rnd = random.Random(1000 + i)
    for _ in range(25):
        src = mutate(rnd.choice(SEEDS), rnd, rounds=rnd.randint(5, 30))
        finding = check(src)
        assert finding is None, f"{finding}\n--- source ---\n{src}"


@settings(CI, max_examples=60)
@given(st.randoms(use_true_random=False))
def test_resources_bounded_by_steps(rnd: random.Random) -> None:
    """CPU time and traced memory of a run stay under a constant times its steps (plus a small
    allowance); a violation is minimised before it is reported. See tests/resources.py."""
    src = generate(rnd) if rnd.random() < 0.5 else mutate(rnd.choice(SEEDS), rnd)
    finding = check_resources(src)
    if finding is not None:
        small = minimise(src, finding, budget=20.0, checker=check_resources)
        pytest.fail(f"{finding}\n--- minimised source ---\n{small}")


def test_resource_check_catches_an_uncharged_allocation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The property fails for a builtin that allocates without charging (so it can fail), and
    the minimiser keeps only what makes it fail."""
    import starlite
    import tests.resources as res

    hog = starlite.Builtin("hog", lambda thread: len(bytearray(8 * res.MEM_ALLOWANCE)))
    base = res.predeclared
    monkeypatch.setattr(res, "predeclared", lambda: {**base(), "hog": hog})
    src = "x = 1\ny = [x] * 3\nhog()\nz = y + y\n"
    finding = check_resources(src)
    assert finding is not None and finding.startswith("memory:"), finding
    small = minimise(src, finding, budget=10.0, checker=check_resources)
    assert small.strip() == "hog()"
    assert check_resources("x = 1\ny = [x] * 3\nz = y + y\n") is None
