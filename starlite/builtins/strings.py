"""The methods of ``string``, with starlark-go's semantics and messages.

Strings are sequences of Unicode code points
--------------------------------------------
starlite strings are Python strings: ``len("é") == 1`` and ``s[i]`` is the i-th code point (as in
starlark-rust and Starlark-in-Java's view of text), where starlark-go indexes UTF-8 bytes. That
makes the spec's "elements" of a string its code points, so:

* ``s.elems()`` yields 1-code-point strings and ``s.elem_ords()`` their code points (ints). Both
  are ``string.elems`` values: iterable, with ``len()`` and indexing (``s.elems()[i] == s[i]``).
* ``s.codepoints()`` / ``s.codepoint_ords()`` yield the same values, as ``string.codepoints``
  values (iterable only), so code written for starlark-go's UTF-8 model keeps working.

Other decisions: ``splitlines`` splits at ``\\n``, ``\\r\\n`` and ``\\r`` (the spec's line
terminators; starlark-go only splits at ``\\n``); ``strip()``/``split()`` use Go's definition of
white space; case mappings are Python's (full Unicode, e.g. ``"ß".upper() == "SS"``); ``istitle``
follows starlark-go's algorithm exactly.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any

from ..errors import EvalError
from ..values.collect import NATIVE_SIZES
from ..values.core import HostValue, List, type_name
from ..values.repr import quote
from .common import ELEMS_PER_STEP, charge, collect, indices, want_bool, want_int, want_str
from .format import str_format as format_str

# Go's unicode.IsSpace.
_WS = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501
_WS_RE = re.compile("[" + _WS + "]+")
# Characters Python treats as white space or line breaks but Go/the spec do not.
_PY_ONLY_WS = "\x1c\x1d\x1e\x1f"
_PY_ONLY_LINEBREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


# ---------------------------------------------------------------------------------------------
# Iterable views: s.elems(), s.codepoints() ...


class StringElems(HostValue):
    """``s.elems()`` / ``s.elem_ords()``: the code points of ``s`` as 1-character strings or
    ints; iterable, indexable, with a length."""

    starlark_type = "string.elems"
    __slots__ = ("s", "ords")

    def __init__(self, s: str, ords: bool) -> None:
        self.s = s
        self.ords = ords

    def iterate(self) -> Iterator[Any]:
        return map(ord, self.s) if self.ords else iter(self.s)

    def length(self) -> int:
        return len(self.s)

    def index(self, i: Any) -> Any:
        if type(i) is not int:
            return NotImplemented
        c = self.s[i]
        return ord(c) if self.ords else c

    def repr(self) -> str:
        return quote(self.s) + (".elem_ords()" if self.ords else ".elems()")


class StringCodepoints(HostValue):
    """``s.codepoints()`` / ``s.codepoint_ords()``: iterable only."""

    starlark_type = "string.codepoints"
    __slots__ = ("s", "ords")

    def __init__(self, s: str, ords: bool) -> None:
        self.s = s
        self.ords = ords

    def iterate(self) -> Iterator[Any]:
        return map(ord, self.s) if self.ords else iter(self.s)

    def repr(self) -> str:
        return quote(self.s) + (".codepoint_ords()" if self.ords else ".codepoints()")


# Their iterators run at C speed and their length is known: materialising them is charged up
# front, like a copy that makes a new object per element.
NATIVE_SIZES[StringElems] = NATIVE_SIZES[StringCodepoints] = lambda v: len(v.s)


def str_elems(th: Any, s: str, /) -> StringElems:
    return StringElems(s, False)


def str_elem_ords(th: Any, s: str, /) -> StringElems:
    return StringElems(s, True)


def str_codepoints(th: Any, s: str, /) -> StringCodepoints:
    return StringCodepoints(s, False)


def str_codepoint_ords(th: Any, s: str, /) -> StringCodepoints:
    return StringCodepoints(s, True)


# ---------------------------------------------------------------------------------------------
# Case


def str_capitalize(th: Any, s: str, /) -> str:
    charge(th, len(s))
    return s.capitalize()


def str_lower(th: Any, s: str, /) -> str:
    charge(th, len(s))
    return s.lower()


def str_upper(th: Any, s: str, /) -> str:
    charge(th, len(s))
    return s.upper()


def str_title(th: Any, s: str, /) -> str:
    charge(th, len(s))
    return s.title()


# ---------------------------------------------------------------------------------------------
# Predicates


def str_isalnum(th: Any, s: str, /) -> bool:
    charge(th, len(s))
    if s.isascii():
        return s.isalnum()
    return s != "" and all(c.isalpha() or c.isdecimal() for c in s)


def str_isalpha(th: Any, s: str, /) -> bool:
    charge(th, len(s))
    return s.isalpha()


def str_isdigit(th: Any, s: str, /) -> bool:
    charge(th, len(s))
    return s.isdecimal()  # Go's unicode.IsDigit is category Nd, Python's isdecimal


def str_islower(th: Any, s: str, /) -> bool:
    charge(th, len(s))
    return s.islower()


def str_isupper(th: Any, s: str, /) -> bool:
    charge(th, len(s))
    return s.isupper()


def str_isspace(th: Any, s: str, /) -> bool:
    charge(th, len(s))
    return s.isspace() and not any(c in s for c in _PY_ONLY_WS)


def str_istitle(th: Any, s: str, /) -> bool:
    """starlark-go's rule: an uppercase or titlecase letter may only follow an uncased
    character, a lowercase letter only a cased one, and at least one letter is cased. Only
    ASCII capitals and titlecase letters (``ǅ``) count as capitals; any other uppercase letter
    makes the result False."""
    charge(th, len(s), 16)
    cased = prev_cased = False
    for c in s:
        cat = unicodedata.category(c)
        if "A" <= c <= "Z" or cat == "Lt":
            if prev_cased:
                return False
            prev_cased = cased = True
        elif cat == "Ll":
            if not prev_cased:
                return False
            prev_cased = cased = True
        elif cat == "Lu":
            return False
        else:
            prev_cased = False
    return cased


# ---------------------------------------------------------------------------------------------
# Searching


def str_count(th: Any, s: str, sub: Any, start: Any = None, end: Any = None, /) -> int:
    if start is None and end is None and type(sub) is str:  # the whole string
        charge(th, len(s))
        return s.count(sub)
    sub = want_str("count", 1, sub)
    a, b = indices("count", start, end, len(s))
    charge(th, b - a)
    if a >= b:
        return 1 if sub == "" else 0
    return s.count(sub, a, b)


def _find(th: Any, fname: str, s: str, sub: Any, start: Any, end: Any, last: bool) -> int:
    if start is None and end is None and type(sub) is str:  # the whole string
        if th is not None and len(s) >= ELEMS_PER_STEP:
            th.charge(len(s) // ELEMS_PER_STEP)
        return s.rfind(sub) if last else s.find(sub)
    sub = want_str(fname, 1, sub)
    a, b = indices(fname, start, end, len(s))
    charge(th, b - a)
    if a >= b:
        return a if sub == "" else -1
    i = s.rfind(sub, a, b) if last else s.find(sub, a, b)
    return i


def str_find(th: Any, s: str, sub: Any, start: Any = None, end: Any = None, /) -> int:
    return _find(th, "find", s, sub, start, end, False)


def str_rfind(th: Any, s: str, sub: Any, start: Any = None, end: Any = None, /) -> int:
    return _find(th, "rfind", s, sub, start, end, True)


def str_index(th: Any, s: str, sub: Any, start: Any = None, end: Any = None, /) -> int:
    i = _find(th, "index", s, sub, start, end, False)
    if i < 0:
        raise EvalError("index: substring not found")
    return i


def str_rindex(th: Any, s: str, sub: Any, start: Any = None, end: Any = None, /) -> int:
    i = _find(th, "rindex", s, sub, start, end, True)
    if i < 0:
        raise EvalError("rindex: substring not found")
    return i


def _fix(th: Any, fname: str, s: str, x: Any, start: Any, end: Any) -> tuple[str, tuple[str, ...]]:
    a, b = indices(fname, start, end, len(s))
    if b < a:
        b = a
    if a or b != len(s):
        charge(th, b - a)
        s = s[a:b]
    if type(x) is str:
        return s, (x,)
    if type(x) is tuple:
        for i, e in enumerate(x):
            if type(e) is not str:
                raise EvalError(f"{fname}: want string, got {type_name(e)}, for element {i}")
        return s, x
    raise EvalError(f"{fname}: got {type_name(x)}, want string or tuple of string")


def str_startswith(th: Any, s: str, prefix: Any, start: Any = None, end: Any = None, /) -> bool:
    if start is None and end is None and type(prefix) is str:  # no slice: nothing charged
        return s.startswith(prefix)
    s, xs = _fix(th, "startswith", s, prefix, start, end)
    return s.startswith(xs)


def str_endswith(th: Any, s: str, suffix: Any, start: Any = None, end: Any = None, /) -> bool:
    if start is None and end is None and type(suffix) is str:
        return s.endswith(suffix)
    s, xs = _fix(th, "endswith", s, suffix, start, end)
    return s.endswith(xs)


def str_removeprefix(th: Any, s: str, prefix: Any, /) -> str:
    prefix = want_str("removeprefix", 1, prefix)
    charge(th, len(s))
    return s.removeprefix(prefix)


def str_removesuffix(th: Any, s: str, suffix: Any, /) -> str:
    suffix = want_str("removesuffix", 1, suffix)
    charge(th, len(s))
    return s.removesuffix(suffix)


def _partition(fname: str, s: str, sep: Any) -> str:
    sep = want_str(fname, 1, sep)
    if sep == "":
        raise EvalError(f"{fname}: empty separator")
    return sep  # type: ignore[no-any-return]


def str_partition(th: Any, s: str, sep: Any, /) -> tuple[str, str, str]:
    charge(th, len(s))
    return s.partition(_partition("partition", s, sep))


def str_rpartition(th: Any, s: str, sep: Any, /) -> tuple[str, str, str]:
    charge(th, len(s))
    return s.rpartition(_partition("rpartition", s, sep))


# ---------------------------------------------------------------------------------------------
# Building strings


def str_join(th: Any, s: str, iterable: Any, /) -> str:
    elems = collect(th, iterable, "join")
    try:
        total = sum(map(len, elems))
        charge(th, total + len(s) * (len(elems) - 1))
        return s.join(elems)
    except TypeError:
        for e in elems:
            if type(e) is not str:
                raise EvalError(f"join: in list, want string, got {type_name(e)}") from None
        raise EvalError("join: in list, want string") from None


def str_replace(th: Any, s: str, old: Any, new: Any, count: Any = -1, /) -> str:
    if type(count) is int and count == -1 and type(old) is str and type(new) is str and old:
        # replace every occurrence: the same two charges as below
        n = len(s)
        if th is not None and n >= ELEMS_PER_STEP:
            th.charge(n // ELEMS_PER_STEP)
        n += s.count(old) * (len(new) - len(old))
        if th is not None and n >= ELEMS_PER_STEP:
            th.charge(n // ELEMS_PER_STEP)
        return s.replace(old, new)
    old = want_str("replace", 1, old)
    new = want_str("replace", 2, new)
    count = want_int("replace", 3, count)
    if count < 0:
        count = -1
    elif count > sys.maxsize:
        count = sys.maxsize
    charge(th, len(s))
    n = s.count(old) if old else len(s) + 1
    if 0 <= count < n:
        n = count
    charge(th, len(s) + n * (len(new) - len(old)))
    return s.replace(old, new, count)


def _strip_chars(fname: str, chars: Any) -> str:
    if chars is None:
        return _WS
    chars = want_str(fname, 1, chars)
    return chars if chars else _WS


def str_strip(th: Any, s: str, chars: Any = None, /) -> str:
    cs = _WS if chars is None else _strip_chars("strip", chars)
    charge(th, len(s))
    return s.strip(cs)


def str_lstrip(th: Any, s: str, chars: Any = None, /) -> str:
    cs = _strip_chars("lstrip", chars)
    charge(th, len(s))
    return s.lstrip(cs)


def str_rstrip(th: Any, s: str, chars: Any = None, /) -> str:
    cs = _strip_chars("rstrip", chars)
    charge(th, len(s))
    return s.rstrip(cs)


def str_format(th: Any, s: str, /, *args: Any, **kwargs: Any) -> str:
    return format_str(th, s, args, kwargs)


# ---------------------------------------------------------------------------------------------
# Splitting


def _split_args(fname: str, sep: Any, maxsplit: Any) -> tuple[str | None, int]:
    maxsplit = want_int(fname, "maxsplit", maxsplit)
    if maxsplit < 0:
        maxsplit = -1
    elif maxsplit > sys.maxsize:
        maxsplit = sys.maxsize
    if sep is None:
        return None, maxsplit
    if type(sep) is not str:
        raise EvalError(f"{fname}: got {type_name(sep)} for separator, want string")
    if sep == "":
        raise EvalError(f"{fname}: empty separator")
    return sep, maxsplit


def _has_py_only_ws(s: str) -> bool:
    return any(c in s for c in _PY_ONLY_WS)


def str_split(th: Any, s: str, /, sep: Any = None, maxsplit: Any = -1) -> List:
    sep, maxsplit = _split_args("split", sep, maxsplit)
    charge(th, 2 * len(s))
    if sep is None and _has_py_only_ws(s):
        return List(_split_ws(s, maxsplit))
    return List(s.split(sep, maxsplit))


def str_rsplit(th: Any, s: str, /, sep: Any = None, maxsplit: Any = -1) -> List:
    sep, maxsplit = _split_args("rsplit", sep, maxsplit)
    charge(th, 2 * len(s))
    if sep is None and _has_py_only_ws(s):
        return List(_rsplit_ws(s, maxsplit))
    return List(s.rsplit(sep, maxsplit))


def _split_ws(s: str, maxsplit: int) -> list[str]:
    """Split at runs of Go white space (for strings with characters only Python calls space)."""
    s = s.lstrip(_WS)
    if not s:
        return []
    if maxsplit < 0:
        return [p for p in _WS_RE.split(s) if p]
    out: list[str] = []
    while len(out) < maxsplit:
        m = _WS_RE.search(s)
        if m is None:
            break
        out.append(s[: m.start()])
        s = s[m.end() :]
        if not s:
            return out
    out.append(s)
    return out


def _rsplit_ws(s: str, maxsplit: int) -> list[str]:
    s = s.rstrip(_WS)
    if not s:
        return []
    if maxsplit < 0:
        return [p for p in _WS_RE.split(s) if p]
    out: list[str] = []
    while len(out) < maxsplit:
        ms = list(_WS_RE.finditer(s))
        if not ms:
            break
        m = ms[-1]
        out.append(s[m.end() :])
        s = s[: m.start()]
        if not s:
            break
    if s:
        out.append(s)
    out.reverse()
    return out


def str_splitlines(th: Any, s: str, /, keepends: Any = False) -> List:
    keepends = want_bool("splitlines", "keepends", keepends)
    charge(th, 2 * len(s))
    if not _PY_ONLY_LINEBREAKS.search(s):
        return List(s.splitlines(keepends))
    lines = _LINES.findall(s)
    if not keepends:
        lines = [ln.rstrip("\r\n") for ln in lines]
    return List(lines)


METHODS: dict[str, Any] = {
    "capitalize": str_capitalize,
    "codepoint_ords": str_codepoint_ords,
    "codepoints": str_codepoints,
    "count": str_count,
    "elem_ords": str_elem_ords,
    "elems": str_elems,
    "endswith": str_endswith,
    "find": str_find,
    "format": str_format,
    "index": str_index,
    "isalnum": str_isalnum,
    "isalpha": str_isalpha,
    "isdigit": str_isdigit,
    "islower": str_islower,
    "isspace": str_isspace,
    "istitle": str_istitle,
    "isupper": str_isupper,
    "join": str_join,
    "lower": str_lower,
    "lstrip": str_lstrip,
    "partition": str_partition,
    "removeprefix": str_removeprefix,
    "removesuffix": str_removesuffix,
    "replace": str_replace,
    "rfind": str_rfind,
    "rindex": str_rindex,
    "rpartition": str_rpartition,
    "rsplit": str_rsplit,
    "rstrip": str_rstrip,
    "split": str_split,
    "splitlines": str_splitlines,
    "startswith": str_startswith,
    "strip": str_strip,
    "title": str_title,
    "upper": str_upper,
}

__all__ = ["METHODS", "StringCodepoints", "StringElems"]
