"""Statement runs, step charges and ``while`` loops as templates, so that a loop body of
several statements runs as one generated function.

Off (``ENABLED = False``), the compiler builds the closures it built before these paths
existed; the tests run every ``.star`` chunk and benchmark program both ways and compare
results, errors, positions and step counts (also under every step limit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..values.core import List
from .shapes import Shape, inline, make, template

ENABLED = True

Closure = Callable[[list[Any]], Any]

_CHARGE = """
        th = fr[0]
        s_ = th.steps + K
        th.steps = s_
        if s_ > th.bound:
            th.overflow(K, SITE)
        {RUN}"""

_WHILE = """
        th = fr[0]
        while True:
            s_ = th.steps + CK
            th.steps = s_
            if s_ > th.bound:
                th.overflow(CK, CSITE)
            {READ0}
            if not c:
                break
            s_ = th.steps + BK
            th.steps = s_
            if s_ > th.bound:
                th.overflow(BK, BSITE)
            BODY(fr)
        return"""


def sequence(units: list[Closure], sigs: list[bool], value: Shape | None = None) -> Closure:
    """Statements run in order as one template closure, stopping at the first that returns
    a signal (``sigs[i]``: unit i may), which is returned; or, with ``value`` (then no unit
    signals), returning the value of that operand (a function body ending in ``return``).
    The text of each statement made from a template is written in place of its call: a
    statement that never signals by ``inline.inline_body``, one that may as an operand
    (``inline.inline_operands``), the last one in tail position."""
    n = len(units)
    lines: list[str] = []
    params: list[str] = []
    pvalues: list[Any] = []
    kinds: list[str] = []
    ovalues: list[Any] = []
    targets: list[str] = []
    if value is not None:
        kinds.append(value[0])
        ovalues.append(value[1])
        targets.append("v")
    for i, (u, sig) in enumerate(zip(units, sigs)):
        if sig and i < n - 1:
            j = len(kinds)
            kinds.append("G")
            ovalues.append(u)
            targets.append(f"r{j}")
            lines.append(f"        {{READ{j}}}\n        if r{j} is not None:\n"
                         f"            return r{j}")
            continue
        params.append(f"S{i}")
        pvalues.append(u)
        lines.append(f"        {'return ' if sig else ''}S{i}(fr)")
    if value is not None:
        lines.append("        {READ0}\n        return v")
    elif not sigs[-1]:
        lines.append("        return None" if any(sigs) else "        return")
    pattern = "".join("s" if g else "n" for g in sigs) + ("v" if value is not None else "")
    factory = template(f"seq_{pattern}", "\n".join(lines), tuple(kinds), {},
                       ", ".join(params), tuple(targets),
                       discard=value is None and not any(sigs))
    closure = make(factory, *ovalues, *pvalues)
    for p in params:
        closure = inline.inline_body(closure, p)
    return closure


def charged(k: int, site: Any, run: Closure, signals: bool) -> Closure:
    """``run`` preceded by a charge of ``k`` steps (``signals``: run's signal is returned)."""
    src = _CHARGE.replace("{RUN}", "return RUN(fr)" if signals else "RUN(fr)\n        return")
    factory = template("charged" + ("r" if signals else ""), src, (), {}, "K, SITE, RUN",
                       discard=not signals)
    return inline.inline_body(make(factory, k, site, run), "RUN")


def while_loop(cond: Shape, ck: int, csite: Any, body: Closure, bk: int, bsite: Any
               ) -> Closure:
    """``while c: body`` for a body that never signals: the condition's charge (``ck``),
    the condition read by its shape, the body's leading charge (``bk``), the body's text in
    place of its call when it was made from a template."""
    factory = template("while_loop", _WHILE, (cond[0],), {}, "CK, CSITE, BODY, BK, BSITE", ("c",),
                       discard=True)
    return inline.inline_body(make(factory, cond[1], ck, csite, body, bk, bsite), "BODY")


def signal(name: str, value: Any) -> Closure:
    """``break`` / ``continue``: a template closure returning the signal."""
    return make(template("signal_" + name, f"        return {name}", (), {name: value}))


def returns(x: Shape) -> Closure:
    """``return x``: a template closure returning the 1-tuple of the value."""
    return make(template("returns", "        {READ0}\n        return (v,)", (x[0],), {}, "",
                         ("v",)), x[1])


_FOR = """
        {READ0}
        if type(it) is List:  # (open_iteration's commonest cases inline)
            it.guard += 1
            seq_ = held_ = it
        elif type(it) is range:
            seq_ = it
            held_ = None
        else:
            seq_, held_ = open_iteration(it, IPOS)
        th = fr[0]
        try:
            for v_ in seq_:
                s_ = th.steps + K
                th.steps = s_
                if s_ > th.bound:
                    th.overflow(K, SITE)
                BIND
                RUN
        finally:
            if held_ is not None:
                held_.guard -= 1
        return END"""
_BIND = {
    "local": "fr[SLOT] = v_",
    "global": "fr[1][SLOT] = v_",
    "pair": "if type(v_) is tuple and len(v_) == 2:\n"
            "                    fr[SLOT[0]], fr[SLOT[1]] = v_\n"
            "                else:\n"
            "                    ASSIGN(fr, v_)",
    "any": "ASSIGN(fr, v_)",
}
_RUN_SIGNALS = """{READ1}
                if r is not None:
                    if r is BREAK:
                        break
                    if r is CONTINUE:
                        continue
                    return r"""


def for_loop(it: Shape, ipos: Any, k: int, site: Any, bind: str, slot: Any, assign: Any,
             body: Closure, signals: bool) -> Closure:
    """``for <target> in <iterable>: <body>`` as one template closure: the iterable read by
    shape, each element charged ``k`` steps and bound (``bind``: to local ``slot``, to
    global ``slot``, to the pair of locals ``slot`` when it is a 2-tuple, or by the
    ``assign`` closure), then the body. A body that may signal is read as an operand
    (its text written in when it was made from a template) and its signal acted on; one
    that never does is written in as a statement."""
    from .core import BREAK, CONTINUE, open_iteration

    run = _RUN_SIGNALS if signals else "BODY(fr)"
    src = (_FOR.replace("BIND", _BIND[bind]).replace("RUN", run)
           .replace("return END", "return None" if signals else "return"))
    kinds = (it[0], "G") if signals else (it[0],)
    env = {"open_iteration": open_iteration, "BREAK": BREAK, "CONTINUE": CONTINUE,
           "List": List}
    params = "IPOS, K, SITE, SLOT, ASSIGN" + ("" if signals else ", BODY")
    factory = template(f"for_{bind}" + ("_signals" if signals else ""), src, kinds, env,
                       params, ("it", "r"), discard=not signals)
    if signals:
        return make(factory, it[1], body, ipos, k, site, slot, assign)
    return inline.inline_body(make(factory, it[1], ipos, k, site, slot, assign, body), "BODY")


_AND_OR = """
        {READ0}
        if TEST:
            return a
        th = fr[0]
        s_ = th.steps + K
        th.steps = s_
        if s_ > th.bound:
            th.overflow(K, SITE)
        {READ1}
        return b"""


def and_or(op: str, x: Shape, y: Shape, k: int, site: Any) -> Closure:
    """``x and y`` / ``x or y``: ``x`` read by shape; ``y``, when it is evaluated, after the
    charge of its own ``k`` nodes."""
    src = _AND_OR.replace("TEST", "not a" if op == "and" else "a")
    factory = template(op + "_", src, (x[0], y[0]), {}, "K, SITE", ("a", "b"))
    return make(factory, x[1], y[1], k, site)
