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

Statement variants (``store``/``discard``) also keep their text as a *recipe*: a ``for`` loop
over a local whose whole body is one such statement is built, once per statement shape, as a
single closure with the statement's text inside the loop (:func:`loop_variant`), which saves
a Python call per iteration.
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
    RECIPES[f] = (name, body, args, ns, "stmt" if (store or discard) else "expr")
    return f


# How each factory's closures were written, so that a loop can be built around their text:
# factory -> (name, body text, parameter list, namespace, "stmt" or "expr").
# See `loop_variant` and `list_comprehension_variant`.
RECIPES: dict[Any, tuple[str, str, str, dict[str, Any], str]] = {}
_loop_cache: dict[Any, Callable[..., Any]] = {}
_BARE_RETURN = re.compile(r"^( *)return$", re.M)


def make(factory: Callable[..., Any], *values: Any) -> Callable[[list[Any]], Any]:
    """``factory(*values)``, remembering how it was made, so that a loop whose whole body it
    is can be built around its text (``loop_variant``, ``list_comprehension_variant``), and
    with the template closures of its operands inlined (``inline``)."""
    closure = factory(*values)
    if factory in RECIPES:
        closure._recipe = (factory, values)
        closure = inline_operands(closure)
    return closure  # type: ignore[no-any-return]


def _build_loop(
    kind: str, name: str, args: str, extra: str, inner: str, ns: dict[str, Any],
    setup: str = "", filt: str = "", result: str = "",
) -> Callable[..., Any]:
    """Compile the factory of a ``for``-loop closure around a template's text ``inner``: the
    loop opens the iteration (``open_iteration``), charges ``L_K`` steps per element, binds
    it to slot ``L_SLOT``, runs ``filt`` and then ``inner`` in a one-pass ``while`` (so that
    ``break`` ends the element), and releases the iteration guard. ``setup`` runs before the
    loop and ``result`` after it."""
    from ..values.core import List
    from .core import open_iteration

    body = "\n".join(("            " + ln) if ln.strip() else ln for ln in inner.split("\n"))
    code = (
        f"def factory({args}, L_ITER, L_IPOS, L_K, L_SITE, L_SLOT{extra}):\n"
        f"    def {name}_{kind}(fr):\n"
        "        seq_, held_ = open_iteration(L_ITER(fr), L_IPOS)\n"
        "        th_ = fr[0]\n"
        f"{setup}"
        "        try:\n"
        "            for v_ in seq_:\n"
        "                s_ = th_.steps + L_K\n"
        "                th_.steps = s_\n"
        "                if s_ > th_.bound:\n"
        "                    th_.overflow(L_K, L_SITE)\n"
        "                fr[L_SLOT] = v_\n"
        f"{filt}"
        "                while True:\n"
        f"{body}\n"
        "                    break\n"
        "        finally:\n"
        "            if held_ is not None:\n"
        "                held_.guard -= 1\n"
        f"{result}"
        f"    return {name}_{kind}\n"
    )
    lns = dict(ns)
    lns["open_iteration"] = open_iteration
    lns["List"] = List
    exec(compile(code, f"<starlite {kind} {name}>", "exec"), lns)  # noqa: S102
    return lns["factory"]  # type: ignore[no-any-return]


def loop_variant(
    body: Any, it_f: Any, ipos: Any, k: int, site: Any, slot: int
) -> Callable[[list[Any]], Any] | None:
    """``for <local> in <iterable>: <body>`` as one closure, when the body is a statement made
    from a template: the statement's text runs inside the loop (its ``return`` becomes a
    ``break`` out of the one-pass inner loop), saving a call per iteration."""
    recipe = getattr(body, "_recipe", None)
    if recipe is None:
        return None
    factory, values = recipe
    if RECIPES[factory][4] != "stmt":
        return None
    lf = _loop_cache.get(factory)
    if lf is None:
        name, text, args, ns, _kind = RECIPES[factory]
        inner = _BARE_RETURN.sub(lambda m: f"{m.group(1)}break", text)
        if re.search(r"^ *return\b", inner, re.M):
            return None  # a statement text that still returns a value: not inlinable
        lf = _loop_cache[factory] = _build_loop("loop", name, args, "", inner, ns)
    return lf(*values, it_f, ipos, k, site, slot)  # type: ignore[no-any-return]


_comp_cache: dict[tuple[Any, bool], Callable[..., Any]] = {}
_VALUE_RETURN = re.compile(r"^( *)return (.+)$", re.M)
_FILTER = (
    "                if not L_COND(fr):\n"
    "                    continue\n"
    "                s_ = th_.steps + L_BK\n"
    "                th_.steps = s_\n"
    "                if s_ > th_.bound:\n"
    "                    th_.overflow(L_BK, L_BSITE)\n"
)


def list_comprehension_variant(
    elem: Any, it_f: Any, ipos: Any, k: int, site: Any, slot: int,
    cond: Any, bk: int, bsite: Any,
) -> Callable[[list[Any]], Any] | None:
    """``[elem for <local> in <iterable> if cond]`` as one closure, when ``elem`` was made
    from an expression template: its text runs inside the loop and each ``return X`` appends
    X. ``cond`` (or None) stays a closure."""
    recipe = getattr(elem, "_recipe", None)
    if recipe is None:
        return None
    factory, values = recipe
    if RECIPES[factory][4] != "expr":
        return None
    key = (factory, cond is not None)
    cf = _comp_cache.get(key)
    if cf is None:
        name, text, args, ns, _kind = RECIPES[factory]
        if _BARE_RETURN.search(text):
            return None
        inner = _VALUE_RETURN.sub(lambda m: f"{m.group(1)}append_({m.group(2)})\n"
                                            f"{m.group(1)}break", text)
        cf = _comp_cache[key] = _build_loop(
            "comprehension", name, args, ", L_COND, L_BK, L_BSITE", inner, ns,
            setup="        out_ = List()\n        append_ = out_.append\n",
            filt=_FILTER if cond is not None else "",
            result="        return out_\n",
        )
    return cf(*values, it_f, ipos, k, site, slot, cond, bk, bsite)  # type: ignore[no-any-return]


from .inline import inline_operands  # noqa: E402  (inline reads RECIPES)
