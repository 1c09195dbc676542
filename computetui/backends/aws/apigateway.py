"""Amazon API Gateway through boto3: REST APIs with the ``apigateway`` client (v1),
HTTP and WebSocket APIs with ``apigatewayv2``.

v1 listings page with ``position``; their default page is 25 items and their
maximum 500, so the adapter asks for 500. v2 listings page with ``NextToken``.

v2's creates and deletes pass to AWS as they are (``Caller.params`` names the keywords) and
AWS's refusals come back through the Caller's translation: ``NotFoundException`` (an unknown
API, route, integration or stage) is NotFound, ``BadRequestException`` InvalidParameter,
``ConflictException`` (a route key or stage name already taken) Conflict.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, parse
from computetui.backends.base import ApiGatewayFacet
from computetui.backends.errors import ComputeError, InvalidParameter, Unavailable
from computetui.models import apigateway as m

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

V1_PAGE = 500
"""GetRestApis / GetResources: "The default value is 25 and the maximum value is 500"."""
INTEGRATION_TARGET = "integrations/"
DEFAULT_STAGE = "$default"
"""The stage served at the API's endpoint itself, without a stage segment in the path."""


TEST_TIMEOUT_S = 35.0
"""An HTTP API answers 504 after 30 s at most: a Test request waits a little longer."""
Send = Callable[[str, str, dict[str, str], bytes], tuple[int, list[tuple[str, str]], bytes]]


def bad_request(message: str, field: str) -> InvalidParameter:
    return InvalidParameter(message, code="BadRequestException", field=field)


def send_https(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request to a stage's invoke URL; an error status is an answer like any other."""
    request = urllib.request.Request(url, data=body or None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TEST_TIMEOUT_S) as answer:  # noqa: S310 (https, AWS's own URL)
            return answer.status, list(answer.getheaders()), answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, list(answer.headers.items()), answer.read()
    except (OSError, ValueError) as exc:
        raise Unavailable(f"{url} did not answer ({exc})") from None


class AwsApiGateway(ApiGatewayFacet):
    backend: AwsBackend

    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.v1 = Caller(backend, "apigateway", invalid_code="BadRequestException")
        self.v2 = Caller(backend, "apigatewayv2", invalid_code="BadRequestException")
        self.send: Send = send_https
        """How an HTTP API's Test request reaches its invoke URL (tests give their own)."""

    # -- REST APIs (v1) --------------------------------------------------
    def get_rest_apis(self) -> list[m.RestApi]:
        return [parse(m.RestApi, a) for a in self.v1.pages("get_rest_apis", "items", page_size=V1_PAGE)]

    def create_rest_api(self, name: str, **kwargs: Any) -> m.RestApi:
        return parse(m.RestApi, self.v1.call("create_rest_api", name=name, **self.v1.params("create_rest_api", kwargs)))

    def delete_rest_api(self, rest_api_id: str) -> None:
        self.v1.call("delete_rest_api", restApiId=rest_api_id)

    def get_resources(self, rest_api_id: str) -> list[m.RestResource]:
        # Without embed=methods AWS lists each method as {} (its name only); with it, the methods whole.
        found = self.v1.pages("get_resources", "items", page_size=V1_PAGE, restApiId=rest_api_id, embed=["methods"])
        return sorted((parse(m.RestResource, r) for r in found), key=lambda r: r.path)

    def get_stages(self, rest_api_id: str) -> list[m.RestStage]:
        # GetStages has no pages: one answer holds every stage, under "item".
        answer = self.v1.call("get_stages", restApiId=rest_api_id)
        return [parse(m.RestStage, s) for s in answer.get("item") or []]

    def create_resource(self, rest_api_id: str, parent_id: str, path_part: str) -> m.RestResource:
        return parse(m.RestResource, self.v1.call("create_resource", restApiId=rest_api_id, parentId=parent_id,
                                                  pathPart=path_part))

    def delete_resource(self, rest_api_id: str, resource_id: str) -> None:
        self.v1.call("delete_resource", restApiId=rest_api_id, resourceId=resource_id)

    def put_method(self, rest_api_id: str, resource_id: str, http_method: str, authorization_type: str = "NONE",
                   **kwargs: Any) -> m.RestMethod:
        return parse(m.RestMethod, self.v1.call(
            "put_method", restApiId=rest_api_id, resourceId=resource_id, httpMethod=http_method,
            authorizationType=authorization_type, **self.v1.params("put_method", kwargs)))

    def delete_method(self, rest_api_id: str, resource_id: str, http_method: str) -> None:
        self.v1.call("delete_method", restApiId=rest_api_id, resourceId=resource_id, httpMethod=http_method)

    def put_integration(self, rest_api_id: str, resource_id: str, http_method: str, type: str,  # noqa: A002
                        **kwargs: Any) -> m.RestIntegration:
        return parse(m.RestIntegration, self.v1.call(
            "put_integration", restApiId=rest_api_id, resourceId=resource_id, httpMethod=http_method, type=type,
            **self.v1.params("put_integration", kwargs)))

    def put_method_response(self, rest_api_id: str, resource_id: str, http_method: str, status_code: str,
                            **kwargs: Any) -> dict[str, Any]:
        answer = self.v1.call("put_method_response", restApiId=rest_api_id, resourceId=resource_id,
                              httpMethod=http_method, statusCode=status_code,
                              **self.v1.params("put_method_response", kwargs))
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}

    def put_integration_response(self, rest_api_id: str, resource_id: str, http_method: str, status_code: str,
                                 **kwargs: Any) -> dict[str, Any]:
        answer = self.v1.call("put_integration_response", restApiId=rest_api_id, resourceId=resource_id,
                              httpMethod=http_method, statusCode=status_code,
                              **self.v1.params("put_integration_response", kwargs))
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}

    def create_rest_deployment(self, rest_api_id: str, stage_name: str | None = None, **kwargs: Any
                               ) -> m.RestDeployment:
        params = self.v1.params("create_deployment", kwargs)
        if stage_name is not None:
            params["stageName"] = stage_name
        return parse(m.RestDeployment, self.v1.call("create_deployment", restApiId=rest_api_id, **params))

    def get_rest_deployments(self, rest_api_id: str) -> list[m.RestDeployment]:
        found = self.v1.pages("get_deployments", "items", page_size=V1_PAGE, restApiId=rest_api_id)
        return sorted((parse(m.RestDeployment, d) for d in found), key=lambda d: str(d.created_date), reverse=True)

    def update_rest_stage(self, rest_api_id: str, stage_name: str, patch_operations: list[dict[str, str]]
                          ) -> m.RestStage:
        return parse(m.RestStage, self.v1.call("update_stage", restApiId=rest_api_id, stageName=stage_name,
                                               patchOperations=list(patch_operations)))

    def create_rest_authorizer(self, rest_api_id: str, name: str, type: str,  # noqa: A002
                               **kwargs: Any) -> m.RestAuthorizer:
        return parse(m.RestAuthorizer, self.v1.call("create_authorizer", restApiId=rest_api_id, name=name, type=type,
                                                    **self.v1.params("create_authorizer", kwargs)))

    def get_rest_authorizers(self, rest_api_id: str) -> list[m.RestAuthorizer]:
        found = self.v1.pages("get_authorizers", "items", page_size=V1_PAGE, restApiId=rest_api_id)
        return [parse(m.RestAuthorizer, a) for a in found]

    def delete_rest_authorizer(self, rest_api_id: str, authorizer_id: str) -> None:
        self.v1.call("delete_authorizer", restApiId=rest_api_id, authorizerId=authorizer_id)

    def create_api_key(self, name: str, **kwargs: Any) -> m.ApiKey:
        return parse(m.ApiKey, self.v1.call("create_api_key", name=name, **self.v1.params("create_api_key", kwargs)))

    def get_api_keys(self, include_values: bool = False) -> list[m.ApiKey]:
        found = self.v1.pages("get_api_keys", "items", page_size=V1_PAGE, includeValues=include_values)
        return [parse(m.ApiKey, k) for k in found]

    def delete_api_key(self, api_key: str) -> None:
        self.v1.call("delete_api_key", apiKey=api_key)

    def create_usage_plan(self, name: str, **kwargs: Any) -> m.UsagePlan:
        return parse(m.UsagePlan, self.v1.call("create_usage_plan", name=name,
                                               **self.v1.params("create_usage_plan", kwargs)))

    def get_usage_plans(self) -> list[m.UsagePlan]:
        return [parse(m.UsagePlan, p) for p in self.v1.pages("get_usage_plans", "items", page_size=V1_PAGE)]

    def delete_usage_plan(self, usage_plan_id: str) -> None:
        self.v1.call("delete_usage_plan", usagePlanId=usage_plan_id)

    def create_usage_plan_key(self, usage_plan_id: str, key_id: str, key_type: str = "API_KEY") -> dict[str, Any]:
        answer = self.v1.call("create_usage_plan_key", usagePlanId=usage_plan_id, keyId=key_id, keyType=key_type)
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}

    def get_usage_plan_keys(self, usage_plan_id: str) -> list[dict[str, Any]]:
        return list(self.v1.pages("get_usage_plan_keys", "items", page_size=V1_PAGE, usagePlanId=usage_plan_id))

    def delete_usage_plan_key(self, usage_plan_id: str, key_id: str) -> None:
        self.v1.call("delete_usage_plan_key", usagePlanId=usage_plan_id, keyId=key_id)

    def rest_invoke_url(self, rest_api_id: str, stage_name: str) -> str:
        return f"https://{rest_api_id}.execute-api.{self.backend.region}.amazonaws.com/{stage_name}"

    # -- HTTP and WebSocket APIs (v2) ------------------------------------
    def get_apis(self) -> list[m.HttpApi]:
        return [parse(m.HttpApi, a) for a in self.v2.pages("get_apis", "Items")]

    def create_api(self, name: str, protocol_type: str = "HTTP", **kwargs: Any) -> m.HttpApi:
        """CreateApi. ``target`` is AWS's quick create (HTTP only): AWS itself adds the
        integration, a ``$default`` route and an auto-deploying ``$default`` stage."""
        params = self.v2.params("create_api", kwargs)
        # AWS answers both with BadRequestException; said here before sending, with the field.
        if protocol_type == "WEBSOCKET" and not params.get("RouteSelectionExpression"):
            raise bad_request("RouteSelectionExpression is required for WEBSOCKET APIs.", "RouteSelectionExpression")
        if params.get("Target") and protocol_type != "HTTP":
            raise bad_request("Quick create (Target) is only supported for HTTP APIs.", "Target")
        return parse(m.HttpApi, self.v2.call("create_api", Name=name, ProtocolType=protocol_type, **params))

    def delete_api(self, api_id: str) -> None:
        self.v2.call("delete_api", ApiId=api_id)

    def update_stage(self, api_id: str, stage_name: str, **kwargs: Any) -> m.HttpStage:
        return parse(m.HttpStage, self.v2.call("update_stage", ApiId=api_id, StageName=stage_name,
                                               **self.v2.params("update_stage", kwargs)))

    def get_authorizers(self, api_id: str) -> list[m.Authorizer]:
        return [parse(m.Authorizer, a) for a in self.v2.pages("get_authorizers", "Items", ApiId=api_id)]

    def create_authorizer(self, api_id: str, name: str, authorizer_type: str, identity_source: list[str],
                          **kwargs: Any) -> m.Authorizer:
        return parse(m.Authorizer, self.v2.call(
            "create_authorizer", ApiId=api_id, Name=name, AuthorizerType=authorizer_type,
            IdentitySource=list(identity_source), **self.v2.params("create_authorizer", kwargs)))

    def delete_authorizer(self, api_id: str, authorizer_id: str) -> None:
        self.v2.call("delete_authorizer", ApiId=api_id, AuthorizerId=authorizer_id)

    def update_api(self, api_id: str, **kwargs: Any) -> m.HttpApi:
        return parse(m.HttpApi, self.v2.call("update_api", ApiId=api_id, **self.v2.params("update_api", kwargs)))

    def get_routes(self, api_id: str) -> list[m.Route]:
        """Every route. In AWS a route's ``Target`` names an integration (``integrations/abc123``);
        the console shows what the route invokes instead — the integration's URI (a Lambda ARN,
        an HTTP URL) — read with one GetIntegrations listing for the API, not a call per route.
        A target whose integration is gone stays as AWS has it."""
        routes = self.v2.pages("get_routes", "Items", ApiId=api_id)
        if any(str(r.get("Target") or "").startswith(INTEGRATION_TARGET) for r in routes):
            integrations = self.v2.pages("get_integrations", "Items", ApiId=api_id)
            uris = {i.get("IntegrationId"): i.get("IntegrationUri") for i in integrations}
            for route in routes:
                target = str(route.get("Target") or "")
                if target.startswith(INTEGRATION_TARGET) and uris.get(target.removeprefix(INTEGRATION_TARGET)):
                    route["Target"] = uris[target.removeprefix(INTEGRATION_TARGET)]
        return [parse(m.Route, r) for r in routes]

    def get_api_stages(self, api_id: str) -> list[m.HttpStage]:
        """v2's GetStages, named apart from v1's get_stages. The facet's docstring names it; the
        contract does not declare it yet."""
        return [parse(m.HttpStage, s) for s in self.v2.pages("get_stages", "Items", ApiId=api_id)]

    # -- routes, integrations, stages and deployments (v2) -----------------------------------
    def create_route(self, api_id: str, route_key: str, target: str | None = None, **kwargs: Any) -> m.Route:
        """CreateRoute. The route as AWS answers it: its ``Target`` stays ``integrations/<id>``
        (only ``get_routes`` shows the integration's URI instead)."""
        params = self.v2.params("create_route", kwargs)
        return parse(m.Route, self.v2.call("create_route", ApiId=api_id, RouteKey=route_key, Target=target, **params))

    def update_route(self, api_id: str, route_id: str, **kwargs: Any) -> m.Route:
        """UpdateRoute, answered as AWS answers it (its target stays ``integrations/<id>``)."""
        params = self.v2.params("update_route", kwargs)
        return parse(m.Route, self.v2.call("update_route", ApiId=api_id, RouteId=route_id, **params))

    def delete_route(self, api_id: str, route_id: str) -> None:
        self.v2.call("delete_route", ApiId=api_id, RouteId=route_id)

    def get_integrations(self, api_id: str) -> list[m.Integration]:
        return [parse(m.Integration, i) for i in self.v2.pages("get_integrations", "Items", ApiId=api_id)]

    def create_integration(self, api_id: str, integration_type: str, **kwargs: Any) -> m.Integration:
        params = self.v2.params("create_integration", kwargs)
        answer = self.v2.call("create_integration", ApiId=api_id, IntegrationType=integration_type, **params)
        return parse(m.Integration, answer)

    def delete_integration(self, api_id: str, integration_id: str) -> None:
        self.v2.call("delete_integration", ApiId=api_id, IntegrationId=integration_id)

    def create_stage(self, api_id: str, stage_name: str, **kwargs: Any) -> m.HttpStage:
        params = self.v2.params("create_stage", kwargs)
        return parse(m.HttpStage, self.v2.call("create_stage", ApiId=api_id, StageName=stage_name, **params))

    def delete_stage(self, api_id: str, stage_name: str) -> None:
        self.v2.call("delete_stage", ApiId=api_id, StageName=stage_name)

    def create_deployment(self, api_id: str, stage_name: str | None = None, description: str | None = None
                          ) -> m.ApiDeployment:
        answer = self.v2.call("create_deployment", ApiId=api_id, StageName=stage_name, Description=description)
        return parse(m.ApiDeployment, answer)

    def get_deployments(self, api_id: str) -> list[m.ApiDeployment]:
        return [parse(m.ApiDeployment, d) for d in self.v2.pages("get_deployments", "Items", ApiId=api_id)]

    def invoke_url(self, api_id: str, stage_name: str) -> str:
        """The API's ``ApiEndpoint`` (one GetApi) and the stage's path segment; ``$default`` has
        none. Only the API is asked for: the stage is not looked up."""
        endpoint = self.v2.call("get_api", ApiId=api_id).get("ApiEndpoint")
        if not endpoint:
            raise ComputeError(f"AWS answered GetApi for {api_id} without an ApiEndpoint", code="UnreadableResponse")
        endpoint = str(endpoint).rstrip("/")
        return endpoint if stage_name == DEFAULT_STAGE else f"{endpoint}/{stage_name}"

    # -- the console's Test panel ----------------------------------------
    def test_invoke(self, api_id: str, method: str, path: str, *, stage_name: str | None = None,
                    resource_id: str | None = None, query: str = "", headers: dict[str, str] | None = None,
                    body: str = "") -> m.ApiTestResult:
        """A REST API: TestInvokeMethod. An HTTP API: the request itself, to the stage's invoke
        URL (AWS has no test call for HTTP APIs). Neither tells the Lambda REPORT line: it is in
        the function's log group."""
        query = query.lstrip("?")
        suffix = path + (f"?{query}" if query else "")
        if resource_id is None:
            url = self.invoke_url(api_id, stage_name or DEFAULT_STAGE) + suffix
            began = time.monotonic()
            status, answer_headers, data = self.send(method.upper(), url, headers or {}, body.encode())
            text, encoded = m.ApiTestResult.text_of(data)
            return m.ApiTestResult(
                status=status, headers=answer_headers, body=text, body_base64=encoded,
                latency_ms=(time.monotonic() - began) * 1000, url=url,
                request_id=next((v for k, v in answer_headers if k.lower() == "apigw-requestid"), None))
        answer = self.v1.call("test_invoke_method", restApiId=api_id, resourceId=resource_id,
                              httpMethod=method.upper(), pathWithQueryString=suffix, body=body or None,
                              headers=headers or None)
        multi = answer.get("multiValueHeaders") or {k: [v] for k, v in (answer.get("headers") or {}).items()}
        pairs = [(name, value) for name, values in multi.items() for value in values]
        return m.ApiTestResult(
            status=int(answer.get("status") or 0), headers=pairs, body=str(answer.get("body") or ""),
            latency_ms=float(answer.get("latency") or 0),
            url=(self.rest_invoke_url(api_id, stage_name) + suffix) if stage_name else None,
            request_id=next((v for k, v in pairs if k.lower() == "x-amzn-requestid"), None),
            log=answer.get("log"))
