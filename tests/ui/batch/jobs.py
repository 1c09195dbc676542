"""A Batch scene for the job pages: jobs in every state, written into the local backend's
store the way its job book keeps them (``backend.batch.book.save``), so a picture can show
RUNNING, SUCCEEDED and FAILED jobs, attempts and log lines with no scheduler and no engine.

The demo's queue and Fargate environment hold them; the clock is the UI helpers' fixed one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from computetui.backends.local import LocalBackend
from computetui.ui.services.batch.job_views import LOG_GROUP

NOW_MS = int(datetime.fromisoformat("2026-01-15T09:30:00+00:00").timestamp() * 1000)
MINUTE = 60_000
ACCOUNT = "000000000000"


def _ids(n: int) -> str:
    return f"{n:08x}-1111-4222-8333-{n:012x}"


def job_body(backend: LocalBackend, n: int, name: str, status: str, *, created: int, started: int | None = None,
             stopped: int | None = None, reason: str | None = None, attempts: list[dict[str, Any]] | None = None,
             **more: Any) -> dict[str, Any]:
    """A stored job: its DescribeJobs JSON plus the member the emulator keeps (its queue)."""
    assert backend.batch is not None
    [queue] = backend.batch.describe_job_queues(["demo-queue"])
    [definition] = [d for d in backend.batch.describe_job_definitions(job_definition_name="report")
                    if d.status == "ACTIVE"][-1:]
    job_id = _ids(n)
    body: dict[str, Any] = {
        "jobArn": f"arn:aws:batch:us-east-1:{ACCOUNT}:job/{job_id}", "jobId": job_id, "jobName": name,
        "jobQueue": queue.job_queue_arn, "status": status, "createdAt": created,
        "jobDefinition": definition.job_definition_arn,
        "container": {"image": "computetui/sample:latest", "command": ["sh", "-c", "echo report"],
                      "resourceRequirements": [{"type": "VCPU", "value": "0.5"}, {"type": "MEMORY", "value": "1024"}],
                      "environment": [{"name": "DAY", "value": "2026-01-15"}]},
        "attempts": attempts or [], "dependsOn": [], "parameters": {}, "platformCapabilities": ["FARGATE"],
        "retryStrategy": {"attempts": 2}, "computetui": {"queueArn": queue.job_queue_arn},
    }
    for key, value in (("startedAt", started), ("stoppedAt", stopped), ("statusReason", reason)):
        if value is not None:
            body[key] = value
    body.update(more)
    return body


def attempt(n: int, started: int, stopped: int, exit_code: int, reason: str) -> dict[str, Any]:
    task = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/demo-fargate/{n:032x}"
    return {"container": {"exitCode": exit_code, "reason": reason, "logStreamName": f"report/default/{n:032x}",
                          "taskArn": task},
            "startedAt": started, "stoppedAt": stopped, "statusReason": "Essential container in task exited"}


def add_jobs(backend: LocalBackend) -> dict[str, dict[str, Any]]:
    """A queue with a job in each kind of place; returns the bodies by job name."""
    assert backend.batch is not None and backend.logs is not None
    book = backend.batch.book  # type: ignore[attr-defined]
    t = NOW_MS
    first = attempt(1, t - 30 * MINUTE, t - 29 * MINUTE, 1, "report failed: no data yet")
    second = attempt(2, t - 28 * MINUTE, t - 25 * MINUTE, 0, "")
    jobs = [
        job_body(backend, 1, "nightly-report", "SUCCEEDED", created=t - 31 * MINUTE, started=t - 28 * MINUTE,
                 stopped=t - 25 * MINUTE, reason="Essential container in task exited", attempts=[first, second]),
        job_body(backend, 2, "long-crunch", "RUNNING", created=t - 21 * MINUTE, started=t - 20 * MINUTE,
                 container={"image": "computetui/sample:latest", "command": ["sleep", "1200"],
                            "resourceRequirements": [{"type": "VCPU", "value": "2"},
                                                     {"type": "MEMORY", "value": "4096"}],
                            "logStreamName": "report/default/" + "2" * 32,
                            "taskArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/demo-fargate/{'2' * 32}"}),
        job_body(backend, 3, "waiting-a", "RUNNABLE", created=t - 5 * MINUTE),
        job_body(backend, 4, "waiting-b", "RUNNABLE", created=t - 4 * MINUTE),
        job_body(backend, 5, "after-crunch", "PENDING", created=t - 3 * MINUTE,
                 dependsOn=[{"jobId": _ids(2)}]),
        job_body(backend, 6, "bad-input", "FAILED", created=t - 15 * MINUTE, started=t - 14 * MINUTE,
                 stopped=t - 14 * MINUTE + 4000, reason="Essential container in task exited",
                 attempts=[attempt(6, t - 14 * MINUTE, t - 14 * MINUTE + 4000, 2, "")]),
    ]
    parent = job_body(backend, 7, "render-frames", "PENDING", created=t - 10 * MINUTE,
                      arrayProperties={"size": 3, "statusSummary": {}})
    jobs.append(parent)
    children = []
    for index, status in enumerate(("SUCCEEDED", "RUNNING", "RUNNABLE")):
        child = job_body(backend, 7, "render-frames", status, created=t - 10 * MINUTE,
                         arrayProperties={"size": 3, "index": index})
        child.update(jobArn=f"{parent['jobArn']}:{index}", jobId=f"{parent['jobId']}:{index}")
        child["computetui"] = {"queueArn": parent["jobQueue"], "arrayJobArn": parent["jobArn"]}
        if status != "RUNNABLE":
            child["startedAt"] = t - 9 * MINUTE
        if status == "SUCCEEDED":
            child["stoppedAt"] = t - 8 * MINUTE
        children.append(child)
    for body in jobs + children:
        book.save(body)
    backend.logs.create_log_group(LOG_GROUP)
    for stream, lines, at in ((f"report/default/{1:032x}", ["reading yesterday's orders", "no data yet"], t - 30 * MINUTE),
                              (f"report/default/{2:032x}", ["reading yesterday's orders", "wrote report.csv"],
                               t - 28 * MINUTE)):
        backend.logs.create_log_stream(LOG_GROUP, stream)
        backend.logs.put_log_events(LOG_GROUP, stream, [{"timestamp": at + i * 1000, "message": m}
                                                       for i, m in enumerate(lines)])
    return {b["jobName"]: b for b in jobs}
