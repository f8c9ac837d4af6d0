"""``struct(**fields)`` and ``module(name, **members)``: the record types hosts often predeclare.

A struct is an immutable bag of named fields (``s.a``); its fields are kept sorted by name, as
starlark-go's ``starlarkstruct`` does, so ``repr``, ``dir`` and JSON encoding are stable. A module
is a named namespace (``<module "json">``).
"""

from __future__ import annotations

from typing import Any

from ..errors import EvalError
from ..values.core import Builtin, Module, Struct
from .common import want_str


def struct_(th: Any, /, *args: Any, **kwargs: Any) -> Struct:
    if args:
        raise EvalError("struct: unexpected positional arguments")
    return Struct(**dict(sorted(kwargs.items())))


def module_(th: Any, name: Any, /, **kwargs: Any) -> Module:
    name = want_str("module", 1, name)
    return Module(name, **kwargs)


struct_builtin = Builtin("struct", struct_)
module_builtin = Builtin("module", module_)

__all__ = ["module_builtin", "struct_builtin"]
