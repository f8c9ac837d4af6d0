"""codemode end to end: the gateway as a subprocess over real backend MCP servers (also
subprocesses, written with the mcp SDK), driven by the SDK's own client, over stdio and over
streamable HTTP. One gateway per transport serves every test of this module."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator

import pytest

pytest.importorskip("mcp")

from codemode.cli import main  # noqa: E402
from tests.codemode_support import (  # noqa: E402
    Driver,
    Process,
    backend_flag,
    connect,
    free_port,
    gateway_argv,
    http_gateway,
    stdio_gateway,
)

GATEWAY_ARGS = (
    "--backend", backend_flag("main", "main"),
    "--backend", backend_flag("fragile", "fragile"),
    "--backend", backend_flag("doomed", "fragile"),
    "--timeout", "3",
    "--tool-call-timeout", "60",
    "--step-limit", "5000",
    "--max-script-bytes", "2000",
)


@pytest.fixture(scope="module", params=["stdio", "http"])
def gw(request: pytest.FixtureRequest) -> Iterator[tuple[str, Driver]]:
    if request.param == "stdio":
        # the handshake-era protocol, as desktop clients speak it (the benchmark, the example
        # and the telemetry tests use the SDK's default, the 2026 protocol)
        with connect(stdio_gateway(*GATEWAY_ARGS), mode="legacy") as d:
            yield "stdio", d
    else:
        # the HTTP gateway also serves its metrics and writes JSON logs (see the tests below)
        args = (*GATEWAY_ARGS, "--prometheus", "127.0.0.1:0", "--log-json")
        with http_gateway(*args) as (proc, url), connect(url, mode="legacy") as d:
            HTTP_PROCESS.append((proc, url))
            yield "http", d
            HTTP_PROCESS.clear()


HTTP_PROCESS: list[tuple[Process, str]] = []


def test_list_tools(gw: tuple[str, Driver]) -> None:
    _, d = gw
    tools = {t.name: t for t in d.list_tools()}
    # echo and crash exist in several backends: prefixed; fail is a Starlark builtin: prefixed
    assert set(tools) == {
        "execute_tool_script", "add", "lookup", "slow", "traceparent", "main_fail", "get-self",
        "main_echo", "fragile_echo", "doomed_echo", "fragile_crash", "doomed_crash",
    }
    script_tool = tools["execute_tool_script"]
    assert script_tool.input_schema["required"] == ["script"]
    desc = script_tool.description or ""
    assert "add(a: integer, b: integer)" in desc and "Returns: {result: integer}" in desc
    assert "main_echo(text: string)" in desc and "5000 steps" in desc
    assert tools["add"].input_schema["required"] == ["a", "b"]


def test_sequential_and_parallel(gw: tuple[str, Driver]) -> None:
    _, d = gw
    err, r = d.script(
        'a = add(a=2, b=3)["result"]\n'
        "info = lookup(key='abc')\n"
        "both = parallel([lambda: add(a=a, b=10), lambda: main_echo(text=info['upper'])])\n"
        'print("sum", a)\n'
        'return {"a": a, "info": info, "both": both}\n'
    )
    assert not err, r
    assert r["status"] == "success"
    assert r["value"] == {
        "a": 5,
        "info": {"key": "abc", "length": 3, "upper": "ABC"},
        "both": [{"result": 15}, {"result": "ABC"}],
    }
    assert r["logs"] == ["sum 5"]
    assert r["tool_calls"] == 4 and r["parallel_used"] and r["parallel_tasks"] == 2
    assert r["steps"] > 0 and len(r["script_hash"]) == 64


def test_values_without_a_json_form(gw: tuple[str, Driver]) -> None:
    _, d = gw
    err, r = d.script('return {"f": [float("inf"), 1.5, float("nan")], "s": set([3, 1]), '
                      '"t": (1, "a"), "k": {1: "one", None: 0}, "b": b"hi", "r": range(2)}')
    assert not err, r
    assert r["value"] == {"f": [None, 1.5, None], "s": [1, 3], "t": [1, "a"],
                          "k": {"1": "one", "null": 0}, "b": "hi", "r": "range(0, 2)"}


def test_data_and_call_tool(gw: tuple[str, Driver]) -> None:
    _, d = gw
    err, r = d.script('return call_tool("main_echo", text=word * n)', {"word": "ab", "n": 3})
    assert not err and r["value"] == {"result": "ababab"}


def test_kebab_case_tool_with_a_parameter_named_self(gw: tuple[str, Driver]) -> None:
    _, d = gw
    err, r = d.script('return get_self(self="ab", limit=3)')
    assert not err and r["value"] == {"result": "ababab"}
    assert "get_self(self: string, limit?: integer)    [tool 'get-self']" in (
        d.list_tools()[0].description or "")


def test_status_error(gw: tuple[str, Driver]) -> None:
    _, d = gw
    err, r = d.script('x = add(a=1, b=2)\nreturn {}["missing"]')
    assert err and r["status"] == "error" and r["tool_calls"] == 1
    assert re.match(r"script\.star:2:\d+: .*missing", r["error"]), r["error"]


def test_status_timeout(gw: tuple[str, Driver]) -> None:
    _, d = gw
    t0 = time.monotonic()
    err, r = d.script("return slow(seconds=60)")
    assert err and r["status"] == "timeout", r
    assert "timed out after 3 s" in r["error"]
    assert time.monotonic() - t0 < 30  # the gateway did not wait for the backend
    err, r = d.script("return add(a=1, b=1)")  # still serving, the backend too
    assert not err and r["value"] == {"result": 2}


def test_status_step_limit(gw: tuple[str, Driver]) -> None:
    _, d = gw
    err, r = d.script("n = 0\nfor i in range(1000000):\n    n += i\nreturn n")
    assert err and r["status"] == "step_limit"
    assert "too many steps" in r["error"]


def test_backend_tool_is_error(gw: tuple[str, Driver]) -> None:
    _, d = gw
    err, r = d.script('x = add(a=1, b=2)\nreturn main_fail(message="the disk is full")')
    assert err and r["status"] == "error"
    assert re.match(r"script\.star:2:\d+: tool main_fail failed: .*the disk is full", r["error"])
    # passed through, the isError result is the backend's own
    direct = d.call("main_fail", {"message": "nope"})
    assert direct.is_error and "nope" in direct.content[0].text


def test_passthrough(gw: tuple[str, Driver]) -> None:
    _, d = gw
    r = d.call("add", {"a": 20, "b": 22})
    assert not r.is_error and r.structured_content == {"result": 42}
    r = d.call("fragile_echo", {"text": "hi"})
    assert not r.is_error and r.structured_content == {"result": "fragile: hi"}
    r = d.call("no_such_tool", {})
    assert r.is_error and "unknown tool 'no_such_tool'" in r.content[0].text


def test_script_over_the_size_limit(gw: tuple[str, Driver]) -> None:
    _, d = gw
    script = "return (" + "1 + " * 600  # 2408 bytes, and no valid Starlark either
    err, r = d.script(script)
    assert err and r["status"] == "error" and r["steps"] == 0
    assert r["error"] == (
        "the script is 2408 bytes long, over the limit of 2000 bytes (max_script_bytes); "
        "it was not run"
    )
    err, r = d.script("return 1 + 1")
    assert not err and r["value"] == 2


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({}, "missing required argument 'script'"),
        ({"data": {"x": 1}}, "missing required argument 'script'"),
        ({"script": 7}, "argument 'script' must be a string, not a number"),
        ({"script": "return 1", "data": [1, 2]}, "argument 'data' must be an object, not an array"),
        ({"script": "return 1", "data": "x"}, "argument 'data' must be an object, not a string"),
        ({"script": "return 1", "extra": 1}, "unexpected argument 'extra'"),
    ],
)
def test_malformed_arguments(gw: tuple[str, Driver], arguments: dict, message: str) -> None:
    _, d = gw
    r = d.call("execute_tool_script", arguments)
    assert r.is_error
    assert r.content[0].text.startswith("execute_tool_script: ") and message in r.content[0].text
    err, res = d.script("return 'still here'")
    assert not err and res["value"] == "still here"


def test_bad_data_is_the_scripts_error(gw: tuple[str, Driver]) -> None:
    _, d = gw
    err, r = d.script("return 1", {"not a name": 1})
    assert err and r["status"] == "error" and "not a valid variable name" in r["error"]


def test_session_id(gw: tuple[str, Driver]) -> None:
    transport, d = gw
    _, r1 = d.script("return 1")
    _, r2 = d.script("return 2")
    if transport == "stdio":
        assert r1["session_id"] is None  # stdio has no session id: the process is the session
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", r1["session_id"] or ""), r1
        assert r2["session_id"] == r1["session_id"]


def test_backend_crash_mid_call(gw: tuple[str, Driver]) -> None:
    _, d = gw
    t0 = time.monotonic()
    err, r = d.script('x = doomed_echo(text="a")\nreturn doomed_crash()')
    assert err and r["status"] == "error" and r["tool_calls"] == 2
    assert "tool doomed_crash failed" in r["error"]
    assert "backend doomed closed the connection during the call to crash" in r["error"]
    assert time.monotonic() - t0 < 30
    # later calls to the dead backend fail at once, clearly; the others keep working
    err, r = d.script('return doomed_echo(text="b")')
    assert err and "backend doomed is not available" in r["error"]
    r = d.call("doomed_echo", {"text": "c"})
    assert r.is_error and "backend doomed is not available" in r.content[0].text
    err, r = d.script('return [fragile_echo(text="d"), add(a=1, b=2)]')
    assert not err and r["value"] == [{"result": "fragile: d"}, {"result": 3}]


# ---- start-up failures -------------------------------------------------------------------------


def _start_fails(*args: str) -> str:
    p = Process(gateway_argv(*args))
    p.proc.wait(timeout=120)
    code = p.stop()
    assert code == 1, (code, p.lines)
    return "\n".join(p.lines)


def test_backend_that_fails_to_start() -> None:
    out = _start_fails(
        "--backend", "missing=/nonexistent/mcp-server --flag",
        "--backend", "quits=sh -c 'exit 3'",
        "--backend", "mute=sh -c 'cat > /dev/null'",  # reads the handshake, never answers
        "--backend", f"web=http://127.0.0.1:{free_port()}/mcp",
        "--connect-timeout", "2",
    )
    assert "cannot start" in out
    assert re.search(r"backend missing \(stdio: /nonexistent/mcp-server --flag\) failed to start: "
                     r"FileNotFoundError", out), out
    assert re.search(r"backend quits \(stdio: .*\) failed to start: the connection closed", out)
    assert re.search(r"backend mute \(stdio: .*\) did not start within 2 s", out), out
    assert re.search(r"backend web \(http://127\.0\.0\.1:\d+/mcp\) failed to start: "
                     r"ConnectError", out), out


def test_bad_flags(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in (
        (["--backend", "x"], "want NAME=COMMAND ARGS... or NAME=URL"),
        ([], "no backends"),
        (["--backend", "a=cmd", "--http", "nowhere"], "want HOST:PORT"),
        (["--backend", "a=cmd", "--step-limit", "0"], "step_limit must be a positive number"),
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert message in capsys.readouterr().err


# ---- telemetry switches of the command (on the HTTP gateway) -----------------------------------


def _http_process(gw: tuple[str, Driver]) -> Process:
    if gw[0] != "http":
        pytest.skip("the HTTP gateway is the one started with --prometheus and --log-json")
    return HTTP_PROCESS[0][0]


def test_second_http_client_on_the_2026_protocol(gw: tuple[str, Driver]) -> None:
    _http_process(gw)
    with connect(HTTP_PROCESS[0][1]) as other:
        assert other.client.protocol_version >= "2026"
        err, r = other.script("return parallel([lambda: add(a=1, b=1), lambda: add(a=2, b=2)])")
        assert not err and r["value"] == [{"result": 2}, {"result": 4}]
        assert r["session_id"] is None  # the 2026 protocol has no sessions
    err, r = gw[1].script("return 'first client still served'")
    assert not err


def test_prometheus_scrape(gw: tuple[str, Driver]) -> None:
    proc = _http_process(gw)
    _, d = gw
    err, _ = d.script("return add(a=1, b=2)")
    assert not err
    url = proc.wait_for(r"serving Prometheus metrics on (http://127\.0\.0\.1:\d+/metrics)").group(1)
    with urllib.request.urlopen(url, timeout=30) as resp:
        body = resp.read().decode()
    m = re.search(r'^toolhive_vmcp_script_executions_total\{[^}]*status="success"[^}]*\} (\S+)$',
                  body, re.M)
    assert m and float(m.group(1)) >= 1, body
    for name in ("toolhive_vmcp_script_duration_seconds_bucket",
                 "toolhive_vmcp_script_tool_calls_bucket"):
        assert name in body


def test_json_logs(gw: tuple[str, Driver]) -> None:
    proc = _http_process(gw)
    _, d = gw
    err, r = d.script("return main_fail(message='for the log')")
    assert err
    line = proc.wait_for(f'(?=.*"script execution failed")(?=.*{r["script_hash"]})')
    rec = json.loads(line.string)["record"]
    assert rec["extra"]["script_hash"] == r["script_hash"]
    assert rec["extra"]["session_id"] == r["session_id"] and rec["extra"]["status"] == "error"
    assert "for the log" in rec["extra"]["error"]
    assert "main_fail(" not in line.string  # never the script text
