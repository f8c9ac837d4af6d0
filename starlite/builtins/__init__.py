"""The builtins library: the universe (``len``, ``range`` ...), the methods of ``str``,
``bytes``, ``list``, ``dict`` and ``set``, and the optional ``json`` and ``math`` modules.

Importing this package registers the methods in :data:`starlite.values.ops.METHODS` (which
``x.name`` reads) and builds :data:`UNIVERSE`, the names every Starlark file sees.
``json_module``, ``math_module``, ``struct_builtin`` and ``module_builtin`` are not in the
universe; a host predeclares the ones it wants.
"""

from __future__ import annotations

from typing import Any

from ..values import ops
from ..values.core import Builtin, Dict, List, Set
from . import bytes_methods, dicts, lists, sets, strings, universe
from .json import json_module
from .math import math_module
from .structs import module_builtin, struct_builtin

ops.METHODS[str] = strings.METHODS
ops.METHODS[bytes] = bytes_methods.METHODS
ops.METHODS[List] = lists.METHODS
ops.METHODS[Dict] = dicts.METHODS
ops.METHODS[Set] = sets.METHODS

UNIVERSE: dict[str, Any] = {"None": None, "True": True, "False": False}
UNIVERSE.update((name, Builtin(name, fn)) for name, fn in universe.FUNCTIONS.items())
for _b in UNIVERSE.values():
    if type(_b) is Builtin:
        _b.host = False

__all__ = ["UNIVERSE", "json_module", "math_module", "module_builtin", "struct_builtin"]
