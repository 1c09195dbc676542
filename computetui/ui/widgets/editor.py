"""A code editor whose esc hands focus back to the page, instead of to the next widget."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import TextArea


class Editor(TextArea):
    """A TextArea that gives esc back to the page; help lists its keys on the pages that have one."""

    BINDINGS = [
        # TextArea's own key for it (ctrl+a goes to the line's start), named so help can list it.
        Binding("f7", "select_all", "Select all", id="select-all", show=False,
                tooltip="Select all the editor's text (in the editor)"),
    ]

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.stop()
            event.prevent_default()
            focus_content = getattr(self.screen, "focus_content", None)
            if callable(focus_content):
                focus_content()
            else:
                self.screen.focus_next()
            return
        await super()._on_key(event)
