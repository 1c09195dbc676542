"""The Runtime API server speaks the protocol exactly: headers, status codes, keep-alive."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import threading
from collections.abc import Iterator

import pytest

from computetui.backends.local.lambda_.runtime_api import MAX_RESPONSE_BYTES, Invocation, RuntimeApi


class Server:
    """A RuntimeApi on its own loop in a thread, driven from the test thread.

    It serves every connection, unless ``runtime_ports`` is given: then only connections
    from those client ports (the test's stand-in for the environment's own processes).
    ``told=False`` gives the RuntimeApi no way to know its environment."""

    def __init__(self, runtime_ports: set[int] | None = None, told: bool = True) -> None:
        self.runtime_ports = runtime_ports
        self.told = told
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.api: RuntimeApi = self.run(self._make())

    async def _make(self) -> RuntimeApi:
        api = RuntimeApi(admit=self._admit if self.told else None)
        await api.start()
        return api

    async def _admit(self, client: tuple[str, int], server: tuple[str, int]) -> bool:
        assert server == ("127.0.0.1", self.api.port)
        return self.runtime_ports is None or client[1] in self.runtime_ports

    def run(self, coro):  # noqa: ANN001, ANN201
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def deliver(self, request_id: str, payload: bytes = b'{"a": 1}') -> Invocation:
        async def make() -> Invocation:
            invocation = Invocation(
                request_id,
                payload,
                "arn:aws:lambda:us-east-1:000000000000:function:f",
                1_700_000_000_000,
                "Root=1-abc;Parent=def;Sampled=0",
                client_context="ctx",
            )
            self.api.deliver(invocation)
            return invocation

        return self.run(make())

    def close(self) -> None:
        self.run(self.api.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def connect(server: Server) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.api.port, timeout=5)


def test_next_hands_over_the_event_with_every_header(server: Server) -> None:
    server.deliver("req-1")
    conn = connect(server)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    response = conn.getresponse()
    assert response.status == 200
    assert response.read() == b'{"a": 1}'
    assert response.getheader("Lambda-Runtime-Aws-Request-Id") == "req-1"
    assert response.getheader("Lambda-Runtime-Deadline-Ms") == "1700000000000"
    assert response.getheader("Lambda-Runtime-Invoked-Function-Arn").endswith(":function:f")
    assert response.getheader("Lambda-Runtime-Trace-Id") == "Root=1-abc;Parent=def;Sampled=0"
    assert response.getheader("Lambda-Runtime-Client-Context") == "ctx"
    assert response.getheader("Content-Type") == "application/json"
    assert server.api.initialized.done()


def test_a_response_is_accepted_once_and_a_second_is_forbidden(server: Server) -> None:
    invocation = server.deliver("req-2")
    conn = connect(server)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-2/response", body=b'"done"')
    first = conn.getresponse()
    assert first.status == 202 and first.read()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-2/response", body=b'"again"')
    second = conn.getresponse()
    assert second.status == 403
    assert json.loads(second.read())["errorType"] == "InvalidStateTransition"
    outcome = server.run(asyncio.wait_for(asyncio.shield(invocation.outcome), 1))
    assert (outcome.kind, outcome.body) == ("response", b'"done"')


def test_a_reply_for_another_request_is_forbidden(server: Server) -> None:
    server.deliver("req-3")
    conn = connect(server)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    conn.request("POST", "/2018-06-01/runtime/invocation/not-this-one/error", body=b"{}")
    assert conn.getresponse().status == 403


def test_an_error_reply_carries_its_type(server: Server) -> None:
    invocation = server.deliver("req-4")
    conn = connect(server)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    body = json.dumps({"errorMessage": "boom", "errorType": "Oops", "stackTrace": []})
    conn.request(
        "POST",
        "/2018-06-01/runtime/invocation/req-4/error",
        body=body,
        headers={"Lambda-Runtime-Function-Error-Type": "Unhandled.Oops"},
    )
    assert conn.getresponse().status == 202
    outcome = server.run(asyncio.wait_for(asyncio.shield(invocation.outcome), 1))
    assert (outcome.kind, outcome.error_type) == ("error", "Unhandled.Oops")


def test_a_response_over_6_mb_is_413(server: Server) -> None:
    invocation = server.deliver("req-5")
    conn = connect(server)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-5/response", body=b"x" * (MAX_RESPONSE_BYTES + 1))
    assert conn.getresponse().status == 413
    outcome = server.run(asyncio.wait_for(asyncio.shield(invocation.outcome), 1))
    assert outcome.error_type == "Function.ResponseSizeTooLarge"


def test_a_chunked_body_is_read_whole(server: Server) -> None:
    invocation = server.deliver("req-6")
    conn = connect(server)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    conn.putrequest("POST", "/2018-06-01/runtime/invocation/req-6/response")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    conn.send(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    assert conn.getresponse().status == 202
    outcome = server.run(asyncio.wait_for(asyncio.shield(invocation.outcome), 1))
    assert outcome.body == b"hello world"


def test_init_error_is_accepted_before_init_and_forbidden_after(server: Server) -> None:
    conn = connect(server)
    body = json.dumps({"errorMessage": "x", "errorType": "Runtime.ImportModuleError"})
    conn.request("POST", "/2018-06-01/runtime/init/error", body=body)
    first = conn.getresponse()
    assert first.status == 202 and first.read()
    assert server.api.init_error.done()
    conn.request("POST", "/2018-06-01/runtime/init/error", body=body)
    assert conn.getresponse().status == 403


def test_an_unknown_path_is_404(server: Server) -> None:
    conn = connect(server)
    conn.request("GET", "/2018-06-01/runtime/nothing")
    assert conn.getresponse().status == 404


def raw_exchange(server: Server, request: bytes, expected: int) -> bytes:
    """Send ``request`` on a plain socket and read ``expected`` bytes of answer."""
    with socket.create_connection(("127.0.0.1", server.api.port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while len(data) < expected:
            piece = sock.recv(expected - len(data))
            if not piece:
                break
            data += piece
        return data


def test_next_answers_with_content_type_first_then_the_event_headers_then_the_length(server: Server) -> None:
    server.deliver("req-7", b'{"k": 1}')
    expected = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: req-7\r\n"
        b"Lambda-Runtime-Deadline-Ms: 1700000000000\r\n"
        b"Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:000000000000:function:f\r\n"
        b"Lambda-Runtime-Trace-Id: Root=1-abc;Parent=def;Sampled=0\r\nLambda-Runtime-Client-Context: ctx\r\n"
        b'Content-Length: 8\r\n\r\n{"k": 1}'
    )
    request = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
    assert raw_exchange(server, request, len(expected)) == expected


def test_a_runtime_that_sends_no_host_is_still_served(server: Server) -> None:
    answer = raw_exchange(server, b"GET /2018-06-01/runtime/nothing HTTP/1.1\r\n\r\n", 12)
    assert answer == b"HTTP/1.1 404"


NEXT = "/2018-06-01/runtime/invocation/next"


def refused(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None) -> dict:
    conn.request(method, path, body=body)
    response = conn.getresponse()
    assert response.status == 403
    assert response.getheader("Connection") == "close"
    return json.loads(response.read())


@pytest.fixture
def guarded() -> Iterator[Server]:
    s = Server(runtime_ports=set())
    yield s
    s.close()


def test_a_connection_the_environment_does_not_own_is_refused_and_changes_nothing(guarded: Server) -> None:
    runtime = connect(guarded)
    # The port is known before the connection is made: the server checks it as it accepts.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    guarded.runtime_ports.add(sock.getsockname()[1])
    sock.settimeout(5)
    sock.connect(("127.0.0.1", guarded.api.port))
    runtime.sock = sock
    invocation = guarded.deliver("req-s", b'{"secret": "s3"}')
    stranger = connect(guarded)
    # Refused at once, not kept waiting for work, and the work stays queued for the runtime.
    assert refused(stranger, "GET", NEXT)["errorType"] == "AccessDenied"
    assert not guarded.api.initialized.done() and guarded.api.current is None
    runtime.request("GET", NEXT)
    taken = runtime.getresponse()
    assert (taken.status, taken.read()) == (200, b'{"secret": "s3"}')
    assert taken.getheader("Lambda-Runtime-Aws-Request-Id") == "req-s"
    forged = b'{"forged": true}'
    assert refused(connect(guarded), "POST", "/2018-06-01/runtime/invocation/req-s/response", forged)
    assert refused(connect(guarded), "POST", "/2018-06-01/runtime/invocation/req-s/error", forged)
    assert refused(connect(guarded), "POST", "/2018-06-01/runtime/init/error", forged)
    assert not invocation.outcome.done() and not guarded.api.init_error.done()
    runtime.request("POST", "/2018-06-01/runtime/invocation/req-s/response", body=b'"real"')
    assert runtime.getresponse().status == 202
    outcome = guarded.run(asyncio.wait_for(asyncio.shield(invocation.outcome), 1))
    assert (outcome.kind, outcome.body) == ("response", b'"real"')


def test_a_runtime_api_told_nothing_about_its_environment_serves_no_one() -> None:
    server = Server(told=False)
    try:
        server.deliver("req-n")
        assert refused(connect(server), "GET", NEXT)["errorType"] == "AccessDenied"
        assert server.api.current is None
    finally:
        server.close()
