"""Pictures of every ECS page: a cluster's four tabs, a service's eight, a task's two,
and each form. Regenerate after a deliberate change with
``pytest tests/ui/ecs/test_ecs_snapshots.py --snapshot-update`` and look at the new SVGs.

The scene is built through the backend contract before the app starts: the
demo cluster with its t3.medium, a load-balanced service ``web`` of three
tasks, a ``worker`` task on the instance and a standalone task whose container
exited with code 1. Everything a picture shows is fixed: the clock (moved by
hand between steps), the ids (seeded), container ids, addresses and host ports
(derived from the task and container, not from the order threads run in), the
load balancer (a record, not a listener on a free port), logs, metrics and the
auto scaling activity.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from computetui.app import ComputeApp
from computetui.backends.docker.engine import ManagedContainer
from computetui.backends.local import LocalBackend
from computetui.backends.local.ecs.balancers import BALANCER, record_key
from computetui.backends.local.ecs.metrics import EcsMetrics, TaskSample
from computetui.backends.local.ecs.services import ServiceScheduler
from computetui.backends.local.ecs.tasks import TaskRunner
from computetui.clock import FixedClock
from computetui.models import ecs as m
from computetui.settings import Settings
from tests.support.fakes import FakeEngine
from tests.ui.helpers import SIZE, settle, type_text

START = "2026-01-15T09:00:00+00:00"
NOW = "2026-01-15T09:30:00+00:00"


# -- a scene that is the same on every run ----------------------------------------------------
class SteadyEngine(FakeEngine):
    """FakeEngine whose container ids, addresses and host ports follow from the task and
    container, so tasks started by parallel threads get the same ones on every run."""

    def run(self, image: str, *, kind: str, arn: str, name: str | None = None,
            command: Any = None, extra_labels: dict[str, str] | None = None, **options: Any) -> ManagedContainer:
        self.ensure_image(image)
        labels = self.labels(kind, arn, extra_labels)
        cid = hashlib.sha256(f"{arn}|{name}|{sorted(labels.items())}".encode()).hexdigest()
        number = int(cid[:8], 16)
        with self._lock:
            ports = {key: [{"HostIp": "127.0.0.1", "HostPort": str(32768 + (number + i) % 28000)}]
                     for i, key in enumerate(sorted(options.get("ports") or {}))}
            self._containers[cid] = {
                "id": cid, "name": name or f"c{number}", "kind": kind, "arn": arn, "image": image,
                "status": "running", "exit_code": None, "labels": labels,
                "ports": ports, "ip": f"172.17.{number % 200}.{number % 250 + 2}",
            }
        return self._managed(cid)


class SteadyBalancers:
    """The scheduler's load-balancer hook without a listener: every running task is a healthy
    target, written where the real one writes, on a fixed port."""

    PORT = 8080

    def __init__(self, backend: LocalBackend) -> None:
        self.backend = backend

    def sync(self, service: m.Service, tasks: list[m.Task]) -> set[str] | None:
        if not service.load_balancers:
            return None
        spec = service.load_balancers[0]
        targets = []
        for task in tasks:
            if task.last_status is not m.TaskStatus.RUNNING or task.desired_status is m.TaskStatus.STOPPED:
                continue
            container = next(c for c in task.containers if c.name == spec.container_name)
            binding = next(b for b in container.network_bindings if b.container_port == spec.container_port)
            targets.append({"id": task.task_arn, "host": "127.0.0.1", "port": binding.host_port,
                            "state": "healthy", "reason": None, "description": None,
                            "requests": 40 + len(targets) * 3})
        url = f"http://127.0.0.1:{self.PORT}"
        self.backend.store.put(BALANCER, record_key(service.service_arn), {
            "serviceArn": service.service_arn, "clusterArn": service.cluster_arn,
            "targetGroupArn": spec.target_group_arn, "loadBalancerName": service.service_name,
            "dnsName": f"127.0.0.1:{self.PORT}", "port": self.PORT, "url": url,
            "containerName": spec.container_name, "containerPort": spec.container_port,
            "healthCheck": {"path": "/", "intervalSeconds": 5, "timeoutSeconds": 2, "healthyThresholdCount": 2,
                            "unhealthyThresholdCount": 2, "matcher": "200-399"},
            "targets": targets, "requestsTotal": sum(t["requests"] for t in targets),
        }, name=service.service_name, parent=service.cluster_arn)
        return {t["id"] for t in targets}

    def prune(self, active: set[str]) -> None:
        pass

    def forget(self, service_arn: str) -> None:
        pass

    def close(self) -> None:
        pass


def wait_for(condition: Callable[[], Any], what: str) -> Any:
    for _ in range(3000):  # tasks start on the runner's threads: up to 30 s on a busy machine
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def tasks_in(backend: LocalBackend, status: str, **filters: Any) -> list[m.Task]:
    ecs = backend.ecs
    arns = ecs.list_tasks("demo", desired_status="STOPPED" if status == "STOPPED" else "RUNNING", **filters)
    return [t for t in ecs.describe_tasks("demo", arns) if t.last_status.value == status] if arns else []


def schedule(backend: LocalBackend) -> None:
    backend.part(ServiceScheduler).poke()
    backend.part(ServiceScheduler).tick()


def build_scene(*, service: bool = True) -> LocalBackend:
    clock = FixedClock(START)
    backend = LocalBackend(":memory:", clock=clock, seed=11, engine=SteadyEngine(), controller=False,
                           lambda_sandbox="process")
    backend.seed_demo()
    backend.part(ServiceScheduler).balancers = SteadyBalancers(backend)
    ecs = backend.ecs
    if not service:
        clock.advance(30 * 60)
        return backend

    # A standalone task whose container exits with 1 at 09:12: ECS stops it (EssentialContainerExited).
    clock.advance(10 * 60)
    [crashed] = ecs.run_task("demo", "web:1", started_by="nightly-report").tasks
    wait_for(lambda: tasks_in(backend, "RUNNING"), "the standalone task running")
    clock.advance(2 * 60)
    container = ecs.describe_tasks("demo", [crashed.task_arn])[0].containers[0]
    _write_log(backend, crashed.task_arn, int(clock.time() * 1000) - 90_000, 20_000, [
        "report: reading /data/orders.csv", "report: 1204 rows", "Traceback (most recent call last):",
        "  File \"/app/report.py\", line 12, in <module>", "KeyError: 'region'"])
    backend.engine.exit(container.runtime_id, 1)
    backend.part(TaskRunner).monitor()
    wait_for(lambda: tasks_in(backend, "STOPPED"), "the standalone task stopped")

    # The service at 09:15: three tasks behind the load balancer, steady by 09:16.
    clock.advance(3 * 60)
    ecs.create_service(
        "demo", "web", "web:1", desired_count=3, launch_type="FARGATE",
        load_balancers=[{"containerName": "web", "containerPort": 8080}],
        deployment_configuration={"minimumHealthyPercent": 100, "maximumPercent": 200,
                                  "deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    schedule(backend)
    wait_for(lambda: len(tasks_in(backend, "RUNNING", service_name="web")) == 3, "three service tasks")
    clock.advance(60)
    schedule(backend)

    # A worker on the EC2 instance at 09:20.
    clock.advance(4 * 60)
    ecs.run_task("demo", "worker:1", launch_type="EC2")
    wait_for(lambda: len(tasks_in(backend, "RUNNING")) == 4, "the worker running")

    # Auto scaling from 09:25: 1 to 6 tasks keeping CPU near 50%; it set the count to 3 once.
    clock.advance(5 * 60)
    resource = "service/demo/web"
    scaling = backend.autoscaling
    scaling.register_scalable_target("ecs", resource, "ecs:service:DesiredCount", min_capacity=1, max_capacity=6)
    scaling.put_scaling_policy("web-cpu-target", "ecs", resource, "ecs:service:DesiredCount",
                               policy_type="TargetTrackingScaling",
                               target_tracking_scaling_policy_configuration={
                                   "TargetValue": 50.0, "ScaleOutCooldown": 60, "ScaleInCooldown": 300,
                                   "PredefinedMetricSpecification": {
                                       "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
    clock.advance(60)
    [target] = scaling.describe_scalable_targets("ecs", resource_ids=[resource])
    scaling.set_desired(target, 3, "monitor alarm TargetTracking-service/demo/web-AlarmHigh in state ALARM "
                                   "triggered policy web-cpu-target")
    schedule(backend)

    clock.advance(4 * 60)  # 09:30, the app's time
    _write_logs(backend)
    _write_metrics(backend)
    return backend


def _write_log(backend: LocalBackend, task_arn: str, start_ms: int, step_ms: int, lines: list[str]) -> None:
    """What the web container wrote to awslogs (group /ecs/web, prefix ecs)."""
    stream = f"ecs/web/{task_arn.rsplit('/', 1)[-1]}"
    backend.logs.ensure_log_stream("/ecs/web", stream)
    backend.logs.put_log_events("/ecs/web", stream, [
        {"timestamp": start_ms + i * step_ms, "message": line} for i, line in enumerate(lines)])


def _write_logs(backend: LocalBackend) -> None:
    base = int(backend.clock.time() * 1000) - 40_000
    lines = ["httpd: listening on 0.0.0.0:8080", "GET / HTTP/1.1 200", "GET /health HTTP/1.1 200",
             "GET /favicon.ico HTTP/1.1 404"]
    for n, task in enumerate(sorted(tasks_in(backend, "RUNNING", service_name="web"), key=lambda t: t.task_arn)):
        _write_log(backend, task.task_arn, base + n * 1500, 7000, lines)


def _write_metrics(backend: LocalBackend) -> None:
    end_ms = int(backend.clock.time() * 1000)
    cluster_arn = backend.ecs.describe_clusters(["demo"])[0].cluster_arn
    tasks = sorted(tasks_in(backend, "RUNNING", service_name="web"), key=lambda t: t.task_arn)
    [worker] = [t for t in tasks_in(backend, "RUNNING") if t.group == "family:worker"]
    rows = []
    for minute in range(15):
        at = end_ms - (14 - minute) * 60_000
        for n, task in enumerate(tasks):
            cpu = 256 * (0.30 + 0.15 * math.sin(minute / 2 + n))
            memory = 512 * (0.40 + 0.01 * minute)
            rows.append(TaskSample(at, cluster_arn, "web", task.task_arn, False, cpu, 256, memory, 512))
        if minute >= 10:  # the worker, on the t3.medium since 09:20
            rows.append(TaskSample(at, cluster_arn, None, worker.task_arn, True, 60.0 + 8 * minute, 128, 90.0, 128))
    backend.part(EcsMetrics).record(rows, now_ms=end_ms)


def scene_app(*, service: bool = True) -> ComputeApp:
    """The console over the scene: no polling, no blinking cursor, the clock at 09:30."""
    return ComputeApp(Settings(refresh=0), build_scene(service=service), polling=False, blink=False,
                      clock=FixedClock(NOW))


# -- getting there ------------------------------------------------------------------------------
async def quiet(pilot: Pilot) -> None:
    """Toasts go after a few seconds of real time: none in a picture, so a slow run looks the same."""
    pilot.app.clear_notifications()
    await settle(pilot)


async def open_cluster(pilot: Pilot, tab: int = 0) -> None:
    await settle(pilot)
    await type_text(pilot, ":ecs")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")  # the demo cluster
    await settle(pilot)
    for _ in range(tab):
        await pilot.press("right_square_bracket")
        await settle(pilot)


async def open_service(pilot: Pilot, tab: int = 0) -> None:
    await open_cluster(pilot)
    await pilot.press("enter")
    await settle(pilot)
    for _ in range(tab):
        await pilot.press("right_square_bracket")
        await settle(pilot)


def picture(snap_compare: Any, app: ComputeApp, go: Callable[[Pilot], Any]) -> bool:
    return snap_compare(app, terminal_size=SIZE, run_before=go)


# -- the cluster ---------------------------------------------------------------------------------
CLUSTER_TABS = ["services", "tasks", "instances", "metrics"]


@pytest.mark.parametrize("tab", CLUSTER_TABS)
def test_cluster_tab(snap_compare, tab: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_cluster(pilot, CLUSTER_TABS.index(tab))

    assert picture(snap_compare, scene_app(), go)


def test_cluster_stopped_tasks(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_cluster(pilot, 1)
        await pilot.press("x")
        await quiet(pilot)

    assert picture(snap_compare, scene_app(), go)


@pytest.mark.parametrize("tab", ["services", "tasks"])
def test_cluster_with_nothing_in_it_says_what_to_press(snap_compare, tab: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_cluster(pilot, CLUSTER_TABS.index(tab))

    assert picture(snap_compare, scene_app(service=False), go)


# -- the service ---------------------------------------------------------------------------------
SERVICE_TABS = ["details", "deployments", "events", "tasks", "targets", "logs", "metrics", "scaling"]


@pytest.mark.parametrize("tab", SERVICE_TABS)
def test_service_tab(snap_compare, tab: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_service(pilot, SERVICE_TABS.index(tab))

    assert picture(snap_compare, scene_app(), go)


# -- a task --------------------------------------------------------------------------------------
@pytest.mark.parametrize("tab", ["containers", "logs"])
def test_stopped_task(snap_compare, tab: str) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_cluster(pilot, 1)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        if tab == "logs":
            await pilot.press("right_square_bracket")
        await quiet(pilot)

    assert picture(snap_compare, scene_app(), go)


def test_running_task_logs(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_service(pilot, SERVICE_TABS.index("tasks"))
        await pilot.press("enter", "right_square_bracket")
        await settle(pilot)

    assert picture(snap_compare, scene_app(), go)


# -- forms ---------------------------------------------------------------------------------------
FORMS: dict[str, tuple[int, str]] = {
    "run-task": (1, "c"),
    "create-service": (0, "c"),
    "update-service": (0, "u"),
    "register-instance": (2, "c"),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_form(snap_compare, form: str) -> None:  # noqa: ANN001
    tab, key = FORMS[form]

    async def go(pilot: Pilot) -> None:
        await open_cluster(pilot, tab)
        await pilot.press(key)
        await settle(pilot)

    assert picture(snap_compare, scene_app(), go)


def test_create_cluster_form(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await settle(pilot)
        await type_text(pilot, ":ecs")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert picture(snap_compare, scene_app(), go)


def test_auto_scaling_form(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_service(pilot, SERVICE_TABS.index("scaling"))
        await pilot.press("a")
        await settle(pilot)

    assert picture(snap_compare, scene_app(), go)


def test_form_says_which_field_is_wrong(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await open_cluster(pilot, 1)
        await pilot.press("c")
        await settle(pilot)
        pilot.app.screen.query_one("#f-count").value = "25"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert picture(snap_compare, scene_app(), go)
