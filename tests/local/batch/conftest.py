"""Batch on the real engine: a backend on a temporary state dir with a fast controller tick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from computetui.backends.local import LocalBackend
from tests.support.images import BUSYBOX_IMAGE
from tests.support.waits import remove_owned, until

TICK = 0.2
FARGATE = [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}]


def make_backend(state: Path, **options: Any) -> LocalBackend:
    return LocalBackend(state, lambda_sandbox="process", tick_seconds=TICK, batch_stop_grace=1, **options)


def prepare(backend: LocalBackend, max_vcpus: int = 4) -> None:
    """A Fargate environment ``ce`` of ``max_vcpus``, queue ``q`` and definition ``sh`` (runs its command with sh -c)."""
    batch = backend.batch
    batch.create_compute_environment("ce", compute_resources={"type": "FARGATE", "maxvCpus": max_vcpus})
    batch.create_job_queue("q", 1, [{"order": 1, "computeEnvironment": "ce"}])
    batch.register_job_definition("sh", platform_capabilities=["FARGATE"], container_properties={
        "image": BUSYBOX_IMAGE, "command": ["sh", "-c", "Ref::script"], "resourceRequirements": FARGATE},
        parameters={"script": "true"})


@pytest.fixture
def batch_backend(docker_client, tmp_path: Path) -> Iterator[LocalBackend]:  # noqa: ANN001
    backend = make_backend(tmp_path / "state")
    owner = backend.store.state_id
    prepare(backend)
    yield backend
    backend.close()
    remove_owned(docker_client, owner)


def run(backend: LocalBackend, script: str, name: str = "job", **kwargs: Any) -> str:
    """Submit ``script`` to queue q; the job's id."""
    params = {"script": script, **kwargs.pop("parameters", {})}
    return backend.batch.submit_job(name, "q", "sh", parameters=params, **kwargs).job_id


def job(backend: LocalBackend, job_id: str) -> Any:
    return backend.batch.describe_jobs([job_id])[0]


def reaches(backend: LocalBackend, job_id: str, *states: str, timeout: float = 30) -> Any:
    """The job once its status is one of ``states``."""
    return until(lambda: next((j for j in backend.batch.describe_jobs([job_id]) if j.status.value in states), None),
                 timeout)


def log_lines(backend: LocalBackend, stream: str) -> list[str]:
    return [e.message for e in backend.logs.get_log_events("/aws/batch/job", stream)]
