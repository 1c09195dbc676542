"""Inputs AWS refuses are refused by the emulator too: with AWS's error code, a message naming
the field and the rule, and nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from computetui.backends.errors import InvalidParameter
from computetui.backends.local import LocalBackend
from tests.support import operations as ops

FARGATE = {"family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
           "memory": "512", "containerDefinitions": [{"name": "web", "image": "busybox"}]}


@pytest.fixture
def local() -> Iterator[LocalBackend]:
    backend = ops.make_backend()
    yield backend
    backend.close()


def create_function(backend: LocalBackend, **settings: Any) -> None:
    backend.lambda_.create_function("f", **{"runtime": "python3.12", "handler": "app.handler",
                                            "code": {"ZipFile": ops.ZIP}, **settings})


def refused(call: Any, *args: Any, **kwargs: Any) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        call(*args, **kwargs)
    return caught.value


# -- Lambda ------------------------------------------------------------------------------


def test_create_function_refuses_an_empty_handler(local: LocalBackend) -> None:
    error = refused(create_function, local, handler="")
    assert error.code == "ValidationException"
    assert error.message == ("1 validation error detected: Value '' at 'handler' failed to satisfy constraint: "
                             r"Member must satisfy regular expression pattern: [^\s]+")
    assert local.lambda_.list_functions() == []


def test_create_function_refuses_a_handler_of_a_megabyte_without_echoing_it(local: LocalBackend) -> None:
    error = refused(create_function, local, handler="a" * 1_000_000)
    assert error.code == "ValidationException"
    assert "at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128" in \
        error.message
    assert len(error.message) < 300
    assert local.lambda_.list_functions() == []


def test_create_function_refuses_a_variable_named_bad_name(local: LocalBackend) -> None:
    error = refused(create_function, local, environment={"Variables": {"bad-name": "secret"}})
    assert error.code == "ValidationException"
    assert error.field == "environment.variables"
    assert "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: " \
           "[a-zA-Z]([a-zA-Z0-9_])+]" in error.message
    assert "secret" not in error.message
    assert local.lambda_.list_functions() == []


@pytest.mark.parametrize("name", ["AWS_REGION", "AWS_LAMBDA_RUNTIME_API", "AWS_ACCESS_KEY_ID", "LAMBDA_TASK_ROOT",
                                  "AWS_LAMBDA_FUNCTION_NAME", "AWS_DEFAULT_REGION"])
def test_create_function_refuses_a_variable_the_runtime_reserves_and_takes_one_it_does_not(
        local: LocalBackend, name: str) -> None:
    error = refused(create_function, local, environment={"Variables": {"GREETING": "hi", name: "x"}})
    assert error.code == "InvalidParameterValueException"
    assert error.message.endswith(f"Reserved keys used in this request: {name}")
    assert local.lambda_.list_functions() == []
    # TZ and the wrapper are the runtime's too, but AWS lets a function set them.
    create_function(local, environment={"Variables": {"TZ": "Europe/Paris", "AWS_LAMBDA_EXEC_WRAPPER": "/opt/w"}})
    assert local.lambda_.get_function_configuration("f").environment.variables["TZ"] == "Europe/Paris"


def test_update_function_configuration_refuses_a_reserved_variable_and_keeps_the_old_ones(
        local: LocalBackend) -> None:
    create_function(local, environment={"Variables": {"GREETING": "hi"}})
    error = refused(local.lambda_.update_function_configuration, "f",
                    environment={"Variables": {"AWS_REGION": "eu-west-1"}})
    assert error.code == "InvalidParameterValueException"
    assert local.lambda_.get_function_configuration("f").environment.variables == {"GREETING": "hi"}


def test_create_function_refuses_a_role_that_is_not_an_arn_and_keeps_one_that_is(local: LocalBackend) -> None:
    error = refused(create_function, local, role="admin")
    assert error.code == "ValidationException"
    assert error.message.startswith("1 validation error detected: Value 'admin' at 'role' failed to satisfy "
                                    "constraint: Member must satisfy regular expression pattern: arn:")
    assert local.lambda_.list_functions() == []
    create_function(local, role="arn:aws:iam::123456789012:role/service-role/f-role")
    assert local.lambda_.get_function_configuration("f").role == "arn:aws:iam::123456789012:role/service-role/f-role"


# -- ECS: RegisterTaskDefinition -------------------------------------------------------------


def register(backend: LocalBackend, container: dict[str, Any] | None = None, **task: Any) -> Any:
    definition = {"family": "web", "containerDefinitions": [{"name": "web", "image": "busybox", "memory": 128,
                                                             **(container or {})}], **task}
    return backend.ecs.register_task_definition(definition)


def refused_definition(backend: LocalBackend, container: dict[str, Any] | None = None, **task: Any) -> str:
    error = refused(register, backend, container, **task)
    assert error.code == "ClientException"
    assert backend.ecs.list_task_definitions() == []
    assert backend.ecs.list_task_definition_families(status="ALL") == []
    return error.message


@pytest.mark.parametrize("memory", [-5, 0, 10**12])
def test_register_task_definition_refuses_container_memory_out_of_range(local: LocalBackend, memory: int) -> None:
    message = refused_definition(local, {"memory": memory})
    assert "containerDefinitions.1.member.memory" in message or "Invalid 'memory' setting for container 'web'" \
        in message


@pytest.mark.parametrize("memory", ["0", "5", str(10**12)])
def test_register_task_definition_refuses_task_memory_out_of_range(local: LocalBackend, memory: str) -> None:
    message = refused_definition(local, memory=memory)
    assert message.startswith("Invalid 'memory' setting for task.")


def test_register_task_definition_refuses_a_negative_container_cpu(local: LocalBackend) -> None:
    message = refused_definition(local, {"cpu": -1})
    assert message.startswith("Invalid 'cpu' setting for container 'web'.")


def test_register_task_definition_refuses_task_cpu_under_128_units(local: LocalBackend) -> None:
    message = refused_definition(local, cpu="64")
    assert message.startswith("Invalid 'cpu' setting for task.")


@pytest.mark.parametrize("port", [70000, -1, 0])
def test_register_task_definition_refuses_a_container_port_out_of_range(local: LocalBackend, port: int) -> None:
    message = refused_definition(local, {"portMappings": [{"containerPort": port}]})
    assert message.startswith("Invalid 'containerPort' setting for container 'web'.")


def test_register_task_definition_refuses_a_host_port_out_of_range(local: LocalBackend) -> None:
    message = refused_definition(local, {"portMappings": [{"containerPort": 80, "hostPort": 70000}]})
    assert message.startswith("Invalid 'hostPort' setting for container 'web'.")


def test_register_task_definition_refuses_the_sctp_protocol(local: LocalBackend) -> None:
    message = refused_definition(local, {"portMappings": [{"containerPort": 80, "protocol": "sctp"}]})
    assert message.startswith("Invalid 'protocol' setting for container 'web'.")


@pytest.mark.parametrize("count", [11, 10_000])
def test_register_task_definition_refuses_more_than_ten_containers_and_takes_ten(
        local: LocalBackend, count: int) -> None:
    containers = [{"name": f"c{i}", "image": "busybox", "memory": 6,
                   "portMappings": [{"containerPort": 65535, "hostPort": 0, "protocol": "udp"}]} for i in range(count)]
    error = refused(local.ecs.register_task_definition, {"family": "big", "containerDefinitions": containers})
    assert error.code == "ClientException"
    assert error.message.startswith("Too many containers.")
    assert local.ecs.list_task_definitions() == []
    td = local.ecs.register_task_definition({"family": "big", "containerDefinitions": containers[:10]})
    assert len(td.container_definitions) == 10


def test_register_task_definition_refuses_container_memory_over_the_task_memory(local: LocalBackend) -> None:
    message = refused_definition(local, {"memory": 1024}, memory="512")
    assert message == "The 'memory' setting for container 'web' is greater than for the task."


# -- ECS: RunTask and CreateService ------------------------------------------------------------


@pytest.fixture
def cluster(local: LocalBackend) -> LocalBackend:
    local.ecs.create_cluster("c")
    local.ecs.register_task_definition(FARGATE)
    return local


def test_run_task_refuses_an_override_for_a_container_the_definition_lacks(cluster: LocalBackend) -> None:
    error = refused(cluster.ecs.run_task, "c", "web", overrides={"containerOverrides": [{"name": "ghost"}]})
    assert error.code == "InvalidParameterException"
    assert error.message == "Override for container named ghost is not a container in the TaskDefinition."
    assert cluster.ecs.list_tasks("c", desired_status="STOPPED") == []


def test_start_task_refuses_an_override_for_a_container_the_definition_lacks(cluster: LocalBackend) -> None:
    instance = cluster.ecs.register_container_instance("c", instance_type="t3.small")
    cluster.ecs.register_task_definition({"family": "ec2", "containerDefinitions": [ops.CONTAINER]})
    error = refused(cluster.ecs.start_task, "c", "ec2", [instance.container_instance_arn],
                    overrides={"containerOverrides": [{"name": "ghost", "command": ["true"]}]})
    assert error.code == "InvalidParameterException"
    assert cluster.ecs.list_tasks("c", desired_status="STOPPED") == []


def test_run_task_refuses_an_unknown_placement_strategy_type(cluster: LocalBackend) -> None:
    error = refused(cluster.ecs.run_task, "c", "web", placement_strategy=[{"type": "roundrobin"}])
    assert error.code == "InvalidParameterException"
    assert error.message == ("1 validation error detected: Value 'roundrobin' at 'placementStrategy.1.member.type' "
                             "failed to satisfy constraint: Member must satisfy enum value set: "
                             "[random, spread, binpack]")
    assert cluster.ecs.list_tasks("c", desired_status="STOPPED") == []


def test_create_service_refuses_an_unknown_placement_strategy_type(cluster: LocalBackend) -> None:
    error = refused(cluster.ecs.create_service, "c", "s", "web", placement_strategy=[{"type": "roundrobin"}])
    assert error.code == "InvalidParameterException"
    assert error.field == "placementStrategy.1.member.type"
    assert cluster.ecs.list_services("c") == []


def test_run_task_refuses_a_member_of_constraint_without_an_expression(cluster: LocalBackend) -> None:
    error = refused(cluster.ecs.run_task, "c", "web", placement_constraints=[{"type": "memberOf"}])
    assert error.code == "InvalidParameterException"
    assert error.field == "placementConstraints.1.member.expression"
