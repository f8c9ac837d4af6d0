"""Operand shapes and closure templates.

Many closures only read their operands. Instead of calling a child closure for each operand,
a specialised closure reads it directly, according to the operand's *shape*:

====  ===========================================  =============================
L     a local known to be assigned                 ``fr[slot]``
I     such a local known to hold an int64          ``fr[slot]``
C     a constant (literal or builtin)              the value itself
R     a global                                     ``fr[1][slot]``, checked
G     anything else                                ``closure(fr)``
====  ===========================================  =============================

:func:`template` turns a closure body written once, with ``{A}``, ``{B}``, ... placeholders for
operands, into a factory per combination of shapes, built once per process with ``exec`` and
cached. Compiling a program only calls the cached factories: no source is generated per
program. Templates read ``I`` operands as ``L`` ones; those that test their operands' types
(``binops``, ``fuse``) leave the tests out for ``I``. A local is ``I`` where the compiler's
``int_slots`` says so: a comprehension's variable bound by a single ``for`` clause over the
builtin ``range`` (whose elements are int64), in the parts evaluated after that clause, and a
``for`` statement's variable over ``range`` in a body that never rebinds it.

Every template keeps its text as a *recipe*: a ``for`` loop over a local whose whole body is
one statement variant (``store``/``discard``) is built, once per statement shape, as a single
closure with the statement's text inside the loop (:func:`loop_variant`), which saves a Python
call per iteration; a comprehension moves its parts' texts into its loops the same way
(:func:`inline_text`, used by ``comploop``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..syntax import ast as A
from ..values.core import UNBOUND, List

Shape = tuple[str, Any]


def shape_of(cc: Any, e: A.Expr) -> Shape:
    """The cheapest way for a specialised closure to read ``e``."""
    t = type(e)
    if t is A.Ident:
        b = e.binding  # type: ignore[attr-defined]
        assert b is not None
        if b.scope == A.LOCAL and e.safe:  # type: ignore[attr-defined]
            return ("I" if b.index in cc.int_slots else "L", b.index)
        if b.scope == A.UNIVERSAL:
            return ("C", cc.universe[e.name])  # type: ignore[attr-defined]
        if b.scope == A.GLOBAL:
            return ("R", (b.index, cc.expr(e)))
    elif t is A.Literal:
        return ("C", e.value)  # type: ignore[attr-defined]
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
_PLACE = re.compile(r"^( *)\{(READ\d+)\}", re.M)


def template(
    name: str,
    src: str,
    kinds: tuple[str, ...],
    env: dict[str, Any],
    params: str = "",
    targets: tuple[str, ...] = (),
    store: bool = False,
    discard: bool = False,
    store_global: bool = False,
) -> Callable[..., Any]:
    """Build (once) the factory for closure ``name`` with operand shapes ``kinds``.

    ``src`` is the body of ``def f(fr):`` indented by 8 spaces, where ``{READ0}``,
    ``{READ1}``... expand to statements that read operand i into ``v0``, ``v1``...; the
    factory's parameters are ``O0, O1, ...`` (the operand payloads) then ``params``.

    ``discard=True`` makes an expression-statement variant that returns None.
    ``store=True`` makes a statement variant: every ``return X`` becomes ``fr[STORE] = X``
    (the factory gains a last parameter ``STORE``), so ``x = a + b`` on a local is one closure;
    with ``store_global=True`` too, into the global slot ``fr[1][STORE]`` instead.
    """
    kinds = tuple("L" if k == "I" else k for k in kinds)
    key = (name + ("=" if store else "") + ("!" if discard else "") + ("g" if store_global
                                                                       else ""), kinds)
    f = _cache.get(key)
    if f is not None:
        return f
    names = targets or tuple(f"v{i}" for i in range(len(kinds)))
    reads = {f"READ{i}": _reader(k, f"O{i}", names[i]) for i, k in enumerate(kinds)}
    for m in _PLACE.finditer(src):  # a read over two lines, at a deeper indentation
        if m.group(2) in reads:
            reads[m.group(2)] = reads[m.group(2)].replace("\n        ", "\n" + m.group(1))
    body = src.format(**reads)
    if store:
        into = "fr[1][STORE]" if store_global else "fr[STORE]"
        body = _RETURN.sub(lambda m: f"{m.group(1)}{into} = {m.group(2)}\n{m.group(1)}return",
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
# See `loop_variant` and `inline_text`.
RECIPES: dict[Any, tuple[str, str, str, dict[str, Any], str]] = {}
_loop_cache: dict[Any, Callable[..., Any]] = {}
_BARE_RETURN = re.compile(r"^( *)return$", re.M)


def make(factory: Callable[..., Any], *values: Any) -> Callable[[list[Any]], Any]:
    """``factory(*values)``, remembering how it was made, so that a loop whose whole body it
    is can be built around its text (``loop_variant``, ``inline_text``), and with the
    template closures of its operands inlined (``inline``)."""
    closure = factory(*values)
    if factory in RECIPES:
        closure._recipe = (factory, values)
        closure = inline_operands(closure)
    return closure  # type: ignore[no-any-return]


def _build_loop(name: str, args: str, inner: str, ns: dict[str, Any]) -> Callable[..., Any]:
    """Compile the factory of a ``for``-loop closure around a template's text ``inner``: the
    loop opens the iteration (``open_iteration``), charges ``L_K`` steps per element, binds
    it to slot ``L_SLOT``, runs ``inner`` in a one-pass ``while`` (so that ``break`` ends the
    element), and releases the iteration guard."""
    from .core import open_iteration

    body = "\n".join(("            " + ln) if ln.strip() else ln for ln in inner.split("\n"))
    code = (
        f"def factory({args}, L_ITER, L_IPOS, L_K, L_SITE, L_SLOT):\n"
        f"    def {name}_loop(fr):\n"
        "        it_ = L_ITER(fr)\n"
        "        if type(it_) is List_:\n"  # (open_iteration's commonest cases inline)
        "            it_.guard += 1\n"
        "            seq_ = held_ = it_\n"
        "        elif type(it_) is range:\n"
        "            seq_ = it_\n"
        "            held_ = None\n"
        "        else:\n"
        "            seq_, held_ = open_iteration(it_, L_IPOS)\n"
        "        th_ = fr[0]\n"
        "        try:\n"
        "            for v_ in seq_:\n"
        "                s_ = th_.steps + L_K\n"
        "                th_.steps = s_\n"
        "                if s_ > th_.bound:\n"
        "                    th_.overflow(L_K, L_SITE)\n"
        "                fr[L_SLOT] = v_\n"
        "                while True:\n"
        f"{body}\n"
        "                    break\n"
        "        finally:\n"
        "            if held_ is not None:\n"
        "                held_.guard -= 1\n"
        f"    return {name}_loop\n"
    )
    lns = dict(ns)
    lns["open_iteration"] = open_iteration
    lns["List_"] = List
    exec(compile(code, f"<starlite loop {name}>", "exec"), lns)  # noqa: S102
    return lns["factory"]  # type: ignore[no-any-return]


def loop_variant(
    body: Any, it_f: Any, ipos: Any, k: int, site: Any, slot: int, live: bool = False
) -> Callable[[list[Any]], Any] | None:
    """``for <local> in <iterable>: <body>`` as one closure, when the body is a statement made
    from a template: the statement's text runs inside the loop (its ``return`` becomes a
    ``break`` out of the one-pass inner loop), saving a call per iteration. ``live``: the
    body never assigns the variable, so the text reads the element from the loop's own
    Python variable instead of the frame slot (which is still written, for closures)."""
    recipe = getattr(body, "_recipe", None)
    if recipe is None:
        return None
    factory, values = recipe
    if RECIPES[factory][4] != "stmt":
        return None
    name, text, args, ns, _kind = RECIPES[factory]
    held: tuple[str, ...] = ()
    if live:
        params = [a.strip() for a in args.split(",")]
        held = tuple(p for p, v in zip(params, values) if type(v) is int and v == slot
                     and re.search(rf"fr\[{p}\](?!\s*=[^=])", text))
    lf = _loop_cache.get((factory, held))
    if lf is None:
        inner = _BARE_RETURN.sub(lambda m: f"{m.group(1)}break", text)
        if re.search(r"^ *return\b", inner, re.M):
            return None  # a statement text that still returns a value: not inlinable
        for p in held:
            inner = re.sub(rf"fr\[{p}\](?!\s*=[^=])", "v_", inner)
        lf = _loop_cache[(factory, held)] = _build_loop(name, args, inner, ns)
    return lf(*values, it_f, ipos, k, site, slot)  # type: ignore[no-any-return]


_VALUE_RETURN = re.compile(r"^( *)return (.+)$", re.M)


# ---- a template's text inside another generated function -----------------------------------

_inline_cache: dict[tuple[Any, str], tuple[str, list[str], dict[str, Any]] | None] = {}


def inline_text(factory: Any, suffix: str) -> tuple[str, list[str], dict[str, Any]] | None:
    """The text of the expression closures that ``factory`` makes, with its names (variables,
    parameters, globals) renamed ``name + suffix`` (``inline.rename_text``) so that several
    texts can share one generated function: (text, renamed parameters in order, renamed
    globals). None when the text cannot be moved: not an expression template, a loop or a
    bare ``return`` in it, or something renaming does not handle."""
    key = (factory, suffix)
    if key in _inline_cache:
        return _inline_cache[key]
    found = None
    recipe = RECIPES.get(factory)
    if recipe is not None and recipe[4] == "expr":
        _name, text, args, ns, _kind = recipe
        params = [a.strip() for a in args.split(",") if a.strip()]
        renamed = inline.rename_text(text, inline.builtin_names(args, ns), suffix)
        if (
            renamed is not None
            and not _BARE_RETURN.search(text)
            and not re.search(r"^ *(for|while)\b", text, re.M)
            and all(ln.startswith("        ") for ln in text.split("\n") if ln.strip())
        ):
            found = (
                renamed,
                [p + suffix for p in params],
                {n + suffix: v for n, v in ns.items()
                 if n not in params and n not in ("__builtins__", "factory")},
            )
    _inline_cache[key] = found
    return found


def embed(text: str, indent: str, sink: str) -> list[str]:
    """Lines that run template ``text`` (from :func:`inline_text`) at ``indent``, with each
    ``return X`` turned into ``sink.format(X)``. Several returns need a one-pass ``while``
    whose ``break`` stands for the return."""
    body = [ln for ln in text.split("\n") if ln.strip()]
    rets = [i for i, ln in enumerate(body) if _VALUE_RETURN.match(ln)]
    if rets == [len(body) - 1] and body[-1].startswith("        return "):
        out = [indent + ln[8:] for ln in body[:-1]]
        out.append(indent + sink.format(body[-1][len("        return "):]))
        return out
    inner = indent + "    "
    out = [indent + "while True:"]
    for ln in body:
        m = _VALUE_RETURN.match(ln)
        if m:
            pad = inner + m.group(1)[8:]
            out.append(pad + sink.format(m.group(2)))
            out.append(pad + "break")
        else:
            out.append(inner + ln[8:])
    out.append(inner + "break")
    return out


from . import inline  # noqa: E402  (inline reads RECIPES)
from .inline import inline_operands  # noqa: E402
