"""Binary and unary operators on Starlark values (the general path).

``binary(th, op, x, y)`` implements every binary operator except ``and``/``or`` (short-circuit,
compiled inline) and the comparisons (see ``ops.compare``). Work that grows with the operands
(repetition, concatenation, big-int arithmetic) is charged to the thread in steps *before* the
result is allocated, so ``max_steps`` bounds time and memory (see README, "Step metering").
"""

from __future__ import annotations

import math
import operator
from typing import Any

from ..errors import EvalError
from .collect import elements
from .core import Dict, List, Set, Struct, check_mutable, type_name
from .ops import check_hashable, compare, contains, equal

# A string/list/bytes result of n elements costs n // ELEMS_PER_STEP steps.
ELEMS_PER_STEP = 64
# Big-int arithmetic costs (bits of the result) // BITS_PER_STEP steps.
BITS_PER_STEP = 4096
# Largest int that may be converted to float.
_MAX_FLOAT_INT = 2**1024
_INF = float("inf")
# Largest sequence a single repetition may build (starlark-go: "excessive repeat").
MAX_ALLOC = 1 << 30


def _charge_size(th: Any, n: int) -> None:
    if n >= ELEMS_PER_STEP:
        th.charge(n // ELEMS_PER_STEP)


def _charge_bits(th: Any, bits: int) -> None:
    if bits >= BITS_PER_STEP:
        th.charge(bits // BITS_PER_STEP)


# Multiplying and dividing big ints is superlinear in CPython. A product of an a-bit and a
# b-bit int (a >= b) is a/b Karatsuba products of b-bit halves, each growing as b ** 1.585, so
# beyond the linear charge it costs a * b ** 0.585 * _MUL_SCALE steps (8 for two 8 Kbit
# operands, 1,900 for two 256 Kbit ones, 54,000 for two 1 Mbit ones); dividing an a-bit int by
# a b-bit one (schoolbook) costs ((a - b) * b) >> 19 steps. Measured (CPython 3.11): products
# and quotients of 2 Kbit to 1 Mbit operands take 0.5-1.1 us per step so charged. (The former
# (a * b) >> 26 and >> 22 left 4 to 64 Kbit products at about 7 us a step, quotients at 6.)
_MUL_SCALE = 1.56e-5
_DIV_SHIFT = 19


def _charge_mul(th: Any, a: int, b: int) -> None:
    if a < b:
        a, b = b, a
    k = (a + b) // BITS_PER_STEP
    if b >= 512:
        k += int(a * b ** 0.585 * _MUL_SCALE)
    if k:
        th.charge(k)


def _charge_div(th: Any, a: int, b: int) -> None:
    k = a // BITS_PER_STEP + ((max(a - b, 0) * b) >> _DIV_SHIFT)
    if k:
        th.charge(k)


def to_float(x: int) -> float:
    try:
        return float(x)
    except OverflowError:
        raise EvalError("int too large to convert to float") from None


def _unknown(op: str, x: Any, y: Any) -> EvalError:
    return EvalError(f"unknown binary op: {type_name(x)} {op} {type_name(y)}")


def _op_add(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    xnum = tx is int or tx is float
    ynum = ty is int or ty is float
    if tx is int and ty is int:
        _charge_bits(th, max(x.bit_length(), y.bit_length()))
        return x + y
    if tx is float and ty is float:
        return x + y  # what _float_op computes
    if xnum and ynum:
        return _float_op("+", x, y)
    if tx is ty and (tx is str or tx is tuple or tx is bytes):
        _charge_size(th, len(x) + len(y))
        return x + y
    if tx is List and ty is List:
        _charge_size(th, len(x) + len(y))
        r = List(x)
        r.extend(y)
        return r
    if tx is Struct and ty is Struct:
        fields = dict(x.fields)
        fields.update(y.fields)
        return Struct(**fields)
    raise _unknown(op, x, y)


def _op_sub(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    xnum = tx is int or tx is float
    ynum = ty is int or ty is float
    if tx is int and ty is int:
        _charge_bits(th, max(x.bit_length(), y.bit_length()))
        return x - y
    if tx is float and ty is float:
        return x - y  # what _float_op computes
    if xnum and ynum:
        return _float_op("-", x, y)
    if tx is Set and ty is Set:
        _charge_size(th, len(x.d))
        yd = y.d
        return Set.of_keys({k: None for k in x.d if k not in yd}, x.boxed)
    raise _unknown(op, x, y)


def _op_mul(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    xnum = tx is int or tx is float
    ynum = ty is int or ty is float
    if tx is int and ty is int:
        _charge_mul(th, x.bit_length(), y.bit_length())
        return x * y
    if tx is float and ty is float:
        return x * y  # what _float_op computes
    if xnum and ynum:
        return _float_op("*", x, y)
    if ty is int and (tx is str or tx is bytes or tx is tuple or tx is List):
        return _repeat(th, x, y)
    if tx is int and (ty is str or ty is bytes or ty is tuple or ty is List):
        return _repeat(th, y, x)
    raise _unknown(op, x, y)


def _op_truediv(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    xnum = tx is int or tx is float
    ynum = ty is int or ty is float
    if xnum and ynum:
        fx = to_float(x) if tx is int else x
        fy = to_float(y) if ty is int else y
        if fy == 0.0:
            raise EvalError("floating-point division by zero")
        if tx is int and ty is int:
            # exact true division for big ints
            try:
                return x / y
            except OverflowError:
                raise EvalError("int too large to convert to float") from None
        return fx / fy
    raise _unknown(op, x, y)


def _op_floordiv(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    xnum = tx is int or tx is float
    ynum = ty is int or ty is float
    if tx is int and ty is int:
        if y == 0:
            raise EvalError("floored division by zero")
        _charge_div(th, x.bit_length(), y.bit_length())
        return x // y
    if xnum and ynum:
        fx = to_float(x) if tx is int else x
        fy = to_float(y) if ty is int else y
        if fy == 0.0:
            raise EvalError("floored division by zero")
        q = fx / fy  # floor(x / y), as starlark-go (keeps the sign of a zero quotient)
        if q != q or q == 0.0 or q in (_INF, -_INF):
            return q  # type: ignore[no-any-return]
        return float(math.floor(q))
    raise _unknown(op, x, y)


def _op_mod(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    xnum = tx is int or tx is float
    ynum = ty is int or ty is float
    if tx is int and ty is int:
        if y == 0:
            raise EvalError("integer modulo by zero")
        _charge_div(th, x.bit_length(), y.bit_length())
        return x % y
    if xnum and ynum:
        fx = to_float(x) if tx is int else x
        fy = to_float(y) if ty is int else y
        if fy == 0.0:
            raise EvalError("floating-point modulo by zero")
        return fx % fy  # type: ignore[no-any-return]  # floored: sign of the divisor
    if tx is str:
        r = _fast_percent(x, y)
        if r is not None:
            return r
        from ..builtins.format import percent_format

        return percent_format(th, x, y)
    if tx is bytes:
        raise _unknown(op, x, y)
    raise _unknown(op, x, y)


def _op_or(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    if tx is int and ty is int:
        _charge_bits(th, max(x.bit_length(), y.bit_length()))
        return x | y
    if tx is Dict and ty is Dict:
        _charge_size(th, len(x) + len(y))
        r = Dict(x)
        r.update(y)
        r.boxed |= y.boxed
        return r
    if tx is Set and ty is Set:
        _charge_size(th, len(x.d) + len(y.d))
        s = Set.of_keys(dict(x.d), x.boxed | y.boxed)
        s.d.update(y.d)
        return s
    raise _unknown(op, x, y)


def _op_and(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    if tx is int and ty is int:
        _charge_bits(th, max(x.bit_length(), y.bit_length()))
        return x & y
    if tx is Set and ty is Set:
        _charge_size(th, len(x.d))
        yd = y.d
        return Set.of_keys({k: None for k in x.d if k in yd}, x.boxed)
    raise _unknown(op, x, y)


def _op_xor(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    if tx is int and ty is int:
        _charge_bits(th, max(x.bit_length(), y.bit_length()))
        return x ^ y
    if tx is Set and ty is Set:
        _charge_size(th, len(x.d) + len(y.d))
        xd = x.d
        yd = y.d
        d = {k: None for k in xd if k not in yd}
        d.update((k, None) for k in yd if k not in xd)
        return Set.of_keys(d, x.boxed | y.boxed)
    raise _unknown(op, x, y)


def _op_lshift(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    if tx is int and ty is int:
        if y < 0:
            raise EvalError(f"negative shift count: {y}")
        if y >= 512:
            raise EvalError(f"shift count too large: {y}")
        _charge_bits(th, x.bit_length() + y)
        return x << y
    raise _unknown(op, x, y)


def _op_rshift(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    if tx is int and ty is int:
        if y < 0:
            raise EvalError(f"negative shift count: {y}")
        _charge_bits(th, x.bit_length())
        return x >> y
    raise _unknown(op, x, y)


def _op_eq(th: Any, op: str, x: Any, y: Any) -> Any:
    return equal(x, y, 0, th)


def _op_ne(th: Any, op: str, x: Any, y: Any) -> Any:
    return not equal(x, y, 0, th)


def _op_in(th: Any, op: str, x: Any, y: Any) -> Any:
    return contains(y, x, th)


def _op_not_in(th: Any, op: str, x: Any, y: Any) -> Any:
    return not contains(y, x, th)





# float/float or int/float ordering, when no operand is NaN: what compare() computes (NaN
# orders after every float in Starlark, unlike Python)
_ORDER_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _op_cmp(th: Any, op: str, x: Any, y: Any) -> Any:
    tx = type(x)
    ty = type(y)
    if ((tx is float and (ty is float or ty is int)) or (tx is int and ty is float)) \
            and x == x and y == y:
        return _ORDER_OPS[op](x, y)
    return compare(op, x, y, 0, th)


_BINARY: dict[str, Any] = {
    "+": _op_add,
    "-": _op_sub,
    "*": _op_mul,
    "/": _op_truediv,
    "//": _op_floordiv,
    "%": _op_mod,
    "|": _op_or,
    "&": _op_and,
    "^": _op_xor,
    "<<": _op_lshift,
    ">>": _op_rshift,
    "==": _op_eq,
    "!=": _op_ne,
    "in": _op_in,
    "not in": _op_not_in,
    "<": _op_cmp,
    "<=": _op_cmp,
    ">": _op_cmp,
    ">=": _op_cmp,
}


# float op float for + - *, and orderings when neither is NaN: what _op_add ... compute
_FLOAT_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}


def binary(th: Any, op: str, x: Any, y: Any) -> Any:
    """``x op y`` for every binary operator but ``and``/``or``."""
    if type(x) is float and type(y) is float:
        g = _FLOAT_OPS.get(op)
        if g is not None:
            return g(x, y)
        if x == x and y == y:
            g = _ORDER_OPS.get(op)
            if g is not None:
                return g(x, y)
    f = _BINARY.get(op)
    if f is None:
        raise _unknown(op, x, y)
    return f(th, op, x, y)


# Format strings whose only directives are %s and %d, split once into literal parts.
_PERCENT: dict[str, tuple[list[str], str] | None] = {}
_SMALL = 10**18
_NSMALL = -_SMALL


def _fast_percent(fmt: str, arg: Any) -> str | None:
    """``fmt % arg`` for the common case (``%s``/``%d`` of small ints and short strings), or
    None to take the general path. It only takes the cases for which ``percent_format``
    charges no steps (a short format, an output under 64 characters), so the count does not
    depend on which path ran (nor on how full the cache is)."""
    parsed = _PERCENT.get(fmt)
    if parsed is None:
        if fmt in _PERCENT or len(_PERCENT) > 4096 or len(fmt) > 512:
            return None
        pieces = fmt.split("%")
        convs = ""
        lits = [pieces[0]]
        for p in pieces[1:]:
            if not p or p[0] not in "sd":
                _PERCENT[fmt] = None
                return None
            convs += p[0]
            lits.append(p[1:])
        if len(fmt) >= 16 and len(convs) >= 2:
            _PERCENT[fmt] = None  # percent_format charges for the conversions
            return None
        parsed = _PERCENT[fmt] = (lits, convs)
    lits, convs = parsed
    if len(convs) == 1 and type(arg) is not tuple:
        ta = type(arg)
        if ta is int and _NSMALL < arg < _SMALL:
            r = lits[0] + str(arg) + lits[1]
            return r if len(r) < ELEMS_PER_STEP else None
        if ta is str and convs == "s" and len(arg) + len(fmt) < ELEMS_PER_STEP:
            return lits[0] + arg + lits[1]
        return None
    args = arg if type(arg) is tuple else (arg,)
    if len(args) != len(convs):
        return None
    out = [lits[0]]
    size = len(fmt)
    for c, a, lit in zip(convs, args, lits[1:]):
        ta = type(a)
        if ta is int and _NSMALL < a < _SMALL:
            out.append(str(a))
            size += 19  # at most
        elif ta is str and c == "s":
            out.append(a)
            size += len(a)
        else:
            return None
        out.append(lit)
    if size >= ELEMS_PER_STEP:
        return None  # maybe charged: the general path knows how much
    return "".join(out)


def _float_op(op: str, x: Any, y: Any) -> float:
    fx = to_float(x) if type(x) is int else x
    fy = to_float(y) if type(y) is int else y
    if op == "+":
        return fx + fy  # type: ignore[no-any-return]
    if op == "-":
        return fx - fy  # type: ignore[no-any-return]
    return fx * fy  # type: ignore[no-any-return]


def _repeat(th: Any, seq: Any, n: int) -> Any:
    if n <= 0 or not seq:
        return List() if type(seq) is List else seq[:0]
    if n >= 1 << 31:
        raise EvalError(f"repeat count {n} too large")
    size = len(seq) * n
    if size > MAX_ALLOC:
        raise EvalError(f"excessive repeat ({len(seq)} * {n} elements)")
    _charge_size(th, size)
    if type(seq) is List:
        return List(list.__mul__(seq, n))
    return seq * n


def unary(th: Any, op: str, x: Any) -> Any:
    t = type(x)
    if t is int:
        _charge_bits(th, x.bit_length())
    if op == "-":
        if t is int or t is float:
            return -x
    elif op == "+":
        if t is int or t is float:
            return +x
    elif op == "~":
        if t is int:
            return ~x
    raise EvalError(f"unknown unary op: {op} {type_name(x)}")


def inplace(th: Any, op: str, x: Any, y: Any) -> Any:
    """``x op= y``: lists extend in place for ``+=``; sets update in place for ``|= &= -= ^=``;
    dicts update in place for ``|=``; everything else is ``x = x op y``."""
    tx = type(x)
    if op != "+":
        pass
    elif type(y) is tx and tx is int:
        if _NSMALL < x < _SMALL and _NSMALL < y < _SMALL:
            return x + y  # _op_add's case, with nothing to charge
    elif type(y) is tx and tx is str:
        _charge_size(th, len(x) + len(y))
        return x + y
    elif tx is List:
        if x.guard:
            check_mutable(x, "apply += to")
        ty = type(y)
        if ty is List or ty is tuple:
            _charge_size(th, len(y))
            x.extend(y)
            return x
        items = elements(th, y)  # charged as list.extend's argument is
        if items is None:
            raise _unknown(op, x, y)
        x.extend(items)
        return x
    if tx is Dict and op == "|" and type(y) is Dict:
        if x.guard:
            check_mutable(x, "insert into")
        _charge_size(th, len(y))
        x.update(y)
        x.boxed |= y.boxed
        return x
    return binary(th, op, x, y)


__all__ = ["binary", "unary", "inplace", "to_float", "check_hashable"]
