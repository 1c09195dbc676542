"""HTTP APIs answer real HTTP on the local backend's gateway, in front of Lambda functions that
really run (the process sandbox) and of HTTP servers on 127.0.0.1."""

from __future__ import annotations

import base64
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from computetui.backends.errors import ComputeError
from computetui.backends.local import LocalBackend
from tests.local.apigateway.conftest import ECHO, call, echoed


def quick(gw_backend: LocalBackend, arn: str, name: str = "api") -> Any:
    return gw_backend.apigateway.create_api(name=name, target=arn)


def proxy_integration(gw_backend: LocalBackend, api_id: str, arn: str, version: str = "2.0", **extra: Any) -> str:
    made = gw_backend.apigateway.create_integration(api_id, "AWS_PROXY", integration_uri=arn,
                                                    payload_format_version=version, **extra)
    return f"integrations/{made.integration_id}"


def test_quick_create_answers_at_the_api_endpoint_with_a_2_0_event(gw_backend, function) -> None:  # noqa: ANN001
    api = quick(gw_backend, function(ECHO))
    assert api.api_endpoint.startswith("http://127.0.0.1:")
    [stage] = gw_backend.apigateway.get_api_stages(api.api_id)
    assert (stage.stage_name, stage.auto_deploy, bool(stage.deployment_id)) == ("$default", True, True)
    reply = call(f"{api.api_endpoint}/pets/7?a=1&a=2&b=x", headers={"X-Team": "web", "Cookie": "c1=v1; c2=v2",
                                                                    "User-Agent": "tests"})
    event = echoed(reply)
    assert reply.headers["apigw-requestid"] and reply.headers["content-type"] == "application/json"
    assert (event["version"], event["routeKey"], event["rawPath"]) == ("2.0", "$default", "/pets/7")
    assert event["rawQueryString"] == "a=1&a=2&b=x"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x"}
    assert event["cookies"] == ["c1=v1", "c2=v2"] and "cookie" not in event["headers"]
    assert event["headers"]["x-team"] == "web"
    context = event["requestContext"]
    assert (context["apiId"], context["stage"], context["http"]["method"], context["http"]["path"]) == (
        api.api_id, "$default", "GET", "/pets/7")
    assert context["http"]["userAgent"] == "tests" and context["http"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == reply.headers["apigw-requestid"] and context["timeEpoch"] > 0
    assert event["isBase64Encoded"] is False and "body" not in event


def test_routes_take_aws_precedence_and_give_path_parameters(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="pets")
    target = proxy_integration(gw_backend, api.api_id, function(ECHO))
    for route_key in ("GET /pets/{id}", "GET /pets/dog", "ANY /pets/{id}", "ANY /{proxy+}", "$default"):
        gw.create_route(api.api_id, route_key, target=target)
    gw.create_stage(api.api_id, "$default", auto_deploy=True)
    base = api.api_endpoint

    def route(method: str, path: str) -> tuple[str, Any]:
        event = echoed(call(base + path, method=method))
        return event["routeKey"], event.get("pathParameters")
    assert route("GET", "/pets/dog") == ("GET /pets/dog", None)  # a literal beats a variable
    assert route("GET", "/pets/7") == ("GET /pets/{id}", {"id": "7"})  # the method beats ANY
    assert route("DELETE", "/pets/7") == ("ANY /pets/{id}", {"id": "7"})
    assert route("GET", "/a/b/c") == ("ANY /{proxy+}", {"proxy": "a/b/c"})  # greedy, after the others
    assert route("GET", "/") == ("$default", None)


def test_a_named_stage_serves_its_deployment_and_its_variables(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="pets")
    target = proxy_integration(gw_backend, api.api_id, function(ECHO))
    gw.create_route(api.api_id, "GET /pets", target=target)
    gw.create_stage(api.api_id, "prod", stage_variables={"table": "pets-prod"})
    url = gw.invoke_url(api.api_id, "prod")
    assert url == f"{api.api_endpoint}/prod"
    assert call(url + "/pets").status == 404  # not deployed yet: a change is live only after a deployment
    deployment = gw.create_deployment(api.api_id, stage_name="prod")
    event = echoed(call(url + "/pets"))
    assert (event["rawPath"], event["requestContext"]["stage"], event["stageVariables"]) == (
        "/prod/pets", "prod", {"table": "pets-prod"})
    gw.create_route(api.api_id, "GET /owners", target=target)
    assert call(url + "/owners").status == 404  # prod still serves its deployment
    assert [d.deployment_id for d in gw.get_deployments(api.api_id)] == [deployment.deployment_id]
    gw.create_deployment(api.api_id, stage_name="prod")
    assert echoed(call(url + "/owners"))["routeKey"] == "GET /owners"


def test_payload_1_0_keeps_every_value_and_honours_multi_value_headers(gw_backend, function) -> None:  # noqa: ANN001
    source = '''
import json
def handler(event, context):
    return {"statusCode": 201, "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "headers": {"X-Version": event["version"]}, "body": json.dumps(event)}
'''
    gw = gw_backend.apigateway
    api = gw.create_api(name="v1")
    gw.create_route(api.api_id, "POST /items/{id}", target=proxy_integration(gw_backend, api.api_id, function(source), "1.0"))
    gw.create_stage(api.api_id, "$default", auto_deploy=True)
    reply = call(f"{api.api_endpoint}/items/5?tag=a&tag=b", method="POST", body=b'{"n": 1}',
                 headers={"Content-Type": "application/json", "X-Multi": "one"})
    assert reply.status == 201 and reply.headers["x-version"] == "1.0"
    event = reply.json()
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/items/{id}", "/items/5", "POST")
    assert event["queryStringParameters"] == {"tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert event["headers"]["X-Multi"] == "one" and event["multiValueHeaders"]["X-Multi"] == ["one"]
    assert event["pathParameters"] == {"id": "5"} and event["body"] == '{"n": 1}'
    assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"


def test_answers_2_0_plain_json_cookies_and_base64(gw_backend, function) -> None:  # noqa: ANN001
    source = '''
import base64
def handler(event, context):
    path = event["rawPath"]
    if path == "/plain":
        return {"hello": "world"}
    if path == "/binary":
        return {"statusCode": 200, "headers": {"content-type": "image/png"}, "isBase64Encoded": True,
                "body": base64.b64encode(bytes(range(8))).decode()}
    if path == "/cookies":
        return {"statusCode": 204, "cookies": ["s=1; Path=/", "t=2"]}
    return {"statusCode": 200, "body": event.get("body", ""), "headers": {"x-b64": str(event["isBase64Encoded"])}}
'''
    api = quick(gw_backend, function(source))
    plain = call(api.api_endpoint + "/plain")
    assert (plain.status, plain.json(), plain.headers["content-type"]) == (200, {"hello": "world"}, "application/json")
    binary = call(api.api_endpoint + "/binary")
    assert (binary.body, binary.headers["content-type"]) == (bytes(range(8)), "image/png")
    cookies = call(api.api_endpoint + "/cookies")
    assert cookies.status == 204
    sent = call(api.api_endpoint + "/echo", method="POST", body=b"\x00\xff", headers={"Content-Type": "image/png"})
    assert sent.headers["x-b64"] == "True" and base64.b64decode(sent.body) == b"\x00\xff"


def test_what_goes_wrong_is_what_http_apis_answer(gw_backend, function) -> None:  # noqa: ANN001
    source = '''
import time
def handler(event, context):
    path = event["rawPath"]
    if path == "/raise":
        raise ValueError("no")
    if path == "/slow":
        time.sleep(2)
    if path == "/malformed":
        return {"statusCode": "many"}
    return {"statusCode": 200, "body": "ok"}
'''
    gw = gw_backend.apigateway
    arn = function(source, timeout=5)
    api = gw.create_api(name="errors")
    gw.create_route(api.api_id, "$default", target=proxy_integration(gw_backend, api.api_id, arn, timeout_in_millis=500))
    gw.create_stage(api.api_id, "$default", auto_deploy=True)
    base = api.api_endpoint
    assert (call(base + "/raise").status, call(base + "/raise").json()) == (502, {"message": "Internal Server Error"})
    assert call(base + "/malformed").status == 502
    assert call(base + "/slow").status == 504
    assert call(base + "/fine").body == b"ok"  # it carries on
    endpoint = urlsplit(base)
    assert call(f"http://127.0.0.1:{endpoint.port}/_aws/execute-api/nosuchapi0/x").json() == {"message": "Not Found"}
    assert call(f"http://127.0.0.1:{endpoint.port}/nothing").status == 404
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=5) as raw:  # not HTTP at all
        raw.sendall(b"\x16\x03\x01garbage\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 400")
    assert call(base + "/fine").body == b"ok"
    gw_backend.lambda_.delete_function("fn")
    assert call(base + "/fine").status == 500


def test_the_host_form_reaches_the_same_stage(gw_backend, function) -> None:  # noqa: ANN001
    api = quick(gw_backend, function(ECHO))
    port = urlsplit(api.api_endpoint).port
    event = echoed(call(f"http://127.0.0.1:{port}/where", headers={"Host": f"{api.api_id}.execute-api.localhost:{port}"}))
    assert event["rawPath"] == "/where"
    assert event["requestContext"]["domainName"] == f"{api.api_id}.execute-api.localhost"


def test_requests_reuse_warm_environments_and_concurrent_ones_get_their_own(gw_backend, function) -> None:  # noqa: ANN001
    source = '''
import os, time
def handler(event, context):
    if event["rawPath"] == "/slow":
        time.sleep(0.5)
    return {"statusCode": 200, "body": str(os.getpid())}
'''
    api = quick(gw_backend, function(source))
    first, second = call(api.api_endpoint + "/"), call(api.api_endpoint + "/")
    assert first.body == second.body  # one warm environment, reused
    with ThreadPoolExecutor(4) as pool:
        pids = set(pool.map(lambda _: call(api.api_endpoint + "/slow").body, range(4)))
    assert len(pids) == 4  # four at once: four environments, none waiting for another


def test_http_proxy_goes_on_to_a_url_with_the_path_filled_in(gw_backend) -> None:  # noqa: ANN001
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append((self.path, self.headers.get("X-Team", "")))
            body = b"from the backend"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Backend", "yes")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        gw = gw_backend.apigateway
        api = gw.create_api(name="proxy")
        made = gw.create_integration(api.api_id, "HTTP_PROXY", integration_uri=f"http://127.0.0.1:{server.server_port}/v1/{{proxy}}",
                                     integration_method="GET")
        gw.create_route(api.api_id, "GET /svc/{proxy+}", target=f"integrations/{made.integration_id}")
        gw.create_stage(api.api_id, "$default", auto_deploy=True)
        reply = call(api.api_endpoint + "/svc/a/b?x=1", headers={"X-Team": "web"})
        assert (reply.status, reply.body, reply.headers["x-backend"]) == (200, b"from the backend", "yes")
        assert seen == [("/v1/a/b?x=1", "web")]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("route_key", "says"), [
    ("GET pets", "starts with /"),
    ("FETCH /pets", "METHOD one of"),
    ("GET /{proxy+}/more", "greedy path variable"),
    ("GET /pets/{id}/{id}", "used twice"),
])
def test_a_route_key_http_apis_refuse_names_the_field(gw_backend, route_key: str, says: str) -> None:  # noqa: ANN001
    api = gw_backend.apigateway.create_api(name="bad")
    with pytest.raises(ComputeError, match=says) as refused:
        gw_backend.apigateway.create_route(api.api_id, route_key)
    assert (refused.value.code, refused.value.field) == ("BadRequestException", "RouteKey")
    assert gw_backend.apigateway.get_routes(api.api_id) == []


def test_integrations_stages_and_routes_refuse_what_aws_refuses(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="rules")
    with pytest.raises(ComputeError, match="PayloadFormatVersion is required") as refused:
        gw.create_integration(api.api_id, "AWS_PROXY", integration_uri=function(ECHO))
    assert refused.value.field == "PayloadFormatVersion"
    with pytest.raises(ComputeError, match="Lambda function's ARN"):
        gw.create_integration(api.api_id, "AWS_PROXY", integration_uri="not-an-arn", payload_format_version="2.0")
    with pytest.raises(ComputeError, match="timeoutInMillis"):
        gw.create_integration(api.api_id, "AWS_PROXY", integration_uri=function(ECHO, name="g"),
                              payload_format_version="2.0", timeout_in_millis=40000)
    with pytest.raises(ComputeError, match="no such integration"):
        gw.create_route(api.api_id, "GET /x", target="integrations/nope123")
    gw.create_route(api.api_id, "GET /x")
    with pytest.raises(ComputeError, match="already exists") as taken:
        gw.create_route(api.api_id, "GET /x")
    assert taken.value.code == "ConflictException"
    gw.create_stage(api.api_id, "prod")
    with pytest.raises(ComputeError, match="Stage prod already exists"):
        gw.create_stage(api.api_id, "prod")


def test_cors_preflights_are_answered_and_answers_carry_the_api_s_headers(gw_backend, function) -> None:  # noqa: ANN001
    source = '''
def handler(event, context):
    return {"statusCode": 200, "headers": {"access-control-allow-origin": "https://evil.example"}, "body": "ok"}
'''
    gw = gw_backend.apigateway
    api = quick(gw_backend, function(source))
    cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["x-team"],
            "ExposeHeaders": ["x-total"], "MaxAge": 300}
    updated = gw.update_api(api.api_id, cors_configuration=cors)
    assert updated.cors_configuration.allow_origins == ["https://app.example"]
    preflight = call(api.api_endpoint + "/no/route/needed", method="OPTIONS", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status == 204
    assert (preflight.headers["access-control-allow-origin"], preflight.headers["access-control-allow-methods"],
            preflight.headers["access-control-allow-headers"], preflight.headers["access-control-max-age"]) == (
        "https://app.example", "GET,POST", "x-team", "300")
    answer = call(api.api_endpoint + "/", headers={"Origin": "https://app.example"})
    assert answer.headers["access-control-allow-origin"] == "https://app.example"  # not the function's
    assert answer.headers["access-control-expose-headers"] == "x-total"
    stranger = call(api.api_endpoint + "/", headers={"Origin": "https://other.example"})
    assert "access-control-allow-origin" not in stranger.headers and stranger.body == b"ok"
    refused = call(api.api_endpoint + "/", method="OPTIONS", headers={
        "Origin": "https://other.example", "Access-Control-Request-Method": "GET"})
    assert refused.status == 204 and "access-control-allow-origin" not in refused.headers


def test_a_stage_s_throttling_is_a_token_bucket_answering_429(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="limited")
    gw.create_route(api.api_id, "GET /x", target=proxy_integration(gw_backend, api.api_id, function(ECHO)))
    gw.create_stage(api.api_id, "$default", auto_deploy=True,
                    default_route_settings={"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 0.001})
    statuses = [call(api.api_endpoint + "/x").status for _ in range(4)]
    assert statuses == [200, 200, 429, 429]  # the burst, then nothing left (a token in 1,000 s)
    throttled = call(api.api_endpoint + "/x")
    assert throttled.json() == {"message": "Too Many Requests"}



def test_a_route_s_own_throttling_is_over_the_stage_s_default(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="limited")
    target = proxy_integration(gw_backend, api.api_id, function(ECHO))
    for key in ("GET /tight", "GET /loose"):
        gw.create_route(api.api_id, key, target=target)
    gw.create_stage(api.api_id, "$default", auto_deploy=True,
                    default_route_settings={"ThrottlingBurstLimit": 3, "ThrottlingRateLimit": 0.001})
    gw.update_stage(api.api_id, "$default", route_settings={
        "GET /tight": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 0.001}})
    assert [call(api.api_endpoint + "/tight").status for _ in range(3)] == [200, 429, 429]  # its own burst of 1
    assert [call(api.api_endpoint + "/loose").status for _ in range(4)] == [200, 200, 200, 429]  # the stage's 3


AUTHORIZER = '''
calls = 0
def handler(event, context):
    global calls
    calls += 1
    token = event["identitySource"][0] if event["version"] == "2.0" else event["identitySource"]
    if event.get("type") != "REQUEST":
        raise ValueError("not a REQUEST authorizer event")
    if event["version"] == "2.0" and "routeArn" in event and token.startswith("simple-"):
        return {"isAuthorized": token == "simple-yes", "context": {"user": "ada", "calls": calls}}
    effect = "Allow" if token == "policy-yes" else "Deny"
    arn = event.get("routeArn") or event.get("methodArn")
    return {"principalId": "ada", "context": {"calls": calls},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": arn.rsplit("/", 2)[0] + "/*"}]}}
'''


def authorized_api(gw_backend: LocalBackend, function, **authorizer: Any) -> tuple[Any, str]:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="guarded")
    made = gw.create_authorizer(api.api_id, "who", "REQUEST", ["$request.header.Authorization"],
                                authorizer_uri=function(AUTHORIZER, name="authorizer"), **authorizer)
    gw.create_route(api.api_id, "GET /me", target=proxy_integration(gw_backend, api.api_id, function(ECHO)),
                    authorization_type="CUSTOM", authorizer_id=made.authorizer_id)
    gw.create_stage(api.api_id, "$default", auto_deploy=True)
    return api, made.authorizer_id


def test_a_lambda_authorizer_with_simple_responses_lets_in_and_keeps_out(gw_backend, function) -> None:  # noqa: ANN001
    api, _ = authorized_api(gw_backend, function, authorizer_payload_format_version="2.0",
                            enable_simple_responses=True, authorizer_result_ttl_in_seconds=0)
    url = api.api_endpoint + "/me"
    assert (call(url).status, call(url).json()) == (401, {"message": "Unauthorized"})  # no identity: not asked
    assert (call(url, headers={"Authorization": "simple-no"}).status,
            call(url, headers={"Authorization": "simple-no"}).json()) == (403, {"message": "Forbidden"})
    event = echoed(call(url, headers={"Authorization": "simple-yes"}))
    assert event["requestContext"]["authorizer"]["lambda"]["user"] == "ada"


def test_an_iam_policy_answer_is_evaluated_and_cached_for_its_ttl(gw_backend, function) -> None:  # noqa: ANN001
    api, _ = authorized_api(gw_backend, function, authorizer_payload_format_version="1.0",
                            authorizer_result_ttl_in_seconds=300)
    url = api.api_endpoint + "/me"
    assert call(url, headers={"Authorization": "policy-no"}).status == 403
    first = echoed(call(url, headers={"Authorization": "policy-yes"}))
    second = echoed(call(url, headers={"Authorization": "policy-yes"}))
    calls = [e["requestContext"]["authorizer"]["lambda"]["calls"] for e in (first, second)]
    assert calls[0] == calls[1]  # the second came from the cache: the authorizer was not asked again


def test_authorizers_refuse_what_http_apis_refuse(gw_backend, function) -> None:  # noqa: ANN001
    gw = gw_backend.apigateway
    api = gw.create_api(name="rules")
    arn = function(AUTHORIZER, name="authorizer")
    with pytest.raises(ComputeError, match="AuthorizerPayloadFormatVersion is required"):
        gw.create_authorizer(api.api_id, "a", "REQUEST", ["$request.header.Authorization"], authorizer_uri=arn)
    with pytest.raises(ComputeError, match="Simple responses need payload format 2.0"):
        gw.create_authorizer(api.api_id, "a", "REQUEST", ["$request.header.Authorization"], authorizer_uri=arn,
                             authorizer_payload_format_version="1.0", enable_simple_responses=True)
    with pytest.raises(ComputeError, match="Invalid identity source"):
        gw.create_authorizer(api.api_id, "a", "REQUEST", ["Authorization"], authorizer_uri=arn,
                             authorizer_payload_format_version="2.0")
    with pytest.raises(ComputeError, match="needs an AuthorizerId"):
        gw.create_route(api.api_id, "GET /x", authorization_type="CUSTOM")
    with pytest.raises(ComputeError, match="Invalid authorizer identifier"):
        gw.create_route(api.api_id, "GET /x", authorization_type="CUSTOM", authorizer_id="nope12")
    assert gw.get_authorizers(api.api_id) == [] and gw.get_routes(api.api_id) == []


def test_access_logs_and_metrics_of_a_stage(gw_backend, function) -> None:  # noqa: ANN001
    from datetime import UTC, datetime, timedelta

    from tests.support.waits import until

    source = '''
def handler(event, context):
    if event["rawPath"] == "/raise":
        raise ValueError("no")
    return {"statusCode": 200, "body": "ok"}
'''
    gw = gw_backend.apigateway
    api = gw.create_api(name="watched")
    gw.create_route(api.api_id, "ANY /{proxy+}", target=proxy_integration(gw_backend, api.api_id, function(source)))
    gw_backend.logs.create_log_group("/api/access")
    destination = "arn:aws:logs:us-east-1:000000000000:log-group:/api/access:*"
    stage = gw.create_stage(api.api_id, "$default", auto_deploy=True, access_log_settings={
        "DestinationArn": destination,
        "Format": "$context.requestId $context.httpMethod $context.routeKey $context.status $context.nothing"})
    assert stage.access_log_settings.destination_arn == destination
    for path in ("/a", "/b", "/raise"):
        call(api.api_endpoint + path)
    assert call(api.api_endpoint + "/").status == 404  # no route: counted too
    lines = until(lambda: (found := [e.message for e in gw_backend.logs.filter_log_events("/api/access")])
                  and len(found) == 4 and found, 10)
    assert sorted(line.split(" ", 1)[1] for line in lines) == [
        "GET - 404 -", "GET ANY /{proxy+} 200 -", "GET ANY /{proxy+} 200 -", "GET ANY /{proxy+} 502 -"]

    now = datetime.now(UTC)

    def figure(name: str, statistic: str) -> float:
        [result] = gw_backend.metrics.get_metric_data([{"Id": "m", "MetricStat": {"Metric": {
            "Namespace": "AWS/ApiGateway", "MetricName": name,
            "Dimensions": [{"Name": "ApiId", "Value": api.api_id}, {"Name": "Stage", "Value": "$default"}]},
            "Period": 3600, "Stat": statistic}}], now - timedelta(hours=1), now + timedelta(minutes=1))
        return sum(result.values)
    until(lambda: figure("Count", "Sum") == 4, 10)
    assert (figure("4xx", "Sum"), figure("5xx", "Sum")) == (1, 1)
    assert figure("Latency", "SampleCount") == 4 and figure("IntegrationLatency", "SampleCount") == 3
    assert figure("Latency", "Maximum") >= figure("IntegrationLatency", "Maximum") > 0
    gw.update_stage(api.api_id, "$default", access_log_settings={"DestinationArn": destination,
                                                                  "Format": "$context.path"})
    call(api.api_endpoint + "/c")
    until(lambda: "/c" in [e.message for e in gw_backend.logs.filter_log_events("/api/access")], 10)
