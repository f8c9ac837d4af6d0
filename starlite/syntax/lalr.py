"""A lean driver for lark's LALR(1) tables: the fast path of every parse.

Lark analyses the grammar and builds the tables; :func:`lark.parsers.lalr_parser_state.
ParserState.feed_token` is its driver loop, which per token looks up two dicts, checks an
assertion, asks whether the token type has a callback and, per reduction, slices the value
stack even for a pass-through rule. :class:`Driver` runs the same automaton on the same
tables, reshaped once:

* one row per state in a list indexed by the state number; in a row, a terminal maps to an
  ``int`` (shift to that state) or to a reduction record ``(size, callback, origin)``, and a
  nonterminal maps to its goto state;
* a pass-through rule of one symbol (``test: expr``, callback ``itemgetter(0)``) only
  replaces the top state: the value stays where it is.

So it makes exactly lark's reductions, in lark's order, with the same callbacks. It reports
no errors of its own: when the input does not parse (no action for a token) it raises
:class:`Reject`, and the caller parses again with lark's own loop, whose ``UnexpectedToken``
(with its interactive parser) the error messages are made from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lark.parsers.lalr_analysis import Shift


class Reject(Exception):
    """The token stream has no parse: let lark's own loop report it."""


class Driver:
    """The LALR automaton of one start symbol of a built lark parser."""

    __slots__ = ("rows", "start", "end")

    def __init__(self, parse_table: Any, callbacks: dict[Any, Any], start: str,
                 pass_through: Any) -> None:
        if any(isinstance(k, str) for k in callbacks):  # token callbacks: not supported
            raise ValueError("terminal callbacks are not supported")
        states = parse_table.states
        rows: list[dict[str, Any]] = [{} for _ in range(max(states) + 1)]
        records: dict[Any, tuple[int, Any, str]] = {}
        for state, actions in states.items():
            row = rows[state]
            for sym, (action, arg) in actions.items():
                if action is Shift:
                    row[sym] = arg
                    continue
                rec = records.get(arg)
                if rec is None:
                    cb = callbacks[arg]
                    size = len(arg.expansion)
                    rec = records[arg] = (size, None if cb is pass_through and size == 1
                                          else cb, arg.origin.name)
                row[sym] = rec
        self.rows = rows
        self.start = parse_table.start_states[start]
        self.end = parse_table.end_states[start]

    def parse(self, tokens: Iterable[Any]) -> Any:
        """The value of the start symbol; :class:`Reject` if ``tokens`` do not parse."""
        rows = self.rows
        sstack = [self.start]
        vstack: list[Any] = []
        push_s = sstack.append
        push_v = vstack.append
        row = rows[self.start]
        try:
            for tok in tokens:
                tt = tok.type
                while True:
                    act = row[tt]
                    if act.__class__ is int:
                        push_s(act)
                        push_v(tok)
                        row = rows[act]
                        break
                    size, cb, origin = act
                    if cb is None:  # pass-through: the value stays, the state changes
                        act = rows[sstack[-2]][origin]
                        sstack[-1] = act
                        row = rows[act]
                        continue
                    if size:
                        s = vstack[-size:]
                        del vstack[-size:]
                        del sstack[-size:]
                    else:
                        s = []
                    act = rows[sstack[-1]][origin]
                    push_v(cb(s))
                    push_s(act)
                    row = rows[act]
            end = self.end
            while True:
                act = row["$END"]
                if act.__class__ is int:
                    raise Reject
                size, cb, origin = act
                if cb is None:
                    act = rows[sstack[-2]][origin]
                    sstack[-1] = act
                else:
                    if size:
                        s = vstack[-size:]
                        del vstack[-size:]
                        del sstack[-size:]
                    else:
                        s = []
                    act = rows[sstack[-1]][origin]
                    push_v(cb(s))
                    push_s(act)
                if act == end:
                    return vstack[-1]
                row = rows[act]
        except KeyError:
            raise Reject from None
