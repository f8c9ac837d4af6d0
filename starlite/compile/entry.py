"""Entering a Starlark function from a call site, and frames built by call shape.

``code.invoke(frame)`` does the whole per-call work of a function (see ``make_invoke``): the
recursion check or depth limit, the body's leading charge, observers' call events. For the
commonest codes (``Code.plain``, ``signal_plain``, ``rec_plain``) a caller may do that work
itself and call the body directly, saving a Python call; :data:`ENTRY` is that text, written
once. :func:`enter` runs it on a ready frame.

A call whose arguments do not fill the callee's parameters one for one (keywords, defaults,
``*args``, ``**kwargs``) is bound by the callee's :class:`~.function.Plan` for the call's shape
(positional count, keyword names). :func:`runner` makes from a plan, once per frame layout,
a function ``run(th, f, a0, a1, ...)`` that builds the frame straight from the arguments —
defaults read from ``f.defaults``, the ``*args`` tuple and the ``**kwargs`` dict made right
there — and enters as :data:`ENTRY` does, all in one Python call. An error unwinding from the
body gets the callee's frame; the caller gives it the call's position.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from ..errors import EvalError, Position
from ..thread import MAX_DEPTH
from ..values.core import UNBOUND, Dict
from .function import Code, Function, Plan, plan_of

# The entry work on ``frame``, the frame of ``f`` (a Function) for thread ``th``; an error
# gets position ``pos`` when it is not None. As ``make_invoke`` does it: a plain body returns
# the value, a signal_plain one a signal; a leaf's charge within the bound skips the
# recursion set (while it runs nothing can re-enter it); step observers keep the bound at -1
# and so always take the ordinary path. Anything else goes through ``code.invoke``.
ENTRY = """
    code = f.code
    if not th.call_observers:
        if code.plain:
            s = th.steps + f.lead
            if f.leaf and s <= th.bound:
                th.steps = s
                try:
                    return f.body(frame)
                except EvalError as e:
                    e._leave(code.name, None)
                    if pos is not None:
                        e._at(pos)
                    raise
            act = th.active
            if code not in act:
                th.steps = s
                act.add(code)
                try:
                    if s > th.bound:
                        th.overflow(f.lead, code.site)
                    return f.body(frame)
                except EvalError as e:
                    e._leave(code.name, None)
                    if pos is not None:
                        e._at(pos)
                    raise
                finally:
                    act.discard(code)
        elif code.signal_plain:
            act = th.active
            if code not in act:
                s = th.steps + f.lead
                th.steps = s
                act.add(code)
                try:
                    if s > th.bound:
                        th.overflow(f.lead, code.site)
                    r = f.body(frame)
                except EvalError as e:
                    e._leave(code.name, None)
                    if pos is not None:
                        e._at(pos)
                    raise
                finally:
                    act.discard(code)
                return None if r is None else r[0]
        elif code.rec_plain and th.depth < MAX_DEPTH:
            th.depth += 1
            s = th.steps + f.lead
            th.steps = s
            try:
                if s > th.bound:
                    th.overflow(f.lead, code.site)
                r = f.body(frame)
            except EvalError as e:
                e._leave(code.name, None)
                if pos is not None:
                    e._at(pos)
                raise
            finally:
                th.depth -= 1
            return r if code.rec_plain == 1 or r is None else r[0]
    try:
        return code.invoke(frame)
    except EvalError as e:
        if pos is not None:
            e._at(pos)
        raise
"""

_ENV: dict[str, Any] = {"EvalError": EvalError, "MAX_DEPTH": MAX_DEPTH, "Dict": Dict,
                        "UNBOUND": UNBOUND}


def _define(header: str, label: str, params: str = "") -> Callable[..., Any]:
    """The function ``header`` (its first lines) then ENTRY, compiled as ``<starlite
    label>``; with ``params``, the factory ``f(params)`` of such functions (closures over
    them)."""
    ns = dict(_ENV)
    name = header[4:header.index("(")]
    text = header + ENTRY
    if params:
        text = (f"def factory({params}):\n" + textwrap.indent(text, "    ")
                + f"\n    return {name}\n")
        name = "factory"
    exec(compile(text, f"<starlite {label}>", "exec"), ns)  # noqa: S102
    return ns[name]  # type: ignore[no-any-return]


#: Run ``f`` on its ready ``frame`` (the entry work as :data:`ENTRY` does it); an error gets
#: the call's position ``pos`` (None: the caller places it).
enter: Callable[[Any, Function, list[Any], Position | None], Any] = _define(
    "def enter(th, f, frame, pos):", "enter")


# frame layout -> the factory of its runners (their parameter: the **kwargs names)
_runners: dict[tuple[int, str], Callable[..., Any]] = {}


def runner(code: Code, plan: Plan) -> Callable[..., Any]:
    """``run(th, f, a0, ..., an-1)``: build the frame of ``f`` (a function of ``code``) for a
    call with arguments ``a0...`` (positional, then keyword) by ``plan`` and enter it. The
    text is compiled once per frame layout, whatever the names of the keywords that go to
    ``**kwargs`` (``K0, K1 ...`` in it); the runner is kept in ``plan.run``."""
    if plan.run is not None:
        return plan.run
    slots = [f"d[{i}]" for i in range(code.nparams)]
    for i, j in plan.pairs:
        slots[j - 2] = f"a{i}"
    lines = []
    if any(s.startswith("d") for s in slots):
        lines.append("    d = f.defaults")
    nargs = len(plan.pairs) + len(plan.kwat)  # (each argument goes to one place)
    if plan.var is not None:
        start, stop = plan.var
        slots.append("(" + "".join(f"a{i}, " for i in range(start, stop)) + ")")
        nargs += stop - start
    if plan.kwnames is not None:
        lines.append("    kw = Dict()")
        lines += [f"    kw[K{j}] = a{i}" for j, i in enumerate(plan.kwat)]
        slots.append("kw")
    slots += ["UNBOUND"] * plan.rest  # the other locals, then the captured cells
    layout = "\n".join(lines) + "\n    frame = [th, f.globals, " + "".join(
        s + ", " for s in slots) + "*f.freecells]"
    key = (nargs, layout)
    factory = _runners.get(key)
    if factory is None:
        args = "".join(f", a{i}" for i in range(nargs))
        label = "run " + ", ".join(slots[:code.nparams + 2])  # (for profiles)
        params = "".join(f"K{j}, " for j in range(len(plan.kwat))) + "pos=None"
        factory = _runners[key] = _define(f"def run(th, f{args}):\n{layout}", label, params)
    plan.run = run = factory(*(plan.kwnames or ()))
    return run  # type: ignore[no-any-return]


def learn(f: Function, cache: list[Any]) -> Callable[..., Any] | None:
    """At a call site whose cache ``[code, run, npos, names]`` missed: the runner of
    ``f``'s plan for the site's shape (positional count ``npos``, then keywords
    ``names``), now cached there with ``f``'s code; None when the call does not bind
    (it then goes the general way, which reports the error)."""
    plan = plan_of(f, cache[2], cache[3])
    run = None if plan is None else runner(f.code, plan)
    cache[0] = f.code
    cache[1] = run
    return run


__all__ = ["ENTRY", "enter", "learn", "runner"]
