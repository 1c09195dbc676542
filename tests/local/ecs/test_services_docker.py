"""Services on the real engine: replacement, rolling deployments, the circuit breaker, draining, the load balancer."""

from __future__ import annotations

import urllib.request
from typing import Any

from computetui.backends.local import LocalBackend
from tests.local.ecs.conftest import TICK, until, web
from tests.support.images import BUSYBOX_IMAGE


def running_tasks(backend: LocalBackend, service: str) -> list[Any]:
    ecs = backend.ecs
    arns = ecs.list_tasks(cluster="c", service_name=service, desired_status="RUNNING")
    return [t for t in ecs.describe_tasks("c", arns) if t.last_status.value == "RUNNING"]


def service(backend: LocalBackend, name: str) -> Any:
    return backend.ecs.describe_services("c", [name])[0]


def steady(backend: LocalBackend, name: str, count: int, timeout: float = 60) -> list[Any]:
    def ready() -> list[Any] | None:
        tasks = running_tasks(backend, name)
        current = service(backend, name)
        primary = next(d for d in current.deployments if d.status == "PRIMARY")
        if len(tasks) == count and len(current.deployments) == 1 and primary.rollout_state.value == "COMPLETED":
            return tasks
        return None

    return until(ready, timeout)


def test_a_killed_container_is_replaced_within_two_ticks(ecs_backend, docker_client) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web())
    ecs.create_service(cluster="c", service_name="web", task_definition="web", desired_count=3)
    tasks = steady(ecs_backend, "web", 3)
    victim = tasks[0]
    before = ecs_backend.controller.runs("ecs-tasks")
    docker_client.containers.get(victim.containers[0].runtime_id).kill()

    def replacement() -> Any:
        arns = ecs.list_tasks(cluster="c", service_name="web", desired_status="RUNNING")
        fresh = [a for a in arns if a not in {t.task_arn for t in tasks}]
        return (fresh, ecs_backend.controller.runs("ecs-tasks")) if fresh else None

    fresh, seen_at = until(replacement, timeout=30, every=0.01)
    # The monitor notices the exit on its next pass; the scheduler starts a task at once after it.
    assert seen_at - before <= 2, f"replaced after {seen_at - before} monitor ticks"
    [stopped] = ecs.describe_tasks("c", [victim.task_arn])
    assert stopped.stop_code.value == "EssentialContainerExited"
    assert stopped.containers[0].exit_code == 137
    steady(ecs_backend, "web", 3)
    messages = until(lambda: [e.message for e in service(ecs_backend, "web").events
                              if "steady state" in service(ecs_backend, "web").events[0].message])
    assert "has reached a steady state" in messages[0]
    assert any("has started 1 tasks" in m for m in messages)


def test_a_rolling_deployment_never_drops_below_minimum_healthy(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web("v1"))
    ecs.create_service(cluster="c", service_name="web", task_definition="web", desired_count=3,
                       deployment_configuration={"minimumHealthyPercent": 100, "maximumPercent": 150})
    steady(ecs_backend, "web", 3)
    v2 = ecs.register_task_definition(web("v2"))
    ecs.update_service(cluster="c", service="web", task_definition="web:2")
    lowest, highest = 3, 3
    while True:
        tasks = running_tasks(ecs_backend, "web")
        lowest, highest = min(lowest, len(tasks)), max(highest, len(tasks))
        current = service(ecs_backend, "web")
        if len(current.deployments) == 1 and all(t.task_definition_arn == v2.task_definition_arn for t in tasks) \
                and len(tasks) == 3:
            break
        assert ecs_backend.clock.time() < current.created_at.timestamp() + 120, "deployment did not finish"
    assert lowest >= 3, f"only {lowest} tasks ran during the deployment (minimumHealthyPercent 100 of 3)"
    assert highest <= 4, f"{highest} tasks ran at once (maximumPercent 150 of 3 allows 4)"
    [primary] = service(ecs_backend, "web").deployments
    assert primary.task_definition == v2.task_definition_arn


def test_the_circuit_breaker_fails_a_crashing_deployment_and_rolls_back(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    good = ecs.register_task_definition(web("good"))
    ecs.create_service(cluster="c", service_name="web", task_definition="web", desired_count=2,
                       deployment_configuration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    steady(ecs_backend, "web", 2)
    ecs.register_task_definition(web("bad") | {"containerDefinitions": [
        {"name": "web", "image": BUSYBOX_IMAGE, "command": ["sh", "-c", "exit 3"], "stopTimeout": 1}]})
    ecs.update_service(cluster="c", service="web", task_definition="web:2")

    def failed() -> Any:
        current = service(ecs_backend, "web")
        gone = [d for d in current.deployments if d.task_definition.endswith(":2")]
        return current if not gone else None

    current = until(failed, timeout=90)
    primary = next(d for d in current.deployments if d.status == "PRIMARY")
    assert primary.task_definition == good.task_definition_arn  # rolled back
    messages = " ".join(e.message for e in current.events)
    assert "deployment failed: tasks failed to start." in messages
    assert "rolling back to deployment" in messages
    steady(ecs_backend, "web", 2)
    assert all(t.task_definition_arn == good.task_definition_arn for t in running_tasks(ecs_backend, "web"))


def test_draining_an_instance_moves_its_service_tasks(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web(fargate=False))
    first = ecs.register_container_instance(cluster="c", instance_type="t3.medium")
    ecs.create_service(cluster="c", service_name="web", task_definition="web", desired_count=2, launch_type="EC2")
    tasks = steady(ecs_backend, "web", 2)
    assert {t.container_instance_arn for t in tasks} == {first.container_instance_arn}
    second = ecs.register_container_instance(cluster="c", instance_type="t3.medium")
    ecs.update_container_instances_state(cluster="c", container_instances=[first.container_instance_arn],
                                         status="DRAINING")

    def moved() -> list[Any] | None:
        now = running_tasks(ecs_backend, "web")
        places = {t.container_instance_arn for t in now}
        return now if len(now) == 2 and places == {second.container_instance_arn} else None

    until(moved, timeout=60)
    [drained] = ecs.describe_container_instances("c", [first.container_instance_arn])
    until(lambda: ecs.describe_container_instances("c", [first.container_instance_arn])[0].running_tasks_count == 0)
    assert drained.status.value == "DRAINING"


def test_the_load_balancer_answers_and_spreads_requests(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web(command=["sh", "-c", "hostname > /www/index.html; exec httpd -f -p 8080 -h /www"]))
    ecs.create_service(cluster="c", service_name="web", task_definition="web", desired_count=3,
                       load_balancers=[{"containerName": "web", "containerPort": 8080}])
    tasks = steady(ecs_backend, "web", 3)

    def all_healthy() -> Any:
        [balancer] = ecs.describe_service_load_balancers("c", "web")
        states = [t.state for t in balancer.targets]
        return balancer if states == ["healthy"] * 3 else None

    balancer = until(all_healthy, timeout=30)
    assert {t.target_id for t in balancer.targets} == {t.task_arn for t in tasks}
    answers = []
    for _ in range(30):
        with urllib.request.urlopen(balancer.url, timeout=5) as response:  # 127.0.0.1 only
            answers.append(response.read().decode().strip())
    counts = {name: answers.count(name) for name in set(answers)}
    assert len(counts) == 3 and set(counts.values()) == {10}, counts  # round robin over three tasks


def test_deleting_a_service_stops_its_tasks_and_closes_its_listener(ecs_backend, docker_client) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web())
    ecs.create_service(cluster="c", service_name="web", task_definition="web", desired_count=2,
                       load_balancers=[{"containerName": "web", "containerPort": 8080}])
    steady(ecs_backend, "web", 2)
    url = until(lambda: ecs.describe_service_load_balancers("c", "web")[0].url)
    ecs.delete_service(cluster="c", service="web", force=True)
    until(lambda: service(ecs_backend, "web").status.value == "INACTIVE", timeout=60)
    owner = ecs_backend.store.state_id
    until(lambda: not docker_client.containers.list(all=True, filters={"label": f"computetui.owner={owner}"}))

    def closed() -> bool:
        try:
            urllib.request.urlopen(url, timeout=1)
        except OSError:
            return True
        return False

    until(closed, timeout=10)
    assert TICK > 0
