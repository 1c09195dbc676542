"""ECS's service page: clusters and task definition families, and the home page's line.

A cluster's own tabs are in :mod:`cluster_views`; a family's revisions in :mod:`task_definition_views`.
"""

from __future__ import annotations

from computetui.backends.base import Backend
from computetui.ui.services.ecs.task_definition_views import deregister_family, family_rows
from computetui.ui.views import Column, ResourceView, Row, ServiceSpec, Summary, deleter


# -- ECS -------------------------------------------------------------------
def _ecs_clusters(b: Backend) -> list[Row]:
    assert b.ecs is not None
    return [
        Row(
            key=c.cluster_arn,
            name=c.cluster_name,
            state=c.status.value,
            cells={
                "name": c.cluster_name,
                "status": c.status.value,
                "services": c.active_services_count,
                "running": c.running_tasks_count,
                "pending": c.pending_tasks_count,
                "instances": c.registered_container_instances_count,
                "capacity": ", ".join(c.capacity_providers) or "-",
            },
            detail=c.to_aws(),
        )
        for c in b.ecs.describe_clusters()
    ]


def _ecs_summary(b: Backend) -> Summary:
    assert b.ecs is not None
    clusters = b.ecs.describe_clusters()
    families = b.ecs.list_task_definition_families()
    return Summary(
        count=len(clusters),
        lines=(
            ("Clusters", str(len(clusters))),
            ("Services", str(sum(c.active_services_count for c in clusters))),
            ("Running tasks", str(sum(c.running_tasks_count for c in clusters))),
            ("Pending tasks", str(sum(c.pending_tasks_count for c in clusters))),
            ("Container instances", str(sum(c.registered_container_instances_count for c in clusters))),
            ("Task definitions", str(len(families))),
        ),
    )


SPEC = ServiceSpec(
    id="ecs",
    nav_label="ECS",
    title="Elastic Container Service",
    facet="ecs",
    summarize=_ecs_summary,
    views=(
        ResourceView(
            id="clusters",
            title="Clusters",
            noun="cluster",
            fetch=_ecs_clusters,
            delete=deleter("ecs", "delete_cluster"),
            opens="cluster",
            creates="cluster",
            delete_warning="ECS refuses while the cluster has services, tasks or container instances.",
            columns=(
                Column("name", "Cluster"),
                Column("status", "Status", "state"),
                Column("services", "Services", "number"),
                Column("running", "Running tasks", "number"),
                Column("pending", "Pending tasks", "number"),
                Column("instances", "Container instances", "number"),
                Column("capacity", "Capacity providers"),
            ),
        ),
        ResourceView(
            id="task-definitions",
            title="Task definitions",
            noun="task definition family",
            fetch=family_rows,
            delete=deregister_family,
            opens="task-family",
            creates="task-definition",
            delete_verb="Deregister",
            delete_warning=(
                "Every ACTIVE revision of the family is deregistered and turns INACTIVE: none can start new "
                "tasks or services any more. Tasks and services already running them keep running."
            ),
            columns=(
                Column("name", "Family"),
                Column("status", "Status", "state"),
                Column("latest", "Latest", "number"),
                Column("active", "Active revisions", "number"),
                Column("launch", "Launch type"),
                Column("network", "Network"),
                Column("cpu", "CPU", "number"),
                Column("memory", "Memory", "number"),
            ),
        ),
    ),
)
