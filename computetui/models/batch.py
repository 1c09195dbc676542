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
    unmanagedv_cpus: int | None = Field(default=None, alias="unmanagedvCpus")
    """An UNMANAGED environment's capacity, in vCPUs, as its owner gives it."""
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
    scheduling_policy_arn: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class ShareAttributes(AwsModel):
    share_identifier: str
    weight_factor: float | None = None
    """Lower gets more: a share of 0.5 gets twice the capacity of a share of 1 (the default)."""


class FairsharePolicy(AwsModel):
    share_decay_seconds: int | None = None
    compute_reservation: int | None = None
    share_distribution: list[ShareAttributes] = Field(default_factory=list)

    def weight(self, share: str | None) -> float:
        """A share's weight factor: its own, else a matching ``prefix*`` entry's, else 1."""
        for item in self.share_distribution:
            if item.share_identifier == share:
                return item.weight_factor or 1.0
        for item in self.share_distribution:
            ident = item.share_identifier
            if ident.endswith("*") and share is not None and share.startswith(ident[:-1]):
                return item.weight_factor or 1.0
        return 1.0


class SchedulingPolicyDetail(AwsModel):
    name: str
    arn: str
    fairshare_policy: FairsharePolicy | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class ResourceRequirement(AwsModel):
    type: str
    """``VCPU``, ``MEMORY`` or ``GPU``."""
    value: str


class BatchKeyValue(AwsModel):
    name: str
    value: str


class Ulimit(AwsModel):
    name: str
    soft_limit: int
    hard_limit: int


class ContainerProperties(AwsModel):
    image: str
    command: list[str] = Field(default_factory=list)
    resource_requirements: list[ResourceRequirement] = Field(default_factory=list)
    environment: list[BatchKeyValue] = Field(default_factory=list)
    job_role_arn: str | None = None
    execution_role_arn: str | None = None
    vcpus: int | None = None
    """The old way to give vCPUs (``resourceRequirements`` is the new one)."""
    memory: int | None = None
    """The old way to give memory, in MiB."""
    ulimits: list[Ulimit] | None = None
    user: str | None = None
    readonly_root_filesystem: bool | None = None
    privileged: bool | None = None

    def requirement(self, kind: str) -> str | None:
        """A resource requirement's value (``VCPU``, ``MEMORY``), the old fields standing in."""
        for item in self.resource_requirements:
            if item.type == kind:
                return item.value
        old = {"VCPU": self.vcpus, "MEMORY": self.memory}.get(kind)
        return str(old) if old is not None else None


class EvaluateOnExit(AwsModel):
    on_status_reason: str | None = None
    on_reason: str | None = None
    on_exit_code: str | None = None
    action: str
    """``RETRY`` or ``EXIT`` (Batch takes either case)."""


class RetryStrategy(AwsModel):
    attempts: int = 1
    evaluate_on_exit: list[EvaluateOnExit] | None = None


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
    tags: dict[str, str] = Field(default_factory=dict)


class ArrayProperties(AwsModel):
    size: int | None = None
    index: int | None = None
    status_summary: dict[str, int] | None = None


class JobStatusReason:
    """The status reasons Batch gives (seen in AWS's answers; its docs do not list them)."""

    ESSENTIAL_EXITED = "Essential container in task exited"
    TIMEOUT = "Job attempt duration exceeded timeout"
    DEPENDENCY_FAILED = "Dependent Job failed"


class JobDependency(AwsModel):
    job_id: str | None = None
    """None for an array job's SEQUENTIAL dependency (its children wait for each other)."""
    type: str | None = None
    """``SEQUENTIAL`` or ``N_TO_N`` for array jobs."""


class ContainerSummary(AwsModel):
    exit_code: int | None = None
    reason: str | None = None


class AttemptContainer(AwsModel):
    """The container of one attempt."""

    exit_code: int | None = None
    reason: str | None = None
    log_stream_name: str | None = None
    task_arn: str | None = None
    container_instance_arn: str | None = None


class AttemptDetail(AwsModel):
    """One attempt of a job: its container, when it ran, and why it stopped."""

    container: AttemptContainer | None = None
    started_at: int | None = None
    stopped_at: int | None = None
    status_reason: str | None = None


class ContainerDetail(AwsModel):
    """``DescribeJobs``' container: what the current (or last) attempt runs."""

    image: str | None = None
    command: list[str] = Field(default_factory=list)
    vcpus: int | None = None
    memory: int | None = None
    resource_requirements: list[ResourceRequirement] = Field(default_factory=list)
    environment: list[BatchKeyValue] = Field(default_factory=list)
    ulimits: list[Ulimit] = Field(default_factory=list)
    user: str | None = None
    readonly_root_filesystem: bool | None = None
    privileged: bool | None = None
    exit_code: int | None = None
    reason: str | None = None
    log_stream_name: str | None = None
    task_arn: str | None = None
    container_instance_arn: str | None = None
    job_role_arn: str | None = None
    execution_role_arn: str | None = None


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
    container: ContainerDetail | None = None  # type: ignore[assignment]
    depends_on: list[JobDependency] = Field(default_factory=list)
    parameters: dict[str, str] = Field(default_factory=dict)
    retry_strategy: RetryStrategy | None = None
    timeout: JobTimeout | None = None
    attempts: list[AttemptDetail] = Field(default_factory=list)
    platform_capabilities: list[str] = Field(default_factory=list)
    share_identifier: str | None = None
    scheduling_priority: int | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    def requirement(self, kind: str) -> str | None:
        """The job's ``VCPU`` or ``MEMORY`` as its container has it (overrides applied)."""
        if self.container is None:
            return None
        for item in self.container.resource_requirements:
            if item.type == kind:
                return item.value
        old = {"VCPU": self.container.vcpus, "MEMORY": self.container.memory}.get(kind)
        return str(old) if old is not None else None

    @property
    def array_parent(self) -> bool:
        """An array job's parent (its children run; it only sums them up)."""
        props = self.array_properties
        return props is not None and props.size is not None and props.index is None

    @property
    def array_job_id(self) -> str | None:
        """The parent's id, for an array job's child (``<jobId>:<index>``)."""
        props = self.array_properties
        return self.job_id.rsplit(":", 1)[0] if props is not None and props.index is not None else None
