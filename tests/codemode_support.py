"""Shared helpers of the codemode tests and benchmark: the gateway as a real subprocess,
driven by the mcp SDK's own client from synchronous test code.

An SDK client must be entered and left in one task, so :class:`Driver` keeps it in an anyio
blocking portal (an event loop in a thread) and exposes plain ``call``/``script`` methods.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "tests" / "codemode_backend.py"
#: Generous: the machine may be loaded (2 cores shared by many processes).
START_TIMEOUT = 90.0


def free_port() -> int:
    """A port of 127.0.0.1 that was free a moment ago (nothing listens on it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def backend_flag(name: str, flavor: str) -> str:
    return f"{name}={sys.executable} {BACKEND} {flavor}"


def env_with_root(extra: dict[str, str] | None = None) -> dict[str, str]:
    """PYTHONPATH with the repository first (so the tree under test is what runs)."""
    env = dict(os.environ)
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + old if old else "")
    env.update(extra or {})
    return env


def gateway_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "codemode", *args]


class Driver:
    """A connected SDK client, callable from synchronous code."""

    def __init__(self, portal: BlockingPortal, client: Client) -> None:
        self.portal = portal
        self.client = client

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        return self.portal.call(self.client.call_tool, name, arguments)

    def list_tools(self) -> list[Any]:
        return self.portal.call(self._list_tools)

    async def _list_tools(self) -> list[Any]:
        return list((await self.client.list_tools(cache_mode="refresh")).tools)

    def script(self, script: str, data: dict[str, Any] | None = None
               ) -> tuple[bool, dict[str, Any]]:
        """Run execute_tool_script: ``(is_error, the result JSON)``."""
        args: dict[str, Any] = {"script": script}
        if data is not None:
            args["data"] = data
        r = self.call("execute_tool_script", args)
        text = r.content[0].text
        payload = json.loads(text)
        assert r.structured_content == payload
        return bool(r.is_error), payload


@contextmanager
def connect(target: Any, portal: BlockingPortal | None = None, **client_args: Any
            ) -> Iterator[Driver]:
    """Connect the SDK's client to ``target`` (StdioServerParameters, a URL, a Server), in
    ``portal``'s event loop (a new one if None)."""
    if portal is None:
        with start_blocking_portal() as portal:
            with connect(target, portal, **client_args) as d:
                yield d
        return
    client = Client(target, read_timeout_seconds=START_TIMEOUT, **client_args)
    with portal.wrap_async_context_manager(client):
        yield Driver(portal, client)


def stdio_gateway(*args: str) -> StdioServerParameters:
    """The parameters to start the gateway as the client's stdio subprocess."""
    env = env_with_root()
    return StdioServerParameters(
        command=sys.executable, args=["-m", "codemode", *args], cwd=str(ROOT),
        env={"PYTHONPATH": env["PYTHONPATH"]},
    )


class Process:
    """A gateway subprocess whose stderr is collected line by line (never left to fill up)."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=env or env_with_root(), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match[str]:
        """The first stderr line matching ``pattern``; fails with the stderr seen so far if
        none comes in time or the process ends."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    m = rx.search(line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(
                        f"no stderr line matches {pattern!r}; stderr:\n" + "\n".join(self.lines)
                    )
                self._cond.wait(min(left, 0.5))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._reader.join(timeout=10)
        return self.proc.returncode


@contextmanager
def http_gateway(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[Process, str]]:
    """The gateway serving streamable HTTP on a free port of 127.0.0.1: ``(process, url)``."""
    p = Process(gateway_argv("--http", "127.0.0.1:0", *args), env)
    try:
        m = p.wait_for(r"serving MCP on (http://127\.0\.0\.1:\d+/mcp)")
        yield p, m.group(1)
    finally:
        p.stop()
