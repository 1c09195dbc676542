"""The rules ECS enforces on what it is given, with its error codes and words.

RegisterTaskDefinition refuses a bad task definition with ``ClientException``
(``Invalid 'containerPort' setting for container 'web'.``); the other operations refuse a
bad argument with ``InvalidParameterException``. The shapes follow ECS's service model;
the ranges it leaves to the service (ports, memory, CPU, containers per task definition,
health check timings) are ECS's documented limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from computetui.backends.errors import InvalidParameter
from computetui.backends.rules.validation import (
    INT_MAX,
    AnyValue,
    Boolean,
    Dialect,
    Integer,
    ListOf,
    Long,
    MapOf,
    Number,
    Request,
    String,
    Structure,
    as_json,
    member,
)
from computetui.models import ecs as m

CLIENT = Dialect("ClientException")
"""How RegisterTaskDefinition refuses what it is given."""
INVALID = Dialect("InvalidParameterException")
"""How the other operations refuse an argument."""

MAX_CONTAINERS = 10
"""Containers in one task definition (an ECS quota that cannot be raised)."""
MIN_CONTAINER_MEMORY_MIB = 6
"""Docker 20.10 and later reserve 6 MiB for a container: ECS asks for at least that."""
TASK_CPU_RANGE = (128, 196_608)
"""Task-level CPU units ECS takes for tasks on EC2 (0.125 to 192 vCPUs)."""
TASK_MEMORY_RANGE = (MIN_CONTAINER_MEMORY_MIB, INT_MAX)
PORT_MAX = 65_535
IMAGE_MAX = 255
"""ECS's documented limit on a container's ``image`` (its repository URL, name, tag or digest)."""
PROTOCOLS = ("tcp", "udp")
HEALTH_CHECK_RANGES = {"interval": (5, 300), "timeout": (2, 120), "retries": (1, 10), "startPeriod": (0, 300)}
PLACEMENT_STRATEGY_TYPES = ("random", "spread", "binpack")
PLACEMENT_CONSTRAINT_TYPES = ("distinctInstance", "memberOf")


def client_error(message: str, field: str | None = None) -> InvalidParameter:
    """ECS reports a bad task definition as ``ClientException``."""
    return InvalidParameter(message, code="ClientException", field=field)


def invalid(message: str, field: str | None = None) -> InvalidParameter:
    return InvalidParameter(message, code="InvalidParameterException", field=field)


def cpu_units(value: str | int | None) -> int | None:
    """Task-level CPU as units: ``"256"``, ``256`` or ``"0.25 vCPU"``."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    units = m.vcpus_as_units(text)
    if units is not None:
        return units
    if text.isdigit():
        return int(text)
    raise client_error(f"Invalid 'cpu' setting for task. CPU value {text!r} is not valid.", "cpu")


def memory_mib(value: str | int | None) -> int | None:
    """Task-level memory in MiB: ``"512"``, ``512`` or ``"0.5GB"``."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    mib = m.gb_as_mib(text)
    if mib is not None:
        return mib
    if text.isdigit():
        return int(text)
    raise client_error(f"Invalid 'memory' setting for task. Memory value {text!r} is not valid.", "memory")


# -- a container definition ---------------------------------------------------------------


def _container_rules(container: Mapping[str, Any], path: str, dialect: Dialect) -> None:
    """What ECS checks in a container definition beyond its members' types."""
    name = member(container, "name")

    def refuse(setting: str, rule: str) -> InvalidParameter:
        return client_error(f"Invalid '{setting}' setting for container '{name}'. {rule}", f"{path}.{setting}")

    memory, reservation = member(container, "memory"), member(container, "memoryReservation")
    for setting, value in (("memory", memory), ("memoryReservation", reservation)):
        if value is not None and value < MIN_CONTAINER_MEMORY_MIB:
            raise refuse(setting, f"It must be at least {MIN_CONTAINER_MEMORY_MIB} MiB, not {value}.")
    if memory is not None and reservation is not None and memory < reservation:
        raise refuse("memoryReservation", f"It must not be greater than 'memory' ({reservation} > {memory}).")
    cpu = member(container, "cpu")
    if cpu is not None and cpu < 0:
        raise refuse("cpu", f"CPU units must be 0 or more, not {cpu}.")
    for mapping in member(container, "portMappings") or ():
        mapping = as_json(mapping)
        port, host, protocol = (member(mapping, k) for k in ("containerPort", "hostPort", "protocol"))
        if port is not None and not 1 <= port <= PORT_MAX:
            raise refuse("containerPort", f"A port is between 1 and {PORT_MAX}, not {port}.")
        if host is not None and not 0 <= host <= PORT_MAX:
            raise refuse("hostPort", f"A port is between 0 (any free port) and {PORT_MAX}, not {host}.")
        if protocol is not None and protocol not in PROTOCOLS:
            raise refuse("protocol", f"The protocol is tcp or udp, not {protocol}.")
    check = as_json(member(container, "healthCheck") or {})
    for setting, (low, high) in HEALTH_CHECK_RANGES.items():
        value = member(check, setting)
        if value is not None and not low <= value <= high:
            raise refuse(f"healthCheck.{setting}", f"It must be between {low} and {high}, not {value}.")


KEY_VALUE = Structure({"name": String(), "value": String()}, required=("name", "value"))
STRINGS = ListOf(String())
PORT_MAPPING = Structure(
    {
        "containerPort": Integer(),
        "hostPort": Integer(),
        "protocol": String(),
        "name": String(),
        "appProtocol": String(enum=("http", "http2", "grpc")),
    },
    required=("containerPort",),
)
CONTAINER_DEFINITION = Structure(
    {
        "name": String(),
        "image": String(max=IMAGE_MAX),
        "cpu": Integer(),
        "memory": Integer(),
        "memoryReservation": Integer(),
        "essential": Boolean(),
        "command": STRINGS,
        "entryPoint": STRINGS,
        "environment": ListOf(KEY_VALUE),
        "portMappings": ListOf(PORT_MAPPING),
        "healthCheck": Structure(
            {"command": STRINGS, "interval": Integer(), "timeout": Integer(), "retries": Integer(),
             "startPeriod": Integer()},
            required=("command",),
        ),
        "dependsOn": ListOf(Structure(
            {"containerName": String(), "condition": String(enum=("START", "COMPLETE", "SUCCESS", "HEALTHY"))},
            required=("containerName", "condition"),
        )),
        "logConfiguration": Structure(
            {"logDriver": String(enum=("json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk",
                                       "awsfirelens")),
             "options": MapOf(String(), String())},
            required=("logDriver",),
        ),
        "workingDirectory": String(),
        "stopTimeout": Integer(),
        "startTimeout": Integer(),
        "dockerLabels": MapOf(String(), String()),
        "links": STRINGS,
        "hostname": String(),
        "user": String(),
        "privileged": Boolean(),
        "readonlyRootFilesystem": Boolean(),
    },
    required=("name",),
    rules=(_container_rules,),
)


# -- a task definition ----------------------------------------------------------------------


def _task_rules(td: Mapping[str, Any], path: str, dialect: Dialect) -> None:
    """What ECS checks across a task definition: how many containers, the task's size. (ECS also
    refuses containers whose cpu adds up past the task's; the emulator takes them, as it did.)"""
    containers = [as_json(c) for c in member(td, "containerDefinitions") or ()]
    if len(containers) > MAX_CONTAINERS:
        raise client_error(
            f"Too many containers. A task definition has at most {MAX_CONTAINERS} containerDefinitions, "
            f"not {len(containers)}.",
            "containerDefinitions",
        )
    cpu, memory = cpu_units(member(td, "cpu")), memory_mib(member(td, "memory"))
    low, high = TASK_CPU_RANGE
    if cpu is not None and not low <= cpu <= high:
        raise client_error(
            f"Invalid 'cpu' setting for task. Task CPU is between {low} and {high} units, not {cpu}.", "cpu"
        )
    low, high = TASK_MEMORY_RANGE
    if memory is not None and not low <= memory <= high:
        raise client_error(
            f"Invalid 'memory' setting for task. Task memory is between {low} and {high} MiB, not {memory}.",
            "memory",
        )
    for container in containers:
        limit = member(container, "memory")
        if memory is not None and limit is not None and limit > memory:
            raise client_error(
                f"The 'memory' setting for container '{member(container, 'name')}' is greater than for the task.",
                "memory",
            )


TASK_DEFINITION = Structure(
    {
        "family": String(),
        "containerDefinitions": ListOf(CONTAINER_DEFINITION),
        "cpu": String(),
        "memory": String(),
        "networkMode": String(enum=tuple(mode.value for mode in m.NetworkMode)),
        "requiresCompatibilities": ListOf(String(enum=tuple(c.value for c in m.Compatibility))),
        "taskRoleArn": String(),
        "executionRoleArn": String(),
        "tags": ListOf(Structure({"key": String(min=1, max=128), "value": String(max=256)})),
    },
    required=("family", "containerDefinitions"),
    rules=(_task_rules,),
)


def task_definition_request(task_definition: Any, keywords: Mapping[str, Any]) -> dict[str, Any]:
    """RegisterTaskDefinition's request (AWS's JSON, the model, or snake_case keywords, merged),
    checked as ECS checks it; returned as a dict, its null members left out."""
    given = as_json(task_definition) if task_definition is not None else {}
    if not isinstance(given, Mapping):
        raise CLIENT.error("taskDefinition", given, "Member must be a structure")
    data = {**given, **keywords}
    TASK_DEFINITION.check(data, "", CLIENT)
    return TASK_DEFINITION.clean(data)


def validate_task_definition(td: m.TaskDefinition) -> None:
    """The rules RegisterTaskDefinition enforces on a parsed task definition, with ECS's messages."""
    if not m.NAME.fullmatch(td.family):
        raise client_error(
            "Family contains invalid characters: up to 255 letters (uppercase and lowercase), "
            "numbers, hyphens and underscores are allowed.",
            "family",
        )
    if not td.container_definitions:
        raise client_error("Container list cannot be empty.", "containerDefinitions")
    names = [c.name for c in td.container_definitions]
    if len(set(names)) != len(names):
        raise client_error("Duplicate container names are not allowed.", "containerDefinitions")
    task_memory = memory_mib(td.memory)
    for container in td.container_definitions:
        if not m.NAME.fullmatch(container.name):
            raise client_error(f"Container name '{container.name}' contains invalid characters.", "name")
        if not container.image:
            raise client_error("Container.image should not be null or empty.", "image")
        if task_memory is None and container.memory is None and container.memory_reservation is None:
            raise client_error(
                f"Invalid setting for container '{container.name}'. At least one of 'memory' or "
                "'memoryReservation' must be specified.",
                "memory",
            )
    if not any(c.essential for c in td.container_definitions):
        raise client_error("Task definition must have at least one essential container.", "essential")
    if m.Compatibility.FARGATE in (td.requires_compatibilities or []):
        problem = m.fargate_problem(td.network_mode, cpu_units(td.cpu), task_memory)
        if problem:
            raise client_error(*problem)


# -- running tasks and services -------------------------------------------------------------


def _constraint_rules(constraint: Mapping[str, Any], path: str, dialect: Dialect) -> None:
    if member(constraint, "type") == "memberOf" and not member(constraint, "expression"):
        raise invalid("A memberOf placement constraint needs an expression.", f"{path}.expression")


PLACEMENT_STRATEGY = ListOf(
    Structure({"type": String(enum=PLACEMENT_STRATEGY_TYPES), "field": String(max=255)}, required=("type",)),
    max=5,
)
PLACEMENT_CONSTRAINTS = ListOf(
    Structure({"type": String(enum=PLACEMENT_CONSTRAINT_TYPES), "expression": String(max=2000)},
              required=("type",), rules=(_constraint_rules,)),
    max=10,
)
OVERRIDES = Structure({
    "containerOverrides": ListOf(Structure(
        {"name": String(), "command": STRINGS, "environment": ListOf(KEY_VALUE), "cpu": Integer(min=0),
         "memory": Integer(min=0), "memoryReservation": Integer(min=0)},
        required=("name",),
    )),
    "cpu": String(),
    "memory": String(),
    "taskRoleArn": String(),
    "executionRoleArn": String(),
})
DEPLOYMENT_CONFIGURATION = Structure({
    "deploymentCircuitBreaker": Structure({"enable": Boolean(), "rollback": Boolean()},
                                          required=("enable", "rollback")),
    "maximumPercent": Integer(),
    "minimumHealthyPercent": Integer(),
})
LOAD_BALANCERS = ListOf(Structure(
    {"targetGroupArn": String(), "loadBalancerName": String(), "containerName": String(),
     "containerPort": Integer(0, PORT_MAX)},
    required=("containerName", "containerPort"),
))
TAGS = ListOf(Structure({"key": String(min=1, max=128), "value": String(max=256)}), max=50)


def check_overrides(td: m.TaskDefinition, overrides: Any) -> None:
    """RunTask and StartTask refuse an override for a container the task definition lacks."""
    names = {c.name for c in td.container_definitions}
    for override in member(as_json(overrides or {}), "containerOverrides") or ():
        name = member(as_json(override), "name")
        if name not in names:
            raise invalid(f"Override for container named {name} is not a container in the TaskDefinition.",
                          "overrides.containerOverrides")


def _request(operation: str, required: tuple[str, ...] = (), *, cluster: bool = True, **members: Any) -> Request:
    """An operation; on a cluster (``cluster``, the default cluster when not given) unless told not."""
    return Request(operation, INVALID, {"cluster": String(), **members} if cluster else members, required=required)


TASK_DEFINITION_NAME = String(min=1)
CREATE_CLUSTER = Request("CreateCluster", INVALID, {"cluster_name": AnyValue(), "tags": TAGS})
CLUSTER = _request("Cluster")
DESCRIBE_CLUSTERS = _request("DescribeClusters", cluster=False, clusters=ListOf(String()))
TASK_DEFINITION_OPERATION = _request(
    "TaskDefinition", cluster=False, required=("task_definition",), task_definition=TASK_DEFINITION_NAME
)
LIST_TASK_DEFINITIONS = _request(
    "ListTaskDefinitions",
    cluster=False,
    family_prefix=String(),
    status=String(enum=("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS")),
    sort=String(enum=("ASC", "DESC", "asc", "desc")),
)
LIST_TASK_DEFINITION_FAMILIES = _request(
    "ListTaskDefinitionFamilies",
    cluster=False,
    family_prefix=String(),
    status=String(enum=("ACTIVE", "INACTIVE", "ALL")),
)
_TASK_ARGUMENTS = {
    "task_definition": TASK_DEFINITION_NAME,
    "started_by": String(max=128),
    "group": String(max=255),
    "overrides": OVERRIDES,
}
RUN_TASK = _request(
    "RunTask",
    required=("task_definition",),
    count=Integer(),
    launch_type=String(),
    placement_strategy=PLACEMENT_STRATEGY,
    placement_constraints=PLACEMENT_CONSTRAINTS,
    **_TASK_ARGUMENTS,
)
START_TASK = _request(
    "StartTask", required=("task_definition", "container_instances"), container_instances=ListOf(String()),
    **_TASK_ARGUMENTS,
)
STOP_TASK = _request("StopTask", required=("task",), task=String(min=1), reason=String())
LIST_TASKS = _request(
    "ListTasks", service_name=String(), desired_status=String(enum=("RUNNING", "PENDING", "STOPPED")),
    container_instance=String(), family=String(), started_by=String(),
)
DESCRIBE_TASKS = _request("DescribeTasks", tasks=ListOf(String()))
EXECUTE_COMMAND = _request(
    "ExecuteCommand", required=("task", "container"), task=String(min=1), container=String(min=1),
    command=String(min=1),
)
_SERVICE_ARGUMENTS = {
    "task_definition": TASK_DEFINITION_NAME,
    "desired_count": Integer(min=0),
    "deployment_configuration": DEPLOYMENT_CONFIGURATION,
    "placement_strategy": PLACEMENT_STRATEGY,
    "placement_constraints": PLACEMENT_CONSTRAINTS,
    "health_check_grace_period_seconds": Integer(min=0),
}
CREATE_SERVICE = _request(
    "CreateService",
    required=("service_name", "task_definition"),
    service_name=String(),
    launch_type=String(),
    load_balancers=LOAD_BALANCERS,
    **_SERVICE_ARGUMENTS,
)
UPDATE_SERVICE = _request(
    "UpdateService", required=("service",), service=String(min=1), force_new_deployment=Boolean(),
    **_SERVICE_ARGUMENTS,
)
SERVICE = _request("Service", required=("service",), service=String(min=1), force=Boolean())
DESCRIBE_SERVICES = _request("DescribeServices", services=ListOf(String()))
REGISTER_CONTAINER_INSTANCE = _request(
    "RegisterContainerInstance",
    instance_type=String(),
    total_resources=ListOf(Structure({
        "name": String(), "type": String(), "integerValue": Integer(), "doubleValue": Number(),
        "longValue": Long(), "stringSetValue": ListOf(String()),
    }, required=("name", "type"))),
    attributes=ListOf(Structure({"name": String(max=128), "value": String(max=128)}, required=("name",))),
)
CONTAINER_INSTANCE = _request(
    "DeregisterContainerInstance", required=("container_instance",), container_instance=String(min=1),
    force=Boolean(),
)
CONTAINER_INSTANCES = _request(
    "ContainerInstances", required=("container_instances",), container_instances=ListOf(String()),
    status=String(),
)
LIST_CONTAINER_INSTANCES = _request("ListContainerInstances", status=String())
