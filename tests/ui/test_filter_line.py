"""``/`` on a filtered table starts a new filter with the old one selected, as a search box does."""

from __future__ import annotations

import pytest

from computetui.ui.widgets.command_line import CommandLine
from computetui.ui.widgets.resource_table import ResourceTable
from tests.ui.helpers import SIZE, make_app, settle, type_text

pytestmark = pytest.mark.asyncio


async def filtered_lambda(pilot, text: str) -> ResourceTable:  # noqa: ANN001
    await settle(pilot)
    await type_text(pilot, ":lambda")
    await pilot.press("enter")
    await settle(pilot)
    table = pilot.app.screen.query_one(ResourceTable)
    await type_text(pilot, f"/{text}")
    await pilot.press("enter")
    await settle(pilot)
    assert table.filter_text == text
    return table


async def test_typing_after_slash_replaces_the_old_filter() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await filtered_lambda(pilot, "nc-")
        await pilot.press("slash")
        await settle(pilot)
        line = app.screen.query_one(CommandLine)
        assert line.is_open and line.input.value == "nc-" and line.input.selected_text == "nc-"
        assert table.filter_text == "nc-"  # still applied while it is selected
        await type_text(pilot, "node")
        await settle(pilot)
        assert line.input.value == "node" and table.filter_text == "node"  # not "nc-node"
        await pilot.press("enter")
        await settle(pilot)
        assert table.filter_text == "node" and [k.rsplit(":", 1)[-1] for k in table.visible_keys] == ["hello-node"]


async def test_enter_after_slash_keeps_the_old_filter() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await filtered_lambda(pilot, "node")
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert table.filter_text == "node" and not app.screen.query_one(CommandLine).is_open


async def test_an_arrow_after_slash_keeps_the_old_filter_to_edit_it() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await filtered_lambda(pilot, "hello")
        await pilot.press("slash", "right")
        await type_text(pilot, "-n")
        await pilot.press("enter")
        await settle(pilot)
        assert table.filter_text == "hello-n"
        await pilot.press("slash", "left", "left")  # to the start of the selection, then one back: none
        await type_text(pilot, "x")
        await settle(pilot)
        assert table.filter_text == "xhello-n"
        await pilot.press("escape")  # esc still drops the filter altogether
        await settle(pilot)
        assert table.filter_text == ""
