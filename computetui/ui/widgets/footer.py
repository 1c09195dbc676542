"""The footer of keys, rebuilt only when the keys it shows change.

Textual's ``Footer`` rebuilds its keys on every bindings signal, and a tab
switch sends three (focus moves, the tab's actions change, its rows arrive):
three rounds of mounting, styling and laying out ten widgets while the new
tab's rows are being fetched. This one compares what it would show with what
it shows, and keeps its widgets when they are the same.

When the keys would not fit the width in Textual's spacing, the footer closes
them up (one space between keys instead of two) rather than cut the last ones
off.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Footer

PALETTE_WIDTH = 12
"""What the command palette's key takes at the right end (``▏^p Palette``)."""


class ConsoleFooter(Footer):
    """A ``Footer`` that skips a rebuild that would show the same keys."""

    DEFAULT_CSS = """
    ConsoleFooter.-tight FooterKey .footer-key--key { padding: 0 0 0 1; }
    ConsoleFooter.-tight FooterKey .footer-key--description { padding: 0 0 0 1; }
    """

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

    def _fits(self, keys: tuple[Any, ...]) -> bool:
        """Whether the keys fit the width in Textual's spacing: each takes `` key label `` and a space."""
        width = self.size.width or self.app.size.width
        shown = [(display, label) for (key, display, label, *_rest) in keys[1]
                 if key != self.app.COMMAND_PALETTE_BINDING]
        needed = sum(len(display) + len(label) + 3 for display, label in shown)
        return needed + (PALETTE_WIDTH if keys[0] else 0) <= width

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        tight = not self._fits(keys)
        if keys == self._shown and self.children and tight == self.has_class("-tight"):
            return
        self._shown = keys
        self.set_class(tight, "-tight")
        await super().recompose()

    def on_resize(self, event: events.Resize) -> None:
        if self._shown is not None and self._fits(self._shown) == self.has_class("-tight"):
            self.set_class(not self._fits(self._shown), "-tight")
