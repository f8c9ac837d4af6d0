"""Run starlark-go's evaluator test data, or bazelbuild/starlark's ``test_suite``, against
starlite.

Usage::

    python tests/conformance.py /path/to/starlark-go/starlark/testdata [file.star ...]
    python tests/conformance.py /path/to/bazelbuild/starlark/test_suite/testdata [go/x.star ...]

A directory with ``go``, ``java`` or ``rust`` subdirectories is read in the Bazel suite's
format (see :func:`read_bazel_chunks`); any other in starlark-go's.

For starlark-go's files, this mimics starlark-go's ``eval_test.go`` (``TestExecFile``) and
``internal/chunkedfile``:

* each file is split into chunks at lines that are exactly ``---``; each chunk is padded with
  newlines so that line numbers match the file;
* ``### "regex"`` (a quoted Go string, or a back-quoted raw string) anywhere on a line expects an
  error at that line whose message matches the regex;
* per-chunk dialect options come from ``option:<name>`` anywhere in the chunk's text (``set``,
  ``while``, ``toplevelcontrol``, ``globalreassign``, ``recursion``; ``loadbindsglobally`` is
  not supported by starlite and is only noted);
* predeclared: ``struct``, ``hasfields``, ``fibonacci``; ``load("assert.star", "assert",
  "freeze")``, ``load("json.star", "json")``, ``load("math.star", "math")`` are served by the
  load hook (``time.star`` and ``proto.star`` are not available);
* as in starlark-go's ``assert.star``, a failed assertion is *reported* and execution continues.

Prints a per-file table of passed/total chunks, the failures (chunk line, expected, actual),
and an overall total. Nothing from starlark-go is copied into this repository.
"""

from __future__ import annotations

import ast
import re
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import starlite  # noqa: E402
from tests.starlark_harness import freeze_builtin, make_assert_module  # noqa: E402

# The files eval_test.go's TestExecFile runs, in its order.
FILES = [
    "assign.star",
    "bool.star",
    "builtins.star",
    "bytes.star",
    "control.star",
    "dict.star",
    "float.star",
    "function.star",
    "int.star",
    "json.star",
    "list.star",
    "math.star",
    "misc.star",
    "proto.star",
    "set.star",
    "string.star",
    "time.star",
    "tuple.star",
    "recursion.star",
    "module.star",
    "while.star",
]


# ------------------------------------------------------------------------------------------
# chunked files


@dataclass
class Chunk:
    filename: str
    line: int  # first line of the chunk (1-based)
    source: str
    want: dict[int, str] = field(default_factory=dict)  # line -> regex
    bad_expectations: list[str] = field(default_factory=list)


def go_unquote(s: str) -> str:
    """Unquote a Go string literal ("..." with escapes, or `raw`)."""
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] == "`":
        return s[1:-1]
    if len(s) >= 2 and s[0] == s[-1] == '"':
        # Go and Python escapes agree for the cases used in regexes (\\, \", \n, \t, \x, \u).
        return str(ast.literal_eval(s))
    raise ValueError(f"not a quoted regexp: {s}")


def read_chunks(path: Path) -> list[Chunk]:
    data = path.read_text(encoding="utf-8")
    chunks: list[Chunk] = []
    linenum = 1
    for text in data.split("\n---\n"):
        src = "\n" * (linenum - 1) + text
        ch = Chunk(path.name, linenum, src)
        for line in text.split("\n"):
            if "###" in line:
                rest = line.split("###", 1)[1].strip()
                try:
                    ch.want[linenum] = go_unquote(rest)
                except Exception as e:  # noqa: BLE001
                    ch.bad_expectations.append(f"{path.name}:{linenum}: {e}")
            linenum += 1
        linenum += 1  # the --- line
        chunks.append(ch)
    return chunks


def option(src: str, name: str) -> bool:
    return ("option:" + name) in src


def options_for(src: str) -> Any:
    return starlite.Options(
        set=option(src, "set"),
        while_=option(src, "while"),
        top_level_control=option(src, "toplevelcontrol"),
        global_reassign=option(src, "globalreassign"),
        recursion=option(src, "recursion"),
        load_binds_globally=option(src, "loadbindsglobally"),
    )


# ------------------------------------------------------------------------------------------
# bazelbuild/starlark's test_suite format (test_suite/starlark_test.py)
#
# Chunks are separated by lines that are exactly ``---``. ``### [impl:] text`` (on a code line
# or on a line of its own) expects the chunk to fail with an error whose text contains
# ``text`` or matches it as a regex, both case-insensitively, at any line; an ``impl:`` prefix
# (``go``, ``java``, ``rust``) limits it to that implementation, and starlite takes the
# ``go:`` ones, as it follows starlark-go. Every chunk may call ``assert_eq(x, y)``,
# ``assert_ne(x, y)`` and ``assert_(cond, msg)``; the suite's harness only prints their
# failures, this runner counts them as failures.

BAZEL_IMPL = "go"
_BAZEL_EXPECT = re.compile(r"(.*?) *### *((go|java|rust):)? *(.*)")
# starlark-go's default dialect (the suite needs no top-level if/for, while or rebinding)
BAZEL_OPTIONS = {"set": True}


def is_bazel_suite(d: Path) -> bool:
    return any((d / sub).is_dir() for sub in ("go", "java", "rust"))


def read_bazel_chunks(path: Path, name: str) -> list[Chunk]:
    chunks: list[Chunk] = []
    code: list[str] = []
    first = 1
    want: list[str] = []

    def flush() -> None:
        ch = Chunk(name, first, "\n" * (first - 1) + "\n".join(code) + "\n")
        ch.want = dict(enumerate(want))  # expected anywhere in the chunk, not at a line
        if len(want) > 1:
            ch.bad_expectations.append(f"{name}:{first}: more than one expected error")
        chunks.append(ch)

    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        line = line.rstrip()
        if line == "---":
            flush()
            code, want, first = [], [], n + 1
            continue
        m = _BAZEL_EXPECT.fullmatch(line)
        if m:
            if m.group(3) in (None, BAZEL_IMPL):
                want.append(m.group(4))
            line = m.group(1)
        code.append(line)
    flush()
    return chunks


def bazel_matches(expected: str, output: str) -> bool:
    exp = expected.lower()
    out = output.lower()
    try:
        return exp in out or re.search(exp, out) is not None
    except re.error:
        return False


def _bazel_asserts(report: Reporter) -> dict[str, Any]:
    from starlite.values.ops import equal
    from starlite.values.repr import repr_value

    def assert_eq(th: Any, x: Any, y: Any) -> None:
        if not equal(x, y):
            report(f"{repr_value(x)} != {repr_value(y)}")

    def assert_ne(th: Any, x: Any, y: Any) -> None:
        if equal(x, y):
            report(f"{repr_value(x)} == {repr_value(y)}")

    def assert_(th: Any, cond: Any, msg: Any = "assertion failed") -> None:
        if not cond:
            report(str(msg))

    return {f.__name__: starlite.Builtin(f.__name__, f) for f in (assert_eq, assert_ne, assert_)}


def run_bazel_chunk(path: Path, ch: Chunk) -> list[Failure]:
    fails = [Failure(ch.line, "(malformed expectation)", b) for b in ch.bad_expectations]
    report = Reporter()
    printed: list[str] = []
    predeclared = {**std_modules(), **_bazel_asserts(report)}
    predeclared.pop("time", None)
    thread = starlite.Thread(max_steps=50_000_000, timeout=60.0,
                             print=lambda th, msg: printed.append(msg),
                             options=starlite.Options(**BAZEL_OPTIONS))
    output = ""
    try:
        starlite.exec_file(thread, str(path), source=ch.source, predeclared=predeclared)
    except starlite.EvalError as e:
        output = e.backtrace()
    except starlite.StarlarkError as e:
        output = str(e)
    except Exception as e:  # noqa: BLE001 - an interpreter crash
        tb = traceback.format_exception_only(type(e), e)[-1].strip()
        fails.append(Failure(ch.line, "(no internal error)", f"INTERNAL ERROR: {tb}"))
        return fails
    expected = list(ch.want.values())
    if output and not expected:
        fails.append(Failure(ch.line, "(no error)", output.strip().splitlines()[-1]))
    for exp in expected:
        if not output:
            fails.append(Failure(ch.line, exp, "(no error)"))
        elif not bazel_matches(exp, "\n".join(printed + [output])):
            fails.append(Failure(ch.line, exp, output.strip().splitlines()[-1]))
    for msg in report.errors:
        fails.append(Failure(ch.line, "(assertion)", msg))
    return fails


# ------------------------------------------------------------------------------------------
# predeclared values


class Reporter:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def __call__(self, msg: str) -> None:
        self.errors.append(msg)


HostValue = starlite.HostValue


class Fib(HostValue):
    """An infinite iterable of Fibonacci numbers (eval_test.go's ``fib``)."""

    starlark_type = "fib"

    def iterate(self) -> Iterator[int]:
        a, b = 0, 1
        while True:
            yield a
            a, b = b, a + b

    def hash(self) -> int:
        raise starlite.EvalError("fib is unhashable")

    def repr(self) -> str:
        return "fib"


class HasFields(HostValue):
    """eval_test.go's ``hasfields``: any field may be set until frozen."""

    starlark_type = "hasfields"

    def __init__(self) -> None:
        self.attrs: dict[str, Any] = {}
        self.frozen = False

    def attr(self, name: str) -> Any:
        return self.attrs.get(name)

    def attr_names(self) -> list[str]:
        return sorted(self.attrs)

    def set_attr(self, name: str, value: Any) -> None:
        if self.frozen:
            raise starlite.EvalError("cannot set field on a frozen hasfields")
        if name.startswith("no"):
            raise starlite.EvalError(f"hasfields has no .{name} field")
        self.attrs[name] = value

    def freeze(self) -> None:
        if not self.frozen:
            self.frozen = True
            for v in self.attrs.values():
                freeze_builtin(None, v)

    def hash(self) -> int:
        raise starlite.EvalError("hasfields is unhashable")

    def repr(self) -> str:
        return "hasfields"


def _new_hasfields(th: Any, *args: Any, **kwargs: Any) -> Any:
    if args or kwargs:
        raise starlite.EvalError("hasfields: unexpected arguments")
    return HasFields()


def std_modules() -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        import starlite.builtins as sb
    except Exception:  # noqa: BLE001
        return out
    for k, attr in (
        ("struct", "struct_builtin"),
        ("module", "module_builtin"),
        ("json", "json_module"),
        ("math", "math_module"),
        ("time", "time_module"),
    ):
        v = getattr(sb, attr, None)
        if v is not None:
            out[k] = v
    return out


# ------------------------------------------------------------------------------------------
# running


@dataclass
class Failure:
    line: int
    expected: str
    actual: str


def error_line(err: BaseException, filename: str) -> int:
    if isinstance(err, (starlite.SyntaxError, starlite.ResolveError)):
        return int(err.line)
    stack = list(getattr(err, "call_stack", None) or [])
    for fr in reversed(stack):
        if fr.line and fr.filename == filename:
            return int(fr.line)
    for fr in reversed(stack):
        if fr.line:
            return int(fr.line)
    return 0


def run_chunk(path: Path, ch: Chunk) -> list[Failure]:
    fails: list[Failure] = []
    for b in ch.bad_expectations:
        fails.append(Failure(ch.line, "(malformed expectation)", b))
    report = Reporter()
    std = std_modules()
    assert_mod = make_assert_module(report)
    freeze_b = starlite.Builtin("freeze", freeze_builtin)

    def load(th: Any, module: str) -> Any:
        if module == "assert.star":
            return {"assert": assert_mod, "freeze": freeze_b}
        name = module[:-5] if module.endswith(".star") else module
        if name in ("json", "math", "time") and name in std:
            return {name: std[name]}
        raise starlite.EvalError(f"cannot load {module}: not available in this harness")

    predeclared: dict[str, Any] = {
        "hasfields": starlite.Builtin("hasfields", _new_hasfields),
        "fibonacci": Fib(),
    }
    if "struct" in std:
        predeclared["struct"] = std["struct"]
    filename = str(path)
    thread = starlite.Thread(
        max_steps=50_000_000,
        timeout=60.0,
        print=lambda th, msg: None,
        load=load,
        options=options_for(ch.source),
    )
    want = dict(ch.want)
    try:
        starlite.exec_file(thread, filename, source=ch.source, predeclared=predeclared)
    except starlite.ResolveError as e:
        for _f, ln, _c, msg in getattr(e, "errors", [(None, e.line, e.col, e.msg)]):
            got_error(fails, want, int(ln), msg)
    except starlite.StarlarkError as e:
        got_error(fails, want, error_line(e, filename), getattr(e, "msg", str(e)))
    except Exception as e:  # noqa: BLE001 - an interpreter crash
        tb = traceback.format_exception_only(type(e), e)[-1].strip()
        fails.append(Failure(ch.line, "(no internal error)", f"INTERNAL ERROR: {tb}"))
    for ln, rx in sorted(want.items()):
        fails.append(Failure(ln, rx, "(no error)"))
    for msg in report.errors:
        fails.append(Failure(ch.line, "(assertion)", msg))
    return fails


def got_error(fails: list[Failure], want: dict[int, str], line: int, msg: str) -> None:
    rx = want.pop(line, None)
    if rx is None:
        fails.append(Failure(line, "(no error)", msg))
        return
    try:
        ok = re.search(rx, msg) is not None
    except re.error as e:
        fails.append(Failure(line, rx, f"bad regexp: {e}; error was: {msg}"))
        return
    if not ok:
        fails.append(Failure(line, rx, msg))


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    d = Path(argv[1])
    bazel = is_bazel_suite(d)
    if bazel:
        names = argv[2:] or sorted(str(p.relative_to(d)) for p in d.glob("*/*.star"))
    else:
        names = argv[2:] or [f for f in FILES if (d / f).exists()]
    rows: list[tuple[str, int, int, int]] = []
    details: list[str] = []
    for name in names:
        path = d / name
        chunks = read_bazel_chunks(path, name) if bazel else read_chunks(path)
        passed = 0
        nfail = 0
        for ch in chunks:
            fs = run_bazel_chunk(path, ch) if bazel else run_chunk(path, ch)
            nfail += len(fs)
            if not fs:
                passed += 1
                continue
            details.append(f"--- {name}: chunk at line {ch.line}")
            for f in fs[:20]:
                details.append(f"  line {f.line}: expected {f.expected!r}")
                details.append(f"           actual   {f.actual[:300]!r}")
            if len(fs) > 20:
                details.append(f"  ... and {len(fs) - 20} more")
        rows.append((name, passed, len(chunks), nfail))

    w = max((len(r[0]) for r in rows), default=10)
    print(f"{'file':<{w}}  passed/total chunks  failed checks")
    for name, p, t, nf in rows:
        mark = "" if p == t else "  <--"
        print(f"{name:<{w}}  {p:>6}/{t:<6}       {nf:>5}{mark}")
    tp = sum(r[1] for r in rows)
    tt = sum(r[2] for r in rows)
    tf = sum(r[3] for r in rows)
    print(f"{'TOTAL':<{w}}  {tp:>6}/{tt:<6}       {tf:>5}")
    print("(failed checks: failed assertions plus missing/unexpected/mismatched errors)")
    if details:
        print()
        print("Failures:")
        print("\n".join(details))
    return 0 if tp == tt else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
