"""REST APIs (v1) as the gateway serves them (pure functions): which resource and method a request
takes, and what a MOCK integration answers.

- A resource path's segments are literal, ``{name}`` or a last ``{name+}``, chosen as routes are
  (:mod:`.routes`); then the method: the request's own, else ``ANY``. Neither is REST APIs'
  403 ``{"message":"Missing Authentication Token"}``.
- **MOCK**: the request template for the request's content type (``application/json`` when it
  has none) is read as JSON; its ``statusCode`` picks the integration response whose
  ``selectionPattern`` matches it (a regular expression over the status), else the one without a
  pattern. That response's status, its ``responseParameters`` headers (``'literal'`` values) and
  its response template (as written: the gateway does not run Velocity templates) are the answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from computetui.backends.local.apigateway.routes import RouteKey, choose, parse_route_key

MISSING_TOKEN = "Missing Authentication Token"


@dataclass(frozen=True)
class Found:
    resource: dict[str, Any]
    method: dict[str, Any]
    path_parameters: dict[str, str]


def find(resources: list[dict[str, Any]], method: str, path: str) -> Found | None:
    """The resource and method a request takes; None: 403 Missing Authentication Token."""
    keyed: dict[str, dict[str, Any]] = {}
    routes: list[RouteKey] = []
    for resource in resources:
        route = parse_route_key(f"ANY {resource['path']}")
        keyed[route.key] = resource
        routes.append(route)
    match = choose(routes, "ANY", path)
    if match is None:
        return None
    resource = keyed[match.route.key]
    methods = resource.get("resourceMethods") or {}
    chosen = methods.get(method) or methods.get("ANY")
    if chosen is None:
        return None
    return Found(resource, chosen, match.path_parameters)


def mock_answer(integration: dict[str, Any], content_type: str | None) -> tuple[int, list[tuple[str, str]], bytes]:
    templates = integration.get("requestTemplates") or {}
    kind = (content_type or "application/json").split(";", 1)[0].strip().lower()
    template = templates.get(kind) or templates.get("application/json") or ""
    try:
        asked = json.loads(template) if template.strip() else {}
    except ValueError:
        asked = {}
    status = str(asked.get("statusCode", 200)) if isinstance(asked, dict) else "200"
    responses = integration.get("integrationResponses") or {}
    chosen = None
    for response in responses.values():
        pattern = response.get("selectionPattern")
        if pattern and re.fullmatch(pattern, status):
            chosen = response
            break
    if chosen is None:
        chosen = next((r for r in responses.values() if not r.get("selectionPattern")), None)
    if chosen is None:
        return 500, [("Content-Type", "application/json")], b'{"message": "Internal server error"}'
    headers = []
    for name, value in (chosen.get("responseParameters") or {}).items():
        if name.startswith("method.response.header.") and value.startswith("'") and value.endswith("'"):
            headers.append((name.removeprefix("method.response.header."), value[1:-1]))
    body_templates = chosen.get("responseTemplates") or {}
    body = body_templates.get("application/json") or next(iter(body_templates.values()), "") or ""
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return int(chosen.get("statusCode") or 200), headers, body.encode()
