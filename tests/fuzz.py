"""Fuzzing starlite: generated and mutated programs must only ever raise ``StarlarkError``.

Two sources of programs:

* :func:`generate`: a grammar-based generator of statements and expressions that use the
  builtins, methods, operators, comprehensions, functions, lambdas and the optional modules;
* :func:`mutate`: byte-level mutation (insert, delete, duplicate, swap, splice) of seed
  scripts, the chunks of ``tests/starlark/*.star`` and the security corpus.

:func:`check` runs one program with a small step limit and reports a finding when anything but
a ``StarlarkError`` escapes, when the step count passes the limit, or when the run overstays its
time bound. ``tests/test_fuzz.py`` runs a bounded, derandomized number of examples in CI; a long
run is::

    python -m tests.fuzz --minutes 10 [--seed N] [--max-steps N] [--resources]

which prints each finding (minimised source and what went wrong) and exits 1 if there were any.
With ``--resources`` it checks instead that each run's CPU time and memory stay within a
constant times its steps (see ``tests/resources.py``).
The source being run is also written to ``fuzz-current.star`` first, so that a hard crash of the
interpreter process (which no Python code can catch) leaves its reproducer behind.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import starlite

ROOT = Path(__file__).parent
MAX_STEPS = 20_000
TIME_LIMIT = 2.0

OPTIONS = starlite.Options(
    set=True, while_=True, recursion=True, top_level_control=True, global_reassign=True
)


def predeclared() -> dict[str, Any]:
    from starlite.builtins import json_module, math_module, module_builtin, struct_builtin
    from tests.security_corpus import Endless

    # the endless host values let mutated corpus seeds exercise host iteration
    return {"json": json_module, "math": math_module, "struct": struct_builtin,
            "module": module_builtin, "endless": Endless(), "endless_zeros": Endless(0),
            "endless_pairs": Endless((1, 2)), "endless_strs": Endless("ab")}


# ---- running one program -------------------------------------------------------------------


def check(src: str, max_steps: int = MAX_STEPS, time_limit: float = TIME_LIMIT) -> str | None:
    """Run ``src``; None if it behaved (succeeded or raised a StarlarkError within its limits),
    else a description of the finding."""
    th = starlite.Thread(max_steps=max_steps, options=OPTIONS, print=lambda msg: None,
                         load=lambda module: {})
    t0 = time.perf_counter()
    try:
        starlite.exec_file(th, "fuzz.star", src, predeclared=predeclared())
    except starlite.StarlarkError as e:
        try:
            str(e)  # the error itself must render
            if isinstance(e, starlite.EvalError):
                e.backtrace()
        except Exception as x:  # noqa: BLE001
            return f"error rendering failed: {type(x).__name__}: {x}"
    except BaseException as e:  # noqa: BLE001 - that is the point
        if isinstance(e, KeyboardInterrupt):
            raise
        tb = traceback.format_exception(type(e), e, e.__traceback__)
        return f"{type(e).__name__} escaped: {e}\n" + "".join(tb[-6:])
    dt = time.perf_counter() - t0
    if th.steps > max_steps:
        return f"step count {th.steps} exceeds max_steps {max_steps}"
    if dt > time_limit:
        return f"took {dt:.2f}s (limit {time_limit}s) with {th.steps} steps"
    return None


def same_kind(a: str, b: str) -> bool:
    return a.split(":", 1)[0].split(" ", 1)[0] == b.split(":", 1)[0].split(" ", 1)[0]


def minimise(src: str, finding: str, max_steps: int = MAX_STEPS, budget: float = 30.0,
             checker: Callable[[str, int], str | None] | None = None) -> str:
    """Shrink ``src`` (lines, then characters) while it still gives the same kind of finding
    (by ``checker``, :func:`check` by default)."""
    deadline = time.monotonic() + budget
    run = checker or check

    def still(s: str) -> bool:
        if time.monotonic() > deadline:
            return False
        f = run(s, max_steps)
        return f is not None and same_kind(f, finding)

    for unit in ("line", "char"):
        parts: list[str] = src.splitlines(keepends=True) if unit == "line" else list(src)
        n = max(len(parts) // 2, 1)
        while n >= 1 and time.monotonic() < deadline:
            i = 0
            changed = False
            while i < len(parts):
                cand = parts[:i] + parts[i + n:]
                if cand and still("".join(cand)):
                    parts = cand
                    changed = True
                else:
                    i += n
            if not changed:
                n //= 2
        src = "".join(parts)
    return src


# ---- the generator ---------------------------------------------------------------------------

NAMES = ["a", "b", "c", "x", "y", "s", "l", "d", "t", "n"]
STR_METHODS = [
    "capitalize()", "count('a')", "endswith('b')", "find('x')", "format(1, 2)", "index('')",
    "isalnum()", "isalpha()", "isdigit()", "islower()", "isspace()", "istitle()", "isupper()",
    "join(['p', 'q'])", "lower()", "lstrip()", "partition(',')", "removeprefix('a')",
    "removesuffix('a')", "replace('a', 'bb')", "rfind('a')", "rindex('')", "rpartition(',')",
    "rsplit(',')", "rstrip()", "split()", "splitlines()", "startswith('a')", "strip()",
    "title()", "upper()", "elems()", "codepoints()", "split(',', 2)", "replace('', '-')",
]
LIST_METHODS = ["append(1)", "clear()", "extend([1, 2])", "index(1)", "insert(0, 3)",
                "pop()", "remove(1)", "pop(0)"]
DICT_METHODS = ["clear()", "get('k')", "items()", "keys()", "pop('k', 0)", "popitem()",
                "setdefault('k', 1)", "update({'z': 2})", "values()", "get(1, 2)"]
BUILTINS = [
    "abs({e})", "all({e})", "any({e})", "bool({e})", "dir({e})", "enumerate({e})",
    "float({e})", "getattr({e}, 'x', 1)", "hasattr({e}, 'append')", "hash({e})", "int({e})",
    "len({e})", "list({e})", "max({e})", "min({e})", "repr({e})", "reversed({e})",
    "sorted({e})", "str({e})", "tuple({e})", "type({e})", "zip({e}, {e})", "set({e})",
    "dict({e})", "range({e})", "range({e}, {e}, {e})", "chr({e})", "ord({e})",
    "json.encode({e})", "json.decode({e})", "json.indent({e})", "math.floor({e})",
    "math.sqrt({e})", "struct(f = {e})", "bytes({e})", "print({e})", "fail({e})",
    "sorted({e}, key = lambda v: -v)", "({e}).elems()", "'%s %d' % ({e}, {e})",
    "'{{}}{{}}'.format({e}, {e})", "({e}) * ({e})", "json.decode(json.encode({e}))",
]
BINOPS = ["+", "-", "*", "/", "//", "%", "<<", ">>", "&", "|", "^", "==", "!=", "<", "<=",
          ">", ">=", "in", "not in", "and", "or"]


class Gen:
    def __init__(self, rnd: random.Random, depth: int = 3) -> None:
        self.r = rnd
        self.max_depth = depth

    def atom(self, prelude: bool = False) -> str:
        r = self.r
        k = r.randrange(12)
        if k >= 7 and not prelude:
            return r.choice(NAMES)
        if k == 0:
            return str(r.choice([0, 1, -1, 2, 7, 63, 64, 255, 1 << 31, 1 << 63, 10 ** 20]))
        if k == 1:
            return r.choice(["'a'", "''", "'abc,def'", "'x' * 3", "'\\n'", "'é'", "'%s'",
                             "'{}'", "'a,b,,c'"])
        if k == 2:
            return r.choice(["None", "True", "False", "1.5", "float('nan')", "-0.0", "1e308"])
        if k == 3:
            return r.choice(["[]", "[1, 2, 3]", "['a', 'b']", "[[1], [2]]", "[None]"])
        if k == 4:
            return r.choice(["{}", "{'k': 1}", "{1: 'a', 2: 'b'}", "{'k': [1]}"])
        if k == 5:
            return r.choice(["()", "(1,)", "(1, 'a')", "((1, 2), 3)"])
        if k == 6:
            return r.choice(["range(5)", "range(0, 10, 3)", "set([1, 2])", "b'xy'"])
        return self.atom(True)

    def expr(self, depth: int = 0) -> str:
        r = self.r
        if depth >= self.max_depth:
            return self.atom()
        k = r.randrange(14)
        e = lambda: self.expr(depth + 1)  # noqa: E731
        if k < 3:
            return self.atom()
        if k < 6:
            return f"({e()} {r.choice(BINOPS)} {e()})"
        if k == 6:
            return r.choice(BUILTINS).format(e=e())
        if k == 7:
            m = r.choice([STR_METHODS, LIST_METHODS, DICT_METHODS])
            return f"({e()}).{r.choice(m)}"
        if k == 8:
            return f"({e()})[{e()}]"
        if k == 9:
            return f"({e()})[{r.choice(['', '1', '-1'])}:{r.choice(['', '2', '-1'])}" \
                   f"{r.choice(['', ':2', ':-1'])}]"
        if k == 10:
            v = r.choice(NAMES)
            return f"[{e()} for {v} in {e()} if {e()}]"
        if k == 11:
            return f"({e()} if {e()} else {e()})"
        if k == 12:
            return f"({r.choice(['-', 'not ', '~', '+'])}{e()})"
        return f"{{{e()}: {e()} for {r.choice(NAMES)} in {e()}}}"

    def stmt(self, indent: int, depth: int = 0, loop: bool = False, fn: bool = False) -> str:
        r = self.r
        pad = "    " * indent
        k = r.randrange(12 if depth < 2 else 7)
        if k < 3:
            return f"{pad}{r.choice(NAMES)} = {self.expr()}\n"
        if k == 3:
            return f"{pad}{r.choice(NAMES)} {r.choice(['+=', '-=', '*=', '|=', '//='])} " \
                   f"{self.expr()}\n"
        if k == 4:
            return f"{pad}{self.expr()}\n"
        if k == 5:
            return f"{pad}{r.choice(NAMES)}[{self.expr()}] = {self.expr()}\n"
        if k == 6:
            return f"{pad}{r.choice(NAMES)}, {r.choice(NAMES)} = {self.expr()}\n"
        body = lambda lp=loop, f=fn: "".join(  # noqa: E731
            self.stmt(indent + 1, depth + 1, lp, f) for _ in range(r.randint(1, 3)))
        if k == 7:
            return f"{pad}for {r.choice(NAMES)} in {self.expr()}:\n{body(True)}"
        if k == 8:
            return f"{pad}if {self.expr()}:\n{body()}{pad}else:\n{body()}"
        if k == 9:
            return f"{pad}while {self.expr()}:\n{body(True)}"
        if k == 10:
            name = r.choice(["f", "g"])
            return (f"{pad}def {name}({r.choice(['', 'a', 'a, b = 1', '*args', '**kw'])}):\n"
                    f"{body(False, True)}{pad}    return {self.expr()}\n{pad}{name}()\n")
        choices = ["pass"] + (["break", "continue"] if loop else []) + (
            ["return " + self.expr()] if fn else [])
        return f"{pad}{r.choice(choices)}\n"

    def program(self) -> str:
        pre = "".join(f"{n} = {self.atom(True)}\n" for n in NAMES)
        return pre + "".join(self.stmt(0) for _ in range(self.r.randint(1, 8)))


def generate(rnd: random.Random) -> str:
    return Gen(rnd, depth=rnd.randint(1, 4)).program()


# ---- mutation --------------------------------------------------------------------------------


def seeds() -> list[str]:
    out: list[str] = []
    for p in sorted((ROOT / "starlark").glob("*.star")):
        chunk: list[str] = []
        for line in p.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.rstrip("\n") == "---":
                out.append("".join(chunk))
                chunk = []
            else:
                chunk.append(line)
        out.append("".join(chunk))
    try:
        from tests.security_corpus import CASES

        out.extend(src for _, src, _ in CASES)
    except ImportError:  # pragma: no cover
        pass
    return [s for s in out if s.strip()]


_TOKENS = [b"(", b")", b"[", b"]", b"{", b"}", b":", b",", b"\n", b"    ", b"\t", b"'", b'"',
           b"\\", b"*", b"**", b"=", b"lambda", b"def", b"for", b"in", b"if", b"else", b"0",
           b"1 << 62", b"'x' * 999", b"%", b"{}", b".", b"__class__", b"#", b"\x00", b"\xff",
           b"\r", b"\"\"\"", b"range(99999)", b"not ", b"-", b"load", b"return", b"\xc3\xa9"]


def mutate(src: str, rnd: random.Random, rounds: int | None = None) -> str:
    data = bytearray(src.encode("utf-8"))
    for _ in range(rounds if rounds is not None else rnd.randint(1, 6)):
        n = len(data)
        k = rnd.randrange(7)
        i = rnd.randrange(n + 1)
        j = min(n, i + rnd.randint(0, 16))
        if k == 0 and n:  # delete a span
            del data[i:j]
        elif k == 1:  # insert a token
            data[i:i] = rnd.choice(_TOKENS)
        elif k == 2 and n:  # duplicate a span
            data[i:i] = data[i:j]
        elif k == 3 and n:  # replace a byte
            data[min(i, n - 1)] = rnd.randrange(256)
        elif k == 4 and n > 2:  # swap two spans
            a, b = sorted((rnd.randrange(n), rnd.randrange(n)))
            data[a], data[b] = data[b], data[a]
        elif k == 5:  # insert a generated expression
            data[i:i] = Gen(rnd, 2).expr().encode()
        else:  # splice in a line of another place
            lines = bytes(data).split(b"\n")
            if lines:
                data[i:i] = rnd.choice(lines) + b"\n"
    return data.decode("utf-8", errors="replace")


# ---- the long run ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--max-steps", type=int, default=MAX_STEPS)
    ap.add_argument("--current", default="fuzz-current.star",
                    help="file the program being run is written to first ('' for none)")
    ap.add_argument("--resources", action="store_true",
                    help="check that CPU time and memory stay bounded by steps "
                         "(tests/resources.py) instead of what check() looks for")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    if args.resources:
        from tests.resources import run

        return run(args.minutes, seed, args.max_steps, args.current)
    rnd = random.Random(seed)
    corpus = seeds()
    deadline = time.monotonic() + args.minutes * 60
    findings: dict[str, str] = {}
    runs = 0
    print(f"fuzzing for {args.minutes} minutes, seed {seed}", flush=True)
    while time.monotonic() < deadline:
        runs += 1
        src = generate(rnd) if rnd.random() < 0.5 else mutate(rnd.choice(corpus), rnd)
        if args.current:
            Path(args.current).write_text(src, encoding="utf-8", errors="replace")
        f = check(src, args.max_steps)
        if f is None:
            continue
        key = f.split("\n", 1)[0][:80]
        if key in findings:
            continue
        small = minimise(src, f, args.max_steps)
        findings[key] = small
        print(f"\n=== finding {len(findings)} (run {runs}): {f.splitlines()[0]}\n"
              f"{f}\n--- minimised source ---\n{small}\n--- end ---", flush=True)
        if rnd.random() < 0.3:
            corpus.append(src)
    print(f"\n{runs} programs, {len(findings)} findings (seed {seed})", flush=True)
    if args.current:
        Path(args.current).unlink(missing_ok=True)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
