"""The scrolling body of a resource table: a header line, then one line per row.

It draws a line at a time (Textual's line API on a ``ScrollView``) and only
the lines on screen, so a frame of a 10,000-row table costs what a frame of
a 30-row one does. The grid shows the rows it is handed, in that order: which
rows, in what order and with what text is its owner's business
(``ResourceTable``). It looks and answers keys like a ``DataTable`` with a
row cursor and zebra stripes, which it replaces.

Columns wider than the screen scroll sideways, a column at a time with the
arrows; while some are off screen the header says so at that edge (``▸``,
``◂``), a cell cut at the edge ends in ``…``, and the grid posts how many
columns are out of sight so its owner can say it in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

PADDING = 1
"""Blank cells on each side of every cell, as a DataTable has by default."""


class GridRow(Protocol):
    """What the grid needs of a row: the text of each cell and its style."""

    @property
    def texts(self) -> Sequence[str]:
        """One line of text per column."""
        ...

    @property
    def styles(self) -> Sequence[Style | None]:
        """Per column: the cell's own style (a state's colour), or None."""
        ...


@dataclass(frozen=True)
class GridColumn:
    label: str
    right: bool = False
    """Right-align the cells (numbers) and the label."""
    width: int | None = None
    """A fixed width in cells; None fits the widest cell or the label."""


class RowGrid(ScrollView, can_focus=True):
    """A header and rows, a row cursor, zebra stripes; renders only the visible lines."""

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown: the footer of every table says what enter does there.
        Binding("enter", "select_cursor", "Open", id="table-open", tooltip="Open the row under the cursor"),
        Binding("up", "cursor_up", "Up", show=False, id="table-up", tooltip="Cursor to the row above"),
        Binding("down", "cursor_down", "Down", show=False, id="table-down", tooltip="Cursor to the row below"),
        Binding("pageup", "page_up", "Page up", show=False, id="table-page-up", tooltip="Cursor up one page"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table-page-down", tooltip="Cursor down one page"),
        Binding(
            "home,ctrl+home", "cursor_first", "First", show=False, id="table-first", tooltip="Cursor to the first row"
        ),
        Binding("end,ctrl+end", "cursor_last", "Last", show=False, id="table-last", tooltip="Cursor to the last row"),
        Binding("right", "column_right", "Columns", show=False, id="table-right",
                tooltip="Scroll right by a column, when some are off screen"),
        Binding("left", "column_left", "Columns", show=False, id="table-left",
                tooltip="Scroll back left by a column"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-grid--header",
        "row-grid--cursor",
        "row-grid--hover",
        "row-grid--even-row",
        "row-grid--odd-row",
    }

    # The colours a DataTable has, so the console looks the same as it did.
    DEFAULT_CSS = """
    RowGrid {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .row-grid--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .row-grid--header { background-tint: $foreground 5%; }
        }
        &:dark > .row-grid--even-row { background: $surface-darken-1 40%; }
        & > .row-grid--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .row-grid--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .row-grid--even-row { background: $surface-lighten-1 50%; }
        & > .row-grid--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .row-grid--hover { background: $block-hover-background; }
    }
    """

    class RowSelected(Message):
        """Enter on a row, or a click on the row under the cursor."""

        def __init__(self, grid: RowGrid, index: int) -> None:
            super().__init__()
            self.grid = grid
            self.index = index

        @property
        def control(self) -> RowGrid:
            return self.grid

    class ColumnsCut(Message):
        """How many columns are not wholly on screen, to the left and to the right: sent when that changes."""

        def __init__(self, grid: RowGrid, left: int, right: int) -> None:
            super().__init__()
            self.grid = grid
            self.left = left
            self.right = right

        @property
        def control(self) -> RowGrid:
            return self.grid

    class HeaderSelected(Message):
        """A click on a column's label."""

        def __init__(self, grid: RowGrid, column: int) -> None:
            super().__init__()
            self.grid = grid
            self.column = column

        @property
        def control(self) -> RowGrid:
            return self.grid

    def __init__(self, columns: Sequence[GridColumn], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = tuple(columns)
        self._rows: Sequence[GridRow] = ()
        self._cursor = 0
        self._hover = -1  # the row under the mouse, shown only while the mouse moves
        self._show_hover = False
        self._cell_widths = [self._column_width(c, 0) for c in self.columns]
        self._lines: LRUCache[tuple[int, bool, bool, int, int], Strip] = LRUCache(1024)
        self._pseudo_state: object = None
        self._cut = (0, 0)
        """Columns not wholly on screen (left, right), as last posted."""

    # -- what is shown -----------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        """The index of the row under the cursor (0 when there are no rows)."""
        return self._cursor

    def show(self, rows: Sequence[GridRow], content_widths: Sequence[int], cursor: int) -> None:
        """Show these rows in this order; columns fit ``content_widths``; the cursor goes to row ``cursor``.

        ``rows`` is kept, not copied: hand over a new sequence rather than change this one.
        """
        self._rows = rows
        self._cell_widths = [self._column_width(c, w) for c, w in zip(self.columns, content_widths, strict=True)]
        self._cursor = self._clamp(cursor)
        self._hover = -1
        self._lines.clear()
        self.virtual_size = Size(sum(self._cell_widths), len(rows) + 1)
        self.refresh()
        self._scroll_cursor_into_view()
        self._post_cut()

    def move_cursor(self, row: int, *, scroll: bool = True) -> None:
        old, self._cursor = self._cursor, self._clamp(row)
        if old != self._cursor:
            self._refresh_row(old)
            self._refresh_row(self._cursor)
        if scroll:
            self._scroll_cursor_into_view()

    @staticmethod
    def _column_width(column: GridColumn, content: int) -> int:
        inner = column.width if column.width is not None else max(content, cell_len(column.label))
        return inner + 2 * PADDING

    def _clamp(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1))

    @property
    def _page(self) -> int:
        """Rows in one screenful, below the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top, page = round(self.scroll_y), self._page
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, force=True)

    def _refresh_row(self, index: int) -> None:
        if 0 <= index < len(self._rows):
            self.refresh(Region(0, index + 1 - self.scroll_offset.y, self.size.width, 1))

    def on_resize(self, _: events.Resize) -> None:
        self._scroll_cursor_into_view()
        self._post_cut()

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_x(old_value, new_value)
        self._post_cut()

    # -- columns off screen --------------------------------------------------
    def _starts(self) -> list[int]:
        """Where each column begins, in cells from the table's left edge."""
        starts, at = [], 0
        for width in self._cell_widths:
            starts.append(at)
            at += width
        return starts

    def columns_cut(self) -> tuple[int, int]:
        """How many columns are not wholly on screen: (to the left, to the right)."""
        left_edge, width = round(self.scroll_x), self.size.width
        if width <= 0:
            return (0, 0)
        right_edge = left_edge + width
        starts = self._starts()
        left = sum(1 for start in starts if start < left_edge)
        right = sum(1 for start, cells in zip(starts, self._cell_widths, strict=True) if start + cells > right_edge)
        return (left, right)

    def _post_cut(self) -> None:
        cut = self.columns_cut()
        if cut != self._cut:
            self._cut = cut
            self.post_message(self.ColumnsCut(self, *cut))

    def action_column_right(self) -> None:
        """Scroll so that the next column starts at the left edge (or as far as the table goes)."""
        left_edge = round(self.scroll_x)
        target = next((start for start in self._starts() if start > left_edge), left_edge)
        self.scroll_to(x=min(target, self.max_scroll_x), animate=False, force=True)

    def action_column_left(self) -> None:
        """Scroll back so that the column before starts at the left edge."""
        left_edge = round(self.scroll_x)
        target = max((start for start in self._starts() if start < left_edge), default=0)
        self.scroll_to(x=target, animate=False, force=True)

    # -- drawing -----------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Focus changes the cursor's colours without a style update reaching us first.
        state = self.get_pseudo_class_state()
        if state != self._pseudo_state:
            self._pseudo_state = state
            self._lines.clear()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        index = y - 1 + scroll_y if y else -1  # the header stays put
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        key = (index, index == self._cursor, self._show_hover and index == self._hover, scroll_x, width)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._render_row(index, key[1], key[2], scroll_x, width)
            self._lines[key] = strip
        return strip

    def _render_row(self, index: int, cursor: bool, hover: bool, scroll_x: int, width: int) -> Strip:
        get_style = self.get_component_rich_style
        if index < 0:
            row_style = get_style("row-grid--header")
            texts: Sequence[str] = [c.label for c in self.columns]
            styles: Sequence[Style | None] = [None] * len(self.columns)
        else:
            row_style = get_style("row-grid--odd-row" if index % 2 else "row-grid--even-row")
            texts, styles = self._rows[index].texts, self._rows[index].styles
        overlay = Style()
        if hover:
            overlay += get_style("row-grid--hover")
        if cursor:
            overlay += get_style("row-grid--cursor")
        # The cursor's text colour wins over a cell's own (a state's colour), as in a DataTable.
        post = Style.from_color(color=overlay.color)

        segments: list[Segment] = []
        for column_index, (column, text, style, cell_width) in enumerate(
            zip(self.columns, texts, styles, self._cell_widths, strict=False)
        ):
            pre = row_style + Style.from_meta({"row": index, "column": column_index}) + overlay
            segments.extend(_cell(text, style, cell_width - 2 * PADDING, column.right, pre, post))
        table_width = sum(self._cell_widths)
        filler = row_style + overlay + Style.from_meta({"row": index, "column": 0, "out_of_bounds": True})
        segments.append(Segment(" " * max(0, width - table_width), filler))
        line = Strip(segments, max(width, table_width))
        shown = line.crop(scroll_x, scroll_x + width).adjust_cell_length(width, self.rich_style)
        if width > 1 and table_width > width:
            shown = self._mark_cuts(shown, line, index < 0, scroll_x, width, table_width)
        return shown.simplify()

    @staticmethod
    def _mark_cuts(shown: Strip, line: Strip, header: bool, scroll_x: int, width: int, table_width: int) -> Strip:
        """Say where columns go on off screen: ``▸``/``◂`` at the header's edges, ``…`` where a cell's text is cut."""

        def text_at(cell: int) -> bool:
            return line.crop(cell, cell + 1).text not in ("", " ")

        if scroll_x + width < table_width:
            edge = scroll_x + width - 1  # the last cell on screen, counted in the whole line
            if header:
                shown = _put(shown, width - 1, "▸")
            elif text_at(edge) and text_at(edge + 1):
                shown = _put(shown, width - 1, "…")
        if scroll_x > 0:
            if header:
                shown = _put(shown, 0, "◂")
            elif text_at(scroll_x) and text_at(scroll_x - 1):
                shown = _put(shown, 0, "…")
        return shown

    # -- keys --------------------------------------------------------------
    def action_cursor_up(self) -> None:
        self._show_hover = False
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._show_hover = False
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self._show_hover = False
        page = self._page
        self.scroll_relative(y=-page, animate=False, force=True)
        self.move_cursor(self._cursor - page)

    def action_page_down(self) -> None:
        self._show_hover = False
        page = self._page
        self.scroll_relative(y=page, animate=False, force=True)
        self.move_cursor(self._cursor + page)

    def action_cursor_first(self) -> None:
        self._show_hover = False
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        self._show_hover = False
        self.move_cursor(len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        self._show_hover = False
        if self._rows:
            self.post_message(self.RowSelected(self, self._cursor))

    # -- mouse -------------------------------------------------------------
    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = event.style.meta.get("row")
        old, was_shown = self._hover, self._show_hover
        self._show_hover = row is not None and row >= 0
        self._hover = row if self._show_hover else -1
        if (old, was_shown) != (self._hover, self._show_hover):
            self._refresh_row(old)
            self._refresh_row(self._hover)

    def on_leave(self, _: events.Leave) -> None:
        if self._show_hover:
            self._show_hover = False
            self._refresh_row(self._hover)

    def on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        row, column = meta.get("row"), meta.get("column")
        if row is None or column is None:
            return
        event.stop()
        if row < 0:
            if not meta.get("out_of_bounds"):
                self.post_message(self.HeaderSelected(self, column))
            return
        # Like a DataTable: the first click puts the cursor on a row, a click on the cursor's row opens it.
        if row == self._cursor:
            self.post_message(self.RowSelected(self, row))
        self.move_cursor(row)


def _cell(text: str, style: Style | None, width: int, right: bool, pre: Style, post: Style) -> list[Segment]:
    """One cell, padded and aligned in ``width`` cells, styled the way Rich styles a padded Text."""
    if right:
        text = text.rstrip()
    if cell_len(text) > width:
        text = set_cell_size(text, width)
    fill = " " * (width - cell_len(text))
    body = fill + text if right else text + fill
    outer = pre + post
    inner = pre + style + post if style and text else outer
    pad = " " * PADDING
    return [Segment(pad, outer), Segment(body, inner), Segment(pad, outer)]


def _put(strip: Strip, at: int, mark: str) -> Strip:
    """``strip`` with the one-cell character at ``at`` replaced by ``mark``, in that cell's style."""
    cell = strip.crop(at, at + 1)
    style = next((segment.style for segment in cell), None)
    return Strip.join([strip.crop(0, at), Strip([Segment(mark, style)], 1), strip.crop(at + 1, strip.cell_length)])
