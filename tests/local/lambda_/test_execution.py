"""Functions really run: awslambdaric against our Runtime API, cold then warm, with AWS's log lines."""

from __future__ import annotations

import json
import os
import re

import pytest

from computetui.backends.local.lambda_.records import LambdaRecords
from computetui.backends.local.lambda_.runtime import LambdaRuntime
from computetui.blueprints import blueprint, zip_files

REPORT = re.compile(
    r"^REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: 128 MB\tMax Memory Used: \d+ MB(\tInit Duration: \d+\.\d{2} ms)?$"
)


def test_the_hello_world_blueprint_runs_cold_then_warm(lam) -> None:  # noqa: ANN001
    bp = blueprint("hello-world-python")
    lam.lambda_.create_function(
        function_name="hello", runtime=bp.runtime, handler=bp.handler, code={"ZipFile": bp.zip()}
    )
    cold = lam.lambda_.invoke("hello", json.dumps({"key1": "v1"}), log_type="Tail")
    assert cold.status_code == 200 and cold.function_error is None
    assert json.loads(cold.payload) == {"statusCode": 200, "body": '"Hello from Lambda!"'}
    assert cold.init_duration_ms is not None and cold.init_duration_ms > 0
    assert cold.executed_version == "$LATEST" and cold.memory_size_mb == 128
    assert 0 < cold.max_memory_used_mb <= 128
    assert cold.billed_duration_ms >= cold.duration_ms + cold.init_duration_ms
    warm = lam.lambda_.invoke("hello", json.dumps({"key1": "v2"}), log_type="Tail")
    assert warm.init_duration_ms is None
    assert warm.billed_duration_ms == max(1, -(-warm.duration_ms // 1))
    assert len(lam.part(LambdaRuntime).environments()) == 1  # the same environment served both
    lines = warm.log_result.splitlines()
    assert lines[0] == f"START RequestId: {warm.request_id} Version: $LATEST"
    assert "key1 = v2" in lines
    assert lines[-2] == f"END RequestId: {warm.request_id}"
    assert REPORT.match(lines[-1]) and "Init Duration" not in lines[-1]
    cold_report = cold.log_result.splitlines()[-1]
    assert REPORT.match(cold_report) and cold_report.endswith(f"Init Duration: {cold.init_duration_ms:.2f} ms")


def test_the_log_group_has_one_stream_per_environment(lam, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    print('ran', event['n'])\n    return event['n']\n")
    for n in range(3):
        lam.lambda_.invoke("fn", json.dumps({"n": n}))
    lam.part(LambdaRuntime).flush()  # the log writer has caught up
    [stream] = lam.logs.describe_log_streams("/aws/lambda/fn")
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", stream.log_stream_name)
    messages = [
        e.message for e in lam.logs.get_log_events("/aws/lambda/fn", stream.log_stream_name, start_from_head=True)
    ]
    assert [m.split()[0] for m in messages] == ["START", "ran", "END", "REPORT"] * 3
    assert [e.message for e in lam.logs.filter_log_events("/aws/lambda/fn", filter_pattern="ran 2")] == ["ran 2"]


def test_aws_variables_are_set_and_host_credentials_are_not(lam, python_function, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAHOSTSECRET")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "host-secret")
    python_function(
        "import os, json\ndef handler(event, context):\n    return dict(os.environ)\n",
        environment={"Variables": {"GREETING": "hi"}},
        memory_size=256,
    )
    env = json.loads(lam.lambda_.invoke("fn").payload)
    assert env["GREETING"] == "hi"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"].endswith(lam.part(LambdaRuntime).environments()[0]["id"])
    assert env["AWS_REGION"] == "us-east-1" and env["TZ"] == ":UTC"
    assert env["_HANDLER"] == "lambda_function.handler"
    assert env["LAMBDA_TASK_ROOT"] and os.path.isdir(env["LAMBDA_TASK_ROOT"])
    assert re.fullmatch(r"127\.0\.0\.1:\d+", env["AWS_LAMBDA_RUNTIME_API"])
    assert "AWS_ACCESS_KEY_ID" not in env and "AWS_SECRET_ACCESS_KEY" not in env


def test_the_context_carries_the_request_id_and_arn(lam, python_function) -> None:  # noqa: ANN001
    python_function(
        "def handler(event, context):\n"
        "    return [context.aws_request_id, context.invoked_function_arn, context.get_remaining_time_in_millis()]\n",
        timeout=7,
    )
    result = lam.lambda_.invoke("fn")
    request_id, arn, remaining = json.loads(result.payload)
    assert request_id == result.request_id
    assert arn == "arn:aws:lambda:us-east-1:000000000000:function:fn"
    assert 5000 < remaining <= 7000


def test_a_shell_bootstrap_custom_runtime_speaks_the_runtime_api(lam) -> None:  # noqa: ANN001
    # provided.al2023: a bash bootstrap doing HTTP by hand over /dev/tcp.
    bootstrap = r"""#!/bin/bash
set -u
HOST=${AWS_LAMBDA_RUNTIME_API%:*}; PORT=${AWS_LAMBDA_RUNTIME_API#*:}
request() {  # method path [body] -> headers in $HEADERS, body in $BODY
  exec 3<>/dev/tcp/$HOST/$PORT
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "$HOST" "${#3}" "$3" >&3
  local response; response=$(cat <&3); exec 3>&-
  HEADERS=${response%%$'\r\n\r\n'*}; BODY=${response#*$'\r\n\r\n'}
}
while true; do
  request GET /2018-06-01/runtime/invocation/next ""
  ID=$(printf '%s\n' "$HEADERS" | tr -d '\r' | sed -n 's/^Lambda-Runtime-Aws-Request-Id: //p')
  echo "got $BODY"
  request POST /2018-06-01/runtime/invocation/$ID/response "{\"echo\": $BODY}"
done
"""
    lam.lambda_.create_function(
        function_name="sh",
        runtime="provided.al2023",
        handler="unused",
        code={"ZipFile": zip_files({"bootstrap": bootstrap}, executable={"bootstrap"})},
    )
    first = lam.lambda_.invoke("sh", json.dumps({"a": 1}), log_type="Tail")
    assert json.loads(first.payload) == {"echo": {"a": 1}}
    assert 'got {"a": 1}' in first.log_result
    second = lam.lambda_.invoke("sh", json.dumps([2]))
    assert json.loads(second.payload) == {"echo": [2]} and second.init_duration_ms is None


def test_a_bootstrap_that_is_missing_is_an_invalid_entrypoint(lam) -> None:  # noqa: ANN001
    lam.lambda_.create_function(
        function_name="nb",
        runtime="provided.al2",
        handler="x",
        code={"ZipFile": zip_files({"readme.txt": "no bootstrap here"})},
    )
    result = lam.lambda_.invoke("nb")
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload)["errorType"] == "Runtime.InvalidEntrypoint"


def test_updating_the_code_runs_the_new_code_in_a_new_environment(lam, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    return 'old'\n")
    assert lam.lambda_.invoke("fn").payload == b'"old"'
    lam.lambda_.update_function_code(
        "fn", zip_file=zip_files({"lambda_function.py": "def handler(e, c):\n    return 'new'\n"})
    )
    result = lam.lambda_.invoke("fn")
    assert result.payload == b'"new"' and result.init_duration_ms is not None
    assert len(lam.part(LambdaRuntime).environments()) == 1  # the old one was retired


def test_a_published_version_keeps_its_code(lam, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    return 'one'\n")
    version = lam.lambda_.publish_version("fn")
    assert version.version == "1" and version.function_arn.endswith("function:fn:1")
    lam.lambda_.update_function_code(
        "fn", zip_file=zip_files({"lambda_function.py": "def handler(e, c):\n    return 'two'\n"})
    )
    assert lam.lambda_.invoke("fn").payload == b'"two"'
    pinned = lam.lambda_.invoke("fn", qualifier="1", log_type="Tail")
    assert pinned.payload == b'"one"' and pinned.executed_version == "1"
    assert pinned.log_result.startswith(f"START RequestId: {pinned.request_id} Version: 1")
    assert [c.version for c in lam.lambda_.list_versions_by_function("fn")] == ["$LATEST", "1"]


def test_configuration_changes_apply_to_the_next_invocation(lam, python_function) -> None:  # noqa: ANN001
    python_function("import os\ndef handler(event, context):\n    return os.environ.get('MODE')\n")
    lam.lambda_.update_function_configuration("fn", environment={"Variables": {"MODE": "fast"}}, memory_size=512)
    result = lam.lambda_.invoke("fn")
    assert result.payload == b'"fast"' and result.memory_size_mb == 512


def test_dry_run_and_event_answer_without_waiting(lam, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    print('event ran')\n    return 1\n")
    assert lam.lambda_.invoke("fn", invocation_type="DryRun").status_code == 204
    accepted = lam.lambda_.invoke("fn", invocation_type="Event")
    assert accepted.status_code == 202 and accepted.payload == b""
    assert wait_for(lambda: matching(lam, "event ran"))


def test_a_failing_event_invocation_is_retried_twice(lam, python_function) -> None:  # noqa: ANN001
    python_function("def handler(event, context):\n    print('attempt')\n    raise RuntimeError('no')\n")
    lam.lambda_.invoke("fn", invocation_type="Event")
    assert wait_for(lambda: len(matching(lam, "attempt")) == 3)
    import time

    time.sleep(0.3)
    assert len(matching(lam, "attempt")) == 3  # and no more


def matching(lam, text: str) -> list:  # noqa: ANN001
    from computetui.backends.errors import NotFound

    try:
        return lam.logs.filter_log_events("/aws/lambda/fn", filter_pattern=text)
    except NotFound:  # no log group until the first invocation's log is written
        return []


def wait_for(condition, timeout: float = 10) -> bool:  # noqa: ANN001
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.mark.parametrize(
    ("payload", "invocation_type", "code"),
    [
        (b"x" * (6 * 1024 * 1024 + 1), "RequestResponse", "RequestTooLargeException"),
        (b"[" + b"1," * (512 * 1024) + b"1]", "Event", "RequestTooLargeException"),
        (b"{not json", "RequestResponse", "InvalidRequestContentException"),
    ],
)
def test_bad_payloads_are_refused_before_anything_runs(lam, python_function, payload, invocation_type, code) -> None:  # noqa: ANN001
    from computetui.backends.errors import InvalidParameter

    python_function("def handler(event, context):\n    return 1\n")
    with pytest.raises(InvalidParameter) as caught:
        lam.lambda_.invoke("fn", payload, invocation_type=invocation_type)
    assert caught.value.code == code
    assert lam.part(LambdaRuntime).environments() == []


def test_metrics_count_invocations_errors_and_durations(lam, python_function) -> None:  # noqa: ANN001
    python_function(
        "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('x')\n    return 1\n"
    )
    for fail in (False, False, True):
        lam.lambda_.invoke("fn", json.dumps({"fail": fail}))
    lam.part(LambdaRuntime).flush()
    now = lam.clock.now()

    def query(name: str, stat: str) -> list[float]:
        [result] = lam.metrics.get_metric_data(
            [
                {
                    "Id": "q",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/Lambda",
                            "MetricName": name,
                            "Dimensions": [{"Name": "FunctionName", "Value": "fn"}],
                        },
                        "Period": 3600,
                        "Stat": stat,
                    },
                }
            ],
            now.timestamp() - 3600,
            now.timestamp() + 60,
        )
        return result.values

    assert sum(query("Invocations", "Sum")) == 3
    assert sum(query("Errors", "Sum")) == 1
    assert sum(query("Throttles", "Sum")) == 0
    assert query("Duration", "p99")[0] >= query("Duration", "p50")[0] > 0
    month = lam.part(LambdaRecords).month_to_date()
    assert month.requests == 3 and month.total == 0  # inside the free tier
