"""Observers, their events, the recorders and the trace tools built on them.

What is checked: every event kind and field; that step events cover every step exactly once;
that observers which do not ask for steps never get them and cost no steps; isolation of a
raising observer; the JSON-lines schema written by TraceRecorder and FlightRecorder; the trace
summary; the folded-stack and SVG flame graph outputs.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import starlite
from starlite.observe import (
    BUILTIN_SITE,
    CallEvent,
    ErrorEvent,
    ExecEnd,
    ExecStart,
    ReturnEvent,
    StepEvent,
    StepSite,
)
from starlite.observe.flame import flame_svg, fold, folded_lines
from starlite.observe.recorders import SCHEMA_VERSION, event_dict
from starlite.observe.summary import load_trace, summarize

# A function called from top level (depth 1) that calls another (depth 2); a builtin that
# charges for its work (sorted); and a print.
PROGRAM = """\
def double(x):
    r = 0
    for _ in range(2):
        r += x
    return r

def total(n):
    acc = 0
    for i in range(n):
        acc += double(i)
    return acc

result = total(5)
ordered = sorted([3, 1, 2] * 100)
print("result", result)
"""

FAILING = """\
def divide(a, b):
    return a // b

def run():
    return divide(1, 0)

x = run()
"""

LOOPING = """\
def spin():
    n = 0
    for i in range(1000000):
        n += i
    return n

spin()
"""


class Collector(starlite.Observer):
    """Records every event it is given."""

    wants_steps = True

    def __init__(self) -> None:
        self.events: list[Any] = []

    def on_exec_start(self, event: ExecStart) -> None:
        self.events.append(event)

    def on_exec_end(self, event: ExecEnd) -> None:
        self.events.append(event)

    def on_call(self, event: CallEvent) -> None:
        self.events.append(event)

    def on_return(self, event: ReturnEvent) -> None:
        self.events.append(event)

    def on_error(self, event: ErrorEvent) -> None:
        self.events.append(event)

    def on_step(self, event: StepEvent) -> None:
        self.events.append(event)

    def of(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.kind == kind]


def run(source: str, *observers: starlite.Observer, filename: str = "prog.star",
        **thread_args: Any) -> tuple[starlite.Thread, dict[str, Any] | BaseException, list[str]]:
    """Run ``source``; returns the thread, the globals (or the error) and what it printed."""
    printed: list[str] = []
    th = starlite.Thread(observers=observers, print=printed.append, **thread_args)
    try:
        g: dict[str, Any] | BaseException = starlite.exec_file(th, filename, source=source)
    except starlite.StarlarkError as e:
        g = e
    return th, g, printed


# ---- events ------------------------------------------------------------------------------


def test_exec_start_and_end_fields() -> None:
    c = Collector()
    th, g, printed = run(PROGRAM, c)
    assert isinstance(g, dict) and g["result"] == 20
    assert printed == ["result 20"]
    start, end = c.events[0], c.events[-1]
    assert isinstance(start, ExecStart) and start.kind == "exec_start"
    assert start.filename == "prog.star" and start.mode == "exec"
    assert start.time > 0 and start.session_id is None and start.script_hash is None
    assert isinstance(end, ExecEnd) and end.kind == "exec_end"
    assert end.filename == "prog.star" and end.mode == "exec"
    assert end.outcome == "success" and end.error is None
    assert end.steps == th.steps > 0
    assert end.duration >= 0
    assert (end.tool_calls, end.parallel_used, end.parallel_tasks) == (0, False, 0)
    assert not c.of("error")


def test_call_and_return_fields() -> None:
    c = Collector()
    run(PROGRAM, c)
    calls, returns = c.of("call"), c.of("return")
    assert [e.function for e in calls] == ["total"] + ["double"] * 5
    assert len(returns) == len(calls)
    total = calls[0]
    assert (total.filename, total.line, total.col) == ("prog.star", 7, 1)
    assert total.depth == 1
    assert all(e.depth == 2 for e in calls[1:])
    assert (calls[1].line, calls[1].col) == (1, 1)
    # a return has its call's depth; returns come innermost first
    assert returns[-1].function == "total" and returns[-1].depth == 1
    assert all(r.error is None for r in returns)
    # `step` is the step count when the event happened: non-decreasing
    steps = [e.step for e in c.events if hasattr(e, "step")]
    assert steps == sorted(steps)


@pytest.mark.parametrize("recursion", [False, True])
def test_depth_is_the_call_depth_in_both_calling_conventions(recursion: bool) -> None:
    c = Collector()
    th = starlite.Thread(observers=[c], options=starlite.Options(recursion=recursion))
    starlite.exec_file(th, "prog.star", source=PROGRAM)
    assert [e.depth for e in c.of("call")] == [1, 2, 2, 2, 2, 2]
    top = [e for e in c.of("step") if e.line >= 13]
    assert top and all(e.depth == 0 for e in top)
    in_loop = [e for e in c.of("step") if e.line == 10]
    assert in_loop and all(e.depth == 1 and e.function == "total" for e in in_loop)
    in_double = [e for e in c.of("step") if e.line == 4]
    assert in_double and all(e.depth == 2 and e.function == "double" for e in in_double)


def test_a_functions_first_steps_are_in_that_function() -> None:
    c = Collector()
    run(PROGRAM, c)
    first = [e for e in c.of("step") if e.line == 2]  # double's `r = 0`
    assert first and all(e.function == "double" and e.depth == 2 for e in first)


def test_step_events_cover_every_step_once() -> None:
    c = Collector()
    th, _, _ = run(PROGRAM, c)
    steps = [e.step for e in c.of("step")]
    assert steps == list(range(1, th.steps + 1))


def test_step_event_fields() -> None:
    c = Collector()
    run(PROGRAM, c)
    ev = c.of("step")
    assert all(isinstance(e, StepEvent) and e.kind == "step" for e in ev)
    nodes = {e.node for e in ev}
    assert {"def", "assign", "call", "ident", "literal", "binary", "return"} <= nodes
    assert "builtin" in nodes  # sorted() and range() charge for their work
    first = ev[0]
    assert (first.step, first.node, first.filename, first.line, first.col) == (
        1, "def", "prog.star", 1, 1)
    assert first.function == "<toplevel>" and first.depth == 0
    # `r += x` in double(): 5 calls x 2 iterations, each at line 4, col 9, two calls deep
    inner = [e for e in ev if e.line == 4]
    stmts = [e for e in inner if e.node == "aug_assign"]
    assert len(stmts) == 10 and all((e.filename, e.col) == ("prog.star", 9) for e in stmts)
    assert all(e.function == "double" and e.depth == 2 for e in inner)
    # `acc += double(i)` in total()
    loop = [e for e in ev if e.line == 10]
    assert {"call", "ident"} <= {e.node for e in loop}
    assert all(e.function == "total" and e.depth == 1 for e in loop)
    builtin = [e for e in ev if e.node == "builtin"]
    assert all((e.line, e.col) == (0, 0) for e in builtin)


def test_error_event_and_return_with_error() -> None:
    c = Collector()
    th, err, _ = run(FAILING, c)
    assert isinstance(err, starlite.EvalError)
    (error,) = c.of("error")
    assert isinstance(error, ErrorEvent) and error.kind == "error"
    assert error.error is err and error.step == th.steps
    assert [f.name for f in err.call_stack] == ["<toplevel>", "run", "divide"]
    returns = c.of("return")
    assert [r.function for r in returns] == ["divide", "run"]
    assert all(r.error is err for r in returns)
    end = c.events[-1]
    assert end.outcome == "error" and end.error is err
    # the error event comes before exec_end
    assert c.events.index(error) == len(c.events) - 2


@pytest.mark.parametrize(
    ("thread_args", "outcome", "error_type"),
    [
        ({"max_steps": 500}, "step_limit", starlite.StepLimitExceeded),
        ({"timeout": 0.05}, "timeout", starlite.Timeout),
    ],
)
def test_limit_outcomes(thread_args: dict[str, Any], outcome: str, error_type: type) -> None:
    c = Collector()
    th, err, _ = run(LOOPING, c, **thread_args)
    assert isinstance(err, error_type)
    end = c.events[-1]
    assert end.outcome == outcome and end.error is err
    if "max_steps" in thread_args:
        assert th.steps <= 500 and end.steps == th.steps
        assert "too many steps" in str(err)


def test_cancelled_outcome() -> None:
    class CancelAt(starlite.Observer):
        def __init__(self, th: starlite.Thread) -> None:
            self.th = th

        def on_call(self, event: CallEvent) -> None:
            self.th.cancel("enough")

    c = Collector()
    th = starlite.Thread(observers=[c])
    th.add_observer(CancelAt(th))
    with pytest.raises(starlite.Cancelled):
        starlite.exec_file(th, "prog.star", source=PROGRAM)
    assert c.events[-1].outcome == "cancelled"


def test_eval_mode() -> None:
    c = Collector()
    th = starlite.Thread(observers=[c])
    assert starlite.eval(th, "1 + 2") == 3
    assert c.events[0].mode == "eval" and c.events[-1].mode == "eval"
    assert c.events[-1].steps == th.steps == len(c.of("step"))


def test_two_step_observers_both_see_every_step() -> None:
    a, b = Collector(), Collector()
    th, _, _ = run(PROGRAM, a, b)
    assert [e.step for e in a.of("step")] == [e.step for e in b.of("step")]
    assert len(a.of("step")) == th.steps


# ---- cost model ----------------------------------------------------------------------------


class Passive(starlite.Observer):
    """Only run start and end."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_exec_start(self, event: ExecStart) -> None:
        self.seen.append(event.kind)

    def on_exec_end(self, event: ExecEnd) -> None:
        self.seen.append(event.kind)


class StepsNotWanted(starlite.Observer):
    """Overrides on_step but does not set wants_steps: must never be called per step."""

    def __init__(self) -> None:
        self.steps = 0

    def on_step(self, event: StepEvent) -> None:
        self.steps += 1


def test_observer_without_wants_steps_never_gets_steps() -> None:
    ob = StepsNotWanted()
    th, _, _ = run(PROGRAM, ob)
    assert ob.steps == 0
    assert th.step_observers == [] and th.call_observers == []


def test_passive_observer_is_not_reached_per_call_or_step() -> None:
    p = Passive()
    th, _, _ = run(PROGRAM, p)
    assert p.seen == ["exec_start", "exec_end"]
    assert th.observers == [p] and th.call_observers == [] and th.step_observers == []


def test_observers_do_not_change_the_step_count() -> None:
    plain, _, _ = run(PROGRAM)
    passive, _, _ = run(PROGRAM, Passive())
    stepping, _, _ = run(PROGRAM, Collector())
    recorded, _, _ = run(PROGRAM, starlite.FlightRecorder(10))
    assert plain.steps == passive.steps == stepping.steps == recorded.steps > 0


def test_wants_steps_can_be_an_instance_attribute() -> None:
    on = starlite.FlightRecorder(1000)
    off = starlite.FlightRecorder(1000, wants_steps=False)
    run(PROGRAM, on, off)
    assert any(e["event"] == "step" for e in on.events)
    assert not any(e["event"] == "step" for e in off.events)
    assert [e["event"] for e in off.events if e["event"] != "step"] == [
        e["event"] for e in on.events if e["event"] != "step"]


def test_step_observer_removed_mid_run_stops_getting_steps() -> None:
    class Once(starlite.Observer):
        wants_steps = True

        def __init__(self) -> None:
            self.n = 0
            self.th: starlite.Thread | None = None

        def on_step(self, event: StepEvent) -> None:
            self.n += 1
            if self.n == 3 and self.th is not None:
                self.th.remove_observer(self)

    ob = Once()
    th = starlite.Thread()
    ob.th = th
    th.add_observer(ob)
    starlite.exec_file(th, "prog.star", source=PROGRAM)
    assert 3 <= ob.n < th.steps
    assert th.step_observers == []


# ---- isolation -----------------------------------------------------------------------------


class Boom(starlite.Observer):
    """Raises from one hook, counting how often it was called."""

    wants_steps = True

    def __init__(self, hook: str) -> None:
        self.hook = hook
        self.calls = 0

    def _maybe(self, name: str) -> None:
        if name == self.hook:
            self.calls += 1
            raise RuntimeError(f"observer bug in {name}")

    def on_exec_start(self, event: ExecStart) -> None:
        self._maybe("on_exec_start")

    def on_call(self, event: CallEvent) -> None:
        self._maybe("on_call")

    def on_return(self, event: ReturnEvent) -> None:
        self._maybe("on_return")

    def on_step(self, event: StepEvent) -> None:
        self._maybe("on_step")

    def on_error(self, event: ErrorEvent) -> None:
        self._maybe("on_error")

    def on_exec_end(self, event: ExecEnd) -> None:
        self._maybe("on_exec_end")


@pytest.mark.parametrize(
    "hook", ["on_exec_start", "on_call", "on_return", "on_step", "on_exec_end"])
def test_raising_observer_is_isolated(hook: str) -> None:
    plain, g0, out0 = run(PROGRAM)
    bad, witness = Boom(hook), Collector()
    th, g, out = run(PROGRAM, bad, witness)
    # the script's result and output are unchanged
    assert isinstance(g, dict) and isinstance(g0, dict) and g["result"] == g0["result"]
    assert th.steps == plain.steps
    # the failure is reported once, through the print hook, and the observer is detached
    reports = [line for line in out if "observer" in line]
    assert len(reports) == 1
    assert f"Boom.{hook}" in reports[0] and "RuntimeError: observer bug" in reports[0]
    assert [line for line in out if "observer" not in line] == out0
    assert bad.calls == 1
    assert bad not in th.observers and bad not in th.call_observers
    assert bad not in th.step_observers
    # the other observer saw the whole run
    assert witness.events[-1].kind == "exec_end"
    assert len(witness.of("step")) == th.steps


def test_raising_observer_does_not_change_an_error() -> None:
    _, err0, _ = run(FAILING)
    _, err, out = run(FAILING, Boom("on_error"))
    assert isinstance(err, starlite.EvalError) and isinstance(err0, starlite.EvalError)
    assert str(err) == str(err0) and err.backtrace() == err0.backtrace()
    assert len([line for line in out if "Boom.on_error" in line]) == 1


def test_failing_observer_on_a_reused_thread_is_reported_once() -> None:
    bad = Boom("on_exec_start")
    printed: list[str] = []
    th = starlite.Thread(observers=[bad], print=printed.append)
    starlite.exec_file(th, "a.star", source="x = 1")
    th.add_observer(bad)  # re-attached by the host: detached again, not reported again
    starlite.exec_file(th, "b.star", source="y = 2")
    assert bad.calls == 2 and len(printed) == 1 and bad not in th.observers


def test_non_observer_is_refused() -> None:
    with pytest.raises(TypeError):
        starlite.Thread(observers=[object()])  # type: ignore[list-item]


# ---- TraceRecorder: the JSON-lines schema --------------------------------------------------

REQUIRED = {
    "trace_start": {"version", "starlite", "time", "cwd", "pid"},
    "exec_start": {"filename", "mode", "session_id", "script_hash", "time"},
    "exec_end": {"filename", "mode", "outcome", "steps", "duration", "error", "session_id",
                 "script_hash", "tool_calls", "parallel_used", "parallel_tasks"},
    "call": {"function", "filename", "line", "col", "depth", "step"},
    "return": {"function", "depth", "step", "error"},
    "error": {"error", "step"},
    "step": {"step", "node", "filename", "line", "col", "function", "depth"},
    "trace_end": {"events"},
}


def read_lines(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def check_schema(lines: list[dict[str, Any]]) -> None:
    assert lines[0]["event"] == "trace_start" and lines[0]["version"] == SCHEMA_VERSION == 1
    for d in lines:
        kind = d["event"]
        assert kind in REQUIRED, kind
        missing = REQUIRED[kind] - set(d)
        assert not missing, (kind, missing)
        for key in ("error",):
            if d.get(key) is not None:
                check_error(d[key])


def check_error(err: dict[str, Any]) -> None:
    assert set(err) == {"type", "message", "call_stack"}
    assert isinstance(err["type"], str) and isinstance(err["message"], str)
    for fr in err["call_stack"]:
        assert set(fr) == {"function", "filename", "line", "col"}


def test_trace_recorder_schema(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with starlite.TraceRecorder(path) as rec:
        th, _, _ = run(PROGRAM, rec)
    lines = read_lines(path)
    check_schema(lines)
    assert lines[-1] == {"event": "trace_end", "events": len(lines) - 2}
    kinds = [d["event"] for d in lines]
    assert kinds[1] == "exec_start" and kinds[-2] == "exec_end"
    assert {"call", "return", "step"} <= set(kinds)
    steps = [d for d in lines if d["event"] == "step"]
    assert sum(d.get("count", 1) for d in steps) == th.steps
    assert lines[-2]["outcome"] == "success" and lines[-2]["steps"] == th.steps
    assert lines[0]["cwd"] and lines[1]["filename"] == "prog.star"


def test_trace_recorder_lines_match_the_generic_rendering(tmp_path: Path) -> None:
    """The recorder's fast paths write exactly what event_dict + json would."""
    path = tmp_path / "t.jsonl"
    c = Collector()
    with starlite.TraceRecorder(path) as rec:
        run(PROGRAM, rec, c)
    lines = read_lines(path)[1:-1]
    expected = []
    for ev in c.events:
        d = event_dict(ev)
        if ev.kind == "step" and ev.node == "builtin" and expected and (
                expected[-1]["event"] == "step" and expected[-1]["node"] == "builtin"
                and expected[-1]["step"] + expected[-1].get("count", 1) == ev.step
                and expected[-1]["depth"] == ev.depth):
            expected[-1]["count"] = expected[-1].get("count", 1) + 1
            continue
        expected.append(d)
    # builtin charges are compressed into one line with a count; compare the rest exactly
    assert [d for d in lines if d.get("node") != "builtin"] == [
        d for d in expected if d.get("node") != "builtin"]
    assert sum(d.get("count", 1) for d in lines if d.get("node") == "builtin") == sum(
        d.get("count", 1) for d in expected if d.get("node") == "builtin")


def test_trace_recorder_error_rendering(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with starlite.TraceRecorder(path) as rec:
        run(FAILING, rec)
    lines = read_lines(path)
    check_schema(lines)
    (err,) = [d for d in lines if d["event"] == "error"]
    e = err["error"]
    assert e["type"] == "EvalError" and "division by zero" in e["message"]
    assert [f["function"] for f in e["call_stack"]] == ["<toplevel>", "run", "divide"]
    assert e["call_stack"][-1] == {"function": "divide", "filename": "prog.star", "line": 2,
                                   "col": 14}
    assert lines[-2]["event"] == "exec_end" and lines[-2]["outcome"] == "error"
    returns = [d for d in lines if d["event"] == "return"]
    assert all(r["error"]["type"] == "EvalError" for r in returns)


def test_trace_recorder_on_an_open_file_and_without_steps() -> None:
    buf = io.StringIO()
    rec = starlite.TraceRecorder(buf, steps=False)
    th, _, _ = run(PROGRAM, rec)
    assert th.step_observers == []
    rec.close()
    assert not buf.closed  # the caller's file stays open
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    check_schema(lines)
    assert not any(d["event"] == "step" for d in lines)
    assert any(d["event"] == "call" for d in lines)
    rec.close()  # idempotent
    rec.on_exec_start(ExecStart("late.star", "exec"))  # dropped after close
    assert buf.getvalue().count("\n") == len(lines)


def test_trace_recorder_is_flushed_at_exec_end(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    rec = starlite.TraceRecorder(path)
    run(PROGRAM, rec)
    # not closed yet, but the run's events are on disk
    lines = read_lines(path)
    assert lines[-1]["event"] == "exec_end"
    run(FAILING, rec)  # a second run appends
    rec.close()
    lines = read_lines(path)
    assert [d["event"] for d in lines].count("exec_start") == 2
    assert lines[-1]["event"] == "trace_end"


def test_trace_of_builtin_work_is_compressed(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with starlite.TraceRecorder(path) as rec:
        th, _, _ = run("x = sorted(list(range(20000)))\n", rec)
    lines = read_lines(path)
    steps = [d for d in lines if d["event"] == "step"]
    assert sum(d.get("count", 1) for d in steps) == th.steps > 1000
    assert len(lines) < 50
    big = [d for d in steps if d.get("count", 1) > 1]
    assert big and all(d["node"] == "builtin" for d in big)


def test_recorders_are_exposed_lazily() -> None:
    from starlite.observe import recorders

    assert starlite.TraceRecorder is recorders.TraceRecorder
    assert starlite.FlightRecorder is recorders.FlightRecorder
    assert issubclass(starlite.TraceRecorder, starlite.Observer)
    assert starlite.TraceRecorder.wants_steps and starlite.FlightRecorder.wants_steps


# ---- FlightRecorder ------------------------------------------------------------------------


def test_flight_recorder_keeps_the_last_n_events() -> None:
    fr = starlite.FlightRecorder(capacity=25)
    th, _, _ = run(PROGRAM, fr)
    ev = fr.events
    assert len(ev) == 25
    assert ev[-1]["event"] == "exec_end" and ev[-1]["steps"] == th.steps
    steps = [d["step"] for d in ev if d["event"] == "step"]
    assert steps == sorted(steps)
    assert repr(fr).startswith("<starlite.FlightRecorder")
    fr.clear()
    assert fr.events == []
    with pytest.raises(ValueError):
        starlite.FlightRecorder(0)


def test_flight_recorder_on_step_limit_failure(tmp_path: Path) -> None:
    fr = starlite.FlightRecorder(capacity=40)
    src = tmp_path / "prog.star"
    src.write_text(LOOPING)
    th, err, _ = run(LOOPING, fr, filename=str(src), max_steps=300)
    assert isinstance(err, starlite.StepLimitExceeded)
    ev = fr.events
    kinds = [d["event"] for d in ev]
    assert kinds[-2:] == ["error", "exec_end"]
    e = ev[-2]["error"]
    assert e["type"] == "StepLimitExceeded" and "too many steps" in e["message"]
    # the failing location: the innermost frame is inside spin's loop
    inner = e["call_stack"][-1]
    assert inner["function"] == "spin" and inner["filename"] == str(src)
    assert inner["line"] in (3, 4)
    # and the steps just before it were taken there
    last_steps = [d for d in ev if d["event"] == "step"][-5:]
    assert all(d["line"] in (3, 4) for d in last_steps)
    assert ev[-1]["outcome"] == "step_limit" and ev[-1]["steps"] == th.steps <= 300
    # a dump is a trace `starlite trace` reads
    path = tmp_path / "flight.jsonl"
    assert fr.dump(path) == len(ev)
    lines = read_lines(path)
    check_schema(lines)
    assert lines[0]["flight_recorder"] is True and lines[0]["capacity"] == 40
    assert lines[1:-1] == ev
    text = summarize(load_trace(str(path)))
    assert "step_limit" in text and "too many steps" in text
    assert "for i in range(1000000):" in text or "n += i" in text  # the failing line's text


def test_flight_recorder_on_error_failure() -> None:
    fr = starlite.FlightRecorder(capacity=12)
    _, err, _ = run(FAILING, fr)
    assert isinstance(err, starlite.EvalError)
    ev = fr.events
    assert len(ev) == 12
    err_ev = [d for d in ev if d["event"] == "error"][-1]
    frame = err_ev["error"]["call_stack"][-1]
    assert (frame["function"], frame["line"], frame["col"]) == ("divide", 2, 14)
    assert any(d["event"] == "step" and d["line"] == 2 for d in ev)
    assert any(d["event"] == "call" and d["function"] == "divide" for d in ev)


def test_flight_recorder_dump_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "crash.jsonl"
    fr = starlite.FlightRecorder(100, dump_on_failure=path)
    run(PROGRAM, fr)
    assert not path.exists()  # success: nothing dumped
    run(FAILING, fr)
    lines = read_lines(path)
    assert lines[-2]["event"] == "exec_end" and lines[-2]["outcome"] == "error"


def test_flight_recorder_dump_to_open_file() -> None:
    fr = starlite.FlightRecorder(5)
    run(PROGRAM, fr)
    buf = io.StringIO()
    assert fr.dump(buf) == 5
    assert not buf.closed and len(buf.getvalue().splitlines()) == 7


# ---- summary and flame graphs --------------------------------------------------------------


def record(tmp_path: Path, source: str, name: str = "prog.star", **thread_args: Any) -> Path:
    """Write ``source`` to a file, run it with a TraceRecorder, return the trace path."""
    src = tmp_path / name
    src.write_text(source, encoding="utf-8")
    path = tmp_path / (name + ".jsonl")
    with starlite.TraceRecorder(path) as rec:
        th = starlite.Thread(observers=[rec], print=lambda msg: None, **thread_args)
        try:
            starlite.exec_file(th, str(src))
        except starlite.StarlarkError:
            pass
    return path


def test_summary_names_functions_and_hot_lines(tmp_path: Path) -> None:
    path = record(tmp_path, PROGRAM)
    text = summarize(load_trace(str(path)))
    assert "outcome: success" in text
    assert "Steps by function" in text and "Hottest lines" in text
    for name in ("total", "double", "<toplevel>"):
        assert name in text
    assert "r += x" in text and "acc += double(i)" in text  # source text of hot lines
    # the calls column: total once, double five times
    row = next(line for line in text.splitlines() if line.strip().startswith("double"))
    assert row.split()[-1] == "5"


def test_summary_of_a_failure(tmp_path: Path) -> None:
    path = record(tmp_path, FAILING)
    text = summarize(load_trace(str(path)))
    assert "outcome: error" in text
    assert "Failure" in text and "division by zero" in text
    assert "prog.star:2:14" in text and "return a // b" in text
    assert "Last " in text and "events before the failure" in text
    assert "call divide" in text


def test_summary_tolerates_a_cut_trace(tmp_path: Path) -> None:
    path = record(tmp_path, PROGRAM)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[: len(lines) // 2]) + '\n{"event": "st')
    t = load_trace(str(path))
    assert t.bad_lines == 1 and not t.ended
    text = summarize(t)
    assert "cut short" in text and "unfinished" in text


def test_folded_stacks(tmp_path: Path) -> None:
    path = record(tmp_path, PROGRAM)
    trace = load_trace(str(path))
    stacks = fold(trace.events)
    lines = folded_lines(stacks)
    assert lines
    pattern = re.compile(r"^[^ ;]+(;[^ ;]+)* [1-9][0-9]*$")
    assert all(pattern.match(line) for line in lines), lines
    assert sum(int(line.rsplit(" ", 1)[1]) for line in lines) == trace.events[-1]["steps"]
    assert any(line.startswith("<toplevel>;total;double ") for line in lines)
    assert all(line.startswith("<toplevel>") for line in lines)


def test_flame_svg_is_valid_svg(tmp_path: Path) -> None:
    path = record(tmp_path, PROGRAM)
    svg = flame_svg(fold(load_trace(str(path)).events), title="a <title> & more")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any(t.startswith("double (") for t in titles)
    assert any(t.startswith("total (") for t in titles)
    empty = ET.fromstring(flame_svg(fold([])))
    assert empty.tag.endswith("svg")


def test_stack_builder_without_call_events() -> None:
    """A flight recorder dump may start mid-run: missing frames become '?'."""
    events = [
        {"event": "step", "step": 10, "function": "g", "depth": 2, "node": "ident"},
        {"event": "return", "function": "g", "depth": 2, "step": 10},
        {"event": "step", "step": 11, "function": "f", "depth": 1, "node": "ident"},
        {"event": "step", "step": 12, "function": "f", "depth": 1, "node": "builtin",
         "count": 4},
    ]
    assert dict(fold(events)) == {
        ("<toplevel>", "?", "g"): 1,
        ("<toplevel>", "f"): 1,
        ("<toplevel>", "f", "<builtin>"): 4,
    }


def test_reused_step_events_carry_the_same_fields_as_fresh_ones() -> None:
    class Fresh(starlite.Observer):
        wants_steps = True

        def __init__(self) -> None:
            self.seen: list[tuple[Any, ...]] = []

        def on_step(self, event: StepEvent) -> None:
            self.seen.append((event.step, event.node, event.filename, event.line, event.col,
                              event.function, event.depth))

    class Reused(Fresh):
        reuse_step_events = True

        def __init__(self) -> None:
            super().__init__()
            self.ids: set[int] = set()

        def on_step(self, event: StepEvent) -> None:
            self.ids.add(id(event))
            super().on_step(event)

    fresh, reused = Fresh(), Reused()
    src = "def f(n):\n    t = 0\n    for i in range(n):\n        t += i\n    return t\nx = f(50)\n"
    starlite.exec_file(starlite.Thread(observers=[fresh]), "r.star", src)
    starlite.exec_file(starlite.Thread(observers=[reused]), "r.star", src)
    assert reused.seen == fresh.seen
    assert len(reused.ids) < len(reused.seen) // 10  # objects are reused across iterations


# ---- step batches: on_steps ----------------------------------------------------------------


class Batches(starlite.Observer):
    """Keeps each charge it is given through on_steps."""

    wants_steps = True

    def __init__(self) -> None:
        self.charges: list[tuple[int, int, StepSite, int]] = []

    def on_steps(self, first: int, count: int, site: StepSite, depth: int) -> None:
        self.charges.append((first, count, site, depth))


def test_on_steps_charges_cover_every_step_once_in_order() -> None:
    b = Batches()
    th, g, _ = run(PROGRAM, b)
    assert isinstance(g, dict)
    covered = [s for first, count, _, _ in b.charges for s in range(first, first + count)]
    assert covered == list(range(1, th.steps + 1))
    assert all(count >= 1 for _, count, _, _ in b.charges)
    assert len(b.charges) < th.steps // 2  # batches, not one call per step


def test_on_steps_sites_expand_to_the_same_events_as_on_step() -> None:
    b, c = Batches(), Collector()
    run(PROGRAM, b)
    run(PROGRAM, c)
    expanded = [ev for first, count, site, depth in b.charges
                for ev in site.events(first, count, depth)]
    assert expanded == c.of("step")
    # sites are compile-time objects: the same object each time the code runs
    sites = [site for _, _, site, _ in b.charges]
    assert len({id(s) for s in sites}) < len(sites) // 3
    assert all(isinstance(s, StepSite) for s in sites)
    # a builtin's work with no source position comes with BUILTIN_SITE
    assert BUILTIN_SITE in sites
    assert BUILTIN_SITE.function == "<builtin>" and not BUILTIN_SITE.nodes


def test_on_steps_depth_counts_inline_calls() -> None:
    # leaf() makes no calls, so without observers its calls take the fastest path
    src = ("def leaf(x):\n    y = x + 1\n    return y\n\n"
           "def f():\n    return leaf(1) + leaf(2)\n\nz = f()\n")
    b = Batches()
    run(src, b)
    depths = {(site.function, depth) for _, _, site, depth in b.charges}
    assert ("leaf", 2) in depths and ("f", 1) in depths and ("<toplevel>", 0) in depths
    assert not any(fn == "leaf" and d != 2 for fn, d in depths)


def test_on_steps_observer_keeps_limits_exact() -> None:
    b = Batches()
    th, err, _ = run(LOOPING, b, max_steps=5_000)
    assert isinstance(err, starlite.StepLimitExceeded)
    assert th.steps <= 5_000
    last_first, last_count, _, _ = b.charges[-1]
    assert last_first + last_count - 1 == th.steps  # nothing delivered past the limit
    # the limit is detected at the same step as without an observer
    plain, err0, _ = run(LOOPING, max_steps=5_000)
    assert isinstance(err0, starlite.StepLimitExceeded) and plain.steps == th.steps


def test_on_steps_observer_does_not_delay_timeout_or_cancel() -> None:
    b = Batches()
    th, err, _ = run(LOOPING.replace("1000000", "100000000"), b, timeout=0.2)
    assert isinstance(err, starlite.Timeout)

    class CancelAt(Batches):
        def on_steps(self, first: int, count: int, site: StepSite, depth: int) -> None:
            super().on_steps(first, count, site, depth)
            if first > 1000:
                th2.cancel("enough")

    th2 = starlite.Thread(observers=[CancelAt()])
    with pytest.raises(starlite.Cancelled, match="enough"):
        starlite.exec_file(th2, "c.star", LOOPING)
    assert th2.steps < 1100


def test_raising_on_steps_is_isolated() -> None:
    class BoomBatches(starlite.Observer):
        wants_steps = True

        def __init__(self) -> None:
            self.calls = 0

        def on_steps(self, first: int, count: int, site: StepSite, depth: int) -> None:
            self.calls += 1
            if self.calls == 3:
                raise ValueError("batch bug")

    plain, g0, _ = run(PROGRAM)
    bad, witness = BoomBatches(), Batches()
    th, g, out = run(PROGRAM, bad, witness)
    assert isinstance(g, dict) and isinstance(g0, dict) and g["result"] == g0["result"]
    assert th.steps == plain.steps
    reports = [line for line in out if "observer" in line]
    assert len(reports) == 1 and "BoomBatches.on_steps" in reports[0]
    assert "ValueError: batch bug" in reports[0]
    assert bad.calls == 3 and bad not in th.step_observers
    assert sum(count for _, count, _, _ in witness.charges) == th.steps


def test_detaching_the_last_step_observer_restores_the_fast_bound() -> None:
    b = Batches()
    th = starlite.Thread(observers=[b], max_steps=10_000)
    assert th.bound == -1  # every charge reaches the observer
    th.remove_observer(b)
    assert th.bound == 10_000
    starlite.exec_file(th, "p.star", "x = 1\n")
    assert not b.charges
