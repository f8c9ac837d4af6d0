"""The pieces both Starlark test harnesses share: the ``assert`` module that chunks use, value
equality with starlark-go's float tolerance, and the optional modules to predeclare.

``tests/test_starlark_files.py`` (the pytest runner of ``tests/starlark/*.star``) raises on a
failed assertion; ``tests/conformance.py`` (starlark-go's testdata) records it and goes on,
like starlark-go's own ``assert.star``.
"""

from __future__ import annotations

import math as _pymath
import re
import struct as _pystruct
from collections.abc import Callable
from typing import Any

import starlite
from starlite.values import ops
from starlite.values.repr import repr_value


def _repr(v: Any) -> str:
    return str(repr_value(v))


def _str(v: Any) -> str:
    return v if isinstance(v, str) else _repr(v)


def _float_bits(f: float) -> int:
    return int(_pystruct.unpack("<q", _pystruct.pack("<d", f))[0])


def _floateq(x: float, y: float) -> bool:
    """Within 1 ULP, NaN equal to NaN (as starlark-go's assert module)."""
    if x == y:
        return True
    if _pymath.isnan(x) or _pymath.isnan(y):
        return _pymath.isnan(x) and _pymath.isnan(y)
    bx, by = _float_bits(x), _float_bits(y)
    return bx == by + 1 or by == bx + 1


def values_equal(x: Any, y: Any) -> bool:
    """Starlark equality, with floats equal within 1 ULP."""
    if ops.equal(x, y):
        return True
    if (type(x) is float and type(y) in (int, float)) or (
        type(y) is float and type(x) in (int, float)
    ):
        try:
            return _floateq(float(x), float(y))
        except OverflowError:
            return False
    return False


def make_assert_module(report: Callable[[str], None] | None = None) -> Any:
    """The ``assert`` module. ``report`` (conformance mode) records failures without raising,
    like starlark-go's ``error()``; otherwise failures raise ``starlite.EvalError``."""

    def fail(thread: Any, msg: str) -> None:
        if report is not None:
            report(msg)
            return
        raise starlite.EvalError(msg)

    def _eq(thread: Any, x: Any, y: Any, /) -> None:
        if not values_equal(x, y):
            fail(thread, f"assert.eq: {_repr(x)} != {_repr(y)}")

    def _ne(thread: Any, x: Any, y: Any, /) -> None:
        if ops.equal(x, y):
            fail(thread, f"assert.ne: {_repr(x)} == {_repr(y)}")

    def _true(thread: Any, cond: Any, msg: Any = "assertion failed", /) -> None:
        if not ops.truth(cond):
            fail(thread, f"assert.true: {_str(msg)} (got {_repr(cond)})")

    def _lt(thread: Any, x: Any, y: Any, /) -> None:
        if not ops.compare("<", x, y):
            fail(thread, f"assert.lt: {_repr(x)} is not less than {_repr(y)}")

    def _contains(thread: Any, container: Any, x: Any, /) -> None:
        if not ops.contains(container, x):
            fail(thread, f"assert.contains: {_repr(container)} does not contain {_repr(x)}")

    def _fails(thread: Any, fn: Any, pattern: str, /) -> None:
        try:
            starlite.call(thread, fn)
        except starlite.StarlarkError as e:
            msg = getattr(e, "msg", None) or str(e)
            try:
                ok = re.search(pattern, msg) is not None
            except re.error as rx:
                fail(thread, f"assert.fails: bad regular expression {pattern!r}: {rx}")
                return
            if not ok:
                fail(thread, f"assert.fails: regular expression ({pattern}) did not match "
                             f"error ({msg})")
            return
        fail(thread, f"assert.fails: evaluation succeeded unexpectedly "
                     f"(want error matching {_repr(pattern)})")

    def _fail(thread: Any, msg: Any, /) -> None:
        fail(thread, _str(msg))

    B = starlite.Builtin
    return starlite.Module(
        "assert",
        eq=B("eq", _eq),
        ne=B("ne", _ne),
        true=B("true", _true),
        lt=B("lt", _lt),
        contains=B("contains", _contains),
        fails=B("fails", _fails),
        fail=B("fail", _fail),
    )


def freeze_builtin(thread: Any, x: Any, /) -> Any:
    """``freeze(x)``: what starlark-go's test harness predeclares."""
    starlite.freeze(x)
    return x


def std_predeclared() -> dict[str, Any]:
    """``struct``, ``module``, ``json`` and ``math``, as hosts predeclare them."""
    from starlite.builtins import json_module, math_module, module_builtin, struct_builtin

    return {"struct": struct_builtin, "module": module_builtin, "json": json_module,
            "math": math_module}
