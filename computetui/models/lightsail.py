"""Amazon Lightsail: instances on fixed-price bundles, from blueprints."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from computetui.models.base import AwsModel


class InstanceStateName(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    REBOOTING = "rebooting"
    SHUTTING_DOWN = "shutting-down"
    TERMINATED = "terminated"


class InstanceState(AwsModel):
    code: int
    name: InstanceStateName


class ResourceLocation(AwsModel):
    availability_zone: str
    region_name: str


class InstanceHardware(AwsModel):
    cpu_count: int
    ram_size_in_gb: float


class Instance(AwsModel):
    name: str
    arn: str
    support_code: str | None = None
    created_at: datetime | None = None
    location: ResourceLocation | None = None
    resource_type: str = "Instance"
    blueprint_id: str
    blueprint_name: str | None = None
    bundle_id: str
    is_static_ip: bool = False
    private_ip_address: str | None = None
    public_ip_address: str | None = None
    hardware: InstanceHardware | None = None
    state: InstanceState
    username: str | None = None
    tags: list[dict[str, str]] = Field(default_factory=list)
    networking: InstanceNetworking | None = None
    status_reason: str | None = None
    """Why the instance is in its state when that needs saying (the emulator's note, not AWS's:
    an image it could not have, a container that vanished)."""


class Bundle(AwsModel):
    bundle_id: str
    name: str
    price: float
    """US dollars per month."""
    cpu_count: int
    ram_size_in_gb: float
    disk_size_in_gb: int
    transfer_per_month_in_gb: int
    is_active: bool = True
    supported_platforms: list[str] = Field(default_factory=lambda: ["LINUX_UNIX"])


class Blueprint(AwsModel):
    blueprint_id: str
    name: str
    group: str
    type: str
    """``os`` or ``app``."""
    description: str | None = None
    is_active: bool = True
    version: str | None = None
    platform: str = "LINUX_UNIX"


class InstanceSnapshot(AwsModel):
    name: str
    arn: str
    state: str
    """``pending``, ``error`` or ``available``."""
    from_instance_name: str | None = None
    from_bundle_id: str | None = None
    from_blueprint_id: str | None = None
    created_at: datetime | None = None
    size_in_gb: int | None = None
    from_instance_arn: str | None = None
    location: ResourceLocation | None = None
    resource_type: str = "InstanceSnapshot"
    progress: str | None = None
    is_from_auto_snapshot: bool = False
    status_reason: str | None = None
    """Why the snapshot is in error (the emulator's note, not AWS's)."""


# -- operations --------------------------------------------------------------
class OperationStatus(StrEnum):
    NOT_STARTED = "NotStarted"
    STARTED = "Started"
    FAILED = "Failed"
    COMPLETED = "Completed"
    SUCCEEDED = "Succeeded"


class Operation(AwsModel):
    """What a Lightsail change answers with: one per resource it touches."""

    id: str
    resource_name: str
    resource_type: str
    created_at: datetime | None = None
    location: ResourceLocation | None = None
    is_terminal: bool = True
    operation_details: str | None = None
    operation_type: str
    """AWS's names: ``CreateInstance``, ``StartInstance``, ``OpenInstancePublicPorts``, ..."""
    status: OperationStatus = OperationStatus.SUCCEEDED
    status_changed_at: datetime | None = None
    error_code: str | None = None
    error_details: str | None = None


# -- networking ----------------------------------------------------------------
class PortInfo(AwsModel):
    """A public port (or range) as Open/Close/PutInstancePublicPorts take it."""

    from_port: int
    to_port: int
    protocol: str = "tcp"
    """``tcp``, ``udp``, ``all``, ``icmp`` or ``icmpv6``."""
    cidrs: list[str] | None = None
    ipv6_cidrs: list[str] | None = None
    cidr_list_aliases: list[str] | None = None


class InstancePortState(AwsModel):
    """GetInstancePortStates: a port and whether it is open."""

    from_port: int
    to_port: int
    protocol: str = "tcp"
    state: str = "open"
    cidrs: list[str] = Field(default_factory=list)
    ipv6_cidrs: list[str] = Field(default_factory=list)
    cidr_list_aliases: list[str] = Field(default_factory=list)


class InstancePortInfo(AwsModel):
    """A port in an instance's ``networking``."""

    from_port: int
    to_port: int
    protocol: str = "tcp"
    access_from: str | None = None
    access_type: str | None = None
    common_name: str | None = None
    access_direction: str = "inbound"
    cidrs: list[str] = Field(default_factory=list)
    ipv6_cidrs: list[str] = Field(default_factory=list)
    cidr_list_aliases: list[str] = Field(default_factory=list)


class MonthlyTransfer(AwsModel):
    gb_per_month_allocated: int | None = None


class InstanceNetworking(AwsModel):
    monthly_transfer: MonthlyTransfer | None = None
    ports: list[InstancePortInfo] = Field(default_factory=list)


class StaticIp(AwsModel):
    name: str
    arn: str
    support_code: str | None = None
    created_at: datetime | None = None
    location: ResourceLocation | None = None
    resource_type: str = "StaticIp"
    ip_address: str | None = None
    attached_to: str | None = None
    """The instance's name."""
    is_attached: bool = False


# -- metrics ---------------------------------------------------------------------
class MetricDatapoint(AwsModel):
    """GetInstanceMetricData's datapoints (and GetContainerServiceMetricData's)."""

    average: float | None = None
    maximum: float | None = None
    minimum: float | None = None
    sample_count: float | None = None
    sum: float | None = None
    timestamp: datetime
    unit: str | None = None


# -- container services -------------------------------------------------------------
class ContainerServiceState(StrEnum):
    PENDING = "PENDING"
    READY = "READY"
    RUNNING = "RUNNING"
    UPDATING = "UPDATING"
    DELETING = "DELETING"
    DISABLED = "DISABLED"
    DEPLOYING = "DEPLOYING"


class ContainerServiceDeploymentState(StrEnum):
    ACTIVATING = "ACTIVATING"
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    FAILED = "FAILED"


class Container(AwsModel):
    """One container of a deployment: its image, command, variables and ports (port -> protocol,
    ``HTTP``, ``HTTPS``, ``TCP`` or ``UDP``)."""

    image: str
    command: list[str] = Field(default_factory=list)
    environment: dict[str, str] = Field(default_factory=dict)
    ports: dict[str, str] = Field(default_factory=dict)


class ContainerServiceHealthCheckConfig(AwsModel):
    healthy_threshold: int = 2
    unhealthy_threshold: int = 2
    timeout_seconds: int = 2
    interval_seconds: int = 5
    path: str = "/"
    success_codes: str = "200-499"


class ContainerServiceEndpoint(AwsModel):
    """The deployment's public endpoint: which container and port the service's URL reaches."""

    container_name: str
    container_port: int
    health_check: ContainerServiceHealthCheckConfig | None = None


class ContainerServiceDeployment(AwsModel):
    version: int
    state: ContainerServiceDeploymentState
    containers: dict[str, Container] = Field(default_factory=dict)
    public_endpoint: ContainerServiceEndpoint | None = None
    created_at: datetime | None = None


class ContainerServiceStateDetail(AwsModel):
    code: str | None = None
    message: str | None = None


class ContainerService(AwsModel):
    container_service_name: str
    arn: str
    created_at: datetime | None = None
    location: ResourceLocation | None = None
    resource_type: str = "ContainerService"
    tags: list[dict[str, str]] = Field(default_factory=list)
    power: str
    """``nano``, ``micro``, ``small``, ``medium``, ``large`` or ``xlarge``."""
    power_id: str | None = None
    state: ContainerServiceState
    state_detail: ContainerServiceStateDetail | None = None
    scale: int
    current_deployment: ContainerServiceDeployment | None = None
    next_deployment: ContainerServiceDeployment | None = None
    is_disabled: bool = False
    principal_arn: str | None = None
    private_domain_name: str | None = None
    public_domain_names: dict[str, list[str]] = Field(default_factory=dict)
    url: str | None = None
    """The public endpoint's address (on the local backend, ``http://127.0.0.1:PORT/``)."""


class ContainerServicePower(AwsModel):
    power_id: str
    price: float
    """US dollars per month, per node."""
    cpu_count: float
    ram_size_in_gb: float
    name: str
    is_active: bool = True


class ContainerServiceLogEvent(AwsModel):
    created_at: datetime
    message: str


Instance.model_rebuild()
