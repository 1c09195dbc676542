"""EKS's pages, read-only: clusters and managed node groups."""

from __future__ import annotations

from computetui.backends.base import Backend
from computetui.ui.format import when
from computetui.ui.views import Column, ResourceView, Row, ServiceSpec, Summary


# -- EKS -------------------------------------------------------------------
def _eks_clusters(b: Backend) -> list[Row]:
    assert b.eks is not None
    rows = []
    for c in b.eks.describe_clusters():
        rows.append(
            Row(
                key=c.arn,
                name=c.name,
                state=c.status.value,
                cells={
                    "name": c.name,
                    "status": c.status.value,
                    "version": c.version or "-",
                    "endpoint": c.endpoint or "-",
                    "created": when(c.created_at),
                },
                detail=c.to_aws(),
            )
        )
    return rows


def _eks_nodegroups(b: Backend) -> list[Row]:
    assert b.eks is not None
    eks = b.eks
    rows = []
    for cluster in eks.list_clusters():
        for g in eks.describe_nodegroups(cluster):  # in parallel on aws
            scaling = g.scaling_config
            rows.append(
                Row(
                    key=g.nodegroup_arn,
                    name=g.nodegroup_name,
                    state=g.status,
                    cells={
                        "name": g.nodegroup_name,
                        "cluster": g.cluster_name,
                        "status": g.status,
                        "capacity": g.capacity_type,
                        "instances": ", ".join(g.instance_types) or "-",
                        "nodes": f"{scaling.desired_size} ({scaling.min_size}-{scaling.max_size})" if scaling else "-",
                        "version": g.version or "-",
                        "created": when(g.created_at),
                    },
                    detail=g.to_aws(),
                )
            )
    return rows


def _eks_summary(b: Backend) -> Summary:
    assert b.eks is not None
    clusters = b.eks.list_clusters()
    return Summary(count=len(clusters), lines=(("Clusters", str(len(clusters))),))


SPEC = ServiceSpec(
    id="eks",
    nav_label="EKS",
    title="Elastic Kubernetes Service",
    facet="eks",
    summarize=_eks_summary,
    views=(
        ResourceView(
            id="clusters",
            title="Clusters",
            noun="cluster",
            fetch=_eks_clusters,
            read_only_reason="EKS is shown read-only",
            # The endpoint, the widest, last so that the rest fit 120 columns.
            columns=(
                Column("name", "Cluster name"),
                Column("status", "Status", "state"),
                Column("version", "Kubernetes version"),
                Column("created", "Created", "time"),
                Column("endpoint", "API server endpoint"),
            ),
        ),
        ResourceView(
            id="node-groups",
            title="Node groups",
            noun="node group",
            fetch=_eks_nodegroups,
            read_only_reason="EKS is shown read-only",
            columns=(
                Column("name", "Node group"),
                Column("cluster", "Cluster"),
                Column("status", "Status", "state"),
                Column("nodes", "Nodes (min-max)", "number"),
                Column("capacity", "Capacity"),
                Column("version", "Version"),
                Column("instances", "Instance types"),
                Column("created", "Created", "time"),
            ),
        ),
    ),
)
