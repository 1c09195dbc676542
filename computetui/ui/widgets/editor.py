"""A code editor whose esc hands focus back to the page, instead of to the next widget."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea


class Editor(TextArea):
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
