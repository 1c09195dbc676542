"""The local Application Load Balancer: health checks, round robin, draining, proxying.

Targets are small ``http.server`` servers on 127.0.0.1 in threads that answer
with their own name, so the proxy is checked against an HTTP implementation
that is not its own. Clients are ``http.client`` (in a thread) or raw sockets
when the exact bytes matter. Health checks run every 0.05 s where the test is
about the periodic loop, and are driven by ``health_check_now()`` (with a long
interval) where a test needs to know exactly when a target changes state.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import http.client
import json
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from computetui.backends.local.http.balancer import HealthCheck, LoadBalancer, Target, TargetHealth, parse_matcher

WAIT = 5.0
"""The limit on every wait in this module."""


# -- targets ----------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: TargetServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.connections.discard(self.connection)

    def _send(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        srv = self.server
        if self.path == "/health":
            srv.health_checks += 1
            self._send(srv.health_status, b"ok")
            return
        srv.hits += 1
        if self.path == "/headers":
            self._send(200, json.dumps(dict(self.headers.items())).encode(), "application/json")
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "X-Checksum")
            self.end_headers()
            for piece in chunked_pieces(srv.name):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\nX-Checksum: done\r\n\r\n")
        elif self.path == "/until-close":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(srv.name.encode() + b" until close")
            self.close_connection = True
        elif self.path == "/big":
            self._send(200, big_body(srv.name))
        elif self.path.startswith("/slow"):
            time.sleep(float(self.path.partition("=")[2] or "0.2"))
            self._send(200, srv.name.encode())
        else:
            self._send(200, srv.name.encode())

    def do_HEAD(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", str(len(big_body(self.server.name))))
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        self.server.hits += 1
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.read(2)
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = {"name": self.server.name, "length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        self._send(200, json.dumps(answer).encode(), "application/json")


class TargetServer(ThreadingHTTPServer):
    """A target answering with its name; ``health_status`` is what ``/health`` says."""

    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.name = name
        self.health_status = 200
        self.health_checks = 0
        self.hits = 0
        self.connections: set[socket.socket] = set()
        self.port = self.server_address[1]
        self.target = Target(f"arn:aws:ecs:us-east-1:000000000000:task/test/{name}", "127.0.0.1", self.port)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.stopped = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client (the load balancer) that hung up first: expected in these tests

    def stop(self) -> None:
        """Stop listening (new connections are refused) and drop the open ones."""
        if self.stopped:
            return
        self.stopped = True
        self.shutdown()
        self.server_close()
        for conn in list(self.connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self.thread.join(WAIT)


def big_body(name: str) -> bytes:
    return name.encode() * 300_000


def chunked_pieces(name: str) -> list[bytes]:
    return [name.encode(), b"-", b"x" * 70_000, b"y" * 10, b"-end"]


@pytest.fixture
def servers() -> Iterator[Callable[[int], list[TargetServer]]]:
    started: list[TargetServer] = []

    def make(count: int) -> list[TargetServer]:
        made = [TargetServer(f"t{len(started) + i}") for i in range(count)]
        started.extend(made)
        return made

    yield make
    for server in started:
        server.stop()


# -- helpers ---------------------------------------------------------------------------------
def fast_checks(**overrides: object) -> HealthCheck:
    settings = {
        "path": "/health",
        "interval_s": 0.05,
        "timeout_s": 0.5,
        "healthy_threshold": 2,
        "unhealthy_threshold": 2,
        **overrides,
    }
    return HealthCheck(**settings)  # type: ignore[arg-type]


def manual_checks(**overrides: object) -> HealthCheck:
    """Checks that only happen on registration and when the test asks."""
    return fast_checks(interval_s=3600.0, **overrides)


@contextlib.asynccontextmanager
async def balancer(
    targets: list[TargetServer], health: HealthCheck | None = None, **options: object
) -> AsyncIterator[LoadBalancer]:
    lb = LoadBalancer("test-alb", health or fast_checks(), **options)  # type: ignore[arg-type]
    await lb.start()
    try:
        lb.set_targets([t.target for t in targets])
        yield lb
    finally:
        await lb.close()


async def wait_until(predicate: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.01)
    except TimeoutError:
        pytest.fail(f"timed out after {timeout}s waiting for {what}")


async def all_healthy(lb: LoadBalancer, count: int) -> None:
    await wait_until(lambda: lb.healthy_count() == count, f"{count} healthy targets")


async def healthy_now(lb: LoadBalancer, count: int) -> None:
    """Force health check rounds until ``count`` targets are healthy (a few at most)."""
    for _ in range(5):
        if lb.healthy_count() == count:
            return
        await lb.health_check_now()
    assert lb.healthy_count() == count, lb.describe()


def states(lb: LoadBalancer) -> dict[str, TargetHealth]:
    return {h.target.id.rsplit("/", 1)[1]: h for h in lb.describe()}


class Client:
    """An ``http.client`` connection, used from a thread so the loop keeps serving."""

    def __init__(self, lb: LoadBalancer) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=WAIT)

    def _request(
        self, method: str, path: str, body: object, headers: dict[str, str], chunked: bool
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        self.conn.request(method, path, body=body, headers=headers, encode_chunked=chunked)  # type: ignore[arg-type]
        response = self.conn.getresponse()
        return response.status, response.headers, response.read()

    async def request(
        self,
        method: str = "GET",
        path: str = "/",
        body: object = None,
        headers: dict[str, str] | None = None,
        chunked: bool = False,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        async with asyncio.timeout(WAIT):
            return await asyncio.to_thread(self._request, method, path, body, headers or {}, chunked)

    async def get(self, path: str = "/") -> tuple[int, bytes]:
        status, _, body = await self.request("GET", path)
        return status, body

    def close(self) -> None:
        self.conn.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes, bytes]:
    """(status, headers, decoded body, raw bytes) of one response read off a raw stream."""
    async with asyncio.timeout(WAIT):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        raw = head
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size_line = await reader.readuntil(b"\r\n")
                raw += size_line
                size = int(size_line.split(b";")[0], 16)
                if size == 0:
                    while True:
                        line = await reader.readuntil(b"\r\n")
                        raw += line
                        if line == b"\r\n":
                            break
                    break
                data = await reader.readexactly(size + 2)
                raw += data
                body += data[:-2]
        else:
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            raw += body
        return status, headers, body, raw


@contextlib.asynccontextmanager
async def raw_connection(lb: LoadBalancer) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    async with asyncio.timeout(WAIT):
        reader, writer = await asyncio.open_connection("127.0.0.1", lb.port)
    try:
        yield reader, writer
    finally:
        writer.close()


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


# -- health check settings -----------------------------------------------------------------------
def test_matcher_parses_like_alb() -> None:
    assert parse_matcher("200") == ((200, 200),)
    assert parse_matcher("200-299") == ((200, 299),)
    assert parse_matcher("200,302") == ((200, 200), (302, 302))
    check = HealthCheck(matcher="200,300-399")
    assert check.matches(200) and check.matches(302) and not check.matches(204) and not check.matches(404)
    assert HealthCheck().matches(399) and not HealthCheck().matches(400)
    for bad in ("", "abc", "200-", "600", "199", "300-200", "200;302"):
        with pytest.raises(ValueError):
            HealthCheck(matcher=bad)
    with pytest.raises(ValueError):
        HealthCheck(path="health")


# -- routing --------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_round_robin_over_three_healthy_targets(servers) -> None:  # noqa: ANN001
    targets = servers(3)
    async with balancer(targets) as lb:
        assert lb.url == f"http://127.0.0.1:{lb.port}"
        await all_healthy(lb, 3)
        assert all(h.state == "healthy" and h.reason is None for h in lb.describe())
        keep_alive = Client(lb)
        names = []
        for _ in range(15):  # one keep-alive connection
            status, body = await keep_alive.get()
            assert status == 200
            names.append(body.decode())
        keep_alive.close()
        for _ in range(15):  # a connection per request
            client = Client(lb)
            status, body = await client.get()
            client.close()
            assert status == 200
            names.append(body.decode())
        assert {names.count(name) for name in ("t0", "t1", "t2")} == {10}
        assert all(names[i] != names[i + 1] for i in range(len(names) - 1)), names
        assert lb.requests == {t.target.id: 10 for t in targets}
        assert lb.requests_total == 30
        assert [t.hits for t in targets] == [10, 10, 10]


@pytest.mark.asyncio
async def test_unhealthy_target_gets_no_traffic_and_comes_back(servers) -> None:  # noqa: ANN001
    t0, t1, t2 = servers(3)
    async with balancer([t0, t1, t2]) as lb:
        await all_healthy(lb, 3)
        t1.health_status = 500
        await wait_until(lambda: states(lb)["t1"].state == "unhealthy", "t1 unhealthy")
        health = states(lb)["t1"]
        assert health.reason == "Target.ResponseCodeMismatch"
        assert health.description == "Health checks failed with these codes: [500]"
        assert lb.healthy_count() == 2
        client = Client(lb)
        hits_before = t1.hits
        names = [(await client.get())[1].decode() for _ in range(20)]
        assert sorted(set(names)) == ["t0", "t2"] and names.count("t0") == 10
        assert t1.hits == hits_before

        t1.health_status = 200
        await wait_until(lambda: states(lb)["t1"].state == "healthy", "t1 healthy again")
        names = [(await client.get())[1].decode() for _ in range(9)]
        assert sorted(names) == ["t0"] * 3 + ["t1"] * 3 + ["t2"] * 3
        client.close()


@pytest.mark.asyncio
async def test_health_check_timeout_and_refused_reasons(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    # A listener that accepts and never answers: the check times out.
    silent = socket.create_server(("127.0.0.1", 0))
    silent_target = Target("arn:silent", "127.0.0.1", silent.getsockname()[1])
    # A port nobody listens on: the connection is refused.
    closed = socket.create_server(("127.0.0.1", 0))
    refused_target = Target("arn:refused", "127.0.0.1", closed.getsockname()[1])
    closed.close()
    try:
        async with balancer([t0], manual_checks(timeout_s=0.1, unhealthy_threshold=2)) as lb:
            lb.set_targets([t0.target, silent_target, refused_target])
            for _ in range(2):
                await lb.health_check_now()
            by_id = {h.target.id: h for h in lb.describe()}
            assert by_id["arn:silent"].state == "unhealthy"
            assert (by_id["arn:silent"].reason, by_id["arn:silent"].description) == (
                "Target.Timeout",
                "Request timed out",
            )
            assert by_id["arn:refused"].state == "unhealthy"
            assert by_id["arn:refused"].reason == "Target.FailedHealthChecks"
            assert by_id["arn:refused"].description == "Health checks failed"
            assert by_id[t0.target.id].state == "healthy"
    finally:
        silent.close()


@pytest.mark.asyncio
async def test_initial_targets_get_no_traffic_until_healthy(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks(healthy_threshold=4)) as lb:
        (health,) = lb.describe()
        assert health.state == "initial"
        assert health.reason in ("Elb.RegistrationInProgress", "Elb.InitialHealthChecking")
        client = Client(lb)
        for _ in range(6):
            if lb.healthy_count():
                break
            assert lb.describe()[0].state == "initial"
            status, body = await client.get()
            assert status == 503, body
            assert lb.describe()[0].reason in ("Elb.RegistrationInProgress", "Elb.InitialHealthChecking")
            await lb.health_check_now()
        assert lb.describe()[0].state == "healthy"
        assert t0.hits == 0 and lb.requests[t0.target.id] == 0
        assert await client.get() == (200, b"t0")
        client.close()


@pytest.mark.asyncio
async def test_no_healthy_target_gets_503(servers) -> None:  # noqa: ANN001
    t0, t1 = servers(2)
    async with balancer([], manual_checks()) as lb:
        client = Client(lb)
        status, headers, body = await client.request()
        assert status == 503
        assert b"503 Service Temporarily Unavailable" in body
        assert headers["Server"] == "awselb/2.0" and headers["Content-Type"] == "text/html"
        # The connection stays usable after the load balancer's own answer, body or not.
        status, _, _ = await client.request("POST", "/", body=b"x" * 1000)
        assert status == 503
        status, _, _ = await client.request("POST", "/", body=iter([b"abc", b"def"]), chunked=True)
        assert status == 503

        t0.health_status = t1.health_status = 404
        lb.set_targets([t0.target, t1.target])
        for _ in range(2):
            await lb.health_check_now()
        assert {h.state for h in lb.describe()} == {"unhealthy"}
        assert (await client.get())[0] == 503
        assert lb.elb_responses == {503: 4}
        assert t0.hits == t1.hits == 0
        client.close()


@pytest.mark.asyncio
async def test_fail_open_routes_to_unhealthy_targets_when_all_are(servers) -> None:  # noqa: ANN001
    t0, t1 = servers(2)
    t0.health_status = t1.health_status = 500
    async with balancer([t0, t1], manual_checks(), fail_open=True) as lb:
        for _ in range(2):
            await lb.health_check_now()
        assert lb.healthy_count() == 0
        client = Client(lb)
        assert sorted([(await client.get())[1] for _ in range(4)]) == [b"t0", b"t0", b"t1", b"t1"]
        t1.health_status = 200
        for _ in range(2):
            await lb.health_check_now()
        assert [(await client.get())[1] for _ in range(3)] == [b"t1"] * 3  # one healthy: no failing open
        client.close()


@pytest.mark.asyncio
async def test_target_that_goes_away_gets_one_502_then_traffic_moves_on(servers) -> None:  # noqa: ANN001
    t0, t1, t2 = servers(3)
    async with balancer([t0, t1, t2], manual_checks()) as lb:
        await healthy_now(lb, 3)
        client = Client(lb)
        first = [(await client.get())[1] for _ in range(3)]
        assert sorted(first) == [b"t0", b"t1", b"t2"]
        await asyncio.to_thread(t1.stop)  # listener closed, pooled keep-alive connection dropped
        results = [await client.get() for _ in range(3)]  # the same turn order again
        expected = [(502, None) if name == b"t1" else (200, name) for name in first]
        assert [(s, None if s == 502 else b) for s, b in results] == expected
        bad = next(body for status, body in results if status == 502)
        assert b"502 Bad Gateway" in bad
        assert lb.elb_responses == {502: 1}
        # The health checks see it too, and then it gets nothing.
        for _ in range(2):
            await lb.health_check_now()
        assert states(lb)["t1"].state == "unhealthy"
        assert states(lb)["t1"].reason == "Target.FailedHealthChecks"
        assert sorted([(await client.get())[1] for _ in range(4)]) == [b"t0", b"t0", b"t2", b"t2"]
        client.close()


@pytest.mark.asyncio
async def test_target_that_answers_too_slowly_gets_504(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks(), idle_timeout_s=0.2) as lb:
        await healthy_now(lb, 1)
        client = Client(lb)
        status, _, body = await client.request("GET", "/slow?s=1.0")
        assert status == 504 and b"504 Gateway Time-out" in body
        assert await client.get("/slow?s=0.05") == (200, b"t0")
        client.close()


@pytest.mark.asyncio
async def test_idle_timeout_closes_silent_clients_and_pooled_connections(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks(), idle_timeout_s=0.2) as lb:
        await healthy_now(lb, 1)
        # The health check's own connection is closed, but the target may not have seen it yet.
        await wait_until(lambda: not t0.connections, "the health check's connection closed")
        async with raw_connection(lb) as (reader, writer):
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (await read_response(reader))[2] == b"t0"
            assert len(t0.connections) == 1  # the pooled upstream connection
            started = time.monotonic()
            async with asyncio.timeout(WAIT):
                assert await reader.read() == b""  # said nothing for 0.2 s: hung up on
            assert 0.15 < time.monotonic() - started < 1.0
        await wait_until(lambda: not t0.connections, "the idle pooled connection closed")


@pytest.mark.asyncio
async def test_deregistered_target_drains_then_disappears(servers) -> None:  # noqa: ANN001
    t0, t1, t2 = servers(3)
    async with balancer([t0, t1, t2], deregistration_delay_s=0.5) as lb:
        await all_healthy(lb, 3)
        client = Client(lb)
        slow = Client(lb)
        # Find t1's turn, start a slow request to it, then deregister it mid-request.
        while (await client.get())[1] != b"t0":
            pass
        routed, hits = lb.requests[t1.target.id], t1.hits
        in_flight = asyncio.create_task(slow.request("GET", "/slow?s=0.2"))
        await wait_until(lambda: lb.requests[t1.target.id] == routed + 1, "the slow request routed to t1")
        # Routed is not yet received: count t1's hits only once the request has reached it.
        await wait_until(lambda: t1.hits == hits + 1, "the slow request reached t1")
        hits += 1
        lb.set_targets([t0.target, t2.target])
        health = states(lb)["t1"]
        assert (health.state, health.reason) == ("draining", "Target.DeregistrationInProgress")
        assert health.description == "Target deregistration is in progress"
        names = [(await client.get())[1] for _ in range(6)]
        assert sorted(names) == [b"t0"] * 3 + [b"t2"] * 3
        assert t1.hits == hits
        status, _, body = await in_flight  # in flight when the drain began: it completes
        assert (status, body) == (200, b"t1")
        await wait_until(lambda: "t1" not in states(lb), "t1 gone from describe()", timeout=2.0)
        assert [h.state for h in lb.describe()] == ["healthy", "healthy"]
        client.close()
        slow.close()


@pytest.mark.asyncio
async def test_request_still_in_flight_when_draining_ends_is_cut_off(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks(), deregistration_delay_s=0.1) as lb:
        await healthy_now(lb, 1)
        client = Client(lb)
        in_flight = asyncio.create_task(client.request("GET", "/slow?s=1.0"))
        await wait_until(lambda: lb.requests[t0.target.id] == 1, "the request routed")
        await asyncio.sleep(0.05)
        lb.set_targets([])
        status, _, body = await in_flight
        assert status == 502 and b"502 Bad Gateway" in body
        assert lb.describe() == []
        client.close()


@pytest.mark.asyncio
async def test_registering_a_draining_target_again_starts_over(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks(), deregistration_delay_s=30) as lb:
        await healthy_now(lb, 1)
        lb.set_targets([])
        assert lb.describe()[0].state == "draining"
        lb.set_targets([t0.target])
        assert lb.describe()[0].state == "initial"
        for _ in range(2):
            await lb.health_check_now()
        assert lb.describe()[0].state == "healthy"


# -- proxying ------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_post_bodies_reach_the_target_intact(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks()) as lb:
        await healthy_now(lb, 1)
        client = Client(lb)
        small = os.urandom(1000)
        large = os.urandom(3 * 1024 * 1024 + 17)  # streamed rather than buffered
        pieces = [os.urandom(n) for n in (1, 100, 70_000, 5)]
        cases = [
            (small, {}, False),
            (large, {}, False),
            (b"", {"Content-Length": "0"}, False),
            (iter(pieces), {}, True),
        ]
        for body, headers, chunked in cases:
            sent = b"".join(pieces) if chunked else body
            status, _, answer = await client.request("POST", "/echo", body=body, headers=headers, chunked=chunked)
            assert status == 200
            assert json.loads(answer) == {"name": "t0", "length": len(sent), "sha256": hashlib.sha256(sent).hexdigest()}
        client.close()


@pytest.mark.asyncio
async def test_expect_100_continue_is_answered_by_the_load_balancer(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks()) as lb:
        await healthy_now(lb, 1)
        async with raw_connection(lb) as (reader, writer):
            writer.write(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            async with asyncio.timeout(WAIT):
                assert await reader.readuntil(b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
            writer.write(b"hello")
            status, _, body, _ = await read_response(reader)
            assert status == 200 and json.loads(body)["sha256"] == hashlib.sha256(b"hello").hexdigest()


@pytest.mark.asyncio
async def test_forwarded_headers_and_hop_by_hop_headers(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks()) as lb:
        await healthy_now(lb, 1)
        client = Client(lb)
        status, _, body = await client.request("GET", "/headers", headers={"X-Custom": "kept", "Host": "app.example"})
        seen = json.loads(body)
        assert status == 200
        assert seen["X-Forwarded-For"] == "127.0.0.1"
        assert seen["X-Forwarded-Proto"] == "http"
        assert seen["X-Forwarded-Port"] == str(lb.port)
        assert seen["X-Custom"] == "kept" and seen["Host"] == "app.example"
        status, _, body = await client.request(
            "GET",
            "/headers",
            headers={
                "X-Forwarded-For": "203.0.113.7",
                "X-Forwarded-Proto": "https",
                "Connection": "keep-alive, X-Secret",
                "X-Secret": "hop",
                "Keep-Alive": "timeout=5",
                "Upgrade": "websocket",
            },
        )
        seen = json.loads(body)
        assert seen["X-Forwarded-For"] == "203.0.113.7, 127.0.0.1"
        assert seen["X-Forwarded-Proto"] == "http"
        for hop in ("X-Secret", "Keep-Alive", "Upgrade"):
            assert hop not in seen
        client.close()


@pytest.mark.asyncio
async def test_keep_alive_and_pipelining_on_one_client_connection(servers) -> None:  # noqa: ANN001
    t0, t1 = servers(2)
    async with balancer([t0, t1], manual_checks()) as lb:
        await healthy_now(lb, 2)
        async with raw_connection(lb) as (reader, writer):
            names = []
            for _ in range(4):
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                status, headers, body, _ = await read_response(reader)
                assert status == 200 and "connection" not in headers
                names.append(body)
            writer.write(
                b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 3 + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            for _ in range(4):
                status, headers, body, _ = await read_response(reader)
                names.append(body)
            assert headers["connection"] == "close"
            async with asyncio.timeout(WAIT):
                assert await reader.read() == b""  # closed after the Connection: close request
        assert names == [b"t0", b"t1"] * 4 or names == [b"t1", b"t0"] * 4
        assert lb.requests_total == 8


@pytest.mark.asyncio
async def test_chunked_response_is_relayed_intact(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks()) as lb:
        await healthy_now(lb, 1)
        async with raw_connection(lb) as (reader, writer):
            for _ in range(2):  # and the connection is still good after it
                writer.write(b"GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n")
                status, headers, body, raw = await read_response(reader)
                assert status == 200 and headers["transfer-encoding"] == "chunked"
                assert body == b"".join(chunked_pieces("t0"))
                framing = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in chunked_pieces("t0"))
                assert raw.endswith(framing + b"0\r\nX-Checksum: done\r\n\r\n")
        client = Client(lb)
        assert await client.get("/chunked") == (200, b"".join(chunked_pieces("t0")))
        client.close()


@pytest.mark.asyncio
async def test_response_without_length_is_rechunked_for_the_client(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks()) as lb:
        await healthy_now(lb, 1)
        async with raw_connection(lb) as (reader, writer):
            for _ in range(2):
                writer.write(b"GET /until-close HTTP/1.1\r\nHost: x\r\n\r\n")
                status, headers, body, _ = await read_response(reader)
                assert (status, headers["transfer-encoding"], body) == (200, "chunked", b"t0 until close")
        async with raw_connection(lb) as (reader, writer):  # an HTTP/1.0 client: until close, too
            writer.write(b"GET /until-close HTTP/1.0\r\n\r\n")
            async with asyncio.timeout(WAIT):
                raw = await reader.read()
            assert raw.startswith(b"HTTP/1.1 200 ") and raw.endswith(b"\r\n\r\nt0 until close")
            assert b"\r\nConnection: close\r\n" in raw


@pytest.mark.asyncio
async def test_large_response_head_and_http10_client(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks()) as lb:
        await healthy_now(lb, 1)
        client = Client(lb)
        assert await client.get("/big") == (200, big_body("t0"))  # streamed, not sent in one piece
        client.close()
        async with raw_connection(lb) as (reader, writer):
            writer.write(b"HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            async with asyncio.timeout(WAIT):
                head = await reader.readuntil(b"\r\n\r\n")  # HEAD: a length, but no body follows
            assert head.startswith(b"HTTP/1.1 200 ") and f"Content-Length: {len(big_body('t0'))}".encode() in head
            assert (await read_response(reader))[2] == b"t0"
        async with raw_connection(lb) as (reader, writer):  # HTTP/1.0 gets the chunked body unchunked
            writer.write(b"GET /chunked HTTP/1.0\r\n\r\n")
            async with asyncio.timeout(WAIT):
                raw = await reader.read()
            head, _, body = raw.partition(b"\r\n\r\n")
            assert b"Transfer-Encoding" not in head and b"Connection: close" in head
            assert body == b"".join(chunked_pieces("t0"))


class FlakyTarget:
    """An asyncio target that answers the first request on a connection, then hangs up
    when the next one arrives (a keep-alive race the proxy must survive), and answers
    ``/garbage`` with something that is not HTTP."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0

    async def start(self) -> Target:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return Target("arn:flaky", "127.0.0.1", self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            for index in range(2):
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                if index == 1 and not head.startswith(b"GET /health"):
                    return  # hang up without answering
                self.requests += 1
                if head.startswith(b"GET /garbage"):
                    writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
                    return
                if head.startswith(b"GET /truncated"):
                    length = b"100" if head.startswith(b"GET /truncated-small") else b"1000000"
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: " + length + b"\r\n\r\nonly ten..")
                    return
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nflaky")
                await writer.drain()
                if head.startswith(b"GET /health"):
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def close(self) -> None:
        self.server.close()
        await self.server.wait_closed()


@pytest.mark.asyncio
async def test_pooled_connection_closed_by_the_target_is_retried_for_idempotent_methods() -> None:
    flaky = FlakyTarget()
    target = await flaky.start()
    lb = LoadBalancer("test-alb", manual_checks())
    await lb.start()
    try:
        lb.set_targets([target])
        await healthy_now(lb, 1)
        client = Client(lb)
        before = flaky.connections
        assert await client.get() == (200, b"flaky")  # new upstream connection, kept in the pool
        assert await client.get() == (200, b"flaky")  # pooled one hangs up: retried on a new one
        assert flaky.connections - before == 2 and lb.elb_responses == {}
        status, _, body = await client.request("POST", "/", body=b"data")  # pooled again: not retried
        assert status == 502 and b"502 Bad Gateway" in body
        status, _, body = await client.request("GET", "/garbage")
        assert status == 502
        status, _, body = await client.request("GET", "/truncated-small")  # nothing sent yet: 502
        assert status == 502
        assert lb.elb_responses == {502: 3}
        client.close()
        async with raw_connection(lb) as (reader, writer):  # dies mid-body: the client is hung up on
            writer.write(b"GET /truncated-big HTTP/1.1\r\nHost: x\r\n\r\n")
            async with asyncio.timeout(WAIT):
                raw = await reader.read()
            assert raw == b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nonly ten.."
    finally:
        await lb.close()
        await flaky.close()


@pytest.mark.asyncio
async def test_expect_100_continue_without_healthy_target_closes() -> None:
    async with balancer([], manual_checks()) as lb, raw_connection(lb) as (reader, writer):
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        status, headers, _, _ = await read_response(reader)
        assert status == 503 and headers["connection"] == "close"  # the body was never asked for


@pytest.mark.asyncio
async def test_malformed_request_gets_400(servers) -> None:  # noqa: ANN001
    (t0,) = servers(1)
    async with balancer([t0], manual_checks()) as lb:
        await healthy_now(lb, 1)
        too_big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
        for request in (
            b"NONSENSE\r\n\r\n",
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: z\r\n\r\n",
            too_big,
        ):
            async with raw_connection(lb) as (reader, writer):
                writer.write(request)
                status, headers, body, _ = await read_response(reader)
                assert status == 400 and headers["connection"] == "close" and b"400 Bad Request" in body
        assert t0.hits == 0


@pytest.mark.asyncio
async def test_close_leaves_no_open_sockets(servers) -> None:  # noqa: ANN001
    t0, t1 = servers(2)
    await asyncio.sleep(0.05)
    before = open_fds()
    lb = LoadBalancer("test-alb", fast_checks())
    await lb.start()
    lb.set_targets([t0.target, t1.target])
    await all_healthy(lb, 2)
    client = Client(lb)
    for _ in range(4):
        assert (await client.get())[0] == 200
    reader, writer = await asyncio.open_connection("127.0.0.1", lb.port)  # left open across close()
    writer.write(b"GET /slow?s=0.5 HTTP/1.1\r\nHost: x\r\n\r\n")  # and one request in flight
    await wait_until(lambda: lb.requests_total == 5, "the slow request")
    assert len(open_fds() - before) > 0
    await lb.close()
    async with asyncio.timeout(WAIT):
        with contextlib.suppress(ConnectionResetError):
            assert await reader.read() == b""  # the load balancer hung up
    writer.close()
    client.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", lb.port), timeout=WAIT).close()
    await wait_until(lambda: not (open_fds() - before), "every socket closed")
    checks = t0.health_checks + t1.health_checks
    await asyncio.sleep(0.2)
    assert t0.health_checks + t1.health_checks == checks  # health checks stopped
    await lb.close()  # twice is fine
    with pytest.raises(RuntimeError):
        lb.set_targets([t0.target])
