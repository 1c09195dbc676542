"""What the ECR pages show: repositories, a repository's images, local images to push,
and a lifecycle policy to start from. Rows come from the backend contract only;
nothing here draws.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError
from computetui.ui.format import when
from computetui.ui.views import Column, ResourceView, Row, ServiceSpec, Summary

if TYPE_CHECKING:  # the models (pydantic) load with the first rows, not with the first frame
    from computetui.models import ecr as m

MB = 1024 * 1024
UNTAGGED = "<untagged>"
"""What the console shows in the tag column of an image without tags."""


def _ecr(b: Backend) -> Any:
    assert b.ecr is not None
    return b.ecr


def short_digest(digest: str) -> str:
    """``sha256:3f2a9b1c4d5e…``: the algorithm and the first 12 hex digits, as ``docker images`` shortens ids."""
    algorithm, _, value = digest.partition(":")
    if not value:
        return digest[:12] + "…"
    return f"{algorithm}:{value[:12]}…" if len(value) > 12 else digest


def megabytes(size: int | None) -> str:
    """Bytes as the console's ``Size (MB)`` column shows them: ``26.43``."""
    return "-" if size is None else f"{size / MB:.2f}"


def enabled(flag: bool) -> str:
    return "Enabled" if flag else "Disabled"


# -- repositories ----------------------------------------------------------------
def repository_row(repository: m.Repository, images: int | None) -> Row:
    """A row of ECR's Repositories view (its columns are in :mod:`computetui.ui.registry`)."""
    immutable = repository.image_tag_mutability == "IMMUTABLE"
    return Row(
        key=repository.repository_arn,
        name=repository.repository_name,
        cells={
            "name": repository.repository_name,
            "uri": repository.repository_uri,
            "created": when(repository.created_at),
            "immutability": enabled(immutable),
            "scan": enabled(repository.image_scanning_configuration.scan_on_push),
            "images": "-" if images is None else images,
        },
        detail=repository.to_aws(),
        extra={"images": images or 0, "uri": repository.repository_uri},
    )


def repository_rows(b: Backend) -> list[Row]:
    ecr = _ecr(b)
    rows = []
    for repository in ecr.describe_repositories():
        try:
            count: int | None = len(ecr.describe_images(repository.repository_name))
        except ComputeError:  # deleted meanwhile, or images unreadable: the repository still shows
            count = None
        rows.append(repository_row(repository, count))
    return rows


def delete_repository(b: Backend, row: Row) -> None:
    """Delete a repository; one that held images when the table last looked is deleted with them (``force``).

    One that gained images since is refused (``RepositoryNotEmptyException``):
    nobody was told its images would go.
    """
    _ecr(b).delete_repository(row.name, force=row.extra.get("images", 0) > 0)


# -- a repository's images ---------------------------------------------------------
IMAGE_COLUMNS = (
    Column("tags", "Image tag(s)"),
    Column("digest", "Digest"),
    Column("size", "Size (MB)", "number"),
    Column("pushed", "Pushed at", "time"),
)


def image_name(image: m.ImageDetail) -> str:
    """How messages and breadcrumbs name an image: its tags, or its short digest when it has none."""
    return ", ".join(image.image_tags) or short_digest(image.image_digest)


def image_row(image: m.ImageDetail) -> Row:
    return Row(
        key=image.image_digest,
        name=image_name(image),
        cells={
            "tags": ", ".join(image.image_tags) or UNTAGGED,
            "digest": short_digest(image.image_digest),
            "size": megabytes(image.image_size_in_bytes),
            "pushed": when(image.image_pushed_at),
        },
        detail=image.to_aws(),
        extra={"repository": image.repository_name, "digest": image.image_digest, "tags": list(image.image_tags)},
    )


def delete_image(b: Backend, row: Row) -> None:
    """BatchDeleteImage by digest: the image and all its tags. A failure AWS reports is raised, with its code."""
    answer = _ecr(b).batch_delete_image(row.extra["repository"], [{"imageDigest": row.extra["digest"]}])
    failures = answer.get("failures") or []
    if failures:
        failure = failures[0]
        raise ComputeError(failure.get("failureReason", "the image was not deleted"), code=failure.get("failureCode"))


def images_view(repository_name: str) -> ResourceView:
    """The Images tab of one repository; ``c`` pushes an image to it."""

    def fetch(b: Backend) -> list[Row]:
        return [image_row(i) for i in _ecr(b).describe_images(repository_name)]

    return ResourceView(
        id="images",
        title="Images",
        noun="image",
        columns=IMAGE_COLUMNS,
        fetch=fetch,
        delete=delete_image,
        creates="ecr-image",
        context={"repository": repository_name},
        delete_warning="The image and every tag it has leave the repository. This cannot be undone.",
    )


# -- pushing -------------------------------------------------------------------------
@dataclass(frozen=True)
class LocalChoice:
    """One line of the push form: a local image by one of its names, as ``docker images`` lists it."""

    reference: str
    """``name:tag``: what ``put_image`` is given as ``source_image``."""
    tag: str
    """The tag part of the reference: the push form's default tag."""
    image_id: str
    size: int
    created: str


def split_reference(reference: str) -> tuple[str, str]:
    """``registry:5000/team/web:v1`` -> (``registry:5000/team/web``, ``v1``); no tag means ``latest``."""
    name, sep, tag = reference.rpartition(":")
    if not sep or "/" in tag:
        return reference, "latest"
    return name, tag


def in_a_registry(reference: str) -> bool:
    """Whether a name is under an ECR registry (``<account>.dkr.ecr.<region>.amazonaws.com/...``)."""
    return ".dkr.ecr." in reference.split("/", 1)[0]


def local_choices(images: list[m.LocalImage]) -> list[LocalChoice]:
    """Every name of every local image, one line per name as ``docker images`` lists them.

    Newest image first; within an image its own names come before those a push
    gave it under a registry, so the first line is the likeliest thing to push.
    """
    return [
        LocalChoice(
            reference=reference,
            tag=split_reference(reference)[1],
            image_id=image.id,
            size=image.size,
            created=when(image.created),
        )
        for image in images
        for reference in sorted(image.tags, key=lambda name: (in_a_registry(name), name))
    ]


def push_hint(docker_push: bool) -> str:
    """How an image gets into the repository, in one line (``URI`` is the repository's, shown above it)."""
    if not docker_push:
        # Here the registry is the engine itself: a push names the image URI:TAG and ECR records it;
        # a bare `docker tag` makes the name without the record, so the repository does not list it.
        return "Push: p picks an image from your Docker engine and a tag, and pushes it here."
    return "Push: docker tag IMAGE URI:TAG && docker push URI:TAG, or press p to push a local image."


# -- lifecycle policies -------------------------------------------------------------
UNTAGGED_DAYS = 14
KEEP_TAGGED = 10


def lifecycle_template(untagged_days: int = UNTAGGED_DAYS, keep_tagged: int = KEEP_TAGGED) -> str:
    """A policy to start from: expire untagged images after some days, keep the newest tagged ones."""
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Expire untagged images {untagged_days} days after their push",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": untagged_days,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the {keep_tagged} newest tagged images",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_tagged,
                },
                "action": {"type": "expire"},
            },
        ]
    }
    return json.dumps(policy, indent=2)


def pretty_policy(text: str) -> str:
    """A stored policy, indented for the editor (as it was, when it is not JSON)."""
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text


def _ecr_summary(b: Backend) -> Summary:
    assert b.ecr is not None
    repositories = b.ecr.describe_repositories()
    immutable = sum(1 for r in repositories if r.image_tag_mutability.value == "IMMUTABLE")
    return Summary(
        count=len(repositories),
        lines=(("Repositories", str(len(repositories))), ("Immutable tags", str(immutable))),
    )


SPEC = ServiceSpec(
    id="ecr",
    nav_label="ECR",
    title="Elastic Container Registry",
    facet="ecr",
    summarize=_ecr_summary,
    views=(
        ResourceView(
            id="repositories",
            title="Repositories",
            noun="repository",
            fetch=repository_rows,
            delete=delete_repository,
            opens="repository",
            creates="repository",
            delete_warning=(
                "A repository that still holds images is deleted with them (force): every tag goes, "
                "and ECS tasks that name its images can no longer start. This cannot be undone."
            ),
            # The console's columns; the URI, the widest, last so that the rest fit 120 columns.
            columns=(
                Column("name", "Repository name"),
                Column("images", "Images", "number"),
                Column("immutability", "Tag immutability"),
                Column("scan", "Scan on push"),
                Column("created", "Created at", "time"),
                Column("uri", "URI"),
            ),
        ),
    ),
)
