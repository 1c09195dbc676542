"""What the Batch job pages show: the Jobs list (every queue's, or one queue's, in one state
or all), a job's attempts and array children, what it would have cost, and the words for
cancelling or terminating it. Rows come from the backend contract only; nothing here draws.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from computetui.backends.base import Backend
from computetui.pricing import BatchJobCost, batch_job_cost
from computetui.ui.format import when
from computetui.ui.views import Column, ResourceView, Row, RowAction

if TYPE_CHECKING:  # the models (pydantic) load with the first rows, not with the first frame
    from computetui.models import batch as m

JOB_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
"""A job's lifecycle in order: what ListJobs takes one at a time, and what ``s`` steps through."""

CANCELLABLE = frozenset({"SUBMITTED", "PENDING", "RUNNABLE"})
"""CancelJob's states; STARTING and RUNNING need TerminateJob; SUCCEEDED and FAILED are over."""
TERMINABLE = frozenset({"STARTING", "RUNNING"})

LOG_GROUP = "/aws/batch/job"
ID_WIDTH = 8
"""Job ids are UUIDs; the table shows their first 8 digits (the filter still matches the whole ARN)."""
STOP_REASON = "Stopped by user from computetui"


def _batch(b: Backend) -> Any:
    assert b.batch is not None
    return b.batch


def now_ms(b: Backend) -> int:
    """The backend's clock when it has one (the emulator's, fixed in tests), else the machine's."""
    clock = getattr(b, "clock", None)
    return int((clock.time() if clock is not None else time.time()) * 1000)


def short_queue(arn_or_name: str | None) -> str:
    """``arn:aws:batch:…:job-queue/nightly`` -> ``nightly``."""
    return (arn_or_name or "-").rsplit("/", 1)[-1]


def duration(seconds: float | None) -> str:
    """``42 s``, ``3 min 5 s``, ``2 h 10 min``: what the table's number sort reads back."""
    if seconds is None:
        return "-"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def run_seconds(started: int | None, stopped: int | None, now: int) -> float | None:
    """How long something ran: to its stop, or to now while it still runs."""
    if started is None:
        return None
    return ((stopped if stopped is not None else now) - started) / 1000


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def state_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many of each status, in the lifecycle's order, the absent ones left out."""
    seen: dict[str, int] = {}
    for status in statuses:
        seen[status] = seen.get(status, 0) + 1
    return {s: seen[s] for s in JOB_STATUSES if s in seen}


def counts_line(counts: dict[str, int]) -> str:
    """``3 RUNNABLE · 2 RUNNING · 10 SUCCEEDED`` (``none`` when there are no jobs)."""
    return " · ".join(f"{n} {s}" for s, n in counts.items()) or "none"


# -- the Jobs list -------------------------------------------------------------------------
JOB_COLUMNS = (
    Column("name", "Job name"),
    Column("status", "Status", "state"),
    Column("queue", "Queue"),
    Column("created", "Created", "time"),
    Column("duration", "Duration", "number"),
    Column("exit", "Exit", "number"),
    Column("array", "Array"),
    Column("reason", "Status reason"),
    Column("attempts", "Attempts", "number"),
    Column("job", "Job ID"),
    Column("started", "Started", "time"),
    Column("stopped", "Stopped", "time"),
)
"""The order they matter in: at 120 columns name, state, queue, when, how long, how it ended and the
array fit; the filter matches the whole job id (in the row's ARN) whether its column shows or not."""


def _array_cell(props: m.ArrayProperties | None) -> str:
    if props is None:
        return "-"
    if props.index is not None:
        return f"index {props.index}"
    if props.size is not None:
        return f"size {props.size}"
    return "-"


def _described(job: Any) -> bool:
    """A DescribeJobs detail rather than a ListJobs summary. Asked of the class: a pydantic model
    finds a missing attribute absent slowly (~10 us), which 10,000 rows would feel."""
    return "attempts" in type(job).model_fields


def job_row(job: m.JobSummary, queue: str, now: int, detail: Any = None) -> Row:
    """A job, from ListJobs' summary or DescribeJobs' detail; ``detail`` makes its JSON when asked."""
    container = job.container
    attempts = job.attempts if _described(job) else None
    exit_code = container.exit_code if container is not None else None
    return Row(
        key=job.job_arn,
        name=job.job_name,
        state=job.status.value,
        cells={
            "name": job.job_name,
            "status": job.status.value,
            "queue": short_queue(queue),
            "job": job.job_id[:ID_WIDTH] + job.job_id[36:],  # a child keeps its :index
            "created": when(job.created_at),
            "duration": duration(run_seconds(job.started_at, job.stopped_at, now)),
            "attempts": len(attempts) if attempts is not None else "-",
            "exit": exit_code if exit_code is not None else "-",
            "array": _array_cell(job.array_properties),
            "reason": job.status_reason or "-",
            "started": when(job.started_at),
            "stopped": when(job.stopped_at),
        },
        detail=detail if detail is not None else job.to_aws,
        extra={"job_id": job.job_id, "queue": short_queue(queue), "status": job.status.value},
    )


@dataclass(frozen=True)
class JobListing:
    """Every job of the queues asked for, by status: one ListJobs per queue and status
    (or the backend's own listing of a queue, described), never a call per job."""

    jobs: dict[str, list[tuple[str, Any]]]
    """status -> (queue name, job) in the order the backend gave them."""
    now: int

    def counts(self) -> dict[str, int]:
        return {s: len(self.jobs[s]) for s in JOB_STATUSES if self.jobs.get(s)}

    def rows(self, status: str | None = None, describe: Callable[[str], Any] | None = None) -> list[Row]:
        statuses = (status,) if status else JOB_STATUSES
        rows = []
        for s in statuses:
            for queue, job in self.jobs.get(s, []):
                made = describe(job.job_id) if describe is not None and not _described(job) else None
                rows.append(job_row(job, queue, self.now, made))
        return rows


def queue_names(b: Backend, queue: str | None) -> list[str]:
    if queue is not None:
        return [queue]
    return [q.job_queue_name for q in _batch(b).describe_job_queues()]


def list_jobs(b: Backend, queue: str | None = None, statuses: Iterable[str] = JOB_STATUSES, *,
              detailed: bool = True) -> JobListing:
    """The jobs of ``queue`` (every queue when None) in ``statuses``. ``detailed``, a backend that
    describes a queue's jobs in one go (``describe_jobs_in_queue``, beyond the contract) is asked
    that, so the rows carry attempts; otherwise ListJobs' summaries are the rows (and all a
    count needs)."""
    batch = _batch(b)
    statuses = tuple(statuses)
    jobs: dict[str, list[tuple[str, Any]]] = {s: [] for s in statuses}
    in_queue = getattr(batch, "describe_jobs_in_queue", None) if detailed else None
    for name in queue_names(b, queue):
        if callable(in_queue):
            for job in in_queue(name, job_statuses=list(statuses)):
                jobs.setdefault(job.status.value, []).append((name, job))
            continue
        for status in statuses:
            jobs[status].extend((name, job) for job in batch.list_jobs(job_queue=name, job_status=status))
    return JobListing(jobs, now_ms(b))


def describer(b: Backend) -> Callable[[str], Callable[[], dict[str, Any]]]:
    """What makes one job's DescribeJobs JSON, asked only when the user describes that row."""

    def for_job(job_id: str) -> Callable[[], dict[str, Any]]:
        def make() -> dict[str, Any]:
            found = _batch(b).describe_jobs([job_id])
            return found[0].to_aws() if found else {"jobId": job_id}

        return make

    return for_job


def fetch_jobs(queue: str | None = None, status: str | None = None) -> Callable[[Backend], list[Row]]:
    def fetch(b: Backend) -> list[Row]:
        return list_jobs(b, queue, (status,) if status else JOB_STATUSES).rows(status, describer(b))

    return fetch


# -- cancel or terminate ---------------------------------------------------------------------
def stop_verb(status: str | None) -> str | None:
    """``cancel`` before a job starts, ``terminate`` once it does; None when it is over."""
    if status in CANCELLABLE:
        return "cancel"
    if status in TERMINABLE:
        return "terminate"
    return None


def stop_warning(status: str | None) -> str:
    if status in TERMINABLE:
        return ("Its container gets SIGTERM, then SIGKILL; the job turns FAILED and is not retried. "
                "Jobs that depend on it fail too.")
    return "It turns FAILED without running. Jobs that depend on it fail too."


def stop_job(b: Backend, job_id: str, name: str, status: str | None) -> str:
    """CancelJob or TerminateJob, whichever the job's state takes; what to tell the user."""
    verb = stop_verb(status)
    if verb == "cancel":
        _batch(b).cancel_job(job_id, STOP_REASON)
        return f"Cancelled job {name}: it turns FAILED."
    if verb == "terminate":
        _batch(b).terminate_job(job_id, STOP_REASON)
        return f"Terminating job {name}: its container is being stopped."
    return f"Job {name} is {status}: there is nothing left to stop."


def _row_status(row: Row) -> str | None:
    return str(row.cells.get("status") or row.state or "") or None


CANCEL_TERMINATE = RowAction(
    id="cancel-terminate",
    key="x",
    label="Cancel/Terminate",
    what=lambda row: f"{stop_verb(_row_status(row)) or 'stop'} job {row.name}",
    run=lambda b, row: stop_job(b, row.extra.get("job_id", row.key), row.name, _row_status(row)),
    tooltip="Cancel the job (SUBMITTED, PENDING, RUNNABLE) or terminate it (STARTING, RUNNING); asks first",
    confirm=lambda row: stop_warning(_row_status(row)),
)


def jobs_view(queue: str | None = None, status: str | None = None) -> ResourceView:
    """The Jobs list: one queue's or every queue's, in one status or all of them."""
    return ResourceView(
        id="jobs",
        title=f"Jobs ({status})" if status else "Jobs",
        noun="job",
        columns=JOB_COLUMNS,
        fetch=fetch_jobs(queue, status),
        sort="created",
        opens="batch-job",
        creates="batch-job",
        logs="batch-job-logs",
        actions=(CANCEL_TERMINATE,),
        context={"queue": queue, "status": status},
    )


# -- one job -----------------------------------------------------------------------------------
ATTEMPT_COLUMNS = (
    Column("attempt", "Attempt", "number"),
    Column("started", "Started", "time"),
    Column("stopped", "Stopped", "time"),
    Column("duration", "Duration", "number"),
    Column("exit", "Exit code", "number"),
    Column("reason", "Reason"),
    Column("stream", "Log stream"),
)


def attempt_rows(job: m.JobDetail, now: int) -> list[Row]:
    rows = []
    for number, attempt in enumerate(job.attempts, start=1):
        container = attempt.container
        exit_code = container.exit_code if container is not None else None
        reason = (container.reason if container is not None else None) or attempt.status_reason
        rows.append(Row(
            key=f"{job.job_id}#{number}",
            name=f"attempt {number}",
            cells={
                "attempt": number,
                "started": when(attempt.started_at),
                "stopped": when(attempt.stopped_at),
                "duration": duration(run_seconds(attempt.started_at, attempt.stopped_at, now)),
                "exit": exit_code if exit_code is not None else "-",
                "reason": reason or "-",
                "stream": (container.log_stream_name if container is not None else None) or "-",
            },
            detail=attempt.to_aws(),
        ))
    return rows


CHILD_COLUMNS = (
    Column("index", "Index", "number"),
    Column("status", "Status", "state"),
    Column("job", "Job ID"),
    Column("duration", "Duration", "number"),
    Column("exit", "Exit code", "number"),
    Column("reason", "Status reason"),
    Column("started", "Started", "time"),
    Column("stopped", "Stopped", "time"),
)


def child_rows(b: Backend, job: m.JobDetail) -> list[Row]:
    """An array job's children, every status: ListJobs by the parent's id, one call per status."""
    batch = _batch(b)
    now = now_ms(b)
    describe = describer(b)
    rows = []
    for status in JOB_STATUSES:
        for child in batch.list_jobs(job_queue=job.job_queue, job_status=status, array_job_id=job.job_id):
            row = job_row(child, job.job_queue, now, describe(child.job_id))
            index = child.array_properties.index if child.array_properties else None
            row.cells["index"] = index if index is not None else child.job_id.rsplit(":", 1)[-1]
            # Every child has its parent's name: a question about one names it by its index.
            rows.append(dataclasses.replace(row, name=f"{child.job_name}:{row.cells['index']}"))
    return rows


def environment_of(b: Backend, job: m.JobDetail) -> m.ComputeEnvironmentDetail | None:
    """The compute environment a job ran in: the one whose ECS cluster ran its last attempt's task
    (``task/<cluster>/<id>``), else the first of its queue's."""
    batch = _batch(b)
    task_arns = [a.container.task_arn for a in job.attempts if a.container and a.container.task_arn]
    if job.container is not None and job.container.task_arn:
        task_arns.append(job.container.task_arn)
    environments = None
    for task_arn in reversed(task_arns):
        parts = task_arn.split(":", 5)[-1].split("/")
        if len(parts) < 3:
            continue
        cluster = parts[1]
        environments = environments if environments is not None else batch.describe_compute_environments()
        for ce in environments:
            if ce.ecs_cluster_arn and ce.ecs_cluster_arn.rsplit("/", 1)[-1] == cluster:
                return ce
    queues = batch.describe_job_queues([job.job_queue])
    if not queues or not queues[0].compute_environment_order:
        return None
    first = min(queues[0].compute_environment_order, key=lambda o: o.order).compute_environment
    found = batch.describe_compute_environments([first])
    return found[0] if found else None


def job_cost(job: m.JobDetail, environment: m.ComputeEnvironmentDetail | None, now: int) -> BatchJobCost | None:
    """What the job's attempts would have cost on AWS; None before any attempt started."""
    seconds = [run_seconds(a.started_at, a.stopped_at, now) for a in job.attempts]
    ran = [s for s in seconds if s is not None]
    if not ran and job.started_at is not None:  # a running job's attempt is listed once it ends
        ran = [run_seconds(job.started_at, job.stopped_at, now) or 0.0]
    if not ran:
        return None
    resources = environment.compute_resources if environment is not None else None
    provisioning = resources.type.value if resources is not None else "FARGATE"
    vcpus = float(job.requirement("VCPU") or 1)
    memory = int(float(job.requirement("MEMORY") or 2048))
    return batch_job_cost(provisioning, vcpus, memory, sum(ran))


def log_streams(job: m.JobDetail) -> list[str]:
    """The job's log streams in ``/aws/batch/job``: each attempt's, then the current one's."""
    streams = [a.container.log_stream_name for a in job.attempts if a.container and a.container.log_stream_name]
    if job.container is not None and job.container.log_stream_name:
        streams.append(job.container.log_stream_name)
    return list(dict.fromkeys(streams))
