"""The expression fast paths (displays as templates, `s += t` in place, str.format's quick
template, inline indexing and slicing, direct str methods, builtins called from the site)
change speed only: the chunks of ``displays_strings.star`` give the same result or error,
with the same whole backtrace and step count, with ``flat`` on and off; and a builtin's own
Python failure is reported at a direct call site as through ``call_builtin``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import starlite
from starlite.compile import flat
from starlite.compile.program import universe_for
from starlite.values.core import Builtin

from .differential import chunk_outcome, on_and_off
from .test_starlark_files import all_chunks

CHUNKS = [c for c in all_chunks() if c.path.name == "displays_strings.star"]


@pytest.mark.parametrize("chunk", CHUNKS, ids=[c.id for c in CHUNKS])
def test_chunk_backtraces_agree(chunk: Any) -> None:
    on, off = on_and_off(flat, lambda: chunk_outcome(chunk, backtraces=True))
    assert on == off


def _boom(th: Any, kind: str, /) -> Any:
    if kind == "value":
        raise ValueError("bad value")
    if kind == "recursion":
        raise RecursionError
    if kind == "starlark":
        raise starlite.EvalError("boom refused")
    return kind


@pytest.fixture
def boom() -> Iterator[None]:
    """A builtin of the interpreter's own kind (not a host's) in the universe."""
    universe = universe_for(starlite.Options())
    b = Builtin("boom", _boom)
    b.host = False
    universe["boom"] = b
    try:
        yield
    finally:
        del universe["boom"]


def _run(kind: str) -> tuple[Any, ...]:
    src = f'def f():\n    return boom("{kind}")\nx = f()\n'
    th = starlite.Thread(max_steps=10**6)
    try:
        g = starlite.exec_file(th, "b.star", src)
    except starlite.EvalError as e:
        return ("error", str(e), e.backtrace(), th.steps)
    return ("ok", g["x"], th.steps)


@pytest.mark.parametrize("kind,message", [
    ("value", "boom: ValueError: bad value"),
    ("recursion", "boom: maximum recursion depth exceeded"),
    ("starlark", "boom refused"),
    ("fine", None),
])
def test_builtin_failure_as_call_builtin_reports_it(boom: None, kind: str,
                                                    message: str | None) -> None:
    on, off = on_and_off(flat, lambda: _run(kind))
    assert on == off
    if message is None:
        assert on[:2] == ("ok", "fine")
    else:
        assert on[0] == "error" and message in on[1]
        assert "b.star:2:16" in on[2] and "in boom" in on[2]
