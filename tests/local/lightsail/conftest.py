"""Lightsail on the real engine: a backend on a temporary state dir whose blueprints run the busybox test image."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from computetui.backends.local import LocalBackend
from tests.support.images import BUSYBOX_IMAGE
from tests.support.waits import remove_owned, until

TICK = 0.2
IMAGES = {"nginx": BUSYBOX_IMAGE, "debian_12": BUSYBOX_IMAGE}


def make_backend(state: Path, **options: Any) -> LocalBackend:
    options.setdefault("lightsail_images", IMAGES)
    options.setdefault("lightsail_health_check_interval", 0.2)
    return LocalBackend(state, lambda_sandbox="process", tick_seconds=TICK, **options)


@pytest.fixture
def lightsail_backend(docker_client, tmp_path: Path) -> Iterator[LocalBackend]:  # noqa: ANN001
    backend = make_backend(tmp_path / "state")
    owner = backend.store.state_id
    yield backend
    backend.close()
    remove_owned(docker_client, owner)
    remove_owned_images(docker_client, owner)


def remove_owned_images(docker_client: Any, owner: str) -> None:
    """The images the backend committed (snapshots, disks carried to a new container)."""
    import docker.errors

    for image in docker_client.images.list(filters={"label": f"computetui.owner={owner}"}):
        try:
            docker_client.images.remove(image.id, force=True)
        except docker.errors.APIError:  # gone already, or a child image holds it: the next one removes it
            pass


def create(backend: LocalBackend, name: str = "web", user_data: str | None = None, **kwargs: Any) -> Any:
    kwargs.setdefault("blueprint_id", "nginx")
    [operation] = backend.lightsail.create_instances([name], "us-east-1a", bundle_id="nano_3_0",
                                                     user_data=user_data, **kwargs)
    assert (operation.operation_type, operation.resource_name) == ("CreateInstance", name)
    return backend.lightsail.get_instance(name)


def reaches(backend: LocalBackend, name: str, state: str, timeout: float = 30) -> Any:
    """The instance once it is in ``state``."""
    return until(lambda: (i := backend.lightsail.get_instance(name)).state.name.value == state and i, timeout)


def containers(docker_client: Any, owner: str) -> list[Any]:
    """The instance containers of the backend whose state id is ``owner``."""
    return docker_client.containers.list(all=True, filters={"label": [
        f"computetui.owner={owner}", "computetui.kind=instance"]})
