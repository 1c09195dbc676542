"""Amazon ECR through boto3: repositories, images, lifecycle policies, and pushing local images.

``put_image`` stores an image under a tag two ways:

* ``source_image`` is an image manifest (JSON): ECR's PutImage, which tags an
  image whose layers the registry already holds (what ``docker push`` finishes
  with).
* ``source_image`` names an image in the local Docker engine: a push, as
  ``docker push`` does it. GetAuthorizationToken gives the registry's
  credentials, the engine names the image ``<repositoryUri>:<tag>`` and pushes
  it with them (the docker SDK's push, with the credentials given to that push
  only: nothing is written to ~/.docker/config.json), then DescribeImages reads
  back what the registry stored.

``list_local_images`` reads the pusher's side, the local engine's images,
through the same engine code the local emulator uses. Without an engine both
raise ``Unavailable`` with the reason.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from computetui.backends.aws.kit import Caller, batches, parse, refuse_beyond_endpoint
from computetui.backends.base import EcrFacet
from computetui.backends.errors import ComputeError, NotFound, Unavailable
from computetui.models import ecr as m

if TYPE_CHECKING:
    from computetui.backends.aws import AwsBackend

REPOSITORY_NAMES_MAX = 100
"""DescribeRepositories: names a call takes."""
IMAGE_IDS_MAX = 100
"""DescribeImages and BatchDeleteImage: image ids a call takes."""
PAGE = 1000
"""DescribeRepositories and DescribeImages: most a page holds."""

_KINDS = {
    "RepositoryNotEmptyException": "conflict",
    "ImageAlreadyExistsException": "conflict",
    "ReferencedImagesNotFoundException": "not_found",
    "ImageDigestDoesNotMatchException": "invalid",
    "InvalidTagParameterException": "invalid",
    "InvalidLayerException": "invalid",
    "UnsupportedImageTypeException": "invalid",
}


class AwsEcr(EcrFacet):
    def __init__(self, backend: AwsBackend) -> None:
        super().__init__(backend)
        self.ecr = Caller(backend, "ecr", kinds=_KINDS)
        self._engine: Any = None
        """The local Docker engine (the pusher's side), opened on first use."""

    # -- repositories ------------------------------------------------------------
    def create_repository(self, repository_name: str, **kwargs: Any) -> m.Repository:
        params = self.ecr.params("create_repository", {"repository_name": repository_name, **kwargs})
        return parse(m.Repository, self.ecr.call("create_repository", **params)["repository"])

    def delete_repository(self, repository_name: str, force: bool = False) -> m.Repository:
        answer = self.ecr.call("delete_repository", repositoryName=repository_name, force=force)
        return parse(m.Repository, answer["repository"])

    def describe_repositories(self, repository_names: list[str] | None = None) -> list[m.Repository]:
        """Every repository (all pages) when None; else those named, 100 names a call. A name
        that does not exist raises ``RepositoryNotFoundException``, as ECR does."""
        if repository_names is None:
            found = self.ecr.pages("describe_repositories", "repositories", page_size=PAGE)
        else:
            found = self.ecr.batched_pages("describe_repositories", "repositories", "repositoryNames",
                                           repository_names, REPOSITORY_NAMES_MAX)
        return [parse(m.Repository, r) for r in found]

    def _repository(self, repository_name: str) -> m.Repository:
        [found] = self.describe_repositories([repository_name])
        return found

    # -- images ---------------------------------------------------------------------
    def describe_images(
        self, repository_name: str, image_ids: list[dict[str, str]] | None = None
    ) -> list[m.ImageDetail]:
        """Newest push first. Every page; with ``image_ids``, 100 ids a call (an id that matches
        nothing raises ``ImageNotFoundException``, as ECR does)."""
        if image_ids:
            ids = [i.to_aws() if isinstance(i, m.ImageIdentifier) else i for i in image_ids]
            found = self.ecr.batched_pages("describe_images", "imageDetails", "imageIds", ids, IMAGE_IDS_MAX,
                                           repositoryName=repository_name)
        else:
            found = self.ecr.pages("describe_images", "imageDetails", page_size=PAGE, repositoryName=repository_name)
        unique = {d["imageDigest"]: d for d in found if d.get("imageDigest")}  # an image named twice, once
        images = [parse(m.ImageDetail, d) for d in unique.values()]
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(images, key=lambda i: i.image_pushed_at or epoch, reverse=True)

    def put_image(self, repository_name: str, source_image: str, image_tag: str) -> m.ImageDetail:
        """Tag a manifest the registry has (PutImage), or push a local engine image (see the module)."""
        if source_image.lstrip().startswith("{"):
            answer = self.ecr.call("put_image", repositoryName=repository_name, imageManifest=source_image,
                                   imageTag=image_tag)
            digest = answer["image"]["imageId"]["imageDigest"]
            return self.describe_images(repository_name, [{"imageDigest": digest}])[0]
        return self._push(repository_name, source_image, image_tag)

    def _push(self, repository_name: str, source_image: str, image_tag: str) -> m.ImageDetail:
        repository = self._repository(repository_name)
        engine = self.engine()
        info = engine.image_info(source_image)
        if info is None:
            raise NotFound(
                f"The source image '{source_image}' does not exist in the local Docker engine "
                "(build, import or pull it there first)",
                code="ImageNotFoundException",
            )
        refuse_beyond_endpoint(self.backend, repository.repository_uri, "the registry", "ImagePushUnsupported")
        auth = self.authorization()
        engine.tag_image(info.id, repository.repository_uri, image_tag)
        digest = push(engine, repository.repository_uri, image_tag, auth)
        wanted = {"imageTag": image_tag, **({"imageDigest": digest} if digest else {})}
        return self.describe_images(repository_name, [wanted])[0]

    def authorization(self) -> dict[str, str]:
        """The registry's credentials from GetAuthorizationToken: ``username``, ``password``,
        ``serveraddress`` (what ``docker login`` would be given)."""
        data = self.ecr.call("get_authorization_token").get("authorizationData") or []
        if not data:
            raise ComputeError("ECR gave no authorization token", code="AuthorizationTokenMissing")
        user, _, password = base64.b64decode(data[0]["authorizationToken"]).decode().partition(":")
        return {"username": user, "password": password, "serveraddress": data[0].get("proxyEndpoint", "")}

    def batch_delete_image(
        self, repository_name: str, image_ids: list[dict[str, str]]
    ) -> dict[str, list[dict[str, Any]]]:
        """100 ids a call; the answers are merged into one, AWS's shape."""
        result: dict[str, list[dict[str, Any]]] = {"imageIds": [], "failures": []}
        ids = [i.to_aws() if isinstance(i, m.ImageIdentifier) else i for i in image_ids]
        for chunk in batches(ids, IMAGE_IDS_MAX):
            answer = self.ecr.call("batch_delete_image", repositoryName=repository_name, imageIds=chunk)
            result["imageIds"] += answer.get("imageIds", [])
            result["failures"] += answer.get("failures", [])
        return result

    def list_local_images(self) -> list[m.LocalImage]:
        """The local engine's named images, newest first: what a push can send."""
        return [
            m.LocalImage(
                id=image.id,
                tags=list(image.tags),
                size=image.size,
                created=datetime.fromtimestamp(image.created, tz=UTC) if image.created else None,
            )
            for image in self.engine().list_images()
        ]

    def engine(self) -> Any:
        """The local Docker engine, through the emulator's engine code (``DOCKER_HOST`` honoured)."""
        if self._engine is None:
            from computetui.backends.docker.engine import Engine  # the docker SDK only when pushing

            self._engine = Engine()
        return self._engine

    def close(self) -> None:
        """Let go of the Docker engine a push opened."""
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.close()

    # -- lifecycle policies ----------------------------------------------------------
    def put_lifecycle_policy(self, repository_name: str, lifecycle_policy_text: str) -> m.LifecyclePolicy:
        answer = self.ecr.call("put_lifecycle_policy", repositoryName=repository_name,
                               lifecyclePolicyText=lifecycle_policy_text)
        return parse(m.LifecyclePolicy, answer)

    def get_lifecycle_policy(self, repository_name: str) -> m.LifecyclePolicy:
        return parse(m.LifecyclePolicy, self.ecr.call("get_lifecycle_policy", repositoryName=repository_name))

    def delete_lifecycle_policy(self, repository_name: str) -> m.LifecyclePolicy:
        return parse(m.LifecyclePolicy, self.ecr.call("delete_lifecycle_policy", repositoryName=repository_name))


def push(engine: Any, repository_uri: str, tag: str, auth: dict[str, str]) -> str | None:
    """``docker push <repository_uri>:<tag>`` through the engine, with these credentials for this
    push only. The manifest digest the registry answered, when it said."""
    client = engine.client  # Unavailable, with the reason, when there is no engine
    digest = None
    try:
        for event in client.api.push(repository_uri, tag=tag, auth_config=auth, stream=True, decode=True):
            problem = event.get("error") or (event.get("errorDetail") or {}).get("message")
            if problem:
                raise ComputeError(f"push of {repository_uri}:{tag} failed: {problem}", code="ImagePushFailed")
            digest = (event.get("aux") or {}).get("Digest") or digest
    except ComputeError:
        raise
    except Exception as exc:  # the SDK's and requests' errors: the engine or the registry went away
        if type(exc).__name__ in ("ConnectionError", "ReadTimeout", "ConnectTimeout"):
            raise Unavailable(f"push of {repository_uri}:{tag}: the Docker engine did not answer: {exc}",
                              reason=str(exc)) from None
        raise ComputeError(f"push of {repository_uri}:{tag} failed: {exc}", code="ImagePushFailed") from None
    return digest

