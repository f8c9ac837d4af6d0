"""The universe: Starlark's built-in functions (``len``, ``range``, ``sorted`` ...).

Each function takes the thread first; the rest of its Python signature *is* its Starlark
signature (``/`` marks positional-only parameters, as in starlark-go). Semantics and error
messages follow starlark-go's ``starlark/library.go``, with strings as sequences of Unicode
code points.

Builtins that build or scan data proportional to their input charge steps first (see
:mod:`starlite.builtins.common`); the ones that call back into Starlark (``sorted``'s and
``min``'s ``key``) go through ``starlite.compile.calls.call_value``.
"""

from __future__ import annotations

import itertools
import math
import re
import sys
from typing import Any

from ..errors import EvalError
from ..values.collect import charged, range_len
from ..values.core import Dict, HostValue, List, Set, type_name
from ..values.keys import put_key
from ..values.ops import (
    attr_names,
    cmp,
    get_attr,
    iterate,
    length,
    truth,
)
from ..values.repr import (
    big_conversion_cost,
    encode_str,
    parse_decimal,
    repr_value,
    str_value,
)
from .common import (
    ELEMS_PER_STEP,
    LIMITS,
    MISSING,
    OBJ_ELEMS_PER_STEP,
    PY_ELEMS_PER_STEP,
    call,
    caller,
    charge,
    check_key,
    collect,
    is_iterable,
    mutation_error,
    new_set,
    param_error,
    want_bool,
    want_callable,
    want_int64,
    want_str,
)


def abs_(th: Any, x: Any, /) -> Any:
    t = type(x)
    if t is int:
        return -x if x < 0 else x
    if t is float:
        return math.fabs(x)
    raise EvalError(f"got {type_name(x)}, want int or float")


def all_(th: Any, x: Any, /) -> bool:
    it = _iter_arg(th, x, "all")
    try:
        for v in it:
            if not truth(v):
                return False
        return True
    finally:
        it.close()


def any_(th: Any, x: Any, /) -> bool:
    it = _iter_arg(th, x, "any")
    try:
        for v in it:
            if truth(v):
                return True
        return False
    finally:
        it.close()


def _iter_arg(th: Any, x: Any, fname: str, param: int | str = 1,
              per: int = PY_ELEMS_PER_STEP) -> Any:
    """A generator over argument ``x`` (for builtins that may stop early), charging 1 step per
    ``per`` elements as it goes and holding a list's/dict's/set's iteration guard; the caller
    must ``close()`` it."""
    t = type(x)
    if t is List or t is Dict or t is Set:
        return _guarded_charged(th, x, per)
    if t is tuple or t is range:
        return charged(th, iter(x), per)
    if isinstance(x, HostValue):
        it = x.iterate()
        if it is not None:
            return charged(th, it, per)
    raise param_error(fname, param, x, "iterable")


def _guarded_charged(th: Any, x: Any, per: int) -> Any:
    x.guard += 1
    try:
        yield from charged(th, iter(iterate(x)), per)
    finally:
        x.guard -= 1


def bool_(th: Any, x: Any = False, /) -> bool:
    return truth(x)


def bytes_(th: Any, x: Any, /) -> bytes:
    t = type(x)
    if t is bytes:
        return x  # type: ignore[no-any-return]
    if t is str:
        charge(th, len(x))
        return encode_str(x)
    if is_iterable(x):
        elems = collect(th, x, "bytes")
        charge(th, len(elems), 16)
        for i, e in enumerate(elems):
            if type(e) is not int:
                raise EvalError(f"bytes: at index {i}, got {type_name(e)}, want int")
            if not 0 <= e < 256:
                raise EvalError(
                    f"bytes: at index {i}, {e} out of range (want value in unsigned 8-bit range)"
                )
        return bytes(elems)
    raise EvalError(f"bytes: got {type_name(x)}, want string, bytes, or iterable of ints")


def chr_(th: Any, i: Any, /) -> str:
    if type(i) is not int:
        raise EvalError(f"chr: got {type_name(i)}, want int")
    if i < 0:
        raise EvalError(f"chr: Unicode code point {i} out of range (<0)")
    if i > 0x10FFFF:
        raise EvalError(f"chr: Unicode code point U+{i:X} out of range (>0x10FFFF)")
    if 0xD800 <= i <= 0xDFFF:
        return "\ufffd"  # a surrogate is not a character (Go gives U+FFFD too)
    return chr(i)


def dict_(th: Any, pairs: Any = MISSING, /, **kwargs: Any) -> Dict:
    d = Dict()
    update_dict(th, "dict", d, pairs, kwargs)
    return d


def update_dict(th: Any, fname: str, d: Dict, pairs: Any, kwargs: dict[str, Any]) -> None:
    """``dict(pairs, **kwargs)`` / ``d.update(pairs, **kwargs)``: insert a mapping's items or an
    iterable's key/value pairs, then the keyword arguments. Errors are ``fname: ...``."""
    if pairs is not MISSING:
        tp = type(pairs)
        if tp is Dict:
            if pairs:
                if d.guard:
                    raise mutation_error(fname, d, "insert into")
                charge(th, len(pairs), 16)
                d.update(pairs)
                d.boxed |= pairs.boxed
        else:
            if not is_iterable(pairs):
                raise EvalError(f"{fname}: got {type_name(pairs)}, want iterable")
            items = collect(th, pairs, fname)
            charge(th, len(items), OBJ_ELEMS_PER_STEP)
            for i, pair in enumerate(items):
                k, v = _pair(th, fname, i, pair)
                if d.guard:
                    raise mutation_error(fname, d, "insert into")
                d[put_key(d, k)] = v
    if kwargs:
        if d.guard:
            raise mutation_error(fname, d, "insert into")
        charge(th, len(kwargs))
        d.update(kwargs)


def _pair(th: Any, fname: str, i: int, pair: Any) -> tuple[Any, Any]:
    tp = type(pair)
    if tp is tuple or tp is List:
        if len(pair) != 2:
            raise EvalError(
                f"{fname}: dictionary update sequence element #{i} has length {len(pair)}, want 2"
            )
        k = pair[0]
        check_key(fname, k, th)
        return k, pair[1]
    if not is_iterable(pair):
        raise EvalError(
            f"{fname}: dictionary update sequence element #{i} is not iterable ({type_name(pair)})"
        )
    try:
        n = length(pair)
    except LIMITS:
        raise
    except EvalError:
        raise EvalError(
            f"{fname}: dictionary update sequence element #{i} has unknown length "
            f"({type_name(pair)})"
        ) from None
    if n != 2:
        raise EvalError(f"{fname}: dictionary update sequence element #{i} has length {n}, want 2")
    kv = list(itertools.islice(iterate(pair), 3))
    if len(kv) != 2:
        raise EvalError(
            f"{fname}: dictionary update sequence element #{i} has length {len(kv)}, want 2"
        )
    check_key(fname, kv[0], th)
    return kv[0], kv[1]


def dir_(th: Any, x: Any, /) -> List:
    return List(attr_names(x))


def enumerate_(th: Any, x: Any, /, start: Any = 0) -> List:
    start = want_int64("enumerate", "start", start)
    elems = collect(th, x, "enumerate")
    charge(th, len(elems), PY_ELEMS_PER_STEP)
    return List(zip(range(start, start + len(elems)), elems, strict=True))


def fail(th: Any, *args: Any, sep: Any = " ") -> Any:
    sep = want_str("fail", "sep", sep)
    parts = [str_value(a, th) if type(a) is not bytes else repr_value(a, th) for a in args]
    raise EvalError("fail: " + sep.join(parts))


def float_(th: Any, x: Any = MISSING, /) -> float:
    t = type(x)
    if x is MISSING:
        return 0.0
    if t is float:
        return x  # type: ignore[no-any-return]
    if t is bool:
        return 1.0 if x else 0.0
    if t is int:
        try:
            return float(x)
        except OverflowError:
            raise EvalError("int too large to convert to float") from None
    if t is str:
        return _parse_float(th, x)
    raise EvalError(f"float got {type_name(x)}, want number or string")


_SPECIAL_FLOATS = {
    "inf": math.inf,
    "+inf": math.inf,
    "-inf": -math.inf,
    "infinity": math.inf,
    "+infinity": math.inf,
    "-infinity": -math.inf,
    "nan": math.nan,
    "+nan": math.nan,
    "-nan": math.nan,
}
# Go's strconv.ParseFloat syntax (which starlark-go's float() uses): an optional sign, then a
# decimal mantissa with an optional e exponent, or 0x, a hexadecimal mantissa and a required
# p exponent (in binary, written in decimal); '_' may separate digits (and follow 0x).
_DEC = r"[0-9](?:_?[0-9])*"
_HEX = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_DEC_FLOAT_RE = re.compile(rf"[+-]?(?:{_DEC}(?:\.(?:{_DEC})?)?|\.{_DEC})(?:[eE][+-]?{_DEC})?")
_HEX_FLOAT_RE = re.compile(
    rf"[+-]?0[xX](?:_?{_HEX}(?:\.(?:{_HEX})?)?|\.{_HEX})[pP][+-]?{_DEC}"
)


def _parse_float(th: Any, s: str) -> float:
    """starlark-go's float(s): inf, infinity and nan (signed, any case), or what Go's
    ``strconv.ParseFloat`` accepts (see ``_DEC_FLOAT_RE`` and ``_HEX_FLOAT_RE``; no spaces, no
    non-ASCII digits), correctly rounded; a finite literal too large is an error."""
    if s == "":
        raise EvalError("float: empty string")
    sp = _SPECIAL_FLOATS.get(s.lower()) if len(s) <= 9 else None
    if sp is not None:
        return sp
    charge(th, len(s))
    try:
        if _DEC_FLOAT_RE.fullmatch(s):
            f = float(s.replace("_", ""))
        elif _HEX_FLOAT_RE.fullmatch(s):
            f = float.fromhex(s.replace("_", ""))
        else:
            raise EvalError(f"invalid float literal: {s}")
    except OverflowError:
        f = math.inf
    if math.isinf(f):
        raise EvalError("floating-point number too large")
    return f


def getattr_(th: Any, x: Any, name: Any, default: Any = MISSING, /) -> Any:
    name = want_str("getattr", 2, name)
    try:
        return get_attr(x, name)
    except LIMITS:
        raise
    except EvalError as e:
        if default is not MISSING:
            return default
        raise EvalError(f"getattr: {e.msg}") from None


def hasattr_(th: Any, x: Any, name: Any, /) -> bool:
    name = want_str("hasattr", 2, name)
    try:
        get_attr(x, name)
        return True
    except LIMITS:
        raise
    except EvalError:
        return name in attr_names(x)


def hash_(th: Any, x: Any, /) -> int:
    t = type(x)
    if t is str:
        return java_string_hash(th, x)
    if t is bytes:
        charge(th, len(x) * 4)
        h = 0x811C9DC5
        for b in x:
            h = ((h ^ b) * 16777619) & 0xFFFFFFFF
        return h
    raise EvalError(f"hash: got {type_name(x)}, want string or bytes")


def java_string_hash(th: Any, s: str) -> int:
    """``java.lang.String.hashCode``: over UTF-16 code units, as a signed 32-bit int."""
    if s.isascii():
        units: Any = s.encode("ascii")
    else:
        data = s.encode("utf-16-le", "surrogatepass")
        units = memoryview(data).cast("H")
        if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
            units = [data[i] | data[i + 1] << 8 for i in range(0, len(data), 2)]
    charge(th, len(units) * 4)
    h = 0
    for c in units:
        h = (31 * h + c) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def int_(th: Any, x: Any = MISSING, base: Any = MISSING) -> int:
    if x is MISSING:
        raise EvalError("int: missing argument for x")
    t = type(x)
    if t is str:
        b = 10
        if base is not MISSING:
            if type(base) is not int:
                raise EvalError(f"int: for base, got {type_name(base)}, want int")
            b = base
            if b != 0 and not 2 <= b <= 36:
                raise EvalError("int: base must be an integer >= 2 && <= 36")
        r = parse_int(th, x, b)
        if r is None:
            raise EvalError(f"int: invalid literal with base {b}: {x}")
        return r
    if base is not MISSING:
        raise EvalError("int: can't convert non-string with explicit base")
    if t is bool:
        return 1 if x else 0
    if t is int:
        return x  # type: ignore[no-any-return]
    if t is float:
        return float_to_int("int", x)
    raise EvalError(f"int: cannot convert {type_name(x)} to int")


def float_to_int(fname: str, f: float) -> int:
    if math.isinf(f):
        msg = "cannot convert float infinity to integer"
    elif f != f:
        msg = "cannot convert float NaN to integer"
    else:
        return int(f)
    raise EvalError(f"{fname}: {msg}" if fname else msg)


_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"
# base -> a regex matching the (ASCII) digits of that base
_DIGITS_RE = {
    b: re.compile(f"[{_ALNUM[:b]}{_ALNUM[10:b].upper()}]+", re.ASCII) for b in range(2, 37)
}


def parse_int(th: Any, s: str, base: int) -> int | None:
    """starlark-go's ``int(s, base)``: optional sign, optional ``0x``/``0o``/``0b`` prefix
    (with base 0 or the matching base), then digits only. Base 0 infers the base from the
    prefix and rejects a leading zero (``int("0755", 0)``). Returns None when invalid."""
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if len(s) > 1 and s[0] == "0":
        prefix = 0
        if len(s) > 2:
            prefix = {"o": 8, "O": 8, "x": 16, "X": 16, "b": 2, "B": 2}.get(s[1], 0)
        if prefix:
            if base == 0 or base == prefix:
                base = prefix
                s = s[2:]
        elif base == 0:
            return 0 if s.strip("0") == "" else None
    if base == 0:
        base = 10
    if not s or _DIGITS_RE[base].fullmatch(s) is None:
        return None
    if base & (base - 1) == 0:
        charge(th, len(s))
        n = int(s, base)  # power-of-two bases are linear and not digit-limited
    else:
        if len(s) > 3000:
            if th is not None:
                th.charge(big_conversion_cost(len(s)))
        else:
            charge(th, len(s))
        n = parse_decimal(s) if base == 10 else _parse_big(s, base)
    return -n if neg else n


def _parse_big(s: str, base: int) -> int:
    if len(s) <= 3000:
        return int(s, base)
    m = len(s) // 2
    return _parse_big(s[:m], base) * base ** (len(s) - m) + _parse_big(s[m:], base)


def len_(th: Any, x: Any, /) -> int:
    t = type(x)
    if t is str or t is List or t is tuple or t is Dict:
        return len(x)
    try:
        return length(x)
    except LIMITS:
        raise
    except EvalError as e:
        raise EvalError(f"len: {e.msg}") from None


def list_(th: Any, x: Any = MISSING, /) -> List:
    if x is MISSING:
        return List()
    return List(collect(th, x, "list"))


def max_(th: Any, *args: Any, key: Any = MISSING) -> Any:
    return _minmax(th, "max", args, key, 1)


def min_(th: Any, *args: Any, key: Any = MISSING) -> Any:
    return _minmax(th, "min", args, key, -1)


def _minmax(th: Any, fname: str, args: tuple[Any, ...], key: Any, sign: int) -> Any:
    if not args:
        raise EvalError(f"{fname} requires at least one positional argument")
    if key is not MISSING:
        want_callable(fname, "key", key)
    seq: Any = args
    if len(args) == 1:
        seq = args[0]
        if not is_iterable(seq):
            raise EvalError(f"{fname}: {type_name(seq)} value is not iterable")
    if key is MISSING and seq:
        ts = type(seq)
        if ts is range:  # the first or last element, by the sign of the step
            return seq[-1] if (sign > 0) == (seq.step > 0) else seq[0]
        if (ts is List or ts is tuple) and _natively_ordered(seq):
            charge(th, len(seq), 16)
            return max(seq) if sign > 0 else min(seq)  # the first of equal extremes, as Go
    it = _iter_arg(th, seq, fname, 1, OBJ_ELEMS_PER_STEP)  # a Starlark comparison each
    try:
        try:
            best = next(it)
        except StopIteration:
            raise EvalError(f"{fname}: argument is an empty sequence") from None
        best_key = best if key is MISSING else call(th, key, (best,))
        for x in it:
            k = x if key is MISSING else call(th, key, (x,))
            try:
                c = cmp(k, best_key, 0, "<", th)
            except LIMITS:
                raise
            except EvalError as e:
                raise EvalError(f"{fname}: {e.msg}") from None
            if c * sign > 0:
                best, best_key = x, k
        return best
    finally:
        it.close()


def ord_(th: Any, c: Any, /) -> int:
    t = type(c)
    if t is str:
        if len(c) != 1:
            raise EvalError(f"ord: string encodes {len(c)} Unicode code points, want 1")
        return ord(c)
    if t is bytes:
        if len(c) != 1:
            raise EvalError(f"ord: bytes has length {len(c)}, want 1")
        return c[0]  # type: ignore[no-any-return]
    raise EvalError(f"ord: got {type_name(c)}, want string or bytes")


def print_(th: Any, *args: Any, sep: Any = " ") -> None:
    sep = want_str("print", "sep", sep)
    th.print(sep.join([str_value(a, th) for a in args]))


def range_(th: Any, start_or_stop: Any, stop: Any = MISSING, step: Any = 1, /) -> range:
    if stop is MISSING and type(start_or_stop) is int and -_I64 <= start_or_stop < _I64:
        return range(start_or_stop)
    a = want_int64("range", 1, start_or_stop)
    if stop is MISSING:
        r = range(a)
    else:
        b = want_int64("range", 2, stop)
        s = want_int64("range", 3, step)
        if s == 0:
            raise EvalError("range: step argument must not be zero")
        r = range(a, b, s)
    range_len(r)
    return r


_I64 = 1 << 63


def repr_(th: Any, x: Any, /) -> str:
    return repr_value(x, th)


def reversed_(th: Any, x: Any, /) -> List:
    elems = collect(th, x, "reversed")
    elems.reverse()
    return List(elems)


def set_(th: Any, x: Any = MISSING, /) -> Set:
    if x is MISSING:
        return Set()
    elems = collect(th, x, "set")
    charge(th, len(elems), 16)
    return new_set("set", elems, th)


def sorted_(th: Any, iterable: Any, key: Any = MISSING, reverse: Any = False) -> List:
    elems = collect(th, iterable, "sorted", "iterable")
    if key is not MISSING:
        want_callable("sorted", "key", key)
    reverse = want_bool("sorted", "reverse", reverse)
    n = len(elems)
    if key is MISSING:
        sort_values(th, elems, reverse)
        return List(elems)
    call_value = caller()
    keys = [call_value(th, key, (e,)) for e in elems]
    order = list(range(n))
    native = _natively_ordered(keys)
    _charge_sort(th, n, native)
    if native or _tuples_natively_ordered(keys):
        order.sort(key=keys.__getitem__, reverse=reverse)
    else:
        err: list[EvalError] = []
        wrapped = [_Key(k, err, th) for k in keys]
        order.sort(key=wrapped.__getitem__, reverse=reverse)
        if err:
            raise err[-1]
    return List([elems[i] for i in order])


class _Key:
    """Sort key comparing by Starlark's order (deep comparisons charged to the thread). A
    failed comparison is recorded and treated as "not less", and the sort goes on; the caller
    raises the *last* error, as starlark-go's sort does (so messages name the same operands).
    Limits (step limit, timeout, cancellation) stop the sort at once."""

    __slots__ = ("v", "err", "th")

    def __init__(self, v: Any, err: list[EvalError], th: Any) -> None:
        self.v = v
        self.err = err
        self.th = th

    def __lt__(self, other: _Key) -> bool:
        try:
            return cmp(self.v, other.v, 0, "<", self.th) < 0
        except LIMITS:
            raise
        except EvalError as e:
            self.err.append(e)
            return False


_NUMBERS = frozenset({int, float})
_ORDERED_ALIKE = (frozenset({str}), frozenset({bool}), frozenset({int}), frozenset({float}),
                  _NUMBERS)


def _natively_ordered(xs: Any) -> bool:
    """All strings, or all ints and floats (no bools, no NaN): Python's own order is then
    Starlark's, and Python may sort or compare them itself."""
    if not xs:
        return True
    ts = set(map(type, xs))
    if len(ts) == 1 and str in ts:
        return True
    return ts <= _NUMBERS and not _has_nan(xs, ts)


def _has_nan(xs: Any, ts: set[type]) -> bool:
    if float not in ts:
        return False
    if len(ts) == 1:
        return any(map(math.isnan, xs))
    return any(x != x for x in xs)


class _Pad:
    """Fills the positions a shorter tuple lacks (see ``_tuples_natively_ordered``)."""


def _tuples_natively_ordered(xs: list[Any]) -> bool:
    """All tuples of fewer than ELEMS_PER_STEP elements, where each position holds the same
    kind of scalar in every tuple that has it: strings, bools, or ints and floats (no NaN).
    Python's tuple order is then Starlark's (no comparison can fail), and Starlark's
    comparison of such tuples charges no steps, so Python may sort them itself."""
    if not xs or set(map(type, xs)) != {tuple} or max(map(len, xs)) >= ELEMS_PER_STEP:
        return False
    for column in itertools.zip_longest(*xs, fillvalue=_PAD):
        ts = set(map(type, column))
        ts.discard(_Pad)
        if ts not in _ORDERED_ALIKE:
            return False
        if float in ts and _has_nan([v for v in column if v is not _PAD], ts):
            return False
    return True


_PAD = _Pad()


def _charge_sort(th: Any, n: int, native: bool) -> None:
    if n > 1:
        work = n * n.bit_length()  # comparisons
        charge(th, work, ELEMS_PER_STEP if native else OBJ_ELEMS_PER_STEP)


def sort_values(th: Any, xs: list[Any], reverse: bool = False) -> None:
    """Sort ``xs`` in place by Starlark's ordering (stable; errors for unordered values)."""
    native = _natively_ordered(xs)
    _charge_sort(th, len(xs), native)
    if native or _tuples_natively_ordered(xs):
        xs.sort(reverse=reverse)
        return
    err: list[EvalError] = []
    xs.sort(key=lambda v: _Key(v, err, th), reverse=reverse)
    if err:
        raise err[-1]


def str_(th: Any, x: Any, /) -> str:
    t = type(x)
    if t is str:
        return x  # type: ignore[no-any-return]
    if t is int and -_SMALL_INT < x < _SMALL_INT:
        return str(x)  # int_str's own fast case: no charge
    return str_value(x, th)


_SMALL_INT = 10**18


def tuple_(th: Any, x: Any = MISSING, /) -> tuple[Any, ...]:
    if x is MISSING:
        return ()
    if type(x) is tuple:
        return x  # type: ignore[no-any-return]
    return tuple(collect(th, x, "tuple"))


def type_(th: Any, x: Any, /) -> str:
    return type_name(x)


def zip_(th: Any, *args: Any) -> List:
    cols: list[list[Any]] = []
    for i, a in enumerate(args):
        if not is_iterable(a):
            raise EvalError(f"zip: argument #{i + 1} is not iterable: {type_name(a)}")
    for a in args:
        cols.append(collect(th, a, "zip"))
    if not cols:
        return List()
    charge(th, min(len(c) for c in cols) * (len(cols) + 1), PY_ELEMS_PER_STEP)
    return List(zip(*cols, strict=False))


# name -> function, in the spec's order
FUNCTIONS: dict[str, Any] = {
    "abs": abs_,
    "all": all_,
    "any": any_,
    "bool": bool_,
    "bytes": bytes_,
    "chr": chr_,
    "dict": dict_,
    "dir": dir_,
    "enumerate": enumerate_,
    "fail": fail,
    "float": float_,
    "getattr": getattr_,
    "hasattr": hasattr_,
    "hash": hash_,
    "int": int_,
    "len": len_,
    "list": list_,
    "max": max_,
    "min": min_,
    "ord": ord_,
    "print": print_,
    "range": range_,
    "repr": repr_,
    "reversed": reversed_,
    "set": set_,
    "sorted": sorted_,
    "str": str_,
    "tuple": tuple_,
    "type": type_,
    "zip": zip_,
}
