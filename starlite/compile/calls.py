"""Call sites.

A call site compiles to a closure that evaluates the callee and the arguments, then:

* for a Starlark :class:`Function` called with exactly its number of positional parameters
  (the common case), builds the callee's frame as a plain list right there and runs
  ``code.invoke`` — no argument tuple, no binding loop;
* for ``x.method(...)`` on a list, dict, string ... looks the method up in the type's table and
  calls it without creating a bound-method value (``list.append`` is inlined);
* otherwise goes through :func:`call_value`, the general path also used by builtins that call
  back into Starlark (``sorted(key=...)``) and by ``starlite.call``.

Errors unwinding through a call site get the call's position for the caller's frame; a
builtin's own error also gets a ``<builtin>`` frame.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, NoReturn

from ..errors import EvalError, Position
from ..syntax import ast as A
from ..thread import MAX_DEPTH
from ..values.args import Signature, call_builtin
from ..values.collect import COPY_PER_STEP, elements
from ..values.core import Builtin, Dict, HostValue, List, check_mutable, type_name
from ..values.keys import unbox
from ..values.ops import METHODS, get_attr
from . import flat, methods
from .builtin_calls import direct_call
from .entry import enter, learn, runner
from .function import Function, new_frame, plan_of
from .leafcall import inline_call
from .shapes import make, shape_of, template

Closure = Callable[[list[Any]], Any]


def call_value(th: Any, f: Any, args: tuple[Any, ...] | list[Any],
               kwargs: dict[str, Any] | None = None) -> Any:
    """Call any Starlark callable ``f`` (the general path)."""
    t = type(f)
    if t is Function:
        code = f.code
        if flat.ENABLED:
            if not kwargs:
                if code.fast_arity == len(args):
                    return enter(th, f, [th, f.globals, *args, *f.pad], None)
                plan = plan_of(f, len(args), ())
                if plan is not None:
                    return runner(code, plan)(th, f, *args)
            else:
                plan = plan_of(f, len(args), tuple(kwargs))
                if plan is not None:
                    return runner(code, plan)(th, f, *args, *kwargs.values())
        return code.invoke(new_frame(th, f, args, kwargs))
    if t is Builtin:
        try:
            return call_builtin(th, f, tuple(args), kwargs)
        except EvalError as e:
            e._leave(f.name, None)
            raise
    if isinstance(f, HostValue):
        try:
            r = f.call(th, *args, **(kwargs or {}))
        except EvalError as e:
            e._leave(f.starlark_type, None)
            raise
        except Exception as e:  # a host's own failure
            err = EvalError(f"{f.starlark_type}: {type(e).__name__}: {e}")
            err._leave(f.starlark_type, None)
            raise err from e
        if r is NotImplemented:
            raise EvalError(f"invalid call of non-function ({f.starlark_type})")
        return r
    raise EvalError(f"invalid call of non-function ({type_name(f)})")


def call_at(th: Any, f: Any, args: tuple[Any, ...] | list[Any],
            kwargs: dict[str, Any] | None, pos: Position) -> Any:
    try:
        return call_value(th, f, args, kwargs)
    except EvalError as e:
        e._at(pos)
        raise


_msigs: dict[Any, Signature] = {}


def call_method(th: Any, name: str, m: Any, recv: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any] | None, pos: Position) -> Any:
    sig = _msigs.get(m)
    if sig is None:
        sig = _msigs[m] = Signature(m, 2)
    n = len(args)
    if kwargs or not (sig.nmin <= n <= sig.nmax):
        try:
            sig.check(name, args, kwargs)
        except EvalError as e:
            e._leave(name, None)
            e._at(pos)
            raise
    try:
        if kwargs:
            return m(th, recv, *args, **kwargs)
        return m(th, recv, *args)
    except Exception as e:
        method_failed(e, name, pos)


def method_failed(e: Exception, name: str, pos: Position) -> NoReturn:
    """Raise the error of a call at ``pos`` of method ``name``, which raised ``e``."""
    if isinstance(e, EvalError):
        err = e
    elif isinstance(e, RecursionError):
        err = EvalError(f"{name}: maximum recursion depth exceeded")
        err.__suppress_context__ = True
    else:
        err = EvalError(f"{name}: {type(e).__name__}: {e}")
        err.__cause__ = e
    err._leave(name, None)
    err._at(pos)
    raise err


# Arguments unpacked from `*x` or `**d` into a builtin or method cost 1 step per SPREAD_ARGS:
# a builtin may do Python-level work per argument (print, zip, set.union ...).
SPREAD_ARGS = 2
# Each keyword unpacked from `**d` costs 1 step per SPREAD_KWARGS: a dict entry made by Python.
SPREAD_KWARGS = 4


def _spread(th: Any, f: Any, v: Any, pos: Position) -> Any:
    """The arguments ``*v`` gives a call of ``f`` (a list or tuple, for the caller to copy),
    charged before they are made (a host value's as its iterator yields them)."""
    try:
        t = type(v)
        if t is List or t is tuple:
            items: Any = v
            if len(v) >= COPY_PER_STEP:
                th.charge(len(v) // COPY_PER_STEP)
        else:
            items = elements(th, v)
            if items is None:
                raise EvalError(f"argument after * must be iterable, not {type_name(v)}")
        if type(f) is not Function and len(items) >= SPREAD_ARGS:
            th.charge(len(items) // SPREAD_ARGS)
        return items
    except EvalError as e:
        e._at(pos)
        raise


def _charge_at(th: Any, k: int, pos: Position) -> None:
    try:
        th.charge(k)
    except EvalError as e:
        e._at(pos)
        raise


def _errat(msg: str, pos: Position) -> EvalError:
    e = EvalError(msg)
    e._at(pos)
    return e


def _duplicate_kwarg(f: Any, method: str | None, k: str) -> str:
    """starlark-go's words for a keyword given twice (``f(a=1, **{"a": 2})``)."""
    if type(f) is Function:
        return f'function {f.name} got multiple values for parameter "{k}"'
    name = method or getattr(f, "name", None) or type_name(f)
    if name == "dict":
        return f'dict: duplicate keyword arg: "{k}"'
    return f"{name}: got multiple values for keyword argument {k}"


def compile_call(cc: Any, e: A.Call) -> Closure:
    pos = cc.pos(e)
    plain = all(a.argkind == "pos" for a in e.args)
    if isinstance(e.fn, A.Dot) and plain:
        return _method_call(cc, e, pos)
    if (isinstance(e.fn, A.Dot) and flat.ENABLED
            and all(a.argkind in ("pos", "named") for a in e.args)):
        return _method_keyword_call(cc, e, pos)
    if plain and len(e.args) <= 4:
        return _positional_call(cc, e, pos)
    if _keywords_only(e):
        if cc.funcname == "<toplevel>":
            return _keyword_closure(cc, e, pos)
        return _keyword_call(cc, e, pos)
    fn = cc.expr(e.fn)
    if plain:
        return _positional_call_n(fn, [cc.expr(a.value) for a in e.args], pos)
    if (flat.ENABLED and not isinstance(e.fn, A.Dot) and e.args[-1].argkind == "star"
            and all(a.argkind == "pos" for a in e.args[:-1])):
        return _star_call(cc, fn, e, pos)
    return _general_call(cc, fn, e, pos)


def _keywords_only(e: A.Call) -> bool:
    """Whether ``e`` is ``f(a, k=v)`` (no ``*``/``**``, not a method) and keyword calls are
    compiled by ``_keyword_call``."""
    return (flat.ENABLED and not isinstance(e.fn, A.Dot)
            and all(a.argkind in ("pos", "named") for a in e.args)
            and any(a.argkind == "named" for a in e.args))


def _keyword_call(cc: Any, e: A.Call, pos: Position, store: int = -1,
                  discard: bool = False) -> Closure:
    """``f(a, k=v)``: positional and keyword arguments, evaluated in order, read by shape (up
    to MAX_SHAPED of them). When ``f`` is a Starlark function, the call is bound by the
    callee's plan for this shape, learnt once per code (see ``entry``); anything else, or
    a call that does not bind, goes the general way (``call_shaped``), with its errors."""
    n = len(e.args)
    shapes = [shape_of(cc, e.fn)] + [
        shape_of(cc, a.value) if n <= MAX_SHAPED else ("G", cc.expr(a.value)) for a in e.args]
    npos = sum(1 for a in e.args if a.argkind == "pos")
    names = tuple(str(a.name) for a in e.args if a.argkind == "named")
    src, onames = _kwcall_src(n)
    factory = template(f"kwcall{n}", src, tuple(k for k, _ in shapes), _CALL_ENV, "POS, PC",
                       onames, store >= 0, discard)
    values = [v for _, v in shapes]
    site = [None, None, npos, names]
    if store >= 0:
        return make(factory, *values, pos, site, store)
    return make(factory, *values, pos, site)


#: keyword calls with more arguments than this evaluate them through their closures
MAX_SHAPED = 6


def _keyword_closure(cc: Any, e: A.Call, pos: Position) -> Closure:
    """``f(a, k=v)`` at the top level, where it mostly runs once (a BUILD file's rule
    calls): as ``_keyword_call`` does it, in a plain closure, cheaper to compile."""
    fn = cc.expr(e.fn)
    argfs = [cc.expr(a.value) for a in e.args]
    site: list[Any] = [None, None, sum(1 for a in e.args if a.argkind == "pos"),
            tuple(str(a.name) for a in e.args if a.argkind == "named")]

    def keyword_call(fr: list[Any]) -> Any:
        f = fn(fr)
        vals = tuple([a(fr) for a in argfs])
        if type(f) is Function:
            run = site[1] if f.code is site[0] else learn(f, site)
            if run is not None:
                try:
                    return run(fr[0], f, *vals)
                except EvalError as err:
                    err._at(pos)
                    raise
        return call_shaped(fr[0], f, vals, site, pos)

    return keyword_call


def call_shaped(th: Any, f: Any, vals: tuple[Any, ...], site: list[Any], pos: Position) -> Any:
    """The general way of a keyword call site whose cache is ``site`` (``[code, run, npos,
    names]``): ``f`` called with ``vals``, positional then one per keyword name."""
    npos = site[2]
    kwargs = dict(zip(site[3], vals[npos:]))
    if type(f) is Builtin:  # as call_value calls it
        try:
            return call_builtin(th, f, vals[:npos], kwargs)
        except EvalError as e:
            e._leave(f.name, None)
            e._at(pos)
            raise
    return call_at(th, f, vals[:npos], kwargs, pos)


# ``f(a, b)``: a Starlark function taking exactly these arguments gets its frame built here.
# For a plain one, the callee's entry (see make_invoke) is inline: recursion check, charge; a
# leaf skips the recursion set, but only on the fast path (depth, for step observers, which
# keep the bound at -1, counts the set). Under Options(recursion=True) (``rec_plain``) the
# entry is inline as ``enter`` does it (depth limit, charge); past the limit,
# ``code.invoke`` reports the overflow. Fewer arguments than parameters whose other
# parameters all have defaults: ``f.tails``; any other shape: the site's plan (PLANNED).
# (Comments stay out of template texts: their lines count against the inlining bounds.)
_CALL_SRC = """
{READS}
        if type(f) is Function:
            if f.plain_n == N:
                th = fr[0]
                s = th.steps + f.lead
                if f.leaf and s <= th.bound and not th.call_observers:
                    th.steps = s
                    try:
                        return f.body([th, f.globals, {ARGS}*f.pad])
                    except EvalError as e:
                        e._leave(f.code.name, None)
                        e._at(POS)
                        raise
                act = th.active
                code = f.code
                if code not in act and not th.call_observers:
                    th.steps = s
                    act.add(code)
                    try:
                        if s > th.bound:
                            th.overflow(f.lead, code.site)
                        return f.body([th, f.globals, {ARGS}*f.pad])
                    except EvalError as e:
                        e._leave(code.name, None)
                        e._at(POS)
                        raise
                    finally:
                        act.discard(code)
            code = f.code
            if code.fast_arity == N:
                rp = code.rec_plain
                if rp:
                    th = fr[0]
                    if th.depth < MAX_DEPTH and not th.call_observers:
                        th.depth += 1
                        s = th.steps + f.lead
                        th.steps = s
                        try:
                            if s > th.bound:
                                th.overflow(f.lead, code.site)
                            r = f.body([th, f.globals, {ARGS}*f.pad])
                        except EvalError as e:
                            e._leave(code.name, None)
                            e._at(POS)
                            raise
                        finally:
                            th.depth -= 1
                        return r if rp == 1 or r is None else r[0]
                if code.signal_plain:
                    return enter(fr[0], f, [fr[0], f.globals, {ARGS}*f.pad], POS)
                try:
                    return code.invoke([fr[0], f.globals, {ARGS}*f.pad])
                except EvalError as e:
                    e._at(POS)
                    raise
            if N in f.tails:
                return enter(fr[0], f, [fr[0], f.globals, {ARGS}*f.tails[N]], POS)
{PLANNED}
        return call_at(fr[0], f, ({TUPLE}), None, POS)"""

# A call bound by the callee's plan for this site's shape (see ``entry``): ``PC`` is the
# site's cache, ``[code, run, npos, names]``, the code last called here and its runner.
_PLANNED = """            run = PC[1] if code is PC[0] else learn(f, PC)
            if run is not None:
                try:
                    return run(fr[0], f, {ARGS})
                except EvalError as e:
                    e._at(POS)
                    raise"""

# ``f(a, k=v)``: positional then keyword arguments, read by shape.
_KWCALL_SRC = """
{READS}
        if type(f) is Function:
            code = f.code
{PLANNED}
        return call_shaped(fr[0], f, ({ARGS}), PC, POS)"""


@functools.cache
def _kwcall_src(n: int) -> tuple[str, tuple[str, ...]]:
    """The keyword call template's source for ``n`` arguments, and its operand names."""
    names = ("f",) + tuple(f"x{i}" for i in range(n))
    reads = "\n".join("        {READ" + str(i) + "}" for i in range(n + 1))
    args = "".join(f"x{i}, " for i in range(n))
    src = _KWCALL_SRC.replace("{READS}", reads).replace("{PLANNED}", _PLANNED)
    return src.replace("{ARGS}", args), names


@functools.cache
def _call_src(n: int, planned: bool, function: bool = True) -> tuple[str, tuple[str, ...]]:
    """The call template's source for ``n`` positional arguments, and its operand names;
    ``planned``: with the path for callees that take these arguments by a plan;
    ``function``: with the paths for a Starlark function (not for a constant callee that
    is something else, a builtin)."""
    names = ("f",) + tuple(f"x{i}" for i in range(n))
    reads = "\n".join("        {READ" + str(i) + "}" for i in range(n + 1))
    text = _CALL_SRC
    if not function:
        text = text[:text.index("\n        if type(f) is Function:")] + \
            text[text.index("\n        return call_at("):]
    src = (
        text.replace("{READS}", reads)
        .replace("{PLANNED}", _PLANNED if planned else "")
        .replace("{ARGS}", "".join(f"x{i}, " for i in range(n)))
        .replace("{TUPLE}", "".join(f"x{i}, " for i in range(n)))
    )
    src = re.sub(r"\bN\b", str(n), src)
    return src, names


def _positional_call(cc: Any, e: A.Call, pos: Position, store: int = -1,
                     discard: bool = False) -> Closure:
    """``f(a, b)`` with up to 4 positional arguments, operands read by shape."""
    shapes = [shape_of(cc, e.fn)] + [shape_of(cc, a.value) for a in e.args]
    n = len(e.args)
    src, names = _call_src(n, flat.ENABLED)
    kinds = tuple(k for k, _ in shapes)
    values = [v for _, v in shapes]
    base = f"call{n}" + ("p" if flat.ENABLED else "")
    params = "POS, PC"
    inlined = inline_call(
        cc, e, pos,
        lambda: make(template(base, src, kinds, _CALL_ENV, params, names), *values, pos,
                     [None, None, n, ()]),
        store, discard)
    if inlined is not None:
        return inlined
    fast = methods.direct_builtin(values[0], n) if kinds[0] == "C" else ""
    if kinds[0] == "C":  # a builtin of the universe: its function called from the site
        direct = direct_call(values[0], shapes[1:], pos, fast, methods.env(), store, discard)
        if direct is not None:
            return direct
    name = base
    if kinds[0] == "C" and type(values[0]) is not Function:  # (`len`, `str` ...)
        src, names = _call_src(n, flat.ENABLED, False)
        name += "c"
    if flat.ENABLED:  # builtins called straight from the site (see `_BUILTIN_CALL`)
        at = src.index("\n        return call_at(")
        src = src[:at] + _BUILTIN_CALL.replace("TUPLE", "".join(f"x{i}, " for i in range(n))) \
            + src[at:]
        name += "b"
    if fast:  # `len(x)`, ... inline for the common types (see ``methods``), after the reads
        at = min(src.find(s) % len(src) for s in (
            "\n        if type(f) is Function:", "\n        if type(f) is Builtin:",
            "\n        return call_at("))
        src = src[:at] + fast + src[at:]
        name += "_" + values[0].name
    env = {**_CALL_ENV, **methods.env()} if fast else _CALL_ENV
    factory = template(name, src, kinds, env, params, names, store >= 0, discard)
    if store >= 0:
        return make(factory, *values, pos, [None, None, n, ()], store)
    return make(factory, *values, pos, [None, None, n, ()])


def compile_call_stmt(cc: Any, e: A.Call) -> Closure | None:
    """The expression statement ``f(args)`` / ``x.m(args)`` as one closure returning None."""
    if _keywords_only(e) and cc.funcname != "<toplevel>":
        return _keyword_call(cc, e, cc.pos(e), discard=True)
    if len(e.args) > 4 or any(a.argkind != "pos" for a in e.args):
        return None
    if isinstance(e.fn, A.Dot):
        return _method_call(cc, e, cc.pos(e), discard=True)
    return _positional_call(cc, e, cc.pos(e), discard=True)


def compile_call_store(cc: Any, e: A.Call, slot: int) -> Closure | None:
    """The statement ``local = f(args)`` as one closure, when the call is a plain one."""
    if _keywords_only(e) and cc.funcname != "<toplevel>":
        return _keyword_call(cc, e, cc.pos(e), slot)
    if isinstance(e.fn, A.Dot) or len(e.args) > 4 or any(a.argkind != "pos" for a in e.args):
        return None
    return _positional_call(cc, e, cc.pos(e), slot)


def _positional_call_n(fn: Closure, argfs: list[Closure], pos: Position) -> Closure:
    n = len(argfs)

    def calln(fr: list[Any]) -> Any:
        f = fn(fr)
        args = [a(fr) for a in argfs]
        if type(f) is Function:
            code = f.code
            if code.fast_arity == n:
                try:
                    return code.invoke([fr[0], f.globals, *args, *f.pad])
                except EvalError as e:
                    e._at(pos)
                    raise
        return call_at(fr[0], f, args, None, pos)

    return calln


def _method_call(cc: Any, e: A.Call, pos: Position, discard: bool = False) -> Closure:
    assert isinstance(e.fn, A.Dot)
    recv = cc.expr(e.fn.x)
    name = e.fn.name
    dpos = cc.pos(e.fn)
    argfs = [cc.expr(a.value) for a in e.args]
    n = len(argfs)

    # A monomorphic inline cache: the receiver type last seen here and its method, once the
    # method's signature is known to accept this call's argument count.
    ic: list[Any] = [None, None]

    def failed(exc: Exception) -> NoReturn:
        """The cached method raised ``exc``: this call site's error."""
        if isinstance(exc, EvalError):
            exc._leave(name, None)
            exc._at(pos)
            raise exc
        wrapped = EvalError(f"{name}: {type(exc).__name__}: {exc}")
        wrapped._leave(name, None)
        wrapped._at(pos)
        raise wrapped from exc

    def generic(fr: list[Any], r: Any, args: tuple[Any, ...]) -> Any:
        t = type(r)
        if t is ic[0]:
            try:
                return ic[1](fr[0], r, *args)
            except Exception as exc:
                failed(exc)
        tbl = METHODS.get(t)
        if tbl is not None:
            m = tbl.get(name)
            if m is not None:
                r_ = call_method(fr[0], name, m, r, args, None, pos)
                sig = _msigs[m]
                if sig.nmin <= n <= sig.nmax:
                    ic[0] = t
                    ic[1] = m
                return r_
        try:
            f = get_attr(r, name)
        except EvalError as err:
            err._at(dpos)
            raise
        return call_at(fr[0], f, args, None, pos)

    if name == "append" and n == 1:

        def frozen_or_iterating(r: Any) -> None:
            try:
                check_mutable(r, "append to")
            except EvalError as err:
                err._leave("append", None)
                err._at(pos)
                raise

        shapes = [shape_of(cc, e.fn.x), shape_of(cc, e.args[0].value)]
        factory = template("append", _APPEND_SRC, tuple(k for k, _ in shapes),
                           {"List": List, "list_append": list.append}, "generic, refuse, DISCARD",
                           ("r", "x"), discard=discard)
        return make(factory, *[v for _, v in shapes], generic, frozen_or_iterating, discard)
    if name == "get" and n in (1, 2):
        shapes = [shape_of(cc, e.fn.x)] + [shape_of(cc, a.value) for a in e.args]
        if n == 1:
            shapes.append(("C", None))
        factory = template("dict_get" + str(n), _GET_SRC if n == 2 else _GET1_SRC,
                           tuple(k for k, _ in shapes), {"Dict": Dict, "dict_get": dict.get},
                           "generic", ("r", "k", "d"))
        return make(factory, *[v for _, v in shapes], generic)
    if n <= 3:
        # receiver and arguments read by shape; the method itself through `generic`
        src, names = _mcall_src(n)
        shapes = [shape_of(cc, e.fn.x)] + [shape_of(cc, a.value) for a in e.args]
        fast = methods.direct(name, n)
        if fast:  # the operation inline for the common types (see ``methods``)
            at = src.index("\n        if type(r) is IC[0]")
            src = src[:at] + fast + src[at:]
        factory = template(f"mcall{n}" + ("_" + name if fast else ""), src,
                           tuple(k for k, _ in shapes), methods.env() if fast else {},
                           "generic, IC, failed", names, discard=discard)
        return make(factory, *[v for _, v in shapes], generic, ic, failed)
    if discard:

        def mcall_stmt(fr: list[Any]) -> None:
            r = recv(fr)
            generic(fr, r, tuple([a(fr) for a in argfs]))

        return mcall_stmt

    def mcalln(fr: list[Any]) -> Any:
        r = recv(fr)
        return generic(fr, r, tuple([a(fr) for a in argfs]))

    return mcalln


@functools.cache
def _mcall_src(n: int) -> tuple[str, tuple[str, ...]]:
    names = ("r",) + tuple(f"x{i}" for i in range(n))
    reads = "\n".join("        {READ" + str(i) + "}" for i in range(n + 1))
    args = "".join(f"x{i}, " for i in range(n))
    # the inline cache's hit inline: the receiver's type last seen here and its method
    hit = (
        "\n        if type(r) is IC[0]:\n"
        "            try:\n"
        f"                return IC[1](fr[0], r, {args})\n"
        "            except Exception as e:\n"
        "                failed(e)"
    )
    return reads + hit + f"\n        return generic(fr, r, ({args}))", names


def _star_call(cc: Any, fn: Closure, e: A.Call, pos: Position) -> Closure:
    """``f(a, *xs)``: positional arguments, then the elements of one ``*`` argument. A
    Starlark function gets them as a positional call of that many arguments would: its
    frame built directly, or by its plan for that many (see ``star_finish``). ``f(*xs)``
    reads its operands by shape, the common case (a short list or tuple for a function)
    inline."""
    spos = cc.pos(e.args[-1])
    site: list[Any] = [None, -1, None]  # the code last called here, the argument count, run
    if len(e.args) == 1:
        shapes = [shape_of(cc, e.fn), shape_of(cc, e.args[0].value)]
        factory = template("star_call", _STAR_SRC, tuple(k for k, _ in shapes), _CALL_ENV,
                           "POS, SC, SPOS", ("f", "v"))
        return make(factory, *[v for _, v in shapes], pos, site, spos)
    argfs = [cc.expr(a.value) for a in e.args[:-1]]
    star = cc.expr(e.args[-1].value)

    def star_call(fr: list[Any]) -> Any:
        f = fn(fr)
        th = fr[0]
        args = [a(fr) for a in argfs]
        args.extend(_spread(th, f, star(fr), spos))
        return star_finish(th, f, args, site, pos)

    return star_call


def star_finish(th: Any, f: Any, args: Any, site: list[Any], pos: Position) -> Any:
    """The call of ``f`` with ``args`` (a list or tuple, after ``*``) at a site whose cache
    is ``site``: ``[code, argument count, run]``."""
    if type(f) is Function:
        code = f.code
        n = len(args)
        if code.fast_arity == n:
            return enter(th, f, [th, f.globals, *args, *f.pad], pos)
        if code is site[0] and n == site[1]:
            run = site[2]
        else:
            plan = plan_of(f, n, ())
            run = None if plan is None else runner(code, plan)
            site[0], site[1], site[2] = code, n, run
        if run is not None:
            try:
                return run(th, f, *args)
            except EvalError as err:
                err._at(pos)
                raise
    return call_at(th, f, args, None, pos)


def star_spread(fr: list[Any], f: Any, v: Any, site: list[Any], pos: Position,
                spos: Position) -> Any:
    """``f(*v)`` the general way: ``v``'s elements (charged as ``_spread`` does), then the
    call."""
    th = fr[0]
    return star_finish(th, f, _spread(th, f, v, spos), site, pos)


# ``f(*v)``: a function given a list or tuple too short to be charged for (see ``_spread``)
# is called here as ``star_finish`` calls it.
_STAR_SRC = """
        {READ0}
        {READ1}
        if type(f) is Function:
            t = type(v)
            if (t is List or t is tuple) and len(v) < COPY_PER_STEP:
                code = f.code
                n = len(v)
                if code.fast_arity == n:
                    return enter(fr[0], f, [fr[0], f.globals, *v, *f.pad], POS)
                if code is SC[0] and n == SC[1]:
                    run = SC[2]
                    if run is not None:
                        try:
                            return run(fr[0], f, *v)
                        except EvalError as e:
                            e._at(POS)
                            raise
        return star_spread(fr, f, v, SC, POS, SPOS)"""


def _method_keyword_call(cc: Any, e: A.Call, pos: Position) -> Closure:
    """``x.m(a, k=v)``: as the general path calls it (the method looked up before the
    arguments are evaluated), with a monomorphic inline cache: the receiver type last seen
    here whose method accepted this call's shape, so that its signature is not checked
    again."""
    assert isinstance(e.fn, A.Dot)
    recv = cc.expr(e.fn.x)
    name = e.fn.name
    dpos = cc.pos(e.fn)
    argfs = [cc.expr(a.value) for a in e.args]
    npos = sum(1 for a in e.args if a.argkind == "pos")
    names = tuple(str(a.name) for a in e.args if a.argkind == "named")
    ic: list[Any] = [None, None]

    def method_keyword_call(fr: list[Any]) -> Any:
        r = recv(fr)
        t = type(r)
        if t is ic[0]:
            vals = [a(fr) for a in argfs]
            try:
                return ic[1](fr[0], r, *vals[:npos], **dict(zip(names, vals[npos:])))
            except Exception as exc:
                method_failed(exc, name, pos)
        tbl = METHODS.get(t)
        m = tbl.get(name) if tbl is not None else None
        if m is None:
            try:
                f = get_attr(r, name)
            except EvalError as err:
                err._at(dpos)
                raise
        vals = [a(fr) for a in argfs]
        kwargs = dict(zip(names, vals[npos:]))
        th = fr[0]
        if m is not None:
            v = call_method(th, name, m, r, tuple(vals[:npos]), kwargs, pos)
            ic[0], ic[1] = t, m  # (the call got past the signature check)
            return v
        if type(f) is Function:
            plan = plan_of(f, npos, names)
            if plan is not None:
                try:
                    return (plan.run or runner(f.code, plan))(th, f, *vals)
                except EvalError as err:
                    err._at(pos)
                    raise
        return call_at(th, f, vals[:npos], kwargs, pos)

    return method_keyword_call


def _general_call(cc: Any, fn: Closure, e: A.Call, pos: Position) -> Closure:
    """Calls with keywords, ``*args`` or ``**kwargs``."""
    parts: list[tuple[str, str | None, Closure, Position]] = [
        (a.argkind, a.name, cc.expr(a.value), cc.pos(a)) for a in e.args
    ]
    method_name: str | None = None
    recv: Closure | None = None
    if isinstance(e.fn, A.Dot):
        method_name = e.fn.name
        recv = cc.expr(e.fn.x)
    dpos = cc.pos(e.fn)

    def call(fr: list[Any]) -> Any:
        th = fr[0]
        if recv is not None:
            r = recv(fr)
            assert method_name is not None
            tbl = METHODS.get(type(r))
            m = tbl.get(method_name) if tbl is not None else None
            f: Any = None
            if m is None:
                try:
                    f = get_attr(r, method_name)
                except EvalError as err:
                    err._at(dpos)
                    raise
        else:
            f = fn(fr)
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for kind, name, val, apos in parts:
            v = val(fr)
            if kind == "pos":
                args.append(v)
            elif kind == "named":
                assert name is not None
                kwargs[name] = v
            elif kind == "star":
                args.extend(_spread(th, f, v, apos))
            else:
                if type(v) is not Dict:
                    raise _errat(f"argument after ** must be a mapping, not {type_name(v)}",
                                 apos)
                per = SPREAD_KWARGS if type(f) is Function else SPREAD_ARGS
                if len(v) >= per:
                    _charge_at(th, len(v) // per, apos)
                for k, x in v.items():
                    if type(k) is not str:
                        raise _errat(f"keywords must be strings, not {type_name(unbox(k))}",
                                     apos)
                    if k in kwargs:
                        raise _errat(_duplicate_kwarg(f if recv is None else m, method_name,
                                                      k), apos)
                    kwargs[k] = x
        if recv is not None and m is not None:
            assert method_name is not None
            return call_method(th, method_name, m, r, tuple(args), kwargs or None, pos)
        if type(f) is Function and flat.ENABLED:  # as call_value does it, one call less
            plan = plan_of(f, len(args), tuple(kwargs))
            if plan is not None:
                try:
                    return runner(f.code, plan)(th, f, *args, *kwargs.values())
                except EvalError as err:
                    err._at(pos)
                    raise
        return call_at(th, f, args, kwargs or None, pos)

    return call


_APPEND_SRC = """
        {READ0}
        {READ1}
        if type(r) is List:
            if r.guard:
                refuse(r)
            list_append(r, x)
            return None
        v = generic(fr, r, (x,))
        return None if DISCARD else v"""

_GET_SRC = """
        {READ0}
        {READ1}
        {READ2}
        if type(r) is Dict and (type(k) is str or type(k) is int):
            return dict_get(r, k, d)
        return generic(fr, r, (k, d))"""
_GET1_SRC = _GET_SRC.replace("(k, d))", "(k,))")

# A builtin called by a positional call site: as ``call_value`` calls it, with its errors
# given the builtin's frame and the call's position.
_BUILTIN_CALL = """
        if type(f) is Builtin:
            try:
                return call_builtin(fr[0], f, (TUPLE), None)
            except EvalError as e:
                e._leave(f.name, None)
                e._at(POS)
                raise"""


_CALL_ENV: dict[str, Any] = {"Function": Function, "EvalError": EvalError, "call_at": call_at,
                             "enter": enter, "learn": learn, "call_shaped": call_shaped,
                             "Builtin": Builtin, "call_builtin": call_builtin,
                             "MAX_DEPTH": MAX_DEPTH, "List": List,
                             "COPY_PER_STEP": COPY_PER_STEP, "star_spread": star_spread}
