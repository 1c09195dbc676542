"""ECR repositories, API Gateway APIs, Batch queues, Lightsail's catalogue, CloudWatch Logs."""

from __future__ import annotations

import pytest

from computetui.backends.errors import Conflict, InvalidParameter, NotFound
from tests.support.aws_stubs import (
    aws_refuses,
    batch_environment_kwargs,
    lightsail_catalogue_answers,
    quick_create_answers,
)


def test_ecr_repository_life(contract_backend) -> None:  # noqa: ANN001
    ecr = contract_backend.ecr
    account = contract_backend.info().account
    repo = ecr.create_repository(repository_name="team/web")
    assert repo.repository_uri == f"{account}.dkr.ecr.us-east-1.amazonaws.com/team/web"
    assert repo.repository_arn == f"arn:aws:ecr:us-east-1:{account}:repository/team/web"
    with pytest.raises(Conflict) as caught:
        ecr.create_repository(repository_name="team/web")
    assert caught.value.code == "RepositoryAlreadyExistsException"
    assert ecr.describe_images("team/web") == []
    ecr.delete_repository("team/web")
    with pytest.raises(NotFound) as missing:
        ecr.describe_repositories(["team/web"])
    assert missing.value.code == "RepositoryNotFoundException"


@pytest.mark.parametrize("name", ["UPPER", "a", "ends-", "-starts", "two//slashes"])
def test_ecr_repository_names_follow_the_rule(contract_backend, name: str) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        contract_backend.ecr.create_repository(repository_name=name)
    assert caught.value.code == "InvalidParameterException"
    assert caught.value.field == "repositoryName"


def test_rest_and_http_apis(contract_backend) -> None:  # noqa: ANN001
    gw = contract_backend.apigateway
    rest = gw.create_rest_api(name="pets")
    assert len(rest.id) == 10
    assert [r.path for r in gw.get_resources(rest.id)] == ["/"]
    function = "arn:aws:lambda:us-east-1:000000000000:function:f"
    # aws: moto ignores quick create (CreateApi's Target), so the HTTP API's calls are answered
    # as AWS answers them, by botocore's Stubber (tests/support/aws_stubs.py); local: no-op.
    with quick_create_answers(contract_backend, name="hello", target=function):
        http = gw.create_api(name="hello", protocol_type="HTTP", target=function)
        assert http.api_endpoint == f"https://{http.api_id}.execute-api.us-east-1.amazonaws.com"
        assert [(r.route_key, r.target) for r in gw.get_routes(http.api_id)] == [
            ("$default", "arn:aws:lambda:us-east-1:000000000000:function:f")
        ]
        gw.delete_rest_api(rest.id)
        gw.delete_api(http.api_id)
        assert gw.get_rest_apis() == [] and gw.get_apis() == []
        with pytest.raises(NotFound) as caught:
            gw.get_routes(http.api_id)
    assert caught.value.code == "NotFoundException"


def test_websocket_apis_need_a_route_selection_expression(contract_backend) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        contract_backend.apigateway.create_api(name="chat", protocol_type="WEBSOCKET")
    assert caught.value.code == "BadRequestException"


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


def test_lightsail_catalogue(contract_backend) -> None:  # noqa: ANN001
    # aws: moto has no Lightsail; botocore's Stubber answers with AWS's catalogue in AWS's shape
    # (tests/support/aws_stubs.py; tests/aws/test_lightsail.py covers the rest). local: no-op.
    with lightsail_catalogue_answers(contract_backend):
        bundles = {b.bundle_id: b for b in contract_backend.lightsail.get_bundles()}
        assert bundles["nano_3_0"].price == 5.0 and bundles["nano_3_0"].ram_size_in_gb == 0.5
        assert {b.blueprint_id for b in contract_backend.lightsail.get_blueprints()} >= {"wordpress", "nginx"}
        assert contract_backend.lightsail.get_instances() == []
        with pytest.raises(NotFound):
            contract_backend.lightsail.get_instance("nope")


def test_logs_groups_streams_events_and_filter(contract_backend) -> None:  # noqa: ANN001
    import time

    logs = contract_backend.logs
    logs.create_log_group("/aws/lambda/f")
    logs.create_log_stream("/aws/lambda/f", "s1")
    # CloudWatch Logs refuses events older than 14 days: a minute ago is a time every backend stores.
    start = int(time.time() * 1000) - 60_000
    logs.put_log_events(
        "/aws/lambda/f",
        "s1",
        [{"timestamp": start, "message": "START RequestId: 1"}, {"timestamp": start + 1, "message": "hello"}],
    )
    assert [e.message for e in logs.get_log_events("/aws/lambda/f", "s1", start_from_head=True)] == [
        "START RequestId: 1",
        "hello",
    ]
    assert [e.message for e in logs.filter_log_events("/aws/lambda/f", filter_pattern="hello")] == ["hello"]
    [stream] = logs.describe_log_streams("/aws/lambda/f")
    assert (stream.first_event_timestamp, stream.last_event_timestamp) == (start, start + 1)
    with pytest.raises(Conflict):
        logs.create_log_group("/aws/lambda/f")
    logs.delete_log_group("/aws/lambda/f")
    with pytest.raises(NotFound):
        logs.describe_log_streams("/aws/lambda/f")
