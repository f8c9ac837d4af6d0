"""Operand and branch inlining: one closure for a statement or expression and what is under it.

A template closure reads an operand of shape G (see ``shapes``) by calling that operand's
closure: ``v1 = O1(fr)``. When that closure was itself made from a template that returns a
value (an operator, ``d.get(k, 0)``, a method call, a constant-format ``%`` ...), its text can
take the place of the call: the text runs in a one-pass ``while True:`` loop, each
``return X`` becoming ``v1 = X`` and a ``break``. Every name of the inlined text (its
variables, its factory's parameters, its globals) gets a suffix, so nothing clashes with the
text around it; its factory's parameters are appended to the outer factory's.

The text is the one the call would have run, in the same place of the evaluation order, so
results, errors, their positions and step charges are unchanged; a Python call per
evaluation is saved. Combined factories are built once per (outer factory, operand, inner
factory) and cached; :func:`inline_operands` gives up (keeps the call) beyond a size bound.

:func:`inline_body` does the same for an ``if`` whose branch is one statement made from a
template (``return BODY(fr)`` in the ``if`` closure): the statement's text runs there, its
bare ``return`` becoming a ``break``. An ``if`` whose branches are all inlined returns None on
every path, so it is a statement recipe too, and a loop whose body it is runs it inline
(``shapes.loop_variant``).
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
from collections.abc import Callable
from typing import Any

from . import shapes  # (shapes imports this module: names are looked up when used)

# A read of operand i through its closure, as ``shapes`` writes it.
_CALL_READ = re.compile(r"^( *)(\w+) = O(\d+)\(fr\)$", re.M)
_VALUE_RETURN = re.compile(r"^( *)return (.+)$", re.M)
_BARE_RETURN = re.compile(r"^ *return *$", re.M)
_BUILTINS = frozenset(dir(builtins))

# Bounds: lines of an inlined text, lines of a combined closure, combinations per process.
MAX_INNER_LINES = 128
MAX_LINES = 400
MAX_COMBINED = 4096

_combined: dict[tuple[Any, ...], Callable[..., Any] | None] = {}
# Off: every closure keeps its calls (the tests compare both ways).
ENABLED = True


_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_STRING = re.compile(r"""('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""")
_KEYWORD_ARG = re.compile(r"[(,]\s*\w+\s*=(?!=)")
_REFUSE = frozenset(("def", "lambda", "class", "global", "nonlocal", "import"))
_renamed: dict[tuple[Any, str], str | None] = {}


def rename_text(text: str, keep: frozenset[str] | set[str], suffix: str) -> str | None:
    """``text`` (template code) with every name but ``fr``, Python's keywords, the names in
    ``keep`` and attribute names suffixed with ``suffix``, so that it can share a function
    with other texts; None if it has anything this does not handle: an f-string or a string
    over several lines, a keyword argument, a definition, a name in ``keep`` assigned to.
    Plain one-line string literals are left as they are."""
    out: list[str] = []
    for ln in text.split("\n"):
        parts = _STRING.split(ln)  # code, string, code, string, ..., code
        new: list[str] = []
        for i, part in enumerate(parts):
            if i % 2:  # a string literal
                if parts[i - 1][-1:].isalnum():  # a prefix (f"", rb"") or a name before it
                    return None
                new.append(part)
                continue
            code, hash_, comment = part.partition("#")
            if "'" in code or '"' in code or _KEYWORD_ARG.search(code):
                return None
            for m in _NAME.finditer(code):
                name = m.group()
                if name in _REFUSE or (name in keep and re.match(r"\s*=(?!=)", code[m.end():])):
                    return None
            new.append(_NAME.sub(lambda m: _suffixed(m.group(), keep, suffix), code))
            if hash_:
                new.append(hash_ + comment + "".join(parts[i + 1:]))
                break
        out.append("".join(new))
    return "\n".join(out)


def _suffixed(name: str, keep: frozenset[str] | set[str], suffix: str) -> str:
    if keyword.iskeyword(name) or name == "fr" or name in keep:
        return name
    return name + suffix


def _rename(inner: Any, suffix: str) -> str | None:
    """:func:`rename_text` of the text of ``inner``'s closures (a factory's recipe), keeping
    Python's builtins that it does not shadow; cached."""
    key = (inner, suffix)
    if key in _renamed:
        return _renamed[key]
    _name, text, args, ns, _kind = shapes.RECIPES[inner]
    r = rename_text(text, builtin_names(args, ns), suffix)
    _renamed[key] = r
    return r


def builtin_names(args: str, ns: dict[str, Any]) -> frozenset[str]:
    """Python's builtins that a template with parameters ``args`` and globals ``ns`` uses as
    builtins (the ones it does not shadow): they keep their names when it is renamed."""
    return _BUILTINS.difference([p.strip() for p in args.split(",")], ns)


def _returns_in_loop(text: str) -> bool:
    """Whether a ``return`` of ``text`` is inside a loop (where a ``break`` would end that
    loop instead of the inlined text)."""
    blocks: list[tuple[int, bool]] = []  # enclosing block headers: indentation, is a loop
    for ln in text.split("\n"):
        body = ln.lstrip()
        if not body or body.startswith("#"):
            continue
        k = len(ln) - len(body)
        while blocks and blocks[-1][0] >= k:
            blocks.pop()
        if body.startswith("return") and any(loop for _, loop in blocks):
            return True
        if body.endswith(":"):
            blocks.append((k, body.startswith(("for ", "while ", "async "))))
    return False


def _prepare(outer: Any, inner: Any, ikind: str, where: str,
             suffix: str) -> tuple[re.Match[str], str, list[str], str] | None:
    """What combining ``inner``'s text into ``outer``'s needs, or None if it cannot be done:
    the match of ``where`` (the call to replace) in the outer text, the inner text renamed
    with ``suffix``, the inner factory's parameters, and the suffix. ``inner`` must make
    ``ikind`` closures ("expr": every path returns a value; "stmt": none does) with no
    return inside a loop and no more than MAX_INNER_LINES lines."""
    text = shapes.RECIPES[outer][1]
    _iname, itext, iargs, _ins, kind = shapes.RECIPES[inner]
    wrong = _BARE_RETURN if ikind == "expr" else _VALUE_RETURN
    if kind != ikind or wrong.search(itext) or _returns_in_loop(itext):
        return None
    if itext.count("\n") + 1 > MAX_INNER_LINES:
        return None
    m = re.search(where, text, re.M)
    if m is None:
        return None
    renamed = _rename(inner, suffix)
    if renamed is None:
        return None
    return m, renamed, [p.strip() for p in iargs.split(",") if p.strip()], suffix


def _combine(outer: Any, index: int, inner: Any) -> Callable[..., Any] | None:
    """The factory of ``outer``'s closure with operand ``index`` read by ``inner``'s text."""
    p = _prepare(outer, inner, "expr", rf"^( *)(\w+) = O{index}\(fr\)$", f"_q{index}")
    if p is None:
        return None
    m, renamed, params, suffix = p
    name, text, args, ns, kind = shapes.RECIPES[outer]
    iname, ins = shapes.RECIPES[inner][0], shapes.RECIPES[inner][3]
    indent, target = m.group(1), m.group(2)
    body = _VALUE_RETURN.sub(lambda r: f"{r.group(1)}{target} = {r.group(2)}\n"
                                       f"{r.group(1)}break", renamed)
    block = "\n".join((indent + "    " + ln[8:]) if ln.strip() else ln
                      for ln in body.split("\n"))
    # (a text that ends without a return gives None, as the call would)
    block += f"\n{indent}    {target} = None\n{indent}    break"
    new_text = text[:m.start()] + f"{indent}while True:\n{block}" + text[m.end():]
    if new_text.count("\n") + 1 > MAX_LINES:
        return None
    new_args = ", ".join([args] + [p + suffix for p in params])
    return _build(name, iname, new_text, new_args, ns, ins, suffix, kind)


def _build(name: str, iname: str, text: str, args: str, ns: dict[str, Any],
           ins: dict[str, Any], suffix: str, kind: str) -> Callable[..., Any] | None:
    """Compile the factory of a combined closure and record its recipe."""
    code = f"def factory({args}):\n    def {name}(fr):\n{text}\n    return {name}\n"
    lns = {k: v for k, v in ns.items() if k not in ("factory", "__builtins__")}
    lns.update({k + suffix: v for k, v in ins.items() if k not in ("factory", "__builtins__")})
    try:
        exec(compile(code, f"<starlite {name}+{iname}>", "exec"), lns)  # noqa: S102
    except SyntaxError:  # a text this does not know how to cut (a return over two lines)
        return None
    factory = lns["factory"]
    shapes.RECIPES[factory] = (name, text, args, lns, kind)
    return factory  # type: ignore[no-any-return]


def _combine_body(outer: Any, param: str, inner: Any) -> Callable[..., Any] | None:
    """The factory of ``outer``'s closure with ``return PARAM(fr)`` (or the statement
    ``PARAM(fr)``) replaced by the text of ``inner``, a statement (its closures return
    None)."""
    p = _prepare(outer, inner, "stmt", rf"^( *)(return )?{param}\(fr\)$",
                 f"_{param.lower()}")
    if p is None:
        return None
    m, renamed, params, suffix = p
    name, text, args, ns, kind = shapes.RECIPES[outer]
    iname, ins = shapes.RECIPES[inner][0], shapes.RECIPES[inner][3]
    indent = m.group(1)
    body = re.sub(r"^( *)return *$", lambda r: f"{r.group(1)}break", renamed, flags=re.M)
    block = "\n".join((indent + "    " + ln[8:]) if ln.strip() else ln
                      for ln in body.split("\n"))
    new_text = (text[:m.start()] + f"{indent}while True:\n{block}\n{indent}    break"
                + (f"\n{indent}return" if m.group(2) else "")
                + text[m.end():])
    if new_text.count("\n") + 1 > MAX_LINES:
        return None
    bare = re.sub(r"^( *)return None$", r"\1return", new_text, flags=re.M)
    if not _VALUE_RETURN.search(bare):
        new_text, kind = bare, "stmt"  # every way out returns None
    # (else its `return None`s stay: a text of value returns can be an operand in turn)
    new_args = ", ".join([args] + [p + suffix for p in params])
    return _build(name, iname, new_text, new_args, ns, ins, suffix, kind)


def _combine_tail(outer: Any, param: str, inner: Any) -> Callable[..., Any] | None:
    """The factory of ``outer``'s closure with ``return PARAM(fr)`` replaced by the text of
    ``inner``, whatever it returns: in that tail position the inner text's returns are the
    outer closure's own (a path that falls off its end returns None, as the call did)."""
    text = shapes.RECIPES[outer][1]
    _iname, itext, iargs, ins, _kind = shapes.RECIPES[inner]
    if itext.count("\n") + 1 > MAX_INNER_LINES:
        return None
    m = re.search(rf"^( *)return {param}\(fr\)$", text, re.M)
    if m is None:
        return None
    suffix = f"_{param.lower()}"
    renamed = _rename(inner, suffix)
    if renamed is None:
        return None
    name, text, args, ns, kind = shapes.RECIPES[outer]
    indent = m.group(1)
    block = "\n".join((indent + ln[8:]) if ln.strip() else ln for ln in renamed.split("\n"))
    new_text = text[:m.start()] + block + f"\n{indent}return None" + text[m.end():]
    if new_text.count("\n") + 1 > MAX_LINES:
        return None
    bare = re.sub(r"^( *)return None$", r"\1return", new_text, flags=re.M)
    if _VALUE_RETURN.search(bare):  # returns values: every return gives one
        new_text, kind = re.sub(r"^( *)return *$", r"\1return None", new_text, flags=re.M), "expr"
    else:
        new_text, kind = bare, "stmt"
    params = [p.strip() for p in iargs.split(",") if p.strip()]
    new_args = ", ".join([args] + [p + suffix for p in params])
    return _build(name, shapes.RECIPES[inner][0], new_text, new_args, ns, ins, suffix, kind)


def _combine_branch(outer: Any, param: str, inner: Any) -> Callable[..., Any] | None:
    """:func:`_combine_body`, or for a branch whose statement returns something (a
    ``return``, ``break`` ...), :func:`_combine_tail`."""
    return _combine_body(outer, param, inner) or _combine_tail(outer, param, inner)


def _TAIL_ENABLED() -> bool:
    flat = sys.modules.get(__package__ + ".flat")  # (flat imports this module)
    return bool(flat is not None and flat.ENABLED)


def inline_body(closure: Any, param: str) -> Any:
    """``closure``, whose text ends a path with ``return PARAM(fr)`` (an ``if`` and its
    branch) or runs the statement ``PARAM(fr)`` (a statement of a sequence, a loop's body),
    with the text of that statement closure there instead of the call."""
    recipe = getattr(closure, "_recipe", None)
    if recipe is None or not ENABLED:
        return closure
    factory, values = recipe
    args = _params.get(factory)
    if args is None:
        args = _params[factory] = [p.strip() for p in shapes.RECIPES[factory][2].split(",")]
    if param not in args:
        return closure
    inner = getattr(values[args.index(param)], "_recipe", None)
    if inner is None:
        return closure
    # (a statement that returns something is written in only while ``flat`` is on, so the
    # cache keeps the two ways apart)
    tail = _TAIL_ENABLED()
    combined = _cached((factory, param, inner[0]), _combine_branch if tail else _combine_body,
                       tail)
    if combined is None:
        return closure
    values = (*values, *inner[1])
    closure = combined(*values)
    closure._recipe = (combined, values)
    return closure


def _cached(key: tuple[Any, Any, Any], build: Any, variant: bool = False
            ) -> Callable[..., Any] | None:
    """The combined factory for ``key`` (built by ``build(*key)`` the first time), or None
    when there is none (or the cache is full); ``variant`` tells two builders apart."""
    ckey = (*key, variant)
    if ckey in _combined:
        return _combined[ckey]
    if len(_combined) >= MAX_COMBINED:
        return None
    f: Callable[..., Any] | None = build(*key)
    _combined[ckey] = f
    return f


def _call_reads(factory: Any) -> tuple[int, ...]:
    """The operands that ``factory``'s closures read through a call (once per factory)."""
    r = _reads.get(factory)
    if r is None:
        text = shapes.RECIPES[factory][1]
        r = _reads[factory] = tuple(int(m.group(3)) for m in _CALL_READ.finditer(text))
    return r


_reads: dict[Any, tuple[int, ...]] = {}
_params: dict[Any, list[str]] = {}


def inline_operands(closure: Any) -> Any:
    """``closure`` with the template closures of its G-shaped operands inlined (a closure
    that was not made from a template, or has no such operand, comes back as it is)."""
    recipe = getattr(closure, "_recipe", None) if ENABLED else None
    while recipe is not None:
        factory, values = recipe
        for i in _call_reads(factory):
            inner = getattr(values[i], "_recipe", None)
            if inner is None:
                continue
            combined = _cached((factory, i, inner[0]), _combine)
            if combined is None:
                continue
            values = (*values, *inner[1])
            closure = combined(*values)
            closure._recipe = recipe = (combined, values)
            break
        else:
            return closure
    return closure
