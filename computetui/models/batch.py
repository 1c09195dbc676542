"""AWS Batch: compute environments, job queues, job definitions and jobs."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from computetui.models.base import AwsModel


class CEType(StrEnum):
    MANAGED = "MANAGED"
    UNMANAGED = "UNMANAGED"


class CEState(StrEnum):
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class CEStatus(StrEnum):
    CREATING = "CREATING"
    UPDATING = "UPDATING"
    DELETING = "DELETING"
    DELETED = "DELETED"
    VALID = "VALID"
    INVALID = "INVALID"


class ResourceType(StrEnum):
    EC2 = "EC2"
    SPOT = "SPOT"
    FARGATE = "FARGATE"
    FARGATE_SPOT = "FARGATE_SPOT"


class JobStatus(StrEnum):
    """A job's lifecycle, in order."""

    SUBMITTED = "SUBMITTED"
    PENDING = "PENDING"
    RUNNABLE = "RUNNABLE"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class ComputeResources(AwsModel):
    type: ResourceType
    min_vcpus: int | None = Field(default=None, alias="minvCpus")
    max_vcpus: int = Field(alias="maxvCpus")
    desired_vcpus: int | None = Field(default=None, alias="desiredvCpus")
    instance_types: list[str] | None = None
    subnets: list[str] = Field(default_factory=list)
    security_group_ids: list[str] | None = None


class ComputeEnvironmentDetail(AwsModel):
    compute_environment_name: str
    compute_environment_arn: str
    type: CEType = CEType.MANAGED
    state: CEState = CEState.ENABLED
    status: CEStatus = CEStatus.VALID
    status_reason: str | None = None
    compute_resources: ComputeResources | None = None
    ecs_cluster_arn: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class ComputeEnvironmentOrder(AwsModel):
    order: int
    compute_environment: str


class JobQueueDetail(AwsModel):
    job_queue_name: str
    job_queue_arn: str
    state: CEState = CEState.ENABLED
    status: CEStatus = CEStatus.VALID
    status_reason: str | None = None
    priority: int
    compute_environment_order: list[ComputeEnvironmentOrder] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)


class ResourceRequirement(AwsModel):
    type: str
    """``VCPU``, ``MEMORY`` or ``GPU``."""
    value: str


class BatchKeyValue(AwsModel):
    name: str
    value: str


class ContainerProperties(AwsModel):
    image: str
    command: list[str] = Field(default_factory=list)
    resource_requirements: list[ResourceRequirement] = Field(default_factory=list)
    environment: list[BatchKeyValue] = Field(default_factory=list)
    job_role_arn: str | None = None
    execution_role_arn: str | None = None


class RetryStrategy(AwsModel):
    attempts: int = 1


class JobTimeout(AwsModel):
    attempt_duration_seconds: int | None = None


class JobDefinition(AwsModel):
    job_definition_name: str
    job_definition_arn: str
    revision: int
    status: str = "ACTIVE"
    type: str = "container"
    container_properties: ContainerProperties | None = None
    retry_strategy: RetryStrategy | None = None
    timeout: JobTimeout | None = None
    platform_capabilities: list[str] = Field(default_factory=lambda: ["EC2"])
    parameters: dict[str, str] = Field(default_factory=dict)


class ArrayProperties(AwsModel):
    size: int | None = None
    index: int | None = None
    status_summary: dict[str, int] | None = None


class JobDependency(AwsModel):
    job_id: str
    type: str | None = None
    """``SEQUENTIAL`` or ``N_TO_N`` for array jobs."""


class ContainerSummary(AwsModel):
    exit_code: int | None = None
    reason: str | None = None


class JobSummary(AwsModel):
    """One row of ``ListJobs``."""

    job_arn: str
    job_id: str
    job_name: str
    created_at: int | None = None
    """Epoch milliseconds, as Batch writes it."""
    status: JobStatus
    status_reason: str | None = None
    started_at: int | None = None
    stopped_at: int | None = None
    container: ContainerSummary | None = None
    array_properties: ArrayProperties | None = None
    job_definition: str | None = None


class JobDetail(JobSummary):
    """What ``DescribeJobs`` returns."""

    job_queue: str
    depends_on: list[JobDependency] = Field(default_factory=list)
    parameters: dict[str, str] = Field(default_factory=dict)
    retry_strategy: RetryStrategy | None = None
    timeout: JobTimeout | None = None
    attempts: list[dict] = Field(default_factory=list)
