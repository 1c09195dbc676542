"""AWS Lambda: functions, their configuration, and what an invoke returns.

Lambda's JSON is PascalCase (``FunctionName``, ``MemorySize``).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from computetui.models.base import PascalModel


class Runtime(StrEnum):
    PYTHON39 = "python3.9"
    PYTHON310 = "python3.10"
    PYTHON311 = "python3.11"
    PYTHON312 = "python3.12"
    PYTHON313 = "python3.13"
    NODEJS18 = "nodejs18.x"
    NODEJS20 = "nodejs20.x"
    NODEJS22 = "nodejs22.x"
    JAVA17 = "java17"
    JAVA21 = "java21"
    DOTNET8 = "dotnet8"
    RUBY33 = "ruby3.3"
    PROVIDED_AL2023 = "provided.al2023"
    PROVIDED_AL2 = "provided.al2"

    @classmethod
    def _missing_(cls, value: object) -> Runtime | None:
        """A runtime AWS added after this list (python3.14, nodejs24.x ...) is kept as it is, so
        a real account's function shows its runtime; the local backend checks runtimes itself."""
        if not isinstance(value, str) or not value:
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper().replace(".", "_")
        member._value_ = value
        return member


class State(StrEnum):
    PENDING = "Pending"
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    FAILED = "Failed"


class LastUpdateStatus(StrEnum):
    SUCCESSFUL = "Successful"
    FAILED = "Failed"
    IN_PROGRESS = "InProgress"


class PackageType(StrEnum):
    ZIP = "Zip"
    IMAGE = "Image"


class Architecture(StrEnum):
    X86_64 = "x86_64"
    ARM64 = "arm64"


class Environment(PascalModel):
    variables: dict[str, str] = Field(default_factory=dict)


class EphemeralStorage(PascalModel):
    size: int = 512


class FunctionConfiguration(PascalModel):
    """What ``GetFunctionConfiguration`` and ``ListFunctions`` return per function."""

    function_name: str
    function_arn: str
    runtime: Runtime | None = None
    role: str | None = None
    handler: str | None = None
    code_size: int = 0
    description: str = ""
    timeout: int = 3
    memory_size: int = 128
    last_modified: str | None = None
    """AWS's own format: ``2026-01-15T09:30:00.000+0000``."""
    code_sha256: str | None = None
    version: str = "$LATEST"
    environment: Environment | None = None
    state: State = State.PENDING
    state_reason: str | None = None
    state_reason_code: str | None = None
    last_update_status: LastUpdateStatus | None = None
    revision_id: str | None = None
    """Changes with every change to the function; an update given an older one is refused."""
    package_type: PackageType = PackageType.ZIP
    architectures: list[Architecture] = Field(default_factory=lambda: [Architecture.X86_64])
    ephemeral_storage: EphemeralStorage = Field(default_factory=EphemeralStorage)


class FunctionCodeLocation(PascalModel):
    repository_type: str | None = None
    location: str | None = None
    image_uri: str | None = None


class Concurrency(PascalModel):
    reserved_concurrent_executions: int | None = None


class FunctionDetail(PascalModel):
    """What ``GetFunction`` returns."""

    configuration: FunctionConfiguration
    code: FunctionCodeLocation | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    concurrency: Concurrency | None = None


class TestEvent(BaseModel):
    """A saved test event of a function, as the console keeps them."""

    name: str
    event: str
    """The event's JSON text, as the user wrote it."""


class InvokeResult(BaseModel):
    """One invocation as the caller sees it, with the REPORT line's figures."""

    status_code: int
    function_error: str | None = None
    payload: bytes = b""
    log_result: str | None = None
    executed_version: str | None = None
    request_id: str
    duration_ms: float | None = None
    billed_duration_ms: int | None = None
    init_duration_ms: float | None = None
    memory_size_mb: int | None = None
    max_memory_used_mb: int | None = None
    """None when there is no figure (the console shows "-")."""
    sandbox: str | None = None
    """Where the local emulator ran it: ``container`` or ``process``; None on AWS."""
    sandbox_note: str | None = None
    """Why the emulator ran it as a process when a container was asked for, in a few words."""


# Limits (FIDELITY.md); the one place these numbers live.
MEMORY_MIN = 128
MEMORY_MAX = 10_240
MEMORY_DEFAULT = 128
TIMEOUT_MIN = 1
TIMEOUT_MAX = 900
TIMEOUT_DEFAULT = 3
EPHEMERAL_MIN = 512
EPHEMERAL_MAX = 10_240
ENVIRONMENT_MAX_BYTES = 4 * 1024
ZIP_MAX_BYTES = 50 * 1024 * 1024
SYNC_PAYLOAD_MAX_BYTES = 6 * 1024 * 1024
INLINE_EDIT_MAX_BYTES = 3 * 1024 * 1024
ASYNC_PAYLOAD_MAX_BYTES = 1024 * 1024
UNZIPPED_MAX_BYTES = 250 * 1024 * 1024
