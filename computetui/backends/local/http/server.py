"""A small asyncio HTTP/1.1 server: keep-alive, pipelining, bounded heads, idle timeout.

Two ways to answer a request:

- ``handler``: ``async def handle(request) -> Response``. The server reads the
  whole body first (answering ``Expect: 100-continue``, refusing a body over
  ``max_body_bytes`` with 413), then writes the response's head and body in one
  send. For servers whose messages are small: the Lambda Runtime API, the API
  Gateway.
- ``exchange``: ``async def exchange(request, conn) -> bool``. The server hands
  over the parsed head and the client ``Connection``; the callee reads the
  body and writes the response however it likes (a proxy streams both ways)
  and says whether the connection may carry another request.

Either way the server owns what is the same for every user: listening (on
127.0.0.1 unless told otherwise, port 0 picks a free one), TCP_NODELAY, head
parsing, a 400 for a head it cannot parse or that is over the stream's buffer
limit (``CHUNK``), requests one after another on a connection (pipelined
ones wait in the stream buffer until the previous answer is out), the idle
timeout, and closing every connection on ``close()``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from computetui.backends.local.http.codec import REASONS, Request, Response, parse_request, response_head
from computetui.backends.local.http.streams import (
    CHUNK,
    BodyTooLarge,
    Broken,
    Connection,
    IdleSweeper,
    nodelay,
    read_body,
)

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
Exchange = Callable[[Request, Connection], Awaitable[bool]]
Admit = Callable[[Connection], Awaitable[bool]]
"""Whether a connection may be served at all, asked once as it opens."""
Refuse = Callable[[Request], Response]
"""The answer to each request on a connection ``admit`` turned away (it is then closed)."""
Upgrade = Callable[[Request, Connection], Awaitable[None]]
"""Takes a connection over for another protocol (a WebSocket): the server serves nothing more on it."""
BadRequest = Callable[[Connection, str], None]
"""Writes the answer to a request the server could not read: ``why`` is
``too-large`` (a head over the limit) or ``malformed``. The connection closes after it."""

HEAD_TOO_LARGE = "too-large"
MALFORMED = "malformed"


def plain_response(status: int, close: bool = False) -> Response:
    """A short text answer the server makes itself (400, 413, 500)."""
    return Response(status, [("Content-Type", "text/plain")], f"{REASONS.get(status, 'Error')}\n".encode(), close)


class HttpServer:
    """An HTTP/1.1 server on an asyncio loop, answering through ``handler`` or ``exchange``.

    ``await start()`` listens (``port`` is then the bound one); ``await close()``
    stops listening, cancels what is being answered and drops every
    connection. ``idle_timeout_s`` closes a connection that waits that long for
    the other end (None: never, for clients that hold a connection across long
    pauses on purpose). ``require_host=False`` accepts HTTP/1.1 requests
    without ``Host``. ``bad_request`` replaces the plain 400 the server sends for
    a head it cannot read. ``admit`` decides, once per connection and before any
    request on it is answered, whether the other end may be served; the first
    request on a connection it turns away gets ``refuse``'s answer (by default a
    plain 403) without its body being read, and the connection closes. ``upgrade`` takes over a
    connection whose request asks to become a WebSocket (``Connection: Upgrade``, ``Upgrade:
    websocket``); the server then only closes it, when the upgrade ends or at ``close()``.
    """

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        exchange: Exchange | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "http",
        idle_timeout_s: float | None = 60.0,
        backlog: int = 128,
        require_host: bool = True,
        max_body_bytes: int | None = None,
        bad_request: BadRequest | None = None,
        admit: Admit | None = None,
        refuse: Refuse | None = None,
        upgrade: Upgrade | None = None,
    ) -> None:
        if (handler is None) == (exchange is None):
            raise ValueError("give an HTTP server either a handler or an exchange")
        self.host = host
        self.port = port
        self.name = name
        self.backlog = backlog
        self.require_host = require_host
        self.max_body_bytes = max_body_bytes
        self._handler = handler
        self._exchange: Exchange = exchange or self._buffered
        self._bad_request = bad_request or _plain_bad_request
        self._admit = admit
        self._refuse = refuse or (lambda request: plain_response(403, close=True))
        self._upgrade = upgrade
        self._clients: dict[Connection, asyncio.Task[None]] = {}
        self._server: asyncio.Server | None = None
        self._closed = False
        self.sweeper: IdleSweeper | None = None
        """Present when there is an idle timeout; a proxy adds its own connections to it."""
        if idle_timeout_s is not None:
            self.sweeper = IdleSweeper(idle_timeout_s, self._clients.keys)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def connections(self) -> Iterable[Connection]:
        """The client connections open now."""
        return self._clients.keys()

    async def start(self) -> None:
        if self._closed:
            raise RuntimeError(f"{self.name} is closed")
        # limit= bounds a head: readuntil gives up when no blank line comes within it.
        self._server = await asyncio.start_server(self._serve, self.host, self.port, backlog=self.backlog, limit=CHUNK)
        self.port = self._server.sockets[0].getsockname()[1]
        if self.sweeper is not None:
            self.sweeper.start(f"{self.name}-idle")

    async def close(self) -> None:
        """Stop listening; cancel the requests being answered and drop every connection."""
        if self._closed:
            return
        self._closed = True
        if self._server is not None:
            self._server.close()
        if self.sweeper is not None:
            await self.sweeper.stop()
        tasks = []
        for conn, task in list(self._clients.items()):
            task.cancel()
            conn.abort()
            tasks.append(task)
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if self._closed or task is None:
            writer.transport.abort()
            return
        conn = Connection(reader, writer, "client")
        self._clients[conn] = task
        nodelay(writer)
        try:
            admitted = await self._admitted(conn)
            while True:
                try:
                    data = await conn.readuntil(b"\r\n\r\n")
                except Broken as exc:
                    if exc.why == "malformed":  # no blank line within the buffer limit
                        self._bad_request(conn, HEAD_TOO_LARGE)
                    return
                if data[:2] == b"\r\n":  # blank lines before a request are allowed (RFC 9112 2.2)
                    data = data.lstrip(b"\r\n")
                    if not data:
                        continue
                try:
                    request = parse_request(data, self.require_host)
                except ValueError:
                    self._bad_request(conn, MALFORMED)
                    return
                if not admitted:
                    refusal = self._refuse(request)
                    _send(conn, request, Response(refusal.status, refusal.headers, refusal.body, close=True))
                    if not conn.flushed():
                        await conn.drain()
                    return
                if self._upgrade is not None and "upgrade" in request.tokens and any(
                        k.lower() == "upgrade" and v.strip().lower() == "websocket" for k, v in request.headers):
                    await self._upgrade(request, conn)
                    return
                if not await self._exchange(request, conn):
                    return
        except Broken:
            return
        except asyncio.CancelledError:
            # close() cancels us; ending normally spares asyncio's client_connected_cb
            # callback (3.11) from logging the cancellation as an unhandled error.
            return
        except Exception:
            log.exception("%s: serving a connection failed", self.name)
            return
        finally:
            self._clients.pop(conn, None)
            writer.close()

    async def _admitted(self, conn: Connection) -> bool:
        if self._admit is None:
            return True
        try:
            return bool(await self._admit(conn))
        except Exception:
            log.exception("%s: deciding whether to serve %s failed; refused", self.name, conn.peer_ip)
            return False

    async def _buffered(self, request: Request, conn: Connection) -> bool:
        """Read the body, ask the handler, send its response in one piece."""
        assert self._handler is not None
        if request.has_body:
            limit = self.max_body_bytes
            if request.expect_continue:
                if limit is not None and request.length > limit:
                    _send(conn, request, plain_response(413, close=True))
                    return False  # the client may hold the body back: we cannot read past it
                conn.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            try:
                if request.chunked or limit is not None:
                    request.body = await read_body(conn, request, limit)
                else:  # the common case, without a coroutine in between
                    request.body = await conn.readexactly(request.length)
            except BodyTooLarge:
                _send(conn, request, plain_response(413, close=True))
                return False
            except Broken as exc:
                if exc.why == "malformed":
                    _send(conn, request, plain_response(400, close=True))
                    return False
                raise
        try:
            response = await self._handler(request)
        except Exception:
            log.exception("%s: the handler of %s %s failed", self.name, request.method, request.target)
            response = plain_response(500, close=True)
        keep_alive = _send(conn, request, response)
        if not conn.flushed():
            await conn.drain()
        return keep_alive


def _send(conn: Connection, request: Request, response: Response) -> bool:
    """Write ``response`` to ``request`` (head and a small body in one send); whether
    the connection stays open."""
    keep_alive = request.keep_alive and not response.close
    body = b"" if request.method == "HEAD" else response.body
    head = response_head(response.status, response.headers, len(response.body), close=not keep_alive)
    if len(body) <= CHUNK:
        conn.write(head + body)  # one send: Nagle is off, so two writes would be two packets
    else:
        conn.write(head)  # a large body is not worth copying to save a packet
        conn.write(body)
    return keep_alive


def _plain_bad_request(conn: Connection, why: str) -> None:
    response = plain_response(400, close=True)
    conn.write(response_head(400, response.headers, len(response.body), close=True) + response.body)
