"""The contract, on every backend: API Gateway: REST, HTTP and WebSocket APIs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from computetui.backends.errors import InvalidParameter, NotFound
from tests.support.aws_stubs import is_aws, quick_create_answers, stubbed


def test_rest_and_http_apis(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    rest = gw.create_rest_api(name="pets")
    assert len(rest.id) == 10
    assert [r.path for r in gw.get_resources(rest.id)] == ["/"]
    function = "arn:aws:lambda:us-east-1:000000000000:function:f"
    # aws: moto ignores quick create (CreateApi's Target), so the HTTP API's calls are answered
    # as AWS answers them, by botocore's Stubber (tests/support/aws_stubs.py); local: no-op.
    with quick_create_answers(contract_backend, name="hello", target=function):
        http = gw.create_api(name="hello", protocol_type="HTTP", target=function)
        if contract_backend.capabilities.emulated:  # the emulator's gateway, in the path form
            assert http.api_endpoint.startswith("http://127.0.0.1:")
            assert http.api_endpoint.endswith(f"/_aws/execute-api/{http.api_id}")
        else:
            assert http.api_endpoint == f"https://{http.api_id}.execute-api.us-east-1.amazonaws.com"
        assert [(r.route_key, r.target) for r in gw.get_routes(http.api_id)] == [
            ("$default", "arn:aws:lambda:us-east-1:000000000000:function:f")
        ]
        gw.delete_rest_api(rest.id)
        gw.delete_api(http.api_id)
        assert gw.get_rest_apis() == [] and gw.get_apis() == []
        with pytest.raises(NotFound) as caught:
            gw.get_routes(http.api_id)
    assert caught.value.code == "NotFoundException"


def test_websocket_apis_need_a_route_selection_expression(contract_backend) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        contract_backend.apigateway.create_api(name="chat", protocol_type="WEBSOCKET")
    assert caught.value.code == "BadRequestException"


@contextlib.contextmanager
def moto_lacks(backend, operation: str, answer: dict, params: dict) -> Iterator[None]:  # noqa: ANN001
    """aws: moto (5.2.6) has no ``operation`` for HTTP APIs, so AWS's answer comes from botocore's
    Stubber for that one call. No-op on local."""
    if not is_aws(backend):
        yield
        return
    with stubbed(backend, "apigatewayv2") as stub:
        stub.add_response(operation, answer, params)
        yield


def test_an_http_api_s_routes_integrations_and_stages(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    function = "arn:aws:lambda:us-east-1:000000000000:function:f"
    api = gw.create_api(name="pets")
    integration = gw.create_integration(api.api_id, "AWS_PROXY", integration_uri=function, payload_format_version="2.0")
    assert (integration.integration_type, integration.payload_format_version) == ("AWS_PROXY", "2.0")
    route = gw.create_route(api.api_id, "GET /pets/{id}", target=f"integrations/{integration.integration_id}")
    assert (route.route_key, route.target) == ("GET /pets/{id}", f"integrations/{integration.integration_id}")
    assert [(r.route_key, r.target) for r in gw.get_routes(api.api_id)] == [("GET /pets/{id}", function)]
    assert [i.integration_id for i in gw.get_integrations(api.api_id)] == [integration.integration_id]
    stage = gw.create_stage(api.api_id, "prod", stage_variables={"table": "pets"})
    assert (stage.stage_name, stage.stage_variables) == ("prod", {"table": "pets"})
    assert [s.stage_name for s in gw.get_api_stages(api.api_id)] == ["prod"]
    assert gw.invoke_url(api.api_id, "prod").endswith("/prod")
    settings = {"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 5.0}
    with moto_lacks(contract_backend, "update_stage",
                    {"StageName": "prod", "StageVariables": {"table": "pets-2"}, "DefaultRouteSettings": settings},
                    {"ApiId": api.api_id, "StageName": "prod", "StageVariables": {"table": "pets-2"},
                     "DefaultRouteSettings": settings}):
        staged = gw.update_stage(api.api_id, "prod", stage_variables={"table": "pets-2"},
                                 default_route_settings=settings)
    assert staged.stage_variables == {"table": "pets-2"}
    assert staged.default_route_settings.throttling_burst_limit == 10
    cors = gw.update_api(api.api_id, cors_configuration={"AllowOrigins": ["https://app.example"], "MaxAge": 60})
    assert (cors.cors_configuration.allow_origins, cors.cors_configuration.max_age) == (["https://app.example"], 60)
    authorizer = gw.create_authorizer(api.api_id, "who", "REQUEST", ["$request.header.Authorization"],
                                      authorizer_uri=function, authorizer_payload_format_version="2.0",
                                      enable_simple_responses=True)
    assert (authorizer.name, authorizer.authorizer_type, authorizer.identity_source) == (
        "who", "REQUEST", ["$request.header.Authorization"])
    listed = {"AuthorizerId": authorizer.authorizer_id, "Name": "who", "AuthorizerType": "REQUEST",
              "IdentitySource": ["$request.header.Authorization"]}
    with moto_lacks(contract_backend, "get_authorizers", {"Items": [listed]}, {"ApiId": api.api_id}):
        assert [a.authorizer_id for a in gw.get_authorizers(api.api_id)] == [authorizer.authorizer_id]
    gw.delete_authorizer(api.api_id, authorizer.authorizer_id)
    with moto_lacks(contract_backend, "get_authorizers", {"Items": []}, {"ApiId": api.api_id}):
        assert gw.get_authorizers(api.api_id) == []
    gw.delete_stage(api.api_id, "prod")
    gw.delete_route(api.api_id, route.route_id)
    gw.delete_integration(api.api_id, integration.integration_id)
    assert (gw.get_routes(api.api_id), gw.get_integrations(api.api_id), gw.get_api_stages(api.api_id)) == ([], [], [])
    with pytest.raises(NotFound) as caught:
        gw.create_route("nosuchapi0", "GET /x")
    assert caught.value.code == "NotFoundException"


def test_update_route_sets_a_route_s_authorizer_and_none_takes_it_off(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    api = gw.create_api(name="guarded")
    route = gw.create_route(api.api_id, "GET /pets")
    jwt = gw.create_authorizer(api.api_id, "users", "JWT", ["$request.header.Authorization"],
                               jwt_configuration={"Issuer": "https://issuer.example", "Audience": ["app"]})
    updated = gw.update_route(api.api_id, route.route_id, authorization_type="JWT", authorizer_id=jwt.authorizer_id,
                              authorization_scopes=["pets:read"])
    assert (updated.route_id, updated.route_key) == (route.route_id, "GET /pets")
    assert (updated.authorization_type, updated.authorizer_id, updated.authorization_scopes) == (
        "JWT", jwt.authorizer_id, ["pets:read"])
    [listed] = gw.get_routes(api.api_id)
    assert (listed.authorization_type, listed.authorizer_id) == ("JWT", jwt.authorizer_id)
    renamed = gw.update_route(api.api_id, route.route_id, route_key="GET /animals")
    assert (renamed.route_key, renamed.authorization_type) == ("GET /animals", "JWT")  # the rest stays
    opened = gw.update_route(api.api_id, route.route_id, authorization_type="NONE")
    assert opened.authorization_type == "NONE"
    assert [r.authorization_type for r in gw.get_routes(api.api_id)] == ["NONE"]
    with pytest.raises(NotFound) as caught:
        gw.update_route(api.api_id, "nosuch1", authorization_type="NONE")
    assert caught.value.code == "NotFoundException"


def test_update_stage_gives_a_route_its_own_throttling(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    api = gw.create_api(name="limited")
    gw.create_route(api.api_id, "GET /pets")
    gw.create_stage(api.api_id, "prod")
    settings = {"GET /pets": {"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 1.0}}
    with moto_lacks(contract_backend, "update_stage", {"StageName": "prod", "RouteSettings": settings},
                    {"ApiId": api.api_id, "StageName": "prod", "RouteSettings": settings}):
        staged = gw.update_stage(api.api_id, "prod", route_settings=settings)
    limits = staged.route_settings["GET /pets"]
    assert (limits.throttling_burst_limit, limits.throttling_rate_limit) == (2, 1.0)
    if contract_backend.capabilities.emulated:  # moto keeps no stage changes to read back
        [stage] = gw.get_api_stages(api.api_id)
        assert stage.route_settings["GET /pets"].throttling_burst_limit == 2
        with pytest.raises(InvalidParameter) as refused:
            gw.update_stage(api.api_id, "prod", route_settings={"GET /nothing": {"ThrottlingBurstLimit": 1}})
        assert (refused.value.code, refused.value.field) == ("BadRequestException", "RouteSettings")


def test_a_rest_api_s_resources_methods_and_deployments(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    api = gw.create_rest_api(name="shop")
    [root] = gw.get_resources(api.id)
    items = gw.create_resource(api.id, root.id, "items")
    item = gw.create_resource(api.id, items.id, "{id}")
    assert (items.path, item.path, item.parent_id) == ("/items", "/items/{id}", items.id)
    method = gw.put_method(api.id, item.id, "GET")
    assert (method.http_method, method.authorization_type) == ("GET", "NONE")
    integration = gw.put_integration(api.id, item.id, "GET", "MOCK",
                                     request_templates={"application/json": '{"statusCode": 200}'})
    assert integration.type == "MOCK"
    gw.put_method_response(api.id, item.id, "GET", "200")
    gw.put_integration_response(api.id, item.id, "GET", "200", response_templates={"application/json": "{}"})
    deployment = gw.create_rest_deployment(api.id, "prod", description="first")
    assert [s.stage_name for s in gw.get_stages(api.id)] == ["prod"]
    assert [d.id for d in gw.get_rest_deployments(api.id)] == [deployment.id]
    assert gw.rest_invoke_url(api.id, "prod").endswith("/prod")
    described = {r.path: r for r in gw.get_resources(api.id)}
    assert "GET" in described["/items/{id}"].resource_methods
    gw.delete_resource(api.id, item.id)  # (moto 5.2.6 does not take a resource's children with it)
    gw.delete_resource(api.id, items.id)
    assert [r.path for r in gw.get_resources(api.id)] == ["/"]


def test_update_rest_stage_sets_and_removes_a_stage_s_access_logging(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    api = gw.create_rest_api(name="logged")
    [root] = gw.get_resources(api.id)
    gw.put_method(api.id, root.id, "GET")
    gw.put_integration(api.id, root.id, "GET", "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.create_rest_deployment(api.id, "prod")
    group = "arn:aws:logs:us-east-1:000000000000:log-group:rest-access"
    line = "$context.requestId $context.httpMethod $context.resourcePath $context.status"
    staged = gw.update_rest_stage(api.id, "prod", [
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": group},
        {"op": "replace", "path": "/accessLogSettings/format", "value": line},
        {"op": "replace", "path": "/variables/table", "value": "pets"}])
    assert (staged.stage_name, staged.variables) == ("prod", {"table": "pets"})
    assert (staged.access_log_settings.destination_arn, staged.access_log_settings.format) == (group, line)
    [listed] = gw.get_stages(api.id)
    assert (listed.access_log_settings.destination_arn, listed.variables) == (group, {"table": "pets"})
    off = gw.update_rest_stage(api.id, "prod", [{"op": "remove", "path": "/accessLogSettings"},
                                                 {"op": "remove", "path": "/variables/table"}])
    assert (off.access_log_settings, off.variables) == (None, {})
    [listed] = gw.get_stages(api.id)
    assert listed.access_log_settings is None


def test_api_keys_and_usage_plans(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    api = gw.create_rest_api(name="paid")
    [root] = gw.get_resources(api.id)
    gw.put_method(api.id, root.id, "GET", api_key_required=True)
    gw.put_integration(api.id, root.id, "GET", "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.create_rest_deployment(api.id, "prod")
    made = gw.create_api_key("team", enabled=True)
    assert made.name == "team" and made.value
    assert [(k.name, k.value) for k in gw.get_api_keys(include_values=True)] == [("team", made.value)]
    plan = gw.create_usage_plan("basic", api_stages=[{"apiId": api.id, "stage": "prod"}],
                                throttle={"rateLimit": 10.0, "burstLimit": 20}, quota={"limit": 1000, "period": "DAY"})
    assert (plan.name, plan.quota["limit"], plan.throttle["burstLimit"]) == ("basic", 1000, 20)
    attached = gw.create_usage_plan_key(plan.id, made.id)
    assert attached["id"] == made.id
    assert [p.id for p in gw.get_usage_plans()] == [plan.id]
    gw.delete_usage_plan(plan.id)
    gw.delete_api_key(made.id)
    assert (gw.get_usage_plans(), gw.get_api_keys()) == ([], [])


def test_a_rest_api_s_lambda_authorizers(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    api = gw.create_rest_api(name="guarded")
    function = "arn:aws:lambda:us-east-1:000000000000:function:auth"
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function}/invocations"
    made = gw.create_rest_authorizer(api.id, "token", "TOKEN", authorizer_uri=uri,
                                     identity_source="method.request.header.Authorization",
                                     authorizer_result_ttl_in_seconds=60)
    assert (made.name, made.type, made.identity_source) == ("token", "TOKEN", "method.request.header.Authorization")
    [root] = gw.get_resources(api.id)
    method = gw.put_method(api.id, root.id, "GET", "CUSTOM", authorizer_id=made.id)
    assert (method.authorization_type, method.authorizer_id) == ("CUSTOM", made.id)
    assert [a.id for a in gw.get_rest_authorizers(api.id)] == [made.id]


def test_testing_an_api_that_does_not_exist_is_not_found(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    with pytest.raises(NotFound) as http_api:
        gw.test_invoke("nothere", "GET", "/")
    assert http_api.value.code == "NotFoundException"
    with contextlib.ExitStack() as moto_has_none:  # aws: moto has no TestInvokeMethod; AWS's 404
        if is_aws(contract_backend):
            stub = moto_has_none.enter_context(stubbed(contract_backend, "apigateway"))
            stub.add_client_error("test_invoke_method", "NotFoundException",
                                  "Invalid API identifier specified 123456789012:nothere", 404)
        with pytest.raises(NotFound) as rest_api:
            gw.test_invoke("nothere", "GET", "/", resource_id="abc123")
    assert rest_api.value.code == "NotFoundException"


def test_a_usage_plan_s_keys_and_deleting_a_method(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    api = gw.create_rest_api(name="metered")
    [root] = gw.get_resources(api.id)
    gw.put_method(api.id, root.id, "GET", api_key_required=True)
    gw.put_integration(api.id, root.id, "GET", "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.put_method(api.id, root.id, "POST")
    [listed] = gw.get_resources(api.id)
    assert sorted(listed.resource_methods) == ["GET", "POST"]
    assert listed.resource_methods["GET"]["apiKeyRequired"] is True  # the methods whole, not their names only
    assert listed.resource_methods["GET"]["methodIntegration"]["type"] == "MOCK"
    gw.delete_method(api.id, root.id, "POST")
    assert sorted(gw.get_resources(api.id)[0].resource_methods) == ["GET"]
    if contract_backend.capabilities.emulated:  # AWS's answer; moto 5.2.6 deletes nothing without a word
        with pytest.raises(NotFound) as caught:
            gw.delete_method(api.id, root.id, "POST")
        assert caught.value.code == "NotFoundException"
    gw.create_rest_deployment(api.id, "prod")
    plan = gw.create_usage_plan("basic", api_stages=[{"apiId": api.id, "stage": "prod"}])
    assert gw.get_usage_plan_keys(plan.id) == []
    team = gw.create_api_key("team")
    other = gw.create_api_key("other")
    gw.create_usage_plan_key(plan.id, team.id)
    gw.create_usage_plan_key(plan.id, other.id)
    keys = gw.get_usage_plan_keys(plan.id)
    assert sorted((k["id"], k["name"], k["type"]) for k in keys) == sorted(
        [(team.id, "team", "API_KEY"), (other.id, "other", "API_KEY")])
    gw.delete_usage_plan_key(plan.id, team.id)
    assert [k["id"] for k in gw.get_usage_plan_keys(plan.id)] == [other.id]
    assert {k.id for k in gw.get_api_keys()} == {team.id, other.id}  # the key itself stays
