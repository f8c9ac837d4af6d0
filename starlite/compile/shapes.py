"""Operand shapes and closure templates.

Many closures only read their operands. Instead of calling a child closure for each operand,
a specialised closure reads it directly, according to the operand's *shape*:

====  ===========================================  =============================
L     a local known to be assigned                 ``fr[slot]``
C     a constant (literal or builtin)              the value itself
R     a global                                     ``fr[1][slot]``, checked
G     anything else                                ``closure(fr)``
====  ===========================================  =============================

:func:`template` turns a closure body written once, with ``{A}``, ``{B}``, ... placeholders for
operands, into a factory per combination of shapes, built once per process with ``exec`` and
cached. Compiling a program only calls the cached factories: no source is generated per
program.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..syntax import ast as A
from ..values.core import UNBOUND

Shape = tuple[str, Any]


def shape_of(cc: Any, e: A.Expr) -> Shape:
    """The cheapest way for a specialised closure to read ``e``."""
    if isinstance(e, A.Ident):
        b = e.binding
        assert b is not None
        if b.scope == A.LOCAL and e.safe:
            return ("L", b.index)
        if b.scope == A.UNIVERSAL:
            return ("C", cc.universe[e.name])
        if b.scope == A.GLOBAL:
            return ("R", (b.index, cc.expr(e)))
    elif isinstance(e, A.Literal):
        return ("C", e.value)
    return ("G", cc.expr(e))


def _reader(kind: str, var: str, target: str) -> str:
    if kind == "L":
        return f"{target} = fr[{var}]"
    if kind == "C":
        return f"{target} = {var}"
    if kind == "R":
        return (
            f"{target} = fr[1][{var}[0]]\n"
            f"        if {target} is UNBOUND: {target} = {var}[1](fr)"
        )
    return f"{target} = {var}(fr)"


_cache: dict[tuple[str, tuple[str, ...]], Callable[..., Any]] = {}
_RETURN = re.compile(r"^( *)return (.+)$", re.M)


def template(
    name: str,
    src: str,
    kinds: tuple[str, ...],
    env: dict[str, Any],
    params: str = "",
    targets: tuple[str, ...] = (),
    store: bool = False,
    discard: bool = False,
) -> Callable[..., Any]:
    """Build (once) the factory for closure ``name`` with operand shapes ``kinds``.

    ``src`` is the body of ``def f(fr):`` indented by 8 spaces, where ``{READ0}``,
    ``{READ1}``... expand to statements that read operand i into ``v0``, ``v1``...; the
    factory's parameters are ``O0, O1, ...`` (the operand payloads) then ``params``.

    ``discard=True`` makes an expression-statement variant that returns None.
    ``store=True`` makes a statement variant: every ``return X`` becomes ``fr[STORE] = X``
    (the factory gains a last parameter ``STORE``), so ``x = a + b`` on a local is one closure.
    """
    key = (name + ("=" if store else "") + ("!" if discard else ""), kinds)
    f = _cache.get(key)
    if f is not None:
        return f
    names = targets or tuple(f"v{i}" for i in range(len(kinds)))
    reads = {f"READ{i}": _reader(k, f"O{i}", names[i]) for i, k in enumerate(kinds)}
    body = src.format(**reads)
    if store:
        body = _RETURN.sub(lambda m: f"{m.group(1)}fr[STORE] = {m.group(2)}\n{m.group(1)}return",
                           body)
        params = f"{params}, STORE" if params else "STORE"
    elif discard:
        body = _RETURN.sub(lambda m: f"{m.group(1)}{m.group(2)}\n{m.group(1)}return", body)
    args = ", ".join([f"O{i}" for i in range(len(kinds))] + ([params] if params else []))
    code = f"def factory({args}):\n    def {name}(fr):\n{body}\n    return {name}\n"
    ns: dict[str, Any] = {"UNBOUND": UNBOUND}
    ns.update(env)
    exec(compile(code, f"<starlite {name} {''.join(kinds)}>", "exec"), ns)  # noqa: S102
    f = ns["factory"]
    _cache[key] = f
    return f
