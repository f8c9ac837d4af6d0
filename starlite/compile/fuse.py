"""Fused integer arithmetic.

An expression such as ``i * 2 % 7`` or ``a + b * c < n`` whose leaves are all locals known to be
assigned or int constants compiles into *one* closure: it reads the leaves, checks that they are
ints of modest size, evaluates the whole tree as a single Python expression, and returns the
result. If any check fails it calls the ordinary closure tree, which re-reads the leaves
(reading a local has no side effect) and applies Starlark's general rules, errors and step
charges. So fusion changes speed only, never results or step counts.

The size check is derived from the tree (:func:`_leaf_bits`): the leaves must be small enough
that every operation in it, intermediate ones included, is one that the ordinary closures do
on their fast paths, which charge nothing beyond the nodes' steps (``binops``: operands of
``*`` below 2**2048, results of ``+``/``-`` and dividends of ``//``/``%`` below 2**4096,
operands of ``&``/``|``/``^`` below 2**4095).
Values the tree computes thus stay below 2**4096 however often it reuses a local, so the work
done before any charge is proportional to the tree's size.

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
# the fast paths of the ordinary closures (``binops``): operands of `*` and results of `+`/`-`
# and dividends of `//`/`%` of at most these many bits
_MUL_BITS = 2048
_SUM_BITS = 4096
_BIT_BITS = 4095

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


_Cond = tuple[int, int, int, frozenset[int]]
_NONE: frozenset[int] = frozenset()


def _bound(e: A.Expr, ints: frozenset[int], conds: list[_Cond]
           ) -> tuple[int, int, frozenset[int]]:
    """``(d, k, slots)`` such that fusable ``e``'s value has at most ``d * b + k`` bits when
    its locals in ``ints`` hold int64s and its other locals, ``slots``, have at most ``b``
    bits. Appends to ``conds`` a ``(d, k, limit, slots)`` for each operand that must have at
    most ``limit`` bits for its operation to take the ordinary closure's fast path."""
    lf = _leaf(e)
    if lf is not None:
        if lf[0] == "C":
            return 0, abs(lf[1]).bit_length(), _NONE
        return (0, 64, _NONE) if lf[1] in ints else (1, 0, frozenset((lf[1],)))
    if isinstance(e, A.Unary):
        return _bound(e.x, ints, conds)
    assert isinstance(e, A.Binary)
    dx, kx, sx = _bound(e.x, ints, conds)
    dy, ky, sy = _bound(e.y, ints, conds)
    op = e.op
    if op == "*":
        conds.append((dx, kx, _MUL_BITS, sx))
        conds.append((dy, ky, _MUL_BITS, sy))
        return dx + dy, kx + ky, sx | sy
    if op in ("+", "-"):
        d, k = max(dx, dy), max(kx, ky) + 1
        conds.append((d, k, _SUM_BITS, sx | sy))
        return d, k, sx | sy
    if op in ("//", "%"):
        conds.append((dx, kx, _SUM_BITS, sx))
        # |x % c| < |c| and |x // c| <= |x| for a constant c != 0
        return (dy, ky, sy) if op == "%" else (dx, kx, sx)
    if op in _CMP:
        return 0, 1, _NONE
    # & | ^: operands below 2**4095 (two negatives may gain a bit)
    conds.append((dx, kx, _BIT_BITS, sx))
    conds.append((dy, ky, _BIT_BITS, sy))
    return max(dx, dy), max(kx, ky) + 1, sx | sy


def _leaf_bits(e: A.Expr, ints: frozenset[int]) -> tuple[int, frozenset[int]] | None:
    """How small the locals of ``e`` not in ``ints`` must be for every operation of ``e`` to
    take the ordinary closures' fast path: (most bits, the locals whose size matters), or
    None when no size is small enough (then ``e`` is not fused)."""
    conds: list[_Cond] = []
    _bound(e, ints, conds)
    most = 0
    sized: frozenset[int] = _NONE
    for d, k, limit, slots in conds:
        if d == 0:
            if k > limit:
                return None
            continue
        b = (limit - k) // d
        if b < 1:
            return None
        most = b if most == 0 else min(most, b)
        sized |= slots
    return most, sized


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
    ``ints`` are known to hold int64s and need no check; the others are checked to be ints
    of at most :func:`_leaf_bits` bits. Returns ``generic`` itself when no size would do."""
    leaves: list[tuple[str, Any]] = []
    text = _shape(e, leaves, True)
    assert text is not None
    found = _leaf_bits(e, ints)
    if found is None:
        return generic
    bits, sized = found
    locs = [v for k, v in leaves if k == "L"]
    consts = [v for k, v in leaves if k == "C"]
    known = [v in ints for v in locs]
    small = [v in sized for v in locs]
    key = f"{text}|{len(locs)}|{len(consts)}|{store >= 0}|{known}|{small}"
    factory = _cache.get(key)
    if factory is None:
        reads = "\n".join(f"        v{i} = fr[S{i}]" for i in range(len(locs)))
        guard = " and ".join(
            f"type(v{i}) is int" + (f" and NLEAF < v{i} < LEAF" if small[i] else "")
            for i in range(len(locs)) if not known[i]
        ) or "True"
        ret = "fr[STORE] = r\n            return" if store >= 0 else "return r"
        names = [f"S{i}" for i in range(len(locs))] + [f"c{j}" for j in range(len(consts))]
        if any(small):
            names += ["LEAF", "NLEAF"]
        if store >= 0:
            names.append("STORE")
        params = ", ".join(names) + ", generic"
        # as a statement, the general path is the whole statement's closure (returns None)
        fallback = (
            "        generic(fr)\n        return" if store >= 0 else "        return generic(fr)"
        )
        body = f"            r = {text}\n            {ret}"
        fbody = f"{reads}\n        if {guard}:\n{body}\n{fallback}"
        src = f"def factory({params}):\n    def fused(fr):\n{fbody}\n    return fused\n"
        ns: dict[str, Any] = {}
        exec(compile(src, "<starlite fused>", "exec"), ns)  # noqa: S102
        factory = ns["factory"]
        _cache[key] = factory
        RECIPES[factory] = ("fused", fbody, params, ns, "stmt" if store >= 0 else "expr")
    sizes = (1 << bits, -(1 << bits)) if any(small) else ()
    if store >= 0:
        return make(factory, *locs, *consts, *sizes, store, generic)
    return make(factory, *locs, *consts, *sizes, generic)
