"""What SubmitJob refuses (ClientException naming the field), and that a refusal leaves nothing;
fair share wired from the policy to the scheduler. No engine: nothing is started."""

from __future__ import annotations

from typing import Any

import pytest

from computetui.backends.errors import InvalidParameter
from computetui.backends.local import LocalBackend
from computetui.backends.local.batch.book import JOB
from computetui.clock import FixedClock
from tests.support.fakes import StaticEngine

FARGATE = [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}]


@pytest.fixture
def backend() -> LocalBackend:
    made = LocalBackend(":memory:", clock=FixedClock(), seed=3, engine=StaticEngine(), controller=False)
    batch = made.batch
    batch.create_compute_environment("ce", compute_resources={"type": "FARGATE", "maxvCpus": 4})
    batch.create_compute_environment("ec2", compute_resources={"type": "EC2", "maxvCpus": 4})
    batch.create_job_queue("q", 1, [{"order": 1, "computeEnvironment": "ce"}])
    batch.create_job_queue("ec2q", 1, [{"order": 1, "computeEnvironment": "ec2"}])
    batch.register_job_definition("jd", platform_capabilities=["FARGATE"],
                                  container_properties={"image": "busybox", "resourceRequirements": FARGATE})
    yield made
    made.close()


REFUSED: list[tuple[dict[str, Any], str, str]] = [
    ({"array_properties": {"size": 1}}, "arrayProperties.size", "between 2 and 10000"),
    ({"array_properties": {"size": 10_001}}, "arrayProperties.size", "between 2 and 10000"),
    ({"retry_strategy": {"attempts": 11}}, "retryStrategy.attempts", "less than or equal to 10"),
    ({"retry_strategy": {"attempts": 2, "evaluateOnExit": [{"onExitCode": "1", "action": "MAYBE"}]}},
     "retryStrategy.evaluateOnExit.action", "RETRY or EXIT"),
    ({"timeout": {"attemptDurationSeconds": 59}}, "timeout.attemptDurationSeconds", "at least 60"),
    ({"depends_on": [{"jobId": "nope"}]}, "dependsOn.jobId", "does not exist"),
    ({"depends_on": [{"type": "SEQUENTIAL"}]}, "dependsOn.type", "array job"),
    ({"container_overrides": {"resourceRequirements": [{"type": "VCPU", "value": "0.3"}]}},
     "containerOverrides.resourceRequirements", "Fargate"),
    ({"share_identifier": "a"}, "shareIdentifier", "no scheduling policy"),
    ({"job_name": "-bad"}, "jobName", "letters, numbers"),
    ({"job_queue": "nowhere"}, "jobQueue", "does not exist"),
    ({"job_definition": "nothing"}, "jobDefinition", "does not exist"),
    ({"job_queue": "ec2q"}, "jobDefinition", "platform capabilities do not match"),
]


@pytest.mark.parametrize(("change", "field", "words"), REFUSED, ids=[r[1] + ":" + r[2] for r in REFUSED])
def test_submit_refuses_bad_input_naming_the_field_and_keeps_nothing(backend: LocalBackend, change: dict[str, Any],
                                                                     field: str, words: str) -> None:
    arguments = {"job_name": "j", "job_queue": "q", "job_definition": "jd", **change}
    with pytest.raises(InvalidParameter) as refused:
        backend.batch.submit_job(**arguments)
    assert refused.value.code == "ClientException"
    assert refused.value.field == field or field in str(refused.value)
    assert words in str(refused.value)
    assert backend.store.count(JOB) == 0


def test_more_than_twenty_dependencies_are_refused(backend: LocalBackend) -> None:
    ids = [backend.batch.submit_job(f"j{i}", "q", "jd").job_id for i in range(21)]
    with pytest.raises(InvalidParameter, match="at most 20") as refused:
        backend.batch.submit_job("after", "q", "jd", depends_on=[{"jobId": i} for i in ids])
    assert refused.value.field == "dependsOn"


def test_n_to_n_needs_two_arrays_of_one_size(backend: LocalBackend) -> None:
    three = backend.batch.submit_job("a", "q", "jd", array_properties={"size": 3}).job_id
    with pytest.raises(InvalidParameter, match="same size"):
        backend.batch.submit_job("b", "q", "jd", array_properties={"size": 4},
                                 depends_on=[{"jobId": three, "type": "N_TO_N"}])
    paired = backend.batch.submit_job("c", "q", "jd", array_properties={"size": 3},
                                      depends_on=[{"jobId": three, "type": "N_TO_N"}])
    child = backend.batch.describe_jobs([f"{paired.job_id}:1"])[0]
    assert [(d.job_id, d.type) for d in child.depends_on] == [(f"{three}:1", "N_TO_N")]


def test_privileged_is_refused_on_fargate(backend: LocalBackend) -> None:
    with pytest.raises(InvalidParameter) as refused:
        backend.batch.register_job_definition("p", platform_capabilities=["FARGATE"], container_properties={
            "image": "busybox", "privileged": True, "resourceRequirements": FARGATE})
    assert refused.value.field == "containerProperties.privileged"


def test_a_disabled_queue_takes_no_job(backend: LocalBackend) -> None:
    backend.batch.update_job_queue("q", state="DISABLED")
    with pytest.raises(InvalidParameter, match="DISABLED") as refused:
        backend.batch.submit_job("j", "q", "jd")
    assert refused.value.field == "jobQueue"


def test_overrides_and_parameters_make_the_container(backend: LocalBackend) -> None:
    backend.batch.register_job_definition("cmd", platform_capabilities=["FARGATE"], parameters={"who": "world"},
                                          container_properties={
        "image": "busybox", "command": ["echo", "Ref::greeting", "Ref::who"], "resourceRequirements": FARGATE,
        "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]})
    job = backend.batch.submit_job("j", "q", "cmd", parameters={"greeting": "hello"}, container_overrides={
        "environment": [{"name": "B", "value": "override"}],
        "resourceRequirements": [{"type": "MEMORY", "value": "1024"}]})
    assert job.container.command == ["echo", "hello", "world"]
    assert {e.name: e.value for e in job.container.environment} == {"A": "1", "B": "override"}
    assert (job.requirement("VCPU"), job.requirement("MEMORY")) == ("0.25", "1024")
    assert job.status.value == "SUBMITTED"


def test_list_jobs_by_status_and_by_filter(backend: LocalBackend) -> None:
    backend.batch.submit_job("render-1", "q", "jd")
    backend.batch.submit_job("other", "q", "jd")
    assert [j.job_name for j in backend.batch.list_jobs("q", job_status="SUBMITTED")] == ["render-1", "other"]
    assert backend.batch.list_jobs("q") == []  # RUNNING by default, as AWS lists
    named = backend.batch.list_jobs("q", filters=[{"name": "JOB_NAME", "values": ["render*"]}])
    assert [j.job_name for j in named] == ["render-1"]


def test_fair_share_places_by_weight(backend: LocalBackend) -> None:
    batch = backend.batch
    policy = batch.create_scheduling_policy("fair", fairshare_policy={
        "shareDistribution": [{"shareIdentifier": "a", "weightFactor": 0.5}, {"shareIdentifier": "b"}]})
    batch.create_compute_environment("fs", compute_resources={"type": "FARGATE", "maxvCpus": 3})
    batch.create_job_queue("fq", 1, [{"order": 1, "computeEnvironment": "fs"}], scheduling_policy_arn=policy.arn)
    with pytest.raises(InvalidParameter, match="shareIdentifier must be given"):
        batch.submit_job("j", "fq", "jd")
    for i in range(12):
        batch.submit_job(f"b{i}", "fq", "jd", share_identifier="b")
    for i in range(12):
        batch.submit_job(f"a{i}", "fq", "jd", share_identifier="a")
    batch.scheduler.start_job = None  # place, but start nothing: there is no engine here
    placed = batch.scheduler.schedule()
    names = [batch.describe_jobs([arn])[0].job_name[0] for arn in placed]
    assert len(placed) == 12 and names.count("a") == 8 and names.count("b") == 4
