"""The closure compiler: resolved syntax tree -> nested Python closures with step metering.

``core`` (step costs, charged nodes, small analyses), ``exprs`` (expressions), ``stmts``
(statements, blocks, loops, function bodies), ``calls`` (call sites), ``function`` (function
values and argument binding), ``program`` (compiled files and entry points).

Specialised closures: ``shapes`` (operand shapes and the closure templates, loops built
around a template's text), ``binops`` (operators), ``fuse`` (integer arithmetic fused into
one closure), ``percent`` (constant ``%`` formats), ``comploop`` (comprehensions as one
generated loop), ``inline`` (template closures pasted into the closures that call them),
``leafcall`` (one-expression helpers inlined at their call sites).
"""

from .calls import call_value
from .function import Code, Function
from .program import Program, RunResult, compile_program, outcome_of

__all__ = ["Code", "Function", "Program", "RunResult", "call_value", "compile_program",
           "outcome_of"]
