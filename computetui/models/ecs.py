"""Amazon ECS: clusters, task definitions, tasks, services, container instances.

Also the rules both backends check before ECS would, each the one place it lives: the
Fargate task-size table and network mode, task sizes written in vCPU or GB, and the
names ECS allows. They return ECS's message; each backend raises it as its error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AliasChoices, Field

from computetui.models.base import AwsModel


class LaunchType(StrEnum):
    EC2 = "EC2"
    FARGATE = "FARGATE"
    EXTERNAL = "EXTERNAL"


class Compatibility(StrEnum):
    EC2 = "EC2"
    FARGATE = "FARGATE"
    EXTERNAL = "EXTERNAL"


class NetworkMode(StrEnum):
    AWSVPC = "awsvpc"
    BRIDGE = "bridge"
    HOST = "host"
    NONE = "none"


class ClusterStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PROVISIONING = "PROVISIONING"
    DEPROVISIONING = "DEPROVISIONING"
    FAILED = "FAILED"
    INACTIVE = "INACTIVE"


class TaskDefinitionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"


class TaskStatus(StrEnum):
    """A task's lifecycle, in order."""

    PROVISIONING = "PROVISIONING"
    PENDING = "PENDING"
    ACTIVATING = "ACTIVATING"
    RUNNING = "RUNNING"
    DEACTIVATING = "DEACTIVATING"
    STOPPING = "STOPPING"
    DEPROVISIONING = "DEPROVISIONING"
    STOPPED = "STOPPED"


class StopCode(StrEnum):
    TASK_FAILED_TO_START = "TaskFailedToStart"
    ESSENTIAL_CONTAINER_EXITED = "EssentialContainerExited"
    USER_INITIATED = "UserInitiated"
    SERVICE_SCHEDULER_INITIATED = "ServiceSchedulerInitiated"
    SPOT_INTERRUPTION = "SpotInterruption"
    TERMINATION_NOTICE = "TerminationNotice"


class ServiceStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DRAINING = "DRAINING"
    INACTIVE = "INACTIVE"


class RolloutState(StrEnum):
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    IN_PROGRESS = "IN_PROGRESS"


class HealthStatus(StrEnum):
    HEALTHY = "HEALTHY"
    UNHEALTHY = "UNHEALTHY"
    UNKNOWN = "UNKNOWN"


class ContainerInstanceStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DRAINING = "DRAINING"
    REGISTERING = "REGISTERING"
    DEREGISTERING = "DEREGISTERING"
    REGISTRATION_FAILED = "REGISTRATION_FAILED"
    INACTIVE = "INACTIVE"


# vCPUs and memory (MiB) of common instance types; the agent registers a little less memory.
INSTANCE_TYPES: dict[str, tuple[int, int]] = {
    "t3.micro": (2, 1024),
    "t3.small": (2, 2048),
    "t3.medium": (2, 4096),
    "t3.large": (2, 8192),
    "t3.xlarge": (4, 16384),
    "m5.large": (2, 8192),
    "m5.xlarge": (4, 16384),
    "m5.2xlarge": (8, 32768),
    "c5.large": (2, 4096),
    "c5.xlarge": (4, 8192),
    "c5.2xlarge": (8, 16384),
    "r5.large": (2, 16384),
    "r5.xlarge": (4, 32768),
}

# Fargate accepts these task sizes and no others: CPU units -> memory MiB.
FARGATE_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}


def fargate_size_problem(cpu: int | None, memory: int | None) -> str | None:
    """Why Fargate would refuse this task size, or None when it is allowed."""
    if cpu is None or memory is None:
        return "Fargate requires that 'cpu' and 'memory' be defined at the task level."
    allowed = FARGATE_TASK_SIZES.get(cpu)
    if allowed is None or memory not in allowed:
        return (
            "No Fargate configuration exists for given values: "
            f"{cpu} CPU, {memory} memory. See the Amazon ECS documentation "
            "for the valid values."
        )
    return None


def fargate_problem(
    network_mode: str | None, cpu: int | str | None, memory: int | str | None
) -> tuple[str, str] | None:
    """Why Fargate would refuse a task definition, as (ECS's message, the field it names), or None.

    ``cpu`` and ``memory`` in units and MiB (``256``, ``"512"``); a size written any other way
    is not judged here (ECS says what is wrong with it).
    """
    if network_mode != NetworkMode.AWSVPC:
        return "Fargate only supports network mode \u2018awsvpc\u2019.", "networkMode"
    if cpu is None or memory is None:
        problem = fargate_size_problem(None, None)
    elif str(cpu).isdigit() and str(memory).isdigit():
        problem = fargate_size_problem(int(cpu), int(memory))
    else:
        problem = None
    return (problem, "cpu") if problem else None


_VCPUS = re.compile(r"(\d+(?:\.\d+)?)\s*vcpu", re.IGNORECASE)
_GB = re.compile(r"(\d+(?:\.\d+)?)\s*gb", re.IGNORECASE)


def vcpus_as_units(text: str) -> int | None:
    """Task CPU written in vCPUs as ECS stores it: ``"0.25 vCPU"`` -> 256; None if not written so."""
    match = _VCPUS.fullmatch(text)
    return int(float(match.group(1)) * 1024) if match else None


def gb_as_mib(text: str) -> int | None:
    """Task memory written in GB as ECS stores it: ``"2GB"`` -> 2048; None if not written so."""
    match = _GB.fullmatch(text)
    return int(float(match.group(1)) * 1024) if match else None


NAME = re.compile(r"[a-zA-Z0-9_-]{1,255}")
"""What ECS allows in a cluster name, a task definition family and a container name."""


def cluster_name_problem(name: object) -> str | None:
    """Why CreateCluster would refuse this name, or None."""
    if isinstance(name, str) and NAME.fullmatch(name):
        return None
    return (
        "Cluster name contains invalid characters: up to 255 letters (uppercase and lowercase), "
        "numbers, hyphens and underscores are allowed."
    )


class KeyValuePair(AwsModel):
    name: str
    value: str


class PortMapping(AwsModel):
    container_port: int
    host_port: int | None = None
    protocol: str = "tcp"
    name: str | None = None


class HealthCheck(AwsModel):
    command: list[str]
    interval: int = 30
    timeout: int = 5
    retries: int = 3
    start_period: int | None = None


class ContainerDependency(AwsModel):
    container_name: str
    condition: str


class LogConfiguration(AwsModel):
    log_driver: str
    options: dict[str, str] = Field(default_factory=dict)


class ContainerDefinition(AwsModel):
    name: str
    image: str
    cpu: int = 0
    memory: int | None = None
    memory_reservation: int | None = None
    essential: bool = True
    command: list[str] | None = None
    entry_point: list[str] | None = None
    environment: list[KeyValuePair] = Field(default_factory=list)
    port_mappings: list[PortMapping] = Field(default_factory=list)
    health_check: HealthCheck | None = None
    depends_on: list[ContainerDependency] | None = None
    log_configuration: LogConfiguration | None = None
    working_directory: str | None = None
    stop_timeout: int | None = None


class TaskDefinition(AwsModel):
    """What ``RegisterTaskDefinition`` takes and ``DescribeTaskDefinition`` returns."""

    family: str
    container_definitions: list[ContainerDefinition]
    task_definition_arn: str | None = None
    revision: int | None = None
    status: TaskDefinitionStatus | None = None
    cpu: str | None = None
    memory: str | None = None
    network_mode: NetworkMode | None = None
    requires_compatibilities: list[Compatibility] | None = None
    compatibilities: list[Compatibility] | None = None
    task_role_arn: str | None = None
    execution_role_arn: str | None = None
    registered_at: datetime | None = None
    deregistered_at: datetime | None = None


class Cluster(AwsModel):
    cluster_arn: str
    cluster_name: str
    status: ClusterStatus = ClusterStatus.ACTIVE
    registered_container_instances_count: int = 0
    running_tasks_count: int = 0
    pending_tasks_count: int = 0
    active_services_count: int = 0
    capacity_providers: list[str] = Field(default_factory=list)
    tags: list[dict[str, str]] = Field(default_factory=list)


class NetworkBinding(AwsModel):
    bind_ip: str | None = Field(default=None, serialization_alias="bindIP",  # AWS spells it bindIP
                                validation_alias=AliasChoices("bindIP", "bindIp", "bind_ip"))
    container_port: int | None = None
    host_port: int | None = None
    protocol: str = "tcp"


class Container(AwsModel):
    container_arn: str | None = None
    task_arn: str | None = None
    name: str
    image: str | None = None
    last_status: str | None = None
    exit_code: int | None = None
    reason: str | None = None
    network_bindings: list[NetworkBinding] = Field(default_factory=list)
    health_status: HealthStatus | None = None
    runtime_id: str | None = None
    essential: bool | None = None
    cpu: str | None = None
    memory: str | None = None


class AttachmentDetail(AwsModel):
    name: str
    value: str


class Attachment(AwsModel):
    """The elastic network interface an awsvpc task gets."""

    id: str
    type: str = "ElasticNetworkInterface"
    status: str = "ATTACHED"
    details: list[AttachmentDetail] = Field(default_factory=list)


class ContainerOverride(AwsModel):
    name: str
    command: list[str] | None = None
    environment: list[KeyValuePair] | None = None
    cpu: int | None = None
    memory: int | None = None


class TaskOverride(AwsModel):
    container_overrides: list[ContainerOverride] = Field(default_factory=list)


class Task(AwsModel):
    task_arn: str
    cluster_arn: str
    task_definition_arn: str
    container_instance_arn: str | None = None
    last_status: TaskStatus = TaskStatus.PROVISIONING
    desired_status: TaskStatus = TaskStatus.RUNNING
    launch_type: LaunchType | None = None
    cpu: str | None = None
    memory: str | None = None
    containers: list[Container] = Field(default_factory=list)
    started_by: str | None = None
    group: str | None = None
    stop_code: StopCode | None = None
    stopped_reason: str | None = None
    health_status: HealthStatus | None = None
    created_at: datetime | None = None
    pull_started_at: datetime | None = None
    pull_stopped_at: datetime | None = None
    started_at: datetime | None = None
    stopping_at: datetime | None = None
    execution_stopped_at: datetime | None = None
    stopped_at: datetime | None = None
    connectivity: str | None = None
    availability_zone: str | None = None
    platform_version: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    overrides: TaskOverride | None = None
    version: int = 1


class Failure(AwsModel):
    arn: str | None = None
    reason: str
    detail: str | None = None


class DeploymentCircuitBreaker(AwsModel):
    enable: bool = False
    rollback: bool = False


class DeploymentConfiguration(AwsModel):
    deployment_circuit_breaker: DeploymentCircuitBreaker | None = None
    maximum_percent: int = 200
    minimum_healthy_percent: int = 100


class Deployment(AwsModel):
    id: str
    status: str
    task_definition: str
    desired_count: int = 0
    pending_count: int = 0
    running_count: int = 0
    failed_tasks: int = 0
    rollout_state: RolloutState | None = None
    rollout_state_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ServiceEvent(AwsModel):
    id: str
    created_at: datetime
    message: str


class LoadBalancer(AwsModel):
    target_group_arn: str | None = None
    load_balancer_name: str | None = None
    container_name: str
    container_port: int


class TargetHealth(AwsModel):
    """elbv2's TargetHealthDescription, flattened: where the target is and how its checks go."""

    target_id: str
    """The task ARN locally; an IP address on AWS (ip target groups)."""
    host: str
    port: int
    state: str
    """``initial``, ``healthy``, ``unhealthy``, ``draining`` (elbv2's TargetHealth.State)."""
    reason: str | None = None
    description: str | None = None
    requests: int | None = None
    """Requests routed to it (the local load balancer counts them; AWS does not say)."""


class ServiceLoadBalancer(AwsModel):
    """A service's load balancer as the console shows it: the listener and its target group's health."""

    target_group_arn: str | None = None
    load_balancer_name: str
    dns_name: str
    url: str
    container_name: str
    container_port: int
    health_check: dict[str, Any] = Field(default_factory=dict)
    targets: list[TargetHealth] = Field(default_factory=list)
    requests_total: int | None = None


class Service(AwsModel):
    service_arn: str
    service_name: str
    cluster_arn: str
    status: ServiceStatus = ServiceStatus.ACTIVE
    desired_count: int = 0
    running_count: int = 0
    pending_count: int = 0
    launch_type: LaunchType | None = None
    task_definition: str
    deployment_configuration: DeploymentConfiguration = Field(default_factory=DeploymentConfiguration)
    deployments: list[Deployment] = Field(default_factory=list)
    events: list[ServiceEvent] = Field(default_factory=list)
    load_balancers: list[LoadBalancer] = Field(default_factory=list)
    placement_strategy: list[dict[str, str]] = Field(default_factory=list)
    placement_constraints: list[dict[str, str]] = Field(default_factory=list)
    health_check_grace_period_seconds: int | None = None
    scheduling_strategy: str = "REPLICA"
    network_configuration: dict[str, Any] | None = None
    created_at: datetime | None = None


class Resource(AwsModel):
    """A container instance's capacity: CPU, MEMORY or PORTS."""

    name: str
    type: str
    integer_value: int | None = None
    string_set_value: list[str] | None = None


class ContainerInstance(AwsModel):
    container_instance_arn: str
    ec2_instance_id: str | None = None
    status: ContainerInstanceStatus = ContainerInstanceStatus.ACTIVE
    agent_connected: bool = True
    registered_resources: list[Resource] = Field(default_factory=list)
    remaining_resources: list[Resource] = Field(default_factory=list)
    running_tasks_count: int = 0
    pending_tasks_count: int = 0
    attributes: list[dict[str, str]] = Field(default_factory=list)
    status_reason: str | None = None
    registered_at: datetime | None = None


class RunTaskResult(AwsModel):
    tasks: list[Task] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TaskSummary:
    """What a table row of tasks shows, and no more: a page of thousands of tasks is listed
    without building (and validating) every task in full. Statuses and codes are AWS's strings;
    times are datetimes or AWS's ISO strings."""

    task_arn: str
    cluster_arn: str | None = None
    last_status: str = "PROVISIONING"
    desired_status: str = "RUNNING"
    task_definition_arn: str = ""
    launch_type: str | None = None
    group: str | None = None
    started_by: str | None = None
    health_status: str | None = None
    ports: tuple[str, ...] = ()
    """``hostPort->containerPort`` for each bound port, once."""
    started_at: datetime | str | None = None
    stopped_at: datetime | str | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None

    @classmethod
    def of(cls, task: Task) -> TaskSummary:
        ports = [f"{b.host_port}->{b.container_port}" for c in task.containers for b in c.network_bindings
                 if b.host_port]
        return cls(
            task_arn=task.task_arn, cluster_arn=task.cluster_arn, last_status=task.last_status.value,
            desired_status=task.desired_status.value, task_definition_arn=task.task_definition_arn,
            launch_type=task.launch_type.value if task.launch_type else None, group=task.group,
            started_by=task.started_by, health_status=task.health_status.value if task.health_status else None,
            ports=tuple(dict.fromkeys(ports)), started_at=task.started_at, stopped_at=task.stopped_at,
            stop_code=task.stop_code.value if task.stop_code else None, stopped_reason=task.stopped_reason,
        )
