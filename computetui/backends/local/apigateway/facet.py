"""API Gateway in the local emulator: REST APIs (v1) and HTTP/WebSocket APIs (v2) as records."""

from __future__ import annotations

from typing import Any

from computetui.backends.base import ApiGatewayFacet
from computetui.backends.errors import InvalidParameter, NotFound
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.rules import apigateway as rules
from computetui.backends.rules.validation import validated
from computetui.models import apigateway as m

REST_API = "apigateway:restapi"
REST_RESOURCE = "apigateway:resource"
REST_STAGE = "apigateway:stage"
HTTP_API = "apigatewayv2:api"
ROUTE = "apigatewayv2:route"


def bad_request(message: str, field: str) -> InvalidParameter:
    return InvalidParameter(message, code="BadRequestException", field=field)


class LocalApiGateway(LocalFacetMixin, ApiGatewayFacet):
    # -- REST APIs (v1) --------------------------------------------------
    def _rest_api(self, rest_api_id: str) -> m.RestApi:
        body = self.store.get(REST_API, self.ids.apigateway_rest_api(rest_api_id))
        if body is None:
            raise NotFound(
                f"Invalid API identifier specified {self.ids.account}:{rest_api_id}", code="NotFoundException"
            )
        return m.RestApi.model_validate(body)

    @validated(rules.CREATE_REST_API)
    def create_rest_api(
        self,
        name: str,
        description: str | None = None,
        endpoint_configuration: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        **_: Any,
    ) -> m.RestApi:
        if not name or not name.strip():
            raise bad_request("Invalid API name specified: name must not be empty", "name")
        api_id = self.ids.alnum(10)
        api = m.RestApi(
            id=api_id,
            name=name,
            description=description,
            created_date=self.now,
            endpoint_configuration=m.EndpointConfiguration.model_validate(endpoint_configuration or {}),
            tags=tags or {},
        )
        arn = self.ids.apigateway_rest_api(api_id)
        root = m.RestResource(id=self.ids.alnum(10), path="/")
        with self.store.transaction():
            self.store.put(REST_API, arn, api.to_aws(), name=name)
            self.store.put(REST_RESOURCE, f"{arn}/resources/{root.id}", root.to_aws(), name="/", parent=arn)
        return api

    def get_rest_apis(self) -> list[m.RestApi]:
        return [m.RestApi.model_validate(b) for b in self.store.list(REST_API)]

    @validated(rules.REST_API)
    def delete_rest_api(self, rest_api_id: str) -> None:
        self._rest_api(rest_api_id)
        arn = self.ids.apigateway_rest_api(rest_api_id)
        with self.store.transaction():
            for kind in (REST_RESOURCE, REST_STAGE):
                for body in self.store.list(kind, parent=arn):
                    key = body.get("id") or body.get("stageName")
                    self.store.delete(kind, f"{arn}/{'resources' if kind == REST_RESOURCE else 'stages'}/{key}")
            self.store.delete(REST_API, arn)

    @validated(rules.REST_API)
    def get_resources(self, rest_api_id: str) -> list[m.RestResource]:
        self._rest_api(rest_api_id)
        arn = self.ids.apigateway_rest_api(rest_api_id)
        return sorted(
            (m.RestResource.model_validate(b) for b in self.store.list(REST_RESOURCE, parent=arn)),
            key=lambda r: r.path,
        )

    @validated(rules.REST_API)
    def get_stages(self, rest_api_id: str) -> list[m.RestStage]:
        self._rest_api(rest_api_id)
        arn = self.ids.apigateway_rest_api(rest_api_id)
        return [m.RestStage.model_validate(b) for b in self.store.list(REST_STAGE, parent=arn)]

    # -- HTTP and WebSocket APIs (v2) ------------------------------------
    def _api(self, api_id: str) -> m.HttpApi:
        body = self.store.get(HTTP_API, self.ids.apigateway_api(api_id))
        if body is None:
            raise NotFound(f"Invalid API identifier specified {api_id}", code="NotFoundException")
        return m.HttpApi.model_validate(body)

    @validated(rules.CREATE_API)
    def create_api(
        self,
        name: str,
        protocol_type: str = "HTTP",
        target: str | None = None,
        description: str | None = None,
        route_selection_expression: str | None = None,
        tags: dict[str, str] | None = None,
        **_: Any,
    ) -> m.HttpApi:
        if not name or not name.strip():
            raise bad_request("Invalid API name specified: name must not be empty", "Name")
        if protocol_type not in ("HTTP", "WEBSOCKET"):
            raise bad_request(f"Invalid protocol type specified: {protocol_type}", "ProtocolType")
        if protocol_type == "WEBSOCKET" and not route_selection_expression:
            raise bad_request("RouteSelectionExpression is required for WEBSOCKET APIs.", "RouteSelectionExpression")
        if target and protocol_type != "HTTP":
            raise bad_request("Quick create (Target) is only supported for HTTP APIs.", "Target")
        api_id = self.ids.alnum(10)
        api = m.HttpApi(
            api_id=api_id,
            name=name,
            protocol_type=protocol_type,
            api_endpoint=self.ids.apigateway_endpoint(api_id)
            if protocol_type == "HTTP"
            else self.ids.apigateway_endpoint(api_id).replace("https://", "wss://"),
            created_date=self.now,
            description=description,
            route_selection_expression=route_selection_expression or "$request.method $request.path",
            tags=tags or {},
        )
        arn = self.ids.apigateway_api(api_id)
        with self.store.transaction():
            self.store.put(HTTP_API, arn, api.to_aws(), name=name)
            if target:
                # Quick create: a $default route to the target, like the console does.
                route = m.Route(route_id=self.ids.alnum(7), route_key="$default", target=target)
                self.store.put(ROUTE, f"{arn}/routes/{route.route_id}", route.to_aws(), name="$default", parent=arn)
        return api

    def get_apis(self) -> list[m.HttpApi]:
        return [m.HttpApi.model_validate(b) for b in self.store.list(HTTP_API)]

    @validated(rules.API)
    def delete_api(self, api_id: str) -> None:
        self._api(api_id)
        arn = self.ids.apigateway_api(api_id)
        with self.store.transaction():
            for body in self.store.list(ROUTE, parent=arn):
                self.store.delete(ROUTE, f"{arn}/routes/{body['RouteId']}")
            self.store.delete(HTTP_API, arn)

    @validated(rules.API)
    def get_routes(self, api_id: str) -> list[m.Route]:
        self._api(api_id)
        return [m.Route.model_validate(b) for b in self.store.list(ROUTE, parent=self.ids.apigateway_api(api_id))]
