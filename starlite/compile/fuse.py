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

A tree of ``+``, ``-``, ``*`` and unary ``-`` (a comparison at its root) also has a float
path (while ``flat.ENABLED``): when every local leaf holds a float, its int constants are
small (:data:`_FLOAT_INT`, so every int the tree computes from them is exact as a float) and,
under a comparison, neither side is NaN, Python's float arithmetic is what the ordinary
closures' float fast paths (``binops``) compute, charging nothing. Float literals are leaves
too; a tree with one has only the float path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..syntax import ast as A
from . import flat
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

# the float path: its operators, and the int constants it allows (a product or sum of at most
# _MAX_LEAVES + 1 of them stays below 2**53, exact as a float)
_FLOAT_OPS = {"+", "-", "*"}
_FLOAT_INT = 1 << 5

_cache: dict[str, Callable[..., Any]] = {}
_MAX_SHAPES = 4096  # distinct fused shapes kept per process


def _leaf(e: A.Expr) -> tuple[str, Any] | None:
    if isinstance(e, A.Ident):
        b = e.binding
        if b is not None and b.scope == A.LOCAL and e.safe:
            return ("L", b.index)
        return None
    if isinstance(e, A.Literal) and (type(e.value) is int or (
            type(e.value) is float and flat.ENABLED)):
        return ("C", e.value)
    return None


def _float_ok(e: A.Expr, root: bool = True) -> bool:
    """Whether fusable ``e`` can have the float path (see the module's docstring)."""
    if isinstance(e, A.Literal):
        return type(e.value) is float or -_FLOAT_INT <= e.value <= _FLOAT_INT
    if isinstance(e, A.Ident):
        return True
    if isinstance(e, A.Unary):
        return _float_ok(e.x, False)
    assert isinstance(e, A.Binary)
    if e.op not in _FLOAT_OPS and not (root and e.op in _CMP):
        return False
    return _float_ok(e.x, False) and _float_ok(e.y, False)


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
            if type(lf[1]) is float:
                return 0, 1, _NONE  # (only the float path: no size matters)
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
    locs = [v for k, v in leaves if k == "L"]
    consts = [v for k, v in leaves if k == "C"]
    known = [v in ints for v in locs]
    floats = flat.ENABLED and not any(known) and _float_ok(e)
    if any(type(c) is float for c in consts):
        found: tuple[int, frozenset[int]] | None = None  # only the float path
        if not floats:
            return generic
    else:
        found = _leaf_bits(e, ints)
        if found is None:
            return generic
    bits, sized = found if found is not None else (0, _NONE)
    small = [v in sized for v in locs]
    key = (f"{text}|{len(locs)}|{len(consts)}|{store >= 0}|{known}|{small}"
           f"|{found is not None}|{floats}")
    factory = _cache.get(key)
    if factory is None:
        reads = "\n".join(f"        v{i} = fr[S{i}]" for i in range(len(locs)))
        ret = "fr[STORE] = r\n            return" if store >= 0 else "return r"
        paths = []
        if found is not None:
            guard = " and ".join(
                f"type(v{i}) is int" + (f" and NLEAF < v{i} < LEAF" if small[i] else "")
                for i in range(len(locs)) if not known[i]
            ) or "True"
            paths.append(f"        if {guard}:\n            r = {text}\n            {ret}")
        if floats:
            paths.append(_float_path(e, len(locs), ret))
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
        fbody = "\n".join([reads, *paths, fallback])
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


def _float_path(e: A.Expr, nlocs: int, ret: str) -> str:
    """The float path's text: every local leaf a float; under a root comparison, neither side
    NaN (the ordinary closures order NaN otherwise than Python)."""
    guard = " and ".join(f"type(v{i}) is float" for i in range(nlocs)) or "False"
    assert isinstance(e, A.Binary)
    if e.op not in _CMP:
        return f"        if {guard}:\n            r = {_shape(e, [], True)}\n            {ret}"
    leaves: list[tuple[str, Any]] = []
    xs = _shape(e.x, leaves, False)
    ys = _shape(e.y, leaves, False)
    return (f"        if {guard}:\n            fa = {xs}\n            fb = {ys}\n"
            f"            if fa == fa and fb == fb:\n                r = fa {e.op} fb\n"
            f"                {ret.replace(chr(10), chr(10) + '    ')}")
