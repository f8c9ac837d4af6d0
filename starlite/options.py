"""Dialect switches, as starlark-go's ``syntax.FileOptions`` and its legacy flags."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """Which optional language features a file may use.

    ``set``: the ``set`` builtin (on by default, as in the Bazel spec).
    ``while_``: ``while`` loops. ``recursion``: a function may call itself (directly or not).
    ``top_level_control``: ``if``/``for``/``while`` at top level.
    ``global_reassign``: a top-level name may be bound more than once.
    ``top_level_return``: ``return`` at top level ends the module (used by the tool engine).
    ``load_binds_globally``: names bound by ``load`` are module globals (exported in the
    result of ``exec``), rather than local to the file.
    """

    set: bool = True
    while_: bool = False
    recursion: bool = False
    top_level_control: bool = False
    global_reassign: bool = False
    top_level_return: bool = False
    load_binds_globally: bool = False
