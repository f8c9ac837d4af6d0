"""Starlark syntax: the lexer, the LALR grammar and the typed AST.

``parse_file(filename, source)`` parses a file and ``parse_expr(filename, source)`` an
expression; both return an :class:`ast.File` and raise :class:`starlite.errors.SyntaxError`.
"""

from . import ast
from .parser import parse_expr, parse_file

__all__ = ["ast", "parse_file", "parse_expr"]
