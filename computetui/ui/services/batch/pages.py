"""What Batch's rows open (a queue's jobs, a job's page; ``l``, a job's Logs tab) and the forms
``c`` opens: submit a job, create a compute environment or a job queue, register a job
definition from its JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from computetui.ui.screens.opening import FormOpener, PageMaker, want
from computetui.ui.views import ResourceView, Row

if TYPE_CHECKING:
    from computetui.ui.console import Console


def _queue_jobs(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.batch.jobs import JobsScreen

    return JobsScreen(row.name)


def _job(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.batch.job import JobScreen

    return JobScreen.for_row(row)


def _job_logs(app: Console, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> Screen[Any]:
    from computetui.ui.services.batch.job import JobScreen

    return JobScreen.for_row(row, "logs")


def _batch_form(kind: str) -> FormOpener:
    """Open a Batch form (a job gets the queue of the page it was opened on); refresh that page
    after, with the cursor on what was made."""

    def open_form(app: Console, context: dict[str, Any]) -> None:
        from computetui.ui.services.batch import forms

        screen = app.screen
        if kind == "batch-job":
            form: Any = forms.SubmitJobForm(context.get("queue"))
        else:
            form = {"compute-environment": forms.CreateComputeEnvironmentForm,
                    "job-queue": forms.CreateJobQueueForm}[kind]()

        def done(changed: bool | None) -> None:
            if changed and hasattr(screen, "reload"):
                want(screen, getattr(form, "created", None))
                screen.reload()

        app.push_screen(form, done)

    return open_form


def _register_job_definition(app: Console, context: dict[str, Any]) -> None:
    from computetui.ui.services.batch.register_job_definition import RegisterJobDefinitionScreen

    screen = app.screen

    def registered(jd: Any) -> None:
        if jd is None:
            return
        app.notify(f"Registered job definition {jd.job_definition_name}:{jd.revision}", markup=False)
        if hasattr(screen, "reload"):
            want(screen, jd.job_definition_arn)
            screen.reload()

    app.push_screen(RegisterJobDefinitionScreen(context.get("definition")), registered)


PAGES: dict[str, PageMaker] = {
    "batch-queue-jobs": _queue_jobs,
    "batch-job": _job,
    "batch-job-logs": _job_logs,
}

FORMS: dict[str, FormOpener] = {
    "batch-job": _batch_form("batch-job"),
    "compute-environment": _batch_form("compute-environment"),
    "job-queue": _batch_form("job-queue"),
    "job-definition": _register_job_definition,
}
