"""Fused integer arithmetic.

An expression such as ``i * 2 % 7`` or ``a + b * c < n`` whose leaves are all locals known to be
assigned or int constants compiles into *one* closure: it reads the leaves, checks that they are
ints of modest size, evaluates the whole tree as a single Python expression, and returns the
result if it is still of modest size. If any check fails it calls the ordinary closure tree,
which re-reads the leaves (reading a local has no side effect) and applies Starlark's general
rules, errors and step charges. So fusion changes speed only, never results or step counts.

Comparisons may only appear at the root (in Starlark ``(a < b) + 1`` is an error, in Python it
is 2). ``//`` and ``%`` need a divisor that is a non-zero constant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..syntax import ast as A
from .shapes import RECIPES, make

_ARITH = {"+", "-", "*", "//", "%", "&", "|", "^"}
_CMP = {"<", "<=", ">", ">=", "==", "!="}
_MAX_LEAVES = 8
_MAX_DEPTH = 16
# leaves and results beyond these magnitudes take the general path
_LEAF = 1 << 1024
_RESULT = 1 << 4096
_I64 = 1 << 63

_cache: dict[str, Callable[..., Any]] = {}
_MAX_SHAPES = 4096  # distinct fused shapes kept per process


def _leaf(e: A.Expr) -> tuple[str, Any] | None:
    if isinstance(e, A.Ident):
        b = e.binding
        if b is not None and b.scope == A.LOCAL and e.safe:
            return ("L", b.index)
        return None
    if isinstance(e, A.Literal) and type(e.value) is int:
        return ("C", e.value)
    return None


def _shape(e: A.Expr, leaves: list[tuple[str, Any]], root: bool, depth: int = 0) -> str | None:
    """The Python expression text for ``e`` over leaf variables (``v0``.. for locals, ``c0``..
    for constants), or None if not fusable. It gives up past ``_MAX_LEAVES`` leaves or
    ``_MAX_DEPTH`` levels, so its cost is bounded (it runs at every operator of a chain)."""
    if depth > _MAX_DEPTH or len(leaves) > _MAX_LEAVES:
        return None
    lf = _leaf(e)
    if lf is not None:
        if lf[0] == "C":
            consts = [x for x in leaves if x[0] == "C"]
            leaves.append(lf)
            return f"c{len(consts)}"
        locs = [x for x in leaves if x[0] == "L"]
        for i, x in enumerate(locs):
            if x == lf:
                return f"v{i}"
        leaves.append(lf)
        if len(leaves) > _MAX_LEAVES:
            return None
        return f"v{len(locs)}"
    if isinstance(e, A.Unary) and e.op == "-":
        inner = _shape(e.x, leaves, False, depth + 1)
        return None if inner is None else f"(-{inner})"
    if isinstance(e, A.Binary):
        if e.op in _CMP and not root:
            return None
        if e.op not in _ARITH and e.op not in _CMP:
            return None
        if e.op in ("//", "%"):
            if not (isinstance(e.y, A.Literal) and type(e.y.value) is int and e.y.value != 0):
                return None
        xs = _shape(e.x, leaves, False, depth + 1)
        if xs is None:
            return None
        ys = _shape(e.y, leaves, False, depth + 1)
        if ys is None:
            return None
        return f"({xs} {e.op} {ys})"
    return None


def _needs_size_guard(e: A.Expr) -> bool:
    """Whether ``e`` multiplies two non-constant operands (superlinear in their size)."""
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, A.Binary):
            if x.op == "*" and not isinstance(x.x, A.Literal) and not isinstance(x.y, A.Literal):
                return True
            stack.append(x.x)
            stack.append(x.y)
        elif isinstance(x, A.Unary):
            stack.append(x.x)
    return False


def _bits(e: A.Expr, ints: frozenset[int]) -> int | None:
    """An upper bound on the bit length of fusable ``e``'s value when its locals in ``ints``
    hold int64s; None if some leaf is not known to be an int64."""
    lf = _leaf(e)
    if lf is not None:
        if lf[0] == "C":
            return 64 if -_I64 <= lf[1] < _I64 else None
        return 64 if lf[1] in ints else None
    if isinstance(e, A.Unary):
        return _bits(e.x, ints)
    assert isinstance(e, A.Binary)
    a = _bits(e.x, ints)
    b = _bits(e.y, ints)
    if a is None or b is None:
        return None
    if e.op == "*":
        return a + b
    if e.op in ("+", "-"):
        return max(a, b) + 1
    return max(a, b)  # // % & | ^ and comparisons


def fusable(e: A.Expr) -> bool:
    if not isinstance(e, A.Binary):
        return False
    leaves: list[tuple[str, Any]] = []
    text = _shape(e, leaves, True)
    # worthwhile when it saves at least one closure call
    return (
        text is not None
        and any(k == "L" for k, _ in leaves)
        and _count_ops(e) >= 2
        and len(_cache) < _MAX_SHAPES
    )


def _count_ops(e: A.Expr) -> int:
    if isinstance(e, A.Binary):
        return 1 + _count_ops(e.x) + _count_ops(e.y)
    if isinstance(e, A.Unary):
        return 1 + _count_ops(e.x)
    return 0


def fuse(
    e: A.Expr, generic: Callable[[list[Any]], Any], store: int = -1,
    ints: frozenset[int] = frozenset(),
) -> Callable[[list[Any]], Any]:
    """The fused closure for ``e`` (check :func:`fusable` first); ``generic`` is the ordinary
    closure for ``e``. With ``store >= 0`` it is the statement ``local = e``: it stores into
    that slot, and ``generic`` is then the ordinary closure of the whole statement. Locals in
    ``ints`` are known to hold int64s: they need no check, and when every leaf is an int64
    the result's size may be bounded (:func:`_bits`) so that it needs no check either."""
    leaves: list[tuple[str, Any]] = []
    text = _shape(e, leaves, True)
    assert text is not None
    is_cmp = isinstance(e, A.Binary) and e.op in _CMP
    locs = [v for k, v in leaves if k == "L"]
    consts = [v for k, v in leaves if k == "C"]
    known = [v in ints for v in locs]
    bits = _bits(e, ints) if all(known) else None
    small = bits is not None and bits < 4000  # far below _RESULT's 4096 bits
    key = (f"{text}|{is_cmp}|{len(locs)}|{len(consts)}|{store >= 0}|{_needs_size_guard(e)}|"
           f"{known}|{small}")
    factory = _cache.get(key)
    if factory is None:
        reads = "\n".join(f"        v{i} = fr[S{i}]" for i in range(len(locs)))
        if _needs_size_guard(e):
            guard = " and ".join(
                f"type(v{i}) is int and NLEAF < v{i} < LEAF" for i in range(len(locs))
                if not known[i]
            )
        else:
            # + - // % & | ^ and multiplication by a constant take time linear in their
            # operands, whose size earlier charges already paid for; the result is checked.
            guard = " and ".join(
                f"type(v{i}) is int" for i in range(len(locs)) if not known[i]
            )
        ret = "fr[STORE] = r\n                return" if store >= 0 else "return r"
        if is_cmp or small:
            body = f"            r = {text}\n            {ret.replace(' ' * 16, ' ' * 12)}"
        else:
            body = (
                f"            r = {text}\n"
                "            if NRESULT < r < RESULT:\n"
                f"                {ret}"
            )
        guard = guard or "True"
        names = [f"S{i}" for i in range(len(locs))] + [f"c{j}" for j in range(len(consts))]
        if store >= 0:
            names.append("STORE")
        params = ", ".join(names) + ", generic"
        # as a statement, the general path is the whole statement's closure (returns None)
        fallback = (
            "        generic(fr)\n        return" if store >= 0 else "        return generic(fr)"
        )
        fbody = f"{reads}\n        if {guard}:\n{body}\n{fallback}"
        src = f"def factory({params}):\n    def fused(fr):\n{fbody}\n    return fused\n"
        ns: dict[str, Any] = {"LEAF": _LEAF, "RESULT": _RESULT, "NLEAF": -_LEAF,
                              "NRESULT": -_RESULT}
        exec(compile(src, "<starlite fused>", "exec"), ns)  # noqa: S102
        factory = ns["factory"]
        _cache[key] = factory
        RECIPES[factory] = ("fused", fbody, params, ns, "stmt" if store >= 0 else "expr")
    if store >= 0:
        return make(factory, *locs, *consts, store, generic)
    return make(factory, *locs, *consts, generic)
