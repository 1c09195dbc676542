"""What an HTTP API's Authorizers and Throttling tabs show, as rows; and the words the Routes tab
uses for a route's authorization. No Textual here.

- **Authorizers**: each authorizer's name, type (``REQUEST``, a Lambda function; ``JWT``), identity
  source, what it checks against (the function, or the JWT issuer and audience), its payload
  format, simple responses and how long an answer is cached.
- **Throttling**: per stage, its default route settings and, for every route of the API, its own
  settings where it has them (else the stage's default applies to it).
"""

from __future__ import annotations

import re
from typing import Any

from computetui.backends.base import ApiGatewayFacet, Backend
from computetui.backends.errors import ComputeError
from computetui.models import apigateway as m
from computetui.ui.views import Column, Row

DEFAULT_ROUTES = "(default)"
"""The Throttling tab's word for a stage's default route settings, in the Route column."""
_FUNCTION = re.compile(r"arn:aws:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)")

AUTHORIZER_COLUMNS = (
    Column("name", "Name"),
    Column("type", "Type"),
    Column("identity", "Identity source"),
    Column("checks", "Function / issuer"),
    Column("ttl", "TTL (s)", "number"),
    Column("simple", "Simple"),
    Column("payload", "Payload"),
    Column("audience", "Audience"),
    Column("id", "ID"),  # last: the columns that tell authorizers apart stay on screen
)
THROTTLING_COLUMNS = (
    Column("stage", "Stage"),
    Column("route", "Route"),
    Column("rate", "Rate (requests/s)", "number"),
    Column("burst", "Burst", "number"),
    Column("source", "Set on"),
)


def _facet(b: Backend) -> ApiGatewayFacet:
    assert b.apigateway is not None
    return b.apigateway


def function_name(uri: str | None) -> str | None:
    """The Lambda function a REQUEST authorizer's URI names (its ARN, or the invocation ARN around it)."""
    found = _FUNCTION.search(uri or "")
    return found.group(1) if found else None


def invocation_uri(function_arn: str) -> str:
    """API Gateway's invocation ARN of a Lambda function: what AWS takes as a REQUEST authorizer's
    ``AuthorizerUri`` (``arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations``)."""
    region = function_arn.split(":")[3]
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


# -- authorizers --------------------------------------------------------------------------------
def authorizer_rows(b: Backend, api_id: str) -> list[Row]:
    rows = []
    for a in _facet(b).get_authorizers(api_id):
        jwt = a.jwt_configuration or {}
        request = a.authorizer_type == "REQUEST"
        checks = (function_name(a.authorizer_uri) or a.authorizer_uri or "-") if request else jwt.get("Issuer") or "-"
        rows.append(Row(
            key=f"authorizer:{a.authorizer_id}", name=a.name,
            cells={"name": a.name, "id": a.authorizer_id, "type": a.authorizer_type,
                   "identity": ", ".join(a.identity_source) or "-", "checks": checks,
                   "audience": ", ".join(jwt.get("Audience") or []) or "-",
                   "payload": a.authorizer_payload_format_version or "-",
                   "simple": ("yes" if a.enable_simple_responses else "no") if request else "-",
                   "ttl": a.authorizer_result_ttl_in_seconds if request else None},
            detail=a.to_aws(), extra={"api": api_id, "authorizer_id": a.authorizer_id}))
    return rows


def authorizer_names(b: Backend, api_id: str, routes: list[m.Route]) -> dict[str, str]:
    """Authorizer id -> name, read only when a route has one; empty when the backend cannot list
    them (the Routes tab then shows the id)."""
    if not any(r.authorizer_id for r in routes):
        return {}
    try:
        return {a.authorizer_id: a.name for a in _facet(b).get_authorizers(api_id)}
    except ComputeError:
        return {}


def authorization(route: m.Route, names: dict[str, str]) -> str:
    """A route's Authorization cell: ``NONE``, or the type, the authorizer and the scopes it asks
    for (``JWT users · pets:read``)."""
    kind = route.authorization_type or "NONE"
    if kind == "NONE" or not route.authorizer_id:
        return kind
    said = f"{kind} {names.get(route.authorizer_id, route.authorizer_id)}"
    if route.authorization_scopes:
        said += " · " + ", ".join(route.authorization_scopes)
    return said


# -- throttling ---------------------------------------------------------------------------------
def _limits(settings: m.RouteSettings | None) -> tuple[float | None, int | None]:
    if settings is None:
        return None, None
    return settings.throttling_rate_limit, settings.throttling_burst_limit


def _figure(value: float | int | None) -> str:
    return "-" if value is None else f"{value:g}"


def throttling_rows(b: Backend, api_id: str) -> list[Row]:
    """A row for each stage's default route settings, then one for each route of the API in that
    stage: its own limits, or the default's, which it then gets."""
    gateway = _facet(b)
    routes = sorted(r.route_key for r in gateway.get_routes(api_id))
    rows = []
    for s in gateway.get_api_stages(api_id):
        rate, burst = _limits(s.default_route_settings)
        rows.append(Row(
            key=f"throttle:{s.stage_name}:", name=f"{s.stage_name} {DEFAULT_ROUTES}",
            cells={"stage": s.stage_name, "route": DEFAULT_ROUTES, "rate": _figure(rate), "burst": _figure(burst),
                   "source": "stage (every route without its own)" if rate is not None or burst is not None
                   else "nothing: account limits only"},
            detail=(s.default_route_settings or m.RouteSettings()).to_aws(),
            extra={"api": api_id, "stage": s.stage_name, "route": None, "rate": rate, "burst": burst}))
        for key in sorted(set(routes) | set(s.route_settings)):
            own_rate, own_burst = _limits(s.route_settings.get(key))
            own = own_rate is not None or own_burst is not None
            rows.append(Row(
                key=f"throttle:{s.stage_name}:{key}", name=f"{s.stage_name} {key}",
                cells={"stage": s.stage_name, "route": key,
                       "rate": _figure(own_rate if own else rate), "burst": _figure(own_burst if own else burst),
                       "source": "this route" if own else "stage default" if rate is not None or burst is not None
                       else "nothing: account limits only"},
                detail=(s.route_settings.get(key) or m.RouteSettings()).to_aws(),
                extra={"api": api_id, "stage": s.stage_name, "route": key,
                       "rate": own_rate if own else None, "burst": own_burst if own else None}))
    return rows


def settings_with(found: m.RouteSettings | None, rate: float | None, burst: int | None) -> dict[str, Any]:
    """``found`` as AWS's JSON with its throttling replaced (both None: no throttling), the rest
    (detailed metrics) kept."""
    body = (found or m.RouteSettings()).to_aws()
    body.pop("ThrottlingRateLimit", None)
    body.pop("ThrottlingBurstLimit", None)
    if rate is not None:
        body["ThrottlingRateLimit"] = rate
    if burst is not None:
        body["ThrottlingBurstLimit"] = burst
    return body
