"""The names under which the backends' tools are published.

A tool keeps its backend's name for it unless that name cannot be used as it is: when two
backends have a tool of that name, when it is the gateway's own ``execute_tool_script``, or
when its script name (:func:`starlite.engine.sanitize_name`) is taken (a builtin such as
``len``, ``call_tool``, ``parallel``, or another tool's script name). Then it is published as
``BACKEND_TOOL`` (and, should even that be taken, ``BACKEND_TOOL_2``, ``_3`` ...). The rule
only looks at the tool lists, so the names are the same on every start with the same backends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from starlite.engine import Engine, Tool, sanitize_name

from .backends import Backend, RemoteTool

#: The gateway's own tool.
SCRIPT_TOOL = "execute_tool_script"


def _noop(**kwargs: Any) -> None:
    return None


def _usable_alone(name: str) -> bool:
    """Whether the engine accepts a tool of this name (its script name is no builtin)."""
    try:
        Engine([Tool(name, "", _noop)])
    except ValueError:
        return False
    return True


def assign_names(backends: Iterable[Backend]) -> list[RemoteTool]:
    """Every backend tool with its published name, in backend order then tool order."""
    backends = list(backends)
    counts = Counter(t.name for b in backends for t in b.tools)
    names: set[str] = {SCRIPT_TOOL}
    idents: set[str] = {sanitize_name(SCRIPT_TOOL)}
    out: list[RemoteTool] = []
    for b in backends:
        for t in b.tools:
            candidates = [] if counts[t.name] > 1 else [t.name]
            candidates += [f"{b.name}_{t.name}"] + [f"{b.name}_{t.name}_{i}" for i in range(2, 100)]
            for name in candidates:
                try:
                    ident = sanitize_name(name)
                except ValueError:
                    continue
                if name in names or ident in idents or not _usable_alone(name):
                    continue
                names.add(name)
                idents.add(ident)
                out.append(RemoteTool(name, b, t))
                break
    return out
