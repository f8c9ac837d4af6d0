"""``"literal" % x``: string formatting with a constant format, analysed at compile time.

When the format only uses ``%s``, ``%d``, ``%i`` and ``%%`` (no mapping keys, no other
conversions), Python's own ``%`` gives Starlark's result for the arguments it accepts here:
``%d``/``%i`` of an int (never a bool) of modest size, ``%s`` of a string or of such an int.
The closure checks the argument types, and that the output is under 64 characters — so the
general formatter would charge nothing for it but, for a format of 16 characters or more, one
step per two ``%``, a constant charged here the same way — and uses Python's ``%``. Any other
argument (a bool, a float, None, a tuple of the wrong length, a long string) takes the general
path, which gives Starlark's results, errors and step charges.

Python's ``%`` only ever sees a format checked here, never a user-controlled one at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import EvalError, Position
from ..values.arith import ELEMS_PER_STEP, binary
from .shapes import Shape, make, template

# Conversions per format at most (more take the general path).
_MAX_CONVERSIONS = 4
# Ints strictly between -SMALL and SMALL print in at most 19 characters.
SMALL = 10**18
_INT_WIDTH = 19


def _general(th: Any, fmt: str, arg: Any, pos: Position) -> Any:
    try:
        return binary(th, "%", fmt, arg)
    except EvalError as e:
        e._at(pos)
        raise


def _charge(th: Any, k: int, pos: Position) -> None:
    try:
        th.charge(k)
    except EvalError as e:
        e._at(pos)
        raise


def _conversions(fmt: str) -> tuple[str, int] | None:
    """The conversions of ``fmt`` (``"s"``/``"d"`` per argument) and the length of its
    literal text, if every directive is one Python's ``%`` shares with Starlark."""
    convs = ""
    lit = 0
    i = 0
    n = len(fmt)
    while True:
        j = fmt.find("%", i)
        if j < 0:
            lit += n - i
            break
        lit += j - i
        if j + 1 >= n:
            return None
        c = fmt[j + 1]
        if c == "%":
            lit += 1
        elif c in "di":
            convs += "d"
        elif c == "s":
            convs += "s"
        else:
            return None
        i = j + 2
    return convs, lit


def _source(convs: str, bounded: bool, kfmt: bool) -> str:
    """The closure text for conversions ``convs``; ``bounded``: the output length must be
    checked at run time (it has a ``%s``); ``kfmt``: the format is charged for."""
    n = len(convs)
    xs = ["b"] if n == 1 else [f"x{i}" for i in range(n)]
    checks = []
    sizes = ["LIT"]
    for c, x in zip(convs, xs):
        small = f"type({x}) is int and NSMALL < {x} < SMALL"
        if c == "d":
            checks.append(small)
            sizes.append(str(_INT_WIDTH))
        else:
            checks.append(f"(type({x}) is str or {small})")
            sizes.append(f"(len({x}) if type({x}) is str else {_INT_WIDTH})")
    cond = " and ".join(checks)
    if bounded:
        cond += f" and {' + '.join(sizes)} < {ELEMS_PER_STEP}"
    body = "            charge(fr[0], KFMT, POS)\n" if kfmt else ""
    body += "            return FMT % b\n"
    if n == 1:
        fast = f"        if {cond}:\n{body}"
    else:
        fast = (
            f"        if type(b) is tuple and len(b) == {n}:\n"
            f"            {', '.join(xs)}, = b\n"
            f"            if {cond}:\n"
            + "".join("    " + ln + "\n" for ln in body.splitlines())
        )
    return "\n        {READ0}\n" + fast + "        return general(fr[0], FMT, b, POS)"


_ENV = {"general": _general, "charge": _charge, "SMALL": SMALL, "NSMALL": -SMALL}


def constant_format(fmt: str, y: Shape, pos: Position,
                    store: int = -1) -> Callable[[list[Any]], Any] | None:
    """The closure of ``fmt % y`` for a constant ``fmt``, or None if the format needs the
    general formatter anyway. ``store >= 0``: the statement ``local = fmt % y``."""
    parsed = _conversions(fmt)
    if parsed is None:
        return None
    convs, lit = parsed
    if not 1 <= len(convs) <= _MAX_CONVERSIONS:
        return None
    bounded = "s" in convs
    if not bounded and lit + _INT_WIDTH * len(convs) >= ELEMS_PER_STEP:
        return None  # the output may be charged for: the general path counts it
    # what percent_format charges for the format itself
    kfmt = fmt.count("%") // 2 if len(fmt) >= 16 else 0
    name = f"percent_{convs}" + ("_b" if bounded else "") + ("_k" if kfmt else "")
    factory = template(name, _source(convs, bounded, kfmt > 0), (y[0],), _ENV,
                       "FMT, LIT, KFMT, POS", ("b",), store >= 0)
    if store >= 0:
        return make(factory, y[1], fmt, lit, kfmt, pos, store)
    return make(factory, y[1], fmt, lit, kfmt, pos)
