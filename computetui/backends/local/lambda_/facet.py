"""Lambda functions in the local emulator: records, code, versions, and invoking them.

The functions run in execution environments (``runtime.py``, sandboxes); this module
validates what AWS validates, keeps the records and the code, and turns a call
to ``invoke`` into an invocation of the right version's code.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from computetui.backends.base import LambdaFacet
from computetui.backends.errors import ComputeError, Conflict, InvalidParameter, NotFound
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.local.lambda_.sandbox import EnvironmentSpec
from computetui.backends.local.state import MEMORY
from computetui.backends.rules import lambda_ as rules
from computetui.backends.rules.lambda_ import (
    check_function_name,
    check_runtime_and_handler,
    check_settings,
    check_zip,
)
from computetui.backends.rules.validation import constraint_error, validated
from computetui.blueprints import zip_folder
from computetui.models import lambda_ as m
from computetui.test_events import MAX_SAVED_PER_FUNCTION, json_problem

if TYPE_CHECKING:
    from computetui.backends.local.emulator import Emulator
    from computetui.backends.local.lambda_.records import LambdaRecords
    from computetui.backends.local.lambda_.runtime import LambdaRuntime
    from computetui.pricing import LambdaMonthlyCost

KIND = "lambda:function"
VERSION_KIND = "lambda:version"
TEST_EVENT_KIND = "lambda:test-event"
LATEST = "$LATEST"
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
SPEC_RECHECK_S = 1.0
REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def lambda_timestamp(when) -> str:  # noqa: ANN001 - a datetime
    """Lambda's ``LastModified`` format: ``2026-01-15T09:30:00.000+0000``."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


class LocalLambda(LocalFacetMixin, LambdaFacet):
    backend: Emulator

    def __init__(self, backend: Emulator, runtime: LambdaRuntime, records: LambdaRecords) -> None:
        super().__init__(backend)
        self.runtime = runtime
        """The execution environments that run the invocations."""
        self.records = records
        """What invocations left behind: logs, metrics, cost."""
        self._code_root: Path | None = None
        self._prepared_cache: dict[tuple[str, str], tuple[float, EnvironmentSpec, tuple[Any, ...]]] = {}

    @property
    def code_root(self) -> Path:
        """Where function code is unpacked: the state dir, or a temporary folder for ``:memory:``."""
        if self._code_root is None:
            if self.backend.state_dir == MEMORY:
                self._code_root = Path(tempfile.mkdtemp(prefix="computetui-code-"))
            else:
                self._code_root = Path(self.backend.state_dir) / "lambda" / "code"
                self._code_root.mkdir(parents=True, exist_ok=True)
        return self._code_root

    def close(self) -> None:
        """A temporary code folder (``:memory:`` state) goes with the backend."""
        if self._code_root is not None and self.backend.state_dir == MEMORY:
            shutil.rmtree(self._code_root, ignore_errors=True)

    # -- records -------------------------------------------------------------
    def _arn(self, name: str, qualifier: str | None = None) -> str:
        return self.ids.lambda_function(name, None if qualifier in (None, LATEST) else qualifier)

    @staticmethod
    def _split(function_name: str, qualifier: str | None = None) -> tuple[str, str]:
        """A name, partial ARN or ARN (with or without ``:qualifier``) -> (name, qualifier)."""
        parts = function_name.split(":")
        if function_name.startswith("arn:"):
            name, suffix = parts[6], (parts[7] if len(parts) > 7 else None)
        elif ":function:" in function_name:
            name, suffix = parts[2], (parts[3] if len(parts) > 3 else None)
        else:
            name, suffix = parts[0], (parts[1] if len(parts) > 1 else None)
        return name, qualifier or suffix or LATEST

    def _load(self, function_name: str) -> dict[str, Any]:
        name, _ = self._split(function_name)
        body = self.store.get(KIND, self._arn(name))
        if body is None:
            raise NotFound(f"Function not found: {self._arn(name)}")
        return body

    def _detail(self, function_name: str, qualifier: str | None = None) -> m.FunctionDetail:
        name, version = self._split(function_name, qualifier)
        if version == LATEST:
            return m.FunctionDetail.model_validate(self._load(name))
        body = self.store.get(VERSION_KIND, self._arn(name, version))
        if body is None:
            raise NotFound(f"Function not found: {self._arn(name, version)}")
        return m.FunctionDetail.model_validate(body)

    def _save(self, detail: m.FunctionDetail) -> None:
        config = detail.configuration
        self._forget(config.function_name)
        self.store.put(KIND, config.function_arn, detail.to_aws(), name=config.function_name, state=config.state.value)

    def _new_revision(self, arn: str) -> str:
        """A fresh RevisionId for the function or version at ``arn``: a UUID made from a per-ARN
        number the store hands out, so no two changes get the same one, whichever process makes
        them, and a seeded backend makes the same ones every run without drawing on its ids."""
        number = self.store.next_sequence(f"lambda:revision:{arn}")
        return str(uuid.UUID(bytes=hashlib.sha256(f"{arn}#{number}".encode()).digest()[:16], version=4))

    @staticmethod
    def _check_revision(config: m.FunctionConfiguration, revision_id: str | None) -> None:
        if revision_id is not None and revision_id != config.revision_id:
            raise Conflict(REVISION_MISMATCH, code="PreconditionFailedException")

    def _change(
        self,
        function_name: str,
        change: Callable[[m.FunctionDetail], m.FunctionDetail],
        *,
        revision_id: str | None = None,
        revise: bool = True,
    ) -> m.FunctionDetail:
        """Change ``$LATEST`` in one write transaction: read it, refuse a ``revision_id`` that is
        not its RevisionId, apply ``change`` and write it back (with a new RevisionId when
        ``revise``). Another process's update cannot come between the read and the write."""
        name, _ = self._split(function_name)
        arn = self._arn(name)

        def apply(body: dict[str, Any]) -> dict[str, Any]:
            detail = m.FunctionDetail.model_validate(body)
            self._check_revision(detail.configuration, revision_id)
            changed = change(detail)
            if revise:
                changed = changed.updated(configuration=changed.configuration.updated(
                    revision_id=self._new_revision(arn)))
            return changed.to_aws()

        body = self.store.update(KIND, arn, apply, state=lambda b: b["Configuration"]["State"])
        self._forget(name)
        if body is None:
            raise NotFound(f"Function not found: {arn}")
        return m.FunctionDetail.model_validate(body)

    @staticmethod
    def _blob_key(arn: str, version: str) -> str:
        return f"lambda:{arn}:{version}"

    # -- validation ---------------------------------------------------------
    @staticmethod
    def _check_settings(*, runtime: str | None = None, **settings: Any) -> None:
        """Lambda's shared limits, and a runtime the emulator can run."""
        check_settings(**settings)
        if runtime is not None and runtime not in {r.value for r in m.Runtime}:
            raise InvalidParameter(
                f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum "
                f"value set: [{', '.join(r.value for r in m.Runtime)}] or be a valid ARN",
                field="Runtime",
            )

    @staticmethod
    def _package(code: Any) -> tuple[bytes | None, str | None]:
        """``{"ZipFile": bytes}``, ``{"ImageUri": str}`` or a folder to zip -> (zip, image)."""
        if isinstance(code, (str, os.PathLike)):
            folder = Path(code)
            if not folder.is_dir():
                raise InvalidParameter(f"{folder} is not a folder to zip", field="Code")
            code = {"ZipFile": zip_folder(folder)}
        code = code or {}
        zip_bytes, image = code.get("ZipFile"), code.get("ImageUri")
        if zip_bytes:
            check_zip(zip_bytes)
        return zip_bytes, image

    @staticmethod
    def _sha(data: bytes) -> str:
        return base64.b64encode(hashlib.sha256(data).digest()).decode()

    # -- functions -----------------------------------------------------------
    @validated(rules.CREATE_FUNCTION)
    def create_function(
        self,
        function_name: str,
        runtime: str | None = None,
        role: str | None = None,
        handler: str | None = None,
        code: Any = None,
        description: str = "",
        timeout: int = m.TIMEOUT_DEFAULT,
        memory_size: int = m.MEMORY_DEFAULT,
        environment: dict[str, Any] | None = None,
        package_type: str = "Zip",
        architectures: list[str] | None = None,
        ephemeral_storage: dict[str, int] | None = None,
        publish: bool = False,
        tags: dict[str, str] | None = None,
        **_: Any,
    ) -> m.FunctionConfiguration:
        check_function_name(function_name)
        self._check_settings(
            memory_size=memory_size,
            timeout=timeout,
            ephemeral_storage=ephemeral_storage,
            environment=environment,
            architectures=architectures,
            description=description,
        )
        if package_type not in ("Zip", "Image"):
            raise constraint_error("packageType", package_type, "Member must satisfy enum value set: [Zip, Image]")
        zip_bytes, image = self._package(code)
        if package_type == "Zip":
            check_runtime_and_handler(runtime, handler)
            self._check_settings(runtime=runtime)
            if not zip_bytes:
                raise InvalidParameter("Please provide a source for function code.", field="Code.ZipFile")
        elif not image:
            raise InvalidParameter("ImageUri is required for functions with PackageType Image.", field="Code.ImageUri")
        variables = dict((environment or {}).get("Variables", {}))
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
            code_sha256=self._sha(zip_bytes or (image or "").encode()),
            environment=m.Environment(variables=variables) if variables else None,
            state=m.State.ACTIVE,
            last_update_status=m.LastUpdateStatus.SUCCESSFUL,
            package_type=package_type,
            architectures=architectures or ["x86_64"],
            ephemeral_storage=m.EphemeralStorage(size=(ephemeral_storage or {}).get("Size", m.EPHEMERAL_MIN)),
        )
        detail = m.FunctionDetail(
            configuration=config,
            code=m.FunctionCodeLocation(repository_type="S3" if package_type == "Zip" else "ECR", image_uri=image),
            tags=tags or {},
        )
        with self.store.transaction():
            if self.store.get(KIND, arn) is not None:
                raise Conflict(f"Function already exist: {function_name}")
            config = config.updated(revision_id=self._new_revision(arn))
            self._save(detail.updated(configuration=config))
            if zip_bytes:
                self.store.put_blob(self._blob_key(arn, LATEST), zip_bytes)
            if publish:
                self.publish_version(function_name)
        # AWS answers CreateFunction while the function is still Pending; a zip
        # function on a managed runtime is Active by the time anyone looks again.
        return config.updated(
            state=m.State.PENDING,
            last_update_status=None,
            state_reason="The function is being created.",
            state_reason_code="Creating",
        )

    @validated(rules.QUALIFIED)
    def get_function(self, function_name: str, qualifier: str | None = None) -> m.FunctionDetail:
        return self._detail(function_name, qualifier)

    @validated(rules.QUALIFIED)
    def get_function_configuration(self, function_name: str, qualifier: str | None = None) -> m.FunctionConfiguration:
        return self._detail(function_name, qualifier).configuration

    def list_functions(self) -> list[m.FunctionConfiguration]:
        details = [m.FunctionDetail.model_validate(body) for body in self.store.list(KIND)]
        return sorted((d.configuration for d in details), key=lambda c: c.function_name)

    @validated(rules.QUALIFIED)
    def delete_function(self, function_name: str, qualifier: str | None = None) -> None:
        name, version = self._split(function_name, qualifier)
        arn = self._arn(name)
        with self.store.transaction():
            self._load(name)
            if version != LATEST:
                if not self.store.delete(VERSION_KIND, self._arn(name, version)):
                    raise NotFound(f"Function not found: {self._arn(name, version)}")
                self.store.delete_blob(self._blob_key(arn, version))
                return
            for body in self.store.list(VERSION_KIND, parent=arn):
                self.store.delete(VERSION_KIND, body["Configuration"]["FunctionArn"])
                self.store.delete_blob(self._blob_key(arn, body["Configuration"]["Version"]))
            for body in self.store.list(TEST_EVENT_KIND, parent=arn):
                self.store.delete(TEST_EVENT_KIND, self._event_arn(arn, body["name"]))
            self.store.delete(KIND, arn)
            self.store.delete_blob(self._blob_key(arn, LATEST))
        self._forget(name)
        self.runtime.reservations.pop(name, None)
        self.runtime.retire(name)

    @validated(rules.UPDATE_FUNCTION_CODE)
    def update_function_code(
        self,
        function_name: str,
        zip_file: bytes | None = None,
        image_uri: str | None = None,
        folder: str | os.PathLike[str] | None = None,
        publish: bool = False,
        architectures: list[str] | None = None,
        revision_id: str | None = None,
        **_: Any,
    ) -> m.FunctionConfiguration:
        if folder is not None:
            zip_file, _ = self._package(folder)
        elif zip_file:
            self._package({"ZipFile": zip_file})
        if architectures is not None:
            self._check_settings(architectures=architectures)

        def change(detail: m.FunctionDetail) -> m.FunctionDetail:
            config = detail.configuration
            if config.package_type == m.PackageType.ZIP:
                if not zip_file:
                    raise InvalidParameter("Please provide a source for function code.", field="ZipFile")
                changes: dict[str, Any] = {"code_size": len(zip_file), "code_sha256": self._sha(zip_file)}
                self.store.put_blob(self._blob_key(config.function_arn, LATEST), zip_file)
            else:
                if not image_uri:
                    raise InvalidParameter("ImageUri is required for functions with PackageType Image.",
                                           field="ImageUri")
                changes = {"code_sha256": self._sha(image_uri.encode())}
                detail = detail.updated(code=m.FunctionCodeLocation(repository_type="ECR", image_uri=image_uri))
            changes.update(last_modified=lambda_timestamp(self.now), last_update_status=m.LastUpdateStatus.SUCCESSFUL)
            if architectures is not None:
                changes["architectures"] = architectures
            return detail.updated(configuration=config.updated(**changes))

        with self.store.transaction():  # with publish, the version is of this code, whatever comes next
            config = self._change(function_name, change, revision_id=revision_id).configuration
            if publish:
                config = self.publish_version(config.function_name)
        self.runtime.retire(config.function_name)
        return config

    _CONFIGURABLE = (
        "memory_size",
        "timeout",
        "environment",
        "handler",
        "runtime",
        "description",
        "ephemeral_storage",
        "role",
        "architectures",
    )

    @validated(rules.UPDATE_FUNCTION_CONFIGURATION)
    def update_function_configuration(
        self, function_name: str, revision_id: str | None = None, **changes: Any
    ) -> m.FunctionConfiguration:
        unknown = sorted(set(changes) - set(self._CONFIGURABLE))
        if unknown:
            raise InvalidParameter(f"UpdateFunctionConfiguration does not take {unknown[0]}", field=unknown[0])
        self._check_settings(**{k: v for k, v in changes.items() if k not in ("handler", "role")})
        update = {k: v for k, v in changes.items() if v is not None and k not in ("environment", "ephemeral_storage")}
        if "environment" in changes:
            variables = dict((changes["environment"] or {}).get("Variables", {}))
            update["environment"] = m.Environment(variables=variables) if variables else None
        if changes.get("ephemeral_storage") is not None:
            update["ephemeral_storage"] = m.EphemeralStorage(size=changes["ephemeral_storage"]["Size"])
        update["last_modified"] = lambda_timestamp(self.now)
        update["last_update_status"] = m.LastUpdateStatus.SUCCESSFUL
        detail = self._change(
            function_name,
            lambda d: d.updated(configuration=d.configuration.updated(**update)),
            revision_id=revision_id,
        )
        self.runtime.retire(detail.configuration.function_name)
        return detail.configuration

    # -- versions ------------------------------------------------------------
    @validated(rules.PUBLISH_VERSION)
    def publish_version(
        self, function_name: str, description: str = "", revision_id: str | None = None
    ) -> m.FunctionConfiguration:
        with self.store.transaction():  # the version is $LATEST as it is when written
            detail = m.FunctionDetail.model_validate(self._load(function_name))
            latest = detail.configuration
            self._check_revision(latest, revision_id)
            for body in self.store.list(VERSION_KIND, parent=latest.function_arn):
                if (
                    body["Configuration"]["CodeSha256"] == latest.code_sha256
                    and body["Configuration"].get("LastModified") == latest.last_modified
                ):
                    return m.FunctionDetail.model_validate(body).configuration  # nothing changed: same version
            number = str(self.store.next_sequence(f"{VERSION_KIND}:{latest.function_arn}"))
            version_arn = self._arn(latest.function_name, number)
            config = latest.updated(
                version=number,
                function_arn=version_arn,
                description=description or latest.description,
                revision_id=self._new_revision(version_arn),
            )
            self.store.put(
                VERSION_KIND,
                config.function_arn,
                detail.updated(configuration=config).to_aws(),
                name=latest.function_name,
                parent=latest.function_arn,
                state=config.state.value,
            )
            code = self.store.get_blob(self._blob_key(latest.function_arn, LATEST))
            if code is not None:
                self.store.put_blob(self._blob_key(latest.function_arn, number), code)
        return config

    @validated(rules.FUNCTION_ONLY)
    def list_versions_by_function(self, function_name: str) -> list[m.FunctionConfiguration]:
        detail = m.FunctionDetail.model_validate(self._load(function_name))
        versions = [
            m.FunctionDetail.model_validate(b).configuration
            for b in self.store.list(VERSION_KIND, parent=detail.configuration.function_arn)
        ]
        return [detail.configuration, *sorted(versions, key=lambda c: int(c.version))]

    @validated(rules.QUALIFIED)
    def download_function_code(self, function_name: str, qualifier: str | None = None) -> bytes:
        name, version = self._split(function_name, qualifier)
        config = self._detail(name, version).configuration
        data = self.store.get_blob(self._blob_key(self._arn(name), version))
        if data is None:
            raise NotFound(f"Function {config.function_name} has no deployment package (PackageType Image)")
        return data

    # -- concurrency ---------------------------------------------------------
    @validated(rules.PUT_FUNCTION_CONCURRENCY)
    def put_function_concurrency(self, function_name: str, reserved_concurrent_executions: int) -> int:
        if reserved_concurrent_executions < 0:
            raise constraint_error(
                "reservedConcurrentExecutions",
                reserved_concurrent_executions,
                "Member must have value greater than or equal to 0",
            )
        runtime = self.runtime

        def reserve(detail: m.FunctionDetail) -> m.FunctionDetail:
            # What the other functions reserve, as stored now (another process may have reserved
            # some since this one looked): read in the transaction that writes this one's.
            name = detail.configuration.function_name
            others = sum(n or 0 for _arn, fn, n in self.store.list_fields(
                KIND, ("Configuration.FunctionName", "Concurrency.ReservedConcurrentExecutions")) if fn != name)
            if runtime.account_limit - others - reserved_concurrent_executions < runtime.MINIMUM_UNRESERVED:
                raise InvalidParameter(
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                    f"UnreservedConcurrentExecution below its minimum value of [{runtime.MINIMUM_UNRESERVED}].",
                    field="ReservedConcurrentExecutions",
                )
            return detail.updated(concurrency=m.Concurrency(reserved_concurrent_executions=reserved_concurrent_executions))

        # Reserved concurrency is not part of the function's configuration: its RevisionId stays.
        detail = self._change(function_name, reserve, revise=False)
        self._load_reservations()
        runtime.reservations[detail.configuration.function_name] = reserved_concurrent_executions
        return reserved_concurrent_executions

    @validated(rules.FUNCTION_ONLY)
    def delete_function_concurrency(self, function_name: str) -> None:
        detail = self._change(function_name, lambda d: d.updated(concurrency=None), revise=False)
        self.runtime.reservations.pop(detail.configuration.function_name, None)

    @validated(rules.FUNCTION_ONLY)
    def get_function_concurrency(self, function_name: str) -> int | None:
        concurrency = m.FunctionDetail.model_validate(self._load(function_name)).concurrency
        return concurrency.reserved_concurrent_executions if concurrency else None

    def _load_reservations(self) -> None:
        runtime = self.runtime
        if runtime.reservations_loaded:
            return
        for body in self.store.list(KIND):
            reserved = (body.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
            if reserved is not None:
                runtime.reservations[body["Configuration"]["FunctionName"]] = reserved
        runtime.reservations_loaded = True

    # -- test events and usage ---------------------------------------------------
    def _event_arn(self, function_arn: str, name: str) -> str:
        return f"{function_arn}/test-events/{name}"

    @validated(rules.FUNCTION_ONLY)
    def list_test_events(self, function_name: str) -> list[m.TestEvent]:
        arn = self._load(function_name)["Configuration"]["FunctionArn"]
        return [m.TestEvent.model_validate(b) for b in self.store.list(TEST_EVENT_KIND, parent=arn)]

    @validated(rules.SAVE_TEST_EVENT)
    def save_test_event(self, function_name: str, name: str, event: str) -> m.TestEvent:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,25}", name or ""):
            raise InvalidParameter(
                "Event name must be 1-25 characters: letters, numbers, hyphens and underscores.", field="name"
            )
        problem = json_problem(event)
        if problem:
            raise InvalidParameter(problem, code="InvalidRequestContentException", field="event")
        saved = m.TestEvent(name=name, event=event)
        with self.store.transaction():  # no event is left behind by a function deleted meanwhile
            arn = self._load(function_name)["Configuration"]["FunctionArn"]
            key = self._event_arn(arn, name)
            if (
                self.store.get(TEST_EVENT_KIND, key) is None
                and self.store.count(TEST_EVENT_KIND, parent=arn) >= MAX_SAVED_PER_FUNCTION
            ):
                raise InvalidParameter(
                    f"A function keeps at most {MAX_SAVED_PER_FUNCTION} saved test events; delete one first.",
                    code="LimitExceededException",
                    field="name",
                )
            self.store.put(TEST_EVENT_KIND, key, saved.model_dump(), name=name, parent=arn)
        return saved

    @validated(rules.DELETE_TEST_EVENT)
    def delete_test_event(self, function_name: str, name: str) -> None:
        arn = self._load(function_name)["Configuration"]["FunctionArn"]
        if not self.store.delete(TEST_EVENT_KIND, self._event_arn(arn, name)):
            raise NotFound(f"Test event {name} not found for function {function_name}")

    def usage_this_month(self) -> LambdaMonthlyCost:
        return self.records.month_to_date()

    # -- invoking ------------------------------------------------------------
    @validated(rules.INVOKE)
    def invoke(
        self,
        function_name: str,
        payload: bytes | str = b"",
        invocation_type: str = "RequestResponse",
        log_type: str = "None",
        qualifier: str | None = None,
        client_context: str | None = None,
    ) -> m.InvokeResult:
        if invocation_type not in INVOCATION_TYPES:
            raise constraint_error(
                "invocationType",
                invocation_type,
                "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
            )
        if log_type not in ("None", "Tail"):
            raise constraint_error("logType", log_type, "Member must satisfy enum value set: [None, Tail]")
        data = payload.encode() if isinstance(payload, str) else bytes(payload or b"")
        limit = m.SYNC_PAYLOAD_MAX_BYTES if invocation_type != "Event" else m.ASYNC_PAYLOAD_MAX_BYTES
        if len(data) > limit:
            raise InvalidParameter(
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
                code="RequestTooLargeException",
                field="Payload",
            )
        if data.strip():
            try:
                json.loads(data)
            except ValueError as exc:
                raise InvalidParameter(
                    f"Could not parse request body into json: {exc}",
                    code="InvalidRequestContentException",
                    field="Payload",
                ) from None
        else:
            data = b"{}"
        spec, key = self._prepared(function_name, qualifier)
        request_id = self.ids.uuid()
        if invocation_type == "DryRun":
            return m.InvokeResult(status_code=204, request_id=request_id, executed_version=spec.version)
        self._load_reservations()
        request = {
            "spec": spec,
            "key": key,
            "payload": data,
            "request_id": request_id,
            "log_type": log_type,
            "client_context": client_context,
        }
        if invocation_type == "Event":
            self.runtime.submit_event(**request)
            return m.InvokeResult(status_code=202, request_id=request_id)
        return self.runtime.invoke(**request)

    async def invoke_for_service(self, function_name: str, payload: bytes) -> m.InvokeResult:
        """A synchronous invocation another service makes (API Gateway's Lambda proxy), from the
        controller's loop. Not the user's change, so read-only does not refuse it; the function
        must exist and be Active (``NotFound``, ``Conflict``), and its concurrency holds as for
        any invocation (``TooManyRequestsException``)."""
        spec, key = self._prepared(function_name, None)
        self._load_reservations()
        return await self.runtime.invoke_on_loop(spec=spec, key=key, payload=payload, request_id=self.ids.uuid())

    def _prepared(self, function_name: str, qualifier: str | None) -> tuple[EnvironmentSpec, tuple[Any, ...]]:
        """What an invocation of this version needs, cached per process.

        The store is asked again at most once a second (another process may
        have changed the function); this process's own changes clear the cache.
        """
        cache_key = self._split(function_name, qualifier)
        now = time.monotonic()
        cached = self._prepared_cache.get(cache_key)
        if cached is not None and now - cached[0] < SPEC_RECHECK_S:
            return cached[1], cached[2]
        detail = self._detail(*cache_key)
        config = detail.configuration
        if config.state is not m.State.ACTIVE:
            raise Conflict(
                "The operation cannot be performed at this time. The function is currently in the "
                f"following state: {config.state.value}"
            )
        key = (config.function_arn, config.version, config.code_sha256, config.last_modified)
        spec = cached[1] if cached is not None and cached[2] == key else self._spec(detail)
        self._prepared_cache[cache_key] = (now, spec, key)
        return spec, key

    def _forget(self, function_name: str) -> None:
        name, _ = self._split(function_name)
        for cache_key in [k for k in self._prepared_cache if k[0] == name]:
            del self._prepared_cache[cache_key]

    def _spec(self, detail: m.FunctionDetail) -> EnvironmentSpec:
        config = detail.configuration
        task_root = self._code_dir(config)
        return EnvironmentSpec(
            function_name=config.function_name,
            function_arn=config.function_arn,
            version=config.version,
            runtime=config.runtime.value if config.runtime else None,
            handler=config.handler,
            memory_mb=config.memory_size,
            timeout_s=config.timeout,
            task_root=task_root,
            environment=dict(config.environment.variables) if config.environment else {},
            log_group=f"/aws/lambda/{config.function_name}",
            log_stream="",
            region=self.ids.region,
            package_type=config.package_type.value,
            image_uri=detail.code.image_uri if detail.code else None,
            architecture=config.architectures[0].value,
            ephemeral_mb=config.ephemeral_storage.size,
            code_sha256=config.code_sha256 or "",
        )

    def _code_dir(self, config: m.FunctionConfiguration) -> Path:
        """The function's code unpacked on disk (executable bits kept), once per code hash."""
        if config.package_type is m.PackageType.IMAGE:
            return self.code_root / "image"
        digest = base64.b64decode(config.code_sha256 or "").hex()
        target = self.code_root / digest
        if target.is_dir():
            return target
        name, version = self._split(config.function_arn)
        data = self.store.get_blob(self._blob_key(self._arn(name), version))
        if data is None:
            raise ComputeError(f"the code of {config.function_name} is missing from the state", code="ServiceException")
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=self.code_root))
        try:
            unpack_zip(data, staging)
            staging.rename(target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not target.is_dir():
                raise
        return target


def unpack_zip(data: bytes, target: Path) -> None:
    """Extract a deployment package, keeping each file's Unix mode (a bootstrap stays executable)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            path = (target / info.filename).resolve()
            if not str(path).startswith(str(target.resolve())):
                continue  # a path that climbs out of the package
            archive.extract(info, target)
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                os.chmod(path, mode)
