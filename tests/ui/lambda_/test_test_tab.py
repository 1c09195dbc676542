"""The Test tab's result, as a user reads it after pressing t."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Select, Static

from computetui.app import ComputeApp
from computetui.backends.local import LocalBackend
from computetui.blueprints import zip_files
from computetui.clock import FixedClock
from computetui.models.common import EngineState, EngineStatus
from computetui.models.lambda_ import InvokeResult
from computetui.settings import Settings
from computetui.test_events import TEMPLATES
from computetui.ui.services.lambda_.testing import TestPanel
from tests.support.fakes import StaticEngine
from tests.ui.helpers import SIZE, make_app, settle
from tests.ui.lambda_.test_lambda_ui import app_with_function, open_function

pytestmark = pytest.mark.asyncio

FAILING = "def handler(event, context):\n    print('value1')\n    raise ValueError('bad input')\n"


async def run_test(pilot: Pilot) -> TestPanel:
    """Open the function, press t, wait for the result."""
    screen = await open_function(pilot)
    await pilot.press("t")
    panel = screen.query_one(TestPanel)
    for _ in range(100):
        await settle(pilot)
        if panel.last is not None:
            break
        await pilot.pause(0.05)
    assert panel.last is not None
    return panel


def lines_of(widget: Static) -> list[str]:
    region = Region(0, 0, widget.size.width, widget.size.height)
    return [strip.text.rstrip() for strip in widget.render_lines(region)]


async def test_the_log_tail_shows_a_traceback_line_by_line() -> None:
    app = app_with_function(FAILING)
    async with app.run_test(size=SIZE) as pilot:
        panel = await run_test(pilot)
        shown = lines_of(panel.query_one("#result-logs", Static))
        at = shown.index("[ERROR] ValueError: bad input")
        assert shown[at - 1] == "value1"
        assert shown[at + 1] == "Traceback (most recent call last):"
        assert shown[at + 2].strip().startswith("File")
        code = [line.strip() for line in shown].index("raise ValueError('bad input')")
        assert shown[code + 1].startswith("END RequestId: ")
    app.backend.close()


def summary_row(panel: TestPanel, key: str) -> str:
    """The value of one line of the result's summary (``Max memory used`` -> ``15 MB``)."""
    for line in lines_of(panel.query_one("#result-summary", Static)):
        if line.startswith(f"{key}:"):
            return line[len(key) + 1 :].strip()
    raise AssertionError(f"no {key} in the summary")


async def test_max_memory_used_is_measured_for_a_timeout() -> None:
    app = app_with_function("import time\ndef handler(event, context):\n    time.sleep(30)\n", timeout=1)
    async with app.run_test(size=SIZE) as pilot:
        panel = await run_test(pilot)
        assert panel.last.function_error == "Unhandled"
        assert summary_row(panel, "Max memory used") == f"{panel.last.max_memory_used_mb} MB"
        assert panel.last.max_memory_used_mb > 5
    app.backend.close()


async def test_max_memory_used_is_a_dash_when_the_runtime_took_its_figure_with_it() -> None:
    app = app_with_function("import os\ndef handler(event, context):\n    os._exit(3)\n")
    async with app.run_test(size=SIZE) as pilot:
        panel = await run_test(pilot)
        assert summary_row(panel, "Max memory used") == "-"
    app.backend.close()


async def test_the_result_says_the_sandbox_that_ran_it() -> None:
    app = app_with_function("def handler(event, context):\n    return 1\n")  # the tests' backend: process sandbox
    async with app.run_test(size=SIZE) as pilot:
        panel = await run_test(pilot)
        assert summary_row(panel, "Sandbox") == "process"
    app.backend.close()


async def test_the_result_says_why_auto_ran_a_process_on_one_line() -> None:
    status = EngineStatus(state=EngineState.SOCKET_MISSING, host="unix:///var/run/docker.sock")
    backend = LocalBackend(":memory:", clock=FixedClock("2026-01-15T09:30:00+00:00"), seed=11,
                           engine=StaticEngine(status), controller=False, lambda_sandbox="auto")
    backend.lambda_.create_function(
        function_name="words", runtime="python3.12", handler="lambda_function.handler",
        code={"ZipFile": zip_files({"lambda_function.py": "def handler(event, context):\n    return 1\n"})},
    )
    app = ComputeApp(Settings(refresh=0), backend, polling=False, blink=False,
                     clock=FixedClock("2026-01-15T09:30:00+00:00"))
    async with app.run_test(size=SIZE) as pilot:
        panel = await run_test(pilot)
        assert summary_row(panel, "Sandbox") == "process — no Docker engine (socket missing)"
    backend.close()


async def test_a_long_sandbox_reason_stays_on_one_line() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_function("hello-world", "test")
        await settle(pilot)
        panel = app.screen.query_one(TestPanel)
        note = "public.ecr.aws/lambda/python:3.12 cannot be pulled, and neither can anything else today"
        panel.show_result(InvokeResult(status_code=200, request_id="r-1", payload=b"1", sandbox="process",
                                       sandbox_note=note))
        await settle(pilot)
        summary = lines_of(panel.query_one("#result-summary", Static))
        assert [line for line in summary if line.startswith("Sandbox:")] == [summary[-1]]
        assert summary[-1].endswith("…")
    app.backend.close()


def painted_rows(widget: Widget) -> list[str]:
    """The rows the screen paints inside ``widget``'s border and padding, a string each."""
    region = widget.content_region
    strips = widget.screen._compositor.render_strips()  # read only: the cells as they are painted
    return [strip.crop(region.x, region.right).text.strip() for strip in strips[region.y : region.bottom]]


async def open_event_list(pilot: Pilot, panel: TestPanel) -> list[str]:
    """Open the saved events and templates list; what its rows show."""
    chooser = panel.query_one("#events", Select)
    chooser.focus()
    await pilot.press("enter")
    await settle(pilot)
    assert chooser.expanded
    shown = [row for row in painted_rows(chooser.query_one("SelectOverlay")) if row]
    await pilot.press("escape")
    await settle(pilot)
    return shown


async def test_each_saved_event_and_template_is_one_line_in_the_list() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_function("hello-world", "test")
        await settle(pilot)
        panel = app.screen.query_one(TestPanel)
        templates = [f"template: {name}" for name in TEMPLATES]
        assert await open_event_list(pilot, panel) == ["Saved events and templates", *templates]
        longest = [f"event-{n}-{'x' * 25}"[:25] for n in range(10)]  # as many and as long as Lambda keeps
        for name in longest:
            app.backend.lambda_.save_test_event("hello-world", name, "{}")
        panel.load_saved()
        await settle(pilot)
        shown = await open_event_list(pilot, panel)
        options = ["Saved events and templates", *[f"saved: {name}" for name in longest], *templates]
        assert len(shown) >= 8 and shown == options[options.index(shown[0]) :][: len(shown)]
        chooser = panel.query_one("#events", Select)
        chooser.value = "template:apigateway-http-api-proxy"  # longer than the closed select
        await settle(pilot)
        [label] = [row for row in painted_rows(chooser.query_one("SelectCurrent")) if row]
        assert label.startswith("template: apigateway-") and "…" in label
    app.backend.close()
