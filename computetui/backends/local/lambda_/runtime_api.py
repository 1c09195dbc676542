"""The Lambda Runtime API (2018-06-01), served to one execution environment.

A runtime client inside the environment (awslambdaric, the Node.js client, a
``bootstrap``) asks ``GET /runtime/invocation/next`` for work, which blocks
until there is some, and answers with ``POST .../{id}/response`` or
``.../{id}/error``; a runtime that cannot start reports ``POST /runtime/init/error``.

Each environment gets its own listening socket, so a request needs no
environment id. The server speaks just enough HTTP/1.1 (keep-alive,
Content-Length or chunked bodies) and sets TCP_NODELAY, and writes a response's
head and body in one send: with Nagle's algorithm in the way a warm round trip
costs ~90 ms instead of well under one.
"""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field
from typing import Any

PREFIX = "/2018-06-01"
MAX_RESPONSE_BYTES = 6 * 1024 * 1024
_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
}


@dataclass
class Invocation:
    """One request for work, as the Runtime API hands it to the runtime."""

    request_id: str
    payload: bytes
    function_arn: str
    deadline_ms: int
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None
    outcome: asyncio.Future[Outcome] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    delivered_at: float | None = None
    """``loop.time()`` when the runtime received the event; Duration counts from here."""


@dataclass(frozen=True)
class Outcome:
    """How an invocation ended, as the runtime reported it (or as the emulator decided)."""

    kind: str
    """``response``, ``error``, ``too-large``, ``timeout``, ``exit``."""
    body: bytes = b""
    error_type: str | None = None
    at: float = 0.0
    """``loop.time()`` when it ended."""


def _json_error(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


class RuntimeApi:
    """The Runtime API endpoint of one execution environment."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._work: asyncio.Queue[Invocation] = asyncio.Queue()
        self.current: Invocation | None = None
        self.initialized: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        """Resolves with ``loop.time()`` at the runtime's first ``next``: the end of INIT."""
        self.init_error: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._connections: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> str:
        """What ``AWS_LAMBDA_RUNTIME_API`` is set to."""
        return f"{self.host}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port, backlog=16)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._connections):
            writer.close()
        if self._server is not None:
            await self._server.wait_closed()

    def deliver(self, invocation: Invocation) -> None:
        """Hand work to the runtime's pending (or next) ``next`` call."""
        self._work.put_nowait(invocation)

    # -- HTTP ------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._connections.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                method, path, headers = _parse_head(head)
                body = await _read_body(reader, headers)
                status, extra, payload = await self._route(method, path, headers, body)
                keep_alive = headers.get("connection", "").lower() != "close"
                writer.write(_response(status, extra, payload, keep_alive))
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            self._connections.discard(writer)
            writer.close()

    async def _route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if not path.startswith(PREFIX):
            return 404, {}, _json_error("NotFound", f"unknown path {path}")
        path = path[len(PREFIX) :]
        if method == "GET" and path == "/runtime/invocation/next":
            return await self._next()
        if method == "POST" and path == "/runtime/init/error":
            return self._init_error(headers, body)
        if method == "POST" and path.startswith("/runtime/invocation/"):
            request_id, _, verb = path[len("/runtime/invocation/") :].partition("/")
            if verb in ("response", "error"):
                return self._reply(request_id, verb, headers, body)
        return 404, {}, _json_error("NotFound", f"unknown path {PREFIX}{path}")

    async def _next(self) -> tuple[int, dict[str, str], bytes]:
        loop = asyncio.get_running_loop()
        if not self.initialized.done():
            self.initialized.set_result(loop.time())
        invocation = await self._work.get()
        self.current = invocation
        invocation.delivered_at = loop.time()
        extra = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
            "Content-Type": "application/json",
        }
        if invocation.client_context:
            extra["Lambda-Runtime-Client-Context"] = invocation.client_context
        if invocation.cognito_identity:
            extra["Lambda-Runtime-Cognito-Identity"] = invocation.cognito_identity
        return 200, extra, invocation.payload

    def _reply(
        self, request_id: str, verb: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        current = self.current
        if current is None or current.request_id != request_id or current.outcome.done():
            state = "a reply already sent" if current and current.request_id == request_id else "no such invocation"
            return (
                403,
                {},
                _json_error(
                    "InvalidStateTransition",
                    f"State transition is not allowed: {verb} for request {request_id} ({state})",
                ),
            )
        now = asyncio.get_running_loop().time()
        if verb == "response" and len(body) > MAX_RESPONSE_BYTES:
            message = (
                f"Response payload size ({len(body)} bytes) exceeded maximum allowed payload size "
                f"({MAX_RESPONSE_BYTES} bytes)."
            )
            current.outcome.set_result(
                Outcome(
                    "too-large",
                    _json_error("Function.ResponseSizeTooLarge", message),
                    "Function.ResponseSizeTooLarge",
                    now,
                )
            )
            return 413, {}, _json_error("RequestEntityTooLarge", message)
        if verb == "response":
            current.outcome.set_result(Outcome("response", body, None, now))
        else:
            error_type = headers.get("lambda-runtime-function-error-type") or _error_type(body)
            current.outcome.set_result(Outcome("error", body, error_type, now))
        return 202, {}, b'{"status":"OK"}'

    def _init_error(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.init_error.done() or self.initialized.done():
            return (
                403,
                {},
                _json_error("InvalidStateTransition", "State transition is not allowed: init/error after init"),
            )
        error_type = headers.get("lambda-runtime-function-error-type") or _error_type(body)
        self.init_error.set_result(Outcome("error", body, error_type, asyncio.get_running_loop().time()))
        return 202, {}, b'{"status":"OK"}'


def _error_type(body: bytes) -> str | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value.get("errorType") if isinstance(value, dict) else None


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = (lines[0].split(" ") + ["", ""])[:3]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return method, target.split("?", 1)[0], headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # the empty trailer
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = int(headers.get("content-length") or 0)
    return await reader.readexactly(length) if length else b""


def _response(status: int, headers: dict[str, Any], body: bytes, keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    headers = {"Content-Type": "application/json", **headers, "Content-Length": str(len(body))}
    if not keep_alive:
        headers["Connection"] = "close"
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
