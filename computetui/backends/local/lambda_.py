"""Lambda functions in the local emulator: the records and their code.

Running functions (the Runtime API and execution environments) builds on this.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from typing import Any

from computetui.backends.base import LambdaFacet
from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.local.validation import check_pattern, check_range, constraint_error
from computetui.models import lambda_ as m

KIND = "lambda:function"
NAME_PATTERN = r"[a-zA-Z0-9-_]+"


def lambda_timestamp(when) -> str:  # noqa: ANN001 - a datetime
    """Lambda's ``LastModified`` format: ``2026-01-15T09:30:00.000+0000``."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def check_zip(data: bytes) -> int:
    """The unzipped size of a deployment package, or the error AWS gives."""
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


def check_environment(variables: dict[str, str]) -> None:
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in variables.items())
    if size > m.ENVIRONMENT_MAX_BYTES:
        raise InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment "
            f"variables you have provided exceeded the 4KB limit. String measured: {size}",
            field="Environment",
        )


class LocalLambda(LocalFacetMixin, LambdaFacet):
    def _arn(self, name: str) -> str:
        return self.ids.lambda_function(name)

    def _name(self, function_name: str) -> str:
        # Accept a name, a partial ARN (account:function:name) or a full ARN.
        if function_name.startswith("arn:"):
            return function_name.split(":")[6]
        if ":function:" in function_name:
            return function_name.split(":function:")[1].split(":")[0]
        return function_name

    def _load(self, function_name: str) -> dict[str, Any]:
        name = self._name(function_name)
        body = self.store.get(KIND, self._arn(name))
        if body is None:
            raise NotFound(f"Function not found: {self._arn(name)}")
        return body

    def create_function(
        self,
        function_name: str,
        runtime: str | None = None,
        role: str | None = None,
        handler: str | None = None,
        code: dict[str, Any] | None = None,
        description: str = "",
        timeout: int = m.TIMEOUT_DEFAULT,
        memory_size: int = m.MEMORY_DEFAULT,
        environment: dict[str, Any] | None = None,
        package_type: str = "Zip",
        architectures: list[str] | None = None,
        ephemeral_storage: dict[str, int] | None = None,
        tags: dict[str, str] | None = None,
        **_: Any,
    ) -> m.FunctionConfiguration:
        check_pattern("functionName", function_name, NAME_PATTERN, max_length=64)
        check_range("memorySize", memory_size, m.MEMORY_MIN, m.MEMORY_MAX)
        check_range("timeout", timeout, m.TIMEOUT_MIN, m.TIMEOUT_MAX)
        storage = (ephemeral_storage or {}).get("Size", m.EPHEMERAL_MIN)
        check_range("ephemeralStorage.size", storage, m.EPHEMERAL_MIN, m.EPHEMERAL_MAX)
        if package_type not in ("Zip", "Image"):
            raise constraint_error("packageType", package_type, "Member must satisfy enum value set: [Zip, Image]")
        variables = dict((environment or {}).get("Variables", {}))
        check_environment(variables)
        arches = architectures or ["x86_64"]
        if len(arches) != 1 or arches[0] not in ("x86_64", "arm64"):
            raise constraint_error(
                "architectures",
                arches,
                "Member must have length less than or equal to 1, "
                "and each member must satisfy enum value set: [x86_64, arm64]",
            )
        code = code or {}
        zip_bytes: bytes | None = None
        if package_type == "Zip":
            if runtime is None or handler is None:
                raise InvalidParameter(
                    "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
                    field="Runtime" if runtime is None else "Handler",
                )
            if runtime not in {r.value for r in m.Runtime}:
                raise InvalidParameter(
                    f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum "
                    f"value set: [{', '.join(r.value for r in m.Runtime)}] or be a valid ARN",
                    field="Runtime",
                )
            zip_bytes = code.get("ZipFile")
            if not zip_bytes:
                raise InvalidParameter("Please provide a source for function code.", field="Code.ZipFile")
            check_zip(zip_bytes)
        elif not code.get("ImageUri"):
            raise InvalidParameter("ImageUri is required for functions with PackageType Image.", field="Code.ImageUri")

        arn = self._arn(function_name)
        config = m.FunctionConfiguration(
            function_name=function_name,
            function_arn=arn,
            runtime=runtime if package_type == "Zip" else None,
            role=role or f"arn:aws:iam::{self.ids.account}:role/service-role/{function_name}-role-{self.ids.alnum(8)}",
            handler=handler if package_type == "Zip" else None,
            code_size=len(zip_bytes) if zip_bytes else 0,
            description=description,
            timeout=timeout,
            memory_size=memory_size,
            last_modified=lambda_timestamp(self.now),
            code_sha256=base64.b64encode(hashlib.sha256(zip_bytes or code["ImageUri"].encode()).digest()).decode(),
            environment=m.Environment(variables=variables) if variables else None,
            state=m.State.ACTIVE,
            last_update_status=m.LastUpdateStatus.SUCCESSFUL,
            package_type=package_type,
            architectures=arches,
            ephemeral_storage=m.EphemeralStorage(size=storage),
        )
        detail = m.FunctionDetail(
            configuration=config,
            code=m.FunctionCodeLocation(
                repository_type="S3" if package_type == "Zip" else "ECR",
                image_uri=code.get("ImageUri"),
            ),
            tags=tags or {},
        )
        with self.store.transaction():
            if self.store.get(KIND, arn) is not None:
                raise Conflict(f"Function already exist: {function_name}")
            self.store.put(KIND, arn, detail.to_aws(), name=function_name, state=config.state.value)
            if zip_bytes:
                self.store.put_blob(f"lambda:{arn}:$LATEST", zip_bytes)
        # AWS answers CreateFunction while the function is still Pending; a zip
        # function on a managed runtime is Active by the time anyone looks again.
        return config.updated(
            state=m.State.PENDING,
            last_update_status=None,
            state_reason="The function is being created.",
            state_reason_code="Creating",
        )

    def get_function(self, function_name: str) -> m.FunctionDetail:
        return m.FunctionDetail.model_validate(self._load(function_name))

    def get_function_configuration(self, function_name: str) -> m.FunctionConfiguration:
        return self.get_function(function_name).configuration

    def list_functions(self) -> list[m.FunctionConfiguration]:
        details = [m.FunctionDetail.model_validate(body) for body in self.store.list(KIND)]
        return sorted((d.configuration for d in details), key=lambda c: c.function_name)

    def delete_function(self, function_name: str) -> None:
        arn = self._load(function_name)["Configuration"]["FunctionArn"]
        with self.store.transaction():
            self.store.delete(KIND, arn)
            self.store.delete_blob(f"lambda:{arn}:$LATEST")
