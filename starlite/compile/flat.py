"""Statement runs, step charges and ``while`` loops as templates, so that a loop body of
several statements runs as one generated function.

Off (``ENABLED = False``), the compiler builds the closures it built before these paths
existed; the tests run every ``.star`` chunk and benchmark program both ways and compare
results, errors, positions and step counts (also under every step limit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def sequence(units: list[Closure], signals: bool, value: Shape | None = None) -> Closure:
    """Statements run in order as one template closure, with the text of each statement made
    from a template written in place of its call (``inline.inline_body``). None of them may
    signal but the last (``signals``: the last may, and its signal is returned); or, with
    ``value``, none does and the closure returns the value of that operand (a function body
    ending in ``return``)."""
    n = len(units)
    names = [f"S{i}" for i in range(n)]
    lines = [f"        {p}(fr)" for p in names]
    if value is not None:
        lines.append("        {READ0}\n        return v")
        kinds: tuple[str, ...] = (value[0],)
    elif signals:
        lines[-1] = f"        return {names[-1]}(fr)"
        kinds = ()
    else:
        lines.append("        return")
        kinds = ()
    kind = "v" if value is not None else ("r" if signals else "")
    factory = template(f"seq{n}{kind}", "\n".join(lines), kinds, {}, ", ".join(names), ("v",),
                       discard=value is None and not signals)
    closure = make(factory, *([value[1]] if value is not None else []), *units)
    for p in names:
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
