"""Shared pieces of the differential tests: a compiler technique behind a module-level
``ENABLED`` switch must change speed only, so a run with it on and a run with it off give the
same outcome (result or error, backtrace, step count)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import starlite
from starlite.compile import codegen

from .starlark_harness import freeze_builtin, make_assert_module, std_predeclared
from .test_starlark_files import Chunk, make_options, make_thread


def on_and_off(switch: ModuleType, run: Callable[[], Any]) -> tuple[Any, Any]:
    """``run()`` with ``switch.ENABLED`` on, then off (restored afterwards). For any switch
    but ``codegen``'s, both runs are made with generated function bodies off, so that the
    technique is compared where it runs: in the closure compiler's bodies (``codegen`` has
    its own comparison, tests/test_codegen.py)."""
    if switch is not codegen and codegen.ENABLED:
        codegen.ENABLED = False
        try:
            return on_and_off(switch, run)
        finally:
            codegen.ENABLED = True
    on = run()
    setattr(switch, "ENABLED", False)  # noqa: B010 - any module with the switch
    try:
        off = run()
    finally:
        setattr(switch, "ENABLED", True)  # noqa: B010
    return on, off


def chunk_outcome(chunk: Chunk, backtraces: bool = False) -> tuple[Any, ...]:
    """What running a ``.star`` test chunk gives: ``("ok", steps)`` or its error and steps;
    with ``backtraces`` an evaluation error is compared by its whole backtrace."""
    predeclared = std_predeclared()
    predeclared["freeze"] = starlite.Builtin("freeze", freeze_builtin)
    assert_module = make_assert_module()
    predeclared["assert"] = assert_module
    th = make_thread(make_options(chunk.options), predeclared, assert_module)
    try:
        starlite.exec_file(th, chunk.path.name, source=chunk.source, predeclared=predeclared)
    except starlite.EvalError as e:
        if backtraces:
            return ("error", e.backtrace(), th.steps)
        return ("error", type(e).__name__, str(e), th.steps)
    except starlite.StarlarkError as e:
        return ("error", type(e).__name__, str(e), th.steps)
    return ("ok", th.steps)
