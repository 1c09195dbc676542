"""The HTTP/1.1 server over real sockets on 127.0.0.1: handlers, exchanges, limits, keep-alive.

Clients are raw asyncio streams, so the exact bytes on the wire are what is
checked. Every wait is bounded by ``WAIT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import pytest

from computetui.backends.local.http.codec import Request, Response, response_head
from computetui.backends.local.http.server import HEAD_TOO_LARGE, MALFORMED, HttpServer
from computetui.backends.local.http.streams import CHUNK, Connection, copy_body

pytestmark = pytest.mark.asyncio

WAIT = 5.0


async def echo(request: Request) -> Response:
    """Answers with what it was asked: method, target and body."""
    body = f"{request.method} {request.target} ".encode() + request.body
    return Response(200, [("Content-Type", "text/plain")], body)


@contextlib.asynccontextmanager
async def serving(handler=echo, **options: object) -> AsyncIterator[HttpServer]:  # noqa: ANN001
    server = HttpServer(handler, **options)  # type: ignore[arg-type]
    await server.start()
    try:
        yield server
    finally:
        await asyncio.wait_for(server.close(), WAIT)


@contextlib.asynccontextmanager
async def client(server: HttpServer) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", server.port), WAIT)
    try:
        yield reader, writer
    finally:
        writer.close()


async def response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """(status, lower-cased headers, body) of one Content-Length response."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    first, *lines = head[:-4].decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), WAIT)
    return int(first.split(" ")[1]), headers, body


async def closed(reader: asyncio.StreamReader) -> bool:
    """Whether the server ended the connection (a reset counts: unread bytes of ours
    in the server's socket turn its close into one)."""
    try:
        return await asyncio.wait_for(reader.read(), WAIT) == b""
    except ConnectionResetError:
        return True


# -- a buffering handler --------------------------------------------------------------------------
async def test_it_listens_on_loopback_and_picks_a_free_port() -> None:
    async with serving() as server:
        assert server.host == "127.0.0.1" and server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"


async def test_a_response_lists_the_handlers_headers_then_its_length_then_the_body() -> None:
    expected = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nGET /x?y=1 "
    async with serving() as server, client(server) as (reader, writer):
        writer.write(b"GET /x?y=1 HTTP/1.1\r\nHost: h\r\n\r\n")
        assert await asyncio.wait_for(reader.readexactly(len(expected)), WAIT) == expected


async def test_keep_alive_serves_requests_one_after_another_on_one_connection() -> None:
    async with serving() as server, client(server) as (reader, writer):
        for n in range(3):
            writer.write(b"GET /%d HTTP/1.1\r\nHost: h\r\n\r\n" % n)
            status, headers, body = await response(reader)
            assert (status, body) == (200, b"GET /%d " % n) and "connection" not in headers


async def test_pipelined_requests_are_answered_in_order() -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(
            b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
            b"POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody"
            b"GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        )
        answers = [await response(reader) for _ in range(3)]
        assert [body for _, _, body in answers] == [b"GET /1 ", b"POST /2 body", b"GET /3 "]
        assert answers[2][1]["connection"] == "close"
        assert await closed(reader)


async def test_blank_lines_before_a_request_are_skipped() -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(b"\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        assert (await response(reader))[0] == 200


async def test_an_http10_request_is_answered_then_closed() -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        status, headers, _ = await response(reader)
        assert status == 200 and headers["connection"] == "close"
        assert await closed(reader)


async def test_a_chunked_request_body_reaches_the_handler_whole() -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
        writer.write(b"5\r\nhello\r\n1;x=y\r\n \r\n5\r\nworld\r\n0\r\nTrailer: t\r\n\r\n")
        assert (await response(reader))[2] == b"POST / hello world"


async def test_expect_100_continue_is_answered_before_the_body_is_sent() -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(b"PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"ok")
        assert (await response(reader))[2] == b"PUT / ok"


async def test_a_body_over_the_limit_gets_413_and_the_connection_closes() -> None:
    async with serving(max_body_bytes=4) as server, client(server) as (reader, writer):
        writer.write(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
        status, headers, _ = await response(reader)
        assert status == 413 and headers["connection"] == "close"
        assert await closed(reader)


async def test_a_head_request_gets_the_length_but_no_body() -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(b"HEAD /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
        assert b"Content-Length: 8\r\n" in head  # "HEAD /x "
        assert (await response(reader))[2] == b"GET /y "  # next on the wire: no body in between


async def test_a_handler_may_close_the_connection_after_its_response() -> None:
    async def closing(request: Request) -> Response:
        return Response(200, [], b"bye", close=True)

    async with serving(closing) as server, client(server) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        assert (await response(reader))[1]["connection"] == "close"
        assert await closed(reader)


async def test_a_handler_that_fails_gets_a_500_and_the_connection_closes() -> None:
    async def failing(request: Request) -> Response:
        raise RuntimeError("a bug")

    async with serving(failing) as server, client(server) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        assert (await response(reader))[0] == 500
        assert await closed(reader)


# -- what the server refuses ----------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",  # no Host
        b"GET / HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    ],
)
async def test_a_malformed_head_gets_400_and_the_connection_closes(data: bytes) -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(data)
        status, headers, _ = await response(reader)
        assert status == 400 and headers["connection"] == "close"
        assert await closed(reader)


async def test_a_head_over_the_limit_gets_400() -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + b"x" * (CHUNK + 10) + b"\r\n\r\n")
        assert (await response(reader))[0] == 400
        assert await closed(reader)


async def test_a_malformed_chunked_body_gets_400() -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n")
        assert (await response(reader))[0] == 400
        assert await closed(reader)


async def test_a_lenient_server_serves_a_request_without_host() -> None:
    async with serving(require_host=False) as server, client(server) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        assert (await response(reader))[0] == 200


async def test_the_bad_request_hook_writes_its_own_answer_and_learns_why() -> None:
    reasons: list[str] = []

    def own_page(conn: Connection, why: str) -> None:
        reasons.append(why)
        conn.write(response_head(400, [("Server", "mine")], 0, close=True))

    async with serving(bad_request=own_page) as server:
        for data in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nX: " + b"x" * (CHUNK + 10)):
            async with client(server) as (reader, writer):
                writer.write(data)
                assert (await response(reader))[1]["server"] == "mine"
    assert reasons == [MALFORMED, HEAD_TOO_LARGE]


# -- connections ------------------------------------------------------------------------------
async def test_accepted_connections_have_nagle_turned_off() -> None:
    async with serving() as server, client(server) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        await response(reader)
        [conn] = list(server.connections())
        sock = conn.writer.get_extra_info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


async def test_an_idle_connection_is_closed_after_the_idle_timeout() -> None:
    async with serving(idle_timeout_s=0.2) as server, client(server) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        await response(reader)
        started = asyncio.get_running_loop().time()
        assert await closed(reader)
        assert 0.15 <= asyncio.get_running_loop().time() - started < 2.0


async def test_a_handler_at_work_is_not_an_idle_connection() -> None:
    async def slow(request: Request) -> Response:
        await asyncio.sleep(0.5)
        return Response(200, [], b"late")

    async with serving(slow, idle_timeout_s=0.1) as server, client(server) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        assert (await response(reader))[2] == b"late"


async def test_without_an_idle_timeout_a_silent_connection_stays_open() -> None:
    async with serving(idle_timeout_s=None) as server, client(server) as (reader, writer):
        assert server.sweeper is None
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.read(1), 0.3)
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        assert (await response(reader))[0] == 200


async def test_close_cancels_pending_handlers_and_drops_every_connection() -> None:
    started = asyncio.Event()

    async def forever(request: Request) -> Response:
        started.set()
        await asyncio.sleep(3600)
        raise AssertionError("not reached")

    server = HttpServer(forever)
    await server.start()
    async with client(server) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        await asyncio.wait_for(started.wait(), WAIT)
        await asyncio.wait_for(server.close(), WAIT)
        assert await closed(reader)
        assert list(server.connections()) == []
    with pytest.raises(OSError):
        await asyncio.wait_for(asyncio.open_connection("127.0.0.1", server.port), WAIT)


# -- a streaming exchange -------------------------------------------------------------------------
async def test_an_exchange_reads_and_writes_the_body_itself_as_it_streams() -> None:
    async def relay(request: Request, conn: Connection) -> bool:
        conn.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" if request.chunked else b"")
        await copy_body(conn, conn, request)  # echo the body back as it came, chunk by chunk
        await conn.drain()
        return request.keep_alive

    server = HttpServer(exchange=relay)
    await server.start()
    try:
        async with client(server) as (reader, writer):
            writer.write(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
            assert head.startswith(b"HTTP/1.1 200 OK")
            # The first chunk comes back before the request's body has ended.
            assert await asyncio.wait_for(reader.readexactly(8), WAIT) == b"3\r\nabc\r\n"
            writer.write(b"0\r\n\r\n")
            assert await asyncio.wait_for(reader.readexactly(5), WAIT) == b"0\r\n\r\n"
    finally:
        await asyncio.wait_for(server.close(), WAIT)


async def test_a_server_takes_a_handler_or_an_exchange_not_both() -> None:
    with pytest.raises(ValueError):
        HttpServer()
    with pytest.raises(ValueError):
        HttpServer(echo, exchange=lambda request, conn: None)  # type: ignore[arg-type, return-value]
