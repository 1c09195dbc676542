"""What ECR's operations take, as its service model says, in ECR's words
("Invalid parameter at 'imageTag' failed to satisfy constraint: '...'")."""

from __future__ import annotations

from typing import Any

from computetui.backends.rules.validation import Boolean, Dialect, ListOf, Request, String, Structure

ECR = Dialect("InvalidParameterException", style="ecr")

REPOSITORY_NAME = String()
"""Its length and pattern are checked by CreateRepository (the local rule is stricter)."""
IMAGE_IDS = ListOf(Structure({"imageDigest": String(), "imageTag": String(min=1, max=300)}), min=1, max=100)
LIFECYCLE_POLICY_MAX = 30_720


def _request(operation: str, required: tuple[str, ...] = (), **members: Any) -> Request:
    return Request(operation, ECR, {"repository_name": REPOSITORY_NAME, **members},
                   required=("repository_name", *required))


CREATE_REPOSITORY = _request(
    "CreateRepository",
    image_tag_mutability=String(),
    image_scanning_configuration=Structure({"scanOnPush": Boolean()}),
    tags=ListOf(Structure({"Key": String(min=1, max=128), "Value": String(max=256)}, required=("Key", "Value"))),
)
DELETE_REPOSITORY = _request("DeleteRepository", force=Boolean())
DESCRIBE_REPOSITORIES = Request("DescribeRepositories", ECR, {"repository_names": ListOf(String(), max=100)})
DESCRIBE_IMAGES = _request("DescribeImages", image_ids=ListOf(IMAGE_IDS.member, max=100))
PUT_IMAGE = _request("PutImage", required=("source_image", "image_tag"), source_image=String(min=1),
                     image_tag=String())
BATCH_DELETE_IMAGE = _request("BatchDeleteImage", required=("image_ids",), image_ids=IMAGE_IDS)
PUT_LIFECYCLE_POLICY = _request(
    "PutLifecyclePolicy", required=("lifecycle_policy_text",),
    lifecycle_policy_text=String(min=1, max=LIFECYCLE_POLICY_MAX),
)
REPOSITORY = _request("Repository")
"""Operations that only name a repository (GetLifecyclePolicy, DeleteLifecyclePolicy)."""
