"""The Test panel's request on the local backend: sent to the emulator's gateway on 127.0.0.1 as
any client sends it (an HTTP API: to the stage's invoke URL; a REST API: to the gateway's
TestInvokeMethod, :mod:`.probe`), then the gateway is asked which Lambda invocation answered."""

from __future__ import annotations

import http.client
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from computetui.backends.errors import NotFound, Unavailable
from computetui.backends.local.apigateway import probe
from computetui.backends.local.apigateway.errors import bad_request
from computetui.backends.local.apigateway.records import (
    DEFAULT_STAGE,
    HTTP_API,
    STAGE,
    key,
    stage_url,
)
from computetui.backends.rules import apigateway as rules
from computetui.backends.rules.validation import validated
from computetui.models import apigateway as m

if TYPE_CHECKING:
    from computetui.backends.local.ids import Ids
    from computetui.backends.local.state import StateStore

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
TIMEOUT_S = 35.0
"""Longer than any integration may take (30 s on HTTP APIs, 29 s on REST APIs): the gateway
answers 504 first."""


class ApiTests:
    if TYPE_CHECKING:
        store: StateStore
        ids: Ids

        def recorded_port(self) -> int | None: ...
        def _rest_api(self, rest_api_id: str) -> m.RestApi: ...
        def rest_invoke_url(self, rest_api_id: str, stage_name: str) -> str: ...

    @validated(rules.TEST_INVOKE)
    def test_invoke(self, api_id: str, method: str, path: str, *, stage_name: str | None = None,
                    resource_id: str | None = None, query: str = "", headers: dict[str, str] | None = None,
                    body: str = "") -> m.ApiTestResult:
        method = method.upper()
        if method not in METHODS:
            raise bad_request(f"Invalid HTTP method {method!r}: one of {', '.join(METHODS)}", "httpMethod")
        if not path.startswith("/"):
            raise bad_request("The path must start with /", "pathWithQueryString")
        query = query.lstrip("?")
        api = self.store.get(HTTP_API, self.ids.apigateway_api(api_id))
        if api is not None:
            if api.get("ProtocolType", "HTTP") != "HTTP":
                raise bad_request("A WebSocket API is tested over a WebSocket connection, not with a request",
                                  "apiId")
            return self._test_http_api(api_id, method, path, stage_name or DEFAULT_STAGE, query, headers or {}, body)
        self._rest_api(api_id)  # NotFoundException
        if not resource_id:
            raise bad_request("TestInvokeMethod needs the resource (resourceId)", "resourceId")
        return self._test_rest_method(api_id, resource_id, method, path, stage_name, query, headers or {}, body)

    def _running_port(self) -> int:
        """Where the leader's gateway listens; Unavailable when no gateway says so (a test is
        sent nowhere else: not to a port that might be another program's)."""
        port = self.recorded_port()
        if port is None:
            raise Unavailable("The API gateway is not running: it runs in the emulator's leading process "
                              "(the console or computetui serve)")
        return port

    def _test_http_api(self, api_id: str, method: str, path: str, stage: str, query: str,
                       headers: dict[str, str], body: str) -> m.ApiTestResult:
        arn = self.ids.apigateway_api(api_id)
        if self.store.get(STAGE, key(arn, "stages", stage)) is None:
            raise NotFound(f"Invalid stage identifier specified {stage}", code="NotFoundException")
        port = self._running_port()
        url = stage_url(port, api_id, stage) + quote(path, safe="/%{}+:@!$&'()*,;=-._~") + (f"?{query}" if query else "")
        began = time.monotonic()
        status, answer_headers, data = _send(port, method, url.removeprefix(f"http://127.0.0.1:{port}"), headers,
                                             body.encode())
        latency = (time.monotonic() - began) * 1000
        request_id = next((v for k, v in answer_headers if k.lower() == "apigw-requestid"), None)
        text, encoded = m.ApiTestResult.text_of(data)
        called = _invocation(port, request_id) if request_id else None
        return m.ApiTestResult(status=status, headers=answer_headers, body=text, body_base64=encoded,
                               latency_ms=latency, url=url, request_id=request_id,
                               report=called.get("report") if called else None,
                               cold_start=called.get("coldStart") if called else None)

    def _test_rest_method(self, api_id: str, resource_id: str, method: str, path: str, stage: str | None,
                          query: str, headers: dict[str, str], body: str) -> m.ApiTestResult:
        port = self._running_port()
        asked = {"pathWithQueryString": path + (f"?{query}" if query else ""), "headers": headers, "body": body}
        began = time.monotonic()
        status, _, data = _send(port, "POST", f"{probe.PREFIX}{probe.TEST_INVOKE_METHOD}/{api_id}/"
                                f"{quote(resource_id, safe='')}/{method}", {"Content-Type": "application/json"},
                                json.dumps(asked).encode())
        latency = (time.monotonic() - began) * 1000
        try:
            found: dict[str, Any] = json.loads(data)
        except ValueError:
            found = {}
        if status == 404:
            raise NotFound(str(found.get("message") or "Not Found"), code="NotFoundException")
        if status != 200:
            raise bad_request(str(found.get("message") or f"The gateway answered {status}"), "pathWithQueryString")
        called = found.get("invocation") or {}
        pairs = [(name, value) for name, values in (found.get("multiValueHeaders") or {}).items() for value in values]
        return m.ApiTestResult(
            status=int(found["status"]), headers=pairs, body=str(found.get("body") or ""),
            latency_ms=float(found.get("latency") or latency),
            url=(self.rest_invoke_url(api_id, stage) + path + (f"?{query}" if query else "")) if stage else None,
            request_id=next((v for k, v in pairs if k.lower() == "x-amzn-requestid"), None),
            report=called.get("report"), cold_start=called.get("coldStart") if called else None,
            log=found.get("log"))


def _send(port: int, method: str, target: str, headers: dict[str, str], body: bytes
          ) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request to the gateway on 127.0.0.1; Unavailable when nothing answers there."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        conn.request(method, target, body=body or None, headers=headers)
        answer = conn.getresponse()
        return answer.status, list(answer.getheaders()), answer.read()
    except (OSError, http.client.HTTPException) as exc:
        raise Unavailable(f"The API gateway on 127.0.0.1:{port} did not answer ({exc}); it runs while the "
                          "emulator's leading process (the console or computetui serve) does") from None
    finally:
        conn.close()


def _invocation(port: int, request_id: str) -> dict[str, Any] | None:
    """The Lambda invocation behind the gateway's answer, when one is kept."""
    status, _, data = _send(port, "GET", f"{probe.PREFIX}{probe.INVOCATIONS}/{quote(request_id, safe='')}", {}, b"")
    if status != 200:
        return None
    found = json.loads(data)
    return found if isinstance(found, dict) else None
