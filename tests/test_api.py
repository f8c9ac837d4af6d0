"""The embedding API: Thread, exec_file, compile/exec, eval, call, Builtin, hooks, conversions,
errors and their call stacks."""

from __future__ import annotations

from typing import Any

import pytest

import starlite


def run(src: str, **kw: Any) -> dict[str, Any]:
    return starlite.exec_file(starlite.Thread(**kw), "t.star", src)


def test_exec_file_returns_frozen_globals() -> None:
    g = run("x = [1, 2]\ndef f(n):\n    return n * 2\ny = f(21)\n")
    assert g["y"] == 42
    assert g["x"] == [1, 2]
    append = starlite.eval(starlite.Thread(), "x.append", predeclared=g)
    with pytest.raises(starlite.EvalError, match="cannot append to frozen list"):
        starlite.call(starlite.Thread(), append, 3)


def test_exec_file_reads_from_disk(tmp_path: Any) -> None:
    p = tmp_path / "m.star"
    p.write_text("answer = 6 * 7\n")
    assert starlite.exec_file(starlite.Thread(), str(p))["answer"] == 42


def test_compile_once_exec_many_with_independent_globals() -> None:
    prog = starlite.compile("p.star", "out = []\nout.append(seed)\nn = len(out)\n",
                            predeclared=["seed"])
    a = prog.exec(starlite.Thread(), {"seed": 1})
    b = prog.exec(starlite.Thread(), {"seed": 2})
    assert a["out"] == [1] and b["out"] == [2]
    assert a["n"] == b["n"] == 1


def test_missing_predeclared_value_is_an_error() -> None:
    prog = starlite.compile("p.star", "y = x\n", predeclared=["x"])
    with pytest.raises(starlite.EvalError, match="predeclared name x"):
        prog.exec(starlite.Thread(), {})


def test_eval_expression() -> None:
    th = starlite.Thread()
    assert starlite.eval(th, "1 + 2 * 3") == 7
    assert starlite.eval(th, "[x * x for x in r]", predeclared={"r": [1, 2, 3]}) == [1, 4, 9]
    with pytest.raises(starlite.SyntaxError):
        starlite.eval(th, "x = 1")


def test_call_with_python_arguments() -> None:
    th = starlite.Thread()
    g = starlite.exec_file(th, "c.star", "def f(a, b=2, *args, **kw):\n"
                                         "    return [a, b, args, sorted(kw.keys())]\n")
    assert starlite.call(th, g["f"], 1) == [1, 2, (), []]
    assert starlite.call(th, g["f"], 1, 3, 4, z=5) == [1, 3, (4,), ["z"]]


def test_host_builtin_and_callback_into_starlark() -> None:
    calls: list[Any] = []

    def apply(thread: starlite.Thread, fn: Any, x: Any) -> Any:
        calls.append(x)
        return starlite.call(thread, fn, x)

    g = starlite.exec_file(
        starlite.Thread(), "h.star", "def double(x):\n    return 2 * x\ny = apply(double, 21)\n",
        predeclared={"apply": starlite.Builtin("apply", apply)})
    assert g["y"] == 42 and calls == [21]


def test_host_builtin_exception_becomes_starlark_error_at_call_site() -> None:
    def boom(thread: starlite.Thread) -> None:
        raise ValueError("kaput")

    with pytest.raises(starlite.EvalError) as ei:
        starlite.exec_file(starlite.Thread(), "b.star", "x = 1\nboom()\n",
                           predeclared={"boom": starlite.Builtin("boom", boom)})
    e = ei.value
    assert "kaput" in e.msg
    assert e.call_stack[0].line == 2
    assert e.call_stack[-1].filename == "<builtin>"


def test_error_inside_callback_keeps_full_stack() -> None:
    def apply(thread: starlite.Thread, fn: Any) -> Any:
        return starlite.call(thread, fn)

    src = "def bad():\n    return 1 // 0\ny = apply(bad)\n"
    with pytest.raises(starlite.EvalError) as ei:
        starlite.exec_file(starlite.Thread(), "cb.star", src,
                           predeclared={"apply": starlite.Builtin("apply", apply)})
    names = [f.name for f in ei.value.call_stack]
    assert names == ["<toplevel>", "apply", "bad"]
    assert ei.value.call_stack[-1].line == 2


def test_print_hook_one_or_two_arguments() -> None:
    out1: list[str] = []
    out2: list[tuple[Any, str]] = []
    run('print("a", 1)\n', print=lambda msg: out1.append(msg))
    th = starlite.Thread(print=lambda thread, msg: out2.append((thread, msg)))
    starlite.exec_file(th, "p.star", 'print("b", [2], sep="-")\n')
    assert out1 == ["a 1"]
    assert out2 == [(th, 'b-[2]')]


def test_load_hook() -> None:
    def load(module: str) -> dict[str, Any]:
        if module == "lib.star":
            return {"answer": 42, "items": [1, 2]}
        raise KeyError(module)

    g = run('load("lib.star", "answer", its="items")\nx = answer + len(its)\n', load=load)
    assert g["x"] == 44
    assert "answer" not in g  # loaded names are file-local, not exported
    with pytest.raises(starlite.EvalError, match="nope"):
        run('load("nope.star", "x")\n', load=load)
    with pytest.raises(starlite.EvalError, match="not found"):
        run('load("lib.star", "missing")\n', load=load)
    with pytest.raises(starlite.EvalError, match="no load hook"):
        run('load("lib.star", "answer")\n')


def test_to_starlark_and_back() -> None:
    py = {"a": [1, 2.5, "s", None, True], "b": (1, 2), "c": {"nested": {"x": b"y"}}}
    v = starlite.to_starlark(py)
    assert isinstance(v, starlite.Dict) and isinstance(v["a"], starlite.List)
    assert starlite.to_python(v) == py
    g = starlite.exec_file(
        starlite.Thread(), "c.star", "t = type(d['a'])\nn = len(d['c']['nested'])\n",
        predeclared={"d": py})
    assert g["t"] == "list" and g["n"] == 1


def test_struct_module_and_freeze() -> None:
    s = starlite.Struct(a=1, b="x")
    m = starlite.Module("m", f=starlite.Builtin("f", lambda th: 7))
    g = starlite.exec_file(starlite.Thread(), "s.star", "x = s.a\ny = m.f()\n",
                           predeclared={"s": s, "m": m})
    assert g["x"] == 1 and g["y"] == 7
    lst = starlite.freeze(starlite.to_starlark([1]))
    with pytest.raises(starlite.EvalError, match="frozen"):
        starlite.exec_file(starlite.Thread(), "f.star", "def f():\n    l.append(2)\nf()\n",
                           predeclared={"l": lst})


def test_freeze_reaches_new_values_inside_frozen_ones() -> None:
    # freeze does not revisit a frozen container or module, so everything new must still be
    # reached through the containers that are not frozen yet
    inner = starlite.to_starlark([1])
    m = starlite.Module("m", items=inner)
    starlite.freeze(m)
    assert m.frozen
    fresh = starlite.to_starlark([2])
    d = starlite.to_starlark({"old": [0]})
    d["old"] = inner  # a frozen list inside a dict that is not frozen yet ...
    d["new"] = fresh  # ... beside a list that is not frozen either
    starlite.freeze(starlite.to_starlark([m, d]))
    for v in (inner, fresh):
        with pytest.raises(starlite.EvalError, match="frozen"):
            starlite.exec_file(starlite.Thread(), "f.star", "def f():\n    v.append(3)\nf()\n",
                               predeclared={"v": v})
    m2 = starlite.Module("m2", items=starlite.to_starlark([5]))
    g = starlite.exec_file(starlite.Thread(), "g.star", "x = 1\n", predeclared={"m2": m2})
    assert g["x"] == 1 and m2.frozen  # predeclared values are frozen with the globals
    with pytest.raises(starlite.EvalError, match="frozen"):
        starlite.exec_file(starlite.Thread(), "h.star", "def f():\n    m2.items.append(1)\nf()\n",
                           predeclared={"m2": m2})


def test_error_classes_and_backtrace() -> None:
    with pytest.raises(starlite.SyntaxError) as se:
        run("x = (1 +\n")
    assert se.value.filename == "t.star" and se.value.line >= 1
    assert str(se.value).startswith("t.star:")
    with pytest.raises(starlite.ResolveError) as re_:
        run("y = undefined_name\n")
    assert re_.value.line == 1 and "undefined: undefined_name" in str(re_.value)
    src = "def f(x):\n    return g(x)\ndef g(y):\n    return y[3]\nf([1])\n"
    with pytest.raises(starlite.EvalError) as ee:
        run(src)
    e = ee.value
    assert [(f.name, f.line) for f in e.call_stack] == [("<toplevel>", 5), ("f", 2), ("g", 4)]
    bt = e.backtrace()
    assert bt.splitlines()[0] == "Traceback (most recent call last):"
    assert "t.star:4:" in bt and bt.splitlines()[-1].startswith("Error: ")
    assert str(e).startswith("t.star:4:")


def test_no_python_exception_escapes_deep_nesting() -> None:
    with pytest.raises(starlite.StarlarkError):
        run("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    src = "def f(n):\n    return f(n - 1) if n else 0\nx = f(100000)\n"
    with pytest.raises(starlite.EvalError, match="depth|recursion"):
        starlite.exec_file(starlite.Thread(options=starlite.Options(recursion=True)), "r.star",
                           src)


def test_recursion_is_an_error_unless_enabled() -> None:
    src = "def fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\nx = fact(10)\n"
    with pytest.raises(starlite.EvalError, match="called recursively"):
        run(src)
    g = starlite.exec_file(starlite.Thread(options=starlite.Options(recursion=True)), "r.star",
                           src)
    assert g["x"] == 3628800


def test_options_dialect() -> None:
    with pytest.raises(starlite.ResolveError, match="while"):
        run("def f():\n    while True:\n        pass\n")
    th = starlite.Thread(options=starlite.Options(while_=True, top_level_control=True,
                                                  global_reassign=True))
    g = starlite.exec_file(th, "o.star", "x = 0\nwhile x < 5:\n    x += 1\nfor i in [1]:\n"
                                         "    x += i\n")
    assert g["x"] == 6
    with pytest.raises(starlite.ResolveError, match="does not support sets"):
        starlite.exec_file(starlite.Thread(options=starlite.Options(set=False)), "s.star",
                           "x = set()\n")


def test_host_value() -> None:
    class Counter(starlite.HostValue):
        starlark_type = "counter"

        def __init__(self) -> None:
            self.n = 3

        def attr(self, name: str) -> Any:
            return self.n if name == "n" else None

        def attr_names(self) -> list[str]:
            return ["n"]

        def iterate(self) -> Any:
            return iter(range(self.n))

        def length(self) -> int:
            return self.n

    g = starlite.exec_file(starlite.Thread(), "h.star",
                           "a = c.n\nb = [x for x in c]\nt = type(c)\nl = len(c)\n"
                           "h = hasattr(c, 'zz')\n", predeclared={"c": Counter()})
    assert (g["a"], g["b"], g["t"], g["l"], g["h"]) == (3, [0, 1, 2], "counter", 3, False)
    with pytest.raises(starlite.EvalError, match="counter has no .zz field or method"):
        starlite.exec_file(starlite.Thread(), "h.star", "x = c.zz\n",
                           predeclared={"c": Counter()})


def test_leaf_functions_and_recursion_through_callbacks() -> None:
    # a function without calls in its body takes the leaf fast path; recursion through a
    # dict display or a comprehension body is still a call, and still detected
    src = (
        "def leaf(a, b):\n    return {'s': a + b}\n"
        "def rec(n):\n    return {'v': rec(n - 1)} if n else {}\n"
        "def rec2(n):\n    return [rec2(i) for i in range(n)]\n"
        "x = leaf(1, 2)\n"
    )
    g = run(src)
    assert g["x"] == {"s": 3}
    th = starlite.Thread()
    g = starlite.exec_file(th, "r.star", src)
    for name in ("rec", "rec2"):
        with pytest.raises(starlite.EvalError, match=f"function {name} called recursively"):
            starlite.call(th, g[name], 2)
