"""Recording execution: a JSON-lines trace file and an in-memory flight recorder.

Both recorders write the same format, *trace schema version 1*, one JSON object per line:

* The first line is a header::

      {"event":"trace_start","version":1,"starlite":"0.1.0","time":1700000000.0,
       "cwd":"/home/me/project","pid":1234}

  ``cwd`` is the directory the recording process ran in, so a reader can find source files
  whose recorded ``filename`` is relative. A flight recorder's dump adds ``"flight_recorder":
  true`` and ``"capacity": N`` (its events are then only the *last* N of the run).

  Lines are compact JSON (no spaces between tokens; non-ASCII text as UTF-8).

* Every other line is one event: ``{"event": kind, ...fields}`` where ``kind`` and the fields
  are those of the event dataclasses in :mod:`starlite.observe.events`, in the same order
  (``exec_start``, ``exec_end``, ``call``, ``return``, ``error``, ``step``, ``tool_start``,
  ``tool_end``, ``parallel``). Errors become ``{"type": "EvalError", "message": "...",
  "call_stack": [{"function", "filename", "line", "col"}, ...]}`` (outermost frame first);
  values that are not JSON (a tool's ``context``) become their ``repr``.

* A ``step`` line may carry ``"count": n``: it then stands for ``n`` consecutive steps with the
  same fields, starting at ``step``. Only steps charged by builtins for their work (``node``
  ``"builtin"``) are compressed like this, so ``"x" * 1000000`` is one line, not a million.

* :meth:`TraceRecorder.close` ends the file with ``{"event": "trace_end", "events": n}``; a
  trace without it was cut short (the process died) and is otherwise still readable.

Readers must ignore fields they do not know; new fields may be added without changing the
version, removing or renaming one changes it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from .events import (
    CallEvent,
    ErrorEvent,
    ExecEnd,
    ExecStart,
    ParallelEvent,
    ReturnEvent,
    StepEvent,
    StepSite,
    ToolEnd,
    ToolStart,
)
from .observer import Observer

SCHEMA_VERSION = 1

_CHUNK = 2048  # queued strings (pieces of step lines, or whole events) per write to the file


# ---- converting events to JSON-able dicts -------------------------------------------------


def error_dict(e: BaseException) -> dict[str, Any]:
    """An error as the trace schema renders it: type, bare message and call stack."""
    stack = getattr(e, "call_stack", None) or []
    msg = getattr(e, "msg", None)
    return {
        "type": type(e).__name__,
        "message": msg if isinstance(msg, str) else str(e),
        "call_stack": [
            {"function": f.name, "filename": f.filename, "line": f.line, "col": f.col}
            for f in stack
        ],
    }


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    if isinstance(v, BaseException):
        return error_dict(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return repr(v)


_FIELDS: dict[type, tuple[str, ...]] = {}


def event_dict(ev: Any) -> dict[str, Any]:
    """``{"event": ev.kind, field: value, ...}`` for any event dataclass."""
    cls = type(ev)
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(ev) if f.name != "kind")
        _FIELDS[cls] = names
    d: dict[str, Any] = {"event": ev.kind}
    for name in names:
        d[name] = _jsonable(getattr(ev, name))
    return d


def _step(s: int, node: str, filename: str, line: int, col: int, func: str, depth: int,
          count: int = 1) -> dict[str, Any]:
    d: dict[str, Any] = {"event": "step", "step": s, "node": node, "filename": filename,
                         "line": line, "col": col, "function": func, "depth": depth}
    if count > 1:
        d["count"] = count
    return d


def step_dicts(first: int, k: int, site: StepSite, depth: int) -> Iterator[dict[str, Any]]:
    """The step lines of a charge of ``k`` steps (see the module doc for ``count``)."""
    filename, func, nodes = site.filename, site.function, site.nodes
    s = first
    for n in nodes[:k] if len(nodes) > k else nodes:
        yield _step(s, n.kind, filename, n.line, n.col, func, depth)
        s += 1
    if s < first + k:
        yield _step(s, "builtin", filename, 0, 0, func, depth, first + k - s)


def header(**extra: Any) -> dict[str, Any]:
    """The ``trace_start`` line."""
    from .. import __version__

    d: dict[str, Any] = {"event": "trace_start", "version": SCHEMA_VERSION,
                         "starlite": __version__, "time": time.time(), "cwd": os.getcwd(),
                         "pid": os.getpid()}
    d.update(extra)
    return d


def _dumps(d: dict[str, Any]) -> str:
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def _open(path_or_file: Any) -> tuple[IO[str], bool]:
    """(file, whether we opened it and so must close it)."""
    if isinstance(path_or_file, (str, os.PathLike)):
        return open(path_or_file, "w", encoding="utf-8"), True  # noqa: SIM115
    if not hasattr(path_or_file, "write"):
        raise TypeError(f"expected a path or a text file, not {type(path_or_file).__name__}")
    return path_or_file, False


@functools.cache
def _interleaver(k: int) -> Callable[[list[str], int], Sequence[str]]:
    """``lines(parts, a)``: ``parts[0], str(a), parts[1], str(a + 1), ..., parts[k]``, the
    pieces of a charge's ``k`` step lines, as one tuple display (the pieces go to the
    recorder's buffer as they are and are joined once per write: much cheaper than ``%``
    over a template, which scans every character, or a join per charge). Long charges (over
    64 steps) use a loop instead."""
    if k > 64:
        def long_lines(parts: list[str], a: int) -> Sequence[str]:
            out = [parts[0]]
            for i in range(k):
                out.append(str(a + i))
                out.append(parts[i + 1])
            return out

        return long_lines
    items = ["p[0]"]
    for i in range(k):
        items.append(f"str(a + {i})" if i else "str(a)")
        items.append(f"p[{i + 1}]")
    src = f"lambda p, a: ({', '.join(items)},)"
    return eval(src, {"__builtins__": {"str": str}})  # type: ignore[no-any-return]  # noqa: S307


# ---- TraceRecorder -------------------------------------------------------------------------


class TraceRecorder(Observer):
    """Write every event as one JSON line (trace schema version 1, see the module doc).

    ``path_or_file`` is a path (the file is created or truncated, and closed by
    :meth:`close`) or an open text file (left open: the caller owns it). ``steps=False``
    records everything except step events, which makes recording almost free.

    The file is flushed at the end of every run, so it is complete on disk as soon as
    ``exec_file`` returns or raises; :meth:`close` (or leaving a ``with`` block) writes the
    ``trace_end`` line and closes the file. Events after ``close`` are dropped.

    Use ``starlite trace FILE`` to summarise a trace, or read it with any JSON-lines tool.
    """

    wants_steps = True

    def __init__(self, path_or_file: str | os.PathLike[str] | IO[str], *,
                 steps: bool = True) -> None:
        self._file, self._owns = _open(path_or_file)
        name = getattr(self._file, "name", None)
        self.path: str | None = name if isinstance(name, str) else None
        self.wants_steps = steps
        self.closed = False
        self.events_written = 0
        # Lines (or a charge's pieces of lines) wait in _buf and go to the file in chunks:
        # list.append and list.extend are atomic, so events from several Python threads never
        # interleave within a line, and _lock only guards the file itself.
        self._buf: list[str] = []
        self._lock = threading.Lock()
        # Per (site, depth): how to write a charge's lines (see _template); emptied by close()
        # so that on_steps needs no `closed` test.
        self._templates: dict[tuple[StepSite, int],
                              tuple[Callable[..., Sequence[str]], list[str], int]]
        self._templates = {}
        self._quoted: dict[str, str] = {}  # JSON string literals of names seen
        self._call_heads: dict[tuple[str, str, int, int], str] = {}  # call lines up to depth
        self._return_heads: dict[str, str] = {}  # return lines up to depth
        self._file.write(_dumps(header()) + "\n")

    # -- writing

    def _add(self, text: str, n: int) -> None:
        """Queue ``text`` (``n`` complete lines)."""
        buf = self._buf
        buf.append(text)
        self.events_written += n
        if len(buf) >= _CHUNK:
            self._drain()

    def _drain(self) -> None:
        with self._lock:
            buf = self._buf
            n = len(buf)
            if not n:
                return
            text = "".join(buf[:n])
            del buf[:n]  # lines appended meanwhile (other threads) stay queued
            if not self.closed:
                self._file.write(text)

    def _q(self, name: str) -> str:
        q = self._quoted.get(name)
        if q is None:
            q = json.dumps(name, ensure_ascii=False)
            if len(self._quoted) < 10_000:
                self._quoted[name] = q
        return q

    def _event(self, ev: Any) -> None:
        self._add(_dumps(event_dict(ev)) + "\n", 1)

    def _template(self, site: StepSite, depth: int) -> tuple[Callable[..., Sequence[str]],
                                                             list[str], int]:
        """How to write a whole charge at ``site`` and ``depth``: ``lines(parts, first)`` are
        the pieces of its ``n`` step lines, the constant ``parts`` interleaved with the step
        numbers (see :func:`_interleaver`)."""
        fn = self._q(site.filename)
        func = self._q(site.function)
        head = '{"event":"step","step":'
        parts = [head]
        for n in site.nodes:
            parts.append(f',"node":"{n.kind}","filename":{fn},"line":{n.line},"col":{n.col},'
                         f'"function":{func},"depth":{depth}}}\n{head}')
        parts[-1] = parts[-1][: -len(head)]
        entry = (_interleaver(len(site.nodes)), parts, len(site.nodes))
        if len(self._templates) < 100_000:
            self._templates[(site, depth)] = entry
        return entry

    def on_steps(self, first: int, k: int, site: StepSite, depth: int) -> None:
        """A charge's step lines, queued as pieces from a per-site template."""
        entry = self._templates.get((site, depth))
        if entry is None or k != entry[2]:
            self._steps_slow(first, k, site, depth)
            return
        # self._add, inlined: this runs once per charge. (One list extend: atomic, so no
        # other thread's line can come between the pieces.)
        buf = self._buf
        buf += entry[0](entry[1], first)
        self.events_written += k
        if len(buf) >= _CHUNK:
            self._drain()

    def _steps_slow(self, first: int, k: int, site: StepSite, depth: int) -> None:
        """A charge whose template is not made yet, or that has builtin work at the end."""
        if self.closed:
            return
        if k != len(site.nodes):
            lines = [_dumps(d) + "\n" for d in step_dicts(first, k, site, depth)]
            self._add("".join(lines), len(lines))
            return
        pieces, parts, _ = self._template(site, depth)
        self._add("".join(pieces(parts, first)), k)

    # -- hooks

    def on_exec_start(self, event: ExecStart) -> None:
        self._event(event)

    def on_exec_end(self, event: ExecEnd) -> None:
        self._event(event)
        self.flush()

    def on_call(self, event: CallEvent) -> None:
        # The same line as _dumps(event_dict(event)), made faster: one per Starlark call.
        if self.closed:
            return
        key = (event.function, event.filename, event.line, event.col)
        head = self._call_heads.get(key)
        if head is None:
            q = self._q
            head = (f'{{"event":"call","function":{q(event.function)},"filename":'
                    f'{q(event.filename)},"line":{event.line},"col":{event.col},"depth":')
            if len(self._call_heads) < 10_000:
                self._call_heads[key] = head
        buf = self._buf
        buf.append(f'{head}{event.depth},"step":{event.step}}}\n')
        self.events_written += 1
        if len(buf) >= _CHUNK:
            self._drain()

    def on_return(self, event: ReturnEvent) -> None:
        if self.closed:
            return
        if event.error is not None:
            self._event(event)
            return
        head = self._return_heads.get(event.function)
        if head is None:
            head = f'{{"event":"return","function":{self._q(event.function)},"depth":'
            if len(self._return_heads) < 10_000:
                self._return_heads[event.function] = head
        buf = self._buf
        buf.append(f'{head}{event.depth},"step":{event.step},"error":null}}\n')
        self.events_written += 1
        if len(buf) >= _CHUNK:
            self._drain()

    def on_error(self, event: ErrorEvent) -> None:
        self._event(event)

    def on_step(self, event: StepEvent) -> None:
        self._event(event)

    def on_tool_start(self, event: ToolStart) -> None:
        self._event(event)

    def on_tool_end(self, event: ToolEnd) -> None:
        self._event(event)

    def on_parallel(self, event: ParallelEvent) -> None:
        self._event(event)

    # -- file handling

    def flush(self) -> None:
        """Write out queued lines and flush the file."""
        self._drain()
        with self._lock:
            if not self.closed:
                self._file.flush()

    def close(self) -> None:
        """Write the ``trace_end`` line, flush, and close the file if we opened it."""
        if self.closed:
            return
        self._drain()
        with self._lock:
            if self.closed:
                return
            self._file.write(_dumps({"event": "trace_end", "events": self.events_written})
                             + "\n")
            self._file.flush()
            self.closed = True
            self._templates = {}
            if self._owns:
                self._file.close()

    def __enter__(self) -> TraceRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<starlite.TraceRecorder {self.path or self._file!r} {state}>"


# ---- FlightRecorder ------------------------------------------------------------------------


class FlightRecorder(Observer):
    """Keep the last ``capacity`` events in memory, to look at (or dump) after a failure.

    ``.events`` lists them as trace-schema dicts (oldest first); ``.dump(path_or_file)``
    writes them as a JSON-lines trace that ``starlite trace`` reads. With
    ``dump_on_failure=path`` the recorder dumps itself whenever a run ends in anything but
    success.

    It is cheap enough to leave on: events are kept as the interpreter made them and turned
    into dicts only when you ask, and a charge of several steps is kept as one entry. With
    ``wants_steps=False`` it keeps only calls, returns, errors and run start/end, which costs
    nothing per step.
    """

    wants_steps = True

    def __init__(self, capacity: int = 10_000, *, wants_steps: bool = True,
                 dump_on_failure: str | os.PathLike[str] | None = None) -> None:
        if capacity < 1:
            raise ValueError("FlightRecorder capacity must be at least 1")
        self.capacity = capacity
        self.wants_steps = wants_steps
        self.dump_on_failure = dump_on_failure
        # Each entry is an event object or a (first, k, site, depth) step charge; every entry
        # makes at least one event, so `capacity` entries hold at least `capacity` events.
        self._ring: deque[Any] = deque(maxlen=capacity)

    @property
    def events(self) -> list[dict[str, Any]]:
        """The last ``capacity`` events, oldest first, as trace-schema dicts."""
        out: list[dict[str, Any]] = []
        for item in list(self._ring):
            if type(item) is tuple:
                out.extend(step_dicts(*item))
            else:
                out.append(event_dict(item))
        return out[-self.capacity:]

    def clear(self) -> None:
        self._ring.clear()

    def dump(self, path_or_file: str | os.PathLike[str] | IO[str]) -> int:
        """Write a header and the recorded events as JSON lines; returns the event count."""
        events = self.events
        f, owns = _open(path_or_file)
        try:
            f.write(_dumps(header(flight_recorder=True, capacity=self.capacity)) + "\n")
            for d in events:
                f.write(_dumps(d) + "\n")
            f.write(_dumps({"event": "trace_end", "events": len(events)}) + "\n")
            f.flush()
        finally:
            if owns:
                f.close()
        return len(events)

    # -- hooks

    def on_steps(self, first: int, k: int, site: StepSite, depth: int) -> None:
        self._ring.append((first, k, site, depth))

    def on_exec_start(self, event: ExecStart) -> None:
        self._ring.append(event)

    def on_exec_end(self, event: ExecEnd) -> None:
        self._ring.append(event)
        if self.dump_on_failure is not None and event.outcome != "success":
            self.dump(self.dump_on_failure)

    def on_call(self, event: CallEvent) -> None:
        self._ring.append(event)

    def on_return(self, event: ReturnEvent) -> None:
        self._ring.append(event)

    def on_error(self, event: ErrorEvent) -> None:
        self._ring.append(event)

    def on_step(self, event: StepEvent) -> None:
        self._ring.append(event)

    def on_tool_start(self, event: ToolStart) -> None:
        self._ring.append(event)

    def on_tool_end(self, event: ToolEnd) -> None:
        self._ring.append(event)

    def on_parallel(self, event: ParallelEvent) -> None:
        self._ring.append(event)

    def __repr__(self) -> str:
        return f"<starlite.FlightRecorder {len(self._ring)}/{self.capacity}>"


__all__ = ["SCHEMA_VERSION", "FlightRecorder", "TraceRecorder", "error_dict", "event_dict",
           "header", "step_dicts"]
