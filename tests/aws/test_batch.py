"""The aws backend's Batch adapter: against moto's server, and with botocore's Stubber where
moto cannot show it (more than one page, AWS's exact requests)."""

from __future__ import annotations

import uuid

import pytest

from computetui.backends import open_backend
from computetui.backends.aws import AwsBackend
from computetui.backends.aws.batch import AwsBatch
from computetui.backends.errors import ComputeError, InvalidParameter, Unavailable
from computetui.models import batch as m
from tests.support.aws import CallCounter
from tests.support.aws_stubs import (
    assert_read_only,
    batch_environment_kwargs,
    closed_port,
    moto_batch_without_docker,
    stubbed,
)

FARGATE = {"type": "FARGATE", "maxvCpus": 16, "subnets": ["s"]}
CONTAINER = {
    "image": "busybox",
    "command": ["echo", "hello"],
    "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "512"}],
}
ACCOUNT = "123456789012"


def queue_arn(name: str) -> str:
    return f"arn:aws:batch:us-east-1:{ACCOUNT}:job-queue/{name}"


def make_queue(backend, calls: CallCounter, name: str = "q") -> tuple[m.ComputeEnvironmentDetail, m.JobQueueDetail]:  # noqa: ANN001
    environment = backend.batch.create_compute_environment(
        compute_environment_name="fargate", **batch_environment_kwargs(backend, FARGATE)
    )
    queue = backend.batch.create_job_queue(
        job_queue_name=name,
        priority=10,
        compute_environment_order=[
            m.ComputeEnvironmentOrder(order=1, compute_environment=environment.compute_environment_arn)
        ],
    )
    return environment, queue


def job_detail(job_id: str, status: str = "RUNNABLE") -> dict:
    return {
        "jobArn": f"arn:aws:batch:us-east-1:{ACCOUNT}:job/{job_id}",
        "jobName": "render",
        "jobId": job_id,
        "jobQueue": queue_arn("q"),
        "status": status,
        "createdAt": 1717243200000,
        "startedAt": 1717243260000,  # required by the service model, even before a job starts
        "jobDefinition": f"arn:aws:batch:us-east-1:{ACCOUNT}:job-definition/jd:1",
        "dependsOn": [],
        "container": {"image": "busybox", "command": ["echo"]},
    }


def job_summary(job_id: str, status: str = "RUNNABLE") -> dict:
    return {
        "jobArn": f"arn:aws:batch:us-east-1:{ACCOUNT}:job/{job_id}",
        "jobId": job_id,
        "jobName": "render",
        "createdAt": 1717243200000,
        "status": status,
    }


def test_the_adapter_is_the_batch_facet(aws_backend) -> None:  # noqa: ANN001
    assert isinstance(aws_backend.batch, AwsBatch)


def test_environment_queue_and_definition_each_cost_a_call_and_a_read(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    batch = aws_backend.batch
    kwargs = batch_environment_kwargs(aws_backend, FARGATE)
    calls.clear()

    environment = batch.create_compute_environment(compute_environment_name="fargate", **kwargs)
    assert (
        environment.compute_resources.type is m.ResourceType.FARGATE and environment.compute_resources.max_vcpus == 16
    )
    assert environment.type is m.CEType.MANAGED  # the contract's default, sent: AWS requires a type
    assert (calls.of("batch", "CreateComputeEnvironment"), calls.of("batch", "DescribeComputeEnvironments")) == (1, 1)

    queue = batch.create_job_queue(
        job_queue_name="q",
        priority=10,
        compute_environment_order=[
            m.ComputeEnvironmentOrder(order=1, compute_environment=environment.compute_environment_arn)
        ],
    )
    assert queue.state is m.CEState.ENABLED and queue.priority == 10
    assert queue.compute_environment_order[0].compute_environment == environment.compute_environment_arn
    assert (calls.of("batch", "CreateJobQueue"), calls.of("batch", "DescribeJobQueues")) == (1, 1)

    definition = batch.register_job_definition(
        job_definition_name="jd",
        container_properties=CONTAINER,
        retry_strategy={"attempts": 3},
        timeout={"attemptDurationSeconds": 120},
        platform_capabilities=["FARGATE"],
    )
    assert (definition.revision, definition.status) == (1, "ACTIVE")
    assert definition.container_properties.command == ["echo", "hello"]
    assert definition.retry_strategy.attempts == 3 and definition.timeout.attempt_duration_seconds == 120
    assert (calls.of("batch", "RegisterJobDefinition"), calls.of("batch", "DescribeJobDefinitions")) == (1, 1)
    assert calls.total() == 6

    calls.clear()
    assert batch.update_job_queue("q", priority=20).priority == 20
    assert batch.update_compute_environment("fargate", state="DISABLED").state is m.CEState.DISABLED
    assert calls.total() == 4  # each update: the call, then one read
    assert [d.revision for d in batch.describe_job_definitions(job_definition_name="jd")] == [1]
    batch.deregister_job_definition(definition.job_definition_arn)
    assert batch.describe_job_definitions(status="ACTIVE") == []
    assert [d.status for d in batch.describe_job_definitions(status="INACTIVE")] == ["INACTIVE"]


def test_describes_by_name_go_100_names_a_call(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    environment, queue = make_queue(aws_backend, calls)
    calls.clear()
    names = [environment.compute_environment_arn] + [f"missing-{i}" for i in range(149)]
    assert [e.compute_environment_name for e in aws_backend.batch.describe_compute_environments(names)] == ["fargate"]
    assert calls.of("batch", "DescribeComputeEnvironments") == 2
    queues = aws_backend.batch.describe_job_queues([f"missing-{i}" for i in range(150)] + ["q"])
    assert [q.job_queue_name for q in queues] == ["q"]
    assert calls.of("batch", "DescribeJobQueues") == 2


def test_250_jobs_in_one_status_are_one_listing_and_three_describes(
    aws_backend: AwsBackend, calls: CallCounter, moto_server: str
) -> None:
    with moto_batch_without_docker(moto_server):  # moto's jobs then succeed at once
        make_queue(aws_backend, calls)
        aws_backend.batch.register_job_definition(job_definition_name="jd", container_properties=CONTAINER)
        client = aws_backend.client("batch")
        submitted = [
            client.submit_job(jobName=f"job-{i}", jobQueue="q", jobDefinition="jd")["jobId"] for i in range(250)
        ]
        calls.clear()

        summaries = aws_backend.batch.list_jobs("q", job_status="SUCCEEDED")
        assert sorted(s.job_id for s in summaries) == sorted(submitted)
        details = aws_backend.batch.describe_jobs([s.job_id for s in summaries])
        assert [d.job_id for d in details] == [s.job_id for s in summaries]  # in the order asked
        assert {d.job_queue for d in details} == {queue_arn("q")}
        # moto answers ListJobs in one page (more pages: the Stubber test below); 100 ids a describe.
        assert (calls.of("batch", "ListJobs"), calls.of("batch", "DescribeJobs")) == (1, 3)
        assert calls.total() == 4

        calls.clear()
        assert len(aws_backend.batch.describe_jobs_in_queue("q", ["SUCCEEDED"])) == 250
        assert (calls.of("batch", "ListJobs"), calls.of("batch", "DescribeJobs")) == (1, 3)
        calls.clear()
        everything = aws_backend.batch.describe_jobs_in_queue("q")  # every status: a listing each
        assert len(everything) == 250 and {j.status for j in everything} == {m.JobStatus.SUCCEEDED}
        assert (calls.of("batch", "ListJobs"), calls.of("batch", "DescribeJobs")) == (7, 3)


def test_list_jobs_reads_every_page_then_describes_100_ids_a_call(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    ids = [str(uuid.UUID(int=i)) for i in range(250)]
    where = {"jobQueue": "q", "jobStatus": "RUNNABLE", "maxResults": 1000}  # the page's maximum, asked for
    with stubbed(aws_backend, "batch") as stub:
        stub.add_response(
            "list_jobs", {"jobSummaryList": [job_summary(i) for i in ids[:100]], "nextToken": "t1"}, where
        )
        stub.add_response(
            "list_jobs",
            {"jobSummaryList": [job_summary(i) for i in ids[100:200]], "nextToken": "t2"},
            {**where, "nextToken": "t1"},
        )
        stub.add_response(
            "list_jobs", {"jobSummaryList": [job_summary(i) for i in ids[200:]]}, {**where, "nextToken": "t2"}
        )
        for start in (0, 100, 200):
            batch = ids[start : start + 100]
            # AWS answers in its own order: the adapter gives them back in the order asked.
            stub.add_response("describe_jobs", {"jobs": [job_detail(i) for i in reversed(batch)]}, {"jobs": batch})
        jobs = aws_backend.batch.describe_jobs_in_queue("q", ["RUNNABLE"])
    assert [j.job_id for j in jobs] == ids
    assert (calls.of("batch", "ListJobs"), calls.of("batch", "DescribeJobs")) == (3, 3)
    assert calls.sent == []


def test_list_jobs_asks_for_what_aws_takes(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    with stubbed(aws_backend, "batch") as stub:
        # No status: AWS's default (RUNNING). An array job's children: by the array job, no queue.
        stub.add_response("list_jobs", {"jobSummaryList": []}, {"jobQueue": "q", "maxResults": 1000})
        stub.add_response(
            "list_jobs", {"jobSummaryList": [job_summary("c:0")]}, {"arrayJobId": "c", "maxResults": 1000}
        )
        assert aws_backend.batch.list_jobs("q") == []
        assert [j.job_id for j in aws_backend.batch.list_jobs("q", array_job_id="c")] == ["c:0"]
    assert calls.of("batch", "ListJobs") == 2


def test_list_jobs_with_a_filter_sends_no_status_and_reads_100_a_page(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    ids = [str(uuid.UUID(int=i)) for i in range(150)]
    name = [{"name": "JOB_NAME", "values": ["render*"]}]
    where = {"jobQueue": "q", "filters": name, "maxResults": 100}  # AWS pages a filtered list by 100 at most
    with stubbed(aws_backend, "batch") as stub:
        stub.add_response(
            "list_jobs", {"jobSummaryList": [job_summary(i, "SUCCEEDED") for i in ids[:100]], "nextToken": "t"}, where
        )
        stub.add_response(
            "list_jobs", {"jobSummaryList": [job_summary(i, "FAILED") for i in ids[100:]]}, {**where, "nextToken": "t"}
        )
        # The status is left out: AWS ignores it with a filter and answers every status.
        jobs = aws_backend.batch.list_jobs("q", job_status="RUNNING", filters=name)
    assert [j.job_id for j in jobs] == ids
    assert calls.of("batch", "ListJobs") == 2 and calls.sent == []


def test_list_jobs_needs_a_queue_or_an_array_job(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.batch.list_jobs(job_status="RUNNING")
    assert (caught.value.code, caught.value.field) == ("ClientException", "jobQueue")
    assert calls.total() == 0


def test_a_filter_lists_every_status_on_moto(aws_backend, calls: CallCounter, moto_server: str) -> None:  # noqa: ANN001
    with moto_batch_without_docker(moto_server):  # moto's jobs then succeed at once
        make_queue(aws_backend, calls)
        aws_backend.batch.register_job_definition(job_definition_name="jd", container_properties=CONTAINER)
        for name in ("render-1", "Render-2", "other"):
            aws_backend.batch.submit_job(name, "q", "jd")
        calls.clear()
        # (moto answers every status when none is given; AWS answers RUNNING: the Stubber test above)
        assert aws_backend.batch.list_jobs("q", job_status="RUNNING") == []
        named = aws_backend.batch.list_jobs("q", filters=[{"name": "JOB_NAME", "values": ["render*"]}])
        assert sorted(j.job_name for j in named) == ["Render-2", "render-1"]  # a prefix, either case
        assert {j.status for j in named} == {m.JobStatus.SUCCEEDED}
        assert calls.of("batch", "ListJobs") == 2


def test_an_array_jobs_children_are_listed_by_the_array_job(aws_backend, calls: CallCounter, moto_server: str) -> None:  # noqa: ANN001
    with moto_batch_without_docker(moto_server):
        make_queue(aws_backend, calls)
        aws_backend.batch.register_job_definition(job_definition_name="jd", container_properties=CONTAINER)
        parent = aws_backend.batch.submit_job("fan", "q", "jd", array_properties={"size": 3})
        calls.clear()
        children = aws_backend.batch.list_jobs(array_job_id=parent.job_id, job_status="SUCCEEDED")
        assert sorted(c.job_id for c in children) == [f"{parent.job_id}:{i}" for i in range(3)]
        described = aws_backend.batch.describe_jobs([parent.job_id])
        assert described[0].array_properties.status_summary["SUCCEEDED"] == 3
        assert (calls.of("batch", "ListJobs"), calls.of("batch", "DescribeJobs")) == (1, 1)


@pytest.mark.parametrize(
    ("keywords", "field"),
    [
        ({"array_properties": {"size": 1}}, "arrayProperties.size"),
        ({"array_properties": {"size": 10_001}}, "arrayProperties.size"),
        ({"retry_strategy": m.RetryStrategy(attempts=11)}, "retryStrategy.attempts"),
        ({"retry_strategy": {"attempts": 0}}, "retryStrategy.attempts"),
        (
            {"retry_strategy": {"attempts": 2, "evaluateOnExit": [{"action": "RETRY"}] * 6}},
            "retryStrategy.evaluateOnExit",
        ),
        ({"timeout": {"attemptDurationSeconds": 59}}, "timeout.attemptDurationSeconds"),
        ({"depends_on": [{"jobId": f"j{i}"} for i in range(21)]}, "dependsOn"),
    ],
)
def test_submit_job_limits_are_refused_before_sending(aws_backend, calls: CallCounter, keywords, field) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.batch.submit_job("j", "q", "jd", **keywords)
    assert (caught.value.code, caught.value.field) == ("ClientException", field)
    assert field in caught.value.message
    assert calls.total() == 0 and calls.sent == []


def test_submit_job_at_the_limits_is_sent(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    job_id = str(uuid.UUID(int=8))
    at_limits = {
        "arrayProperties": {"size": 10_000},
        "retryStrategy": {"attempts": 10},
        "timeout": {"attemptDurationSeconds": 60},
        "dependsOn": [{"jobId": f"j{i}"} for i in range(20)],
    }
    with stubbed(aws_backend, "batch") as stub:
        stub.add_response(
            "submit_job",
            {"jobArn": job_detail(job_id)["jobArn"], "jobName": "j", "jobId": job_id},
            {"jobName": "j", "jobQueue": "q", "jobDefinition": "jd", **at_limits},
        )
        stub.add_response("describe_jobs", {"jobs": [job_detail(job_id, "SUBMITTED")]}, {"jobs": [job_id]})
        aws_backend.batch.submit_job(
            "j",
            "q",
            "jd",
            array_properties={"size": 10_000},
            retry_strategy={"attempts": 10},
            timeout={"attemptDurationSeconds": 60},
            depends_on=at_limits["dependsOn"],
        )
    assert calls.total() == 2


def test_a_job_definitions_attempts_and_timeout_are_checked_before_sending(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.batch.register_job_definition("jd", container_properties=CONTAINER, retry_strategy={"attempts": 11})
    assert caught.value.field == "retryStrategy.attempts"
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.batch.register_job_definition(
            "jd", container_properties=CONTAINER, timeout=m.JobTimeout(attempt_duration_seconds=30)
        )
    assert caught.value.field == "timeout.attemptDurationSeconds"
    assert calls.total() == 0


def test_submit_job_sends_aws_names_and_reads_the_job_once(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    job_id = str(uuid.UUID(int=7))
    with stubbed(aws_backend, "batch") as stub:
        stub.add_response(
            "submit_job",
            {"jobArn": job_detail(job_id)["jobArn"], "jobName": "render", "jobId": job_id},
            {
                "jobName": "render",
                "jobQueue": "q",
                "jobDefinition": "jd:1",
                "containerOverrides": {"command": ["echo", "bye"]},
                "dependsOn": [{"jobId": "before"}],
                "retryStrategy": {"attempts": 2},
                "parameters": {"size": "large"},
            },
        )
        stub.add_response("describe_jobs", {"jobs": [job_detail(job_id, "SUBMITTED")]}, {"jobs": [job_id]})
        stub.add_response("terminate_job", {}, {"jobId": job_id, "reason": "wrong input"})
        stub.add_response("cancel_job", {}, {"jobId": job_id, "reason": "not needed"})
        job = aws_backend.batch.submit_job(
            "render",
            "q",
            "jd:1",
            container_overrides={"command": ["echo", "bye"]},
            depends_on=[{"jobId": "before"}],
            retry_strategy=m.RetryStrategy(attempts=2),
            parameters={"size": "large"},
        )
        assert (job.job_id, job.status, job.job_queue) == (job_id, m.JobStatus.SUBMITTED, queue_arn("q"))
        aws_backend.batch.terminate_job(job_id, "wrong input")
        aws_backend.batch.cancel_job(job_id, "not needed")
    assert calls.total() == 4 and calls.sent == []


def test_jobs_against_moto_submit_and_terminate(aws_backend, calls: CallCounter, moto_server: str) -> None:  # noqa: ANN001
    with moto_batch_without_docker(moto_server):
        make_queue(aws_backend, calls)
        aws_backend.batch.register_job_definition(job_definition_name="jd", container_properties=CONTAINER)
        calls.clear()
        job = aws_backend.batch.submit_job("render", "q", "jd", parameters={"size": "large"})
        assert job.job_name == "render" and job.job_queue == queue_arn("q")
        assert (calls.of("batch", "SubmitJob"), calls.of("batch", "DescribeJobs")) == (1, 1)
        aws_backend.batch.terminate_job(job.job_id, "done with it")
        aws_backend.batch.cancel_job(job.job_id, "done with it")
        assert (calls.of("batch", "TerminateJob"), calls.of("batch", "CancelJob")) == (1, 1)


def test_priority_outside_0_to_1000_is_refused_before_sending(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    for priority in (-1, 1001):
        with pytest.raises(InvalidParameter) as caught:
            aws_backend.batch.create_job_queue("q", priority, [{"order": 1, "computeEnvironment": "ce"}])
        assert (caught.value.code, caught.value.field) == ("ClientException", "priority")
    with pytest.raises(InvalidParameter):
        aws_backend.batch.update_job_queue("q", priority=5000)
    assert calls.sent == []


def test_aws_errors_keep_their_code(aws_backend) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.batch.create_job_queue("q", 1, [{"order": 1, "computeEnvironment": "nowhere"}])
    assert caught.value.code == "ClientException"
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.batch.list_jobs("no-such-queue", job_status="RUNNING")
    assert caught.value.code == "ClientException" and "does not exist" in caught.value.message


def test_a_bad_keyword_is_refused_by_botocore_without_sending(aws_backend, calls: CallCounter) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        aws_backend.batch.submit_job("j", "q", "jd", no_such_parameter=1)
    assert caught.value.code == "ClientException"
    assert calls.sent == []


def test_an_answer_the_models_cannot_read_is_a_compute_error(aws_backend) -> None:  # noqa: ANN001
    with stubbed(aws_backend, "batch") as stub:
        stub.add_response(
            "list_jobs",
            {"jobSummaryList": [job_summary("j", status="HIBERNATING")]},
            {"jobQueue": "q", "maxResults": 1000},
        )
        with pytest.raises(ComputeError) as caught:
            aws_backend.batch.list_jobs("q")
    assert caught.value.code == "UnreadableResponse"


def test_read_only_refuses_every_change_and_sends_nothing(moto_server: str, aws_credentials) -> None:  # noqa: ANN001
    backend = open_backend("aws", region="us-east-1", endpoint_url=moto_server, read_only=True)
    try:
        operations = assert_read_only(backend, "batch", CallCounter(backend))
    finally:
        backend.close()
    assert operations == [
        "cancel_job",
        "create_compute_environment",
        "create_job_queue",
        "create_scheduling_policy",
        "delete_compute_environment",
        "delete_job_queue",
        "delete_scheduling_policy",
        "deregister_job_definition",
        "register_job_definition",
        "submit_job",
        "terminate_job",
        "update_compute_environment",
        "update_job_queue",
        "update_scheduling_policy",
    ]


def test_an_unreachable_endpoint_is_unavailable(aws_credentials) -> None:  # noqa: ANN001
    backend = open_backend(
        "aws", region="us-east-1", endpoint_url=f"http://127.0.0.1:{closed_port()}", max_attempts=1, connect_timeout=1
    )
    try:
        with pytest.raises(Unavailable):
            backend.batch.describe_job_queues()
    finally:
        backend.close()


def test_scheduling_policies_on_moto(moto_server: str, aws_credentials) -> None:  # noqa: ANN001
    backend = open_backend("aws", region="us-east-1", endpoint_url=moto_server)
    try:
        batch = backend.batch
        policy = batch.create_scheduling_policy("fair", fairshare_policy={
            "shareDecaySeconds": 60, "shareDistribution": [{"shareIdentifier": "a", "weightFactor": 0.5}]})
        assert policy.fairshare_policy.weight("a") == 0.5 and policy.fairshare_policy.weight("b") == 1.0
        assert [p.name for p in batch.describe_scheduling_policies()] == ["fair"]
        updated = batch.update_scheduling_policy(policy.arn, fairshare_policy={"shareDecaySeconds": 120})
        assert updated.fairshare_policy.share_decay_seconds == 120
        batch.delete_scheduling_policy(policy.arn)
        assert batch.describe_scheduling_policies() == []
    finally:
        backend.close()
