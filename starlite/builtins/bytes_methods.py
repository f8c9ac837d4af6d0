"""The methods of ``bytes``: ``elems()``, an iterable of the byte values (ints 0-255)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..values.core import HostValue
from ..values.repr import quote_bytes


class BytesElems(HostValue):
    """``b.elems()``: iterable over the bytes of ``b`` as ints (type ``bytes.elems``)."""

    starlark_type = "bytes.elems"
    __slots__ = ("b",)

    def __init__(self, b: bytes) -> None:
        self.b = b

    def iterate(self) -> Iterator[Any]:
        return iter(self.b)

    def repr(self) -> str:
        return quote_bytes(self.b) + ".elems()"


def bytes_elems(th: Any, recv: bytes, /) -> BytesElems:
    return BytesElems(recv)


METHODS: dict[str, Any] = {"elems": bytes_elems}
