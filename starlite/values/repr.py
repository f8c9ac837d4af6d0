"""How Starlark values print: ``repr(x)`` and ``str(x)``.

The formats are starlark-go's:

=============  ==============================================================================
string         ``"a\\"b\\n"``: double quotes, Go-style escapes for non-printable code points
               (``\\x7f``, ``\\u200d``, ``\\U0001f600``), printable Unicode as is
bytes          ``b"..."``: valid UTF-8 shown as text, other bytes as ``\\xff``
float          shortest text that reads back the same, Go's ``%g`` style (``1.0``, ``1e+20``,
               ``1.5e-07``, ``123456.0``, ``1.23456789e+08``), ``+inf``, ``-inf``, ``nan``
int            decimal, of any size (no CPython digit limit)
list, tuple    ``[1, 2]``, ``(1,)``; a list or dict inside itself prints as ``[...]`` / ``{...}``
dict, set      ``{"a": 1}``, ``set([1, 2])``
range          ``range(10)``, ``range(1, 10)``, ``range(0, 10, 2)``
struct         ``struct(a = 1, b = "x")`` (fields sorted by name)
module         ``<module "math">``
function       ``<function f>``, ``<built-in function len>``,
               ``<built-in method append of list value>``
=============  ==============================================================================

The printer walks the value with an explicit stack, so nesting depth never causes a Python
``RecursionError``. Given a thread it charges one step per 64 characters of output as it goes,
so printing a huge value stops at the step limit before the text is built.
"""

from __future__ import annotations

import decimal
import math
from typing import Any

from ..errors import EvalError, StarlarkError
from .core import Builtin, Dict, HostValue, List, Module, Set, Struct, type_name
from .keys import items_out, keys_out

_CHARS_PER_STEP = 64
# Printing one value inside a container costs about as much as 48 characters of output.
_VALUE_COST = 48
# Check the step budget every this many characters of output.
_CHECK_EVERY = 4096

# ---------------------------------------------------------------------------------------------
# Strings and bytes

_NAMED_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def _escape_char(c: str) -> str:
    e = _NAMED_ESCAPES.get(c)
    if e is not None:
        return e
    if c.isprintable():
        return c
    o = ord(c)
    if o < 0x20 or o == 0x7F:
        return f"\\x{o:02x}"
    if o < 0x10000:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def quote(s: str) -> str:
    """A string as a Starlark string literal, escaped like starlark-go's ``syntax.Quote``."""
    if s.isprintable():
        if '"' in s or "\\" in s:
            s = s.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + s + '"'
    return '"' + "".join([_escape_char(c) for c in s]) + '"'


def quote_bytes(b: bytes) -> str:
    """A bytes value as a literal ``b"..."``: valid UTF-8 text is shown as text (escaped like a
    string), each byte that is not part of valid UTF-8 as ``\\xNN``."""
    s = b.decode("utf-8", "surrogateescape")
    if s.isprintable():
        if '"' in s or "\\" in s:
            s = s.replace("\\", "\\\\").replace('"', '\\"')
        return 'b"' + s + '"'
    out = []
    for c in s:
        o = ord(c)
        if 0xDC80 <= o <= 0xDCFF:  # an undecodable byte, from surrogateescape
            out.append(f"\\x{o - 0xDC00:02x}")
        else:
            out.append(_escape_char(c))
    return 'b"' + "".join(out) + '"'


def decode_bytes(b: bytes) -> str:
    """UTF-8 bytes as a string, each byte of an invalid sequence becoming U+FFFD (as Go)."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        s = b.decode("utf-8", "surrogateescape")
        return "".join(["\ufffd" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in s])


def encode_str(s: str) -> bytes:
    """A string as UTF-8; lone surrogates (which UTF-8 cannot carry) become U+FFFD."""
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(["\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in s]).encode()


# ---------------------------------------------------------------------------------------------
# Numbers


def float_str(f: float, conv: str = "g") -> str:
    """Format a float as starlark-go does for ``str`` and ``%g %G %e %E %f %F``.

    ``g``/``G``: the shortest decimal that reads back as ``f``, in exponent form when the
    exponent is < -4 or >= 6 (Go's ``strconv.FormatFloat(f, 'g', -1, 64)``), with ``.0``
    added when the result would otherwise look like an int. The others use 6 digits of
    precision. Infinities are ``+inf`` / ``-inf``, NaN is ``nan``.
    """
    if f != f:
        return "nan"
    if f == math.inf:
        return "+inf"
    if f == -math.inf:
        return "-inf"
    if conv == "g" or conv == "G":
        return _shortest(f, conv == "G")
    # Fixed, code-built format specifications (never user-controlled).
    if conv == "e":
        return format(f, ".6e")
    if conv == "E":
        return format(f, ".6E")
    return format(f, ".6f")


def _shortest(f: float, upper: bool) -> str:
    r = repr(f)  # Python's repr is the shortest round-tripping decimal
    neg = r[0] == "-"
    if neg:
        r = r[1:]
    e = r.find("e")
    if e >= 0:
        mant, exp = r[:e], int(r[e + 1 :])
    else:
        mant, exp = r, 0
    dot = mant.find(".")
    if dot >= 0:
        ip, fp = mant[:dot], mant[dot + 1 :]
    else:
        ip, fp = mant, ""
    digits = ip + fp
    dp = len(ip) + exp  # position of the decimal point within digits
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    sign = "-" if neg else ""
    if not digits:
        return sign + "0.0"
    nd = len(digits)
    x = dp - 1  # decimal exponent
    if x < -4 or x >= 6:
        s = digits[0]
        if nd > 1:
            s += "." + digits[1:]
        es = "-" if x < 0 else "+"
        ax = -x if x < 0 else x
        return sign + s + ("E" if upper else "e") + es + (f"{ax:02d}")
    if dp <= 0:
        return sign + "0." + "0" * (-dp) + digits
    if dp >= nd:
        return sign + digits + "0" * (dp - nd) + ".0"
    return sign + digits[:dp] + "." + digits[dp:]


# CPython refuses str(int) beyond 4300 digits (sys.int_max_str_digits); we convert big ints
# ourselves, by divide and conquer through the decimal module (subquadratic).
_SMALL_INT = 1 << 12000  # comfortably under 4300 decimal digits
_DCTX = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[]
)


def int_str(n: int, th: Any = None) -> str:
    """Decimal text of an int of any size; charges ``th`` for the work on huge ints."""
    if -_SMALL_INT < n < _SMALL_INT:
        return str(n)
    if th is not None:
        th.charge(big_conversion_cost(n.bit_length() * 3 // 10))
    if n < 0:
        return "-" + _big_int_str(-n)
    return _big_int_str(n)


def big_conversion_cost(ndigits: int) -> int:
    """Steps charged to convert an int of ``ndigits`` decimal digits to or from text."""
    return ndigits // _CHARS_PER_STEP + int(ndigits**1.585) // 8000


def _big_int_str(n: int) -> str:
    D = decimal.Decimal
    ctx = _DCTX
    cache: dict[int, decimal.Decimal] = {}

    def pow2(w: int) -> decimal.Decimal:
        r = cache.get(w)
        if r is None:
            r = cache[w] = ctx.power(D(2), w)
        return r

    def inner(n: int, w: int) -> decimal.Decimal:  # depth is log2(bits / 8192)
        if w <= 8192:
            return D(n)
        w2 = w >> 1
        hi = n >> w2
        lo = n - (hi << w2)
        return ctx.add(inner(lo, w2), ctx.multiply(inner(hi, w - w2), pow2(w2)))

    return str(inner(n, n.bit_length()))


def parse_decimal(s: str) -> int:
    """Parse a string of ASCII decimal digits (no sign, non-empty) of any length."""
    if len(s) <= 3000:
        return int(s)
    cache: dict[int, int] = {}

    def pow10(k: int) -> int:
        r = cache.get(k)
        if r is None:
            r = cache[k] = 10**k
        return r

    def inner(a: int, b: int) -> int:  # depth is log2(len / 3000)
        if b - a <= 3000:
            return int(s[a:b])
        m = (a + b + 1) // 2
        return inner(a, m) * pow10(b - m) + inner(m, b)

    return inner(0, len(s))


# ---------------------------------------------------------------------------------------------
# The printer


class _Leave:
    """Stack entry: emit ``text`` and take list/dict ``oid`` off the current path."""

    __slots__ = ("oid", "text")

    def __init__(self, oid: int, text: str) -> None:
        self.oid = oid
        self.text = text


class _Lit:
    """Stack entry: emit ``text`` verbatim."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_COMMA = _Lit(", ")
_COLON = _Lit(": ")


def _simple(v: Any, th: Any) -> str | None:
    """The repr of a scalar, or None if ``v`` is a container (or unusual)."""
    t = type(v)
    if t is str:
        return quote(v)
    if t is int:
        return int_str(v, th)
    if t is bool:
        return "True" if v else "False"
    if v is None:
        return "None"
    if t is float:
        return float_str(v)
    if t is bytes:
        return quote_bytes(v)
    if t is range:
        if v.step != 1:
            return f"range({v.start}, {v.stop}, {v.step})"
        if v.start != 0:
            return f"range({v.start}, {v.stop})"
        return f"range({v.stop})"
    if t is Builtin:
        if v.recv is not None:
            return f"<built-in method {v.name} of {type_name(v.recv)} value>"
        return f"<built-in function {v.name}>"
    if t is Module:
        return f"<module {quote(v.name)}>"
    if isinstance(v, HostValue):
        try:
            r = v.repr()
        except StarlarkError:
            raise
        except Exception as e:  # a host's bug must not escape as a Python exception
            raise EvalError(f"repr of {type_name(v)} failed: {type(e).__name__}: {e}") from e
        if type(r) is not str:
            raise EvalError(f"repr of {type_name(v)} returned {type(r).__name__}, want str")
        return r
    if t is List or t is tuple or t is Dict or t is Set or t is Struct:
        return None
    tn = type_name(v)
    if tn == "function":
        return f"<function {getattr(v, 'name', '?')}>"
    return f"<{tn}>"


def repr_value(v: Any, th: Any = None) -> str:
    """Starlark ``repr(v)``. With a thread ``th``, charges 1 step per 64 output characters and
    about one per value printed."""
    s = _simple(v, th)
    if s is not None:
        if th is not None and len(s) >= _CHARS_PER_STEP:
            th.charge(len(s) // _CHARS_PER_STEP)
        return s
    if (type(v) is List or type(v) is tuple) and v:
        s = _flat_repr(v, th)
        if s is not None:
            return s
    out: list[str] = []
    size = 0  # characters emitted so far
    charged = 0  # characters already charged for
    path: set[int] = set()  # ids of the lists and dicts being printed (cycle detection)
    stack: list[Any] = [v]
    pop = stack.pop
    push = stack.append
    emit = out.append
    while stack:
        x = pop()
        t = type(x)
        if t is _Lit:
            emit(x.text)
            size += len(x.text)
            continue
        if t is _Leave:
            path.discard(x.oid)
            emit(x.text)
            size += 1
            continue
        size += _VALUE_COST
        if t is List:
            if id(x) in path:
                emit("[...]")
                size += 5
                continue
            if not x:
                emit("[]")
                size += 2
                continue
            path.add(id(x))
            emit("[")
            size += 1
            push(_Leave(id(x), "]"))
            _push_items(stack, x)
        elif t is tuple:
            if not x:
                emit("()")
                size += 2
                continue
            emit("(")
            size += 1
            push(_Lit(",)") if len(x) == 1 else _Lit(")"))
            _push_items(stack, x)
        elif t is Dict:
            if id(x) in path:
                emit("{...}")
                size += 5
                continue
            if not x:
                emit("{}")
                size += 2
                continue
            path.add(id(x))
            emit("{")
            size += 1
            push(_Leave(id(x), "}"))
            items = list(items_out(x, x.boxed))
            for i in range(len(items) - 1, -1, -1):
                k, val = items[i]
                push(val)
                push(_COLON)
                push(k)
                if i:
                    push(_COMMA)
        elif t is Set:
            emit("set([")
            size += 5
            push(_Lit("])"))
            _push_items(stack, list(keys_out(x.d, x.boxed)))
        elif t is Struct:
            emit("struct(")
            size += 7
            push(_Lit(")"))
            names = sorted(x.fields)
            for i in range(len(names) - 1, -1, -1):
                push(x.fields[names[i]])
                push(_Lit(names[i] + " = "))
                if i:
                    push(_COMMA)
        else:
            s = _simple(x, th)
            if s is None:  # pragma: no cover - every container is handled above
                s = f"<{type_name(x)}>"
            emit(s)
            size += len(s)
        if th is not None and size - charged >= _CHECK_EVERY:
            n = (size - charged) // _CHARS_PER_STEP
            th.charge(n)
            charged += n * _CHARS_PER_STEP
    if th is not None and size - charged >= _CHARS_PER_STEP:
        th.charge((size - charged) // _CHARS_PER_STEP)
    return "".join(out)


_SMALL_INTS = 10**18
_STRS = {str}
_INTS = {int}


def _flat_repr(v: Any, th: Any) -> str | None:
    """The repr of a non-empty list or tuple of only strings or only ints (below 10**18), or
    None. The printer below counts, for such a sequence, its brackets, ``_VALUE_COST`` per
    value, the elements' text and 2 per separator, and charges that count // 64 steps in
    parts as it grows; when the whole charge stays within the thread's bound, one charge
    of the total is the same. Otherwise (or for other elements) the printer runs."""
    ts = set(map(type, v))
    if ts == _STRS:
        parts = [quote(x) for x in v]
    elif ts == _INTS and -_SMALL_INTS < min(v) and max(v) < _SMALL_INTS:
        parts = [str(x) for x in v]
    else:
        return None
    n = len(parts)
    if type(v) is List:
        opening, closing = "[", "]"
    else:
        opening, closing = "(", (",)" if n == 1 else ")")
    size = _VALUE_COST * (n + 1) + 1 + len(closing) + sum(map(len, parts)) + 2 * (n - 1)
    if th is not None:
        k = size // _CHARS_PER_STEP
        if th.steps + k > th.bound:
            return None
        if k:
            th.charge(k)
    return opening + ", ".join(parts) + closing


def _push_items(stack: list[Any], items: Any) -> None:
    """Push ``items`` (with separators) so that they pop in order."""
    n = len(items)
    push = stack.append
    for i in range(n - 1, -1, -1):
        push(items[i])
        if i:
            push(_COMMA)


def str_value(v: Any, th: Any = None) -> str:
    """Starlark ``str(v)``: a string is itself, bytes are decoded from UTF-8 (invalid bytes
    become U+FFFD), anything else is its repr."""
    t = type(v)
    if t is str:
        return v  # type: ignore[no-any-return]
    if t is bytes:
        if th is not None and len(v) >= _CHARS_PER_STEP:
            th.charge(len(v) // _CHARS_PER_STEP)
        return decode_bytes(v)
    return repr_value(v, th)


__all__ = [
    "decode_bytes",
    "encode_str",
    "float_str",
    "int_str",
    "parse_decimal",
    "quote",
    "quote_bytes",
    "repr_value",
    "str_value",
]
