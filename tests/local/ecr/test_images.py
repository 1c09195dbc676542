"""ECR images on the local emulator against a real Docker engine.

An ECR image is an engine image named ``<repositoryUri>:<tag>``. Each test
works in a repository of its own (a random name), and a finalizer removes
every engine name under that repository's URI, the second image a test made,
and the backend's containers, even when the test fails. Nothing is pulled.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from computetui.backends.docker.engine import LABEL_OWNER
from computetui.backends.errors import ComputeError, InvalidParameter, NotFound
from computetui.backends.local import LocalBackend
from computetui.clock import FixedClock
from tests.support.images import BUSYBOX_IMAGE

pytestmark = pytest.mark.docker

NOT_FOUND = {"failureCode": "ImageNotFound", "failureReason": "Requested image not found"}

KEEP_LAST_ONE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Keep only the last image",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                "action": {"type": "expire"},
            }
        ]
    }
)


@dataclass
class Registry:
    """A backend on the real engine, a clock, and the per-test repository name."""

    backend: LocalBackend
    clock: FixedClock
    name: str
    docker: object  # docker.DockerClient
    make_image: Callable[[], str]

    @property
    def ecr(self):  # noqa: ANN201
        return self.backend.ecr

    @property
    def uri(self) -> str:
        return f"000000000000.dkr.ecr.us-east-1.amazonaws.com/{self.name}"

    def engine_id(self, reference: str) -> str | None:
        """The image id the engine has under ``reference``, or None."""
        import docker.errors

        try:
            return self.docker.images.get(reference).id  # type: ignore[attr-defined]
        except docker.errors.ImageNotFound:
            return None


def _remove_names_under(docker_client, uri: str) -> None:  # noqa: ANN001
    import docker.errors

    for image in docker_client.images.list(name=uri):
        for tag in image.tags:
            if tag.startswith(f"{uri}:"):
                try:
                    docker_client.api.remove_image(tag, force=True)
                except docker.errors.NotFound:
                    pass


@pytest.fixture
def registry(docker_client, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Registry]:  # noqa: ANN001
    import docker.errors

    clock = FixedClock()
    backend = LocalBackend(tmp_path / "state", clock=clock, controller=False)
    name = f"computetui-test/ecr-{uuid.uuid4().hex[:10]}"
    made: list[str] = []

    def make_image() -> str:
        """A second local image, distinct from busybox: a container of it, committed."""
        container = docker_client.containers.create(BUSYBOX_IMAGE, command=["true"])
        try:
            reference = f"computetui-test/ecr-second:{uuid.uuid4().hex[:10]}"
            repository, _, tag = reference.partition(":")
            image = container.commit(repository=repository, tag=tag, conf={"Labels": {"computetui.test": name}})
        finally:
            container.remove(force=True)
        made.append(image.id)
        assert image.id != docker_client.images.get(BUSYBOX_IMAGE).id
        return reference

    registry = Registry(backend=backend, clock=clock, name=name, docker=docker_client, make_image=make_image)

    def cleanup() -> None:
        try:
            for container in docker_client.containers.list(
                all=True, filters={"label": f"{LABEL_OWNER}={backend.store.state_id}"}
            ):
                container.remove(force=True)
            _remove_names_under(docker_client, registry.uri)
            for image_id in made:  # by id: an image left nameless goes too
                try:
                    docker_client.api.remove_image(image_id, force=True)
                except docker.errors.NotFound:
                    pass
        finally:
            backend.close()

    request.addfinalizer(cleanup)
    yield registry


def busybox_id(registry: Registry) -> str:
    found = registry.engine_id(BUSYBOX_IMAGE)
    assert found is not None
    return found


# -- put_image and describe_images --------------------------------------------------


def test_put_image_then_describe_images(registry: Registry) -> None:
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name)
    pushed = ecr.put_image(registry.name, BUSYBOX_IMAGE, "v1")
    digest = busybox_id(registry)
    assert pushed.image_digest == digest
    assert digest.startswith("sha256:") and len(digest) == 71

    [image] = ecr.describe_images(registry.name)
    assert image.image_digest == digest
    assert image.image_tags == ["v1"]
    assert image.image_size_in_bytes and image.image_size_in_bytes > 0
    assert image.image_pushed_at == registry.clock.now()
    assert image.registry_id == "000000000000"
    assert image.repository_name == registry.name
    assert ecr.describe_images(registry.name, [{"imageTag": "v1"}]) == [image]
    assert ecr.describe_images(registry.name, [{"imageDigest": digest}]) == [image]
    assert registry.engine_id(f"{registry.uri}:v1") == digest  # the engine has the URI name


def test_a_container_runs_from_the_repository_uri_without_pulling(registry: Registry) -> None:
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name)
    ecr.put_image(registry.name, BUSYBOX_IMAGE, "run")
    engine = registry.backend.engine
    reference = f"{registry.uri}:run"
    assert engine.image_exists(reference)  # so run() has nothing to pull (and no registry is reachable)
    arn = f"arn:aws:ecs:us-east-1:000000000000:task/test/{uuid.uuid4().hex}"
    container = engine.run(reference, kind="task", arn=arn, command=["echo", "hello from ecr"])
    assert engine.wait(container.id, timeout=30) == 0
    assert engine.logs(container.id).strip() == b"hello from ecr"
    assert container.image == reference
    engine.remove(container.id)


def test_a_tag_moves_between_digests_in_a_mutable_repository(registry: Registry) -> None:
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name)
    first = ecr.put_image(registry.name, BUSYBOX_IMAGE, "latest").image_digest
    ecr.put_image(registry.name, BUSYBOX_IMAGE, "stable")
    registry.clock.advance(60)
    second_ref = registry.make_image()
    second = ecr.put_image(registry.name, second_ref, "latest").image_digest
    assert second != first

    newest, oldest = ecr.describe_images(registry.name)  # newest push first
    assert (newest.image_digest, newest.image_tags) == (second, ["latest"])
    assert (oldest.image_digest, oldest.image_tags) == (first, ["stable"])
    assert registry.engine_id(f"{registry.uri}:latest") == second
    assert registry.engine_id(f"{registry.uri}:stable") == first

    # Moving its last tag away leaves the first image in the repository, untagged, as ECR does.
    ecr.put_image(registry.name, second_ref, "stable")
    images = {i.image_digest: i.image_tags for i in ecr.describe_images(registry.name)}
    assert images == {second: ["latest", "stable"], first: []}
    assert registry.engine_id(BUSYBOX_IMAGE) == first  # the user's own name is untouched

    with pytest.raises(ComputeError) as again:
        ecr.put_image(registry.name, second_ref, "latest")
    assert again.value.code == "ImageAlreadyExistsException"
    assert f"Image with digest '{second}' and tag 'latest' already exists" in again.value.message


def test_an_immutable_repository_refuses_to_move_a_tag(registry: Registry) -> None:
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name, image_tag_mutability="IMMUTABLE")
    first = ecr.put_image(registry.name, BUSYBOX_IMAGE, "v1").image_digest
    second_ref = registry.make_image()
    with pytest.raises(ComputeError) as caught:
        ecr.put_image(registry.name, second_ref, "v1")
    assert caught.value.code == "ImageTagAlreadyExistsException"
    assert caught.value.message == (
        f"The image tag 'v1' already exists in the '{registry.name}' repository and cannot be overwritten "
        "because the repository is immutable."
    )
    assert registry.engine_id(f"{registry.uri}:v1") == first  # the engine name did not move
    second = ecr.put_image(registry.name, second_ref, "v2").image_digest  # a new tag is fine
    assert {i.image_digest: i.image_tags for i in ecr.describe_images(registry.name)} == {
        first: ["v1"],
        second: ["v2"],
    }


def test_put_image_errors(registry: Registry) -> None:
    ecr = registry.ecr
    with pytest.raises(ComputeError) as no_repo:
        ecr.put_image(registry.name, BUSYBOX_IMAGE, "v1")
    assert no_repo.value.code == "RepositoryNotFoundException"
    ecr.create_repository(repository_name=registry.name)
    with pytest.raises(NotFound) as no_image:
        ecr.put_image(registry.name, "computetui-test/never-built:nope", "v1")
    assert no_image.value.code == "ImageNotFoundException"
    assert "computetui-test/never-built:nope" in no_image.value.message
    for bad in ("", "has space", "-leading-dash", "x" * 129, "x" * 301, "a:b"):
        with pytest.raises(InvalidParameter) as invalid:
            ecr.put_image(registry.name, BUSYBOX_IMAGE, bad)
        assert invalid.value.code == "InvalidParameterException", bad
        assert invalid.value.field == "imageTag"
    assert ecr.describe_images(registry.name) == []
    assert registry.docker.images.list(name=registry.uri) == []  # type: ignore[attr-defined]


def test_describe_images_with_an_id_that_matches_nothing(registry: Registry) -> None:
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name)
    ecr.put_image(registry.name, BUSYBOX_IMAGE, "v1")
    with pytest.raises(NotFound) as caught:
        ecr.describe_images(registry.name, [{"imageTag": "v1"}, {"imageTag": "nope"}])
    assert caught.value.code == "ImageNotFoundException"
    assert caught.value.message == (
        "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository "
        f"with name '{registry.name}' in the registry with id '000000000000'"
    )


# -- batch_delete_image, delete_repository ------------------------------------------


def test_batch_delete_image_by_tag_and_by_digest(registry: Registry) -> None:
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name)
    busybox = ecr.put_image(registry.name, BUSYBOX_IMAGE, "v1").image_digest
    ecr.put_image(registry.name, BUSYBOX_IMAGE, "v2")
    second = ecr.put_image(registry.name, registry.make_image(), "v3").image_digest

    by_tag = ecr.batch_delete_image(registry.name, [{"imageTag": "v1"}, {"imageTag": "nope"}])
    assert by_tag == {
        "imageIds": [{"imageDigest": busybox, "imageTag": "v1"}],
        "failures": [
            {"imageId": {"imageTag": "nope"}, **NOT_FOUND}
        ],
    }
    assert registry.engine_id(f"{registry.uri}:v1") is None
    assert registry.engine_id(f"{registry.uri}:v2") == busybox
    assert {i.image_digest: i.image_tags for i in ecr.describe_images(registry.name)} == {
        busybox: ["v2"],
        second: ["v3"],
    }

    by_digest = ecr.batch_delete_image(registry.name, [{"imageDigest": busybox}])
    assert by_digest == {"imageIds": [{"imageDigest": busybox, "imageTag": "v2"}], "failures": []}
    assert registry.engine_id(f"{registry.uri}:v2") is None
    assert registry.engine_id(BUSYBOX_IMAGE) == busybox  # only the repository's names went

    # Removing an image's last tag deletes the image.
    last = ecr.batch_delete_image(registry.name, [{"imageTag": "v3"}, {"imageDigest": busybox}, {}])
    assert last["imageIds"] == [{"imageDigest": second, "imageTag": "v3"}]
    assert last["failures"] == [
        {"imageId": {"imageDigest": busybox}, **NOT_FOUND},
        {
            "imageId": {},
            "failureCode": "MissingDigestAndTag",
            "failureReason": "Invalid request parameters: both tag and digest cannot be null",
        },
    ]
    assert ecr.describe_images(registry.name) == []
    assert registry.docker.images.list(name=registry.uri) == []  # type: ignore[attr-defined]


def test_batch_delete_image_with_digest_and_tag(registry: Registry) -> None:
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name)
    busybox = ecr.put_image(registry.name, BUSYBOX_IMAGE, "a").image_digest
    ecr.put_image(registry.name, BUSYBOX_IMAGE, "b")
    second = ecr.put_image(registry.name, registry.make_image(), "c").image_digest
    result = ecr.batch_delete_image(
        registry.name, [{"imageDigest": second, "imageTag": "a"}, {"imageDigest": busybox, "imageTag": "a"}]
    )
    assert result["imageIds"] == [{"imageDigest": busybox, "imageTag": "a"}]
    assert [f["failureCode"] for f in result["failures"]] == ["ImageTagDoesNotMatchDigest"]
    assert {i.image_digest: i.image_tags for i in ecr.describe_images(registry.name)} == {
        busybox: ["b"],
        second: ["c"],
    }


def test_deleting_a_repository_with_force_removes_its_engine_names(registry: Registry) -> None:
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name)
    ecr.put_image(registry.name, BUSYBOX_IMAGE, "v1")
    ecr.put_image(registry.name, registry.make_image(), "v2")
    with pytest.raises(ComputeError) as not_empty:
        ecr.delete_repository(registry.name)
    assert not_empty.value.code == "RepositoryNotEmptyException"
    assert registry.engine_id(f"{registry.uri}:v1") is not None

    ecr.delete_repository(registry.name, force=True)
    assert registry.docker.images.list(name=registry.uri) == []  # type: ignore[attr-defined]
    assert registry.engine_id(BUSYBOX_IMAGE) is not None
    with pytest.raises(ComputeError) as gone:
        ecr.describe_images(registry.name)
    assert gone.value.code == "RepositoryNotFoundException"
    ecr.create_repository(repository_name=registry.name)  # a new repository of that name starts empty
    assert ecr.describe_images(registry.name) == []


@pytest.mark.parametrize("running", [False, True], ids=["stopped-container", "running-container"])
def test_an_image_a_container_uses_still_loses_its_repository_name(registry: Registry, running: bool) -> None:
    # The repository's name is the image's only one, and a task's container uses
    # it: the engine wants force to leave the image nameless. The name must go.
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name)
    own_name = registry.make_image()
    digest = ecr.put_image(registry.name, own_name, "v1").image_digest
    registry.docker.api.remove_image(own_name)  # type: ignore[attr-defined]
    engine = registry.backend.engine
    arn = f"arn:aws:ecs:us-east-1:000000000000:task/test/{uuid.uuid4().hex}"
    command = ["/bin/sleep", "60"] if running else ["/bin/echo", "done"]
    container = engine.run(f"{registry.uri}:v1", kind="task", arn=arn, command=command)
    if not running:
        assert engine.wait(container.id, timeout=30) == 0

    result = ecr.batch_delete_image(registry.name, [{"imageTag": "v1"}])
    assert result == {"imageIds": [{"imageDigest": digest, "imageTag": "v1"}], "failures": []}
    assert registry.engine_id(f"{registry.uri}:v1") is None
    assert ecr.describe_images(registry.name) == []
    if running:  # the engine keeps the image a running container uses, nameless
        assert registry.engine_id(digest) == digest
        assert engine.container(container.id).running
    engine.remove(container.id)


# -- lifecycle policies ------------------------------------------------------------


def test_a_keep_the_last_image_policy_expires_the_older_one(registry: Registry) -> None:
    ecr = registry.ecr
    ecr.create_repository(repository_name=registry.name)
    older = ecr.put_image(registry.name, BUSYBOX_IMAGE, "v1").image_digest
    registry.clock.advance(3600)
    newer = ecr.put_image(registry.name, registry.make_image(), "v2").image_digest
    ecr.put_lifecycle_policy(registry.name, KEEP_LAST_ONE)

    assert ecr.apply_lifecycle_policies() == [f"{registry.name}@{older}"]
    assert registry.engine_id(f"{registry.uri}:v1") is None
    assert registry.engine_id(f"{registry.uri}:v2") == newer
    assert registry.engine_id(BUSYBOX_IMAGE) == older
    assert [i.image_digest for i in ecr.describe_images(registry.name)] == [newer]
    assert ecr.get_lifecycle_policy(registry.name).last_evaluated_at == registry.clock.now()
    assert ecr.apply_lifecycle_policies() == []  # nothing more to do
