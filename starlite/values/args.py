"""Calling Python functions as Starlark builtins.

A builtin's Python signature is its Starlark signature: ``def sorted_(th, iterable, /, *,
key=None, reverse=False)``. :class:`Signature` reads it once (``inspect``) and binds Starlark
arguments with Starlark's error messages, so a script never sees a Python ``TypeError``.
Methods take the receiver after the thread: ``def list_append(th, self, x, /)``.

``call_builtin`` is the one entry point the interpreter uses.
"""

from __future__ import annotations

import inspect
from typing import Any

from ..errors import EvalError, StarlarkError
from .core import Builtin

_INF = 1 << 62
_PLAIN = frozenset({type(None), bool, int, float, str, bytes})


class Signature:
    __slots__ = ("nmin", "nmax", "posnames", "kwnames", "has_kwargs", "opaque", "skip")

    def __init__(self, fn: Any, skip: int) -> None:
        self.skip = skip
        self.opaque = False
        self.posnames: list[str] = []
        self.kwnames: set[str] = set()
        self.has_kwargs = False
        self.nmin = 0
        self.nmax = _INF
        try:
            params = list(inspect.signature(fn).parameters.values())[skip:]
        except (TypeError, ValueError):
            self.opaque = True
            return
        nmax = 0
        star = False
        for p in params:
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                self.posnames.append(p.name)
                nmax += 1
                if p.default is p.empty:
                    self.nmin = nmax
                if p.kind is p.POSITIONAL_OR_KEYWORD:
                    self.kwnames.add(p.name)
            elif p.kind is p.VAR_POSITIONAL:
                star = True
            elif p.kind is p.KEYWORD_ONLY:
                self.kwnames.add(p.name)
            elif p.kind is p.VAR_KEYWORD:
                self.has_kwargs = True
        self.nmax = _INF if star else nmax

    def check(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any] | None) -> None:
        """Raise a Starlark error if ``args``/``kwargs`` do not fit (starlark-go's wording of
        ``UnpackArgs``); the caller then calls."""
        if self.opaque:
            return
        n = len(args)
        if (kwargs and self.nmin <= n <= self.nmax
                and (self.has_kwargs or kwargs.keys() <= self.kwnames)
                and (n == 0 or kwargs.keys().isdisjoint(self.posnames[:n]))):
            return  # every keyword is accepted and none repeats a positional argument
        if kwargs and not self.kwnames and not self.has_kwargs:
            raise EvalError(f"{name}: unexpected keyword arguments")
        if n > self.nmax:
            want = "at most " if self.nmax > self.nmin else ""
            raise EvalError(f"{name}: got {n} arguments, want {want}{self.nmax}")
        given = set(self.posnames[:n])
        if kwargs:
            for k in kwargs:
                if k in given:
                    raise EvalError(f"{name}: got multiple values for keyword argument {k}")
                if k not in self.kwnames and not self.has_kwargs:
                    from ..spell import suggest

                    raise EvalError(f"{name}: unexpected keyword argument {k}"
                                    f"{suggest(k, self.kwnames)}")
            given.update(kwargs)
        if n < self.nmin and not self.kwnames and not self.has_kwargs:
            # positional-only parameters: UnpackPositionalArgs' wording
            want = "at least " if self.nmax > self.nmin else ""
            raise EvalError(f"{name}: got {n} arguments, want {want}{self.nmin}")
        for i in range(n, self.nmin):
            pn = self.posnames[i]
            if pn not in given:
                raise EvalError(f"{name}: missing argument for {pn}")


def signature(b: Builtin) -> Signature:
    sig = b.sig
    if sig is None:
        sig = b.sig = Signature(b.fn, 2 if b.recv is not None else 1)
    return sig  # type: ignore[no-any-return]


def call_builtin(th: Any, b: Builtin, args: tuple[Any, ...], kwargs: dict[str, Any] | None) -> Any:
    """Call builtin ``b``; any non-Starlark exception it raises becomes an ``EvalError``."""
    sig = b.sig
    if sig is None:
        sig = signature(b)
    if kwargs or not (sig.nmin <= len(args) <= sig.nmax):
        sig.check(b.name, args, kwargs)
    try:
        recv = b.recv
        if recv is not None:
            if kwargs:
                return b.fn(th, recv, *args, **kwargs)
            return b.fn(th, recv, *args)
        r = b.fn(th, *args, **kwargs) if kwargs else b.fn(th, *args)
        if b.host and type(r) not in _PLAIN:
            from .convert import to_starlark

            r = to_starlark(r)
        return r
    except StarlarkError:
        raise
    except RecursionError:
        raise EvalError(f"{b.name}: maximum recursion depth exceeded") from None
    except MemoryError:
        raise EvalError(f"{b.name}: out of memory") from None
    except Exception as e:  # a host builtin's own failure
        raise EvalError(f"{b.name}: {_describe(e)}") from e


def _describe(e: BaseException) -> str:
    msg = str(e)
    return f"{type(e).__name__}: {msg}" if msg else type(e).__name__
