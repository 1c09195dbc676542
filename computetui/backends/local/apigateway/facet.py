"""API Gateway in the local emulator: REST APIs (v1) as records; HTTP APIs (v2) with routes,
integrations, stages and deployments (:mod:`.http_apis`) that the gateway server answers on
127.0.0.1 (:mod:`.gateway`); WebSocket APIs as records."""

from __future__ import annotations

from typing import Any

from computetui.backends.base import ApiGatewayFacet
from computetui.backends.errors import NotFound
from computetui.backends.local.apigateway.errors import bad_request
from computetui.backends.local.apigateway.http_apis import TARGET_PREFIX, HttpApis
from computetui.backends.local.apigateway.records import (
    AUTHORIZER,
    DEPLOYMENT,
    HTTP_API,
    INTEGRATION,
    REST_API,
    REST_AUTHORIZER,
    REST_DEPLOYMENT,
    REST_RESOURCE,
    REST_STAGE,
    ROUTE,
    STAGE,
    base_url,
)
from computetui.backends.local.apigateway.rest_apis import RestApis
from computetui.backends.local.apigateway.testing import ApiTests
from computetui.backends.local.apigateway.usage_plans import UsagePlans
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.rules import apigateway as rules
from computetui.backends.rules.validation import validated
from computetui.models import apigateway as m


class LocalApiGateway(HttpApis, RestApis, UsagePlans, ApiTests, LocalFacetMixin, ApiGatewayFacet):
    def __init__(self, backend: Any, gateway_port: int = 0) -> None:
        super().__init__(backend)
        self.gateway_port = gateway_port
        """The port asked for (0: the default); the leader's gateway says which it got."""

    def _gateway_started(self, wait_s: float) -> None:
        """When this process leads, wait (at most ``wait_s``) for its gateway to listen."""
        from computetui.backends.local.apigateway.gateway import Gateway

        controller = self.backend.controller
        if controller.leader:
            self.backend.part(Gateway).started.wait(wait_s)

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
            for kind in (REST_RESOURCE, REST_STAGE, REST_DEPLOYMENT, REST_AUTHORIZER):
                for found in self.store.arns(kind):
                    if found.startswith(f"{arn}/"):
                        self.store.delete(kind, found)
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
        cors_configuration: dict[str, Any] | None = None,
        **_: Any,
    ) -> m.HttpApi:
        if not name or not name.strip():
            raise bad_request("Invalid API name specified: name must not be empty", "Name")
        if cors_configuration is not None and protocol_type != "HTTP":
            raise bad_request("CORS is configured on HTTP APIs only.", "CorsConfiguration")
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
            created_date=self.now,
            description=description,
            route_selection_expression=route_selection_expression or "$request.method $request.path",
            tags=tags or {},
            cors_configuration=m.Cors.model_validate(cors_configuration) if cors_configuration else None,
        )
        arn = self.ids.apigateway_api(api_id)
        with self.store.transaction():
            self.store.put(HTTP_API, arn, api.to_aws(), name=name)
            if target:
                self._quick_create(arn, target)
        return self._with_endpoint(api)

    @validated(rules.UPDATE_API)
    def update_api(self, api_id: str, *, name: str | None = None, description: str | None = None,
                   cors_configuration: dict[str, Any] | None = None) -> m.HttpApi:
        """UpdateApi: a new name, description or CORS configuration (the gateway applies CORS at
        once, as AWS applies it to every stage)."""
        api = self._api(api_id)
        if cors_configuration is not None and api.protocol_type != m.ProtocolType.HTTP:
            raise bad_request("CORS is configured on HTTP APIs only.", "CorsConfiguration")

        def changed(body: dict[str, Any]) -> dict[str, Any]:
            if name is not None:
                body["Name"] = name
            if description is not None:
                body["Description"] = description
            if cors_configuration is not None:
                body["CorsConfiguration"] = m.Cors.model_validate(cors_configuration).to_aws()
            return body
        updated = self.store.update(HTTP_API, self.ids.apigateway_api(api_id), changed)
        return self._with_endpoint(m.HttpApi.model_validate(updated))

    def _with_endpoint(self, api: m.HttpApi) -> m.HttpApi:
        """The API's address: an HTTP API's on the emulator's gateway; a WebSocket API's as AWS
        would give it (the gateway does not serve WebSocket APIs yet)."""
        if api.protocol_type == m.ProtocolType.HTTP:
            return api.model_copy(update={"api_endpoint": base_url(self.listening_port(), api.api_id)})
        return api.model_copy(update={
            "api_endpoint": self.ids.apigateway_endpoint(api.api_id).replace("https://", "wss://")})

    def get_apis(self) -> list[m.HttpApi]:
        return [self._with_endpoint(m.HttpApi.model_validate(b)) for b in self.store.list(HTTP_API)]

    @validated(rules.API)
    def delete_api(self, api_id: str) -> None:
        self._api(api_id)
        arn = self.ids.apigateway_api(api_id)
        with self.store.transaction():
            for kind in (ROUTE, INTEGRATION, STAGE, DEPLOYMENT, AUTHORIZER):
                for found in self.store.arns(kind):
                    if found.startswith(f"{arn}/"):
                        self.store.delete(kind, found)
            self.store.delete(HTTP_API, arn)

    @validated(rules.API)
    def get_routes(self, api_id: str) -> list[m.Route]:
        """Every route, its target shown as what it invokes (the integration's URI)."""
        self._api(api_id)
        arn = self.ids.apigateway_api(api_id)
        uris = {b["IntegrationId"]: b.get("IntegrationUri") for b in self.store.list(INTEGRATION, parent=arn)}
        routes = []
        for body in self.store.list(ROUTE, parent=arn):
            route = m.Route.model_validate(body)
            target = route.target or ""
            if target.startswith(TARGET_PREFIX) and uris.get(target.removeprefix(TARGET_PREFIX)):
                route = route.model_copy(update={"target": uris[target.removeprefix(TARGET_PREFIX)]})
            routes.append(route)
        return routes
