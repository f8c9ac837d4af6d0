"""Reading a JSON-lines trace and summarising it for a person (``starlite trace FILE``).

The summary answers, in order: what ran and how it ended (outcome, steps, time); where the
steps went, by function (self steps, steps including callees, calls) and by source line
(with the line's text, read from the file at the recorded path); and, for a failed run, where
it failed and the last events before the failure.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .flame import BUILTIN, Stack, StackBuilder


class TraceFormatError(Exception):
    """The file is not a starlite trace."""


@dataclass
class Trace:
    """A parsed trace: its header (the ``trace_start`` line), its events, and how many lines
    could not be parsed (a process killed mid-write leaves a partial last line)."""

    path: str
    header: dict[str, Any]
    events: list[dict[str, Any]]
    bad_lines: int = 0
    ended: bool = False  # whether the trace_end line is there

    @property
    def version(self) -> int:
        v = self.header.get("version")
        return v if isinstance(v, int) else 0


def load_trace(path: str) -> Trace:
    """Parse a trace file. Raises ``OSError`` if it cannot be read, ``TraceFormatError`` if it
    holds no trace."""
    header: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    bad = 0
    ended = False
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if not isinstance(d, dict) or not isinstance(d.get("event"), str):
                bad += 1
                continue
            kind = d["event"]
            if kind == "trace_start":
                if not header:
                    header = d
                continue
            if kind == "trace_end":
                ended = True
                continue
            events.append(d)
    if not header and not events:
        raise TraceFormatError(f"{path}: not a starlite trace (no trace_start line, no events)")
    return Trace(path, header, events, bad, ended)


# ---- analysis ------------------------------------------------------------------------------


@dataclass
class Run:
    """One exec/eval run found in the trace."""

    filename: str = "?"
    mode: str = "exec"
    outcome: str = "unfinished"
    steps: int | None = None
    duration: float | None = None
    error: dict[str, Any] | None = None
    error_index: int | None = None  # index in Trace.events of the failure


@dataclass
class Profile:
    """Everything the summary and the flame graph need, computed in one pass."""

    runs: list[Run] = field(default_factory=list)
    self_steps: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    line_steps: Counter[tuple[str, int]] = field(default_factory=Counter)
    stacks: Counter[Stack] = field(default_factory=Counter)
    step_total: int = 0  # steps seen as step events
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def inclusive(self) -> Counter[str]:
        """Steps per function including the steps of everything it called."""
        out: Counter[str] = Counter()
        for st, w in self.stacks.items():
            for name in set(st):
                out[name] += w
        return out


def analyse(trace: Trace) -> Profile:
    p = Profile()
    sb = StackBuilder()
    run: Run | None = None
    for i, ev in enumerate(trace.events):
        kind = ev["event"]
        p.kinds[kind] += 1
        if kind == "step":
            n = ev.get("count", 1)
            n = n if isinstance(n, int) and n > 0 else 1
            st = sb.step_stack(ev)
            p.stacks[st] += n
            p.step_total += n
            fn = str(ev.get("function", "?"))
            p.self_steps[BUILTIN if ev.get("node") == "builtin" else fn] += n
            line = ev.get("line")
            if isinstance(line, int) and line > 0:
                p.line_steps[(str(ev.get("filename", "?")), line)] += n
            continue
        sb.feed(ev)
        if kind == "call":
            p.calls[str(ev.get("function", "?"))] += 1
        elif kind == "exec_start":
            run = Run(filename=str(ev.get("filename", "?")), mode=str(ev.get("mode", "exec")))
            p.runs.append(run)
        elif kind == "error":
            if run is None:
                run = Run()
                p.runs.append(run)
            err = ev.get("error")
            run.error = err if isinstance(err, dict) else {"message": str(err)}
            run.error_index = i
        elif kind == "exec_end":
            if run is None:
                run = Run(filename=str(ev.get("filename", "?")))
                p.runs.append(run)
            run.outcome = str(ev.get("outcome", "?"))
            steps = ev.get("steps")
            run.steps = steps if isinstance(steps, int) else None
            dur = ev.get("duration")
            run.duration = float(dur) if isinstance(dur, (int, float)) else None
            err = ev.get("error")
            if isinstance(err, dict) and run.error is None:
                run.error = err
                run.error_index = i
            run = None
    return p


# ---- source lines --------------------------------------------------------------------------


class SourceFiles:
    """Reads source lines for recorded filenames: absolute paths as they are; relative ones
    against the recording's working directory, the trace's directory, then ours."""

    def __init__(self, trace: Trace) -> None:
        cwd = trace.header.get("cwd")
        self.dirs = [d for d in (cwd if isinstance(cwd, str) else None,
                                 os.path.dirname(os.path.abspath(trace.path)), os.getcwd())
                     if d]
        self._cache: dict[str, list[str] | None] = {}

    def line(self, filename: str, line: int) -> str:
        lines = self._lines(filename)
        if lines is None or not 1 <= line <= len(lines):
            return ""
        return lines[line - 1].rstrip("\n").rstrip()

    def _lines(self, filename: str) -> list[str] | None:
        if filename in self._cache:
            return self._cache[filename]
        found: list[str] | None = None
        if not filename.startswith("<"):
            cands = [filename] if os.path.isabs(filename) else [
                os.path.join(d, filename) for d in self.dirs]
            for c in cands:
                try:
                    with open(c, encoding="utf-8", errors="replace") as fh:
                        found = fh.readlines()
                    break
                except OSError:
                    continue
        self._cache[filename] = found
        return found


# ---- rendering -----------------------------------------------------------------------------


def _pct(n: int, total: int) -> str:
    return f"{100.0 * n / total:5.1f}%" if total else "    -"


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i])
                 for i, c in enumerate(r)]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def describe(ev: dict[str, Any]) -> str:
    """One event as a short line of text."""
    kind = ev.get("event")
    if kind == "step":
        n = ev.get("count", 1)
        more = f" x{n:,}" if isinstance(n, int) and n > 1 else ""
        return (f"step {ev.get('step', 0):,}{more}  {_loc(ev)}  {ev.get('node')}  in "
                f"{ev.get('function')} (depth {ev.get('depth')})")
    if kind == "call":
        return (f"call {ev.get('function')}  (defined at {_loc(ev)})  depth {ev.get('depth')}"
                f"  at step {ev.get('step', 0):,}")
    if kind == "return":
        err = ev.get("error")
        tail = f"  raising {_err_text(err)}" if isinstance(err, dict) else ""
        return (f"return from {ev.get('function')}  depth {ev.get('depth')}  at step "
                f"{ev.get('step', 0):,}{tail}")
    if kind == "error":
        return f"error at step {ev.get('step', 0):,}: {_err_text(ev.get('error'))}"
    fields = "  ".join(f"{k}={v}" for k, v in ev.items()
                       if k != "event" and not isinstance(v, (dict, list)) and v is not None)
    return f"{kind}  {fields}"


def _loc(ev: dict[str, Any]) -> str:
    return f"{ev.get('filename')}:{ev.get('line')}:{ev.get('col')}"


def _err_text(err: Any) -> str:
    if not isinstance(err, dict):
        return str(err)
    at = _err_frame(err)
    where = f" ({at['filename']}:{at['line']}:{at['col']})" if at else ""
    return f"{err.get('type', 'Error')}: {err.get('message', '')}{where}"


def _err_frame(err: dict[str, Any]) -> dict[str, Any] | None:
    """The innermost frame with a position."""
    stack = err.get("call_stack")
    if not isinstance(stack, list):
        return None
    for fr in reversed(stack):
        if isinstance(fr, dict) and isinstance(fr.get("line"), int) and fr["line"] > 0:
            return fr
    return None


def summarize(trace: Trace, top: int = 10, last: int = 12) -> str:
    """The text ``starlite trace`` prints."""
    p = analyse(trace)
    src = SourceFiles(trace)
    out: list[str] = []
    head = (f"trace {trace.path}: schema version {trace.version or '?'}, "
            f"{len(trace.events):,} events")
    if trace.header.get("flight_recorder"):
        head += f" (flight recorder: the last {trace.header.get('capacity')} events only)"
    out.append(head)
    if trace.version > 1:
        out.append(f"  note: written by a newer starlite (version {trace.version}); "
                   "some details may be missing")
    if trace.bad_lines:
        out.append(f"  note: {trace.bad_lines} line(s) could not be parsed and were skipped")
    if not trace.ended and not trace.header.get("flight_recorder"):
        out.append("  note: no trace_end line: the recording was cut short or never closed")

    # -- runs
    out.append("")
    if not p.runs:
        out.append("No runs in this trace.")
    for i, r in enumerate(p.runs, 1):
        steps = f"{r.steps:,} steps" if r.steps is not None else "steps unknown"
        dur = f", {r.duration * 1000:.1f} ms" if r.duration is not None else ""
        label = f"Run {i}: " if len(p.runs) > 1 else "Run: "
        out.append(f"{label}{r.filename} ({r.mode})  outcome: {r.outcome}  {steps}{dur}")
        if r.error is not None:
            out.append(f"  error: {_err_text(r.error)}")
    total = sum(r.steps or 0 for r in p.runs) or p.step_total
    if len(p.runs) > 1:
        out.append(f"Total: {total:,} steps in {len(p.runs)} runs")

    # -- functions
    out.append("")
    if p.step_total == 0:
        out.append("No step events in this trace (recorded without steps): "
                   "calls only.")
    out.append("Steps by function (self: in its own code; total: with its callees), "
               "hottest first:")
    incl = p.inclusive
    names = set(p.self_steps) | set(p.calls)
    ranked = sorted(names, key=lambda n: (-p.self_steps[n], -p.calls[n], n))
    rows = [["function", "self", "%", "total", "calls"]]
    for fn in ranked[:top]:
        rows.append([fn, f"{p.self_steps[fn]:,}", _pct(p.self_steps[fn], p.step_total),
                     f"{incl[fn]:,}", f"{p.calls[fn]:,}" if p.calls[fn] else "-"])
    if len(rows) > 1:
        out.extend(_table(rows, {1, 2, 3, 4}))
    if len(ranked) > top:
        out.append(f"  ... {len(ranked) - top} more")

    # -- lines
    if p.line_steps:
        out.append("")
        out.append("Hottest lines:")
        rows = [["steps", "%", "location", "source"]]
        for (fname, line), count in p.line_steps.most_common(top):
            rows.append([f"{count:,}", _pct(count, p.step_total), f"{fname}:{line}",
                         src.line(fname, line).strip()])
        out.extend(_table(rows, {0, 1}))

    # -- failures
    for i, r in enumerate(p.runs, 1):
        if r.error is None or r.error_index is None:
            continue
        out.append("")
        label = f"run {i} " if len(p.runs) > 1 else ""
        out.append(f"Failure {label}({r.outcome}): {_err_text(r.error)}")
        stack = r.error.get("call_stack")
        if isinstance(stack, list) and stack:
            out.append("  Traceback (most recent call last):")
            for fr in stack:
                if not isinstance(fr, dict):
                    continue
                if fr.get("line"):
                    out.append(f"    {fr.get('filename')}:{fr.get('line')}:{fr.get('col')}: "
                               f"in {fr.get('function')}")
                    text = src.line(str(fr.get("filename")), int(fr["line"]))
                    if text:
                        out.append(f"      {text.strip()}")
                else:
                    out.append(f"    {fr.get('filename')}: in {fr.get('function')}")
        fr = _err_frame(r.error)
        if fr is not None:
            text = src.line(str(fr.get("filename")), int(fr["line"]))
            out.append(f"  failed at {fr.get('filename')}:{fr.get('line')}:{fr.get('col')}"
                       f" in {fr.get('function')}")
            if text:
                out.append(f"    {fr['line']:>5} | {text}")
                col = fr.get("col")
                if isinstance(col, int) and 0 < col <= len(text) + 1:
                    out.append("          | " + " " * (col - 1) + "^")
        lo = max(0, r.error_index - last)
        before = trace.events[lo:r.error_index]
        if before:
            out.append(f"  Last {len(before)} events before the failure:")
            for e in before:
                out.append(f"    {describe(e)}")
    return "\n".join(out) + "\n"


__all__ = ["Profile", "Run", "Trace", "TraceFormatError", "analyse", "describe", "load_trace",
           "summarize"]
