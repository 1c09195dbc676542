"""What a task's containers are: a task definition in the shared runner's terms.

Pure ECS rules, no engine: the order containers start in (dependsOn), whether an
awsvpc task needs a pause container to hold its network namespace, when a
dependency's condition is met, each container's :class:`ContainerSpec` (ECS's
names and ``com.amazonaws.ecs.*`` labels, the AWS_* environment, overrides,
limits, network), and how the engine's ports read back as network bindings.
"""

from __future__ import annotations

import hashlib
import uuid

from computetui.backends.local.containers import (
    BRIDGE,
    HOST,
    NONE,
    ContainerSpec,
    ContainerState,
    HealthCheck,
    Port,
    share_network,
    vcpus_of_units,
)
from computetui.models import ecs as m

PAUSE_NAME = "~internal~ecs~pause"


def short_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1]


def awslogs_stream(options: dict[str, str], container: str, task_arn: str) -> str:
    """The log stream ECS's awslogs driver writes a container to: ``<prefix>/<container>/<task id>``."""
    prefix = options.get("awslogs-stream-prefix")
    task_id = short_id(task_arn)
    return f"{prefix}/{container}/{task_id}" if prefix else f"{container}/{task_id}"


def health_check(check: m.HealthCheck) -> HealthCheck:
    """An ECS container health check is the engine's: the same command form, times in seconds."""
    return HealthCheck(command=check.command, interval_s=check.interval, timeout_s=check.timeout,
                       retries=check.retries, start_period_s=check.start_period or 0)


def start_order(td: m.TaskDefinition) -> list[m.ContainerDefinition]:
    """dependsOn order; in awsvpc mode the namespace owner (first without dependencies) leads."""
    remaining = list(td.container_definitions)
    ordered: list[m.ContainerDefinition] = []
    while remaining:
        ready = [c for c in remaining
                 if all(d.container_name in {o.name for o in ordered} for d in (c.depends_on or []))]
        chosen = ready[0] if ready else remaining[0]  # a cycle: start in file order, as a last resort
        ordered.append(chosen)
        remaining.remove(chosen)
    return ordered


def needs_pause(td: m.TaskDefinition, order: list[m.ContainerDefinition]) -> bool:
    """awsvpc tasks whose first container is meant to finish need something else to hold the network."""
    if td.network_mode is not m.NetworkMode.AWSVPC or not order:
        return False
    first = order[0]
    awaited = any(d.container_name == first.name and d.condition in ("COMPLETE", "SUCCESS")
                  for c in td.container_definitions for d in (c.depends_on or []))
    return awaited or not first.essential


def condition_met(condition: str, container: ContainerState | None) -> bool:
    """Whether a dependsOn condition holds for the upstream container as the engine sees it now."""
    if container is None:
        return condition in ("COMPLETE",)
    if condition == "START":
        return True
    if condition == "COMPLETE":
        return container.exited
    if condition == "SUCCESS":
        return container.status == "exited" and container.exit_code == 0
    if condition == "HEALTHY":
        return (container.health or "") == "healthy"
    return True


def pause_spec(task: m.Task, td: m.TaskDefinition, image: str, command: list[str] | None) -> ContainerSpec:
    """The pause container: it holds the namespace and publishes every container's ports."""
    return ContainerSpec(
        image=image,
        command=command,
        name=f"ecs-{td.family}-{td.revision}-internalecspause-{short_id(task.task_arn)[:12]}",
        labels={
            "com.amazonaws.ecs.cluster": task.cluster_arn,
            "com.amazonaws.ecs.task-arn": task.task_arn,
            "com.amazonaws.ecs.container-name": PAUSE_NAME,
        },
        ports=ports(td.container_definitions),
    )


def container_spec(task: m.Task, td: m.TaskDefinition, definition: m.ContainerDefinition, *, region: str,
                   owner_id: str | None) -> ContainerSpec:
    """One of the task's containers, its overrides applied; ``owner_id`` is the container already
    holding the task's namespace (awsvpc), if one has started."""
    mode = td.network_mode or m.NetworkMode.BRIDGE
    override = next((o for o in (task.overrides.container_overrides if task.overrides else [])
                     if o.name == definition.name), None)
    environment = {e.name: e.value for e in definition.environment}
    if override and override.environment:
        environment.update({e.name: e.value for e in override.environment})
    environment.setdefault("AWS_REGION", region)
    environment.setdefault("AWS_DEFAULT_REGION", region)
    environment.setdefault("AWS_EXECUTION_ENV",
                           "AWS_ECS_FARGATE" if task.launch_type is m.LaunchType.FARGATE else "AWS_ECS_EC2")
    command = override.command if override and override.command else definition.command
    cpu = (override.cpu if override and override.cpu else definition.cpu) or 0
    memory = (override.memory if override and override.memory else definition.memory)
    if memory is None and td.memory and len(td.container_definitions) == 1:
        memory = int(td.memory)  # a lone container gets the whole task's memory
    published: tuple[Port, ...] = ()
    if mode is m.NetworkMode.AWSVPC and owner_id is not None:
        network = share_network(owner_id)
    elif mode is m.NetworkMode.HOST:
        network = HOST
    elif mode is m.NetworkMode.NONE:
        network = NONE
    else:
        # The awsvpc namespace's owner publishes every container's ports; in bridge mode each its own.
        network = BRIDGE
        published = ports(td.container_definitions if mode is m.NetworkMode.AWSVPC else [definition])
    return ContainerSpec(
        image=definition.image,
        name=f"ecs-{td.family}-{td.revision}-{definition.name}-{short_id(task.task_arn)[:12]}",
        command=command,
        entrypoint=definition.entry_point or None,
        environment=environment,
        working_dir=definition.working_directory or None,
        vcpus=vcpus_of_units(cpu),
        memory_mib=memory or None,
        memory_reservation_mib=definition.memory_reservation or None,
        ports=published,
        network=network,
        health_check=health_check(definition.health_check) if definition.health_check else None,
        labels={
            "com.amazonaws.ecs.cluster": task.cluster_arn,
            "com.amazonaws.ecs.task-arn": task.task_arn,
            "com.amazonaws.ecs.container-name": definition.name,
            "com.amazonaws.ecs.task-definition-family": td.family,
            "com.amazonaws.ecs.task-definition-version": str(td.revision),
        },
    )


def ports(definitions: list[m.ContainerDefinition]) -> tuple[Port, ...]:
    """The ports to publish for these containers' port mappings (the host port is the engine's choice)."""
    return tuple(dict.fromkeys(Port(p.container_port, p.protocol) for d in definitions for p in d.port_mappings))


def bindings(state: ContainerState | None, name: str, td: m.TaskDefinition) -> list[m.NetworkBinding]:
    """The host ports the engine chose for a container's port mappings."""
    definition = next((d for d in td.container_definitions if d.name == name), None)
    if definition is None:
        return []
    found = []
    for mapping in definition.port_mappings:
        hosts = state.host_ports(mapping.container_port, mapping.protocol) if state is not None else []
        if td.network_mode is m.NetworkMode.HOST:
            found.append(m.NetworkBinding(bind_ip="0.0.0.0", container_port=mapping.container_port,
                                          host_port=mapping.container_port, protocol=mapping.protocol))
        for host in hosts:
            found.append(m.NetworkBinding(bind_ip=host.host_ip, container_port=mapping.container_port,
                                          host_port=host.host_port, protocol=mapping.protocol))
    return found


def network_ids(task_arn: str) -> tuple[str, str]:
    """The awsvpc attachment's id and its ENI id, made from the task's ARN: they are made on the
    runner's threads, and drawing them from the backend's (seeded) ids there would make every id
    drawn after them depend on which thread got there first."""
    digest = hashlib.sha256(task_arn.encode()).hexdigest()
    return str(uuid.UUID(hex=digest[:32], version=4)), f"eni-{digest[32:49]}"
