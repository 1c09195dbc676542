"""Lambda (REQUEST) authorizers of HTTP APIs: what the authorizer function is asked, and what its
answer means (pure functions; the gateway invokes the function and caches the answer).

- **Identity sources** (``$request.header.Authorization``, ``$request.querystring.token``,
  ``$context.<name>``, ``$stageVariables.<name>``): every one must have a value, or the
  request is refused 401 ``{"message":"Unauthorized"}`` without asking the function.
- **The event**: payload 2.0 is the request's 2.0 event with ``type: REQUEST``, ``routeArn``
  and ``identitySource`` (the values); 1.0 is the 1.0 event with ``type``, ``methodArn`` and
  ``identitySource``.
- **The answer**: with simple responses (2.0 only) ``{"isAuthorized": bool, "context": {...}}``;
  otherwise an IAM policy ``{"principalId", "policyDocument": {"Statement": [...]}, "context"}``
  that allows ``execute-api:Invoke`` on the route's ARN (``*`` and ``?`` wildcards; an explicit
  Deny wins). Not authorized: 403 ``{"message":"Forbidden"}``.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from computetui.backends.local.apigateway import events


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    context: dict[str, Any]
    principal_id: str | None = None
    denied: bool = False
    """An explicit Deny matched (REST APIs say so in their 403)."""


class MalformedAuthorizerAnswer(ValueError):
    """The authorizer's answer is neither a simple response nor a policy: the caller's 500."""


def identity(sources: list[str], incoming: events.Incoming) -> list[str] | None:
    """The identity sources' values, in order; None when one has none (401)."""
    headers = {k.lower(): v for k, v in incoming.headers}
    query = dict(parse_qsl(incoming.raw_query, keep_blank_values=True))
    context = {"stage": incoming.stage, "routeKey": incoming.route_key, "requestId": incoming.request_id,
               "apiId": incoming.api_id, "identity.sourceIp": incoming.source_ip}
    values = []
    for source in sources:
        value = None
        if source.startswith("$request.header."):
            value = headers.get(source.removeprefix("$request.header.").lower())
        elif source.startswith("$request.querystring."):
            value = query.get(source.removeprefix("$request.querystring."))
        elif source.startswith("$context."):
            value = context.get(source.removeprefix("$context."))
        elif source.startswith("$stageVariables."):
            value = incoming.stage_variables.get(source.removeprefix("$stageVariables."))
        if not value:
            return None
        values.append(value)
    return values


def route_arn(region: str, account: str, incoming: events.Incoming, path: str) -> str:
    """``arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<METHOD><path>``."""
    return f"arn:aws:execute-api:{region}:{account}:{incoming.api_id}/{incoming.stage}/{incoming.method}{path}"


def event(version: str, incoming: events.Incoming, arn: str, values: list[str]) -> dict[str, Any]:
    if version == "2.0":
        made = events.event_v2(incoming)
        made.pop("body", None)
        made.pop("isBase64Encoded", None)
        return {"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": values,
                **{k: v for k, v in made.items() if k != "version"}}
    made = events.event_v1(incoming)
    made.pop("body", None)
    made.pop("isBase64Encoded", None)
    return {"version": "1.0", "type": "REQUEST", "methodArn": arn, "identitySource": ",".join(values),
            **{k: v for k, v in made.items() if k != "version"}}


def verdict(payload: bytes, simple: bool, arn: str) -> Verdict:
    try:
        answer = json.loads(payload or b"null")
    except ValueError:
        raise MalformedAuthorizerAnswer("the authorizer's answer is not JSON") from None
    if not isinstance(answer, dict):
        raise MalformedAuthorizerAnswer("the authorizer's answer is not an object")
    context = answer.get("context") or {}
    if not isinstance(context, dict):
        raise MalformedAuthorizerAnswer("context is not an object")
    if simple and "isAuthorized" in answer:
        return Verdict(answer["isAuthorized"] is True, context)
    document = answer.get("policyDocument")
    if not isinstance(document, dict):
        raise MalformedAuthorizerAnswer("neither isAuthorized (simple response) nor a policyDocument")
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = denied = False
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        actions = _listed(statement.get("Action"))
        resources = _listed(statement.get("Resource"))
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", a) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(arn, r) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            denied = True
        elif statement.get("Effect") == "Allow":
            allowed = True
    return Verdict(allowed and not denied, context, str(answer.get("principalId") or "") or None, denied)


def rest_identity(kind: str, source: str, incoming: events.Incoming) -> list[str] | None:
    """A REST authorizer's identity values (``method.request.header.X``, ``method.request.
    querystring.x``, ``stageVariables.x``, ``context.x``); None when one has none (401)."""
    translated = []
    for part in [s.strip() for s in source.split(",") if s.strip()]:
        if part.startswith("method.request.header."):
            translated.append("$request.header." + part.removeprefix("method.request.header."))
        elif part.startswith("method.request.querystring."):
            translated.append("$request.querystring." + part.removeprefix("method.request.querystring."))
        elif part.startswith("stageVariables."):
            translated.append("$stageVariables." + part.removeprefix("stageVariables."))
        else:
            translated.append("$" + part)
    return identity(translated, incoming)


def rest_event(kind: str, incoming: events.Incoming, arn: str, values: list[str]) -> dict[str, Any]:
    """TOKEN: ``{type, authorizationToken, methodArn}``; REQUEST: the 1.0 event with them."""
    if kind == "TOKEN":
        return {"type": "TOKEN", "authorizationToken": values[0], "methodArn": arn}
    made = events.event_v1(incoming)
    made.pop("body", None)
    made.pop("isBase64Encoded", None)
    made.pop("version", None)
    return {"type": "REQUEST", "methodArn": arn, **made}


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
