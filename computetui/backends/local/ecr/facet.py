"""ECR in the local emulator: repositories over images in the local engine.

An ECR image *is* an image in the user's Docker engine, named with the
repository's URI: ``put_image`` tags a local image
``<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>``, so an ECS task that
names that URI finds the image on the engine and never pulls.

The store keeps one record per image digest (kind ``ecr:image``, parent the
repository ARN, the body ``ImageDetail``'s AWS JSON) with its tags and push
time. Where the local registry differs from ECR:

* **Digest.** ECR shows the ``sha256`` digest of the image *manifest*, which
  exists only once an image is pushed to a registry. Locally ``imageDigest`` is
  the engine's image id (``sha256:...``, the digest of the image config): it
  names the same image content, and ``docker run <id>`` works with it.
* **Size.** ``imageSizeInBytes`` is the engine's (uncompressed) size; ECR
  reports the compressed layers it stores, so it shows less.
* **Untagged images.** When a tag moves to another image, the image it left
  stays in the repository untagged, as in ECR. It has no name left in the
  engine (``docker images`` shows ``<none>`` unless the user named it), and
  deleting it from the repository never deletes the engine image: only names
  under the repository's URI are ever removed.
* **Scanning** is not emulated: ``scanOnPush`` is recorded, no scan runs.

Lifecycle policies are validated as ECR does for the rules it documents
(``expire`` with ``imageCountMoreThan`` or ``sinceImagePushed``, by tag
status, prefix or pattern) by :mod:`computetui.backends.rules.ecr_lifecycle`, whose
:func:`evaluate_lifecycle_policy` is the pure evaluation; :meth:`LocalEcr.apply_lifecycle_policies` runs it over every
repository (the controller calls it periodically, as ECR's own sweep).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from computetui.backends.base import EcrFacet
from computetui.backends.errors import ComputeError, Conflict, InvalidParameter, NotFound, Unavailable
from computetui.backends.local.facet import LocalFacetMixin
from computetui.backends.rules import ecr as rules
from computetui.backends.rules.ecr_lifecycle import evaluate_lifecycle_policy, parse_lifecycle_policy, pushed_at
from computetui.backends.rules.validation import check_pattern, validated
from computetui.models import ecr as m

if TYPE_CHECKING:
    from computetui.backends.docker.engine import ImageInfo
    from computetui.backends.local.emulator import Emulator

log = logging.getLogger(__name__)

REPOSITORY = "ecr:repository"
IMAGE = "ecr:image"
LIFECYCLE_POLICY = "ecr:lifecycle-policy"
NAME_PATTERN = r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"

IMAGE_TAG_MAX_LENGTH = 300
"""ECR's limit on ``imageTag`` (PutImage, ImageIdentifier)."""
TAG_PATTERN = r"[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}"
"""A Docker/OCI tag: the engine holds the images, so it cannot name one otherwise."""
DIGEST_PATTERN = r"[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+"
MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
"""What ECR shows for an image ``docker push`` sent."""

NOT_FOUND_FAILURE = {"failureCode": "ImageNotFound", "failureReason": "Requested image not found"}


def _image_key(repository_arn: str, digest: str) -> str:
    return f"{repository_arn}@{digest}"


def _policy_key(repository_arn: str) -> str:
    return f"{repository_arn}#lifecycle-policy"


def _identifier(raw: Any) -> tuple[str | None, str | None]:
    """``(imageDigest, imageTag)`` of an image id given as AWS JSON or an ``ImageIdentifier``."""
    if isinstance(raw, m.ImageIdentifier):
        return raw.image_digest, raw.image_tag
    if isinstance(raw, dict):
        return raw.get("imageDigest") or None, raw.get("imageTag") or None
    raise InvalidParameter(
        f"Invalid parameter at 'imageIds': {raw!r} is not an image identifier", code="InvalidParameterException"
    )


class LocalEcr(LocalFacetMixin, EcrFacet):
    docker_push = False  # the registry is the engine: a push names the image and records it

    def __init__(self, backend: Emulator) -> None:
        super().__init__(backend)
        # Image operations pair engine calls with store writes; one at a time keeps them in step.
        self._lock = threading.RLock()

    # -- repositories ------------------------------------------------------
    def _load(self, repository_name: str) -> m.Repository:
        body = self.store.get(REPOSITORY, self.ids.ecr_repository(repository_name))
        if body is None:
            raise NotFound(
                f"The repository with name '{repository_name}' does not exist in the registry "
                f"with id '{self.ids.account}'",
                code="RepositoryNotFoundException",
            )
        return m.Repository.model_validate(body)

    @validated(rules.CREATE_REPOSITORY)
    def create_repository(
        self,
        repository_name: str,
        image_tag_mutability: str = "MUTABLE",
        image_scanning_configuration: dict[str, Any] | None = None,
        **_: Any,
    ) -> m.Repository:
        if len(repository_name) < 2:
            raise InvalidParameter(
                "Invalid parameter at 'repositoryName' failed to satisfy constraint: "
                "'Member must have length greater than or equal to 2'",
                code="InvalidParameterException",
                field="repositoryName",
            )
        try:
            check_pattern("repositoryName", repository_name, NAME_PATTERN, max_length=256)
        except InvalidParameter as exc:
            raise InvalidParameter(exc.message, code="InvalidParameterException", field="repositoryName") from None
        if image_tag_mutability not in ("MUTABLE", "IMMUTABLE"):
            raise InvalidParameter(
                "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: "
                "'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'",
                code="InvalidParameterException",
                field="imageTagMutability",
            )
        arn = self.ids.ecr_repository(repository_name)
        repository = m.Repository(
            repository_arn=arn,
            registry_id=self.ids.account,
            repository_name=repository_name,
            repository_uri=self.ids.ecr_uri(repository_name),
            created_at=self.now,
            image_tag_mutability=image_tag_mutability,
            image_scanning_configuration=m.ImageScanningConfiguration.model_validate(
                image_scanning_configuration or {}
            ),
        )
        with self.store.transaction():
            if self.store.get(REPOSITORY, arn) is not None:
                raise Conflict(
                    f"The repository with name '{repository_name}' already exists in the registry "
                    f"with id '{self.ids.account}'",
                    code="RepositoryAlreadyExistsException",
                )
            self.store.put(REPOSITORY, arn, repository.to_aws(), name=repository_name)
        return repository

    @validated(rules.DELETE_REPOSITORY)
    def delete_repository(self, repository_name: str, force: bool = False) -> m.Repository:
        """Delete a repository; with ``force`` its images too, and their names in the engine.

        The engine is asked first, so without one a repository that still has
        tagged images stays (``Unavailable``) rather than leaving names behind.
        """
        with self._lock:
            repository = self._load(repository_name)
            images = self._images(repository)
            if images and not force:
                raise Conflict(
                    f"The repository with name '{repository_name}' in registry with id "
                    f"'{self.ids.account}' cannot be deleted because it still contains images",
                    code="RepositoryNotEmptyException",
                )
            self._untag(repository, [tag for image in images for tag in image.image_tags])
            with self.store.transaction():
                now_there = self._images(repository)  # another process may have pushed meanwhile
                if now_there and not force:
                    raise Conflict(
                        f"The repository with name '{repository_name}' in registry with id "
                        f"'{self.ids.account}' cannot be deleted because it still contains images",
                        code="RepositoryNotEmptyException",
                    )
                for image in now_there:
                    self.store.delete(IMAGE, _image_key(repository.repository_arn, image.image_digest))
                self.store.delete(LIFECYCLE_POLICY, _policy_key(repository.repository_arn))
                self.store.delete(REPOSITORY, repository.repository_arn)
        return repository

    @validated(rules.DESCRIBE_REPOSITORIES)
    def describe_repositories(self, repository_names: list[str] | None = None) -> list[m.Repository]:
        if repository_names is None:
            return [m.Repository.model_validate(b) for b in self.store.list(REPOSITORY)]
        return [self._load(name) for name in repository_names]

    # -- images: records and engine names ------------------------------------
    def _images(self, repository: m.Repository) -> list[m.ImageDetail]:
        """The repository's image records, in the order they were first pushed."""
        return [m.ImageDetail.model_validate(b) for b in self.store.list(IMAGE, parent=repository.repository_arn)]

    def _save(self, repository: m.Repository, image: m.ImageDetail) -> None:
        self.store.put(
            IMAGE,
            _image_key(repository.repository_arn, image.image_digest),
            image.to_aws(),
            name=image.image_digest,
            parent=repository.repository_arn,
        )

    def _untag(self, repository: m.Repository, tags: Iterable[str]) -> None:
        """Remove ``<repositoryUri>:<tag>`` from the engine for each tag; the engine's other names stay."""
        for tag in tags:
            self.backend.engine.untag_image(f"{repository.repository_uri}:{tag}")

    def _image_not_found(self, repository: m.Repository, digest: str | None, tag: str | None) -> NotFound:
        return NotFound(
            f"The image with imageId {{imageDigest:'{digest or 'null'}', imageTag:'{tag or 'null'}'}} "
            f"does not exist within the repository with name '{repository.repository_name}' "
            f"in the registry with id '{repository.registry_id}'",
            code="ImageNotFoundException",
        )

    @staticmethod
    def _check_tag(image_tag: Any) -> None:
        def invalid(constraint: str) -> InvalidParameter:
            return InvalidParameter(
                f"Invalid parameter at 'imageTag' failed to satisfy constraint: '{constraint}'",
                code="InvalidParameterException",
                field="imageTag",
            )

        if not isinstance(image_tag, str) or not image_tag:
            raise invalid("Member must have length greater than or equal to 1")
        if len(image_tag) > IMAGE_TAG_MAX_LENGTH:
            raise invalid(f"Member must have length less than or equal to {IMAGE_TAG_MAX_LENGTH}")
        if not re.fullmatch(TAG_PATTERN, image_tag):
            # ECR's API takes up to 300 characters; the engine (and any registry
            # `docker push` talks to) names an image only by this rule.
            raise invalid(f"Member must satisfy regular expression pattern: {TAG_PATTERN}")

    # -- images: operations -------------------------------------------------
    @validated(rules.PUT_IMAGE)
    def put_image(self, repository_name: str, source_image: str, image_tag: str) -> m.ImageDetail:
        """Store the local engine image ``source_image`` (name, name:tag or id) in the repository as ``image_tag``.

        The engine gets the name ``<repositoryUri>:<image_tag>``. The digest is
        the engine's image id (see the module docstring). A tag another image of
        the repository holds moves to this one (that image stays, untagged), or
        raises ``ImageTagAlreadyExistsException`` in an ``IMMUTABLE``
        repository; the same image under the same tag raises
        ``ImageAlreadyExistsException``, as ECR does. A repository with
        ``scanOnPush`` gets no scan: scanning is not emulated.
        """
        self._check_tag(image_tag)
        with self._lock:
            repository = self._load(repository_name)
            info = self.backend.engine.image_info(source_image)
            if info is None:
                raise NotFound(
                    f"The source image '{source_image}' does not exist in the local Docker engine "
                    "(build, import or pull it there first)",
                    code="ImageNotFoundException",
                )
            self._tagged(repository, info, image_tag)  # refused before the engine is touched
            self.backend.engine.tag_image(info.id, repository.repository_uri, image_tag)
            # The records are read again and written in one transaction: a tag another process
            # pushed meanwhile stays (the image's tags are not written back from the first read).
            with self.store.transaction():
                repository = self._load(repository_name)
                winner = self._holder(repository, image_tag)
                try:
                    holder, image = self._tagged(repository, info, image_tag)
                except Conflict:  # another process pushed this tag first: the engine's name is its image's
                    if winner is not None and winner.image_digest != info.id:
                        self.backend.engine.tag_image(winner.image_digest, repository.repository_uri, image_tag)
                    raise
                if holder is not None:
                    self._save(repository, holder.updated(image_tags=[t for t in holder.image_tags if t != image_tag]))
                self._save(repository, image)
        return image

    def _holder(self, repository: m.Repository, image_tag: str) -> m.ImageDetail | None:
        return next((i for i in self._images(repository) if image_tag in i.image_tags), None)

    def _tagged(
        self, repository: m.Repository, info: ImageInfo, image_tag: str
    ) -> tuple[m.ImageDetail | None, m.ImageDetail]:
        """What pushing ``info`` as ``image_tag`` makes of the records as they are: the image that
        holds the tag now (None if none does) and the pushed image's record with it; refused
        as ECR refuses it."""
        images = {i.image_digest: i for i in self._images(repository)}
        image = images.get(info.id)
        if image is not None and image_tag in image.image_tags:
            raise Conflict(
                f"Image with digest '{info.id}' and tag '{image_tag}' already exists in the repository "
                f"with name '{repository.repository_name}' in registry with id '{repository.registry_id}'",
                code="ImageAlreadyExistsException",
            )
        holder = next((i for i in images.values() if image_tag in i.image_tags), None)
        if holder is not None and repository.image_tag_mutability == m.TagMutability.IMMUTABLE:
            raise Conflict(
                f"The image tag '{image_tag}' already exists in the '{repository.repository_name}' repository "
                "and cannot be overwritten because the repository is immutable.",
                code="ImageTagAlreadyExistsException",
            )
        if image is None:
            image = m.ImageDetail(
                registry_id=repository.registry_id,
                repository_name=repository.repository_name,
                image_digest=info.id,
                image_tags=[image_tag],
                image_size_in_bytes=info.size,
                image_pushed_at=self.now,
                image_manifest_media_type=MANIFEST_MEDIA_TYPE,
            )
        else:  # a new tag for an image already here: its push time stays
            image = image.updated(image_tags=[*image.image_tags, image_tag], image_size_in_bytes=info.size)
        return holder, image

    @validated(rules.DESCRIBE_IMAGES)
    def describe_images(
        self, repository_name: str, image_ids: list[dict[str, str]] | None = None
    ) -> list[m.ImageDetail]:
        """The repository's images, newest push first; sizes from the engine when it answers.

        With ``image_ids`` (by ``imageDigest``, ``imageTag`` or both), only those;
        one that matches nothing raises ``ImageNotFoundException``, as ECR does.
        """
        repository = self._load(repository_name)
        images = self._images(repository)
        if image_ids:
            chosen: dict[str, m.ImageDetail] = {}
            for raw in image_ids:
                digest, tag = _identifier(raw)
                if digest is None and tag is None:
                    raise InvalidParameter(
                        "Invalid request parameters: both tag and digest cannot be null",
                        code="InvalidParameterException",
                        field="imageIds",
                    )
                found = next(
                    (
                        i
                        for i in images
                        if (digest is None or i.image_digest == digest) and (tag is None or tag in i.image_tags)
                    ),
                    None,
                )
                if found is None:
                    raise self._image_not_found(repository, digest, tag)
                chosen[found.image_digest] = found
            images = list(chosen.values())
        sizes = self._engine_sizes([i.image_digest for i in images])
        images = [
            i.updated(image_size_in_bytes=sizes[i.image_digest]) if i.image_digest in sizes else i for i in images
        ]
        return _newest_first(images)

    def _engine_sizes(self, digests: list[str]) -> dict[str, int]:
        """The engine's size of each image it still has; nothing when it cannot be asked."""
        sizes: dict[str, int] = {}
        for digest in digests:
            try:
                info = self.backend.engine.image_info(digest)
            except ComputeError as exc:  # no engine: the recorded sizes stand
                log.debug("image sizes from the records: %s", exc)
                break
            if info is not None:
                sizes[digest] = info.size
        return sizes

    @validated(rules.BATCH_DELETE_IMAGE)
    def batch_delete_image(
        self, repository_name: str, image_ids: list[dict[str, str]]
    ) -> dict[str, list[dict[str, Any]]]:
        """Delete images by digest (the image and all its tags) or by tag (that tag only).

        An image whose last tag goes is deleted. With both digest and tag, the tag
        must be on that image, and only the tag goes. Returns AWS's shape:
        ``{"imageIds": [{"imageDigest", "imageTag"}...], "failures": [{"imageId",
        "failureCode", "failureReason"}...]}``. Only the names under the
        repository's URI leave the engine.
        """
        with self._lock:
            repository = self._load(repository_name)
            images = {i.image_digest: i for i in self._images(repository)}
            deleted: list[dict[str, Any]] = []
            failures: list[dict[str, Any]] = []
            removed_tags: list[str] = []
            dropped: dict[str, set[str] | None] = {}
            """Per digest, the tags this call removes, or None when the whole image goes."""
            for raw in image_ids:
                digest, tag = _identifier(raw)
                given = {k: v for k, v in (("imageDigest", digest), ("imageTag", tag)) if v is not None}
                if not given:
                    failures.append(
                        {
                            "imageId": {},
                            "failureCode": "MissingDigestAndTag",
                            "failureReason": "Invalid request parameters: both tag and digest cannot be null",
                        }
                    )
                    continue
                if digest is not None and not re.fullmatch(DIGEST_PATTERN, digest):
                    failures.append(
                        {
                            "imageId": given,
                            "failureCode": "InvalidImageDigest",
                            "failureReason": "Invalid request parameters: image digest should satisfy "
                            f"the regex '{DIGEST_PATTERN}'",
                        }
                    )
                    continue
                if tag is None:  # by digest: the image and every tag
                    image = images.pop(digest, None)  # type: ignore[arg-type]
                    if image is None:
                        failures.append({"imageId": given, **NOT_FOUND_FAILURE})
                        continue
                    dropped[image.image_digest] = None
                    removed_tags += image.image_tags
                    deleted += [{"imageDigest": image.image_digest, "imageTag": t} for t in image.image_tags] or [
                        {"imageDigest": image.image_digest}
                    ]
                    continue
                if digest is None:  # by tag: that tag only
                    image = next((i for i in images.values() if tag in i.image_tags), None)
                else:  # by both: the tag, if it is on that image
                    image = images.get(digest)
                    if image is not None and tag not in image.image_tags:
                        failures.append(
                            {
                                "imageId": given,
                                "failureCode": "ImageTagDoesNotMatchDigest",
                                "failureReason": "Invalid request parameters: given tag does not match the digest",
                            }
                        )
                        continue
                if image is None:
                    failures.append({"imageId": given, **NOT_FOUND_FAILURE})
                    continue
                dropped.setdefault(image.image_digest, set()).add(tag)  # type: ignore[union-attr]
                removed_tags.append(tag)
                deleted.append({"imageDigest": image.image_digest, "imageTag": tag})
                remaining = [t for t in image.image_tags if t != tag]
                if remaining:
                    images[image.image_digest] = image.updated(image_tags=remaining)
                else:  # its last tag: the image goes
                    del images[image.image_digest]
            self._untag(repository, removed_tags)
            # What goes is taken from the records as they are now, in one transaction: a tag
            # another process added meanwhile stays, and an image left with no tag goes.
            with self.store.transaction():
                for digest, tags in dropped.items():
                    key = _image_key(repository.repository_arn, digest)
                    body = self.store.get(IMAGE, key)
                    remaining = [] if body is None or tags is None else \
                        [t for t in body.get("imageTags", []) if t not in tags]
                    if remaining:
                        self._save(repository, m.ImageDetail.model_validate(body).updated(image_tags=remaining))
                    else:
                        self.store.delete(IMAGE, key)
        return {"imageIds": deleted, "failures": failures}

    def list_local_images(self) -> list[m.LocalImage]:
        """The engine's named images, newest first: what ``put_image`` can take as ``source_image``.

        Images already named under a repository's URI are listed too: they are
        local images like any other, and can be pushed to another repository.
        """
        return [
            m.LocalImage(
                id=image.id,
                tags=list(image.tags),
                size=image.size,
                created=datetime.fromtimestamp(image.created, tz=UTC) if image.created else None,
            )
            for image in self.backend.engine.list_images()
        ]

    # -- lifecycle policies ---------------------------------------------------
    def _policy(self, repository: m.Repository) -> m.LifecyclePolicy:
        body = self.store.get(LIFECYCLE_POLICY, _policy_key(repository.repository_arn))
        if body is None:
            raise NotFound(
                f"Lifecycle policy does not exist for the repository with name '{repository.repository_name}' "
                f"in the registry with id '{repository.registry_id}'",
                code="LifecyclePolicyNotFoundException",
            )
        return m.LifecyclePolicy.model_validate(body)

    def _save_policy(self, repository: m.Repository, policy: m.LifecyclePolicy) -> None:
        self.store.put(
            LIFECYCLE_POLICY,
            _policy_key(repository.repository_arn),
            policy.to_aws(),
            name=repository.repository_name,
            parent=repository.repository_arn,
        )

    @validated(rules.PUT_LIFECYCLE_POLICY)
    def put_lifecycle_policy(self, repository_name: str, lifecycle_policy_text: str) -> m.LifecyclePolicy:
        """Validate the policy as ECR does and set it (replacing any); it acts on the next sweep."""
        repository = self._load(repository_name)
        parse_lifecycle_policy(lifecycle_policy_text)
        policy = m.LifecyclePolicy(
            registry_id=repository.registry_id,
            repository_name=repository.repository_name,
            lifecycle_policy_text=lifecycle_policy_text,
        )
        with self._lock, self.store.transaction():
            self._load(repository_name)  # still there
            self._save_policy(repository, policy)
        return policy

    @validated(rules.REPOSITORY)
    def get_lifecycle_policy(self, repository_name: str) -> m.LifecyclePolicy:
        return self._policy(self._load(repository_name))

    @validated(rules.REPOSITORY)
    def delete_lifecycle_policy(self, repository_name: str) -> m.LifecyclePolicy:
        with self._lock, self.store.transaction():
            repository = self._load(repository_name)
            policy = self._policy(repository)
            self.store.delete(LIFECYCLE_POLICY, _policy_key(repository.repository_arn))
        return policy

    def apply_lifecycle_policies(self) -> list[str]:
        """Expire what each repository's lifecycle policy selects, now (``<repo>@<digest>`` per image).

        Not part of the contract: the controller calls it periodically, as ECR
        runs its own sweep. Expiring deletes the image record and its names in
        the engine. Without an engine, images with tags wait for the next sweep
        (untagged ones have no engine names and go anyway).
        """
        expired: list[str] = []
        for body in self.store.list(LIFECYCLE_POLICY):
            stored = m.LifecyclePolicy.model_validate(body)
            with self._lock:
                try:
                    repository = self._load(stored.repository_name)
                    policy = self._policy(repository)
                except NotFound:  # deleted meanwhile
                    continue
                try:
                    rules = parse_lifecycle_policy(policy.lifecycle_policy_text)
                except InvalidParameter as exc:  # validated when put; never expected
                    log.warning("lifecycle policy of %s skipped: %s", repository.repository_name, exc.message)
                    continue
                now = self.now
                images = {i.image_digest: i for i in self._images(repository)}
                for digest in evaluate_lifecycle_policy(rules, images.values(), now):
                    image = images[digest]
                    try:
                        self._untag(repository, image.image_tags)
                    except Unavailable as exc:
                        log.info("lifecycle expiry in %s deferred: %s", repository.repository_name, exc.reason)
                        continue
                    self.store.delete(IMAGE, _image_key(repository.repository_arn, digest))
                    expired.append(f"{repository.repository_name}@{digest}")
                # Only the sweep's time is written, onto the policy as stored now: a policy put
                # or deleted meanwhile (by another process) is not overwritten with the one read.
                self.store.update(LIFECYCLE_POLICY, _policy_key(repository.repository_arn), lambda body, now=now: (
                    m.LifecyclePolicy.model_validate(body).updated(last_evaluated_at=now).to_aws()))
        return expired


def _newest_first(images: Iterable[m.ImageDetail]) -> list[m.ImageDetail]:
    ordered = list(images)
    ordered.reverse()  # records come oldest first; equal push times keep that order, reversed
    return sorted(ordered, key=pushed_at, reverse=True)


