"""The Test panel's request on the local backend: an HTTP API's goes to its stage's invoke URL, a
REST API's is TestInvokeMethod (the method as it is now, deployed or not); both tell the Lambda
invocation's REPORT line and whether it was a cold start."""

from __future__ import annotations

import json

import pytest

from computetui.backends.errors import ComputeError
from tests.local.apigateway.conftest import ECHO, call
from tests.local.apigateway.test_rest_gateway import invocation, rest_api

FAILING = '''
def handler(event, context):
    raise RuntimeError("no")
'''


def test_an_http_api_test_goes_through_the_stage_and_tells_the_report_line(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="pets", target=function(ECHO))
    first = gw.test_invoke(api.api_id, "post", "/pets/7", query="a=1", headers={"X-Team": "web"}, body='{"n": 1}')
    assert first.status == 200 and first.url == f"{api.api_endpoint}/pets/7?a=1"
    event = json.loads(first.body)["event"]
    assert (event["rawPath"], event["rawQueryString"], event["headers"]["x-team"], event["body"]) == (
        "/pets/7", "a=1", "web", '{"n": 1}')
    assert event["requestContext"]["http"]["method"] == "POST"
    assert first.request_id and ("apigw-requestid", first.request_id) in [(k.lower(), v) for k, v in first.headers]
    assert first.report is not None and first.report.startswith("REPORT RequestId: ")
    assert first.cold_start is True and "Init Duration" in first.report
    assert first.latency_ms > 0 and first.log is None
    second = gw.test_invoke(api.api_id, "GET", "/")
    assert second.cold_start is False and "Init Duration" not in (second.report or "")
    assert second.report != first.report
    # The same request from a shell answers the same.
    assert call(second.url or "").status == 200


def test_an_http_api_test_of_a_route_that_does_not_exist_is_its_404(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="pets")
    gw.create_stage(api.api_id, "$default", auto_deploy=True)
    found = gw.test_invoke(api.api_id, "GET", "/nothing")
    assert (found.status, found.body, found.report, found.cold_start) == (404, '{"message":"Not Found"}', None, None)
    with pytest.raises(ComputeError) as missing:
        gw.test_invoke(api.api_id, "GET", "/", stage_name="prod")
    assert missing.value.code == "NotFoundException" and "prod" in missing.value.message


def test_a_rest_test_runs_the_method_as_it_is_now_without_a_deployment(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api, root = rest_api(gw_backend)
    pets = gw.create_resource(api.id, root, "pets")
    pet = gw.create_resource(api.id, pets.id, "{id}")
    gw.put_method(api.id, pet.id, "GET", api_key_required=True)  # the test skips the key, as AWS's does
    gw.put_integration(api.id, pet.id, "GET", "AWS_PROXY", uri=invocation(function(ECHO)), integration_http_method="POST")
    found = gw.test_invoke(api.id, "GET", "/pets/42", resource_id=pet.id,
                           query="x=1", headers={"Accept": "application/json"})
    assert found.status == 200, found.body
    event = json.loads(found.body)["event"]
    assert (event["resource"], event["path"], event["pathParameters"]) == ("/pets/{id}", "/pets/42", {"id": "42"})
    assert event["requestContext"]["stage"] == "test-invoke-stage"
    assert event["queryStringParameters"] == {"x": "1"}
    assert found.url is None  # no stage: nothing answers it from a shell yet
    assert found.report and found.report.startswith("REPORT RequestId: ") and found.cold_start is True
    assert found.log and "Method completed with status: 200" in found.log
    gw.create_rest_deployment(api.id, "prod")
    staged = gw.test_invoke(api.id, "GET", "/pets/1", resource_id=pet.id, stage_name="prod")
    assert staged.url == gw.rest_invoke_url(api.id, "prod") + "/pets/1" and staged.cold_start is False


def test_a_rest_test_says_what_is_wrong(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api, root = rest_api(gw_backend)
    health = gw.create_resource(api.id, root, "health")
    gw.put_method(api.id, health.id, "GET")
    gw.put_integration(api.id, health.id, "GET", "MOCK", request_templates={"application/json": '{"statusCode": 200}'})
    gw.put_method_response(api.id, health.id, "GET", "200")
    gw.put_integration_response(api.id, health.id, "GET", "200", response_templates={"application/json": '{"up": 1}'})
    mocked = gw.test_invoke(api.id, "GET", "/health", resource_id=health.id)
    assert (mocked.status, mocked.body, mocked.report) == (200, '{"up": 1}', None)
    failing = gw.create_resource(api.id, root, "fail")
    gw.put_method(api.id, failing.id, "GET")
    gw.put_integration(api.id, failing.id, "GET", "AWS_PROXY", uri=invocation(function(FAILING, name="bad")),
                       integration_http_method="POST")
    broken = gw.test_invoke(api.id, "GET", "/fail", resource_id=failing.id)
    assert (broken.status, broken.body) == (502, '{"message":"Internal server error"}')
    assert broken.report is not None and "Execution failed" in (broken.log or "")
    for asked, code, field in (
        ({"method": "POST", "path": "/health", "resource_id": health.id}, "NotFoundException", None),
        ({"method": "GET", "path": "/health", "resource_id": "nope00"}, "NotFoundException", None),
        ({"method": "GET", "path": "/other", "resource_id": health.id}, "BadRequestException", "pathWithQueryString"),
        ({"method": "GET", "path": "/health"}, "BadRequestException", "resourceId"),
        ({"method": "BREW", "path": "/health", "resource_id": health.id}, "BadRequestException", "httpMethod"),
        ({"method": "GET", "path": "health", "resource_id": health.id}, "BadRequestException", "pathWithQueryString"),
    ):
        with pytest.raises(ComputeError) as refused:
            gw.test_invoke(api.id, asked.pop("method"), asked.pop("path"), **asked)
        assert refused.value.code == code, (asked, refused.value)
        if field:
            assert refused.value.field == field
    with pytest.raises(ComputeError) as unknown:
        gw.test_invoke("nothere", "GET", "/")
    assert unknown.value.code == "NotFoundException"
