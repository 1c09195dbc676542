"""What an HTTP API hands a Lambda function and makes of its answer (pure functions).

Payload format 2.0 and 1.0, shaped as API Gateway shapes them: 2.0 lower-cases header names,
joins repeated headers and query parameters with commas and moves cookies to ``cookies``;
1.0 keeps the last value of each in ``headers``/``queryStringParameters`` and every value in
the ``multiValue`` maps. A body that is not text is base64-encoded (``isBase64Encoded``).

Answers: 2.0 takes ``{"statusCode", "headers", "cookies", "body", "isBase64Encoded"}``, and any
other JSON (no ``statusCode``) is a 200 whose body is that JSON; 1.0 needs ``statusCode`` and
takes ``multiValueHeaders`` too. What cannot be read is a malformed answer: the caller's 502.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from computetui.backends.local.http.codec import header

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript", "+json", "+xml")


@dataclass
class Incoming:
    """A request as the gateway read it, with where it went."""

    method: str
    path: str
    """The path the client asked for, stage segment included when there is one."""
    raw_query: str
    headers: list[tuple[str, str]]
    body: bytes
    api_id: str
    stage: str
    route_key: str
    resource_path: str
    """The route's path (``/pets/{id}``), or ``$default``."""
    path_parameters: dict[str, str] = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)
    request_id: str = ""
    source_ip: str = "127.0.0.1"
    account_id: str = "000000000000"
    domain_name: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    authorizer: dict[str, Any] | None = None
    """What a Lambda authorizer allowed the request with (its ``context``), for the integration."""
    principal_id: str | None = None
    jwt: dict[str, Any] | None = None
    """What a JWT authorizer accepted: ``{"claims": {...}, "scopes": [...]}``."""


class MalformedResponse(ValueError):
    """The function's answer is not one API Gateway can turn into a response."""


def is_text(content_type: str | None) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return not kind or any(kind.startswith(t) or kind.endswith(t) for t in TEXT_TYPES)


def _body(incoming: Incoming) -> tuple[str | None, bool]:
    if not incoming.body:
        return None, False
    content_type = header(incoming.headers, "content-type")
    if is_text(content_type):
        try:
            return incoming.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(incoming.body).decode("ascii"), True


def _time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def event_v2(incoming: Incoming) -> dict[str, Any]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in incoming.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    query: dict[str, str] = {}
    for key, value in parse_qsl(incoming.raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    body, encoded = _body(incoming)
    epoch_ms = int(incoming.at.timestamp() * 1000)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": incoming.route_key,
        "rawPath": incoming.path,
        "rawQueryString": incoming.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": incoming.account_id,
        "apiId": incoming.api_id,
        "domainName": incoming.domain_name,
        "domainPrefix": incoming.domain_name.split(".", 1)[0],
        "http": {
            "method": incoming.method,
            "path": incoming.path,
            "protocol": "HTTP/1.1",
            "sourceIp": incoming.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": incoming.request_id,
        "routeKey": incoming.route_key,
        "stage": incoming.stage,
        "time": _time(incoming.at),
        "timeEpoch": epoch_ms,
    }
    if incoming.authorizer is not None:
        event["requestContext"]["authorizer"] = {"lambda": dict(incoming.authorizer)}
    elif incoming.jwt is not None:
        event["requestContext"]["authorizer"] = {"jwt": dict(incoming.jwt)}
    if incoming.path_parameters:
        event["pathParameters"] = dict(incoming.path_parameters)
    if incoming.stage_variables:
        event["stageVariables"] = dict(incoming.stage_variables)
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = encoded
    return event


def event_v1(incoming: Incoming) -> dict[str, Any]:
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in incoming.headers:
        headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for key, value in parse_qsl(incoming.raw_query, keep_blank_values=True):
        query[key] = value
        multi_query.setdefault(key, []).append(value)
    body, encoded = _body(incoming)
    user_agent = header(incoming.headers, "user-agent")
    return {
        "version": "1.0",
        "resource": incoming.resource_path,
        "path": incoming.path,
        "httpMethod": incoming.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "requestContext": {
            "accountId": incoming.account_id,
            "apiId": incoming.api_id,
            "domainName": incoming.domain_name,
            "domainPrefix": incoming.domain_name.split(".", 1)[0],
            "extendedRequestId": incoming.request_id,
            "httpMethod": incoming.method,
            "identity": {"sourceIp": incoming.source_ip, "userAgent": user_agent, "accessKey": None,
                         "accountId": None, "caller": None, "user": None, "userArn": None},
            "path": incoming.path,
            "protocol": "HTTP/1.1",
            "requestId": incoming.request_id,
            "requestTime": _time(incoming.at),
            "requestTimeEpoch": int(incoming.at.timestamp() * 1000),
            "resourceId": incoming.route_key,
            "resourcePath": incoming.resource_path,
            "stage": incoming.stage,
            **({"authorizer": {**incoming.authorizer, "principalId": incoming.principal_id}}
               if incoming.authorizer is not None else {}),
        },
        "pathParameters": dict(incoming.path_parameters) or None,
        "stageVariables": dict(incoming.stage_variables) or None,
        "body": body,
        "isBase64Encoded": encoded,
    }


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _decode_body(answer: dict[str, Any]) -> bytes:
    body = answer.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        body = json.dumps(body)
    if answer.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except ValueError as exc:
            raise MalformedResponse(f"isBase64Encoded, but the body is not base64: {exc}") from None
    return body.encode("utf-8")


def _status(answer: dict[str, Any]) -> int:
    try:
        status = int(answer["statusCode"])
    except (TypeError, ValueError):
        raise MalformedResponse(f"statusCode {answer['statusCode']!r} is not a number") from None
    if not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status} is not an HTTP status")
    return status


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if not isinstance(headers, dict):
        raise MalformedResponse("headers is not an object")
    return [(str(k), str(v)) for k, v in headers.items()]


def answer_v2(payload: bytes) -> Answer:
    try:
        value = json.loads(payload or b"null")
    except ValueError:
        raise MalformedResponse("the function's answer is not JSON") from None
    if not isinstance(value, dict) or "statusCode" not in value:
        # Any JSON without statusCode: a 200 whose body is that JSON, as the function returned it.
        return Answer(200, [("Content-Type", "application/json")], payload)
    headers = _header_pairs(value.get("headers"))
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    cookies = value.get("cookies") or []
    if not isinstance(cookies, list):
        raise MalformedResponse("cookies is not a list")
    headers += [("Set-Cookie", str(c)) for c in cookies]
    return Answer(_status(value), headers, _decode_body(value))


def answer_v1(payload: bytes) -> Answer:
    try:
        value = json.loads(payload or b"null")
    except ValueError:
        raise MalformedResponse("the function's answer is not JSON") from None
    if not isinstance(value, dict) or "statusCode" not in value:
        raise MalformedResponse("payload format 1.0 needs a statusCode")
    headers = _header_pairs(value.get("headers"))
    multi = value.get("multiValueHeaders") or {}
    if not isinstance(multi, dict):
        raise MalformedResponse("multiValueHeaders is not an object")
    named = {k.lower() for k, _ in headers}
    for name, values in multi.items():
        if name.lower() in named:
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        headers += [(str(name), str(v)) for v in (values if isinstance(values, list) else [values])]
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return Answer(_status(value), headers, _decode_body(value))
