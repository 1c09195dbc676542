"""A local Application Load Balancer: one HTTP listener in front of one target group.

What it emulates from an ALB whose HTTP listener forwards to a target group of
``ip`` targets (its users hand it published ``127.0.0.1:port`` addresses: ECS's
service scheduler its tasks', Lightsail's container services their nodes';
nothing here knows about either):

- **Health checks**, one loop per target: ``GET <path>`` every ``interval_s`` on a
  short connection of its own, passing when the status matches the matcher
  (``"200"``, ``"200-299"``, ``"200,302"``) within ``timeout_s``. A new target is
  ``initial`` until ``healthy_threshold`` checks pass in a row, a target turns
  ``unhealthy`` after ``unhealthy_threshold`` failures in a row and ``healthy``
  again after ``healthy_threshold`` passes. States and reason codes are elbv2's
  (``DescribeTargetHealth``): ``Elb.RegistrationInProgress``,
  ``Elb.InitialHealthChecking``, ``Target.ResponseCodeMismatch``,
  ``Target.Timeout``, ``Target.FailedHealthChecks``,
  ``Target.DeregistrationInProgress``.
- **Deregistration**: a target left out of ``set_targets`` is ``draining`` for the
  deregistration delay, gets no new requests, and is then gone. Requests still
  in flight to it when the delay ends are cut off (a 502 if no response byte has
  reached the client yet), as AWS does. AWS may end draining early when the
  target has no connections at all; here it always lasts the full delay.
- **Routing**: round robin over the healthy targets, per request (not per
  connection). With no healthy target the load balancer answers ``503`` itself.
  AWS "fails open" when *every* registered target is unhealthy (it then routes
  to all of them); ``fail_open=True`` does that, the default is the plain 503.
- **Errors the load balancer makes itself**, with ALB's HTML page and
  ``Server: awselb/2.0``: 400 for a request it cannot parse; 502 when the target
  refuses or drops the connection or answers something that is not HTTP; 504
  when it cannot connect within ``connect_timeout_s`` (10 s on AWS) or sends
  nothing for ``idle_timeout_s`` (the ALB idle timeout, 60 s).
- **HTTP/1.1 proxying**: client keep-alive (closed after ``idle_timeout_s`` of
  silence) and pipelining, request bodies by Content-Length or chunked,
  responses by Content-Length, chunked (relayed as is, trailers included) or
  until-close (re-chunked for HTTP/1.1 clients), ``Expect: 100-continue``
  answered by the load balancer, hop-by-hop headers dropped,
  ``X-Forwarded-For`` appended to, ``X-Forwarded-Proto: http`` and
  ``X-Forwarded-Port`` set. Idle upstream connections are kept in a small pool
  per target; a request on a pooled connection the target had already closed is
  retried once on a new connection when its method is idempotent.

What it does not emulate: listener rules (host/path/header conditions,
redirects, fixed responses, weighted forwards to several groups), HTTPS/TLS and
certificates, HTTP/2 and gRPC, WebSocket upgrades (``Upgrade`` is dropped),
sticky sessions, slow start, the least-outstanding-requests algorithm,
availability zones, access logs, ``X-Amzn-Trace-Id``, desync mitigation modes.
Defaults are shorter than AWS's on purpose (AWS: interval 30 s, timeout 5 s,
healthy threshold 5, matcher ``"200"``, deregistration delay 300 s) so that a
local service comes up and goes away in seconds.

Everything runs on the caller's asyncio loop (the controller's), on the
emulator's HTTP package (``local.http``: its server listens and parses, its
streams copy bodies): TCP_NODELAY on both sides, a small response's head and
body written in one send, no thread hops, and no timer per read: one sweeper
task per load balancer enforces the idle timeout on client and target
connections alike (so it fires up to a quarter of the timeout, at most 1 s,
late). On loopback this adds about what the thinnest asyncio byte
relay adds (~0.1-0.25 ms per keep-alive request). It binds 127.0.0.1 unless told
otherwise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from computetui.backends.local.http.codec import (
    CHUNKED,
    LENGTH,
    NO_BODY,
    UNTIL_CLOSE,
    Head,
    Request,
    response_framing,
    status_code,
)
from computetui.backends.local.http.server import MALFORMED, HttpServer
from computetui.backends.local.http.streams import (
    CHUNK,
    Broken,
    Connection,
    Sink,
    copy_body,
    copy_chunked,
    copy_length,
    copy_until_close,
    nodelay,
    read_response_head,
)

log = logging.getLogger(__name__)

INITIAL = "initial"
HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
DRAINING = "draining"

_DESCRIPTIONS = {
    "Elb.RegistrationInProgress": "Target registration is in progress",
    "Elb.InitialHealthChecking": "Initial health checks in progress",
    "Target.Timeout": "Request timed out",
    "Target.FailedHealthChecks": "Health checks failed",
    "Target.DeregistrationInProgress": "Target deregistration is in progress",
}

_BUFFER_REQUEST = 1024 * 1024
"""Request bodies up to this size are read before the target is contacted (so a
stale pooled connection can be retried); larger ones are streamed."""
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "upgrade"})
_SET_BY_US = frozenset({"x-forwarded-for", "x-forwarded-proto", "x-forwarded-port", "expect"})
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_ELB_REASONS = {
    400: "Bad Request",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


@dataclass(frozen=True)
class Target:
    """A registered target: ``id`` is its user's name for it (an ECS task ARN, a Lightsail node), ``host:port`` where it listens."""

    id: str
    host: str
    port: int


@dataclass
class HealthCheck:
    """A target group's health check settings (elbv2 ``HealthCheck*`` and ``Matcher``)."""

    path: str = "/"
    interval_s: float = 5.0
    timeout_s: float = 2.0
    healthy_threshold: int = 2
    unhealthy_threshold: int = 2
    matcher: str = "200-399"
    """ALB's ``Matcher.HttpCode``: ``"200"``, ``"200-299"``, ``"200,302"``, codes 200-499."""

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise ValueError(f"health check path must start with '/': {self.path!r}")
        if self.interval_s <= 0 or self.timeout_s <= 0:
            raise ValueError("health check interval and timeout must be positive")
        if self.healthy_threshold < 1 or self.unhealthy_threshold < 1:
            raise ValueError("health check thresholds must be at least 1")
        parse_matcher(self.matcher)

    def matches(self, status: int) -> bool:
        return any(low <= status <= high for low, high in parse_matcher(self.matcher))


def parse_matcher(text: str) -> tuple[tuple[int, int], ...]:
    """``"200,300-399"`` -> ``((200, 200), (300, 399))``; ValueError as AWS would refuse it."""
    ranges = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"invalid health check matcher {text!r}")
        bounds = (int(low), int(high) if dash else int(low))
        if not 200 <= bounds[0] <= bounds[1] <= 499:
            raise ValueError(f"invalid health check matcher {text!r}: HTTP codes must be within 200-499")
        ranges.append(bounds)
    return tuple(ranges)


@dataclass(frozen=True)
class TargetHealth:
    """One row of ``DescribeTargetHealth``."""

    target: Target
    state: str
    """``initial``, ``healthy``, ``unhealthy`` or ``draining``."""
    reason: str | None = None
    description: str | None = None


@dataclass(eq=False)
class _Member:
    """A registered target and its health-check and connection bookkeeping."""

    target: Target
    state: str = INITIAL
    reason: str | None = "Elb.RegistrationInProgress"
    description: str | None = _DESCRIPTIONS["Elb.RegistrationInProgress"]
    passes: int = 0
    failures: int = 0
    gone: bool = False
    health_task: asyncio.Task[None] | None = None
    drain_timer: asyncio.TimerHandle | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    idle: list[Connection] = field(default_factory=list)
    busy: set[Connection] = field(default_factory=set)
    check: HealthCheck | None = None
    """This target's own health check (a Lightsail deployment's); None for the load balancer's."""

    def mark(self, state: str, reason: str | None, description: str | None = None) -> None:
        self.state = state
        self.reason = reason
        self.description = description if description is not None else _DESCRIPTIONS.get(reason or "")

    def drop_connections(self, idle_only: bool = False) -> None:
        for conn in self.idle:
            conn.abort()
        self.idle.clear()
        if not idle_only:
            for conn in self.busy:
                conn.abort()
            self.busy.clear()


class LoadBalancer:
    """An ALB with one HTTP listener forwarding to one target group.

    Create, ``await start()``, then ``set_targets(...)`` whenever the set of
    targets changes. Every method runs on the loop that called ``start()``;
    ``describe()``, ``healthy_count()`` and the counters only read, so another
    thread may call them for a snapshot.
    """

    def __init__(
        self,
        name: str,
        health_check: HealthCheck | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        deregistration_delay_s: float = 5.0,
        *,
        idle_timeout_s: float = 60.0,
        connect_timeout_s: float = 10.0,
        fail_open: bool = False,
        max_idle_per_target: int = 8,
    ) -> None:
        self.name = name
        self.health_check = health_check or HealthCheck()
        self.host = host
        self.port = port
        self.deregistration_delay_s = deregistration_delay_s
        self.idle_timeout_s = idle_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.fail_open = fail_open
        self.max_idle_per_target = max_idle_per_target
        self.requests_total = 0
        """Requests the listener received, including those it answered itself."""
        self.requests: dict[str, int] = {}
        """Requests routed to each target, by target id (kept after the target leaves)."""
        self.elb_responses: dict[int, int] = {}
        """Responses the load balancer made itself, by status (400, 502, 503, 504)."""
        self._members: dict[Target, _Member] = {}
        self._order: list[_Member] = []
        self._next = 0
        self._server: HttpServer | None = None
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------
    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        if self._closed:
            raise RuntimeError(f"load balancer {self.name} is closed")
        self._server = HttpServer(
            exchange=self._handle,
            host=self.host,
            port=self.port,
            name=f"load balancer {self.name}",
            idle_timeout_s=self.idle_timeout_s,
            backlog=128,
            bad_request=self._bad_request,
        )
        # One sweeper for both sides: a silent client (ALB's idle timeout), a target
        # that does not answer (504), a pooled upstream connection nobody used.
        assert self._server.sweeper is not None
        self._server.sweeper.add(self._upstream_connections)
        await self._server.start()
        self.port = self._server.port

    async def close(self) -> None:
        """Stop the health checks, close the listener and every connection, both sides."""
        if self._closed:
            return
        self._closed = True
        health: list[asyncio.Task[None]] = []
        for member in self._order:
            if member.drain_timer is not None:
                member.drain_timer.cancel()
            if member.health_task is not None:
                member.health_task.cancel()
                health.append(member.health_task)
        if self._server is not None:
            await self._server.close()  # the listener, the sweeper, every client connection
        if health:
            await asyncio.wait(health, timeout=5)
        for member in self._order:
            member.gone = True
            member.drop_connections()
        self._order.clear()
        self._members.clear()
        # Aborted transports close their sockets on the loop's next turn.
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    # -- targets -----------------------------------------------------------------
    def set_targets(self, targets: list[Target], checks: Mapping[str, HealthCheck] | None = None) -> None:
        """Make ``targets`` the registered set: register the new ones, drain the missing ones.
        ``checks`` gives a target (by id) a health check of its own, set when it registers."""
        if self._closed:
            raise RuntimeError(f"load balancer {self.name} is closed")
        wanted = dict.fromkeys(targets)
        loop = asyncio.get_running_loop()
        for target in wanted:
            member = self._members.get(target)
            if member is not None and member.state != DRAINING:
                continue
            if member is None:
                member = _Member(target, check=(checks or {}).get(target.id))
                self._members[target] = member
                self._order.append(member)
                self.requests.setdefault(target.id, 0)
            else:  # registered again while draining: a fresh registration
                if member.drain_timer is not None:
                    member.drain_timer.cancel()
                    member.drain_timer = None
                member.passes = member.failures = 0
                member.mark(INITIAL, "Elb.RegistrationInProgress")
            member.health_task = loop.create_task(self._health_loop(member), name=f"elb-health-{target.id}")
        for target, member in list(self._members.items()):
            if target not in wanted and member.state != DRAINING:
                self._deregister(member)

    def describe(self) -> list[TargetHealth]:
        """``DescribeTargetHealth``: every registered or draining target, in registration order."""
        return [TargetHealth(m.target, m.state, m.reason, m.description) for m in list(self._order)]

    def healthy_count(self) -> int:
        return sum(1 for m in list(self._order) if m.state == HEALTHY)

    def _deregister(self, member: _Member) -> None:
        if member.health_task is not None:
            member.health_task.cancel()
            member.health_task = None
        member.mark(DRAINING, "Target.DeregistrationInProgress")
        member.drop_connections(idle_only=True)
        if self.deregistration_delay_s <= 0:
            self._remove(member)
        else:
            loop = asyncio.get_running_loop()
            member.drain_timer = loop.call_later(self.deregistration_delay_s, self._remove, member)

    def _remove(self, member: _Member) -> None:
        if self._members.get(member.target) is not member or member.state != DRAINING:
            return
        del self._members[member.target]
        self._order.remove(member)
        member.gone = True
        member.drain_timer = None
        member.drop_connections()

    # -- health checks -------------------------------------------------------------
    async def health_check_now(self) -> list[TargetHealth]:
        """Run one health check on every registered target now; return ``describe()``."""
        members = [m for m in self._order if m.state != DRAINING]
        await asyncio.gather(*(self._check(m) for m in members))
        return self.describe()

    async def _health_loop(self, member: _Member) -> None:
        try:
            while True:
                await self._check(member)
                await asyncio.sleep((member.check or self.health_check).interval_s)
        except Exception:  # a bug must not stop the other targets' checks silently
            log.exception("health check loop of %s on %s failed", member.target.id, self.name)

    async def _check(self, member: _Member) -> None:
        async with member.lock:
            if member.state == DRAINING or member.gone:
                return
            passed, reason, description = await self._probe(member.target, member.check or self.health_check)
            if member.state == DRAINING or member.gone:
                return
            self._record(member, passed, reason, description)

    def _record(self, member: _Member, passed: bool, reason: str | None, description: str | None) -> None:
        check = member.check or self.health_check
        if passed:
            member.failures = 0
            member.passes += 1
            if member.state != HEALTHY and member.passes >= check.healthy_threshold:
                member.mark(HEALTHY, None)
            elif member.state == INITIAL:
                member.mark(INITIAL, "Elb.InitialHealthChecking")
        else:
            member.passes = 0
            member.failures += 1
            if member.state == UNHEALTHY or member.failures >= check.unhealthy_threshold:
                member.mark(UNHEALTHY, reason, description)
            elif member.state == INITIAL:
                member.mark(INITIAL, "Elb.InitialHealthChecking")

    async def _probe(self, target: Target, check: HealthCheck) -> tuple[bool, str | None, str | None]:
        """One ``GET <path>`` on a connection of its own: (passed, reason, description)."""
        request = (
            f"GET {check.path} HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n"
            "User-Agent: ELB-HealthChecker/2.0\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        ).encode("latin-1")
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(check.timeout_s):
                reader, writer = await asyncio.open_connection(target.host, target.port)
                writer.write(request)
                head = Head(await reader.readuntil(b"\r\n\r\n"))
                status = status_code(head.first)
                if head.length is not None and 0 < head.length <= CHUNK:
                    await reader.readexactly(head.length)  # read it all so closing is clean
        except TimeoutError:
            return False, "Target.Timeout", None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            return False, "Target.FailedHealthChecks", None
        finally:
            if writer is not None:
                writer.transport.abort()
        if check.matches(status):
            return True, None, None
        return False, "Target.ResponseCodeMismatch", f"Health checks failed with these codes: [{status}]"

    # -- idle timeout ----------------------------------------------------------------
    def _upstream_connections(self) -> Iterator[Connection]:
        """Connections to targets, busy or pooled: the idle sweeper looks at them too."""
        for member in self._order:
            yield from member.busy
            yield from member.idle

    # -- routing -------------------------------------------------------------------
    def _pick(self) -> _Member | None:
        order = self._order
        count = len(order)
        for wanted in (HEALTHY, UNHEALTHY) if self.fail_open else (HEALTHY,):
            if wanted == UNHEALTHY and any(m.state in (HEALTHY, INITIAL) for m in order):
                break  # fail open only when every registered target is unhealthy
            for step in range(count):
                index = (self._next + step) % count
                if order[index].state == wanted:
                    self._next = (index + 1) % count
                    return order[index]
        return None

    # -- the listener ----------------------------------------------------------------
    def _bad_request(self, client: Connection, why: str) -> None:
        if why == MALFORMED:  # a head over the size limit is not counted as a request
            self.requests_total += 1
        self._elb_reply(client, 400, keep_alive=False)

    async def _handle(self, request: Request, client: Connection) -> bool:
        """Answer one request; True when the client connection stays open."""
        self.requests_total += 1
        member = self._pick()
        if member is None:
            return await self._refuse(request, client, 503)
        self.requests[member.target.id] = self.requests.get(member.target.id, 0) + 1
        return await self._forward(member, request, client, client.peer_ip)

    async def _refuse(self, request: Request, client: Connection, status: int) -> bool:
        """The load balancer's own answer before any of the request body was read."""
        keep_alive = request.keep_alive
        if request.has_body:
            if request.expect_continue:
                keep_alive = False  # the client may be waiting to send the body
            elif keep_alive:
                await copy_body(client, Sink(), request)
        self._elb_reply(client, status, keep_alive)
        await client.drain()
        return keep_alive

    def _elb_reply(self, client: Connection, status: int, keep_alive: bool) -> None:
        self.elb_responses[status] = self.elb_responses.get(status, 0) + 1
        client.write(_elb_page(status, keep_alive))

    async def _forward(self, member: _Member, request: Request, client: Connection, client_ip: str) -> bool:
        if request.expect_continue and request.has_body:
            client.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        streaming = request.chunked or request.length > _BUFFER_REQUEST
        body = b"" if streaming or not request.length else await client.readexactly(request.length)
        head = self._upstream_head(request, client_ip)
        fresh = False
        while True:
            try:
                upstream, reused = await self._acquire(member, fresh)
            except Broken as exc:
                if not streaming:
                    return await self._refuse(_without_body(request), client, _gateway_status(exc))
                return await self._refuse(request, client, _gateway_status(exc))
            try:
                upstream.write(head + body)
                if streaming:
                    await copy_body(client, upstream, request)
                response = await read_response_head(upstream)
            except Broken as exc:
                self._release(member, upstream, reusable=False)
                if exc.side == "client":
                    raise
                if reused and not streaming and exc.why == "closed" and request.method in _IDEMPOTENT:
                    fresh = True  # the target had closed the pooled connection: once more, anew
                    continue
                self._elb_reply(client, _gateway_status(exc), keep_alive=request.keep_alive and not streaming)
                await client.drain()
                return request.keep_alive and not streaming
            except BaseException:
                self._release(member, upstream, reusable=False)
                raise
            break
        try:
            return await self._relay_response(member, request, client, upstream, response)
        except BaseException:
            self._release(member, upstream, reusable=False)
            raise

    async def _relay_response(
        self,
        member: _Member,
        request: Request,
        client: Connection,
        upstream: Connection,
        response: Head,
    ) -> bool:
        version, _, rest = response.first.partition(" ")
        status = int(rest[:3])
        tokens = response.tokens
        framing, length = response_framing(request.method, status, response)
        reusable = framing != UNTIL_CLOSE and version == "HTTP/1.1" and "close" not in tokens
        keep_alive = request.keep_alive
        rechunk = dechunk = False
        if framing == UNTIL_CLOSE:
            if request.version == "HTTP/1.1" and not response.codings:
                rechunk = True
            else:
                keep_alive = False
        elif framing == CHUNKED and request.version != "HTTP/1.1":
            dechunk = True
            keep_alive = False
        lines = [f"HTTP/1.1 {rest if rest[3:4] == ' ' else rest + ' '}\r\n"]
        for name, value in response.headers:
            lower = name.lower()
            if lower in _HOP_BY_HOP or lower in tokens or (dechunk and lower == "transfer-encoding"):
                continue
            lines.append(f"{name}: {value}\r\n")
        if rechunk:
            lines.append("Transfer-Encoding: chunked\r\n")
        if not keep_alive:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        out = "".join(lines).encode("latin-1")
        if framing == LENGTH and length <= CHUNK:
            # A small response goes out in one send once it is all here; a target
            # that fails before that gets a 502/504 like one that sent nothing.
            try:
                body = await upstream.readexactly(length) if length else b""
            except Broken as exc:
                self._release(member, upstream, reusable=False)
                self._elb_reply(client, _gateway_status(exc), request.keep_alive)
                await client.drain()
                return request.keep_alive
            out += body
            framing = NO_BODY
        try:
            client.write(out)
            if framing == LENGTH:
                await copy_length(upstream, client, length)
            elif framing == CHUNKED:
                await copy_chunked(upstream, client, dechunk)
            elif framing == UNTIL_CLOSE:
                await copy_until_close(upstream, client, rechunk)
        except Broken as exc:
            # The head may already be with the client: all that is left is to hang up.
            self._release(member, upstream, reusable=False)
            raise Broken("client", "closed") from exc
        self._release(member, upstream, reusable)
        await client.drain()
        return keep_alive

    def _upstream_head(self, request: Request, client_ip: str) -> bytes:
        lines = [f"{request.method} {request.target} HTTP/1.1\r\n"]
        forwarded_for = None
        has_host = False
        for name, value in request.headers:
            lower = name.lower()
            if lower in _HOP_BY_HOP or lower in _SET_BY_US or lower in request.tokens:
                if lower == "x-forwarded-for":
                    forwarded_for = value if forwarded_for is None else f"{forwarded_for}, {value}"
                continue
            if lower == "content-length" and request.chunked:
                continue
            if lower == "host":
                has_host = True
            lines.append(f"{name}: {value}\r\n")
        if not has_host:
            lines.append(f"Host: {self.url[len('http://') :]}\r\n")
        forwarded_for = f"{forwarded_for}, {client_ip}" if forwarded_for else client_ip
        lines.append(
            f"X-Forwarded-For: {forwarded_for}\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Port: {self.port}\r\n\r\n"
        )
        return "".join(lines).encode("latin-1")

    # -- upstream connections ----------------------------------------------------------
    async def _acquire(self, member: _Member, fresh: bool) -> tuple[Connection, bool]:
        """A connection to the target: a pooled idle one, or a new one. (conn, reused)."""
        if not fresh:
            while member.idle:
                conn = member.idle.pop()
                if conn.stale():
                    conn.abort()
                    continue
                conn.waiting = None
                member.busy.add(conn)
                return conn, True
        target = member.target
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                reader, writer = await asyncio.open_connection(target.host, target.port, limit=CHUNK)
        except TimeoutError:
            raise Broken("target", "timeout") from None
        except OSError:
            raise Broken("target", "refused") from None
        nodelay(writer)
        conn = Connection(reader, writer, "target")
        if member.gone or self._closed:
            conn.abort()
            raise Broken("target", "closed")
        member.busy.add(conn)
        return conn, False

    def _release(self, member: _Member, conn: Connection, reusable: bool) -> None:
        if conn not in member.busy:
            return  # already cut off (deregistration ended, or close())
        member.busy.discard(conn)
        if (
            reusable
            and not member.gone
            and not self._closed
            and member.state != DRAINING
            and len(member.idle) < self.max_idle_per_target
            and not conn.stale()
        ):
            conn.waiting = conn.loop.time()  # idle since: the sweeper closes it after the idle timeout
            member.idle.append(conn)
        else:
            conn.writer.close()


# -- HTTP helpers --------------------------------------------------------------------------
def _gateway_status(exc: Broken) -> int:
    return 504 if exc.why == "timeout" else 502


def _elb_page(status: int, keep_alive: bool) -> bytes:
    """The page an ALB serves for the errors it makes itself."""
    title = f"{status} {_ELB_REASONS[status]}"
    body = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    head = (
        f"HTTP/1.1 {title}\r\nServer: awselb/2.0\r\nContent-Type: text/html\r\n"
        f"Content-Length: {len(body)}\r\nConnection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return (head + body).encode("latin-1")


def _without_body(request: Request) -> Request:
    """The same request once its (buffered) body has been read."""
    return replace(request, chunked=False, length=0, expect_continue=False)
