"""The aws backend's API Gateway adapter: REST APIs (v1) and HTTP/WebSocket APIs (v2) against
moto's server; AWS's quick create (which moto ignores) with botocore's Stubber.

Where moto 5.2 answers v2 differently from AWS, the Stubber plays AWS's answer: moto has no
deployments (CreateDeployment and GetDeployments are a 404 HTML page), answers 200 deleting a
route, integration or stage that does not exist, and accepts a stage name or route key already
taken and a TimeoutInMillis over 30000."""

from __future__ import annotations

import datetime as dt

import pytest

from computetui.backends import open_backend
from computetui.backends.aws.apigateway import AwsApiGateway
from computetui.backends.errors import Conflict, InvalidParameter, NotFound, Unavailable
from computetui.models import apigateway as m
from tests.support.aws import CallCounter
from tests.support.aws_stubs import assert_read_only, closed_port, http_api, stubbed

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:pets"


def test_the_adapter_is_the_api_gateway_facet(aws_backend) -> None:  # noqa: ANN001
    assert isinstance(aws_backend.apigateway, AwsApiGateway)


def test_rest_apis_are_read_500_a_page(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    made = [gw.create_rest_api(name=f"api-{i}") for i in range(30)]  # more than v1's default page of 25
    calls.clear()
    listed = gw.get_rest_apis()
    assert sorted(a.id for a in listed) == sorted(a.id for a in made)
    assert calls.of("apigateway", "GetRestApis") == 1
    assert len(calls.sent) == 1 and "limit=500" in calls.sent[0]


def test_create_rest_api_sends_aws_names(aws_backend) -> None:  # noqa: ANN001
    api = aws_backend.apigateway.create_rest_api(
        name="pets",
        description="the pet store",
        endpoint_configuration={"types": ["EDGE"]},
        tags={"team": "web"},
    )
    assert len(api.id) == 10
    assert (api.name, api.description, api.tags) == ("pets", "the pet store", {"team": "web"})
    assert api.endpoint_configuration.types == [m.EndpointType.EDGE]
    assert api.created_date is not None


def test_resources_and_stages(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    api = gw.create_rest_api(name="pets")
    client = aws_backend.client("apigateway")
    [root] = gw.get_resources(api.id)
    pets = client.create_resource(restApiId=api.id, parentId=root.id, pathPart="pets")["id"]
    client.create_resource(restApiId=api.id, parentId=pets, pathPart="{petId}")
    client.put_method(restApiId=api.id, resourceId=pets, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api.id, resourceId=pets, httpMethod="GET", type="MOCK")
    client.create_deployment(restApiId=api.id, stageName="prod", description="first")
    calls.clear()

    resources = gw.get_resources(api.id)
    assert [r.path for r in resources] == ["/", "/pets", "/pets/{petId}"]
    assert "GET" in resources[1].resource_methods
    assert calls.of("apigateway", "GetResources") == 1 and "limit=500" in calls.sent[0]
    [stage] = gw.get_stages(api.id)
    assert stage.stage_name == "prod" and stage.deployment_id
    assert calls.of("apigateway", "GetStages") == 1


def test_a_missing_rest_api_is_not_found(aws_backend) -> None:  # noqa: ANN001
    with pytest.raises(NotFound) as caught:
        aws_backend.apigateway.get_resources("nosuchapi0")
    assert caught.value.code == "NotFoundException"
    with pytest.raises(NotFound):
        aws_backend.apigateway.get_stages("nosuchapi0")
    # moto fails with a 500 deleting an unknown REST API; AWS's answer, from the Stubber:
    with stubbed(aws_backend, "apigateway") as stub:
        stub.add_client_error(
            "delete_rest_api",
            service_error_code="NotFoundException",
            service_message="Invalid API identifier specified 123456789012:nosuchapi0",
            http_status_code=404,
            expected_params={"restApiId": "nosuchapi0"},
        )
        with pytest.raises(NotFound) as caught:
            aws_backend.apigateway.delete_rest_api("nosuchapi0")
    assert caught.value.code == "NotFoundException"


def test_http_and_websocket_apis(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    http = gw.create_api(name="hello", description="hi", tags={"team": "web"})
    assert http.protocol_type is m.ProtocolType.HTTP
    assert http.api_endpoint == f"https://{http.api_id}.execute-api.us-east-1.amazonaws.com"
    assert http.description == "hi" and http.route_selection_expression == "$request.method $request.path"
    chat = gw.create_api(name="chat", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
    assert chat.route_selection_expression == "$request.body.action"
    calls.clear()
    assert {a.api_id: a.protocol_type for a in gw.get_apis()} == {
        http.api_id: m.ProtocolType.HTTP,
        chat.api_id: m.ProtocolType.WEBSOCKET,
    }
    assert calls.of("apigatewayv2", "GetApis") == 1
    gw.delete_api(chat.api_id)
    assert [a.api_id for a in gw.get_apis()] == [http.api_id]


def test_websocket_rules_are_checked_before_sending(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.apigateway.create_api(name="chat", protocol_type="WEBSOCKET")
    assert (caught.value.code, caught.value.field) == ("BadRequestException", "RouteSelectionExpression")
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.apigateway.create_api(
            name="chat", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action", target=FUNCTION
        )
    assert caught.value.field == "Target"
    assert calls.sent == []


def test_routes_show_what_they_invoke_with_one_integrations_listing(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    api = gw.create_api(name="pets")
    client = aws_backend.client("apigatewayv2")
    integration = client.create_integration(
        ApiId=api.api_id, IntegrationType="AWS_PROXY", IntegrationUri=FUNCTION, PayloadFormatVersion="2.0"
    )["IntegrationId"]
    for key in ("GET /pets", "POST /pets", "DELETE /pets/{id}"):
        client.create_route(ApiId=api.api_id, RouteKey=key, Target=f"integrations/{integration}")
    client.create_route(ApiId=api.api_id, RouteKey="GET /health")  # no target
    client.create_route(ApiId=api.api_id, RouteKey="GET /old", Target="integrations/gone123")
    calls.clear()

    routes = {r.route_key: r.target for r in gw.get_routes(api.api_id)}
    assert routes == {
        "GET /pets": FUNCTION,
        "POST /pets": FUNCTION,
        "DELETE /pets/{id}": FUNCTION,
        "GET /health": None,
        "GET /old": "integrations/gone123",  # its integration is gone: as AWS has it
    }
    assert (calls.of("apigatewayv2", "GetRoutes"), calls.of("apigatewayv2", "GetIntegrations")) == (1, 1)

    calls.clear()
    bare = gw.create_api(name="bare")
    client.create_route(ApiId=bare.api_id, RouteKey="$default")
    calls.clear()
    assert [(r.route_key, r.target) for r in gw.get_routes(bare.api_id)] == [("$default", None)]
    assert calls.of("apigatewayv2", "GetIntegrations") == 0  # nothing to resolve, nothing asked


def test_quick_create_sends_the_target_to_aws(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    # moto ignores Target; AWS makes the integration, the $default route and stage itself.
    with stubbed(aws_backend, "apigatewayv2") as stub:
        stub.add_response(
            "create_api",
            http_api("a1b2c3d4e5", "hello", Description="hi"),
            {
                "Name": "hello",
                "ProtocolType": "HTTP",
                "Target": FUNCTION,
                "Description": "hi",
                "RouteKey": "GET /hello",
            },
        )
        api = aws_backend.apigateway.create_api(name="hello", target=FUNCTION, description="hi", route_key="GET /hello")
    assert (api.api_id, api.name, api.description) == ("a1b2c3d4e5", "hello", "hi")
    assert calls.sent == []


def test_http_api_stages(aws_backend) -> None:  # noqa: ANN001
    api = aws_backend.apigateway.create_api(name="staged")
    aws_backend.client("apigatewayv2").create_stage(ApiId=api.api_id, StageName="$default", AutoDeploy=True)
    [stage] = aws_backend.apigateway.get_api_stages(api.api_id)
    assert (stage.stage_name, stage.auto_deploy) == ("$default", True)


def test_a_missing_http_api_is_not_found(aws_backend) -> None:  # noqa: ANN001
    with pytest.raises(NotFound) as caught:
        aws_backend.apigateway.get_routes("nosuchapi0")
    assert caught.value.code == "NotFoundException"


def test_integrations_routes_and_a_stage_are_made_and_listed(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    api = gw.create_api(name="pets")
    lam = gw.create_integration(
        api.api_id, "AWS_PROXY", integration_uri=FUNCTION, payload_format_version="2.0", timeout_in_millis=12000
    )
    assert (lam.integration_type, lam.integration_uri) == ("AWS_PROXY", FUNCTION)
    assert (lam.payload_format_version, lam.timeout_in_millis) == ("2.0", 12000)
    web = gw.create_integration(
        api.api_id, "HTTP_PROXY", integration_uri="https://example.com/pets", integration_method="GET"
    )
    assert (web.integration_type, web.integration_method) == ("HTTP_PROXY", "GET")

    route = gw.create_route(api.api_id, "GET /pets", target=f"integrations/{lam.integration_id}",
                            authorization_type="NONE")
    # create_route answers AWS's route: the raw target, where get_routes shows the function.
    assert (route.route_key, route.target) == ("GET /pets", f"integrations/{lam.integration_id}")
    assert (route.authorization_type, route.api_key_required) == ("NONE", False)
    gw.create_route(api.api_id, "ANY /{proxy+}", target=f"integrations/{web.integration_id}")
    assert {r.route_key: r.target for r in gw.get_routes(api.api_id)} == {
        "GET /pets": FUNCTION,
        "ANY /{proxy+}": "https://example.com/pets",
    }

    stage = gw.create_stage(
        api.api_id, "prod", auto_deploy=True, stage_variables={"fn": "pets"},
        default_route_settings=m.RouteSettings(throttling_burst_limit=10, throttling_rate_limit=5.0),
    )
    assert (stage.stage_name, stage.auto_deploy, stage.stage_variables) == ("prod", True, {"fn": "pets"})
    calls.clear()

    listed = {i.integration_id: i for i in gw.get_integrations(api.api_id)}
    assert calls.of("apigatewayv2", "GetIntegrations") == 1
    assert set(listed) == {lam.integration_id, web.integration_id}
    got = listed[lam.integration_id]
    assert (got.integration_type, got.payload_format_version, got.timeout_in_millis) == ("AWS_PROXY", "2.0", 12000)
    assert listed[web.integration_id].integration_uri == "https://example.com/pets"
    [stage] = gw.get_api_stages(api.api_id)
    assert (stage.stage_name, stage.auto_deploy, stage.stage_variables) == ("prod", True, {"fn": "pets"})
    assert stage.default_route_settings == m.RouteSettings(throttling_burst_limit=10, throttling_rate_limit=5.0)


def test_deleting_a_route_an_integration_and_a_stage_removes_them(aws_backend) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    api = gw.create_api(name="pets")
    keep, drop = (gw.create_integration(api.api_id, "HTTP_PROXY", integration_uri=f"https://example.com/{n}",
                                        integration_method="ANY") for n in ("keep", "drop"))
    kept = gw.create_route(api.api_id, "GET /keep", target=f"integrations/{keep.integration_id}")
    dropped = gw.create_route(api.api_id, "GET /drop")
    gw.create_stage(api.api_id, "prod")
    gw.create_stage(api.api_id, "test")

    gw.delete_route(api.api_id, dropped.route_id)
    assert [r.route_id for r in gw.get_routes(api.api_id)] == [kept.route_id]
    gw.delete_integration(api.api_id, drop.integration_id)
    assert [i.integration_id for i in gw.get_integrations(api.api_id)] == [keep.integration_id]
    gw.delete_stage(api.api_id, "test")
    assert [s.stage_name for s in gw.get_api_stages(api.api_id)] == ["prod"]


def test_deleting_what_is_not_there_is_not_found(aws_backend) -> None:  # noqa: ANN001
    # moto answers 200 deleting a route, integration or stage that does not exist; AWS's answers:
    gw = aws_backend.apigateway
    with stubbed(aws_backend, "apigatewayv2") as stub:
        for operation, params, message in (
            ("delete_route", {"RouteId": "nope123"}, "Invalid Route identifier specified nope123"),
            ("delete_integration", {"IntegrationId": "nope123"}, "Invalid Integration identifier specified nope123"),
            ("delete_stage", {"StageName": "nope"}, "Invalid stage identifier specified"),
        ):
            stub.add_client_error(operation, service_error_code="NotFoundException", service_message=message,
                                  http_status_code=404, expected_params={"ApiId": "a1b2c3d4e5", **params})
        for delete, name in ((gw.delete_route, "nope123"), (gw.delete_integration, "nope123"),
                             (gw.delete_stage, "nope")):
            with pytest.raises(NotFound) as caught:
                delete("a1b2c3d4e5", name)
            assert caught.value.code == "NotFoundException"


def test_an_unknown_http_api_is_not_found_everywhere(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    for attempt in (
        lambda: gw.create_route("nosuchapi0", "GET /pets"),
        lambda: gw.create_integration("nosuchapi0", "HTTP_PROXY", integration_uri="https://example.com",
                                      integration_method="GET"),
        lambda: gw.create_stage("nosuchapi0", "prod"),
        lambda: gw.get_integrations("nosuchapi0"),
        lambda: gw.get_api_stages("nosuchapi0"),
        lambda: gw.invoke_url("nosuchapi0", "prod"),
    ):
        with pytest.raises(NotFound) as caught:
            attempt()
        assert caught.value.code == "NotFoundException"
    assert calls.total() == 6
    # moto has no deployments at all (a 404 HTML page); AWS's answers:
    with stubbed(aws_backend, "apigatewayv2") as stub:
        for operation in ("create_deployment", "get_deployments"):
            stub.add_client_error(operation, service_error_code="NotFoundException",
                                  service_message="Invalid API identifier specified nosuchapi0",
                                  http_status_code=404, expected_params={"ApiId": "nosuchapi0"})
        for attempt in (lambda: gw.create_deployment("nosuchapi0"), lambda: gw.get_deployments("nosuchapi0")):
            with pytest.raises(NotFound) as caught:
                attempt()
            assert caught.value.code == "NotFoundException"


def _deployment(deployment_id: str, status: str = "DEPLOYED", **extra: object) -> dict:
    """A deployment as CreateDeployment / GetDeployments return it."""
    return {"DeploymentId": deployment_id, "DeploymentStatus": status,
            "CreatedDate": dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC), **extra}


def test_deployments_are_made_and_read_every_page(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    # moto has no deployments (CreateDeployment / GetDeployments are a 404 HTML page): AWS's answers.
    gw = aws_backend.apigateway
    with stubbed(aws_backend, "apigatewayv2") as stub:
        stub.add_response("create_deployment", _deployment("d3pl0y1", Description="first", AutoDeployed=False),
                          {"ApiId": "a1b2c3d4e5", "StageName": "prod", "Description": "first"})
        stub.add_response("create_deployment", _deployment("d3pl0y2", "PENDING"), {"ApiId": "a1b2c3d4e5"})
        stub.add_response("get_deployments",
                          {"Items": [_deployment("d3pl0y1", Description="first", AutoDeployed=False)],
                           "NextToken": "page2"},
                          {"ApiId": "a1b2c3d4e5"})
        stub.add_response("get_deployments",
                          {"Items": [_deployment("d3pl0y2", "FAILED", DeploymentStatusMessage="no routes"),
                                     _deployment("aut0dep", AutoDeployed=True)]},
                          {"ApiId": "a1b2c3d4e5", "NextToken": "page2"})
        first = gw.create_deployment("a1b2c3d4e5", stage_name="prod", description="first")
        second = gw.create_deployment("a1b2c3d4e5")
        listed = gw.get_deployments("a1b2c3d4e5")
    assert (first.deployment_id, first.deployment_status, first.description) == ("d3pl0y1", "DEPLOYED", "first")
    assert first.created_date == dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
    assert (second.deployment_id, second.deployment_status) == ("d3pl0y2", "PENDING")
    assert [(d.deployment_id, d.deployment_status, d.auto_deployed) for d in listed] == [
        ("d3pl0y1", "DEPLOYED", False),
        ("d3pl0y2", "FAILED", None),
        ("aut0dep", "DEPLOYED", True),
    ]
    assert calls.sent == []


def test_a_taken_name_is_a_conflict_and_a_bad_timeout_a_bad_request(aws_backend) -> None:  # noqa: ANN001
    # moto accepts a second stage named "prod" and a timeout of 40000 ms; AWS refuses both:
    gw = aws_backend.apigateway
    with stubbed(aws_backend, "apigatewayv2") as stub:
        stub.add_client_error("create_stage", service_error_code="ConflictException",
                              service_message="Stage already exists", http_status_code=409,
                              expected_params={"ApiId": "a1b2c3d4e5", "StageName": "prod"})
        stub.add_client_error("create_integration", service_error_code="BadRequestException",
                              service_message="Timeout must be between 50 milliseconds and 30000 milliseconds.",
                              http_status_code=400,
                              expected_params={"ApiId": "a1b2c3d4e5", "IntegrationType": "AWS_PROXY",
                                               "IntegrationUri": FUNCTION, "PayloadFormatVersion": "2.0",
                                               "TimeoutInMillis": 40000})
        with pytest.raises(Conflict) as conflict:
            gw.create_stage("a1b2c3d4e5", "prod")
        with pytest.raises(InvalidParameter) as bad:
            gw.create_integration("a1b2c3d4e5", "AWS_PROXY", integration_uri=FUNCTION,
                                  payload_format_version="2.0", timeout_in_millis=40000)
    assert conflict.value.code == "ConflictException"
    assert bad.value.code == "BadRequestException" and "30000" in bad.value.message


def test_invoke_urls_of_a_named_stage_and_of_default(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    api = gw.create_api(name="pets")
    endpoint = f"https://{api.api_id}.execute-api.us-east-1.amazonaws.com"
    calls.clear()
    assert gw.invoke_url(api.api_id, "prod") == f"{endpoint}/prod"
    assert gw.invoke_url(api.api_id, "$default") == endpoint
    assert (calls.of("apigatewayv2", "GetApi"), calls.total()) == (2, 2)


def test_read_only_refuses_every_change_and_sends_nothing(moto_server: str, aws_credentials) -> None:  # noqa: ANN001
    backend = open_backend("aws", region="us-east-1", endpoint_url=moto_server, read_only=True)
    try:
        operations = assert_read_only(backend, "apigateway", CallCounter(backend))
    finally:
        backend.close()
    assert operations == [
        "create_api", "create_api_key", "create_authorizer", "create_deployment", "create_integration",
        "create_resource", "create_rest_api", "create_rest_authorizer", "create_rest_deployment",
        "create_route", "create_stage", "create_usage_plan", "create_usage_plan_key", "delete_api",
        "delete_api_key", "delete_authorizer", "delete_integration", "delete_method", "delete_resource",
        "delete_rest_api", "delete_rest_authorizer", "delete_route", "delete_stage", "delete_usage_plan",
        "delete_usage_plan_key", "put_integration",
        "put_integration_response", "put_method", "put_method_response", "test_invoke", "update_api", "update_rest_stage",
        "update_route", "update_stage",
    ]


def test_an_unreachable_endpoint_is_unavailable(aws_credentials) -> None:  # noqa: ANN001
    backend = open_backend(
        "aws", region="us-east-1", endpoint_url=f"http://127.0.0.1:{closed_port()}", max_attempts=1, connect_timeout=1
    )
    try:
        with pytest.raises(Unavailable):
            backend.apigateway.get_rest_apis()
        with pytest.raises(Unavailable):
            backend.apigateway.get_apis()
    finally:
        backend.close()


def test_an_http_api_s_test_is_the_request_to_its_invoke_url(aws_backend) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    api = gw.create_api(name="pets")
    sent: list[tuple[str, str, dict[str, str], bytes]] = []

    def send(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        sent.append((method, url, headers, body))
        return 201, [("Apigw-Requestid", "abc="), ("Content-Type", "application/json")], b'{"made": true}'

    gw.send = send  # the invoke URL is AWS's: nothing leaves this machine in tests
    found = gw.test_invoke(api.api_id, "post", "/pets", stage_name="prod", query="?x=1", headers={"A": "b"}, body="{}")
    assert sent == [("POST", f"{api.api_endpoint}/prod/pets?x=1", {"A": "b"}, b"{}")]
    assert (found.status, found.body, found.request_id, found.url) == (201, '{"made": true}', "abc=", sent[0][1])
    assert (found.report, found.cold_start, found.log) == (None, None, None)


def test_a_rest_api_s_test_is_test_invoke_method(aws_backend) -> None:  # noqa: ANN001
    gw = aws_backend.apigateway
    api = gw.create_rest_api(name="pets")
    [root] = gw.get_resources(api.id)
    answer = {"status": 200, "body": '{"up": 1}', "headers": {"X-Amzn-RequestId": "r-1"},
              "multiValueHeaders": {"X-Amzn-RequestId": ["r-1"], "Set-Cookie": ["a=1", "b=2"]},
              "log": "Execution log for request r-1\n", "latency": 12}
    with stubbed(aws_backend, "apigateway") as stub:  # moto has no TestInvokeMethod
        stub.add_response("test_invoke_method", answer, {
            "restApiId": api.id, "resourceId": root.id, "httpMethod": "GET", "pathWithQueryString": "/?q=1",
            "headers": {"Accept": "application/json"}})
        found = gw.test_invoke(api.id, "get", "/", resource_id=root.id, query="q=1",
                               headers={"Accept": "application/json"}, stage_name="prod")
    assert (found.status, found.body, found.latency_ms, found.request_id) == (200, '{"up": 1}', 12.0, "r-1")
    assert ("Set-Cookie", "a=1") in found.headers and ("Set-Cookie", "b=2") in found.headers
    assert found.log == "Execution log for request r-1\n"
    assert found.url == f"https://{api.id}.execute-api.us-east-1.amazonaws.com/prod/?q=1"
