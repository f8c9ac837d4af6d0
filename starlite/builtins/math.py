"""The ``math`` module, like starlark-go's ``lib/math``.

Functions take ints or floats and follow Go's ``math`` package: out-of-domain arguments give
``nan`` and overflow gives ``±inf`` rather than errors (``math.sqrt(-1)`` is ``nan``,
``math.log(0)`` is ``-inf``). ``ceil`` and ``floor`` return ints; ``round`` rounds half away
from zero. Constants: ``e``, ``pi``, ``inf``, ``nan``.
"""

from __future__ import annotations

import math as _m
from collections.abc import Callable
from typing import Any

from ..errors import EvalError
from ..values.core import Builtin, Module, type_name
from .universe import float_to_int

_INF = _m.inf
_NAN = _m.nan


def _num(v: Any, fname: str = "", param: int = 1) -> float:
    t = type(v)
    if t is float:
        return v  # type: ignore[no-any-return]
    if t is int:
        try:
            return float(v)
        except OverflowError:
            raise EvalError(f"{fname}: int too large to convert to float") from None
    raise EvalError(f"{fname}: for parameter {param}: got {type_name(v)}, want float or int")


def _guard(fn: Callable[..., float], *xs: float) -> float:
    """Call a Python math function with Go's conventions: domain error -> nan,
    overflow -> inf (with the sign the exact result would have)."""
    try:
        return fn(*xs)
    except ValueError:
        return _NAN
    except OverflowError:
        return _INF


def _unary(name: str, fn: Callable[[float], float]) -> Builtin:
    def f(th: Any, x: Any, /) -> float:
        return fn(_num(x, name))

    f.__name__ = name
    return Builtin(name, f)


def _binary(name: str, fn: Callable[[float, float], float]) -> Builtin:
    def f(th: Any, x: Any, y: Any, /) -> float:
        return fn(_num(x, name), _num(y, name, 2))

    f.__name__ = name
    return Builtin(name, f)


def _sqrt(x: float) -> float:
    return _m.sqrt(x) if x >= 0 else _NAN


def _exp(x: float) -> float:
    return _guard(_m.exp, x)


def _log1(x: float) -> float:
    if x != x:
        return x
    if x == 0:
        return -_INF
    if x < 0:
        return _NAN
    return _m.log(x)


def _pow(x: float, y: float) -> float:
    try:
        return _m.pow(x, y)
    except ValueError:
        if x == 0 and y < 0:  # Go: ±Inf, negative only for -0 and an odd integer power
            return _m.copysign(_INF, x) if _odd(y) else _INF
        return _NAN
    except OverflowError:
        return -_INF if x < 0 and _odd(y) else _INF


def _odd(y: float) -> bool:
    return _m.isfinite(y) and y == int(y) and int(y) % 2 == 1


def _mod(x: float, y: float) -> float:
    return _guard(_m.fmod, x, y)


def _remainder(x: float, y: float) -> float:
    return _guard(_m.remainder, x, y)


def _round(x: float) -> float:
    if x != x or x in (_INF, -_INF):
        return x
    t = float(_m.trunc(x))
    if abs(x - t) >= 0.5:
        t += _m.copysign(1.0, x)
    return _m.copysign(t, x)


def _acosh(x: float) -> float:
    return _guard(_m.acosh, x)


def _atanh(x: float) -> float:
    if x == 1:
        return _INF
    if x == -1:
        return -_INF
    return _guard(_m.atanh, x)


def _trig(fn: Callable[[float], float]) -> Callable[[float], float]:
    return lambda x: _guard(fn, x)


def _sinh(x: float) -> float:
    try:
        return _m.sinh(x)
    except OverflowError:
        return _m.copysign(_INF, x)


def _cosh(x: float) -> float:
    return _guard(_m.cosh, x)


def _gamma(x: float) -> float:
    if x == 0:
        return _m.copysign(_INF, x)
    if x == -_INF:
        return _NAN
    try:
        return _m.gamma(x)
    except ValueError:
        return _NAN
    except OverflowError:
        return _INF


def _degrees(x: float) -> float:
    return 360 * x / (2 * _m.pi)


def _radians(x: float) -> float:
    return 2 * _m.pi * x / 360


def math_log(th: Any, x: Any, base: Any = _m.e, /) -> float:
    fx = _num(x, "log")
    fb = _num(base, "log", 2)
    if fb == 1:
        raise EvalError("division by zero")
    return _log1(fx) / _log1(fb)


def math_ceil(th: Any, x: Any, /) -> int:
    if type(x) is int:
        return x  # type: ignore[no-any-return]
    if type(x) is float:
        return _m.ceil(x) if _m.isfinite(x) else float_to_int("", x)
    raise EvalError(f"got {type_name(x)}, want float or int")


def math_floor(th: Any, x: Any, /) -> int:
    if type(x) is int:
        return x  # type: ignore[no-any-return]
    if type(x) is float:
        return _m.floor(x) if _m.isfinite(x) else float_to_int("", x)
    raise EvalError(f"got {type_name(x)}, want float or int")


math_module = Module(
    "math",
    ceil=Builtin("ceil", math_ceil),
    copysign=_binary("copysign", _m.copysign),
    fabs=_unary("fabs", _m.fabs),
    floor=Builtin("floor", math_floor),
    mod=_binary("mod", _mod),
    pow=_binary("pow", _pow),
    remainder=_binary("remainder", _remainder),
    round=_unary("round", _round),
    exp=_unary("exp", _exp),
    sqrt=_unary("sqrt", _sqrt),
    acos=_unary("acos", _trig(_m.acos)),
    asin=_unary("asin", _trig(_m.asin)),
    atan=_unary("atan", _m.atan),
    atan2=_binary("atan2", _m.atan2),
    cos=_unary("cos", _trig(_m.cos)),
    hypot=_binary("hypot", _m.hypot),
    sin=_unary("sin", _trig(_m.sin)),
    tan=_unary("tan", _trig(_m.tan)),
    degrees=_unary("degrees", _degrees),
    radians=_unary("radians", _radians),
    acosh=_unary("acosh", _acosh),
    asinh=_unary("asinh", _m.asinh),
    atanh=_unary("atanh", _atanh),
    cosh=_unary("cosh", _cosh),
    sinh=_unary("sinh", _sinh),
    tanh=_unary("tanh", _m.tanh),
    log=Builtin("log", math_log),
    gamma=_unary("gamma", _gamma),
    e=_m.e,
    pi=_m.pi,
    inf=_INF,
    nan=_NAN,
)

__all__ = ["math_module"]
