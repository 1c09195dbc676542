"""Batch's pages: job queues (enter lists a queue's jobs), compute environments, job definitions,
and the home page's line. The Jobs list and a job's page are in :mod:`job_views`."""

from __future__ import annotations

from computetui.backends.base import Backend
from computetui.ui.services.batch.job_views import counts_line, jobs_view, list_jobs
from computetui.ui.views import Column, ResourceView, Row, RowAction, ServiceSpec, Summary, deleter


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
            # ListJobs per queue and status: summaries only, never a describe per job.
            ("Jobs", counts_line(list_jobs(b, detailed=False).counts()) if queues else "none"),
        ),
    )


def _enabling(row: Row) -> bool:
    """Whether ``e`` enables the row (it is DISABLED) rather than disables it."""
    return str(row.cells.get("state") or row.state or "").upper() == "DISABLED"


def _enable_disable(operation: str, noun: str) -> RowAction:
    """``e``: Batch's ENABLED/DISABLED through its update call (UpdateJobQueue,
    UpdateComputeEnvironment). AWS deletes neither a queue nor an environment until it is DISABLED."""

    def what(row: Row) -> str:
        return f"{'enable' if _enabling(row) else 'disable'} {noun} {row.name}"

    def run(b: Backend, row: Row) -> str:
        enable = _enabling(row)
        getattr(b.batch, operation)(row.name, state="ENABLED" if enable else "DISABLED")
        return f"{'Enabled' if enable else 'Disabled'} {noun} {row.name}."

    return RowAction(
        id="enable-disable", key="e", label="Enable/Disable", what=what, run=run,
        tooltip="Disable the row if it is ENABLED, enable it if DISABLED (Batch queues, environments)",
    )


SPEC = ServiceSpec(
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
            delete=deleter("batch", "delete_job_queue"),
            opens="batch-queue-jobs",
            creates="job-queue",
            actions=(_enable_disable("update_job_queue", "job queue"),),
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
            delete=deleter("batch", "delete_compute_environment"),
            creates="compute-environment",
            actions=(_enable_disable("update_compute_environment", "compute environment"),),
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
            creates="job-definition",
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
        # Every queue's jobs in every state, as the console's Jobs page; enter on a queue opens
        # its own, with the state to step through (s).
        jobs_view(),
    ),
)
