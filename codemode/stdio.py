"""stdin/stdout as non-blocking asyncio pipes for the SDK's stdio transport.

The SDK's own ``stdio_server()`` reads and writes through ``anyio.wrap_file``, which hands every
``readline``, ``write`` and ``flush`` to a worker thread: three thread wake-ups per request and
response, which on a busy two-core machine cost about as much as the rest of a gateway call.
:func:`pipe_stdio` gives the same transport two small stream objects backed by the event loop's
own pipe transports instead, so a message is read and written without leaving the loop.

Like the SDK, it claims the process's stdio while serving: the wire moves to private
descriptors, fd 0 reads the null device and fd 1 writes to stderr, so a stray ``print`` or a
child process cannot corrupt the protocol stream; both are restored on exit. Only pipes and
sockets are taken (what an MCP client connects): a terminal is left to the SDK's transport,
because the loop would switch it to non-blocking mode under the shell that shares it, and the
loop cannot watch a regular file at all. For those :func:`pipe_stdio` raises
:class:`ValueError` and the caller falls back to the SDK's own transport.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

#: The longest line (one JSON-RPC message) accepted, in bytes: far above any script the
#: gateway's ``max_script_bytes`` lets through, low enough that a runaway client cannot make
#: the gateway buffer without bound.
MAX_LINE_BYTES = 256 * 1024 * 1024


class LineReader:
    """``async for line in reader``: the decoded lines of a pipe, newline included."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self._stream = stream

    def __aiter__(self) -> LineReader:
        return self

    async def __anext__(self) -> str:
        line = await self._stream.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class LineWriter:
    """``await write(text)`` then ``await flush()``: text written to a pipe without blocking
    the loop (``flush`` waits only while the reader is behind)."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        self._writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._writer.drain()


def _watchable(fd: int) -> bool:
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _claim(fd: int, diversion: int) -> int:
    """Move the wire on ``fd`` to a private descriptor and point ``fd`` at ``diversion``."""
    private = os.dup(fd)
    os.set_inheritable(private, False)
    os.dup2(diversion, fd)
    return private


@asynccontextmanager
async def pipe_stdio() -> AsyncIterator[tuple[LineReader, LineWriter]]:
    """Claim stdin and stdout and serve them as loop-native line streams (see the module's
    docstring; :class:`ValueError` where they are not pipes or sockets)."""
    if not (_watchable(0) and _watchable(1)):
        raise ValueError("stdin or stdout is not a pipe or socket")
    loop = asyncio.get_running_loop()
    devnull = os.open(os.devnull, os.O_RDONLY)
    try:
        wire_in = _claim(0, devnull)
    finally:
        os.close(devnull)
    wire_out = _claim(1, 2)
    # the transports own (and close, at EOF or on exit) duplicates; ``wire_in``/``wire_out``
    # stay ours, to put the wire back on fd 0 and 1
    reader_pipe = os.fdopen(os.dup(wire_in), "rb", buffering=0)
    writer_pipe = os.fdopen(os.dup(wire_out), "wb", buffering=0)
    read_transport: asyncio.BaseTransport | None = None
    write_transport: asyncio.WriteTransport | None = None
    try:
        stream = asyncio.StreamReader(limit=MAX_LINE_BYTES, loop=loop)
        read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(stream, loop=loop), reader_pipe)
        write_transport, protocol = await loop.connect_write_pipe(
            lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader(loop=loop), loop=loop),
            writer_pipe)
        writer = asyncio.StreamWriter(write_transport, protocol, None, loop)
        yield LineReader(stream), LineWriter(writer)
    finally:
        for transport, pipe in ((read_transport, reader_pipe), (write_transport, writer_pipe)):
            if transport is not None:
                transport.close()
            else:
                pipe.close()
        for fd, wire in ((0, wire_in), (1, wire_out)):
            os.dup2(wire, fd)
            os.close(wire)
