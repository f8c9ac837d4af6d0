"""codemode: an MCP server that gives agents ToolHive-style "code mode" over other MCP servers.

It connects to backend MCP servers as a client (stdio commands or streamable-HTTP URLs), and
serves, over stdio or streamable HTTP, the tool ``execute_tool_script``: the agent sends one
Starlark script that calls many backend tools (sequentially or in ``parallel()``), and gets
one result back, run by :class:`starlite.engine.Engine` under step, time and size limits. The
backends' tools are also passed through unless ``code_mode_only``. Built on the official
``mcp`` SDK (``pip install "starlite[mcp]"``); nothing in starlite or telemetry imports it.

Modules, in the order a request meets them:

* :mod:`codemode.cli` -- the ``starlite-codemode`` command; :mod:`codemode.config` -- flags
  and the TOML file; :mod:`codemode.observability` -- ``--otel``, ``--prometheus``,
  ``--log-json``;
* :mod:`codemode.serve` -- stdio and streamable-HTTP transports;
* :mod:`codemode.gateway` -- the MCP handlers and ``execute_tool_script``;
* :mod:`codemode.naming` -- the published names of the backends' tools;
* :mod:`codemode.backends` -- the SDK client per backend and the conversion of tool results.

In process (e.g. with telemetry providers of one's own)::

    from codemode import Config, Gateway, parse_backend
    gateway = Gateway(Config(backends=(parse_backend("files=python files_server.py"),)),
                      observers=[ScriptTelemetry(meter_provider, tracer_provider)])
    async with gateway.running():
        async with mcp.Client(gateway.server) as client:
            await client.call_tool("execute_tool_script", {"script": "return 1"})
"""

from __future__ import annotations

from loguru import logger

from .config import BackendSpec, Config, ConfigError, Limits, load_toml, parse_backend
from .gateway import SCRIPT_TOOL, Gateway, StartupError

# A library's logs stay off until the application enables them (the command does).
logger.disable("codemode")

__all__ = [
    "SCRIPT_TOOL",
    "BackendSpec",
    "Config",
    "ConfigError",
    "Gateway",
    "Limits",
    "StartupError",
    "load_toml",
    "parse_backend",
]
