"""The closure compiler: resolved syntax tree -> nested Python closures with step metering.

``core`` (step costs and charge sites), ``exprs`` (expressions), ``binops`` (specialised
operator closures), ``calls`` (call sites), ``stmts`` (statements, blocks, function bodies),
``function`` (function values and argument binding), ``program`` (compiled files and entry
points).
"""

from .calls import call_value
from .function import Code, Function
from .program import Program, RunResult, compile_program, outcome_of

__all__ = ["Code", "Function", "Program", "RunResult", "call_value", "compile_program",
           "outcome_of"]
