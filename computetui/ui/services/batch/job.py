"""One Batch job: Details (state, container, dependencies, array, cost), Attempts, an array
job's Children, and Logs. ``x`` cancels the job before it starts and terminates it after."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content

from computetui.backends.base import Backend
from computetui.models import batch as m
from computetui.ui.format import when as _clock
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.screens.tabs import Facts, PanelView, TabbedScreen, row_action_bindings
from computetui.ui.services.batch import job_views as jv
from computetui.ui.services.batch.panels import JobDetails, JobLogsPanel, describe_job
from computetui.ui.states import TONE_VARIABLE, tone
from computetui.ui.views import ResourceView, Row


def _state(text: str) -> str:
    return TONE_VARIABLE.get(tone(text), "$foreground")


class StopsJobs(TabbedScreen):
    """A page whose rows are jobs: ``x`` on a finished one says there is nothing to stop,
    rather than asking to."""

    def action_row_action(self, action_id: str) -> None:
        row = self.selected()
        if action_id == jv.CANCEL_TERMINATE.id and row is not None and jv.stop_verb(row.state) is None:
            self.notify(f"Job {row.name} is {row.state}: there is nothing left to cancel or terminate.",
                        severity="warning", markup=False)
            return
        super().action_row_action(action_id)


class JobScreen(StopsJobs):
    page_id = "batch"

    BINDINGS = [
        *row_action_bindings([jv.CANCEL_TERMINATE]),  # on the Children tab, for the child under the cursor
        Binding("x", "stop_job", "Cancel/Terminate", id="stop-job",
                tooltip="Cancel the job (SUBMITTED, PENDING, RUNNABLE) or terminate it (STARTING, RUNNING); "
                        "asks first"),
    ]
    MUTATING = TabbedScreen.MUTATING | {"stop_job"}

    def __init__(self, job_id: str, name: str | None = None, view: str | None = None,
                 array_parent: bool = False) -> None:
        self.job_id = job_id
        self.job_name = name or job_id
        self.status: str | None = None

        def attempts(b: Backend) -> list[Row]:
            job = describe_job(b, job_id)
            return jv.attempt_rows(job, jv.now_ms(b)) if job is not None else []

        def children(b: Backend) -> list[Row]:
            job = describe_job(b, job_id)
            return jv.child_rows(b, job) if job is not None else []

        views: list[Any] = [
            PanelView("details", "Details", lambda: JobDetails(job_id)),
            ResourceView("attempts", "Attempts", "attempt", jv.ATTEMPT_COLUMNS, attempts, sort="attempt",
                         context={"job": job_id}),
        ]
        if array_parent:
            views.append(ResourceView("children", "Children", "child job", jv.CHILD_COLUMNS, children, sort="index",
                                      opens="batch-job", logs="batch-job-logs", actions=(jv.CANCEL_TERMINATE,),
                                      context={"job": job_id}))
        views.append(PanelView("logs", "Logs", lambda: JobLogsPanel(job_id)))
        super().__init__(views, view)

    @classmethod
    def for_row(cls, row: Row, view: str | None = None) -> JobScreen:
        """The page of a row of the Jobs list (or of an array's children)."""
        parent = str(row.cells.get("array") or "").startswith("size")
        return cls(row.extra.get("job_id", row.key), row.name, view, array_parent=parent)

    @property
    def crumbs(self) -> list[str]:
        return ["Console", "Batch", "Jobs", self.job_name, self.view.title]

    def empty_hint(self, view: ResourceView) -> str:
        if view.id == "attempts":
            return "No attempt yet: one begins when the job leaves RUNNABLE for STARTING."
        if view.id == "children":
            return "No children listed yet: Batch makes them once the array job is PENDING."
        return super().empty_hint(view)

    # -- header ------------------------------------------------------------------------
    def compose_header(self) -> ComposeResult:
        yield Facts(Content.from_markup("[b]Job[/] [b $primary]$n[/]", n=self.job_name), id="facts")

    def fetch_header(self, backend: Backend) -> Any:
        return describe_job(backend, self.job_id)

    def show_header(self, job: m.JobDetail | None) -> None:
        if job is None:
            self.query_one("#banner").show_error(  # type: ignore[attr-defined]
                f"Job {self.job_id} is gone (Batch keeps finished jobs for about a week). Press esc to go back.")
            return
        if job.status.value != self.status:
            self.status = job.status.value
            self.refresh_bindings()  # x cancels, terminates, or is gone once the job is over
        what = [jv.short_queue(job.job_queue), jv.short_queue(job.job_definition)]  # the id is on Details
        created = _clock(job.created_at)
        when = [f"created {created}"]
        for word, at in (("started", job.started_at), ("stopped", job.stopped_at)):
            if at:  # the day once: the line must fit 120 columns
                stamp = _clock(at)
                when.append(f"{word} {stamp[11:] if stamp[:10] == created[:10] else stamp}")
        if job.attempts:
            when.append(jv.plural(len(job.attempts), "attempt"))
        props = job.array_properties
        if job.array_parent and props is not None and props.status_summary:
            when.append("children: " + jv.counts_line({s: n for s, n in props.status_summary.items() if n}))
        reason = job.status_reason
        failed = job.status is m.JobStatus.FAILED
        self.query_one("#facts", Facts).update(Content.from_markup(
            f"[b]Job[/] [b $primary]$n[/]  [{_state(job.status.value)}]● $s[/]  [$muted]$d[/]"
            "\n[$muted]$w[/]" + (f"\n[{'$error' if failed else '$muted'}]$r[/]" if reason else ""),
            n=job.job_name, s=job.status.value, d=" · ".join(what), w=" · ".join(when), r=reason or ""))

    # -- keys --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_job":
            return self.view.id != "children" and jv.stop_verb(self.status) is not None
        if action == "create":
            return False
        return super().check_action(action, parameters)

    def open_row(self, view: ResourceView, row: Row) -> None:
        if view.id == "children":
            self.app.push_screen(JobScreen.for_row(row))
        else:
            self.console.open_json(self.page_id, [*self.crumbs, row.name], view, row)

    def action_logs(self) -> None:
        if isinstance(self.view, ResourceView) and self.view.id == "children":
            row = self.selected()
            if row is not None:
                self.app.push_screen(JobScreen.for_row(row, "logs"))
            return
        super().action_logs()

    def action_stop_job(self) -> None:
        verb = jv.stop_verb(self.status)
        if verb is None:
            return
        what = f"{verb} job {self.job_name}"
        if self.console.refuse_if_read_only(what):
            return
        status = self.status

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_action(f"Could not {what}", lambda b: jv.stop_job(b, self.job_id, self.job_name, status))

        self.app.push_screen(
            ConfirmScreen(Content.from_markup(f"{verb.capitalize()} job [b]$n[/b]?", n=self.job_name),
                          jv.stop_warning(status), verb.capitalize()),
            confirmed,
        )
