"""The ``starlite`` command: ``run`` and ``trace``, their exit codes and their output.

Most tests call ``starlite.cli.main([...])`` and read stdout/stderr with ``capsys``; a few run
``python -m starlite`` in a subprocess to check the real entry point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import starlite
from starlite.cli import main

ROOT = Path(__file__).resolve().parent.parent

HELLO = """\
def greet(name):
    return "hello, " + name

print(greet("world"))
print(1 + 2)
"""

FAILING = """\
def inner(x):
    return x // 0

def outer():
    return inner(1)

outer()
"""

SPIN = """\
def spin():
    n = 0
    while True:
        n += 1

spin()
"""

WORK = """\
def square(x):
    s = 0
    for _ in range(x):
        s += x
    return s

def work(n):
    total = 0
    for i in range(n):
        total += square(i % 7)
    return total

print(work(200))
"""


@pytest.fixture
def script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Write a script into a temporary directory (also made the working directory)."""
    monkeypatch.chdir(tmp_path)

    def write(source: str, name: str = "script.star") -> str:
        (tmp_path / name).write_text(source, encoding="utf-8")
        return name

    return write


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- run -----------------------------------------------------------------------------------


def test_run_success_prints_to_stdout(script, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(capsys, "run", script(HELLO))
    assert code == 0
    assert out == "hello, world\n3\n"
    assert err == ""


def test_run_error_prints_backtrace_to_stderr(script, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(capsys, "run", script(FAILING))
    assert code == 1
    assert out == ""
    assert err.startswith("Traceback (most recent call last):\n")
    assert "script.star:7:6: in <toplevel>" in err
    assert "script.star:5:17: in outer" in err
    assert "script.star:2:14: in inner" in err
    assert err.rstrip().endswith("Error: floored division by zero")


def test_output_before_an_error_is_kept(script, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(capsys, "run", script('print("before")\nx = 1 // 0\n'))
    assert code == 1 and out == "before\n" and "division by zero" in err


def test_run_syntax_error(script, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(capsys, "run", script("x = (1 +\n"))
    assert code == 1 and out == ""
    assert err.startswith("script.star:2:1: ")
    assert "Traceback" not in err


def test_run_resolve_error(script, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run_main(capsys, "run", script("print(undefined_name)\n"))
    assert code == 1
    assert err.startswith("script.star:1:7: ") and "undefined_name" in err


def test_max_steps(script, capsys) -> None:  # type: ignore[no-untyped-def]
    name = script(WORK)
    code, out, _ = run_main(capsys, "run", name)
    assert code == 0 and out.strip().isdigit()
    code, out, err = run_main(capsys, "run", name, "--max-steps", "500")
    assert code == 1 and out == ""
    assert "Error: Starlark computation cancelled: too many steps" in err
    assert "in work" in err  # the backtrace shows where it was stopped


def test_timeout(script, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run_main(capsys, "run", script(SPIN), "--option", "while",
                            "--timeout", "0.2")
    assert code == 1
    assert "Starlark computation cancelled: timeout" in err
    assert "in spin" in err


def test_options(script, capsys) -> None:  # type: ignore[no-untyped-def]
    name = script("def f(n):\n    while n > 0:\n        n -= 1\n    return n\nprint(f(3))\n")
    code, _, err = run_main(capsys, "run", name)
    assert code == 1 and "while" in err
    code, out, _ = run_main(capsys, "run", name, "--option", "while,recursion")
    assert code == 0 and out == "0\n"
    top = script("for i in range(2):\n    print(i)\n", "top.star")
    code, out, _ = run_main(capsys, "run", top, "--option", "top-level-control")
    assert code == 0 and out == "0\n1\n"
    code, out, err = run_main(capsys, "run", script("print(set([1]))\n", "s.star"),
                              "--option", "noset")
    assert code == 1 and "set" in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["run"],
        ["frobnicate"],
        ["run", "x.star", "--max-steps", "many"],
        ["run", "x.star", "--max-steps", "-1"],
        ["run", "x.star", "--timeout", "0"],
        ["run", "x.star", "--option", "no_such_option"],
        ["trace"],
    ],
)
def test_usage_errors_exit_2(script, capsys, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    script("x = 1\n", "x.star")
    code, out, err = run_main(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.strip()
    assert "Traceback" not in err


def test_missing_files_exit_2(script, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run_main(capsys, "run", "nope.star")
    assert code == 2 and "cannot read nope.star" in err
    code, _, err = run_main(capsys, "trace", "nope.jsonl")
    assert code == 2 and "cannot read trace nope.jsonl" in err


def test_help_exits_0(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_main(capsys, "--help")
    assert code == 0 and "run" in out and "trace" in out
    code, out, _ = run_main(capsys, "run", "--help")
    assert code == 0 and "--max-steps" in out and "--trace" in out


def test_internal_errors_never_escape(script, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(starlite, "exec_file", broken)
    code, _, err = run_main(capsys, "run", script(HELLO))
    assert code == 1
    assert "internal error: RuntimeError: simulated bug" in err
    assert "Traceback" not in err


# ---- run --trace and trace -----------------------------------------------------------------


def test_run_with_trace_then_summarise(script, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    name = script(WORK, "work.star")
    code, out, _ = run_main(capsys, "run", name, "--trace", "out.jsonl")
    assert code == 0 and out.strip().isdigit()
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert lines[0]["event"] == "trace_start" and lines[0]["version"] == 1
    assert lines[1]["event"] == "exec_start" and lines[1]["filename"] == "work.star"
    assert lines[-1]["event"] == "trace_end"

    code, out, err = run_main(capsys, "trace", "out.jsonl")
    assert code == 0 and err == ""
    assert "outcome: success" in out
    assert "work" in out and "square" in out
    assert "s += x" in out  # the hottest line's source text
    # the function table lists the hottest first
    table = out.split("hottest first:")[1].split("\n\n")[0].splitlines()
    assert table[2].split()[0] == "square"


def test_trace_of_a_failed_run(script, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    name = script(WORK, "work.star")
    code, _, err = run_main(capsys, "run", name, "--max-steps", "800", "--trace", "t.jsonl")
    assert code == 1 and "too many steps" in err
    code, out, _ = run_main(capsys, "trace", "t.jsonl", "--top", "3")
    assert code == 0
    assert "outcome: step_limit" in out
    assert "Failure (step_limit)" in out and "failed at work.star:" in out
    assert "events before the failure" in out
    assert "step 8" in out or "step 7" in out  # the last step events are listed


def test_trace_flame_and_svg(script, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    name = script(WORK, "work.star")
    assert main(["run", name, "--trace", "t.jsonl"]) == 0
    capsys.readouterr()
    code, out, _ = run_main(capsys, "trace", "t.jsonl", "--flame", "t.folded", "--svg",
                            "t.svg")
    assert code == 0 and "t.folded" in out and "t.svg" in out
    folded = (tmp_path / "t.folded").read_text().splitlines()
    assert folded
    for line in folded:
        stack, weight = line.rsplit(" ", 1)
        assert int(weight) > 0 and " " not in stack
        assert stack.split(";")[0] == "<toplevel>"
    assert any(line.startswith("<toplevel>;work;square ") for line in folded)
    total = json.loads((tmp_path / "t.jsonl").read_text().splitlines()[-2])["steps"]
    assert sum(int(line.rsplit(" ", 1)[1]) for line in folded) == total
    root = ET.parse(tmp_path / "t.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(list(root.iter("{http://www.w3.org/2000/svg}rect"))) > 3


def test_trace_of_a_non_trace_file(script, capsys) -> None:  # type: ignore[no-untyped-def]
    name = script("not json\n", "junk.jsonl")
    code, _, err = run_main(capsys, "trace", name)
    assert code == 2 and "not a starlite trace" in err


def test_trace_of_a_syntax_error_run(script, capsys) -> None:  # type: ignore[no-untyped-def]
    name = script("x = (\n")
    assert main(["run", name, "--trace", "t.jsonl"]) == 1
    capsys.readouterr()
    code, out, _ = run_main(capsys, "trace", "t.jsonl")
    assert code == 0 and "No runs" in out


# ---- the real entry point ------------------------------------------------------------------


def _python_m(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "starlite", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_python_m_starlite_run(tmp_path: Path) -> None:
    (tmp_path / "hello.star").write_text(HELLO)
    (tmp_path / "bad.star").write_text(FAILING)
    ok = _python_m("run", "hello.star", cwd=tmp_path)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "hello, world\n3\n", "")
    bad = _python_m("run", "bad.star", cwd=tmp_path)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.startswith("Traceback (most recent call last):")
    assert "Error: floored division by zero" in bad.stderr
    usage = _python_m("run", cwd=tmp_path)
    assert usage.returncode == 2 and "usage:" in usage.stderr


def test_python_m_starlite_trace(tmp_path: Path) -> None:
    (tmp_path / "work.star").write_text(WORK)
    r = _python_m("run", "work.star", "--max-steps", "100000", "--trace", "w.jsonl",
                  cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = _python_m("trace", "w.jsonl", "--svg", "w.svg", cwd=tmp_path)
    assert s.returncode == 0, s.stderr
    assert "square" in s.stdout and "Hottest lines" in s.stdout
    ET.parse(tmp_path / "w.svg")
