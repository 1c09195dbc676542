"""HTTP APIs' routes, integrations, stages and deployments in the local emulator, mixed into
``LocalApiGateway``. The gateway server (:mod:`.gateway`) serves what these records say."""

from __future__ import annotations

import hashlib
import re
import string
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import Conflict, NotFound
from computetui.backends.local.apigateway.errors import bad_request
from computetui.backends.local.apigateway.records import (
    AUTHORIZER,
    DEFAULT_PORT,
    DEFAULT_STAGE,
    DEPLOYMENT,
    GATEWAY,
    GATEWAY_KEY,
    INTEGRATION,
    ROUTE,
    SNAPSHOT,
    STAGE,
    key,
    stage_url,
)
from computetui.backends.local.apigateway.routes import parse_route_key
from computetui.backends.rules import apigateway as rules
from computetui.backends.rules.validation import validated
from computetui.models import apigateway as m

if TYPE_CHECKING:
    from datetime import datetime

    from computetui.backends.local.ids import Ids
    from computetui.backends.local.state import StateStore

LAMBDA_ARN = re.compile(r"^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$")
INVOCATION_ARN = re.compile(r"^arn:aws:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(.+)/invocations$")
TARGET_PREFIX = "integrations/"
DEFAULT_TIMEOUT_MS = 30000
STARTING_WAIT_S = 2.0



def function_of(uri: str) -> str | None:
    """The Lambda function ARN an AWS_PROXY integration's URI names (the function's ARN, or API
    Gateway's invocation ARN around it); None when it names none."""
    found = INVOCATION_ARN.match(uri)
    arn = found.group(1) if found else uri
    return arn if LAMBDA_ARN.match(arn) else None


class HttpApis:
    """The v2 operations beyond the API itself (the facet has create_api, get_apis, delete_api)."""

    if TYPE_CHECKING:
        store: StateStore
        ids: Ids
        now: datetime
        gateway_port: int

        def _api(self, api_id: str) -> m.HttpApi: ...
        def _gateway_started(self, wait_s: float) -> None: ...

    # -- the gateway's address ---------------------------------------------------------------
    def listening_port(self) -> int:
        """Where the gateway listens: the leader's port when it runs, else the configured one.
        In the leading process, just after it started, this waits (a little) for its server."""
        return self.recorded_port() or self.gateway_port or DEFAULT_PORT

    def recorded_port(self) -> int | None:
        """The port the leader's gateway says it listens on; None when none says so. In the
        leading process, just after it started, this waits (a little) for its server."""
        self._gateway_started(STARTING_WAIT_S)
        found = self.store.get(GATEWAY, GATEWAY_KEY)
        return int(found["port"]) if found and found.get("port") else None

    def invoke_url(self, api_id: str, stage_name: str) -> str:
        self._api(api_id)
        return stage_url(self.listening_port(), api_id, stage_name)

    def _child_id(self, arn: str, length: int) -> str:
        """An id for an integration or deployment of the API: AWS's look (lower-case letters and
        digits), drawn from a sequence per API rather than the shared seeded stream, so what an
        API makes for itself (auto-deploys) does not move every id made after it."""
        number = self.store.next_sequence(f"{arn}#ids")
        digest = int.from_bytes(hashlib.sha256(f"{arn}/{number}".encode()).digest()[:8], "big")
        alphabet = string.ascii_lowercase + string.digits
        chars = []
        for _ in range(length):
            digest, index = divmod(digest, len(alphabet))
            chars.append(alphabet[index])
        return "".join(chars)

    def _arn(self, api_id: str) -> str:
        self._api(api_id)
        return self.ids.apigateway_api(api_id)

    # -- routes ------------------------------------------------------------------------------
    @validated(rules.CREATE_ROUTE)
    def create_route(self, api_id: str, route_key: str, target: str | None = None, *,
                     authorization_type: str | None = None, authorizer_id: str | None = None,
                     authorization_scopes: list[str] | None = None, api_key_required: bool | None = None,
                     operation_name: str | None = None) -> m.Route:
        api = self._api(api_id)
        arn = self.ids.apigateway_api(api_id)
        if api.protocol_type == m.ProtocolType.HTTP:
            parse_route_key(route_key)
        self._check_authorization(arn, authorization_type or "NONE", authorizer_id)
        if any(r["RouteKey"] == route_key for r in self.store.list(ROUTE, parent=arn)):
            raise Conflict(f"Unable to create route. A route with the key {route_key} already exists for this API.",
                           code="ConflictException")
        if target is not None:
            self._integration_of(arn, target)
        route = m.Route(route_id=self.ids.alnum(7), route_key=route_key, target=target,
                        authorization_type=authorization_type or "NONE", authorizer_id=authorizer_id,
                        authorization_scopes=list(authorization_scopes) if authorization_scopes else None,
                        api_key_required=bool(api_key_required))
        with self.store.transaction():
            self.store.put(ROUTE, key(arn, "routes", route.route_id), route.to_aws(), name=route_key, parent=arn)
            self._auto_deploy(arn)
        return route

    @validated(rules.UPDATE_ROUTE)
    def update_route(self, api_id: str, route_id: str, *, route_key: str | None = None, target: str | None = None,
                     authorization_type: str | None = None, authorizer_id: str | None = None,
                     authorization_scopes: list[str] | None = None, api_key_required: bool | None = None,
                     operation_name: str | None = None) -> m.Route:
        """UpdateRoute: what is given replaces what the route had; ``NONE`` takes the authorizer and
        its scopes off. The route as it is then checked as CreateRoute checks a new one."""
        api = self._api(api_id)
        arn = self.ids.apigateway_api(api_id)
        route_arn = key(arn, "routes", route_id)
        if route_key is not None and api.protocol_type == m.ProtocolType.HTTP:
            parse_route_key(route_key)
        if target is not None:
            self._integration_of(arn, target)
        with self.store.transaction():
            found = self.store.get(ROUTE, route_arn)
            if found is None:
                raise NotFound(f"Invalid Route identifier specified {route_id}", code="NotFoundException")
            route = m.Route.model_validate(found)
            if route_key is not None and route_key != route.route_key and any(
                    r["RouteKey"] == route_key for r in self.store.list(ROUTE, parent=arn)):
                raise Conflict(f"Unable to update route. A route with the key {route_key} already exists for this "
                               "API.", code="ConflictException")
            kind = authorization_type or route.authorization_type or "NONE"
            changes: dict[str, Any] = {}
            if kind == "NONE":
                changes.update(authorizer_id=None, authorization_scopes=None)
            elif authorizer_id is not None:
                changes["authorizer_id"] = authorizer_id
            if kind != "NONE" and authorization_scopes is not None:
                changes["authorization_scopes"] = list(authorization_scopes) or None
            for name, value in (("route_key", route_key), ("target", target), ("authorization_type", kind),
                                ("api_key_required", api_key_required)):
                if value is not None:
                    changes[name] = value
            if kind == "NONE" and authorizer_id is not None:
                raise bad_request("An authorizer needs AuthorizationType CUSTOM or JWT.", "AuthorizationType")
            route = route.model_copy(update=changes)
            self._check_authorization(arn, kind, route.authorizer_id)
            body = route.to_aws()
            if operation_name is not None:
                body["OperationName"] = operation_name
            elif found.get("OperationName"):
                body["OperationName"] = found["OperationName"]
            self.store.put(ROUTE, route_arn, body, name=route.route_key, parent=arn)
            self._auto_deploy(arn)
        return route

    def _check_authorization(self, arn: str, authorization_type: str, authorizer_id: str | None) -> None:
        """CUSTOM names a REQUEST (Lambda) authorizer of the API, JWT a JWT one; NONE none."""
        if authorization_type == "NONE":
            if authorizer_id is not None:
                raise bad_request("An authorizer needs AuthorizationType CUSTOM or JWT.", "AuthorizationType")
            return
        if authorization_type == "AWS_IAM":
            raise bad_request("AWS_IAM authorization needs signed requests, which the local gateway does not check "
                              "yet; use a Lambda (CUSTOM) authorizer.", "AuthorizationType")
        if authorizer_id is None:
            raise bad_request(f"AuthorizationType {authorization_type} needs an AuthorizerId.", "AuthorizerId")
        found = self.store.get(AUTHORIZER, key(arn, "authorizers", authorizer_id))
        if found is None:
            raise bad_request(f"Invalid authorizer identifier specified {authorizer_id}", "AuthorizerId")
        wanted = "REQUEST" if authorization_type == "CUSTOM" else "JWT"
        if found["AuthorizerType"] != wanted:
            raise bad_request(f"AuthorizationType {authorization_type} needs a {wanted} authorizer; "
                              f"{authorizer_id} is {found['AuthorizerType']}.", "AuthorizerId")

    # -- authorizers -------------------------------------------------------------------------------
    @validated(rules.API)
    def get_authorizers(self, api_id: str) -> list[m.Authorizer]:
        return [m.Authorizer.model_validate(b) for b in self.store.list(AUTHORIZER, parent=self._arn(api_id))]

    @validated(rules.CREATE_AUTHORIZER)
    def create_authorizer(self, api_id: str, name: str, authorizer_type: str, identity_source: list[str], *,
                          authorizer_uri: str | None = None, authorizer_payload_format_version: str | None = None,
                          enable_simple_responses: bool | None = None,
                          authorizer_result_ttl_in_seconds: int | None = None,
                          jwt_configuration: dict[str, Any] | None = None) -> m.Authorizer:
        arn = self._arn(api_id)
        if authorizer_type == "REQUEST":
            if not authorizer_uri or function_of(authorizer_uri) is None:
                raise bad_request("A REQUEST authorizer's AuthorizerUri names a Lambda function (its invocation ARN "
                                  "or its ARN).", "AuthorizerUri")
            if authorizer_payload_format_version is None:
                raise bad_request("AuthorizerPayloadFormatVersion is required for a REQUEST authorizer (1.0 or 2.0).",
                                  "AuthorizerPayloadFormatVersion")
            if enable_simple_responses and authorizer_payload_format_version != "2.0":
                raise bad_request("Simple responses need payload format 2.0.", "EnableSimpleResponses")
        else:
            if not jwt_configuration or not jwt_configuration.get("Issuer"):
                raise bad_request("A JWT authorizer needs a JwtConfiguration with an Issuer.", "JwtConfiguration")
            if len(identity_source) != 1 or not identity_source[0].startswith("$request.header."):
                raise bad_request("A JWT authorizer's identity source is one header, $request.header.<name>.",
                                  "IdentitySource")
        for source in identity_source:
            if not source.startswith(("$request.header.", "$request.querystring.", "$context.", "$stageVariables.")):
                raise bad_request(f"Invalid identity source {source!r}: $request.header.<name>, "
                                  "$request.querystring.<name>, $context.<name> or $stageVariables.<name>.",
                                  "IdentitySource")
        authorizer = m.Authorizer(
            authorizer_id=self._child_id(arn, 6), name=name, authorizer_type=authorizer_type,
            authorizer_uri=authorizer_uri, authorizer_payload_format_version=authorizer_payload_format_version,
            enable_simple_responses=bool(enable_simple_responses) if authorizer_type == "REQUEST" else None,
            identity_source=list(identity_source),
            authorizer_result_ttl_in_seconds=authorizer_result_ttl_in_seconds if authorizer_result_ttl_in_seconds
            is not None else (300 if authorizer_type == "REQUEST" else None),
            jwt_configuration=jwt_configuration,
        )
        with self.store.transaction():
            self.store.put(AUTHORIZER, key(arn, "authorizers", authorizer.authorizer_id), authorizer.to_aws(),
                           name=name, parent=arn)
            self._auto_deploy(arn)
        return authorizer

    @validated(rules.DELETE_AUTHORIZER)
    def delete_authorizer(self, api_id: str, authorizer_id: str) -> None:
        arn = self._arn(api_id)
        with self.store.transaction():
            if self.store.get(AUTHORIZER, key(arn, "authorizers", authorizer_id)) is None:
                raise NotFound(f"Invalid Authorizer identifier specified {authorizer_id}", code="NotFoundException")
            if any(r.get("AuthorizerId") == authorizer_id for r in self.store.list(ROUTE, parent=arn)):
                raise Conflict(f"Unable to delete authorizer {authorizer_id}: a route uses it.",
                               code="ConflictException")
            self.store.delete(AUTHORIZER, key(arn, "authorizers", authorizer_id))
            self._auto_deploy(arn)

    def _integration_of(self, arn: str, target: str) -> dict[str, Any]:
        if not target.startswith(TARGET_PREFIX):
            raise bad_request(f"Invalid target {target!r}: a route's target is integrations/<integration id>.",
                              "Target")
        found = self.store.get(INTEGRATION, key(arn, "integrations", target.removeprefix(TARGET_PREFIX)))
        if found is None:
            raise bad_request(f"Invalid target {target!r}: the API has no such integration.", "Target")
        return found

    @validated(rules.DELETE_ROUTE)
    def delete_route(self, api_id: str, route_id: str) -> None:
        arn = self._arn(api_id)
        with self.store.transaction():
            if not self.store.delete(ROUTE, key(arn, "routes", route_id)):
                raise NotFound(f"Invalid Route identifier specified {route_id}", code="NotFoundException")
            self._auto_deploy(arn)

    # -- integrations --------------------------------------------------------------------------
    @validated(rules.API)
    def get_integrations(self, api_id: str) -> list[m.Integration]:
        return [m.Integration.model_validate(b) for b in self.store.list(INTEGRATION, parent=self._arn(api_id))]

    @validated(rules.CREATE_INTEGRATION)
    def create_integration(self, api_id: str, integration_type: str, *, integration_uri: str | None = None,
                           integration_method: str | None = None, payload_format_version: str | None = None,
                           timeout_in_millis: int | None = None, connection_type: str | None = None,
                           description: str | None = None) -> m.Integration:
        """AWS_PROXY to a Lambda function (payload 2.0 or 1.0) or HTTP_PROXY to a URL."""
        arn = self._arn(api_id)
        websocket_api = self._api(api_id).protocol_type == m.ProtocolType.WEBSOCKET
        if websocket_api and integration_type == "AWS_PROXY" and payload_format_version is None:
            payload_format_version = "1.0"  # a WebSocket API's Lambda proxy has the one format
        if integration_type not in ("AWS_PROXY", "HTTP_PROXY"):
            raise bad_request(f"Integration type {integration_type} is for REST or WebSocket APIs; an HTTP API "
                              "takes AWS_PROXY or HTTP_PROXY.", "IntegrationType")
        if not integration_uri:
            raise bad_request("IntegrationUri is required for an AWS_PROXY or HTTP_PROXY integration.",
                              "IntegrationUri")
        if integration_type == "AWS_PROXY":
            if function_of(integration_uri) is None:
                raise bad_request(f"Invalid integration URI {integration_uri!r}: an AWS_PROXY integration names a "
                                  "Lambda function's ARN.", "IntegrationUri")
            if payload_format_version is None:
                raise bad_request("PayloadFormatVersion is required for a Lambda proxy integration of an HTTP API "
                                  "(1.0 or 2.0).", "PayloadFormatVersion")
        else:
            if not re.match(r"^https?://", integration_uri):
                raise bad_request(f"Invalid integration URI {integration_uri!r}: an HTTP_PROXY integration names "
                                  "an http:// or https:// URL.", "IntegrationUri")
            if payload_format_version not in (None, "1.0"):
                raise bad_request("An HTTP_PROXY integration takes payload format 1.0.", "PayloadFormatVersion")
            payload_format_version = "1.0"
            integration_method = integration_method or "ANY"
        integration = m.Integration(
            integration_id=self._child_id(arn, 7), integration_type=integration_type, integration_uri=integration_uri,
            integration_method=integration_method, payload_format_version=payload_format_version,
            timeout_in_millis=timeout_in_millis or DEFAULT_TIMEOUT_MS, connection_type=connection_type or "INTERNET",
        )
        body = integration.to_aws()
        if description:
            body["Description"] = description
        with self.store.transaction():
            self.store.put(INTEGRATION, key(arn, "integrations", integration.integration_id), body,
                           name=integration.integration_id, parent=arn)
            self._auto_deploy(arn)
        return integration

    @validated(rules.DELETE_INTEGRATION)
    def delete_integration(self, api_id: str, integration_id: str) -> None:
        arn = self._arn(api_id)
        target = f"{TARGET_PREFIX}{integration_id}"
        with self.store.transaction():
            if self.store.get(INTEGRATION, key(arn, "integrations", integration_id)) is None:
                raise NotFound(f"Invalid Integration identifier specified {integration_id}", code="NotFoundException")
            if any(r.get("Target") == target for r in self.store.list(ROUTE, parent=arn)):
                raise Conflict(f"Unable to delete integration {integration_id}: a route targets it.",
                               code="ConflictException")
            self.store.delete(INTEGRATION, key(arn, "integrations", integration_id))
            self._auto_deploy(arn)

    # -- stages and deployments ------------------------------------------------------------------
    @validated(rules.API)
    def get_api_stages(self, api_id: str) -> list[m.HttpStage]:
        return [m.HttpStage.model_validate(b) for b in self.store.list(STAGE, parent=self._arn(api_id))]

    @validated(rules.CREATE_STAGE)
    def create_stage(self, api_id: str, stage_name: str, *, auto_deploy: bool | None = None,
                     deployment_id: str | None = None, description: str | None = None,
                     stage_variables: dict[str, str] | None = None,
                     default_route_settings: dict[str, Any] | None = None,
                     access_log_settings: dict[str, Any] | None = None,
                     tags: dict[str, str] | None = None) -> m.HttpStage:
        arn = self._arn(api_id)
        made = self._make_stage(arn, stage_name, bool(auto_deploy), deployment_id, stage_variables,
                                default_route_settings, managed=False)
        if access_log_settings:
            return self.update_stage(api_id, stage_name, access_log_settings=access_log_settings)
        return made

    @validated(rules.UPDATE_STAGE)
    def update_stage(self, api_id: str, stage_name: str, *, auto_deploy: bool | None = None,
                     deployment_id: str | None = None, description: str | None = None,
                     stage_variables: dict[str, str] | None = None,
                     default_route_settings: dict[str, Any] | None = None,
                     route_settings: dict[str, dict[str, Any]] | None = None,
                     access_log_settings: dict[str, Any] | None = None) -> m.HttpStage:
        """UpdateStage: turning auto-deploy on deploys at once; a deployment id puts that
        deployment on the stage; each route key in ``route_settings`` (a route of the API, as
        AWS requires) gets those settings in place of what it had."""
        arn = self._arn(api_id)
        stage_key = key(arn, "stages", stage_name)
        if deployment_id is not None and self.store.get(DEPLOYMENT, key(arn, "deployments", deployment_id)) is None:
            raise bad_request(f"Invalid deployment identifier specified {deployment_id}", "DeploymentId")
        if route_settings:
            keys = {r["RouteKey"] for r in self.store.list(ROUTE, parent=arn)}
            for route_key in route_settings:
                if route_key not in keys:
                    raise bad_request(f"Unable to find a route with the key {route_key} in this API for its "
                                      "RouteSettings.", "RouteSettings")

        def changed(body: dict[str, Any]) -> dict[str, Any]:
            for name, value in (("AutoDeploy", auto_deploy), ("DeploymentId", deployment_id),
                                ("Description", description), ("StageVariables", stage_variables),
                                ("DefaultRouteSettings", default_route_settings),
                                ("AccessLogSettings", access_log_settings)):
                if value is not None:
                    body[name] = value
            if route_settings is not None:
                body["RouteSettings"] = {**(body.get("RouteSettings") or {}), **route_settings}
            body["LastUpdatedDate"] = self.now.isoformat()
            return body
        with self.store.transaction():
            before = self.store.get(STAGE, stage_key)
            if before is None:
                raise NotFound(f"Invalid stage identifier specified {stage_name}", code="NotFoundException")
            self.store.update(STAGE, stage_key, changed)
            if auto_deploy and not before.get("AutoDeploy"):
                self._deploy(arn, "Automatic deployment", auto=True, stages=[stage_name])
            return m.HttpStage.model_validate(self.store.get(STAGE, stage_key))

    def _make_stage(self, arn: str, stage_name: str, auto_deploy: bool, deployment_id: str | None,
                    stage_variables: dict[str, str] | None, route_settings: dict[str, Any] | None,
                    managed: bool) -> m.HttpStage:
        if self.store.get(STAGE, key(arn, "stages", stage_name)) is not None:
            raise Conflict(f"Stage {stage_name} already exists", code="ConflictException")
        if deployment_id is not None and self.store.get(DEPLOYMENT, key(arn, "deployments", deployment_id)) is None:
            raise bad_request(f"Invalid deployment identifier specified {deployment_id}", "DeploymentId")
        stage = m.HttpStage(
            stage_name=stage_name, auto_deploy=auto_deploy, deployment_id=deployment_id, created_date=self.now,
            last_updated_date=self.now, stage_variables=dict(stage_variables or {}),
            default_route_settings=m.RouteSettings.model_validate(route_settings) if route_settings else None,
            api_gateway_managed=managed or None,
        )
        with self.store.transaction():
            self.store.put(STAGE, key(arn, "stages", stage_name), stage.to_aws(), name=stage_name, parent=arn)
            if auto_deploy:
                self._deploy(arn, "Automatic deployment", auto=True, stages=[stage_name])
                stage = m.HttpStage.model_validate(self.store.get(STAGE, key(arn, "stages", stage_name)))
        return stage

    @validated(rules.DELETE_STAGE)
    def delete_stage(self, api_id: str, stage_name: str) -> None:
        arn = self._arn(api_id)
        if not self.store.delete(STAGE, key(arn, "stages", stage_name)):
            raise NotFound(f"Invalid stage identifier specified {stage_name}", code="NotFoundException")

    @validated(rules.CREATE_DEPLOYMENT)
    def create_deployment(self, api_id: str, stage_name: str | None = None,
                          description: str | None = None) -> m.ApiDeployment:
        arn = self._arn(api_id)
        if stage_name is not None and self.store.get(STAGE, key(arn, "stages", stage_name)) is None:
            raise NotFound(f"Invalid stage identifier specified {stage_name}", code="NotFoundException")
        with self.store.transaction():
            return self._deploy(arn, description, auto=False, stages=[stage_name] if stage_name else [])

    @validated(rules.API)
    def get_deployments(self, api_id: str) -> list[m.ApiDeployment]:
        found = [m.ApiDeployment.model_validate(b) for b in self.store.list(DEPLOYMENT, parent=self._arn(api_id))]
        return sorted(found, key=lambda d: d.created_date or self.now, reverse=True)

    def _deploy(self, arn: str, description: str | None, *, auto: bool, stages: list[str]) -> m.ApiDeployment:
        """A deployment of the API's routes and integrations as they are now, put on ``stages``
        (inside the caller's transaction)."""
        deployment = m.ApiDeployment(deployment_id=self._child_id(arn, 6), created_date=self.now,
                                     description=description, auto_deployed=auto)
        body = deployment.to_aws()
        body[SNAPSHOT] = {
            "routes": [{"RouteKey": r["RouteKey"], "Target": r.get("Target"),
                        "AuthorizationType": r.get("AuthorizationType") or "NONE", "AuthorizerId": r.get("AuthorizerId"),
                        "AuthorizationScopes": r.get("AuthorizationScopes") or []}
                       for r in self.store.list(ROUTE, parent=arn)],
            "integrations": {b["IntegrationId"]: b for b in self.store.list(INTEGRATION, parent=arn)},
            "authorizers": {b["AuthorizerId"]: b for b in self.store.list(AUTHORIZER, parent=arn)},
        }
        self.store.put(DEPLOYMENT, key(arn, "deployments", deployment.deployment_id), body,
                       name=deployment.deployment_id, parent=arn)
        for stage_name in stages:
            self.store.update(STAGE, key(arn, "stages", stage_name), lambda s: {
                **s, "DeploymentId": deployment.deployment_id, "LastUpdatedDate": self.now.isoformat()})
        return deployment

    def _auto_deploy(self, arn: str) -> None:
        """A change to the API's routes or integrations: each auto-deploying stage gets a new
        deployment (inside the caller's transaction)."""
        auto = [s["StageName"] for s in self.store.list(STAGE, parent=arn) if s.get("AutoDeploy")]
        if auto:
            self._deploy(arn, "Automatic deployment", auto=True, stages=auto)

    def _quick_create(self, arn: str, target: str) -> None:
        """CreateApi's Target: an AWS_PROXY integration (payload 2.0) to the function, a
        ``$default`` route to it and an auto-deploying ``$default`` stage, all AWS-managed
        (inside the caller's transaction)."""
        integration = m.Integration(integration_id=self._child_id(arn, 7), integration_type="AWS_PROXY",
                                    integration_uri=target, integration_method="POST", payload_format_version="2.0",
                                    timeout_in_millis=DEFAULT_TIMEOUT_MS, connection_type="INTERNET",
                                    api_gateway_managed=True)
        self.store.put(INTEGRATION, key(arn, "integrations", integration.integration_id), integration.to_aws(),
                       name=integration.integration_id, parent=arn)
        route = m.Route(route_id=self.ids.alnum(7), route_key="$default",
                        target=f"{TARGET_PREFIX}{integration.integration_id}", authorization_type="NONE",
                        api_key_required=False, api_gateway_managed=True)
        self.store.put(ROUTE, key(arn, "routes", route.route_id), route.to_aws(), name="$default", parent=arn)
        self._make_stage(arn, DEFAULT_STAGE, True, None, None, None, managed=True)
