"""What the gateway runs with: its backends and its limits, from flags or a TOML file.

A backend is an MCP server the gateway connects to as a client, either a command it starts
and talks to over stdio or the URL of a streamable-HTTP server::

    --backend 'github=npx -y @modelcontextprotocol/server-github'     (split like a shell)
    --backend 'search=http://127.0.0.1:8931/mcp'

The same in a TOML file (``--config FILE``), where a stdio backend may also set ``env`` (added
to the few variables the MCP SDK passes to every server: ``PATH``, ``HOME``, ...) and ``cwd``,
and an HTTP backend ``headers``::

    [limits]
    step_limit = 100000          # steps per script, parallel() branches included
    timeout = 60                 # seconds per script
    tool_call_timeout = 30       # seconds per backend tool call
    parallel_max = 10            # parallel() tasks running at once
    max_script_bytes = 65536     # longer scripts are refused before parsing
    connect_timeout = 30         # seconds for a backend to start and list its tools

    [backends.github]
    command = "npx"
    args = ["-y", "@modelcontextprotocol/server-github"]
    env = { GITHUB_PERSONAL_ACCESS_TOKEN = "..." }

    [backends.search]
    url = "http://127.0.0.1:8931/mcp"

Flags given on the command line win over the file's values; ``--backend`` flags add backends to
the file's (a name given twice is an error).
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


class ConfigError(ValueError):
    """A configuration that cannot be used; the message says what and where."""


@dataclass(frozen=True)
class BackendSpec:
    """One backend MCP server: ``url`` (streamable HTTP) or ``command`` + ``args`` (stdio)."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ConfigError(
                f"backend name {self.name!r}: use letters, digits, '_' and '-', starting "
                "with a letter"
            )
        if (self.command is None) == (self.url is None):
            raise ConfigError(f"backend {self.name!r}: give either a command or a url")

    @property
    def transport(self) -> str:
        return "stdio" if self.url is None else "streamable-http"

    def describe(self) -> str:
        """``name (stdio: cmd args)`` or ``name (http://...)`` for messages."""
        if self.url is not None:
            return f"{self.name} ({self.url})"
        return f"{self.name} (stdio: {shlex.join([self.command or '', *self.args])})"


@dataclass(frozen=True)
class Limits:
    """The engine's limits plus the gateway's own (script size, backend start-up time)."""

    step_limit: int = 100_000
    timeout: float = 60.0
    tool_call_timeout: float = 30.0
    parallel_max: int = 10
    max_script_bytes: int = 65_536
    connect_timeout: float = 30.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, int | float) or v <= 0:
                raise ConfigError(f"limit {f.name} must be a positive number, not {v!r}")
        for name in ("step_limit", "parallel_max", "max_script_bytes"):
            if not isinstance(getattr(self, name), int):
                raise ConfigError(f"limit {name} must be an integer")


@dataclass(frozen=True)
class Config:
    """Everything the gateway needs besides its transport and telemetry switches."""

    backends: tuple[BackendSpec, ...] = ()
    limits: Limits = field(default_factory=Limits)
    code_mode_only: bool = False

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for b in self.backends:
            if b.name in seen:
                raise ConfigError(f"backend {b.name!r} is given twice")
            seen.add(b.name)


def parse_backend(text: str) -> BackendSpec:
    """``NAME=URL`` or ``NAME=COMMAND ARGS...`` (the command split like a shell line)."""
    name, sep, rest = text.partition("=")
    name, rest = name.strip(), rest.strip()
    if not sep or not name or not rest:
        raise ConfigError(f"--backend {text!r}: want NAME=COMMAND ARGS... or NAME=URL")
    if rest.startswith(("http://", "https://")):
        return BackendSpec(name, url=rest)
    try:
        argv = shlex.split(rest)
    except ValueError as e:
        raise ConfigError(f"--backend {text!r}: {e}") from None
    return BackendSpec(name, command=argv[0], args=tuple(argv[1:]))


def _str_map(where: str, v: Any) -> dict[str, str]:
    if not isinstance(v, Mapping) or not all(
        isinstance(k, str) and isinstance(x, str) for k, x in v.items()
    ):
        raise ConfigError(f"{where} must be a table of strings")
    return dict(v)


def _backend_from_table(name: str, t: Any) -> BackendSpec:
    where = f"[backends.{name}]"
    if not isinstance(t, Mapping):
        raise ConfigError(f"{where} must be a table")
    known = {"command", "args", "env", "cwd", "url", "headers"}
    unknown = sorted(set(t) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    args = t.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ConfigError(f"{where}: args must be a list of strings")
    for key in ("command", "url", "cwd"):
        if key in t and not isinstance(t[key], str):
            raise ConfigError(f"{where}: {key} must be a string")
    return BackendSpec(
        name,
        command=t.get("command"),
        args=tuple(args),
        env=_str_map(f"{where} env", t.get("env", {})),
        cwd=t.get("cwd"),
        url=t.get("url"),
        headers=_str_map(f"{where} headers", t.get("headers", {})),
    )


def load_toml(path: str | Path) -> Config:
    """Read a configuration file (see the module's docstring for its shape)."""
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except OSError as e:
        raise ConfigError(f"cannot read the config file {str(path)!r}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"config file {str(path)!r}: {e}") from None
    unknown = sorted(set(doc) - {"backends", "limits", "code_mode_only"})
    if unknown:
        raise ConfigError(f"config file {str(path)!r}: unknown section {unknown[0]!r}")
    tables = doc.get("backends", {})
    if not isinstance(tables, Mapping):
        raise ConfigError("[backends] must be a table of backend tables")
    backends = tuple(_backend_from_table(n, t) for n, t in tables.items())
    lim = doc.get("limits", {})
    if not isinstance(lim, Mapping):
        raise ConfigError("[limits] must be a table")
    names = {f.name for f in fields(Limits)}
    bad = sorted(set(lim) - names)
    if bad:
        raise ConfigError(f"[limits]: unknown limit {bad[0]!r} (known: {', '.join(sorted(names))})")
    only = doc.get("code_mode_only", False)
    if not isinstance(only, bool):
        raise ConfigError("code_mode_only must be true or false")
    return Config(backends, Limits(**lim), only)


def merge(base: Config, backends: tuple[BackendSpec, ...], limits: Mapping[str, Any],
          code_mode_only: bool) -> Config:
    """``base`` (from a file, or the defaults) with the command line's additions."""
    return Config(
        base.backends + backends,
        replace(base.limits, **{k: v for k, v in limits.items() if v is not None}),
        base.code_mode_only or code_mode_only,
    )
