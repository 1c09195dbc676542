"""Batch › Jobs: a queue's jobs (enter on a job queue), or every queue's, in one state or all.

``s`` steps the state shown through Batch's lifecycle (all, SUBMITTED … FAILED, all again),
``S`` steps back, as the console's status filter does; ``a`` shows every queue's jobs and
back. Over the table, how many jobs each state holds. Rows are keyed by the job's ARN and
updated in place; enter opens the job's page, ``l`` its logs, ``x`` cancels or terminates it,
``c`` submits a job to the queue.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content

from computetui.backends.base import Backend
from computetui.ui.screens.tabs import Facts, row_action_bindings
from computetui.ui.services.batch.job import JobScreen, StopsJobs
from computetui.ui.services.batch.job_views import (
    CANCEL_TERMINATE,
    JOB_STATUSES,
    describer,
    jobs_view,
    list_jobs,
)
from computetui.ui.states import TONE_VARIABLE, tone
from computetui.ui.views import ResourceView, Row

FILTERS: tuple[str | None, ...] = (None, *JOB_STATUSES)
"""What ``s`` steps through: every state, then each in the lifecycle's order."""


class JobsScreen(StopsJobs):
    page_id = "batch"

    BINDINGS = [
        *row_action_bindings([CANCEL_TERMINATE]),
        Binding("s", "step_status(1)", "Next state", id="job-state-next",
                tooltip="Show the jobs in the next state (all, SUBMITTED … FAILED, all)"),
        Binding("S", "step_status(-1)", "Previous state", id="job-state-previous", show=False,
                tooltip="Show the jobs in the previous state"),
        # One key, named for what it shows next; both share an id so a keymap moves them together.
        Binding("a", "all_queues('all')", "All queues", id="job-queues-all", tooltip="Show the jobs of every queue"),
        Binding("a", "all_queues('one')", "This queue", id="job-queues-all",
                tooltip="Show the jobs of the queue this page was opened on again"),
    ]

    def __init__(self, queue: str | None = None, status: str | None = None, focus_key: str | None = None) -> None:
        super().__init__([jobs_view(queue, status)], focus_key=focus_key)
        self.home_queue = queue
        """The queue the page was opened on; None when it was opened on every queue's jobs."""
        self.queue = queue
        self.status = status

    @property
    def crumbs(self) -> list[str]:
        if self.home_queue:
            return ["Console", "Batch", "Job queues", self.home_queue, self.view.title]
        return ["Console", "Batch", self.view.title]

    def compose_header(self) -> ComposeResult:
        yield Facts(self._facts(None), id="facts")

    def empty_hint(self, view: ResourceView) -> str:
        where = f" in queue {self.queue}" if getattr(self, "queue", None) else ""
        state = f" {self.status}" if getattr(self, "status", None) else ""
        hint = f"No{state} jobs{where}."
        if not self.console.settings.read_only:
            hint += "\nPress c to submit one."
        return hint + "\nPress s to show the jobs in another state."

    # -- data --------------------------------------------------------------------------
    def fetch(self, backend: Backend) -> dict[str, Any]:
        """One listing of every state, in the worker: the counts over the table and the rows in it."""
        view = self.view
        assert isinstance(view, ResourceView)
        listing = list_jobs(backend, self.queue)
        rows = listing.rows(self.status, describer(backend))
        return self._table_data(view, listing.counts(), rows)

    def show_header(self, counts: dict[str, int] | None) -> None:
        self.query_one("#facts", Facts).update(self._facts(counts))

    def _facts(self, counts: dict[str, int] | None) -> Content:
        where = "in queue [b $primary]$q[/]" if self.queue else "in every queue"
        head = Content.from_markup(f"[b]Jobs[/] {where}  [$muted]showing[/] [b]$s[/]", q=self.queue or "",
                                   s=self.status or "every state")
        if counts is None:
            return head
        parts = []
        for status in JOB_STATUSES:  # the states that hold jobs, and the one shown even when empty
            n = counts.get(status, 0)
            if not n and status != self.status:
                continue
            colour = TONE_VARIABLE.get(tone(status), "$foreground") if n else "$muted"
            style = f"b {colour} underline" if status == self.status else colour
            parts.append(Content.from_markup(f"[{style}]$n $s[/]", n=f"{n:,}", s=status))
        count = sum(counts.values())
        total = Content.from_markup("[$muted]$t in all[/]", t=f"{count:,} job{'' if count == 1 else 's'}")
        return Content("\n").join([head, Content(" · ").join([*parts, total])])

    def on_mount(self) -> None:
        super().on_mount()
        self.table.sort_reverse = True  # the newest job first

    # -- keys --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "all_queues":
            # Only on a queue's page (every queue's has nothing to go back to), under the words
            # for what a press shows next.
            return self.home_queue is not None and (parameters[0] == "all") == (self.queue is not None)
        return super().check_action(action, parameters)

    def action_step_status(self, step: int) -> None:
        index = (FILTERS.index(self.status) + step) % len(FILTERS)
        self.status = FILTERS[index]
        self._show_filter()

    def action_all_queues(self, _next: str) -> None:
        self.queue = None if self.queue else self.home_queue
        self._show_filter()
        self.notify("Showing every queue's jobs." if self.queue is None else f"Showing queue {self.queue}'s jobs.",
                    timeout=2, markup=False)

    def _show_filter(self) -> None:
        view = jobs_view(self.queue, self.status)
        self.query_one("#facts", Facts).update(self._facts(None))
        self.replace_view(view)
        self.refresh_bindings()

    def create_context(self, view: ResourceView) -> dict[str, Any]:
        return {"queue": self.queue or self.home_queue}

    def open_row(self, view: ResourceView, row: Row) -> None:
        self.app.push_screen(JobScreen.for_row(row))
