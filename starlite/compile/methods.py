"""Direct paths for the commonest methods of str, list and dict receivers, and for calls
of ``len`` and ``str``.

A method call site ``x.m(a, b)`` (see ``calls``) reads its receiver and arguments by shape
and, for the methods below, first tries the operation itself inline, behind type tests on
the receiver and the arguments and a size bound under which the builtin would charge no
steps (``ELEMS_PER_STEP`` and its kin in ``builtins.common``): ``s.upper()`` becomes
``r.upper()``. Anything else (another type, a larger value, an argument the builtin would
refuse) takes the call site's ordinary path through the builtin, which charges, checks and
fails as before. So results, errors and step counts are those of the builtins. A call
``len(x)`` of the universe's ``len`` (a constant operand at its call site) likewise.
"""

from __future__ import annotations

from typing import Any

from ..values.core import Builtin, Dict, List
from . import flat

# (method, number of arguments) -> lines run before the ordinary path; `r` is the receiver,
# `x0`, `x1` the arguments.
_DIRECT: dict[tuple[str, int], str] = {
    ("startswith", 1): """
        if type(r) is str and type(x0) is str:
            return r.startswith(x0)""",
    ("endswith", 1): """
        if type(r) is str and type(x0) is str:
            return r.endswith(x0)""",
    ("replace", 2): """
        if type(r) is str and type(x0) is str and type(x1) is str and len(r) < 64:
            t_ = r.replace(x0, x1)
            if len(t_) < 64:
                return t_""",
    ("split", 1): """
        if type(r) is str and type(x0) is str and x0 and len(r) < 32:
            return List(r.split(x0))""",
    ("keys", 0): """
        if type(r) is Dict and len(r) < 64 and not r.boxed:
            return List(r)""",
    ("values", 0): """
        if type(r) is Dict and len(r) < 64:
            return List(r.values())""",
    ("items", 0): """
        if type(r) is Dict and len(r) < 4 and not r.boxed:
            return List(r.items())""",
    ("pop", 0): """
        if type(r) is List and r and not r.guard:
            return r.pop()""",
}
# searches of a short string (the builtins charge from 64 characters on)
for _m in ("find", "rfind", "count"):
    _DIRECT[(_m, 1)] = f"""
        if type(r) is str and type(x0) is str and len(r) < 64:
            return r.{_m}(x0)"""
for _m, _py in (("index", "find"), ("rindex", "rfind")):
    _DIRECT[(_m, 1)] = f"""
        if type(r) is str and type(x0) is str and len(r) < 64:
            i_ = r.{_py}(x0)
            if i_ >= 0:
                return i_"""
# predicates whose builtins are Python's (isdigit: Python's isdecimal; isalnum: for ASCII)
for _m, _py in (("isalpha", "isalpha"), ("isdigit", "isdecimal"), ("islower", "islower"),
                ("isupper", "isupper")):
    _DIRECT[(_m, 0)] = f"""
        if type(r) is str and len(r) < 64:
            return r.{_py}()"""
_DIRECT[("isalnum", 0)] = """
        if type(r) is str and len(r) < 64 and r.isascii():
            return r.isalnum()"""
for _m in ("upper", "lower", "capitalize", "title"):
    _DIRECT[(_m, 0)] = f"""
        if type(r) is str and len(r) < 64:
            return r.{_m}()"""
for _m in ("strip", "lstrip", "rstrip"):
    _DIRECT[(_m, 0)] = f"""
        if type(r) is str and len(r) < 64:
            return r.{_m}(WS)"""

# builtin function of the universe, number of arguments -> lines run before the call site's
# ordinary path (the callee `f` is that builtin; `x0` the argument)
_BUILTIN: dict[tuple[str, int], str] = {
    ("len", 1): """
        tx_ = type(x0)
        if tx_ is str or tx_ is List or tx_ is tuple or tx_ is Dict:
            return len(x0)""",
    ("range", 1): """
        if type(x0) is int and -I64 <= x0 < I64:
            return range(x0)""",
    ("abs", 1): """
        if type(x0) is int:
            return -x0 if x0 < 0 else x0""",
    ("str", 1): """
        if type(x0) is str:
            return x0
        if type(x0) is int and -I64 <= x0 < I64:
            return str(x0)""",
}
_ENV: dict[str, Any] = {"I64": 1 << 63}


def direct(name: str, n: int) -> str:
    """The direct lines for method ``name`` with ``n`` arguments ("" when there are none;
    always "" while ``flat.ENABLED`` is off)."""
    return _DIRECT.get((name, n), "") if flat.ENABLED else ""


def direct_builtin(f: Any, n: int) -> str:
    """The direct lines for a call of universe builtin ``f`` with ``n`` positional
    arguments ("" when there are none, or while ``flat.ENABLED`` is off)."""
    if not flat.ENABLED or type(f) is not Builtin or f.recv is not None:
        return ""
    name: str = f.name
    lines = _BUILTIN.get((name, n), "")
    if not lines:
        return ""
    from ..builtins import UNIVERSE  # (the builtins import the compiler)

    return lines if UNIVERSE.get(name) is f else ""


def env() -> dict[str, Any]:
    """The names the direct lines use."""
    if "WS" not in _ENV:
        from ..builtins.strings import _WS  # (the builtins import the compiler)

        _ENV.update({"List": List, "Dict": Dict, "WS": _WS})
    return _ENV
