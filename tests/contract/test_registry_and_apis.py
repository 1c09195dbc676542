"""ECR repositories, API Gateway APIs, Batch queues, Lightsail's catalogue, CloudWatch Logs."""

from __future__ import annotations

import pytest

from computetui.backends.errors import Conflict, InvalidParameter, NotFound


def test_ecr_repository_life(contract_backend) -> None:  # noqa: ANN001
    ecr = contract_backend.ecr
    repo = ecr.create_repository(repository_name="team/web")
    assert repo.repository_uri == "000000000000.dkr.ecr.us-east-1.amazonaws.com/team/web"
    assert repo.repository_arn == "arn:aws:ecr:us-east-1:000000000000:repository/team/web"
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
    http = gw.create_api(name="hello", protocol_type="HTTP", target="arn:aws:lambda:us-east-1:000000000000:function:f")
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
    ce = batch.create_compute_environment(
        compute_environment_name="spot",
        type="MANAGED",
        compute_resources={
            "type": "SPOT",
            "minvCpus": 0,
            "maxvCpus": 16,
            "subnets": ["s"],
            "instanceTypes": ["optimal"],
        },
    )
    assert ce.status.value == "VALID" and ce.compute_resources.max_vcpus == 16
    queue = batch.create_job_queue(
        job_queue_name="q", priority=5, compute_environment_order=[{"order": 1, "computeEnvironment": "spot"}]
    )
    assert queue.compute_environment_order[0].compute_environment == ce.compute_environment_arn
    first = batch.register_job_definition(job_definition_name="jd", container_properties={"image": "busybox"})
    second = batch.register_job_definition(job_definition_name="jd", container_properties={"image": "busybox"})
    assert (first.revision, second.revision) == (1, 2)
    assert batch.list_jobs("q") == []
    # An enabled queue cannot be deleted, nor an environment a queue uses.
    with pytest.raises(InvalidParameter):
        batch.delete_job_queue("q")
    batch.update_compute_environment("spot", state="DISABLED")
    with pytest.raises(InvalidParameter, match="JobQueue relationship"):
        batch.delete_compute_environment("spot")
    batch.update_job_queue("q", state="DISABLED")
    batch.delete_job_queue("q")
    batch.delete_compute_environment("spot")
    assert batch.describe_compute_environments() == []


def test_batch_queue_priority_is_bounded(contract_backend) -> None:  # noqa: ANN001
    contract_backend.batch.create_compute_environment(
        compute_environment_name="f", compute_resources={"type": "FARGATE", "maxvCpus": 4, "subnets": ["s"]}
    )
    with pytest.raises(InvalidParameter) as caught:
        contract_backend.batch.create_job_queue(
            job_queue_name="q", priority=1001, compute_environment_order=[{"order": 1, "computeEnvironment": "f"}]
        )
    assert caught.value.field == "priority"


def test_lightsail_catalogue(contract_backend) -> None:  # noqa: ANN001
    bundles = {b.bundle_id: b for b in contract_backend.lightsail.get_bundles()}
    assert bundles["nano_3_0"].price == 5.0 and bundles["nano_3_0"].ram_size_in_gb == 0.5
    assert {b.blueprint_id for b in contract_backend.lightsail.get_blueprints()} >= {"wordpress", "nginx"}
    assert contract_backend.lightsail.get_instances() == []
    with pytest.raises(NotFound):
        contract_backend.lightsail.get_instance("nope")


def test_logs_groups_streams_events_and_filter(contract_backend) -> None:  # noqa: ANN001
    logs = contract_backend.logs
    logs.create_log_group("/aws/lambda/f")
    logs.create_log_stream("/aws/lambda/f", "s1")
    logs.put_log_events(
        "/aws/lambda/f",
        "s1",
        [{"timestamp": 1000, "message": "START RequestId: 1"}, {"timestamp": 1001, "message": "hello"}],
    )
    assert [e.message for e in logs.get_log_events("/aws/lambda/f", "s1", start_from_head=True)] == [
        "START RequestId: 1",
        "hello",
    ]
    assert [e.message for e in logs.filter_log_events("/aws/lambda/f", filter_pattern="hello")] == ["hello"]
    [stream] = logs.describe_log_streams("/aws/lambda/f")
    assert (stream.first_event_timestamp, stream.last_event_timestamp) == (1000, 1001)
    with pytest.raises(Conflict):
        logs.create_log_group("/aws/lambda/f")
    logs.delete_log_group("/aws/lambda/f")
    with pytest.raises(NotFound):
        logs.describe_log_streams("/aws/lambda/f")
