"""Runs the Starlark-level test suite in ``tests/starlark/*.star``.

File format (like starlark-go's testdata)
-----------------------------------------
A file is a sequence of *chunks* separated by lines that are exactly ``---``; each chunk is an
independent program and a separate pytest item, ``<file>.star:<first line of chunk>``.

* A chunk with no ``###`` comment must run without error.
* A line ending in ``### <regex>`` is where the chunk must fail: the run must fail, the error
  message must match the regex (``re.search``) and the error must be reported at that line.
  For static errors (syntax/resolve), several ``###`` lines may be given; every reported error
  must be expected and every expectation met.
* Known differences: a comment line ``# known-difference: why`` makes the chunk a strict
  xfail (documented in the README; the test fails as soon as the chunk passes).
* Options: a comment line in the chunk such as ``# option:while option:recursion`` enables
  ``while_``, ``recursion``, ``top_level_control``, ``global_reassign``; ``option:noset``
  disables ``set``.

Predeclared in every chunk: ``assert`` (built here in Python), ``freeze``, and whichever of
``struct``, ``module``, ``json``, ``math`` exist in ``starlite.builtins``. ``load("lib.star",
...)`` and ``load("assert.star", ...)`` are served by a small load hook (see ``LIB_MODULES``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import starlite

from .starlark_harness import freeze_builtin, make_assert_module, std_predeclared

STAR_DIR = Path(__file__).parent / "starlark"


# --------------------------------------------------------------------------------------------
# Chunk parsing


@dataclass
class Chunk:
    path: Path
    first_line: int  # 1-based line of the chunk's first line in the file
    source: str  # padded with blank lines so line numbers match the file
    expected: dict[int, str] = field(default_factory=dict)  # line -> regex
    options: set[str] = field(default_factory=set)
    known_difference: str = ""  # from a `# known-difference: why` line: a strict xfail

    @property
    def id(self) -> str:
        return f"{self.path.name}:{self.first_line}"


_OPTION_RE = re.compile(r"option:(\w+)")


def read_chunks(path: Path) -> list[Chunk]:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    chunks: list[Chunk] = []
    start = 0

    def flush(end: int) -> None:
        body = lines[start:end]
        src = "\n" * start + "\n".join(body)
        ch = Chunk(path, start + 1, src)
        for j, ln in enumerate(body):
            lineno = start + 1 + j
            if "###" in ln:
                ch.expected[lineno] = ln.split("###", 1)[1].strip()
            s = ln.strip()
            if s.startswith("#") and "###" not in s:
                ch.options.update(_OPTION_RE.findall(s))
                if s.startswith("# known-difference:"):
                    ch.known_difference = s.split(":", 1)[1].strip()
        chunks.append(ch)

    for i, ln in enumerate(lines):
        if ln.rstrip("\r") == "---":
            flush(i)
            start = i + 1
    flush(len(lines))
    # drop chunks that are empty (e.g. trailing separator)
    return [c for c in chunks if c.source.strip()]


def all_chunks() -> list[Chunk]:
    out: list[Chunk] = []
    for p in sorted(STAR_DIR.glob("*.star")):
        out.extend(read_chunks(p))
    return out


# Modules served by the load hook of the test runner (name -> source).
LIB_MODULES = {
    "lib.star": """\
items = [1, 2]
table = {"a": 1}
greeting = "hello"
_private = 42

def append_item(x):
    items.append(x)
    return len(items)

def set_entry(k, v):
    table[k] = v

def get_items():
    return items

def make_list():
    return [1, 2]
""",
}


def make_options(names: set[str]) -> Any:
    kw: dict[str, bool] = {}
    if "while" in names:
        kw["while_"] = True
    if "recursion" in names:
        kw["recursion"] = True
    if "top_level_control" in names:
        kw["top_level_control"] = True
    if "global_reassign" in names:
        kw["global_reassign"] = True
    if "noset" in names:
        kw["set"] = False
    return starlite.Options(**kw)


def make_thread(options: Any, predeclared: dict[str, Any], assert_module: Any) -> Any:
    printed: list[str] = []
    cache: dict[str, Any] = {}

    def load(thread: Any, module: str) -> Any:
        if module == "assert.star":
            return {"assert": assert_module, "freeze": predeclared["freeze"]}
        if module in cache:
            return cache[module]
        src = LIB_MODULES.get(module)
        if src is None:
            raise starlite.EvalError(f"cannot load {module}: no such module")
        th = starlite.Thread(max_steps=1_000_000, options=starlite.Options())
        g = starlite.exec_file(th, module, source=src, predeclared=dict(predeclared))
        cache[module] = g
        return g

    th = starlite.Thread(
        max_steps=10_000_000,
        timeout=60.0,
        print=lambda thread, msg: printed.append(msg),
        load=load,
        options=options,
    )
    return th


# --------------------------------------------------------------------------------------------
# Running a chunk


def error_line(err: BaseException, filename: str) -> int | None:
    """The line an error is reported at: static errors carry ``.line``; for run-time errors
    the innermost frame (in this file) with a known line."""
    if isinstance(err, (starlite.SyntaxError, starlite.ResolveError)):
        return int(err.line)
    stack = list(getattr(err, "call_stack", None) or [])
    for fr in reversed(stack):
        if fr.line and getattr(fr, "filename", filename) == filename:
            return int(fr.line)
    for fr in reversed(stack):
        if fr.line:
            return int(fr.line)
    pos = getattr(err, "_pos", None)
    if pos is not None:
        return int(pos.line)
    return None


def describe(err: BaseException) -> str:
    bt = getattr(err, "backtrace", None)
    if callable(bt):
        try:
            return f"{type(err).__name__}: {bt()}"
        except Exception:
            pass
    return f"{type(err).__name__}: {err}"


def run_chunk(chunk: Chunk) -> None:
    """Run one chunk; raises AssertionError (with a useful message) when it does not behave
    as the chunk says."""
    filename = chunk.path.name
    where = f"{chunk.path}:{chunk.first_line}"
    opts = make_options(chunk.options)
    predeclared = std_predeclared()
    predeclared["freeze"] = starlite.Builtin("freeze", freeze_builtin)
    assert_module = make_assert_module()
    predeclared["assert"] = assert_module
    thread = make_thread(opts, predeclared, assert_module)
    err: BaseException | None = None
    try:
        starlite.exec_file(thread, filename, source=chunk.source, predeclared=predeclared)
    except starlite.StarlarkError as e:
        err = e

    if not chunk.expected:
        if err is not None:
            raise AssertionError(f"{where}: unexpected error:\n{describe(err)}")
        return

    if err is None:
        exp = ", ".join(f"line {ln}: {rx!r}" for ln, rx in sorted(chunk.expected.items()))
        raise AssertionError(f"{where}: run succeeded, but expected an error ({exp})")

    if isinstance(err, starlite.ResolveError) and getattr(err, "errors", None):
        got = [(int(ln), msg) for (_f, ln, _c, msg) in err.errors]
    elif isinstance(err, starlite.EvalError):
        got = [(error_line(err, filename) or 0, err.msg)]
    else:
        got = [(error_line(err, filename) or 0, getattr(err, "msg", str(err)))]

    problems: list[str] = []
    exp_desc = ", ".join(f"line {k}: {v!r}" for k, v in sorted(chunk.expected.items()))
    matched: set[int] = set()
    for ln, msg in got:
        rx = chunk.expected.get(ln)
        if rx is None:
            problems.append(f"error at line {ln} (expected {exp_desc}): {msg}")
        elif re.search(rx, msg):
            matched.add(ln)
        elif len([g for g in got if g[0] == ln]) == 1:
            problems.append(f"line {ln}: error {msg!r} does not match {rx!r}")
    for ln, rx in sorted(chunk.expected.items()):
        if ln in matched:
            continue
        if any(g[0] == ln for g in got) and len([g for g in got if g[0] == ln]) > 1:
            problems.append(f"line {ln}: no error there matches {rx!r}")
        elif isinstance(err, (starlite.SyntaxError, starlite.ResolveError)) and not any(
            g[0] == ln for g in got
        ):
            problems.append(f"line {ln}: expected error matching {rx!r} was not reported")
    if problems:
        raise AssertionError(f"{where}:\n  " + "\n  ".join(problems) + "\nactual:\n"
                             + describe(err))


_CHUNKS = all_chunks()


def _param(c: Chunk) -> Any:
    if c.known_difference:
        # documented deviations stay visible: the test fails the day they start passing
        return pytest.param(c, id=c.id, marks=pytest.mark.xfail(reason=c.known_difference,
                                                                strict=True))
    return pytest.param(c, id=c.id)


@pytest.mark.parametrize("chunk", [_param(c) for c in _CHUNKS])
def test_star_chunk(chunk: Chunk) -> None:
    run_chunk(chunk)
