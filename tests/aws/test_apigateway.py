"""The aws backend's API Gateway adapter: REST APIs (v1) and HTTP/WebSocket APIs (v2) against
moto's server; AWS's quick create (which moto ignores) with botocore's Stubber."""

from __future__ import annotations

import pytest

from computetui.backends import open_backend
from computetui.backends.aws.apigateway import AwsApiGateway
from computetui.backends.errors import InvalidParameter, NotFound, Unavailable
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


def test_read_only_refuses_every_change_and_sends_nothing(moto_server: str, aws_credentials) -> None:  # noqa: ANN001
    backend = open_backend("aws", region="us-east-1", endpoint_url=moto_server, read_only=True)
    try:
        operations = assert_read_only(backend, "apigateway", CallCounter(backend))
    finally:
        backend.close()
    assert operations == ["create_api", "create_rest_api", "delete_api", "delete_rest_api"]


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
