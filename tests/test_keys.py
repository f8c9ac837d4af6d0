"""Bool keys from the Python side: ``Dict``/``Set`` constructors, ``to_starlark`` and
``to_python``, and the stored form never reaching a script or a host."""

from __future__ import annotations

from typing import Any

import pytest

import starlite
from starlite.values.keys import BoolKey, box, unbox


def run(src: str, **pre: Any) -> dict[str, Any]:
    return starlite.exec_file(starlite.Thread(), "t.star", src, predeclared=pre)


def test_dict_constructor_boxes_bool_keys() -> None:
    d = starlite.Dict([(True, "t"), (1, "one"), ((False, 0), "tuple")])
    assert len(d) == 3
    g = run("r = [d[True], d[1], d[(False, 0)], 1 in d, 2 in d, (0, 0) in d, list(d)]", d=d)
    assert starlite.to_python(g["r"]) == ["t", "one", "tuple", True, False, False,
                                          [True, 1, (False, 0)]]


def test_dict_copy_keeps_flag() -> None:
    d = starlite.Dict({True: 1})
    e = starlite.Dict(d)
    assert e.boxed
    g = run("r = [type(k) for k in e]", e=e)
    assert g["r"] == ["bool"]


def test_set_constructor_and_python_protocols() -> None:
    s = starlite.Set([True, 1, False, 0, 1])
    assert len(s) == 4
    assert [type(x) for x in s] == [bool, int, bool, int]
    assert True in s and 1 in s and 0.0 in s
    assert 2 not in starlite.Set([True])
    assert 1 not in starlite.Set([True])


def test_to_starlark_round_trip() -> None:
    data = {True: "t", 0: "zero", (1, False): "pair", "s": [{False: None}]}
    v = starlite.to_starlark(data)
    g = run("r = [v[True], v[0], v[(1, False)], 1 in v, False in v, (1, 0) in v]", v=v)
    assert starlite.to_python(g["r"]) == ["t", "zero", "pair", False, False, False]
    back = starlite.to_python(v)
    assert back == data
    assert [type(k) for k in back] == [bool, int, tuple, str]
    assert type(next(iter(back["s"][0]))) is bool
    s = starlite.to_starlark({True, 2})
    assert starlite.to_python(s) == {True, 2}


def test_to_python_refuses_keys_python_would_merge() -> None:
    g = run('d = {True: "t", 1: "one"}\ns = set([0, False])\nok = {True: 1, 2: 2}')
    with pytest.raises(starlite.EvalError, match="equals another key"):
        starlite.to_python(g["d"])
    with pytest.raises(starlite.EvalError, match="equals another key"):
        starlite.to_python(g["s"])
    assert starlite.to_python(g["ok"]) == {True: 1, 2: 2}


def test_host_function_results_are_converted() -> None:
    def f(thread: Any) -> Any:
        return {True: "t", 2: "two"}

    g = run("d = f()\nd[1] = 'one'\nr = [len(d), d[True], d[1], sorted([str(k) for k in d])]",
            f=starlite.Builtin("f", f))
    assert starlite.to_python(g["r"]) == [3, "t", "one", ["1", "2", "True"]]


def test_engine_result_with_bool_keys() -> None:
    from starlite.engine import Engine

    r = Engine([]).execute("return {True: 1, 2: 0}")
    assert r.status == "success" and r.value == {True: 1, 2: 0}
    r = Engine([]).execute("return {True: 1, 1: 0}")
    assert r.status == "error" and "equals another key" in str(r.error)


@pytest.mark.parametrize(("k", "boxed"), [
    (True, True), (False, True), ((True,), True), ((1, (False, "x")), True), (1, False),
    ("s", False), ((1, (2, "x")), False), (None, False), (1.0, False),
])
def test_box_unbox(k: Any, boxed: bool) -> None:
    b = box(k)
    assert unbox(b) == k and repr(unbox(b)) == repr(k)
    assert (b is not k) is boxed
    if boxed:
        assert b != k  # a stored bool equals no int, so the stored forms differ
    if type(k) is bool:
        assert type(b) is BoolKey and b is box(k) and b != int(k)
