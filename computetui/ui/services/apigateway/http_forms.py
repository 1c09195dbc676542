"""The forms of an HTTP API's Authorizers, Routes, CORS, Throttling and Logs tabs.

- ``c`` on Authorizers: CreateAuthorizer, a Lambda function (REQUEST) or a JWT check;
- ``a`` on Routes: UpdateRoute, the route's authorization (NONE or one of the API's authorizers);
- ``e`` on CORS: UpdateApi's CorsConfiguration; on Throttling: UpdateStage's default or a route's
  throttling; on Logs: UpdateStage's AccessLogSettings.

Each is a ``FieldForm`` (widgets/form.py): a field API Gateway refuses is named in the message line,
with AWS's code, and gets the cursor; nothing typed is lost. In every list field commas (or spaces)
separate the items, and an empty field clears that part.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.widgets import Label, Select

from computetui.backends.base import ApiGatewayFacet, Backend
from computetui.backends.errors import ComputeError
from computetui.models import apigateway as m
from computetui.ui.screens.opening import FormOpener, want
from computetui.ui.services.apigateway.http_panels import log_group_of
from computetui.ui.services.apigateway.http_tabs import DEFAULT_ROUTES, invocation_uri, settings_with
from computetui.ui.widgets.form import Field, FieldForm, FormError

if TYPE_CHECKING:
    from computetui.ui.console import Console

NONE = "NONE"
IDENTITY = "$request.header.Authorization"
DEFAULT_ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
    '"httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status",'
    '"protocol":"$context.protocol","responseLength":"$context.responseLength"}'
)
"""The JSON line the API Gateway console offers for an HTTP API's access log."""
DEFAULT_REST_ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
    '"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",'
    '"protocol":"$context.protocol","responseLength":"$context.responseLength"}'
)
"""The same line for a REST API's: the resource's path where an HTTP API has the route key."""


def _facet(b: Backend) -> ApiGatewayFacet:
    assert b.apigateway is not None
    return b.apigateway


def items(text: str) -> list[str]:
    """``a, b c`` -> ``["a", "b", "c"]``: commas or spaces between items."""
    return [w for w in re.split(r"[,\s]+", text) if w]


def _listed(values: list[str] | None) -> str:
    return ", ".join(values or [])


# -- authorizers --------------------------------------------------------------------------------
REQUEST_ONLY = ("function", "payload", "simple", "ttl")
JWT_ONLY = ("issuer", "audience")


class CreateAuthorizerForm(FieldForm):
    """CreateAuthorizer (v2): a Lambda function asked about each request (REQUEST), or a JWT whose
    signature, issuer, audience and expiry the gateway checks itself."""

    verb = "Create"
    hint = ("A route uses it once you attach it: a on Routes. Without the identity source in a request the gateway "
            "answers 401 and asks no one.")
    backend_fields = {"name": "name", "authorizertype": "type", "identitysource": "identity",
                      "authorizeruri": "function", "authorizerpayloadformatversion": "payload",
                      "enablesimpleresponses": "simple", "authorizerresultttl": "ttl",
                      "jwtconfiguration.audience": "audience", "jwtconfiguration": "issuer"}

    def __init__(self, api_id: str, api_name: str) -> None:
        super().__init__()
        self.api_id = api_id
        self.title_text = f"Create an authorizer of {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        functions = backend.lambda_.list_functions() if backend.lambda_ is not None else []
        options = [(f.function_name, f.function_arn) for f in sorted(functions, key=lambda f: f.function_name)]
        return [
            Field("name", "Name", placeholder="users"),
            Field("type", "Type", "select", "REQUEST", [("Lambda (REQUEST)", "REQUEST"), ("JWT", "JWT")]),
            Field("identity", "Identity source", default=IDENTITY,
                  placeholder="$request.header.Authorization, $request.querystring.token"),
            Field("function", "Lambda function", "select", options[0][1] if options else None, options),
            Field("payload", "Payload format", "select", "2.0", [("2.0", "2.0"), ("1.0", "1.0")]),
            Field("simple", "Simple responses", "check", default=True, text='the function answers {"isAuthorized": …}'),
            Field("ttl", "Cache TTL (s)", "number", default="300"),
            Field("issuer", "Issuer", placeholder="https://cognito-idp.us-east-1.amazonaws.com/<user pool id>"),
            Field("audience", "Audience", placeholder="the app client ids the token may be for"),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        if self._fields:  # else the form says what it could not read, and has no fields
            self._show_fields(self.value("type") or "REQUEST")

    @on(Select.Changed, "#f-type")
    def _type_changed(self, event: Select.Changed) -> None:
        self._show_fields(str(event.value))

    def _show_fields(self, kind: str) -> None:
        """Only the fields of the chosen type show (with their labels)."""
        for field_id in (*REQUEST_ONLY, *JWT_ONLY):
            shown = (field_id in REQUEST_ONLY) == (kind == "REQUEST")
            widget = self.field_widget(field_id)
            siblings = list(widget.parent.children) if widget.parent is not None else []
            label = siblings[siblings.index(widget) - 1] if widget in siblings else None
            widget.display = shown
            if isinstance(label, Label):
                label.display = shown

    def prepare(self) -> Callable[[Backend], str]:
        name = self.value("name")
        if not name:
            raise FormError("Name", "is required", "name")
        kind = self.value("type") or "REQUEST"
        identity = items(self.value("identity"))
        arguments: dict[str, Any]
        if kind == "REQUEST":
            function = self.value("function")
            if not function:
                raise FormError("Lambda function", "pick one (create a function first if there is none)", "function")
            arguments = {"authorizer_uri": invocation_uri(function),
                         "authorizer_payload_format_version": self.value("payload") or "2.0",
                         "enable_simple_responses": bool(self.value("simple")),
                         "authorizer_result_ttl_in_seconds": self.number("ttl", optional=True)}
            what = f"Lambda function {function.rsplit(':', 1)[-1]}"
        else:
            issuer = self.value("issuer")
            if not issuer:
                raise FormError("Issuer", "is required for a JWT authorizer: the tokens' iss claim, an https:// URL",
                                "issuer")
            audience = items(self.value("audience"))
            arguments = {"jwt_configuration": {"Issuer": issuer, "Audience": audience}}
            what = f"JWTs from {issuer}"
        api_id = self.api_id
        self.created = name

        def call(b: Backend) -> str:
            made = _facet(b).create_authorizer(api_id, name, kind, identity, **arguments)
            return f"Created authorizer {made.name} ({made.authorizer_id}, {kind}): {what}."

        return self.guarded(call)


def _open_create_authorizer(app: Console, context: dict[str, Any]) -> None:
    """``c`` on Authorizers; the page refreshes after, the cursor on the new authorizer."""
    screen = app.screen
    form = CreateAuthorizerForm(context["api"], context.get("name", context["api"]))

    def done(changed: bool | None) -> None:
        if changed and hasattr(screen, "reload"):
            want(screen, form.created)
            screen.reload()

    app.push_screen(form, done)


FORMS: dict[str, FormOpener] = {"apigw-authorizer": _open_create_authorizer}
"""What ``c`` opens on the HTTP API page's tabs beyond pages.py's own."""


# -- a route's authorization ---------------------------------------------------------------------------
class RouteAuthorizationForm(FieldForm):
    """UpdateRoute: who may call the route — anyone (NONE) or what one of the API's authorizers lets in."""

    verb = "Save"
    hint = ("JWT scopes (optional): the token must hold one of them. An auto-deploying stage applies the change at "
            "once; another after n on Stages.")
    backend_fields = {"authorizerid": "authorizer", "authorizationtype": "authorizer",
                      "authorizationscopes": "scopes"}

    def __init__(self, api_id: str, route: m.Route) -> None:
        super().__init__()
        self.api_id = api_id
        self.route = route
        self.title_text = f"Authorization of route {route.route_key}"
        self._authorizers: dict[str, m.Authorizer] = {}

    def fields(self, backend: Backend) -> list[Field]:
        found = _facet(backend).get_authorizers(self.api_id)
        self._authorizers = {a.authorizer_id: a for a in found}
        options = [("NONE (anyone may call it)", NONE)] + [
            (f"{a.name}  {a.authorizer_type} · {a.authorizer_id}", a.authorizer_id) for a in found]
        current = self.route.authorizer_id if self.route.authorization_type not in (None, NONE) else NONE
        return [
            Field("authorizer", "Authorizer", "select", current if current in self._authorizers else NONE, options),
            Field("scopes", "JWT scopes", default=_listed(self.route.authorization_scopes),
                  placeholder="pets:read, pets:write"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        chosen = self.value("authorizer") or NONE
        scopes = items(self.value("scopes"))
        api_id, route = self.api_id, self.route
        if chosen == NONE:
            if scopes:
                raise FormError("JWT scopes", "only a JWT authorizer checks scopes: empty the field, or pick one",
                                "scopes")
            arguments: dict[str, Any] = {"authorization_type": NONE}
            said = "NONE: anyone may call it"
        else:
            authorizer = self._authorizers[chosen]
            jwt = authorizer.authorizer_type == "JWT"
            if scopes and not jwt:
                raise FormError("JWT scopes", f"{authorizer.name} is a Lambda (REQUEST) authorizer, which takes no "
                                              "scopes: empty the field", "scopes")
            arguments = {"authorization_type": "JWT" if jwt else "CUSTOM", "authorizer_id": chosen}
            if jwt:
                arguments["authorization_scopes"] = scopes
            said = f"{arguments['authorization_type']} {authorizer.name}" + (
                f" (scopes {', '.join(scopes)})" if scopes else "")

        def call(b: Backend) -> str:
            _facet(b).update_route(api_id, route.route_id, **arguments)
            return f"Route {route.route_key}: authorization {said}."

        return self.guarded(call)


# -- CORS --------------------------------------------------------------------------------------------
class CorsForm(FieldForm):
    """UpdateApi's CorsConfiguration: what the gateway allows cross-origin callers."""

    verb = "Save"
    hint = ("Origins like https://app.example.com, https://* or *; methods GET, POST or *; headers authorization or *. "
            "Max age -1 to 86400 s. Every stage gets the change at once.")
    backend_fields = {"corsconfiguration.alloworigins": "origins", "corsconfiguration.allowheaders": "headers",
                      "corsconfiguration.allowmethods": "methods", "corsconfiguration.exposeheaders": "expose",
                      "corsconfiguration.maxage": "maxage", "corsconfiguration.allowcredentials": "credentials",
                      "corsconfiguration": "origins"}

    def __init__(self, api_id: str, api_name: str, cors: m.Cors | None) -> None:
        super().__init__()
        self.api_id = api_id
        self.cors = cors or m.Cors()
        self.title_text = f"CORS of {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        c = self.cors
        return [
            Field("origins", "Allow origins", default=_listed(c.allow_origins), placeholder="https://app.example.com, *"),
            Field("headers", "Allow headers", default=_listed(c.allow_headers), placeholder="authorization, content-type"),
            Field("methods", "Allow methods", default=_listed(c.allow_methods), placeholder="GET, POST, *"),
            Field("expose", "Expose headers", default=_listed(c.expose_headers), placeholder="x-request-id"),
            Field("maxage", "Max age (s)", "number", "" if c.max_age is None else str(c.max_age),
                  placeholder="300 (empty: browsers' own default)"),
            Field("credentials", "Allow credentials", "check", bool(c.allow_credentials),
                  text="cookies and Authorization may go cross-origin"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        configuration: dict[str, Any] = {
            "AllowOrigins": items(self.value("origins")),
            "AllowHeaders": items(self.value("headers")),
            "AllowMethods": [m_.upper() for m_ in items(self.value("methods"))],
            "ExposeHeaders": items(self.value("expose")),
            "AllowCredentials": bool(self.value("credentials")),
        }
        max_age = self.number("maxage", optional=True)
        if max_age is not None:
            configuration["MaxAge"] = max_age
        api_id = self.api_id
        origins = configuration["AllowOrigins"]

        def call(b: Backend) -> str:
            _facet(b).update_api(api_id, cors_configuration=configuration)
            return ("Saved the CORS configuration: " + (f"origins {', '.join(origins)}." if origins else
                                                       "no origin is allowed."))

        return self.guarded(call)


# -- throttling ---------------------------------------------------------------------------------------
class ThrottlingForm(FieldForm):
    """UpdateStage: a stage's default route throttling, or one route's own."""

    verb = "Save"
    hint = ('Beyond these the gateway answers 429 {"message":"Too Many Requests"}: a token bucket of Burst requests, '
            "refilled at Rate a second. Empty both to take the limits off.")
    backend_fields = {"defaultroutesettings.throttlingrate": "rate", "defaultroutesettings.throttlingburst": "burst",
                      "routesettings": "route", "throttlingrate": "rate", "throttlingburst": "burst"}

    def __init__(self, api_id: str, api_name: str, stage: str | None = None, route: str | None = None,
                 rate: float | None = None, burst: int | None = None) -> None:
        super().__init__()
        self.api_id = api_id
        self.stage, self.route, self.rate, self.burst = stage, route, rate, burst
        self.title_text = f"Throttling of {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        gateway = _facet(backend)
        stages = [s.stage_name for s in gateway.get_api_stages(self.api_id)]
        routes = sorted(r.route_key for r in gateway.get_routes(self.api_id))
        stage = self.stage if self.stage in stages else (stages[0] if stages else None)
        return [
            Field("stage", "Stage", "select", stage, [(s, s) for s in stages]),
            Field("route", "Route", "select", self.route if self.route in routes else DEFAULT_ROUTES,
                  [("Every route (the stage's default)", DEFAULT_ROUTES)] + [(r, r) for r in routes]),
            Field("rate", "Rate (requests/s)", default="" if self.rate is None else f"{self.rate:g}",
                  placeholder="e.g. 100 (may be a fraction: 0.5)"),
            Field("burst", "Burst", "number", "" if self.burst is None else str(self.burst),
                  placeholder="e.g. 200"),
        ]

    def prepare(self) -> Callable[[Backend], str]:
        stage = self.value("stage")
        if not stage:
            raise FormError("Stage", "pick one (create a stage first if there is none)", "stage")
        route = self.value("route") or DEFAULT_ROUTES
        text = self.value("rate")
        try:
            rate = float(text) if text else None
        except ValueError:
            raise FormError("Rate (requests/s)", f"must be a number (got {text!r})", "rate") from None
        burst = self.number("burst", optional=True)
        if (rate is None) != (burst is None):
            missing = ("Rate (requests/s)", "rate") if rate is None else ("Burst", "burst")
            raise FormError(missing[0], "give a rate and a burst together, or empty both to take the limits off",
                            missing[1])
        if rate is not None and rate < 0:
            raise FormError("Rate (requests/s)", f"must be 0 or more (got {text})", "rate")
        api_id = self.api_id
        whose = "every route" if route == DEFAULT_ROUTES else f"route {route}"
        said = f"{rate:g} requests/s, burst {burst}" if rate is not None else "no limits"

        def call(b: Backend) -> str:
            gateway = _facet(b)
            found = next((s for s in gateway.get_api_stages(api_id) if s.stage_name == stage), None)
            if route == DEFAULT_ROUTES:
                body = settings_with(found.default_route_settings if found else None, rate, burst)
                gateway.update_stage(api_id, stage, default_route_settings=body)
            else:
                body = settings_with(found.route_settings.get(route) if found else None, rate, burst)
                gateway.update_stage(api_id, stage, route_settings={route: body})
            return f"Stage {stage}, {whose}: {said}."

        return self.guarded(call)


# -- access logs ---------------------------------------------------------------------------------------
class AccessLogForm(FieldForm):
    """UpdateStage's AccessLogSettings: the log group each request's line goes to, and the line.
    ``rest``: a REST API's stage (v1's UpdateStage, patch operations)."""

    verb = "Save"
    hint = ("The format is a line with $context variables; the JSON one is the console's default. Empty both fields "
            "to turn access logging off.")
    backend_fields = {"accesslogsettings.destinationarn": "destination", "accesslogsettings.format": "format",
                      "accesslogsettings": "destination", "loggroupname": "destination",
                      # v1's patch operations: the destination's first, the format's second
                      "patchoperations.1": "destination", "patchoperations.2": "format", "patchoperations": "format"}

    def __init__(self, api_id: str, api_name: str, stage: str | None = None, rest: bool = False) -> None:
        super().__init__()
        self.api_id = api_id
        self.api_name = api_name
        self.stage = stage
        self.rest = rest
        self.title_text = f"Access logging of {api_name}"

    def fields(self, backend: Backend) -> list[Field]:
        facet = _facet(backend)
        stages = facet.get_stages(self.api_id) if self.rest else facet.get_api_stages(self.api_id)
        names = [s.stage_name for s in stages]
        stage = self.stage if self.stage in names else (names[0] if names else None)
        settings = next((s.access_log_settings for s in stages if s.stage_name == stage), None)
        destination = settings.destination_arn if settings and settings.destination_arn else self._suggested(backend)
        return [
            Field("stage", "Stage", "select", stage, [(n, n) for n in names]),
            Field("destination", "Log group ARN", default=destination,
                  placeholder="arn:aws:logs:<region>:<account>:log-group:<name>"),
            Field("format", "Log format", default=settings.format if settings and settings.format else
                  DEFAULT_REST_ACCESS_LOG_FORMAT if self.rest else DEFAULT_ACCESS_LOG_FORMAT),
            Field("create", "Log group", "check", True, text="create it if it does not exist"),
        ]

    def _suggested(self, backend: Backend) -> str:
        """A log group for the API's access log in the backend's account and region."""
        try:
            info = backend.info()
        except ComputeError:
            return ""
        if not info.account:
            return ""
        return f"arn:aws:logs:{info.region}:{info.account}:log-group:/aws/apigateway/{self.api_name}"

    def prepare(self) -> Callable[[Backend], str]:
        stage = self.value("stage")
        if not stage:
            raise FormError("Stage", "pick one (create a stage first if there is none)", "stage")
        destination, format_ = self.value("destination"), self.value("format")
        if bool(destination) != bool(format_):
            missing = ("Log format", "format") if destination else ("Log group ARN", "destination")
            raise FormError(missing[0], "is required with the other (empty both to turn access logging off)",
                            missing[1])
        create = bool(self.value("create"))
        api_id, rest = self.api_id, self.rest

        def save(b: Backend, on: bool) -> None:
            if rest:
                _facet(b).update_rest_stage(api_id, stage, [
                    {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": destination},
                    {"op": "replace", "path": "/accessLogSettings/format", "value": format_},
                ] if on else [{"op": "remove", "path": "/accessLogSettings"}])
            else:
                _facet(b).update_stage(api_id, stage, access_log_settings={
                    "DestinationArn": destination, "Format": format_} if on else {})

        def call(b: Backend) -> str:
            if not destination:
                save(b, False)
                return f"Stage {stage}: access logging off."
            group = log_group_of(destination)
            missing = create and b.logs is not None and ":log-group:" in destination and not any(
                g.log_group_name == group for g in b.logs.describe_log_groups(group))
            # The settings first: a destination API Gateway refuses leaves no new log group behind.
            save(b, True)
            if missing and b.logs is not None:
                b.logs.create_log_group(group)
            return f"Stage {stage}: access log to {group}" + (" (a new log group)." if missing else ".")

        return self.guarded(call)
