"""The scanner's token kinds where one first character starts two kinds of token (a name or
a prefixed string, ``.`` or a number, ``#`` a newline or a comment at the end, ``\\`` a line
continuation or an error), unrolled string bodies with quotes and escapes inside, and long
docstrings."""

from __future__ import annotations

from typing import Any

import pytest

from starlite.errors import SyntaxError as StarlarkSyntaxError
from starlite.syntax.lexer import tokenize


def toks(src: str) -> list[tuple[str, Any, int, int]]:
    return [(t.type, t.value, t.line, t.column) for t in tokenize(src)
            if t.type not in ("EQUAL", "PLUS")]


def test_string_prefixes_and_names_starting_with_r_or_b() -> None:
    assert toks('x = r"a\\"b" + b"c" + rb"d" + br"e" + rr + b2 + r') == [
        ("NAME", "x", 1, 1), ("LIT", 'a\\"b', 1, 5), ("LIT", b"c", 1, 15), ("LIT", b"d", 1, 22),
        ("LIT", b"e", 1, 30), ("NAME", "rr", 1, 38), ("NAME", "b2", 1, 43), ("NAME", "r", 1, 48),
        ("NEWLINE", "\n", 1, 49)]


def test_quotes_and_escapes_inside_strings() -> None:
    assert toks("s = '''it's \"\"\"q'''''") == [
        ("NAME", "s", 1, 1), ("LIT", 'it\'s """q', 1, 5), ("LIT", "", 1, 20),
        ("NEWLINE", "\n", 1, 22)]
    assert toks('x = """a\\"""""" + ""') == [
        ("NAME", "x", 1, 1), ("LIT", 'a"', 1, 5), ("LIT", "", 1, 14), ("LIT", "", 1, 19),
        ("NEWLINE", "\n", 1, 21)]
    assert toks("x = 'a\\\nb'") == [("NAME", "x", 1, 1), ("LIT", "ab", 1, 5),
                                   ("NEWLINE", "\n", 2, 3)]


def test_long_docstring_counts_its_lines() -> None:
    doc = '"""Summary.\n\n' + "    text 'quoted' \"too\" \\\\ x\n" * 200 + '    """\ny = 1\n'
    out = toks(doc)
    assert out[0][0] == "LIT" and out[0][1].count("\n") == 202
    assert out[2] == ("NAME", "y", 204, 1)


def test_dot_number_comment_continuation_unicode() -> None:
    assert toks("f = .5 + x.y") == [
        ("NAME", "f", 1, 1), ("LIT", 0.5, 1, 5), ("NAME", "x", 1, 10), ("DOT", ".", 1, 11),
        ("NAME", "y", 1, 12), ("NEWLINE", "\n", 1, 13)]
    assert toks("x = 1 # c") == [("NAME", "x", 1, 1), ("LIT", 1, 1, 5), ("NEWLINE", "\n", 1, 10)]
    assert toks("x = 1\r\ny = \\\n 2\n") == [
        ("NAME", "x", 1, 1), ("LIT", 1, 1, 5), ("NEWLINE", "\n", 1, 6), ("NAME", "y", 2, 1),
        ("LIT", 2, 3, 2), ("NEWLINE", "\n", 3, 3)]
    assert toks("\u00e9 = \u0663") == [("NAME", "\u00e9", 1, 1), ("LIT", 3, 1, 5),
                                       ("NEWLINE", "\n", 1, 6)]


@pytest.mark.parametrize(("src", "msg"), [
    ('x = "abc', "1:5: unexpected EOF in string"),
    ("x = '''abc", "1:5: unexpected EOF in string"),
    ("x = rb'abc\ny = 1", "1:5: unexpected newline in string"),
    ("x = \\ 1", "1:5: stray backslash in program"),
    ("x = 1\ry", "1:6: unexpected input character '\\r'"),
    ("x = 1 $", "1:7: unexpected input character '$'"),
])
def test_scan_errors(src: str, msg: str) -> None:
    with pytest.raises(StarlarkSyntaxError) as e:
        list(tokenize(src))
    assert str(e.value).endswith(msg)
