"""The Batch console's job pages: a queue's jobs by state, the home card's counts, submitting
a job, a job's page (attempts, children, logs, cost), cancel and terminate, and the forms
that make environments, queues and job definitions."""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Log, Static

from computetui.app import ComputeApp
from computetui.ui.registry import BY_ID
from computetui.ui.screens.confirm import ConfirmScreen
from computetui.ui.services.batch.forms import (
    CreateComputeEnvironmentForm,
    CreateJobQueueForm,
    SubmitJobForm,
    parse_depends_on,
    parse_environment,
)
from computetui.ui.services.batch.job import JobScreen
from computetui.ui.services.batch.job_views import fetch_jobs
from computetui.ui.services.batch.jobs import JobsScreen
from computetui.ui.services.batch.register_job_definition import RegisterJobDefinitionScreen
from computetui.ui.widgets.resource_table import ResourceTable
from tests.ui.batch.jobs import NOW_MS, add_jobs, job_body
from tests.ui.helpers import SIZE, make_app, settle, shown_text, type_text


def app_with_jobs(read_only: bool = False) -> ComputeApp:
    app = make_app()
    assert app.backend is not None
    add_jobs(app.backend)  # type: ignore[arg-type]
    app.backend.read_only = read_only
    app.settings = type(app.settings)(**{**app.settings.__dict__, "read_only": read_only})
    return app


async def open_queue(pilot: Pilot) -> JobsScreen:
    await settle(pilot)
    await type_text(pilot, ":batch")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")  # the demo queue
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, JobsScreen)
    return screen


async def open_job(pilot: Pilot, name: str) -> JobScreen:
    screen = await open_queue(pilot)
    row = next(r for r in screen.table.rows if r.name == name)
    screen.table.move_to(row.key)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, JobScreen)
    return pilot.app.screen


def names(screen: Any) -> set[str]:
    return {r.name for r in screen.table.rows}


# -- the Jobs list ---------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_enter_on_a_queue_lists_its_jobs_with_the_count_of_each_state() -> None:
    app = app_with_jobs()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        assert names(screen) == {"nightly-report", "long-crunch", "waiting-a", "waiting-b", "after-crunch",
                                 "bad-input", "render-frames"}  # an array's children are on its page
        assert all(r.key.startswith("arn:aws:batch:") and ":job/" in r.key for r in screen.table.rows)
        facts = shown_text(screen.query_one("#facts"))
        assert "2 PENDING · 2 RUNNABLE · 1 RUNNING · 1 SUCCEEDED · 1 FAILED · 7 jobs in all" in facts
        crunch = next(r for r in screen.table.rows if r.name == "long-crunch")
        assert crunch.cells["queue"] == "demo-queue" and crunch.cells["duration"] == "20 min"
        assert screen.crumbs == ["Console", "Batch", "Job queues", "demo-queue", "Jobs"]


@pytest.mark.asyncio
async def test_s_steps_through_the_states_and_rows_keep_their_keys() -> None:
    app = app_with_jobs()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        table = screen.query_one(ResourceTable)
        await pilot.press("s")  # SUBMITTED
        await settle(pilot)
        assert screen.status == "SUBMITTED" and table.rows == []
        await pilot.press("s", "s")  # RUNNABLE
        await settle(pilot)
        assert screen.status == "RUNNABLE" and names(screen) == {"waiting-a", "waiting-b"}
        assert screen.view.title == "Jobs (RUNNABLE)" and screen.crumbs[-1] == "Jobs (RUNNABLE)"
        keys = [r.key for r in table.rows]
        screen.reload()
        await settle(pilot)
        assert [r.key for r in table.rows] == keys
        await pilot.press("S", "S", "S")  # back to every state
        await settle(pilot)
        assert screen.status is None and len(table.rows) == 7


@pytest.mark.asyncio
async def test_a_shows_every_queues_jobs_with_their_queue() -> None:
    app = app_with_jobs()
    assert app.backend is not None and app.backend.batch is not None
    app.backend.batch.create_job_queue("other", 5, [{"order": 1, "computeEnvironment": "demo-fargate"}])
    other = app.backend.batch.describe_job_queues(["other"])[0]
    body = job_body(app.backend, 40, "elsewhere", "RUNNABLE", created=NOW_MS)  # type: ignore[arg-type]
    body.update(jobQueue=other.job_queue_arn, computetui={"queueArn": other.job_queue_arn})
    app.backend.batch.book.save(body)  # type: ignore[attr-defined]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, ":batch")
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        screen.table.move_to(next(r.key for r in screen.table.rows if r.name == "demo-queue"))  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        jobs = pilot.app.screen
        assert isinstance(jobs, JobsScreen) and "elsewhere" not in names(jobs)
        await pilot.press("a")
        await settle(pilot)
        queues = {r.name: r.cells["queue"] for r in jobs.table.rows}
        assert queues["elsewhere"] == "other" and queues["long-crunch"] == "demo-queue"
        await pilot.press("a")
        await settle(pilot)
        assert "elsewhere" not in names(jobs)


@pytest.mark.asyncio
async def test_the_home_card_counts_jobs_per_state() -> None:
    app = app_with_jobs()
    assert app.backend is not None
    lines = dict(BY_ID["batch"].summarize(app.backend).lines)
    assert lines["Jobs"] == "2 PENDING · 2 RUNNABLE · 1 RUNNING · 1 SUCCEEDED · 1 FAILED"
    assert dict(BY_ID["batch"].summarize(make_app().backend).lines)["Jobs"] == "none"  # type: ignore[arg-type]


def test_ten_thousand_jobs_are_listed_with_a_call_per_state_and_none_per_job() -> None:
    app = make_app()
    backend = app.backend
    assert backend is not None and backend.batch is not None
    book = backend.batch.book  # type: ignore[attr-defined]
    states = ("RUNNABLE", "RUNNING", "SUCCEEDED", "FAILED")
    with backend.store.transaction():  # type: ignore[attr-defined]
        for n in range(10_000):
            book.save(job_body(backend, 1000 + n, f"job-{n}", states[n % 4], created=NOW_MS - n))  # type: ignore[arg-type]
    calls: dict[str, int] = {}
    facet = backend.batch
    for name in ("list_jobs", "describe_jobs"):
        real = getattr(facet, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] = calls.get(_name, 0) + 1
            return _real(*args, **kwargs)

        setattr(facet, name, counted)
    began = time.perf_counter()
    rows = fetch_jobs("demo-queue")(backend)
    took = time.perf_counter() - began
    assert len(rows) == 10_000 and calls == {"list_jobs": 7}
    assert took < 5, f"10,000 jobs took {took:.1f} s to list"
    assert rows[0].aws_json()["jobName"].startswith("job-") and calls["describe_jobs"] == 1  # only when asked


# -- submitting --------------------------------------------------------------------------------------
def test_the_form_reads_environment_and_dependencies_as_batch_takes_them() -> None:
    assert parse_environment("A=1, B = two\nC=") == [{"name": "A", "value": "1"}, {"name": "B", "value": "two"},
                                                     {"name": "C", "value": ""}]
    with pytest.raises(ValueError, match="not NAME=value"):
        parse_environment("A")
    assert parse_depends_on("abc, def:N_TO_N  SEQUENTIAL abc:3") == [
        {"jobId": "abc"}, {"jobId": "def", "type": "N_TO_N"}, {"type": "SEQUENTIAL"}, {"jobId": "abc:3"}]


async def submit_form(pilot: Pilot) -> SubmitJobForm:
    await open_queue(pilot)
    await pilot.press("c")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, SubmitJobForm)
    return form


def put(form: SubmitJobForm, **values: str) -> None:
    for field, value in values.items():
        form.query_one(f"#f-{field}").value = value  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_c_submits_a_job_with_only_what_was_given() -> None:
    app = app_with_jobs()
    async with app.run_test(size=SIZE) as pilot:
        form = await submit_form(pilot)
        assert form.value("queue") == "demo-queue" and form.value("definition").startswith("report:")
        put(form, name="frames", command='sh -c "echo frame $AWS_BATCH_JOB_ARRAY_INDEX"',
            environment="FPS=24, SIZE=4k", array="3", attempts="3", timeout="600")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, JobsScreen)
        [job] = app.backend.batch.describe_jobs([form.job.job_id])  # type: ignore[union-attr]
        assert job.container.command == ["sh", "-c", "echo frame $AWS_BATCH_JOB_ARRAY_INDEX"]
        assert {(e.name, e.value) for e in job.container.environment} >= {("FPS", "24"), ("SIZE", "4k")}
        assert job.array_properties.size == 3 and job.retry_strategy.attempts == 3
        assert job.timeout.attempt_duration_seconds == 600
        assert "frames" in names(app.screen) and app.screen.table.cursor_row.name == "frames"


@pytest.mark.asyncio
async def test_a_field_batch_refuses_is_named_with_its_code_and_nothing_typed_is_lost() -> None:
    app = app_with_jobs()
    async with app.run_test(size=SIZE) as pilot:
        form = await submit_form(pilot)
        app.backend.batch.update_job_queue("demo-queue", state="DISABLED")  # type: ignore[union-attr]
        put(form, name="late", command="echo 'unclosed")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(form.query_one(".form-message", Static).render())
        assert message.startswith("Command override: No closing quotation") and form.focused.id == "f-command"
        put(form, command="echo hi", timeout="30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(form.query_one(".form-message", Static).render()).startswith("Timeout (seconds): must be 60")
        put(form, timeout="")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(form.query_one(".form-message", Static).render())
        assert app.screen is form
        assert message.startswith("Job queue: ClientException:") and "DISABLED" in message
        assert form.focused.id == "f-queue"
        assert form.value("name") == "late" and form.value("command") == "echo hi"


# -- a job's page ---------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_job_page_shows_its_state_attempts_cost_and_logs() -> None:
    app = app_with_jobs()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_job(pilot, "nightly-report")
        facts = shown_text(screen.query_one("#facts"))
        assert "SUCCEEDED" in facts and "2 attempts" in facts and "Essential container in task exited" in facts
        details = str(screen.query_one("#job-details", Static).render())
        assert "Cost on AWS" in details and "Fargate" in details and "for 240 s" in details  # 1 min + 3 min
        assert "0.5" in details and "1024 MiB" in details and "DAY=2026-01-15" in details
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.view.id == "attempts"
        rows = screen.table.rows
        assert [(r.cells["attempt"], r.cells["exit"]) for r in rows] == [(1, 1), (2, 0)]
        assert rows[0].cells["stream"] == f"report/default/{1:032x}"
        await pilot.press("l")
        await settle(pilot)
        assert screen.view.id == "logs"
        log = screen.query_one("#job-log", Log)
        assert any("wrote report.csv" in line for line in log.lines)
        assert "/aws/batch/job" in str(screen.query_one("#logs-status", Static).render())


@pytest.mark.asyncio
async def test_l_on_a_job_row_opens_its_logs() -> None:
    app = app_with_jobs()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        screen.table.move_to(next(r.key for r in screen.table.rows if r.name == "nightly-report"))
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, JobScreen) and app.screen.view.id == "logs"


@pytest.mark.asyncio
async def test_an_array_jobs_page_lists_its_children_by_index() -> None:
    app = app_with_jobs()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_job(pilot, "render-frames")
        assert [v.id for v in screen.views] == ["details", "attempts", "children", "logs"]
        screen.switch_view("children")
        await settle(pilot)
        assert sorted((r.cells["index"], r.state) for r in screen.table.rows) == [
            (0, "SUCCEEDED"), (1, "RUNNING"), (2, "RUNNABLE")]
        details = screen.query_one("#view-details")
        screen.switch_view("details")
        await settle(pilot)
        text = str(details.query_one("#job-details", Static).render())
        assert "3 children: 1 RUNNABLE · 1 RUNNING · 1 SUCCEEDED" in text


# -- cancel and terminate -------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_x_on_a_runnable_job_cancels_it_after_asking() -> None:
    app = app_with_jobs()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        row = next(r for r in screen.table.rows if r.name == "waiting-a")
        screen.table.move_to(row.key)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Cancel job waiting-a?" in shown_text(app.screen)
        await pilot.press("y")
        await settle(pilot)
        [job] = app.backend.batch.describe_jobs([row.extra["job_id"]])  # type: ignore[union-attr]
        assert job.status.value == "FAILED"
        assert next(r for r in screen.table.rows if r.name == "waiting-a").state == "FAILED"


@pytest.mark.asyncio
async def test_x_on_a_running_jobs_page_terminates_it() -> None:
    app = app_with_jobs()
    terminated: list[tuple[str, str]] = []
    app.backend.batch.terminate_job = lambda job_id, reason: terminated.append((job_id, reason))  # type: ignore[union-attr]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_job(pilot, "long-crunch")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "Terminate job long-crunch?" in shown_text(app.screen)
        await pilot.press("y")
        await settle(pilot)
        assert [job_id for job_id, _ in terminated] == [screen.job_id]


@pytest.mark.asyncio
async def test_x_is_refused_in_read_only_mode_and_on_a_finished_job() -> None:
    app = app_with_jobs(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        screen.table.move_to(next(r.key for r in screen.table.rows if r.name == "waiting-a"))
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("read-only" in str(n.message).lower() for n in app._notifications)
        assert next(r for r in screen.table.rows if r.name == "waiting-a").state == "RUNNABLE"
    app = app_with_jobs()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        screen.table.move_to(next(r.key for r in screen.table.rows if r.name == "nightly-report"))
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("nothing left" in str(n.message) for n in app._notifications)


# -- environments, queues, definitions ------------------------------------------------------------------
async def open_batch_tab(pilot: Pilot, tabs_right: int) -> Any:
    await settle(pilot)
    await type_text(pilot, ":batch")
    await pilot.press("enter")
    await settle(pilot)
    for _ in range(tabs_right):
        await pilot.press("right_square_bracket")
    await settle(pilot)
    return pilot.app.screen


@pytest.mark.asyncio
async def test_c_creates_a_compute_environment_and_then_a_queue_over_it() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_batch_tab(pilot, 1)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateComputeEnvironmentForm)
        put(form, name="spot-pool", min="4", max="2")  # type: ignore[arg-type]
        form.query_one("#f-provisioning").value = "SPOT"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(form.query_one(".form-message", Static).render()).startswith("Minimum vCPUs: must be at most")
        put(form, min="0", max="64")  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await settle(pilot)
        [ce] = app.backend.batch.describe_compute_environments(["spot-pool"])  # type: ignore[union-attr]
        assert ce.compute_resources.type.value == "SPOT" and ce.compute_resources.max_vcpus == 64
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateJobQueueForm)
        put(form, name="cheap", priority="50", environments="spot-pool")  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await settle(pilot)
        [queue] = app.backend.batch.describe_job_queues(["cheap"])  # type: ignore[union-attr]
        assert queue.priority == 50 and queue.compute_environment_order[0].compute_environment == ce.compute_environment_arn


@pytest.mark.asyncio
async def test_c_on_job_definitions_registers_one_from_json() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_batch_tab(pilot, 2)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RegisterJobDefinitionScreen)
        assert '"jobDefinitionName": "my-job"' in screen.editor.text
        screen.editor.load_text('{"jobDefinitionName": "x", "containerProperties": {"image": "busybox"}, "colour": 1}')
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "'colour' is not a RegisterJobDefinition field" in screen.message
        screen.editor.load_text('{"jobDefinitionName": "crunch", "platformCapabilities": ["FARGATE"], '
                                '"containerProperties": {"image": "busybox", "command": ["true"], '
                                '"resourceRequirements": [{"type": "VCPU", "value": "1"}, '
                                '{"type": "MEMORY", "value": "2048"}]}}')
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not screen
        [jd] = app.backend.batch.describe_job_definitions(job_definition_name="crunch")  # type: ignore[union-attr]
        assert jd.container_properties.command == ["true"] and jd.platform_capabilities == ["FARGATE"]
        assert app.screen.table.cursor_row.name == "crunch:1"  # type: ignore[attr-defined]
