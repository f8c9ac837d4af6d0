"""String formatting: ``fmt % args`` and ``fmt.format(*args, **kwargs)``.

Both are interpreted here, character by character, never by Python's ``%`` or ``str.format``
machinery: a user-controlled format string must not reach Python's field lookup
(``"{0.__class__}".format(x)`` would be a sandbox escape). Semantics and messages are
starlark-go's:

``%`` conversions: ``%s %r %d %i %o %x %X %c %e %E %f %F %g %G %%`` and ``%(name)s`` with a
dict operand; no flags, width or precision. A tuple operand supplies the arguments in order;
any other operand is the single argument.

``str.format``: ``{}`` (automatic numbering), ``{0}`` (manual), ``{name}`` (keyword), ``{{``
and ``}}``, conversions ``!s`` and ``!r``. Format specs (``{:>8}``), attribute access
(``{a.b}``) and indexing (``{a[0]}``) are errors.

Output is charged as it grows: 1 step per 64 characters.
"""

from __future__ import annotations

from typing import Any

from ..errors import EvalError
from ..values.core import Dict, type_name
from ..values.repr import float_str, int_str, quote, repr_value
from .common import ELEMS_PER_STEP

# Check the step budget every this many characters of output.
_CHECK_EVERY = 4096


class _Out:
    """An output buffer that charges its thread as it grows."""

    __slots__ = ("parts", "size", "charged", "th")

    def __init__(self, th: Any) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.charged = 0
        self.th = th

    def write(self, s: str) -> None:
        self.parts.append(s)
        self.size += len(s)
        if self.size - self.charged >= _CHECK_EVERY and self.th is not None:
            n = (self.size - self.charged) // ELEMS_PER_STEP
            self.th.charge(n)
            self.charged += n * ELEMS_PER_STEP

    def result(self) -> str:
        if self.th is not None and self.size - self.charged >= ELEMS_PER_STEP:
            self.th.charge((self.size - self.charged) // ELEMS_PER_STEP)
        return "".join(self.parts)


def _to_int(c: str, x: Any) -> int:
    t = type(x)
    if t is int:
        return x  # type: ignore[no-any-return]
    if t is float:
        if x != x:
            why = "cannot convert float NaN to integer"
        elif x in (float("inf"), float("-inf")):
            why = "cannot convert float infinity to integer"
        else:
            return int(x)
    else:
        why = f"cannot convert {type_name(x)} to int"
    raise EvalError(f"%{c} format requires integer: {why}")


def _to_float(c: str, x: Any) -> float:
    t = type(x)
    if t is float:
        return x  # type: ignore[no-any-return]
    if t is int:
        try:
            return float(x)
        except OverflowError:
            return float("inf") if x > 0 else float("-inf")
    raise EvalError(f"%{c} format requires float, not {type_name(x)}")


def percent_format(th: Any, fmt: str, arg: Any) -> str:
    """Starlark ``fmt % arg``."""
    if type(arg) is tuple:
        args: tuple[Any, ...] = arg
    else:
        args = (arg,)
    nargs = len(args)
    is_mapping = type(arg) is Dict
    out = _Out(th)
    index = 0
    i = 0
    n = len(fmt)
    if th is not None and n >= 16:
        th.charge(fmt.count("%") // 2)  # about a microsecond per conversion
    while True:
        j = fmt.find("%", i)
        if j < 0:
            out.write(fmt[i:] if i else fmt)
            break
        if j > i:
            out.write(fmt[i:j])
        i = j + 1
        if i < n and fmt[i] == "%":
            out.write("%")
            i += 1
            continue
        if i < n and fmt[i] == "(":
            k = fmt.find(")", i + 1)
            if k < 0:
                raise EvalError("incomplete format key")
            key = fmt[i + 1 : k]
            if not is_mapping:
                raise EvalError("format requires a mapping")
            if key not in arg:
                raise EvalError(f"key not found: {key}")
            x = arg[key]
            i = k + 1
        else:
            if index >= nargs:
                raise EvalError("not enough arguments for format string")
            x = args[index]
        if i >= n:
            raise EvalError("incomplete format")
        c = fmt[i]
        if c == "s" or c == "r":
            if c == "s" and type(x) is str:
                out.write(x)
            else:
                out.write(repr_value(x, th))
        elif c == "d" or c == "i":
            out.write(int_str(_to_int(c, x), th))
        elif c == "o":
            out.write(format(_to_int(c, x), "o"))
        elif c == "x":
            out.write(format(_to_int(c, x), "x"))
        elif c == "X":
            out.write(format(_to_int(c, x), "X"))
        elif c in "eEfFgG":
            out.write(float_str(_to_float(c, x), c))
        elif c == "c":
            tx = type(x)
            if tx is int:
                if not 0 <= x <= 0x10FFFF:
                    raise EvalError(f"%c format requires a valid Unicode code point, got {x}")
                out.write("\ufffd" if 0xD800 <= x <= 0xDFFF else chr(x))
            elif tx is str:
                if len(x) != 1:
                    raise EvalError("%c format requires a single-character string")
                out.write(x)
            else:
                raise EvalError(
                    f"%c format requires int or single-character string, not {type_name(x)}"
                )
        else:
            raise EvalError(f"unknown conversion %{c}")
        i += 1
        index += 1
    if index < nargs and not is_mapping:
        raise EvalError("too many arguments for format string")
    return out.result()


def _decimal(s: str) -> int | None:
    """``s`` as a non-negative decimal index, if it is one (ASCII digits only)."""
    if not s or len(s) > 18:
        return None
    for c in s:
        if not "0" <= c <= "9":
            return None
    return int(s)


# Format strings whose only fields are ``{}``, split once at them (None: not such a format).
_AUTO: dict[str, list[str] | None] = {}
_SMALL = 10**18


def _fast_format(fmt: str, args: tuple[Any, ...]) -> str | None:
    """``fmt.format(*args)`` for the common case: only ``{}`` fields, as many arguments,
    each a string or a small int, and an output shorter than the general path's first
    intermediate charge; None for anything else."""
    if fmt in _AUTO:
        pieces = _AUTO[fmt]
    else:
        if len(_AUTO) >= 4096 or len(fmt) > 512:
            return None
        split = fmt.split("{}")
        pieces = _AUTO[fmt] = (
            None if any("{" in p or "}" in p for p in split) else split)
    if pieces is None or len(pieces) != len(args) + 1:
        return None
    out = [pieces[0]]
    for a, lit in zip(args, pieces[1:]):
        ta = type(a)
        if ta is str:
            out.append(a)
        elif ta is int and -_SMALL < a < _SMALL:
            out.append(str(a))
        else:
            return None
        out.append(lit)
    r = "".join(out)
    return r if len(r) < _CHECK_EVERY else None


def str_format(th: Any, fmt: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Starlark ``fmt.format(*args, **kwargs)``."""
    n = len(fmt)
    if th is not None and n >= 16:
        th.charge(fmt.count("{"))  # about a microsecond per field
    if not kwargs:
        fast = _fast_format(fmt, args)
        if fast is not None:
            # what the general path below writes, charged as its buffer would charge it
            if th is not None and len(fast) >= ELEMS_PER_STEP:
                th.charge(len(fast) // ELEMS_PER_STEP)
            return fast
    out = _Out(th)
    auto = manual = False
    index = 0
    pos = 0  # start of the unprocessed rest of fmt
    while True:
        i = fmt.find("{", pos)
        end = n if i < 0 else i
        # In the literal text, '}}' is a literal '}'; a lone '}' is an error.
        while True:
            j = fmt.find("}", pos, end)
            if j < 0:
                if end > pos:
                    out.write(fmt[pos:end])
                break
            if j + 1 == end or fmt[j + 1] != "}":
                raise EvalError("format: single '}' in format")
            out.write(fmt[pos : j + 1])
            pos = j + 2
        if i < 0:
            break
        if i + 1 < n and fmt[i + 1] == "{":
            out.write("{")
            pos = i + 2
            continue
        j = fmt.find("}", i + 1)
        if j < 0:
            raise EvalError("format: unmatched '{' in format")
        field = fmt[i + 1 : j]
        pos = j + 1
        conv = "s"
        spec = ""
        bang = field.find("!")
        if bang < 0:
            colon = field.find(":")
            if colon < 0:
                name = field
            else:
                name, spec = field[:colon], field[colon + 1 :]
        else:
            name = field[:bang]
            rest = field[bang + 1 :]
            colon = rest.find(":")
            if colon < 0:
                conv = rest
            else:
                conv, spec = rest[:colon], rest[colon + 1 :]
        if name == "":
            if manual:
                raise EvalError(
                    "format: cannot switch from manual field specification to "
                    "automatic field numbering"
                )
            auto = True
            if index >= len(args):
                raise EvalError("format: tuple index out of range")
            arg = args[index]
            index += 1
        else:
            num = _decimal(name)
            if num is not None:
                if auto:
                    raise EvalError(
                        "format: cannot switch from automatic field numbering to "
                        "manual field specification"
                    )
                manual = True
                if num >= len(args):
                    raise EvalError("format: tuple index out of range")
                arg = args[num]
            elif name in kwargs:
                arg = kwargs[name]
            else:
                if "." in name:
                    raise EvalError(
                        "format: attribute syntax x.y is not supported in replacement "
                        f"fields: {name}"
                    )
                if "[" in name:
                    raise EvalError(
                        "format: element syntax a[i] is not supported in replacement "
                        f"fields: {name}"
                    )
                if "{" in name:
                    raise EvalError("format: nested replacement fields not supported")
                raise EvalError(f"format: keyword {name} not found")
        if spec:
            raise EvalError(f"format spec features not supported in replacement fields: {spec}")
        if conv == "s":
            out.write(arg if type(arg) is str else repr_value(arg, th))
        elif conv == "r":
            out.write(repr_value(arg, th))
        else:
            raise EvalError(f"format: unknown conversion {quote(conv)}")
    return out.result()


__all__ = ["percent_format", "str_format"]
