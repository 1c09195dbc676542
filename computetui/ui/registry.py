"""What each service page shows, and how its rows come from the backend contract.

A service (``Lambda``) has one or more resource views (``Functions``); a view
knows its columns, how to fetch its rows, and how to delete one. Everything
here runs in thread workers and talks only to the contract.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from computetui.backends.base import Backend, Facet
from computetui.pricing import usd

CellValue = str | int | float | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"
    """``text``, ``state`` (coloured by state), ``number`` (right aligned) or ``time``."""
    width: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One resource in a table, keyed by its ARN (or another unique id)."""

    key: str
    name: str
    cells: dict[str, CellValue]
    detail: dict[str, Any] | Callable[[], dict[str, Any]]
    """The resource's AWS JSON, shown by describe; or what makes it (``task.to_aws``), so a page
    of thousands of rows dumps only the one you describe. Read it with :meth:`aws_json`."""
    state: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """What actions need that AWS JSON does not carry (the API kind, the cluster...)."""

    def aws_json(self) -> dict[str, Any]:
        detail = self.detail
        if callable(detail):
            detail = detail()
            object.__setattr__(self, "detail", detail)  # made once
        return detail

    def text(self) -> str:
        """Everything a filter matches against."""
        return " ".join([self.name, self.key, *(str(v) for v in self.cells.values() if v is not None)]).lower()


@dataclass(frozen=True)
class RowsSoFar:
    """What a view's fetch yields while it is still reading: the rows so far, and how many it
    expects in all. A fetch that yields these ends by yielding (or returning) the full list."""

    rows: list[Row]
    expected: int


@dataclass(frozen=True)
class ResourceView:
    id: str
    title: str
    """Plural, as the console's navigation says it: ``Functions``."""
    noun: str
    """Singular, for messages: ``function``."""
    columns: tuple[Column, ...]
    fetch: Callable[[Backend], list[Row] | Iterator[RowsSoFar | list[Row]]]
    """The rows, read in the page's worker thread; or an iterator of ``RowsSoFar`` then the rows,
    for a listing slow enough that its first rows should show before the rest are read."""
    delete: Callable[[Backend, Row], None] | None = None
    read_only_reason: str | None = None
    """Why rows cannot be deleted from here, when they cannot."""
    sort: str | None = None
    """The column sorted by at first; the first column when None."""
    opens: str = "json"
    """What enter opens: ``json`` (the resource's AWS JSON) or a screen of its own (``function``)."""
    creates: str | None = None
    """What ``c`` creates (``function``), or None when the view cannot create."""
    context: dict[str, Any] = field(default_factory=dict)
    """Where the view is (``{"cluster": "demo"}``): handed to what it opens and creates."""
    delete_verb: str = "Delete"
    """What ctrl+d does to a row: ``Delete``, ``Stop`` (a task), ``Deregister``."""
    delete_warning: str = "This cannot be undone."
    set_enabled: Callable[[Backend, Row, bool], Any] | None = None
    """``e`` enables a DISABLED row or disables an ENABLED one (Batch queues and compute
    environments: AWS deletes neither until it is DISABLED); None when rows have no such state."""


@dataclass(frozen=True)
class Summary:
    """A service's line on the home page and its count in the navigation."""

    count: int | None
    lines: tuple[tuple[str, str], ...] = ()
    """(label, value) pairs; a value may be a state to colour."""
    problem: str | None = None


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    nav_label: str
    title: str
    facet: str
    views: tuple[ResourceView, ...]
    summarize: Callable[[Backend], Summary]
    aliases: tuple[str, ...] = ()

    def facet_of(self, backend: Backend) -> Facet | None:
        return getattr(backend, self.facet)

    @property
    def command(self) -> str:
        return f":{self.id}"


# -- formatting helpers ------------------------------------------------------
_UTC_SUFFIXES = ("Z", "+00:00", "+0000")


def when(value: datetime | str | int | None) -> str:
    """A timestamp as the console shows it, in UTC: ``2026-01-15 09:30 UTC``."""
    if value is None or value == "":
        return "-"
    if isinstance(value, int):  # epoch milliseconds (Batch, Logs)
        value = datetime.fromtimestamp(value / 1000, tz=UTC)
    elif isinstance(value, str):
        if value.endswith(_UTC_SUFFIXES) and value[10:11] == "T" and value[13:14] == ":":
            return f"{value[:10]} {value[11:16]} UTC"  # already UTC: thousands of task rows need no parsing
        try:  # ISO 8601, and Lambda's own 2026-01-15T09:30:00.000+0000
            value = datetime.fromisoformat(value)
        except ValueError:
            try:
                value = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
            except ValueError:
                return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def runtime_family(runtime: str | None) -> str:
    """``python3.12`` -> ``python``; ``provided.al2023`` -> ``provided``; an image -> ``image``."""
    match = re.match(r"[a-z]+", runtime or "")
    return match.group(0) if match else "image"


def size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _counts(values: Sequence[str]) -> str:
    seen: dict[str, int] = {}
    for v in values:
        seen[v] = seen.get(v, 0) + 1
    return ", ".join(f"{n} {k}" for k, n in sorted(seen.items())) or "-"


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


# Task definition families and revisions live in computetui.ui.services.ecs.task_definition_views,
# which builds on this module's Row: imported when called, so neither needs the other first.
def _ecs_task_definition_families(b: Backend) -> list[Row]:
    from computetui.ui.services.ecs.task_definition_views import family_rows

    return family_rows(b)


def _deregister_task_definition_family(b: Backend, row: Row) -> None:
    from computetui.ui.services.ecs.task_definition_views import deregister_family

    deregister_family(b, row)


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


# -- ECR -------------------------------------------------------------------
# The ECR pages' rows live in computetui.ui.services.ecr.views, which builds them with this
# module's Row: imported when called, so neither module needs the other first.
def _ecr_repositories(b: Backend) -> list[Row]:
    from computetui.ui.services.ecr.views import repository_rows

    return repository_rows(b)


def _delete_ecr_repository(b: Backend, row: Row) -> None:
    from computetui.ui.services.ecr.views import delete_repository

    delete_repository(b, row)


def _ecr_summary(b: Backend) -> Summary:
    assert b.ecr is not None
    repositories = b.ecr.describe_repositories()
    immutable = sum(1 for r in repositories if r.image_tag_mutability.value == "IMMUTABLE")
    return Summary(
        count=len(repositories),
        lines=(("Repositories", str(len(repositories))), ("Immutable tags", str(immutable))),
    )


# -- Lambda ----------------------------------------------------------------
def _lambda_functions(b: Backend) -> list[Row]:
    assert b.lambda_ is not None
    rows = []
    for f in b.lambda_.list_functions():
        rows.append(
            Row(
                key=f.function_arn,
                name=f.function_name,
                state=f.state.value,
                cells={
                    "name": f.function_name,
                    "runtime": f.runtime.value if f.runtime else f.package_type.value,
                    "memory": f.memory_size,
                    "timeout": f"{f.timeout} s",
                    "code": size(f.code_size),
                    "modified": when(f.last_modified),
                    "state": f.state.value,
                },
                detail=f.to_aws(),
            )
        )
    return rows


def _lambda_summary(b: Backend) -> Summary:
    assert b.lambda_ is not None
    functions = b.lambda_.list_functions()
    runtimes = [runtime_family(f.runtime.value if f.runtime else None) for f in functions]
    return Summary(
        count=len(functions),
        lines=(
            ("Functions", str(len(functions))),
            ("States", _counts([f.state.value for f in functions])),
            ("Runtimes", ", ".join(sorted(set(runtimes))) or "-"),
            ("Memory", f"{sum(f.memory_size for f in functions):,} MB configured"),
        ),
    )


# -- API Gateway -------------------------------------------------------------
def _api_arn(b: Backend, path: str) -> str:
    """An API's ARN, as describe shows it: ``arn:aws:apigateway:us-east-1::/restapis/a1b2c3``."""
    return f"arn:aws:apigateway:{b.region}::{path}"


def _apis(b: Backend) -> list[Row]:
    assert b.apigateway is not None
    rows = []
    for api in b.apigateway.get_rest_apis():
        rows.append(
            Row(
                key=_api_arn(b, f"/restapis/{api.id}"),
                name=api.name,
                cells={
                    "name": api.name,
                    "id": api.id,
                    "protocol": "REST",
                    "endpoint": ", ".join(t.value for t in api.endpoint_configuration.types).title(),
                    "created": when(api.created_date),
                    "description": api.description or "-",
                },
                detail=api.to_aws(),
                extra={"api": "rest", "id": api.id},
            )
        )
    for api in b.apigateway.get_apis():
        rows.append(
            Row(
                key=_api_arn(b, f"/apis/{api.api_id}"),
                name=api.name,
                cells={
                    "name": api.name,
                    "id": api.api_id,
                    "protocol": api.protocol_type.value,
                    "endpoint": "Regional",
                    "created": when(api.created_date),
                    "description": api.description or "-",
                },
                detail=api.to_aws(),
                extra={"api": "v2", "id": api.api_id},
            )
        )
    return rows


def _delete_api(b: Backend, row: Row) -> None:
    assert b.apigateway is not None
    if row.extra["api"] == "rest":
        b.apigateway.delete_rest_api(row.extra["id"])
    else:
        b.apigateway.delete_api(row.extra["id"])


def _apigw_summary(b: Backend) -> Summary:
    assert b.apigateway is not None
    rest = b.apigateway.get_rest_apis()
    v2 = b.apigateway.get_apis()
    http = sum(1 for a in v2 if a.protocol_type.value == "HTTP")
    return Summary(
        count=len(rest) + len(v2),
        lines=(("REST APIs", str(len(rest))), ("HTTP APIs", str(http)), ("WebSocket APIs", str(len(v2) - http))),
    )


# -- Batch -------------------------------------------------------------------
def _job_queues(b: Backend) -> list[Row]:
    assert b.batch is not None
    return [
        Row(
            key=q.job_queue_arn,
            name=q.job_queue_name,
            state=q.state.value,
            cells={
                "name": q.job_queue_name,
                "state": q.state.value,
                "status": q.status.value,
                "priority": q.priority,
                "environments": ", ".join(
                    o.compute_environment.rsplit("/", 1)[-1] for o in q.compute_environment_order
                ),
            },
            detail=q.to_aws(),
        )
        for q in b.batch.describe_job_queues()
    ]


def _compute_environments(b: Backend) -> list[Row]:
    assert b.batch is not None
    rows = []
    for ce in b.batch.describe_compute_environments():
        res = ce.compute_resources
        rows.append(
            Row(
                key=ce.compute_environment_arn,
                name=ce.compute_environment_name,
                state=ce.state.value,
                cells={
                    "name": ce.compute_environment_name,
                    "type": ce.type.value,
                    "provisioning": res.type.value if res else "-",
                    "state": ce.state.value,
                    "status": ce.status.value,
                    "vcpus": f"{res.min_vcpus or 0}-{res.max_vcpus}" if res else "-",
                },
                detail=ce.to_aws(),
            )
        )
    return rows


def _job_definitions(b: Backend) -> list[Row]:
    assert b.batch is not None
    rows = []
    for jd in b.batch.describe_job_definitions(status="ACTIVE"):
        props = jd.container_properties
        requirements = {r.type: r.value for r in (props.resource_requirements if props else [])}
        rows.append(
            Row(
                key=jd.job_definition_arn,
                name=f"{jd.job_definition_name}:{jd.revision}",
                state=jd.status,
                cells={
                    "name": f"{jd.job_definition_name}:{jd.revision}",
                    "status": jd.status,
                    "platform": ", ".join(jd.platform_capabilities),
                    "image": props.image if props else "-",
                    "vcpu": requirements.get("VCPU", "-"),
                    "memory": requirements.get("MEMORY", "-"),
                    "attempts": jd.retry_strategy.attempts if jd.retry_strategy else 1,
                },
                detail=jd.to_aws(),
            )
        )
    return rows


def _batch_summary(b: Backend) -> Summary:
    assert b.batch is not None
    queues = b.batch.describe_job_queues()
    environments = b.batch.describe_compute_environments()
    definitions = b.batch.describe_job_definitions(status="ACTIVE")
    return Summary(
        count=len(queues),
        lines=(
            ("Job queues", str(len(queues))),
            ("Compute environments", str(len(environments))),
            ("Max vCPUs", str(sum(ce.compute_resources.max_vcpus for ce in environments if ce.compute_resources))),
            ("Job definitions", str(len(definitions))),
        ),
    )


# -- Lightsail -----------------------------------------------------------------
def _lightsail_instances(b: Backend) -> list[Row]:
    assert b.lightsail is not None
    prices = {bundle.bundle_id: bundle.price for bundle in b.lightsail.get_bundles()}
    return [
        Row(
            key=i.arn,
            name=i.name,
            state=i.state.name.value,
            cells={
                "name": i.name,
                "state": i.state.name.value,
                "blueprint": i.blueprint_name or i.blueprint_id,
                "bundle": i.bundle_id,
                "ip": i.public_ip_address or "-",
                "zone": i.location.availability_zone if i.location else "-",
                "price": f"{usd(prices[i.bundle_id])}/mo" if i.bundle_id in prices else "-",
            },
            detail=i.to_aws(),
        )
        for i in b.lightsail.get_instances()
    ]


def _lightsail_bundles(b: Backend) -> list[Row]:
    assert b.lightsail is not None
    return [
        Row(
            key=f"bundle:{x.bundle_id}",
            name=x.bundle_id,
            cells={
                "name": x.bundle_id,
                "price": f"{usd(x.price)}/mo",
                "vcpus": x.cpu_count,
                "memory": f"{x.ram_size_in_gb:g} GB",
                "disk": f"{x.disk_size_in_gb} GB",
                "transfer": f"{x.transfer_per_month_in_gb // 1024} TB",
            },
            detail=x.to_aws(),
        )
        for x in b.lightsail.get_bundles()
    ]


def _lightsail_summary(b: Backend) -> Summary:
    assert b.lightsail is not None
    instances = b.lightsail.get_instances()
    prices = {bundle.bundle_id: bundle.price for bundle in b.lightsail.get_bundles()}
    monthly = sum(prices.get(i.bundle_id, 0.0) for i in instances)
    return Summary(
        count=len(instances),
        lines=(
            ("Instances", str(len(instances))),
            ("States", _counts([i.state.name.value for i in instances])),
            ("Monthly price", f"{usd(monthly)}/mo" if instances else "-"),
            ("Bundles from", f"{usd(min(prices.values()))}/mo" if prices else "-"),
        ),
    )


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
    # The aws backend describes a cluster's node groups in parallel; the contract one by one.
    describe_all = getattr(eks, "describe_nodegroups", None)
    rows = []
    for cluster in eks.list_clusters():
        if describe_all is not None:
            groups = describe_all(cluster)
        else:
            groups = [eks.describe_nodegroup(cluster, name) for name in eks.list_nodegroups(cluster)]
        for g in groups:
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


def _deleter(facet: str, operation: str, **fixed: Any) -> Callable[[Backend, Row], None]:
    def delete(b: Backend, row: Row) -> None:
        getattr(getattr(b, facet), operation)(row.name, **fixed)

    return delete


def _state_setter(operation: str) -> Callable[[Backend, Row, bool], Any]:
    """Batch's ENABLED/DISABLED through its update call (UpdateJobQueue, UpdateComputeEnvironment)."""

    def set_enabled(b: Backend, row: Row, enabled: bool) -> Any:
        return getattr(b.batch, operation)(row.name, state="ENABLED" if enabled else "DISABLED")

    return set_enabled


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
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
                delete=_deleter("ecs", "delete_cluster"),
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
                fetch=_ecs_task_definition_families,
                delete=_deregister_task_definition_family,
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
    ),
    ServiceSpec(
        id="ecr",
        nav_label="ECR",
        title="Elastic Container Registry",
        facet="ecr",
        summarize=_ecr_summary,
        views=(
            ResourceView(
                id="repositories",
                title="Repositories",
                noun="repository",
                fetch=_ecr_repositories,
                delete=_delete_ecr_repository,
                opens="repository",
                creates="repository",
                delete_warning=(
                    "A repository that still holds images is deleted with them (force): every tag goes, "
                    "and ECS tasks that name its images can no longer start. This cannot be undone."
                ),
                # The console's columns; the URI, the widest, last so that the rest fit 120 columns.
                columns=(
                    Column("name", "Repository name"),
                    Column("images", "Images", "number"),
                    Column("immutability", "Tag immutability"),
                    Column("scan", "Scan on push"),
                    Column("created", "Created at", "time"),
                    Column("uri", "URI"),
                ),
            ),
        ),
    ),
    ServiceSpec(
        id="lambda",
        nav_label="Lambda",
        title="Lambda",
        facet="lambda_",
        summarize=_lambda_summary,
        views=(
            ResourceView(
                id="functions",
                title="Functions",
                noun="function",
                fetch=_lambda_functions,
                delete=_deleter("lambda_", "delete_function"),
                opens="function",
                creates="function",
                columns=(
                    Column("name", "Function name"),
                    Column("runtime", "Runtime"),
                    Column("memory", "Memory (MB)", "number"),
                    Column("timeout", "Timeout", "number"),
                    Column("code", "Code size", "number"),
                    Column("modified", "Last modified", "time"),
                    Column("state", "State", "state"),
                ),
            ),
        ),
    ),
    ServiceSpec(
        id="apigw",
        nav_label="API Gateway",
        title="API Gateway",
        facet="apigateway",
        summarize=_apigw_summary,
        aliases=("apigateway", "api"),
        views=(
            ResourceView(
                id="apis",
                title="APIs",
                noun="API",
                fetch=_apis,
                delete=_delete_api,
                columns=(
                    Column("name", "Name"),
                    Column("id", "ID"),
                    Column("protocol", "Protocol"),
                    Column("endpoint", "Endpoint type"),
                    Column("created", "Created", "time"),
                    Column("description", "Description"),
                ),
            ),
        ),
    ),
    ServiceSpec(
        id="batch",
        nav_label="Batch",
        title="Batch",
        facet="batch",
        summarize=_batch_summary,
        views=(
            ResourceView(
                id="job-queues",
                title="Job queues",
                noun="job queue",
                fetch=_job_queues,
                delete=_deleter("batch", "delete_job_queue"),
                set_enabled=_state_setter("update_job_queue"),
                delete_warning=(
                    "Batch refuses unless the queue is DISABLED first; the jobs still in it are terminated. "
                    "This cannot be undone."
                ),
                columns=(
                    Column("name", "Name"),
                    Column("state", "State", "state"),
                    Column("status", "Status", "state"),
                    Column("priority", "Priority", "number"),
                    Column("environments", "Compute environments"),
                ),
            ),
            ResourceView(
                id="compute-environments",
                title="Compute environments",
                noun="compute environment",
                fetch=_compute_environments,
                delete=_deleter("batch", "delete_compute_environment"),
                set_enabled=_state_setter("update_compute_environment"),
                delete_warning=(
                    "Batch refuses unless the environment is DISABLED and no job queue uses it. "
                    "This cannot be undone."
                ),
                columns=(
                    Column("name", "Name"),
                    Column("type", "Type"),
                    Column("provisioning", "Provisioning model"),
                    Column("state", "State", "state"),
                    Column("status", "Status", "state"),
                    Column("vcpus", "vCPUs (min-max)", "number"),
                ),
            ),
            ResourceView(
                id="job-definitions",
                title="Job definitions",
                noun="job definition",
                fetch=_job_definitions,
                delete=lambda b, row: b.batch.deregister_job_definition(row.key),  # type: ignore[union-attr]
                delete_verb="Deregister",
                delete_warning=(
                    "The revision turns INACTIVE: no new job can use it; jobs already submitted with it still run."
                ),
                columns=(
                    Column("name", "Job definition"),
                    Column("status", "Status", "state"),
                    Column("platform", "Platform"),
                    Column("image", "Image"),
                    Column("vcpu", "vCPU", "number"),
                    Column("memory", "Memory (MiB)", "number"),
                    Column("attempts", "Attempts", "number"),
                ),
            ),
        ),
    ),
    ServiceSpec(
        id="lightsail",
        nav_label="Lightsail",
        title="Lightsail",
        facet="lightsail",
        summarize=_lightsail_summary,
        views=(
            ResourceView(
                id="instances",
                title="Instances",
                noun="instance",
                fetch=_lightsail_instances,
                delete=_deleter("lightsail", "delete_instance"),
                columns=(
                    Column("name", "Name"),
                    Column("state", "State", "state"),
                    Column("blueprint", "Blueprint"),
                    Column("bundle", "Bundle"),
                    Column("ip", "Public IP"),
                    Column("zone", "Zone"),
                    Column("price", "Price", "number"),
                ),
            ),
            ResourceView(
                id="bundles",
                title="Bundles",
                noun="bundle",
                fetch=_lightsail_bundles,
                read_only_reason="bundles are AWS's price list, not resources of yours",
                sort="price",
                columns=(
                    Column("name", "Bundle"),
                    Column("price", "Price", "number"),
                    Column("vcpus", "vCPUs", "number"),
                    Column("memory", "Memory", "number"),
                    Column("disk", "SSD disk", "number"),
                    Column("transfer", "Transfer", "number"),
                ),
            ),
        ),
    ),
    ServiceSpec(
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
    ),
)

BY_ID: dict[str, ServiceSpec] = {spec.id: spec for spec in SERVICES}


def find_service(name: str) -> ServiceSpec | None:
    """A service by id or alias, as typed on the command line."""
    name = name.lower()
    for spec in SERVICES:
        if name == spec.id or name in spec.aliases:
            return spec
    return None


def not_offered(spec: ServiceSpec, backend_name: str) -> str:
    """Why a service's page is empty on this backend."""
    if spec.id == "eks" and backend_name == "local":
        return (
            "The local emulator runs no Kubernetes, so it has no EKS clusters. EKS is listed "
            "read-only from AWS: start with --backend aws to see your clusters and node groups."
        )
    return f"The {backend_name} backend does not offer {spec.title} yet."
