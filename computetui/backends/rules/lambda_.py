"""The rules Lambda enforces on a function's name, package and settings, with its error codes.

The local emulator enforces them; the aws adapter checks them before a call is sent, so a
form can point at the field and nothing half-made is left behind. Which runtimes are
accepted is not here: the emulator takes the ones it can run, the adapter refuses only
the retired ones and leaves the rest to AWS.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from computetui.backends.errors import InvalidParameter
from computetui.backends.rules.validation import (
    VALIDATION,
    Blob,
    Boolean,
    Folder,
    Integer,
    ListOf,
    MapOf,
    OneOf,
    Request,
    String,
    Structure,
    as_json,
    check_pattern,
    check_range,
    constraint_error,
    member,
)
from computetui.models import lambda_ as m

NAME_PATTERN = r"[a-zA-Z0-9-_]+"
NAME_MIN = 1
NAME_MAX = 64
DESCRIPTION_MAX = 256


def check_function_name(name: str) -> None:
    if not name:
        raise constraint_error("functionName", name, f"Member must have length greater than or equal to {NAME_MIN}")
    check_pattern("functionName", name, NAME_PATTERN, max_length=NAME_MAX)


def check_zip(data: bytes) -> int:
    """The unzipped size of a deployment package, or the error AWS gives for it."""
    if len(data) > m.ZIP_MAX_BYTES:
        raise InvalidParameter(
            f"Request must be smaller than {m.ZIP_MAX_BYTES} bytes for the CreateFunction operation",
            code="RequestEntityTooLargeException",
            field="ZipFile",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidParameter(
            "Could not unzip uploaded file. Please check your file, then try to upload again.",
            field="ZipFile",
        ) from None
    if unzipped > m.UNZIPPED_MAX_BYTES:
        raise InvalidParameter(f"Unzipped size must be smaller than {m.UNZIPPED_MAX_BYTES} bytes", field="ZipFile")
    return unzipped


def check_environment(variables: Mapping[Any, Any]) -> None:
    """The 4 KB Lambda allows for a function's environment variables, names and values together."""
    size = sum(len(str(k).encode()) + len(str(v).encode()) for k, v in variables.items())
    if size > m.ENVIRONMENT_MAX_BYTES:
        raise InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment "
            f"variables you have provided exceeded the 4KB limit. String measured: {size}",
            field="Environment",
        )


def check_settings(
    *,
    memory_size: Any = None,
    timeout: Any = None,
    ephemeral_storage: dict[str, Any] | None = None,
    environment: dict[str, Any] | None = None,
    architectures: list[str] | None = None,
    description: str | None = None,
) -> None:
    """The documented limits CreateFunction and UpdateFunctionConfiguration share; None is not given."""
    if memory_size is not None:
        check_range("memorySize", memory_size, m.MEMORY_MIN, m.MEMORY_MAX)
    if timeout is not None:
        check_range("timeout", timeout, m.TIMEOUT_MIN, m.TIMEOUT_MAX)
    if ephemeral_storage is not None:
        size = (ephemeral_storage or {}).get("Size", m.EPHEMERAL_MIN)
        check_range("ephemeralStorage.size", size, m.EPHEMERAL_MIN, m.EPHEMERAL_MAX)
    if environment is not None:
        check_environment((environment or {}).get("Variables") or {})
    if architectures is not None and (len(architectures) != 1 or architectures[0] not in ("x86_64", "arm64")):
        raise constraint_error(
            "architectures",
            architectures,
            "Member must have length less than or equal to 1, "
            "and each member must satisfy enum value set: [x86_64, arm64]",
        )
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise constraint_error(
            "description",
            description[:20] + "...",
            f"Member must have length less than or equal to {DESCRIPTION_MAX}",
        )


def check_runtime_and_handler(runtime: str | None, handler: str | None) -> None:
    """A function created from a deployment package (PackageType Zip) names both."""
    if runtime is None or handler is None:
        raise InvalidParameter(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
            field="Runtime" if runtime is None else "Handler",
        )


def function_name_of(function: str) -> str:
    """The name in a name, ``name:qualifier``, partial ARN (``123:function:name``) or ARN."""
    parts = function.split(":")
    if function.startswith("arn:"):
        return parts[6] if len(parts) > 6 else function
    if len(parts) >= 3 and parts[1] == "function":
        return parts[2]
    return parts[0]


# -- the requests the emulator validates (AWS's service model: lengths, patterns, ranges) ----

FUNCTION_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?"
    r"(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
"""A function named by name, partial ARN or ARN, with or without a qualifier."""
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
HANDLER_PATTERN = r"[^\s]+"
HANDLER_MAX = 128
VARIABLE_NAME_PATTERN = r"[a-zA-Z]([a-zA-Z0-9_])+"
QUALIFIER_PATTERN = r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
RESERVED_VARIABLES = (
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
)
"""What the runtime sets and a function's configuration may not (Lambda's reserved keys)."""

FUNCTION = String(min=1, max=140, pattern=FUNCTION_PATTERN)
NAMESPACED_FUNCTION = String(min=1, max=256)
QUALIFIER = String(min=1, max=128, pattern=QUALIFIER_PATTERN)
ENVIRONMENT = Structure({"Variables": MapOf(String(pattern=VARIABLE_NAME_PATTERN), String(sensitive=True))})
ARCHITECTURES = ListOf(String(enum=("x86_64", "arm64")), min=1, max=1)
SETTINGS = {
    "runtime": String(),
    "role": String(max=10000, pattern=ROLE_PATTERN),
    "handler": String(max=HANDLER_MAX, pattern=HANDLER_PATTERN),
    "description": String(max=DESCRIPTION_MAX),
    "timeout": Integer(m.TIMEOUT_MIN, m.TIMEOUT_MAX),
    "memory_size": Integer(m.MEMORY_MIN, m.MEMORY_MAX),
    "environment": ENVIRONMENT,
    "architectures": ARCHITECTURES,
    "ephemeral_storage": Structure({"Size": Integer(m.EPHEMERAL_MIN, m.EPHEMERAL_MAX)}, required=("Size",)),
}


def check_reserved_variables(arguments: Mapping[str, Any]) -> None:
    """Lambda refuses a configuration that sets a variable its runtime sets."""
    variables = member(as_json(arguments.get("environment") or {}), "Variables") or {}
    reserved = [name for name in variables if name in RESERVED_VARIABLES]
    if reserved:
        raise InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment variables you "
            "have provided contains reserved keys that are currently not supported for modification. "
            f"Reserved keys used in this request: {', '.join(reserved)}",
            field="Environment",
        )


def _request(operation: str, **members: Any) -> Request:
    required = ("function_name", *members.pop("required", ()))
    checks = members.pop("checks", ())
    return Request(operation, VALIDATION, {"function_name": FUNCTION, **members}, required=required, checks=checks)


CREATE_FUNCTION = _request(
    "CreateFunction",
    **SETTINGS,
    code=OneOf((Folder(), Structure({"ZipFile": Blob(m.ZIP_MAX_BYTES), "ImageUri": String()}))),
    package_type=String(enum=("Zip", "Image")),
    publish=Boolean(),
    tags=MapOf(String(min=1, max=128), String(max=256)),
    checks=(check_reserved_variables,),
)
UPDATE_FUNCTION_CODE = _request(
    "UpdateFunctionCode",
    zip_file=Blob(m.ZIP_MAX_BYTES),
    image_uri=String(),
    folder=Folder(),
    publish=Boolean(),
    architectures=ARCHITECTURES,
    revision_id=String(),
)
UPDATE_FUNCTION_CONFIGURATION = _request(
    "UpdateFunctionConfiguration", **SETTINGS, revision_id=String(), checks=(check_reserved_variables,)
)
PUBLISH_VERSION = _request("PublishVersion", description=String(max=DESCRIPTION_MAX), revision_id=String())
PUT_FUNCTION_CONCURRENCY = _request(
    "PutFunctionConcurrency",
    reserved_concurrent_executions=Integer(min=0),
    required=("reserved_concurrent_executions",),
)
FUNCTION_ONLY = _request("Function", function_name=NAMESPACED_FUNCTION)
"""Operations that only name a function (DeleteFunctionConcurrency, ListVersionsByFunction ...)."""
QUALIFIED = _request("Function", function_name=NAMESPACED_FUNCTION, qualifier=QUALIFIER)
"""Operations on a function and an optional qualifier (GetFunction, DeleteFunction ...)."""
SAVE_TEST_EVENT = _request("SaveTestEvent", name=String(), event=String(), required=("name", "event"))
DELETE_TEST_EVENT = _request("DeleteTestEvent", name=String(), required=("name",))
INVOKE = _request(
    "Invoke",
    function_name=NAMESPACED_FUNCTION,
    payload=OneOf((Blob(), String())),
    invocation_type=String(enum=("Event", "RequestResponse", "DryRun")),
    log_type=String(enum=("None", "Tail")),
    qualifier=QUALIFIER,
    client_context=String(),
)
