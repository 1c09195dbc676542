"""A service's concept card: what it is, when to choose it, how it is priced."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from computetui.concepts import ConceptCard as Card


class ConceptCard(VerticalScroll):
    DEFAULT_CSS = """
    ConceptCard {
        height: auto;
        max-height: 14;
        border: round $panel-lighten-2;
        border-title-color: $primary;
        border-title-style: bold;
        padding: 0 1;
        background: $surface;
    }
    ConceptCard:focus { border: round $primary; }
    ConceptCard > Static { margin: 0 0 0 0; }
    """

    can_focus = True

    def __init__(self, card: Card, id: str | None = None) -> None:
        super().__init__(id=id)
        self.card = card

    def compose(self):  # noqa: ANN201
        for heading, text in (
            ("What it is", self.card.what),
            ("Choose it when", self.card.choose_when),
            ("Pricing", self.card.pricing),
        ):
            yield Static(Content.from_markup("[b $secondary]$heading[/]  $text", heading=heading, text=text))

    def on_mount(self) -> None:
        self.border_title = f"About {self.card.title}"
        self.border_subtitle = "i hides"
