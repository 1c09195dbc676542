"""Batch jobs as records in the store: how a job is kept, read and changed.

A job is its ``DescribeJobs`` JSON plus a ``computetui`` member that AWS's answer
does not have: what the scheduler and the runner need (its queue, vCPUs and
memory, the jobs it waits for, where it was placed, the attempt running now).
The member is dropped whenever a job is read as a model.

Columns: name is the job id, state its status, parent the queue's ARN — or, for
an array job's child, the parent job's ARN, so ListJobs of a queue shows the
parent alone and ListJobs of an array job its children, each one indexed read.
A summary (the ``ListJobs`` row) is kept beside each job so a queue of 10,000
jobs is listed without reading the bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from computetui.models import batch as m

if TYPE_CHECKING:
    from computetui.backends.local.state import StateStore

JOB = "batch:job"
RUN = "computetui"
"""The member of a stored job that holds what only the emulator needs."""
WAITING = ("SUBMITTED", "PENDING", "RUNNABLE")
ACTIVE = ("STARTING", "RUNNING")
FINISHED = ("SUCCEEDED", "FAILED")
UNFINISHED = WAITING + ACTIVE
SUMMARY_VERSION = 1
SUMMARY_FIELDS = ("jobArn", "jobId", "jobName", "createdAt", "status", "statusReason", "startedAt", "stoppedAt",
                  "jobDefinition")


def summary(body: dict[str, Any]) -> dict[str, Any]:
    """The job's ``ListJobs`` row (``JobSummary``), from its stored body."""
    row = {key: body[key] for key in SUMMARY_FIELDS if body.get(key) is not None}
    container = body.get("container") or {}
    exit_code, reason = container.get("exitCode"), container.get("reason")
    if exit_code is not None or reason is not None:
        row["container"] = {k: v for k, v in (("exitCode", exit_code), ("reason", reason)) if v is not None}
    props = body.get("arrayProperties")
    if props:
        row["arrayProperties"] = {k: props[k] for k in ("size", "index") if props.get(k) is not None}
    return row


def detail(body: dict[str, Any]) -> m.JobDetail:
    """The job as DescribeJobs answers (the emulator's member left out)."""
    return m.JobDetail.model_validate({k: v for k, v in body.items() if k != RUN})


def run_of(body: dict[str, Any]) -> dict[str, Any]:
    return body.setdefault(RUN, {})


class JobBook:
    """Reads and writes job records in one store."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        store.summarize(JOB, summary, version=SUMMARY_VERSION)

    @staticmethod
    def parent_of(body: dict[str, Any]) -> str:
        run = body.get(RUN) or {}
        return run.get("arrayJobArn") or run["queueArn"]

    def save(self, body: dict[str, Any]) -> None:
        self.store.put(JOB, body["jobArn"], body, name=body["jobId"], parent=self.parent_of(body),
                       state=body["status"])

    def get(self, arn: str) -> dict[str, Any] | None:
        return self.store.get(JOB, arn)

    def find(self, job_id: str) -> dict[str, Any] | None:
        """A job by id or ARN."""
        if job_id.startswith("arn:"):
            return self.store.get(JOB, job_id)
        return self.store.find(JOB, job_id)

    def update(self, arn: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> dict[str, Any] | None:
        """Read, change and write one job in one transaction (see ``StateStore.update``)."""
        return self.store.update(JOB, arn, change, state=lambda body: body["status"])

    def in_states(self, states: Iterable[str]) -> list[dict[str, Any]]:
        return self.store.list(JOB, states=states)

    def summaries(self, parent: str, states: Iterable[str] | None = None) -> list[dict[str, Any]]:
        return self.store.list_summaries(JOB, parent=parent, states=states)

    def statuses(self, arns: Iterable[str]) -> dict[str, str | None]:
        return self.store.states(JOB, arns)

    def count(self, parent: str, status: str) -> int:
        return self.store.count(JOB, parent=parent, state=status)
