"""The ``json`` module, like starlark-go's ``lib/json``: ``encode``, ``decode``, ``indent`` and
``encode_indent``.

``json.encode(x)``: None, bools, ints (any size), finite floats, strings; dicts with string keys
become objects with sorted keys; lists, tuples, ranges, sets and other iterables become arrays;
structs (and modules, and host values with attributes) become objects of their fields. Cycles,
non-finite floats and other values are errors that say where they were found
(``json.encode: in field .x: at list index 1: cannot encode function as JSON``).

``json.decode(x[, default])``: numbers with a ``.`` or an exponent are floats, others ints;
objects become new dicts, arrays new lists. With ``default``, invalid JSON returns it instead
of failing.

``json.indent(s, *, prefix="", indent="\\t")`` reformats valid JSON text;
``json.encode_indent(x, ...)`` is ``indent(encode(x), ...)``.

Encoder, decoder and indenter are iterative (explicit stacks), so deeply nested data never
causes a Python ``RecursionError``; all three charge steps in proportion to their text.
"""

from __future__ import annotations

import json as _pyjson
import math
import re
from typing import Any

from ..errors import EvalError
from ..values.collect import host_elements, range_len
from ..values.core import Builtin, Dict, HostValue, List, Module, Set, Struct, type_name
from ..values.keys import unbox
from ..values.repr import big_conversion_cost, float_str, int_str, parse_decimal, repr_value
from .common import ELEMS_PER_STEP, MISSING, charge, go_quote_char, want_str

_CHECK_EVERY = 4096
_VALUE_COST = 64  # encoding one value costs about as much as 64 characters of output
_SURROGATE = re.compile("[\ud800-\udfff]")

# ---------------------------------------------------------------------------------------------
# encode


class _EncodeError(Exception):
    pass


def _quote(s: str) -> str:
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'  # nothing to escape
    q = _pyjson.dumps(s, ensure_ascii=False)  # a JSON string literal; no format strings involved
    if not s.isascii():
        if _SURROGATE.search(q):
            q = _SURROGATE.sub("\ufffd", q)
        q = q.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return q


def _attrs(v: Any) -> list[tuple[str, Any]] | None:
    """Fields of a struct-like value (sorted by name), or None if ``v`` has none."""
    t = type(v)
    if t is Struct:
        return sorted(v.fields.items())
    if t is Module:
        return sorted(v.members.items())
    if isinstance(v, HostValue) and type(v).attr_names is not HostValue.attr_names:
        out = []
        for name in sorted(v.attr_names()):
            val = v.attr(name)
            if val is None:
                raise _EncodeError(
                    f"missing attribute {type_name(v)}.{name} (despite {name!r} appearing in dir()"
                )
            out.append((name, val))
        return out
    return None


class _Frame:
    """A container being written: its items, the position, and how to describe an item."""

    __slots__ = ("items", "i", "obj", "oid", "what")

    def __init__(self, items: list[Any], obj: bool, oid: int, what: str) -> None:
        self.items = items
        self.i = 0
        self.obj = obj  # items are (key text, key description, value) triples
        self.oid = oid
        self.what = what  # "dict", "struct" or the array's type name

    def context(self) -> str:
        if self.obj:
            return self.items[self.i - 1][1]
        return f"at {self.what} index {self.i - 1}"


def encode_value(th: Any, x: Any) -> str:
    """The JSON text of ``x``. Raises ``_EncodeError`` for what JSON cannot represent, its
    message prefixed by where the value was found (outermost first)."""
    out: list[str] = []
    # The general encoder charges size // 64 steps in all, in parts, as the text grows. When
    # the whole charge stays within the thread's bound, one charge of the total at the end
    # is the same; the plain encoder gives up (and the general one runs) once it is not.
    room = _NEVER if th is None else (th.bound - th.steps + 1) * ELEMS_PER_STEP - 1
    size = [0, room]
    try:
        _encode_plain(x, out, size, 0)
    except _NotPlain:
        pass
    else:
        if size[0] <= room:
            if th is not None and size[0] >= ELEMS_PER_STEP:
                th.charge(size[0] // ELEMS_PER_STEP)
            return "".join(out)
    stack: list[_Frame] = []
    try:
        return _encode_loop(th, x, stack)
    except _EncodeError as e:
        ctx = "".join(f.context() + ": " for f in stack)
        raise _EncodeError(ctx + str(e)) from None


class _NotPlain(Exception):
    """The value is not plain data (or too much of it); the general encoder takes it."""


_PLAIN_DEPTH = 100
_SMALL_INT = 1 << 12000  # int_str converts these without charging
_NEVER = 1 << 62


def _encode_plain(v: Any, out: list[str], size: list[int], depth: int) -> None:
    """Append the JSON text of plain data ``v`` to ``out``: None, bools, ints that print
    without charge, finite floats, strings, and lists, tuples, structs and string-keyed dicts
    of them, nested less than ``_PLAIN_DEPTH`` deep (so never a cycle). Adds to ``size[0]``
    the size the general encoder counts (its scalars' and brackets' text, plus
    ``_VALUE_COST`` per value). Raises ``_NotPlain`` for anything else, and when a container
    starts past ``size[1]`` (so the text built is bounded by the steps the thread has left),
    with no side effect but the appends."""
    t = type(v)
    if t is str:
        q = _quote(v)
        out.append(q)
        size[0] += len(q) + _VALUE_COST
        return
    if t is int:
        if not -_SMALL_INT < v < _SMALL_INT:
            raise _NotPlain
        q = str(v)
        out.append(q)
        size[0] += len(q) + _VALUE_COST
        return
    if v is None:
        out.append("null")
        size[0] += 4 + _VALUE_COST
        return
    if t is bool:
        out.append("true" if v else "false")
        size[0] += (4 if v else 5) + _VALUE_COST
        return
    if t is float:
        if not math.isfinite(v):
            raise _NotPlain
        q = float_str(v)
        out.append(q)
        size[0] += len(q) + _VALUE_COST
        return
    if depth >= _PLAIN_DEPTH or size[0] > size[1]:
        raise _NotPlain
    if t is List or t is tuple:
        if not v:
            out.append("[]")
            size[0] += 1 + _VALUE_COST
            return
        if set(map(type, v)) == _STR_ONLY:
            qs = [_quote(x) for x in v]
            out.append("[" + ",".join(qs) + "]")
            size[0] += 1 + _VALUE_COST + sum(map(len, qs)) + _VALUE_COST * len(qs)
            return
        out.append("[")
        size[0] += 1 + _VALUE_COST
        sep = False
        for x in v:
            if sep:
                out.append(",")
            sep = True
            _encode_plain(x, out, size, depth + 1)
        out.append("]")
        return
    if t is Dict or t is Struct:
        fields = v.fields if t is Struct else v
        if not fields:
            out.append("{}")
            size[0] += 1 + _VALUE_COST
            return
        if t is Dict and set(map(type, v)) != _STR_ONLY:
            raise _NotPlain
        out.append("{")
        size[0] += 1 + _VALUE_COST
        comma = ""
        for k in sorted(fields):
            out.append(comma + _quote(k) + ":")
            comma = ","
            _encode_plain(fields[k], out, size, depth + 1)
        out.append("}")
        return
    raise _NotPlain


_STR_ONLY = {str}


def _encode_loop(th: Any, x: Any, stack: list[_Frame]) -> str:
    out: list[str] = []
    size = 0
    charged = 0
    path: set[int] = set()
    v = x
    while True:
        # write v (a scalar now, or open a container)
        t = type(v)
        s: str | None = None
        if v is None:
            s = "null"
        elif t is bool:
            s = "true" if v else "false"
        elif t is int:
            s = int_str(v, th)
        elif t is float:
            if not math.isfinite(v):
                raise _EncodeError(f"cannot encode non-finite float {float_str(v)}")
            s = float_str(v)
        elif t is str:
            s = _quote(v)
        else:
            if id(v) in path:
                raise _EncodeError("cycle in JSON structure")
            frame: _Frame | None = None
            if t is Dict:
                for k in v:
                    if type(k) is not str:
                        raise _EncodeError(f"dict has {type_name(unbox(k))} key, want string")
                keys = sorted(v)
                frame = _Frame(
                    [(k, f"in dict key {repr_value(k)}", v[k]) for k in keys], True, id(v), "dict"
                )
            elif t is List or t is tuple:
                frame = _Frame(list(v), False, id(v), type_name(v))
            elif t is range or t is Set:
                charge(th, range_len(v) if t is range else len(v.d), 32 if t is range else 64)
                frame = _Frame(list(v), False, id(v), type_name(v))
            elif isinstance(v, HostValue) and (it := v.iterate()) is not None:
                frame = _Frame(host_elements(th, it), False, id(v), type_name(v))
            else:
                fields = _attrs(v)
                if fields is None:
                    raise _EncodeError(f"cannot encode {type_name(v)} as JSON")
                frame = _Frame(
                    [(k, f"in field .{k}", val) for k, val in fields], True, id(v), "struct"
                )
            path.add(frame.oid)
            stack.append(frame)
            s = "{" if frame.obj else "["
        out.append(s)
        size += len(s) + _VALUE_COST
        if th is not None and size - charged >= _CHECK_EVERY:
            n = (size - charged) // ELEMS_PER_STEP
            th.charge(n)
            charged += n * ELEMS_PER_STEP
        # find the next value to write, closing finished containers
        while stack:
            f = stack[-1]
            if f.i < len(f.items):
                item = f.items[f.i]
                f.i += 1
                sep = "," if f.i > 1 else ""
                if f.obj:
                    out.append(sep + _quote(item[0]) + ":")
                    v = item[2]
                else:
                    if sep:
                        out.append(sep)
                    v = item
                break
            out.append("}" if f.obj else "]")
            path.discard(f.oid)
            stack.pop()
        else:
            break
    if th is not None:
        charge(th, size - charged)
    return "".join(out)


def json_encode(th: Any, x: Any, /) -> str:
    return _encode_checked(th, "json.encode", x)


def _encode_checked(th: Any, fname: str, x: Any) -> str:
    try:
        return encode_value(th, x)
    except _EncodeError as e:
        raise EvalError(f"{fname}: {e}") from None


def json_encode_indent(th: Any, x: Any, /, *, prefix: Any = "", indent: Any = "\t") -> str:
    prefix = want_str("json.encode_indent", "prefix", prefix)
    indent = want_str("json.encode_indent", "indent", indent)
    s = _encode_checked(th, "json.encode_indent", x)
    try:
        return _indent(th, s, prefix, indent)
    except _Fail as e:  # pragma: no cover - our own output is valid JSON
        raise EvalError(f"json.encode_indent: {e}") from None


# ---------------------------------------------------------------------------------------------
# decode


class _Fail(Exception):
    """Invalid JSON (``default`` may replace it); ``pos`` is the offset."""

    def __init__(self, msg: str, pos: int) -> None:
        super().__init__(msg)
        self.pos = pos


_WS = " \t\n\r"
_NUM_CHARS = frozenset("0123456789.eE+-")
_CTRL = re.compile("[\x00-\x1f]")
_HEX = frozenset("0123456789abcdefABCDEF")
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                   "t": "\t"}  # fmt: skip


def _scan_string(s: str, i: int) -> tuple[str, int]:
    """Decode the string literal starting at ``s[i] == '"'``; returns (value, end)."""
    j = i + 1
    while True:
        k = s.find('"', j)
        if k < 0:
            raise _Fail("unclosed string literal", i)
        b = 0
        while s[k - 1 - b] == "\\" and k - 1 - b > i:
            b += 1
        if b % 2 == 0:
            break
        j = k + 1
    body = s[i + 1 : k]
    end = k + 1
    if "\\" not in body and body.isascii():
        return body, end
    return _unquote(body, end), end


def _unquote(body: str, pos: int) -> str:
    m = _CTRL.search(body)
    if m:
        raise _Fail(f"invalid character {go_quote_char(m.group())} in string literal", pos)
    if "\\" not in body:
        return body
    parts: list[str] = []
    p = 0
    n = len(body)
    while True:
        k = body.find("\\", p)
        if k < 0:
            parts.append(body[p:])
            return "".join(parts)
        parts.append(body[p:k])
        c = body[k + 1]
        e = _SIMPLE_ESCAPES.get(c)
        if e is not None:
            parts.append(e)
            p = k + 2
            continue
        if c != "u":
            raise _Fail(f"invalid character {go_quote_char(c)} in string escape code", pos)
        cp = _hex4(body, k + 2, pos)
        p = k + 6
        if 0xD800 <= cp < 0xDC00:
            if body.startswith("\\u", p) and p + 6 <= n:
                lo = _hex4(body, p + 2, pos)
                if 0xDC00 <= lo < 0xE000:
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    p += 6
                else:
                    cp = 0xFFFD
            else:
                cp = 0xFFFD
        elif 0xDC00 <= cp < 0xE000:
            cp = 0xFFFD
        parts.append(chr(cp))


def _hex4(body: str, k: int, pos: int) -> int:
    h = body[k : k + 4]
    for c in h:
        if c not in _HEX:
            raise _Fail(
                f"invalid character {go_quote_char(c)} in \\u hexadecimal character escape", pos
            )
    if len(h) < 4:
        raise _Fail("unexpected end of string escape", pos)
    return int(h, 16)


def _scan_number(th: Any, s: str, i: int) -> tuple[Any, int]:
    j = i + 1
    n = len(s)
    is_float = False
    while j < n:
        c = s[j]
        if "0" <= c <= "9":
            pass
        elif c in ".eE+-":
            is_float = True
        else:
            break
        j += 1
    num = s[i:j]
    digits = num[1:] if num[0] == "-" else num
    if digits == "" or digits[0] == "0" and len(digits) > 1 and "0" <= digits[1] <= "9":
        raise _Fail(f"invalid number: {num}", j)
    if is_float:
        try:
            f = float(num)
        except ValueError:
            raise _Fail(f"invalid number: {num}", j) from None
        if math.isinf(f):
            raise _Fail(f"invalid number: {num}", j)
        return f, j
    if not digits.isdigit() or not digits.isascii():
        raise _Fail(f"invalid number: {num}", j)
    if len(digits) > 3000 and th is not None:
        th.charge(big_conversion_cost(len(digits)))
    v = parse_decimal(digits)
    return (-v if num[0] == "-" else v), j


def _skip(s: str, i: int) -> int:
    n = len(s)
    while i < n and s[i] in _WS:
        i += 1
    return i


def _next(s: str, i: int) -> tuple[str, int]:
    """Skip white space; the next character and its offset (EOF is an error)."""
    i = _skip(s, i)
    if i >= len(s):
        raise _Fail("unexpected end of file", i)
    return s[i], i


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON


# Python's own parser, when it accepts the text, reads it as the general decoder below would,
# with four exceptions left to the general decoder: \u escapes of surrogates (which become
# U+FFFD here), NaN and Infinity (refused), floats that overflow to infinity and ints of more
# than 3000 digits (charged here) -- both found by _adopt.
def _object(pairs: list[tuple[str, Any]]) -> Dict:
    """A JSON object as a Dict: its keys are strings, stored as they are (a key given twice
    keeps its first place and its last value, as inserting them one by one does)."""
    d = Dict()
    dict.update(d, pairs)
    return d


_PY_DECODER = _pyjson.JSONDecoder(object_pairs_hook=_object, parse_constant=_refuse_constant)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_BIG_BITS = 9960  # 2**9960 < 10**3000: ints this short have at most 3000 digits
_SCALARS = frozenset({str, bool, type(None)})


def _adopt(v: Any) -> Any:
    """Python's decoding of JSON text as Starlark values (arrays become Lists, in place), or
    ``_NotPlain`` if it holds a value the general decoder reads differently."""
    root = [v]
    stack: list[Any] = [root]
    while stack:
        c = stack.pop()
        if type(c) is Dict:
            if set(map(type, c.values())) <= _SCALARS:
                continue
            items: Any = c.items()
        else:
            if set(map(type, c)) <= _SCALARS:
                continue
            items = enumerate(c)
        for k, x in items:
            t = type(x)
            if t is list:
                x = c[k] = List(x)
                stack.append(x)
            elif t is Dict:
                stack.append(x)
            elif t is int:
                if x.bit_length() > _BIG_BITS:
                    raise _NotPlain
            elif t is float and math.isinf(x):
                raise _NotPlain
    return root[0]


def decode_text(th: Any, s: str) -> Any:
    """Parse JSON text ``s`` into Starlark values (raises ``_Fail``)."""
    charge(th, 16 * len(s))
    if not _SURROGATE_ESCAPE.search(s):
        try:
            return _adopt(_PY_DECODER.decode(s))
        except (ValueError, RecursionError, _NotPlain):
            pass  # invalid, or not plain: the general decoder says which and where
    return _decode_tokens(th, s)


def _decode_tokens(th: Any, s: str) -> Any:
    # stack entries: [container, pending key]
    stack: list[list[Any]] = []
    i = 0
    while True:
        # parse one value starting at i (or open a container)
        c, i = _next(s, i)
        v: Any
        if c == '"':
            v, i = _scan_string(s, i)
        elif c == "[":
            c, i = _next(s, i + 1)
            if c == "]":
                v = List()
                i += 1
            else:
                stack.append([List(), None])
                continue
        elif c == "{":
            c, i = _next(s, i + 1)
            if c == "}":
                v = Dict()
                i += 1
            else:
                key, i = _object_key(th, s, i)
                stack.append([Dict(), key])
                continue
        elif c == "n" and s.startswith("null", i):
            v = None
            i += 4
        elif c == "t" and s.startswith("true", i):
            v = True
            i += 4
        elif c == "f" and s.startswith("false", i):
            v = False
            i += 5
        elif "0" <= c <= "9" or c == "-":
            v, i = _scan_number(th, s, i)
        else:
            raise _Fail(f"unexpected character {go_quote_char(c)}", i)
        # v is complete: add it to its container, closing containers that end here
        while stack:
            top = stack[-1]
            container = top[0]
            if type(container) is List:
                container.append(v)
                c, i = _next(s, i)
                if c == ",":
                    i += 1
                    break
                if c != "]":
                    raise _Fail(f"got {go_quote_char(c)}, want ',' or ']'", i)
            else:
                container[top[1]] = v
                c, i = _next(s, i)
                if c == ",":
                    key, i = _object_key(th, s, i + 1)
                    top[1] = key
                    break
                if c != "}":
                    raise _Fail(f"in object, got {go_quote_char(c)}, want ',' or '}}'", i)
            i += 1
            stack.pop()
            v = container
        else:
            i = _skip(s, i)
            if i < len(s):
                raise _Fail(f"unexpected character {go_quote_char(s[i])} after value", i)
            return v


_KIND_OF = {"[": "list", "{": "dict", "t": "bool", "f": "bool", "n": "NoneType"}


def _object_key(th: Any, s: str, i: int) -> tuple[str, int]:
    """Parse ``"key" :`` at ``i``; returns the key and the offset after the colon."""
    c, i = _next(s, i)
    if c != '"':
        kind = _KIND_OF.get(c)
        if kind is None and ("0" <= c <= "9" or c == "-"):
            v, _ = _scan_number(th, s, i)
            kind = type_name(v)
        if kind is None:
            raise _Fail(f"unexpected character {go_quote_char(c)}", i)
        raise _Fail(f"got {kind} for object key, want string", i)
    key, i = _scan_string(s, i)
    c, i = _next(s, i)
    if c != ":":
        raise _Fail(f"after object key, got {go_quote_char(c)}, want ':' ", i)
    return key, i + 1


def json_decode(th: Any, x: Any, /, default: Any = MISSING) -> Any:
    s = want_str("json.decode", "x", x)
    try:
        return decode_text(th, s)
    except _Fail as e:
        if default is not MISSING:
            return default
        raise EvalError(f"json.decode: at offset {e.pos}, {e}") from None


# ---------------------------------------------------------------------------------------------
# indent

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z0-9.+\-]+")


def _indent(th: Any, s: str, prefix: str, indent: str) -> str:
    """Reformat JSON text like Go's ``json.Indent`` (validating it); raises ``_Fail``."""
    charge(th, 24 * len(s))
    out: list[str] = []
    counts = [0, 0]  # characters written, characters charged
    stack: list[str] = []  # open brackets
    depth = 0
    i = _skip(s, 0)
    n = len(s)
    # What may come next: "value", "value]" (a value or "]"), "key}" (a key or "}"), "key",
    # ":", ",]" (after an array element), ",}" (after an object value), "end".
    want = "value"

    def emit(text: str) -> None:
        out.append(text)
        counts[0] += len(text)
        if th is not None and counts[0] - counts[1] >= _CHECK_EVERY:
            k = (counts[0] - counts[1]) // ELEMS_PER_STEP
            th.charge(k)
            counts[1] += k * ELEMS_PER_STEP

    def newline(d: int) -> str:
        return "\n" + prefix + indent * d

    while i < n:
        c = s[i]
        if want == "value" or want == "value]":
            if c == "]" and want == "value]":  # empty array: "[]"
                stack.pop()
                emit("]")
                i += 1
                want = _after_value(stack)
            elif c == "[" or c == "{":
                stack.append(c)
                close = "]" if c == "[" else "}"
                want = "value]" if c == "[" else "key}"
                j = _skip(s, i + 1)
                if j < n and s[j] == close:
                    emit(c)
                    i = j
                    continue
                depth += 1
                emit(c)
                emit(newline(depth))
                i += 1
            elif c == '"':
                _, j = _scan_string(s, i)
                emit(s[i:j])
                i = j
                want = _after_value(stack)
            else:
                m = _WORD.match(s, i)
                word = m.group() if m else ""
                if word in ("true", "false", "null") or word and _NUMBER.fullmatch(word):
                    emit(word)
                    i += len(word)
                    want = _after_value(stack)
                else:
                    bad = _first_bad(word) if word else c
                    raise _Fail(
                        f"invalid character {go_quote_char(bad)} looking for beginning of value",
                        i,
                    )
        elif want == "key" or want == "key}":
            if c == "}" and want == "key}":  # empty object: "{}"
                stack.pop()
                emit("}")
                i += 1
                want = _after_value(stack)
            elif c == '"':
                _, j = _scan_string(s, i)
                emit(s[i:j])
                i = j
                want = ":"
            else:
                raise _Fail(
                    f"invalid character {go_quote_char(c)} looking for beginning of object key "
                    "string",
                    i,
                )
        elif want == ":":
            if c != ":":
                raise _Fail(f"invalid character {go_quote_char(c)} after object key", i)
            emit(": ")
            i += 1
            want = "value"
        elif want == ",]" or want == ",}":
            close = want[1]
            if c == ",":
                emit(",")
                emit(newline(depth))
                i += 1
                want = "value" if close == "]" else "key"
            elif c == close:
                depth -= 1
                stack.pop()
                emit(newline(depth))
                emit(close)
                i += 1
                want = _after_value(stack)
            else:
                where = "array element" if close == "]" else "object key:value pair"
                raise _Fail(f"invalid character {go_quote_char(c)} after {where}", i)
        else:  # "end"
            raise _Fail(f"invalid character {go_quote_char(c)} after top-level value", i)
        i = _skip(s, i)
    if want != "end":
        raise _Fail("unexpected end of JSON input", i)
    charge(th, counts[0] - counts[1])
    return "".join(out)


def _first_bad(word: str) -> str:
    """The first character at which ``word`` stops being a JSON literal or number."""
    for k in range(len(word), 0, -1):
        p = word[:k]
        if _NUMBER.fullmatch(p) or any(lit.startswith(p) for lit in ("true", "false", "null")):
            return word[k] if k < len(word) else word[-1]
    return word[0]


def _after_value(stack: list[str]) -> str:
    if not stack:
        return "end"
    return ",]" if stack[-1] == "[" else ",}"


def json_indent(th: Any, s: Any, /, *, prefix: Any = "", indent: Any = "\t") -> str:
    s = want_str("json.indent", 1, s)
    prefix = want_str("json.indent", "prefix", prefix)
    indent = want_str("json.indent", "indent", indent)
    try:
        return _indent(th, s, prefix, indent)
    except _Fail as e:
        raise EvalError(f"json.indent: {e}") from None


json_module = Module(
    "json",
    encode=Builtin("json.encode", json_encode),
    decode=Builtin("json.decode", json_decode),
    indent=Builtin("json.indent", json_indent),
    encode_indent=Builtin("json.encode_indent", json_encode_indent),
)

__all__ = ["decode_text", "encode_value", "json_module"]
