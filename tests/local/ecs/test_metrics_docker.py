"""ECS metrics and service auto scaling on the real engine.

A busy-looping busybox task limited to 256 CPU units (a quarter of a core)
uses all it reserves; a sleeping one uses nothing. The backend samples every
quarter second and scaling evaluates one-second datapoints, so what takes
minutes on AWS takes seconds here. No test asserts a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from computetui.backends.local import LocalBackend
from computetui.backends.local.http.balancer import HealthCheck
from tests.local.ecs.conftest import TICK, until
from tests.support.images import BUSYBOX_IMAGE
from tests.support.waits import remove_owned

pytestmark = pytest.mark.docker

METRICS_PERIOD = 0.25
AUTOSCALING_PERIOD = 1.0


@pytest.fixture
def backend(docker_client, tmp_path: Path) -> Iterator[LocalBackend]:  # noqa: ANN001
    # As tests/local/ecs/conftest.py's ecs_backend, with short metric and scaling periods.
    backend = LocalBackend(tmp_path / "state", lambda_sandbox="process", tick_seconds=TICK,
                           ecs_pause_image=BUSYBOX_IMAGE, ecs_pause_command=["sleep", "2147483647"],
                           elb_health_check=HealthCheck(interval_s=0.3, timeout_s=1, healthy_threshold=2),
                           metrics_period=METRICS_PERIOD, autoscaling_period=AUTOSCALING_PERIOD)
    owner = backend.store.state_id
    backend.ecs.create_cluster(cluster_name="c")
    yield backend
    backend.close()
    remove_owned(docker_client, owner)


def definition(family: str, script: str) -> dict[str, Any]:
    """A Fargate task of 256 CPU units whose one container is limited to them too."""
    return {"family": family, "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
            "memory": "512", "containerDefinitions": [
                {"name": family, "image": BUSYBOX_IMAGE, "cpu": 256, "stopTimeout": 1,
                 "command": ["sh", "-c", script]}]}


BURN = "while :; do :; done"
IDLE = "exec sleep 2147483647"


def series(backend: LocalBackend, namespace: str, name: str, dims: dict[str, str],
           stat: str = "Average") -> list[float]:
    """The metric's one-second datapoints over the last minute, newest first."""
    query = {"Id": "q", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": name, "Dimensions": [
        {"Name": k, "Value": v} for k, v in dims.items()]}, "Period": 1, "Stat": stat}}
    now = datetime.now(UTC)
    [result] = backend.metrics.get_metric_data([query], now - timedelta(minutes=1), now + timedelta(seconds=1))
    return result.values


@pytest.mark.alone
def test_a_busy_service_shows_near_full_cpu_utilization_and_an_idle_one_near_none(backend: LocalBackend) -> None:
    ecs = backend.ecs
    ecs.register_task_definition(definition("burn", BURN))
    ecs.register_task_definition(definition("idle", IDLE))
    ecs.create_service(cluster="c", service_name="burn", task_definition="burn", desired_count=1)
    ecs.create_service(cluster="c", service_name="idle", task_definition="idle", desired_count=1)
    burn = {"ClusterName": "c", "ServiceName": "burn"}
    idle = {"ClusterName": "c", "ServiceName": "idle"}

    # Datapoints come once the stats streams give samples; the first may cover the container's start.
    busy = until(lambda: [v for v in series(backend, "AWS/ECS", "CPUUtilization", burn) if v > 50], timeout=20)
    assert max(busy) > 75, f"a task spinning on its whole reservation showed only {busy}"
    quiet = until(lambda: (lambda v: v if len(v) >= 3 else None)(series(backend, "AWS/ECS", "CPUUtilization", idle)))
    assert max(quiet) < 10, f"a sleeping task showed {quiet}"
    memory = series(backend, "AWS/ECS", "MemoryUtilization", burn)
    assert memory and all(0 <= v < 50 for v in memory)

    [task_arn] = ecs.list_tasks(cluster="c", service_name="burn")
    task = {"ClusterName": "c", "TaskId": task_arn.rsplit("/", 1)[-1]}
    assert set(series(backend, "ECS/ContainerInsights", "CpuReserved", task)) == {256.0}
    assert set(series(backend, "ECS/ContainerInsights", "MemoryReserved", task)) == {512.0}
    assert max(series(backend, "ECS/ContainerInsights", "CpuUtilized", task)) > 128


@pytest.mark.alone
def test_target_tracking_scales_a_busy_service_out_and_records_why(backend: LocalBackend) -> None:
    ecs = backend.ecs
    ecs.register_task_definition(definition("burn", BURN))
    ecs.create_service(cluster="c", service_name="burn", task_definition="burn", desired_count=1)
    resource = "service/c/burn"
    backend.autoscaling.register_scalable_target(service_namespace="ecs", resource_id=resource,
                                                 scalable_dimension="ecs:service:DesiredCount",
                                                 min_capacity=1, max_capacity=3)
    policy = backend.autoscaling.put_scaling_policy(
        policy_name="cpu50", service_namespace="ecs", resource_id=resource,
        scalable_dimension="ecs:service:DesiredCount", policy_type="TargetTrackingScaling",
        target_tracking_scaling_policy_configuration={
            "TargetValue": 50.0, "ScaleOutCooldown": 0, "ScaleInCooldown": 300,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})

    until(lambda: ecs.describe_services("c", ["burn"])[0].desired_count == 3, timeout=20)
    activities = backend.autoscaling.describe_scaling_activities("ecs", resource_id=resource)
    first = activities[-1]
    # ceil(1 task x CPU% / 50): 2 at up to 100%, 3 when the sample comes in above it (a throttled
    # container's CPU can read a little over its reservation on a busy machine).
    assert first.description in ("Setting desired count to 2.", "Setting desired count to 3.")
    high = policy.alarms[0].alarm_name
    assert re.fullmatch(r"TargetTracking-service/c/burn-AlarmHigh-[0-9a-f-]{36}", high)
    assert first.cause == f"monitor alarm {high} in state ALARM triggered policy cpu50"
    assert first.status_code.value == "Successful"
    assert activities[0].description == "Setting desired count to 3."
    assert all(a.start_time <= a.end_time for a in activities)
    # The scheduler follows the new desired count.
    until(lambda: len(ecs.list_tasks(cluster="c", service_name="burn")) == 3, timeout=10)
