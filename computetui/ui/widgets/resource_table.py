"""A table of resources, keyed by ARN, updated in place.

``set_rows`` takes the backend's rows and works out each row's cell text, style
and width once; a row that comes back unchanged on the next refresh keeps
that work. Sorting orders all rows once (by keys computed once per row and
column: quantities by value, see ``sorting``); the filter then keeps, in that
order, the rows whose text holds it.
Nothing is ever cleared and refilled, so the cursor (by ARN), the sort and the
filter survive every refresh. Drawing is left to a ``RowGrid``, which renders
only the lines on screen: 10,000 ECS tasks paint and filter as fast as ten.
State cells are coloured by state; an empty table says what to press; the bottom
border says how many columns are off screen to either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from computetui.ui import sorting
from computetui.ui.states import tone
from computetui.ui.views import Column, Row
from computetui.ui.widgets.row_grid import GridColumn, RowGrid

TONES = ("success", "warning", "error", "muted")


class TableRow:
    """A Row as the table shows it: each cell's text, style and width, and the text a filter searches."""

    __slots__ = ("row", "texts", "styles", "widths", "_haystack", "_sort_column", "_sort_key")

    def __init__(
        self, row: Row, texts: tuple[str, ...], styles: tuple[Style | None, ...], widths: tuple[int, ...]
    ) -> None:
        self.row = row
        self.texts = texts
        self.styles = styles
        self.widths = widths
        self._haystack: str | None = None
        self._sort_column: str | None = None
        self._sort_key: Any = None

    @property
    def haystack(self) -> str:
        """What the filter searches: made on the first filter, not for every row of every page."""
        if self._haystack is None:
            self._haystack = self.row.text()
        return self._haystack

    def shows(self, row: Row) -> bool:
        """Whether ``row`` would look (and filter) the same as the row this was made from."""
        return row.name == self.row.name and row.cells == self.row.cells

    def sort_key(self, column: str, kind: str) -> Any:
        """What the row sorts by in ``column`` (of that ``kind``): worked out once per column."""
        if self._sort_column != column:
            self._sort_column, self._sort_key = column, sorting.sort_key(self.row.cells.get(column), kind)
        return self._sort_key


@dataclass(frozen=True)
class Prepared:
    """Rows made ready for a table off the UI thread (``ResourceTable.prepare``)."""

    rows: dict[str, Row]
    prepared: dict[str, TableRow]
    widths: list[int]
    sorted: list[TableRow]
    sort: tuple[str, bool]
    """The sort column and direction ``sorted`` follows."""
    theme: str
    """The theme whose colours the rows carry."""


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
    ResourceTable > RowGrid { height: 1fr; background: $surface; }
    ResourceTable > .empty-state {
        display: none;
        height: 1fr;
        content-align: center middle;
        text-align: center;
        color: $muted;
        padding: 1 2;
    }
    ResourceTable.-empty > RowGrid { height: 3; }
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
        self._wanted: str | None = None
        self._prepared: dict[str, TableRow] = {}
        self._sorted: list[TableRow] = []
        """Every row, in display order."""
        self._shown: list[TableRow] = []
        """The rows that pass the filter, in display order: what the grid shows."""
        self._content_widths = [0] * len(self.columns)
        self._plan = tuple((c.key, c.kind == "state") for c in self.columns)
        """Per column: the cell's key, and whether it is coloured by state."""
        self._no_styles: tuple[Style | None, ...] = (None,) * len(self.columns)
        self._theme: tuple[str, dict[str, Style]] = ("", {})
        self._expected: int | None = None
        self._said = "Loading…"
        self._cut = (0, 0)
        """Columns out of sight to the left and to the right, as the grid last said."""
        self._grid = RowGrid(
            [GridColumn(c.label, right=c.kind == "number", width=c.width) for c in self.columns], id="rows"
        )

    # -- composition -------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield self._grid
        yield Static("Loading…", classes="empty-state")

    def on_mount(self) -> None:
        self.border_title = Content(self.title)
        self.add_class("-empty")
        self._update_titles()
        # The signal, not a watch on ``theme``: it comes once the theme's variables are in place.
        self.app.theme_changed_signal.subscribe(self, self._repaint)
        self._theme = self._current_theme()

    def on_unmount(self) -> None:
        # The signal holds its subscribers: without this a closed page's table and rows stay alive.
        self.app.theme_changed_signal.unsubscribe(self)
        # A closed page lingers until the collector finds its widgets' cycles; its rows
        # (thousands of objects) go now, and the collector has that much less to walk.
        self._rows, self._prepared, self._sorted, self._shown = {}, {}, [], []
        self._grid.show((), [0] * len(self.columns), 0)

    @property
    def table(self) -> RowGrid:
        """The grid that draws the rows (``row_count``, ``cursor_row`` as an index)."""
        return self._grid

    def focus(self, scroll_visible: bool = True) -> ResourceTable:
        self._grid.focus(scroll_visible)
        return self

    # -- data ------------------------------------------------------------
    @property
    def rows(self) -> list[Row]:
        """Every row the backend gave, filtered or not."""
        return list(self._rows.values())

    @property
    def visible_keys(self) -> list[str]:
        """The keys of the rows that pass the filter, top to bottom (on screen or scrolled off)."""
        return [shown.row.key for shown in self._shown]

    @property
    def cursor_key(self) -> str | None:
        row = self.cursor_row
        return row.key if row else None

    @property
    def cursor_row(self) -> Row | None:
        index = self._grid.cursor_row
        return self._shown[index].row if index < len(self._shown) else None

    def move_to(self, key: str) -> bool:
        """Put the cursor on the row with this key, if it is shown."""
        index = self._index_of(key)
        if index is None:
            return False
        self._grid.move_cursor(index)
        return True

    def want(self, key_or_name: str) -> None:
        """Put the cursor on this row once it is shown (a resource just created, say): now if it
        is, else on the next ``set_rows`` that brings it."""
        self._wanted = None if self._move_to_wanted(key_or_name) else key_or_name

    def _move_to_wanted(self, wanted: str) -> bool:
        if self.move_to(wanted):
            return True
        row = next((r for r in self._rows.values() if r.name == wanted), None)
        return row is not None and self.move_to(row.key)

    def prepare(self, rows: Sequence[Row]) -> Prepared:
        """Work out how ``rows`` look and sort, from any thread (a page's fetch worker): ``set_rows``
        then only swaps them in. Reads the table, changes nothing."""
        theme, tones = self._theme
        sort = (self.sort_column, self.sort_reverse)
        by_key = {row.key: row for row in rows}
        prepared, widths = self._prepared_rows(by_key, self._prepared, tones, again=False)
        return Prepared(by_key, prepared, widths, self._sorted_rows(prepared, *sort), sort, theme)

    def set_rows(self, rows: Sequence[Row] | Prepared, *, expected: int | None = None) -> None:
        """Show these rows (or rows ``prepare`` made ready), changing only what changed.
        ``expected``: the rows are the first of that many still being read (the title says so)."""
        self.loaded = True
        self._expected = expected
        if isinstance(rows, Prepared) and rows.theme == self._theme[0]:
            self._rows, self._prepared, self._content_widths = rows.rows, rows.prepared, rows.widths
            if rows.sort == (self.sort_column, self.sort_reverse):
                self._sorted = rows.sorted
            else:  # sorted again meanwhile
                self._sort()
        else:
            self._rows = rows.rows if isinstance(rows, Prepared) else {row.key: row for row in rows}
            self._prepare(again=isinstance(rows, Prepared))
            self._sort()
        self._show()
        wanted = self._wanted
        if wanted is not None and self._move_to_wanted(wanted):
            self._wanted = None

    def _index_of(self, key: str) -> int | None:
        return next((i for i, shown in enumerate(self._shown) if shown.row.key == key), None)

    def _prepare(self, *, again: bool = False) -> None:
        """Work out the text, style and width of every new or changed row (of all rows if ``again``)."""
        if not self._theme[0]:
            self._theme = self._current_theme()
        self._prepared, self._content_widths = self._prepared_rows(self._rows, self._prepared, self._theme[1],
                                                                   again=again)

    def _current_theme(self) -> tuple[str, dict[str, Style]]:
        """The theme's name and its state colours (read on the UI thread: ``prepare`` uses them)."""
        variables = getattr(self.app, "theme_variables", {}) or {}
        tones = {name: Style(color=variables[name], bold=True) for name in TONES if variables.get(name)}
        return self.app.theme, tones

    def _prepared_rows(
        self, rows: dict[str, Row], old: dict[str, TableRow], tones: dict[str, Style], *, again: bool
    ) -> tuple[dict[str, TableRow], list[int]]:
        states: dict[str, tuple[str, Style | None]] = {}
        # Rows already shown keep their place and new ones come last, so rows that sort
        # alike stay in the order they first came in, whatever order a refresh lists them.
        prepared: dict[str, TableRow] = {}
        for key, kept in old.items():
            row = rows.get(key)
            if row is None:
                continue
            if not again and kept.shows(row):
                kept.row = row  # its AWS JSON may have changed; describe shows the latest
                prepared[key] = kept
            else:
                prepared[key] = self._table_row(row, tones, states)
        for key, row in rows.items():
            if key not in prepared:
                prepared[key] = self._table_row(row, tones, states)
        # Widths fit every row, not only those that pass the filter: columns stay put while typing.
        widths = zip(*(p.widths for p in prepared.values()), strict=False)
        return prepared, [max(column) for column in widths] if prepared else [0] * len(self.columns)

    def _table_row(self, row: Row, tones: dict[str, Style], states: dict[str, tuple[str, Style | None]]) -> TableRow:
        cells = row.cells
        texts: list[str] = []
        styles: list[Style | None] | None = None
        for index, (key, is_state) in enumerate(self._plan):
            value = cells.get(key)
            text = "-" if value is None else value if type(value) is str else str(value)
            if "\n" in text:
                text = text.split("\n", 1)[0]  # one line per row
            if is_state:
                if text not in states:
                    colour = tones.get(tone(text))
                    states[text] = (f"● {text}", colour) if colour else (text, None)
                text, style = states[text]
                if style is not None:
                    if styles is None:
                        styles = [None] * len(self._plan)
                    styles[index] = style
            texts.append(text)
        # Plain text is as wide as it is long; so is a state's dot (one cell). Anything else is measured.
        joined = "".join(texts)
        plain = joined.isprintable() and (joined.isascii() or joined.replace("●", "").isascii())
        widths = tuple(map(len if plain else cell_len, texts))
        return TableRow(row, tuple(texts), self._no_styles if styles is None else tuple(styles), widths)

    def _sort(self) -> None:
        self._sorted = self._sorted_rows(self._prepared, self.sort_column, self.sort_reverse)

    def _sorted_rows(self, prepared: dict[str, TableRow], column: str, reverse: bool) -> list[TableRow]:
        kind = next((c.kind for c in self.columns if c.key == column), "text")
        return sorted(prepared.values(), key=lambda shown: shown.sort_key(column, kind), reverse=reverse)

    def _show(self) -> None:
        """Filter the sorted rows into the grid; the cursor keeps its row, or else its place."""
        cursor_key, cursor_index = self.cursor_key, self._grid.cursor_row
        needle = self.filter_text.strip().lower()
        self._shown = [p for p in self._sorted if needle in p.haystack] if needle else self._sorted
        index = self._index_of(cursor_key) if cursor_key is not None else None
        self._grid.show(self._shown, self._content_widths, cursor_index if index is None else index)
        self.set_class(not self._shown, "-empty")
        self._update_empty_message()
        self._update_titles()

    def _repaint(self, *_: object) -> None:
        # The theme decides a state's colour, and whether it gets a dot.
        self._theme = self._current_theme()
        if self.loaded:
            self._prepare(again=True)
            self._sort()
            self._show()

    # -- filter and sort -------------------------------------------------
    def watch_filter_text(self, _old: str, _new: str) -> None:
        if self.is_mounted:
            self._show()

    def action_cycle_sort(self) -> None:
        keys = [c.key for c in self.columns]
        self.sort_by(keys[(keys.index(self.sort_column) + 1) % len(keys)])

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    def sort_by(self, column: str, reverse: bool = False) -> None:
        self.sort_column = column
        self.sort_reverse = reverse
        self._sort()
        self._show()

    @on(RowGrid.HeaderSelected)
    def _header_clicked(self, event: RowGrid.HeaderSelected) -> None:
        event.stop()
        column = self.columns[event.column].key
        self.sort_by(column, reverse=not self.sort_reverse if column == self.sort_column else False)

    @on(RowGrid.ColumnsCut)
    def _columns_cut(self, event: RowGrid.ColumnsCut) -> None:
        event.stop()
        self._cut = (event.left, event.right)
        self._update_titles()

    @on(RowGrid.RowSelected)
    def _row_selected(self, event: RowGrid.RowSelected) -> None:
        event.stop()
        if event.index < len(self._shown):
            self.post_message(self.Chosen(self, self._shown[event.index].row))

    # -- titles and the empty state --------------------------------------
    def _update_titles(self) -> None:
        total, shown = len(self._rows), len(self._shown)
        count = f"{shown} of {total}" if shown != total else f"{total}"
        if self._expected is not None and total < self._expected:
            count = f"{count}, loading {self._expected - total:,} more…"
        # Plain text, never markup: a filter is what the user typed, brackets and all.
        self.border_title = Content(f"{self.title} ({count})" if self.loaded else self.title)
        label = next(c.label for c in self.columns if c.key == self.sort_column)
        parts = [f"sorted by {label} {'▼' if self.sort_reverse else '▲'}"]
        if self.filter_text:
            parts.append(f"filter /{self.filter_text}")
        left, right = self._cut
        if left:
            parts.append(f"← {left} column{'s' if left > 1 else ''}")
        if right:
            parts.append(f"{right} more column{'s' if right > 1 else ''} →")
        self.border_subtitle = Content(" · ".join(parts))

    def _update_empty_message(self) -> None:
        if not self.loaded:
            self._say("Loading…")
        elif self._rows and not self._shown:
            self._say(f"Nothing matches /{self.filter_text}.\nPress esc to clear the filter.")
        else:
            self._say(self.empty_hint)

    def _say(self, text: str) -> None:
        # Updating a Static lays out the screen again, even with the same text: a frame's worth on every keystroke.
        if text != self._said:
            self._said = text
            self.query_one(".empty-state", Static).update(Content(text))

    def show_problem(self, text: str) -> None:
        """Say why there are no rows (a service the backend does not offer)."""
        self.loaded = True
        self._expected = None
        self._rows = {}
        self._prepare()
        self._sort()
        self._show()
        self._say(text)
