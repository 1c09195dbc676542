"""WebSocket APIs on the gateway: connections, routes chosen by the route selection expression,
Lambda integrations with API Gateway's WebSocket events, and the ``@connections`` path.

- **Connecting**: ``ws://127.0.0.1:<port>/_aws/execute-api/<api id>/<stage>``. The ``$connect``
  route's function (when there is one) is asked first with a ``CONNECT`` event (headers and
  query string); an error or a ``statusCode`` of 300 or more refuses the connection (HTTP 403).
- **Messages**: the route selection expression (``$request.body.<field>``) picks the route whose
  key is that field's value in the JSON message, else ``$default``; with neither the client
  gets ``{"message": "Forbidden", ...}``. The route's function gets a ``MESSAGE`` event with the
  body. (Integration answers reach the client only through route responses, which the local
  gateway does not have: a function answers with ``@connections``, as most do.)
- **Leaving**: ``$disconnect`` gets a ``DISCONNECT`` event once the connection has closed.
- **@connections**: ``POST .../<stage>/@connections/<id>`` sends the body to that connection,
  ``GET`` describes it, ``DELETE`` closes it; a connection that is gone is 410 ``GoneException``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from computetui.backends.local.apigateway import lambda_proxy
from computetui.backends.local.apigateway.http_apis import TARGET_PREFIX
from computetui.backends.local.apigateway.records import DEPLOYMENT, HTTP_API, SNAPSHOT, STAGE, key
from computetui.backends.local.http import websocket
from computetui.backends.local.http.codec import Request, Response, header

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator
    from computetui.backends.local.http.streams import Connection
    from computetui.backends.local.ids import Ids

log = logging.getLogger(__name__)

CONNECTIONS = "@connections"


@dataclass
class Live:
    """One open connection."""

    connection_id: str
    socket: websocket.Socket
    api_id: str
    stage: str
    domain_name: str
    source_ip: str
    user_agent: str | None
    connected_at: float = field(default_factory=time.time)
    last_active: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Where:
    """A WebSocket API's stage as deployed: its routes and integrations."""

    api_id: str
    stage: str
    selection: str
    routes: dict[str, dict[str, Any] | None]
    """Route key -> its integration (None: a route without one)."""


class WebSockets:
    """The gateway's WebSocket connections (on the controller's loop)."""

    def __init__(self, emulator: Emulator, ids: Ids) -> None:
        self.emulator = emulator
        self.ids = ids
        self.live: dict[str, Live] = {}

    # -- finding the stage (off the loop: store reads) -------------------------------------------
    def where(self, api_id: str, stage_name: str) -> Where | None:
        store = self.emulator.store
        arn = self.emulator.ids.apigateway_api(api_id)
        api = store.get(HTTP_API, arn)
        if api is None or api.get("ProtocolType") != "WEBSOCKET":
            return None
        stage = store.get(STAGE, key(arn, "stages", stage_name))
        if stage is None or not stage.get("DeploymentId"):
            return None
        deployment = store.get(DEPLOYMENT, key(arn, "deployments", stage["DeploymentId"])) or {}
        snapshot = deployment.get(SNAPSHOT) or {}
        integrations = snapshot.get("integrations") or {}
        routes = {}
        for route in snapshot.get("routes") or []:
            target = str(route.get("Target") or "")
            routes[route["RouteKey"]] = integrations.get(target.removeprefix(TARGET_PREFIX)) \
                if target.startswith(TARGET_PREFIX) else None
        return Where(api_id, stage_name, str(api.get("RouteSelectionExpression") or "$request.body.action"), routes)

    # -- a connection, from the upgrade to its end ---------------------------------------------------
    async def serve(self, request: Request, conn: Connection, api_id: str, stage: str) -> None:
        loop = asyncio.get_running_loop()
        where = await loop.run_in_executor(None, self.where, api_id, stage)
        key_header = header(request.headers, "sec-websocket-key")
        if where is None or not key_header:
            conn.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        connection_id = base64.b64encode(self.ids.hex(12).encode()[:12]).decode()
        host = (header(request.headers, "host") or "").split(":", 1)[0]
        live = Live(connection_id, websocket.Socket(conn.reader, conn.writer), api_id, stage, host, conn.peer_ip,
                    header(request.headers, "user-agent"))
        if "$connect" in where.routes:
            status = await self._invoke(where, "$connect", live, self._event(where, live, "$connect", "CONNECT",
                                                                              request=request))
            if status is None or status >= 300:
                conn.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
        conn.write(websocket.handshake(key_header))
        self.live[connection_id] = live
        try:
            while True:
                message = await live.socket.receive()
                live.last_active = time.time()
                await self._message(where, live, message)
        except websocket.Closed as closed:
            await live.socket.close(closed.code if closed.code not in (1005, 1006) else 1000)
        finally:
            self.live.pop(connection_id, None)
            if "$disconnect" in where.routes:
                await self._invoke(where, "$disconnect", live, self._event(where, live, "$disconnect", "DISCONNECT"))

    async def _message(self, where: Where, live: Live, message: websocket.Message) -> None:
        route = "$default"
        expression = where.selection
        if expression.startswith("$request.body.") and message.text:
            try:
                body = json.loads(message.data)
            except ValueError:
                body = None
            value: Any = body
            for part in expression.removeprefix("$request.body.").split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, str) and value in where.routes:
                route = value
        if route not in where.routes:
            await live.socket.send(websocket.TEXT, json.dumps({
                "message": "Forbidden", "connectionId": live.connection_id, "requestId": self.ids.alnum(16)}).encode())
            return
        await self._invoke(where, route, live, self._event(where, live, route, "MESSAGE", message=message))

    def _event(self, where: Where, live: Live, route: str, kind: str, request: Request | None = None,
               message: websocket.Message | None = None) -> dict[str, Any]:
        now = time.time()
        context = {
            "routeKey": route, "eventType": kind, "extendedRequestId": self.ids.alnum(16),
            "requestTime": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "messageDirection": "IN", "stage": where.stage, "connectedAt": int(live.connected_at * 1000),
            "requestTimeEpoch": int(now * 1000), "requestId": self.ids.alnum(16), "domainName": live.domain_name,
            "connectionId": live.connection_id, "apiId": where.api_id,
            "identity": {"sourceIp": live.source_ip, "userAgent": live.user_agent},
        }
        event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
        if request is not None:
            event["headers"] = {k: v for k, v in request.headers}
            event["multiValueHeaders"] = {}
            for k, v in request.headers:
                event["multiValueHeaders"].setdefault(k, []).append(v)
            query = request.target.partition("?")[2]
            if query:
                from urllib.parse import parse_qsl

                event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
        if message is not None:
            context["messageId"] = self.ids.alnum(16)
            if message.text:
                event["body"] = message.data.decode("utf-8", "replace")
            else:
                event["body"] = base64.b64encode(message.data).decode()
                event["isBase64Encoded"] = True
        return event

    async def _invoke(self, where: Where, route: str, live: Live, event: dict[str, Any]) -> int | None:
        """Ask the route's function; the answer's statusCode (200 without one), None when it failed."""
        integration = where.routes.get(route)
        if integration is None:
            return 200
        try:
            result = await lambda_proxy.invoke(self.emulator, str(integration.get("IntegrationUri") or ""), event)
        except lambda_proxy.Failed as exc:
            log.info("WebSocket API %s: the %s integration failed: %s", where.api_id, route, exc)
            return None
        if result.function_error:
            return None
        try:
            answer = json.loads(result.payload or b"null")
        except ValueError:
            return 200
        if isinstance(answer, dict) and "statusCode" in answer:
            try:
                return int(answer["statusCode"])
            except (TypeError, ValueError):
                return None
        return 200

    # -- @connections -----------------------------------------------------------------------------------
    async def manage(self, request: Request, api_id: str, stage: str, connection_id: str, request_id: str) -> Response:
        live = self.live.get(connection_id)
        if live is None or live.api_id != api_id or live.stage != stage:
            return Response(410, [("Content-Type", "application/json"), ("X-Amzn-Errortype", "GoneException"),
                                  ("Apigw-Requestid", request_id)], b'{"message":"Gone"}')
        if request.method == "POST":
            text = True
            try:
                request.body.decode("utf-8")
            except UnicodeDecodeError:
                text = False
            try:
                await live.socket.send(websocket.TEXT if text else websocket.BINARY, request.body)
            except (websocket.Closed, ConnectionError):
                return Response(410, [("X-Amzn-Errortype", "GoneException")], b'{"message":"Gone"}')
            return Response(200, [("Apigw-Requestid", request_id), ("Date", formatdate(usegmt=True))])
        if request.method == "DELETE":
            await live.socket.close(1000, "Going away")
            live.socket.writer.close()
            return Response(204, [("Apigw-Requestid", request_id)])
        if request.method == "GET":
            iso = lambda t: datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")  # noqa: E731
            body = {"ConnectedAt": iso(live.connected_at), "LastActiveAt": iso(live.last_active),
                    "Identity": {"SourceIp": live.source_ip, "UserAgent": live.user_agent}}
            return Response(200, [("Content-Type", "application/json"), ("Apigw-Requestid", request_id)],
                            json.dumps(body).encode())
        return Response(405, [("Apigw-Requestid", request_id)])

    async def close_all(self) -> None:
        for live in list(self.live.values()):
            await live.socket.close(1001, "Going away")
