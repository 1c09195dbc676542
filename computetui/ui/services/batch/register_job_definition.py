"""Register a Batch job definition from its JSON (``aws batch register-job-definition
--cli-input-json``), in the editor ECS's task definitions use.

The editor opens with a small Fargate job, or with a definition's latest ACTIVE revision
to make the next one from. What ``aws batch describe-job-definitions`` prints loads too:
its newest definition, the read-only fields dropped.
"""

from __future__ import annotations

import json
import re
from typing import Any

from textual.binding import Binding
from textual.content import Content

from computetui.backends.base import Backend
from computetui.ui.screens.register_json import JsonProblem, RegisterJsonScreen, loads, read_json_file

READ_ONLY_FIELDS = frozenset({"jobDefinitionArn", "revision", "status", "containerOrchestrationType"})
"""What DescribeJobDefinitions prints but RegisterJobDefinition does not take."""
TAKEN = ("jobDefinitionName", "type", "containerProperties", "retryStrategy", "timeout", "parameters",
         "platformCapabilities", "tags", "propagateTags", "schedulingPriority")
"""RegisterJobDefinition's members (for container jobs), in the order the editor lists them."""
MAX_FILE_BYTES = 1024 * 1024


def template(account: str | None) -> dict[str, Any]:
    """A small Fargate job to start from: one command, a quarter vCPU, retried once."""
    container: dict[str, Any] = {
        "image": "public.ecr.aws/amazonlinux/amazonlinux:2023",
        "command": ["sh", "-c", "echo hello from job $AWS_BATCH_JOB_ID, attempt $AWS_BATCH_JOB_ATTEMPT"],
        "resourceRequirements": [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}],
        "environment": [{"name": "GREETING", "value": "hello"}],
    }
    if account:  # Fargate pulls the image and ships the logs with this role
        container["executionRoleArn"] = f"arn:aws:iam::{account}:role/ecsTaskExecutionRole"
    return {
        "jobDefinitionName": "my-job",
        "type": "container",
        "platformCapabilities": ["FARGATE"],
        "containerProperties": container,
        "retryStrategy": {"attempts": 2},
        "timeout": {"attemptDurationSeconds": 3600},
    }


def editable(definition: dict[str, Any]) -> dict[str, Any]:
    """A described job definition as RegisterJobDefinition takes it: read-only fields gone, name first."""
    kept = {k: v for k, v in definition.items() if k not in READ_ONLY_FIELDS}
    return {k: kept[k] for k in TAKEN if k in kept} | kept


def unwrapped(data: Any) -> Any:
    """``{"jobDefinitions": [...]}`` (what ``describe-job-definitions`` prints) -> its newest definition."""
    if isinstance(data, dict) and isinstance(data.get("jobDefinitions"), list) and "jobDefinitionName" not in data:
        found = [d for d in data["jobDefinitions"] if isinstance(d, dict)]
        if found:
            return max(found, key=lambda d: d.get("revision") or 0)
    return data


def as_text(definition: dict[str, Any]) -> str:
    return json.dumps(definition, indent=2) + "\n"


def parse_definition(text: str) -> dict[str, Any]:
    """The editor's text as a RegisterJobDefinition request, or a ``JsonProblem`` saying where."""
    data = unwrapped(loads(text))
    if not isinstance(data, dict):
        raise JsonProblem('A job definition is a JSON object: {"jobDefinitionName": …, "containerProperties": {…}}.')
    name = data.get("jobDefinitionName")
    if "jobDefinitionName" not in data:
        raise JsonProblem("Missing required field 'jobDefinitionName'.", field="jobDefinitionName")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}", name):
        raise JsonProblem("'jobDefinitionName' must be up to 128 letters, numbers, hyphens and underscores.",
                          field="jobDefinitionName")
    data = editable(data)
    unknown = [k for k in data if k not in TAKEN]
    if unknown:
        raise JsonProblem(f"'{unknown[0]}' is not a RegisterJobDefinition field here (it takes "
                          f"{', '.join(TAKEN)}).", field=unknown[0])
    if data.get("type", "container") != "container":
        raise JsonProblem("Only container jobs are registered here ('type': 'container').", field="type")
    if not isinstance(data.get("containerProperties"), dict):
        raise JsonProblem('\'containerProperties\' is required: {"image": …, "command": […]}.',
                          field="containerProperties")
    return data


def read_definition_file(path: str) -> str:
    data = unwrapped(read_json_file(path, what="job definition", max_bytes=MAX_FILE_BYTES,
                                    limit="Batch takes up to 24 KiB"))
    if not isinstance(data, dict):
        raise JsonProblem(f"{path} holds JSON, but not a job definition (a JSON object).")
    return as_text(editable(data))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class RegisterJobDefinitionScreen(RegisterJsonScreen):
    """Dismisses with the registered ``JobDefinition``, or None when left without registering."""

    page_id = "batch"

    BINDINGS = [
        Binding("ctrl+s", "register", "Register", id="jd-register", tooltip="Register the JSON as a job definition"),
        Binding("ctrl+o", "open_file", "Load file", id="jd-load-file", tooltip="Type the path of a JSON file to load"),
        Binding("e", "edit", "Edit", id="jd-edit", tooltip="Into the editor (esc comes back out)"),
    ]

    hint = ("Write the job definition as Batch's JSON; ctrl+s registers it (a name already used gets its next "
            "revision). Read-only fields (jobDefinitionArn, revision, status) are ignored.")
    editor_title = "Job definition JSON"
    path_placeholder = "path/to/job-definition.json, then enter"
    noun = "job definition"

    def __init__(self, definition: str | None = None) -> None:
        super().__init__()
        self.definition = definition
        """The definition a new revision is made for; None for a new one."""

    @property
    def crumbs(self) -> list[str]:
        if self.definition:
            return ["Console", "Batch", "Job definitions", self.definition, "Create new revision"]
        return ["Console", "Batch", "Job definitions", "Register job definition"]

    @property
    def title_text(self) -> Content:
        if self.definition:
            return Content.from_markup("[b]Create new revision of[/] [b $primary]$d[/] [$muted]with JSON[/]",
                                       d=self.definition)
        return Content.from_markup("[b]Register job definition[/] [$muted]with JSON[/]")

    def starting_text(self, backend: Backend) -> str:
        assert backend.batch is not None
        if self.definition:
            revisions = backend.batch.describe_job_definitions(job_definition_name=self.definition, status="ACTIVE")
            if revisions:
                return as_text(editable(max(revisions, key=lambda d: d.revision).to_aws()))
        info = self.console.overview.info
        return as_text(template(info.account if info else None))

    def parse(self, text: str) -> dict[str, Any]:
        return parse_definition(text)

    def name_of(self, request: dict[str, Any]) -> str:
        return str(request["jobDefinitionName"])

    def register(self, backend: Backend, request: dict[str, Any]) -> Any:
        assert backend.batch is not None
        rest = {_snake(k): v for k, v in request.items() if k not in ("jobDefinitionName", "type")}
        return backend.batch.register_job_definition(request["jobDefinitionName"], request.get("type", "container"),
                                                     **rest)

    def read_file(self, path: str) -> str:
        return read_definition_file(path)
