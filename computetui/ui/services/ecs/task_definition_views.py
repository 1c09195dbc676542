"""What the ECS task definition pages show: families, a family's revisions, and the
JSON a user registers (a Fargate template, or a family's latest revision to start
the next one from). Rows come from the backend contract only; nothing here draws.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError
from computetui.ui.format import when
from computetui.ui.views import Column, ResourceView, Row

if TYPE_CHECKING:  # the models (pydantic) load with the first rows, not with the first frame
    from computetui.models import ecs as m

READ_ONLY_FIELDS = frozenset(
    {
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
    }
)
"""What DescribeTaskDefinition prints but RegisterTaskDefinition does not take."""

FIRST_FIELDS = (
    "family",
    "requiresCompatibilities",
    "networkMode",
    "cpu",
    "memory",
    "runtimePlatform",
    "taskRoleArn",
    "executionRoleArn",
)
"""The editor lists these first: the task's size and shape read before its containers."""

REVISION_DEREGISTER_WARNING = (
    "The revision turns INACTIVE: it can no longer start new tasks or services, nor be picked in a "
    "service update. Tasks and services already running it keep running, and those services can still scale."
)

MAX_FILE_BYTES = 1024 * 1024
"""A task definition is at most 64 KiB of JSON; a file much bigger than that is something else."""


def _ecs(b: Backend) -> Any:
    assert b.ecs is not None
    return b.ecs


def family_and_revision(arn: str) -> tuple[str, int]:
    """``arn:aws:ecs:…:task-definition/web:3`` -> ``("web", 3)``."""
    family, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
    return family, int(revision)


def revision_arns(b: Backend, family: str, status: str = "ACTIVE") -> list[str]:
    """The family's revisions in ``status``, newest first (a prefix alone would match ``web-api`` too)."""
    arns = _ecs(b).list_task_definitions(family_prefix=family, status=status, sort="DESC")
    return sorted(
        (arn for arn in arns if family_and_revision(arn)[0] == family),
        key=lambda arn: family_and_revision(arn)[1],
        reverse=True,
    )


def launch_types(td: m.TaskDefinition) -> str | None:
    """What the family asked for (``requiresCompatibilities``), else what it can run on."""
    types = td.requires_compatibilities or td.compatibilities or []
    return ", ".join(t.value for t in types) or None


# -- the families list ---------------------------------------------------------------
def family_rows(b: Backend) -> list[Row]:
    """One row per family: its newest ACTIVE revision, or its newest revision when none is ACTIVE."""
    ecs = _ecs(b)
    active: dict[str, list[int]] = {}
    arn_of: dict[tuple[str, int], str] = {}
    for arn in ecs.list_task_definitions(status="ACTIVE"):
        family, revision = family_and_revision(arn)
        active.setdefault(family, []).append(revision)
        arn_of[family, revision] = arn
    rows = []
    for family in sorted(set(ecs.list_task_definition_families(status="ALL")) | set(active)):
        if family in active:
            latest = max(active[family])
            td = ecs.describe_task_definition(arn_of[family, latest])
        else:
            inactive = revision_arns(b, family, "INACTIVE")
            if not inactive:
                continue
            td = ecs.describe_task_definition(inactive[0])
        rows.append(family_row(td, active.get(family, [])))
    return rows


def family_row(latest: m.TaskDefinition, active_revisions: list[int]) -> Row:
    status = "ACTIVE" if active_revisions else "INACTIVE"
    arn = latest.task_definition_arn
    return Row(
        key=arn.rpartition(":")[0] if arn else f"family:{latest.family}",  # the ARN without its revision
        name=latest.family,
        state=status,
        cells={
            "name": latest.family,
            "latest": max(active_revisions) if active_revisions else None,
            "active": len(active_revisions),
            "launch": launch_types(latest),
            "network": latest.network_mode.value if latest.network_mode else None,
            "cpu": latest.cpu,
            "memory": latest.memory,
            "status": status,
        },
        detail=latest.to_aws(),
        extra={"family": latest.family},
    )


def deregister_family(b: Backend, row: Row) -> None:
    """ctrl+d on a family: every ACTIVE revision of it (a family has no delete of its own)."""
    ecs = _ecs(b)
    for arn in revision_arns(b, row.extra["family"], "ACTIVE"):
        ecs.deregister_task_definition(arn)


# -- one family's revisions ------------------------------------------------------------
REVISION_COLUMNS = (
    # The number, not ``web:3``: it sorts as a number (web:10 after web:9); the page names the family.
    Column("revision", "Revision"),
    Column("status", "Status", "state"),
    Column("registered", "Registered at", "time"),
    Column("cpu", "CPU", "number"),
    Column("memory", "Memory", "number"),
    Column("containers", "Containers (image)"),
)


def revision_row(td: m.TaskDefinition) -> Row:
    name = f"{td.family}:{td.revision}"
    status = td.status.value if td.status else None
    return Row(
        key=td.task_definition_arn or name,
        name=name,
        state=status,
        cells={
            "revision": td.revision,
            "status": status,
            "registered": when(td.registered_at),
            "cpu": td.cpu,
            "memory": td.memory,
            "containers": ", ".join(f"{c.name} ({c.image})" for c in td.container_definitions),
        },
        detail=td.to_aws(),
        extra={"family": td.family},
    )


def revisions_view(family: str, include_inactive: bool = False) -> ResourceView:
    """A family's revisions, the ACTIVE ones only or all; ``c`` registers the next one."""

    def fetch(b: Backend) -> list[Row]:
        ecs = _ecs(b)
        arns = revision_arns(b, family, "ACTIVE")
        if include_inactive:
            arns += revision_arns(b, family, "INACTIVE")
        return [revision_row(ecs.describe_task_definition(arn)) for arn in arns]

    def deregister(b: Backend, row: Row) -> None:
        _ecs(b).deregister_task_definition(row.key)

    return ResourceView(
        id="revisions",
        title="All revisions" if include_inactive else "Active revisions",
        noun="task definition",
        columns=REVISION_COLUMNS,
        fetch=fetch,
        delete=deregister,
        sort="revision",
        creates="task-definition",
        context={"family": family},
        delete_verb="Deregister",
        delete_warning=REVISION_DEREGISTER_WARNING,
    )


# -- the JSON a user registers -----------------------------------------------------------
class DefinitionProblem(ValueError):
    """Why the editor's text is not a task definition yet, and where, when that is known."""

    def __init__(
        self, message: str, *, line: int | None = None, column: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        """1-based, as JSON errors count."""
        self.column = column
        self.field = field


def template(family: str | None, region: str, account: str | None) -> dict[str, Any]:
    """A small Fargate task to start from: one web container, logs to CloudWatch."""
    family = family or "my-task"
    definition: dict[str, Any] = {
        "family": family,
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
    }
    if account:
        # Fargate pulls images and ships awslogs with this role; the console offers it by default.
        definition["executionRoleArn"] = f"arn:aws:iam::{account}:role/ecsTaskExecutionRole"
    definition["containerDefinitions"] = [
        {
            "name": "web",
            "image": "public.ecr.aws/nginx/nginx:stable-alpine",
            "essential": True,
            "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": f"/ecs/{family}",
                    "awslogs-region": region,
                    "awslogs-stream-prefix": "ecs",
                    "awslogs-create-group": "true",
                },
            },
        }
    ]
    return definition


def editable(definition: dict[str, Any]) -> dict[str, Any]:
    """A described task definition as RegisterTaskDefinition takes it: read-only fields gone, size first."""
    kept = {k: v for k, v in definition.items() if k not in READ_ONLY_FIELDS}
    first = {k: kept[k] for k in FIRST_FIELDS if k in kept}
    return first | kept


def unwrapped(data: Any) -> Any:
    """``{"taskDefinition": {...}, "tags": [...]}`` (what ``aws ecs describe-task-definition`` prints) -> the definition."""
    if isinstance(data, dict) and isinstance(data.get("taskDefinition"), dict) and "family" not in data:
        definition = dict(data["taskDefinition"])
        if data.get("tags"):
            definition["tags"] = data["tags"]
        return definition
    return data


def as_text(definition: dict[str, Any]) -> str:
    return json.dumps(definition, indent=2) + "\n"


def parse_definition(text: str) -> dict[str, Any]:
    """The editor's text as a RegisterTaskDefinition request, or a ``DefinitionProblem`` saying where it goes wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionProblem(
            f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).", line=exc.lineno, column=exc.colno
        ) from None
    data = unwrapped(data)
    if not isinstance(data, dict):
        raise DefinitionProblem('A task definition is a JSON object: {"family": …, "containerDefinitions": […]}.')
    for required in ("family", "containerDefinitions"):
        if required not in data:
            raise DefinitionProblem(f"Missing required field '{required}'.", field=required)
    if not isinstance(data["family"], str) or not data["family"].strip():
        raise DefinitionProblem("'family' must be the family's name, a non-empty string.", field="family")
    if not isinstance(data["containerDefinitions"], list):
        raise DefinitionProblem(
            '\'containerDefinitions\' must be a list of containers: [{"name": …, "image": …}].',
            field="containerDefinitions",
        )
    return editable(data)


def field_line(text: str, field: str) -> int | None:
    """The 0-based line where ``"field":`` first appears in the editor's text, to put the cursor on."""
    pattern = re.compile(r'"' + re.escape(field) + r'"\s*:')
    for number, line in enumerate(text.splitlines()):
        if pattern.search(line):
            return number
    return None


def read_definition_file(path: str) -> str:
    """A JSON file's task definition as editor text (unwrapped, read-only fields dropped), or a ``DefinitionProblem``."""
    file = Path(path).expanduser()
    try:
        if file.is_dir():
            raise DefinitionProblem(f"{path} is a directory, not a JSON file.")
        if file.stat().st_size > MAX_FILE_BYTES:
            raise DefinitionProblem(f"{path} is over 1 MB: too big for a task definition (ECS takes up to 64 KiB).")
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionProblem(f"No such file: {path}") from None
    except PermissionError:
        raise DefinitionProblem(f"Not allowed to read {path}.") from None
    except UnicodeDecodeError:
        raise DefinitionProblem(f"{path} is not a text file (UTF-8).") from None
    except OSError as exc:
        raise DefinitionProblem(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = unwrapped(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise DefinitionProblem(
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    if not isinstance(data, dict):
        raise DefinitionProblem(f"{path} holds JSON, but not a task definition (a JSON object).")
    return as_text(editable(data))


def latest_definition(b: Backend, family: str) -> dict[str, Any] | None:
    """The family's newest ACTIVE revision as AWS's JSON; its newest INACTIVE one when none is ACTIVE."""
    ecs = _ecs(b)
    arns = revision_arns(b, family, "ACTIVE") or revision_arns(b, family, "INACTIVE")
    if not arns:
        return None
    try:
        return ecs.describe_task_definition(arns[0]).to_aws()
    except ComputeError:
        return None


def starting_text(b: Backend, family: str | None, account: str | None) -> str:
    """What the register editor opens with: the next revision of ``family``, or the template."""
    if family:
        latest = latest_definition(b, family)
        if latest is not None:
            return as_text(editable(latest))
    return as_text(template(family, b.region, account))


def register(b: Backend, definition: dict[str, Any]) -> m.TaskDefinition:
    return _ecs(b).register_task_definition(definition)
