"""Pictures of the Batch job pages on the stored scene of tests/ui/batch/jobs.py: a queue's
jobs, one state of them, a job's details, attempts and logs, an array's children, and the
submit form. Regenerate with ``pytest tests/ui/batch --snapshot-update`` and look at them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from computetui.app import ComputeApp
from tests.ui.batch.jobs import add_jobs
from tests.ui.helpers import SIZE, make_app, settle, type_text


def scene() -> ComputeApp:
    app = make_app()
    add_jobs(app.backend)  # type: ignore[arg-type]
    return app


async def queue_jobs(pilot: Pilot) -> None:
    await settle(pilot)
    await type_text(pilot, ":batch")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def on_job(name: str, *keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def go(pilot: Pilot) -> None:
        await queue_jobs(pilot)
        screen = pilot.app.screen
        screen.table.move_to(next(r.key for r in screen.table.rows if r.name == name))  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return go


def test_batch_queue_jobs_snapshot(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(scene(), terminal_size=SIZE, run_before=queue_jobs)


def test_batch_runnable_jobs_snapshot(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await queue_jobs(pilot)
        await pilot.press("s", "s", "s")
        await settle(pilot)

    assert snap_compare(scene(), terminal_size=SIZE, run_before=go)


@pytest.mark.parametrize(("name", "keys"), [
    ("nightly-report", ()),
    ("nightly-report", ("right_square_bracket",)),
    ("nightly-report", ("l",)),
    ("render-frames", ("right_square_bracket", "right_square_bracket")),
], ids=["details", "attempts", "logs", "children"])
def test_batch_job_page_snapshot(snap_compare, name: str, keys: tuple[str, ...]) -> None:  # noqa: ANN001
    assert snap_compare(scene(), terminal_size=SIZE, run_before=on_job(name, *keys))


def test_batch_submit_job_form_snapshot(snap_compare) -> None:  # noqa: ANN001
    async def go(pilot: Pilot) -> None:
        await queue_jobs(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(scene(), terminal_size=SIZE, run_before=go)
