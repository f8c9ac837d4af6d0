"""Root pytest configuration.

The ordinary test run (`python -m pytest`) runs each benchmark once as a smoke test
(`--benchmark-disable` in pyproject.toml's addopts). Asking for benchmarks explicitly
(`python -m pytest benchmarks --benchmark-only`) turns them back on.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    opt = config.option
    if getattr(opt, "benchmark_only", False) or getattr(opt, "benchmark_save", None) or getattr(
        opt, "benchmark_autosave", False
    ):
        opt.benchmark_disable = False
