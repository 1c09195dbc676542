"""The emulator's API Gateway: one HTTP server on 127.0.0.1 that answers every stage of every
HTTP API, in the leader's controller.

An API is reached in the path form ``/_aws/execute-api/<api id>/<stage>/<path>`` or the host
form ``Host: <api id>.execute-api.localhost:<port>`` with ``/<stage>/<path>``; the ``$default``
stage needs no stage segment (a first segment naming another stage of the API goes to that
stage). A stage serves the routes and integrations of its deployment (see
:mod:`.records`); the request takes the route :func:`.routes.choose` picks.

- ``AWS_PROXY``: the Lambda function gets the 2.0 or 1.0 event (:mod:`.events`) through the
  local Lambda service, awaited on the loop: warm environments are reused, concurrent
  requests get environments of their own up to the function's concurrency.
- ``HTTP_PROXY``: the request goes on to the integration's URL (``{proxy}`` and other path
  variables filled in), its answer comes back as it is.

An API with a CORS configuration gets its preflights (``OPTIONS`` with ``Origin`` and
``Access-Control-Request-Method``) answered by the gateway, route or no route, and its CORS
headers on every answer to an allowed origin, in place of the integration's. A stage whose
default route settings (or a route's own route settings) give a rate and a burst throttles each
route with a token bucket.

What the caller sees when it goes wrong is what HTTP APIs send: no API, stage or route 404
``{"message":"Not Found"}``; a function error or an answer that cannot be read 502
``{"message":"Internal Server Error"}``; an integration slower than its timeout 504; a
throttled function 429 ``{"message":"Too Many Requests"}``. A request the server cannot parse
is its plain 400 and the server carries on. Every answer has ``Apigw-Requestid``.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from computetui.backends.errors import ComputeError
from computetui.backends.local.apigateway import authorizers, events, jwt, lambda_proxy, observe, probe, rest
from computetui.backends.local.apigateway.http_apis import TARGET_PREFIX
from computetui.backends.local.apigateway.records import (
    API_KEY,
    DEFAULT_STAGE,
    DEPLOYMENT,
    GATEWAY,
    GATEWAY_KEY,
    HOST_SUFFIX,
    HTTP_API,
    PATH_PREFIX,
    REST_API,
    REST_DEPLOYMENT,
    REST_RESOURCE,
    REST_STAGE,
    SNAPSHOT,
    STAGE,
    USAGE_PLAN,
    key,
)
from computetui.backends.local.apigateway.routes import RouteKey, choose, parse_route_key
from computetui.backends.local.apigateway.usage_plans import KEYS
from computetui.backends.local.apigateway.websockets import CONNECTIONS, WebSockets
from computetui.backends.local.http.codec import Request, Response, header
from computetui.backends.local.http.server import HttpServer
from computetui.backends.local.ids import Ids

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator
    from computetui.backends.local.http.streams import Connection

log = logging.getLogger(__name__)

AUTH_CACHE_MAX = 10_000
DEPLOYMENTS_KEPT = 1_000
"""Deployments kept parsed (the oldest read goes first)."""
"""Authorizer answers kept at most (each for its authorizer's TTL)."""
MAX_BODY_BYTES = 10 * 1024 * 1024
"""An HTTP API's payload limit (10 MB)."""
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "upgrade", "transfer-encoding", "host",
                        "content-length"})


@dataclass(frozen=True)
class Target:
    """Where one request goes: the API, the stage, the route and its integration."""

    api_id: str
    stage: str
    stage_variables: dict[str, str]
    route: RouteKey | None
    """None: no route matches (a CORS preflight may still be answered)."""
    path_parameters: dict[str, str]
    integration: dict[str, Any] | None
    cors: dict[str, Any] | None
    authorizer: dict[str, Any] | None
    """The route's authorizer (Lambda or JWT), when it has one."""
    throttle: tuple[float, int] | None
    """The stage's (rate per second, burst), when it sets both."""
    access_log: dict[str, Any] | None
    """The stage's ``AccessLogSettings`` (``DestinationArn``, ``Format``), when it logs."""
    path: str
    """The path within the stage."""
    raw_path: str
    """The path as the event shows it (the stage's segment first, for a named stage)."""
    scopes: tuple[str, ...] = ()
    """The route's authorization scopes (a JWT authorizer's)."""


@dataclass(frozen=True)
class RestTarget:
    """Where a request to a REST API goes: the stage, and the resource and method (None: 403)."""

    api_id: str
    stage: str | None
    stage_variables: dict[str, str]
    found: rest.Found | None
    path: str
    raw_path: str
    api_key: dict[str, Any] | None = None
    """The enabled API key the request's ``x-api-key`` names, when it names one."""
    plans: tuple[dict[str, Any], ...] = ()
    """The usage plans that cover this stage and hold that key."""
    authorizer: dict[str, Any] | None = None
    """The method's Lambda authorizer (CUSTOM), as deployed."""
    api_name: str = ""
    """The API's name: REST APIs' metrics are by ``ApiName`` and ``Stage``."""
    access_log: dict[str, Any] | None = None
    """The stage's ``accessLogSettings`` (``destinationArn``, ``format``), when it logs."""


def _json(status: int, message: str | None, request_id: str) -> Response:
    return Response(status, [("Content-Type", "application/json"), ("Apigw-Requestid", request_id),
                             ("Date", formatdate(usegmt=True))],
                    json.dumps({"message": message}, separators=(",", ":")).encode())


class Gateway:
    """The gateway server and how it answers."""

    def __init__(self, emulator: Emulator, port: int, host: str = "127.0.0.1",
                 jwks: dict[str, str] | None = None) -> None:
        self.emulator = emulator
        self.jwks = jwt.KeySets(jwks)
        """JWT authorizers' key sets: the configured files by issuer, else fetched from the issuer."""
        self.wanted_port = port
        self.host = host
        self.server: HttpServer | None = None
        self._request_ids = Ids(emulator.region, emulator.ids.account, seed=emulator.seed)
        """Request ids, apart from the shared stream (traffic must not move the ids of resources)."""
        self.started = threading.Event()
        """Set once the leader's server listens (or could not)."""
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}
        self.observations = observe.Observations(emulator.store, emulator.awslogs.logs)
        self.websockets = WebSockets(emulator, self._request_ids)
        self._flush_due = False
        self._quota: dict[tuple[str, str, str], int] = {}
        """Requests per (usage plan, API key, quota window): this leader's count since it started."""
        self._auth_cache: dict[tuple[str, str, tuple[str, ...]], tuple[float, bytes]] = {}
        """Authorizers' answers by (API, authorizer, identity values): (until, the answer)."""
        """Throttling: tokens left and when they were counted, per (API, stage, route key)."""
        self._routes: dict[str, tuple[RouteKey, ...]] = {}
        self._deployments: dict[str, dict[str, Any]] = {}
        self.invocations = probe.Invocations()
        """The Lambda invocations behind the last answers, for the console's Test panel."""
        """HTTP API deployments read so far, by ``<api ARN>/<id>`` (a deployment never changes)."""
        """Parsed route keys per ``<api ARN>/<deployment id>`` (a deployment never changes)."""

    @property
    def port(self) -> int | None:
        return self.server.port if self.server is not None else None

    # -- lifecycle (the leader's start and stop hooks, from a worker thread) ----------------------
    def start(self) -> None:
        controller = self.emulator.controller
        for port in dict.fromkeys((self.wanted_port, 0)):
            server = HttpServer(self._handle, host=self.host, port=port, name="api gateway",
                                max_body_bytes=MAX_BODY_BYTES, upgrade=self._upgrade)
            try:
                controller.call(server.start, timeout=10)
            except OSError as exc:
                log.warning("the API gateway could not listen on %s:%s (%s); choosing another port",
                            self.host, port, exc)
                continue
            self.server = server
            self.emulator.store.put(GATEWAY, GATEWAY_KEY, {"port": server.port, "host": self.host},
                                    name=GATEWAY_KEY)
            self.started.set()
            return
        log.error("the API gateway could not listen on %s", self.host)
        self.started.set()

    def close(self) -> None:
        self._flush()
        if self.server is not None and self.emulator.controller.running and self.websockets.live:
            try:
                self.emulator.controller.call(self.websockets.close_all, timeout=5)
            except Exception:
                log.debug("closing the WebSocket connections failed", exc_info=True)
        server, self.server = self.server, None
        if server is not None and self.emulator.controller.running:
            try:
                self.emulator.controller.call(server.close, timeout=10)
            except Exception:
                log.exception("closing the API gateway failed")
        if server is not None:
            try:  # nothing listens there now: no process sends a Test request to that port
                self.emulator.store.delete(GATEWAY, GATEWAY_KEY)
            except Exception:
                log.debug("the gateway's port record could not be removed", exc_info=True)

    # -- answering -------------------------------------------------------------------------------
    async def _upgrade(self, request: Request, conn: Connection) -> None:
        """A WebSocket API's connection: ``/_aws/execute-api/<api id>/<stage>``."""
        api_id, rest = _locate(request)
        stage = rest.strip("/").split("/", 1)[0]
        if api_id is None or not stage:
            conn.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        await self.websockets.serve(request, conn, api_id, stage)

    async def _handle(self, request: Request) -> Response:
        request_id = self._request_ids.alnum(16)
        api_id, rest = _locate(request)
        if api_id is None and rest.startswith(probe.PREFIX):
            return await self._probe(request, rest[len(probe.PREFIX):], request_id)
        parts = rest.strip("/").split("/")
        if api_id is not None and len(parts) == 3 and parts[1] == CONNECTIONS:
            return await self.websockets.manage(request, api_id, parts[0], parts[2], request_id)
        began = time.monotonic()
        at = time.time()
        timing: dict[str, float] = {}
        target, response = await self._answer(request, request_id, timing)
        if target is not None:
            self._observe(request, response, target, request_id, at, (time.monotonic() - began) * 1000, timing)
        return response

    # -- the console's Test panel (:mod:`.probe`) -------------------------------------------------
    async def _probe(self, request: Request, asked_for: str, request_id: str) -> Response:
        parts = asked_for.strip("/").split("/")
        if request.method == "GET" and len(parts) == 2 and parts[0] == probe.INVOCATIONS:
            found = self.invocations.get(parts[1])
            if found is None:
                return _json(404, f"No invocation is kept for request {parts[1]}", request_id)
            return Response(200, [("Content-Type", "application/json")], json.dumps(found).encode())
        if request.method == "POST" and len(parts) == 4 and parts[0] == probe.TEST_INVOKE_METHOD:
            try:
                asked = probe.asked(request.body)
            except ValueError as exc:
                return _json(400, f"The test request cannot be read: {exc}", request_id)
            return await self._test_rest(asked, parts[1], parts[2], parts[3].upper(), request_id)
        return _json(404, "Not Found", request_id)

    async def _test_rest(self, asked: dict[str, Any], api_id: str, resource_id: str, method: str,
                         request_id: str) -> Response:
        """TestInvokeMethod: the method as it is now (no deployment, no stage; no authorizer and
        no API key asked for, as the console's test skips them), its answer and its execution log."""
        target_path = str(asked.get("pathWithQueryString") or "/")
        path, _, query = target_path.partition("?")
        loop = asyncio.get_running_loop()
        resource = await loop.run_in_executor(None, self._current_resource, api_id, resource_id)
        if resource is None:
            return _json(404, "Invalid Resource identifier specified", request_id)
        methods = resource.get("resourceMethods") or {}
        if method not in methods:
            return _json(404, "Invalid Method identifier specified", request_id)
        found = rest.find([resource], method, path)
        if found is None:
            return _json(400, f"The path {path} does not match the resource's path {resource['path']}", request_id)
        found = rest.Found(found.resource, methods[method], found.path_parameters)
        headers = [(str(k), str(v)) for k, v in (asked.get("headers") or {}).items()]
        body = str(asked.get("body") or "").encode()
        incoming = Request(method=method, target=target_path, version="HTTP/1.1", headers=headers, tokens=frozenset(),
                           chunked=False, length=len(body), keep_alive=True, expect_continue=False, body=body)
        stage_variables = {str(k): str(v) for k, v in (asked.get("stageVariables") or {}).items()}
        target = RestTarget(api_id, probe.TEST_STAGE, stage_variables, found, path, path)
        began = time.monotonic()
        if found.method.get("methodIntegration") is None:
            answer = _json(500, "Execution failed due to configuration error: No integration defined for method",
                           request_id)
        else:
            answer = await self._integrate_rest(incoming, target, request_id, None)
        latency = (time.monotonic() - began) * 1000
        called = self.invocations.get(request_id)
        report = called["report"] if called else None
        multi: dict[str, list[str]] = {}
        for name, value in answer.headers:
            multi.setdefault(name, []).append(value)
        text = answer.body.decode("utf-8", "replace")
        result = {"status": answer.status, "body": text, "headers": {k: v[-1] for k, v in multi.items()},
                  "multiValueHeaders": multi, "latency": round(latency),
                  "log": probe.test_log(request_id, method, resource["path"], answer.status, latency, report),
                  "invocation": called}
        return Response(200, [("Content-Type", "application/json")], json.dumps(result).encode())

    def _current_resource(self, api_id: str, resource_id: str) -> dict[str, Any] | None:
        """A REST API's resource as it is now (a worker thread's store read)."""
        arn = self.emulator.ids.apigateway_rest_api(api_id)
        if self.emulator.store.get(REST_API, arn) is None:
            return None
        return self.emulator.store.get(REST_RESOURCE, key(arn, "resources", resource_id))

    async def _answer_rest(self, request: Request, target: RestTarget, request_id: str,
                           timing: dict[str, float]) -> Response:
        """A REST API's answer: MOCK, AWS_PROXY (payload 1.0) or HTTP_PROXY, with REST APIs' errors."""
        if target.stage is None:
            return _json(403, "Forbidden", request_id)
        if target.found is None:
            return _json(403, rest.MISSING_TOKEN, request_id)
        granted = None
        if target.found.method.get("authorizationType") == "CUSTOM":
            refused, granted = await self._authorize_rest(request, target, request_id)
            if refused is not None:
                return refused
        if target.found.method.get("apiKeyRequired"):
            if target.api_key is None or not target.plans:
                return _json(403, "Forbidden", request_id)
            limited = self._within_plan(target.plans[0], target.api_key["id"])
            if limited is not None:
                return _json(429, limited, request_id)
        began = time.monotonic()
        answer = await self._integrate_rest(request, target, request_id, granted)
        timing["integration_ms"] = (time.monotonic() - began) * 1000
        return answer

    async def _integrate_rest(self, request: Request, target: RestTarget, request_id: str,
                              granted: authorizers.Verdict | None) -> Response:
        assert target.found is not None
        integration = target.found.method.get("methodIntegration") or {}
        kind = integration.get("type")
        if kind == "MOCK":
            status, headers, body = rest.mock_answer(integration, header(request.headers, "content-type"))
            return Response(status, [*headers, ("X-Amzn-Requestid", request_id)], body)
        timeout = min(int(integration.get("timeoutInMillis") or 29000), 29000) / 1000
        loop = asyncio.get_running_loop()
        if kind == "HTTP_PROXY":
            work = loop.run_in_executor(None, self._forward, request, str(integration.get("uri") or ""),
                                        str(integration.get("httpMethod") or "ANY"), target.found.path_parameters,
                                        target.api_id, timeout)
        else:
            work = asyncio.ensure_future(self._rest_lambda(request, target, integration, request_id, granted))
        try:
            return await asyncio.wait_for(asyncio.shield(work), timeout)
        except TimeoutError:
            return _json(504, "Endpoint request timed out", request_id)

    def _rest_incoming(self, request: Request, target: RestTarget, request_id: str,
                       granted: authorizers.Verdict | None = None) -> events.Incoming:
        assert target.found is not None
        host = header(request.headers, "host") or ""
        return events.Incoming(
            method=request.method, path=target.path, raw_query=request.target.partition("?")[2],
            headers=request.headers, body=request.body, api_id=target.api_id, stage=target.stage or "",
            route_key=str(target.found.resource.get("id")), resource_path=target.found.resource["path"],
            path_parameters=target.found.path_parameters, stage_variables=target.stage_variables,
            request_id=request_id, account_id=self.emulator.ids.account, domain_name=host.split(":", 1)[0],
            at=datetime.fromtimestamp(time.time(), UTC),
            authorizer=granted.context if granted is not None else None,
            principal_id=granted.principal_id if granted is not None else None)

    async def _authorize_rest(self, request: Request, target: RestTarget, request_id: str
                              ) -> tuple[Response | None, authorizers.Verdict | None]:
        """A REST method's Lambda authorizer (TOKEN or REQUEST), or its cached answer."""
        config = target.authorizer
        if config is None:
            return _json(500, None, request_id), None
        incoming = self._rest_incoming(request, target, request_id)
        kind = str(config.get("type") or "TOKEN")
        values = authorizers.rest_identity(kind, str(config.get("identitySource") or ""), incoming)
        if values is None:
            return _json(401, "Unauthorized", request_id), None
        pattern = config.get("identityValidationExpression")
        if kind == "TOKEN" and pattern and not re.fullmatch(pattern, values[0]):
            return _json(401, "Unauthorized", request_id), None
        arn = (f"arn:aws:execute-api:{self.emulator.region}:{self.emulator.ids.account}:{target.api_id}/"
               f"{target.stage}/{request.method}{target.path}")
        ttl = int(config.get("authorizerResultTtlInSeconds") or 0)
        cache_key = (target.api_id, "rest:" + str(config.get("id")), tuple(values))
        payload = await self._authorizer_answer(
            cache_key, ttl, str(config.get("authorizerUri") or ""),
            lambda: authorizers.rest_event(kind, incoming, arn, values), target.api_id)
        if payload is None:
            return _json(500, None, request_id), None
        try:
            verdict = authorizers.verdict(payload, False, arn)
        except authorizers.MalformedAuthorizerAnswer:
            return _json(500, None, request_id), None
        if not verdict.allowed:
            return _json(403, "User is not authorized to access this resource with an explicit deny" if verdict.denied
                         else "User is not authorized to access this resource", request_id), None
        return None, verdict

    async def _rest_lambda(self, request: Request, target: RestTarget, integration: dict[str, Any],
                           request_id: str, granted: authorizers.Verdict | None = None) -> Response:
        assert target.found is not None
        incoming = self._rest_incoming(request, target, request_id, granted)
        try:
            result = await lambda_proxy.invoke(self.emulator, str(integration.get("uri") or ""),
                                               events.event_v1(incoming))
        except lambda_proxy.Failed as exc:
            log.info("API gateway %s: the integration failed: %s", target.api_id, exc)
            return _json(429 if exc.code == "TooManyRequestsException" else 500,
                         "Too Many Requests" if exc.code == "TooManyRequestsException" else "Internal server error",
                         request_id)
        self.invocations.keep(request_id, result)
        if result.function_error:
            return _json(502, "Internal server error", request_id)
        try:
            answer = events.answer_v1(result.payload)
        except events.MalformedResponse as exc:
            log.info("API gateway %s: the function's answer is malformed: %s", target.api_id, exc)
            return _json(502, "Internal server error", request_id)
        return Response(answer.status, [*answer.headers, ("X-Amzn-Requestid", request_id)], answer.body)

    async def _answer(self, request: Request, request_id: str, timing: dict[str, float]
                      ) -> tuple[Target | RestTarget | None, Response]:
        loop = asyncio.get_running_loop()
        try:
            target = await loop.run_in_executor(None, self._resolve, request)
        except ComputeError as exc:
            log.info("API gateway: %s", exc.message)
            return None, _json(500, "Internal Server Error", request_id)
        if target is None:
            return None, _json(404, "Not Found", request_id)
        if isinstance(target, RestTarget):  # no stage: nothing to count it against (nor on AWS)
            return target if target.stage is not None else None, await self._answer_rest(
                request, target, request_id, timing)
        origin = header(request.headers, "origin")
        cors = target.cors
        if cors and origin and request.method == "OPTIONS" and header(request.headers, "access-control-request-method"):
            return target, _preflight(cors, origin, request_id)
        if target.route is None or target.integration is None:
            return target, _with_cors(_json(404, "Not Found", request_id), cors, origin)
        if target.throttle is not None and not self._take(target):
            return target, _with_cors(_json(429, "Too Many Requests", request_id), cors, origin)
        granted: authorizers.Verdict | jwt.Checked | None = None
        if target.authorizer is not None and target.authorizer.get("AuthorizerType") == "JWT":
            refused, granted = await self._authorize_jwt(request, target, request_id)
            if refused is not None:
                return target, _with_cors(refused, cors, origin)
        elif target.authorizer is not None:
            refused, granted = await self._authorize(request, target, request_id)
            if refused is not None:
                return target, _with_cors(refused, cors, origin)
        began = time.monotonic()
        answer = await self._integrate(request, target, request_id, granted)
        timing["integration_ms"] = (time.monotonic() - began) * 1000
        return target, _with_cors(answer, cors, origin)

    def _observe(self, request: Request, response: Response, target: Target | RestTarget, request_id: str,
                 at: float, latency_ms: float, timing: dict[str, float]) -> None:
        """The request's minute in the stage's metrics, and its access log line."""
        if isinstance(target, RestTarget):
            self._observe_rest(request, response, target, request_id, at, latency_ms, timing)
            return
        settings = target.access_log or {}
        log_to = None
        if settings.get("DestinationArn") and settings.get("Format"):
            identity = header(request.headers, "user-agent")
            values = {
                "requestId": request_id, "extendedRequestId": request_id, "apiId": target.api_id,
                "stage": target.stage, "httpMethod": request.method, "path": target.raw_path,
                "routeKey": target.route.key if target.route else "-", "status": response.status,
                "protocol": request.version, "responseLength": len(response.body),
                "requestTime": datetime.fromtimestamp(at, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "requestTimeEpoch": int(at * 1000), "identity.sourceIp": "127.0.0.1", "identity.userAgent": identity,
                "domainName": (header(request.headers, "host") or "").split(":", 1)[0],
                "integrationLatency": round(timing["integration_ms"]) if "integration_ms" in timing else None,
                "responseLatency": round(latency_ms),
                "integrationStatus": response.status if "integration_ms" in timing else None,
            }
            log_to = (observe.log_group_of(settings["DestinationArn"]), observe.access_line(settings["Format"], values))
        self.observations.record(target.api_id, target.stage, int(at * 1000), response.status, latency_ms,
                                 timing.get("integration_ms"), log_to)
        self._flush_later()

    def _observe_rest(self, request: Request, response: Response, target: RestTarget, request_id: str,
                      at: float, latency_ms: float, timing: dict[str, float]) -> None:
        """A REST stage's metrics (by ``ApiName`` and ``Stage``) and access log line."""
        assert target.stage is not None
        settings = target.access_log or {}
        log_to = None
        if settings.get("destinationArn") and settings.get("format"):
            found = target.found
            integrated = "integration_ms" in timing
            values = {
                "requestId": request_id, "extendedRequestId": request_id, "apiId": target.api_id,
                "stage": target.stage, "httpMethod": request.method, "path": target.raw_path,
                "resourcePath": found.resource["path"] if found else None,
                "resourceId": found.resource.get("id") if found else None,
                "status": response.status, "protocol": request.version, "responseLength": len(response.body),
                "requestTime": datetime.fromtimestamp(at, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "requestTimeEpoch": int(at * 1000), "identity.sourceIp": "127.0.0.1",
                "identity.userAgent": header(request.headers, "user-agent"),
                "identity.apiKeyId": target.api_key["id"] if target.api_key else None,
                "domainName": (header(request.headers, "host") or "").split(":", 1)[0],
                "integrationLatency": round(timing["integration_ms"]) if integrated else None,
                "responseLatency": round(latency_ms),
                "integrationStatus": response.status if integrated else None,
                "integration.status": response.status if integrated else None,
                "integration.latency": round(timing["integration_ms"]) if integrated else None,
            }
            log_to = (observe.log_group_of(settings["destinationArn"]),
                      observe.access_line(settings["format"], values))
        self.observations.record(target.api_id, target.stage, int(at * 1000), response.status, latency_ms,
                                 timing.get("integration_ms"), log_to, api_name=target.api_name)
        self._flush_later()

    def _flush_later(self) -> None:
        if not self._flush_due:
            self._flush_due = True
            asyncio.get_running_loop().call_later(observe.FLUSH_S, self._flush_soon)

    def _flush_soon(self) -> None:
        self._flush_due = False
        asyncio.get_running_loop().run_in_executor(None, self._flush)

    def _flush(self) -> None:
        try:
            self.observations.flush()
        except Exception:  # the store closed under it (the emulator is closing): nothing to keep
            log.debug("the API gateway's figures could not be written", exc_info=True)

    # -- authorizers (on the loop) -------------------------------------------------------------------
    async def _authorizer_answer(self, cache_key: tuple[str, str, tuple[str, ...]], ttl: int, uri: str,
                                 event: Callable[[], dict[str, Any]], api_id: str) -> bytes | None:
        """An authorizer function's answer for these identity values: the one kept from less than
        ``ttl`` seconds ago, else the function's own (then kept). None: it could not be had."""
        cached = self._auth_cache.get(cache_key) if ttl else None
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            result = await lambda_proxy.invoke(self.emulator, uri, event())
        except lambda_proxy.Failed as exc:
            log.info("API gateway %s: the authorizer failed: %s", api_id, exc)
            return None
        if result.function_error:
            return None
        if ttl:
            if len(self._auth_cache) >= AUTH_CACHE_MAX:  # the expired ones go, then the oldest
                now = time.monotonic()
                self._auth_cache = {k: v for k, v in self._auth_cache.items() if v[0] > now}
                while len(self._auth_cache) >= AUTH_CACHE_MAX:
                    self._auth_cache.pop(next(iter(self._auth_cache)))
            self._auth_cache[cache_key] = (time.monotonic() + ttl, result.payload)
        return result.payload

    async def _authorize(self, request: Request, target: Target, request_id: str
                         ) -> tuple[Response | None, authorizers.Verdict | None]:
        """Ask the route's Lambda authorizer (or its cached answer); (the refusal, None) or
        (None, what it allowed)."""
        config = target.authorizer or {}
        incoming = self._incoming(request, target, request_id)
        values = authorizers.identity(list(config.get("IdentitySource") or []), incoming)
        if values is None and config.get("IdentitySource"):
            return _json(401, "Unauthorized", request_id), None
        values = values or []
        arn = authorizers.route_arn(self.emulator.region, self.emulator.ids.account, incoming, target.path)
        simple = bool(config.get("EnableSimpleResponses"))
        ttl = int(config.get("AuthorizerResultTtlInSeconds") or 0)
        cache_key = (target.api_id, str(config.get("AuthorizerId")), tuple(values))
        version = config.get("AuthorizerPayloadFormatVersion") or "2.0"
        payload = await self._authorizer_answer(
            cache_key, ttl if values else 0, str(config.get("AuthorizerUri") or ""),
            lambda: authorizers.event(version, incoming, arn, values), target.api_id)
        if payload is None:
            return _json(500, "Internal Server Error", request_id), None
        try:
            verdict = authorizers.verdict(payload, simple, arn)
        except authorizers.MalformedAuthorizerAnswer as exc:
            log.info("API gateway %s: the authorizer's answer is malformed: %s", target.api_id, exc)
            return _json(500, "Internal Server Error", request_id), None
        if not verdict.allowed:
            return _json(403, "Forbidden", request_id), None
        return None, verdict

    async def _authorize_jwt(self, request: Request, target: Target, request_id: str
                             ) -> tuple[Response | None, jwt.Checked | None]:
        """A JWT authorizer: the bearer token checked against the issuer's keys (fetched off the loop)."""
        config = target.authorizer or {}
        incoming = self._incoming(request, target, request_id)
        values = authorizers.identity(list(config.get("IdentitySource") or ["$request.header.Authorization"]), incoming)
        unauthorized = Response(401, [("Content-Type", "application/json"), ("Apigw-Requestid", request_id),
                                      ("Www-Authenticate", 'Bearer realm="computetui", error="invalid_token"')],
                                b'{"message":"Unauthorized"}')
        if not values:
            return unauthorized, None
        settings = config.get("JwtConfiguration") or {}
        loop = asyncio.get_running_loop()
        try:
            keys = await loop.run_in_executor(None, self.jwks.of, str(settings.get("Issuer") or ""))
            return None, jwt.check(values[0], settings, keys, list(target.scopes))
        except jwt.Refused as refused:
            log.info("API gateway %s: the JWT authorizer refused the token: %s", target.api_id, refused)
            if refused.status == 403:
                return _json(403, "Forbidden", request_id), None
            return unauthorized, None

    async def _integrate(self, request: Request, target: Target, request_id: str,
                         granted: authorizers.Verdict | jwt.Checked | None = None) -> Response:
        loop = asyncio.get_running_loop()
        integration = target.integration or {}
        timeout = min(int(integration.get("TimeoutInMillis") or 30000), 30000) / 1000
        try:
            if integration.get("IntegrationType") == "HTTP_PROXY":
                work = loop.run_in_executor(None, self._forward, request, str(integration.get("IntegrationUri") or ""),
                                            str(integration.get("IntegrationMethod") or "ANY"), target.path_parameters,
                                            target.api_id, timeout)
            else:
                work = asyncio.ensure_future(self._lambda(request, target, request_id, granted))
            answer = await asyncio.wait_for(asyncio.shield(work), timeout)
        except TimeoutError:
            return _json(504, "Endpoint request timed out", request_id)
        return answer

    def _deployment(self, api_arn: str, deployment_id: str) -> dict[str, Any] | None:
        """An HTTP API's deployment: read once, kept (a deployment never changes; deleting its API
        deletes its stages, so nothing asks for it again)."""
        cache_key = f"{api_arn}/{deployment_id}"
        found = self._deployments.get(cache_key)
        if found is None:
            found = self.emulator.store.get(DEPLOYMENT, key(api_arn, "deployments", deployment_id))
            if found is None:
                return None
            if len(self._deployments) >= DEPLOYMENTS_KEPT:
                self._deployments.pop(next(iter(self._deployments)))
            self._deployments[cache_key] = found
        return found

    def _resolve_rest(self, api_id: str, rest_path: str, method: str, api_key: str | None = None
                      ) -> RestTarget | None:
        store = self.emulator.store
        arn = self.emulator.ids.apigateway_rest_api(api_id)
        api = store.get(REST_API, arn)
        if api is None:
            return None
        first, _, remainder = rest_path.lstrip("/").partition("/")
        stage = store.get(REST_STAGE, key(arn, "stages", first)) if first else None
        deployment = store.get(REST_DEPLOYMENT, key(arn, "deployments", stage["deploymentId"])) \
            if stage and stage.get("deploymentId") else None
        if stage is None or deployment is None:
            return RestTarget(api_id, None, {}, None, "/" + remainder, rest_path)
        resources = (deployment.get(SNAPSHOT) or {}).get("resources") or []
        path = "/" + remainder
        found = rest.find(resources, method, path)
        key_record, plans = None, ()
        if found is not None and found.method.get("apiKeyRequired") and api_key:
            key_record = next((k for k in store.list(API_KEY) if k.get("value") == api_key and k.get("enabled")), None)
            if key_record is not None:
                plans = tuple(p for p in store.list(USAGE_PLAN) if key_record["id"] in p.get(KEYS, [])
                              and any(s.get("apiId") == api_id and s.get("stage") == stage["stageName"]
                                      for s in p.get("apiStages") or []))
        authorizer = None
        if found is not None and found.method.get("authorizationType") == "CUSTOM":
            authorizer = ((deployment.get(SNAPSHOT) or {}).get("authorizers") or {}).get(found.method.get("authorizerId"))
        return RestTarget(api_id, stage["stageName"], stage.get("variables") or {}, found, path, rest_path,
                          key_record, plans, authorizer, api_name=str(api.get("name") or ""),
                          access_log=stage.get("accessLogSettings") or None)

    def _resolve(self, request: Request) -> Target | RestTarget | None:
        """Which API, stage, route and integration the request is for (store reads: run in a
        worker thread, off the loop)."""
        api_id, rest = _locate(request)
        if api_id is None:
            return None
        store = self.emulator.store
        api_arn = self.emulator.ids.apigateway_api(api_id)
        api = store.get(HTTP_API, api_arn)
        if api is None:
            return self._resolve_rest(api_id, rest_path=rest, method=request.method,
                                      api_key=header(request.headers, "x-api-key"))
        if api.get("ProtocolType", "HTTP") != "HTTP":
            return None
        first, _, remainder = rest.lstrip("/").partition("/")
        stage = None
        if first and first != DEFAULT_STAGE:
            stage = store.get(STAGE, key(api_arn, "stages", first))
        if stage is not None:
            path, raw_path = "/" + remainder, rest
        else:
            stage = store.get(STAGE, key(api_arn, "stages", DEFAULT_STAGE))
            path = raw_path = rest or "/"
        if stage is None or not stage.get("DeploymentId"):
            return None
        deployment = self._deployment(api_arn, stage["DeploymentId"])
        if deployment is None:
            return None
        snapshot = deployment.get(SNAPSHOT) or {}
        routes_key = f"{api_arn}/{deployment['DeploymentId']}"
        routes = self._routes.get(routes_key)
        if routes is None:
            routes = tuple(parse_route_key(r["RouteKey"]) for r in snapshot.get("routes") or [])
            if len(self._routes) >= DEPLOYMENTS_KEPT:
                self._routes.pop(next(iter(self._routes)))
            self._routes[routes_key] = routes
        match = choose(list(routes), request.method, path)
        integration = authorizer = None
        scopes: list[str] = []
        if match is not None:
            route = next(r for r in snapshot["routes"] if r["RouteKey"] == match.route.key)
            target = str(route.get("Target") or "")
            integration = (snapshot.get("integrations") or {}).get(target.removeprefix(TARGET_PREFIX)) \
                if target.startswith(TARGET_PREFIX) else None
            if route.get("AuthorizationType") in ("CUSTOM", "JWT"):
                authorizer = (snapshot.get("authorizers") or {}).get(route.get("AuthorizerId") or "")
                scopes = list(route.get("AuthorizationScopes") or [])
        settings = dict(stage.get("DefaultRouteSettings") or {})
        if match is not None:  # a route's own settings over the stage's default, limit by limit
            own = (stage.get("RouteSettings") or {}).get(match.route.key) or {}
            settings.update({k: v for k, v in own.items() if v is not None})
        rate, burst = settings.get("ThrottlingRateLimit"), settings.get("ThrottlingBurstLimit")
        return Target(api_id=api_id, stage=stage["StageName"], stage_variables=stage.get("StageVariables") or {},
                      route=match.route if match else None, path_parameters=match.path_parameters if match else {},
                      integration=integration, cors=api.get("CorsConfiguration"), authorizer=authorizer,
                      scopes=tuple(scopes),
                      throttle=(float(rate), int(burst)) if rate is not None and burst is not None else None,
                      access_log=stage.get("AccessLogSettings") or None,
                      path=path, raw_path=raw_path)

    def _within_plan(self, plan: dict[str, Any], key_id: str) -> str | None:
        """Take one request from the plan's throttle and quota for this key; None when it may go
        on, else the 429's message (``Too Many Requests``, ``Limit Exceeded``)."""
        throttle = plan.get("throttle") or {}
        if throttle.get("rateLimit") is not None and throttle.get("burstLimit") is not None:
            bucket_key = ("plan:" + plan["id"], key_id, "")
            if not self._take_from(bucket_key, float(throttle["rateLimit"]), int(throttle["burstLimit"])):
                return "Too Many Requests"
        quota = plan.get("quota") or {}
        if quota.get("limit") is not None and quota.get("period"):
            window = _quota_window(quota["period"], datetime.now(UTC))
            count_key = (plan["id"], key_id, window)
            used = self._quota.get(count_key, 0)
            if used >= int(quota["limit"]):
                return "Limit Exceeded"
            self._quota[count_key] = used + 1
        return None

    # -- throttling (on the loop) -----------------------------------------------------------------
    def _take(self, target: Target) -> bool:
        """A token from the stage's bucket for this route (``burst`` tokens, refilled at ``rate``
        a second, as API Gateway throttles); False: throttled."""
        assert target.throttle is not None and target.route is not None
        rate, burst = target.throttle
        return self._take_from((target.api_id, target.stage, target.route.key), rate, burst)

    def _take_from(self, bucket_key: tuple[str, str, str], rate: float, burst: int) -> bool:
        now = time.monotonic()
        tokens, last = self._buckets.get(bucket_key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        if tokens < 1:
            self._buckets[bucket_key] = (tokens, now)
            return False
        self._buckets[bucket_key] = (tokens - 1, now)
        return True

    def _incoming(self, request: Request, target: Target, request_id: str,
                  granted: authorizers.Verdict | jwt.Checked | None = None) -> events.Incoming:
        route = target.route
        assert route is not None
        host = (header(request.headers, "host") or "")
        return events.Incoming(
            method=request.method, path=target.raw_path, raw_query=request.target.partition("?")[2],
            headers=request.headers, body=request.body, api_id=target.api_id, stage=target.stage,
            route_key=route.key, resource_path=route.path if not route.default else "$default",
            path_parameters=target.path_parameters, stage_variables=target.stage_variables, request_id=request_id,
            account_id=self.emulator.ids.account, domain_name=host.split(":", 1)[0],
            at=datetime.fromtimestamp(time.time(), UTC),
            authorizer=granted.context if isinstance(granted, authorizers.Verdict) else None,
            principal_id=granted.principal_id if isinstance(granted, authorizers.Verdict) else None,
            jwt={"claims": granted.claims, "scopes": granted.scopes} if isinstance(granted, jwt.Checked) else None,
        )

    async def _lambda(self, request: Request, target: Target, request_id: str,
                      granted: authorizers.Verdict | jwt.Checked | None = None) -> Response:
        integration = target.integration or {}
        version = integration.get("PayloadFormatVersion") or "2.0"
        incoming = self._incoming(request, target, request_id, granted)
        event = events.event_v2(incoming) if version == "2.0" else events.event_v1(incoming)
        try:
            result = await lambda_proxy.invoke(self.emulator, str(integration.get("IntegrationUri") or ""), event)
        except lambda_proxy.Failed as exc:
            if exc.code == "TooManyRequestsException":
                return _json(429, "Too Many Requests", request_id)
            log.info("API gateway %s: the integration failed: %s", target.api_id, exc)
            return _json(500, "Internal Server Error", request_id)
        self.invocations.keep(request_id, result)
        if result.function_error:
            return _json(502, "Internal Server Error", request_id)
        try:
            answer = events.answer_v2(result.payload) if version == "2.0" else events.answer_v1(result.payload)
        except events.MalformedResponse as exc:
            log.info("API gateway %s: the function's answer is malformed: %s", target.api_id, exc)
            return _json(502, "Internal Server Error", request_id)
        headers = [*answer.headers, ("Apigw-Requestid", request_id), ("Date", formatdate(usegmt=True))]
        return Response(answer.status, headers, answer.body)

    def _forward(self, request: Request, url: str, method: str, path_parameters: dict[str, str], api_id: str,
                 timeout: float) -> Response:
        """HTTP_PROXY: the request on to the integration's URL (in a worker thread)."""
        for name, value in path_parameters.items():
            url = url.replace("{" + name + "}", quote(value, safe="/")).replace("{" + name + "+}", quote(value, safe="/"))
        parts = urlsplit(url)
        path = parts.path or "/"
        query = "&".join(q for q in (parts.query, request.target.partition("?")[2]) if q)
        method = request.method if method == "ANY" else method
        headers = {k: v for k, v in request.headers if k.lower() not in HOP_BY_HOP}
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = kind(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
        try:
            conn.request(method, path + (f"?{query}" if query else ""), body=request.body or None, headers=headers)
            answer = conn.getresponse()
            body = answer.read()
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
            return Response(answer.status, [*kept, ("Apigw-Requestid", self._request_ids.alnum(16))], body)
        except OSError as exc:
            log.info("API gateway %s: the HTTP integration %s failed: %s", api_id, url, exc)
            return _json(500 if not isinstance(exc, TimeoutError) else 504, "Internal Server Error"
                         if not isinstance(exc, TimeoutError) else "Endpoint request timed out",
                         self._request_ids.alnum(16))
        finally:
            conn.close()


def _quota_window(period: str, at: datetime) -> str:
    """The UTC day, ISO week or month a request falls in, as a usage plan's quota counts."""
    if period == "DAY":
        return at.strftime("%Y-%m-%d")
    if period == "WEEK":
        year, week, _ = at.isocalendar()
        return f"{year}-W{week:02d}"
    return at.strftime("%Y-%m")


def _origin_allowed(cors: dict[str, Any], origin: str) -> str | None:
    """What ``Access-Control-Allow-Origin`` says to this origin; None: it is not allowed."""
    origins = cors.get("AllowOrigins") or []
    if origin in origins:
        return origin
    if "*" in origins:
        return origin if cors.get("AllowCredentials") else "*"
    return None


def _preflight(cors: dict[str, Any], origin: str, request_id: str) -> Response:
    """The gateway's own answer to a CORS preflight, route or no route (as HTTP APIs answer it)."""
    headers = [("Apigw-Requestid", request_id), ("Date", formatdate(usegmt=True))]
    allowed = _origin_allowed(cors, origin)
    if allowed is not None:
        headers.append(("Access-Control-Allow-Origin", allowed))
        if cors.get("AllowMethods"):
            headers.append(("Access-Control-Allow-Methods", ",".join(cors["AllowMethods"])))
        if cors.get("AllowHeaders"):
            headers.append(("Access-Control-Allow-Headers", ",".join(cors["AllowHeaders"])))
        if cors.get("MaxAge") is not None:
            headers.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
        if cors.get("AllowCredentials"):
            headers.append(("Access-Control-Allow-Credentials", "true"))
    return Response(204, headers)


def _with_cors(response: Response, cors: dict[str, Any] | None, origin: str | None) -> Response:
    """An answer to a CORS request: the API's CORS headers, in place of any the integration sent."""
    if not cors or not origin:
        return response
    headers = [(k, v) for k, v in response.headers if not k.lower().startswith("access-control-")]
    allowed = _origin_allowed(cors, origin)
    if allowed is not None:
        headers.append(("Access-Control-Allow-Origin", allowed))
        if cors.get("ExposeHeaders"):
            headers.append(("Access-Control-Expose-Headers", ",".join(cors["ExposeHeaders"])))
        if cors.get("AllowCredentials"):
            headers.append(("Access-Control-Allow-Credentials", "true"))
    return Response(response.status, headers, response.body, response.close)


def _locate(request: Request) -> tuple[str | None, str]:
    """The API id and the rest of the path, from the host form or the path form."""
    host = (header(request.headers, "host") or "").split(":", 1)[0].lower()
    if host.endswith(HOST_SUFFIX):
        return host[: -len(HOST_SUFFIX)] or None, request.path
    path = request.path
    if path.startswith(PATH_PREFIX):
        api_id, _, rest = path[len(PATH_PREFIX):].partition("/")
        return api_id or None, "/" + rest
    return None, path
