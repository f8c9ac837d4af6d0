"""The README's examples work when pasted: every ```python block runs, and the output the
README shows after a block is what it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list[tuple[str, str | None]]:
    text = README.read_text(encoding="utf-8")
    out: list[tuple[str, str | None]] = []
    pattern = r"```python\n(.*?)```(?:\n\n[^\n]*print:\n\n```\n(.*?)```)?"
    for m in re.finditer(pattern, text, re.S):
        out.append((m.group(1), m.group(2)))
    return out


def test_readme_has_quick_start_with_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    m = re.search(r"## Quick start\n\n```sh\n(.*?)```", text, re.S)
    assert m is not None
    cmds = [ln for ln in m.group(1).splitlines() if ln.strip()]
    assert len(cmds) == 2
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert cmds[1] in ci


def test_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pasted in order into one Python session (in a scratch directory, since examples write
    trace files), every block runs."""
    monkeypatch.chdir(tmp_path)
    blocks = _blocks()
    assert blocks
    ns: dict[str, object] = {"__name__": "readme"}
    for code, expected in blocks:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(code, "README.md", "exec"), ns)  # noqa: S102
        if expected is not None:
            assert buf.getvalue().rstrip().endswith(expected.rstrip()), buf.getvalue()
