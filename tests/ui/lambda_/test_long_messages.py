"""Long messages on the function page are shown whole: wrapped at spaces, no word cut off at an edge."""

from __future__ import annotations

from typing import Any

import pytest

from computetui.backends.errors import ComputeError
from computetui.ui.screens.base import Banner
from computetui.ui.services.lambda_.code import CodeEditor
from computetui.ui.services.lambda_.configuration import ConfigurationPanel
from computetui.ui.services.lambda_.logs import LogsPanel
from tests.ui.helpers import SIZE, make_app, settle, shown_text, type_text
from tests.ui.lambda_.test_lambda_ui import open_function, seeded_history

pytestmark = pytest.mark.asyncio

LONG = (
    "The function's code could not be stored because the state directory ran out of room while the "
    "package was written, so nothing was changed; free some space and deploy again"
)


async def test_a_configuration_error_is_shown_whole_beside_the_save_button() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot, "hello-world")
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        panel = screen.query_one(ConfigurationPanel)
        panel.query_one("#cfg-memory").value = "64"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert shown_text(panel.query_one("#config-message")) == (
            "ValidationException: 1 validation error detected: Value '64' at 'memorySize' failed to satisfy "
            "constraint: Member must have value greater than or equal to 128"
        )
    app.backend.close()


async def test_every_configuration_hint_is_shown_whole() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot, "hello-world")
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        for hint in screen.query_one(ConfigurationPanel).query(".hint"):
            assert shown_text(hint) == str(hint.render())
    app.backend.close()


async def test_a_failed_deploy_is_shown_whole() -> None:
    app = make_app()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ComputeError(LONG, code="ServiceException")

    app.backend.lambda_.update_function_code = refuse
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot, "hello-world")
        await pilot.press("e")
        await type_text(pilot, "# note\n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = screen.query_one(CodeEditor).query_one("#code-status")
        assert shown_text(status) == f"Deploy failed: ServiceException: {LONG}"
    app.backend.close()


async def test_the_logs_status_names_the_newest_stream_whole() -> None:
    app = make_app()
    seeded_history(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot, "hello-world")
        screen.query_one("#function-tabs").active = "tab-logs"
        await settle(pilot)
        status = screen.query_one(LogsPanel).query_one("#logs-status")
        # (The stream name's "[$LATEST]" is markup to this line today: a matter of escaping, not of wrapping.)
        assert shown_text(status).endswith("0123456789abcdef0123456789abcdef")
    app.backend.close()


async def test_the_banner_wraps_a_long_error_whole() -> None:
    app = make_app()

    def fail(*args: Any, **kwargs: Any) -> None:
        raise ComputeError(LONG, code="ServiceException")

    app.backend.lambda_.get_function_concurrency = fail
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot, "hello-world")
        banner = screen.query_one(Banner)
        assert shown_text(banner) == f"✖ ServiceException: {LONG}"
    app.backend.close()
