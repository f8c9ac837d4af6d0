"""Tests of the tool-script engine (``starlite.engine``): statuses, names, data, tools,
``parallel()``, limits, timeouts, async tools, concurrency and observer events."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import hashlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from starlite.engine import Engine, ExecutionResult, Tool, sanitize_name
from starlite.observe import ExecEnd, ExecStart, Observer, ParallelEvent, ToolEnd, ToolStart

# ---- helpers -------------------------------------------------------------------------------


def add(a: int, b: int) -> int:
    return a + b


def echo(**kwargs: Any) -> Any:
    return kwargs


def sleep(s: float) -> float:
    time.sleep(s)
    return s


async def asleep(s: float) -> float:
    await asyncio.sleep(s)
    return s


def boom(reason: str = "bad") -> None:
    raise ValueError(reason)


ISSUES_SCHEMA = {
    "type": "object",
    "properties": {
        "owner": {"type": "string", "description": "the repository owner"},
        "repo": {"type": "string"},
        "state": {"type": "string", "enum": ["open", "closed"]},
    },
    "required": ["owner", "repo"],
}


def list_issues(owner: str, repo: str, state: str = "open") -> list[dict[str, Any]]:
    return [{"id": i, "title": f"{owner}/{repo} #{i}", "state": state} for i in range(3)]


def make_engine(**kw: Any) -> Engine:
    tools = [
        Tool("add", "Add two numbers.", add),
        Tool("echo", "Return the arguments.", echo),
        Tool("sleep", "Sleep s seconds.", sleep),
        Tool("asleep", "Sleep s seconds (async).", asleep),
        Tool("boom", "Always fails.", boom),
        Tool("list-issues", "List issues.", list_issues, input_schema=ISSUES_SCHEMA),
    ]
    kw.setdefault("timeout", 5.0)
    return Engine(kw.pop("tools", tools), **kw)


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    e = make_engine()
    yield e
    e.close()


# ---- results and statuses ------------------------------------------------------------------


def test_success_value_logs_and_hash(engine: Engine) -> None:
    script = 'x = add(a=1, b=2)\nprint("x is", x)\nreturn {"x": x, "t": (1, [2])}'
    r = engine.execute(script)
    assert r.status == "success", r.error
    assert r.value == {"x": 3, "t": (1, [2])}
    assert type(r.value) is dict and type(r.value["t"][1]) is list
    assert r.logs == ["x is 3"]
    assert r.error is None
    assert r.tool_calls == 1 and not r.parallel_used and r.parallel_tasks == 0
    assert r.steps > 0 and r.duration > 0
    assert r.script_hash == hashlib.sha256(script.encode()).hexdigest()
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.status = "error"  # type: ignore[misc]


def test_no_return_gives_none(engine: Engine) -> None:
    r = engine.execute("x = 1\nif x:\n    y = 2\n")
    assert (r.status, r.value) == ("success", None)


def test_top_level_control_and_reassign(engine: Engine) -> None:
    r = engine.execute(
        "total = 0\nfor i in range(5):\n    total += i\nif total > 5:\n    return total\nreturn -1"
    )
    assert (r.status, r.value) == ("success", 10)


@pytest.mark.parametrize(
    ("script", "fragment"),
    [
        ('fail("oops")', "oops"),
        ("x = (", "script.star:1:"),  # syntax error
        ("return undefined_name", "undefined"),  # resolve error
        ("return 1 + 'a'", "script.star:1:"),
        ('fail("Starlark computation cancelled: too many steps")', "too many steps"),
        ('fail("timeout")', "timeout"),
    ],
)
def test_error_status(engine: Engine, script: str, fragment: str) -> None:
    r = engine.execute(script)
    # the status comes from the failure's class, never from its message
    assert r.status == "error"
    assert r.error is not None and fragment in r.error
    assert r.value is None


def test_step_limit_status() -> None:
    e = make_engine(step_limit=1000)
    r = e.execute("x = 0\nfor i in range(100000):\n    x += i\nreturn x")
    assert r.status == "step_limit"
    assert "too many steps" in (r.error or "")
    assert r.steps <= 1000


def test_timeout_status_cpu_bound() -> None:
    e = make_engine(step_limit=10**12, timeout=0.3)
    t = time.perf_counter()
    r = e.execute("x = 0\nfor i in range(10000000000):\n    x += i\n")
    assert r.status == "timeout"
    assert time.perf_counter() - t < 0.5


def test_timeout_while_tool_blocked() -> None:
    e = make_engine(timeout=0.5, tool_call_timeout=30)
    t = time.perf_counter()
    r = e.execute("sleep(s=5)\nreturn 1")
    elapsed = time.perf_counter() - t
    assert r.status == "timeout", r.error
    assert elapsed < 0.7
    assert r.value is None and r.tool_calls == 1


def test_timeout_while_tool_blocked_in_parallel() -> None:
    e = make_engine(timeout=0.4, tool_call_timeout=30)
    t = time.perf_counter()
    r = e.execute("return parallel([lambda: sleep(s=5), lambda: asleep(s=5), lambda: 1])")
    assert r.status == "timeout"
    assert time.perf_counter() - t < 0.6


def test_tool_call_timeout_sync() -> None:
    e = make_engine(timeout=5, tool_call_timeout=0.3)
    t = time.perf_counter()
    r = e.execute("sleep(s=3)")
    assert r.status == "error"
    assert "tool sleep timed out" in (r.error or "")
    assert time.perf_counter() - t < 0.6


def test_tool_call_timeout_async() -> None:
    e = make_engine(timeout=5, tool_call_timeout=0.3)
    t = time.perf_counter()
    r = e.execute("asleep(s=3)")
    assert r.status == "error"
    assert "script.star:1:7: tool asleep timed out" in (r.error or "")
    assert time.perf_counter() - t < 0.6
    e.close()


def test_tool_returning_late_is_an_error() -> None:
    # slower than tool_call_timeout but faster than the waiter's next look
    e = make_engine(timeout=5, tool_call_timeout=0.01)
    r = e.execute("sleep(s=0.03)")
    assert r.status == "error" and "tool sleep timed out" in (r.error or "")


# ---- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ident"),
    [
        ("list-issues", "list_issues"),
        ("a.b c", "a_b_c"),
        ("2fa", "_2fa"),
        ("for", "for_"),
        ("import", "import_"),
        ("ok_name9", "ok_name9"),
        ("héllo", "h_llo"),
    ],
)
def test_sanitize_name(name: str, ident: str) -> None:
    assert sanitize_name(name) == ident


def test_sanitised_names_are_callable() -> None:
    e = Engine([Tool("get-user.v2", "", echo), Tool("3d", "", echo), Tool("if", "", echo)])
    r = e.execute("return [get_user_v2(a=1), _3d(b=2), if_(c=3)]")
    assert r.value == [{"a": 1}, {"b": 2}, {"c": 3}]


@pytest.mark.parametrize(
    "names",
    [
        ["a-b", "a_b"],  # two tools, one script name
        ["a.b", "a-b"],
        ["x", "x"],  # duplicate real names
        ["len"],  # a builtin
        ["print"],
        ["call_tool"],
        ["parallel"],
        ["call-tool"],
    ],
)
def test_name_clashes_refused(names: list[str]) -> None:
    with pytest.raises(ValueError):
        Engine([Tool(n, "", echo) for n in names])


def test_tool_may_take_a_module_name() -> None:
    e = Engine([Tool("json", "", echo)])
    assert e.execute("return json(x=1)").value == {"x": 1}
    e2 = Engine([])
    assert e2.execute('return json.encode({"a": [1]})').value == '{"a":[1]}'


def test_call_tool_by_real_name(engine: Engine) -> None:
    r = engine.execute('return call_tool("list-issues", owner="o", repo="r")[0]["title"]')
    assert (r.status, r.value, r.tool_calls) == ("success", "o/r #0", 1)


def test_call_tool_unknown_lists_tools(engine: Engine) -> None:
    r = engine.execute('call_tool("nope", x=1)')
    assert r.status == "error"
    assert "unknown tool 'nope'" in (r.error or "")
    assert "list-issues" in (r.error or "") and "add" in (r.error or "")


def test_tool_parameters_named_like_the_hosts_own() -> None:
    """``self`` and ``th`` are ordinary keyword arguments for a tool, by either route."""
    e = Engine([Tool("echo", "Echo its arguments.", lambda **kw: kw)])
    r = e.execute('return [call_tool("echo", self=1, th=2), echo(self=3, th=4)]')
    assert (r.status, r.value) == ("success", [{"self": 1, "th": 2}, {"self": 3, "th": 4}])


def test_call_tool_needs_a_name(engine: Engine) -> None:
    r = engine.execute("call_tool(owner=1)")
    assert r.status == "error" and "real name" in (r.error or "")


# ---- data, print, load ---------------------------------------------------------------------


def test_data_entries_are_globals(engine: Engine) -> None:
    r = engine.execute(
        "return [n * 2 for n in nums] + [cfg['k']]", data={"nums": [1, 2], "cfg": {"k": "v"}}
    )
    assert (r.status, r.value) == ("success", [2, 4, "v"])


@pytest.mark.parametrize(
    "name",
    [
        "add",
        "list_issues",
        "len",
        "print",
        "call_tool",
        "parallel",
        "json",
        "not an identifier",
        "for",
        "1x",
    ],
)
def test_data_shadowing_refused(engine: Engine, name: str) -> None:
    r = engine.execute("return 1", data={name: 1})
    assert r.status == "error"
    assert repr(name) in (r.error or "")


def test_data_unconvertible(engine: Engine) -> None:
    r = engine.execute("return 1", data={"x": object()})
    assert r.status == "error" and "'x'" in (r.error or "")


def test_print_goes_to_logs(engine: Engine) -> None:
    r = engine.execute('print("a")\nprint(1, [2], sep="-")\nparallel([lambda: print("in branch")])')
    assert r.logs == ["a", "1-[2]", "in branch"]


def test_load_refused(engine: Engine) -> None:
    r = engine.execute('load("lib.star", "x")\nreturn x')
    assert r.status == "error"
    assert "load is not available in tool scripts" in (r.error or "")


# ---- tool calls ----------------------------------------------------------------------------


def test_positional_arguments_name_parameters(engine: Engine) -> None:
    r = engine.execute('list_issues("o", "r")')
    assert r.status == "error"
    err = r.error or ""
    assert "keyword arguments only" in err and "owner, repo, state" in err
    r = engine.execute("add(1, 2)")
    assert "a, b" in (r.error or "")  # from the Python signature


def test_required_schema_arguments(engine: Engine) -> None:
    r = engine.execute('list_issues(owner="o")')
    assert r.status == "error" and "missing required argument repo" in (r.error or "")


def test_tool_exception_names_tool(engine: Engine) -> None:
    r = engine.execute('x = 1\nboom(reason="kaput")')
    assert r.status == "error"
    assert "tool boom failed: ValueError: kaput" in (r.error or "")
    assert (r.error or "").startswith("script.star:2:")


def test_tool_values_cross_as_plain_python() -> None:
    seen: list[Any] = []

    def inspect_args(**kw: Any) -> Any:
        seen.append(kw)
        return {"tuple": (1, 2), "set": {3}, "nested": [{"a": None}]}

    e = Engine([Tool("t", "", inspect_args)])
    r = e.execute(
        'v = t(l=[1, {"k": (2,)}], d={"x": True})\n'
        'return [type(v["tuple"]), type(v["nested"][0]), v["nested"][0]["a"]]'
    )
    assert r.status == "success", r.error
    assert seen == [{"l": [1, {"k": (2,)}], "d": {"x": True}}]
    assert type(seen[0]["l"]) is list and type(seen[0]["d"]) is dict
    assert r.value == ["tuple", "dict", None]


def test_tool_returning_unconvertible_value() -> None:
    e = Engine([Tool("bad", "", lambda: object())])
    r = e.execute("bad()")
    assert r.status == "error" and "tool bad returned" in (r.error or "")


def test_async_tool_under_execute() -> None:
    e = make_engine()
    r = e.execute("return [asleep(s=0.01), asleep(s=0.02)]")
    assert (r.status, r.value) == ("success", [0.01, 0.02])
    e.close()


# ---- parallel ------------------------------------------------------------------------------


def test_parallel_results_in_order(engine: Engine) -> None:
    r = engine.execute(
        "def job(i):\n    return lambda: [i, sleep(s=0.05 * (3 - i))]\n"
        "return parallel([job(i) for i in range(4)])"
    )
    assert r.status == "success", r.error
    assert [x[0] for x in r.value] == [0, 1, 2, 3]
    assert r.parallel_used and r.parallel_tasks == 4 and r.tool_calls == 4


def test_parallel_empty_and_bad_argument(engine: Engine) -> None:
    r = engine.execute("return parallel([])")
    assert (r.status, r.value, r.parallel_used) == ("success", [], True)
    r = engine.execute("return parallel(1)")
    assert r.status == "error" and "want a list of functions" in (r.error or "")


def test_parallel_concurrency() -> None:
    e = make_engine(parallel_max=4)
    t = time.perf_counter()
    r = e.execute("return parallel([lambda: sleep(s=0.3) for _ in range(4)])")
    assert r.status == "success", r.error
    assert time.perf_counter() - t < 0.6


def _concurrency_probe() -> tuple[Tool, list[int]]:
    lock = threading.Lock()
    state = {"now": 0}
    peaks: list[int] = []

    def probe() -> int:
        with lock:
            state["now"] += 1
            peaks.append(state["now"])
        time.sleep(0.03)
        with lock:
            state["now"] -= 1
        return 1

    return Tool("probe", "", probe), peaks


def test_parallel_max_respected() -> None:
    tool, peaks = _concurrency_probe()
    e = Engine([tool], parallel_max=2)
    r = e.execute("return parallel([probe for _ in range(8)])")
    assert (r.status, r.value) == ("success", [1] * 8)
    assert max(peaks) == 2


def test_nested_parallel_respects_parallel_max() -> None:
    tool, peaks = _concurrency_probe()
    e = Engine([tool], parallel_max=3)
    r = e.execute(
        "def inner():\n    return parallel([probe, probe, probe])\n"
        "return parallel([inner, inner, inner])"
    )
    assert r.status == "success", r.error
    assert r.value == [[1, 1, 1]] * 3
    assert max(peaks) <= 3
    assert r.parallel_tasks == 12


def test_parallel_failure_names_task_and_cancels_others(engine: Engine) -> None:
    t = time.perf_counter()
    r = engine.execute(
        "def spin():\n    for i in range(100000000):\n        pass\n"
        'return parallel([lambda: 1, lambda: boom(reason="x"), spin])'
    )
    assert r.status == "error"
    assert "parallel: task 1 failed:" in (r.error or "")
    assert "tool boom failed: ValueError: x" in (r.error or "")
    assert time.perf_counter() - t < 1.0  # the spinning task was cancelled


def test_parallel_steps_counted_in_parent(engine: Engine) -> None:
    body = "def f():\n    n = 0\n    for i in range(200):\n        n += i\n    return n\n"
    one = engine.execute(body + "return f()")
    par = engine.execute(body + "return parallel([f, f, f])")
    assert par.status == "success"
    assert par.steps >= 3 * (one.steps - 5)


def test_shared_step_budget() -> None:
    e = make_engine(step_limit=5000, parallel_max=4)
    r = e.execute(
        "def spin():\n    n = 0\n    for i in range(1000000):\n        n += i\n    return n\n"
        "return parallel([spin, spin, spin, spin])"
    )
    assert r.status == "step_limit", r.error
    assert r.steps <= 5000
    assert "parallel: task" in (r.error or "") and "too many steps" in (r.error or "")


def test_shared_step_budget_fits_exactly() -> None:
    # branches that fit the budget together succeed, with every step counted
    body = "def f():\n    n = 0\n    for i in range(300):\n        n += i\n    return n\n"
    script = body + "return parallel([f, f, f, f])"
    probe = make_engine(step_limit=10**9).execute(script)
    assert probe.status == "success"
    ok = make_engine(step_limit=probe.steps).execute(script)
    assert (ok.status, ok.steps) == ("success", probe.steps)
    short = make_engine(step_limit=probe.steps - 1).execute(script)
    assert short.status == "step_limit" and short.steps < probe.steps


# ---- async and concurrency -----------------------------------------------------------------


def test_aexecute_async_tools_and_responsive_loop() -> None:
    e = make_engine()

    async def main() -> tuple[ExecutionResult, int, float]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        t = time.perf_counter()
        r = await e.aexecute(
            "x = 0\nfor i in range(20000):\n    x += i\n"
            "return parallel([lambda: asleep(s=0.2), lambda: asleep(s=0.2), "
            "lambda: sleep(s=0.2)]) + [x]"
        )
        elapsed = time.perf_counter() - t
        task.cancel()
        return r, ticks, elapsed

    r, ticks, elapsed = asyncio.run(main())
    assert r.status == "success", r.error
    assert r.value == [0.2, 0.2, 0.2, sum(range(20000))]
    assert elapsed < 0.4
    assert ticks >= 10  # the loop kept running while the script ran


def test_aexecute_timeout() -> None:
    e = make_engine(timeout=0.3)

    async def main() -> ExecutionResult:
        return await e.aexecute("asleep(s=5)")

    t = time.perf_counter()
    r = asyncio.run(main())
    assert r.status == "timeout"
    assert time.perf_counter() - t < 0.5


def test_many_scripts_concurrently() -> None:
    e = make_engine(step_limit=3000)
    script = (
        "n = 0\nfor i in range(count):\n    n += add(a=i, b=0)\n"
        "return parallel([lambda: n, lambda: count])"
    )
    results: dict[int, ExecutionResult] = {}

    def run(k: int) -> None:
        results[k] = e.execute(script, data={"count": 50 * k}, session_id=f"s{k}")

    threads = [threading.Thread(target=run, args=(k,)) for k in range(1, 13)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(1, 13):
        r = results[k]
        if r.status == "success":
            assert r.value == [sum(range(50 * k)), 50 * k]
            assert r.tool_calls == 50 * k
        else:  # the larger counts run out of their own 3000 steps
            assert r.status == "step_limit"
            assert r.steps <= 3000
    # limits and counters are per run
    assert results[1].status == "success" and results[12].status == "step_limit"
    assert results[2].steps > results[1].steps


# ---- observers -----------------------------------------------------------------------------

EXEC_VAR: contextvars.ContextVar[str] = contextvars.ContextVar("exec_var", default="-")
TOOL_VAR: contextvars.ContextVar[str] = contextvars.ContextVar("tool_var", default="-")


class Recorder(Observer):
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.lock = threading.Lock()
        self.exec_var_at_tool_start: list[str] = []

    def _add(self, ev: Any) -> None:
        with self.lock:
            self.events.append(ev)

    def on_exec_start(self, event: ExecStart) -> None:
        self._add(event)

    def on_exec_end(self, event: ExecEnd) -> None:
        self._add(event)

    def on_tool_start(self, event: ToolStart) -> None:
        self._add(event)
        self.exec_var_at_tool_start.append(EXEC_VAR.get())

    def on_tool_end(self, event: ToolEnd) -> None:
        self._add(event)

    def on_parallel(self, event: ParallelEvent) -> None:
        self._add(event)

    @contextlib.contextmanager
    def _set(self, var: contextvars.ContextVar[str], value: str) -> Iterator[None]:
        token = var.set(value)
        try:
            yield
        finally:
            var.reset(token)

    def exec_context(self, event: ExecStart) -> Any:
        return self._set(EXEC_VAR, f"exec:{event.session_id}")

    def tool_context(self, event: ToolStart) -> Any:
        return self._set(TOOL_VAR, f"tool:{event.call_id}")

    def of(self, cls: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, cls)]


def test_observer_events_and_context_propagation() -> None:
    seen: list[tuple[str, str]] = []

    def ctx_probe() -> str:
        seen.append((EXEC_VAR.get(), TOOL_VAR.get()))
        return TOOL_VAR.get()

    async def actx_probe() -> str:
        seen.append((EXEC_VAR.get(), TOOL_VAR.get()))
        return TOOL_VAR.get()

    rec = Recorder()
    e = Engine(
        [Tool("probe", "", ctx_probe), Tool("aprobe", "", actx_probe), Tool("boom", "", boom)],
        observers=[rec],
    )
    script = "a = probe()\nb = parallel([probe, aprobe, probe])\nreturn [a] + b"
    r = e.execute(script, session_id="S1")
    assert r.status == "success", r.error
    # the tool context is current inside each tool, the exec context everywhere
    starts, ends = rec.of(ToolStart), rec.of(ToolEnd)
    ids = [s.call_id for s in starts]
    assert len(set(ids)) == 4  # unique, also across runs
    assert sorted(r.value) == sorted(f"tool:{i}" for i in ids)
    assert all(x == "exec:S1" for x, _ in seen) and len(seen) == 4
    assert rec.exec_var_at_tool_start == ["exec:S1"] * 4
    assert EXEC_VAR.get() == "-"  # exited after the run
    assert sorted(ids) == sorted(x.call_id for x in ends)
    for s in starts:
        end = next(x for x in ends if x.call_id == s.call_id)
        assert end.tool == s.tool and end.error is None and end.duration >= 0
        assert s.session_id == "S1" and s.args_size == 2  # len("{}")
        assert isinstance(s.context, contextvars.Context)
    assert [p.tasks for p in rec.of(ParallelEvent)] == [3]
    (start,) = rec.of(ExecStart)
    (end,) = rec.of(ExecEnd)
    assert rec.events[0] is start and rec.events[-1] is end
    assert (start.session_id, start.script_hash) == ("S1", r.script_hash)
    assert (end.outcome, end.session_id, end.script_hash) == ("success", "S1", r.script_hash)
    assert (end.tool_calls, end.parallel_used, end.parallel_tasks, end.steps) == (
        4,
        True,
        3,
        r.steps,
    )


def test_observer_tool_error_and_syntax_error_events() -> None:
    rec = Recorder()
    e = Engine([Tool("boom", "", boom)], observers=[rec])
    r = e.execute('boom(reason="z")')
    assert r.status == "error"
    (end,) = rec.of(ToolEnd)
    assert isinstance(end.error, Exception) and "tool boom failed" in str(end.error)
    assert rec.of(ExecEnd)[-1].outcome == "error"
    r = e.execute("x = (")
    assert r.status == "error"
    assert isinstance(rec.events[-2], ExecStart) and rec.events[-1].outcome == "error"
    assert rec.events[-1].error is not None


def test_failing_observer_does_not_change_result() -> None:
    class Bad(Observer):
        def on_tool_start(self, event: ToolStart) -> None:
            raise RuntimeError("observer bug")

        def tool_context(self, event: ToolStart) -> Any:
            raise RuntimeError("observer bug")

        def exec_context(self, event: ExecStart) -> Any:
            raise RuntimeError("observer bug")

    e = Engine([Tool("add", "", add)], observers=[Bad()])
    r = e.execute("return add(a=1, b=2)")
    assert (r.status, r.value) == ("success", 3)


# ---- description ---------------------------------------------------------------------------


def test_tool_description(engine: Engine) -> None:
    d = engine.tool_description()
    for needle in [
        "Starlark",
        "list_issues(owner: string, repo: string, state?: string)",
        "'list-issues'",
        "List issues.",
        "the repository owner",
        "add(a: int, b: int)",
        "call_tool(",
        "parallel(",
        "100000 steps",
        "5 s for the whole script",
        "30 s per tool call",
        "at most 10 at a time",
        "return",
    ]:
        assert needle in d, needle
