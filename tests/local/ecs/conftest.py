"""ECS on the real engine: a backend on a temporary state dir with a fast controller tick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from computetui.backends.local import LocalBackend
from computetui.backends.local.http.balancer import HealthCheck
from tests.support.images import BUSYBOX_IMAGE
from tests.support.waits import remove_owned, until

TICK = 0.2


def make_backend(state: Path) -> LocalBackend:
    # No registry is reachable from the tests: busybox stands in for the pause image.
    return LocalBackend(state, lambda_sandbox="process", tick_seconds=TICK,
                        ecs_pause_image=BUSYBOX_IMAGE, ecs_pause_command=["sleep", "2147483647"],
                        elb_health_check=HealthCheck(interval_s=0.3, timeout_s=1, healthy_threshold=2))


@pytest.fixture
def ecs_backend(docker_client, tmp_path: Path) -> Iterator[LocalBackend]:  # noqa: ANN001
    backend = make_backend(tmp_path / "state")
    owner = backend.store.state_id
    backend.ecs.create_cluster(cluster_name="c")
    yield backend
    backend.close()
    remove_owned(docker_client, owner)


def web(tag: str = "v1", *, family: str = "web", fargate: bool = True, **container: Any) -> dict[str, Any]:
    """A busybox httpd answering its tag on port 8080."""
    definition = {
        "name": "web",
        "image": BUSYBOX_IMAGE,
        "stopTimeout": 1,
        "command": ["sh", "-c", f"echo {tag} > /www/index.html; exec httpd -f -p 8080 -h /www"],
        "portMappings": [{"containerPort": 8080}],
        **container,
    }
    if fargate:
        return {"family": family, "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
                "memory": "512", "containerDefinitions": [definition]}
    return {"family": family, "networkMode": "bridge",
            "containerDefinitions": [{**definition, "cpu": 256, "memory": 256}]}




def task_state(backend: LocalBackend, arn: str, state: str, timeout: float = 30) -> Any:
    return until(lambda: next((t for t in backend.ecs.describe_tasks("c", [arn]) if t.last_status.value == state),
                              None), timeout)
