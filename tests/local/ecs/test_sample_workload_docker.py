"""The sample workload runs on an engine that can pull nothing: its tasks reach RUNNING."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from computetui.backends.docker.engine import Engine
from computetui.backends.errors import NotFound
from computetui.backends.local import LocalBackend
from computetui.backends.local.sample_image import LOCAL_IMAGE, PUBLIC_IMAGE
from tests.local.ecs.conftest import TICK, until
from tests.support.waits import remove_owned

pytestmark = pytest.mark.docker


class NoRegistryEngine(Engine):
    """The real engine, with every pull refused as an offline machine's engine refuses it."""

    def ensure_image(self, reference: str) -> None:
        if not self.image_exists(reference):
            raise NotFound(f"image {reference} is not on the engine and cannot be pulled: no registry (test)",
                           code="ImageNotFound")


@pytest.fixture
def offline_backend(docker_client, tmp_path: Path) -> Iterator[LocalBackend]:  # noqa: ANN001
    import docker.errors

    if not any(t.startswith("busybox:") for i in docker_client.images.list() for t in i.tags):
        try:  # have it made: not left from an earlier run
            docker_client.images.remove(LOCAL_IMAGE, force=True)
        except docker.errors.ImageNotFound:
            pass
    owner = f"test-{uuid.uuid4().hex[:12]}"
    backend = LocalBackend(tmp_path / "state", engine=NoRegistryEngine(owner=owner), lambda_sandbox="process",
                           tick_seconds=TICK)
    yield backend
    backend.close()
    remove_owned(docker_client, owner)


def running(backend: LocalBackend, arn: str):  # noqa: ANN201
    def state():  # noqa: ANN202
        [task] = backend.ecs.describe_tasks("demo", [arn])  # type: ignore[union-attr]
        assert task.last_status.value != "STOPPED", task.stopped_reason
        return task if task.last_status.value == "RUNNING" else None

    return until(state, timeout=60)


def test_the_sample_workloads_tasks_run_with_no_registry_to_pull_from(offline_backend: LocalBackend) -> None:
    seeded = offline_backend.seed_demo()
    ecs, batch = offline_backend.ecs, offline_backend.batch
    assert ecs and batch and seeded.image and not seeded.image_needs_registry
    image = ecs.describe_task_definition("web").container_definitions[0].image
    assert image != PUBLIC_IMAGE or offline_backend.engine.image_exists(PUBLIC_IMAGE)
    if image == LOCAL_IMAGE:
        assert seeded.image.startswith(f"Image {LOCAL_IMAGE}, made here")
    assert ecs.describe_task_definition("worker").container_definitions[0].image == image
    [report] = batch.describe_job_definitions(job_definition_name="report")
    assert report.container_properties and report.container_properties.image == image

    [web] = ecs.run_task(cluster="demo", task_definition="web", launch_type="FARGATE").tasks
    [worker] = ecs.run_task(cluster="demo", task_definition="worker", launch_type="EC2").tasks
    web, worker = running(offline_backend, web.task_arn), running(offline_backend, worker.task_arn)
    port = web.containers[0].network_bindings[0].host_port
    page = until(lambda: _get(f"http://127.0.0.1:{port}/"), timeout=10)
    assert page.startswith("<h1>Hello from ")


def _get(url: str) -> str | None:
    try:
        return urllib.request.urlopen(url, timeout=2).read().decode()
    except OSError:
        return None
