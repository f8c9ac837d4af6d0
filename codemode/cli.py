"""The ``starlite-codemode`` command (also ``python -m codemode``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import anyio
from loguru import logger

from .config import Config, ConfigError, load_toml, merge, parse_backend
from .gateway import Gateway, StartupError
from .observability import setup
from .serve import parse_address, serve_http, serve_stdio


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="starlite-codemode",
        description="An MCP server that runs agents' Starlark tool scripts "
        "(execute_tool_script) over the tools of backend MCP servers.",
    )
    p.add_argument("--config", metavar="FILE", help="a TOML file with [backends.NAME] and "
                   "[limits] tables (see the README)")
    p.add_argument("--backend", action="append", default=[],
                   metavar="NAME=COMMAND ARGS...|NAME=URL",
                   help="a backend MCP server: a command run over stdio (split like a shell "
                   "line) or a streamable-HTTP URL; repeatable")
    p.add_argument("--http", metavar="HOST:PORT", help="serve streamable HTTP on "
                   "http://HOST:PORT/mcp instead of stdio (port 0: any free port)")
    p.add_argument("--code-mode-only", action="store_true",
                   help="publish only execute_tool_script, not the backends' tools")
    lim = p.add_argument_group("limits")
    lim.add_argument("--step-limit", type=int, help="steps per script (default 100000)")
    lim.add_argument("--timeout", type=float, help="seconds per script (default 60)")
    lim.add_argument("--tool-call-timeout", type=float,
                     help="seconds per backend tool call (default 30)")
    lim.add_argument("--parallel-max", type=int,
                     help="parallel() tasks running at once (default 10)")
    lim.add_argument("--max-script-bytes", type=int,
                     help="longer scripts are refused before parsing (default 65536)")
    lim.add_argument("--connect-timeout", type=float,
                     help="seconds for a backend to start and list its tools (default 30)")
    tel = p.add_argument_group("telemetry")
    tel.add_argument("--otel", action="store_true",
                     help="export traces and metrics with OTLP, configured by OTEL_* variables")
    tel.add_argument("--prometheus", metavar="HOST:PORT",
                     help="serve the metrics for scraping on http://HOST:PORT/metrics")
    tel.add_argument("--log-json", action="store_true",
                     help="write the log records as JSON lines on stderr")
    return p


def config_from_args(args: argparse.Namespace) -> Config:
    base = load_toml(args.config) if args.config else Config()
    limits = {
        "step_limit": args.step_limit,
        "timeout": args.timeout,
        "tool_call_timeout": args.tool_call_timeout,
        "parallel_max": args.parallel_max,
        "max_script_bytes": args.max_script_bytes,
        "connect_timeout": args.connect_timeout,
    }
    return merge(base, tuple(parse_backend(b) for b in args.backend), limits,
                 args.code_mode_only)


async def run(config: Config, http: tuple[str, int] | None, telemetry_observers: list) -> None:
    gateway = Gateway(config, observers=telemetry_observers)
    async with gateway.running():
        if http is None:
            await serve_stdio(gateway)
        else:
            await serve_http(gateway, *http)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
        http = parse_address(args.http) if args.http else None
        prometheus = parse_address(args.prometheus) if args.prometheus else None
    except (ConfigError, ValueError) as e:
        parser.error(str(e))
    if not config.backends:
        parser.error("no backends: give --backend NAME=... or a --config file with [backends]")
    try:
        tel = setup(otel=args.otel, prometheus=prometheus, log_json=args.log_json)
    except OSError as e:
        print(f"starlite-codemode: cannot start telemetry: {e}", file=sys.stderr)
        return 1
    try:
        anyio.run(run, config, http, tel.observers)
    except StartupError as e:
        logger.error("cannot start:\n{error}", error=str(e))
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        tel.shutdown()
    return 0
