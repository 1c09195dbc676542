"""The function page's and its forms' keys as a newcomer meets them: one submit key, esc that
asks before unsaved work is lost, and only keys that a terminal delivers advertised."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer, Select, TextArea

from computetui.ui.services.lambda_.create_function import CreateFunctionScreen
from computetui.ui.services.lambda_.function import FunctionScreen
from computetui.ui.services.lambda_.testing import TestPanel
from tests.ui.helpers import SIZE, make_app, settle, shown_text, type_text
from tests.ui.lambda_.test_lambda_ui import app_with_function, open_function

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


async def leave(pilot: Pilot) -> str | None:
    """Press esc out of the editor, then esc to leave: the question asked, or None when it left."""
    await pilot.press("escape")
    await pilot.press("escape")
    await settle(pilot)
    if type(pilot.app.screen).__name__ != "ConfirmScreen":
        return None
    return str(pilot.app.screen.query_one(".question").render())


async def test_leaving_with_an_edited_test_event_asks_first() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot, tab="test")
        await pilot.press("e")  # into the event editor
        await pilot.press("ctrl+end")
        await type_text(pilot, " ")
        assert await leave(pilot) == "Leave words with an unsaved test event?"
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")  # discard
        await settle(pilot)
        assert not isinstance(app.screen, FunctionScreen)
    app.backend.close()


async def test_a_saved_or_untouched_test_event_leaves_without_asking() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        await open_function(pilot, tab="test")
        await pilot.press("e")
        await pilot.press("ctrl+end")
        await type_text(pilot, " ")
        await pilot.press("ctrl+s")  # saves the event
        await settle(pilot)
        assert [e.name for e in app.backend.lambda_.list_test_events("words")] == ["hello"]
        assert await leave(pilot) is None
        await open_function(pilot, tab="test")  # the saved event loads: nothing edited
        assert await leave(pilot) is None
    app.backend.close()


async def test_unsaved_code_and_an_unsaved_test_event_are_both_named() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot)
        await pilot.press("e")
        await type_text(pilot, "# note\n")
        screen.query_one(TestPanel).query_one("#event", TextArea).insert(" ")
        assert await leave(pilot) == "Leave words with unsaved code changes and an unsaved test event?"
        assert "deploy the code and save the event" in str(app.screen.query_one(".detail").render())
    app.backend.close()


async def test_t_is_the_test_key_shown_and_ctrl_enter_is_not_advertised() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot, tab="test")
        message = str(screen.query_one(TestPanel).query_one("#test-message").render())
        assert message.startswith("t runs the event") and "ctrl+enter" not in message
        assert "t Test" in shown_text(screen.query_one(Footer))
        await pilot.press("question_mark")
        await settle(pilot)
        lines = [str(w.render()) for w in app.screen.query("Static")]
        page = lines[lines.index("This page") + 1 : lines.index("Command line")]  # no Tables section: none here
        assert any(line.startswith("t ") and line.rstrip().endswith("run-test") for line in page)
        assert not any("run-test-anywhere" in line or "enter" in line.split()[0] for line in lines if line.split())
    app.backend.close()


async def test_help_lists_the_editors_select_all_key_and_it_selects_all() -> None:
    app = app_with_function()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_function(pilot, tab="test")
        await pilot.press("question_mark")
        await settle(pilot)
        lines = [str(w.render()) for w in app.screen.query("Static")]
        page = lines[lines.index("This page") + 1 : lines.index("Command line")]  # no Tables section: none here
        select_all = next(line for line in page if line.rstrip().endswith("select-all"))
        assert select_all.startswith("f7 ") and "Select all" in select_all
        await pilot.press("escape")
        await pilot.press("e")  # into the event editor
        await pilot.press("f7")
        editor = screen.query_one(TestPanel).query_one("#event", TextArea)
        assert editor.selected_text == editor.text != ""
    app.backend.close()
