"""Spelling suggestions for error messages ("did you mean ...?"), as starlark-go gives them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name``, if one is close enough to be a likely typo."""
    best = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return best[0] if best else None


def suggest(name: str, candidates: Iterable[str], prefix: str = "") -> str:
    """`` (did you mean X?)`` or the empty string."""
    n = nearest(name, candidates)
    return f" (did you mean {prefix}{n}?)" if n is not None else ""
