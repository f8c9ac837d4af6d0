"""Calls of the universe's builtins, straight from the call site.

``range(n)``, ``sorted(xs)``, ``min(a, b)``: the callee is a constant (a name of the universe,
see ``shapes``), so what ``values.args.call_builtin`` decides on every call is known when the
site is compiled: the argument count is one the builtin's signature accepts, it has no
receiver and its result needs no conversion (not a host's builtin). The site then calls the
builtin's Python function itself, with its arguments read by shape; a failure becomes the
same error, with the same frames, as through ``call_builtin``
(:func:`builtin_failed`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

from ..errors import EvalError, Position, StarlarkError
from ..values.args import _describe, signature
from ..values.core import Builtin
from . import flat
from .shapes import make, template

_SRC = """
        try:
            return FN(fr[0], {ARGS})
        except Exception as e:
            builtin_failed(e, NAME, POS)"""


def builtin_failed(exc: Exception, name: str, pos: Position) -> NoReturn:
    """Raise what a call of builtin ``name`` that raised ``exc`` raises at ``pos`` (as
    ``call_builtin`` and the call template's builtin path do)."""
    if isinstance(exc, StarlarkError):
        if isinstance(exc, EvalError):
            exc._leave(name, None)
            exc._at(pos)
        raise exc
    if isinstance(exc, RecursionError):
        err = EvalError(f"{name}: maximum recursion depth exceeded")
    elif isinstance(exc, MemoryError):
        err = EvalError(f"{name}: out of memory")
    else:
        err = EvalError(f"{name}: {_describe(exc)}")
    err._leave(name, None)
    err._at(pos)
    raise err from exc


@functools.cache
def _src(n: int, fast: str) -> str:
    reads = "\n".join("        {READ" + str(i) + "}" for i in range(n))
    return reads + fast + _SRC.replace("{ARGS}", "".join(f"x{i}, " for i in range(n)))


def direct_call(f: Any, shapes: list[tuple[str, Any]], pos: Position, fast: str,
                env: dict[str, Any], store: int, discard: bool
                ) -> Callable[[list[Any]], Any] | None:
    """The call of constant callee ``f`` with positional arguments of ``shapes`` as a
    template calling its function directly, or None when ``f`` is not such a builtin.
    ``fast``: lines tried first (``methods.direct_builtin``), with their names in ``env``."""
    if not flat.ENABLED or type(f) is not Builtin or f.recv is not None or f.host:
        return None
    n = len(shapes)
    sig = signature(f)
    if not sig.nmin <= n <= sig.nmax:
        return None
    name = f"bcall{n}" + ("_" + f.name if fast else "")
    factory = template(name, _src(n, fast.replace("{", "{{").replace("}", "}}")),
                       tuple(k for k, _ in shapes),
                       {**env, "builtin_failed": builtin_failed}, "FN, NAME, POS",
                       tuple(f"x{i}" for i in range(n)), store >= 0, discard)
    values = [v for _, v in shapes]
    if store >= 0:
        return make(factory, *values, f.fn, f.name, pos, store)
    return make(factory, *values, f.fn, f.name, pos)

