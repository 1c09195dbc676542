"""A service page: its resource views as tabs, each a table, and the concept card."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding

from computetui.backends.base import Backend
from computetui.concepts import card
from computetui.ui.registry import SERVICES, not_offered
from computetui.ui.screens.tabs import TabbedScreen, row_action_bindings
from computetui.ui.views import ResourceView, ServiceSpec
from computetui.ui.widgets.concept_card import ConceptCard


class ServiceScreen(TabbedScreen):
    BINDINGS = [
        *row_action_bindings(action for spec in SERVICES for view in spec.views for action in view.actions),
        Binding("i", "toggle_card", "About", id="concept-card", tooltip="Unfold the concept card, or fold it to one line"),
    ]

    def __init__(self, spec: ServiceSpec, view: str | None = None, focus_key: str | None = None) -> None:
        super().__init__(spec.views, view, focus_key)
        self.spec = spec
        self.page_id = spec.id

    @property
    def crumbs(self) -> list[str]:
        return ["Console", self.spec.nav_label, self.view.title]

    def compose_footer(self) -> ComposeResult:
        yield ConceptCard(card(self.spec.id), folded=not self.console.cards_unfolded, id="concept")

    def empty_hint(self, view: ResourceView) -> str:
        hint = f"No {view.title.lower()} yet."
        if view.creates and not self.console.settings.read_only:
            hint += "\nPress c to create one."
        if self.console.offers_demo and not self.console.settings.read_only:
            hint += "\nPress D to load the sample workload."
        return hint + "\n: opens the command line, ? lists every key."

    def fetch(self, backend: Backend) -> dict[str, Any]:
        if self.spec.facet_of(backend) is None:
            return {"view": self.view.id, "header": None, "rows": not_offered(self.spec, backend)}
        return super().fetch(backend)

    def action_toggle_card(self) -> None:
        concept = self.query_one(ConceptCard)
        concept.folded = not concept.folded
        self.console.cards_unfolded = not concept.folded  # the next service page opens the same way

    def on_screen_resume(self) -> None:
        # A page further down the stack, come back to, follows what i chose on the pages above it.
        super().on_screen_resume()
        self.query_one(ConceptCard).folded = not self.console.cards_unfolded
