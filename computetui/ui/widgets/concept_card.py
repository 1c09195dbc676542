"""A service's concept card: what it is, when to choose it, how it is priced."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from computetui.concepts import ConceptCard as Card


class ConceptCard(VerticalScroll):
    """The card under a service page's tables. Folded it is one line, the service's name and
    what it is, cut to the width, so the table keeps the room; ``i`` unfolds the whole card
    (what it is, when to choose it, how it is priced), as the AWS console's Info panel opens."""

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
    ConceptCard > .card-line { display: none; height: 1; }
    ConceptCard.-folded { height: 1; border: none; overflow: hidden hidden; }
    ConceptCard.-folded > Static { display: none; }
    ConceptCard.-folded > .card-line { display: block; }
    ConceptCard .card-summary { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; color: $muted; }
    ConceptCard .card-key { width: auto; height: 1; padding: 0 0 0 2; color: $muted; }
    """

    folded: reactive[bool] = reactive(True, init=False)
    """One line (True) or the whole card."""

    def __init__(self, card: Card, *, folded: bool = True, id: str | None = None) -> None:
        super().__init__(id=id, classes="-folded" if folded else "")
        self.card = card
        self.set_reactive(ConceptCard.folded, folded)
        self.can_focus = not folded  # the whole card scrolls; one line has nothing to scroll

    def compose(self) -> ComposeResult:
        with Horizontal(classes="card-line"):
            yield Static(Content.from_markup("[b $primary]About $title[/]  $what", title=self.card.title,
                                             what=self.card.what), classes="card-summary")
            yield Static(Content.from_markup("[b]i[/] more"), classes="card-key")
        for heading, text in (
            ("What it is", self.card.what),
            ("Choose it when", self.card.choose_when),
            ("Pricing", self.card.pricing),
        ):
            yield Static(Content.from_markup("[b $secondary]$heading[/]  $text", heading=heading, text=text))

    def on_mount(self) -> None:
        self.border_title = f"About {self.card.title}"
        self.border_subtitle = "i folds"

    def watch_folded(self, folded: bool) -> None:
        self.set_class(folded, "-folded")
        self.can_focus = not folded
        if folded and self.has_focus:
            self.screen.focus_next()
