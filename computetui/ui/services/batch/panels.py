"""The job page's tabs that are not tables: what the job is (status, container, dependencies,
array, cost) and its log tail in ``/aws/batch/job``.

Each panel fetches in the page's worker thread (``fetch``) and draws on the UI thread
(``show``), so a slow backend never freezes the console.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Log, Static

from computetui.backends.base import Backend
from computetui.backends.errors import ComputeError, NotFound
from computetui.ui.format import when
from computetui.ui.services.batch.job_views import (
    JOB_STATUSES,
    LOG_GROUP,
    duration,
    environment_of,
    job_cost,
    log_streams,
    now_ms,
    run_seconds,
    short_queue,
)
from computetui.ui.states import TONE_VARIABLE, tone

TAIL = 500
LABEL_WIDTH = 14


def _line(label: str, value: str | Content) -> Content:
    text = value if isinstance(value, Content) else Content(value)
    return Content.from_markup("[$text-muted]$l[/]", l=label.ljust(LABEL_WIDTH)) + text


def _state(status: str) -> Content:
    return Content.from_markup(f"[b {TONE_VARIABLE.get(tone(status), '$foreground')}]$s[/]", s=status)


def describe_job(backend: Backend, job_id: str) -> Any:
    assert backend.batch is not None
    found = backend.batch.describe_jobs([job_id])
    return found[0] if found else None


class JobDetails(VerticalScroll):
    """What a job is: its state and why, its container, what it waits on, its array, its cost."""

    DEFAULT_CSS = """
    JobDetails { height: 1fr; padding: 0 1; }
    JobDetails #job-details { height: auto; }
    """

    def __init__(self, job_id: str) -> None:
        super().__init__()
        self.job_id = job_id

    def compose(self) -> ComposeResult:
        yield Static("Reading the job…", id="job-details")

    def fetch(self, backend: Backend) -> dict[str, Any]:
        job = describe_job(backend, self.job_id)
        if job is None:
            return {"job": None}
        now = now_ms(backend)
        environment = None
        problem = None
        try:
            environment = environment_of(backend, job)
        except ComputeError as exc:
            problem = f"{exc.code}: {exc.message}"
        return {"job": job, "environment": environment, "cost": job_cost(job, environment, now), "now": now,
                "problem": problem}

    def show(self, data: dict[str, Any]) -> None:
        job = data["job"]
        static = self.query_one("#job-details", Static)
        if job is None:
            static.update(Content(f"Job {self.job_id} is gone: Batch keeps finished jobs for about a week."))
            return
        now = data["now"]
        lines: list[Content] = [
            _line("Status", _state(job.status.value) + Content(f"  {job.status_reason}" if job.status_reason else "")),
            _line("Queue", short_queue(job.job_queue)),
            _line("Definition", short_queue(job.job_definition)),
            _line("Job ID", job.job_id),
            _line("Created", when(job.created_at)),
            _line("Started", when(job.started_at)),
            _line("Stopped", when(job.stopped_at)),
            _line("Ran for", duration(run_seconds(job.started_at, job.stopped_at, now))),
        ]
        allowed = job.retry_strategy.attempts if job.retry_strategy else 1
        lines.append(_line("Attempts", f"{len(job.attempts)} of at most {allowed}"))
        timeout = job.timeout.attempt_duration_seconds if job.timeout else None
        lines.append(_line("Timeout", f"{timeout} s per attempt" if timeout else "none (a job may run for days)"))
        lines.append(Content(""))
        lines.append(Content.from_markup("[b]Container[/]"))
        container = job.container
        if container is None:
            lines.append(_line("  ", "none described"))
        else:
            lines.append(_line("Image", container.image or "-"))
            lines.append(_line("Command", shlex.join(container.command) if container.command else "(the image's)"))
            lines.append(_line("vCPU", job.requirement("VCPU") or "-"))
            memory = job.requirement("MEMORY")
            lines.append(_line("Memory", f"{memory} MiB" if memory else "-"))
            environment = ", ".join(f"{e.name}={e.value}" for e in container.environment)
            lines.append(_line("Environment", environment or "-"))
            if container.log_stream_name:
                lines.append(_line("Log stream", f"{LOG_GROUP} {container.log_stream_name}"))
        lines.append(Content(""))
        depends = ", ".join(f"{d.job_id}" + (f" ({d.type})" if d.type else "") for d in job.depends_on)
        lines.append(_line("Depends on", depends or "nothing"))
        props = job.array_properties
        if job.array_parent and props is not None:
            summary = props.status_summary or {}
            counted = " · ".join(f"{summary[s]} {s}" for s in JOB_STATUSES if summary.get(s))
            lines.append(_line("Array", f"{props.size} children" + (f": {counted}" if counted else "")))
        elif props is not None and props.index is not None:
            lines.append(_line("Array", f"child {props.index} of {props.size or '?'} (parent {job.array_job_id})"))
        cost = data["cost"]
        environment = data["environment"]
        where = (f" in {environment.compute_environment_name}" if environment is not None else "")
        if cost is None:
            lines.append(_line("Cost on AWS", "nothing yet: no attempt has started"))
        else:
            lines.append(_line("Cost on AWS", Content.from_markup(
                "[b]$a[/]  [$muted]$w[/]", a=f"${cost.usd:.4f}", w=f"{cost.basis}{where}")))
        if data.get("problem"):
            lines.append(_line("", data["problem"]))
        static.update(Content("\n").join(lines))


class JobLogsPanel(Vertical):
    """The job's output in CloudWatch Logs: every attempt's stream, oldest first, following new lines."""

    DEFAULT_CSS = """
    JobLogsPanel { height: 1fr; }
    JobLogsPanel #logs-status { height: auto; padding: 0 1; color: $muted; }
    JobLogsPanel Log { height: 1fr; border: round $panel-lighten-2; padding: 0 1; overflow: auto; }
    JobLogsPanel Log:focus { border: round $primary; }
    """

    def __init__(self, job_id: str) -> None:
        super().__init__()
        self.job_id = job_id
        self._seen: set[str] = set()
        self._since = 0

    def compose(self) -> ComposeResult:
        yield Static("Reading logs…", id="logs-status")
        yield Log(id="job-log", highlight=False, max_lines=5000)

    def fetch(self, backend: Backend) -> dict[str, Any]:
        job = describe_job(backend, self.job_id)
        streams = log_streams(job) if job is not None else []
        events: list[Any] = []
        problem = None
        if backend.logs is not None and streams:
            try:
                events = backend.logs.filter_log_events(LOG_GROUP, start_time=self._since,
                                                        log_stream_names=streams, limit=TAIL)
            except NotFound:
                events = []
            except ComputeError as exc:
                problem = f"{exc.code}: {exc.message}"
        events.sort(key=lambda e: (e.timestamp, e.event_id))
        return {"status": job.status.value if job is not None else None, "streams": streams,
                "events": events[-TAIL:], "problem": problem}

    def show(self, data: dict[str, Any]) -> None:
        lines = []
        for event in data["events"]:
            if event.event_id in self._seen:
                continue
            self._seen.add(event.event_id)
            self._since = max(self._since, event.timestamp)
            at = datetime.fromtimestamp(event.timestamp / 1000, tz=UTC).strftime("%H:%M:%S.%f")[:-3]
            lines.append(f"{at}  {event.message.rstrip().expandtabs(2)}")
        if lines:
            self.query_one(Log).write_lines(lines)
        status, streams = data["status"], data["streams"]
        if status is None:
            text = f"Job {self.job_id} is gone."
        elif not streams:
            text = (f"Log group {LOG_GROUP} · no stream yet: the job is {status}; an attempt's stream "
                    "appears once its container starts.")
        else:
            running = status in ("STARTING", "RUNNING")
            tail = ("following new lines" if self._seen else "waiting for the first line") if running else (
                f"the job is {status}" + ("" if self._seen else ", and wrote nothing"))
            which = f"stream {streams[-1]}" if len(streams) == 1 else f"{len(streams)} streams (one per attempt)"
            text = f"Log group {LOG_GROUP} · {which} · {tail}"
        if data["problem"]:
            text += f" · {data['problem']}"
        self.query_one("#logs-status", Static).update(Content(text))  # AWS's words: plain, not markup
