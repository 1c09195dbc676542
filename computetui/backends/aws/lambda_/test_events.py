"""Saved test events, shareable as the AWS console shares them: in the EventBridge Schema Registry.

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
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller
from computetui.backends.errors import AccessDenied, ComputeError, InvalidParameter, NotFound
from computetui.backends.rules.lambda_ import function_name_of
from computetui.models import lambda_ as m
from computetui.test_events import MAX_SAVED_PER_FUNCTION, json_problem

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

TEST_EVENT_REGISTRY = "lambda-testevent-schemas"

TEST_EVENT_SCHEMA_TYPE = "OpenApi3"

TEST_EVENT_NAME = r"[A-Za-z0-9_-]{1,25}"

TEST_EVENT_VERSIONS_KEPT = 5

_SCHEMAS_PERMISSION_HINT = (
    " (shareable test events live in the EventBridge Schema Registry: the profile needs schemas:* "
    f"permissions on the registry {TEST_EVENT_REGISTRY})"
)

def _schema_document(event: Any) -> dict[str, Any]:
    """An OpenAPI 3 document for a function's shareable events, when discovery cannot make one."""
    return {
        "openapi": "3.0.0",
        "info": {"version": "1.0.0", "title": "Event"},
        "paths": {},
        "components": {"schemas": {"Event": {"type": "object" if isinstance(event, dict) else "string"}}},
    }



class SharedTestEvents:
    """list, save and delete test events in the registry (part of AwsLambda)."""

    backend: AwsBackend
    api: Caller
    schemas: Caller

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
