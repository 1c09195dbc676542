"""The bottom line where ``:`` commands and ``/`` filters are typed, k9s style.

``:`` mode runs a command on enter and shows an unknown one's error inline,
keeping what was typed. ``/`` mode filters the table as you type; enter keeps
the filter, esc clears it. ``/`` again starts a new filter: the old one comes
selected, so typing replaces it and enter or an arrow keeps it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static


class CommandLine(Horizontal):
    DEFAULT_CSS = """
    CommandLine {
        height: 1;
        display: none;
        background: $panel;
    }
    CommandLine.-open { display: block; }
    CommandLine > Label { width: 2; padding: 0 0 0 1; color: $primary; text-style: bold; }
    CommandLine > Input {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 0;
        background: $panel;
    }
    CommandLine > Input:focus { border: none; }
    CommandLine > .error { width: auto; max-width: 70%; color: $error; padding: 0 1; display: none; }
    CommandLine.-error > .error { display: block; }
    """

    BINDINGS = [Binding("escape", "close", "Cancel", show=False)]

    class Submitted(Message):
        def __init__(self, mode: str, value: str) -> None:
            super().__init__()
            self.mode = mode
            self.value = value

    class FilterChanged(Message):
        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    class Closed(Message):
        def __init__(self, mode: str, cancelled: bool) -> None:
            super().__init__()
            self.mode = mode
            self.cancelled = cancelled

    def __init__(self, commands: list[str]) -> None:
        super().__init__(id="command-line")
        self.mode = ":"
        self._commands = commands

    def compose(self) -> ComposeResult:
        yield Label(":", id="prompt")
        yield Input(id="input", suggester=SuggestFromList(self._commands, case_sensitive=False), select_on_focus=False)
        yield Static("", classes="error")

    def on_mount(self) -> None:
        self.input.cursor_blink = getattr(self.app, "blink", True)

    @property
    def input(self) -> Input:
        return self.query_one("#input", Input)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self, mode: str, value: str = "") -> None:
        """Show the line in ``:`` (command) or ``/`` (filter) mode and focus it. A ``value`` (the
        filter in place) comes selected, as in a search box: typing replaces it, enter or an
        arrow keeps it."""
        self.mode = mode
        self.query_one("#prompt", Label).update(mode)
        self.clear_error()
        self.add_class("-open")
        self.input.suggester = SuggestFromList(self._commands, case_sensitive=False) if mode == ":" else None
        self.input.value = value
        self.input.cursor_position = len(value)
        if value:
            self.input.select_all()
        self.input.focus()

    def close(self, cancelled: bool = True) -> None:
        if not self.is_open:
            return
        self.remove_class("-open")
        self.clear_error()
        self.post_message(self.Closed(self.mode, cancelled))

    def show_error(self, text: str) -> None:
        self.query_one(".error", Static).update(Content(text))
        self.add_class("-error")

    def clear_error(self) -> None:
        self.remove_class("-error")

    def action_close(self) -> None:
        self.close(cancelled=True)

    @on(Input.Changed, "#input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.clear_error()
        if self.mode == "/":
            self.post_message(self.FilterChanged(event.value))

    @on(Input.Submitted, "#input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(self.mode, event.value.strip()))
