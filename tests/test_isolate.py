"""Tests of ``Engine(isolation="process")``: scripts in worker processes, tools in the host.

Warm pools are shared by the tests of this module (module fixtures): starting one costs a
few hundred milliseconds, a run on a warm one about a millisecond. Worker-side misbehaviour
(allocating without steps, dying, stopping, spinning outside the interpreter) comes from the
test-only builtins of ``tests/isolate_hooks.py``, which run inside the worker.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from starlite import Observer
from starlite.engine import Engine, ExecutionResult, Tool
from starlite.observe import CallEvent, ExecEnd, ExecStart, ReturnEvent, ToolEnd, ToolStart

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")

ROOT = Path(__file__).resolve().parent.parent
HOOKS = "tests.isolate_hooks:HOOKS"
TIMEOUT = 3.0


def add(a: int, b: int) -> int:
    return a + b


async def aadd(a: int, b: int) -> int:
    await asyncio.sleep(0.005)
    return a + b


def fail(why: str) -> None:
    raise ValueError(why)


def slow(seconds: float) -> str:
    time.sleep(seconds)
    return "late"


class Gauge:
    """How many calls of ``track`` run at once in the host, at most."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def track(self, seconds: float) -> int:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(seconds)
        with self.lock:
            self.now -= 1
        return 1


GAUGE = Gauge()


def gadget() -> Any:
    return threading.Lock()


def tools() -> list[Tool]:
    return [
        Tool("add", "Add two numbers.", add),
        Tool("aadd", "Add two numbers, asynchronously.", aadd),
        Tool("explode", "Raise.", fail),
        Tool("slow", "Sleep.", slow),
        Tool("gadget", "Return something that is not data.", gadget),
        Tool("track", "Count concurrent calls.", GAUGE.track),
        Tool("need", "Schema'd.", lambda **kw: kw,
             input_schema={"type": "object", "properties": {"x": {"type": "integer"}},
                           "required": ["x"], "additionalProperties": False}),
    ]


class Recorder(Observer):
    """Every event, per session id (the module engine's runs overlap across tests)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: dict[str | None, list[Any]] = {}
        self.session: contextvars.ContextVar[str | None] = contextvars.ContextVar("s")

    def _add(self, ev: Any, session: str | None = None) -> None:
        sid = session if session is not None else self.session.get(None)
        with self.lock:
            self.events.setdefault(sid, []).append(ev)

    def on_exec_start(self, event: ExecStart) -> None:
        self.session.set(event.session_id)
        self._add(event, event.session_id)

    def on_exec_end(self, event: ExecEnd) -> None:
        self._add(event, event.session_id)

    def on_call(self, event: CallEvent) -> None:
        self._add(event)

    def on_return(self, event: ReturnEvent) -> None:
        self._add(event)

    def on_tool_start(self, event: ToolStart) -> None:
        self._add(event, event.session_id)

    def on_tool_end(self, event: ToolEnd) -> None:
        self._add(event, event.session_id)

    def on_parallel(self, event: Any) -> None:
        self._add(event, event.session_id)


def make(isolation: str, **kw: Any) -> Engine:
    kw.setdefault("step_limit", 10_000)
    kw.setdefault("timeout", TIMEOUT)
    kw.setdefault("tool_call_timeout", 1.0)
    kw.setdefault("parallel_max", 3)
    eng = Engine(tools(), isolation=isolation, **kw)
    eng._worker_globals = HOOKS
    return eng


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def iso(recorder: Recorder) -> Iterator[Engine]:
    with make("process", workers=2, observers=[recorder]) as eng:
        eng.execute("return 1")  # warm
        yield eng


@pytest.fixture(scope="module")
def local(recorder: Recorder) -> Iterator[Engine]:
    with make("thread", observers=[recorder]) as eng:
        yield eng


@pytest.fixture(scope="module")
def unlimited() -> Iterator[Engine]:
    """No step limit, a short timeout, one worker: what only the kill can stop."""
    with make("process", step_limit=None, timeout=0.5, workers=1) as eng:
        yield eng


def same(r: ExecutionResult) -> dict[str, Any]:
    d = asdict(r)
    d.pop("duration")
    return d


def pids(eng: Engine) -> set[int]:
    return {p.process.pid for p in eng._pool.procs}


def wait_for_pool(eng: Engine, size: int, without: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    """Until the pool has ``size`` ready workers, none of them with a pid in ``without``."""
    end = time.monotonic() + 10
    while time.monotonic() < end:
        with eng._pool.cond:
            procs = list(eng._pool.procs)
        if (len(procs) == size and all(p.ready for p in procs)
                and not {p.process.pid for p in procs} & without):
            return
        time.sleep(0.01)
    raise AssertionError("the pool was not refilled")


def reaped(pid: int) -> bool:
    """No process with this pid is left, not even a zombie."""
    return not os.path.exists(f"/proc/{pid}")


# ---- the same results as in-process ---------------------------------------------------------

SCRIPTS = [
    "return 1 + 2",
    'print("hello", 7)\nprint("again")\nreturn {"a": [1, 2.5, None, True], "b": (1, "x")}',
    "return add(a=1, b=2) + aadd(a=3, b=4) + call_tool(\"add\", a=5, b=6)",
    "def f(n):\n    return add(a=n, b=n)\nreturn parallel([lambda i=i: f(i) for i in range(6)])",
    "return parallel([lambda: parallel([lambda: aadd(a=1, b=1), lambda: 2]), lambda: 3])",
    "x = 1\nreturn x +",
    "return undefined_name",
    "return 1 // 0",
    'explode(why="boom")',
    "add(1, 2)",
    "need()",
    "need(x=1, y=2)",
    "return len(data_list) + data_n",
    "for i in range(100000):\n    pass",
    "return parallel([lambda: [i for i in range(100000)]])",
    "load('x.star', 'y')",
    "return struct(a=1)",
    "return json.encode({'k': [1, 2]})",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_results_match_in_process(iso: Engine, local: Engine, script: str) -> None:
    data = {"data_list": [1, 2, 3], "data_n": 10}
    a = iso.execute(script, data=data)
    b = local.execute(script, data=data)
    assert same(a) == same(b)


def test_data_errors_match(iso: Engine, local: Engine) -> None:
    for data in ({"len": 1}, {"not an identifier": 1}, {"x": object()}):
        a, b = iso.execute("return 1", data=data), local.execute("return 1", data=data)
        assert a.status == b.status == "error"
        if "x" not in data:
            assert a.error == b.error
    # an object to_starlark refuses and pickle cannot send: a clear error either way
    assert "cannot be sent" in (iso.execute("return 1", data={"x": threading.Lock()}).error or "")


def test_untransferable_values_are_clear_errors(iso: Engine) -> None:
    r = iso.execute("def f():\n    pass\nreturn f")
    assert r.status == "error" and "return value cannot be sent" in (r.error or "")
    r = iso.execute("def g():\n    pass\nreturn add(a=g, b=1)")
    assert r.status == "error"
    assert r.error is not None and r.error.startswith("script.star:3:11: tool add: its arguments")
    r = iso.execute("return gadget()")
    assert r.status == "error" and "tool gadget returned a value" in (r.error or "")
    assert iso.execute("return 5").value == 5


def test_parallel_max_holds_for_host_tools(iso: Engine) -> None:
    GAUGE.peak = 0
    r = iso.execute("return len(parallel([lambda: track(seconds=0.05) for i in range(9)]))")
    assert r.ok and r.value == 9, r.error
    assert r.parallel_tasks == 9 and r.tool_calls == 9
    assert 2 <= GAUGE.peak <= 3


def test_tool_call_timeout(iso: Engine, local: Engine) -> None:
    wait_for_pool(iso, 2)
    before = pids(iso)
    a = iso.execute("return slow(seconds=1.6)")
    b = local.execute("return slow(seconds=1.6)")
    assert a.status == b.status == "error"
    assert a.error == b.error
    assert "tool slow timed out" in (a.error or "")
    assert a.duration < 1.5
    assert iso.execute("return add(a=1, b=1)").value == 2
    time.sleep(0.4)
    assert pids(iso) == before  # the worker stopped waiting for the tool and was kept


def test_observer_events_match_in_process(
    iso: Engine, local: Engine, recorder: Recorder
) -> None:
    script = (
        "def double(n):\n    return add(a=n, b=n)\n"
        "def safe(n):\n    return double(n) + 1\n"
        "x = [safe(i) for i in range(3)]\n"
        "y = parallel([lambda: 1])\n"
        "return x + y\n"
    )
    shapes = []
    for eng, sid in ((iso, "obs-iso"), (local, "obs-local")):
        r = eng.execute(script, session_id=sid)
        assert r.ok, r.error
        evs = recorder.events[sid]
        shape = []
        for ev in evs:
            fields = (ev.kind,)
            if isinstance(ev, (CallEvent, ReturnEvent)):
                fields += (ev.function, ev.depth)
            if isinstance(ev, (ToolStart, ToolEnd)):
                fields += (ev.tool,)
            if isinstance(ev, ExecEnd):
                fields += (ev.outcome, ev.steps, ev.tool_calls, ev.parallel_used)
            shape.append(fields)
        shapes.append(shape)
    assert shapes[0] == shapes[1]
    kinds = {s[0] for s in shapes[0]}
    assert kinds >= {"exec_start", "call", "return", "tool_start", "tool_end", "parallel",
                     "exec_end"}


def test_failed_call_event_carries_the_error(iso: Engine, recorder: Recorder) -> None:
    r = iso.execute("def f():\n    return 1 // 0\nf()", session_id="ret-err")
    assert r.status == "error"
    rets = [e for e in recorder.events["ret-err"] if isinstance(e, ReturnEvent)]
    assert len(rets) == 1 and "division by zero" in str(rets[0].error)


# ---- what only a separate process can stop --------------------------------------------------


def test_memory_bomb_is_stopped_by_the_memory_limit(iso: Engine) -> None:
    before = pids(iso)
    r = iso.execute("n = hog(100000)\nreturn n")  # 100 GB of address space, no steps
    assert r.status == "error"
    assert r.error is not None and "memory limit exceeded" in r.error
    assert r.error.startswith("script.star:1:8: ")  # the call of hog
    # the worker that ran it is replaced (and reaped)
    end = time.monotonic() + 10
    while pids(iso) == before and time.monotonic() < end:
        time.sleep(0.01)
    gone = before - pids(iso)
    assert len(gone) == 1
    wait_for_pool(iso, 2, without=gone)
    assert all(reaped(p) for p in gone)
    assert iso.execute("return add(a=2, b=3)").value == 5


def test_loop_without_step_limit_stops_at_timeout(unlimited: Engine) -> None:
    t0 = time.monotonic()
    r = unlimited.execute("n = 0\nfor i in range(1 << 62):\n    n += 1")
    assert r.status == "timeout"
    assert time.monotonic() - t0 < 1.5
    assert unlimited.execute("return 2").value == 2


def test_stuck_worker_is_killed_at_timeout(unlimited: Engine) -> None:
    wait_for_pool(unlimited, 1)
    (pid,) = pids(unlimited)
    t0 = time.monotonic()
    r = unlimited.execute('print("before")\nfreeze()\nreturn 1')
    took = time.monotonic() - t0
    assert r.status == "timeout", r
    assert r.error == "the script timed out after 0.5 s"
    assert r.logs == ["before"]
    assert 0.5 <= took < 1.5
    wait_for_pool(unlimited, 1, without={pid})
    assert pid not in pids(unlimited) and reaped(pid)
    assert unlimited.execute("return 3").value == 3


def test_spinning_worker_reports_timeout_and_is_replaced(unlimited: Engine) -> None:
    wait_for_pool(unlimited, 1)
    (pid,) = pids(unlimited)
    r = unlimited.execute("spin(30)")
    assert r.status == "timeout"
    wait_for_pool(unlimited, 1, without={pid})
    assert pid not in pids(unlimited) and reaped(pid)
    assert unlimited.execute("return 4").value == 4


def test_worker_crash_is_reported_and_the_next_run_succeeds(iso: Engine) -> None:
    wait_for_pool(iso, 2)
    before = pids(iso)
    r = iso.execute('print("x")\ncrash(3)')
    assert r.status == "error"
    assert r.error == ("the isolated worker process exited unexpectedly (exit status 3) and "
                       "was replaced")
    assert r.logs == ["x"]
    r2 = iso.execute("return add(a=1, b=1)")
    assert r2.ok and r2.value == 2
    end = time.monotonic() + 10
    while pids(iso) == before and time.monotonic() < end:
        time.sleep(0.01)
    gone = before - pids(iso)
    assert len(gone) == 1
    wait_for_pool(iso, 2, without=gone)
    assert all(reaped(p) for p in gone)


def test_fatal_signal_under_the_memory_limit_is_reported_as_memory(iso: Engine) -> None:
    r = iso.execute("abort()")
    assert r.status == "error"
    assert r.error == (
        "memory limit exceeded: the isolated worker process died of SIGABRT under its memory "
        f"limit of {1 << 30} bytes and was replaced")
    assert iso.execute("return 8").value == 8


def test_workers_end_with_the_program(tmp_path: Path) -> None:
    """No close(): at exit the workers are stopped and reaped."""
    code = (
        "from starlite.engine import Engine\n"
        "e = Engine(isolation='process', workers=2)\n"
        "assert e.execute('return 1').value == 1\n"
        "print(*sorted(p.process.pid for p in e._pool.procs))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    worker_pids = [int(x) for x in p.stdout.split()]
    assert len(worker_pids) == 2
    end = time.monotonic() + 5
    while not all(reaped(pid) for pid in worker_pids) and time.monotonic() < end:
        time.sleep(0.05)
    assert all(reaped(pid) for pid in worker_pids)


def test_crash_cancels_pending_coroutine_tools() -> None:
    cancelled = threading.Event()

    async def wait_long() -> str:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    eng = Engine([Tool("wait-long", "", wait_long)], isolation="process", workers=1,
                 tool_call_timeout=60, timeout=60)
    eng._worker_globals = HOOKS
    with eng:
        r = eng.execute("parallel([lambda: wait_long(), lambda: [nap(0.3), crash(5)]])")
        assert r.status == "error" and "exit status 5" in (r.error or "")
        assert cancelled.wait(5)


def test_crash_while_tools_run_leaves_nothing_hanging(iso: Engine) -> None:
    # A branch crashes the worker while another waits for a slow host tool.
    t0 = time.monotonic()
    r = iso.execute("parallel([lambda: slow(seconds=0.3), lambda: crash(4)])")
    assert r.status == "error" and "exit status 4" in (r.error or "")
    assert time.monotonic() - t0 < 1.0
    assert iso.execute("return 6").value == 6


def test_cpu_limit() -> None:
    # 1 to 2 s of CPU time (RLIMIT_CPU counts whole seconds); the wall time that takes
    # depends on the machine's load, hence the generous wall-clock timeout.
    with make("process", workers=1, timeout=120, cpu_limit=1) as eng:
        r = eng.execute("spin(240)")
        assert r.status == "timeout"
        assert r.error == "the script exceeded its CPU time limit of 1 s"
        assert eng.execute("return 1").value == 1


# ---- concurrency and lifetime ------------------------------------------------------------


def test_fifty_concurrent_executions(iso: Engine) -> None:
    script = "return [aadd(a=n, b=1), add(a=n, b=n), parallel([lambda: n * 3])[0]]"

    async def main() -> list[ExecutionResult]:
        return await asyncio.gather(
            *(iso.aexecute(script, data={"n": i}, session_id=f"c{i}") for i in range(30)))

    out: dict[int, ExecutionResult] = {}

    def worker(i: int) -> None:
        out[i] = iso.execute(script, data={"n": i})

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(30, 50)]
    for t in threads:
        t.start()
    results = asyncio.run(main())
    for t in threads:
        t.join()
    for i, r in enumerate(results):
        out[i] = r
    assert len(out) == 50
    for i, r in out.items():
        assert r.ok, r.error
        assert r.value == [i + 1, 2 * i, 3 * i]
        assert r.tool_calls == 2 and r.parallel_tasks == 1


def test_cancelled_aexecute_frees_the_worker(iso: Engine) -> None:
    wait_for_pool(iso, 2)
    before = pids(iso)

    async def main() -> None:
        task = asyncio.ensure_future(iso.aexecute("slow(seconds=0.4)"))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    results = [iso.execute("return 7") for _ in range(4)]
    assert all(r.value == 7 for r in results)
    time.sleep(0.3)
    assert pids(iso) == before  # cancelled, not killed


def test_close_ends_runs_and_reaps_workers() -> None:
    eng = make("process", workers=1, step_limit=None, timeout=30)
    assert eng.execute("return 1").value == 1
    (pid,) = pids(eng)
    out: list[ExecutionResult] = []
    t = threading.Thread(target=lambda: out.append(eng.execute("spin(30)")))
    t.start()
    time.sleep(0.2)
    eng.close()
    t.join(timeout=5)
    assert not t.is_alive()
    assert out[0].status == "error" and "the engine was closed" in (out[0].error or "")
    assert reaped(pid)
    assert eng.execute("return 2").value == 2  # a closed engine starts new workers
    eng.close()


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="isolation"):
        Engine(isolation="vm")
    with pytest.raises(ValueError, match="memory_limit"):
        Engine(isolation="process", memory_limit=0)
    with pytest.raises(ValueError, match="cpu_limit"):
        Engine(isolation="process", cpu_limit=0)
    with pytest.raises(ValueError, match="workers"):
        Engine(isolation="process", workers=0)


# ---- telemetry ---------------------------------------------------------------------------


def test_tool_spans_are_children_of_the_execution_span() -> None:
    from telemetry import ScriptTelemetry

    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    obs = ScriptTelemetry(tracer_provider=tp)
    with Engine(tools(), observers=[obs], isolation="process", workers=1) as eng:
        r = eng.execute(
            "a = add(a=1, b=2)\nb = parallel([lambda: aadd(a=1, b=1), lambda: add(a=0, b=0)])\n"
            "return [a, b]", session_id="tele")
    assert r.ok, r.error
    tp.shutdown()
    spans = list(exporter.get_finished_spans())
    (root,) = [s for s in spans if s.name == "execute_tool_script"]
    tool_spans = [s for s in spans if s.name.startswith("execute_tool ")]
    assert sorted(s.name for s in tool_spans) == [
        "execute_tool aadd", "execute_tool add", "execute_tool add"]
    for s in tool_spans:
        assert s.parent is not None and s.parent.span_id == root.context.span_id
    assert root.attributes is not None
    assert root.attributes["script.tool_count"] == 3
    assert root.attributes["script.parallel_used"] is True


# ---- the command line --------------------------------------------------------------------


def run_cli(*args: str, tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    f = tmp_path / "s.star"
    f.write_text(source)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "starlite", "run", *args, str(f)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def test_cli_isolate(tmp_path: Path) -> None:
    p = run_cli("--isolate", "--memory-limit", "1G", tmp_path=tmp_path,
                source='def f(n):\n    return n * 2\nprint("out", f(21))\n')
    assert p.returncode == 0, p.stderr
    assert p.stdout == "out 42\n"
    p = run_cli("--isolate", "--max-steps", "1000", tmp_path=tmp_path,
                source="def f():\n    x = 0\n    for i in range(100000):\n        x += i\nf()\n")
    assert p.returncode == 1
    assert p.stderr.startswith("Traceback (most recent call last):\n")
    assert "s.star:5:2: in <toplevel>" in p.stderr
    assert p.stderr.endswith("Error: Starlark computation cancelled: too many steps\n")
    p = run_cli("--isolate", "--memory-limit", "lots", tmp_path=tmp_path, source="")
    assert p.returncode == 2 and "memory" in p.stderr
