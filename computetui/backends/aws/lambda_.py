"""AWS Lambda through boto3: functions, their code and configuration, invocations,
saved test events, and this month's use.

Listings use botocore's paginators (ListFunctions and ListVersionsByFunction at 50
a page, Lambda's maximum). What AWS would refuse for a documented limit (memory,
timeout, ephemeral storage, the 4 KB environment, an unreadable zip, a retired
runtime) is refused here first, with AWS's error code and the field named, so a
form can point at it and nothing half-made is left behind (the execution role
below).

Creating a function without a role does what the Lambda console does: it creates
an execution role ``service-role/<function>-role-<random>`` that Lambda may
assume, with an inline policy that lets it write its own log group (what the
managed AWSLambdaBasicExecutionRole grants, scoped to the function), and
retries CreateFunction while IAM makes the new role visible to Lambda. If the
function cannot be created the role is removed again.

Deploys wait: UpdateFunctionCode and UpdateFunctionConfiguration answer while the
update is still ``InProgress``; the adapter polls GetFunctionConfiguration until
it is ``Successful`` (or ``Failed``, raised with AWS's reason), so the next test
really runs the new code.

Invoking: a synchronous invoke runs as long as the function's timeout (up to 15
minutes) and is not idempotent, so it goes through a client of its own with a
read timeout beyond 900 s and no retries (the shared clients retry, and a retry
would run the function twice). ``LogType=Tail`` brings back the last 4 KB of the
invocation's log, base64-encoded; it is decoded, and the REPORT line's figures
(Duration, Billed Duration, Memory Size, Max Memory Used, Init Duration on a cold
start) fill the same :class:`~computetui.models.lambda_.InvokeResult` the local
backend returns. Functions that log in JSON format write the REPORT as a
``platform.report`` record; that is read too.

Saved test events
-----------------
The AWS console keeps two kinds of test events: *private* ones, stored by the
console for one user and not reachable through any API, and *shareable* ones,
stored in the EventBridge Schema Registry: registry ``lambda-testevent-schemas``,
one schema per function named ``_<function>-schema`` (an OpenAPI 3 document whose
``components.examples.<event name>.value`` holds each event). This adapter keeps
test events as shareable events, in that registry, in that format.

Why there and not in a local file per profile, region and function: a test event
saved in the terminal then appears in the AWS console's Test tab and in
``sam remote test-event`` (and theirs appear here), for everyone with access to
the account, on any machine; a local file would be a third, private store that
nothing else can see, lost with the laptop. The price is permissions: reading
needs ``schemas:DescribeSchema``; saving and deleting also
``schemas:CreateRegistry``, ``CreateSchema``, ``UpdateSchema``,
``GetDiscoveredSchema``, ``ListSchemaVersions`` and ``DeleteSchema`` (what the
Lambda documentation asks for shareable events), plus ``DeleteSchemaVersion`` to
prune old versions (without it, saving still works). Without the others the Test
tab says which permission is missing (AccessDenied), and running an event typed in
the editor still works.

As the console does: the registry is created on the first save; a new schema is
generated from the event with GetDiscoveredSchema; each save is a new schema
version, and the oldest versions are pruned so that at most 5 are kept (as SAM CLI
does, best effort). JSON is stored parsed, so an event comes back re-indented rather than in
the user's exact spacing.

This month's use
----------------
``usage_this_month`` reads CloudWatch: ``AWS/Lambda`` ``Invocations`` (Sum, all
functions) for requests, and each function's ``Duration`` (Sum) times its memory
for GB-seconds, in one GetMetricData call for up to 499 functions, one data point
per query covering the month so far. It is an estimate: Duration is not rounded
up per invocation as billing is, a version with a different memory size counts at
``$LATEST``'s, and deleted functions' compute is gone from the sum. GetMetricData
is billed per metric requested, so the answer is kept for five minutes.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import re
import secrets
import string
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, parse, refuse_beyond_endpoint
from computetui.backends.base import LambdaFacet
from computetui.backends.errors import (
    AccessDenied,
    ComputeError,
    InvalidParameter,
    NotFound,
    Unavailable,
)
from computetui.backends.rules.lambda_ import (
    NAME_MAX,
    check_function_name,
    check_runtime_and_handler,
    check_zip,
)
from computetui.backends.rules.lambda_ import check_settings as check_lambda_settings
from computetui.backends.rules.validation import constraint_error
from computetui.models import lambda_ as m
from computetui.test_events import MAX_SAVED_PER_FUNCTION, json_problem

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

LATEST = "$LATEST"
PAGE_SIZE = 50
"""ListFunctions and ListVersionsByFunction return at most 50 items a page."""

INVOKE_READ_TIMEOUT_S = 910
"""Past the longest function timeout (900 s): a synchronous invoke waits for the function."""
UPDATE_WAIT_S = 60.0
"""How long a deploy waits for ``LastUpdateStatus`` to leave ``InProgress``."""
UPDATE_POLL_S = 1.0
ROLE_PROPAGATION_WAIT_S = 20.0
"""How long CreateFunction is retried while IAM makes a new role visible to Lambda."""
USAGE_TTL_S = 300.0
"""How long ``usage_this_month`` keeps its answer: GetMetricData is billed per metric."""
METRIC_QUERIES_MAX = 500

RETIRED_RUNTIMES = frozenset(
    {
        "python2.7",
        "python3.6",
        "nodejs",
        "nodejs4.3",
        "nodejs4.3-edge",
        "nodejs6.10",
        "nodejs8.10",
        "nodejs10.x",
        "dotnetcore1.0",
        "dotnetcore2.0",
        "dotnetcore2.1",
        "ruby2.5",
    }
)
"""Runtimes Lambda has refused for new functions for years (its runtime deprecation
policy); a newer or unknown runtime is left for AWS to judge."""

BASIC_EXECUTION_POLICY = "AWSLambdaBasicExecutionRole"
"""The new role's inline policy: what the AWS managed policy of that name grants (create the log
group, write its streams), scoped to the function's own log group as the console scopes it."""
LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}

TEST_EVENT_REGISTRY = "lambda-testevent-schemas"
TEST_EVENT_SCHEMA_TYPE = "OpenApi3"
TEST_EVENT_NAME = r"[A-Za-z0-9_-]{1,25}"
TEST_EVENT_VERSIONS_KEPT = 5
_SCHEMAS_PERMISSION_HINT = (
    " (shareable test events live in the EventBridge Schema Registry: the profile needs schemas:* "
    f"permissions on the registry {TEST_EVENT_REGISTRY})"
)

_REPORT_FIELD = re.compile(
    r"(Billed Restore Duration|Restore Duration|Billed Duration|Init Duration|Max Memory Used|Memory Size|Duration)"
    r": ([0-9.]+) (?:ms|MB)"
)
_REQUEST_ID = re.compile(r"RequestId: (\S+)")
_ROLE_NOT_READY = "cannot be assumed by Lambda"


def check_settings(params: dict[str, Any]) -> None:
    """Lambda's documented limits on CreateFunction and UpdateFunctionConfiguration (AWS's names),
    and no retired runtime."""
    check_lambda_settings(
        memory_size=params.get("MemorySize"),
        timeout=params.get("Timeout"),
        ephemeral_storage=params.get("EphemeralStorage"),
        environment=params.get("Environment"),
        architectures=params.get("Architectures"),
        description=params.get("Description"),
    )
    if params.get("Runtime") in RETIRED_RUNTIMES:
        raise InvalidParameter(
            f"The runtime parameter of {params['Runtime']} is no longer supported for creating or updating "
            "AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.",
            field="Runtime",
        )


def function_name_of(function: str) -> str:
    """The name in a name, ``name:qualifier``, partial ARN (``123:function:name``) or ARN."""
    parts = function.split(":")
    if function.startswith("arn:"):
        return parts[6] if len(parts) > 6 else function
    if len(parts) >= 3 and parts[1] == "function":
        return parts[2]
    return parts[0]


def parse_report(log: str, request_id: str | None = None) -> dict[str, float]:
    """The REPORT figures in a log tail: ``{"Duration": 1.2, "Billed Duration": 2, ...}``.

    The REPORT of ``request_id`` when the tail holds several, else the last one. Reads the
    text format (``REPORT RequestId: ...\\tDuration: 1.23 ms\\t...``) and the JSON log
    format's ``platform.report`` record.
    """
    found: dict[str, float] = {}
    for line in log.splitlines():
        line = line.strip()
        figures: dict[str, float] = {}
        owner = None
        if line.startswith("REPORT "):
            figures = {name: float(value) for name, value in _REPORT_FIELD.findall(line)}
            match = _REQUEST_ID.search(line)
            owner = match.group(1) if match else None
        elif line.startswith("{") and "platform.report" in line:
            figures, owner = _json_report(line)
        if not figures:
            continue
        if request_id is not None and owner == request_id:
            return figures
        found = figures
    return found


def _json_report(line: str) -> tuple[dict[str, float], str | None]:
    try:
        record = json.loads(line)
    except ValueError:
        return {}, None
    if not isinstance(record, dict) or record.get("type") != "platform.report":
        return {}, None
    body = record.get("record") or {}
    metrics = body.get("metrics") or {}
    names = {
        "durationMs": "Duration",
        "billedDurationMs": "Billed Duration",
        "memorySizeMB": "Memory Size",
        "maxMemoryUsedMB": "Max Memory Used",
        "initDurationMs": "Init Duration",
    }
    figures = {names[k]: float(v) for k, v in metrics.items() if k in names and isinstance(v, (int, float))}
    return figures, body.get("requestId")


def _client_context(value: str) -> str:
    """Invoke's ClientContext is base64 of a JSON object; JSON text is encoded, base64 passes."""
    try:
        json.loads(base64.b64decode(value, validate=True))
        return value
    except (binascii.Error, ValueError):
        return base64.b64encode(value.encode()).decode()


def _schema_document(event: Any) -> dict[str, Any]:
    """An OpenAPI 3 document for a function's shareable events, when discovery cannot make one."""
    return {
        "openapi": "3.0.0",
        "info": {"version": "1.0.0", "title": "Event"},
        "paths": {},
        "components": {"schemas": {"Event": {"type": "object" if isinstance(event, dict) else "string"}}},
    }


class AwsLambda(LambdaFacet):
    backend: AwsBackend

    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.api = Caller(backend, "lambda", invalid_code="ValidationException")
        self.iam = Caller(backend, "iam", invalid_code="ValidationError")
        self.schemas = Caller(backend, "schemas", invalid_code="BadRequestException")
        self.cloudwatch = Caller(
            backend, "cloudwatch", invalid_code="InvalidParameterValue", kinds={"InvalidParameterValue": "invalid"}
        )
        self._lock = threading.Lock()
        self._invoke_client: Any = None
        self._usage: tuple[float, m.MonthlyUsage] | None = None
        self._sleep = time.sleep
        self._monotonic = time.monotonic

    # -- helpers ---------------------------------------------------------------
    def _now(self) -> datetime:
        clock = getattr(self.backend, "clock", None)
        return clock.now() if clock is not None else datetime.now(UTC)

    def _params(self, operation: str, keywords: dict[str, Any]) -> dict[str, Any]:
        """boto3's parameters for the contract's keywords; a keyword the operation does not take is refused."""
        members = self.api.member_names(operation)
        unknown = sorted(k for k in keywords if k.replace("_", "").lower() not in members)
        if unknown:
            raise InvalidParameter(
                f"{operation} does not take {unknown[0]}", code="ValidationException", field=unknown[0]
            )
        return self.api.params(operation, keywords)

    @staticmethod
    def _code(code: Any) -> dict[str, Any]:
        """``{"ZipFile": bytes}``, ``{"ImageUri": ...}``, ``{"S3Bucket", "S3Key"}`` or a folder to zip."""
        if isinstance(code, (str, os.PathLike)):
            from computetui.blueprints import zip_folder

            folder = Path(code)
            if not folder.is_dir():
                raise InvalidParameter(f"{folder} is not a folder to zip", field="Code")
            code = {"ZipFile": zip_folder(folder)}
        code = dict(code or {})
        if code.get("ZipFile"):
            check_zip(code["ZipFile"])
        return code

    def _config(self, data: dict[str, Any]) -> m.FunctionConfiguration:
        return parse(m.FunctionConfiguration, data)

    # -- functions -------------------------------------------------------------
    def create_function(self, function_name: str, **kwargs: Any) -> m.FunctionConfiguration:
        check_function_name(function_name)
        code = kwargs.pop("code", None)
        params = self._params("CreateFunction", kwargs)
        check_settings(params)
        params["Code"] = self._code(code)
        package_type = params.get("PackageType", "Zip")
        if package_type == "Zip":
            check_runtime_and_handler(params.get("Runtime") or None, params.get("Handler") or None)
            if not (params["Code"].get("ZipFile") or params["Code"].get("S3Bucket")):
                raise InvalidParameter("Please provide a source for function code.", field="Code.ZipFile")
        elif package_type == "Image" and not params["Code"].get("ImageUri"):
            raise InvalidParameter("ImageUri is required for functions with PackageType Image.", field="Code.ImageUri")
        created_role = None
        if not params.get("Role"):
            created_role = self._create_execution_role(function_name)
            params["Role"] = created_role["Arn"]
        try:
            answer = self._create_retrying(function_name, params, retry_role=created_role is not None)
        except BaseException:
            if created_role is not None:
                self._delete_role(created_role["RoleName"])
            raise
        return self._config(answer)

    def _create_retrying(self, function_name: str, params: dict[str, Any], retry_role: bool) -> dict[str, Any]:
        deadline = self._monotonic() + ROLE_PROPAGATION_WAIT_S
        delay = 1.0
        while True:
            try:
                return self.api.call("create_function", FunctionName=function_name, **params)
            except InvalidParameter as exc:
                if not (retry_role and _ROLE_NOT_READY in exc.message and self._monotonic() + delay < deadline):
                    raise
            self._sleep(delay)
            delay = min(delay * 2, 5.0)

    def _create_execution_role(self, function_name: str) -> dict[str, Any]:
        """The role the Lambda console makes for a new function: ``service-role/<name>-role-<random>``."""
        suffix = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
        name = f"{function_name[: NAME_MAX - 14]}-role-{suffix}"
        role = self.iam.call(
            "create_role",
            RoleName=name,
            Path="/service-role/",
            AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST_POLICY),
            Description=f"Execution role of the Lambda function {function_name} (made by computetui)",
        )["Role"]
        _, partition, _, _, account, _ = role["Arn"].split(":", 5)
        logs = f"arn:{partition}:logs:{self.backend.region}:{account}"
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": f"{logs}:*"},
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [f"{logs}:log-group:/aws/lambda/{function_name}:*"],
                },
            ],
        }
        try:
            self.iam.call(
                "put_role_policy", RoleName=name, PolicyName=BASIC_EXECUTION_POLICY, PolicyDocument=json.dumps(policy)
            )
        except BaseException:
            self._delete_role(name)
            raise
        return role

    def _delete_role(self, name: str) -> None:
        """Remove a role this adapter made for a function that was not created; best effort."""
        for operation, params in (("delete_role_policy", {"PolicyName": BASIC_EXECUTION_POLICY}), ("delete_role", {})):
            try:
                self.iam.call(operation, RoleName=name, **params)
            except ComputeError:
                pass

    def get_function(self, function_name: str, qualifier: str | None = None) -> m.FunctionDetail:
        return parse(m.FunctionDetail, self.api.call("get_function", FunctionName=function_name, Qualifier=qualifier))

    def get_function_configuration(self, function_name: str, qualifier: str | None = None) -> m.FunctionConfiguration:
        return self._config(
            self.api.call("get_function_configuration", FunctionName=function_name, Qualifier=qualifier)
        )

    def list_functions(self) -> list[m.FunctionConfiguration]:
        functions = [self._config(f) for f in self.api.pages("list_functions", "Functions", page_size=PAGE_SIZE)]
        return sorted(functions, key=lambda f: f.function_name)

    def list_versions_by_function(self, function_name: str) -> list[m.FunctionConfiguration]:
        versions = [
            self._config(v)
            for v in self.api.pages(
                "list_versions_by_function", "Versions", page_size=PAGE_SIZE, FunctionName=function_name
            )
        ]
        return sorted(versions, key=lambda v: -1 if v.version == LATEST else int(v.version))

    def download_function_code(self, function_name: str, qualifier: str | None = None) -> bytes:
        detail = self.api.call("get_function", FunctionName=function_name, Qualifier=qualifier)
        location = (detail.get("Code") or {}).get("Location")
        if not location:
            name = (detail.get("Configuration") or {}).get("FunctionName", function_name)
            raise NotFound(f"Function {name} has no deployment package (PackageType Image)")
        if not location.startswith(("https://", "http://")):
            raise ComputeError(f"unexpected code location {location[:40]}", code="UnexpectedResponse")
        refuse_beyond_endpoint(self.backend, location, "the code", "CodeDownloadUnsupported")
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(location, timeout=self.backend.config.read_timeout) as answer:
                return answer.read()
        except urllib.error.HTTPError as exc:
            raise ComputeError(
                f"downloading the code failed: HTTP {exc.code} {exc.reason}", code="CodeDownloadFailed"
            ) from None
        except OSError as exc:
            raise Unavailable(f"downloading the code failed: {exc}", reason=str(exc)) from None

    def update_function_code(
        self,
        function_name: str,
        zip_file: bytes | None = None,
        image_uri: str | None = None,
        folder: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> m.FunctionConfiguration:
        if folder is not None:
            zip_file = self._code(folder)["ZipFile"]
        elif zip_file:
            check_zip(zip_file)
        params = self._params("UpdateFunctionCode", kwargs)
        if zip_file:
            params["ZipFile"] = zip_file
        if image_uri:
            params["ImageUri"] = image_uri
        if "Architectures" in params:
            check_settings({"Architectures": params["Architectures"]})
        if not (params.get("ZipFile") or params.get("ImageUri") or params.get("S3Bucket")):
            raise InvalidParameter("Please provide a source for function code.", field="ZipFile")
        answer = self.api.call("update_function_code", FunctionName=function_name, **params)
        return self._config(self._settled(answer))

    def update_function_configuration(self, function_name: str, **changes: Any) -> m.FunctionConfiguration:
        params = self._params("UpdateFunctionConfiguration", changes)
        check_settings(params)
        answer = self.api.call("update_function_configuration", FunctionName=function_name, **params)
        return self._config(self._settled(answer))

    def _settled(self, answer: dict[str, Any]) -> dict[str, Any]:
        """The configuration once the update it describes has finished (or UPDATE_WAIT_S passed)."""
        deadline = self._monotonic() + UPDATE_WAIT_S
        version = answer.get("Version") or LATEST
        while answer.get("LastUpdateStatus") == "InProgress" and self._monotonic() < deadline:
            self._sleep(UPDATE_POLL_S)
            answer = self.api.call(
                "get_function_configuration",
                FunctionName=answer["FunctionName"],
                Qualifier=None if version == LATEST else version,
            )
        if answer.get("LastUpdateStatus") == "Failed":
            raise ComputeError(
                f"The update of {answer.get('FunctionName')} failed: "
                f"{answer.get('LastUpdateStatusReason') or 'no reason given'}",
                code=answer.get("LastUpdateStatusReasonCode") or "UpdateFailed",
            )
        return answer

    def delete_function(self, function_name: str, qualifier: str | None = None) -> None:
        self.api.call("delete_function", FunctionName=function_name, Qualifier=qualifier)

    def publish_version(self, function_name: str, description: str = "") -> m.FunctionConfiguration:
        return self._config(
            self.api.call("publish_version", FunctionName=function_name, Description=description or None)
        )

    # -- concurrency -----------------------------------------------------------
    def put_function_concurrency(self, function_name: str, reserved_concurrent_executions: int) -> int:
        if reserved_concurrent_executions < 0:
            raise constraint_error(
                "reservedConcurrentExecutions",
                reserved_concurrent_executions,
                "Member must have value greater than or equal to 0",
            )
        answer = self.api.call(
            "put_function_concurrency",
            FunctionName=function_name,
            ReservedConcurrentExecutions=reserved_concurrent_executions,
        )
        return int(answer.get("ReservedConcurrentExecutions", reserved_concurrent_executions))

    def delete_function_concurrency(self, function_name: str) -> None:
        self.api.call("delete_function_concurrency", FunctionName=function_name)

    def get_function_concurrency(self, function_name: str) -> int | None:
        return self.api.call("get_function_concurrency", FunctionName=function_name).get("ReservedConcurrentExecutions")

    # -- invoking --------------------------------------------------------------
    def invoker(self) -> Any:
        """The Lambda client for Invoke: a long read timeout, and no retries."""
        with self._lock:
            if self._invoke_client is None:
                from botocore.config import Config

                config = self.backend.config.merge(
                    Config(read_timeout=INVOKE_READ_TIMEOUT_S, retries={"mode": "standard", "total_max_attempts": 1})
                )
                self._invoke_client = self.backend.session.client(
                    "lambda", config=config, endpoint_url=self.backend.endpoint_url
                )
            return self._invoke_client

    def invoke(
        self,
        function_name: str,
        payload: bytes | str = b"",
        invocation_type: str = "RequestResponse",
        log_type: str = "None",
        qualifier: str | None = None,
        client_context: str | None = None,
    ) -> m.InvokeResult:
        data = payload.encode() if isinstance(payload, str) else bytes(payload or b"")
        params: dict[str, Any] = {
            "FunctionName": function_name,
            "InvocationType": invocation_type,
            "LogType": log_type,
            "Payload": data,
        }
        if qualifier:
            params["Qualifier"] = qualifier
        if client_context:
            params["ClientContext"] = _client_context(client_context)
        try:
            answer = self.invoker().invoke(**params)
            body = answer["Payload"].read() if answer.get("Payload") is not None else b""
        except ComputeError:
            raise
        except Exception as exc:
            raise self.api.error(exc) from None
        request_id = (answer.get("ResponseMetadata") or {}).get("RequestId") or ""
        log = None
        if answer.get("LogResult"):
            log = base64.b64decode(answer["LogResult"]).decode("utf-8", "replace")
        figures = parse_report(log or "", request_id or None)

        def whole(name: str) -> int | None:
            return int(figures[name]) if name in figures else None

        return m.InvokeResult(
            status_code=answer.get("StatusCode", 200),
            function_error=answer.get("FunctionError"),
            payload=body,
            log_result=log,
            executed_version=answer.get("ExecutedVersion"),
            request_id=request_id,
            duration_ms=figures.get("Duration"),
            billed_duration_ms=whole("Billed Duration"),
            init_duration_ms=figures.get("Init Duration"),
            memory_size_mb=whole("Memory Size"),
            max_memory_used_mb=whole("Max Memory Used"),
        )

    # -- test events (shareable: the EventBridge Schema Registry) --------------------
    @staticmethod
    def _schema_name(function_name: str) -> str:
        return f"_{function_name_of(function_name)}-schema"

    def _schemas_call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            return self.schemas.call(operation, **params)
        except ComputeError as exc:
            if exc.code in ("ForbiddenException", "UnauthorizedException"):
                raise AccessDenied(exc.message + _SCHEMAS_PERMISSION_HINT, code=exc.code) from None
            raise

    def _schema(self, function_name: str) -> dict[str, Any] | None:
        """The function's shareable-events document, or None when it has none."""
        try:
            answer = self._schemas_call(
                "describe_schema", RegistryName=TEST_EVENT_REGISTRY, SchemaName=self._schema_name(function_name)
            )
        except NotFound:
            return None
        try:
            document = json.loads(answer.get("Content") or "{}")
        except ValueError:
            raise ComputeError(
                f"the shareable test events of {function_name} are not valid JSON", code="InvalidSchema"
            ) from None
        if not isinstance(document, dict) or not isinstance(document.get("components"), dict):
            raise ComputeError(f"the shareable test events of {function_name} have no components", code="InvalidSchema")
        return document

    def list_test_events(self, function_name: str) -> list[m.TestEvent]:
        document = self._schema(function_name)
        if document is None:
            return []
        examples = document["components"].get("examples") or {}
        return [
            m.TestEvent(name=name, event=json.dumps(example.get("value"), indent=2))
            for name, example in examples.items()
            if isinstance(example, dict) and "value" in example
        ]

    def save_test_event(self, function_name: str, name: str, event: str) -> m.TestEvent:
        if not re.fullmatch(TEST_EVENT_NAME, name or ""):
            raise InvalidParameter(
                "Event name must be 1-25 characters: letters, numbers, hyphens and underscores.", field="name"
            )
        problem = json_problem(event)
        if problem:
            raise InvalidParameter(problem, code="InvalidRequestContentException", field="event")
        if len(event.encode()) > m.SYNC_PAYLOAD_MAX_BYTES:
            raise InvalidParameter(
                f"A test event must be smaller than {m.SYNC_PAYLOAD_MAX_BYTES} bytes, the invoke payload limit",
                code="RequestTooLargeException",
                field="event",
            )
        # The function must exist (its ARN may be given): the schema is named after it.
        function = self.api.call("get_function_configuration", FunctionName=function_name)["FunctionName"]
        value = json.loads(event)
        schema_name = self._schema_name(function)
        document = self._schema(function)
        if document is None:
            document = self._discovered(event, value)
            document["components"].setdefault("examples", {})[name] = {"value": value}
            self._create_schema(schema_name, json.dumps(document))
        else:
            examples = document["components"].setdefault("examples", {})
            if name not in examples and len(examples) >= MAX_SAVED_PER_FUNCTION:
                raise InvalidParameter(
                    f"A function keeps at most {MAX_SAVED_PER_FUNCTION} saved test events; delete one first.",
                    code="LimitExceededException",
                    field="name",
                )
            examples[name] = {"value": value}
            self._update_schema(schema_name, document)
        return m.TestEvent(name=name, event=event)

    def delete_test_event(self, function_name: str, name: str) -> None:
        document = self._schema(function_name)
        examples = (document or {}).get("components", {}).get("examples") or {}
        if name not in examples:
            raise NotFound(f"Test event {name} not found for function {function_name_of(function_name)}")
        schema_name = self._schema_name(function_name)
        if len(examples) == 1:
            self._schemas_call("delete_schema", RegistryName=TEST_EVENT_REGISTRY, SchemaName=schema_name)
            return
        del examples[name]
        self._update_schema(schema_name, document or {})

    def _discovered(self, text: str, value: Any) -> dict[str, Any]:
        """A new schema document generated from the event, as the console makes it."""
        try:
            content = self._schemas_call("get_discovered_schema", Events=[text], Type=TEST_EVENT_SCHEMA_TYPE)["Content"]
            document = json.loads(content)
            if isinstance(document, dict) and isinstance(document.get("components"), dict):
                return document
        except (InvalidParameter, ValueError, KeyError):
            pass  # an event discovery cannot describe (an array, a string): a plain document
        return _schema_document(value)

    def _create_schema(self, schema_name: str, content: str) -> None:
        params = {
            "RegistryName": TEST_EVENT_REGISTRY,
            "SchemaName": schema_name,
            "Type": TEST_EVENT_SCHEMA_TYPE,
            "Content": content,
        }
        try:
            self._schemas_call("create_schema", **params)
        except NotFound:  # the account's first shareable event: the registry comes first
            try:
                self._schemas_call(
                    "create_registry",
                    RegistryName=TEST_EVENT_REGISTRY,
                    Description="Shareable test events of Lambda functions",
                )
            except ComputeError as exc:
                if exc.code != "ConflictException":
                    raise
            self._schemas_call("create_schema", **params)

    def _update_schema(self, schema_name: str, document: dict[str, Any]) -> None:
        self._prune_versions(schema_name)
        self._schemas_call(
            "update_schema",
            RegistryName=TEST_EVENT_REGISTRY,
            SchemaName=schema_name,
            Type=TEST_EVENT_SCHEMA_TYPE,
            Content=json.dumps(document),
        )

    def _prune_versions(self, schema_name: str) -> None:
        """Keep at most TEST_EVENT_VERSIONS_KEPT versions once the update is made (the oldest go).

        Best effort: a profile allowed to save events but not to delete versions still saves."""
        try:
            versions = self.schemas.pages(
                "list_schema_versions", "SchemaVersions", RegistryName=TEST_EVENT_REGISTRY, SchemaName=schema_name
            )
            numbers = sorted(int(v["SchemaVersion"]) for v in versions if str(v.get("SchemaVersion", "")).isdigit())
            for number in numbers[: max(0, len(numbers) - (TEST_EVENT_VERSIONS_KEPT - 1))]:
                self.schemas.call(
                    "delete_schema_version",
                    RegistryName=TEST_EVENT_REGISTRY,
                    SchemaName=schema_name,
                    SchemaVersion=str(number),
                )
        except ComputeError:
            pass

    # -- this month's use ------------------------------------------------------
    def usage_this_month(self) -> m.MonthlyUsage | None:
        now = self._monotonic()
        with self._lock:
            if self._usage is not None and now - self._usage[0] < USAGE_TTL_S:
                return self._usage[1]
        try:
            usage = self._usage_now()
        except AccessDenied:
            return None  # no cloudwatch:GetMetricData: the backend cannot tell
        with self._lock:
            self._usage = (now, usage)
        return usage

    def _usage_now(self) -> m.MonthlyUsage:
        from computetui import pricing

        functions = self.list_functions()
        end = self._now().astimezone(UTC)
        start = datetime(end.year, end.month, 1, tzinfo=UTC)
        # One data point for the month so far: whole hours (a multiple of 300 and 3600 s, which
        # CloudWatch asks of periods that start more than 15 and 63 days ago).
        period = max(3600, math.ceil((end - start).total_seconds() / 3600) * 3600)

        def query(query_id: str, metric: str, dimensions: list[dict[str, str]]) -> dict[str, Any]:
            return {
                "Id": query_id,
                "MetricStat": {
                    "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": dimensions},
                    "Period": period,
                    "Stat": "Sum",
                },
            }

        queries = [query("requests", "Invocations", [])]
        queries += [
            query(f"d{i}", "Duration", [{"Name": "FunctionName", "Value": f.function_name}])
            for i, f in enumerate(functions)
        ]
        totals: dict[str, float] = {}
        for start_at in range(0, len(queries), METRIC_QUERIES_MAX):
            batch = queries[start_at : start_at + METRIC_QUERIES_MAX]
            token = None
            while True:
                answer = self.cloudwatch.call(
                    "get_metric_data", MetricDataQueries=batch, StartTime=start, EndTime=end, NextToken=token
                )
                for result in answer.get("MetricDataResults") or []:
                    totals[result["Id"]] = totals.get(result["Id"], 0.0) + sum(result.get("Values") or [])
                token = answer.get("NextToken")
                if not token:
                    break
        requests = int(round(totals.get("requests", 0.0)))
        gb_seconds = 0.0
        used_architectures = set()
        for i, function in enumerate(functions):
            duration_ms = totals.get(f"d{i}", 0.0)
            if duration_ms:
                gb_seconds += duration_ms / 1000 * function.memory_size / 1024
                used_architectures.add(function.architectures[0].value if function.architectures else "x86_64")
        # The free tier is shared; price what is left at the x86 rate unless everything ran on arm64.
        architecture = "arm64" if used_architectures == {"arm64"} else "x86_64"
        cost = pricing.lambda_monthly_cost(requests, gb_seconds, architecture)
        return m.MonthlyUsage(
            requests=requests,
            gb_seconds=gb_seconds,
            request_cost=cost.request_cost,
            compute_cost=cost.compute_cost,
            free_requests_used=cost.free_requests_used,
            free_gb_seconds_used=cost.free_gb_seconds_used,
        )
