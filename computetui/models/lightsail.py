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
