from __future__ import annotations

import pytest

from computetui.backends.errors import InvalidParameter, NotFound
from computetui.models.ecs import FARGATE_TASK_SIZES

WEB = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {"name": "web", "image": "busybox", "essential": True, "portMappings": [{"containerPort": 8080}]}
    ],
}


def test_create_describe_and_delete_a_cluster(contract_backend) -> None:  # noqa: ANN001
    ecs = contract_backend.ecs
    account = contract_backend.info().account
    cluster = ecs.create_cluster(cluster_name="blue")
    assert cluster.cluster_arn == f"arn:aws:ecs:us-east-1:{account}:cluster/blue"
    assert cluster.status.value == "ACTIVE"
    assert ecs.list_clusters() == [cluster.cluster_arn]
    [described] = ecs.describe_clusters(["blue"])
    assert (described.running_tasks_count, described.active_services_count) == (0, 0)
    assert ecs.create_cluster(cluster_name="blue").cluster_arn == cluster.cluster_arn  # idempotent
    assert ecs.delete_cluster("blue").status.value == "INACTIVE"
    assert ecs.list_clusters() == []
    with pytest.raises(NotFound) as caught:
        ecs.delete_cluster("blue")
    assert caught.value.code == "ClusterNotFoundException"


def test_a_cluster_name_with_bad_characters_is_a_client_exception(contract_backend) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        contract_backend.ecs.create_cluster(cluster_name="no spaces please")
    assert caught.value.code == "ClientException"


def test_task_definition_revisions_count_up_and_read_back_as_aws_json(contract_backend) -> None:  # noqa: ANN001
    ecs = contract_backend.ecs
    account = contract_backend.info().account
    first = ecs.register_task_definition(WEB)
    second = ecs.register_task_definition(WEB)
    assert (first.revision, second.revision) == (1, 2)
    assert second.task_definition_arn.endswith("task-definition/web:2")
    aws_json = ecs.describe_task_definition("web").to_aws()
    assert aws_json["revision"] == 2 and aws_json["family"] == "web"
    assert aws_json["containerDefinitions"][0]["portMappings"][0]["containerPort"] == 8080
    # What describe printed can be registered again as is.
    assert ecs.register_task_definition(aws_json).revision == 3
    ecs.deregister_task_definition("web:1")
    assert ecs.list_task_definitions(family_prefix="web") == [
        f"arn:aws:ecs:us-east-1:{account}:task-definition/web:2",
        f"arn:aws:ecs:us-east-1:{account}:task-definition/web:3",
    ]
    assert ecs.describe_task_definition("web:1").status.value == "INACTIVE"
    assert ecs.list_task_definition_families() == ["web"]


def test_task_level_sizes_in_vcpu_and_gb_are_stored_as_units(contract_backend) -> None:  # noqa: ANN001
    td = contract_backend.ecs.register_task_definition({**WEB, "cpu": "1 vCPU", "memory": "2GB"})
    assert (td.cpu, td.memory) == ("1024", "2048")


def test_fargate_rejects_256_cpu_with_4096_memory(contract_backend) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter) as caught:
        contract_backend.ecs.register_task_definition({**WEB, "cpu": "256", "memory": "4096"})
    assert caught.value.code == "ClientException"
    assert "No Fargate configuration exists for given values: 256 CPU, 4096 memory" in caught.value.message


@pytest.mark.parametrize("cpu", sorted(FARGATE_TASK_SIZES))
def test_fargate_accepts_every_size_in_its_table(contract_backend, cpu: int) -> None:  # noqa: ANN001
    for memory in FARGATE_TASK_SIZES[cpu]:
        contract_backend.ecs.register_task_definition({**WEB, "cpu": str(cpu), "memory": str(memory)})


def test_fargate_needs_awsvpc(contract_backend) -> None:  # noqa: ANN001
    with pytest.raises(InvalidParameter, match="awsvpc"):
        contract_backend.ecs.register_task_definition({**WEB, "networkMode": "bridge"})


def test_a_container_without_memory_on_ec2_is_refused(contract_backend) -> None:  # noqa: ANN001
    definition = {"family": "w", "containerDefinitions": [{"name": "w", "image": "busybox"}]}
    with pytest.raises(InvalidParameter, match="At least one of 'memory' or 'memoryReservation'"):
        contract_backend.ecs.register_task_definition(definition)


def test_a_new_cluster_lists_no_services_tasks_or_instances(contract_backend) -> None:  # noqa: ANN001
    ecs = contract_backend.ecs
    ecs.create_cluster(cluster_name="c")
    assert ecs.list_services("c") == []
    assert ecs.list_tasks("c") == []
    assert ecs.list_container_instances("c") == []
