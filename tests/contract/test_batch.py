"""The contract, on every backend. AWS Batch: compute environments, job queues, job definitions, jobs."""

from __future__ import annotations

import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from computetui.backends import open_backend
from computetui.backends.base import Backend
from computetui.backends.errors import InvalidParameter
from computetui.backends.local import LocalBackend
from computetui.models import batch as m
from tests.contract.conftest import BACKENDS
from tests.support.aws import reset_moto
from tests.support.aws_stubs import aws_refuses, batch_environment_kwargs, is_aws
from tests.support.images import BUSYBOX_IMAGE
from tests.support.waits import remove_owned, until


def test_batch_environment_queue_and_definition(contract_backend) -> None:  # noqa: ANN001
    batch = contract_backend.batch
    # aws: real subnets, security group, instance profile and service role, made in moto.
    ce = batch.create_compute_environment(
        compute_environment_name="spot",
        type="MANAGED",
        **batch_environment_kwargs(
            contract_backend,
            {
                "type": "SPOT",
                "minvCpus": 0,
                "maxvCpus": 16,
                "subnets": ["s"],
                "instanceTypes": ["optimal"],
            },
        ),
    )
    assert ce.status.value == "VALID" and ce.compute_resources.max_vcpus == 16
    # AWS answers a queue's environments by ARN whatever they were named by; moto echoes the
    # name back, so on aws the queue names its environment by ARN.
    reference = ce.compute_environment_arn if contract_backend.name == "aws" else "spot"
    queue = batch.create_job_queue(
        job_queue_name="q", priority=5, compute_environment_order=[{"order": 1, "computeEnvironment": reference}]
    )
    assert queue.compute_environment_order[0].compute_environment == ce.compute_environment_arn
    # moto insists on vCPUs and memory at registration (AWS also takes them at submission).
    requirements = [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "512"}]
    container = {"image": "busybox", "resourceRequirements": requirements}
    first = batch.register_job_definition(job_definition_name="jd", container_properties=container)
    second = batch.register_job_definition(job_definition_name="jd", container_properties=container)
    assert (first.revision, second.revision) == (1, 2)
    assert batch.list_jobs("q") == []
    # An enabled queue cannot be deleted, nor an environment a queue uses. moto deletes both:
    # on aws, AWS's refusals are answered by botocore's Stubber (tests/support/aws_stubs.py).
    with aws_refuses(
        contract_backend,
        "batch",
        "delete_job_queue",
        "ClientException",
        "Cannot delete, job queue must be DISABLED first",
        {"jobQueue": "q"},
    ):
        with pytest.raises(InvalidParameter):
            batch.delete_job_queue("q")
    batch.update_compute_environment("spot", state="DISABLED")
    with aws_refuses(
        contract_backend,
        "batch",
        "delete_compute_environment",
        "ClientException",
        "Cannot delete, found existing JobQueue relationship",
        {"computeEnvironment": "spot"},
    ):
        with pytest.raises(InvalidParameter, match="JobQueue relationship"):
            batch.delete_compute_environment("spot")
    batch.update_job_queue("q", state="DISABLED")
    batch.delete_job_queue("q")
    batch.delete_compute_environment("spot")
    assert batch.describe_compute_environments() == []


def test_batch_queue_priority_is_bounded(contract_backend) -> None:  # noqa: ANN001
    contract_backend.batch.create_compute_environment(
        compute_environment_name="fargate",  # moto wants 3 characters at least; AWS takes 1
        **batch_environment_kwargs(contract_backend, {"type": "FARGATE", "maxvCpus": 4, "subnets": ["s"]}),
    )
    with pytest.raises(InvalidParameter) as caught:
        contract_backend.batch.create_job_queue(
            job_queue_name="q",
            priority=1001,
            compute_environment_order=[{"order": 1, "computeEnvironment": "fargate"}],
        )
    assert caught.value.field == "priority"


# -- jobs ----------------------------------------------------------------------
# Jobs run in real containers of the busybox test image (built locally; nothing is pulled): on
# local by the emulator's scheduler, on aws by moto's Batch, which runs each job with the docker
# SDK in a thread of the moto server (this process). Where moto does not do what AWS does, the
# aws case is an expected failure that says what moto lacks (moto_lacks), run all the same
# (strict), so a moto that learns it shows up.

JOB_STATUS_ORDER = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"]
DONE = ("SUCCEEDED", "FAILED")
JOB_WAIT_S = 60
ONE_VCPU = [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]  # a Fargate size
# Ends at once on SIGTERM (a shell as PID 1 ignores it otherwise, and AWS waits 30 s for SIGKILL).
LONG_RUNNING = ["sh", "-c", "trap 'exit 143' TERM; sleep 600 & wait"]


@pytest.fixture(params=BACKENDS)
def jobs_backend(request: pytest.FixtureRequest, docker_client, tmp_path: Path) -> Iterator[Backend]:  # noqa: ANN001
    """A backend whose jobs run: local on the real engine with its controller, aws on moto's
    server with moto's Docker jobs. Each test's ids come from a seed of its own (its name's
    CRC), so no two tests' moto containers (named after the job) can meet."""
    seed = zlib.crc32(request.node.nodeid.encode())
    if request.param == "local":
        backend = LocalBackend(tmp_path / "state", seed=seed, tick_seconds=0.2, lambda_sandbox="process")
        owner = backend.store.state_id
        try:
            yield backend
        finally:
            backend.close()
            remove_owned(docker_client, owner)
        return
    endpoint = request.getfixturevalue("moto_server")
    request.getfixturevalue("aws_credentials")
    reset_moto(endpoint)
    with urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/seed?a={seed}", method="POST", data=b""), timeout=10
    ):
        pass
    backend = open_backend("aws", region="us-east-1", endpoint_url=endpoint)
    try:
        yield backend
    finally:
        _end_moto_jobs(backend, docker_client)
        backend.close()


def _end_moto_jobs(backend: Backend, docker_client) -> None:  # noqa: ANN001
    """Terminate what a test left running on moto and wait for moto to remove its containers
    (named ``<job name>-<job id>``), so none outlives the test."""
    jobs = [
        job
        for queue in backend.batch.describe_job_queues()
        for job in backend.batch.list_jobs(queue.job_queue_name, filters=[{"name": "JOB_NAME", "values": ["*"]}])
    ]
    for job in jobs:
        if job.status.value not in DONE:
            backend.batch.terminate_job(job.job_id, "the test ended")
    ids = [job.job_id.replace(":", "-") for job in jobs]
    until(
        lambda: not any(docker_client.containers.list(all=True, sparse=True, filters={"name": i}) for i in ids),
        timeout=JOB_WAIT_S,
    )


def moto_lacks(backend: Backend, request: pytest.FixtureRequest, reason: str) -> None:
    """On aws (moto), this scenario is expected to fail, for ``reason``."""
    if is_aws(backend):
        request.applymarker(pytest.mark.xfail(reason=f"moto {reason}", strict=True))


def job_queue(backend: Backend, max_vcpus: int = 4) -> str:
    """A Fargate compute environment of ``max_vcpus`` and a queue on it; the queue's name."""
    ce = backend.batch.create_compute_environment(
        compute_environment_name="jobs-ce",
        **batch_environment_kwargs(backend, {"type": "FARGATE", "maxvCpus": max_vcpus, "subnets": ["s"]}),
    )
    backend.batch.create_job_queue(
        job_queue_name="jobs",
        priority=1,
        compute_environment_order=[{"order": 1, "computeEnvironment": ce.compute_environment_arn}],
    )
    return "jobs"


def job_definition(backend: Backend, name: str, command: list[str], **kwargs: Any) -> str:
    """A busybox job definition for Fargate running ``command`` with 1 vCPU; its name."""
    backend.batch.register_job_definition(
        job_definition_name=name,
        container_properties={"image": BUSYBOX_IMAGE, "command": command, "resourceRequirements": ONE_VCPU},
        platform_capabilities=["FARGATE"],  # EC2 otherwise, which a Fargate queue refuses
        **kwargs,
    )
    return name


def sh(script: str) -> list[str]:
    return ["sh", "-c", script]


def describe(backend: Backend, job_id: str) -> m.JobDetail:
    (job,) = backend.batch.describe_jobs([job_id])
    return job


def wait_for(
    backend: Backend, job_id: str, *statuses: str, seen: list[str] | None = None, timeout: float = JOB_WAIT_S
) -> m.JobDetail:
    """The job once it is in one of ``statuses`` (bounded); every status polled goes in ``seen``."""

    def reached() -> m.JobDetail | None:
        job = describe(backend, job_id)
        if seen is not None and (not seen or seen[-1] != job.status.value):
            seen.append(job.status.value)
        return job if job.status.value in statuses else None

    return until(reached, timeout=timeout)


def log_lines(backend: Backend, stream: str) -> list[str]:
    """The messages of a job's log stream in ``/aws/batch/job``."""
    if is_aws(backend):
        # moto writes a job's events with fractional-millisecond timestamps, which the logs
        # facet's model (AWS's integer milliseconds) refuses: read them with the client.
        answer = backend.client("logs").get_log_events(  # type: ignore[attr-defined]
            logGroupName="/aws/batch/job", logStreamName=stream, startFromHead=True
        )
        return [e["message"] for e in answer["events"]]
    return [e.message for e in backend.logs.get_log_events("/aws/batch/job", stream, start_from_head=True)]


@pytest.mark.docker
def test_a_job_goes_from_submitted_to_succeeded_in_a_container(jobs_backend) -> None:  # noqa: ANN001
    queue = job_queue(jobs_backend)
    definition = job_definition(jobs_backend, "hello", sh('echo "hello from $AWS_BATCH_JOB_ID"'))
    job = jobs_backend.batch.submit_job("hello", queue, definition)
    assert job.job_name == "hello" and job.job_queue.endswith(":job-queue/jobs")
    seen = [job.status.value]  # as described just after: SUBMITTED, or already past it on moto
    done = wait_for(jobs_backend, job.job_id, *DONE, seen=seen)
    assert done.status is m.JobStatus.SUCCEEDED
    # Forward only, whichever of the states between were caught.
    assert seen == sorted(seen, key=JOB_STATUS_ORDER.index)
    stream = done.container.log_stream_name
    assert until(lambda: f"hello from {job.job_id}" in log_lines(jobs_backend, stream), timeout=10)


@pytest.mark.docker
def test_a_finished_job_describes_its_attempt_and_container(jobs_backend) -> None:  # noqa: ANN001
    queue = job_queue(jobs_backend)
    definition = job_definition(jobs_backend, "shape", sh("echo shape"))
    job = wait_for(jobs_backend, jobs_backend.batch.submit_job("shape", queue, definition).job_id, *DONE)
    assert job.status is m.JobStatus.SUCCEEDED
    assert job.job_queue.endswith(":job-queue/jobs") and "job-definition/shape:1" in job.job_definition
    assert job.container.command == sh("echo shape")
    assert job.container.log_stream_name.startswith("shape/default/")
    (attempt,) = job.attempts
    assert attempt.container.log_stream_name == job.container.log_stream_name
    assert job.started_at <= attempt.stopped_at <= job.stopped_at
    summaries = jobs_backend.batch.list_jobs(queue, job_status="SUCCEEDED")
    assert [(s.job_id, s.job_name) for s in summaries] == [(job.job_id, "shape")]


@pytest.mark.docker
def test_each_attempt_and_the_container_keep_the_exit_code(jobs_backend, request) -> None:  # noqa: ANN001
    moto_lacks(jobs_backend, request, "reports no exitCode in a job's container or in its attempts")
    queue = job_queue(jobs_backend)
    ok = jobs_backend.batch.submit_job("ok", queue, job_definition(jobs_backend, "ok", ["true"]))
    bad = jobs_backend.batch.submit_job("bad", queue, job_definition(jobs_backend, "bad", sh("exit 3")))
    ok, bad = (wait_for(jobs_backend, j.job_id, *DONE) for j in (ok, bad))
    assert (ok.status, ok.container.exit_code, [a.container.exit_code for a in ok.attempts]) == (
        m.JobStatus.SUCCEEDED,
        0,
        [0],
    )
    assert (bad.status, bad.container.exit_code, [a.container.exit_code for a in bad.attempts]) == (
        m.JobStatus.FAILED,
        3,
        [3],
    )
    assert bad.status_reason == m.JobStatusReason.ESSENTIAL_EXITED


@pytest.mark.docker
def test_jobs_are_listed_by_status_and_by_a_name_filter_across_statuses(jobs_backend) -> None:  # noqa: ANN001
    queue = job_queue(jobs_backend)
    succeeds, fails = (
        job_definition(jobs_backend, "succeeds", ["true"]),
        job_definition(jobs_backend, "fails", ["false"]),
    )
    jobs = [
        jobs_backend.batch.submit_job("render-a", queue, succeeds),
        jobs_backend.batch.submit_job("Render-b", queue, fails),
        jobs_backend.batch.submit_job("other", queue, succeeds),
    ]
    for job in jobs:
        wait_for(jobs_backend, job.job_id, *DONE)

    def names(**kwargs: Any) -> list[str]:
        return sorted(s.job_name for s in jobs_backend.batch.list_jobs(queue, **kwargs))

    assert names(job_status="SUCCEEDED") == ["other", "render-a"]
    assert names(job_status="FAILED") == ["Render-b"]
    assert names(job_status="RUNNING") == []
    # A filter answers every status; JOB_NAME is a prefix before '*', in either case.
    assert names(job_status="RUNNING", filters=[{"name": "JOB_NAME", "values": ["render*"]}]) == [
        "Render-b",
        "render-a",
    ]
    assert names(filters=[{"name": "JOB_NAME", "values": ["OTHER"]}]) == ["other"]


@pytest.mark.docker
def test_an_array_job_runs_its_children_and_sums_up_their_statuses(jobs_backend) -> None:  # noqa: ANN001
    queue = job_queue(jobs_backend)
    definition = job_definition(jobs_backend, "fan", ["true"])
    parent = jobs_backend.batch.submit_job("fan", queue, definition, array_properties={"size": 3})
    children = [f"{parent.job_id}:{i}" for i in range(3)]
    for child in children:
        assert wait_for(jobs_backend, child, *DONE).status is m.JobStatus.SUCCEEDED
    listed = jobs_backend.batch.list_jobs(array_job_id=parent.job_id, job_status="SUCCEEDED")
    assert sorted(c.job_id for c in listed) == children
    done = wait_for(jobs_backend, parent.job_id, *DONE)
    assert done.status is m.JobStatus.SUCCEEDED
    assert done.array_properties.size == 3 and done.array_properties.status_summary["SUCCEEDED"] == 3


@pytest.mark.docker
def test_each_array_child_knows_its_index(jobs_backend, request) -> None:  # noqa: ANN001
    moto_lacks(jobs_backend, request, "gives a child neither arrayProperties.index nor AWS_BATCH_JOB_ARRAY_INDEX")
    queue = job_queue(jobs_backend)
    definition = job_definition(jobs_backend, "fan", sh('echo "index $AWS_BATCH_JOB_ARRAY_INDEX"'))
    parent = jobs_backend.batch.submit_job("fan", queue, definition, array_properties={"size": 2})
    for i in range(2):
        child = wait_for(jobs_backend, f"{parent.job_id}:{i}", *DONE)
        assert child.array_properties.index == i
        assert until(lambda: f"index {i}" in log_lines(jobs_backend, child.container.log_stream_name), timeout=10)  # noqa: B023


@pytest.mark.docker
def test_a_failed_child_fails_the_array_job(jobs_backend, request) -> None:  # noqa: ANN001
    moto_lacks(jobs_backend, request, "leaves an array job SUBMITTED when a child fails (AWS: FAILED)")
    queue = job_queue(jobs_backend)
    definition = job_definition(jobs_backend, "fan", ["false"])
    parent = jobs_backend.batch.submit_job("fan", queue, definition, array_properties={"size": 2})
    for i in range(2):
        wait_for(jobs_backend, f"{parent.job_id}:{i}", *DONE)
    done = wait_for(jobs_backend, parent.job_id, *DONE, timeout=10)  # once its children are done
    assert done.status is m.JobStatus.FAILED and done.array_properties.status_summary["FAILED"] == 2


@pytest.mark.docker
def test_a_dependent_job_waits_for_its_dependency_to_succeed(jobs_backend) -> None:  # noqa: ANN001
    queue = job_queue(jobs_backend)
    first = jobs_backend.batch.submit_job("first", queue, job_definition(jobs_backend, "slow", sh("sleep 2")))
    then = jobs_backend.batch.submit_job(
        "then", queue, job_definition(jobs_backend, "quick", ["true"]), depends_on=[{"jobId": first.job_id}]
    )

    def first_done() -> bool:
        before, after = describe(jobs_backend, first.job_id), describe(jobs_backend, then.job_id)
        if before.status.value not in DONE:  # while the first runs, the second has not started
            assert after.status.value in ("SUBMITTED", "PENDING"), after.status
        return before.status.value in DONE

    until(first_done, timeout=JOB_WAIT_S)
    first, then = describe(jobs_backend, first.job_id), wait_for(jobs_backend, then.job_id, *DONE)
    assert (first.status, then.status) == (m.JobStatus.SUCCEEDED, m.JobStatus.SUCCEEDED)
    assert then.started_at >= first.stopped_at
    assert [d.job_id for d in then.depends_on] == [first.job_id]


@pytest.mark.docker
def test_a_failed_dependency_fails_the_dependent_job_before_it_runs(jobs_backend) -> None:  # noqa: ANN001
    queue = job_queue(jobs_backend)
    first = jobs_backend.batch.submit_job("first", queue, job_definition(jobs_backend, "fails", ["false"]))
    then = jobs_backend.batch.submit_job(
        "then", queue, job_definition(jobs_backend, "quick", ["true"]), depends_on=[{"jobId": first.job_id}]
    )
    assert wait_for(jobs_backend, first.job_id, *DONE).status is m.JobStatus.FAILED
    then = wait_for(jobs_backend, then.job_id, *DONE)
    assert then.status is m.JobStatus.FAILED and then.attempts == []


@pytest.mark.docker
def test_a_job_failed_by_its_dependency_says_so(jobs_backend, request) -> None:  # noqa: ANN001
    moto_lacks(jobs_backend, request, "fails a job whose dependency failed without a statusReason")
    queue = job_queue(jobs_backend)
    first = jobs_backend.batch.submit_job("first", queue, job_definition(jobs_backend, "fails", ["false"]))
    then = jobs_backend.batch.submit_job(
        "then", queue, job_definition(jobs_backend, "quick", ["true"]), depends_on=[{"jobId": first.job_id}]
    )
    then = wait_for(jobs_backend, then.job_id, *DONE)
    assert then.status is m.JobStatus.FAILED and then.status_reason == m.JobStatusReason.DEPENDENCY_FAILED


@pytest.mark.docker
def test_cancel_job_fails_a_pending_job_with_the_reason(jobs_backend) -> None:  # noqa: ANN001
    queue = job_queue(jobs_backend)
    first = jobs_backend.batch.submit_job("first", queue, job_definition(jobs_backend, "long", LONG_RUNNING))
    then = jobs_backend.batch.submit_job(
        "then", queue, job_definition(jobs_backend, "quick", ["true"]), depends_on=[{"jobId": first.job_id}]
    )
    wait_for(jobs_backend, then.job_id, "PENDING")
    jobs_backend.batch.cancel_job(then.job_id, "not needed")
    then = wait_for(jobs_backend, then.job_id, *DONE)
    assert (then.status, then.status_reason, then.attempts) == (m.JobStatus.FAILED, "not needed", [])
    jobs_backend.batch.terminate_job(first.job_id, "done")
    assert wait_for(jobs_backend, first.job_id, *DONE).status is m.JobStatus.FAILED


@pytest.mark.docker
def test_cancel_job_fails_a_runnable_job_waiting_for_capacity(jobs_backend, request) -> None:  # noqa: ANN001
    moto_lacks(jobs_backend, request, "has no capacity: a job never waits in RUNNABLE for vCPUs")
    queue = job_queue(jobs_backend, max_vcpus=1)
    long = job_definition(jobs_backend, "long", LONG_RUNNING)
    holder = jobs_backend.batch.submit_job("holder", queue, long)
    wait_for(jobs_backend, holder.job_id, "RUNNING")
    waiting = jobs_backend.batch.submit_job("waiting", queue, long)  # 1 vCPU more than the environment has
    assert wait_for(jobs_backend, waiting.job_id, *JOB_STATUS_ORDER[2:]).status is m.JobStatus.RUNNABLE
    jobs_backend.batch.cancel_job(waiting.job_id, "not needed")
    waiting = wait_for(jobs_backend, waiting.job_id, *DONE)
    assert (waiting.status, waiting.status_reason, waiting.attempts) == (m.JobStatus.FAILED, "not needed", [])
    jobs_backend.batch.terminate_job(holder.job_id, "done")
    wait_for(jobs_backend, holder.job_id, *DONE)


@pytest.mark.docker
def test_cancel_job_leaves_a_running_job_running(jobs_backend) -> None:  # noqa: ANN001
    queue = job_queue(jobs_backend)
    job = jobs_backend.batch.submit_job("long", queue, job_definition(jobs_backend, "long", LONG_RUNNING))
    wait_for(jobs_backend, job.job_id, "RUNNING")
    jobs_backend.batch.cancel_job(job.job_id, "too late")  # STARTING and RUNNING need TerminateJob
    assert describe(jobs_backend, job.job_id).status is m.JobStatus.RUNNING
    jobs_backend.batch.terminate_job(job.job_id, "done")
    wait_for(jobs_backend, job.job_id, *DONE)


@pytest.mark.docker
def test_terminate_job_fails_a_running_job_with_the_reason(jobs_backend) -> None:  # noqa: ANN001
    queue = job_queue(jobs_backend)
    job = jobs_backend.batch.submit_job("long", queue, job_definition(jobs_backend, "long", LONG_RUNNING))
    wait_for(jobs_backend, job.job_id, "RUNNING")
    jobs_backend.batch.terminate_job(job.job_id, "wrong input")
    job = wait_for(jobs_backend, job.job_id, *DONE)
    assert (job.status, job.status_reason) == (m.JobStatus.FAILED, "wrong input")
    assert len(job.attempts) == 1 and job.attempts[0].stopped_at is not None


@pytest.mark.docker
def test_a_failing_job_is_retried_until_its_attempts_run_out(jobs_backend, request) -> None:  # noqa: ANN001
    moto_lacks(jobs_backend, request, "ignores retryStrategy: a job has one attempt")
    queue = job_queue(jobs_backend)
    definition = job_definition(jobs_backend, "flaky", sh('echo "attempt $AWS_BATCH_JOB_ATTEMPT"; exit 3'))
    job = jobs_backend.batch.submit_job("flaky", queue, definition, retry_strategy={"attempts": 2})
    job = wait_for(jobs_backend, job.job_id, *DONE)
    assert job.status is m.JobStatus.FAILED
    assert [a.container.exit_code for a in job.attempts] == [3, 3]
    streams = [a.container.log_stream_name for a in job.attempts]
    assert [log_lines(jobs_backend, s) for s in streams] == [["attempt 1"], ["attempt 2"]]


# -- what SubmitJob refuses ----------------------------------------------------
@pytest.fixture
def submittable(contract_backend) -> Backend:  # noqa: ANN001
    """A backend with a queue ``jobs`` and a job definition ``quick``."""
    job_queue(contract_backend)
    job_definition(contract_backend, "quick", ["true"])
    return contract_backend


@pytest.mark.parametrize(
    ("keywords", "field"),
    [
        ({"array_properties": {"size": 1}}, "arrayProperties.size"),
        ({"array_properties": {"size": 10_001}}, "arrayProperties.size"),
        ({"retry_strategy": {"attempts": 11}}, "retryStrategy.attempts"),
        ({"timeout": {"attemptDurationSeconds": 59}}, "timeout.attemptDurationSeconds"),
        ({"depends_on": [{"jobId": f"job-{i}"} for i in range(21)]}, "dependsOn"),
    ],
)
def test_submit_job_refuses_what_is_out_of_bounds_naming_the_field(submittable, keywords, field) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        submittable.batch.submit_job("render", "jobs", "quick", **keywords)
    assert (caught.value.code, caught.value.field) == ("ClientException", field)


def test_submit_job_refuses_a_queue_or_definition_that_does_not_exist(submittable) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter, match="nowhere") as caught:
        submittable.batch.submit_job("render", "nowhere", "quick")
    assert caught.value.code == "ClientException"
    with pytest.raises(InvalidParameter, match="nothing") as caught:
        submittable.batch.submit_job("render", "jobs", "nothing")
    assert caught.value.code == "ClientException"
    assert submittable.batch.list_jobs("jobs", filters=[{"name": "JOB_NAME", "values": ["*"]}]) == []


def test_scheduling_policies(contract_backend) -> None:  # noqa: ANN001
    batch = contract_backend.batch
    policy = batch.create_scheduling_policy("fair", fairshare_policy={
        "shareDecaySeconds": 60, "shareDistribution": [{"shareIdentifier": "a", "weightFactor": 0.5}]})
    assert policy.arn.endswith(":scheduling-policy/fair")
    [found] = batch.describe_scheduling_policies([policy.arn])
    assert found.fairshare_policy.share_distribution[0].weight_factor == 0.5
    batch.update_scheduling_policy(policy.arn, fairshare_policy={"shareDecaySeconds": 120})
    assert batch.describe_scheduling_policies([policy.arn])[0].fairshare_policy.share_decay_seconds == 120
    batch.delete_scheduling_policy(policy.arn)
    assert batch.describe_scheduling_policies() == []
