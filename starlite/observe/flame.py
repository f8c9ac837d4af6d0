"""Flame graphs from a trace: call stacks weighted by steps.

A trace has no stack samples; it has call and return events and one step event per evaluated
node. :class:`StackBuilder` replays them: ``exec_start`` resets the stack to ``<toplevel>``,
``call`` (depth ``d``) puts the function at index ``d`` of the stack, ``return`` (depth ``d``)
cuts the stack back to ``d`` frames, and each ``step`` event is charged to the stack it
happened in. The weight of a stack is the number of steps taken there, so the graph shows
where a script spends its step budget (which, by design, is also where it spends its time).

Two details of how steps are charged show up here:

* Steps of builtin work (node ``builtin``) are charged to a ``<builtin>`` frame on top of the
  stack that called the builtin.
* A step whose function is not the one on top of the stack at its depth (a trace without
  call events, or a recorder attached mid-run) is charged to that function as a callee of the
  frame below.

Outputs:

* :func:`folded_lines`: the "folded stacks" text format (``<toplevel>;f;g 123``, one stack a
  line) that flamegraph.pl, inferno and speedscope read.
* :func:`flame_svg`: a self-contained SVG flame graph (no dependencies, no JavaScript; hover
  a frame to see its name, steps and share).
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

TOPLEVEL = "<toplevel>"
BUILTIN = "<builtin>"
UNKNOWN = "?"  # a frame whose call event is not in the trace (e.g. a flight recorder dump)

Stack = tuple[str, ...]


class StackBuilder:
    """Replays call/return events to know the call stack at each step event."""

    def __init__(self) -> None:
        self.stack: list[str] = []

    def feed(self, ev: dict[str, Any]) -> Stack | None:
        """Process one event; for a step event, return the stack its steps belong to."""
        kind = ev.get("event")
        if kind == "step":
            return self.step_stack(ev)
        if kind == "call":
            d = _int(ev.get("depth"))
            self._fit(d)
            del self.stack[d:]
            self.stack.append(str(ev.get("function", UNKNOWN)))
        elif kind == "return":
            d = _int(ev.get("depth"))
            del self.stack[d:]
        elif kind == "exec_start":
            self.stack = [TOPLEVEL]
        return None

    def step_stack(self, ev: dict[str, Any]) -> Stack:
        d = _int(ev.get("depth"))
        fn = BUILTIN if ev.get("node") == "builtin" else str(ev.get("function", UNKNOWN))
        st = self.stack
        if len(st) <= d:  # frames whose call events are not in the trace
            if not st:
                st.append(TOPLEVEL)
            st.extend([UNKNOWN] * (d + 1 - len(st)))
        if d > 0 and st[d] == UNKNOWN and fn != BUILTIN:
            st[d] = fn  # now we know who that was
        base = st[: d + 1]
        if fn == BUILTIN or base[-1] != fn:
            base.append(fn)
        return tuple(base)

    def _fit(self, d: int) -> None:
        if len(self.stack) < d:
            if not self.stack:
                self.stack.append(TOPLEVEL)
            self.stack.extend([UNKNOWN] * (d - len(self.stack)))


def _int(v: Any) -> int:
    return v if isinstance(v, int) and v >= 0 else 0


def fold(events: Iterable[dict[str, Any]]) -> Counter[Stack]:
    """Steps per call stack."""
    sb = StackBuilder()
    out: Counter[Stack] = Counter()
    for ev in events:
        st = sb.feed(ev)
        if st is not None:
            out[st] += _int(ev.get("count", 1)) or 1
    return out


def _frame_name(name: str) -> str:
    # The folded format separates frames with ';' and the weight with a space.
    return name.replace(";", ":").replace(" ", "_").replace("\n", "_") or "?"


def folded_lines(stacks: Counter[Stack]) -> list[str]:
    """``frame;frame;frame weight`` lines, sorted by stack."""
    return [
        ";".join(_frame_name(f) for f in st) + f" {w}"
        for st, w in sorted(stacks.items())
        if w > 0
    ]


# ---- SVG -----------------------------------------------------------------------------------


class _Node:
    __slots__ = ("name", "value", "children")

    def __init__(self, name: str) -> None:
        self.name = name
        self.value = 0
        self.children: dict[str, _Node] = {}


def _tree(stacks: Counter[Stack]) -> _Node:
    root = _Node("all")
    for st, w in stacks.items():
        if w <= 0:
            continue
        root.value += w
        node = root
        for f in st:
            child = node.children.get(f)
            if child is None:
                child = node.children[f] = _Node(f)
            child.value += w
            node = child
    return root


def _color(name: str) -> str:
    """A warm colour picked by the name, so a function has the same colour everywhere."""
    h = zlib.crc32(name.encode("utf-8"))
    r = 205 + h % 50
    g = 80 + (h >> 8) % 150
    b = 30 + (h >> 16) % 50
    if name == BUILTIN:
        r, g, b = 150, 170, 200
    return f"rgb({r},{g},{b})"


def flame_svg(stacks: Counter[Stack], title: str = "starlite flame graph (steps)",
              width: int = 1200) -> str:
    """A flame graph as a standalone SVG document: the root at the bottom, each frame as wide
    as the steps taken in it and its callees; frames too narrow to see are left out."""
    root = _tree(stacks)
    frame_h, pad, top, bottom = 17, 10, 34, 10
    depth = _max_depth(root)
    height = top + (depth + 1) * frame_h + bottom
    inner = width - 2 * pad
    total = root.value or 1
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        "<style>text { font-family: Verdana, sans-serif; font-size: 11px; fill: #000; }"
        " rect:hover { stroke: #000; stroke-width: 0.5; }</style>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f8f8f8"/>',
        f'<text x="{width / 2:.1f}" y="20" text-anchor="middle" style="font-size:15px">'
        f"{escape(title)} — {root.value:,} steps</text>",
    ]

    def draw(node: _Node, level: int, x: float) -> None:
        w = node.value / total * inner
        if w < 0.3:
            return
        y = height - bottom - (level + 1) * frame_h
        pct = 100.0 * node.value / total
        label = f"{node.name} ({node.value:,} steps, {pct:.2f}%)"
        out.append(f"<g><title>{escape(label)}</title>")
        fill = "rgb(220,220,220)" if level == 0 else _color(node.name)
        out.append(f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{frame_h - 1}" '
                   f'fill="{fill}" rx="2" ry="2"/>')
        chars = int((w - 6) / 7)
        if chars >= 3:
            text = node.name if len(node.name) <= chars else node.name[: chars - 2] + ".."
            out.append(f'<text x="{x + 3:.2f}" y="{y + frame_h - 5}">{escape(text)}</text>')
        out.append("</g>")
        cx = x
        for name in sorted(node.children):
            child = node.children[name]
            draw(child, level + 1, cx)
            cx += child.value / total * inner

    if root.value:
        draw(root, 0, float(pad))
    else:
        out.append(f'<text x="{pad}" y="{top + 14}">no step events in this trace</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _max_depth(node: _Node) -> int:
    best = 0
    todo = [(node, 0)]
    while todo:
        n, d = todo.pop()
        best = max(best, d)
        todo.extend((c, d + 1) for c in n.children.values())
    return best


__all__ = ["StackBuilder", "flame_svg", "fold", "folded_lines"]
