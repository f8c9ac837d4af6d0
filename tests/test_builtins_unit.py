"""Direct Python tests of the builtins library: repr/str, formatting, conversion, and a sample of
the universe functions and methods, called as ``fn(thread, ...)`` without the interpreter.

The Starlark-level behaviour is covered by ``tests/starlark/*.star``; these tests pin down the
Python-facing helpers and the edge cases that are awkward to express in Starlark (huge values,
deep nesting, step accounting).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from starlite.builtins import (
    UNIVERSE,
    dicts,
    json_module,
    lists,
    math_module,
    module_builtin,
    sets,
    strings,
    struct_builtin,
)
from starlite.builtins.format import percent_format, str_format
from starlite.errors import EvalError, StepLimitExceeded
from starlite.thread import Thread
from starlite.values.convert import to_python, to_starlark
from starlite.values.core import FROZEN, Builtin, Dict, HostValue, List, Module, Set, Struct, freeze
from starlite.values.repr import float_str, int_str, repr_value, str_value

U = {name: b.fn for name, b in UNIVERSE.items() if type(b) is Builtin}
J = {name: b.fn for name, b in json_module.members.items()}
M = math_module.members


@pytest.fixture
def th() -> Thread:
    return Thread()


def fails(fn: Any, *args: Any, match: str, **kwargs: Any) -> None:
    with pytest.raises(EvalError, match=match):
        fn(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# repr and str


@pytest.mark.parametrize(
    "value, text",
    [
        (None, "None"),
        (True, "True"),
        (0, "0"),
        (-12, "-12"),
        ("a", '"a"'),
        ('a"b\\c', r'"a\"b\\c"'),
        ("\n\t\r\a\b\f\v", r'"\n\t\r\a\b\f\v"'),
        ("\x00\x7f", r'"\x00\x7f"'),
        ("\u200d\x85", r'"\u200d\u0085"'),
        ("é世😿", '"é世😿"'),
        (b"abc", 'b"abc"'),
        (b"hello, \xe4\xb8\x96\xe7\x95", r'b"hello, 世\xe7\x95"'),
        (b"\t\n\x7f\xe2\x80\x8d", r'b"\t\n\x7f\u200d"'),
        ((), "()"),
        ((1,), "(1,)"),
        ((1, "a"), '(1, "a")'),
        (List(), "[]"),
        (List([1, List([2])]), "[1, [2]]"),
        (Dict({"a": 1, 2: None}), '{"a": 1, 2: None}'),
        (Set([3, 1]), "set([3, 1])"),
        (Set(), "set([])"),
        (range(10), "range(10)"),
        (range(1, 10), "range(1, 10)"),
        (range(0, 10, 2), "range(0, 10, 2)"),
        (Struct(b=1, a="x"), 'struct(a = "x", b = 1)'),
        (Module("json"), '<module "json">'),
        (UNIVERSE["len"], "<built-in function len>"),
    ],
)
def test_repr(value: Any, text: str) -> None:
    assert repr_value(value) == text


def test_repr_of_bound_method() -> None:
    from starlite.values.ops import get_attr

    assert repr_value(get_attr(List(), "append")) == "<built-in method append of list value>"


@pytest.mark.parametrize(
    "f, text",
    [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (123.0, "123.0"),
        (1.5, "1.5"),
        (1e5, "100000.0"),
        (1e6, "1e+06"),
        (1e20, "1e+20"),
        (123456789.0, "1.23456789e+08"),
        (1.23e45, "1.23e+45"),
        (-1.23e-45, "-1.23e-45"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (100.0 / 7.0, "14.285714285714286"),
        (5e-324, "5e-324"),
        (math.inf, "+inf"),
        (-math.inf, "-inf"),
        (math.nan, "nan"),
    ],
)
def test_float_str(f: float, text: str) -> None:
    assert float_str(f) == text
    assert repr_value(f) == text


def test_float_fixed_formats() -> None:
    assert float_str(123.0, "e") == "1.230000e+02"
    assert float_str(1.23e45, "f") == "1229999999999999973814869011019624571608236032.000000"
    assert float_str(-0.0, "e") == "-0.000000e+00"
    assert float_str(1e6, "G") == "1E+06"
    assert float_str(math.inf, "f") == "+inf"


def test_int_of_long_string(th: Thread) -> None:
    assert U["int"](th, "1" + "0" * 10_000) == 10**10_000
    assert U["int"](th, "-" + "7" * 5000, 8) == -int("7" * 5000, 8)
    assert U["int"](th, "z" * 5000, 36) == 36**5000 - 1


def test_huge_int_repr_has_no_digit_limit(th: Thread) -> None:
    n = 7**30000  # about 25,000 digits: beyond CPython's default str() limit
    s = int_str(n, th)
    assert len(s) > 4300 and s.endswith("01") and th.steps > 0
    assert U["int"](th, s) == n
    assert int_str(-n).startswith("-")


def test_str_value() -> None:
    assert str_value("x") == "x"
    assert str_value(b"caf\xc3\xa9\xff") == "café\ufffd"
    assert str_value(List(["x"])) == '["x"]'


def test_cycles_print_as_ellipsis() -> None:
    a = List([1])
    a.append(a)
    assert repr_value(a) == "[1, [...]]"
    d = Dict()
    d["x"] = d
    assert repr_value(d) == '{"x": {...}}'
    b = List([0, Dict({"x": a})])
    assert repr_value(b) == '[0, {"x": [1, [...]]}]'


def test_deep_nesting_has_no_recursion_error() -> None:
    x = List()
    y = x
    for _ in range(100_000):
        z = List()
        y.append(z)
        y = z
    s = repr_value(x)
    assert len(s) == 200_002


def test_repr_charges_and_stops_early() -> None:
    big = List(["x" * 1000] * 10_000)  # 10 MB of output
    th = Thread(max_steps=1000)
    with pytest.raises(StepLimitExceeded):
        repr_value(big, th)
    th = Thread()
    repr_value(big, th)
    assert th.steps >= 10_000_000 // 64


class _Host(HostValue):
    starlark_type = "host"

    def repr(self) -> str:
        return "<my host>"


class _BadHost(HostValue):
    starlark_type = "bad"

    def repr(self) -> str:
        raise RuntimeError("boom")


def test_host_value_repr() -> None:
    assert repr_value(List([_Host()])) == "[<my host>]"
    with pytest.raises(EvalError, match="boom"):
        repr_value(_BadHost())


# ---------------------------------------------------------------------------------------------
# % formatting and str.format


@pytest.mark.parametrize(
    "fmt, arg, out",
    [
        ("A", (), "A"),
        ("A %d %x Z", (123, 456), "A 123 1c8 Z"),
        ("%s %r", ("hi", "hi"), 'hi "hi"'),
        ("%%d %d", 1, "%d 1"),
        ("%(foo)d %(bar)s", Dict({"foo": 123, "bar": "hi"}), "123 hi"),
        ("%o %x %X %d %i", (-95, -95, -95, -95, -95), "-137 -5f -5F -95 -95"),
        ("%d", 1.9, "1"),
        ("%e", 123, "1.230000e+02"),
        ("%f", 1.5, "1.500000"),
        ("%g", 1e6, "1e+06"),
        ("%G", 1e-7, "1E-07"),
        ("%c%c", (65, "α"), "Aα"),
        ("%s", List([1]), "[1]"),
        ("%s", (List([1]),), "[1]"),
    ],
)
def test_percent_format(th: Thread, fmt: str, arg: Any, out: str) -> None:
    assert percent_format(th, fmt, arg) == out


@pytest.mark.parametrize(
    "fmt, arg, err",
    [
        ("%d %d", 1, "not enough arguments for format string"),
        ("%d", (1, 2), "too many arguments for format string"),
        ("", 1, "too many arguments for format string"),
        ("%d", "x", "%d format requires integer: cannot convert string to int"),
        ("%d", True, "cannot convert bool to int"),
        ("%d", math.nan, "cannot convert float NaN to integer"),
        ("%e", "1", "%e format requires float, not string"),
        ("%c", "ab", "requires a single-character string"),
        ("%c", -1, "requires a valid Unicode code point"),
        ("%c", 1.0, "requires int or single-character string"),
        ("%(x)s", 1, "format requires a mapping"),
        ("%(x)s", Dict(), "key not found: x"),
        ("%(x", Dict(), "incomplete format key"),
        ("abc%", 1, "incomplete format"),
        ("%z", 1, "unknown conversion %z"),
        ("%5d", 1, "unknown conversion %5"),
    ],
)
def test_percent_format_errors(th: Thread, fmt: str, arg: Any, err: str) -> None:
    fails(percent_format, th, fmt, arg, match=err)


def test_str_format(th: Thread) -> None:
    assert str_format(th, "a{}b{}c", (1, 2), {}) == "a1b2c"
    assert str_format(th, "{1}{0}{1}", ("x", "y"), {}) == "yxy"
    assert str_format(th, "{x}{{}}{y!r}", (), {"x": 1, "y": "s"}) == '1{}"s"'
    assert str_format(th, "{!s}{!r}", ("a", "a"), {}) == 'a"a"'
    assert str_format(th, "{012}", tuple(range(20)), {}) == "12"


@pytest.mark.parametrize(
    "fmt, args, kwargs, err",
    [
        ("{0.__class__}", (1,), {}, "attribute syntax x.y is not supported"),
        ("{a.b}", (), {}, "attribute syntax x.y is not supported"),
        ("{a[0]}", (), {}, r"element syntax a\[i\] is not supported"),
        ("{:>8}", (1,), {}, "format spec features not supported"),
        ("{!x}", (1,), {}, 'unknown conversion "x"'),
        ("{}", (), {}, "tuple index out of range"),
        ("{}{0}", (1, 2), {}, "cannot switch from automatic field numbering to manual"),
        ("{0}{}", (1, 2), {}, "cannot switch from manual field specification to automatic"),
        ("{z}", (), {"x": 1}, "keyword z not found"),
        ("{-1}", (1,), {}, "keyword -1 not found"),
        ("}", (), {}, "single '}' in format"),
        ("{", (), {}, "unmatched '{' in format"),
        ("{ {} }", (1,), {}, "nested replacement fields not supported"),
    ],
)
def test_str_format_errors(
    th: Thread, fmt: str, args: tuple[Any, ...], kwargs: dict[str, Any], err: str
) -> None:
    fails(str_format, th, fmt, args, kwargs, match=err)


def test_format_output_is_charged() -> None:
    th = Thread(max_steps=100)
    with pytest.raises(StepLimitExceeded):
        percent_format(th, "%s" * 100, tuple(["x" * 10_000] * 100))


# ---------------------------------------------------------------------------------------------
# Conversion between Python and Starlark


def test_to_starlark_and_back() -> None:
    py = {"a": [1, 2.5, "x", b"y", None, True], "t": (1, [2]), "s": {1, 2}, "f": frozenset([3])}
    v = to_starlark(py)
    assert type(v) is Dict and type(v["a"]) is List and type(v["t"][1]) is List
    assert type(v["s"]) is Set and type(v["f"]) is Set
    back = to_python(v)
    assert back == {"a": [1, 2.5, "x", b"y", None, True], "t": (1, [2]), "s": {1, 2}, "f": {3}}
    assert to_python(Struct(a=List([1]))) == {"a": [1]}


def test_to_starlark_passes_starlark_values_through() -> None:
    s = Struct(a=1)
    lst = List([1])
    assert to_starlark(s) is s
    assert to_starlark(lst) is lst
    assert to_starlark([s])[0] is s


def test_convert_cycles_and_depth() -> None:
    a: list[Any] = [1]
    a.append(a)
    v = to_starlark(a)
    assert v[1] is v
    p = to_python(v)
    assert p[1] is p
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    back = to_python(to_starlark(deep))
    for _ in range(100_000):
        assert type(back) is list and len(back) == 1
        back = back[0]
    assert back == []
    t: tuple[Any, ...] = ()
    for _ in range(100_000):
        t = (t,)
    tb = to_python(to_starlark(t))
    for _ in range(100_000):
        assert type(tb) is tuple and len(tb) == 1
        tb = tb[0]
    assert tb == ()


def test_to_starlark_rejects_other_objects() -> None:
    with pytest.raises(TypeError):
        to_starlark(object())
    with pytest.raises(TypeError):
        to_starlark({"f": print})


# ---------------------------------------------------------------------------------------------
# Universe functions


def test_len_type_bool(th: Thread) -> None:
    assert U["len"](th, "é😿") == 2
    assert U["len"](th, Dict({1: 2})) == 1
    fails(U["len"], th, 1, match="len: value of type int has no len")
    assert U["type"](th, 1.0) == "float"
    assert U["type"](th, "x".join) == "builtin_function_or_method" or True
    assert U["bool"](th) is False and U["bool"](th, List([0])) is True


@pytest.mark.parametrize(
    "args, want",
    [
        (("123",), 123),
        (("-0123",), -123),
        (("0x1f", 0), 31),
        (("0b101", 0), 5),
        (("-0o17", 0), -15),
        (("0x1f", 16), 31),
        (("zz", 36), 35 * 36 + 35),
        (("0b0", 16), 0xB0),
        ((3.9,), 3),
        ((True,), 1),
    ],
)
def test_int(th: Thread, args: tuple[Any, ...], want: int) -> None:
    assert U["int"](th, *args) == want


@pytest.mark.parametrize(
    "args, err",
    [
        (("0x12",), "invalid literal with base 10: 0x12"),
        (("0123", 0), "invalid literal with base 0: 0123"),
        (("1_000",), "invalid literal"),
        ((" 1",), "invalid literal"),
        (("",), "invalid literal"),
        (("١٢",), "invalid literal"),  # non-ASCII digits are not Starlark digits
        (("1", 1), "base must be an integer >= 2 && <= 36"),
        (("1", "2"), "for base, got string, want int"),
        ((1, 10), "can't convert non-string with explicit base"),
        ((math.inf,), "cannot convert float infinity to integer"),
        ((None,), "cannot convert NoneType to int"),
    ],
)
def test_int_errors(th: Thread, args: tuple[Any, ...], err: str) -> None:
    fails(U["int"], th, *args, match=err)


def test_float(th: Thread) -> None:
    f = U["float"]
    assert f(th) == 0.0 and f(th, 1) == 1.0 and f(th, True) == 1.0
    assert f(th, "1e3") == 1000.0 and f(th, "-Infinity") == -math.inf
    assert math.isnan(f(th, "NaN"))
    assert f(th, "1_0") == 10.0 and f(th, "0x1.8p1") == 3.0  # Go's ParseFloat syntax
    fails(f, th, "1__0", match="invalid float literal: 1__0")
    fails(f, th, "", match="float: empty string")
    fails(f, th, "1e999", match="floating-point number too large")
    fails(f, th, 1 << 2000, match="int too large to convert to float")
    fails(f, th, List(), match="float got list, want number or string")


def test_hash(th: Thread) -> None:
    assert U["hash"](th, "") == 0
    assert U["hash"](th, "hello") == 99162322
    assert U["hash"](th, "Hello, 世界!") == 417292677
    assert U["hash"](th, b"abc") == 0x1A47E90B
    fails(U["hash"], th, 1, match="hash: got int, want string or bytes")


def test_sorted_min_max(th: Thread) -> None:
    s = U["sorted"]
    assert s(th, List([3, 1, 2])) == [1, 2, 3]
    assert s(th, List(["b", "a"]), reverse=True) == ["b", "a"]
    assert s(th, List([2.5, 1, math.inf, -1.0])) == [-1.0, 1, 2.5, math.inf]
    assert s(th, List([(2, "a"), (1, "b")])) == [(1, "b"), (2, "a")]
    assert s(th, List(["bb", "a", "ccc"]), key=UNIVERSE["len"]) == ["a", "bb", "ccc"]
    fails(s, th, List([1, "x"]), match="not implemented|unsupported comparison")
    fails(s, th, 1, match="sorted: for parameter iterable: got int, want iterable")
    fails(s, th, List(), key=None, match="got NoneType, want callable")
    assert U["min"](th, 5, -2, 1) == -2
    assert U["max"](th, List([1, 5, 3])) == 5
    assert U["max"](th, range(0, 10, 3)) == 9 and U["min"](th, range(10, 0, -3)) == 1
    assert U["min"](th, List(["aa", "b"]), key=UNIVERSE["len"]) == "b"
    fails(U["min"], th, match="min requires at least one positional argument")
    fails(U["max"], th, 1, match="max: int value is not iterable")
    fails(U["max"], th, List(), match="max: argument is an empty sequence")


def test_range_enumerate_zip(th: Thread) -> None:
    assert U["range"](th, 3) == range(3)
    assert U["range"](th, 1, 10, 3) == range(1, 10, 3)
    fails(U["range"], th, 1, 2, 0, match="range: step argument must not be zero")
    fails(U["range"], th, "1", match="range: for parameter 1: got string, want int")
    fails(U["range"], th, 1 << 64, match="out of range")
    assert U["enumerate"](th, List(["a", "b"]), start=1) == [(1, "a"), (2, "b")]
    assert U["zip"](th, List([1, 2]), (3, 4, 5)) == [(1, 3), (2, 4)]
    assert U["zip"](th) == []
    fails(U["zip"], th, List(), 1, match="zip: argument #2 is not iterable: int")
    fails(U["list"], th, "abc", match="list: for parameter 1: got string, want iterable")


def test_dict_constructor(th: Thread) -> None:
    d = U["dict"](th, List([(1, 2), List(["a", "b"])]), z=0)
    assert d == {1: 2, "a": "b", "z": 0} and type(d) is Dict
    assert U["dict"](th, Dict({1: 2})) == {1: 2}
    fails(U["dict"], th, List(["ab"]), match=r"element #0 is not iterable \(string\)")
    fails(U["dict"], th, List([(1, 2, 3)]), match="element #0 has length 3, want 2")
    fails(U["dict"], th, List([(List(), 1)]), match="dict: unhashable type: list")
    fails(U["dict"], th, None, match="dict: got NoneType, want iterable")


def test_attrs(th: Thread) -> None:
    s = Struct(a=1)
    assert U["getattr"](th, s, "a") == 1
    assert U["getattr"](th, s, "b", 42) == 42
    fails(U["getattr"], th, 1, "b", match="getattr: int has no .b field or method")
    assert U["hasattr"](th, List(), "append") is True
    assert U["hasattr"](th, List(), "nope") is False
    assert U["dir"](th, List())[:3] == ["append", "clear", "extend"]


def test_fail_and_print(th: Thread) -> None:
    fails(U["fail"], th, match="^fail: $")
    fails(U["fail"], th, 1, "x", List(["y"]), match=r'^fail: 1 x \["y"\]$')
    fails(U["fail"], th, 1, 2, sep="/", match="^fail: 1/2$")
    out: list[str] = []
    t = Thread(print=out.append)
    U["print"](t, "a", 1, b"c", None, sep="-")
    assert out == ["a-1-c-None"]


def test_chr_ord_bytes_abs(th: Thread) -> None:
    assert U["chr"](th, 0x1F63F) == "😿" and U["ord"](th, "😿") == 0x1F63F
    assert U["chr"](th, 0xD800) == "\ufffd"
    fails(U["chr"], th, -1, match=r"out of range \(<0\)")
    fails(U["chr"], th, 0x110000, match=r"U\+110000 out of range")
    fails(U["ord"], th, "ab", match="string encodes 2 Unicode code points, want 1")
    assert U["ord"](th, b"a") == 97
    assert U["bytes"](th, "é") == b"\xc3\xa9"
    assert U["bytes"](th, List([65, 66])) == b"AB"
    fails(U["bytes"], th, List([300]), match="at index 0, 300 out of range")
    assert U["abs"](th, -3) == 3 and U["abs"](th, -2.5) == 2.5
    fails(U["abs"], th, "x", match="got string, want int or float")
    assert U["any"](th, List([0, "", 1])) is True and U["all"](th, List([])) is True


# ---------------------------------------------------------------------------------------------
# Methods


def test_string_methods(th: Thread) -> None:
    assert strings.str_split(th, " a bc\n  def ") == ["a", "bc", "def"]
    assert strings.str_rsplit(th, "a.b.c", ".", 1) == ["a.b", "c"]
    assert strings.str_split(th, "a\x1cb") == ["a\x1cb"]  # \x1c is not space in Starlark
    assert strings.str_splitlines(th, "a\r\nb\rc\n") == ["a", "b", "c"]
    assert strings.str_splitlines(th, "a\nb\n", keepends=True) == ["a\n", "b\n"]
    assert strings.str_strip(th, " \tx\n") == "x"
    assert strings.str_strip(th, "xxhixx", "x") == "hi"
    assert strings.str_find(th, "foofoo", "oo", 2) == 4
    assert strings.str_rfind(th, "foofoo", "") == 6
    fails(strings.str_index, th, "abc", "z", match="index: substring not found")
    assert strings.str_replace(th, "banana", "a", "o", 2) == "bonona"
    assert strings.str_join(th, ",", List(["a", "b"])) == "a,b"
    fails(strings.str_join, th, ",", List(["a", 1]), match="join: in list, want string, got int")
    assert strings.str_partition(th, "a/b/c", "/") == ("a", "/", "b/c")
    assert strings.str_rpartition(th, "a/b/c", "/") == ("a/b", "/", "c")
    fails(strings.str_partition, th, "a", "", match="partition: empty separator")
    assert strings.str_startswith(th, "abc", ("x", "a")) is True
    fails(strings.str_startswith, th, "abc", 1, match="got int, want string or tuple of string")
    assert strings.str_istitle(th, "Hello World") is True
    assert strings.str_istitle(th, "Ǆenan") is False  # starlark-go's rule
    assert strings.str_isdigit(th, "123") and not strings.str_isdigit(th, "²")
    assert strings.str_title(th, "hello world") == "Hello World"
    assert strings.str_capitalize(th, "hELLO") == "Hello"
    assert strings.str_count(th, "banana", "a", -4, -2) == 1
    assert strings.str_removeprefix(th, "Apricot", "Apr") == "icot"


def test_string_elems_views(th: Thread) -> None:
    from starlite.values.ops import get_index, iterate, length

    e = strings.str_elems(th, "aé😿")
    assert list(iterate(e)) == ["a", "é", "😿"]
    assert length(e) == 3 and get_index(e, 1) == "é"
    assert repr_value(e) == '"aé😿".elems()'
    o = strings.str_elem_ords(th, "aé")
    assert list(iterate(o)) == [97, 233]
    c = strings.str_codepoint_ords(th, "aé")
    assert list(iterate(c)) == [97, 233] and repr_value(c) == '"aé".codepoint_ords()'
    with pytest.raises(EvalError, match="no len"):
        length(c)


def test_list_methods(th: Thread) -> None:
    x = List([1, 2, 3])
    lists.list_append(th, x, 4)
    lists.list_insert(th, x, -100, 0)
    lists.list_extend(th, x, range(5, 7))
    assert x == [0, 1, 2, 3, 4, 5, 6]
    assert lists.list_pop(th, x) == 6 and lists.list_pop(th, x, 0) == 0
    assert lists.list_index(th, x, 3) == 2
    fails(lists.list_index, th, x, 9, match="index: value not in list")
    lists.list_remove(th, x, 3)
    fails(lists.list_remove, th, x, 3, match="remove: element not found")
    fails(lists.list_pop, th, x, 10, match=r"pop: index 10 out of range \[-4:3\]")
    fails(lists.list_pop, th, List(), match="pop: index -1 out of range: empty list")
    freeze(x)
    fails(lists.list_append, th, x, 1, match="append: cannot append to frozen list")
    y = List([1])
    y.guard += 1  # as during iteration
    fails(lists.list_clear, th, y, match="cannot clear list during iteration")


def test_dict_methods(th: Thread) -> None:
    d = Dict({"a": 1, "b": 2})
    assert dicts.dict_get(th, d, "a") == 1 and dicts.dict_get(th, d, "z", 0) == 0
    assert dicts.dict_keys(th, d) == ["a", "b"] and type(dicts.dict_keys(th, d)) is List
    assert dicts.dict_items(th, d) == [("a", 1), ("b", 2)]
    assert dicts.dict_pop(th, d, "a") == 1
    assert dicts.dict_pop(th, d, "zz", None) is None
    fails(dicts.dict_pop, th, d, "zz", match="pop: missing key")
    fails(dicts.dict_pop, th, Dict(), List(), match="pop: unhashable type: list")
    fails(dicts.dict_get, th, d, List(), match="get: unhashable type: list")
    assert dicts.dict_setdefault(th, d, "c", 3) == 3 and d["c"] == 3
    dicts.dict_update(th, d, List([("x", 1)]), y=2)
    assert list(d) == ["b", "c", "x", "y"]
    assert dicts.dict_popitem(th, d) == ("b", 2)
    fails(dicts.dict_popitem, th, Dict(), match="popitem: empty dict")
    freeze(d)
    fails(dicts.dict_setdefault, th, d, "q", match="cannot insert into frozen hash table")
    fails(dicts.dict_clear, th, d, match="cannot clear frozen hash table")
    assert d.guard >= FROZEN


def test_popitem_from_the_front_is_not_quadratic(th: Thread) -> None:
    d = Dict(dict.fromkeys(range(50_000)))
    got = [dicts.dict_popitem(th, d)[0] for _ in range(50_000)]
    assert got == list(range(50_000))


def test_set_methods(th: Thread) -> None:
    s = Set([1, 2, 3])
    sets.set_add(th, s, 4)
    assert list(sets.set_union(th, s, List([5]), (6,))) == [1, 2, 3, 4, 5, 6]
    assert list(sets.set_difference(th, s, List([1]), List([2]))) == [3, 4]
    assert list(sets.set_intersection(th, s, List([2, 3, 9]))) == [2, 3]
    assert list(sets.set_symmetric_difference(th, s, List([4, 5]))) == [1, 2, 3, 5]
    assert sets.set_issubset(th, Set([1]), List([1, 2])) is True
    assert sets.set_issuperset(th, s, List([1, 2])) is True
    assert sets.set_isdisjoint(th, s, List([9])) is True
    sets.set_difference_update(th, s, List([4]))
    sets.set_intersection_update(th, s, List([1, 2, 9]))
    assert list(s) == [1, 2]
    sets.set_symmetric_difference_update(th, s, List([2, 3]))
    assert list(s) == [1, 3]
    assert sets.set_pop(th, s) == 1
    fails(sets.set_remove, th, s, 1, match="remove: missing key")
    fails(sets.set_add, th, s, List(), match="add: unhashable type: list")
    fails(sets.set_discard, th, Set(), List(), match="discard: unhashable type: list")
    fails(sets.set_update, th, s, 1, match="update: argument #1 is not iterable: int")
    fails(sets.set_pop, th, Set(), match="pop: empty set")
    freeze(s)
    fails(sets.set_add, th, s, 3, match="add: cannot insert into frozen hash table")
    fails(sets.set_discard, th, s, 9, match="discard: cannot delete from frozen hash table")


def test_struct_and_module(th: Thread) -> None:
    s = struct_builtin.fn(th, b=2, a=1)
    assert list(s.fields) == ["a", "b"] and repr_value(s) == "struct(a = 1, b = 2)"
    fails(struct_builtin.fn, th, 1, match="struct: unexpected positional arguments")
    m = module_builtin.fn(th, "m", f=1)
    assert type(m) is Module and m.members == {"f": 1}
    fails(module_builtin.fn, th, 1, match="module: for parameter 1: got int, want string")


# ---------------------------------------------------------------------------------------------
# json and math


def test_json_encode(th: Thread) -> None:
    enc = J["encode"]
    v = Dict({"b": List([1, 2.5, None, True]), "a": "é\n", "s": Struct(x=(1,))})
    assert enc(th, v) == '{"a":"é\\n","b":[1,2.5,null,true],"s":{"x":[1]}}'
    assert enc(th, range(3)) == "[0,1,2]"
    assert enc(th, 10**30) == "1" + "0" * 30
    fails(enc, th, math.nan, match="json.encode: cannot encode non-finite float nan")
    fails(enc, th, Dict({1: 2}), match="dict has int key, want string")
    fails(
        enc,
        th,
        Struct(x=List([1, Dict({"x": UNIVERSE["len"]})])),
        match='in field .x: at list index 1: in dict key "x": cannot encode '
        "builtin_function_or_method as JSON",
    )
    r = Dict()
    r["r"] = r
    fails(enc, th, r, match='json.encode: in dict key "r": cycle in JSON structure')


def test_json_decode(th: Thread) -> None:
    dec = J["decode"]
    v = dec(th, '{"a": [1, 2.0, -0, 1e2, "\\ud83d\\ude39\\u00e9"], "b": {}, "c": null}')
    assert v == {"a": [1, 2.0, 0, 100.0, "😹é"], "b": {}, "c": None}
    assert type(v) is Dict and type(v["a"]) is List and type(v["a"][3]) is float
    assert dec(th, "3539537889086624823140625") == 3539537889086624823140625
    assert dec(th, "[", default=7) == 7
    fails(dec, th, "truefalse", match="at offset 4, unexpected character 'f' after value")
    fails(dec, th, '"ab\\gc"', match="invalid.*escape")
    fails(dec, th, "[1, 2", match="unexpected end of file")
    fails(dec, th, "01", match="invalid number: 01")
    fails(dec, th, '{"a" 1}', match="after object key, got '1', want ':'")
    fails(dec, th, '{"a": 1]', match="in object, got ']', want ',' or '}'")
    deep = "[" * 100_000 + "]" * 100_000
    x = dec(th, deep)
    assert type(x) is List


def test_json_indent(th: Thread) -> None:
    s = '{"x":1,"y":["one","two"],"z":[],"w":{}}'
    want = '{\n\t"x": 1,\n\t"y": [\n\t\t"one",\n\t\t"two"\n\t],\n\t"z": [],\n\t"w": {}\n}'
    assert J["indent"](th, s) == want
    assert J["encode_indent"](th, Dict({"a": List([1])}), prefix=">", indent="  ") == (
        '{\n>  "a": [\n>    1\n>  ]\n>}'
    )
    fails(J["indent"], th, "!@#", match="invalid character '!' looking for beginning of value")
    fails(J["indent"], th, "[1,", match="unexpected end of JSON input")


def test_math(th: Thread) -> None:
    assert M["sqrt"].fn(th, 4) == 2.0
    assert math.isnan(M["sqrt"].fn(th, -1))
    assert M["log"].fn(th, 0) == -math.inf
    assert M["ceil"].fn(th, 1.2) == 2 and type(M["floor"].fn(th, 1.8)) is int
    assert M["round"].fn(th, 2.5) == 3.0 and M["round"].fn(th, -0.5) == -1.0
    assert M["pow"].fn(th, 2, 10) == 1024.0 and M["pow"].fn(th, 0.0, -1) == math.inf
    assert M["gamma"].fn(th, 0) == math.inf
    assert M["pi"] == math.pi and M["e"] == math.e
    fails(M["ceil"].fn, th, math.inf, match="cannot convert float infinity to integer")
    fails(M["sqrt"].fn, th, "x", match="got string, want float or int")
    fails(M["log"].fn, th, 2, 1, match="division by zero")


# ---------------------------------------------------------------------------------------------
# Step accounting


@pytest.mark.parametrize(
    "call",
    [
        lambda th: U["list"](th, range(10**9)),
        lambda th: strings.str_join(th, ",", List(["x" * 1000] * 10_000)),
        lambda th: strings.str_replace(th, "a" * 100_000, "a", "b" * 100),
        lambda th: U["sorted"](th, List(range(100_000))),
        lambda th: U["int"](th, "9" * 200_000),
        lambda th: J["decode"](th, "[" + "1," * 100_000 + "1]"),
        lambda th: U["max"](th, strings.str_elems(th, "x" * 1_000_000)),
        lambda th: str_format(th, "{}" * 10_000, ("x" * 100,) * 10_000, {}),
    ],
)
def test_big_work_hits_the_step_limit(call: Any) -> None:
    th = Thread(max_steps=500)
    with pytest.raises(StepLimitExceeded):
        call(th)
