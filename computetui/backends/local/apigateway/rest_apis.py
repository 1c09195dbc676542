"""REST APIs' resources, methods, integrations, deployments and stages in the local emulator,
mixed into ``LocalApiGateway``. A change reaches callers only through a deployment (as on AWS):
a deployment keeps the resources and their methods as they were (``_snapshot``) and a stage
serves its deployment."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from computetui.backends.local.apigateway.errors import bad_request
from computetui.backends.local.apigateway.http_apis import INVOCATION_ARN, LAMBDA_ARN
from computetui.backends.local.apigateway.records import (
    REST_AUTHORIZER,
    REST_DEPLOYMENT,
    REST_RESOURCE,
    REST_STAGE,
    SNAPSHOT,
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

LOG_GROUP_ARN = re.compile(r"^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:[^:]+(:\*)?$")
STAGE_PATHS = ("/accessLogSettings", "/accessLogSettings/destinationArn", "/accessLogSettings/format",
               "/variables/{name}", "/description", "/deploymentId")
"""The ``UpdateStage`` paths the emulator applies (AWS has more: caching, method settings ...)."""
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
REST_TIMEOUT_MS = 29000



class RestApis:
    """v1 operations beyond the API itself (the facet has create/get/delete_rest_api)."""

    if TYPE_CHECKING:
        store: StateStore
        ids: Ids
        now: datetime

        def _rest_api(self, rest_api_id: str) -> m.RestApi: ...
        def listening_port(self) -> int: ...
        def _child_id(self, arn: str, length: int) -> str: ...

    def _rest_arn(self, rest_api_id: str) -> str:
        self._rest_api(rest_api_id)
        return self.ids.apigateway_rest_api(rest_api_id)

    def _resource(self, arn: str, resource_id: str) -> dict[str, Any]:
        found = self.store.get(REST_RESOURCE, key(arn, "resources", resource_id))
        if found is None:
            raise NotFound("Invalid Resource identifier specified", code="NotFoundException")
        return found

    def _method_of(self, resource: dict[str, Any], http_method: str) -> dict[str, Any]:
        method = (resource.get("resourceMethods") or {}).get(http_method)
        if method is None:
            raise NotFound("Invalid Method identifier specified", code="NotFoundException")
        return method

    def _change_method(self, arn: str, resource_id: str, http_method: str, change: Any) -> dict[str, Any]:
        """Change one method of a resource in place; the method after the change."""
        out: dict[str, Any] = {}

        def changed(body: dict[str, Any]) -> dict[str, Any]:
            method = self._method_of(body, http_method)
            change(method)
            out.update(method)
            return body
        if self.store.update(REST_RESOURCE, key(arn, "resources", resource_id), changed) is None:
            raise NotFound("Invalid Resource identifier specified", code="NotFoundException")
        return out

    # -- resources ---------------------------------------------------------------------------------
    @validated(rules.CREATE_RESOURCE)
    def create_resource(self, rest_api_id: str, parent_id: str, path_part: str) -> m.RestResource:
        arn = self._rest_arn(rest_api_id)
        parent = self._resource(arn, parent_id)
        if "/" in path_part:
            raise bad_request(f"Invalid path part {path_part!r}: a path part is one segment, with no '/'.", "pathPart")
        if any(s.greedy for s in parse_route_key(f"ANY {parent['path']}").segments):
            raise bad_request(f"Invalid path part {path_part!r}: a greedy resource ({{name+}}) has no children.",
                              "pathPart")
        path = parent["path"].rstrip("/") + "/" + path_part
        try:
            parse_route_key(f"ANY {path}")
        except InvalidParameter as exc:
            rule = exc.message.split(": ", 2)[-1]
            raise bad_request(f"Invalid path part {path_part!r}: {rule}", "pathPart") from None
        if any(r.get("parentId") == parent_id and r.get("pathPart") == path_part
               for r in self.store.list(REST_RESOURCE, parent=arn)):
            raise Conflict(f"Another resource with the same parent already has this name: {path_part}",
                           code="ConflictException")
        resource = m.RestResource(id=self.ids.alnum(10), parent_id=parent_id, path_part=path_part, path=path)
        self.store.put(REST_RESOURCE, key(arn, "resources", resource.id), resource.to_aws(), name=path, parent=arn)
        return resource

    @validated(rules.REST_RESOURCE)
    def delete_resource(self, rest_api_id: str, resource_id: str) -> None:
        arn = self._rest_arn(rest_api_id)
        resource = self._resource(arn, resource_id)
        if resource.get("parentId") is None:
            raise bad_request("Cannot delete the root resource.", "resourceId")
        with self.store.transaction():
            for found in self.store.list(REST_RESOURCE, parent=arn):
                if found["path"] == resource["path"] or found["path"].startswith(resource["path"].rstrip("/") + "/"):
                    self.store.delete(REST_RESOURCE, key(arn, "resources", found["id"]))

    # -- methods and integrations ---------------------------------------------------------------------
    @validated(rules.PUT_METHOD)
    def put_method(self, rest_api_id: str, resource_id: str, http_method: str, authorization_type: str = "NONE", *,
                   api_key_required: bool | None = None, authorizer_id: str | None = None) -> m.RestMethod:
        arn = self._rest_arn(rest_api_id)
        if http_method not in METHODS:
            raise bad_request(f"Invalid HttpMethod specified: {http_method} (one of {', '.join(METHODS)}).",
                              "httpMethod")
        if authorization_type == "CUSTOM":
            if authorizer_id is None or self.store.get(
                    REST_AUTHORIZER, key(arn, "authorizers", authorizer_id)) is None:
                raise bad_request(f"Invalid authorizer ID specified: {authorizer_id}", "authorizerId")
        elif authorization_type != "NONE":
            raise bad_request(f"Authorization type {authorization_type} is not emulated on REST APIs yet; use NONE or "
                              "CUSTOM (a Lambda authorizer).", "authorizationType")
        method = m.RestMethod(http_method=http_method, authorization_type=authorization_type,
                              api_key_required=bool(api_key_required), authorizer_id=authorizer_id)

        def added(body: dict[str, Any]) -> dict[str, Any]:
            methods = body.setdefault("resourceMethods", {})
            if http_method in methods:
                raise Conflict("Method already exists for this resource", code="ConflictException")
            methods[http_method] = method.to_aws()
            return body
        if self.store.update(REST_RESOURCE, key(arn, "resources", resource_id), added) is None:
            raise NotFound("Invalid Resource identifier specified", code="NotFoundException")
        return method

    @validated(rules.DELETE_METHOD)
    def delete_method(self, rest_api_id: str, resource_id: str, http_method: str) -> None:
        """The method goes with its integration and responses; callers see it gone after the next deployment."""
        arn = self._rest_arn(rest_api_id)

        def removed(body: dict[str, Any]) -> dict[str, Any]:
            self._method_of(body, http_method)
            del body["resourceMethods"][http_method]
            return body
        if self.store.update(REST_RESOURCE, key(arn, "resources", resource_id), removed) is None:
            raise NotFound("Invalid Resource identifier specified", code="NotFoundException")

    @validated(rules.PUT_INTEGRATION)
    def put_integration(self, rest_api_id: str, resource_id: str, http_method: str, type: str, *,  # noqa: A002
                        uri: str | None = None, integration_http_method: str | None = None,
                        request_templates: dict[str, str] | None = None,
                        timeout_in_millis: int | None = None) -> m.RestIntegration:
        """AWS_PROXY (a Lambda function's invocation ARN, called with POST), HTTP_PROXY (a URL)
        or MOCK."""
        arn = self._rest_arn(rest_api_id)
        if type == "AWS_PROXY":
            found = INVOCATION_ARN.match(uri or "")
            if not found or not LAMBDA_ARN.match(found.group(1)):
                raise bad_request("Invalid ARN specified in the request: an AWS_PROXY integration's uri is "
                                  "arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/"
                                  "invocations.", "uri")
            if integration_http_method != "POST":
                raise bad_request("A Lambda integration is called with integrationHttpMethod POST.",
                                  "integrationHttpMethod")
        elif type == "HTTP_PROXY":
            if not re.match(r"^https?://", uri or ""):
                raise bad_request("Invalid HTTP endpoint specified for URI: an http:// or https:// URL.", "uri")
            if not integration_http_method:
                raise bad_request("Enumeration value for HttpMethod must be non-empty", "integrationHttpMethod")
        elif type != "MOCK":
            raise bad_request(f"Integration type {type} is not emulated yet: AWS_PROXY, HTTP_PROXY or MOCK.", "type")
        integration = m.RestIntegration(type=type, uri=uri, http_method=integration_http_method,
                                        request_templates=dict(request_templates or {}),
                                        timeout_in_millis=timeout_in_millis or REST_TIMEOUT_MS)
        self._change_method(arn, resource_id, http_method,
                            lambda method: method.update(methodIntegration=integration.to_aws()))
        return integration

    @validated(rules.PUT_METHOD_RESPONSE)
    def put_method_response(self, rest_api_id: str, resource_id: str, http_method: str, status_code: str, *,
                            response_parameters: dict[str, bool] | None = None,
                            response_models: dict[str, str] | None = None) -> dict[str, Any]:
        arn = self._rest_arn(rest_api_id)
        response = {"statusCode": status_code, "responseParameters": dict(response_parameters or {}),
                    "responseModels": dict(response_models or {})}
        self._change_method(arn, resource_id, http_method,
                            lambda method: method.setdefault("methodResponses", {}).update({status_code: response}))
        return response

    @validated(rules.PUT_INTEGRATION_RESPONSE)
    def put_integration_response(self, rest_api_id: str, resource_id: str, http_method: str, status_code: str, *,
                                 selection_pattern: str | None = None,
                                 response_templates: dict[str, str] | None = None,
                                 response_parameters: dict[str, str] | None = None) -> dict[str, Any]:
        arn = self._rest_arn(rest_api_id)
        if selection_pattern:
            try:
                re.compile(selection_pattern)
            except re.error as exc:
                raise bad_request(f"Invalid selection pattern {selection_pattern!r}: {exc}", "selectionPattern") from None
        response = {"statusCode": status_code, "responseTemplates": dict(response_templates or {}),
                    "responseParameters": dict(response_parameters or {})}
        if selection_pattern:
            response["selectionPattern"] = selection_pattern

        def added(method: dict[str, Any]) -> None:
            integration = method.get("methodIntegration")
            if integration is None:
                raise NotFound("No integration defined for method", code="NotFoundException")
            if status_code not in (method.get("methodResponses") or {}):
                raise NotFound("Invalid Response status code specified", code="NotFoundException")
            integration.setdefault("integrationResponses", {})[status_code] = response
        self._change_method(arn, resource_id, http_method, added)
        return response

    # -- Lambda authorizers ------------------------------------------------------------------------------
    @validated(rules.CREATE_REST_AUTHORIZER)
    def create_rest_authorizer(self, rest_api_id: str, name: str, type: str, *,  # noqa: A002
                               authorizer_uri: str | None = None, identity_source: str | None = None,
                               identity_validation_expression: str | None = None,
                               authorizer_result_ttl_in_seconds: int | None = None) -> m.RestAuthorizer:
        """TOKEN (the token in one header) or REQUEST (identity sources of the request)."""
        arn = self._rest_arn(rest_api_id)
        if type == "COGNITO_USER_POOLS":
            raise bad_request("Cognito user pool authorizers are not emulated: use TOKEN or REQUEST.", "type")
        found = INVOCATION_ARN.match(authorizer_uri or "")
        if not found or not LAMBDA_ARN.match(found.group(1)):
            raise bad_request("Invalid Authorizer URI specified: the function's invocation ARN "
                              "(arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<ARN>/invocations).",
                              "authorizerUri")
        sources = [s.strip() for s in (identity_source or "").split(",") if s.strip()]
        if type == "TOKEN" and (len(sources) != 1 or not sources[0].startswith("method.request.header.")):
            raise bad_request("A TOKEN authorizer's identity source is one header: method.request.header.<name>.",
                              "identitySource")
        for source in sources:
            if not source.startswith(("method.request.header.", "method.request.querystring.", "stageVariables.",
                                      "context.")):
                raise bad_request(f"Invalid identity source {source!r}.", "identitySource")
        if identity_validation_expression:
            try:
                re.compile(identity_validation_expression)
            except re.error as exc:
                raise bad_request(f"Invalid identity validation expression: {exc}", "identityValidationExpression") \
                    from None
        authorizer = m.RestAuthorizer(
            id=self._child_id(arn, 6), name=name, type=type, authorizer_uri=authorizer_uri,
            identity_source=identity_source, identity_validation_expression=identity_validation_expression,
            authorizer_result_ttl_in_seconds=300 if authorizer_result_ttl_in_seconds is None
            else authorizer_result_ttl_in_seconds)
        self.store.put(REST_AUTHORIZER, key(arn, "authorizers", authorizer.id), authorizer.to_aws(), name=name,
                       parent=arn)
        return authorizer

    @validated(rules.REST_API)
    def get_rest_authorizers(self, rest_api_id: str) -> list[m.RestAuthorizer]:
        return [m.RestAuthorizer.model_validate(b)
                for b in self.store.list(REST_AUTHORIZER, parent=self._rest_arn(rest_api_id))]

    @validated(rules.REST_AUTHORIZER)
    def delete_rest_authorizer(self, rest_api_id: str, authorizer_id: str) -> None:
        arn = self._rest_arn(rest_api_id)
        in_use = any(meth.get("authorizerId") == authorizer_id for r in self.store.list(REST_RESOURCE, parent=arn)
                     for meth in (r.get("resourceMethods") or {}).values())
        if in_use:
            raise Conflict(f"Cannot delete authorizer {authorizer_id}: a method uses it.", code="ConflictException")
        if not self.store.delete(REST_AUTHORIZER, key(arn, "authorizers", authorizer_id)):
            raise NotFound("Invalid Authorizer identifier specified", code="NotFoundException")

    # -- deployments and stages ------------------------------------------------------------------------
    @validated(rules.CREATE_REST_DEPLOYMENT)
    def create_rest_deployment(self, rest_api_id: str, stage_name: str | None = None, *,
                               description: str | None = None, stage_description: str | None = None,
                               variables: dict[str, str] | None = None) -> m.RestDeployment:
        arn = self._rest_arn(rest_api_id)
        resources = self.store.list(REST_RESOURCE, parent=arn)
        methods = [(r, name, meth) for r in resources for name, meth in (r.get("resourceMethods") or {}).items()]
        if not methods:
            raise bad_request("The REST API doesn't contain any methods", "restApiId")
        if any(meth.get("methodIntegration") is None for _r, _n, meth in methods):
            raise bad_request("No integration defined for method", "restApiId")
        deployment = m.RestDeployment(id=self._child_id(arn, 6), description=description, created_date=self.now)
        body = deployment.to_aws()
        body[SNAPSHOT] = {"resources": resources,
                          "authorizers": {a["id"]: a for a in self.store.list(REST_AUTHORIZER, parent=arn)}}
        with self.store.transaction():
            self.store.put(REST_DEPLOYMENT, key(arn, "deployments", deployment.id), body, name=deployment.id,
                           parent=arn)
            if stage_name:
                stage_key = key(arn, "stages", stage_name)
                found = self.store.get(REST_STAGE, stage_key)
                stage = m.RestStage.model_validate(found) if found else m.RestStage(
                    stage_name=stage_name, created_date=self.now, description=stage_description)
                stage = stage.model_copy(update={"deployment_id": deployment.id, "last_updated_date": self.now,
                                                 "variables": dict(variables) if variables is not None
                                                 else stage.variables})
                self.store.put(REST_STAGE, stage_key, stage.to_aws(), name=stage_name, parent=arn)
        return deployment

    @validated(rules.REST_API)
    def get_rest_deployments(self, rest_api_id: str) -> list[m.RestDeployment]:
        found = [m.RestDeployment.model_validate(b)
                 for b in self.store.list(REST_DEPLOYMENT, parent=self._rest_arn(rest_api_id))]
        return sorted(found, key=lambda d: d.created_date or self.now, reverse=True)

    @validated(rules.UPDATE_REST_STAGE)
    def update_rest_stage(self, rest_api_id: str, stage_name: str, patch_operations: list[dict[str, str]]
                          ) -> m.RestStage:
        """v1's UpdateStage: the operations in order, all or none (a refused one keeps the stage as it was)."""
        arn = self._rest_arn(rest_api_id)
        stage_key = key(arn, "stages", stage_name)
        with self.store.transaction():
            found = self.store.get(REST_STAGE, stage_key)
            if found is None:
                raise NotFound("Invalid Stage identifier specified", code="NotFoundException")
            body = dict(found)
            for index, operation in enumerate(patch_operations):
                self._patch_stage(arn, body, operation, f"patchOperations.{index + 1}.member")
            settings = body.get("accessLogSettings")
            if settings and settings.get("format"):
                _check_access_log_format(settings["format"])
            body["lastUpdatedDate"] = self.now.isoformat()
            stage = m.RestStage.model_validate(body)
            self.store.put(REST_STAGE, stage_key, stage.to_aws(), name=stage_name, parent=arn)
            return stage

    def _patch_stage(self, arn: str, body: dict[str, Any], operation: dict[str, str], field: str) -> None:
        op, path, value = operation["op"], operation["path"], operation.get("value")
        if path.startswith("/variables/") and op in ("replace", "remove"):
            name = path.removeprefix("/variables/")
            if not re.fullmatch(r"[A-Za-z0-9_]+", name):
                raise bad_request(f"Invalid stage variable name {name!r}: letters, digits and underscores only.",
                                  f"{field}.path")
            variables = dict(body.get("variables") or {})
            if op == "remove":
                variables.pop(name, None)
            else:
                variables[name] = _value(value, path, field)
            body["variables"] = variables
        elif path == "/accessLogSettings" and op == "remove":
            body.pop("accessLogSettings", None)
        elif path in ("/accessLogSettings/destinationArn", "/accessLogSettings/format") and op == "replace":
            given = _value(value, path, field)
            if path.endswith("destinationArn") and not LOG_GROUP_ARN.match(given):
                raise bad_request(f"Invalid ARN specified in the request: {given} (a log group's ARN, "
                                  "arn:aws:logs:<region>:<account>:log-group:<name>).", f"{field}.value")
            body["accessLogSettings"] = {**(body.get("accessLogSettings") or {}), path.rsplit("/", 1)[1]: given}
        elif path == "/description" and op == "replace":
            body["description"] = value or ""
        elif path == "/deploymentId" and op == "replace":
            deployment_id = _value(value, path, field)
            if self.store.get(REST_DEPLOYMENT, key(arn, "deployments", deployment_id)) is None:
                raise bad_request(f"Invalid deployment identifier specified {deployment_id}", f"{field}.value")
            body["deploymentId"] = deployment_id
        else:
            raise bad_request(f"Invalid patch path '{path}' specified for op '{op}'. Must be one of: "
                              f"[{', '.join(STAGE_PATHS)}]", f"{field}.path")

    def rest_invoke_url(self, rest_api_id: str, stage_name: str) -> str:
        self._rest_api(rest_api_id)
        return stage_url(self.listening_port(), rest_api_id, stage_name)


def _value(value: str | None, path: str, field: str) -> str:
    if value is None or value == "":
        raise bad_request(f"Invalid null or empty value in {path}", f"{field}.value")
    return value


def _check_access_log_format(format_: str) -> None:
    """What API Gateway asks of an access log's format."""
    if "\n" in format_.rstrip("\n"):
        raise bad_request("Access Log format must be single line, new line character is allowed only at end of the "
                          "format", "patchOperations")
    if "$context.requestId" not in format_ and "$context.extendedRequestId" not in format_:
        raise bad_request("Access Log format must contain at least one of $context.requestId or "
                          "$context.extendedRequestId", "patchOperations")
