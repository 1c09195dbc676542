"""The resource table on its own: sort, filter, a cursor that follows its row, keys, clicks, 10,000 rows."""

from __future__ import annotations

import asyncio
import random

import pytest
from textual.app import App, ComposeResult

from computetui.ui.themes import DEFAULT_THEME, load_themes, shipped_themes_dir, with_console_variables
from computetui.ui.views import Column, Row
from computetui.ui.widgets.resource_table import ResourceTable
from computetui.ui.widgets.row_grid import RowGrid
from tests.ui.helpers import SIZE

pytestmark = pytest.mark.asyncio

COLUMNS = (
    Column("name", "Task"),
    Column("status", "Last status", "state"),
    Column("definition", "Task definition"),
    Column("cpu", "CPU", "number"),
)


def task(name: str, status: str = "RUNNING", definition: str = "web:1", cpu: int = 256) -> Row:
    arn = f"arn:aws:ecs:us-east-1:123456789012:task/demo/{name}"
    cells = {"name": name, "status": status, "definition": definition, "cpu": cpu}
    return Row(key=arn, name=name, cells=cells, detail={"taskArn": arn})


def arn(name: str) -> str:
    return f"arn:aws:ecs:us-east-1:123456789012:task/demo/{name}"


def names(table: ResourceTable) -> list[str]:
    return [key.rsplit("/", 1)[-1] for key in table.visible_keys]


class TableApp(App[None]):
    """One ResourceTable filling the screen, in the console's default theme."""

    def __init__(self, columns: tuple[Column, ...] = COLUMNS) -> None:
        super().__init__()
        for theme in load_themes(shipped_themes_dir()).themes:
            self.register_theme(theme)
        self.theme = DEFAULT_THEME
        self.table = ResourceTable(columns, title="Tasks", empty_hint="No tasks yet.")
        self.chosen: list[Row] = []

    def get_css_variables(self) -> dict[str, str]:
        return with_console_variables(super().get_css_variables())

    def compose(self) -> ComposeResult:
        yield self.table

    def on_mount(self) -> None:
        self.table.focus()

    def on_resource_table_chosen(self, message: ResourceTable.Chosen) -> None:
        self.chosen.append(message.row)


FIVE = [
    task("c-web", cpu=1024),
    task("a-worker", "PENDING", "worker:3", 512),
    task("e-web", "STOPPED", cpu=256),
    task("b-api", definition="api:2", cpu=2048),
    task("d-worker", definition="worker:3", cpu=512),
]


async def test_rows_sort_by_the_first_column_until_told_otherwise() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        await pilot.pause()
        assert names(app.table) == ["a-worker", "b-api", "c-web", "d-worker", "e-web"]
        assert app.table.border_title == "Tasks (5)"
        assert app.table.border_subtitle == "sorted by Task ▲"


async def test_numbers_sort_as_numbers_and_o_reverses() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        app.table.sort_by("cpu")
        await pilot.pause()
        assert names(app.table) == ["e-web", "a-worker", "d-worker", "c-web", "b-api"]  # 256 < 512 < 1024 < 2048
        await pilot.press("O")
        assert names(app.table) == ["b-api", "c-web", "a-worker", "d-worker", "e-web"]
        assert app.table.border_subtitle == "sorted by CPU ▼"


async def test_o_sorts_by_the_next_column_and_wraps_round() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        await pilot.press("o")
        assert app.table.sort_column == "status"
        assert names(app.table)[0] == "a-worker"  # PENDING before RUNNING
        await pilot.press("o", "o", "o")
        assert app.table.sort_column == "name" and not app.table.sort_reverse


async def test_clicking_a_header_sorts_by_it_and_clicking_again_reverses() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        await pilot.pause()
        grid = app.table.table
        # Task is 8 wide, Last status 11, Task definition 15, each with a cell of padding either side.
        await pilot.click(RowGrid, offset=(42, 0))
        await pilot.pause()
        assert (app.table.sort_column, app.table.sort_reverse) == ("cpu", False)
        await pilot.click(RowGrid, offset=(42, 0))
        await pilot.pause()
        assert (app.table.sort_column, app.table.sort_reverse) == ("cpu", True)
        assert grid.row_count == 5


async def test_the_filter_keeps_matching_rows_in_order_and_counts_them() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        app.table.filter_text = "Worker"
        await pilot.pause()
        assert names(app.table) == ["a-worker", "d-worker"]
        assert app.table.border_title == "Tasks (2 of 5)"
        assert app.table.border_subtitle == "sorted by Task ▲ · filter /Worker"
        assert len(app.table.rows) == 5  # the filter hides rows, it does not drop them
        app.table.filter_text = ""
        await pilot.pause()
        assert len(app.table.visible_keys) == 5 and app.table.border_title == "Tasks (5)"


async def test_a_filter_that_matches_nothing_says_so() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        app.table.filter_text = "zzz"
        await pilot.pause()
        assert app.table.visible_keys == [] and app.table.cursor_row is None
        assert app.table.has_class("-empty")
        assert "Nothing matches /zzz." in str(app.table.query_one(".empty-state").render())


async def test_an_empty_table_shows_the_hint_and_a_problem_replaces_it() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows([])
        await pilot.pause()
        assert str(app.table.query_one(".empty-state").render()) == "No tasks yet."
        assert app.table.border_title == "Tasks (0)"
        app.table.show_problem("ECS is not offered by this backend.")
        await pilot.pause()
        assert str(app.table.query_one(".empty-state").render()) == "ECS is not offered by this backend."


async def test_the_cursor_stays_on_its_row_when_rows_shift() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        assert app.table.move_to(arn("c-web"))
        await pilot.pause()
        app.table.set_rows([task("0-first"), *FIVE])
        await pilot.pause()
        assert app.table.cursor_key == arn("c-web")
        assert app.table.table.cursor_row == 3


async def test_the_cursor_stays_on_its_row_across_sorts_and_filters() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        app.table.move_to(arn("d-worker"))
        app.table.sort_by("cpu", reverse=True)
        assert app.table.cursor_key == arn("d-worker")
        app.table.filter_text = "worker"
        assert app.table.cursor_key == arn("d-worker")
        app.table.filter_text = ""
        await pilot.pause()
        assert app.table.cursor_key == arn("d-worker")


async def test_when_the_cursors_row_goes_the_cursor_keeps_its_place() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        app.table.move_to(arn("c-web"))  # index 2
        app.table.set_rows([r for r in FIVE if r.name != "c-web"])
        await pilot.pause()
        assert app.table.table.cursor_row == 2
        assert app.table.cursor_key == arn("d-worker")
        app.table.move_to(arn("e-web"))  # the last row
        app.table.set_rows([r for r in FIVE if r.name not in ("c-web", "e-web")])
        assert app.table.cursor_key == arn("d-worker")  # the place is gone too: the last row there is


async def test_move_to_refuses_a_row_the_filter_hides() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE):
        app.table.set_rows(FIVE)
        app.table.filter_text = "web"
        assert not app.table.move_to(arn("a-worker"))
        assert app.table.move_to(arn("e-web")) and app.table.cursor_key == arn("e-web")


async def test_a_refresh_hands_out_the_latest_row_even_when_it_looks_the_same() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE):
        app.table.set_rows(FIVE)
        newer = Row(key=FIVE[1].key, name=FIVE[1].name, cells=dict(FIVE[1].cells), detail={"version": 2})
        app.table.set_rows([FIVE[0], newer, *FIVE[2:]])
        assert app.table.cursor_row is not None and app.table.cursor_row.detail == {"version": 2}


async def test_enter_chooses_the_row_under_the_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert [r.name for r in app.chosen] == ["b-api"]


async def test_a_click_puts_the_cursor_on_a_row_and_a_second_click_chooses_it() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        await pilot.pause()
        await pilot.click(RowGrid, offset=(3, 3))  # line 0 is the header: this is the third row
        await pilot.pause()
        assert app.table.cursor_key == arn("c-web") and app.chosen == []
        await pilot.click(RowGrid, offset=(3, 3))
        await pilot.pause()
        assert [r.name for r in app.chosen] == ["c-web"]


async def test_page_down_moves_the_cursor_a_page_and_keeps_it_on_screen() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows([task(f"t-{i:03d}") for i in range(200)])
        await pilot.pause()
        grid = app.table.table
        page = grid.scrollable_content_region.height - 1  # the header takes a line
        await pilot.press("pagedown")
        await pilot.pause()
        assert grid.cursor_row == page
        assert grid.scroll_offset.y <= grid.cursor_row < grid.scroll_offset.y + page
        await pilot.press("pagedown", "pageup")
        assert grid.cursor_row == page
        await pilot.press("end")
        await pilot.pause()
        assert app.table.cursor_key == arn("t-199")
        assert grid.scroll_offset.y <= 199 < grid.scroll_offset.y + page
        await pilot.press("home")
        assert grid.cursor_row == 0 and grid.scroll_offset.y == 0
        await pilot.press("up")
        assert grid.cursor_row == 0


async def test_visible_keys_lists_every_matching_row_not_only_those_on_screen() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE):
        app.table.set_rows([task(f"t-{i:03d}") for i in range(200)])
        assert len(app.table.visible_keys) == 200
        assert app.table.table.row_count == 200


async def test_lines_show_coloured_states_right_aligned_numbers_and_stripes() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        await pilot.pause()
        grid = app.table.table
        header, first, second = grid.render_line(0), grid.render_line(1), grid.render_line(2)
        assert header.text.startswith(" Task      Last status  Task definition   CPU ")
        assert first.text.startswith(" a-worker  ● PENDING    worker:3          512 ")
        state = next(s for s in second if "RUNNING" in s.text)
        assert state.text.startswith("● RUNNING") and state.style.bold
        assert state.style.color is not None and state.style.color.triplet.hex == app.theme_variables["success"].lower()
        # On the cursor's row the cursor's colour wins over the state's, as in a DataTable.
        pending = next(s for s in first if "PENDING" in s.text)
        assert pending.style.color == grid.get_component_rich_style("row-grid--cursor").color
        third, fourth, fifth = (list(grid.render_line(y))[0].style.bgcolor for y in (3, 4, 5))
        assert third == fifth != fourth  # zebra stripes: rows 2 and 4 alike, row 3 not


async def test_a_theme_change_repaints_the_state_colours() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        await pilot.pause()
        before = next(s for s in app.table.table.render_line(2) if "RUNNING" in s.text).style.color
        app.theme = "aws-light"
        await pilot.pause()
        after = next(s for s in app.table.table.render_line(2) if "RUNNING" in s.text).style.color
        assert after is not None and after.triplet.hex == app.theme_variables["success"].lower()
        assert before != after


async def test_a_column_with_a_width_keeps_it() -> None:
    columns = (Column("name", "Task", width=4), Column("cpu", "CPU", "number"))
    app = TableApp(columns)
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows([task("a-very-long-name"), task("b")])
        await pilot.pause()
        grid = app.table.table
        assert grid.render_line(0).text.startswith(" Task  CPU ")
        assert grid.render_line(1).text.startswith(" a-ve  256 ")
        assert grid.render_line(2).text.startswith(" b     256 ")


def ten_thousand_tasks() -> list[Row]:
    rnd = random.Random(3)
    rows = []
    for i in range(10_000):
        family = rnd.choice(["web", "worker", "api"])
        status = rnd.choice(["RUNNING", "PENDING", "STOPPED"])
        rows.append(task(f"{rnd.getrandbits(64):016x}-{i}", status, f"{family}:{rnd.randint(1, 9)}", 256 * (i % 4 + 1)))
    return rows


async def test_ten_thousand_rows_are_set_sorted_and_filtered() -> None:
    rows = ten_thousand_tasks()
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(rows)
        await pilot.pause()
        assert app.table.visible_keys == [r.key for r in sorted(rows, key=lambda r: r.name)]
        assert app.table.border_title == "Tasks (10000)"

        app.table.filter_text = "worker:7"
        await pilot.pause()
        workers = sorted((r for r in rows if r.cells["definition"] == "worker:7"), key=lambda r: r.name)
        assert app.table.visible_keys == [r.key for r in workers]
        assert app.table.border_title == f"Tasks ({len(workers)} of 10000)"

        app.table.sort_by("cpu", reverse=True)
        keys = app.table.visible_keys
        cpus = [app.table._rows[k].cells["cpu"] for k in keys]
        assert cpus == sorted(cpus, reverse=True) and set(keys) == {r.key for r in workers}

        app.table.move_to(workers[-1].key)
        app.table.set_rows(rows[::-1])  # a refresh in another order changes nothing on screen
        assert app.table.visible_keys == keys and app.table.cursor_key == workers[-1].key

        app.table.filter_text = ""
        await pilot.pause()
        assert len(app.table.visible_keys) == 10_000 and app.table.cursor_key == workers[-1].key
        await pilot.press("end")
        assert app.table.table.cursor_row == 9_999


async def test_rows_prepared_in_another_thread_show_as_set_rows_shows_them() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        prepared = await asyncio.to_thread(app.table.prepare, FIVE)
        assert names(app.table) == []  # preparing changes nothing on screen
        app.table.set_rows(prepared)
        await pilot.pause()
        shown = [app.table.table.render_line(y).text for y in range(6)]
        assert names(app.table) == ["a-worker", "b-api", "c-web", "d-worker", "e-web"]
        other = TableApp()
        async with other.run_test(size=SIZE) as other_pilot:
            other.table.set_rows(FIVE)
            await other_pilot.pause()
            assert [other.table.table.render_line(y).text for y in range(6)] == shown


async def test_prepared_rows_follow_a_sort_or_theme_change_made_meanwhile() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.table.set_rows(FIVE)
        await pilot.pause()
        prepared = await asyncio.to_thread(app.table.prepare, [*FIVE, task("f-new", cpu=1)])
        app.table.sort_by("cpu")  # while the rows were being prepared
        app.theme = "aws-light"
        await pilot.pause()
        app.table.set_rows(prepared)
        await pilot.pause()
        assert names(app.table)[:2] == ["f-new", "e-web"]  # by CPU, not by the name the rows were sorted by
        running = next(s for s in app.table.table.render_line(4) if "RUNNING" in s.text)  # d-worker
        assert running.style.color is not None
        assert running.style.color.triplet.hex == app.theme_variables["success"].lower()


async def test_a_closed_table_lets_go_of_its_rows() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        table.set_rows(FIVE)
        await pilot.pause()
        await table.remove()
        assert table.rows == [] and table.table.row_count == 0
