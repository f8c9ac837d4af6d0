"""Comprehensions as one generated closure.

``[e for a in s if c for b in t]`` compiles into a single Python function: its ``for`` clauses
are nested ``for`` loops, its ``if`` clauses ``if not c: continue``, and the innermost body
appends ``e`` (or stores ``k: v``). Each part — iterables, conditions, the element, the key and
the value — is written in by its shape (see ``shapes``): a local or a constant is read
directly, a closure made from a template has its text moved in (:func:`shapes.inline_text`),
anything else is called. So a comprehension costs one Python call, not one per clause and
element. A variable that only one ``for`` clause binds is read, in the parts after that
clause, from the loop's own Python variable rather than from the frame.

Steps, errors and guards are those of the general path (``ExprCompiler.comprehension``):
each ``for`` iteration charges the clause's nodes (see ``ExprCompiler.clause_charges``)
before binding, each passing ``if`` charges what follows it, a dict key is checked for
hashability before the value is evaluated, and every iterated container's guard is raised
for the loop and lowered in a ``finally``.

The generated text depends only on the structure and on the parts' templates, so it is
compiled once per structure; every value comes in as a parameter of the cached factory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import EvalError, Position
from ..values.core import UNBOUND, Dict, List
from ..values.keys import put_key
from ..values.ops import check_hashable
from .core import open_iteration
from .shapes import Shape, _reader, embed, inline_text

MAX_CLAUSES = 8  # deeper comprehensions take the general path (Python's nesting limits)
_MAX_CACHED = 2048  # factories kept per process; the cache starts over beyond it
_cache: dict[tuple[tuple[Any, ...], tuple[Any, ...]], Callable[..., Any]] = {}

# A clause: ("for", iterable, iterable's position, slot or assigner, bound by this clause
# only, k, site) or ("if", condition, k, site); the body: ("list", element) or ("dict", key,
# position, value). Parts are shapes (see ``shapes``).
Clause = tuple[Any, ...]
_SLOT_READ = re.compile(r"fr\[(\w+_c\d+)\](?!\s*=[^=])")


def check_key(k: Any, th: Any, pos: Position, out: Any) -> Any:
    """Refuse an unhashable key ``k``; its stored form for dict ``out`` (see ``keys``)."""
    try:
        check_hashable(k, th)
    except EvalError as err:
        err._at(pos)
        raise
    return put_key(out, k)


class _Writer:
    """Collects the generated lines, the factory's parameters and the namespace."""

    def __init__(self) -> None:
        # (indent, lines), and the template texts to write in as (text, indent, sink, slot
        # reads to replace), which are only written out when the factory is not cached yet
        self.lines: list[tuple[Any, ...]] = []
        self.params: list[str] = []
        self.values: list[Any] = []
        self.factories: list[Any] = []
        self.ns: dict[str, Any] = {
            "UNBOUND": UNBOUND, "List": List, "Dict": Dict,
            "open_iteration": open_iteration, "check_key": check_key,
        }
        self.live: dict[int, str] = {}  # slot -> the loop variable that holds its value

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}_"
        self.params.append(name)
        self.values.append(value)
        return name

    def put(self, indent: str, *lines: str) -> None:
        self.lines.append((indent, lines))

    def value(self, shape: Shape, indent: str, sink: str) -> None:
        """Lines that compute the expression of ``shape`` and pass it to ``sink``."""
        kind, v = shape
        if kind == "L" or kind == "I":
            self.put(indent, sink.format(self.live.get(v) or f"fr[{self.param(v)}]"))
            return
        if kind == "C":
            self.put(indent, sink.format(self.param(v)))
            return
        if kind == "R":
            tmp = f"r{len(self.params)}_"
            self.put(indent, *[ln.strip() for ln in _reader(kind, self.param(v), tmp).split("\n")])
            self.put(indent, sink.format(tmp))
            return
        recipe = getattr(v, "_recipe", None)
        if recipe is not None:
            factory, values = recipe
            found = inline_text(factory, f"_c{len(self.factories)}")
            if found is not None and len(found[1]) == len(values):
                text, names, ns = found
                live = tuple(
                    (n, self.live[x]) for n, x in zip(names, values)
                    if type(x) is int and x in self.live
                )
                self.factories.append(factory)
                self.params.extend(names)
                self.values.extend(values)
                self.ns.update(ns)
                self.lines.append((text, indent, sink, live))
                return
        self.factories.append(None)
        self.put(indent, sink.format(f"{self.param(v)}(fr)"))

    def source(self) -> str:
        """The factory's source: template texts written in, their reads of slots that a
        loop variable holds replaced by that variable."""
        lines: list[str] = []
        for entry in self.lines:
            if len(entry) == 2:
                lines.extend(entry[0] + ln for ln in entry[1])
                continue
            text, indent, sink, live = entry
            if live:
                held = dict(live)
                text = _SLOT_READ.sub(lambda m: held.get(m.group(1), m.group(0)), text)
            lines.extend(embed(text, indent, sink))
        return (f"def factory({', '.join(self.params)}):\n"
                "    def comprehension(fr):\n" + "\n".join(lines) + "\n    return comprehension\n")

    def charge(self, indent: str, k: int, site: Any) -> None:
        pk = self.param(k)
        self.put(indent, f"s_ = th_.steps + {pk}", "th_.steps = s_", "if s_ > th_.bound:",
                 f"    th_.overflow({pk}, {self.param(site)})")


def build(clauses: list[Clause], body: tuple[Any, ...]) -> Callable[[list[Any]], Any]:
    """The closure for a comprehension with these clauses and this body (see the module's
    documentation for their shapes)."""
    w = _Writer()
    ind = " " * 8
    is_dict = body[0] == "dict"
    w.put(ind, "th_ = fr[0]")
    w.put(ind, *(("out_ = Dict()",) if is_dict else ("out_ = List()", "append_ = out_.append")))
    opened: list[tuple[str, int]] = []
    for i, cl in enumerate(clauses):
        if cl[0] == "for":
            _, it, ipos, target, once, k, site = cl
            w.value(it, ind, f"it{i}_ = {{}}")
            w.put(ind, f"if type(it{i}_) is List:",  # (open_iteration's commonest cases)
                  f"    it{i}_.guard += 1",
                  f"    seq{i}_ = held{i}_ = it{i}_",
                  f"elif type(it{i}_) is range:",
                  f"    seq{i}_ = it{i}_",
                  f"    held{i}_ = None",
                  "else:",
                  f"    seq{i}_, held{i}_ = open_iteration(it{i}_, {w.param(ipos)})", "try:")
            opened.append((ind, i))
            w.put(ind, f"    for v{i}_ in seq{i}_:")
            ind += "        "
            w.charge(ind, k, site)
            if type(target) is int:
                w.put(ind, f"fr[{w.param(target)}] = v{i}_")
                if once:
                    w.live[target] = f"v{i}_"
            else:
                w.put(ind, f"{w.param(target)}(fr, v{i}_)")
        else:
            _, cond, k, site = cl
            w.value(cond, ind, f"c{i}_ = {{}}")
            w.put(ind, f"if not c{i}_:", "    continue")
            if k:
                w.charge(ind, k, site)
    if is_dict:
        _, key, kpos, val = body
        w.value(key, ind, "k_ = {}")
        if key[0] != "I":  # an int is hashable
            w.put(ind, "tk_ = type(k_)", "if tk_ is not str and tk_ is not int:",
                  f"    k_ = check_key(k_, th_, {w.param(kpos)}, out_)")
        w.value(val, ind, "x_ = {}")
        w.put(ind, "out_[k_] = x_")
    else:
        w.value(body[1], ind, "append_({})")
    for oind, i in reversed(opened):
        w.put(oind, "finally:", f"    if held{i}_ is not None:", f"        held{i}_.guard -= 1")
    w.put(" " * 8, "return out_")
    key = (tuple(w.lines), tuple(w.factories))
    factory = _cache.get(key)
    if factory is None:
        if len(_cache) >= _MAX_CACHED:
            _cache.clear()
        ns = dict(w.ns)
        exec(compile(w.source(), "<starlite comprehension>", "exec"), ns)  # noqa: S102
        factory = _cache[key] = ns["factory"]
    return factory(*w.values)  # type: ignore[no-any-return]
