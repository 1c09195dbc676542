"""The footer of keys, rebuilt only when the keys it shows change.

Textual's ``Footer`` rebuilds its keys on every bindings signal, and a tab
switch sends three (focus moves, the tab's actions change, its rows arrive):
three rounds of mounting, styling and laying out ten widgets while the new
tab's rows are being fetched. This one compares what it would show with what
it shows, and keeps its widgets when they are the same.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class ConsoleFooter(Footer):
    """A ``Footer`` that skips a rebuild that would show the same keys."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """What ``compose`` would show: each shown binding's key, label, action, state and tooltip."""
        app = self.app
        return (
            self.show_command_palette,
            tuple(
                (binding.key, app.get_key_display(binding), binding.description, binding.action, binding.group,
                 enabled, tooltip)
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                if binding.show or binding.key == app.COMMAND_PALETTE_BINDING
            ),
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown and self.children:
            return
        self._shown = keys
        await super().recompose()
