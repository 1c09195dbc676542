"""REST APIs (v1) answer on the local gateway: resources and methods, MOCK, Lambda proxy (payload
1.0) and HTTP proxy integrations, and a change live only once deployed."""

from __future__ import annotations

from typing import Any

import pytest

from computetui.backends.errors import ComputeError
from computetui.backends.local import LocalBackend
from tests.local.apigateway.conftest import ECHO, call


def invocation(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def rest_api(gw_backend: LocalBackend) -> tuple[Any, str]:
    gw = gw_backend.apigateway
    api = gw.create_rest_api("pets")
    [root] = gw.get_resources(api.id)
    return api, root.id


def test_a_mock_method_answers_once_deployed_with_its_integration_response(gw_backend) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api, root = rest_api(gw_backend)
    health = gw.create_resource(api.id, root, "health")
    assert health.path == "/health"
    gw.put_method(api.id, health.id, "GET")
    gw.put_integration(api.id, health.id, "GET", "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.put_method_response(api.id, health.id, "GET", "200")
    gw.put_integration_response(api.id, health.id, "GET", "200", response_templates={"application/json": '{"up": true}'},
                                response_parameters={"method.response.header.X-Mock": "'yes'"})
    url = gw.rest_invoke_url(api.id, "prod")
    assert call(url + "/health").json() == {"message": "Forbidden"}  # no such stage yet
    deployment = gw.create_rest_deployment(api.id, "prod", variables={"color": "blue"})
    reply = call(url + "/health")
    assert (reply.status, reply.json(), reply.headers["x-mock"]) == (200, {"up": True}, "yes")
    assert [d.id for d in gw.get_rest_deployments(api.id)] == [deployment.id]
    [stage] = gw.get_stages(api.id)
    assert (stage.stage_name, stage.deployment_id, stage.variables) == ("prod", deployment.id, {"color": "blue"})
    missing = call(url + "/nothing")
    assert (missing.status, missing.json()) == (403, {"message": "Missing Authentication Token"})
    assert call(url + "/health", method="POST").json() == {"message": "Missing Authentication Token"}


def test_a_lambda_proxy_method_gets_the_1_0_event_and_changes_wait_for_a_deployment(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api, root = rest_api(gw_backend)
    pets = gw.create_resource(api.id, root, "pets")
    pet = gw.create_resource(api.id, pets.id, "{id}")
    assert pet.path == "/pets/{id}"
    gw.put_method(api.id, pet.id, "GET")
    gw.put_integration(api.id, pet.id, "GET", "AWS_PROXY", uri=invocation(function(ECHO)), integration_http_method="POST")
    gw.create_rest_deployment(api.id, "dev", variables={"table": "pets-dev"})
    url = gw.rest_invoke_url(api.id, "dev")
    reply = call(url + "/pets/42?x=1&x=2")
    assert reply.status == 200
    event = reply.json()["event"]
    assert (event["version"], event["resource"], event["path"], event["httpMethod"]) == (
        "1.0", "/pets/{id}", "/pets/42", "GET")
    assert event["pathParameters"] == {"id": "42"} and event["stageVariables"] == {"table": "pets-dev"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["requestContext"]["stage"] == "dev"
    proxy = gw.create_resource(api.id, root, "{proxy+}")
    gw.put_method(api.id, proxy.id, "ANY")
    gw.put_integration(api.id, proxy.id, "ANY", "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.put_method_response(api.id, proxy.id, "ANY", "200")
    gw.put_integration_response(api.id, proxy.id, "ANY", "200", response_templates={"application/json": "caught"})
    assert call(url + "/a/b").status == 403  # not deployed yet
    gw.create_rest_deployment(api.id, "dev")
    assert call(url + "/a/b", method="DELETE").body == b"caught"
    assert call(url + "/pets/42").status == 200  # the more specific resource still wins


def test_rest_lambda_errors_are_rest_apis_errors(gw_backend, function) -> None:  # noqa: ANN001
    source = '''
def handler(event, context):
    if event["path"] == "/raise":
        raise ValueError("no")
    return {"body": "no status code"}
'''
    gw = gw_backend.apigateway
    api, root = rest_api(gw_backend)
    any_path = gw.create_resource(api.id, root, "{proxy+}")
    gw.put_method(api.id, any_path.id, "ANY")
    gw.put_integration(api.id, any_path.id, "ANY", "AWS_PROXY", uri=invocation(function(source)),
                       integration_http_method="POST")
    gw.create_rest_deployment(api.id, "prod")
    url = gw.rest_invoke_url(api.id, "prod")
    assert (call(url + "/raise").status, call(url + "/raise").json()) == (502, {"message": "Internal server error"})
    assert call(url + "/fine").status == 502  # 1.0 needs a statusCode


@pytest.mark.parametrize(("call_it", "says"), [
    (lambda gw, api, root, res: gw.create_resource(api.id, root, "{proxy+}/x"), "one segment"),
    (lambda gw, api, root, res: gw.create_resource(api.id, root, "{a"), "neither a literal"),
    (lambda gw, api, root, res: gw.put_method(api.id, res.id, "FETCH"), "Invalid HttpMethod"),
    (lambda gw, api, root, res: gw.put_integration(api.id, res.id, "GET", "AWS_PROXY", uri="arn:aws:lambda:x",
                                                   integration_http_method="POST"), "Invalid ARN"),
    (lambda gw, api, root, res: gw.put_integration(api.id, res.id, "GET", "HTTP_PROXY", uri="ftp://x",
                                                   integration_http_method="GET"), "Invalid HTTP endpoint"),
    (lambda gw, api, root, res: gw.create_rest_deployment(api.id, "prod"), "No integration defined for method"),
])
def test_rest_definitions_refuse_what_aws_refuses(gw_backend, call_it, says: str) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api, root = rest_api(gw_backend)
    resource = gw.create_resource(api.id, root, "items")
    gw.put_method(api.id, resource.id, "GET")
    with pytest.raises(ComputeError, match=says) as refused:
        call_it(gw, api, root, resource)
    assert refused.value.code == "BadRequestException"


def test_a_second_resource_or_method_of_the_same_name_is_a_conflict(gw_backend) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api, root = rest_api(gw_backend)
    resource = gw.create_resource(api.id, root, "items")
    with pytest.raises(ComputeError, match="already has this name") as twice:
        gw.create_resource(api.id, root, "items")
    assert twice.value.code == "ConflictException"
    gw.put_method(api.id, resource.id, "GET")
    with pytest.raises(ComputeError, match="Method already exists"):
        gw.put_method(api.id, resource.id, "GET")
    gw.delete_resource(api.id, resource.id)
    assert [r.path for r in gw.get_resources(api.id)] == ["/"]


def test_api_keys_and_usage_plans_guard_a_method(gw_backend) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api, root = rest_api(gw_backend)
    paid = gw.create_resource(api.id, root, "paid")
    gw.put_method(api.id, paid.id, "GET", api_key_required=True)
    gw.put_integration(api.id, paid.id, "GET", "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.put_method_response(api.id, paid.id, "GET", "200")
    gw.put_integration_response(api.id, paid.id, "GET", "200", response_templates={"application/json": "paid"})
    gw.create_rest_deployment(api.id, "prod")
    fast = gw.create_api_key("fast")
    counted = gw.create_api_key("counted")
    stray = gw.create_api_key("stray")
    assert len(fast.value) >= 20 and [k.value for k in gw.get_api_keys()] == [None, None, None]
    throttled = gw.create_usage_plan("throttled", api_stages=[{"apiId": api.id, "stage": "prod"}],
                                     throttle={"rateLimit": 0.001, "burstLimit": 2})
    metered = gw.create_usage_plan("metered", api_stages=[{"apiId": api.id, "stage": "prod"}],
                                   quota={"limit": 3, "period": "DAY"})
    gw.create_usage_plan_key(throttled.id, fast.id)
    gw.create_usage_plan_key(metered.id, counted.id)
    url = gw.rest_invoke_url(api.id, "prod") + "/paid"

    def status(value: str | None) -> tuple[int, Any]:
        reply = call(url, headers={"x-api-key": value} if value else {})
        return reply.status, reply.json() if reply.status != 200 else reply.body
    assert status(None) == (403, {"message": "Forbidden"})
    assert status("not-a-key-of-this-account") == (403, {"message": "Forbidden"})
    assert status(stray.value)[0] == 403  # a key of no plan for this stage
    assert [status(fast.value)[0] for _ in range(3)] == [200, 200, 429]
    assert status(fast.value) == (429, {"message": "Too Many Requests"})
    assert [status(counted.value)[0] for _ in range(3)] == [200, 200, 200]
    assert status(counted.value) == (429, {"message": "Limit Exceeded"})
    with pytest.raises(ComputeError, match="already contains"):
        gw.create_usage_plan_key(metered.id, counted.id)
    gw.delete_api_key(counted.id)
    assert status(counted.value)[0] == 403


REST_AUTHORIZER = '''
def handler(event, context):
    token = event.get("authorizationToken") or event.get("queryStringParameters", {}).get("token")
    effect = "Allow" if token in ("allow", "Bearer allow") else "Deny"
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
    if token == "nothing":
        statement["Resource"] = "arn:aws:execute-api:us-east-1:000000000000:other/*"
    return {"principalId": "ada", "context": {"team": "web"}, "policyDocument": {"Statement": [statement]}}
'''


def test_rest_token_and_request_authorizers(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api, root = rest_api(gw_backend)
    authorizer_arn = invocation(function(REST_AUTHORIZER, name="authorizer"))
    token = gw.create_rest_authorizer(api.id, "token", "TOKEN", authorizer_uri=authorizer_arn,
                                      identity_source="method.request.header.Authorization",
                                      identity_validation_expression="^(Bearer )?[a-z]+$")
    by_query = gw.create_rest_authorizer(api.id, "query", "REQUEST", authorizer_uri=authorizer_arn,
                                         identity_source="method.request.querystring.token",
                                         authorizer_result_ttl_in_seconds=0)
    assert [a.name for a in gw.get_rest_authorizers(api.id)] == ["token", "query"]
    echo = invocation(function(ECHO))
    for part, authorizer in (("me", token), ("q", by_query)):
        resource = gw.create_resource(api.id, root, part)
        gw.put_method(api.id, resource.id, "GET", "CUSTOM", authorizer_id=authorizer.id)
        gw.put_integration(api.id, resource.id, "GET", "AWS_PROXY", uri=echo, integration_http_method="POST")
    gw.create_rest_deployment(api.id, "prod")
    base = gw.rest_invoke_url(api.id, "prod")
    assert (call(base + "/me").status, call(base + "/me").json()) == (401, {"message": "Unauthorized"})
    assert call(base + "/me", headers={"Authorization": "NOT VALID!"}).status == 401  # the expression refuses it
    denied = call(base + "/me", headers={"Authorization": "deny"})
    assert (denied.status, denied.json()) == (
        403, {"message": "User is not authorized to access this resource with an explicit deny"})
    unmatched = call(base + "/me", headers={"Authorization": "nothing"})
    assert unmatched.json() == {"message": "User is not authorized to access this resource"}
    allowed = call(base + "/me", headers={"Authorization": "Bearer allow"})
    context = allowed.json()["event"]["requestContext"]["authorizer"]
    assert (allowed.status, context["team"], context["principalId"]) == (200, "web", "ada")
    assert call(base + "/q").status == 401
    assert call(base + "/q?token=allow").status == 200 and call(base + "/q?token=deny").status == 403
    with pytest.raises(ComputeError, match="Invalid authorizer ID"):
        gw.put_method(api.id, root, "POST", "CUSTOM", authorizer_id="nope99")
