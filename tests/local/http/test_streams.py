"""Reading and copying HTTP bodies over asyncio streams, and the idle sweeper.

A ``StreamReader`` fed by the test stands in for the socket where only reading
matters, so every case is exact and instant; the writing side is a list.
"""

from __future__ import annotations

import asyncio

import pytest

from computetui.backends.local.http.codec import parse_request
from computetui.backends.local.http.streams import (
    CHUNK,
    BodyTooLarge,
    Broken,
    Connection,
    IdleSweeper,
    copy_body,
    copy_chunked,
    copy_until_close,
    read_body,
    read_response_head,
)

WAIT = 5.0


class _Writer:
    """What ``Connection.write`` and ``drain`` reach: bytes kept in a list."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.transport = self

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return False

    def abort(self) -> None:
        self.aborted = True


def fed(data: bytes, eof: bool = True, side: str = "client") -> Connection:
    reader = asyncio.StreamReader(limit=CHUNK)
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return Connection(reader, _Writer(), side)  # type: ignore[arg-type]


def written(conn: Connection) -> bytes:
    return b"".join(conn.writer.parts)  # type: ignore[attr-defined]


def request(*lines: str) -> object:
    return parse_request(("\r\n".join(["POST / HTTP/1.1", "Host: h", *lines]) + "\r\n\r\n").encode())


@pytest.mark.asyncio
async def test_a_chunked_body_with_trailers_is_read_whole() -> None:
    conn = fed(b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\nX-More: 1\r\n\r\nNEXT")
    body = await asyncio.wait_for(read_body(conn, request("Transfer-Encoding: chunked")), WAIT)
    assert body == b"hello world"
    assert await conn.reader.read() == b"NEXT"  # the trailer was consumed, nothing more


@pytest.mark.asyncio
async def test_a_content_length_body_is_read_to_its_length_only() -> None:
    conn = fed(b"abcdefGET")
    assert await asyncio.wait_for(read_body(conn, request("Content-Length: 6")), WAIT) == b"abcdef"
    assert await conn.reader.read() == b"GET"


@pytest.mark.asyncio
async def test_a_body_over_the_limit_is_refused_before_it_is_read() -> None:
    conn = fed(b"x" * 10)
    with pytest.raises(BodyTooLarge):
        await asyncio.wait_for(read_body(conn, request("Content-Length: 10"), limit=9), WAIT)
    assert await conn.reader.read() == b"x" * 10


@pytest.mark.asyncio
async def test_a_chunked_body_over_the_limit_is_refused_as_it_grows() -> None:
    conn = fed(b"5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n")
    with pytest.raises(BodyTooLarge):
        await asyncio.wait_for(read_body(conn, request("Transfer-Encoding: chunked"), limit=8), WAIT)


@pytest.mark.asyncio
async def test_a_body_cut_short_is_a_closed_connection_on_its_side() -> None:
    conn = fed(b"abc", side="target")
    with pytest.raises(Broken) as caught:
        await asyncio.wait_for(read_body(conn, request("Content-Length: 6")), WAIT)
    assert (caught.value.side, caught.value.why) == ("target", "closed")


@pytest.mark.parametrize(
    "data",
    [b"+5\r\nhello\r\n0\r\n\r\n", b"0x5\r\nhello\r\n0\r\n\r\n", b"zz\r\n", b"5\r\nhelloXX0\r\n\r\n", b"-1\r\n"],
)
@pytest.mark.asyncio
async def test_a_malformed_chunk_is_refused(data: bytes) -> None:
    with pytest.raises(Broken) as caught:
        await asyncio.wait_for(read_body(fed(data), request("Transfer-Encoding: chunked")), WAIT)
    assert caught.value.why == "malformed"


@pytest.mark.asyncio
async def test_a_chunked_body_is_relayed_as_it_came_sizes_extensions_and_trailers() -> None:
    raw = b"3;a=b\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"
    src, dst = fed(raw), fed(b"")
    await asyncio.wait_for(copy_body(src, dst, request("Transfer-Encoding: chunked")), WAIT)
    assert written(dst) == raw


@pytest.mark.asyncio
async def test_a_chunk_larger_than_a_read_is_copied_in_pieces_intact() -> None:
    data = bytes(range(256)) * (3 * CHUNK // 256 + 7)
    raw = b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)
    src, dst = fed(raw), fed(b"")
    await asyncio.wait_for(copy_chunked(src, dst, dechunk=False), WAIT)
    assert written(dst) == raw
    assert max(len(part) for part in dst.writer.parts) <= CHUNK + 16  # type: ignore[attr-defined]
    assert (await asyncio.wait_for(read_body(fed(raw), request("Transfer-Encoding: chunked")), WAIT)) == data


@pytest.mark.asyncio
async def test_a_body_until_close_is_rechunked_for_an_http11_client() -> None:
    src, dst = fed(b"until the end"), fed(b"")
    await asyncio.wait_for(copy_until_close(src, dst, rechunk=True), WAIT)
    assert written(dst) == b"d\r\nuntil the end\r\n0\r\n\r\n"


@pytest.mark.asyncio
async def test_interim_responses_are_skipped_and_the_final_head_returned() -> None:
    conn = fed(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\n"
    )
    response = await asyncio.wait_for(read_response_head(conn), WAIT)
    assert response.first == "HTTP/1.1 200 OK" and response.headers == [("A", "b")]


@pytest.mark.parametrize("data", [b"HTTP/1.1 101 Switching Protocols\r\n\r\n", b"NOT HTTP\r\n\r\n"])
@pytest.mark.asyncio
async def test_an_upgrade_or_a_garbled_response_head_is_malformed(data: bytes) -> None:
    with pytest.raises(Broken) as caught:
        await asyncio.wait_for(read_response_head(fed(data, side="target")), WAIT)
    assert (caught.value.side, caught.value.why) == ("target", "malformed")


@pytest.mark.asyncio
async def test_a_head_with_no_blank_line_within_the_limit_is_malformed() -> None:
    conn = fed(b"GET / HTTP/1.1\r\n" + b"X: " + b"y" * CHUNK, eof=False)
    with pytest.raises(Broken) as caught:
        await asyncio.wait_for(conn.readuntil(b"\r\n\r\n"), WAIT)
    assert caught.value.why == "malformed"


@pytest.mark.asyncio
async def test_the_sweeper_aborts_only_connections_that_waited_too_long() -> None:
    loop = asyncio.get_running_loop()
    silent, busy, idle = fed(b"", eof=False), fed(b"", eof=False), fed(b"", eof=False)
    silent.waiting = loop.time() - 10
    busy.waiting = None  # not waiting for the other end: a handler is working
    idle.waiting = loop.time()
    sweeper = IdleSweeper(5.0, lambda: [silent, busy], lambda: [idle])
    sweeper.sweep(loop.time())
    assert silent.timed_out and getattr(silent.writer, "aborted", False)
    assert not busy.timed_out and not idle.timed_out


@pytest.mark.asyncio
async def test_a_read_ended_by_the_sweeper_reads_as_a_timeout() -> None:
    conn = fed(b"", eof=False)
    reading = asyncio.ensure_future(conn.readuntil(b"\r\n\r\n"))
    await asyncio.sleep(0)
    assert conn.waiting is not None
    conn.timed_out = True
    conn.reader.feed_eof()  # what the abort leads to
    with pytest.raises(Broken) as caught:
        await asyncio.wait_for(reading, WAIT)
    assert caught.value.why == "timeout" and conn.waiting is None
