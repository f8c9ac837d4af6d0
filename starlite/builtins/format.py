"""String formatting: ``fmt % args`` and ``fmt.format(*args, **kwargs)``.

Both are interpreted here, character by character, never by Python's ``%`` or ``str.format``
machinery: a user-controlled format string must not reach Python's field lookup
(``"{0.__class__}".format(x)`` would be a sandbox escape). (The one use of ``%`` is on a
template this module builds from a parsed ``str.format`` string: only ``%s``, with the
user's own ``%`` signs doubled; see ``_quick``.) Semantics and messages are
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


# str.format: a format string is parsed once into a plan (cached, bounded): literal pieces
# (each written as the character-by-character reading writes it, so output is charged at the
# same moments) and fields. A static error (a lone '}', an unmatched '{', a switch between
# automatic and manual numbering) ends the plan at the place it would be met.
_PLAN_CACHE: dict[str, tuple[Any, ...]] = {}
_PLAN_CACHE_MAX = 256
_SMALL = 10**18  # ints below this in magnitude print in fewer than 64 characters (no charge)


class _Field:
    """A replacement field: ``key`` is an argument index (int) or keyword name (str);
    ``missing`` the error when a keyword is absent; ``bad`` the error after the lookup (a
    format spec or an unknown conversion), if any; ``rep`` whether the conversion is ``!r``."""

    __slots__ = ("key", "missing", "bad", "rep")

    def __init__(self, key: int | str, missing: str, bad: str | None, rep: bool) -> None:
        self.key = key
        self.missing = missing
        self.bad = bad
        self.rep = rep


class _Fail:
    """A static error at this point of the plan."""

    __slots__ = ("msg",)

    def __init__(self, msg: str) -> None:
        self.msg = msg


def _missing_keyword(name: str) -> str:
    if "." in name:
        return f"format: attribute syntax x.y is not supported in replacement fields: {name}"
    if "[" in name:
        return f"format: element syntax a[i] is not supported in replacement fields: {name}"
    if "{" in name:
        return "format: nested replacement fields not supported"
    return f"format: keyword {name} not found"


def _plan(fmt: str) -> tuple[Any, ...]:
    """The steps of ``fmt.format(...)``: str (write it), _Field, or a final _Fail."""
    plan: list[Any] = []
    auto = manual = False
    index = 0
    pos = 0  # start of the unprocessed rest of fmt
    n = len(fmt)
    while True:
        i = fmt.find("{", pos)
        end = n if i < 0 else i
        # In the literal text, '}}' is a literal '}'; a lone '}' is an error.
        while True:
            j = fmt.find("}", pos, end)
            if j < 0:
                if end > pos:
                    plan.append(fmt[pos:end])
                break
            if j + 1 == end or fmt[j + 1] != "}":
                plan.append(_Fail("format: single '}' in format"))
                return tuple(plan)
            plan.append(fmt[pos : j + 1])
            pos = j + 2
        if i < 0:
            return tuple(plan)
        if i + 1 < n and fmt[i + 1] == "{":
            plan.append("{")
            pos = i + 2
            continue
        j = fmt.find("}", i + 1)
        if j < 0:
            plan.append(_Fail("format: unmatched '{' in format"))
            return tuple(plan)
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
        key: int | str
        if name == "":
            if manual:
                plan.append(_Fail("format: cannot switch from manual field specification to "
                                  "automatic field numbering"))
                return tuple(plan)
            auto = True
            key = index
            index += 1
        else:
            num = _decimal(name)
            if num is not None:
                if auto:
                    plan.append(_Fail("format: cannot switch from automatic field numbering "
                                      "to manual field specification"))
                    return tuple(plan)
                manual = True
                key = num
            else:
                key = name
        if spec:
            bad: str | None = f"format spec features not supported in replacement fields: {spec}"
        elif conv != "s" and conv != "r":
            bad = f"format: unknown conversion {quote(conv)}"
        else:
            bad = None
        missing = _missing_keyword(key) if type(key) is str else ""
        plan.append(_Field(key, missing, bad, conv == "r"))


# The common format string (literal text and positional fields without conversion or spec)
# as a `%s`-only template of our own making, its `%` signs doubled: (template, the argument
# index of each field, whether those are 0, 1, 2 ... in order). `_quick_format` fills it when
# every argument it uses is a str or a small int, which print as Python prints them. The
# user's text never reaches Python's formatting as a directive.
_QUICK: dict[str, tuple[str, tuple[int, ...], bool] | None] = {}


def _quick(plan: tuple[Any, ...]) -> tuple[str, tuple[int, ...], bool] | None:
    text: list[str] = []
    keys: list[int] = []
    for step in plan:
        if type(step) is str:
            text.append(step.replace("%", "%%"))
        elif type(step) is _Field and type(step.key) is int and step.bad is None and (
            not step.rep
        ):
            text.append("%s")
            keys.append(step.key)
        else:
            return None
    if not keys:
        return None
    return "".join(text), tuple(keys), keys == list(range(len(keys)))


def _quick_format(th: Any, quick: tuple[str, tuple[int, ...], bool], args: tuple[Any, ...]
                  ) -> str | None:
    """``str_format`` by the quick template, or None when it does not apply: an argument of
    another type or a missing one (the general path then also reports the error), or an
    output long enough to be charged as it grows."""
    text, keys, in_order = quick
    if in_order and len(args) == len(keys):
        vals = args if type(args) is tuple else tuple(args)
    elif max(keys) < len(args):
        vals = tuple([args[k] for k in keys])
    else:
        return None
    for a in vals:
        t = type(a)
        if t is not str and not (t is int and -_SMALL < a < _SMALL):
            return None
    r: str = text % vals
    n = len(r)
    if n >= _CHECK_EVERY:
        return None
    if n >= ELEMS_PER_STEP and th is not None:
        th.charge(n // ELEMS_PER_STEP)
    return r


def str_format(th: Any, fmt: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Starlark ``fmt.format(*args, **kwargs)``."""
    if th is not None and len(fmt) >= 16:
        th.charge(fmt.count("{"))  # about a microsecond per field (paid before planning)
    plan = _PLAN_CACHE.get(fmt)
    if plan is None:
        plan = _plan(fmt)
        if len(fmt) <= 4096:
            if len(_PLAN_CACHE) >= _PLAN_CACHE_MAX:
                _PLAN_CACHE.clear()
                _QUICK.clear()
            _PLAN_CACHE[fmt] = plan
            _QUICK[fmt] = _quick(plan)
    quick = _QUICK.get(fmt)
    if quick is not None:
        r = _quick_format(th, quick, args)
        if r is not None:
            return r
    parts: list[str] = []
    write = parts.append
    size = charged = 0  # output characters written, and already charged for (as _Out does)
    nargs = len(args)
    for step in plan:
        if type(step) is str:
            s = step
        elif type(step) is _Field:
            key = step.key
            if type(key) is int:
                if key >= nargs:
                    raise EvalError("format: tuple index out of range")
                arg = args[key]
            elif key in kwargs:
                arg = kwargs[key]
            else:
                raise EvalError(step.missing)
            if step.bad is not None:
                raise EvalError(step.bad)
            t = type(arg)
            if step.rep:
                s = repr_value(arg, th)
            elif t is str:
                s = arg
            elif t is int and -_SMALL < arg < _SMALL:
                s = str(arg)
            else:
                s = repr_value(arg, th)
        else:
            raise EvalError(step.msg)
        write(s)
        size += len(s)
        if size - charged >= _CHECK_EVERY and th is not None:
            k = (size - charged) // ELEMS_PER_STEP
            th.charge(k)
            charged += k * ELEMS_PER_STEP
    if th is not None and size - charged >= ELEMS_PER_STEP:
        th.charge((size - charged) // ELEMS_PER_STEP)
    return "".join(parts)


__all__ = ["percent_format", "str_format"]
