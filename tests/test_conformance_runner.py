"""The conformance runner (a dev tool, ``tests/conformance.py``) on small suites of both
formats written here, so that its reading of expectations is itself tested."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conformance

BAZEL_FILE = """\
assert_eq(1, 1)
assert_ne(True, 1)
assert_(len({True: 0, 1: 0}) == 2)
---
assert_eq(1, 2)
---
x = 1 // 0  ### division by zero
---
x = 1 ### some error that does not happen
---
fail("boom")
---
sorted([1, "a"])
### go: Error in sorted
### java: not the go message
---
x = [1][5]
### JAVA: ignored
### rust: ignored too
### (out of range|index)
"""


def _rows(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    out = capsys.readouterr().out
    return {ln.split()[0]: ln.split()[1] for ln in out.splitlines() if ln.endswith(("<--", "0"))
            and "/" in ln}


def test_bazel_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "go").mkdir()
    (tmp_path / "go" / "t.star").write_text(BAZEL_FILE)
    assert conformance.is_bazel_suite(tmp_path)
    chunks = conformance.read_bazel_chunks(tmp_path / "go" / "t.star", "go/t.star")
    assert [c.line for c in chunks] == [1, 5, 7, 9, 11, 13, 17]
    assert list(chunks[5].want.values()) == ["Error in sorted"]
    # "### JAVA:" is not an implementation tag (the suite's tags are lower case)
    assert list(chunks[6].want.values()) == ["JAVA: ignored", "(out of range|index)"]
    assert chunks[6].bad_expectations
    fails = [conformance.run_bazel_chunk(tmp_path / "go" / "t.star", c) for c in chunks]
    assert [len(f) for f in fails] == [0, 1, 0, 1, 1, 0, 2]
    assert fails[1][0].actual == "1 != 2"
    assert conformance.main(["conformance.py", str(tmp_path)]) == 1
    assert _rows(capsys)["go/t.star"] == "3/7"


def test_bazel_matching_is_case_insensitive_substring_or_regex() -> None:
    assert conformance.bazel_matches("Division By", "Error: division by zero")
    assert conformance.bazel_matches("div.*zero", "Error: division by zero")
    assert not conformance.bazel_matches("modulo", "Error: division by zero")
    assert not conformance.bazel_matches("(", "Error: division by zero")


def test_go_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "misc.star").write_text(
        'load("assert.star", "assert")\nassert.eq({True: 1, 1: 2}[1], 2)\n---\n'
        'x = 1 // 0  ### "division by zero"\n---\n'
        'load("assert.star", "assert")\nassert.eq(1, 2)\n'
    )
    assert not conformance.is_bazel_suite(tmp_path)
    assert conformance.main(["conformance.py", str(tmp_path), "misc.star"]) == 1
    assert _rows(capsys)["misc.star"] == "2/3"
