"""A REST API's stage on the local gateway: its access log settings (UpdateStage's patch
operations), the access log lines its requests write and its metrics (by ApiName and Stage)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from computetui.backends.errors import InvalidParameter, NotFound
from computetui.backends.local import LocalBackend
from tests.local.apigateway.conftest import call
from tests.support.waits import until

GROUP = "/rest/access"
DESTINATION = f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:*"
FORMAT = ("$context.requestId $context.httpMethod $context.resourcePath $context.path $context.status "
          "$context.stage $context.nothing")


def mocked_api(gw_backend: LocalBackend, name: str = "shop") -> tuple[Any, str]:
    """A REST API with ``GET /items`` (MOCK, 200) deployed on ``prod``; the API and the resource's id."""
    gw = gw_backend.apigateway
    api = gw.create_rest_api(name)
    [root] = gw.get_resources(api.id)
    items = gw.create_resource(api.id, root.id, "items")
    gw.put_method(api.id, items.id, "GET")
    gw.put_integration(api.id, items.id, "GET", "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.put_method_response(api.id, items.id, "GET", "200")
    gw.put_integration_response(api.id, items.id, "GET", "200", response_templates={"application/json": '{"n": 1}'})
    gw.create_rest_deployment(api.id, "prod")
    return api, items.id


def log_to(gw_backend: LocalBackend, api_id: str, format_: str = FORMAT) -> None:
    gw_backend.apigateway.update_rest_stage(api_id, "prod", [
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": DESTINATION},
        {"op": "replace", "path": "/accessLogSettings/format", "value": format_}])


def figure(gw_backend: LocalBackend, name: str, statistic: str = "Sum", dimensions: dict[str, str] | None = None
           ) -> float:
    now = datetime.now(UTC)
    [result] = gw_backend.metrics.get_metric_data([{"Id": "m", "MetricStat": {"Metric": {
        "Namespace": "AWS/ApiGateway", "MetricName": name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in (dimensions or {}).items()]},
        "Period": 3600, "Stat": statistic}}], now - timedelta(hours=1), now + timedelta(minutes=1))
    return sum(result.values)


def lines(gw_backend: LocalBackend) -> list[str]:
    return [e.message for e in gw_backend.logs.filter_log_events(GROUP)]


def test_a_rest_stage_writes_its_access_log_and_counts_its_requests(gw_backend) -> None:  # noqa: ANN001
    api, _ = mocked_api(gw_backend)
    gw_backend.logs.create_log_group(GROUP)
    log_to(gw_backend, api.id)
    url = gw_backend.apigateway.rest_invoke_url(api.id, "prod")
    assert call(url + "/items").status == 200
    assert call(url + "/items", method="POST").status == 403  # no such method: counted against the stage
    found = until(lambda: len(got := lines(gw_backend)) == 2 and got, 10)
    assert sorted(line.split(" ", 1)[1] for line in found) == [
        "GET /items /prod/items 200 prod -", "POST - /prod/items 403 prod -"]
    assert all(len(line.split(" ", 1)[0]) == 16 for line in found)  # the request's id
    by_name = {"ApiName": "shop", "Stage": "prod"}
    until(lambda: figure(gw_backend, "Count", dimensions=by_name) == 2, 10)
    assert (figure(gw_backend, "4XXError", dimensions=by_name), figure(gw_backend, "5XXError", dimensions=by_name)) \
        == (1, 0)
    assert figure(gw_backend, "Latency", "SampleCount", by_name) == 2
    assert figure(gw_backend, "IntegrationLatency", "SampleCount", by_name) == 1  # the 403 reached no integration
    assert figure(gw_backend, "Count", dimensions={"ApiName": "shop"}) == 2  # every stage
    # HTTP APIs' names and dimension find nothing of a REST API's
    assert figure(gw_backend, "Count", dimensions={"ApiId": api.id, "Stage": "prod"}) == 0
    assert figure(gw_backend, "4xx", dimensions=by_name) == 0
    assert figure(gw_backend, "Count", dimensions={"ApiName": "other", "Stage": "prod"}) == 0


def test_two_rest_apis_of_one_name_add_up_and_logging_off_writes_nothing(gw_backend) -> None:  # noqa: ANN001
    first, _ = mocked_api(gw_backend)
    second, _ = mocked_api(gw_backend)
    gw_backend.logs.create_log_group(GROUP)
    log_to(gw_backend, first.id, "$context.requestId $context.apiId")
    gw_backend.apigateway.update_rest_stage(first.id, "prod", [{"op": "remove", "path": "/accessLogSettings"}])
    log_to(gw_backend, second.id, "$context.extendedRequestId $context.apiId")
    for api in (first, second):
        assert call(gw_backend.apigateway.rest_invoke_url(api.id, "prod") + "/items").status == 200
    until(lambda: figure(gw_backend, "Count", dimensions={"ApiName": "shop", "Stage": "prod"}) == 2, 10)
    assert [line.split(" ")[1] for line in lines(gw_backend)] == [second.id]


def test_a_test_invoke_method_request_is_neither_logged_nor_counted(gw_backend) -> None:  # noqa: ANN001
    api, items = mocked_api(gw_backend)
    gw_backend.logs.create_log_group(GROUP)
    log_to(gw_backend, api.id)
    tested = gw_backend.apigateway.test_invoke(api.id, "GET", "/items", resource_id=items)
    assert tested.status == 200
    assert call(gw_backend.apigateway.rest_invoke_url(api.id, "prod") + "/items").status == 200
    # recorded after the test's request: once it is written, the test's would have been too
    until(lambda: figure(gw_backend, "Count", dimensions={"ApiName": "shop", "Stage": "prod"}) >= 1, 10)
    assert figure(gw_backend, "Count", dimensions={"ApiName": "shop", "Stage": "prod"}) == 1
    assert len(until(lambda: lines(gw_backend), 10)) == 1


def test_update_rest_stage_applies_variables_and_refuses_what_it_does_not_know(gw_backend) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api, _ = mocked_api(gw_backend)
    staged = gw.update_rest_stage(api.id, "prod", [{"op": "replace", "path": "/variables/table", "value": "pets"},
                                                   {"op": "replace", "path": "/description", "value": "live"}])
    assert (staged.variables, staged.description) == ({"table": "pets"}, "live")
    with pytest.raises(InvalidParameter) as caught:
        gw.update_rest_stage(api.id, "prod", [{"op": "remove", "path": "/variables/table"},
                                              {"op": "replace", "path": "/cacheClusterSize", "value": "0.5"}])
    assert (caught.value.code, caught.value.field) == ("BadRequestException", "patchOperations.2.member.path")
    assert "'/cacheClusterSize'" in caught.value.message
    assert gw.get_stages(api.id)[0].variables == {"table": "pets"}  # all or none
    for operation, field, words in (
        ({"op": "replace", "path": "/accessLogSettings/destinationArn", "value": "arn:aws:s3:::bucket"},
         "patchOperations.1.member.value", "Invalid ARN"),
        ({"op": "replace", "path": "/accessLogSettings/format", "value": "$context.status"},
         "patchOperations", "$context.requestId"),
        ({"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId\n$context.status"},
         "patchOperations", "single line"),
        ({"op": "replace", "path": "/variables/table"}, "patchOperations.1.member.value", "/variables/table"),
        ({"op": "add", "path": "/accessLogSettings/format", "value": "$context.requestId"},
         "patchOperations.1.member.path", "'add'"),
        ({"op": "swap", "path": "/description", "value": "x"}, "patchOperations.1.member.op", "enum"),
    ):
        with pytest.raises(InvalidParameter) as caught:
            gw.update_rest_stage(api.id, "prod", [operation])
        assert (caught.value.code, caught.value.field) == ("BadRequestException", field), operation
        assert words in caught.value.message
    assert gw.get_stages(api.id)[0].access_log_settings is None
    with pytest.raises(NotFound) as missing:
        gw.update_rest_stage(api.id, "beta", [{"op": "remove", "path": "/accessLogSettings"}])
    assert missing.value.code == "NotFoundException"
