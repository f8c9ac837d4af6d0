"""Closures for binary operators, specialised by operator and by operand shape.

Each operand is read one of three ways: from a local slot known to be assigned (``fr[i]``), as
a constant, or by calling the operand's closure. For every (operator, left shape, right shape)
the factory below builds — once per process, from a template — a function that makes the
closure; a program's compilation only calls those factories. The closure tries the operator's
fast path (``int + int`` with a result of modest size, ``str < str`` ...) inline and falls back
to ``starlite.values.arith.binary`` for everything else, which also charges steps for large
results.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import EvalError, Position
from ..values.arith import ELEMS_PER_STEP, binary, inplace
from ..values.ops import equal
from . import flat
from .percent import constant_format
from .shapes import make, template

# Ints below this magnitude take the inline fast path; beyond it the general path charges
# steps in proportion to their size. (The negative bounds are separate constants: `-M` in a
# closure would build a 4096-bit int on every evaluation.)
M = 1 << 4096
M2 = 1 << 2048
# Operands of & | ^ below this take the fast path (the general path charges 1 step per 4,096
# bits of the larger operand, so none for these).
H = 1 << 4095


def slow(th: Any, op: str, a: Any, b: Any, pos: Position) -> Any:
    try:
        return binary(th, op, a, b)
    except EvalError as e:
        e._at(pos)
        raise


def charge_at(th: Any, k: int, pos: Position) -> None:
    try:
        th.charge(k)
    except EvalError as e:
        e._at(pos)
        raise


def slow_inplace(th: Any, op: str, a: Any, b: Any, pos: Position) -> Any:
    try:
        return inplace(th, op, a, b)
    except EvalError as e:
        e._at(pos)
        raise


# Fast paths per operator. `a`, `b` are the operands; INT_A / INT_B are the type tests, which
# are dropped when the operand is a constant int.
_FAST: dict[str, str] = {
    "+": """
        if {ints}:
            r = a + b
            if MN < r < M:
                return r
        elif type(a) is str and type(b) is str and len(a) < 4096 and len(b) < 4096:
            return a + b""",
    "-": """
        if {ints}:
            r = a - b
            if MN < r < M:
                return r""",
    "*": """
        if {ints} and M2N < a < M2 and M2N < b < M2:
            return a * b""",
    "//": """
        if {ints} and b and MN < a < M:
            return a // b""",
    "%": """
        if {ints} and b and MN < a < M:
            return a % b
        if type(a) is str:
            r = fast_percent(a, b)
            if r is not None:
                return r""",
    "<": """
        if {ints} or (type(a) is str and type(b) is str):
            return a < b""",
    "<=": """
        if {ints} or (type(a) is str and type(b) is str):
            return a <= b""",
    ">": """
        if {ints} or (type(a) is str and type(b) is str):
            return a > b""",
    ">=": """
        if {ints} or (type(a) is str and type(b) is str):
            return a >= b""",
    "==": """
        ta = type(a)
        if ta is type(b):
            if ta is int or ta is str or ta is bool or a is None:
                return a == b
        elif a is None or b is None:
            return False
        return equal(a, b, 0, fr[0])""",
    "!=": """
        ta = type(a)
        if ta is type(b):
            if ta is int or ta is str or ta is bool or a is None:
                return a != b
        elif a is None or b is None:
            return True
        return not equal(a, b, 0, fr[0])""",
    "&": """
        if {ints} and HN < a < H and HN < b < H:
            return a & b""",
    "|": """
        if {ints} and HN < a < H and HN < b < H:
            return a | b""",
    "^": """
        if {ints} and HN < a < H and HN < b < H:
            return a ^ b""",
    "in": """
        if type(b) is Dict and (type(a) is str or type(a) is int):
            return a in b
        if type(b) is str and type(a) is str and len(a) + len(b) < 64:
            return a in b""",
    "not in": """
        if type(b) is Dict and (type(a) is str or type(a) is int):
            return a not in b
        if type(b) is str and type(a) is str and len(a) + len(b) < 64:
            return a not in b""",
}

# `s += t` where `s` is a local (the statement's target slot STORE is the left operand's):
# the slot lets go of the string before the concatenation, so that CPython can append in
# place when nothing else holds it (its `s += t` optimisation for a local followed by a store
# to it), instead of copying `s` each time (a loop building a string is then linear, not
# quadratic). Steps as `inplace` charges them: nothing below the sizes of the fast path, else
# one per ELEMS_PER_STEP characters of the result.
_STR_ADD = """
        elif type(a) is str and type(b) is str and len(a) < 4096 and len(b) < 4096:
            return a + b"""
_GROW = """
        elif type(a) is str and type(b) is str:
            if len(a) >= 4096 or len(b) >= 4096:
                charge_at(fr[0], (len(a) + len(b)) // ELEMS_PER_STEP, POS)
            fr[STORE] = None
            a += b
            return a"""


# Float fast paths: the general path's results (``arith``: an int operand is converted with
# ``to_float``, exact below 2**53; ordering treats NaN specially, so only non-NaN floats).
_FLOAT_ARITH = """
        if type(a) is float:
            if type(b) is float or (type(b) is int and F53N < b < F53):
                return a OP b
        elif type(b) is float and type(a) is int and F53N < a < F53:
            return a OP b"""
_FLOAT_CMP = """
        if type(a) is float and type(b) is float and a == a and b == b:
            return a OP b"""
_FLOAT: dict[str, str] = {
    "+": _FLOAT_ARITH, "-": _FLOAT_ARITH, "*": _FLOAT_ARITH,
    "/": """
        if (type(a) is float or (type(a) is int and F53N < a < F53)) and (
                type(b) is float or (type(b) is int and F53N < b < F53)) and b:
            return a / b""",
    "<": _FLOAT_CMP, "<=": _FLOAT_CMP, ">": _FLOAT_CMP, ">=": _FLOAT_CMP,
}


def make_binary(
    op: str, x: tuple[str, Any], y: tuple[str, Any], pos: Position, store: int = -1,
    aug: bool = False, store_global: bool = False,
) -> Callable[[list[Any]], Any]:
    """``x``/``y`` are operand shapes (see ``shapes``). An operand known to be an int (an int
    constant, an ``I`` local) needs no type test; one known to be an int64 needs no size
    guard, and the sum or difference of two such needs no result check.

    ``aug=True`` makes the statement ``x op= y`` (with ``store``, the slot of ``x``; a global
    slot with ``store_global``): the same fast paths, and ``inplace`` (lists extend, dicts
    update in place) instead of ``binary`` for the rest."""
    kx, vx = x
    ky, vy = y
    if op == "%" and kx == "C" and type(vx) is str and not aug:
        f = constant_format(vx, y, pos, store)
        if f is not None:
            return f
    ix = kx == "I" or (kx == "C" and type(vx) is int)
    iy = ky == "I" or (ky == "C" and type(vy) is int)
    sx = kx == "I" or (ix and -I64 <= vx < I64)
    sy = ky == "I" or (iy and -I64 <= vy < I64)
    conds = []
    if not ix:
        conds.append("type(a) is int")
    if not iy:
        conds.append("type(b) is int")
    ints = " and ".join(conds) if conds else "True"
    fast = _FAST.get(op, "").replace("{ints}", f"({ints})")
    floats = flat.ENABLED and not (ix and iy) and op in _FLOAT
    grow = aug and op == "+" and kx == "L" and vx == store and not store_global
    if grow:  # `s += t` on a local: appended in place (see `_GROW`)
        fast = fast.replace(_STR_ADD, _GROW)
    if floats:  # floats (and ints exactly representable as floats) after the int paths
        fast += _FLOAT[op].replace("OP", op)
    if sx:
        fast = fast.replace(" and M2N < a < M2", "").replace(" and MN < a < M", "")
        fast = fast.replace(" and HN < a < H", "")
    if sy:
        fast = fast.replace(" and M2N < b < M2", "").replace(" and HN < b < H", "")
    if sx and sy:
        fast = _CHECKED_RESULT.sub(r"\1return a \2 b", fast)
    src = "        {READ0}\n        {READ1}" + fast.replace("{", "{{").replace("}", "}}") + (
        f"\n        return {'slow_inplace' if aug else 'slow'}(fr[0], OP, a, b, POS)"
    )
    flags = "".join(str(int(c)) for c in (ix, iy, sx, sy)) + ("f" if floats else "") + (
        "g" if grow else "")
    factory = template(("aug_" if aug else "binop_") + _NAMES[op] + flags, src, (kx, ky), _ENV,
                       "POS, OP", ("a", "b"), store >= 0, store_global=store_global)
    if store >= 0:
        return make(factory, vx, vy, pos, op, store)
    return make(factory, vx, vy, pos, op)


# `r = a + b` / `if MN < r < M:` / `return r`, when the result cannot be large
_CHECKED_RESULT = re.compile(r"( +)r = a ([-+]) b\n +if MN < r < M:\n +return r")
I64 = 1 << 63


_NAMES = {
    "+": "add", "-": "sub", "*": "mul", "/": "div", "//": "floordiv", "%": "mod",
    "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne", "&": "and",
    "|": "or", "^": "xor", "<<": "lshift", ">>": "rshift", "in": "in", "not in": "not_in",
}


def _env() -> dict[str, Any]:
    from ..values.arith import _fast_percent
    from ..values.core import Dict

    return {"slow": slow, "slow_inplace": slow_inplace, "M": M, "M2": M2, "MN": -M,
            "M2N": -M2, "H": H, "HN": -H, "F53": 1 << 53, "F53N": -(1 << 53),
            "equal": equal, "Dict": Dict,
            "fast_percent": _fast_percent, "charge_at": charge_at,
            "ELEMS_PER_STEP": ELEMS_PER_STEP}


_ENV = _env()
