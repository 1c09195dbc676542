"""ECS tasks are real containers: they start, answer, exit and stop the way ECS says."""

from __future__ import annotations

import time
import urllib.request

import pytest

from computetui.backends.errors import InvalidParameter
from computetui.backends.local import LocalBackend
from tests.local.ecs.conftest import make_backend, task_state, until, web
from tests.support.images import BUSYBOX_IMAGE

pytestmark = pytest.mark.docker


def fetch(task) -> str:  # noqa: ANN001
    port = task.containers[0].network_bindings[0].host_port
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode().strip()


def test_a_fargate_task_runs_answers_and_stops_when_asked(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web())
    [task] = ecs.run_task(cluster="c", task_definition="web", launch_type="FARGATE").tasks
    assert task.last_status.value == "PROVISIONING" and task.launch_type.value == "FARGATE"
    running = task_state(ecs_backend, task.task_arn, "RUNNING")
    assert fetch(running) == "v1"
    [binding] = running.containers[0].network_bindings
    assert binding.bind_ip == "127.0.0.1" and binding.container_port == 8080
    eni = {d.name: d.value for d in running.attachments[0].details}
    assert eni["privateIPv4Address"].count(".") == 3
    container = ecs_backend.engine.inspect(running.containers[0].runtime_id)
    assert container["Config"]["Labels"]["computetui.kind"] == "task"
    assert container["Config"]["Labels"]["computetui.arn"] == task.task_arn
    ecs.stop_task(cluster="c", task=task.task_arn, reason="testing")
    stopped = task_state(ecs_backend, task.task_arn, "STOPPED")
    assert stopped.stop_code.value == "UserInitiated" and stopped.stopped_reason == "testing"
    assert stopped.containers[0].exit_code is not None
    assert task.task_arn in ecs.list_tasks("c", desired_status="STOPPED")
    assert task.task_arn not in ecs.list_tasks("c")


def test_task_limits_and_environment_reach_the_container(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web(environment=[{"name": "GREETING", "value": "hi"}], cpu=512, memory=300))
    [task] = ecs.run_task(cluster="c", task_definition="web").tasks
    running = task_state(ecs_backend, task.task_arn, "RUNNING")
    info = ecs_backend.engine.inspect(running.containers[0].runtime_id)
    assert info["HostConfig"]["NanoCpus"] == 512 / 1024 * 1_000_000_000
    assert info["HostConfig"]["Memory"] == 300 * 1024 * 1024
    assert "GREETING=hi" in info["Config"]["Env"]


def test_an_essential_container_that_exits_stops_the_task(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition({"family": "job", "containerDefinitions": [
        {"name": "main", "image": BUSYBOX_IMAGE, "memory": 64, "command": ["sh", "-c", "sleep 0.5; exit 3"]},
        {"name": "side", "image": BUSYBOX_IMAGE, "memory": 64, "essential": False, "command": ["sleep", "60"],
         "stopTimeout": 1},
    ]})
    ecs.register_container_instance(cluster="c", instance_type="t3.medium")
    [task] = ecs.run_task(cluster="c", task_definition="job").tasks
    stopped = task_state(ecs_backend, task.task_arn, "STOPPED")
    assert stopped.stop_code.value == "EssentialContainerExited"
    assert stopped.stopped_reason == "Essential container in task exited"
    exits = {c.name: c.exit_code for c in stopped.containers}
    assert exits["main"] == 3


def test_a_non_essential_exit_leaves_the_task_running(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web(fargate=False, family="pair") | {"containerDefinitions": [
        {"name": "web", "image": BUSYBOX_IMAGE, "cpu": 128, "memory": 64, "command": ["sleep", "60"], "stopTimeout": 1},
        {"name": "once", "image": BUSYBOX_IMAGE, "cpu": 128, "memory": 64, "essential": False,
         "command": ["sh", "-c", "exit 0"]},
    ]})
    ecs.register_container_instance(cluster="c")
    [task] = ecs.run_task(cluster="c", task_definition="pair").tasks
    task_state(ecs_backend, task.task_arn, "RUNNING")
    until(lambda: next(c for c in ecs.describe_tasks("c", [task.task_arn])[0].containers if c.name == "once")
          .exit_code == 0, timeout=10)
    assert ecs.describe_tasks("c", [task.task_arn])[0].last_status.value == "RUNNING"


def test_a_missing_image_stops_the_task_with_cannot_pull(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web(image="127.0.0.1:1/no-such-image:1"))
    [task] = ecs.run_task(cluster="c", task_definition="web").tasks
    stopped = task_state(ecs_backend, task.task_arn, "STOPPED")
    assert stopped.stop_code.value == "TaskFailedToStart"
    assert stopped.stopped_reason.startswith("CannotPullContainerError")


def test_awslogs_streams_container_output_into_cloudwatch_logs(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web(command=["sh", "-c", "echo hello from the task; echo second line; sleep 60"],
                                     logConfiguration={"logDriver": "awslogs", "options": {
                                         "awslogs-group": "/ecs/web", "awslogs-stream-prefix": "ecs",
                                         "awslogs-create-group": "true"}}))
    [task] = ecs.run_task(cluster="c", task_definition="web").tasks
    task_state(ecs_backend, task.task_arn, "RUNNING")
    task_id = task.task_arn.rsplit("/", 1)[-1]

    def lines() -> list[str]:
        try:
            return [e.message for e in ecs_backend.logs.get_log_events("/ecs/web", f"ecs/web/{task_id}",
                                                                       start_from_head=True)]
        except Exception:
            return []

    assert until(lambda: lines() == ["hello from the task", "second line"], timeout=10)


def test_awslogs_without_its_group_fails_the_task_as_aws_does(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web(logConfiguration={"logDriver": "awslogs", "options": {
        "awslogs-group": "/ecs/missing", "awslogs-stream-prefix": "ecs"}}))
    [task] = ecs.run_task(cluster="c", task_definition="web").tasks
    stopped = task_state(ecs_backend, task.task_arn, "STOPPED")
    assert stopped.stopped_reason.startswith("ResourceInitializationError")


def test_depends_on_orders_the_containers(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition({"family": "ordered", "requiresCompatibilities": ["FARGATE"],
                                  "networkMode": "awsvpc", "cpu": "256", "memory": "512", "containerDefinitions": [
        {"name": "app", "image": BUSYBOX_IMAGE, "command": ["sleep", "60"], "stopTimeout": 1,
         "dependsOn": [{"containerName": "setup", "condition": "SUCCESS"}]},
        {"name": "setup", "image": BUSYBOX_IMAGE, "essential": False, "command": ["sh", "-c", "sleep 0.5"]},
    ]})
    [task] = ecs.run_task(cluster="c", task_definition="ordered").tasks
    running = task_state(ecs_backend, task.task_arn, "RUNNING")
    started = {c.name: ecs_backend.engine.inspect(c.runtime_id)["State"]["StartedAt"] for c in running.containers}
    setup = ecs_backend.engine.inspect(next(c.runtime_id for c in running.containers if c.name == "setup"))
    assert setup["State"]["FinishedAt"] <= started["app"]  # app waited for setup to succeed


def test_ec2_tasks_fill_registered_instances_and_fail_with_resource_memory(ecs_backend) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web(fargate=False, family="small") | {"containerDefinitions": [
        {"name": "w", "image": BUSYBOX_IMAGE, "cpu": 128, "memory": 1500, "command": ["sleep", "60"],
         "stopTimeout": 1}]})
    with pytest.raises(InvalidParameter, match="No Container Instances were found"):
        ecs.run_task(cluster="c", task_definition="small")
    [a] = [ecs.register_container_instance(cluster="c", instance_type="t3.medium")]  # 3968 MiB
    result = ecs.run_task(cluster="c", task_definition="small", count=3,
                          placement_strategy=[{"type": "binpack", "field": "memory"}])
    assert len(result.tasks) == 2  # 2 x 1500 fits, the third does not
    assert [f.reason for f in result.failures] == ["RESOURCE:MEMORY"]
    assert result.failures[0].arn == a.container_instance_arn
    [described] = ecs.describe_container_instances("c", [a.container_instance_arn])
    remaining = {r.name: r.integer_value for r in described.remaining_resources}
    assert remaining["MEMORY"] == 3968 - 3000 and described.pending_tasks_count + described.running_tasks_count == 2


def test_after_a_restart_running_tasks_are_adopted_and_vanished_ones_stopped(ecs_backend, tmp_path) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web())
    keep, lose = ecs.run_task(cluster="c", task_definition="web", count=2).tasks
    keep = task_state(ecs_backend, keep.task_arn, "RUNNING")
    lose = task_state(ecs_backend, lose.task_arn, "RUNNING")
    ecs_backend.close()  # tasks outlive the emulator, as on AWS
    ecs_backend.engine.remove(lose.containers[0].runtime_id)
    again = make_backend(tmp_path / "state")
    try:
        gone = task_state(again, lose.task_arn, "STOPPED", timeout=10)
        assert gone.stop_code.value == "EssentialContainerExited" and "vanished" in gone.stopped_reason
        assert again.ecs.describe_tasks("c", [keep.task_arn])[0].last_status.value == "RUNNING"
        assert fetch(keep) == "v1"
    finally:
        again.close()


def test_an_adopted_task_keeps_logging_without_repeating_a_line(ecs_backend, tmp_path) -> None:  # noqa: ANN001
    ecs = ecs_backend.ecs
    ecs.register_task_definition(web(
        command=["sh", "-c", "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done"],
        logConfiguration={"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/counter", "awslogs-stream-prefix": "ecs", "awslogs-create-group": "true"}}))
    [task] = ecs.run_task(cluster="c", task_definition="web").tasks
    task_state(ecs_backend, task.task_arn, "RUNNING")
    stream = f"ecs/web/{task.task_arn.rsplit('/', 1)[-1]}"

    def lines(backend: LocalBackend) -> list[str]:
        try:
            return [e.message for e in backend.logs.get_log_events("/ecs/counter", stream, start_from_head=True,
                                                                   limit=10_000)]
        except Exception:
            return []

    until(lambda: len(lines(ecs_backend)) >= 5, timeout=10)
    ecs_backend.close()  # the task keeps running (and printing) while no emulator watches it
    time.sleep(0.5)
    again = make_backend(tmp_path / "state")
    try:
        seen = until(lambda: (found := lines(again)) and len(found) >= 20 and found, timeout=15)
        numbers = [int(line.split()[1]) for line in seen]
        assert numbers == list(range(len(numbers))), "after adoption every line appears once, in order"
    finally:
        again.close()


def test_task_summaries_say_what_describe_tasks_says(ecs_backend) -> None:  # noqa: ANN001
    from dataclasses import asdict

    from computetui.models.ecs import TaskSummary
    from computetui.ui.format import when

    ecs = ecs_backend.ecs
    ecs.register_task_definition(web())
    ecs.register_task_definition(web(command=["sh", "-c", "exit 3"], family="crash"))
    [up] = ecs.run_task(cluster="c", task_definition="web").tasks
    [down] = ecs.run_task(cluster="c", task_definition="crash").tasks
    task_state(ecs_backend, up.task_arn, "RUNNING")
    task_state(ecs_backend, down.task_arn, "STOPPED")

    def plain(summary: TaskSummary) -> dict:
        fields = asdict(summary)
        return {k: when(v) if k.endswith("_at") and v else v for k, v in fields.items()}

    for status in ("RUNNING", "STOPPED"):
        fast = sorted((plain(s) for s in ecs.list_task_summaries("c", desired_status=status)), key=str)
        full = sorted((plain(TaskSummary.of(t)) for t in ecs.describe_tasks(
            "c", ecs.list_tasks(cluster="c", desired_status=status))), key=str)
        assert fast == full and len(fast) == 1
    [stopped] = ecs.list_task_summaries("c", desired_status="STOPPED")
    assert stopped.stop_code == "EssentialContainerExited" and stopped.last_status == "STOPPED"
    [running] = ecs.list_task_summaries("c")
    assert running.ports and running.ports[0].endswith("->8080")
