"""A table wider than the screen says that columns go on: at the cut, in its border, and as it scrolls."""

from __future__ import annotations

import pytest

from computetui.ui.views import Column, Row
from tests.ui.test_resource_table import TableApp

pytestmark = pytest.mark.asyncio

COLUMNS = (
    Column("task", "Task"),
    Column("status", "Last status", "state"),
    Column("reason", "Stopped reason"),
    Column("capacity", "Capacity providers"),
)
REASON = "EssentialContainerExited: Essential container in task exited"


def stopped(name: str) -> Row:
    cells = {"task": name, "status": "STOPPED", "reason": REASON, "capacity": "FARGATE, FARGATE_SPOT"}
    return Row(key=f"arn:task/{name}", name=name, cells=cells, detail={})


async def test_a_cut_table_marks_the_edge_and_counts_what_is_off_screen() -> None:
    app = TableApp(COLUMNS)
    async with app.run_test(size=(60, 10)) as pilot:
        app.table.set_rows([stopped("e80a9c222670")])
        await pilot.pause()
        grid = app.table.table
        header, row = grid.render_line(0).text, grid.render_line(1).text
        assert header.rstrip().endswith("▸") and not header.startswith("◂")
        assert row.endswith("…")  # the reason goes on past the edge
        assert "Essential" in row and not row.startswith("…")
        assert app.table.border_subtitle.endswith("2 more columns →")
        assert grid.columns_cut() == (0, 2)


async def test_the_arrows_scroll_a_column_at_a_time_and_the_marks_follow() -> None:
    app = TableApp(COLUMNS)
    async with app.run_test(size=(60, 10)) as pilot:
        app.table.set_rows([stopped("e80a9c222670")])
        await pilot.pause()
        grid = app.table.table
        await pilot.press("right")
        await pilot.pause()
        assert grid.scroll_x == len(" e80a9c222670 ")  # the second column now starts at the left edge
        assert grid.render_line(0).text.startswith("◂")
        assert "← 1 column" in app.table.border_subtitle
        for _ in range(5):
            await pilot.press("right")
        await pilot.pause()
        assert grid.scroll_x == grid.max_scroll_x
        header = grid.render_line(0).text
        assert header.rstrip().endswith("Capacity providers") and "▸" not in header
        assert "more column" not in app.table.border_subtitle
        for _ in range(5):
            await pilot.press("left")
        await pilot.pause()
        assert grid.scroll_x == 0 and app.table.border_subtitle.endswith("2 more columns →")


async def test_a_table_that_fits_has_no_marks() -> None:
    app = TableApp(COLUMNS)
    async with app.run_test(size=(200, 10)) as pilot:
        app.table.set_rows([stopped("e80a9c222670")])
        await pilot.pause()
        grid = app.table.table
        assert "▸" not in grid.render_line(0).text and "…" not in grid.render_line(1).text
        assert app.table.border_subtitle == "sorted by Task ▲"
        await pilot.press("right")
        await pilot.pause()
        assert grid.scroll_x == 0
