"""Amazon ECR: private repositories and the images in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from computetui.models.base import AwsModel


class TagMutability(StrEnum):
    MUTABLE = "MUTABLE"
    IMMUTABLE = "IMMUTABLE"


class ImageScanningConfiguration(AwsModel):
    scan_on_push: bool = False


class Repository(AwsModel):
    repository_arn: str
    registry_id: str
    repository_name: str
    repository_uri: str
    created_at: datetime | None = None
    image_tag_mutability: TagMutability = TagMutability.MUTABLE
    image_scanning_configuration: ImageScanningConfiguration = Field(default_factory=ImageScanningConfiguration)


class ImageIdentifier(AwsModel):
    image_digest: str | None = None
    image_tag: str | None = None


class ImageDetail(AwsModel):
    registry_id: str
    repository_name: str
    image_digest: str
    image_tags: list[str] = Field(default_factory=list)
    image_size_in_bytes: int | None = None
    image_pushed_at: datetime | None = None
    image_manifest_media_type: str | None = None
    last_recorded_pull_time: datetime | None = None


class LifecyclePolicy(AwsModel):
    registry_id: str
    repository_name: str
    lifecycle_policy_text: str
    last_evaluated_at: datetime | None = None


class LocalImage(AwsModel):
    """An image in the local Docker engine, as ``docker images`` lists it: what a push can send.

    Not an AWS shape (ECR never sees the pusher's images); the console's push form lists these.
    """

    id: str
    """The engine's image id, ``sha256:<64 hex>``."""
    tags: list[str] = Field(default_factory=list)
    """``repository:tag`` names, sorted."""
    size: int = 0
    """Bytes on disk, uncompressed."""
    created: datetime | None = None
