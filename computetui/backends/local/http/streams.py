"""HTTP/1.1 over asyncio streams: a connection wrapper, heads, bodies, idle timeouts.

Every failure of a connection becomes one exception, ``Broken(side, why)``, so
that a proxy can tell "the client went away" from "the target answered
garbage" without catching five kinds of asyncio and socket errors at every
read. Bodies are copied by their framing (a length, chunked, until close) in
pieces of at most ``CHUNK`` bytes, so a large body never sits in memory whole
unless the caller asks for it (``read_body``).

No timer per read: a ``Connection`` notes when it started waiting, and one
``IdleSweeper`` per server aborts those that waited too long. An
``asyncio.timeout()`` around every read would cost ~7 us each, several times
per request.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Iterable
from typing import Protocol

from computetui.backends.local.http.codec import Head, Request, status_code

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
"""Read size when streaming, the stream buffer limit (so the largest head a
server accepts), and the largest body piece written in one go."""


class Broken(Exception):
    """A connection failed: ``side`` names it (``client``, ``target``...), ``why`` is
    one of ``closed``, ``timeout``, ``refused``, ``malformed``."""

    def __init__(self, side: str, why: str) -> None:
        super().__init__(f"{side} {why}")
        self.side = side
        self.why = why


def nodelay(writer: asyncio.StreamWriter) -> None:
    """Turn Nagle's algorithm off: a head and body written apart, or a small request
    answered at once, would otherwise wait ~40 ms for a delayed ACK."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Connection:
    """One end of an HTTP exchange over asyncio streams; every failure raises ``Broken(side, ...)``.

    ``waiting`` holds ``loop.time()`` while the connection waits for bytes (or
    for room to write), and is None otherwise; an ``IdleSweeper`` aborts a
    connection that has waited longer than its timeout and sets ``timed_out``,
    so that the failure reads as a timeout rather than a close.
    """

    __slots__ = ("reader", "writer", "side", "loop", "waiting", "timed_out")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, side: str) -> None:
        self.reader = reader
        self.writer = writer
        self.side = side
        self.loop = asyncio.get_running_loop()
        self.waiting: float | None = None
        self.timed_out = False

    @property
    def peer_ip(self) -> str:
        peer = self.writer.get_extra_info("peername")
        return peer[0] if peer else "127.0.0.1"

    def _broken(self) -> Broken:
        return Broken(self.side, "timeout" if self.timed_out else "closed")

    async def readuntil(self, separator: bytes = b"\r\n") -> bytes:
        """Bytes up to and including ``separator``; ``malformed`` when it does not come
        within the stream's buffer limit."""
        self.waiting = self.loop.time()
        try:
            return await self.reader.readuntil(separator)
        except asyncio.LimitOverrunError:
            raise Broken(self.side, "malformed") from None
        except (asyncio.IncompleteReadError, OSError):
            raise self._broken() from None
        finally:
            self.waiting = None

    async def readexactly(self, n: int) -> bytes:
        self.waiting = self.loop.time()
        try:
            return await self.reader.readexactly(n)
        except (asyncio.IncompleteReadError, OSError):
            raise self._broken() from None
        finally:
            self.waiting = None

    async def read(self, n: int) -> bytes:
        """Up to ``n`` bytes; ``b""`` at end of stream (or ``Broken`` if that was a timeout)."""
        self.waiting = self.loop.time()
        try:
            data = await self.reader.read(n)
        except OSError:
            raise self._broken() from None
        finally:
            self.waiting = None
        if not data and self.timed_out:
            raise self._broken()
        return data

    def write(self, data: bytes) -> None:
        self.writer.write(data)

    def flushed(self) -> bool:
        """Whether everything written went straight to the socket: then there is
        nothing to drain, and no coroutine needs to run to find that out."""
        transport = self.writer.transport
        return not transport.get_write_buffer_size() and not transport.is_closing()

    async def drain(self) -> None:
        if self.flushed():
            return
        self.waiting = self.loop.time()
        try:
            await self.writer.drain()
        except OSError:
            raise self._broken() from None
        finally:
            self.waiting = None

    def stale(self) -> bool:
        """Whether the other end has closed (or this end is closing): no use for another request."""
        return self.reader.at_eof() or self.writer.transport.is_closing()

    def abort(self) -> None:
        self.writer.transport.abort()


class BodyWriter(Protocol):
    """Where a body is copied to: a ``Connection``, a ``Sink``, or a buffer."""

    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...


class Sink:
    """A write side that throws the bytes away: reading a body nobody will forward."""

    side = "sink"

    def write(self, data: bytes) -> None:
        pass

    async def drain(self) -> None:
        pass


class _Collector:
    """A write side that keeps the bytes, refusing more than ``limit`` of them."""

    side = "collector"

    def __init__(self, limit: int | None) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise BodyTooLarge(self.size)
        self.parts.append(data)

    async def drain(self) -> None:
        pass


class BodyTooLarge(Exception):
    """A request body over the reader's limit: the server answers 413."""

    def __init__(self, size: int) -> None:
        super().__init__(f"request body of at least {size} bytes is over the limit")
        self.size = size


async def read_response_head(upstream: Connection) -> Head:
    """The final response head; interim 1xx responses are dropped (101 is refused)."""
    while True:
        data = await upstream.readuntil(b"\r\n\r\n")
        try:
            head = Head(data)
            status = status_code(head.first)
        except ValueError:
            raise Broken(upstream.side, "malformed") from None
        if status == 101:
            raise Broken(upstream.side, "malformed")  # nobody here asks for an upgrade
        if status >= 200:
            return head


async def read_body(conn: Connection, request: Request, limit: int | None = None) -> bytes:
    """The whole body of ``request``, decoded from chunked if need be (trailers dropped).

    ``BodyTooLarge`` when it is over ``limit`` bytes; with a Content-Length that is
    known before a byte of the body is read.
    """
    if request.chunked:
        collector = _Collector(limit)
        await copy_chunked(conn, collector, dechunk=True)
        return b"".join(collector.parts)
    if not request.length:
        return b""
    if limit is not None and request.length > limit:
        raise BodyTooLarge(request.length)
    return await conn.readexactly(request.length)


async def copy_body(src: Connection, dst: BodyWriter, request: Request) -> None:
    """Relay ``request``'s body from ``src`` to ``dst`` as framed on the wire."""
    if request.chunked:
        await copy_chunked(src, dst, dechunk=False)
    elif request.length:
        await copy_length(src, dst, request.length)


async def copy_length(src: Connection, dst: BodyWriter, n: int) -> None:
    while n > 0:
        data = await src.read(min(n, CHUNK))
        if not data:
            raise Broken(src.side, "closed")
        dst.write(data)
        n -= len(data)
        await dst.drain()


async def copy_chunked(src: Connection, dst: BodyWriter, dechunk: bool) -> None:
    """Relay a chunked body as it is (sizes, extensions, trailers), or just its data."""
    while True:
        line = await src.readuntil(b"\r\n")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise Broken(src.side, "malformed") from None
        if size < 0 or size_text.startswith((b"+", b"-", b"0x", b"0X")):
            raise Broken(src.side, "malformed")
        if size == 0:
            trailer = line
            while True:
                field_line = await src.readuntil(b"\r\n")
                trailer += field_line
                if field_line == b"\r\n":
                    break
            if not dechunk:
                dst.write(trailer)
            await dst.drain()
            return
        if size <= CHUNK:
            data = await src.readexactly(size + 2)
            if not data.endswith(b"\r\n"):
                raise Broken(src.side, "malformed")
            dst.write(data[:-2] if dechunk else line + data)
        else:
            if not dechunk:
                dst.write(line)
            await copy_length(src, dst, size)
            if await src.readexactly(2) != b"\r\n":
                raise Broken(src.side, "malformed")
            if not dechunk:
                dst.write(b"\r\n")
        await dst.drain()


async def copy_until_close(src: Connection, dst: BodyWriter, rechunk: bool) -> None:
    """Relay everything ``src`` sends until it closes; ``rechunk`` frames it as chunks
    (for an HTTP/1.1 client, which can then keep its connection)."""
    while True:
        data = await src.read(CHUNK)
        if not data:
            break
        dst.write(b"%x\r\n%s\r\n" % (len(data), data) if rechunk else data)
        await dst.drain()
    if rechunk:
        dst.write(b"0\r\n\r\n")


class IdleSweeper:
    """Aborts connections that have waited longer than ``timeout_s`` for the other end.

    ``sources`` are callables returning the connections to look at (a server's
    clients, a proxy's pooled upstream connections); they are checked every
    quarter of the timeout, at most every second, so a timeout fires up to that
    much late. One task for all of them, not one timer per read.
    """

    def __init__(self, timeout_s: float, *sources: Callable[[], Iterable[Connection]]) -> None:
        self.timeout_s = timeout_s
        self.sources = list(sources)
        self._task: asyncio.Task[None] | None = None

    def add(self, source: Callable[[], Iterable[Connection]]) -> None:
        self.sources.append(source)

    def start(self, name: str = "http-idle") -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._sweep(), name=name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait([task], timeout=5)

    def sweep(self, now: float) -> None:
        expired = now - self.timeout_s
        for source in self.sources:
            for conn in list(source()):
                if conn.waiting is not None and conn.waiting < expired:
                    conn.timed_out = True
                    conn.abort()

    async def _sweep(self) -> None:
        period = min(1.0, max(0.01, self.timeout_s / 4))
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(period)
            try:
                self.sweep(loop.time())
            except Exception:  # a bug in one source must not leave every connection unswept
                log.exception("idle sweep failed")
