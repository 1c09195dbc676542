"""The contract, on every backend. AWS Batch: compute environments, job queues, job definitions."""

from __future__ import annotations

import pytest

from computetui.backends.errors import InvalidParameter
from tests.support.aws_stubs import aws_refuses, batch_environment_kwargs


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
