"""What the ECS pages show: a cluster's services, tasks and instances, a service's
deployments, events and targets, a task's containers. Rows come from the
backend contract only; nothing here draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from computetui.backends.base import Backend
from computetui.models import ecs as m
from computetui.ui.format import when
from computetui.ui.views import Column, ResourceView, Row, RowsSoFar

ID_WIDTH = 12
"""Task and container instance ids are 32 hex digits; tables and logs show the first 12, as
``docker ps`` does, so that the status columns fit. The filter still matches the whole ARN."""


def short(arn: str | None) -> str:
    """The last part of an ARN: a task or instance id, ``family:rev``."""
    return (arn or "-").rsplit("/", 1)[-1]


def short_id(arn: str | None) -> str:
    """A task's or container instance's id cut to ``ID_WIDTH``, for tables, crumbs and logs."""
    return short(arn)[:ID_WIDTH]


def plural(count: int, noun: str) -> str:
    """``1 service``, ``4 services``: the noun's plural is the noun with an s."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _ecs(b: Backend) -> Any:
    assert b.ecs is not None
    return b.ecs


def _address(task: m.Task) -> str | None:
    for attachment in task.attachments:
        for detail in attachment.details:
            if detail.name == "privateIPv4Address":
                return detail.value
    return None


# -- a cluster's tabs ----------------------------------------------------------
# Columns come in the order they matter, narrowest labels that still say it: at 120
# columns everything up to the task definition shows without scrolling.
SERVICE_COLUMNS = (
    Column("name", "Service"),
    Column("status", "Status", "state"),
    Column("desired", "Desired", "number"),
    Column("running", "Running", "number"),
    Column("pending", "Pending", "number"),
    Column("rollout", "Deployment", "state"),
    Column("definition", "Task definition"),
    Column("launch", "Launch type"),
)


def service_row(service: m.Service) -> Row:
    primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
    rollout = primary.rollout_state.value if primary and primary.rollout_state else "-"
    return Row(
        key=service.service_arn,
        name=service.service_name,
        state=service.status.value,
        cells={
            "name": service.service_name,
            "status": service.status.value,
            "desired": service.desired_count,
            "running": service.running_count,
            "pending": service.pending_count,
            "launch": service.launch_type.value if service.launch_type else "-",
            "definition": short(service.task_definition),
            "rollout": rollout,
        },
        detail=service.to_aws(),
        extra={"cluster": service.cluster_arn},
    )


FIRST_SERVICES = 40
"""A cluster with more services than this shows these first (a screenful, four DescribeServices
on AWS, which describes ten at a time), then the rest when all are described."""


def fetch_services(cluster: str) -> Any:
    def fetch(b: Backend) -> list[Row] | Iterator[RowsSoFar | list[Row]]:
        ecs = _ecs(b)
        names = ecs.list_services(cluster)
        if len(names) <= FIRST_SERVICES:
            return [service_row(s) for s in ecs.describe_services(cluster, names)] if names else []
        return _services_in_steps(ecs, cluster, names)

    return fetch


def _services_in_steps(ecs: Any, cluster: str, names: list[str]) -> Iterator[RowsSoFar | list[Row]]:
    first = [service_row(s) for s in ecs.describe_services(cluster, names[:FIRST_SERVICES])]
    yield RowsSoFar(first, len(names))
    yield first + [service_row(s) for s in ecs.describe_services(cluster, names[FIRST_SERVICES:])]


TASK_COLUMNS = (
    Column("task", "Task"),
    Column("last", "Last status", "state"),
    Column("desired", "Desired", "state"),
    Column("definition", "Task definition"),
    Column("health", "Health", "state"),
    Column("started", "Started at", "time"),
    Column("launch", "Launch type"),
    Column("group", "Started by"),
    Column("ports", "Ports"),
)

STOPPED_TASK_COLUMNS = (
    Column("task", "Task"),
    Column("last", "Last status", "state"),
    Column("definition", "Task definition"),
    Column("stopped_at", "Stopped at", "time"),
    Column("stopped", "Stopped reason"),
    Column("started", "Started at", "time"),
    Column("launch", "Launch type"),
    Column("group", "Started by"),
)
"""Stopped tasks (``x``): why and when they stopped matter; desired status and health no longer do."""


def stop_reason(task: m.Task | m.TaskSummary) -> str | None:
    """``EssentialContainerExited: Essential container in task exited``: the stop code, then the words."""
    code = task.stop_code.value if isinstance(task, m.Task) and task.stop_code else task.stop_code
    if not (code or task.stopped_reason):
        return None
    return f"{code or ''}: {task.stopped_reason or ''}".strip(": ")


def task_row(task: m.TaskSummary, detail: Any) -> Row:
    """``detail`` makes the task's AWS JSON when asked (describe): a row is made from the summary."""
    task_id = short(task.task_arn)
    return Row(
        key=task.task_arn,
        name=task_id,
        state=task.last_status,
        cells={
            "task": task_id[:ID_WIDTH],
            "last": task.last_status,
            "desired": task.desired_status,
            "definition": short(task.task_definition_arn),
            "launch": task.launch_type or "-",
            "group": task.group or task.started_by or "-",
            "health": task.health_status or "-",
            "ports": ", ".join(task.ports) or "-",
            "started": when(task.started_at) if task.started_at else "-",
            "stopped_at": when(task.stopped_at) if task.stopped_at else "-",
            "stopped": stop_reason(task) or "-",
        },
        detail=detail,
        extra={"cluster": task.cluster_arn},
    )


def fetch_tasks(cluster: str, desired_status: str = "RUNNING", service: str | None = None) -> Any:
    def fetch(b: Backend) -> list[Row]:
        ecs = _ecs(b)

        def described(task_arn: str) -> Any:
            def make() -> dict[str, Any]:
                found = ecs.describe_tasks(cluster, [task_arn])
                return found[0].to_aws() if found else {"taskArn": task_arn}

            return make

        summaries = ecs.list_task_summaries(cluster, desired_status=desired_status, service_name=service)
        # By ARN, so that tasks started in the same second always come in the same order.
        return [task_row(t, described(t.task_arn)) for t in sorted(summaries, key=lambda t: t.task_arn)]

    return fetch


INSTANCE_COLUMNS = (
    Column("instance", "Container instance"),
    Column("status", "Status", "state"),
    Column("type", "Type"),
    Column("running", "Running tasks", "number"),
    Column("cpu", "CPU available", "number"),
    Column("memory", "Memory available", "number"),
    Column("pending", "Pending tasks", "number"),
    Column("ec2", "EC2 instance"),
    Column("zone", "Availability zone"),
)


def _resource(resources: list[m.Resource], name: str) -> int | None:
    found = next((r for r in resources if r.name == name), None)
    return found.integer_value if found else None


def instance_row(instance: m.ContainerInstance) -> Row:
    attributes = {a.get("name"): a.get("value") for a in (instance.attributes or []) if isinstance(a, dict)}
    cpu = f"{_resource(instance.remaining_resources, 'CPU')} / {_resource(instance.registered_resources, 'CPU')}"
    memory = (f"{_resource(instance.remaining_resources, 'MEMORY')} / "
              f"{_resource(instance.registered_resources, 'MEMORY')} MiB")
    return Row(
        key=instance.container_instance_arn,
        name=short(instance.container_instance_arn),
        state=instance.status.value,
        cells={
            "instance": short_id(instance.container_instance_arn),
            "ec2": instance.ec2_instance_id or "-",
            "status": instance.status.value,
            "type": attributes.get("ecs.instance-type") or "-",
            "running": instance.running_tasks_count,
            "pending": instance.pending_tasks_count,
            "cpu": cpu,
            "memory": memory,
            "zone": attributes.get("ecs.availability-zone") or "-",
        },
        detail=instance.to_aws(),
    )


def fetch_instances(cluster: str) -> Any:
    def fetch(b: Backend) -> list[Row]:
        ecs = _ecs(b)
        arns = ecs.list_container_instances(cluster)
        return [instance_row(i) for i in ecs.describe_container_instances(cluster, arns)] if arns else []

    return fetch


def _stop_task(cluster: str) -> Any:
    def stop(b: Backend, row: Row) -> None:
        _ecs(b).stop_task(cluster, row.key, reason="Task stopped by user from computetui")

    return stop


def _delete_service(cluster: str) -> Any:
    def delete(b: Backend, row: Row) -> None:
        _ecs(b).delete_service(cluster, row.name, force=True)

    return delete


def _deregister_instance(cluster: str) -> Any:
    def deregister(b: Backend, row: Row) -> None:
        _ecs(b).deregister_container_instance(cluster, row.key, force=True)

    return deregister


def cluster_views(cluster: str) -> tuple[ResourceView, ResourceView, ResourceView]:
    context = {"cluster": cluster}
    services = ResourceView(
        id="services", title="Services", noun="service", columns=SERVICE_COLUMNS, fetch=fetch_services(cluster),
        delete=_delete_service(cluster), opens="ecs-service", creates="ecs-service", logs="ecs-service-logs",
        context=context,
        delete_warning="Its tasks are stopped (desired count 0) and the service goes INACTIVE. "
                       "A load balancer it has stops answering.",
    )
    tasks = ResourceView(
        id="tasks", title="Tasks", noun="task", columns=TASK_COLUMNS, fetch=fetch_tasks(cluster), sort="started",
        delete=_stop_task(cluster), delete_verb="Stop", opens="ecs-task", creates="ecs-task", logs="ecs-task-logs",
        context=context,
        delete_warning="Its containers get SIGTERM, then SIGKILL after the stop timeout. "
                       "A service's task is replaced by the scheduler.",
    )
    instances = ResourceView(
        id="instances", title="Container instances", noun="container instance", columns=INSTANCE_COLUMNS,
        fetch=fetch_instances(cluster), delete=_deregister_instance(cluster), delete_verb="Deregister",
        creates="ecs-instance", context=context,
        delete_warning="Tasks still on it keep running but are no longer tracked as using its capacity.",
    )
    return services, tasks, instances


def stopped_variant(view: ResourceView, cluster: str, stopped: bool, service: str | None = None) -> ResourceView:
    """The Tasks tab showing running tasks, or stopped ones (``x``), as the console's filter does."""
    return replace(
        view,
        title="Tasks (stopped)" if stopped else "Tasks",
        columns=STOPPED_TASK_COLUMNS if stopped else TASK_COLUMNS,
        sort="stopped_at" if stopped else "started",
        fetch=fetch_tasks(cluster, "STOPPED" if stopped else "RUNNING", service),
        context={**view.context, "stopped": stopped},
    )


# -- a service's tabs ----------------------------------------------------------
DEPLOYMENT_COLUMNS = (
    Column("status", "Status", "state"),
    Column("rollout", "Rollout state", "state"),
    Column("definition", "Task definition"),
    Column("desired", "Desired", "number"),
    Column("running", "Running", "number"),
    Column("pending", "Pending", "number"),
    Column("updated", "Updated at", "time"),
    Column("failed", "Failed tasks", "number"),
    Column("id", "Deployment ID"),
)

EVENT_COLUMNS = (
    Column("time", "Time", "time", width=20),
    Column("message", "Message"),
)

TARGET_COLUMNS = (
    Column("task", "Target (task)"),
    Column("state", "Health status", "state"),
    Column("address", "Address"),
    Column("requests", "Requests", "number"),
    Column("reason", "Reason"),
    Column("description", "Description"),
)


def deployment_rows(service: m.Service) -> list[Row]:
    return [
        Row(
            key=d.id,
            name=d.id,
            state=d.status,
            cells={
                "id": d.id,
                "status": d.status,
                "definition": short(d.task_definition),
                "desired": d.desired_count,
                "pending": d.pending_count,
                "running": d.running_count,
                "failed": d.failed_tasks,
                "rollout": d.rollout_state.value if d.rollout_state else "-",
                "updated": when(d.updated_at),
            },
            detail=d.to_aws(),
        )
        for d in service.deployments
    ]


def event_rows(service: m.Service, activities: list[Any] | None = None) -> list[Row]:
    """Service events, newest first, with auto scaling's activities among them.

    ECS starts every message with ``(service NAME)``; on the service's own page that says
    nothing, so it is left out and the rest of the message fits the table.
    """
    prefix = f"(service {service.service_name}) "
    rows = [
        Row(key=e.id, name=e.id, cells={"time": when(e.created_at), "message": e.message.removeprefix(prefix)},
            detail=e.to_aws(), extra={"at": e.created_at.timestamp()})
        for e in service.events
    ]
    for activity in activities or []:
        body = activity.to_aws() if hasattr(activity, "to_aws") else dict(activity)
        start = getattr(activity, "start_time", None)
        rows.append(Row(
            key=body.get("ActivityId") or body.get("activityId") or str(len(rows)),
            name="auto scaling",
            cells={"time": when(start), "message": f"Auto scaling: {getattr(activity, 'description', '')} "
                                                   f"({getattr(activity, 'cause', '')})"},
            detail=body,
            extra={"at": start.timestamp() if start else 0},
        ))
    return sorted(rows, key=lambda r: -r.extra.get("at", 0))


def target_rows(balancers: list[m.ServiceLoadBalancer]) -> list[Row]:
    rows = []
    for balancer in balancers:
        for target in balancer.targets:
            rows.append(Row(
                key=target.target_id,
                name=short(target.target_id),
                state=target.state,
                cells={
                    "task": short_id(target.target_id),
                    "address": f"{target.host}:{target.port}",
                    "state": target.state,
                    "reason": target.reason or "-",
                    "description": target.description or "-",
                    "requests": target.requests if target.requests is not None else "-",
                },
                detail=target.to_aws(),
            ))
    return rows


# -- a task's containers -------------------------------------------------------
CONTAINER_COLUMNS = (
    Column("name", "Container"),
    Column("status", "Last status", "state"),
    Column("exit", "Exit code", "number"),
    Column("health", "Health", "state"),
    Column("reason", "Reason"),
    Column("image", "Image"),
    Column("ports", "Ports"),
    Column("essential", "Essential"),
)


def container_rows(task: m.Task) -> list[Row]:
    rows = []
    for c in task.containers:
        # tcp goes without saying, as in docker ps; udp is said.
        ports = ", ".join(f"{b.bind_ip}:{b.host_port}->{b.container_port}"
                          + (f"/{b.protocol}" if b.protocol and str(b.protocol).lower() != "tcp" else "")
                          for b in c.network_bindings if b.host_port) or "-"
        rows.append(Row(
            key=c.name,
            name=c.name,
            state=c.last_status,
            cells={
                "name": c.name,
                "image": c.image or "-",
                "status": c.last_status or "-",
                "exit": c.exit_code if c.exit_code is not None else "-",
                "health": c.health_status.value if c.health_status else "-",
                "essential": "yes" if c.essential in (True, None) else "no",
                "ports": ports,
                "reason": c.reason or "-",
            },
            detail=c.to_aws(),
        ))
    return rows


def task_address(task: m.Task) -> str | None:
    return _address(task)
