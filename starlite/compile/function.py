"""Starlark functions: their compiled code, their values, and binding arguments to a frame.

A ``def`` or ``lambda`` compiles once into a :class:`Code` (body closure, parameter layout, step
cost of the body's first statement group). Evaluating the ``def`` makes a :class:`Function`
value: the code plus the module's globals, the evaluated defaults and the captured cells.

Calling a function builds its frame, a plain list ``[thread, globals, *slots]`` (see
``starlite.syntax.ast.Function``), and runs ``code.invoke(frame)``, which does the per-call work:
the recursion check, the depth limit, the body's leading step charge, call events for observers
that want them, and recording this frame when an error unwinds through it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import EvalError
from ..values.core import FROZEN, TYPE_NAMES, UNBOUND, Dict, freeze
from .lazy import remember

BodyFn = Callable[[list[Any]], Any]


class Code:
    """Everything about a function that does not change from one ``def`` evaluation to the
    next."""

    __slots__ = (
        "name",
        "filename",
        "line",
        "col",
        "param_names",
        "npos",
        "nparams",
        "nkwonly",
        "has_varargs",
        "has_kwargs",
        "varargs_slot",
        "kwargs_slot",
        "nlocals",
        "cells",
        "body",
        "invoke",
        "fast_arity",
        "param_index",
        "module",
        "plain",
        "lead",
        "site",
        "leaf",
        "node",
        "signal_plain",
        "rec_plain",
        "deep",
        "pending",
        "ensure",
        "plans",
        "direct",
    )

    def __init__(self, name: str, filename: str, line: int, col: int) -> None:
        self.name = name
        self.filename = filename
        self.line = line
        self.col = col
        self.param_names: list[str] = []
        self.param_index: dict[str, int] = {}
        self.npos = 0  # parameters that may be given positionally
        self.nparams = 0  # all named parameters (positional + keyword-only)
        self.nkwonly = 0
        self.has_varargs = False
        self.has_kwargs = False
        self.varargs_slot = -1
        self.kwargs_slot = -1
        self.nlocals = 0  # slots after thread/globals, excluding free cells
        self.cells: list[int] = []
        self.body: BodyFn = _no_body
        self.invoke: Callable[[list[Any]], Any] = _no_body
        self.fast_arity = -1  # number of positional args the fast call path handles, or -1
        self.module: Any = None
        # plain: the body returns the value itself, no cells, recursion checked by the active
        # set; then call sites do the entry work inline (charging `lead` steps).
        self.plain = False
        self.lead = 0
        self.site: Any = None  # the StepSite of the `lead` charge
        # leaf: the body makes no calls, so while it runs nothing can re-enter it and it
        # needs no entry in the recursion set
        self.leaf = False
        self.node: Any = None  # the `def` statement (None for a lambda)
        # as `plain`, but the body returns a signal (None, or a 1-tuple holding the value)
        self.signal_plain = False
        # under Options(recursion=True), no cells: call sites may do the entry work (the
        # depth limit, the charge) inline; 1: the body returns the value, 2: a signal
        self.rec_plain = 0
        self.deep = False  # compiled under Options(recursion=True)
        # while the body is not built yet (see compile.lazy): weak references to the
        # functions made meanwhile, and what builds it; else None
        self.pending: list[Any] | None = None
        self.ensure: Callable[[], None] | None = None
        # (positional count, keyword names) of calls -> their Plan, or None (see bind_plan)
        self.plans: dict[tuple[int, tuple[str, ...]], Plan | None] = {}
        # a generated body's entry taking the parameters as arguments (see codegen)
        self.direct: Callable[..., Any] | None = None


def _no_body(fr: list[Any]) -> Any:  # pragma: no cover - replaced at compile time
    raise EvalError("function body not compiled")


class Function:
    """A Starlark function value."""

    __slots__ = ("code", "globals", "defaults", "freecells", "pad", "plain_n", "rec_n", "body",
                 "direct", "lead", "leaf", "tails", "__weakref__")

    def __init__(
        self,
        code: Code,
        globals: list[Any],
        defaults: tuple[Any, ...],
        freecells: tuple[Any, ...],
    ) -> None:
        self.code = code
        self.globals = globals
        self.defaults = defaults  # one per named parameter; UNBOUND where required
        self.freecells = freecells
        # what follows the positional arguments in a fast-path frame
        self.pad = [UNBOUND] * (code.nlocals - code.fast_arity if code.fast_arity >= 0 else 0)
        self.pad.extend(freecells)
        # copied from the code so that call sites reach them with one attribute load
        self.plain_n = code.fast_arity if code.plain else -1
        # the same under Options(recursion=True), for a body that returns its value
        self.rec_n = code.fast_arity if code.rec_plain == 1 else -1
        self.body = code.body
        self.direct = code.direct
        self.lead = code.lead
        self.leaf = code.leaf
        # n -> what follows n positional arguments in a frame when the parameters after
        # them all have defaults (those defaults, then the pad); only for simple parameters
        self.tails: dict[int, list[Any]] = {}
        n = code.fast_arity
        while n > 0 and defaults[n - 1] is not UNBOUND:
            n -= 1
            self.tails[n] = [*defaults[n:code.fast_arity], *self.pad]
        if code.pending is not None:  # the body is built on the first call
            remember(code, self)

    @property
    def name(self) -> str:
        return self.code.name

    def __repr__(self) -> str:
        return f"<function {self.code.name}>"

    def _freeze_children(self) -> list[Any]:
        out = [d for d in self.defaults if d is not UNBOUND]
        for c in self.freecells:
            if c[0] is not UNBOUND:
                out.append(c[0])
        return out


TYPE_NAMES[Function] = "function"


def new_frame(th: Any, f: Function, args: tuple[Any, ...] | list[Any],
              kwargs: dict[str, Any] | None) -> list[Any]:
    """Bind ``args``/``kwargs`` to ``f``'s parameters (starlark-go's rules and messages)."""
    code = f.code
    fr: list[Any] = [th, f.globals]
    fr.extend([UNBOUND] * code.nlocals)
    fr.extend(f.freecells)
    npos = code.npos
    n = len(args)
    name = code.name
    if n > npos:
        if not code.has_varargs:
            if npos == 0:
                raise EvalError(f"function {name} accepts no positional arguments ({n} given)"
                                if code.nparams or code.has_kwargs else
                                f"function {name} accepts no arguments ({n} given)")
            opt = any(d is not UNBOUND for d in f.defaults[:npos])
            plural = "s" if npos != 1 else ""
            raise EvalError(
                f"function {name} accepts {'at most ' if opt else ''}{npos} positional "
                f"argument{plural} ({n} given)"
            )
        fr[2:2 + npos] = args[:npos]
        fr[code.varargs_slot] = tuple(args[npos:] if npos else args)
    else:
        fr[2:2 + n] = args
        if code.has_varargs:
            fr[code.varargs_slot] = ()
    kw: Dict | None = None
    if code.has_kwargs:
        kw = Dict()
        fr[code.kwargs_slot] = kw
    if kwargs:
        index = code.param_index
        if not code.nparams and not code.has_kwargs and not code.has_varargs:
            raise EvalError(f"function {name} accepts no arguments ({n + len(kwargs)} given)")
        for k, v in kwargs.items():
            i = index.get(k)
            if i is None:
                if kw is None:
                    from ..spell import suggest

                    hint = suggest(k, code.param_names)
                    raise EvalError(
                        f'function {name} got an unexpected keyword argument "{k}"{hint}')
                if k in kw:
                    raise EvalError(f'function {name} got multiple values for parameter "{k}"')
                kw[k] = v
                continue
            if fr[2 + i] is not UNBOUND:
                raise EvalError(f'function {name} got multiple values for parameter "{k}"')
            fr[2 + i] = v
    # defaults and missing parameters
    missing: list[str] | None = None
    defaults = f.defaults
    for i in range(code.nparams):
        if fr[2 + i] is UNBOUND:
            d = defaults[i]
            if d is UNBOUND:
                if missing is None:
                    missing = []
                missing.append(code.param_names[i])
            else:
                fr[2 + i] = d
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise EvalError(
            f"function {name} missing {len(missing)} argument{plural} ({', '.join(missing)})"
        )
    return fr


class Plan:
    """Where the arguments of a call go in a frame of one :class:`Code`, for a call with a
    given number of positional arguments followed by given keyword names (see
    :func:`bind_plan`)."""

    __slots__ = ("pairs", "var", "kwnames", "kwat", "rest", "run")

    def __init__(self, pairs: list[tuple[int, int]], var: tuple[int, int] | None,
                 kwnames: list[str] | None, kwat: list[int], rest: int) -> None:
        self.pairs = pairs  # (argument index, frame slot) per argument bound to a parameter
        self.var = var  # the arguments (start, stop) that make *args, if the code has it
        self.kwnames = kwnames  # the keywords that go to **kwargs, if the code has it ...
        self.kwat = kwat  # ... and their argument indexes
        self.rest = rest  # the frame's other local slots
        # what builds the frame from the arguments and enters it, made on first use (see
        # ``entry.runner``)
        self.run: Callable[..., Any] | None = None


def bind_plan(code: Code, npos: int, names: tuple[str, ...],
              defaults: tuple[Any, ...]) -> Plan | None:
    """The plan of a call of ``code`` with ``npos`` positional arguments, then keyword
    arguments ``names``, when the call binds without error; None when it would fail (the
    caller then binds by name, with the error). Whether a parameter has a default is a
    property of the code (``defaults``, of any function of it, holds UNBOUND exactly where
    the ``def`` gives none)."""
    nfill = min(npos, code.npos)
    if npos > nfill and not code.has_varargs:
        return None
    pairs = [(i, 2 + i) for i in range(nfill)]
    filled = set(range(nfill))
    kwnames: list[str] | None = [] if code.has_kwargs else None
    kwat: list[int] = []
    for j, k in enumerate(names):
        i = code.param_index.get(k)
        if i is None:
            if kwnames is None or k in kwnames:
                return None
            kwnames.append(k)
            kwat.append(npos + j)
        elif i in filled:
            return None
        else:
            filled.add(i)
            pairs.append((npos + j, 2 + i))
    if any(defaults[i] is UNBOUND for i in range(code.nparams) if i not in filled):
        return None
    var = (nfill, npos) if code.has_varargs else None
    rest = code.nlocals - code.nparams - code.has_varargs - code.has_kwargs
    return Plan(pairs, var, kwnames, kwat, rest)


#: call shapes whose plans a code keeps
MAX_PLANS = 64

_NO_PLAN = Plan([], None, None, [], 0)


def plan_of(f: Function, npos: int, names: tuple[str, ...]) -> Plan | None:
    """The plan (learnt once per code) of a call of ``f`` with ``npos`` positional
    arguments, then keyword arguments ``names``; None: bind by name (:func:`new_frame`)."""
    plans = f.code.plans
    key = (npos, names)
    plan = plans.get(key, _NO_PLAN)
    if plan is _NO_PLAN:
        plan = bind_plan(f.code, npos, names, f.defaults)
        if len(plans) < MAX_PLANS:  # (`f(**d)` may bring ever new keyword names)
            plans[key] = plan
    return plan


def fill_frame(th: Any, f: Function, vals: tuple[Any, ...] | list[Any], plan: Plan) -> list[Any]:
    """``f``'s frame for a call with arguments ``vals`` (positional, then keyword), by
    ``plan``."""
    fr = [th, f.globals, *f.defaults]
    for i, j in plan.pairs:
        fr[j] = vals[i]
    var = plan.var
    if var is not None:
        fr.append(tuple(vals[var[0]:var[1]]))
    kwnames = plan.kwnames
    if kwnames is not None:
        kw = Dict()
        for k, i in zip(kwnames, plan.kwat):
            kw[k] = vals[i]
        fr.append(kw)
    if plan.rest:
        fr.extend([UNBOUND] * plan.rest)
    if f.freecells:
        fr.extend(f.freecells)
    return fr


def planned_frame(th: Any, f: Function, vals: tuple[Any, ...] | list[Any],
                  names: tuple[str, ...]) -> list[Any] | None:
    """``f``'s frame for a call with arguments ``vals`` (positional, then one per keyword in
    ``names``) by its plan; None when the call must be bound by name (:func:`new_frame`),
    which then reports its error."""
    plan = plan_of(f, len(vals) - len(names), names)
    return None if plan is None else fill_frame(th, f, vals, plan)


def freeze_globals(values: list[Any]) -> None:
    for v in values:
        if v is not UNBOUND:
            freeze(v)


__all__ = ["Code", "Function", "Plan", "bind_plan", "fill_frame", "new_frame", "plan_of",
           "planned_frame", "freeze_globals",
           "FROZEN"]
