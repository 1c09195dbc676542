"""One resource: its key facts and its AWS JSON, as ``describe`` prints it."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static, TextArea

from computetui.backends.base import Backend
from computetui.ui.screens.base import ConsoleScreen
from computetui.ui.states import TONE_VARIABLE, tone
from computetui.ui.views import ResourceView, Row


class DetailScreen(ConsoleScreen):
    """The JSON of one resource; refreshes with the page and says so when it is gone."""

    def __init__(self, page_id: str, crumbs: list[str], view: ResourceView, row: Row) -> None:
        super().__init__()
        self.view = view
        self.row = row
        self.page_id = page_id
        self._crumbs = crumbs

    @property
    def crumbs(self) -> list[str]:
        return self._crumbs

    def compose_content(self) -> ComposeResult:
        with Vertical(id="detail"):
            yield Static(id="facts")
            yield TextArea(
                self._json(self.row),
                language="json",
                read_only=True,
                id="json",
                show_line_numbers=True,
                soft_wrap=False,
            )

    def on_mount(self) -> None:
        self.query_one("#json", TextArea).cursor_blink = getattr(self.app, "blink", True)
        self._show_row(self.row)
        self.focus_content()

    def focus_content(self) -> None:
        self.query_one("#json", TextArea).focus()

    @staticmethod
    def _json(row: Row) -> str:
        return json.dumps(row.aws_json(), indent=2, default=str)

    def _show_row(self, row: Row) -> None:
        facts = [
            Content.from_markup("[b]$noun[/b] [b $primary]$name[/]", noun=self.view.noun[:1].upper() + self.view.noun[1:], name=row.name)
        ]
        if row.state:
            colour = TONE_VARIABLE.get(tone(row.state), "$foreground")
            facts.append(Content.from_markup(f"  [$muted]state[/] [b {colour}]$s[/]", s=row.state))
        facts.append(Content.from_markup("\n[$muted]$key[/]", key=row.key))
        self.query_one("#facts", Static).update(Content("").join(facts))

    def fetch(self, backend: Backend) -> Row | None:
        return next((r for r in self.view.fetch(backend) if r.key == self.row.key), None)

    def show(self, row: Row | None) -> None:
        if row is None:
            self.query_one("#banner").show_error(  # type: ignore[attr-defined]
                f"This {self.view.noun} no longer exists. Press esc to go back."
            )
            return
        if row.aws_json() != self.row.aws_json():
            area = self.query_one("#json", TextArea)
            scroll = area.scroll_offset
            area.load_text(self._json(row))
            area.scroll_to(scroll.x, scroll.y, animate=False)
        self.row = row
        self._show_row(row)
