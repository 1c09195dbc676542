"""A card on the home page: one service's counts and states; enter opens it."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from computetui.ui.states import TONE_VARIABLE, tone
from computetui.ui.views import ServiceSpec, Summary


class ServiceCard(Static):
    DEFAULT_CSS = """
    ServiceCard {
        height: 100%;
        border: round $panel-lighten-2;
        border-title-color: $foreground;
        border-title-style: bold;
        border-subtitle-color: $muted;
        padding: 0 1;
        background: $surface;
    }
    ServiceCard:focus { border: round $primary; border-title-color: $primary; }
    ServiceCard:hover { border: round $primary 60%; }
    """

    can_focus = True
    BINDINGS = [Binding("enter", "open", "Open", show=False)]

    class Open(Message):
        def __init__(self, service: str) -> None:
            super().__init__()
            self.service = service

    def __init__(self, spec: ServiceSpec) -> None:
        super().__init__("Loading…", id=f"card-{spec.id}")
        self.spec = spec

    def on_mount(self) -> None:
        self.border_title = self.spec.nav_label
        self.border_subtitle = self.spec.command

    def show(self, summary: Summary | None, problem: str | None = None) -> None:
        if problem:
            self.update(Content.from_markup("[$muted]$text[/]", text=problem))
            return
        if summary is None:
            self.update(Content.from_markup("[$muted]Loading…[/]"))
            return
        if summary.problem:
            self.update(Content.from_markup("[$error]$text[/]", text=summary.problem))
            return
        lines = []
        for label, value in summary.lines:
            # A value made of states ("2 Active, 1 Pending") gets each state's colour.
            coloured = Content(value)
            words = value.split()
            if len(words) >= 2 and tone(words[-1].rstrip(",")) != "plain":
                pieces = []
                for chunk in value.split(", "):
                    number, _, state = chunk.partition(" ")
                    variable = TONE_VARIABLE.get(tone(state), "$foreground")
                    pieces.append(Content.from_markup(f"$n [{variable}]$s[/]", n=number, s=state))
                coloured = Content(", ").join(pieces)
            lines.append(Content.from_markup("[$muted]$label[/] ", label=f"{label}:") + coloured)
        self.update(Content("\n").join(lines))

    def on_click(self) -> None:
        self.post_message(self.Open(self.spec.id))

    def action_open(self) -> None:
        self.post_message(self.Open(self.spec.id))
