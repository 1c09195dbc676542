"""The aws Lambda adapter: against moto's server where moto can, with botocore's Stubber where it
cannot (moto runs no function without Docker, pages nothing, has no EventBridge Schemas)."""

from __future__ import annotations

import base64
import http.server
import io
import json
import threading
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import ANY, Stubber

from computetui.backends.aws.lambda_ import AwsLambda
from computetui.backends.aws.lambda_.facet import INVOKE_READ_TIMEOUT_S
from computetui.backends.aws.lambda_.report import parse_report
from computetui.backends.aws.lambda_.test_events import TEST_EVENT_REGISTRY
from computetui.backends.errors import AccessDenied, ComputeError, Conflict, InvalidParameter, NotFound, Unsupported
from computetui.backends.rules.lambda_ import function_name_of
from computetui.blueprints import zip_files
from computetui.pricing import lambda_monthly_cost
from tests.support.aws import MOTO_ACCOUNT
from tests.support.aws_lambda_logs_metrics import (  # noqa: F401
    function_json,
    read_only_backend,
    streaming,
    try_every_mutating_operation,
)
from tests.support.functions import HELLO, create

REQUEST_ID = "6bc28136-a5c4-4d3a-8b8e-7e2f1c1f0a11"


def facet(backend) -> AwsLambda:  # noqa: ANN001
    assert isinstance(backend.lambda_, AwsLambda)
    return backend.lambda_


# -- listing -----------------------------------------------------------------------
def test_listing_120_functions_takes_3_list_functions_calls_of_50(aws_backend, calls) -> None:  # noqa: ANN001
    names = [f"fn-{i:03d}" for i in range(120)]
    client = aws_backend.client("lambda")
    with Stubber(client) as stub:
        for page, marker in enumerate([None, "page-2", "page-3"]):
            expected = {"MaxItems": 50, **({"Marker": marker} if marker else {})}
            answer = {"Functions": [function_json(n) for n in names[page * 50 : page * 50 + 50]]}
            if page < 2:
                answer["NextMarker"] = f"page-{page + 2}"
            stub.add_response("list_functions", answer, expected)
        listed = aws_backend.lambda_.list_functions()
        stub.assert_no_pending_responses()
    assert [f.function_name for f in listed] == names
    assert calls.of("lambda", "ListFunctions") == 3
    assert calls.total() == 3


def test_listing_against_moto_is_one_call_and_sorted(aws_backend, calls) -> None:  # noqa: ANN001
    for name in ("zeta", "alpha", "mid"):
        create(aws_backend, name)
    calls.clear()
    assert [f.function_name for f in aws_backend.lambda_.list_functions()] == ["alpha", "mid", "zeta"]
    assert calls.of("lambda", "ListFunctions") == 1 and calls.total() == 1


def test_a_runtime_the_models_do_not_know_does_not_break_the_list(aws_backend) -> None:  # noqa: ANN001
    with Stubber(aws_backend.client("lambda")) as stub:
        stub.add_response(
            "list_functions", {"Functions": [function_json("new", Runtime="python3.14")]}, {"MaxItems": 50}
        )
        [listed] = aws_backend.lambda_.list_functions()
    assert listed.function_name == "new" and listed.memory_size == 128


# -- creating ------------------------------------------------------------------------
def test_create_without_a_role_makes_the_consoles_execution_role(aws_backend, calls) -> None:  # noqa: ANN001
    created = create(aws_backend)
    assert calls.of("iam", "CreateRole") == 1
    assert calls.of("iam", "PutRolePolicy") == 1
    assert calls.of("lambda", "CreateFunction") == 1
    assert calls.total() == 3
    role_name = created.role.rsplit("/", 1)[1]
    assert created.role.startswith(f"arn:aws:iam::{MOTO_ACCOUNT}:role/service-role/hello-role-")
    iam = aws_backend.client("iam")
    role = iam.get_role(RoleName=role_name)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    policy = iam.get_role_policy(RoleName=role_name, PolicyName="AWSLambdaBasicExecutionRole")["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    resources = json.dumps(policy)
    assert f"arn:aws:logs:us-east-1:{MOTO_ACCOUNT}:log-group:/aws/lambda/hello:*" in resources


def test_create_with_a_role_touches_no_iam(aws_backend, calls) -> None:  # noqa: ANN001
    role = aws_backend.client("iam").create_role(
        RoleName="mine", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    calls.clear()
    assert create(aws_backend, role=role).role == role
    assert calls.calls.keys() == {("lambda", "CreateFunction")}


def test_a_function_that_cannot_be_created_leaves_no_role_behind(aws_backend, calls) -> None:  # noqa: ANN001
    create(aws_backend)
    iam = aws_backend.client("iam")
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    with pytest.raises(Conflict) as caught:
        create(aws_backend)
    assert caught.value.code == "ResourceConflictException"
    assert {r["RoleName"] for r in iam.list_roles()["Roles"]} == roles


def test_create_retries_while_iam_makes_the_new_role_visible(aws_backend, calls) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    slept: list[float] = []
    lam._sleep = slept.append
    with Stubber(aws_backend.client("lambda")) as stub:
        stub.add_client_error(
            "create_function",
            service_error_code="InvalidParameterValueException",
            service_message="The role defined for the function cannot be assumed by Lambda.",
            http_status_code=400,
        )
        stub.add_response(
            "create_function",
            function_json("hello", State="Pending"),
            {
                "FunctionName": "hello",
                "Runtime": HELLO.runtime,
                "Handler": HELLO.handler,
                "Code": {"ZipFile": HELLO.zip()},
                "Role": ANY,
            },
        )
        created = create(aws_backend)
    assert created.state.value == "Pending"  # AWS's answer to CreateFunction, passed through
    assert calls.of("lambda", "CreateFunction") == 2 and slept == [1.0]


def test_a_role_that_stays_unusable_is_reported_and_removed(aws_backend, calls) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    clock = [0.0]
    lam._monotonic = lambda: clock[0]
    lam._sleep = lambda seconds: clock.__setitem__(0, clock[0] + seconds)
    with Stubber(aws_backend.client("lambda")) as stub:
        for _ in range(10):
            stub.add_client_error(
                "create_function",
                service_error_code="InvalidParameterValueException",
                service_message="The role defined for the function cannot be assumed by Lambda.",
            )
        with pytest.raises(InvalidParameter):
            create(aws_backend)
    assert calls.of("iam", "DeleteRole") == 1
    assert aws_backend.client("iam").list_roles()["Roles"] == []


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"memory_size": 64}, "memorySize", "ValidationException"),
        ({"memory_size": 10_241}, "memorySize", "ValidationException"),
        ({"timeout": 0}, "timeout", "ValidationException"),
        ({"timeout": 901}, "timeout", "ValidationException"),
        ({"function_name": "has space"}, "functionName", "ValidationException"),
        ({"runtime": "python2.7"}, "Runtime", "InvalidParameterValueException"),
        ({"code": {"ZipFile": b"not a zip"}}, "ZipFile", "InvalidParameterValueException"),
        ({"environment": {"Variables": {"BIG": "x" * 5000}}}, "Environment", "InvalidParameterValueException"),
        ({"ephemeral_storage": {"Size": 100}}, "ephemeralStorage.size", "ValidationException"),
        ({"architectures": ["sparc"]}, "architectures", "ValidationException"),
        ({"no_such_parameter": 1}, "no_such_parameter", "ValidationException"),
    ],
)
def test_what_aws_would_refuse_is_refused_before_anything_is_sent(aws_backend, calls, overrides, field, code) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        create(aws_backend, **overrides)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert calls.total() == 0 and calls.sent == []


def test_a_server_side_validation_error_names_its_field(aws_backend) -> None:  # noqa: ANN001
    with Stubber(aws_backend.client("lambda")) as stub:
        stub.add_client_error(
            "update_function_configuration",
            service_error_code="ValidationException",
            service_message="1 validation error detected: Value 'x' at 'handler' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [^\\s]+",
        )
        with pytest.raises(InvalidParameter) as caught:
            aws_backend.lambda_.update_function_configuration("hello", handler="x")
    assert caught.value.field == "handler"


# -- reading, versions, concurrency, deleting ---------------------------------------
def test_get_versions_concurrency_and_delete_against_moto(aws_backend, calls) -> None:  # noqa: ANN001
    lam = aws_backend.lambda_
    create(aws_backend, environment={"Variables": {"STAGE": "dev"}}, tags={"team": "a"})
    detail = lam.get_function("hello")
    assert detail.configuration.environment.variables == {"STAGE": "dev"}
    assert detail.tags == {"team": "a"}
    assert lam.get_function_configuration(detail.configuration.function_arn).function_name == "hello"
    published = lam.publish_version("hello", description="first")
    assert published.version == "1"
    assert [v.version for v in lam.list_versions_by_function("hello")] == ["$LATEST", "1"]
    assert lam.get_function_concurrency("hello") is None
    assert lam.put_function_concurrency("hello", 5) == 5
    assert lam.get_function_concurrency("hello") == 5
    lam.delete_function_concurrency("hello")
    assert lam.get_function_concurrency("hello") is None
    with pytest.raises(InvalidParameter) as caught:
        lam.put_function_concurrency("hello", -1)
    assert caught.value.field == "reservedConcurrentExecutions"
    lam.delete_function("hello")
    with pytest.raises(NotFound) as missing:
        lam.get_function_configuration("hello")
    assert missing.value.code == "ResourceNotFoundException"


def test_update_configuration_against_moto(aws_backend) -> None:  # noqa: ANN001
    create(aws_backend)
    config = aws_backend.lambda_.update_function_configuration("hello", memory_size=256, timeout=30, description="x")
    assert (config.memory_size, config.timeout, config.description) == (256, 30, "x")
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.lambda_.update_function_configuration("hello", memory_size=20_000)
    assert caught.value.field == "memorySize"


def test_function_names_in_every_form() -> None:
    assert function_name_of("hello") == "hello"
    assert function_name_of("hello:3") == "hello"
    assert function_name_of("123456789012:function:hello") == "hello"
    assert function_name_of("arn:aws:lambda:us-east-1:123456789012:function:hello:prod") == "hello"


# -- the code editor: download, edit, deploy ---------------------------------------------
@pytest.fixture
def code_server():  # noqa: ANN201
    """A server on 127.0.0.1 standing in for the presigned S3 URL GetFunction returns."""
    served: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    server.shutdown()
    server.server_close()


def test_download_function_code_fetches_the_package_from_its_location(aws_backend, code_server) -> None:  # noqa: ANN001
    base, served = code_server
    served["/code.zip"] = HELLO.zip()
    with Stubber(aws_backend.client("lambda")) as stub:
        stub.add_response(
            "get_function",
            {"Configuration": function_json("hello"), "Code": {"RepositoryType": "S3", "Location": f"{base}/code.zip"}},
            {"FunctionName": "hello"},
        )
        stub.add_response(
            "get_function",
            {
                "Configuration": function_json("img", PackageType="Image"),
                "Code": {"RepositoryType": "ECR", "ImageUri": "x"},
            },
            {"FunctionName": "img"},
        )
        assert aws_backend.lambda_.download_function_code("hello") == HELLO.zip()
        with pytest.raises(NotFound):
            aws_backend.lambda_.download_function_code("img")


def test_code_at_an_aws_address_is_not_fetched_when_an_endpoint_is_set(aws_backend, calls) -> None:  # noqa: ANN001
    # moto answers GetFunction with a real S3 host it does not serve: nothing may leave for it.
    create(aws_backend)
    assert aws_backend.endpoint_url
    with pytest.raises(Unsupported) as raised:
        aws_backend.lambda_.download_function_code("hello")
    assert raised.value.code == "CodeDownloadUnsupported" and "amazonaws.com" in str(raised.value)


def test_the_code_editors_deploy_sends_the_zip_with_executable_bits(aws_backend, calls) -> None:  # noqa: ANN001
    create(aws_backend)
    # What computetui/ui/services/lambda_/code.py sends: zip_files of the edited files.
    package = zip_files(
        {"lambda_function.py": HELLO.files["lambda_function.py"] + "\n# edited\n", "bootstrap": "#!/bin/sh\n"},
        executable={"bootstrap"},
    )
    calls.clear()
    config = aws_backend.lambda_.update_function_code("hello", zip_file=package)
    assert config.code_size == len(package)
    assert calls.calls.keys() == {("lambda", "UpdateFunctionCode")}  # already Successful: no waiting
    sent = zipfile.ZipFile(io.BytesIO(package))
    assert (sent.getinfo("bootstrap").external_attr >> 16) & 0o777 == 0o755
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.lambda_.update_function_code("hello", zip_file=b"not a zip")
    assert caught.value.field == "ZipFile"


def test_a_deploy_waits_until_the_update_is_done(aws_backend, calls) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    slept: list[float] = []
    lam._sleep = slept.append
    package = HELLO.zip()
    with Stubber(aws_backend.client("lambda")) as stub:
        stub.add_response(
            "update_function_code",
            function_json("hello", LastUpdateStatus="InProgress"),
            {"FunctionName": "hello", "ZipFile": package},
        )
        stub.add_response(
            "get_function_configuration",
            function_json("hello", LastUpdateStatus="InProgress"),
            {"FunctionName": "hello"},
        )
        stub.add_response("get_function_configuration", function_json("hello"), {"FunctionName": "hello"})
        config = lam.update_function_code("hello", zip_file=package)
    assert config.last_update_status.value == "Successful"
    assert calls.of("lambda", "GetFunctionConfiguration") == 2 and slept == [1.0, 1.0]


def test_a_failed_update_raises_awss_reason(aws_backend) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    lam._sleep = lambda seconds: None
    with Stubber(aws_backend.client("lambda")) as stub:
        stub.add_response("update_function_code", function_json("hello", LastUpdateStatus="InProgress"))
        stub.add_response(
            "get_function_configuration",
            function_json(
                "hello",
                LastUpdateStatus="Failed",
                LastUpdateStatusReason="The image manifest could not be read",
                LastUpdateStatusReasonCode="ImageAccessDenied",
            ),
        )
        with pytest.raises(ComputeError) as caught:
            lam.update_function_code("hello", image_uri="123.dkr.ecr.us-east-1.amazonaws.com/x:1")
    assert caught.value.code == "ImageAccessDenied"
    assert "could not be read" in caught.value.message


# -- invoking -------------------------------------------------------------------------
def _tail(*lines: str) -> str:
    return base64.b64encode(("\n".join(lines) + "\n").encode()).decode()


COLD_LOG = (
    f"START RequestId: {REQUEST_ID} Version: $LATEST",
    "key1 = value1",
    f"END RequestId: {REQUEST_ID}",
    f"REPORT RequestId: {REQUEST_ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\t"
    "Max Memory Used: 38 MB\tInit Duration: 145.67 ms\t",
)


def test_invoke_decodes_the_log_tail_and_reads_the_report_line(aws_backend, calls) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    event = json.dumps({"key1": "value1"})
    with Stubber(lam.invoker()) as stub:
        stub.add_response(
            "invoke",
            {
                "StatusCode": 200,
                "LogResult": _tail(*COLD_LOG),
                "ExecutedVersion": "$LATEST",
                "Payload": streaming(b'{"statusCode": 200}'),
                "ResponseMetadata": {"RequestId": REQUEST_ID, "HTTPStatusCode": 200},
            },
            {
                "FunctionName": "hello",
                "InvocationType": "RequestResponse",
                "LogType": "Tail",
                "Payload": event.encode(),
            },
        )
        result = lam.invoke("hello", event, log_type="Tail")
    assert result.status_code == 200 and result.function_error is None
    assert result.payload == b'{"statusCode": 200}'
    assert result.request_id == REQUEST_ID and result.executed_version == "$LATEST"
    assert result.log_result.splitlines()[1] == "key1 = value1"
    assert (result.duration_ms, result.billed_duration_ms, result.memory_size_mb, result.max_memory_used_mb) == (
        12.34,
        13,
        128,
        38,
    )
    assert result.init_duration_ms == 145.67  # the console's cold-start badge
    assert calls.of("lambda", "Invoke") == 1


def test_a_warm_invoke_has_no_init_duration_and_a_function_error_is_kept(aws_backend) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    log = _tail(
        f"START RequestId: {REQUEST_ID} Version: $LATEST",
        "[ERROR] KeyError: 'x'",
        f"END RequestId: {REQUEST_ID}",
        f"REPORT RequestId: {REQUEST_ID}\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 256 MB\t"
        "Max Memory Used: 40 MB\t",
    )
    body = b'{"errorMessage": "\'x\'", "errorType": "KeyError"}'
    with Stubber(lam.invoker()) as stub:
        stub.add_response(
            "invoke",
            {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "LogResult": log,
                "Payload": streaming(body),
                "ResponseMetadata": {"RequestId": REQUEST_ID},
            },
        )
        result = lam.invoke("hello", "{}", log_type="Tail")
    assert result.function_error == "Unhandled" and result.payload == body
    assert result.init_duration_ms is None and result.memory_size_mb == 256 and result.billed_duration_ms == 2


def test_invoke_without_a_tail_and_asynchronously(aws_backend) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    with Stubber(lam.invoker()) as stub:
        stub.add_response("invoke", {"StatusCode": 200, "Payload": streaming(b"null")})
        stub.add_response(
            "invoke",
            {"StatusCode": 202, "Payload": streaming(b"")},
            {"FunctionName": "hello", "InvocationType": "Event", "LogType": "None", "Payload": b"{}", "Qualifier": "1"},
        )
        quiet = lam.invoke("hello", b"{}")
        queued = lam.invoke("hello", b"{}", invocation_type="Event", qualifier="1")
    assert quiet.log_result is None and quiet.duration_ms is None and quiet.payload == b"null"
    assert queued.status_code == 202


def test_invoke_errors_keep_the_aws_code(aws_backend) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    with Stubber(lam.invoker()) as stub:
        stub.add_client_error("invoke", service_error_code="TooManyRequestsException", service_message="Rate exceeded")
        stub.add_client_error(
            "invoke", service_error_code="ResourceNotFoundException", service_message="Function not found"
        )
        with pytest.raises(ComputeError) as throttled:
            lam.invoke("hello")
        with pytest.raises(NotFound):
            lam.invoke("nope")
    assert throttled.value.code == "TooManyRequestsException"


def test_invoke_has_its_own_client_that_waits_for_the_function_and_never_retries(aws_backend) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    config = lam.invoker().meta.config
    assert config.read_timeout == INVOKE_READ_TIMEOUT_S > 900
    assert config.retries["total_max_attempts"] == 1
    assert lam.invoker() is lam.invoker() and lam.invoker() is not aws_backend.client("lambda")


def test_the_client_context_goes_base64_encoded(aws_backend) -> None:  # noqa: ANN001
    lam = facet(aws_backend)
    context = json.dumps({"custom": {"a": 1}})
    encoded = base64.b64encode(context.encode()).decode()
    with Stubber(lam.invoker()) as stub:
        for _ in range(2):
            stub.add_response(
                "invoke",
                {"StatusCode": 200, "Payload": streaming(b"{}")},
                {
                    "FunctionName": "f",
                    "InvocationType": "RequestResponse",
                    "LogType": "None",
                    "Payload": b"",
                    "ClientContext": encoded,
                },
            )
        lam.invoke("f", client_context=context)
        lam.invoke("f", client_context=encoded)


def test_report_lines_in_text_and_json_log_formats() -> None:
    other = "0f0e0d0c-0000-4000-8000-000000000000"
    text = "\n".join(
        [
            f"REPORT RequestId: {other}\tDuration: 99.00 ms\tBilled Duration: 99 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB",
            *COLD_LOG,
        ]
    )
    assert parse_report(text, other)["Duration"] == 99.0
    assert parse_report(text, REQUEST_ID) == {
        "Duration": 12.34,
        "Billed Duration": 13.0,
        "Memory Size": 128.0,
        "Max Memory Used": 38.0,
        "Init Duration": 145.67,
    }
    record = {
        "time": "2026-01-15T09:30:00.000Z",
        "type": "platform.report",
        "record": {
            "requestId": REQUEST_ID,
            "metrics": {
                "durationMs": 3.5,
                "billedDurationMs": 4,
                "memorySizeMB": 512,
                "maxMemoryUsedMB": 70,
                "initDurationMs": 200.1,
            },
            "status": "success",
        },
    }
    assert parse_report(json.dumps(record), REQUEST_ID) == {
        "Duration": 3.5,
        "Billed Duration": 4.0,
        "Memory Size": 512.0,
        "Max Memory Used": 70.0,
        "Init Duration": 200.1,
    }
    assert parse_report("no report here") == {}


# -- test events: shareable, in the EventBridge Schema Registry ---------------------------
SCHEMA = "_hello-schema"


def _document(**events: object) -> str:
    return json.dumps(
        {
            "openapi": "3.0.0",
            "info": {"version": "1.0.0", "title": "Event"},
            "paths": {},
            "components": {
                "schemas": {"Event": {"type": "object"}},
                "examples": {k: {"value": v} for k, v in events.items()},
            },
        }
    )


def _schema_answer(content: str, version: str = "1") -> dict:
    return {"Content": content, "SchemaName": SCHEMA, "SchemaVersion": version, "Type": "OpenApi3"}


def test_test_events_are_read_from_the_functions_schema(aws_backend, calls) -> None:  # noqa: ANN001
    with Stubber(aws_backend.client("schemas")) as stub:
        stub.add_response(
            "describe_schema",
            _schema_answer(_document(hello={"key1": "value1"}, other=[1, 2])),
            {"RegistryName": TEST_EVENT_REGISTRY, "SchemaName": SCHEMA},
        )
        stub.add_client_error("describe_schema", service_error_code="NotFoundException", http_status_code=404)
        events = aws_backend.lambda_.list_test_events("hello")
        assert aws_backend.lambda_.list_test_events("arn:aws:lambda:us-east-1:123456789012:function:none") == []
    assert [(e.name, json.loads(e.event)) for e in events] == [("hello", {"key1": "value1"}), ("other", [1, 2])]
    assert calls.of("schemas", "DescribeSchema") == 2


def test_the_first_test_event_creates_the_registry_and_the_schema(aws_backend, calls) -> None:  # noqa: ANN001
    create(aws_backend)
    event = json.dumps({"key1": "value1"})
    discovered = json.dumps(
        {
            "openapi": "3.0.0",
            "info": {"version": "1.0.0", "title": "Event"},
            "paths": {},
            "components": {"schemas": {"Event": {"type": "object", "properties": {"key1": {"type": "string"}}}}},
        }
    )
    sent: dict[str, str] = {}
    with Stubber(aws_backend.client("schemas")) as stub:
        stub.add_client_error("describe_schema", service_error_code="NotFoundException", http_status_code=404)
        stub.add_response("get_discovered_schema", {"Content": discovered}, {"Events": [event], "Type": "OpenApi3"})
        stub.add_client_error("create_schema", service_error_code="NotFoundException", http_status_code=404)
        stub.add_response(
            "create_registry",
            {"RegistryName": TEST_EVENT_REGISTRY},
            {"RegistryName": TEST_EVENT_REGISTRY, "Description": ANY},
        )
        stub.add_response(
            "create_schema",
            {"SchemaName": SCHEMA},
            {"RegistryName": TEST_EVENT_REGISTRY, "SchemaName": SCHEMA, "Type": "OpenApi3", "Content": ANY},
        )
        client = aws_backend.client("schemas")
        client.meta.events.register(
            "provide-client-params.schemas.CreateSchema", lambda params, **_: sent.update(content=params["Content"])
        )
        saved = aws_backend.lambda_.save_test_event("hello", "hello", event)
        stub.assert_no_pending_responses()
    assert saved.name == "hello"
    document = json.loads(sent["content"])
    assert document["components"]["examples"] == {"hello": {"value": {"key1": "value1"}}}
    assert document["components"]["schemas"]["Event"]["properties"] == {"key1": {"type": "string"}}
    assert calls.of("lambda", "GetFunctionConfiguration") == 1


def test_saving_another_event_updates_the_schema_and_prunes_old_versions(aws_backend, calls) -> None:  # noqa: ANN001
    create(aws_backend)
    sent: dict[str, str] = {}
    client = aws_backend.client("schemas")
    client.meta.events.register(
        "provide-client-params.schemas.UpdateSchema", lambda params, **_: sent.update(content=params["Content"])
    )
    with Stubber(client) as stub:
        stub.add_response("describe_schema", _schema_answer(_document(a={"n": 1}), "5"))
        stub.add_response(
            "list_schema_versions",
            {"SchemaVersions": [{"SchemaVersion": str(v)} for v in (1, 2, 3, 4, 5)]},
            {"RegistryName": TEST_EVENT_REGISTRY, "SchemaName": SCHEMA},
        )
        stub.add_response(
            "delete_schema_version",
            {},
            {"RegistryName": TEST_EVENT_REGISTRY, "SchemaName": SCHEMA, "SchemaVersion": "1"},
        )
        stub.add_response(
            "update_schema",
            {"SchemaName": SCHEMA},
            {"RegistryName": TEST_EVENT_REGISTRY, "SchemaName": SCHEMA, "Type": "OpenApi3", "Content": ANY},
        )
        aws_backend.lambda_.save_test_event("hello", "b", '{"n": 2}')
        stub.assert_no_pending_responses()
    assert json.loads(sent["content"])["components"]["examples"] == {"a": {"value": {"n": 1}}, "b": {"value": {"n": 2}}}
    assert calls.of("schemas", "DeleteSchemaVersion") == 1 and calls.of("schemas", "UpdateSchema") == 1


def test_saving_still_works_without_permission_to_prune_versions(aws_backend, calls) -> None:  # noqa: ANN001
    create(aws_backend)
    with Stubber(aws_backend.client("schemas")) as stub:
        stub.add_response("describe_schema", _schema_answer(_document(a={}), "5"))
        stub.add_response("list_schema_versions", {"SchemaVersions": [{"SchemaVersion": str(v)} for v in range(1, 6)]})
        stub.add_client_error("delete_schema_version", service_error_code="ForbiddenException", http_status_code=403)
        stub.add_response("update_schema", {"SchemaName": SCHEMA})
        assert aws_backend.lambda_.save_test_event("hello", "b", "{}").name == "b"
        stub.assert_no_pending_responses()


def test_test_event_rules(aws_backend, calls) -> None:  # noqa: ANN001
    lam = aws_backend.lambda_
    with pytest.raises(InvalidParameter) as bad_name:
        lam.save_test_event("hello", "has space", "{}")
    assert bad_name.value.field == "name"
    with pytest.raises(InvalidParameter) as bad_json:
        lam.save_test_event("hello", "ok", "{nope")
    assert bad_json.value.code == "InvalidRequestContentException"
    assert calls.total() == 0
    with pytest.raises(NotFound):
        lam.save_test_event("missing", "ok", "{}")  # the function must exist
    create(aws_backend)
    ten = {f"e{i}": {"i": i} for i in range(10)}
    with Stubber(aws_backend.client("schemas")) as stub:
        stub.add_response("describe_schema", _schema_answer(_document(**ten)))
        with pytest.raises(InvalidParameter) as full:
            lam.save_test_event("hello", "eleventh", "{}")
    assert full.value.code == "LimitExceededException"


def test_deleting_test_events(aws_backend, calls) -> None:  # noqa: ANN001
    lam = aws_backend.lambda_
    with Stubber(aws_backend.client("schemas")) as stub:
        stub.add_response("describe_schema", _schema_answer(_document(a={}, b={})))
        stub.add_response("list_schema_versions", {"SchemaVersions": [{"SchemaVersion": "1"}]})
        stub.add_response("update_schema", {"SchemaName": SCHEMA})
        stub.add_response("describe_schema", _schema_answer(_document(b={})))
        stub.add_response("delete_schema", {}, {"RegistryName": TEST_EVENT_REGISTRY, "SchemaName": SCHEMA})
        stub.add_response("describe_schema", _schema_answer(_document(b={})))
        lam.delete_test_event("hello", "a")
        lam.delete_test_event("hello", "b")  # the last one: the schema goes
        with pytest.raises(NotFound):
            lam.delete_test_event("hello", "zzz")
        stub.assert_no_pending_responses()


def test_without_schemas_permissions_the_error_says_what_is_missing(aws_backend) -> None:  # noqa: ANN001
    with Stubber(aws_backend.client("schemas")) as stub:
        stub.add_client_error("describe_schema", service_error_code="ForbiddenException", http_status_code=403)
        with pytest.raises(AccessDenied) as caught:
            aws_backend.lambda_.list_test_events("hello")
    assert caught.value.code == "ForbiddenException"
    assert TEST_EVENT_REGISTRY in caught.value.message


# -- this month's use ------------------------------------------------------------------
def test_usage_this_month_comes_from_one_get_metric_data_call(aws_backend, calls) -> None:  # noqa: ANN001
    for name, memory in (("small", 128), ("big", 1024), ("idle", 512)):
        create(aws_backend, name, memory_size=memory)
    now = datetime.now(UTC)
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
    when = max(month_start, now - timedelta(minutes=5))
    data = []
    for name, invocations, duration_ms in (("small", 10, 2_000.0), ("big", 4, 10_000.0)):
        dims = [{"Name": "FunctionName", "Value": name}]
        data.append({"MetricName": "Invocations", "Value": invocations, "Timestamp": when})  # the account's series
        data.append({"MetricName": "Duration", "Dimensions": dims, "Value": duration_ms, "Timestamp": when})
    aws_backend.client("cloudwatch").put_metric_data(Namespace="AWS/Lambda", MetricData=data)
    calls.clear()
    usage = aws_backend.lambda_.usage_this_month()
    assert calls.of("cloudwatch", "GetMetricData") == 1
    assert calls.of("lambda", "ListFunctions") == 1 and calls.total() == 2
    expected_gbs = 2.0 * 128 / 1024 + 10.0 * 1024 / 1024
    assert usage.requests == 14
    assert usage.gb_seconds == pytest.approx(expected_gbs)
    cost = lambda_monthly_cost(14, expected_gbs)
    assert (usage.request_cost, usage.compute_cost, usage.free_requests_used) == (
        cost.request_cost,
        cost.compute_cost,
        14,
    )
    calls.clear()
    assert aws_backend.lambda_.usage_this_month() == usage  # kept: GetMetricData is billed per metric
    assert calls.total() == 0


def test_usage_of_120_functions_is_still_one_get_metric_data_call(aws_backend, calls) -> None:  # noqa: ANN001
    names = [f"fn-{i:03d}" for i in range(120)]
    with Stubber(aws_backend.client("lambda")) as stub:
        for page in range(3):
            answer = {"Functions": [function_json(n) for n in names[page * 50 : page * 50 + 50]]}
            if page < 2:
                answer["NextMarker"] = f"m{page}"
            stub.add_response("list_functions", answer)
        usage = aws_backend.lambda_.usage_this_month()
    assert usage.requests == 0 and usage.gb_seconds == 0
    assert calls.of("cloudwatch", "GetMetricData") == 1  # 121 queries: the account's requests and 120 durations


def test_usage_is_none_without_cloudwatch_permissions(aws_backend) -> None:  # noqa: ANN001
    with Stubber(aws_backend.client("lambda")) as lam, Stubber(aws_backend.client("cloudwatch")) as cw:
        lam.add_response("list_functions", {"Functions": []})
        cw.add_client_error("get_metric_data", service_error_code="AccessDenied", http_status_code=403)
        assert aws_backend.lambda_.usage_this_month() is None


# -- read-only ------------------------------------------------------------------------
def test_read_only_refuses_every_mutating_operation_before_anything_is_sent(read_only_backend) -> None:  # noqa: ANN001, F811
    backend, counter = read_only_backend
    tried = try_every_mutating_operation(backend.lambda_)
    assert {"create_function", "invoke", "update_function_code", "save_test_event", "delete_test_event"} <= set(tried)
    assert counter.total() == 0 and counter.sent == []
    assert backend.lambda_.list_functions() == []  # reading still works
