"""The Lambda Runtime API (2018-06-01), served to one execution environment.

A runtime client inside the environment (awslambdaric, the Node.js client, a
``bootstrap``) asks ``GET /runtime/invocation/next`` for work, which blocks
until there is some, and answers with ``POST .../{id}/response`` or
``.../{id}/error``; a runtime that cannot start reports ``POST /runtime/init/error``.

Each environment gets its own listening socket, so a request needs no
environment id, and only that environment is served there: ``admit`` (the
sandbox's) says whether a connection comes from the environment's own
processes or container; any other (a neighbouring container on the bridge,
another local process, another environment) gets 403 for every request and
changes nothing. No secret travels with the requests, because the runtime
clients do not all carry one: ``AWS_LAMBDA_RUNTIME_API`` is ``host:port`` to
them, and awslambdaric (its init error, over ``http.client``) and AWS's Node.js
client (host and port split out, the rest dropped) fail or leave out a path
after it. HTTP/1.1 is the emulator's shared server (``local.http``):
keep-alive, Content-Length or chunked bodies, TCP_NODELAY, and a response's
head and body in one send: with Nagle's algorithm in the way a warm round trip
costs ~90 ms instead of well under one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from computetui.backends.local.http.codec import Request, Response
from computetui.backends.local.http.server import HttpServer
from computetui.backends.local.http.streams import Connection

PREFIX = "/2018-06-01"
_NEXT = f"{PREFIX}/runtime/invocation/next"
MAX_RESPONSE_BYTES = 6 * 1024 * 1024


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


Address = tuple[str, int]
Admit = Callable[[Address, Address], Awaitable[bool]]
"""Given a connection's client address and the server's own, whether the client is the
execution environment this Runtime API serves."""


def _json_error(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


class RuntimeApi:
    """The Runtime API endpoint of one execution environment."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, admit: Admit | None = None) -> None:
        self.host = host
        self.port = port
        self.admit = admit
        """Who is served (the environment's sandbox says); None serves no one."""
        # No idle timeout: a runtime may leave a pooled connection unused for as long
        # as its function runs (up to 15 minutes) and then post the answer on it.
        # No Host required: this endpoint never asked for one, and a hand-written
        # bootstrap may not send it.
        self._server = HttpServer(
            self._handle,
            host=host,
            port=port,
            name="runtime api",
            idle_timeout_s=None,
            backlog=16,
            require_host=False,
            admit=self._admit,
            refuse=self._refuse,
        )
        self._work: asyncio.Queue[Invocation] = asyncio.Queue()
        self.current: Invocation | None = None
        self.initialized: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        """Resolves with ``loop.time()`` at the runtime's first ``next``: the end of INIT."""
        self.init_error: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.before_init_error_reply: Callable[[], None] | None = None
        """Called as an init error arrives, before it is answered: the runtime is still there
        (it exits once answered), so what can only be read from a live sandbox is read now."""

    @property
    def address(self) -> str:
        """What ``AWS_LAMBDA_RUNTIME_API`` is set to."""
        return f"{self.host}:{self.port}"

    async def start(self) -> None:
        await self._server.start()
        self.port = self._server.port

    async def close(self) -> None:
        await self._server.close()

    def deliver(self, invocation: Invocation) -> None:
        """Hand work to the runtime's pending (or next) ``next`` call."""
        self._work.put_nowait(invocation)

    # -- HTTP ------------------------------------------------------------------
    async def _admit(self, conn: Connection) -> bool:
        client = conn.writer.get_extra_info("peername")
        server = conn.writer.get_extra_info("sockname")
        if self.admit is None or not client or not server:
            return False
        return await self.admit(client[:2], server[:2])

    def _refuse(self, request: Request) -> Response:
        message = f"{request.method} {request.path}: this Runtime API serves only its own execution environment"
        return Response(403, [("Content-Type", "application/json")], _json_error("AccessDenied", message), close=True)

    async def _handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path == _NEXT:
            status, extra, payload = await self._next()
        else:  # everything else answers at once: no coroutine for it
            status, extra, payload = self._route(request)
        # Content-Type first, then the route's headers, then the server's framing.
        headers = {"Content-Type": "application/json", **extra}
        return Response(status, list(headers.items()), payload)

    def _route(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        method, path = request.method, request.path
        if not path.startswith(PREFIX):
            return 404, {}, _json_error("NotFound", f"unknown path {path}")
        path = path[len(PREFIX) :]
        if method == "POST" and path == "/runtime/init/error":
            return self._init_error(request)
        if method == "POST" and path.startswith("/runtime/invocation/"):
            request_id, _, verb = path[len("/runtime/invocation/") :].partition("/")
            if verb in ("response", "error"):
                return self._reply(request_id, verb, request)
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

    def _reply(self, request_id: str, verb: str, request: Request) -> tuple[int, dict[str, str], bytes]:
        body = request.body
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
            error_type = request.get("Lambda-Runtime-Function-Error-Type") or _error_type(body)
            current.outcome.set_result(Outcome("error", body, error_type, now))
        return 202, {}, b'{"status":"OK"}'

    def _init_error(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        if self.init_error.done() or self.initialized.done():
            return (
                403,
                {},
                _json_error("InvalidStateTransition", "State transition is not allowed: init/error after init"),
            )
        if self.before_init_error_reply is not None:
            self.before_init_error_reply()
        error_type = request.get("Lambda-Runtime-Function-Error-Type") or _error_type(request.body)
        self.init_error.set_result(Outcome("error", request.body, error_type, asyncio.get_running_loop().time()))
        return 202, {}, b'{"status":"OK"}'


def _error_type(body: bytes) -> str | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value.get("errorType") if isinstance(value, dict) else None
