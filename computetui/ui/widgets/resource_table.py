"""A table of resources, keyed by ARN, updated in place.

``set_rows`` diffs the new rows against what the table shows: rows that went
away are removed, new ones added, changed cells updated. The table is never
cleared and refilled, so the cursor (by ARN), the sort and the filter survive
every refresh. State cells are coloured by state; an empty table says what to
press.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from computetui.ui.services import CellValue, Column, Row
from computetui.ui.states import tone


class Cell(Text):
    """A table cell that knows how to sort: numbers as numbers, text without case."""

    sort_key: Any = ""


def _sort_key(value: CellValue) -> Any:
    if value is None:
        return (1, "")
    if isinstance(value, (int, float)):
        return (0, value)
    text = str(value)
    try:
        return (0, float(text.split()[0].replace(",", "").lstrip("$")))
    except (ValueError, IndexError):
        return (0, text.lower())


class ResourceTable(Vertical):
    """Rows of one resource type with sort, filter, an ARN-stable cursor and an empty state."""

    DEFAULT_CSS = """
    ResourceTable {
        height: 1fr;
        border: round $panel-lighten-2;
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-color: $muted;
        padding: 0 0;
    }
    ResourceTable:focus-within { border: round $primary; }
    ResourceTable > DataTable { height: 1fr; background: $surface; }
    ResourceTable > .empty-state {
        display: none;
        height: 1fr;
        content-align: center middle;
        text-align: center;
        color: $muted;
        padding: 1 2;
    }
    ResourceTable.-empty > DataTable { height: 3; }
    ResourceTable.-empty > .empty-state { display: block; }
    """

    BINDINGS = [
        Binding("o", "cycle_sort", "Sort", id="sort-next", tooltip="Sort by the next column", show=False),
        Binding("O", "reverse_sort", "Reverse", id="sort-reverse", tooltip="Reverse the sort", show=False),
    ]

    filter_text: reactive[str] = reactive("", init=False)

    class Chosen(Message):
        """The user pressed enter on a row."""

        def __init__(self, table: ResourceTable, row: Row) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> ResourceTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        title: str,
        empty_hint: str,
        sort: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = tuple(columns)
        self.title = title
        self.empty_hint = empty_hint
        self.sort_column = sort or self.columns[0].key
        self.sort_reverse = False
        self.loaded = False
        self._rows: dict[str, Row] = {}
        self._shown: dict[str, Row] = {}

    # -- composition -------------------------------------------------------
    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True, id="rows")
        for column in self.columns:
            table.add_column(
                Text(column.label, justify="right" if column.kind == "number" else "left"),
                key=column.key,
                width=column.width,
            )
        yield table
        yield Static("Loading…", classes="empty-state")

    def on_mount(self) -> None:
        self.border_title = self.title
        self.add_class("-empty")
        self._update_titles()
        self.watch(self.app, "theme", self._repaint, init=False)

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#rows", DataTable)

    def focus(self, scroll_visible: bool = True) -> ResourceTable:
        self.table.focus(scroll_visible)
        return self

    # -- data ------------------------------------------------------------
    @property
    def rows(self) -> list[Row]:
        """Every row the backend gave, filtered or not."""
        return list(self._rows.values())

    @property
    def visible_keys(self) -> list[str]:
        """The keys of the rows on screen, top to bottom."""
        table = self.table
        return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]

    @property
    def cursor_key(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    @property
    def cursor_row(self) -> Row | None:
        key = self.cursor_key
        return self._shown.get(key) if key else None

    def move_to(self, key: str) -> bool:
        """Put the cursor on the row with this key, if it is shown."""
        table = self.table
        if key not in self._shown:
            return False
        table.move_cursor(row=table.get_row_index(key), animate=False)
        return True

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show these rows, changing only what changed."""
        self.loaded = True
        self._rows = {row.key: row for row in rows}
        self._apply()

    def _apply(self, *, repaint: bool = False) -> None:
        table = self.table
        cursor = self.cursor_key
        cursor_index = table.cursor_row
        needle = self.filter_text.strip().lower()
        wanted = {k: r for k, r in self._rows.items() if not needle or needle in r.text()}

        for key in [k for k in self._shown if k not in wanted]:
            table.remove_row(key)
            del self._shown[key]
        for key, row in wanted.items():
            old = self._shown.get(key)
            if old is None:
                table.add_row(*(self._cell(c, row) for c in self.columns), key=key)
            elif repaint or old.cells != row.cells:
                for column in self.columns:
                    if repaint or old.cells.get(column.key) != row.cells.get(column.key):
                        table.update_cell(key, column.key, self._cell(column, row), update_width=True)
            self._shown[key] = row

        if table.row_count:
            table.sort(self.sort_column, key=lambda cell: cell.sort_key, reverse=self.sort_reverse)
        if cursor is not None and cursor in self._shown:
            table.move_cursor(row=table.get_row_index(cursor), animate=False)
        elif table.row_count:
            table.move_cursor(row=min(cursor_index, table.row_count - 1), animate=False)

        self.set_class(not self._shown, "-empty")
        self._update_empty_message()
        self._update_titles()

    def _cell(self, column: Column, row: Row) -> Cell:
        value = row.cells.get(column.key)
        text = "-" if value is None else str(value)
        style = Style()
        if column.kind == "state":
            colour = self._tone_colour(tone(text))
            if colour:
                style = Style(color=colour, bold=True)
            text = f"● {text}" if colour else text
        cell = Cell(text, style=style, justify="right" if column.kind == "number" else "left", no_wrap=True)
        cell.sort_key = _sort_key(value)
        return cell

    def _tone_colour(self, name: str) -> str | None:
        if name == "plain":
            return None
        variables = getattr(self.app, "theme_variables", {}) or {}
        return variables.get(name)

    def _repaint(self, *_: object) -> None:
        if self.loaded:
            self._apply(repaint=True)

    # -- filter and sort -------------------------------------------------
    def watch_filter_text(self, _old: str, _new: str) -> None:
        if self.is_mounted:
            self._apply()

    def action_cycle_sort(self) -> None:
        keys = [c.key for c in self.columns]
        self.sort_by(keys[(keys.index(self.sort_column) + 1) % len(keys)])

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    def sort_by(self, column: str, reverse: bool = False) -> None:
        self.sort_column = column
        self.sort_reverse = reverse
        self._apply()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        self.sort_by(column, reverse=not self.sort_reverse if column == self.sort_column else False)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self._shown.get(str(event.row_key.value))
        if row is not None:
            self.post_message(self.Chosen(self, row))

    # -- titles and the empty state --------------------------------------
    def _update_titles(self) -> None:
        total, shown = len(self._rows), len(self._shown)
        count = f"{shown} of {total}" if shown != total else f"{total}"
        self.border_title = f"{self.title} ({count})" if self.loaded else self.title
        label = next(c.label for c in self.columns if c.key == self.sort_column)
        parts = [f"sorted by {label} {'▼' if self.sort_reverse else '▲'}"]
        if self.filter_text:
            parts.append(f"filter /{self.filter_text}")
        self.border_subtitle = " · ".join(parts)

    def _update_empty_message(self) -> None:
        message = self.query_one(".empty-state", Static)
        if not self.loaded:
            message.update("Loading…")
        elif self._rows and not self._shown:
            message.update(f"Nothing matches /{self.filter_text}.\nPress esc to clear the filter.")
        else:
            message.update(self.empty_hint)

    def show_problem(self, text: str) -> None:
        """Say why there are no rows (a service the backend does not offer)."""
        self.loaded = True
        self._rows = {}
        self._apply()
        self.query_one(".empty-state", Static).update(text)
