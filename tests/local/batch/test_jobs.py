"""Batch jobs on the real engine: each attempt a container, walking Batch's states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from computetui.backends.local import LocalBackend
from computetui.clock import FixedClock
from tests.local.batch.conftest import job, log_lines, make_backend, prepare, reaches, run
from tests.support.images import BUSYBOX_IMAGE
from tests.support.waits import remove_owned, until

pytestmark = pytest.mark.docker


def test_a_job_runs_in_a_container_with_batchs_environment_and_limits(batch_backend: LocalBackend) -> None:
    script = ("echo id=$AWS_BATCH_JOB_ID attempt=$AWS_BATCH_JOB_ATTEMPT ce=$AWS_BATCH_CE_NAME jq=$AWS_BATCH_JQ_NAME "
              "index=${AWS_BATCH_JOB_ARRAY_INDEX-none}; "
              "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes")
    job_id = run(batch_backend, script)
    done = reaches(batch_backend, job_id, "SUCCEEDED", "FAILED")
    assert done.status.value == "SUCCEEDED"
    assert done.status_reason == "Essential container in task exited"
    assert done.created_at <= done.started_at <= done.stopped_at
    [attempt] = done.attempts
    assert attempt.container.exit_code == 0 and attempt.status_reason == "Essential container in task exited"
    assert re.fullmatch(r"sh/default/[0-9a-f]{32}", attempt.container.log_stream_name)
    task_id = attempt.container.log_stream_name.rsplit("/", 1)[-1]
    assert re.fullmatch(rf"arn:aws:ecs:us-east-1:000000000000:task/AWSBatch-ce-[0-9a-f-]+/{task_id}",
                        attempt.container.task_arn)
    lines = until(lambda: log_lines(batch_backend, attempt.container.log_stream_name))
    assert lines == [f"id={job_id} attempt=1 ce=ce jq=q index=none", str(512 * 1024 * 1024)]
    assert done.container.exit_code == 0 and done.container.log_stream_name == attempt.container.log_stream_name


def test_an_array_job_runs_its_children_and_sums_them_up(batch_backend: LocalBackend) -> None:
    parent = run(batch_backend, "echo child $AWS_BATCH_JOB_ARRAY_INDEX of $AWS_BATCH_JOB_ARRAY_SIZE $AWS_BATCH_JOB_ID",
                 array_properties={"size": 3})
    done = reaches(batch_backend, parent, "SUCCEEDED", "FAILED")
    assert done.status.value == "SUCCEEDED"
    assert done.array_properties.status_summary["SUCCEEDED"] == 3 and done.attempts == []
    children = batch_backend.batch.list_jobs(array_job_id=parent, job_status="SUCCEEDED")
    assert sorted(c.job_id for c in children) == [f"{parent}:{i}" for i in range(3)]
    # A queue lists the parent, not its children.
    assert [j.job_id for j in batch_backend.batch.list_jobs("q", job_status="SUCCEEDED")] == [parent]
    child = job(batch_backend, f"{parent}:2")
    assert child.array_properties.index == 2
    assert log_lines(batch_backend, child.attempts[0].container.log_stream_name) == [f"child 2 of 3 {parent}:2"]


def test_a_dependent_job_waits_and_a_failed_dependency_fails_it(batch_backend: LocalBackend) -> None:
    first = run(batch_backend, "sleep 1")
    after = run(batch_backend, "true", depends_on=[{"jobId": first}])
    assert reaches(batch_backend, after, "PENDING").status.value == "PENDING"
    assert reaches(batch_backend, after, "SUCCEEDED", timeout=30)
    assert job(batch_backend, first).stopped_at <= job(batch_backend, after).started_at
    broken = run(batch_backend, "exit 4")
    blocked = run(batch_backend, "true", depends_on=[{"jobId": broken}])
    failed = reaches(batch_backend, blocked, "FAILED", "SUCCEEDED")
    assert failed.status.value == "FAILED" and failed.status_reason == "Dependent Job failed"
    assert failed.attempts == []


def test_sequential_children_run_in_index_order(batch_backend: LocalBackend) -> None:
    parent = run(batch_backend, "true", array_properties={"size": 3}, depends_on=[{"type": "SEQUENTIAL"}])
    reaches(batch_backend, parent, "SUCCEEDED")
    kids = [job(batch_backend, f"{parent}:{i}") for i in range(3)]
    assert kids[0].stopped_at <= kids[1].started_at and kids[1].stopped_at <= kids[2].started_at
    assert kids[1].depends_on[0].job_id == f"{parent}:0" and kids[1].depends_on[0].type == "SEQUENTIAL"


def test_a_failing_job_is_retried_then_fails_with_every_attempt(batch_backend: LocalBackend) -> None:
    job_id = run(batch_backend, "echo attempt $AWS_BATCH_JOB_ATTEMPT; exit 3", retry_strategy={"attempts": 3})
    done = reaches(batch_backend, job_id, "SUCCEEDED", "FAILED")
    assert done.status.value == "FAILED" and done.status_reason == "Essential container in task exited"
    assert [a.container.exit_code for a in done.attempts] == [3, 3, 3]
    assert [log_lines(batch_backend, a.container.log_stream_name) for a in done.attempts] == [
        ["attempt 1"], ["attempt 2"], ["attempt 3"]]


def test_evaluate_on_exit_can_stop_the_retries(batch_backend: LocalBackend) -> None:
    rules = [{"onExitCode": "7", "action": "exit"}, {"onExitCode": "*", "action": "RETRY"}]
    job_id = run(batch_backend, "exit 7", retry_strategy={"attempts": 5, "evaluateOnExit": rules})
    done = reaches(batch_backend, job_id, "FAILED", "SUCCEEDED")
    assert [a.container.exit_code for a in done.attempts] == [7]


def test_a_queue_at_its_vcpu_cap_holds_jobs_runnable_and_cancel_and_terminate_end_them(
        batch_backend: LocalBackend) -> None:
    running = [run(batch_backend, "sleep 60", name=f"long{i}") for i in range(16)]  # 16 x 0.25 = maxvCpus 4
    held = run(batch_backend, "true", name="held")
    for job_id in running:
        reaches(batch_backend, job_id, "RUNNING")
    assert job(batch_backend, held).status.value == "RUNNABLE"
    assert len(batch_backend.batch.list_jobs("q", job_status="RUNNING")) == 16
    batch_backend.batch.cancel_job(held, "not needed")
    cancelled = reaches(batch_backend, held, "FAILED")
    assert cancelled.status_reason == "not needed" and cancelled.attempts == []
    # CancelJob leaves a RUNNING job alone; TerminateJob stops it.
    batch_backend.batch.cancel_job(running[0], "too late")
    assert job(batch_backend, running[0]).status.value == "RUNNING"
    batch_backend.batch.terminate_job(running[0], "wrong input")
    ended = reaches(batch_backend, running[0], "FAILED", timeout=20)
    assert ended.status_reason == "wrong input" and len(ended.attempts) == 1
    assert ended.attempts[0].container.exit_code in (137, 143)
    assert until(lambda: not batch_backend.containers.of_record("job", ended.job_arn))
    # The freed capacity goes to the next job.
    after = run(batch_backend, "true", name="after")
    assert reaches(batch_backend, after, "SUCCEEDED").status.value == "SUCCEEDED"
    for job_id in running[1:]:
        batch_backend.batch.terminate_job(job_id, "done")


def test_a_disabled_environment_runs_nothing_until_enabled(batch_backend: LocalBackend) -> None:
    batch_backend.batch.update_compute_environment("ce", state="DISABLED")
    job_id = run(batch_backend, "true")
    assert reaches(batch_backend, job_id, "RUNNABLE")
    with pytest.raises(AssertionError):
        reaches(batch_backend, job_id, "STARTING", "RUNNING", "SUCCEEDED", timeout=1)
    batch_backend.batch.update_compute_environment("ce", state="ENABLED")
    assert reaches(batch_backend, job_id, "SUCCEEDED")


def test_an_unmanaged_environment_runs_nothing_until_capacity_is_given(batch_backend: LocalBackend) -> None:
    batch = batch_backend.batch
    batch.create_compute_environment("own", type="UNMANAGED")
    batch.create_job_queue("mine", 1, [{"order": 1, "computeEnvironment": "own"}])
    batch.register_job_definition("ec2", container_properties={
        "image": BUSYBOX_IMAGE, "command": ["true"],
        "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "64"}]})
    job_id = batch.submit_job("j", "mine", "ec2").job_id
    assert reaches(batch_backend, job_id, "RUNNABLE")
    with pytest.raises(AssertionError):
        reaches(batch_backend, job_id, "STARTING", "RUNNING", "SUCCEEDED", timeout=1)
    batch.update_compute_environment("own", unmanagedv_cpus=2)
    assert reaches(batch_backend, job_id, "SUCCEEDED")


def test_an_image_that_cannot_be_had_fails_the_attempt_and_says_which(batch_backend: LocalBackend) -> None:
    batch = batch_backend.batch
    batch.register_job_definition("missing", platform_capabilities=["FARGATE"], container_properties={
        "image": "127.0.0.1:9/nothing/here:1", "resourceRequirements": [
            {"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}]})
    done = reaches(batch_backend, batch.submit_job("j", "q", "missing").job_id, "FAILED", timeout=60)
    assert done.status_reason.startswith("CannotPullContainerError") and "127.0.0.1:9/nothing/here:1" in \
        done.status_reason


def test_an_attempt_past_its_timeout_is_stopped_and_fails_with_batchs_reason(docker_client, tmp_path: Path) -> None:  # noqa: ANN001
    clock = FixedClock()
    backend = make_backend(tmp_path / "state", clock=clock)
    try:
        prepare(backend)
        job_id = run(backend, "exec sleep 300", timeout={"attemptDurationSeconds": 60})
        reaches(backend, job_id, "RUNNING")
        clock.advance(61)
        done = reaches(backend, job_id, "FAILED", "SUCCEEDED", timeout=20)
        assert done.status_reason == "Job attempt duration exceeded timeout"
        assert done.attempts[0].status_reason == "Job attempt duration exceeded timeout"
        assert done.attempts[0].container.exit_code == 137  # sleep as PID 1 ignores SIGTERM: SIGKILL after the grace
    finally:
        owner = backend.store.state_id
        backend.close()
        remove_owned(docker_client, owner)


def test_a_job_still_running_when_the_emulator_stops_is_adopted_and_a_vanished_one_fails(
        docker_client, tmp_path: Path) -> None:  # noqa: ANN001
    state = tmp_path / "state"
    first = make_backend(state)
    owner = first.store.state_id
    try:
        prepare(first)
        keeps = run(first, "echo before; sleep 2; echo after", name="keeps")
        vanishes = run(first, "sleep 60", name="vanishes")
        reaches(first, keeps, "RUNNING")
        reaches(first, vanishes, "RUNNING")
        gone = job(first, vanishes)
    finally:
        first.close()
    # The job's containers outlive the emulator, as a job outlives Batch's console.
    [container] = docker_client.containers.list(filters={"label": f"computetui.arn={gone.job_arn}"})
    container.remove(force=True)
    second = make_backend(state)
    try:
        done = reaches(second, keeps, "SUCCEEDED", "FAILED")
        assert done.status.value == "SUCCEEDED" and len(done.attempts) == 1
        assert log_lines(second, done.attempts[0].container.log_stream_name) == ["before", "after"]
        lost = reaches(second, vanishes, "FAILED", "SUCCEEDED")
        assert "vanished while the emulator was not running" in lost.status_reason
    finally:
        second.close()
        remove_owned(docker_client, owner)


def test_user_ulimits_and_a_read_only_root_are_the_containers(batch_backend: LocalBackend) -> None:
    batch = batch_backend.batch
    batch.register_job_definition("locked", platform_capabilities=["FARGATE"], container_properties={
        "image": BUSYBOX_IMAGE, "user": "1234:1234", "readonlyRootFilesystem": True,
        "ulimits": [{"name": "nofile", "softLimit": 321, "hardLimit": 654}],
        "command": ["sh", "-c", "id -u; ulimit -n; touch /made 2>/dev/null && echo writable || echo read-only"],
        "resourceRequirements": [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}]})
    done = reaches(batch_backend, batch.submit_job("j", "q", "locked").job_id, "SUCCEEDED", "FAILED")
    assert until(lambda: log_lines(batch_backend, done.attempts[0].container.log_stream_name)) == [
        "1234", "321", "read-only"]


def test_a_job_over_its_memory_is_killed_and_says_so(batch_backend: LocalBackend) -> None:
    # tail keeps a line until its end: a stream of zeros with no newline grows it past 512 MiB.
    job_id = run(batch_backend, "head -c 700m /dev/zero | tail >/dev/null")
    done = reaches(batch_backend, job_id, "FAILED", "SUCCEEDED", timeout=60)
    assert done.status.value == "FAILED"
    assert done.attempts[0].container.reason == "OutOfMemoryError: Container killed due to memory usage"
