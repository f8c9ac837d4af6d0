"""codemode's configuration (flags and the TOML file), its naming of backend tools, the
conversion of tool results, and the gateway example; no backend process except in the last."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mcp")

import mcp_types as types  # noqa: E402

from codemode.backends import Backend, result_value  # noqa: E402
from codemode.cli import build_parser, config_from_args  # noqa: E402
from codemode.config import BackendSpec, ConfigError, Limits, load_toml, parse_backend  # noqa: E402
from codemode.gateway import check_arguments, describe_tool  # noqa: E402
from codemode.naming import assign_names  # noqa: E402
from tests.codemode_support import ROOT, env_with_root  # noqa: E402


def test_parse_backend_flag() -> None:
    b = parse_backend("gh=npx -y '@scope/server github' --read-only")
    assert (b.name, b.command) == ("gh", "npx")
    assert b.args == ("-y", "@scope/server github", "--read-only")
    assert b.transport == "stdio"
    u = parse_backend("search = https://mcp.example.com/mcp")
    assert (u.name, u.url, u.command, u.transport) == (
        "search", "https://mcp.example.com/mcp", None, "streamable-http")
    for bad in ("nameonly", "=cmd", "x=", "1x=cmd", "x=cmd 'unclosed"):
        with pytest.raises(ConfigError):
            parse_backend(bad)


TOML = """
code_mode_only = true

[limits]
step_limit = 500
timeout = 5.5
max_script_bytes = 1000

[backends.files]
command = "python"
args = ["-m", "files_server", "--root", "/srv"]
env = { TOKEN = "t" }
cwd = "/tmp"

[backends.web]
url = "http://127.0.0.1:9000/mcp"
headers = { Authorization = "Bearer x" }
"""


def test_toml_config_and_flags_over_it(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(TOML)
    c = load_toml(path)
    assert c.code_mode_only
    assert c.limits == Limits(step_limit=500, timeout=5.5, max_script_bytes=1000)
    files, web = c.backends
    assert files == BackendSpec("files", command="python",
                                args=("-m", "files_server", "--root", "/srv"),
                                env={"TOKEN": "t"}, cwd="/tmp")
    assert web.url == "http://127.0.0.1:9000/mcp" and web.headers == {"Authorization": "Bearer x"}
    args = build_parser().parse_args(
        ["--config", str(path), "--step-limit", "900", "--backend", "extra=cmd a b"])
    merged = config_from_args(args)
    assert merged.limits.step_limit == 900 and merged.limits.timeout == 5.5
    assert [b.name for b in merged.backends] == ["files", "web", "extra"]
    with pytest.raises(ConfigError, match="given twice"):
        config_from_args(build_parser().parse_args(["--config", str(path), "--backend", "web=x"]))


@pytest.mark.parametrize("text, message", [
    ("[backends.x]\ncommand = 'a'\nurl = 'http://h/mcp'\n", "either a command or a url"),
    ("[backends.x]\nargs = ['a']\n", "either a command or a url"),
    ("[backends.x]\ncommand = 'a'\nargz = []\n", "unknown key 'argz'"),
    ("[backends.x]\ncommand = 'a'\nargs = 'b'\n", "args must be a list of strings"),
    ("[limits]\nstep_limit = 0\n", "step_limit must be a positive number"),
    ("[limits]\nparallel_max = 2.5\n", "parallel_max must be an integer"),
    ("[limits]\nsteps = 1\n", "unknown limit 'steps'"),
    ("[server]\n", "unknown section 'server'"),
    ("[limits\n", "config file"),
])
def test_toml_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_toml(path)


def test_missing_config_file() -> None:
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_toml("/nonexistent/codemode.toml")


def _backend(name: str, *tools: str) -> Backend:
    b = Backend(BackendSpec(name, command="x"), 1.0)
    b.tools = [types.Tool(name=t, input_schema={"type": "object"}) for t in tools]
    return b


def test_tool_names() -> None:
    named = assign_names([
        _backend("gh", "search", "list-issues", "len", "execute_tool_script", "for"),
        _backend("jira", "search", "list_issues", "create"),
    ])
    assert [(t.backend.name, t.tool.name, t.name) for t in named] == [
        ("gh", "search", "gh_search"),                 # in two backends
        ("gh", "list-issues", "list-issues"),
        ("gh", "len", "gh_len"),                       # a builtin's script name
        ("gh", "execute_tool_script", "gh_execute_tool_script"),
        ("gh", "for", "for"),                          # script name for_ is free
        ("jira", "search", "jira_search"),
        ("jira", "list_issues", "jira_list_issues"),   # list-issues already has list_issues
        ("jira", "create", "create"),
    ]


def test_result_values() -> None:
    def r(*blocks: types.ContentBlock, structured: dict | None = None) -> types.CallToolResult:
        return types.CallToolResult(content=list(blocks), structured_content=structured)

    def text(t: str) -> types.TextContent:
        return types.TextContent(type="text", text=t)

    assert result_value(r(text("{}"), structured={"result": 3})) == {"result": 3}
    assert result_value(r(text('{"a": [1, null]}'))) == {"a": [1, None]}
    assert result_value(r(text(" [1, 2]"))) == [1, 2]
    assert result_value(r(text("42"))) == "42"          # only objects and arrays are decoded
    assert result_value(r(text("{not json"))) == "{not json"
    assert result_value(r(text("a"), text("b"))) == ["a", "b"]
    assert result_value(r()) is None
    img = types.ImageContent(type="image", data="AAAA", mime_type="image/png")
    assert result_value(r(img)) == {"type": "image", "data": "AAAA", "mimeType": "image/png"}


def test_check_arguments_and_descriptions() -> None:
    assert check_arguments({"script": "return 1"}) == ("return 1", None)
    assert check_arguments({"script": "x", "data": {"a": 1}}) == ("x", {"a": 1})
    assert check_arguments({"script": "x", "data": None}) == ("x", None)  # null: no data
    for data, what in ((True, "a boolean"), (0, "a number"), ("n", "a string"), ([1], "an array")):
        with pytest.raises(ValueError, match=f"'data' must be an object, not {what}"):
            check_arguments({"script": "x", "data": data})
    with pytest.raises(ValueError, match="'script' must be a string, not null"):
        check_arguments({"script": None})
    tool = types.Tool(name="t", description="Does t.", input_schema={"type": "object"},
                      output_schema={"type": "object", "properties": {
                          "items": {"type": "array", "items": {"type": "string"}},
                          "next": {"type": ["string", "null"]}}})
    assert describe_tool(tool) == "Does t.\nReturns: {items: array of string, next: string | null}"


def test_starlite_and_telemetry_never_import_mcp_or_codemode() -> None:
    code = ("import sys, starlite, starlite.engine, starlite.cli, telemetry\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'codemode'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, env=env_with_root(), cwd=ROOT,
                   timeout=120)


def test_gateway_example_runs(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "codemode_gateway.py")], cwd=tmp_path,
        env=env_with_root(), capture_output=True, text=True, timeout=180,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "gateway tools: ['execute_tool_script']",
        "status: success | tool calls: 5 | parallel tasks: 4",
        "logs: ['checked 4 products']",
        'value: {"reorder": ["keyboard", "monitor"]}',
    ]
