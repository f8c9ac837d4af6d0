"""The Starlark scanner: a custom lark ``Lexer`` that turns source text into tokens.

How it works
------------
One compiled master regular expression (:data:`_MASTER`) is run with ``finditer`` over the
whole text; group 1 is the token, and its first character says which kind it is (a table
lookup, with a second look for the few characters two kinds share), so the main loop is a
short ``if`` chain on a small int. Spaces and tabs between tokens are matched before the
group, so the C regex engine skips them for free; any other character no alternative accepts
is a token of its own and is reported as an error.

Layout is handled inline, the way starlark-go's scanner does it, with no separate post-lexer:

* A newline, together with any following blank or comment-only lines and the indentation of the
  next non-blank line, is a single match. Outside brackets it yields ``NEWLINE`` and then the
  ``INDENT`` / ``DEDENT`` tokens that the new indentation implies (tabs advance to the next
  multiple of 8, as in starlark-go; an unindent to a column that is not on the indentation stack
  is "unindent does not match any outer indentation level").
* Inside ``()``, ``[]`` and ``{}`` newlines are ignored (implicit line joining); a backslash
  before a newline joins lines anywhere.
* At end of input the scanner yields a final ``NEWLINE`` (if the last line had no newline) and
  one ``DEDENT`` per open indentation level, then stops; lark adds ``$END``.

Tokens are :class:`Tok` objects (``type``, ``value``, ``line``, ``column``), cheaper than lark's
``str``-based ``Token``. Punctuation whose position no AST node needs (``,`` ``)`` ``]`` ``}``
``:`` ``;`` ``=``) is yielded as a shared singleton without a position: if the parser rejects
one, :func:`error_offset` recovers the position from the suspended generator's current match.
Identifier names are interned. ``NAME`` and ``LIT`` tokens are the AST's own :class:`Ident` and
:class:`Literal` nodes (a literal's value is its Python value: ``int``, ``float``, ``str`` or
``bytes``). With ``exact=False`` (the parser's fast path, which reports no errors itself)
``NEWLINE``, ``INDENT`` and ``DEDENT`` tokens are shared too: no AST node takes their
positions.

String literals follow starlark-go: ``'..'``, ``".."``, triple-quoted, raw ``r".."``, bytes
``b".."``, and raw bytes ``rb".."`` (``br".."`` is accepted too). Escapes: ``\\a \\b \\f \\n \\r
\\t \\v \\\\ \\' \\"``, backslash-newline (ignored), octal ``\\ooo``, ``\\xhh``, ``\\uXXXX``,
``\\UXXXXXXXX``. In a ``str``, ``\\x`` and octal escapes must be ASCII (< 0x80); in ``bytes`` they
give raw bytes and ``\\u`` gives the code point's UTF-8 encoding. Any other escape is an error.
A ``\\r\\n`` or lone ``\\r`` inside a literal reads as ``\\n``.

Every error is a :class:`starlite.errors.SyntaxError` with ``file:line:col``; columns count
Unicode code points, 1-based.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

from lark.lexer import Lexer

from ..errors import SyntaxError as StarlarkSyntaxError
from .ast import Ident, Literal

#: Deepest allowed nesting of ``(``, ``[`` and ``{``; deeper input is "nesting too deep".
MAX_NESTING = 1000
#: Deepest allowed indentation (number of open blocks), as in CPython.
MAX_INDENT = 100

KEYWORDS = frozenset(
    "and break continue def elif else for if in lambda load not or pass return while".split()
)


class Tok:
    """A token: ``type`` is the grammar terminal name, ``value`` its payload (the operator text,
    the interned identifier name, or a literal's Python value), ``line``/``column`` 1-based."""

    __slots__ = ("type", "value", "line", "column")

    # lark reads these from the last token to position its synthetic ``$END`` token.
    start_pos = None
    end_line = None
    end_column = None
    end_pos = None

    def __init__(self, type: str, value: Any, line: int, column: int) -> None:  # noqa: A002
        self.type = type
        self.value = value
        self.line = line
        self.column = column

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.line}:{self.column})"


# Shared position-less tokens; see the module docstring.
_COMMA = Tok("COMMA", ",", 0, 0)
_RPAR = Tok("RPAR", ")", 0, 0)
_RSQB = Tok("RSQB", "]", 0, 0)
_RBRACE = Tok("RBRACE", "}", 0, 0)
_COLON = Tok("COLON", ":", 0, 0)
_SEMI = Tok("SEMI", ";", 0, 0)
_EQUAL = Tok("EQUAL", "=", 0, 0)
# shared only when tokenize(exact=False)
_NEWLINE = Tok("NEWLINE", "\n", 0, 0)
_INDENT = Tok("INDENT", "", 0, 0)
_DEDENT = Tok("DEDENT", "", 0, 0)

# Operators: text -> terminal name. Singletons are handled separately.
_OPS: dict[str, str] = {
    "(": "LPAR",
    "[": "LSQB",
    "{": "LBRACE",
    ".": "DOT",
    "*": "STAR",
    "**": "STARSTAR",
    "-": "MINUS",
    "+": "PLUS",
    "~": "TILDE",
}
for _op in "| ^ & << >> / // % == != < > <= >=".split():
    _OPS[_op] = "BINOP"
for _op in "+= -= *= /= //= %= &= |= ^= <<= >>=".split():
    _OPS[_op] = "AUGASSIGN"
_SINGLE: dict[str, Tok] = {
    ",": _COMMA,
    ")": _RPAR,
    "]": _RSQB,
    "}": _RBRACE,
    ":": _COLON,
    ";": _SEMI,
    "=": _EQUAL,
}
# Keywords: 'and'/'or' are plain binary operators for the grammar.
_KW: dict[str, str] = {k: k.upper() for k in KEYWORDS}
_KW["and"] = "BINOP"
_KW["or"] = "BINOP"

# The master regex. Every match starts with the blanks before its token (so finditer never
# tries the alternatives at a blank) and captures the token in group 1; blanks at the very end
# match an empty token, so no blank run is ever rescanned. Each alternative begins with a
# literal or a character class, which the regex engine checks before entering it (it cannot
# see through a capturing group, hence one group only), and string bodies are "unrolled" (a
# run of ordinary characters, then one escape or quote at a time): alternation per character
# costs ten times more on long docstrings. The token's kind is read from its first character
# (:data:`_FIRST`), with a second look where two kinds share one (see :func:`tokenize`).
_NL_REST = r"(?:[ \t\f]*(?:\#[^\n]*)?\r?\n)*[ \t\f]*"
_STR_BODY = (
    r"(?:'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'(?!'')[^'\\\n]*(?:\\.[^'\\\n]*)*'"
    r'|"(?!"")[^"\\\n]*(?:\\.[^"\\\n]*)*")'
)
_MASTER = re.compile(
    r"[ \t\f]*("  # blanks: skipped
    # identifier or keyword (not a string's r/b prefix)
    r"[^\W\drb]\w*|r(?!b?['\"])\w*|b(?!r?['\"])\w*"
    # operator
    r"|\*\*|//=|<<=|>>=|[-+*/%&|^=!<>]=|//|<<|>>|[-+*/%&|^<>=~,:;()\[\]{}!]|\.(?!\d)"
    # newline(s), with the comments and blank lines that follow, and the next indentation
    r"|\n" + _NL_REST + r"|\#[^\n]*\r?\n" + _NL_REST + r"|\r\n" + _NL_REST
    # number (checked by decode_number)
    + r"|0[xX][0-9a-fA-F]*|0[oO][0-7]*|0[bB][01]*"
    r"|\d\d*\.?\d*(?:[eE][+-]?\d*)?|\.\d+(?:[eE][+-]?\d*)?"
    # string literal
    r"|" + _STR_BODY + r"|(?:rb|br|r|b)" + _STR_BODY
    # unterminated string
    + r"|'''|\"\"\"|'|\"|(?:rb|br|r|b)(?:'''|\"\"\"|'|\")"
    # comment at the end of the input
    r"|\#[^\n]*"
    # line continuation
    r"|\\\n|\\\r\n"
    # anything else (an error), or the blanks at the end
    r"|[^ \t\f]|\Z)",
    re.DOTALL,
)

# Token kinds, by first character.
(_K_OP, _K_NAME, _K_NL, _K_STR, _K_NUM, _K_RB, _K_DOT, _K_HASH, _K_CR, _K_BSLASH, _K_BAD,
 _K_END) = range(12)
_FIRST: dict[str, int] = {"": _K_END}
for _c in map(chr, range(128)):
    if _c in "rb":
        _FIRST[_c] = _K_RB
    elif _c.isalpha() or _c == "_":
        _FIRST[_c] = _K_NAME
    elif _c.isdigit():
        _FIRST[_c] = _K_NUM
    elif _c in "*/<>=!-+%&|^~,:;()[]{}":
        _FIRST[_c] = _K_OP
    elif _c in "'\"":
        _FIRST[_c] = _K_STR
    else:
        _FIRST[_c] = {".": _K_DOT, "#": _K_HASH, "\n": _K_NL, "\r": _K_CR,
                      "\\": _K_BSLASH}.get(_c, _K_BAD)
# what an unterminated string's token is, its prefix taken off
_BAD_STRINGS = frozenset(("'", '"', "'''", '"""'))


def _first_kind(c: str) -> int:
    """The kind of a token starting with the non-ASCII character ``c``, as the regex has it
    (``\\d``: a Unicode decimal digit; ``\\w``: a letter, digit or underscore)."""
    if c.isdecimal():
        return _K_NUM
    if c.isalnum():
        return _K_NAME
    return _K_BAD


def _pos(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` in ``text``; columns count code points."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _error(filename: str, text: str, offset: int, msg: str) -> StarlarkSyntaxError:
    line, col = _pos(text, offset)
    return StarlarkSyntaxError(filename, line, col, msg)


# ---------------------------------------------------------------------------------------------
# Literals

_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x(.{0,2})|u(.{0,4})|U(.{0,8})|(\r\n|.)|\Z)", re.DOTALL)
_SIMPLE_ESC = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "\n": "",
    "\r\n": "",
    "\r": "",
}
_HEX = re.compile(r"[0-9a-fA-F]+\Z")


def decode_string(raw: str) -> str | bytes:
    """The value of the string literal ``raw`` (prefix and quotes included).

    Raises ``ValueError`` with starlark-go's message for a bad escape sequence.
    """
    i = 0
    is_raw = is_bytes = False
    while raw[i] not in "'\"":
        if raw[i] == "r":
            is_raw = True
        else:
            is_bytes = True
        i += 1
    q = 3 if raw.startswith(raw[i] * 3, i) and len(raw) - i >= 6 else 1
    body = raw[i + q : len(raw) - q]
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    if is_raw or "\\" not in body:
        return body.encode("utf-8") if is_bytes else body
    if is_bytes:
        return _unescape_bytes(body)
    return _ESCAPE.sub(_str_escape, body)


def _str_escape(m: re.Match[str]) -> str:
    octal, hx, u4, u8, simple = m.groups()
    if simple is not None:
        s = _SIMPLE_ESC.get(simple)
        if s is None:
            raise ValueError(f"invalid escape sequence \\{simple}")
        return s
    if octal is not None:
        n = int(octal, 8)
        if n > 127:
            raise ValueError(
                f"non-ASCII octal escape \\{n:o} (use \\u{n:04X} for the UTF-8 encoding of "
                f"U+{n:04X})"
            )
        return chr(n)
    if hx is not None:
        n = _hex_value(m, hx, 2)
        if n > 127:
            raise ValueError(
                f"non-ASCII hex escape \\x{hx} (use \\u{n:04X} for the UTF-8 encoding of U+{n:04X})"
            )
        return chr(n)
    if u4 is not None:
        return _code_point(m, u4, 4)
    if u8 is not None:
        return _code_point(m, u8, 8)
    raise ValueError("truncated escape sequence \\")


def _hex_value(m: re.Match[str], digits: str, size: int) -> int:
    if len(digits) < size:
        raise ValueError(f"truncated escape sequence {m.group(0)}")
    if not _HEX.match(digits):
        raise ValueError(f"invalid escape sequence {m.group(0)}")
    return int(digits, 16)


def _code_point(m: re.Match[str], digits: str, size: int) -> str:
    n = _hex_value(m, digits, size)
    if n > 0x10FFFF:
        raise ValueError(f"code point out of range: {m.group(0)} (max \\U{0x10FFFF:08x})")
    if 0xD800 <= n < 0xE000:
        raise ValueError(f"invalid Unicode code point U+{n:04X}")
    return chr(n)


def _unescape_bytes(body: str) -> bytes:
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(body):
        out += body[pos : m.start()].encode("utf-8")
        pos = m.end()
        octal, hx, u4, u8, simple = m.groups()
        if octal is not None:
            n = int(octal, 8)
            if n > 255:
                raise ValueError(f"invalid escape sequence \\{n:03o}")
            out.append(n)
        elif hx is not None:
            out.append(_hex_value(m, hx, 2))
        else:
            out += _str_escape(m).encode("utf-8")
    out += body[pos:].encode("utf-8")
    return bytes(out)


def decode_number(raw: str) -> int | float:
    """The value of the number literal ``raw``; ``ValueError`` with starlark-go's message."""
    c = raw[0]
    if c == "0" and len(raw) > 1:
        k = raw[1]
        if k in "xX":
            digits, base, what = raw[2:], 16, "hex"
        elif k in "oO":
            digits, base, what = raw[2:], 8, "octal"
        elif k in "bB":
            digits, base, what = raw[2:], 2, "binary"
        else:
            digits = ""
        if digits or k in "xXoObB":
            try:
                if not digits or "_" in digits:
                    raise ValueError
                return int(digits, base)
            except ValueError:
                raise ValueError(f"invalid {what} literal") from None
    if "." in raw or "e" in raw or "E" in raw:
        try:
            f = float(raw)
        except ValueError:
            raise ValueError("invalid float literal") from None
        if f == float("inf"):
            raise ValueError("invalid float literal")
        return f
    if c == "0" and len(raw) > 1:
        if raw.strip("0") == "":
            return 0
        if raw.isdigit() and not any(d in raw for d in "89"):
            raise ValueError(f"obsolete form of octal literal; use 0o{raw[1:]}")
        raise ValueError("invalid int literal")
    return int(raw)


# ---------------------------------------------------------------------------------------------
# The scanner

# Indentation of the first line (a file may not start indented).
_FIRST_INDENT = re.compile(r"[ \t\f]+(?=[^ \t\f#\r\n])")


def _indent_col(ind: str) -> int:
    """Width of leading whitespace ``ind``: a tab advances to the next multiple of 8."""
    if "\t" not in ind and "\f" not in ind:
        return len(ind)
    col = 0
    for ch in ind:
        if ch == "\t":
            col += 8 - col % 8
        elif ch == "\f":
            col = 0
        else:
            col += 1
    return col


def tokenize(
    text: str, filename: str = "<input>", expr_mode: bool = False, exact: bool = True
) -> Iterator[Tok | Ident | Literal]:
    """Yield the tokens of ``text``. With ``expr_mode`` (for ``parse_expr``) the whole text is
    one logical line, as if inside brackets: newlines are ignored and there is no indentation.
    ``exact=False``: the tokens whose positions only error messages use are shared (see the
    module docstring).

    The local ``m`` always holds the match of the token last yielded: :func:`error_offset` reads
    it to place an error at a position-less singleton token.
    """
    intern = sys.intern
    kwget = _KW.get
    opget = _OPS.get
    single = _SINGLE.get
    newtok = Tok
    new_ident = Ident  # the NAME token is the AST node itself (see ast.Ident)
    first_kind = _FIRST.get
    nl_tok, indent_tok, dedent_tok = (None, None, None) if exact else (_NEWLINE, _INDENT, _DEDENT)
    bad_strings = _BAD_STRINGS
    new_lit = Literal  # the LIT token is the AST node itself (see ast.Literal)
    ntext = len(text)

    depth = 1 if expr_mode else 0
    indents = [0]
    line = 1
    line_start = 0  # offset of the first character of the current line
    emitted = False  # any token yet? (an empty or comment-only file is one NEWLINE)
    line_has_token = False  # the current logical line has a token, so a NEWLINE is due

    if not expr_mode:
        first = _FIRST_INDENT.match(text)
        if first is not None:
            raise _error(filename, text, first.end(), "unexpected indentation")

    for m in _MASTER.finditer(text):
        s: str = m.group(1)
        k = first_kind(s[:1])
        if k is None:
            k = _first_kind(s[0])
        if k == _K_RB:  # an identifier, or a string with an r/b prefix
            k = _K_STR if s[-1] in "'\"" else _K_NAME
        if k == _K_NAME:
            t = kwget(s)
            if t is None:
                yield new_ident(intern(s), line, m.start(1) - line_start + 1)
            else:
                yield newtok(t, s, line, m.start(1) - line_start + 1)
            line_has_token = True
            continue
        if k == _K_DOT:
            k = _K_OP if len(s) == 1 else _K_NUM
        if k == _K_OP:
            tk = single(s)
            if tk is not None:
                if s == ")" or s == "]" or s == "}":
                    if depth == 0:
                        raise _error(filename, text, m.start(1), f"unexpected '{s}'")
                    depth -= 1
                yield tk
            else:
                t = opget(s)
                if t is None:  # a lone '!'
                    raise _error(filename, text, m.start(1), f"unexpected input character '{s}'")
                if s == "(" or s == "[" or s == "{":
                    depth += 1
                    if depth > MAX_NESTING:
                        raise _error(filename, text, m.start(1), "nesting too deep")
                yield newtok(t, s, line, m.start(1) - line_start + 1)
            line_has_token = True
            continue
        if k == _K_HASH or k == _K_CR:
            if "\n" in s:
                k = _K_NL
            elif k == _K_HASH:  # a comment at the end of the input
                continue
            else:
                k = _K_BAD
        if k == _K_NL:
            if depth == 0 and line_has_token:
                # The NEWLINE is positioned at the end of the line (after any comment).
                if nl_tok is not None:
                    yield nl_tok
                else:
                    nl = s.find("\n")
                    if nl and s[nl - 1] == "\r":
                        nl -= 1
                    yield newtok("NEWLINE", "\n", line, m.start(1) + nl - line_start + 1)
                line_has_token = False
                emitted = True
            line += s.count("\n")
            end = m.end()
            line_start = m.start(1) + s.rfind("\n") + 1
            if depth == 0 and end < ntext:
                col = _indent_col(text[line_start:end])
                if col > indents[-1]:
                    if len(indents) > MAX_INDENT:
                        raise _error(filename, text, end, "too many indentation levels")
                    indents.append(col)
                    yield indent_tok or newtok("INDENT", "", line, end - line_start + 1)
                elif col < indents[-1]:
                    while col < indents[-1]:
                        indents.pop()
                        yield dedent_tok or newtok("DEDENT", "", line, end - line_start + 1)
                    if col != indents[-1]:
                        msg = "unindent does not match any outer indentation level"
                        raise _error(filename, text, end, msg)
        elif k == _K_STR:
            if s.lstrip("rb") in bad_strings:
                if s.endswith(("'''", '"""')) or "\n" not in text[m.end() :]:
                    msg = "unexpected EOF in string"
                else:
                    msg = "unexpected newline in string"
                raise _error(filename, text, m.start(1), msg)
            try:
                v: Any = decode_string(s)
            except ValueError as e:
                raise _error(filename, text, m.start(1), str(e)) from None
            yield new_lit(v, line, m.start(1) - line_start + 1)
            line_has_token = True
            if "\n" in s:
                line += s.count("\n")
                line_start = m.start(1) + s.rfind("\n") + 1
        elif k == _K_NUM:
            try:
                v = decode_number(s)
            except ValueError as e:
                raise _error(filename, text, m.start(1), str(e)) from None
            yield new_lit(v, line, m.start(1) - line_start + 1)
            line_has_token = True
        elif k == _K_BSLASH and len(s) > 1:  # a line continuation
            line += 1
            line_start = m.end()
        elif k == _K_END:
            pass
        else:  # _K_BAD, or a backslash not before a newline
            if s == "\\":
                raise _error(filename, text, m.start(1), "stray backslash in program")
            raise _error(filename, text, m.start(1), f"unexpected input character {s!r}")

    # End of input. Inside brackets nothing more: the parser reports "got end of file".
    if depth > (1 if expr_mode else 0):
        return
    if line_has_token or expr_mode or not emitted:
        yield newtok("NEWLINE", "\n", line, ntext - line_start + 1)
    for _ in range(len(indents) - 1):
        yield newtok("DEDENT", "", line, ntext - line_start + 1)


def error_offset(gen: Any) -> int | None:
    """Offset in the text of the token that ``gen`` (a suspended :func:`tokenize` generator)
    yielded last, or None if the generator has finished."""
    frame = getattr(gen, "gi_frame", None)
    if frame is None:
        return None
    m = frame.f_locals.get("m")
    return None if m is None else m.start(1)


class StarlarkLexer(Lexer):
    """The lark lexer class: ``Lark(..., lexer=StarlarkLexer)``.

    lark instantiates it once per grammar; :meth:`lex` is called once per parse. The parser
    module sets :attr:`filename` and :attr:`expr_mode` before each parse (parses are serialised
    by a lock) and reads :attr:`gen` to locate errors.
    """

    __future_interface__ = 2

    filename = "<input>"
    expr_mode = False
    gen: Iterator[Tok | Ident | Literal] | None = None

    def __init__(self, lexer_conf: Any = None) -> None:
        pass

    def lex(self, lexer_state: Any, parser_state: Any) -> Iterator[Tok | Ident | Literal]:  # type: ignore[override]
        text = lexer_state.text
        text = getattr(text, "text", text)
        gen = tokenize(text, self.filename, self.expr_mode)
        self.gen = gen
        return gen
