"""The adversarial corpus of ``tests/test_security.py`` (also the seeds of ``tests/fuzz.py``).

Each case is ``(id, source, expect)``: ``expect`` is ``None`` (the run must succeed) or
``(error class name, regex)`` the clean Starlark error must match. Every case runs with
``max_steps=MAX_STEPS`` and every dialect switch on, and must end within ``TIME_LIMIT``
seconds and ``MEM_LIMIT`` bytes of traced Python allocations.
"""

from __future__ import annotations

import itertools
from typing import Any

import starlite

MAX_STEPS = 100_000
TIME_LIMIT = 2.0
MEM_LIMIT = 200 * 1024 * 1024

OPTIONS = starlite.Options(
    set=True, while_=True, recursion=True, top_level_control=True, global_reassign=True
)

STEPS = ("StepLimitExceeded", r"too many steps")

# The paths that materialise an iterable on the script's behalf (MATERIALISING, below) must stop
# tighter: within MAT_CPU_LIMIT seconds of CPU time and MAT_MEM_LIMIT bytes of traced memory.
MAT_CPU_LIMIT = 0.5
MAT_MEM_LIMIT = 50 * 1024 * 1024


class Endless(starlite.HostValue):
    """A host value whose ``iterate()`` never ends: 0, 1, 2, ... or one value again and again."""

    starlark_type = "endless"

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def iterate(self) -> Any:
        return itertools.count() if self.value is None else itertools.repeat(self.value)


def predeclared() -> dict[str, Any]:
    from starlite.builtins import json_module, math_module, module_builtin, struct_builtin

    return {
        "json": json_module,
        "math": math_module,
        "struct": struct_builtin,
        "module": module_builtin,
        "secret": starlite.Builtin("secret", lambda thread: "s3cr3t"),
        "host": starlite.Struct(name="host", n=1),
        "endless": Endless(),
        "endless_zeros": Endless(0),
        "endless_pairs": Endless((1, 2)),
        "endless_strs": Endless("ab"),
    }


def _square_tree(depth: int) -> str:
    """``((x * x) * (x * x)) * ...``, ``depth`` levels: x ** (2 ** depth) from one local."""
    return "x" if depth == 0 else f"({_square_tree(depth - 1)} * {_square_tree(depth - 1)})"


def _loop(body: str, n: str = "1 << 40") -> str:
    return f"x = 'x'\nl = [0]\nfor i in range({n}):\n" + "".join(
        "    " + ln + "\n" for ln in body.splitlines()
    )


CASES: list[tuple[str, str, tuple[str, str] | None]] = [
    # ---- memory bombs: one operation --------------------------------------------------------
    ("str_repeat_huge", "'x' * (1 << 40)", ("EvalError", "excessive repeat|too large")),
    ("list_repeat_huge", "[0] * (1 << 40)", ("EvalError", "excessive repeat|too large")),
    ("tuple_repeat_huge", "(1, 2) * (1 << 40)", ("EvalError", "excessive repeat|too large")),
    ("bytes_repeat_huge", "b'ab' * (1 << 40)", ("EvalError", "excessive repeat|too large")),
    ("str_repeat_limit", "'x' * 100000000", STEPS),
    ("list_repeat_limit", "[0] * 100000000", STEPS),
    ("int_repeat_str", "(1 << 30) * 'abc'", ("EvalError", "excessive repeat|too large")),
    ("shift_huge", "1 << 1000000000", ("EvalError", "shift count too large")),
    ("shift_negative", "1 << -1", ("EvalError", "negative shift count")),
    ("range_materialised", "list(range(1000000000000))", STEPS),
    ("range_huge_len", "len(range(1 << 100))", ("EvalError", "out of range")),
    ("range_tuple", "tuple(range(1000000000000))", STEPS),
    ("range_sorted", "sorted(range(1000000000))", STEPS),
    ("range_reversed", "reversed(range(1000000000000))", STEPS),
    ("enumerate_huge", "enumerate(range(1000000000000))", STEPS),
    ("zip_huge", "zip(range(1000000000000), range(1000000000000))", STEPS),
    ("set_huge", "set(range(1000000000000))", STEPS),
    ("dict_huge", "dict([(i, i) for i in range(1000000000000)])", STEPS),
    ("dict_fromzip", "dict(zip(range(1000000000000), range(1000000000000)))", STEPS),
    ("list_comp_huge", "[i for i in range(1000000000000)]", STEPS),
    ("join_huge", "s = 'x' * 1000000\n','.join([s] * 1000)", STEPS),
    ("join_range", "','.join([str(i) for i in range(1000000000)])", STEPS),
    ("join_chars", "','.join(('x' * 4000000).elems())", STEPS),
    ("split_huge", "s = 'a,' * 3000000\ns.split(',')", STEPS),
    ("splitlines_huge", "s = 'a\\n' * 3000000\ns.splitlines()", STEPS),
    ("elems_huge", "list(('x' * 3000000).elems())", STEPS),
    ("codepoints_huge", "list(('x' * 3000000).codepoints())", STEPS),
    ("replace_amplify", "s = 'a' * 100000\ns.replace('a', 'b' * 10000)", STEPS),
    ("replace_empty", "s = 'a' * 100000\ns.replace('', 'xxxxxxxxxx' * 1000)", STEPS),
    ("str_mul_concat", "s = 'x' * 1000\nfor i in range(100):\n    s = s + s", STEPS),
    ("str_doubling", "s = 'x'\nfor i in range(64):\n    s += s", STEPS),
    ("list_doubling", "s = [0]\nfor i in range(64):\n    s += s", STEPS),
    ("list_doubling_extend", "s = [0]\nfor i in range(64):\n    s.extend(s)", STEPS),
    ("tuple_doubling", "s = (0,)\nfor i in range(64):\n    s = s + s", STEPS),
    ("bytes_doubling", "s = b'x'\nfor i in range(64):\n    s = s + s", STEPS),
    ("dict_doubling", "d = {0: 0}\nfor i in range(64):\n    d = d | {k + len(d): v for k, v in d.items()}", STEPS),
    ("dict_update_growth", "d = {}\nfor i in range(1 << 40):\n    d[i] = i", STEPS),
    ("nested_list_growth", "l = [0]\nfor i in range(60):\n    l = [l, l, l, l]", None),
    ("nested_list_str", "l = [0]\nfor i in range(60):\n    l = [l, l, l, l]\nstr(l)", STEPS),
    ("nested_list_eq", "l = [0]\nm = [0]\nfor i in range(60):\n    l = [l, l, l, l]\n    m = [m, m, m, m]\nl == m", STEPS),
    ("nested_tuple_hash", "t = (0,)\nfor i in range(60):\n    t = (t, t, t, t)\nhash(t)", ("EvalError", "too many steps|hash")),
    ("nested_tuple_dictkey", "t = (0,)\nfor i in range(60):\n    t = (t, t, t, t)\n{t: 1}", STEPS),
    ("nested_tuple_set", "t = (0,)\nfor i in range(60):\n    t = (t, t, t, t)\nset([t])", STEPS),
    ("nested_tuple_in_dict", "t = (0,)\nfor i in range(60):\n    t = (t, t, t, t)\nt in {}", STEPS),
    ("nested_list_json", "l = [0]\nfor i in range(60):\n    l = [l, l, l, l]\njson.encode(l)", STEPS),
    ("nested_list_sorted", "l = [0]\nm = [0]\nfor i in range(60):\n    l = [l, l]\n    m = [m, m]\nsorted([l, m, l, m])", STEPS),
    ("nested_list_in", "l = [0]\nm = [0]\nfor i in range(60):\n    l = [l, l]\n    m = [m, m]\nl in [m, m]", STEPS),
    ("nested_list_index", "l = [0]\nm = [0]\nfor i in range(60):\n    l = [l, l]\n    m = [m, m]\n[m, l].index(l)", STEPS),
    ("nested_list_lt", "l = [0]\nm = [1]\nfor i in range(60):\n    l = [l, l]\n    m = [m, m]\nl < m", None),
    ("nested_list_freeze_repr", "l = [0]\nfor i in range(60):\n    l = [l, l]\nrepr(l)", STEPS),
    ("nested_struct_eq", "l = struct(a = 0)\nm = struct(a = 0)\nfor i in range(60):\n    l = struct(a = l, b = l)\n    m = struct(a = m, b = m)\nl == m", STEPS),
    ("nested_struct_hash", "l = struct(a = 0)\nfor i in range(60):\n    l = struct(a = l, b = l)\nhash(l)", ("EvalError", "too many steps|hash")),
    ("nested_struct_key", "l = struct(a = 0)\nfor i in range(60):\n    l = struct(a = l, b = l)\n{l: 1}", STEPS),
    ("json_encode_huge", "json.encode([[0] * 1000] * 100000)", STEPS),
    ("json_indent_huge", "json.indent(json.encode([[0] * 1000] * 1000), indent='          ')", STEPS),
    ("json_decode_huge", "json.decode('[' + '0,' * 3000000 + '0]')", STEPS),
    ("str_of_big_int", "assert_eq(len(str(int('1' + '0' * 100000))), 100001)", None),
    ("big_int_doubling", "x = 3\nfor i in range(100):\n    x = x * x", STEPS),
    ("big_int_square_str", "x = 7\nfor i in range(30):\n    x = x * x\nstr(x)", STEPS),
    ("big_int_shift_loop", "x = 1\nfor i in range(1 << 30):\n    x = x << 511", STEPS),
    ("big_int_add_loop", "x = 1 << 500\nfor i in range(30):\n    x = (x << 500) + x", None),
    ("big_int_mul_loop", "x = (1 << 511) - 1\ny = x\nfor i in range(1 << 30):\n    x = x * y", STEPS),
    ("big_int_floordiv", "x = 1\nfor i in range(5000):\n    x = x << 500\nfor i in range(100000):\n    x // 3", STEPS),
    ("big_int_mod_str", "x = 1\nfor i in range(20000):\n    x = x << 500\n'%d' % x", STEPS),
    ("big_int_format", "x = 1\nfor i in range(20000):\n    x = x << 500\n'{}'.format(x)", STEPS),
    ("big_int_repr", "x = 1\nfor i in range(20000):\n    x = x << 500\nrepr([x])", STEPS),
    ("big_int_json", "x = 1\nfor i in range(20000):\n    x = x << 500\njson.encode(x)", STEPS),
    ("big_int_float", "x = 1\nfor i in range(4):\n    x = x << 500\nfloat(x)", ("EvalError", "too large|overflow")),
    ("big_int_truediv", "x = 1 << 2000\nx / 3", ("EvalError", "too large")),
    ("big_int_hash", "x = int('f' * 100000, 16)\nhash(x)", ("EvalError", "hash")),
    ("big_int_or_loop", "x = int('f' * 250000, 16)\nfor i in range(1 << 30):\n    x | x", STEPS),
    ("big_int_neg_loop", "x = int('f' * 250000, 16)\nfor i in range(1 << 30):\n    -x", STEPS),
    ("big_int_div_big", "x = int('f' * 250000, 16)\ny = int('7' * 120000, 16)\nfor i in range(1 << 30):\n    x // y", STEPS),
    ("big_int_mod_big", "x = int('f' * 250000, 16)\ny = int('7' * 120000, 16)\nfor i in range(1 << 30):\n    x % y", STEPS),
    ("big_int_mul_big", "x = int('f' * 250000, 16)\nfor i in range(1 << 30):\n    x * x", STEPS),
    ("big_int_pow_loop", "x = 2\nfor i in range(40):\n    x = x * x * x", STEPS),
    # one fused arithmetic tree reusing a local: every value it computes must stay as small as
    # the ordinary operators' fast paths keep theirs, or its work outgrows its steps
    ("big_int_fused_square_tree", "def f(x):\n    for i in range(1 << 30):\n        y = "
     + _square_tree(12) + " % 7\nf(int('9' * 300))", STEPS),
    # & | ^ on big ints are linear in the operands' size, so they are charged by it
    ("big_int_bitwise_loop", "def f(x):\n    for i in range(1 << 30):\n        y = x & x\n"
     "        y = x | 1\n        y = x ^ x\nf(int('f' * 250000, 16))", STEPS),
    ("int_of_huge_str", "int('9' * 5000)", None),
    ("int_of_huger_str", "int('9' * 5000000)", STEPS),
    ("int_of_huge_hex", "int('f' * 3000000, 16)", None),
    ("percent_d_huge", "'%d' % int('1' + '0' * 5000)", None),
    ("percent_x_huge", "'%x' % int('f' * 25000, 16)", None),
    ("percent_many", "('%s' * 1000000) % tuple(range(1000000))", STEPS),
    ("percent_repeat_arg", "'%s%s%s%s' % (('x' * 3000000,) * 4)", STEPS),
    ("percent_width", "'%999999999d' % 1", ("EvalError", "")),
    ("percent_dict", "'%(a)s' * 100000 % {'a': 'x' * 1000}", STEPS),
    ("format_many", "('{}' * 1000000).format(*range(1000000))", STEPS),
    ("format_repeat_arg", "('{0}' * 10000).format('x' * 100000)", STEPS),
    ("format_spec_width", "'{:999999999}'.format(1)", ("EvalError", "")),
    ("str_of_huge_list", "str(list(range(10000000)))", STEPS),
    ("repr_of_huge_dict", "repr({i: i for i in range(10000000)})", STEPS),
    ("print_huge", "print('x' * 100000000)", STEPS),
    ("fail_huge", "fail('x' * 100000000)", STEPS),
    ("ljust_bomb", "'x'.ljust(1000000000)", ("EvalError", "")),
    ("center_bomb", "'x'.center(1000000000)", ("EvalError", "")),
    ("zfill_bomb", "'x'.zfill(1000000000)", ("EvalError", "")),
    ("expandtabs_bomb", "('\\t' * 100000).expandtabs(10000)", ("EvalError", "")),
    ("bytes_bomb", "bytes('x' * 100000000)", STEPS),
    ("list_insert_loop", "l = list(range(100000))\nfor i in range(1 << 30):\n    l.insert(0, i)", STEPS),
    ("list_pop0_loop", "l = list(range(1000000))\nfor i in range(1 << 30):\n    l.pop(0)", STEPS),
    ("list_slice_loop", "l = list(range(1000000))\nfor i in range(1 << 30):\n    l[:]", STEPS),
    ("str_slice_loop", "s = 'x' * 1000000\nfor i in range(1 << 30):\n    s[1:]", STEPS),
    ("str_reverse_slice", "s = 'x' * 5000000\nfor i in range(1 << 30):\n    s[::-1]", STEPS),
    ("list_copy_loop", "l = list(range(1000000))\nfor i in range(1 << 30):\n    list(l)", STEPS),
    ("dict_copy_loop", "d = {i: i for i in range(100000)}\nfor i in range(1 << 30):\n    dict(d)", STEPS),
    ("set_ops_loop", "a = set(range(100000))\nb = set(range(50000, 150000))\nfor i in range(1 << 30):\n    a | b", STEPS),
    ("set_union_method", "a = set(range(100000))\nfor i in range(1 << 30):\n    a.union(a)", STEPS),
    ("dict_items_loop", "d = {i: i for i in range(100000)}\nfor i in range(1 << 30):\n    d.items()", STEPS),
    ("tuple_loop", "l = list(range(1000000))\nfor i in range(1 << 30):\n    tuple(l)", STEPS),
    # ---- CPU bombs through single builtins ---------------------------------------------------
    ("str_in_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    'b' in s", STEPS),
    ("str_in_quadratic", "s = 'a' * 1000000\nt = 'a' * 500000 + 'b'\nfor i in range(1 << 30):\n    t in s", STEPS),
    ("str_eq_loop", "s = 'a' * 5000000\nt = 'a' * 5000000\nfor i in range(1 << 30):\n    s == t", STEPS),
    ("str_lt_loop", "s = 'a' * 5000000\nt = 'a' * 5000000\nfor i in range(1 << 30):\n    s < t", STEPS),
    ("list_eq_loop", "s = [0] * 3000000\nt = [0] * 3000000\nfor i in range(1 << 30):\n    s == t", STEPS),
    ("list_lt_loop", "s = [0] * 3000000\nt = [0] * 3000000\nfor i in range(1 << 30):\n    s < t", STEPS),
    ("list_in_loop", "s = [0] * 3000000\nfor i in range(1 << 30):\n    1 in s", STEPS),
    ("tuple_in_loop", "s = (0,) * 3000000\nfor i in range(1 << 30):\n    'a' in s", STEPS),
    ("dict_eq_loop", "d = {i: i for i in range(12000)}\ne = {i: i for i in range(12000)}\nfor i in range(1 << 30):\n    d == e", STEPS),
    ("str_count_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    s.count('b')", STEPS),
    ("str_find_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    s.find('b')", STEPS),
    ("str_rfind_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    s.rfind('ab')", STEPS),
    ("str_index_loop", "s = 'a' * 5000000 + 'b'\nfor i in range(1 << 30):\n    s.index('b')", STEPS),
    ("str_startswith_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    s.startswith(s)", STEPS),
    ("str_endswith_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    s.endswith(s)", STEPS),
    ("str_upper_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    s.upper()", STEPS),
    ("str_strip_loop", "s = ' ' * 5000000 + 'a'\nfor i in range(1 << 30):\n    s.strip()", STEPS),
    ("str_isalpha_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    s.isalpha()", STEPS),
    ("str_partition_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    s.partition('b')", STEPS),
    ("str_hash_loop", "for i in range(1 << 30):\n    hash('a' * 1000000)", STEPS),
    ("str_len_loop", "s = 'a' * 5000000\nfor i in range(1 << 30):\n    len(s)", STEPS),
    ("str_ord_loop", "for i in range(1 << 30):\n    ord('é')", STEPS),
    ("list_index_loop", "l = [0] * 3000000 + [1]\nfor i in range(1 << 30):\n    l.index(1)", STEPS),
    ("list_remove_loop", "l = [0] * 3000000\nfor i in range(1 << 30):\n    l.remove(0)\n    l.append(0)", STEPS),
    ("list_sort_loop", "l = list(range(300000))\nfor i in range(1 << 30):\n    sorted(l)", STEPS),
    ("sorted_key", "sorted(range(1000000), key=lambda x: -x)", STEPS),
    ("sorted_key_loop", "l = list(range(12000))\nfor i in range(1 << 30):\n    sorted(l, key = lambda x: x)", STEPS),
    ("sorted_strings", "l = ['a' * 100000 + str(i) for i in range(200)]\nfor i in range(1 << 30):\n    sorted(l)", STEPS),
    ("min_max_loop", "l = list(range(3000000))\nfor i in range(1 << 30):\n    max(l)", STEPS),
    ("any_all_loop", "l = [0] * 3000000\nfor i in range(1 << 30):\n    any(l)", STEPS),
    ("sum_like_loop", "l = [1] * 3000000\nfor i in range(1 << 30):\n    len(l)", STEPS),
    ("set_contains_list", "s = set(range(3000000))\nfor i in range(1 << 30):\n    s.issubset(s)", STEPS),
    ("big_int_compare", "x = 1 << 511\nfor i in range(3000):\n    x = x << 511\ny = x + 0\nfor i in range(1 << 30):\n    x == y", STEPS),
    ("big_int_int_str_loop", "s = '9' * 4000\nfor i in range(1 << 30):\n    int(s)", STEPS),
    ("big_int_str_loop", "x = int('1' + '0' * 4000)\nfor i in range(1 << 30):\n    str(x)", STEPS),
    ("recursion_deep", "def f(n):\n    return f(n + 1)\nf(0)", ("EvalError", "too many steps|depth|recursion")),
    ("recursion_wide", "def f(n):\n    if n == 0:\n        return 1\n    return f(n - 1) + f(n - 1)\nf(60)", STEPS),
    ("mutual_recursion", "def f(n):\n    return g(n)\ndef g(n):\n    return f(n)\nf(0)", ("EvalError", "too many steps|depth|recursion")),
    ("lambda_recursion", "f = lambda n: f(n)\nf(0)", ("EvalError", "too many steps|depth|recursion")),
    ("while_true", "while True:\n    pass", STEPS),
    ("while_true_break_never", "x = 0\nwhile True:\n    x += 1", STEPS),
    ("for_over_growing_list", "l = [0]\nfor x in l:\n    l.append(x)", ("EvalError", "during iteration")),
    ("nested_loops", "for i in range(1 << 30):\n    for j in range(1 << 30):\n        pass", STEPS),
    ("comprehension_nested", "[[j for j in range(1 << 30)] for i in range(1 << 30)]", STEPS),
    ("callback_recursion_sorted", "def f(x):\n    return sorted([1, 2], key = f)\nf(1)", ("EvalError", "too many steps|depth|recursion|compare")),
    ("builtin_method_recursion", "def f(x):\n    return [f(x)]\nf(1)", ("EvalError", "too many steps|depth|recursion")),
    # ---- cycles and deep values ---------------------------------------------------------------
    ("cycle_str", "a = []\na.append(a)\nstr(a)", None),
    ("cycle_repr_value", "a = []\na.append(a)\nassert_eq(str(a), '[[...]]')", None),
    ("cycle_dict_str", "d = {}\nd['k'] = d\nassert_eq(str(d), '{\"k\": {...}}')", None),
    ("cycle_eq", "a = []\na.append(a)\na == a", ("EvalError", "recursion|depth")),
    ("cycle_eq_other", "a = []\na.append(a)\nb = []\nb.append(b)\na == b", ("EvalError", "recursion|depth")),
    ("cycle_lt", "a = []\na.append(a)\nb = []\nb.append(b)\na < b", ("EvalError", "recursion|depth")),
    ("cycle_hash", "a = []\na.append(a)\nhash(a)", ("EvalError", "unhashable|hash")),
    ("cycle_sorted", "a = []\na.append(a)\nb = []\nb.append(b)\nsorted([a, b])", ("EvalError", "recursion|depth")),
    ("cycle_in", "a = []\na.append(a)\nb = []\nb.append(b)\na in [b]", ("EvalError", "recursion|depth")),
    ("cycle_index", "a = []\na.append(a)\nb = []\nb.append(b)\n[b].index(a)", ("EvalError", "recursion|depth")),
    ("cycle_json", "a = []\na.append(a)\njson.encode(a)", ("EvalError", "cycle|recursion|depth")),
    ("cycle_dict_json", "d = {}\nd['k'] = d\njson.encode(d)", ("EvalError", "cycle|recursion|depth")),
    ("cycle_freeze", "a = []\na.append(a)\nd = {'a': a}\nd['d'] = d", None),
    ("cycle_extend", "a = [1]\na.extend(a)\na += a\nassert_eq(len(a), 4)", None),
    ("cycle_list_in_dict_eq", "d = {}\nd[1] = [d]\ne = {}\ne[1] = [e]\nd == e", ("EvalError", "recursion|depth")),
    ("deep_list_str", "a = []\nfor i in range(12000):\n    a = [a]\nstr(a)", None),
    ("deep_list_eq", "a = []\nb = []\nfor i in range(12000):\n    a = [a]\n    b = [b]\na == b", ("EvalError", "recursion|depth")),
    ("deep_list_lt", "a = []\nb = [1]\nfor i in range(12000):\n    a = [a]\n    b = [b]\na < b", ("EvalError", "recursion|depth")),
    ("deep_list_json", "a = []\nfor i in range(12000):\n    a = [a]\njson.encode(a)", None),
    ("deep_list_json_decode", "json.decode('[' * 100000 + ']' * 100000)", None),
    ("deep_tuple_hash", "a = ()\nfor i in range(12000):\n    a = (a,)\nhash(a)", ("EvalError", "depth|recursion|hash")),
    ("deep_tuple_dictkey", "a = ()\nfor i in range(12000):\n    a = (a,)\n{a: 1}", ("EvalError", "depth|recursion")),
    ("deep_tuple_set", "a = ()\nfor i in range(12000):\n    a = (a,)\nset([a])", ("EvalError", "depth|recursion")),
    ("deep_tuple_dict_builtin", "a = ()\nfor i in range(12000):\n    a = (a,)\ndict([(a, 1)])", ("EvalError", "depth|recursion")),
    ("deep_tuple_dict_get", "a = ()\nfor i in range(12000):\n    a = (a,)\n{}.get(a)", ("EvalError", "depth|recursion")),
    ("deep_tuple_in_dict", "a = ()\nfor i in range(12000):\n    a = (a,)\na in {}", ("EvalError", "depth|recursion")),
    ("deep_tuple_set_add", "a = ()\nfor i in range(12000):\n    a = (a,)\ns = set()\ns.add(a)", ("EvalError", "depth|recursion")),
    ("deep_tuple_eq", "a = ()\nb = ()\nfor i in range(12000):\n    a = (a,)\n    b = (b,)\na == b", ("EvalError", "depth|recursion")),
    ("deep_tuple_str", "a = ()\nfor i in range(12000):\n    a = (a,)\nstr(a)", None),
    ("deep_zip_hash", "a = [()]\nfor i in range(15000):\n    a = zip(a)\n{a[0]: 1}", ("EvalError", "depth|recursion")),
    ("deep_struct_str", "a = struct()\nfor i in range(12000):\n    a = struct(a = a)\nstr(a)", None),
    ("deep_struct_eq", "a = struct()\nb = struct()\nfor i in range(6000):\n    a = struct(a = a)\n    b = struct(a = b)\na == b", ("EvalError", "depth|recursion")),
    ("deep_struct_hash", "a = struct()\nfor i in range(12000):\n    a = struct(a = a)\nhash(a)", ("EvalError", "depth|recursion|hash")),
    ("deep_dict_str", "a = {}\nfor i in range(12000):\n    a = {1: a}\nstr(a)", None),
    ("deep_closure", "f = lambda: 0\nfor i in range(12000):\n    f = (lambda g: lambda: g())(f)\nf()", ("EvalError", "depth|recursion")),
    ("deep_freeze", "a = []\nfor i in range(12000):\n    a = [a]\nb = a", None),
    # ---- sandbox: attributes of the Python objects are unreachable ----------------------------
    ("dunder_class", "''.__class__", ("EvalError", "has no .__class__ field")),
    ("dunder_list", "[].__class__", ("EvalError", "has no .__class__")),
    ("dunder_func_globals", "def f():\n    pass\nf.__globals__", ("EvalError", "has no .__globals__")),
    ("dunder_func_code", "def f():\n    pass\nf.__code__", ("EvalError", "has no .__code__")),
    ("func_globals", "def f():\n    pass\nf.func_globals", ("EvalError", "has no .func_globals")),
    ("builtin_fn_attr", "len.fn", ("EvalError", "has no .fn field")),
    ("builtin_self", "len.__self__", ("EvalError", "has no .__self__")),
    ("method_recv", "[].append.recv", ("EvalError", "has no .recv")),
    ("method_fn", "[].append.fn", ("EvalError", "has no .fn")),
    ("list_guard", "[].guard", ("EvalError", "has no .guard")),
    ("set_d", "set([1]).d", ("EvalError", "has no .d field")),
    ("struct_fields", "struct(a = 1).fields", ("EvalError", "has no .fields")),
    ("struct_dict", "struct(a = 1).__dict__", ("EvalError", "has no .__dict__")),
    ("module_members", "json.members", ("EvalError", "has no .members")),
    ("module_name_attr", "json.__name__", ("EvalError", "has no .__name__")),
    ("host_struct_class", "host.__class__", ("EvalError", "has no .__class__")),
    ("host_builtin", "secret.fn", ("EvalError", "has no .fn")),
    ("dict_subclasses", "{}.__subclasses__", ("EvalError", "has no .__subclasses__")),
    ("mro", "''.mro", ("EvalError", "has no .mro")),
    ("int_attr", "(1).__add__", ("EvalError", "has no .__add__")),
    ("none_attr", "None.__class__", ("EvalError", "has no .__class__")),
    ("range_attr", "range(3).start", ("EvalError", "has no .start")),
    ("bytes_attr", "b'x'.decode", ("EvalError", "has no .decode")),
    ("str_format_attr", "'x'.format.__self__", ("EvalError", "has no .__self__")),
    ("getattr_dunder", "getattr('', '__class__')", ("EvalError", "has no .__class__")),
    ("getattr_fn", "getattr(len, 'fn')", ("EvalError", "has no .fn")),
    ("getattr_default", "assert_eq(getattr('', '__class__', 7), 7)", None),
    ("getattr_fields", "getattr(struct(a = 1), 'fields')", ("EvalError", "has no .fields")),
    ("hasattr_dunder", "assert_eq([hasattr(x, n) for x in ['', [], {}, len, struct(), json, set(), range(1), host, secret] for n in ['__class__', '__dict__', '__globals__', 'fn', 'fields', 'members', 'guard', 'd', 'recv', 'sig', '__code__', 'mro']], [False] * 120)", None),
    ("dir_clean", "assert_eq([n for x in ['', [], {}, len, struct(a = 1), json, set(), range(1), host, secret, [].append, lambda: 0] for n in dir(x) if n.startswith('_') or n in ('fn', 'fields', 'members', 'guard', 'd', 'recv', 'sig', 'code')], [])", None),
    ("format_field_attr", "'{0.__class__}'.format('')", ("EvalError", "")),
    ("format_field_attr_named", "'{x.__class__}'.format(x = '')", ("EvalError", "")),
    ("format_field_index", "'{0[0]}'.format(['a'])", ("EvalError", "")),
    ("format_field_globals", "def f():\n    pass\n'{0.__globals__}'.format(f)", ("EvalError", "")),
    ("format_field_struct", "'{0.fields}'.format(struct(a = 1))", ("EvalError", "")),
    ("percent_dict_dunder", "'%(__class__)s' % {}", ("EvalError", "")),
    ("percent_dict_attr", "'%(a.__class__)s' % {'a': 1}", ("EvalError", "")),
    ("percent_r_fn", "assert_eq('%r' % len, '<built-in function len>')", None),
    ("str_of_function", "def f():\n    pass\nassert_eq(str(f), '<function f>')", None),
    ("str_of_builtin_method", "assert_eq(str([].append), '<built-in method append of list value>')", None),
    ("type_of_host", "assert_eq(type(host), 'struct')", None),
    ("load_refused", "load('os', 'system')", ("EvalError", "cannot load|load")),
    ("load_python_module", "load('sys', 'modules')", ("EvalError", "cannot load|load")),
    ("predeclared_not_python", "open", ("ResolveError", "undefined: open")),
    ("no_import", "__import__('os')", ("ResolveError", "undefined: __import__")),
    ("no_eval", "eval('1')", ("ResolveError", "undefined: eval")),
    ("no_exec", "exec('1')", ("ResolveError", "undefined: exec")),
    ("no_globals", "globals()", ("ResolveError", "undefined: globals")),
    ("no_vars", "vars()", ("ResolveError", "undefined: vars")),
    ("no_dunder_builtins", "__builtins__", ("ResolveError", "undefined: __builtins__")),
    ("type_is_string", "assert_eq(type(type), 'builtin_function_or_method')\ntype('')('x')", ("EvalError", "invalid call of non-function")),
    ("setattr_struct", "s = struct(a = 1)\ns.a = 2", ("EvalError", "")),
    ("setattr_func", "def f():\n    pass\nf.x = 1", ("EvalError", "")),
    ("setattr_module", "json.encode = 1", ("EvalError", "")),
    ("frozen_global_mutation", "x = [1]\ndef f():\n    x.append(2)\nf()\nassert_eq(x, [1, 2])", None),
    ("frozen_builtin_method_table", "l = []\nm = l.append\nm(1)\nassert_eq(l, [1])", None),
]

R8 = "range(100000000)"  # 3,125,000 steps to materialise
_F = "def f(*args, **kwargs):\n    pass\n"
_LOOP = "for i in range(1 << 30):\n    "
_KW = "d = {'k%d' % i: i for i in range(3000)}\n"

# Every path where the interpreter turns an iterable into a list, tuple, dict, set or string for
# the script: each charges for what it will produce before producing it, or charges per element
# as it consumes a host value's (here endless) iterator.
MATERIALISING: list[tuple[str, str, tuple[str, str] | None]] = [
    # ---- argument unpacking: *args and **kwargs into functions, builtins and methods ---------
    ("spread_range_fn", _F + f"f(*{R8})", STEPS),
    ("spread_range_fixed_fn", f"def g(a):\n    pass\ng(*{R8})", STEPS),
    ("spread_endless_fn", _F + "f(*endless)", STEPS),
    ("spread_range_builtin", f"len(*{R8})", STEPS),
    ("spread_endless_builtin", "print(*endless)", STEPS),
    ("spread_range_method", f"[].append(*{R8})", STEPS),
    ("spread_range_format", f"'{{}}'.format(*{R8})", STEPS),
    ("spread_dict_loop", _F + "d = {i: i for i in range(10000)}\n" + _LOOP + "f(*d)", STEPS),
    ("spread_set_loop", _F + "s = set(range(100000))\n" + _LOOP + "f(*s)", STEPS),
    ("spread_list_loop_fn", _F + "l = list(range(100000))\n" + _LOOP + "f(*l)", STEPS),
    ("spread_list_loop_print", "l = list(range(100000))\n" + _LOOP + "print(*l)", STEPS),
    ("spread_zip_columns", "l = [[1]] * 1000000\nzip(*l)", STEPS),
    ("spread_set_difference_many", "set(range(1000)).difference(*([[1]] * 10000))", STEPS),
    ("spread_kwargs_loop_fn", _F + _KW + _LOOP + "f(**d)", STEPS),
    ("spread_kwargs_loop_dict", _KW + _LOOP + "dict(**d)", STEPS),
    ("spread_kwargs_loop_struct", _KW + _LOOP + "struct(**d)", STEPS),
    ("spread_kwargs_loop_update", _KW + "e = {}\n" + _LOOP + "e.update(**d)", STEPS),
    # ---- unpacking assignment, +=, in ----------------------------------------------------------
    ("unpack_range", f"a, b = {R8}", ("EvalError", r"too many values to unpack \(got 100000000, want 2\)")),
    ("unpack_endless", "a, b = endless", STEPS),
    ("unpack_endless_for", "for a, b in [endless]:\n    pass", STEPS),
    ("unpack_endless_comprehension", "[a for a, b in [endless]]", STEPS),
    ("iadd_range", f"l = []\nl += {R8}", STEPS),
    ("iadd_endless", "l = []\nl += endless", STEPS),
    ("in_endless", "-1 in endless", STEPS),
    ("not_in_endless", "1 not in endless_zeros", STEPS),
    # ---- builtins over an endless host value ---------------------------------------------------
    ("list_endless", "list(endless)", STEPS),
    ("tuple_endless", "tuple(endless)", STEPS),
    ("set_endless", "set(endless)", STEPS),
    ("dict_endless", "dict(endless_pairs)", STEPS),
    ("sorted_endless", "sorted(endless)", STEPS),
    ("reversed_endless", "reversed(endless)", STEPS),
    ("enumerate_endless", "enumerate(endless)", STEPS),
    ("zip_endless", "zip(endless, endless)", STEPS),
    ("min_endless", "min(endless)", STEPS),
    ("max_endless", "max(endless, key = lambda x: -x)", STEPS),
    ("any_endless", "any(endless_zeros)", STEPS),
    ("all_endless", "all(endless_strs)", STEPS),
    ("bytes_endless", "bytes(endless_zeros)", STEPS),
    ("join_endless", "','.join(endless_strs)", STEPS),
    ("json_encode_endless", "json.encode(endless)", STEPS),
    ("json_encode_range", f"json.encode({R8})", STEPS),
    ("extend_endless", "l = []\nl.extend(endless)", STEPS),
    ("update_endless", "d = {}\nd.update(endless_pairs)", STEPS),
    ("set_union_endless", "set().union(endless)", STEPS),
    ("set_update_endless", "s = set()\ns.update(endless)", STEPS),
    ("set_difference_endless", "set([1]).difference(endless)", STEPS),
    ("set_intersection_endless", "set([1]).intersection(endless)", STEPS),
    ("set_symmetric_difference_endless", "set([1]).symmetric_difference(endless)", STEPS),
    ("set_issubset_endless", "set([1]).issubset(endless)", STEPS),
    ("set_issuperset_endless", "set([1]).issuperset(endless)", STEPS),
    ("set_isdisjoint_endless", "set([-1]).isdisjoint(endless)", STEPS),
    ("comprehension_endless", "[x for x in endless]", STEPS),
    ("dict_comprehension_range", "{i: i for i in range(1000000000000)}", STEPS),
    # ---- strings and slices --------------------------------------------------------------------
    ("elems_list_huge", "list(('x' * 3000000).elems())", STEPS),
    ("codepoint_ords_list_huge", "tuple(('\u4e2d' * 3000000).codepoint_ords())", STEPS),
    ("elems_in_loop", "s = ('x' * 1000000).elems()\n" + _LOOP + "'y' in s", STEPS),
    ("split_loop", "s = 'ab,' * 100000\n" + _LOOP + "s.split(',')", STEPS),
    ("rsplit_loop", "s = 'ab ' * 100000\n" + _LOOP + "s.rsplit()", STEPS),
    ("splitlines_loop", "s = 'ab\\n' * 100000\n" + _LOOP + "s.splitlines()", STEPS),
    ("partition_loop", "s = 'x' * 1000000\n" + _LOOP + "s.rpartition('y')", STEPS),
    ("list_slice_step_loop", "l = list(range(100000))\n" + _LOOP + "l[::2]", STEPS),
    ("tuple_slice_step_loop", "t = tuple(range(100000))\n" + _LOOP + "t[::-3]", STEPS),
    ("str_slice_step_loop", "s = 'x' * 1000000\n" + _LOOP + "s[::2]", STEPS),
    ("bytes_slice_step_loop", "b = b'x' * 1000000\n" + _LOOP + "b[1::2]", STEPS),
    ("format_huge_list", "'{}'.format(list(range(10000000)))", STEPS),
    ("percent_huge_tuple", "'%s' % (tuple(range(10000000)),)", STEPS),
    ("str_list_of_ranges", "str([range(1000000000)] * 1000000)", STEPS),
]

CASES += MATERIALISING

# assert_eq is predeclared for the sandbox checks (a Starlark-level helper, built in Python).


def _assert_eq(thread: Any, a: Any, b: Any) -> None:
    from starlite.values.ops import equal
    from starlite.values.repr import repr_value

    if not equal(a, b):
        raise starlite.EvalError(f"assert_eq: {repr_value(a)} != {repr_value(b)}")


def predeclared_all() -> dict[str, Any]:
    p = predeclared()
    p["assert_eq"] = starlite.Builtin("assert_eq", _assert_eq)
    return p
