"""AWS Lambda through boto3: functions, their code and configuration, invocations,
saved test events, and this month's use.

Listings use botocore's paginators (ListFunctions and ListVersionsByFunction at 50
a page, Lambda's maximum). What AWS would refuse for a documented limit (memory,
timeout, ephemeral storage, the 4 KB environment, an unreadable zip, a retired
runtime) is refused here first, with AWS's error code and the field named, so a
form can point at it and nothing half-made is left behind (the execution role
below).

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

The execution role a function gets when none is named is in :mod:`.roles`, saved test events in
:mod:`.test_events`, this month's use in :mod:`.usage`, the REPORT line's figures in :mod:`.report`.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from computetui import pricing
from computetui.backends.aws.kit import Caller, parse, refuse_beyond_endpoint
from computetui.backends.aws.lambda_.report import parse_report
from computetui.backends.aws.lambda_.roles import ExecutionRoles
from computetui.backends.aws.lambda_.test_events import SharedTestEvents
from computetui.backends.aws.lambda_.usage import MonthlyUsageFromMetrics
from computetui.backends.base import LambdaFacet
from computetui.backends.errors import ComputeError, InvalidParameter, NotFound, Unavailable
from computetui.backends.rules.lambda_ import check_function_name, check_runtime_and_handler, check_zip
from computetui.backends.rules.lambda_ import check_settings as check_lambda_settings
from computetui.backends.rules.validation import constraint_error
from computetui.models import lambda_ as m

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






def _client_context(value: str) -> str:
    """Invoke's ClientContext is base64 of a JSON object; JSON text is encoded, base64 passes."""
    try:
        json.loads(base64.b64decode(value, validate=True))
        return value
    except (binascii.Error, ValueError):
        return base64.b64encode(value.encode()).decode()




class AwsLambda(ExecutionRoles, SharedTestEvents, MonthlyUsageFromMetrics, LambdaFacet):
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
        self._usage: tuple[float, pricing.LambdaMonthlyCost] | None = None
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

    def publish_version(
        self, function_name: str, description: str = "", revision_id: str | None = None
    ) -> m.FunctionConfiguration:
        return self._config(self.api.call(
            "publish_version", FunctionName=function_name, Description=description or None, RevisionId=revision_id
        ))

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












