"""Amazon EKS: clusters and managed node groups (shown read-only)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from computetui.models.base import AwsModel


class ClusterStatus(StrEnum):
    CREATING = "CREATING"
    ACTIVE = "ACTIVE"
    DELETING = "DELETING"
    FAILED = "FAILED"
    UPDATING = "UPDATING"
    PENDING = "PENDING"


class EksCluster(AwsModel):
    name: str
    arn: str
    created_at: datetime | None = None
    version: str | None = None
    endpoint: str | None = None
    role_arn: str | None = None
    status: ClusterStatus
    platform_version: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class ScalingConfig(AwsModel):
    min_size: int
    max_size: int
    desired_size: int


class Nodegroup(AwsModel):
    nodegroup_name: str
    nodegroup_arn: str
    cluster_name: str
    version: str | None = None
    release_version: str | None = None
    status: str
    capacity_type: str = "ON_DEMAND"
    scaling_config: ScalingConfig | None = None
    instance_types: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
