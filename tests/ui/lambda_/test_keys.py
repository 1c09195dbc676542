"""The function page's and its forms' keys as a newcomer meets them: one submit key, esc that
asks before unsaved work is lost, and only keys that a terminal delivers advertised."""

from __future__ import annotations

import pytest
from textual.widgets import Footer, Select

from computetui.ui.services.lambda_.create_function import CreateFunctionScreen
from computetui.ui.services.lambda_.function import FunctionScreen
from tests.ui.helpers import SIZE, make_app, settle, shown_text, type_text

pytestmark = pytest.mark.asyncio


async def test_ctrl_s_creates_the_function_from_any_field_and_the_footer_says_so() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, ":lambda")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateFunctionScreen)
        assert "^s Create function" in shown_text(form.query_one(Footer))
        await type_text(pilot, "greeter")
        form.query_one("#blueprint", Select).focus()  # not an input: enter would open the list
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FunctionScreen) and app.screen.function_name == "greeter"
    app.backend.close()
