"""The gateway's stdio transport: loop-native pipes where stdin/stdout are pipes (what an MCP
client starts it with; the e2e tests drive that path), the SDK's own transport otherwise, and in
both cases the wire kept clear of stray output."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

pytest.importorskip("mcp")

from tests.codemode_support import (  # noqa: E402
    ROOT,
    START_TIMEOUT,
    backend_flag,
    env_with_root,
    gateway_argv,
)

META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


def _request(id: int, method: str, params: dict) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": id, "method": method,
                       "params": {**params, "_meta": META}}) + "\n"


def test_stdout_to_a_regular_file_uses_the_sdk_transport(tmp_path) -> None:
    # The event loop cannot watch a regular file: the gateway must still serve through it.
    out = tmp_path / "replies.jsonl"
    with out.open("wb") as stdout:
        proc = subprocess.Popen(
            gateway_argv("--backend", backend_flag("main", "main")), stdin=subprocess.PIPE,
            stdout=stdout, stderr=subprocess.DEVNULL, cwd=ROOT, env=env_with_root(),
        )
    assert proc.stdin is not None
    try:
        proc.stdin.write(_request(1, "server/discover", {}).encode())
        proc.stdin.write(_request(2, "tools/call", {
            "name": "execute_tool_script", "arguments": {"script": "return add(a=2, b=3)"}},
        ).encode())
        proc.stdin.flush()
        deadline = time.monotonic() + START_TIMEOUT
        replies: dict[int, dict] = {}
        while 2 not in replies and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            text = out.read_text()
            complete = text[:text.rfind("\n") + 1]
            replies = {m["id"]: m for m in map(json.loads, complete.splitlines())}
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    result = replies[2]["result"]
    assert result["isError"] is False
    assert result["structuredContent"]["value"] == {"result": 5}


PIPE_PROGRAM = textwrap.dedent("""
    import asyncio, os, sys
    from codemode.stdio import pipe_stdio

    async def main():
        async with pipe_stdio() as (reader, writer):
            print("stray print", flush=True)  # must not reach the wire
            os.write(1, b"stray write\\n")
            async for line in reader:
                await writer.write("echo " + line)
                await writer.flush()
        print("after", flush=True)  # stdout is the wire again

    asyncio.run(main())
""")


def test_pipes_keep_stray_output_off_the_wire() -> None:
    lines = "".join(f"line {i} é\n" for i in range(3)) + "x" * 200_000 + "\n"
    proc = subprocess.run(
        [sys.executable, "-c", PIPE_PROGRAM], input=lines.encode(), capture_output=True,
        cwd=ROOT, env=env_with_root(), timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode().splitlines()
    assert out[:3] == [f"echo line {i} é" for i in range(3)]
    assert out[3] == "echo " + "x" * 200_000
    assert out[4:] == ["after"]
    err = proc.stderr.decode()
    assert "stray print" in err and "stray write" in err
